//! Times loading the four MNIST files into `f32` matrices, the way NumPy's `gzip` +
//! `frombuffer` + `astype(float32) / 255` does, and its parts.
//!
//! ```sh
//! cargo run --release -p nabla-data --example load_mnist_timing -- ../shared/mnist
//! ```
//!
//! The directory defaults to `$MNIST_DIR`. Each figure is the best and the median of 7 runs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use nabla_data::{Mnist, MnistFile, MnistOptions, Split, read_idx, verify_file};

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[runs / 2])
}

fn report(name: &str, (best, median): (Duration, Duration)) {
    println!(
        "{name:<48} best {:>7.1} ms   median {:>7.1} ms",
        ms(best),
        ms(median)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os("MNIST_DIR"))
        .map(PathBuf::from)
        .ok_or("give the MNIST directory as an argument or in $MNIST_DIR")?;
    let runs = 7;
    let options = MnistOptions::default();
    println!(
        "MNIST in {}, {} rayon threads",
        dir.display(),
        rayon::current_num_threads()
    );

    report(
        "all four files -> f32 matrices (Mnist::load)",
        time(runs, || {
            let train = Mnist::load(&dir, Split::Train, options).expect("train split");
            let test = Mnist::load(&dir, Split::Test, options).expect("test split");
            (train, test)
        }),
    );
    report(
        "same, checksums verified (Mnist::load_verified)",
        time(runs, || {
            let train = Mnist::load_verified(&dir, Split::Train, options).expect("train split");
            let test = Mnist::load_verified(&dir, Split::Test, options).expect("test split");
            (train, test)
        }),
    );
    report(
        "decompress + parse the four files (read_idx)",
        time(runs, || {
            MnistFile::ALL.map(|f| read_idx(&f.path_in(&dir)).expect("valid file"))
        }),
    );
    report(
        "verify_file x4 (decompress + SHA-256)",
        time(runs, || {
            for f in MnistFile::ALL {
                verify_file(&f.path_in(&dir), f).expect("checksum");
            }
        }),
    );
    let images = read_idx(&MnistFile::TrainImages.path_in(&dir))?;
    let labels = read_idx(&MnistFile::TrainLabels.path_in(&dir))?;
    report(
        "training split from parsed bytes (Mnist::from_idx)",
        time(runs, || {
            Mnist::from_idx(Split::Train, images.clone(), labels.clone(), options).expect("valid")
        }),
    );
    report(
        "  for scale: u8 -> f32 / 255 row-major, one pass",
        time(runs, || {
            images
                .data()
                .iter()
                .map(|&p| f32::from(p) / 255.0)
                .collect::<Vec<f32>>()
        }),
    );
    report(
        "  of which copying the parsed bytes",
        time(runs, || (images.clone(), labels.clone())),
    );
    Ok(())
}

//! Times loading the four MNIST files, the way `nabla train` does (bytes and labels, no `f32`
//! matrix) and the way NumPy's `gzip` + `frombuffer` + `astype(float32) / 255` does (`f32`
//! matrices), and their parts.
//!
//! ```sh
//! cargo run --release -p nabla-data --example load_mnist_timing -- ../shared/mnist
//! ```
//!
//! The directory defaults to `$MNIST_DIR`. Each figure is the best and the median of 7 runs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use nabla_data::{Idx, Mnist, MnistFile, MnistOptions, Split, verify_file};

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
        "{name:<52} best {:>7.1} ms   median {:>7.1} ms",
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
    let load = |split| Mnist::load(&dir, split, options).expect("valid split");

    report(
        "all four files, bytes and labels (Mnist::load x2)",
        time(runs, || (load(Split::Train), load(Split::Test))),
    );
    report(
        "all four files -> f32 matrices (+ Mnist::images)",
        time(runs, || {
            let (train, test) = (load(Split::Train), load(Split::Test));
            let _ = (train.images(), test.images());
            (train, test)
        }),
    );
    report(
        "bytes and labels, checksums verified (load_verified)",
        time(runs, || {
            let train = Mnist::load_verified(&dir, Split::Train, options).expect("train split");
            let test = Mnist::load_verified(&dir, Split::Test, options).expect("test split");
            (train, test)
        }),
    );
    let parse = |f: MnistFile| {
        let bytes = std::fs::read(f.path_in(&dir)).expect("readable file");
        Idx::from_bytes(&bytes).expect("valid file")
    };
    report(
        "  read + decompress + parse the four files",
        time(runs, || MnistFile::ALL.map(parse)),
    );
    report(
        "  verify_file x4 (decompress + SHA-256)",
        time(runs, || {
            for f in MnistFile::ALL {
                verify_file(&f.path_in(&dir), f).expect("checksum");
            }
        }),
    );
    let train = load(Split::Train);
    report(
        "  training matrix from loaded bytes (Mnist::images)",
        time(runs, || train.clone().images().ncols()),
    );
    report(
        "    of which cloning the split",
        time(runs, || train.clone().len()),
    );
    report(
        "  for scale: u8 -> f32 / 255 row-major, one pass",
        time(runs, || {
            train
                .pixels()
                .iter()
                .map(|&p| options.pixel_value(p))
                .collect::<Vec<f32>>()
        }),
    );
    Ok(())
}

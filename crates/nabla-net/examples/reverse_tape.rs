//! What reverse mode records for the book's network: one gradient of `TwoLayerNet::loss`
//! (784-50-10) on a batch of MNIST images, recorded on nabla-tape, with the tape's size and
//! the time of each part beside backpropagation's.
//!
//! `cargo run --release -p nabla-net --example reverse_tape -- ../shared/mnist [batch]`
//!
//! Prints the number of tape entries (one per scalar operation, one per rule: each layer's
//! matrix product and bias are one entry each), the numbers recorded (one adjoint each in
//! the sweep), the bytes the recording holds (entries, the rules' saved values, adjoints),
//! and the median time of the recording, the sweep, the whole `reverse_gradient` and
//! `backprop` over 21 runs.

use std::time::Instant;

use nabla_data::{Mnist, MnistOptions, MnistSource, Split};
use nabla_net::nalgebra::DMatrix;
use nabla_net::{Sizes, TwoLayerNet, backprop, reverse_gradient};
use nabla_tape::{Recording, Var64};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: reverse_tape <mnist-dir> [batch]")?;
    let batch: usize = args.next().map_or(Ok(100), |b| b.parse())?;
    let train: Mnist =
        MnistSource::dir(dir).load(Split::Train, MnistOptions::default(), &mut |_| {})?;
    if batch == 0 || batch > train.len() {
        return Err(format!("batch must be between 1 and {}", train.len()).into());
    }
    let cols = train.image_len();
    let x = DMatrix::from_fn(batch, cols, |r, c| {
        f64::from(train.options().pixel_value(train.pixels()[r * cols + c]))
    });
    let labels: Vec<usize> = train.labels()[..batch]
        .iter()
        .map(|&t| usize::from(t))
        .collect();
    let net = TwoLayerNet::<f64>::new(Sizes::new(cols, 50, 10)?, 0.01, 0)?;
    let nonzero = x.iter().filter(|&&v| v != 0.0).count();

    let (mut record, mut sweep, mut whole, mut bp) = (vec![], vec![], vec![], vec![]);
    let (mut entries, mut numbers, mut bytes) = (0, 0, 0);
    for _ in 0..21 {
        let t = Instant::now();
        let rec = Recording::<f64>::new();
        let flat: Vec<f64> = net.parameters().concat();
        let params = rec.vars(&flat);
        let recorded = TwoLayerNet::from_parts(
            DMatrix::from_column_slice(cols, 50, &params[..cols * 50]),
            params[cols * 50..cols * 50 + 50].to_vec().into(),
            DMatrix::from_column_slice(50, 10, &params[cols * 50 + 50..cols * 50 + 550]),
            params[cols * 50 + 550..].to_vec().into(),
        )?;
        let loss = recorded.loss(&x.map(Var64::constant), &labels)?;
        record.push(t.elapsed().as_secs_f64());
        (entries, numbers, bytes) = (rec.entries(), rec.len(), rec.bytes());
        let t = Instant::now();
        let g = rec.gradient(loss, &params);
        sweep.push(t.elapsed().as_secs_f64());
        assert_eq!(g.len(), flat.len());
        drop(rec);
        let t = Instant::now();
        reverse_gradient(&net, &x, &labels)?;
        whole.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        backprop(&net, &x, &labels)?;
        bp.push(t.elapsed().as_secs_f64());
    }
    println!(
        "batch {batch} ({nonzero} non-zero pixels of {}), {} parameters",
        batch * cols,
        net.sizes().parameter_count()
    );
    println!(
        "tape: {entries} entries, {numbers} recorded numbers, {:.2} MB in all (entries, the \
         rules' saved values, one adjoint per number)",
        bytes as f64 / 1e6
    );
    println!(
        "this thread's tape keeps {:.1} MB reserved between gradients",
        nabla_tape::tape_reserved_bytes::<f64>() as f64 / 1e6
    );
    let ms = |v: Vec<f64>| median(v) * 1e3;
    println!(
        "median of 21: recording {:.2} ms, sweep {:.2} ms, reverse_gradient {:.2} ms, backprop {:.3} ms",
        ms(record),
        ms(sweep),
        ms(whole),
        ms(bp)
    );
    Ok(())
}

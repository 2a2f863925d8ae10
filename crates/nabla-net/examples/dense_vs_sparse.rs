//! One SGD step of the book's network, two ways, timed: nabla-net's sparse path (what
//! `nabla train` runs) against a dense path on nalgebra's matrix products (matrixmultiply's
//! f32 kernel, which picks AVX2/FMA at run time), on the same MNIST batches.
//!
//! `cargo run --release -p nabla-net --example dense_vs_sparse -- ../shared/mnist [iterations]`
//!
//! Prints the mean time per iteration of each (no evaluations), best of three runs.

use std::time::Instant;

use nabla_data::{BatchSampler, Mnist, MnistOptions, Sampling, Split};
use nabla_net::nalgebra::{DMatrix, DVector};
use nabla_net::{Dataset, GradMethod, Sizes, TrainConfig, TwoLayerNet, sigmoid, train};

/// The book's `gradient` and update on dense matrices: `x w1` and `x^T da1` as GEMMs.
fn dense_steps(mnist: &Mnist, net: &TwoLayerNet<f32>, iterations: usize) -> f64 {
    let (mut w1, mut b1) = (net.w1().clone(), net.b1().clone());
    let (mut w2, mut b2) = (net.w2().clone(), net.b2().clone());
    let mut sampler = BatchSampler::new(mnist.len(), 100, Sampling::WithReplacement, 0).unwrap();
    let (mut x, mut t) = (DMatrix::<f32>::zeros(0, 0), DMatrix::<f32>::zeros(0, 0));
    let lr = 0.1f32;
    let start = Instant::now();
    for _ in 0..iterations {
        mnist.fill_batch(sampler.next_batch(), &mut x, &mut t);
        let mut a1 = &x * &w1;
        for mut row in a1.row_iter_mut() {
            row += b1.transpose();
        }
        let z1 = a1.map(sigmoid);
        let mut logits = &z1 * &w2;
        for mut row in logits.row_iter_mut() {
            row += b2.transpose();
        }
        let y = nabla_loss::softmax_rows(&logits);
        let dy = (y - &t) / 100.0;
        let dw2 = z1.tr_mul(&dy);
        let db2: DVector<f32> = dy.row_sum().transpose();
        let dz1 = &dy * w2.transpose();
        let da1 = dz1.component_mul(&z1.map(|z| z * (1.0 - z)));
        let dw1 = x.tr_mul(&da1);
        let db1: DVector<f32> = da1.row_sum().transpose();
        w1 -= dw1 * lr;
        b1 -= db1 * lr;
        w2 -= dw2 * lr;
        b2 -= db2 * lr;
    }
    std::hint::black_box((&w1, &b1, &w2, &b2));
    start.elapsed().as_secs_f64() / iterations as f64
}

fn sparse_steps(
    train_set: &Dataset<f32>,
    net: &TwoLayerNet<f32>,
    iterations: usize,
) -> Result<f64, nabla_net::Error> {
    let config = TrainConfig::builder()
        .iterations(iterations)
        .eval_every(Some(usize::MAX))
        .grad(GradMethod::Backprop)
        .build()?;
    // A one-image test set; the evaluation of the training set at iteration 0 is included
    // (about 4 ms, 2 us per step over 2000 steps).
    let one = train_set.first(1).expect("a non-empty training set");
    let start = Instant::now();
    let outcome = train(net, train_set, &one, &config, &mut ());
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(outcome.is_ok());
    Ok(seconds / iterations as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: dense_vs_sparse MNIST_DIR [iterations]")?;
    let iterations: usize = args.next().map_or(Ok(2000), |s| s.parse())?;
    let mnist = Mnist::load(&dir, Split::Train, MnistOptions::default())?;
    let train_set = Dataset::<f32>::from_mnist(&mnist)?;
    let net = TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 0)?.map(|w| w as f32);
    println!(
        "{iterations} SGD steps, batch 100, 784-50-10, f32; density of the images {:.3}",
        train_set.density()
    );
    let mut best = (f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        best.0 = best.0.min(dense_steps(&mnist, &net, iterations));
        best.1 = best.1.min(sparse_steps(&train_set, &net, iterations)?);
    }
    println!(
        "dense (nalgebra GEMM):       {:8.1} us per step",
        best.0 * 1e6
    );
    println!(
        "sparse (nabla-net, 2 threads): {:8.1} us per step",
        best.1 * 1e6
    );
    Ok(())
}

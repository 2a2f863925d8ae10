//! What a network's gradient costs, each way nabla-net offers: backpropagation, brute-force
//! central differences over every parameter, the structure-aware central differences that
//! recompute only what a nudge changes, forward-mode dual numbers, and reverse mode.
//!
//! Ids: `network/<net>/<method>`:
//!
//! | `<net>` | network and batch |
//! |---|---|
//! | `simplenet` | the book's simpleNet: `W` of 2x3 (REFERENCE.md's weights), `x = [0.6, 0.9]`, label 2 |
//! | `twolayer_b10` | a TwoLayerNet of 64-16-10 (1210 parameters, weights `0.1 N(0, 1)`, seed 7) on a batch of 10 inputs, 19% of them non-zero as in MNIST |
//! | `twolayer_b100` | the book's TwoLayerNet, 784-50-10 (39,760 parameters, weights `0.01 N(0, 1)`, seed 7), on the book's batch of 100 inputs, 19% of them non-zero as in MNIST (`backprop` and `reverse` only) |
//!
//! | `<method>` | what runs |
//! |---|---|
//! | `backprop` | `SimpleNet::backprop` / `nabla_net::backprop` |
//! | `numerical_bruteforce` | `SimpleNet::numerical_gradient` / `nabla_net::numerical_gradient` (central, `h = 1e-4`; the latter in parallel on rayon's threads) |
//! | `numerical_structured` | `nabla_net::numerical_gradient_structured` (central, `h = 1e-4`; TwoLayerNet only: simpleNet has no hidden layer to exploit) |
//! | `dual` | `SimpleNet::dual_gradient` (`DualVec64<8>`) / `nabla_net::dual_gradient` (`DualVec64<16>`) |
//! | `reverse` | `SimpleNet::reverse_gradient` / `nabla_net::reverse_gradient` (nabla-tape, one recording and one sweep, f64) |
//!
//! Inputs go through `black_box`. Run: `cargo bench --bench network`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use nabla_net::{
    SimpleNet, Sizes, TwoLayerNet, backprop, dual_gradient, numerical_gradient,
    numerical_gradient_structured, reverse_gradient,
};
use nalgebra::{DMatrix, DVector};

/// The book's step.
const H: f64 = 1e-4;

fn simplenet(c: &mut Criterion) {
    let w = DMatrix::from_row_slice(
        2,
        3,
        &[
            0.47355232, 0.9977393, 0.84668094, 0.85557411, 0.03563661, 0.69422093,
        ],
    );
    let net = SimpleNet::new(w).expect("2x3 weights");
    let x = DVector::from_row_slice(&[0.6, 0.9]);
    let label = 2;
    // Every method returns a `Result`: the inputs are checked to be valid once here, so that
    // the timings are of the gradients, not of an early error.
    net.backprop(&x, label).expect("a valid sample");
    net.numerical_gradient(&x, label, H)
        .expect("a valid sample");
    net.dual_gradient(&x, label).expect("a valid sample");
    net.reverse_gradient(&x, label).expect("a valid sample");
    let mut group = c.benchmark_group("network/simplenet");
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("backprop", |b| {
        b.iter(|| black_box(&net).backprop(black_box(&x), black_box(label)))
    });
    group.bench_function("numerical_bruteforce", |b| {
        b.iter(|| black_box(&net).numerical_gradient(black_box(&x), black_box(label), H))
    });
    group.bench_function("dual", |b| {
        b.iter(|| black_box(&net).dual_gradient(black_box(&x), black_box(label)))
    });
    group.bench_function("reverse", |b| {
        b.iter(|| black_box(&net).reverse_gradient(black_box(&x), black_box(label)))
    });
    group.finish();
}

/// A batch of `rows` inputs of `cols` pixels, about 19% of them non-zero, the same every run.
fn batch(rows: usize, cols: usize) -> DMatrix<f64> {
    let phi = 0.618_033_988_749_894_9_f64;
    DMatrix::from_fn(rows, cols, |r, c| {
        let u = (((r * cols + c) as f64 + 1.0) * phi).fract();
        if u < 0.19 { u / 0.19 } else { 0.0 }
    })
}

fn two_layer(c: &mut Criterion) {
    let sizes = Sizes::new(64, 16, 10).expect("positive sizes");
    let net = TwoLayerNet::<f64>::new(sizes, 0.1, 7).expect("valid initialisation");
    let x = batch(10, 64);
    let labels: Vec<usize> = (0..10).map(|r| (3 * r + 1) % 10).collect();
    // As above: valid inputs, so every timing below is of a gradient that was computed.
    backprop(&net, &x, &labels).expect("a valid batch");
    numerical_gradient(&net, &x, &labels, H).expect("a valid batch");
    numerical_gradient_structured(&net, &x, &labels, H).expect("a valid batch");
    dual_gradient(&net, &x, &labels).expect("a valid batch");
    reverse_gradient(&net, &x, &labels).expect("a valid batch");
    let mut group = c.benchmark_group("network/twolayer_b10");
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(500));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(2));
    group.bench_function("backprop", |b| {
        b.iter(|| backprop(black_box(&net), black_box(&x), black_box(&labels)))
    });
    group.bench_function("numerical_bruteforce", |b| {
        b.iter(|| numerical_gradient(black_box(&net), black_box(&x), black_box(&labels), H))
    });
    group.bench_function("numerical_structured", |b| {
        b.iter(|| {
            numerical_gradient_structured(black_box(&net), black_box(&x), black_box(&labels), H)
        })
    });
    group.bench_function("dual", |b| {
        b.iter(|| dual_gradient(black_box(&net), black_box(&x), black_box(&labels)))
    });
    group.bench_function("reverse", |b| {
        b.iter(|| reverse_gradient(black_box(&net), black_box(&x), black_box(&labels)))
    });
    group.finish();
}

/// The book's network and batch size: backpropagation against reverse mode, whose matrix
/// products are one tape entry each.
fn two_layer_book(c: &mut Criterion) {
    let net = TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 7).expect("valid initialisation");
    let x = batch(100, 784);
    let labels: Vec<usize> = (0..100).map(|r| (3 * r + 1) % 10).collect();
    backprop(&net, &x, &labels).expect("a valid batch");
    reverse_gradient(&net, &x, &labels).expect("a valid batch");
    let mut group = c.benchmark_group("network/twolayer_b100");
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(500));
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("backprop", |b| {
        b.iter(|| backprop(black_box(&net), black_box(&x), black_box(&labels)))
    });
    group.bench_function("reverse", |b| {
        b.iter(|| reverse_gradient(black_box(&net), black_box(&x), black_box(&labels)))
    });
    group.finish();
}

criterion_group!(benches, simplenet, two_layer, two_layer_book);
criterion_main!(benches);

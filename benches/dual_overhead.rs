//! The cost of a dual-number evaluation relative to the plain f64 one, ours beside num-dual's.
//!
//! One function of 8 inputs (Rosenbrock plus a transcendental term per input, so both
//! arithmetic and elementary functions are measured) is evaluated in f64, `Dual64` (one
//! directional derivative), `DualVec64<8>` (the full gradient in one pass) and `HyperDual64`
//! (one second derivative), and in num-dual's `Dual64`, `DualSVec64<8>` and `HyperDual64`.
//! The function is written once, generic over nalgebra's `RealField`, which both crates
//! implement. Inputs go through `black_box`, and the seeding is inside the timed loop for
//! every variant alike.
//!
//! The group `tape_overhead` measures reverse mode on the same function: the recording alone,
//! the recording and one sweep (all 8 partials), against the plain f64 evaluation.
//!
//! Run: `cargo bench --bench dual_overhead`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nabla::dual::{Dual64, DualVec64, HyperDual64};
use nabla::tape::{Recording, Var64};
use nalgebra::RealField;

const X: [f64; 8] = [0.3, -1.2, 0.9, 1.7, -0.4, 2.1, 0.05, -2.6];

/// Rosenbrock in 8 dimensions plus `sin(xᵢ) exp(-xᵢ²/2) + sqrt(1 + xᵢ²)` for every input.
#[inline(never)]
fn f<S: RealField + Copy>(x: &[S; 8]) -> S {
    let one = S::one();
    let hundred: S = nalgebra::convert(100.0);
    let half: S = nalgebra::convert(0.5);
    let mut acc = S::zero();
    for i in 0..7 {
        let a = x[i + 1] - x[i] * x[i];
        let b = one - x[i];
        acc += hundred * a * a + b * b;
    }
    for &xi in x {
        acc += xi.sin() * (-(half * xi * xi)).exp() + (one + xi * xi).sqrt();
    }
    acc
}

fn dual_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("dual_overhead");

    group.bench_function("f64", |b| b.iter(|| f(black_box(&X))));

    group.bench_function("dual64", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [Dual64; 8] = std::array::from_fn(|i| {
                if i == 0 {
                    Dual64::variable(x[i])
                } else {
                    Dual64::constant(x[i])
                }
            });
            f(&input)
        })
    });

    group.bench_function("dual_vec8", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [DualVec64<8>; 8] = std::array::from_fn(|i| DualVec64::variable(x[i], i));
            f(&input)
        })
    });

    group.bench_function("second_order", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [HyperDual64; 8] = std::array::from_fn(|i| match i {
                0 => HyperDual64::from_parts(x[i], 1.0, 0.0, 0.0),
                1 => HyperDual64::from_parts(x[i], 0.0, 1.0, 0.0),
                _ => HyperDual64::constant(x[i]),
            });
            f(&input)
        })
    });

    group.bench_function("num_dual_dual64", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [num_dual::Dual64; 8] = std::array::from_fn(|i| {
                let v = num_dual::Dual64::from_re(x[i]);
                if i == 0 { v.derivative() } else { v }
            });
            f(&input)
        })
    });

    group.bench_function("num_dual_dual_vec8", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [num_dual::DualSVec64<8>; 8] =
                std::array::from_fn(|i| num_dual::DualSVec64::<8>::from_re(x[i]).derivative(i));
            f(&input)
        })
    });

    group.bench_function("num_dual_second_order", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [num_dual::HyperDual64; 8] = std::array::from_fn(|i| {
                let v = num_dual::HyperDual64::from_re(x[i]);
                match i {
                    0 => v.derivative1(),
                    1 => v.derivative2(),
                    _ => v,
                }
            });
            f(&input)
        })
    });

    group.finish();
}

/// Reverse mode on the same function: recording it on `Var<f64>` and sweeping back once for
/// all 8 partial derivatives, against the plain f64 evaluation (and, for scale, the one
/// `DualVec64<8>` pass that gets the same gradient forward).
fn tape_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("tape_overhead");
    group.bench_function("f64", |b| b.iter(|| f(black_box(&X))));
    group.bench_function("record", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let rec = Recording::<f64>::new();
            let input: [Var64; 8] = std::array::from_fn(|i| rec.var(x[i]));
            f(&input).value()
        })
    });
    let mut grad = Vec::with_capacity(8);
    group.bench_function("record_and_sweep", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let rec = Recording::<f64>::new();
            let input: [Var64; 8] = std::array::from_fn(|i| rec.var(x[i]));
            let y = f(&input);
            rec.adjoints_into(&[(y, 1.0)], &input, &mut grad);
            grad[7]
        })
    });
    group.bench_function("dual_vec8", |b| {
        b.iter(|| {
            let x = black_box(&X);
            let input: [DualVec64<8>; 8] = std::array::from_fn(|i| DualVec64::variable(x[i], i));
            f(&input)
        })
    });
    group.finish();
}

criterion_group!(benches, dual_overhead, tape_overhead);
criterion_main!(benches);

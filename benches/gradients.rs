//! What a gradient costs, each way: finite differences (ours and finitediff's), Richardson
//! extrapolation, dual numbers (ours, one pass per input or eight per pass, and num-dual's),
//! reverse mode (nabla-tape, one sweep), and the hand-written analytic gradient, on Rosenbrock's function and on
//! softmax-cross-entropy, for 10, 100 and 1000 inputs.
//!
//! Ids: `gradient/<function>/<method>/<n>` with `<function>` one of `rosenbrock`,
//! `softmax_cross_entropy` and `<method>` one of
//!
//! | method | what runs |
//! |---|---|
//! | `forward_fd` | `nabla_numdiff::gradient`, forward differences, automatic step |
//! | `central_fd` | `nabla_numdiff::gradient`, central differences, automatic step (the default) |
//! | `richardson` | `nabla_numdiff::richardson_gradient`, default settings (automatic first step) |
//! | `dual` | `nabla_dual::gradient`: one `Dual64` pass per input |
//! | `dual_vec8` | `nabla_dual::gradient_chunked::<8, _>`: one `DualVec64<8>` pass per 8 inputs |
//! | `dual_vec16`, `dual_vec32` | the same with 16 and 32 inputs per pass |
//! | `reverse` | `nabla_tape::gradient`: one recording and one reverse sweep |
//! | `analytic` | the hand-written gradient (nabla-loss's for softmax-cross-entropy) |
//! | `finitediff_central` | finitediff 0.2's `central_diff` (fixed step `cbrt(eps)`) |
//! | `num_dual` | num-dual 0.15's `DualSVec64<8>`, same chunked passes as `dual_vec8` |
//!
//! Every method differentiates the same function (`benches/shared/mod.rs`), written once and
//! generic over the scalar; the point goes through `black_box` on every iteration. The slow
//! methods at n = 1000 (O(n^2) work: every pass or difference evaluates the whole function)
//! get fewer samples so that the whole bench stays within a few minutes.
//!
//! Run: `cargo bench --bench gradients` (or a subset: `-- gradient/rosenbrock`).

use std::hint::black_box;
use std::ops::Mul;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use nabla_numdiff::Scheme;
use nalgebra::RealField;

#[path = "shared/mod.rs"]
mod shared;

use shared::{
    SIZES, finitediff_central, num_dual_gradient_chunked8, numdiff_gradient, point,
    richardson_gradient,
};

/// One function of the comparison, written once generic over the scalar (`shared`), so that
/// every method calls it directly (inlinable, as a user's own function would be).
trait Problem {
    const NAME: &'static str;
    /// The coordinates' range: the point is in `[-scale, scale]^n`.
    const SCALE: f64;
    fn f<S: RealField + Copy + Mul<f64, Output = S>>(x: &[S]) -> S;
    fn analytic(x: &[f64]) -> Vec<f64>;
}

struct Rosenbrock;
impl Problem for Rosenbrock {
    const NAME: &'static str = "rosenbrock";
    const SCALE: f64 = 2.0;
    fn f<S: RealField + Copy + Mul<f64, Output = S>>(x: &[S]) -> S {
        shared::rosenbrock(x)
    }
    fn analytic(x: &[f64]) -> Vec<f64> {
        shared::rosenbrock_grad(x)
    }
}

struct SoftmaxCrossEntropy;
impl Problem for SoftmaxCrossEntropy {
    const NAME: &'static str = "softmax_cross_entropy";
    const SCALE: f64 = 5.0;
    fn f<S: RealField + Copy + Mul<f64, Output = S>>(x: &[S]) -> S {
        shared::softmax_cross_entropy(x)
    }
    fn analytic(x: &[f64]) -> Vec<f64> {
        shared::softmax_cross_entropy_grad(x)
    }
}

/// A way of getting the gradient.
#[derive(Clone, Copy)]
enum Method {
    ForwardFd,
    CentralFd,
    Richardson,
    Dual,
    DualVec8,
    DualVec16,
    DualVec32,
    Reverse,
    Analytic,
    FinitediffCentral,
    NumDual,
}

const METHODS: [Method; 11] = [
    Method::ForwardFd,
    Method::CentralFd,
    Method::Richardson,
    Method::Dual,
    Method::DualVec8,
    Method::DualVec16,
    Method::DualVec32,
    Method::Reverse,
    Method::Analytic,
    Method::FinitediffCentral,
    Method::NumDual,
];

impl Method {
    /// The id in the bench names.
    fn name(self) -> &'static str {
        match self {
            Method::ForwardFd => "forward_fd",
            Method::CentralFd => "central_fd",
            Method::Richardson => "richardson",
            Method::Dual => "dual",
            Method::DualVec8 => "dual_vec8",
            Method::DualVec16 => "dual_vec16",
            Method::DualVec32 => "dual_vec32",
            Method::Reverse => "reverse",
            Method::Analytic => "analytic",
            Method::FinitediffCentral => "finitediff_central",
            Method::NumDual => "num_dual",
        }
    }

    /// Whether the method costs O(n^2) work (a pass or difference per input, each evaluating
    /// the whole function); the chunked ones do 8 to 32 times less, reverse mode and the
    /// analytic gradient O(n).
    fn quadratic(self) -> bool {
        !matches!(
            self,
            Method::Analytic
                | Method::DualVec8
                | Method::DualVec16
                | Method::DualVec32
                | Method::NumDual
                | Method::Reverse
        )
    }

    /// The gradient of `P` at `x` by this method. `x` is a `&Vec` because finitediff 0.2
    /// takes one; every other method sees it as a slice.
    #[allow(clippy::ptr_arg)]
    fn gradient<P: Problem>(self, x: &Vec<f64>) -> Vec<f64> {
        match self {
            Method::ForwardFd => numdiff_gradient(P::f::<f64>, x, Scheme::Forward),
            Method::CentralFd => numdiff_gradient(P::f::<f64>, x, Scheme::Central),
            Method::Richardson => richardson_gradient(P::f::<f64>, x),
            Method::Dual => nabla_dual::gradient(P::f, x).1,
            Method::DualVec8 => nabla_dual::gradient_chunked::<8, _>(P::f, x).1,
            Method::DualVec16 => nabla_dual::gradient_chunked::<16, _>(P::f, x).1,
            Method::DualVec32 => nabla_dual::gradient_chunked::<32, _>(P::f, x).1,
            Method::Reverse => nabla_tape::gradient(P::f, x).1,
            Method::Analytic => P::analytic(x),
            Method::FinitediffCentral => finitediff_central(P::f::<f64>, x),
            Method::NumDual => num_dual_gradient_chunked8(P::f, x),
        }
    }
}

fn gradients(c: &mut Criterion) {
    problem::<Rosenbrock>(c);
    problem::<SoftmaxCrossEntropy>(c);
}

/// Every method on `P` at every size, in one criterion group.
fn problem<P: Problem>(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("gradient/{}", P::NAME));
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(300));
    for n in SIZES {
        let x = point(n, P::SCALE);
        for method in METHODS {
            let slow = n == 1000 && method.quadratic();
            group.sample_size(if slow { 10 } else { 20 });
            group.measurement_time(Duration::from_secs(if slow { 2 } else { 1 }));
            group.bench_with_input(BenchmarkId::new(method.name(), n), &x, |b, x| {
                b.iter(|| method.gradient::<P>(black_box(x)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, gradients);
criterion_main!(benches);

//! What the gradient benches and the `gradient_accuracy` example share: the two test
//! functions (written once, generic over the scalar), their analytic gradients, a fixed
//! pseudo-random point, and thin gradient drivers over the crates' APIs (one signature for
//! every method) plus one that no crate offers ready-made (a chunked gradient on num-dual's
//! `DualSVec64<8>`).
//!
//! Included with `#[path]` by `benches/gradients.rs` and `examples/gradient_accuracy.rs`, so
//! that the timed code and the accuracy table run exactly the same functions.

// Each includer uses a different subset.
#![allow(dead_code)]

use nabla_numdiff::{Options, Richardson, Scheme};
use std::ops::Mul;

use nalgebra::{DMatrix, RealField};

/// The problem sizes of the `gradient/...` benches.
pub const SIZES: [usize; 3] = [10, 100, 1000];

/// Rosenbrock's function in `n` dimensions:
/// `sum_{i < n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`.
///
/// The constant 100 is a plain `f64` factor (`S: Mul<f64>`, which f64 and both crates' dual
/// types implement): a dual number times a float scales its parts, where a dual constant
/// would go through the whole product rule with zero partials.
pub fn rosenbrock<S: RealField + Copy + Mul<f64, Output = S>>(x: &[S]) -> S {
    let one = S::one();
    let mut acc = S::zero();
    for w in x.windows(2) {
        let a = w[1] - w[0] * w[0];
        let b = one - w[0];
        acc += a * a * 100.0 + b * b;
    }
    acc
}

/// The analytic gradient of [`rosenbrock`].
pub fn rosenbrock_grad(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n.saturating_sub(1) {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
    }
    g
}

/// The class whose logit is the target of [`softmax_cross_entropy`] for `n` logits.
pub fn label(n: usize) -> usize {
    n / 3
}

/// Softmax-cross-entropy of one row of `n` logits against the label [`label`]`(n)`, through
/// nabla-loss's `softmax_cross_entropy_labels` (log-sum-exp, no `DELTA`).
///
/// # Panics
///
/// If `z` is empty (the label would be out of range).
pub fn softmax_cross_entropy<S: RealField + Copy>(z: &[S]) -> S {
    let m = DMatrix::from_row_slice(1, z.len(), z);
    nabla_loss::softmax_cross_entropy_labels(&m, &[label(z.len())])
        .expect("the label is below the number of logits")
}

/// The analytic gradient of [`softmax_cross_entropy`]: `softmax(z) - one_hot(label)`, from
/// nabla-loss's `softmax_cross_entropy_grad_labels`.
///
/// # Panics
///
/// If `z` is empty.
pub fn softmax_cross_entropy_grad(z: &[f64]) -> Vec<f64> {
    let m = DMatrix::from_row_slice(1, z.len(), z);
    nabla_loss::softmax_cross_entropy_grad_labels(&m, &[label(z.len())])
        .expect("the label is below the number of logits")
        .as_slice()
        .to_vec()
}

/// A fixed point of `n` coordinates in `[-scale, scale]`, spread without a pattern
/// (fractional parts of multiples of the golden ratio), the same on every run.
pub fn point(n: usize, scale: f64) -> Vec<f64> {
    point_with_seed(n, scale, 0)
}

/// Like [`point`], but a different point for every `seed`.
pub fn point_with_seed(n: usize, scale: f64, seed: u64) -> Vec<f64> {
    let phi = 0.618_033_988_749_894_9_f64;
    let sqrt2 = std::f64::consts::SQRT_2 - 1.0;
    let offset = (seed as f64 * sqrt2).fract();
    (0..n)
        .map(|i| {
            let u = ((i as f64 + 1.0) * phi + 0.137 + offset).fract();
            scale * (2.0 * u - 1.0)
        })
        .collect()
}

/// The gradient by Richardson extrapolation: nabla-numdiff's `richardson_gradient` with its
/// default settings (automatic first step, ten levels), the gradient only.
///
/// # Panics
///
/// If `f` is not finite at a probed point (the bench functions are finite everywhere).
pub fn richardson_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut p = x.to_vec();
    nabla_numdiff::richardson_gradient(&mut p[..], |p: &[f64]| f(p), Richardson::default())
        .expect("the bench functions are finite everywhere")
        .gradient
}

/// nabla-numdiff's gradient with the given scheme and the automatic step.
///
/// # Panics
///
/// If `f` is not finite at a probed point.
pub fn numdiff_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64], scheme: Scheme) -> Vec<f64> {
    let mut p = x.to_vec();
    nabla_numdiff::gradient(&mut p[..], |p: &[f64]| f(p), Options::auto(scheme))
        .expect("the bench functions are finite everywhere")
}

/// finitediff's central-difference gradient (fixed step `cbrt(eps)`, not scaled with `|x|`).
/// finitediff 0.2 wants a `&Vec<f64>` and a function returning `anyhow::Result`.
///
/// # Panics
///
/// Never for the bench functions (finitediff only fails when the function does).
#[allow(clippy::ptr_arg)]
pub fn finitediff_central(f: impl Fn(&[f64]) -> f64, x: &Vec<f64>) -> Vec<f64> {
    let g = |p: &Vec<f64>| Ok(f(p));
    finitediff::vec::central_diff(&g)(x).expect("the bench functions never fail")
}

/// The gradient by chunks of 8 partial derivatives on num-dual's `DualSVec64<8>`: the same
/// passes as nabla-dual's `gradient_chunked::<8, _>`, on the peer's number type.
///
/// num-dual's own `gradient` driver wants an `OVector` of statically known length (a
/// `DualSVec64<1000>` would carry 1000 partials per number) or `DualDVec64` (heap-allocated
/// partials, not `Copy`, so not usable with nabla-loss's `RealField + Copy` functions); this
/// driver gives num-dual the same chunking as ours, so the comparison is of the number types.
pub fn num_dual_gradient_chunked8(
    f: impl Fn(&[num_dual::DualSVec64<8>]) -> num_dual::DualSVec64<8>,
    x: &[f64],
) -> Vec<f64> {
    use num_dual::{Derivative, DualSVec64};
    let mut input: Vec<DualSVec64<8>> = x.iter().map(|&v| DualSVec64::from_re(v)).collect();
    let mut grad = Vec::with_capacity(x.len());
    for start in (0..x.len()).step_by(8) {
        let end = (start + 8).min(x.len());
        for (k, slot) in input[start..end].iter_mut().enumerate() {
            *slot = DualSVec64::from_re(slot.re).derivative(k);
        }
        let y = f(&input);
        for slot in &mut input[start..end] {
            slot.eps = Derivative::none();
        }
        let eps = y.eps.0.unwrap_or_else(nalgebra::SVector::zeros);
        grad.extend_from_slice(&eps.as_slice()[..end - start]);
    }
    grad
}

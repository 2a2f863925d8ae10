//! Rosenbrock's function in `n` dimensions (the one the benches time).
//!
//! `f = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`.
//!
//! * Third derivative in `x_i`: only `100 (x_{i+1} - x_i^2)^2` is not quadratic in `x_i`; with
//!   `g(a) = (b - a^2)^2`, `g''' = 24 a`, so `M3_i = 2400 (|x_i| + h_i)` for `i < n-1` and 0 for
//!   the last coordinate. The function has degree 4 in each coordinate, so Richardson's
//!   truncation error is 0 (see `tolerance`).
//! * Rounding: `x_{i+1} - x_i^2` is off by about `2 eps (|x_{i+1}| + x_i^2)`, squaring and
//!   scaling add a few eps more, and the terms are added one after the other (`n` roundings):
//!   `E = (n + 8) eps F`, `F = sum 100 (|x_{i+1}| + x_i^2)^2 + (1 + |x_i|)^2` taken with every
//!   `|x_j|` enlarged by its step (the probes move it).
//! * Analytic gradient: `-400 x_i (x_{i+1} - x_i^2) - 2 (1 - x_i) + 200 (x_i - x_{i-1}^2)`;
//!   `Eg = 8 eps` times the sum of those terms' magnitudes (also the scale of the dual check).

use nabla_numdiff::Step;
use proptest::prelude::*;

use crate::shared::{rosenbrock, rosenbrock_grad};
use crate::strategies::wide_vec;
use crate::tolerance::{
    self, EPS, RICHARDSON_AUTO_FIRST_STEP, assert_dual, assert_within, central_gradient,
    central_step, richardson, richardson_widest_step,
};

/// `F` of the module docs: the magnitudes of the terms, with every coordinate enlarged by
/// `pad(i)`.
fn term_scale(x: &[f64], pad: impl Fn(usize) -> f64) -> f64 {
    let a: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v.abs() + pad(i))
        .collect();
    a.windows(2)
        .map(|w| {
            let s = w[1] + w[0] * w[0];
            100.0 * s * s + (1.0 + w[0]) * (1.0 + w[0])
        })
        .sum()
}

/// The magnitudes of the terms of each analytic gradient component.
fn grad_scale(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let mut s = 0.0;
            if i + 1 < n {
                s += 400.0 * x[i].abs() * (x[i + 1].abs() + x[i] * x[i]) + 2.0 * (1.0 + x[i].abs());
            }
            if i > 0 {
                s += 200.0 * (x[i].abs() + x[i - 1] * x[i - 1]);
            }
            s
        })
        .collect()
}

proptest! {
    #[test]
    fn central_differences_within_their_error(x in wide_vec(2..=12, -8.0, 6.0)) {
        let n = x.len();
        let g = rosenbrock_grad(&x);
        let gs = grad_scale(&x);
        let e = (n as f64 + 8.0) * EPS * term_scale(&x, |i| central_step(x[i]));
        let tol: Vec<f64> = (0..n)
            .map(|i| {
                let h = central_step(x[i]);
                let m3 = if i + 1 < n { 2400.0 * (x[i].abs() + h) } else { 0.0 };
                tolerance::central(h, m3, e, g[i], 8.0 * EPS * gs[i])
            })
            .collect();
        assert_within("central", &central_gradient(rosenbrock, &x), &g, &tol);
    }

    #[test]
    fn richardson_within_its_rounding_error(x in wide_vec(2..=12, -8.0, 6.0)) {
        let n = x.len();
        let g = rosenbrock_grad(&x);
        let gs = grad_scale(&x);
        // The automatic first step: the probes reach at most x_i +- 0.1 max(1, |x_i|), and the
        // rounding bound is largest at the smallest first step, 0.1 (see `tolerance`).
        let e = (n as f64 + 8.0) * EPS * term_scale(&x, |i| richardson_widest_step(x[i]));
        let tol: Vec<f64> = (0..n)
            .map(|i| {
                tolerance::richardson_rounding(RICHARDSON_AUTO_FIRST_STEP, e, g[i], 8.0 * EPS * gs[i])
            })
            .collect();
        let r = richardson(rosenbrock, &x, Step::Auto);
        assert_within("richardson", &r, &g, &tol);
    }

    #[test]
    fn dual_gradients_are_exact(x in wide_vec(1..=20, -8.0, 6.0)) {
        let g = rosenbrock_grad(&x);
        let scale = grad_scale(&x);
        let (v, d) = nabla_dual::gradient(rosenbrock, &x);
        assert_dual("Dual64", &d, &g, &scale);
        let (v8, d8) = nabla_dual::gradient_chunked::<8, _>(rosenbrock, &x);
        assert_dual("DualVec64<8>", &d8, &g, &scale);
        let (vr, r) = nabla_tape::gradient(rosenbrock, &x);
        assert_dual("reverse", &r, &g, &scale);
        prop_assert_eq!(vr, v);
        // The value rides along unchanged.
        prop_assert_eq!(v, rosenbrock(&x));
        prop_assert_eq!(v8, rosenbrock(&x));
    }

    #[test]
    fn peers_agree_where_the_benches_compare_them(x in wide_vec(1..=20, -3.0, 1.0)) {
        // The benches time num-dual through a chunked driver written there; it must compute
        // the same gradient, or the timing compares different work.
        let g = rosenbrock_grad(&x);
        let nd = crate::shared::num_dual_gradient_chunked8(rosenbrock, &x);
        assert_dual("num-dual DualSVec64<8>", &nd, &g, &grad_scale(&x));
    }
}

//! The losses of nabla-loss, differentiated with respect to the prediction (or the logits).
//!
//! **Squared error** `0.5 sum (y_i - t_i)^2`: quadratic in each `y_i`, so no truncation error
//! (central or Richardson). Rounding: a difference, a square and a pairwise sum:
//! `E = (4 + log2 n) eps F`, `F = 0.5 sum (|y_i| + |t_i|)^2` (with `|y_i|` enlarged by the
//! step). The analytic `y_i - t_i` is off by `eps (|y_i| + |t_i|)`.
//!
//! **Cross-entropy on probabilities** `-sum t_i ln(y_i + DELTA)`, `DELTA = 1e-7`: the partial
//! is `-t_i / (y_i + DELTA)` and the third derivative `-2 t_i / (y_i + DELTA)^3`, largest at the
//! left end of the stencil: `M3_i = 2 t_i / (y_i + DELTA - h_i)^3`. Rounding: `ln` of a rounded
//! argument is off by `eps` absolute plus `eps |ln|` relative; times `t_i` and summed pairwise:
//! `E = (4 + log2 n) eps sum t_i (1 + |ln(y_i + DELTA - h_i)|)`. Richardson needs the stencil
//! to stay where `ln` is defined, so its first step is `h0 = (y_i + DELTA) / 8`; the fifth
//! derivative `24 t_i / (y_i + DELTA)^5` is then at most `M5 = 24 t_i / (7/8 (y_i + DELTA))^5`
//! on the stencil (see `tolerance` for how `M5` bounds Richardson's error). Probabilities below
//! the step (`y_i + DELTA <= h_i`) leave the domain: there nabla-numdiff must refuse with
//! `Error::NonFinite` naming that coordinate rather than return a number.
//!
//! **Softmax-cross-entropy on logits** (batch mean over `B` rows of `lse(z_r) - z_r[label_r]`,
//! or `-sum_j t_rj log_softmax(z_r)_j` with a distribution `t_r`): the third derivative in one
//! logit is `p (1 - p) (1 - 2p) / B`, at most `1 / (6 sqrt 3) < 0.0963` over the whole line,
//! so `M3 = 0.0963 / B`. Rounding of a row by log-sum-exp: each shifted logit `z_j - m` is off
//! by `eps |z_j - m|`, which `exp` turns into `eps |z_j - m| e^(z_j - m) <= eps`; the sum of
//! `n` terms (at least 1) then has relative error `(n + 1) eps`, which `ln` makes absolute;
//! the label's `z_l - m` adds `eps (|z_l| + |m|)`: per row `E_r = 4 eps (n + 1 + max |z| + h)`,
//! and the mean of `B` rows `E = E_r + log2(B) eps (max loss)`. The analytic
//! `(softmax - t) / B` is off by a few eps times `(p + t) / B`. Richardson: the fifth
//! derivative is the fifth cumulant `p (1-p) (1-2p) (1 - 12p + 12p^2) / B`, at most
//! `M5 = 0.5 / B`. Its features (where the largest logit changes hands) have a width of about
//! 1 whatever the size of the logits (log-sum-exp is shift-invariant), so the test passes a
//! fixed first step `h0 = 0.05` to `richardson_gradient`: a first step of `0.1 max(1, |z|)`
//! (nabla-numdiff's former default) straddles such a turn at logits of `2.4e5` that
//! differ by `2e3`, and `richardson` then returned `-0.58` for a derivative of `-1` (kept in
//! `tests/proptest-regressions/losses.txt`). The automatic step now starts at `0.1` and grows
//! only while its error estimate improves (it returns `-1` there, estimate `1.9e-15`), but
//! which first step it ends with is not known in advance, so the a-priori bound needs a fixed
//! one (see `tolerance`).

use nabla_loss::{
    DELTA, cross_entropy, cross_entropy_grad, softmax_cross_entropy, softmax_cross_entropy_grad,
    softmax_cross_entropy_grad_labels, softmax_cross_entropy_labels, squared_error,
    squared_error_grad,
};
use nabla_numdiff::{Error, Options, Step};
use nabla_tape::Var64;
use nalgebra::DMatrix;
use proptest::prelude::*;

use crate::strategies::{wide, wide_vec};
use crate::tolerance::{
    self, EPS, RICHARDSON_AUTO_FIRST_STEP, assert_dual, assert_within, central_gradient,
    central_step, log2_ceil, richardson, richardson_widest_step,
};

/// Third-derivative bound of softmax-cross-entropy in one logit, per row.
const SOFTMAX_M3: f64 = 0.0963;

/// Fifth-derivative bound of softmax-cross-entropy in one logit, per row.
const SOFTMAX_M5: f64 = 0.5;

/// Richardson's first step on logits.
const SOFTMAX_RICHARDSON_STEP: f64 = 0.05;

/// `n` probabilities in `[1e-3, 1]` and a target distribution over them (one-hot half the
/// time, as the book's).
fn probabilities() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (2usize..=10).prop_flat_map(|n| {
        (
            proptest::collection::vec(1e-3..=1.0f64, n),
            prop_oneof![
                (0..n).prop_map(move |k| (0..n).map(|i| f64::from(u8::from(i == k))).collect()),
                proptest::collection::vec(0.0..=1.0f64, n).prop_map(|w| {
                    let s: f64 = w.iter().sum::<f64>().max(1e-300);
                    w.iter().map(|v| v / s).collect()
                }),
            ],
        )
    })
}

/// A batch of `b` rows of `n` logits, with a label per row.
fn logits() -> impl Strategy<Value = (DMatrix<f64>, Vec<usize>)> {
    (1usize..=3, 2usize..=10).prop_flat_map(|(b, n)| {
        (
            wide_vec(b * n, -8.0, 6.0).prop_map(move |v| DMatrix::from_vec(b, n, v)),
            proptest::collection::vec(0..n, b),
        )
    })
}

/// The softmax-cross-entropy rounding bound `E` of the module docs for logits `z` probed with
/// steps up to `h`.
fn softmax_rounding(z: &DMatrix<f64>, h: f64, loss: f64) -> f64 {
    let n = z.ncols() as f64;
    let zmax = z.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    4.0 * EPS * (n + 1.0 + zmax + h) + log2_ceil(z.nrows()) * EPS * loss.abs()
}

proptest! {
    #[test]
    fn squared_error_gradients(
        (y, t) in (1usize..=10).prop_flat_map(|n| (wide_vec(n, -6.0, 6.0), wide_vec(n, -6.0, 6.0)))
    ) {
        let n = y.len();
        let f = |y: &[f64]| squared_error(y, &t).unwrap();
        let g = squared_error_grad(&y, &t).unwrap();
        let scale: Vec<f64> = y.iter().zip(&t).map(|(a, b)| a.abs() + b.abs()).collect();
        let e_at = |pad: &dyn Fn(usize) -> f64| {
            (4.0 + log2_ceil(n)) * EPS * 0.5
                * (0..n).map(|i| (scale[i] + pad(i)).powi(2)).sum::<f64>()
        };

        let e = e_at(&|i| central_step(y[i]));
        let tol: Vec<f64> = (0..n)
            .map(|i| tolerance::central(central_step(y[i]), 0.0, e, g[i], EPS * scale[i]))
            .collect();
        assert_within("central", &central_gradient(f, &y), &g, &tol);

        // The automatic first step (quadratic: no truncation; see `tolerance`).
        let e = e_at(&|i| richardson_widest_step(y[i]));
        let tol: Vec<f64> = (0..n)
            .map(|i| tolerance::richardson_rounding(RICHARDSON_AUTO_FIRST_STEP, e, g[i], EPS * scale[i]))
            .collect();
        let r = richardson(f, &y, Step::Auto);
        assert_within("richardson", &r, &g, &tol);

        let fd = |y: &[nabla_dual::Dual64]| {
            let t: Vec<_> = t.iter().map(|&v| nabla_dual::Dual64::constant(v)).collect();
            squared_error(y, &t).unwrap()
        };
        assert_dual("Dual64", &nabla_dual::gradient(fd, &y).1, &g, &scale);
        let fd8 = |y: &[nabla_dual::DualVec64<8>]| {
            let t: Vec<_> = t.iter().map(|&v| nabla_dual::DualVec64::<8>::constant(v)).collect();
            squared_error(y, &t).unwrap()
        };
        assert_dual("DualVec64<8>", &nabla_dual::gradient_chunked::<8, _>(fd8, &y).1, &g, &scale);
        let fr = |y: &[Var64]| {
            let t: Vec<_> = t.iter().map(|&v| Var64::constant(v)).collect();
            squared_error(y, &t).unwrap()
        };
        assert_dual("reverse", &nabla_tape::gradient(fr, &y).1, &g, &scale);
    }

    #[test]
    fn cross_entropy_gradients((y, t) in probabilities()) {
        let n = y.len();
        let f = |y: &[f64]| cross_entropy(y, &t).unwrap();
        let g = cross_entropy_grad(&y, &t).unwrap();
        let scale: Vec<f64> = g.iter().map(|v| v.abs()).collect();
        let e_at = |lo: &dyn Fn(usize) -> f64| {
            (4.0 + log2_ceil(n)) * EPS
                * (0..n).map(|i| t[i] * (1.0 + lo(i).ln().abs())).sum::<f64>()
        };

        let h: Vec<f64> = y.iter().map(|&v| central_step(v)).collect();
        let e = e_at(&|i| y[i] + DELTA - h[i]);
        let tol: Vec<f64> = (0..n)
            .map(|i| {
                let m3 = 2.0 * t[i] / (y[i] + DELTA - h[i]).powi(3);
                tolerance::central(h[i], m3, e, g[i], 2.0 * EPS * scale[i])
            })
            .collect();
        assert_within("central", &central_gradient(f, &y), &g, &tol);

        let h0: Vec<f64> = y.iter().map(|v| (v + DELTA) / 8.0).collect();
        let e = e_at(&|i| y[i] + DELTA - h0[i]);
        let r = tolerance::richardson_per_coordinate(f, &y, &h0);
        let tol: Vec<f64> = (0..n)
            .map(|i| {
                let m5 = 24.0 * t[i] / (0.875 * (y[i] + DELTA)).powi(5);
                tolerance::richardson_rounding(h0[i], e, g[i], 2.0 * EPS * scale[i])
                    + tolerance::richardson_truncation_m5(h0[i], m5)
            })
            .collect();
        assert_within("richardson", &r, &g, &tol);

        let fd = |y: &[nabla_dual::Dual64]| {
            let t: Vec<_> = t.iter().map(|&v| nabla_dual::Dual64::constant(v)).collect();
            cross_entropy(y, &t).unwrap()
        };
        assert_dual("Dual64", &nabla_dual::gradient(fd, &y).1, &g, &scale);
        let fd8 = |y: &[nabla_dual::DualVec64<8>]| {
            let t: Vec<_> = t.iter().map(|&v| nabla_dual::DualVec64::<8>::constant(v)).collect();
            cross_entropy(y, &t).unwrap()
        };
        assert_dual("DualVec64<8>", &nabla_dual::gradient_chunked::<8, _>(fd8, &y).1, &g, &scale);
        let fr = |y: &[Var64]| {
            let t: Vec<_> = t.iter().map(|&v| Var64::constant(v)).collect();
            cross_entropy(y, &t).unwrap()
        };
        assert_dual("reverse", &nabla_tape::gradient(fr, &y).1, &g, &scale);
    }

    #[test]
    fn cross_entropy_refuses_probabilities_below_the_step(
        (mut y, t) in probabilities(),
        tiny in wide(-300.0, -5.5).prop_map(f64::abs),
        at in any::<proptest::sample::Index>(),
    ) {
        // Put one probability below cbrt(eps) - DELTA (about 6e-6): the left probe y - h + DELTA
        // is negative, ln is NaN there, and that must be an error naming the coordinate.
        let k = at.index(y.len());
        y[k] = tiny;
        let mut p = y.clone();
        let err = nabla_numdiff::gradient(&mut p[..], |p: &[f64]| cross_entropy(p, &t).unwrap(), Options::default())
            .unwrap_err();
        let first = (0..y.len()).find(|&i| (y[i] - central_step(y[i])) + DELTA <= 0.0);
        prop_assert_eq!(first, Some(k));
        prop_assert!(
            matches!(err, Error::NonFinite { index, point, .. } if index == k && point < 0.0),
            "expected NonFinite at {k}, got {err:?}"
        );
        prop_assert_eq!(p, y, "parameters restored");
    }

    #[test]
    fn softmax_cross_entropy_gradients((z, labels) in logits()) {
        let (b, n) = z.shape();
        let bf = b as f64;
        let f = |v: &[f64]| softmax_cross_entropy_labels(&DMatrix::from_column_slice(b, n, v), &labels).unwrap();
        let x = z.as_slice().to_vec();
        let g = softmax_cross_entropy_grad_labels(&z, &labels).unwrap().as_slice().to_vec();
        let loss = f(&x);
        let scale = vec![2.0 / bf; b * n];

        let hmax = x.iter().fold(0.0f64, |m, &v| m.max(central_step(v)));
        let e = softmax_rounding(&z, hmax, loss);
        let tol: Vec<f64> = (0..b * n)
            .map(|i| tolerance::central(central_step(x[i]), SOFTMAX_M3 / bf, e, g[i], 4.0 * EPS * scale[i]))
            .collect();
        assert_within("central", &central_gradient(f, &x), &g, &tol);

        let h0 = SOFTMAX_RICHARDSON_STEP;
        let e = softmax_rounding(&z, h0, loss);
        let r = richardson(f, &x, Step::Fixed(h0));
        let tol: Vec<f64> = (0..b * n)
            .map(|i| {
                tolerance::richardson_rounding(h0, e, g[i], 4.0 * EPS * scale[i])
                    + tolerance::richardson_truncation_m5(h0, SOFTMAX_M5 / bf)
            })
            .collect();
        assert_within("richardson", &r, &g, &tol);

        let fd = |v: &[nabla_dual::Dual64]| {
            softmax_cross_entropy_labels(&DMatrix::from_column_slice(b, n, v), &labels).unwrap()
        };
        assert_dual("Dual64", &nabla_dual::gradient(fd, &x).1, &g, &scale);
        let fd8 = |v: &[nabla_dual::DualVec64<8>]| {
            softmax_cross_entropy_labels(&DMatrix::from_column_slice(b, n, v), &labels).unwrap()
        };
        assert_dual("DualVec64<8>", &nabla_dual::gradient_chunked::<8, _>(fd8, &x).1, &g, &scale);
        let fr = |v: &[Var64]| {
            softmax_cross_entropy_labels(&DMatrix::from_column_slice(b, n, v), &labels).unwrap()
        };
        assert_dual("reverse", &nabla_tape::gradient(fr, &x).1, &g, &scale);
    }

    #[test]
    fn softmax_cross_entropy_with_distribution_targets(
        (z, t) in (1usize..=3, 2usize..=10).prop_flat_map(|(b, n)| (
            wide_vec(b * n, -8.0, 6.0).prop_map(move |v| DMatrix::from_vec(b, n, v)),
            proptest::collection::vec(0.0..=1.0f64, b * n).prop_map(move |w| {
                let mut t = DMatrix::from_vec(b, n, w);
                for mut row in t.row_iter_mut() {
                    let s = row.sum().max(1e-300);
                    row /= s;
                }
                t
            }),
        ))
    ) {
        let (b, n) = z.shape();
        let bf = b as f64;
        let f = |v: &[f64]| softmax_cross_entropy(&DMatrix::from_column_slice(b, n, v), &t).unwrap();
        let x = z.as_slice().to_vec();
        let g = softmax_cross_entropy_grad(&z, &t).unwrap().as_slice().to_vec();
        let loss = f(&x);
        let scale = vec![2.0 / bf; b * n];
        // With a distribution target every logit enters linearly too: `n` more roundings of
        // terms up to max |z| per row.
        let zmax = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let hmax = x.iter().fold(0.0f64, |m, &v| m.max(central_step(v)));
        let e = softmax_rounding(&z, hmax, loss) + (n as f64 + 2.0) * EPS * (zmax + hmax);
        let tol: Vec<f64> = (0..b * n)
            .map(|i| tolerance::central(central_step(x[i]), SOFTMAX_M3 / bf, e, g[i], 4.0 * EPS * scale[i]))
            .collect();
        assert_within("central", &central_gradient(f, &x), &g, &tol);

        let fd8 = |v: &[nabla_dual::DualVec64<8>]| {
            let t = t.map(nabla_dual::DualVec64::<8>::constant);
            softmax_cross_entropy(&DMatrix::from_column_slice(b, n, v), &t).unwrap()
        };
        assert_dual("DualVec64<8>", &nabla_dual::gradient_chunked::<8, _>(fd8, &x).1, &g, &scale);
        let fr = |v: &[Var64]| {
            let t = t.map(Var64::constant);
            softmax_cross_entropy(&DMatrix::from_column_slice(b, n, v), &t).unwrap()
        };
        assert_dual("reverse", &nabla_tape::gradient(fr, &x).1, &g, &scale);
    }
}

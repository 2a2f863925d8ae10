//! The losses of nabla-loss, differentiated with respect to the prediction (or the logits),
//! every method at once through nabla-compare's checker (`Compare::check_at` inside
//! `proptest!`, since the targets are drawn with the points): the exact methods agree to
//! `1e-12` relative to the largest element or to the terms each element sums (for a
//! saturated softmax those are far larger than the element: the probabilities and the
//! target, at most `2 / B`), and each finite-difference method stays within its truncation
//! and rounding bound.
//!
//! * **Squared error** `0.5 sum (y_i - t_i)^2`: quadratic, so the symmetric stencils have
//!   no truncation error.
//! * **Cross-entropy on probabilities** `-sum t_i ln(y_i + DELTA)`, `DELTA = 1e-7`: defined
//!   for `y_i > -DELTA` only. Five-point differences (reach `2 eps^(1/5)`, 1.5e-3) and
//!   Richardson (first step 0.1) leave the domain for probabilities near `1e-3`, so they are
//!   left out; below the central step nabla-numdiff must refuse with `Error::NonFinite`
//!   naming the coordinate rather than return a number.
//! * **Softmax-cross-entropy on logits** (batch mean over `B` rows, one label per row, or a
//!   target distribution per row): log-sum-exp, whose curvature has a width of about 1
//!   whatever the size of the logits. Richardson is left out (see [`without_richardson`]).

use nabla::compare::{Compare, Function, Method, Number};

use nabla_loss::{
    DELTA, cross_entropy, cross_entropy_grad, softmax_cross_entropy, softmax_cross_entropy_grad,
    softmax_cross_entropy_grad_labels, softmax_cross_entropy_labels, squared_error,
    squared_error_grad,
};
use nabla_numdiff::{Error, Options};
use nalgebra::DMatrix;
use proptest::prelude::*;

use crate::strategies::{wide, wide_vec};
use crate::tolerance::central_step;

/// `t` in the scalar of the evaluation.
fn lift<S: Number>(t: &[f64]) -> Vec<S> {
    t.iter().map(|&v| nalgebra::convert(v)).collect()
}

/// A loss of one sample against fixed targets: the squared error, or (`cross_entropy`) the
/// cross-entropy of probabilities against a target distribution.
struct Sample {
    targets: Vec<f64>,
    cross_entropy: bool,
}

impl Function for Sample {
    fn eval<S: Number>(&self, y: &[S]) -> S {
        let t = lift(&self.targets);
        let loss = if self.cross_entropy {
            cross_entropy(y, &t)
        } else {
            squared_error(y, &t)
        };
        loss.expect("as many predictions as targets")
    }
    fn gradient(&self, y: &[f64]) -> Option<Vec<f64>> {
        let t = &self.targets;
        let grad = if self.cross_entropy {
            cross_entropy_grad(y, t)
        } else {
            squared_error_grad(y, t)
        };
        grad.ok()
    }
}

/// Softmax-cross-entropy of a batch of logits (column by column) against a label per row.
struct SoftmaxLabels(Vec<usize>);

impl Function for SoftmaxLabels {
    fn eval<S: Number>(&self, z: &[S]) -> S {
        let b = self.0.len();
        let m = DMatrix::from_column_slice(b, z.len() / b, z);
        softmax_cross_entropy_labels(&m, &self.0).expect("labels below the number of logits")
    }
    fn gradient(&self, z: &[f64]) -> Option<Vec<f64>> {
        let b = self.0.len();
        let m = DMatrix::from_column_slice(b, z.len() / b, z);
        Some(
            softmax_cross_entropy_grad_labels(&m, &self.0)
                .ok()?
                .as_slice()
                .to_vec(),
        )
    }
}

/// Softmax-cross-entropy of a batch of logits against a target distribution per row.
struct SoftmaxTargets(DMatrix<f64>);

impl Function for SoftmaxTargets {
    fn eval<S: Number>(&self, z: &[S]) -> S {
        let (b, n) = self.0.shape();
        let t = self.0.map(nalgebra::convert::<f64, S>);
        softmax_cross_entropy(&DMatrix::from_column_slice(b, n, z), &t).expect("matching shapes")
    }
    fn gradient(&self, z: &[f64]) -> Option<Vec<f64>> {
        let (b, n) = self.0.shape();
        let g = softmax_cross_entropy_grad(&DMatrix::from_column_slice(b, n, z), &self.0).ok()?;
        Some(g.as_slice().to_vec())
    }
}

/// Every default method but Richardson, for softmax-cross-entropy. Its automatic step is
/// fooled by terms that cancel: at logits `[1.0652680021916625, 26.24261767494464]`, label 1,
/// the loss is `ln(1 + e^-25.2) = 1.2e-11`, computed with an error of `eps` (of the hidden
/// 1), far above the `eps |f|` nabla-numdiff's convergence test assumes; the run from 0.1
/// looks divergent, the search shrinks the step until the differences are all exactly 0,
/// and `richardson` returns 0 with an estimated error of `1.4e-22` for a derivative of
/// `1.16e-11`. nabla-compare's checker found it; a fix belongs to nabla-numdiff.
fn without_richardson() -> Vec<Method> {
    methods_but(&[Method::Richardson])
}

/// Every method but those in `except`, with `DualVec16` standing for the other chunk sizes.
fn methods_but(except: &[Method]) -> Vec<Method> {
    let others = [Method::DualVec8, Method::DualVec32];
    Method::ALL
        .into_iter()
        .filter(|m| !except.contains(m) && !others.contains(m))
        .collect()
}

/// nabla-compare's checker at one point, as a proptest outcome: the exact methods agree to
/// `1e-12` relative, and to `1e-12 terms` where `terms` bounds what each element sums.
fn agree<M>(
    compare: Compare,
    f: &impl nabla::compare::AnyFunction<M>,
    x: &[f64],
    terms: f64,
) -> Result<(), TestCaseError> {
    compare
        .exact_tolerance(1e-12, 1e-12 * terms)
        .check_at(f, x)
        .map_err(TestCaseError::fail)
}

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

proptest! {
    #[test]
    fn squared_error_gradients(
        (y, t) in (1usize..=10).prop_flat_map(|n| (wide_vec(n, -6.0, 6.0), wide_vec(n, -6.0, 6.0)))
    ) {
        agree(Compare::new(), &Sample { targets: t, cross_entropy: false }, &y, 0.0)?;
    }

    #[test]
    fn cross_entropy_gradients((y, t) in probabilities()) {
        // The steps of the five-point stencil and of Richardson would leave `[0, 1]`.
        let inside = methods_but(&[Method::FivePointFd, Method::Richardson]);
        agree(Compare::new().methods(&inside), &Sample { targets: t, cross_entropy: true }, &y, 0.0)?;
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
        // A row's terms, the probabilities and the one-hot target, sum to at most 2 per row,
        // divided by the B rows of the mean.
        let terms = 2.0 / z.nrows() as f64;
        agree(Compare::new().methods(&without_richardson()), &SoftmaxLabels(labels), z.as_slice(), terms)?;
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
        let terms = 2.0 / z.nrows() as f64;
        agree(Compare::new().methods(&without_richardson()), &SoftmaxTargets(t), z.as_slice(), terms)?;
    }
}

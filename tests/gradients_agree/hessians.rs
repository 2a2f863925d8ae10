//! Hessians from the second-order dual type (`HyperDual64`) against analytic and numerical
//! Hessians, and symmetric; reverse mode's exact Hessian-vector products (nabla-tape, forward
//! over reverse on `Var<Dual64>`) against the dual Hessian times the vector.
//!
//! Numerical Hessians (nabla-numdiff's `hessian`, from values of `f` alone, step
//! `h_i = eps^(1/4) max(1, |x_i|)` made representable). Error model:
//!
//! * diagonal `(f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2 = f_ii + h^2/12 f_iiii(xi)` exactly
//!   (Taylor, intermediate value theorem); rounding of the three values `4 E / h^2`;
//! * off the diagonal, `(f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j)` is exactly the mean of
//!   `f_ij` over the rectangle `[+-h_i] x [+-h_j]`; a second-order Taylor expansion of `f_ij`
//!   (the linear term averages to 0) bounds its distance to `f_ij(x)` by
//!   `h_i^2/6 M_iiij + h_i h_j/4 M_iijj + h_j^2/6 M_ijjj`; rounding of four values `E / (h_i h_j)`.
//!
//! Rosenbrock: `f_iiii = 2400` for `i < n-1`, every mixed fourth derivative is 0 (the only
//! mixed terms are `x_i^2 x_{i+1}`). Softmax-cross-entropy of one row (`lse(z) - z_l`): every
//! fourth derivative is a fourth cumulant of the softmax distribution, e.g.
//! `f_iiij = p_i p_j (6 p_i^2 - 6 p_i + 1)`, all at most `1/4` in size.

use nabla_dual::{Dual64, HyperDual64, hessian as dual_hessian};
use nabla_numdiff::{Options, hessian as numerical_hessian};
use nabla_tape::Var;
use nalgebra::{DMatrix, RealField};
use proptest::prelude::*;

use nabla::compare::Function;
use nabla::functions::{Rosenbrock, SoftmaxCrossEntropy};

use crate::composition::{self, Composition};
use crate::strategies::wide_vec;
use crate::tolerance::{EPS, SAFETY};

/// nabla-numdiff's default second-difference step at `x`.
fn second_step(x: f64) -> f64 {
    let h = EPS.sqrt().sqrt() * x.abs().max(1.0);
    (x + h) - x
}

/// `H[i][j]` by a `HyperDual` pass seeded the other way round from nabla-dual's `hessian`
/// driver (`eps1` on `j`, `eps2` on `i`): symmetry computed, not copied.
fn swapped_entry(f: impl Fn(&[HyperDual64]) -> HyperDual64, x: &[f64], i: usize, j: usize) -> f64 {
    let input: Vec<HyperDual64> = (0..x.len())
        .map(|k| {
            let e1 = if k == j { 1.0 } else { 0.0 };
            let e2 = if k == i { 1.0 } else { 0.0 };
            HyperDual64::from_parts(x[k], e1, e2, 0.0)
        })
        .collect();
    f(&input).eps1eps2()
}

/// Asserts every entry of `got` is within `tol` of `want`, naming the first that is not.
fn assert_matrix(what: &str, got: &DMatrix<f64>, want: &DMatrix<f64>, tol: &DMatrix<f64>) {
    for i in 0..want.nrows() {
        for j in 0..want.ncols() {
            let err = (got[(i, j)] - want[(i, j)]).abs();
            assert!(
                err <= tol[(i, j)],
                "{what}: entry ({i}, {j}): got {:e}, want {:e}, error {err:e} > allowed {:e}",
                got[(i, j)],
                want[(i, j)],
                tol[(i, j)]
            );
        }
    }
}

/// The analytic Hessian of Rosenbrock's function and the magnitudes of each entry's terms.
fn rosenbrock_hessian(x: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
    let n = x.len();
    let mut h = DMatrix::zeros(n, n);
    let mut s = DMatrix::zeros(n, n);
    for i in 0..n.saturating_sub(1) {
        h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        s[(i, i)] += 1200.0 * x[i] * x[i] + 400.0 * x[i + 1].abs() + 2.0;
        h[(i + 1, i + 1)] += 200.0;
        s[(i + 1, i + 1)] += 200.0;
        h[(i, i + 1)] = -400.0 * x[i];
        h[(i + 1, i)] = -400.0 * x[i];
        s[(i, i + 1)] = 400.0 * x[i].abs();
        s[(i + 1, i)] = 400.0 * x[i].abs();
    }
    (h, s)
}

/// `1e-12` relative to `max(|want|, scale)`, as for gradients.
fn exact_tolerance(want: &DMatrix<f64>, scale: &DMatrix<f64>) -> DMatrix<f64> {
    want.zip_map(scale, |w, s| 1e-12 * w.abs().max(s))
}

/// The dual Hessian of `f` at `x`, checked symmetric by computing each upper entry a second
/// time with the seeds swapped (to `1e-12` relative to `scale`).
fn dual_hessian_checked(
    f: impl Fn(&[HyperDual64]) -> HyperDual64 + Copy,
    x: &[f64],
    scale: &DMatrix<f64>,
) -> DMatrix<f64> {
    let (_, _, h) = dual_hessian(f, x);
    let n = x.len();
    for i in 0..n {
        for j in i + 1..n {
            let other = swapped_entry(f, x, i, j);
            let tol = 1e-12 * h[(i, j)].abs().max(scale[(i, j)]);
            assert!(
                (other - h[(i, j)]).abs() <= tol,
                "H[{i}][{j}] = {:e} but the swapped pass gives {other:e}",
                h[(i, j)]
            );
        }
    }
    assert_eq!(h, h.transpose(), "the dual Hessian is symmetric");
    h
}

/// Reverse mode's Hessian (`n` Hessian-vector products) and one product along a direction
/// with entries of both signs, against the dual Hessian (exact: `1e-12` relative to `scale`).
fn assert_reverse_hessian(
    f: impl Fn(&[Var<Dual64>]) -> Var<Dual64> + Copy,
    x: &[f64],
    dual: &DMatrix<f64>,
    scale: &DMatrix<f64>,
) {
    let n = x.len();
    let (_, _, h) = nabla_tape::hessian(f, x);
    assert_matrix(
        "reverse (forward over reverse) vs HyperDual64",
        &h,
        dual,
        &exact_tolerance(dual, scale),
    );
    let v: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { 1.0 + i as f64 } else { -0.5 })
        .collect();
    let (_, _, hv) = nabla_tape::hessian_vector_product(f, x, &v);
    let want = dual * DMatrix::from_column_slice(n, 1, &v);
    let vscale = scale.abs() * DMatrix::from_iterator(n, 1, v.iter().map(|a| a.abs()));
    assert_matrix(
        "reverse Hessian-vector product vs HyperDual64 H v",
        &DMatrix::from_column_slice(n, 1, &hv),
        &want,
        &exact_tolerance(&want, &vscale),
    );
}

proptest! {
    #[test]
    fn rosenbrock_hessians(x in wide_vec(2..=6, -6.0, 4.0)) {
        let n = x.len();
        let (want, scale) = rosenbrock_hessian(&x);
        let dual = dual_hessian_checked(|v: &[HyperDual64]| Rosenbrock.eval(v), &x, &scale);
        assert_matrix("HyperDual64 vs analytic", &dual, &want, &exact_tolerance(&want, &scale));
        assert_reverse_hessian(|v: &[Var<Dual64>]| Rosenbrock.eval(v), &x, &dual, &scale);

        // Numerical: E as in the rosenbrock module, with the probes' steps.
        let h: Vec<f64> = x.iter().map(|&v| second_step(v)).collect();
        let a: Vec<f64> = x.iter().zip(&h).map(|(v, s)| v.abs() + s).collect();
        let big_f: f64 = a.windows(2).map(|w| {
            let s = w[1] + w[0] * w[0];
            100.0 * s * s + (1.0 + w[0]) * (1.0 + w[0])
        }).sum();
        let e = (n as f64 + 8.0) * EPS * big_f;
        let tol = DMatrix::from_fn(n, n, |i, j| {
            let exact_rounding = 4.0 * EPS * scale[(i, j)];
            SAFETY * if i == j {
                let m4 = if i + 1 < n { 2400.0 } else { 0.0 };
                h[i] * h[i] / 12.0 * m4 + 4.0 * e / (h[i] * h[i]) + exact_rounding
            } else {
                e / (h[i] * h[j]) + exact_rounding
            }
        });
        let mut p = x.clone();
        let num = numerical_hessian(&mut p[..], |p: &[f64]| Rosenbrock.eval(p), Options::default()).unwrap();
        assert_matrix("numerical vs analytic", &num, &want, &tol);
        assert_matrix("numerical vs HyperDual64", &num, &dual, &tol);
    }

    #[test]
    fn softmax_cross_entropy_hessians(z in wide_vec(2..=8, -6.0, 3.0)) {
        let n = z.len();
        // Analytic: diag(p) - p p^T, whatever the label.
        let m = DMatrix::from_row_slice(1, n, &z);
        let p = nabla_loss::softmax_rows(&m);
        let want = DMatrix::from_fn(n, n, |i, j| {
            if i == j { p[i] * (1.0 - p[i]) } else { -p[i] * p[j] }
        });
        let scale = DMatrix::from_fn(n, n, |i, j| if i == j { p[i] } else { p[i] * p[j] });
        let dual = dual_hessian_checked(|v: &[HyperDual64]| SoftmaxCrossEntropy.eval(v), &z, &scale);
        // The dual computes through log-sum-exp and the analytic form from probabilities:
        // both are right to a few eps of 1 (the size of the probabilities they combine).
        let dual_tol = DMatrix::from_element(n, n, 1e-12);
        assert_matrix("HyperDual64 vs analytic", &dual, &want, &dual_tol);
        assert_reverse_hessian(|v: &[Var<Dual64>]| SoftmaxCrossEntropy.eval(v), &z, &dual, &DMatrix::from_element(n, n, 1.0));

        let h: Vec<f64> = z.iter().map(|&v| second_step(v)).collect();
        let zmax = z.iter().zip(&h).fold(0.0f64, |a, (v, s)| a.max(v.abs() + s));
        // Rounding of one evaluation, as in the losses module.
        let e = 4.0 * EPS * (n as f64 + 1.0 + zmax);
        let m4 = 0.25;
        let tol = DMatrix::from_fn(n, n, |i, j| {
            SAFETY * if i == j {
                h[i] * h[i] / 12.0 * m4 + 4.0 * e / (h[i] * h[i]) + 4.0 * EPS
            } else {
                m4 * (h[i] * h[i] / 6.0 + h[i] * h[j] / 4.0 + h[j] * h[j] / 6.0)
                    + e / (h[i] * h[j]) + 4.0 * EPS
            }
        });
        let mut q = z.clone();
        let num = numerical_hessian(&mut q[..], |q: &[f64]| SoftmaxCrossEntropy.eval(q), Options::default()).unwrap();
        assert_matrix("numerical vs analytic", &num, &want, &tol);
    }

    #[test]
    fn composition_hessians(x in wide_vec(3, -4.0, 4.0)) {
        let (h, s) = composition::hessian(&x);
        let want = DMatrix::from_fn(3, 3, |i, j| h[i][j]);
        let scale = DMatrix::from_fn(3, 3, |i, j| s[i][j]);
        let dual = dual_hessian_checked(|v: &[HyperDual64]| Composition.eval(v), &x, &scale);
        assert_matrix("HyperDual64 vs analytic", &dual, &want, &exact_tolerance(&want, &scale));
        assert_reverse_hessian(|v: &[Var<Dual64>]| Composition.eval(v), &x, &dual, &scale);
    }
}

/// A fixed check of the nesting rule the Hessian relies on, at a point away from 1: for
/// `f = x^2 y + sin(x y)`, `f_xy = 2x + cos(xy) - xy sin(xy)`.
#[test]
fn mixed_partial_at_an_ordinary_point() {
    fn f<S: RealField + Copy>(v: &[S]) -> S {
        v[0] * v[0] * v[1] + (v[0] * v[1]).sin()
    }
    let (x, y) = (-1.7, 0.45);
    let (_, _, h) = dual_hessian(f::<HyperDual64>, &[x, y]);
    let want = 2.0 * x + (x * y).cos() - x * y * (x * y).sin();
    approx::assert_relative_eq!(h[(0, 1)], want, max_relative = 1e-15);
    approx::assert_relative_eq!(
        swapped_entry(f::<HyperDual64>, &[x, y], 0, 1),
        want,
        max_relative = 1e-15
    );
}

//! nalgebra code differentiates unchanged: matrices and vectors of dual numbers.

use approx::assert_relative_eq;
use nabla_dual::{Dual64, DualVec64, gradient, gradient_chunked};
use nalgebra::{DMatrix, DVector, RealField, SVector};

/// `½ xᵀ A x + bᵀ x`, written once for any nalgebra scalar.
fn quadratic<S: RealField + Copy>(a: &DMatrix<f64>, b: &DVector<f64>, x: &[S]) -> S {
    let a: DMatrix<S> = a.map(nalgebra::convert);
    let b: DVector<S> = b.map(nalgebra::convert);
    let x = DVector::from_column_slice(x);
    let half: S = nalgebra::convert(0.5);
    (x.transpose() * &a * &x)[(0, 0)] * half + b.dot(&x)
}

fn problem(n: usize) -> (DMatrix<f64>, DVector<f64>, Vec<f64>) {
    let a = DMatrix::from_fn(n, n, |i, j| {
        ((i * 7 + j * 3) % 5) as f64 - 1.5 + 0.1 * j as f64
    });
    let b = DVector::from_fn(n, |i, _| (i as f64 * 0.7).sin());
    let x = (0..n).map(|i| (i as f64 * 1.3).cos() * 2.0).collect();
    (a, b, x)
}

#[test]
fn gradient_of_a_matrix_quadratic_form() {
    let n = 10;
    let (a, b, x) = problem(n);
    let xv = DVector::from_column_slice(&x);
    let exact = (&a + a.transpose()) * &xv * 0.5 + &b;
    let (v, g) = gradient(|x: &[Dual64]| quadratic(&a, &b, x), &x);
    assert_relative_eq!(v, quadratic(&a, &b, &x), max_relative = 1e-14);
    let (_, gc) = gradient_chunked::<8, _>(|x: &[DualVec64<8>]| quadratic(&a, &b, x), &x);
    for i in 0..n {
        assert_relative_eq!(g[i], exact[i], max_relative = 1e-13, epsilon = 1e-13);
        assert_relative_eq!(gc[i], exact[i], max_relative = 1e-13, epsilon = 1e-13);
    }
}

#[test]
fn static_vectors_and_norms() {
    // d/dt |v + t u| = (v · u) / |v| at t = 0.
    let v = SVector::<f64, 3>::new(1.5, -2.0, 0.5);
    let u = SVector::<f64, 3>::new(0.3, 0.4, -1.0);
    let x: SVector<Dual64, 3> = v.zip_map(&u, Dual64::new);
    let m = nalgebra::Matrix3::new(2.0, 0.0, 1.0, -1.0, 3.0, 0.0, 0.5, 0.5, 1.0).map(Dual64::from);
    let y = m * x;
    let norm = x.norm();
    assert_relative_eq!(norm.re(), v.norm(), max_relative = 1e-15);
    assert_relative_eq!(norm.eps(), v.dot(&u) / v.norm(), max_relative = 1e-14);
    let m0 = m.map(|d| d.re());
    assert_relative_eq!(y[1].eps(), (m0 * u)[1], max_relative = 1e-15);
}

#[test]
fn determinant_by_lu_follows_jacobis_formula() {
    // d/dt det(A + t B) at 0 = det(A) tr(A⁻¹ B), through nalgebra's pivoted LU.
    let a = nalgebra::Matrix3::new(4.0, -2.0, 1.0, 3.0, 6.0, -4.0, 2.0, 1.0, 8.0);
    let b = nalgebra::Matrix3::new(0.5, 1.0, 0.0, -1.0, 0.2, 0.3, 0.0, 0.7, -0.4);
    let m = DMatrix::from_fn(3, 3, |i, j| Dual64::new(a[(i, j)], b[(i, j)]));
    let det = m.clone().lu().determinant();
    let exact = a.determinant() * (a.try_inverse().unwrap() * b).trace();
    assert_relative_eq!(det.re(), a.determinant(), max_relative = 1e-13);
    assert_relative_eq!(det.eps(), exact, max_relative = 1e-13);
    // The inverse too: d(A⁻¹) = -A⁻¹ B A⁻¹.
    let inv = m.try_inverse().unwrap();
    let ai = a.try_inverse().unwrap();
    let exact_inv = -ai * b * ai;
    assert_relative_eq!(inv[(2, 1)].eps(), exact_inv[(2, 1)], max_relative = 1e-12);
}

#[test]
fn matrices_of_dual_vectors() {
    let (a, b, x) = problem(8);
    let xs: Vec<DualVec64<8>> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| DualVec64::variable(v, i))
        .collect();
    let m: DMatrix<DualVec64<8>> = a.map(DualVec64::from);
    let y = &m * DVector::from_vec(xs);
    // The Jacobian of A x is A.
    for i in 0..8 {
        for j in 0..8 {
            assert_eq!(y[i].partial(j), a[(i, j)]);
        }
    }
    let _ = b;
}

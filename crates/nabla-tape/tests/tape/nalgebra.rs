//! nalgebra code differentiates unchanged: products, LU, norms on `DMatrix<Var<f64>>`, and
//! the generic functions of the workspace's benches.

use approx::assert_relative_eq;
use nabla_dual::Dual64;
use nabla_tape::{Var, gradient};
use nalgebra::{DMatrix, DVector, RealField};

/// `log |det(A)| + ‖A x‖` for a 3x3 `A` and a 3-vector `x`, twelve inputs, through nalgebra's
/// product, LU and norm.
fn matrix_function<T: RealField + Copy>(p: &[T]) -> T {
    let a = DMatrix::from_column_slice(3, 3, &p[..9]);
    let x = DVector::from_column_slice(&p[9..]);
    let det = a.clone().lu().determinant();
    let solved = a.clone().lu().solve(&x).unwrap_or_else(|| x.clone());
    nalgebra::ComplexField::ln(nalgebra::ComplexField::abs(det)) + (a * &x).norm() + solved.sum()
}

#[test]
fn products_lu_and_norms_match_forward_mode() {
    let p = [
        2.0, 0.5, -1.0, 0.3, 3.0, 0.2, -0.4, 1.0, 4.0, 0.7, -1.2, 2.5,
    ];
    let (v, g) = gradient(matrix_function::<Var<f64>>, &p);
    let (dv, dg) = nabla_dual::gradient(matrix_function::<Dual64>, &p);
    assert_relative_eq!(v, dv, max_relative = 1e-15);
    assert_relative_eq!(v, matrix_function::<f64>(&p), max_relative = 1e-15);
    for (a, b) in g.iter().zip(&dg) {
        assert_relative_eq!(*a, *b, max_relative = 1e-12, epsilon = 1e-14);
    }
}

#[test]
fn a_matrix_of_vars_converts_and_compares_like_floats() {
    let m: DMatrix<Var<f64>> = DMatrix::from_element(2, 2, Var::constant(1.5));
    let back: DMatrix<f64> = m.map(|v| v.value());
    assert_eq!(back, DMatrix::from_element(2, 2, 1.5));
    let c: Var<f64> = nalgebra::convert(2.5);
    assert!(c.is_constant() && c == 2.5);
    let f: f64 = nalgebra::try_convert(c).unwrap();
    assert_eq!(f, 2.5);
    approx::assert_relative_eq!(Var::constant(1.0), Var::constant(1.0 + 1e-17));
}

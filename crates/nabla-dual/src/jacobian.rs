//! Jacobians of vector-valued functions: one `Dual` pass per input.

use nalgebra::DMatrix;

use crate::number::Dual;
use crate::real::Real;

/// The value `f(x)` and the Jacobian `J[(i, j)] = ∂fᵢ/∂xⱼ` (outputs × inputs), with one `Dual`
/// evaluation per input.
///
/// ```
/// use nabla_dual::jacobian;
/// // polar to Cartesian: (r cos t, r sin t)
/// let (value, jac) = jacobian(|x| vec![x[0] * x[1].cos(), x[0] * x[1].sin()], &[2.0, 0.0]);
/// assert_eq!(value, vec![2.0, 0.0]);
/// assert_eq!(jac[(0, 0)], 1.0);
/// assert_eq!(jac[(1, 1)], 2.0);
/// ```
///
/// # Panics
///
/// If `f` returns outputs of different lengths in different passes.
pub fn jacobian<T: Real>(f: impl Fn(&[Dual<T>]) -> Vec<Dual<T>>, x: &[T]) -> (Vec<T>, DMatrix<T>) {
    let mut input: Vec<Dual<T>> = x.iter().map(|&v| Dual::constant(v)).collect();
    let mut value: Option<Vec<T>> = None;
    let mut jac = DMatrix::zeros(0, x.len());
    for j in 0..x.len() {
        input[j] = Dual::variable(x[j]);
        let y = f(&input);
        input[j] = Dual::constant(x[j]);
        if value.is_none() {
            value = Some(y.iter().map(Dual::re).collect());
            jac = DMatrix::zeros(y.len(), x.len());
        }
        assert_eq!(
            y.len(),
            jac.nrows(),
            "jacobian: f returned {} outputs in pass {j}, {} in the first pass",
            y.len(),
            jac.nrows()
        );
        for (i, yi) in y.iter().enumerate() {
            jac[(i, j)] = yi.eps();
        }
    }
    let value = value.unwrap_or_else(|| f(&input).iter().map(Dual::re).collect());
    if x.is_empty() {
        jac = DMatrix::zeros(value.len(), 0);
    }
    (value, jac)
}

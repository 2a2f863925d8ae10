//! Jacobians of vector-valued functions: one pass per input (`Dual`), or one pass per chunk
//! of `N` inputs (`DualVec`).

use nalgebra::DMatrix;

use crate::number::{Dual, DualNumber, DualVec};
use crate::passes::{Lanes, for_each_pass};
use nabla_rules::Real;

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
/// For many inputs prefer [`jacobian_chunked`], which needs `N` times fewer passes.
///
/// # Panics
///
/// If `f` returns outputs of different lengths in different passes.
pub fn jacobian<T: Real>(f: impl Fn(&[Dual<T>]) -> Vec<Dual<T>>, x: &[T]) -> (Vec<T>, DMatrix<T>) {
    jacobian_by_passes("jacobian", f, x)
}

/// The value `f(x)` and the Jacobian `J[(i, j)] = ∂fᵢ/∂xⱼ` (outputs × inputs), with one
/// `DualVec<T, N>` evaluation per chunk of `N` inputs: `ceil(n / N)` passes instead of
/// [`jacobian`]'s `n`.
///
/// The numbers are those of [`jacobian`], bit for bit (each lane does the arithmetic of one
/// `Dual` pass, non-finite values included); only the number of passes changes. As for
/// [`gradient_chunked`](crate::gradient_chunked), `N = 8` is a good start.
///
/// ```
/// use nabla_dual::{jacobian, jacobian_chunked};
///
/// // f(x) = (x0 x1 x2, sin x3, x0 + x4): 5 inputs, 3 outputs, one pass of 8 lanes.
/// fn f<S: num_traits::Float>(x: &[S]) -> Vec<S> {
///     vec![x[0] * x[1] * x[2], x[3].sin(), x[0] + x[4]]
/// }
/// let x = [0.5, -2.0, 3.0, 0.25, 7.0];
/// let (value, jac) = jacobian_chunked::<8, _>(f, &x);
/// assert_eq!(jac.shape(), (3, 5));
/// assert_eq!(jac[(0, 1)], 0.5 * 3.0);
/// assert_eq!(jac[(1, 3)], 0.25f64.cos());
/// assert_eq!((value, jac), jacobian(f, &x));
/// ```
///
/// # Panics
///
/// If `N` is 0, or if `f` returns outputs of different lengths in different passes.
pub fn jacobian_chunked<const N: usize, T: Real>(
    f: impl Fn(&[DualVec<T, N>]) -> Vec<DualVec<T, N>>,
    x: &[T],
) -> (Vec<T>, DMatrix<T>) {
    jacobian_by_passes("jacobian_chunked", f, x)
}

/// [`jacobian`] and [`jacobian_chunked`]: the value of the first pass, and each pass's lanes
/// as columns `start..start + width`.
fn jacobian_by_passes<T: Real, E: Lanes<T>>(
    driver: &str,
    f: impl Fn(&[DualNumber<T, E>]) -> Vec<DualNumber<T, E>>,
    x: &[T],
) -> (Vec<T>, DMatrix<T>) {
    let mut value = Vec::new();
    let mut jac = DMatrix::zeros(0, x.len());
    for_each_pass(driver, x, f, |start, width, y| {
        if start == 0 {
            value = y.iter().map(DualNumber::re).collect();
            jac = DMatrix::zeros(y.len(), x.len());
        }
        assert_eq!(
            y.len(),
            jac.nrows(),
            "{driver}: f returned {} outputs in the pass from input {start}, {} in the first pass",
            y.len(),
            jac.nrows()
        );
        for (i, yi) in y.iter().enumerate() {
            let part = yi.tangent();
            for k in 0..width {
                jac[(i, start + k)] = part.lane(k);
            }
        }
    });
    (value, jac)
}

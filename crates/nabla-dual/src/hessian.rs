//! Hessians: one `HyperDual` pass per pair of inputs (`i <= j`).

use nalgebra::DMatrix;

use crate::number::HyperDual;
use crate::tangent::HyperPart;
use nabla_rules::Real;

/// The value, the gradient and the Hessian of `f` at `x`, exactly.
///
/// Each pass seeds `ε₁` on input `i` and `ε₂` on input `j` and reads `∂²f/∂xᵢ∂xⱼ` from
/// `ε₁ε₂`; the `n (n + 1) / 2` passes with `i <= j` fill a symmetric matrix, and the diagonal
/// passes give the gradient too.
///
/// ```
/// use nabla_dual::hessian;
/// // f = x² y + y³: H = [[2y, 2x], [2x, 6y]]
/// let (value, grad, h) = hessian(|v| v[0] * v[0] * v[1] + v[1].powi(3), &[3.0, 2.0]);
/// assert_eq!(value, 26.0);
/// assert_eq!(grad, vec![12.0, 21.0]);
/// assert_eq!(h[(0, 1)], 6.0);
/// assert_eq!(h[(1, 1)], 12.0);
/// ```
pub fn hessian<T: Real>(
    f: impl Fn(&[HyperDual<T>]) -> HyperDual<T>,
    x: &[T],
) -> (T, Vec<T>, DMatrix<T>) {
    let n = x.len();
    let (zero, one) = (T::zero(), T::one());
    let mut input: Vec<HyperDual<T>> = x.iter().map(|&v| HyperDual::constant(v)).collect();
    let mut grad = vec![zero; n];
    let mut h = DMatrix::from_element(n, n, zero);
    let mut value = None;
    for i in 0..n {
        for j in i..n {
            if i == j {
                input[i] = HyperDual::new(x[i], HyperPart::new(one, one, zero));
            } else {
                input[i] = HyperDual::new(x[i], HyperPart::new(one, zero, zero));
                input[j] = HyperDual::new(x[j], HyperPart::new(zero, one, zero));
            }
            let y = f(&input);
            input[i] = HyperDual::constant(x[i]);
            input[j] = HyperDual::constant(x[j]);
            value.get_or_insert(y.re());
            if i == j {
                grad[i] = y.eps1();
            }
            h[(i, j)] = y.eps1eps2();
            h[(j, i)] = y.eps1eps2();
        }
    }
    let value = value.unwrap_or_else(|| f(&input).re());
    (value, grad, h)
}

//! Derivatives of functions of one variable: first (`Dual`) and second (`HyperDual`).

use crate::number::{Dual, HyperDual};
use nabla_rules::Real;

/// The value and the derivative of `f` at `x`, exactly, in one evaluation.
///
/// ```
/// use nabla_dual::derivative;
/// let (value, slope) = derivative(|x| x.powi(3) - 2.0 * x, 2.0);
/// assert_eq!((value, slope), (4.0, 10.0));
/// ```
pub fn derivative<T: Real>(f: impl FnOnce(Dual<T>) -> Dual<T>, x: T) -> (T, T) {
    let y = f(Dual::variable(x));
    (y.re(), y.eps())
}

/// The value, first and second derivative of `f` at `x`, exactly, in one evaluation.
///
/// ```
/// use nabla_dual::second_derivative;
/// let (value, d1, d2) = second_derivative(|x| x.powi(3), 2.0);
/// assert_eq!((value, d1, d2), (8.0, 12.0, 12.0));
/// ```
pub fn second_derivative<T: Real>(f: impl FnOnce(HyperDual<T>) -> HyperDual<T>, x: T) -> (T, T, T) {
    let y = f(HyperDual::variable(x));
    (y.re(), y.eps1(), y.eps1eps2())
}

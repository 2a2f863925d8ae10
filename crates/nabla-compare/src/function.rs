//! A function written once, generic over its scalar: the three shapes a user implements.

use std::ops::{Add, Div, Mul, Sub};

use nalgebra::{DMatrix, RealField};

/// A real number every method can evaluate a function in: `f64`, nabla-dual's `Dual64` and
/// `DualVec64<N>` (and nested dual numbers), nabla-tape's `Var<f64>` and, with the `peers`
/// feature, num-dual's types.
///
/// It is nalgebra's [`RealField`] (the trait nabla-loss and nabla-net are written against:
/// `x.sin()`, `x.exp()`, `x.powi(2)`, `S::one()`, nalgebra vectors and matrices of `S`) plus
/// arithmetic with plain `f64` constants on the right (`x * 100.0`, `x + 1.0`, `x / 2.0`). A
/// constant written that way costs a dual number nothing: it scales the derivative part,
/// where a constant lifted into `S` would go through the product rule with zero partials. A
/// constant on the left is `S::one() - x`, or [`nalgebra::convert`] into `S`.
///
/// Implemented for every type with those traits; nothing to implement.
pub trait Number:
    RealField
    + Copy
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
}

impl<T> Number for T where
    T: RealField
        + Copy
        + Add<f64, Output = T>
        + Sub<f64, Output = T>
        + Mul<f64, Output = T>
        + Div<f64, Output = T>
{
}

/// A function of several variables to one value, `f: R^n -> R`, written once for every
/// scalar: the gradient's shape (a loss, an objective, a log-likelihood).
///
/// ```
/// use nabla_compare::{Function, Number};
///
/// /// `sum_i exp(x_i) cos(x_i^2 / 2)`.
/// struct Bumps;
///
/// impl Function for Bumps {
///     fn eval<S: Number>(&self, x: &[S]) -> S {
///         x.iter().fold(S::zero(), |acc, &v| acc + v.exp() * (v * v * 0.5).cos())
///     }
/// }
///
/// assert_eq!(Bumps.eval(&[0.0_f64]), 1.0);
/// assert_eq!(Bumps.name(), "Bumps");
/// ```
pub trait Function {
    /// The value at `x`.
    fn eval<S: Number>(&self, x: &[S]) -> S;

    /// The hand-written gradient at `x`, if there is one: it becomes the `analytic` method,
    /// checked against the exact methods like any other. `None` (the default) leaves it out.
    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        let _ = x;
        None
    }

    /// The name in reports and benchmark ids; the type's name by default.
    fn name(&self) -> String {
        short_type_name::<Self>()
    }
}

/// A function of one variable, `f: R -> R`, written once for every scalar: the derivative's
/// shape (the chapter's `0.01 x^2 + 0.1 x`).
///
/// Its point is a slice of one element wherever a point is asked for.
///
/// ```
/// use nabla_compare::{Number, ScalarFunction};
///
/// struct Book;
///
/// impl ScalarFunction for Book {
///     fn eval<S: Number>(&self, x: S) -> S {
///         x * x * 0.01 + x * 0.1
///     }
///     fn derivative(&self, x: f64) -> Option<f64> {
///         Some(0.02 * x + 0.1)
///     }
/// }
///
/// assert_eq!(Book.eval(10.0_f64), 2.0);
/// ```
pub trait ScalarFunction {
    /// The value at `x`.
    fn eval<S: Number>(&self, x: S) -> S;

    /// The hand-written derivative at `x`, if there is one (the `analytic` method).
    fn derivative(&self, x: f64) -> Option<f64> {
        let _ = x;
        None
    }

    /// The name in reports and benchmark ids; the type's name by default.
    fn name(&self) -> String {
        short_type_name::<Self>()
    }
}

/// A function of several variables to several values, `f: R^n -> R^m`, written once for
/// every scalar: the Jacobian's shape (a residual, a layer, a softmax).
///
/// Every call must return the same number of values for points of the same length.
///
/// ```
/// use nabla_compare::{Number, VectorFunction};
///
/// /// Polar to Cartesian coordinates.
/// struct Polar;
///
/// impl VectorFunction for Polar {
///     fn eval<S: Number>(&self, x: &[S]) -> Vec<S> {
///         vec![x[0] * x[1].cos(), x[0] * x[1].sin()]
///     }
/// }
///
/// assert_eq!(Polar.eval(&[2.0_f64, 0.0]), [2.0, 0.0]);
/// ```
pub trait VectorFunction {
    /// The values at `x`.
    fn eval<S: Number>(&self, x: &[S]) -> Vec<S>;

    /// The hand-written Jacobian at `x` (outputs x inputs), if there is one (the `analytic`
    /// method).
    fn jacobian(&self, x: &[f64]) -> Option<DMatrix<f64>> {
        let _ = x;
        None
    }

    /// The name in reports and benchmark ids; the type's name by default.
    fn name(&self) -> String {
        short_type_name::<Self>()
    }
}

/// `my_crate::module::Name<Param>` as `Name<Param>`.
fn short_type_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let (head, generics) = full.split_at(full.find('<').unwrap_or(full.len()));
    let name = head.rsplit("::").next().unwrap_or(head);
    format!("{name}{generics}")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    impl Function for Plain {
        fn eval<S: Number>(&self, x: &[S]) -> S {
            x[0]
        }
    }

    #[test]
    fn names_are_short_and_analytic_derivatives_absent_by_default() {
        assert_eq!(Plain.name(), "Plain");
        assert_eq!(Plain.gradient(&[1.0]), None);
        assert_eq!(short_type_name::<Vec<f64>>(), "Vec<f64>");
        assert_eq!(short_type_name::<f64>(), "f64");
    }
}

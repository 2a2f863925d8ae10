//! # nabla-rules: the derivative rules, written once for both modes
//!
//! nabla differentiates exactly in two ways: forward mode with dual numbers (nabla-dual) and
//! reverse mode with a tape (nabla-tape). Both need the same knowledge of every elementary
//! function: its value, its first and second derivatives, and what happens at the edges
//! (`sqrt` at 0, `0.powf(c)`, `tanh` of a large argument, `abs` and `atan2` at 0). This crate
//! holds that knowledge once, so that the two modes cannot disagree on a rule, and so that a
//! fix or a new function is made in one place.
//!
//! A mode describes its numbers through [`Differentiable`]: their value, how to make a
//! constant, and how to apply a function's local derivatives (forward mode multiplies them
//! into the derivative parts it carries; reverse mode records them for its backward sweep).
//! Each rule in [`rules`] is a generic function over that trait, and
//! [`differentiable_number!`] turns a `Differentiable` type into a complete number: the
//! elementary functions as inherent methods, the operators, and the `num_traits` and
//! nalgebra traits (`Float`, `RealField`, `ComplexField`, `SimdValue`, ...) that let generic
//! code and `DMatrix` differentiate unchanged.
//!
//! Users of nabla do not need this crate: nabla-dual and nabla-tape re-export [`Real`] and
//! [`Primitive`], the traits that their generic bounds name.
//!
//! ```
//! use nabla_rules::rules;
//! # use nabla_rules::Differentiable;
//! # use std::ops::{Add, Mul, Neg, Sub};
//! // The smallest mode: a value with one derivative, for the example.
//! #[derive(Clone, Copy, Debug, PartialEq)]
//! struct D(f64, f64);
//! # impl Neg for D { type Output = D; fn neg(self) -> D { D(-self.0, -self.1) } }
//! # impl Add for D { type Output = D; fn add(self, o: D) -> D { D(self.0 + o.0, self.1 + o.1) } }
//! # impl Sub for D { type Output = D; fn sub(self, o: D) -> D { D(self.0 - o.0, self.1 - o.1) } }
//! # impl Mul for D { type Output = D; fn mul(self, o: D) -> D { D(self.0 * o.0, self.1 * o.0 + self.0 * o.1) } }
//! impl Differentiable for D {
//!     type Value = f64;
//!     fn value(&self) -> f64 { self.0 }
//!     fn constant(v: f64) -> D { D(v, 0.0) }
//!     fn is_constant(&self) -> bool { self.1 == 0.0 }
//!     fn with_value(self, v: f64) -> D { D(v, self.1) }
//!     fn scale(self, v: f64, k: f64) -> D { D(v, self.1 * k) }
//!     fn chain(self, v: f64, d1: f64, _d2: impl FnOnce() -> f64) -> D { D(v, self.1 * d1) }
//!     fn chain2(self, o: D, v: f64, fx: f64, fy: f64, _: impl FnOnce() -> [f64; 3]) -> D {
//!         D(v, self.1 * fx + o.1 * fy)
//!     }
//! }
//!
//! // d/dx tanh(x) at 800: 1 - tanh² = 0, not NaN from cosh overflowing.
//! assert_eq!(rules::tanh(D(800.0, 1.0)), D(1.0, 0.0));
//! // d/dx atan2(x, x) at the origin: 0 by convention.
//! assert_eq!(rules::atan2(D(0.0, 1.0), D(0.0, 1.0)).1, 0.0);
//! ```

mod differentiable;
mod number;
mod real;
pub mod rules;

pub use differentiable::Differentiable;
pub use real::{Primitive, Real};

/// The crates that [`differentiable_number!`]'s expansion names, so that a crate invoking it
/// needs no direct dependency on them. Not API.
#[doc(hidden)]
pub mod __private {
    pub use approx;
    pub use num_traits;
    pub use simba;
}

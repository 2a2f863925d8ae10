//! # nabla-dual: exact derivatives by dual numbers
//!
//! A dual number is a value with a derivative attached: `a + b ε`, where `ε` is an
//! infinitesimal with `ε² = 0`. Arithmetic on dual numbers is ordinary arithmetic with that
//! one rule, and it carries the chain rule along by itself:
//! `(a + b ε)(c + d ε) = ac + (ad + bc) ε` is the product rule, and
//! `f(a + b ε) = f(a) + f'(a) b ε` for every elementary function. So a function written once,
//! generic over its scalar type, evaluated at `Dual::variable(x)` returns `f(x)` together
//! with the exact `f'(x)`: no step size, no truncation error, roughly twice the cost of the
//! plain evaluation. This is forward-mode automatic differentiation.
//!
//! ```
//! use nabla_dual::{Dual64, derivative};
//!
//! // Any code generic over num_traits::Float (or nalgebra's RealField) works unchanged.
//! fn f<S: num_traits::Float>(x: S) -> S {
//!     x.sin() * x.exp() / (S::one() + x * x)
//! }
//!
//! let x = 0.7;
//! let y = f(Dual64::variable(x));
//! let exact = (x.cos() * x.exp() + x.sin() * x.exp()) / (1.0 + x * x)
//!     - x.sin() * x.exp() * 2.0 * x / ((1.0 + x * x) * (1.0 + x * x));
//! assert!((y.eps() - exact).abs() < 1e-15);
//! assert_eq!(derivative(f, x).1, y.eps());
//! ```
//!
//! ## The types
//!
//! All three are aliases of one generic [`DualNumber<T, E>`]: a value of type `T` and a
//! derivative part of shape `E`. Every operator and elementary function is written once, as
//! a value and its first two derivatives handed to the shape's chain rule (the sealed
//! `Tangent` trait). The rules themselves (the derivatives and the conventions below) are
//! nabla-rules', the same that reverse mode (nabla-tape) records, so the two modes give the
//! same numbers.
//!
//! - [`Dual<T>`] ([`Dual64`] for `Dual<f64>`): one derivative. One pass per input direction.
//! - [`DualVec<T, N>`] (`DualVec64<N>`): `N` partial derivatives on the stack, so a gradient
//!   or a Jacobian of `n` inputs takes `ceil(n / N)` passes ([`gradient_chunked`],
//!   [`jacobian_chunked`]) instead of `n` ([`gradient`], [`jacobian`]).
//! - [`HyperDual<T>`]: `ε₁`, `ε₂` and `ε₁ε₂` parts, for exact second derivatives and
//!   Hessians ([`second_derivative`], [`hessian`]).
//!
//! `T` is `f32`, `f64` or itself a dual number: `Dual<Dual64>` nests, and the two levels
//! never confuse their perturbations (see the nesting test in `tests/`).
//!
//! Each type implements `num_traits::Float` (and `Zero`, `One`, `Num`, `NumCast`,
//! `FromPrimitive`, `ToPrimitive`, `FloatConst`, `Signed`, `Bounded`) and nalgebra's
//! `RealField`/`ComplexField`, so `DMatrix<Dual64>` products and `SVector<DualVec64<8>, 3>`
//! arithmetic differentiate nalgebra code as it is. Arithmetic with a plain `f32`/`f64` works
//! on either side (`2.0 * x`, `x / 3.0`). The elementary functions are also inherent
//! methods, so `x.exp()` needs no trait import and is never ambiguous.
//!
//! ## Conventions at the edges
//!
//! - Comparisons (`==`, `<`, `min`, `max`, the `approx` traits) look at the value only.
//! - A derivative component that is exactly zero stays zero when multiplied by an infinite
//!   factor ([`Real::strong_mul`]): a constant times infinity, or `sqrt` of a constant 0,
//!   gives a zero derivative, not NaN.
//! - `sqrt(0)` and `cbrt(0)` have derivative `+∞`; `powi(x, 0)` and `x.powf(0)` are 1 with
//!   derivative 0 at every `x`, 0 included; `0.powf(c)` keeps its float value.
//! - `x.powf(y)` takes `ln x` only when `y` carries a derivative.
//! - `tanh` uses `1 - tanh²`, finite for any argument.
//! - `abs` has derivative 0 at 0; `signum`, `floor`, `ceil`, `round`, `trunc` have derivative
//!   0 everywhere; `atan2` and `hypot` have derivative 0 at the origin.
//! - Division uses the quotient rule: the value is `a / b` exactly.
//!
//! ## Generic code over `RealField`
//!
//! With `T: RealField + Copy`, methods such as `x.abs()` resolve to nalgebra's, but a float
//! literal is not a `T`, and `RealField` has no `NumCast`, so `T::from(1.5)` does not exist
//! either: convert constants with `nalgebra::convert`. Bound `T` by both `RealField` and
//! `num_traits::Float` (to call code written for either) and every method the two traits
//! share, `abs`, `sqrt`, `exp`, `max`, `powi` and the rest, is ambiguous:
//!
//! ```compile_fail,E0034
//! fn magnitude<T: nalgebra::RealField + num_traits::Float + Copy>(r: T) -> T {
//!     r.abs() // error[E0034]: multiple applicable items in scope
//! }
//! ```
//!
//! Name the trait (`ComplexField::abs(r)` or `Float::abs(r)`), and convert constants once:
//!
//! ```
//! use nabla_dual::{Dual64, derivative};
//! use nalgebra::{ComplexField, RealField};
//! use num_traits::Float;
//!
//! fn huber<T: RealField + Float + Copy>(r: T) -> T {
//!     let delta: T = nalgebra::convert(1.5);
//!     let a = ComplexField::abs(r);
//!     if a <= delta { r * r / nalgebra::convert(2.0) } else { delta * (a - delta / nalgebra::convert(2.0)) }
//! }
//!
//! assert_eq!(derivative(huber::<Dual64>, 3.0), (3.375, 1.5));
//! assert_eq!(derivative(huber::<Dual64>, -1.0), (0.5, -1.0));
//! ```
//!
//! With `num_traits::Float` bounds alone, `x.abs()` is unambiguous and `T::from(1.5).unwrap()` makes
//! a constant. On the dual types themselves every elementary function is an inherent method,
//! never ambiguous.
//!
//! ## Speed
//!
//! The arithmetic is `#[inline(always)]`, so that it compiles into the caller's function: a
//! `DualVec<f64, 16>` is 136 bytes, and left out of line, every operation copied its operands
//! and result through the stack (Rosenbrock's gradient at n = 1000 with `N` = 16 took 3.8x
//! longer). [`DEFAULT_CHUNK`] gives the measured chunk size and says how to let the partial
//! loops use AVX2 or AVX-512 (build the caller for the machine: the loops vectorize for the
//! instruction set the caller's function is compiled with).
//!
//! ## Features
//!
//! - `serde`: `Serialize`/`Deserialize` for the dual types (`DualVec` for `N <= 32`, the
//!   array sizes serde supports).

// docs.rs marks what each feature adds (see `[package.metadata.docs.rs]`).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod derivative;
mod gradient;
mod hessian;
mod jacobian;
mod number;
mod ops;
mod passes;
mod rules;
mod tangent;

pub use derivative::{derivative, second_derivative};
pub use gradient::{DEFAULT_CHUNK, gradient, gradient_chunked};
pub use hessian::hessian;
pub use jacobian::{jacobian, jacobian_chunked};
pub use nabla_rules::Real;
pub use number::{Dual, Dual64, DualNumber, DualVec, DualVec64, HyperDual, HyperDual64};

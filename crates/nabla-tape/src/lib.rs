//! # nabla-tape: gradients by one backward sweep
//!
//! Reverse-mode automatic differentiation. A function evaluated on [`Var`] numbers records
//! every operation it performs on a tape: for each, the indices of its operands and the
//! local partial derivatives (`∂(a·b)/∂a = b`, `∂ sin a/∂a = cos a`). One walk backwards over
//! the tape then multiplies and adds those partials by the chain rule and delivers the
//! derivative of the output with respect to every input at once. This is backpropagation
//! done by the computer: the gradient costs a small constant times one evaluation of the
//! function, however many inputs it has (the cheap-gradient principle; Griewank and Walther,
//! *Evaluating Derivatives*, 2nd ed., 2008), where forward mode (nabla-dual) needs one pass
//! per input direction and finite differences two evaluations per input.
//!
//! ```
//! use nabla_tape::{Var, gradient};
//!
//! // Any code generic over num_traits::Float (or nalgebra's RealField) works unchanged.
//! fn f<S: num_traits::Float>(x: &[S]) -> S {
//!     x.iter().fold(S::zero(), |acc, &v| acc + v.sin() * v.exp())
//! }
//!
//! let x = [0.5_f64, -1.0, 2.0];
//! let (value, grad) = gradient(f, &x);
//! assert_eq!(value, f(&x));
//! for (g, v) in grad.iter().zip(x) {
//!     assert!((g - (v.cos() + v.sin()) * v.exp()).abs() < 1e-15);
//! }
//! ```
//!
//! ## The tape
//!
//! The tape is a Wengert list: one flat array per thread and scalar type, appended to by
//! every recorded operation, walked backwards once per sweep. An entry is two `u32` operand
//! indices and two partials: **24 bytes per recorded operation in `f64`** (16 in `f32`),
//! plus one adjoint (8 bytes) per entry during a sweep. Its storage is kept between
//! recordings, so a thread that has computed one gradient computes the next without
//! allocating for the tape ([`tape_reserved_bytes`], [`release_tape`]).
//!
//! - **Constants are not recorded.** A number built from constants alone is a constant; an
//!   operation with one recorded operand records one entry with one partial; adding or
//!   subtracting a constant records nothing (the result shares its operand's entry, since
//!   the derivative is the same); an operation whose partial is exactly zero records nothing
//!   either, and one whose partial is exactly 1 (`x * 1`, as in nalgebra's `alpha = 1`
//!   products) shares its operand's entry. `mul_add` with a constant factor is one entry.
//! - **`Var` is `Copy + 'static`**: a value (8 bytes in `f64`), its entry index and the
//!   generation of its recording (16 bytes in all), no borrow of the tape. That is what lets
//!   it be nalgebra's scalar (`ComplexField` requires `'static`) and flow through any generic
//!   code. The price is a per-thread tape: each thread records independently, and a
//!   [`Recording`] cannot cross threads.
//! - **Misuse is a panic that names it**, never a wrong gradient. Every recording has a
//!   generation number unique in the process; a `Var` of a finished recording, of another
//!   thread, or of an enclosing recording used inside a nested one is caught at its first
//!   use.
//!
//! ## The drivers
//!
//! Named as nabla-dual's: [`derivative`], [`gradient`] (one recording, one sweep), [`vjp`]
//! (vector-Jacobian product, one sweep), [`jacobian`] (one recording, one sweep per output),
//! and with the `dual` feature [`hessian_vector_product`] (exact, forward over reverse: the
//! tape records nabla-dual's `Dual64`) and [`hessian`] (`n` of those). [`Recording`] is the
//! layer underneath, for several sweeps over one recording or derivatives with respect to
//! numbers created along the way.
//!
//! ## Nesting and threads
//!
//! Recordings on a thread nest like a stack. A `gradient` called inside the function of
//! another `gradient` works when the inner function has its own variables (its result is a
//! plain number, a constant to the outer recording). If the inner function uses a `Var` of
//! the outer recording, that is a panic: the inner driver returns plain numbers, so the outer
//! derivative through them would silently be lost. For derivatives of derivatives use
//! [`hessian_vector_product`]. Different threads record on different tapes and never meet
//! (rayon's workers each compute their own gradients).
//!
//! ## Conventions at the edges
//!
//! The same as nabla-dual's, so that forward and reverse mode give the same numbers:
//!
//! - Comparisons (`==`, `<`, `min`, `max`, the `approx` traits) look at the value only.
//! - A zero adjoint passes nothing, even through an infinite or NaN partial (`sqrt` at 0 that
//!   the output does not use, a constant times infinity): zero, not NaN. An exactly-zero
//!   partial is not recorded at all, so `sqrt` of a constant 0 is a constant.
//! - `sqrt(0)` and `cbrt(0)` have derivative `+∞`; `powi(x, 0)` and `x.powf(0)` are 1 with
//!   derivative 0 at every `x`, 0 included; `0.powf(c)` keeps its float value.
//! - `x.powf(y)` takes `ln x` only when `y` is recorded.
//! - `tanh` uses `1 - tanh²`, finite for any argument (`tanh(800)`: value 1, derivative 0).
//! - `abs` has derivative 0 at 0; `signum`, `floor`, `ceil`, `round`, `trunc` are constants;
//!   `atan2` and `hypot` have derivative 0 at the origin.
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
//! use nalgebra::{ComplexField, RealField};
//! use num_traits::Float;
//!
//! fn huber<T: RealField + Float + Copy>(r: T) -> T {
//!     let delta: T = nalgebra::convert(1.5);
//!     let a = ComplexField::abs(r);
//!     if a <= delta { r * r / nalgebra::convert(2.0) } else { delta * (a - delta / nalgebra::convert(2.0)) }
//! }
//!
//! let (_, g) = nabla_tape::gradient(|r| huber(r[0]), &[3.0]);
//! assert_eq!(g, vec![1.5]);
//! let (_, g) = nabla_tape::gradient(|r| huber(r[0]), &[-1.0]);
//! assert_eq!(g, vec![-1.0]);
//! ```
//!
//! With `num_traits::Float` bounds alone, `x.abs()` is unambiguous and `T::from(1.5).unwrap()` makes
//! a constant. On `Var` itself every elementary function is an inherent method, never
//! ambiguous.
//!
//! ## Features
//!
//! - `dual`: the tape also records nabla-dual's `Dual32` and `Dual64`, for
//!   [`hessian_vector_product`] and [`hessian`].
//!
//! ## Cost
//!
//! `BENCHMARKS.md` at the workspace root compares, on the same functions, finite
//! differences, dual numbers and this tape against hand-written gradients
//! (`gradient/<function>/reverse/<n>`), and the recording with the plain evaluation
//! (`tape_overhead`).

// docs.rs marks what each feature adds (see `[package.metadata.docs.rs]`).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod functions;
mod gradient;
#[cfg(feature = "dual")]
mod hessian;
mod jacobian;
mod nalgebra_impls;
mod num_traits_impls;
mod ops;
mod recording;
mod scalar;
mod tape;
mod var;

pub use gradient::{derivative, gradient, vjp};
#[cfg(feature = "dual")]
pub use hessian::{hessian, hessian_vector_product};
pub use jacobian::jacobian;
pub use recording::{Recording, release_tape, tape_reserved_bytes};
pub use scalar::{Primitive, Scalar};
pub use var::{Var, Var32, Var64};

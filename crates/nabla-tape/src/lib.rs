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
//! The tape is a Wengert list: per thread and scalar type, one flat array of recorded scalar
//! operations, appended to by every operation and walked backwards once per sweep, and a
//! short list of blocks recorded at once (a batch of inputs, a rule). A scalar entry is two
//! `u32` operand slots and two partials: **24 bytes per recorded operation in `f64`** (16 in
//! `f32`); every recorded number (input, result, output of a rule) has one adjoint (8 bytes)
//! during a sweep. Its storage is kept between recordings, so a thread that has computed one
//! gradient computes the next without allocating for the tape ([`tape_reserved_bytes`],
//! [`release_tape`]). [`Recording::entries`], [`Recording::len`] and [`Recording::bytes`]
//! say what a recording holds.
//!
//! - **Constants are not recorded.** A number built from constants alone is a constant; an
//!   operation with one recorded operand records one entry with one partial; adding or
//!   subtracting a constant records nothing (the result shares its operand's entry, since
//!   the derivative is the same); an operation whose partial is exactly zero records nothing
//!   either, and one whose partial is exactly 1 (`x * 1`) shares its operand's entry.
//!   `mul_add` with a constant factor is one entry.
//! - **Inputs created together are one entry** ([`Recording::vars`]), however many.
//! - **`Var` is `Copy + 'static`**: a value (8 bytes in `f64`) and a 64-bit serial number
//!   (16 bytes in all), no borrow of the tape. That is what lets it be nalgebra's scalar
//!   (`ComplexField` requires `'static`) and flow through any generic code. The price is a
//!   per-thread tape: each thread records independently, and a [`Recording`] cannot cross
//!   threads.
//! - **Misuse is a panic that names it**, never a wrong gradient. Every recorded number has
//!   a serial number unique in the process and never reused (64 bits: 584 years at one
//!   number per nanosecond; were they ever used up, recording would panic rather than wrap).
//!   A recording accepts only its own numbers: a `Var` of a finished recording, of another
//!   thread, or of an enclosing recording used inside a nested one is caught at its first
//!   use, in every operation and whatever its partial (an operand is checked before a zero
//!   partial lets it drop out), in every rule and in every driver.
//!
//! ## Rules: whole operations as one entry
//!
//! Recording a matrix product scalar by scalar costs an entry per multiply-add; every
//! framework records it once and runs its backward as two matrix products (`C = A B`:
//! `Ā += C̄ Bᵀ`, `B̄ += Aᵀ C̄`). [`matmul`] does that (a constant factor is not recorded, and a
//! constant left factor that is mostly zeros, as a batch of MNIST images, is kept as its
//! non-zeros), as do [`affine`] (a dense layer `x w + 1 bᵀ`), [`constant_matmul`] and
//! [`constant_affine`] (a constant left factor given as plain numbers, never made `Var`s),
//! [`dot`] and [`sum`]. [`custom_rule`] records a user's own operation
//! with any number of inputs and outputs and its backward, the analogue of JAX's
//! `custom_vjp`, PyTorch's `autograd.Function` and ChainRules' `rrule`: compute the outputs
//! on plain numbers, capture what the backward needs, and the sweep calls it once. On the
//! book's network this takes one gradient from 890,061 entries to 5 (nabla-net's
//! `reverse_gradient`: its layers are `affine` rules, its sigmoid and loss custom rules).
//!
//! ```
//! use nabla_tape::{Recording, matmul, sum};
//! use nalgebra::DMatrix;
//!
//! // f(W) = Σ tanh(X W) for a constant X: one product, its tanh entries, one sum.
//! let x = DMatrix::from_fn(4, 3, |r, c| (r + c) as f64 * 0.1).map(nabla_tape::Var::constant);
//! let rec = Recording::<f64>::new();
//! let w = DMatrix::from_vec(3, 2, rec.vars(&[0.1, -0.2, 0.3, 0.4, -0.5, 0.6]));
//! let y = matmul(&x, &w).map(|v| v.tanh());
//! let f = sum(y.as_slice());
//! let g = rec.gradient(f, w.as_slice());
//! // ∂f/∂W[j, k] = Σ_r X[r, j] (1 - y[r, k]²)
//! let want = |j: usize, k: usize| (0..4).map(|r| x[(r, j)].value() * (1.0 - y[(r, k)].value().powi(2))).sum::<f64>();
//! assert!((g[0] - want(0, 0)).abs() < 1e-15 && (g[5] - want(2, 1)).abs() < 1e-15);
//! assert_eq!(rec.entries(), 1 + 1 + 8 + 1); // inputs, product, 8 tanh, sum
//! ```
//!
//! ## The drivers
//!
//! Named as nabla-dual's: [`derivative`], [`gradient`] (one recording, one sweep), [`vjp`]
//! (vector-Jacobian product, one sweep), [`jacobian`] (one recording, one sweep per output),
//! and with the `dual` feature [`second_derivative`], [`hessian_vector_product`] (exact,
//! forward over reverse: the tape records nabla-dual's `Dual64`) and [`hessian`] (`n` of
//! those). [`Recording`] is the layer underneath, for several sweeps over one recording or
//! derivatives with respect to numbers created along the way.
//!
//! ## Nesting, second order and threads
//!
//! Recordings on a thread nest like a stack. A `gradient` called inside the function of
//! another `gradient` works when the inner function has its own variables (its result is a
//! plain number, a constant to the outer recording). If the inner function uses a `Var` of
//! the outer recording, that is a panic: the inner driver returns plain numbers, so the outer
//! derivative through them would silently be lost (Siskind and Pearlmutter's perturbation
//! confusion, made impossible rather than answered wrongly):
//!
//! ```should_panic
//! // d/dx [x · (d/dy (x y))(0)] would need the inner derivative (x) as a function of x.
//! nabla_tape::gradient(|x| {
//!     let outer = x[0];
//!     let (_, inner) = nabla_tape::gradient(|y| outer * y[0], &[0.0]);
//!     outer * inner[0]
//! }, &[3.0]); // panics: "a Var of an enclosing recording was used inside a nested one"
//! ```
//!
//! Derivatives of derivatives are forward over reverse: the tape records nabla-dual's dual
//! numbers, `Var<Dual64>`, whose value parts carry a directional derivative through the
//! recording and the sweep alike (feature `dual`). The perturbation example, `d/dx [x ·
//! (d/dy (x + y))(1)]` at `x = 1`, is 1: the inner derivative has its own variable and is the
//! constant 1, and the outer derivative of `x · 1` is 1, whichever way it is nested.
//!
//! ```
//! # #[cfg(feature = "dual")] {
//! use nabla_dual::Dual64;
//! use nabla_tape::{Var, derivative, second_derivative};
//!
//! let (_, d1, _) = second_derivative(|x: Var<Dual64>| {
//!     let (_, inner) = derivative(|y| y + 1.0, 1.0_f64); // d/dy (x + y) = 1
//!     x * inner
//! }, 1.0);
//! assert_eq!(d1, 1.0);
//!
//! // f(x) = x³ sin x: f'' by one recording on Var<Dual64> and one sweep.
//! let (_, _, d2) = second_derivative(|x| x.powi(3) * x.sin(), 0.5_f64);
//! let want = 6.0 * 0.5 * 0.5_f64.sin() + 6.0 * 0.25 * 0.5_f64.cos() - 0.125 * 0.5_f64.sin();
//! assert!((d2 - want).abs() < 1e-15);
//! # }
//! ```
//!
//! Rules stay exact under this nesting: [`matmul`], [`dot`], [`sum`] and a [`custom_rule`]
//! whose backward is written generically over the scalar run their backward in dual
//! arithmetic on `Var<Dual64>`, so a Hessian-vector product through them is exact (tested
//! against the scalar recording and against nabla-dual's Hessian).
//!
//! Different threads record on different tapes and never meet (rayon's workers each compute
//! their own gradients).
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
//! ## One set of rules for both modes
//!
//! The elementary functions (`sin`, `powf`, `atan2`, ...), their derivatives, their
//! conventions at the edges (`sqrt` and `powf` at 0, `abs` at 0, `max` on a tie) and the
//! `num_traits`/nalgebra trait impls of [`Var`] are nabla-rules', the same code that
//! nabla-dual's numbers run: a derivative taken here and one taken with a dual number come
//! from one formula.
//!
//! ## Features
//!
//! - `dual`: the tape also records nabla-dual's `Dual<f32>` and `Dual64`, for
//!   [`hessian_vector_product`] and [`hessian`].
//!
//! ## Cost
//!
//! nabla's [`BENCHMARKS.md`](https://docs.rs/crate/nabla-learn/latest/source/BENCHMARKS.md) (in the
//! nabla-learn package) compares, on the same functions, finite differences, dual numbers and
//! this tape against hand-written gradients (`gradient/<function>/reverse/<n>`), and the
//! recording with the plain evaluation (`tape_overhead`).

// docs.rs marks what each feature adds (see `[package.metadata.docs.rs]`).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod gradient;
#[cfg(feature = "dual")]
mod hessian;
mod jacobian;
mod linalg;
mod ops;
mod recording;
mod rule;
mod rules;
mod scalar;
mod tape;
mod var;

pub use gradient::{derivative, gradient, vjp};
#[cfg(feature = "dual")]
pub use hessian::{hessian, hessian_vector_product, second_derivative};
pub use jacobian::jacobian;
pub use linalg::{affine, constant_affine, constant_matmul, dot, matmul, sum};
pub use recording::{Recording, release_tape, tape_reserved_bytes};
pub use rule::{Rule, custom_rule};
pub use scalar::Scalar;
pub use var::{Var, Var64};

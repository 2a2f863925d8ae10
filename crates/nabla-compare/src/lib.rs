//! # nabla-compare: every way to differentiate your function, side by side
//!
//! There are five ways to get the derivative of a function a program computes. Finite
//! differences nudge each input and divide ([`Method::CentralFd`] and its cousins); Richardson
//! extrapolation does that at shrinking steps and extrapolates to a step of zero, with an error
//! estimate ([`Method::Richardson`]); dual numbers carry the derivative through every
//! operation, one input per pass or a chunk of them ([`Method::Dual`], [`Method::DualVec16`]);
//! reverse mode records the operations on a tape and sweeps it backwards once for all inputs
//! ([`Method::Reverse`]); and a person can work the derivative out by hand
//! ([`Method::Analytic`]). They differ in what they cost, in how right they are, and in what
//! goes wrong: a step too large or too small, a rule missing from a dual type, a
//! hand-written gradient with a sign error.
//!
//! This crate runs all of them on **your** function and puts the answers side by side. You
//! write the function once, generic over its scalar ([`Function`] for `R^n -> R`,
//! [`ScalarFunction`] for `R -> R`, [`VectorFunction`] for `R^n -> R^m`); every method
//! evaluates it in its own number type: `f64` for finite differences, nabla-dual's
//! `Dual64`/`DualVec64<N>`, nabla-tape's `Var<f64>`. Then
//!
//! * [`compare`] (or [`Compare::run`] with settings) returns a [`Report`]: per method the
//!   derivative, its error against the consensus of the exact methods (which must agree with
//!   each other, and the report says so when they do not), the time per call (repeated until
//!   the median is stable), the evaluations, passes and memory it took, and which method is
//!   fastest among those accurate enough. `Display` prints an aligned table; serde gives JSON.
//! * `Compare::bench` (feature `criterion`) registers one criterion benchmark per method and
//!   size, with ids `<group>/<method>/<n>`.
//! * `Compare::check` (feature `proptest`) is a property test: over points drawn from your
//!   strategy, the exact methods agree to a relative tolerance and every finite-difference
//!   method stays within its truncation and rounding bound; a failure is shrunk to a small
//!   counterexample that names the method and the element.
//!
//! With the feature `peers`, the peer crates finitediff and num-dual join as methods of their
//! own ([`Method::FinitediffCentral`], [`Method::NumDual`]).
//!
//! ## From nothing to the full table
//!
//! A function nabla has never seen, the log-likelihood of a logistic regression on three
//! made-up observations, with its hand-written gradient:
//!
//! ```
//! use nabla_compare::{compare, Function, Method, Number};
//!
//! /// `sum_k y_k ln s(a_k . w) + (1 - y_k) ln(1 - s(a_k . w))`, `s` the logistic sigmoid.
//! struct LogLikelihood {
//!     a: Vec<[f64; 2]>,
//!     y: Vec<f64>,
//! }
//!
//! impl Function for LogLikelihood {
//!     fn eval<S: Number>(&self, w: &[S]) -> S {
//!         let mut sum = S::zero();
//!         for (a, &y) in self.a.iter().zip(&self.y) {
//!             let z = w[0] * a[0] + w[1] * a[1];
//!             // ln s(z) = -ln(1 + e^-z), ln(1 - s(z)) = -z - ln(1 + e^-z)
//!             let log1pexp = (-z).exp().ln_1p();
//!             sum += z * (y - 1.0) - log1pexp;
//!         }
//!         sum
//!     }
//!
//!     fn gradient(&self, w: &[f64]) -> Option<Vec<f64>> {
//!         let mut g = vec![0.0; 2];
//!         for (a, &y) in self.a.iter().zip(&self.y) {
//!             let s = 1.0 / (1.0 + (-(w[0] * a[0] + w[1] * a[1])).exp());
//!             g[0] += (y - s) * a[0];
//!             g[1] += (y - s) * a[1];
//!         }
//!         Some(g)
//!     }
//! }
//!
//! let f = LogLikelihood { a: vec![[1.0, 2.0], [-0.5, 1.0], [2.0, -1.5]], y: vec![1.0, 0.0, 1.0] };
//! let report = compare(&f, &[0.3, -0.2]);
//! println!("{report}");
//!
//! assert!(report.exact_agree()); // dual, dual_vec16, reverse and analytic agree
//! assert!(report.row(Method::CentralFd).unwrap().error.unwrap() < 1e-9);
//! assert!(report.row(Method::Richardson).unwrap().error.unwrap() < 1e-12);
//! # assert!(report.fastest.is_some());
//! ```
//!
//! prints (times from one machine)
//!
//! ```text
//! LogLikelihood (gradient, n = 2): f(x) = -2.116718e0
//! reference: the element-wise median of dual, dual_vec16, reverse, analytic
//! method         derivative[0]    error  worst  estimate  time/call  spread  cost                        memory
//! forward_fd     1.013588e0 ...  1.4e-8      0         -     159 ns    0.3%  3 evaluations                 16 B
//! central_fd     1.013588e0 ...  3.5e-11     1         -     203 ns    0.4%  4 evaluations                 16 B
//! ...
//! reverse        1.013588e0 ...  0           -         -     452 ns    0.8%  1 recording, 1 sweep, 40 ops  4.2 kB
//! analytic       1.013588e0 ...  1.1e-16     0         -    59.9 ns    0.5%  1 call                          -
//! fastest within 1.0e-6: analytic (59.9 ns per call)
//! ```
//!
//! ## Writing the function
//!
//! [`Number`] is nalgebra's `RealField` (what nabla-loss and nabla-net are written against,
//! so their losses and networks can be called inside) plus arithmetic with `f64` constants
//! on the right. Write `x * 100.0` rather than lifting 100 into `S`: a dual number then
//! scales its derivative part instead of running the product rule over zero partials. Data
//! the function needs (targets, a batch) lives in `self`, in `f64`; lift it with
//! `S::from_subset(&v)` (or `nalgebra::convert`) where it meets the inputs.
//!
//! ## What the numbers mean
//!
//! Errors are normwise relative to the reference, `max_i |d_i - r_i| / max_i |r_i|`, with the
//! element where the largest difference is. The reference is the element-wise median of the
//! exact methods, so one wrong exact method (a hand-written gradient with a bug) cannot move
//! it while two others agree. Times are medians of samples of repeated calls, with the
//! quartiles as the spread; a method's first call is not timed. Evaluations are counted for
//! the finite-difference methods (Richardson's depend on the function), passes are
//! `ceil(n / chunk)` for forward mode, and reverse mode reports the operations recorded and
//! the bytes its tape reserved.

// docs.rs marks what each feature adds (see `[package.metadata.docs.rs]`).
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "criterion")]
mod bench;
mod check;
mod compare;
mod engine;
mod function;
pub mod functions;
mod method;
mod report;
mod timing;

pub use compare::{Compare, compare};
pub use engine::AnyFunction;
// Public only because a caller's code has these markers as inferred type arguments (of
// `AnyFunction<M>`), which Rust requires to be reachable; no caller writes one.
#[doc(hidden)]
pub use engine::marker;
pub use function::{Function, Number, ScalarFunction, VectorFunction};
pub use method::{Method, UnknownMethod};
pub use report::Report;

/// The parts of a [`Report`]: its rows (one method's result), what each cost and how long it
/// took, and the shape of the derivative. A caller reads them through the report's fields; it
/// names them only to keep or pass one on, so they live here rather than at the crate root.
pub mod outcome {
    pub use crate::engine::{Cost, Shape};
    pub use crate::report::Row;
    pub use crate::timing::Timing;
}

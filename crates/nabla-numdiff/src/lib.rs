//! # nabla-numdiff: finite differences done right
//!
//! Chapter 4 of *Deep Learning from Scratch* differentiates numerically: nudge `x` by
//! `h = 1e-4` on both sides and divide, `(f(x+h) - f(x-h)) / 2h`. Do that for every element
//! of a parameter array and you have the gradient; follow it downhill and you have gradient
//! descent. This crate does exactly that, bit for bit ([`Options::book`]), and then what the
//! best tools do on top.
//!
//! **The step.** A finite difference makes two errors: truncation, which shrinks with `h`
//! (`h^2/6 |f'''|` for central differences), and rounding, which grows as `h` shrinks
//! (`eps |f| / h`: the two values of `f` agree in more and more digits and their difference
//! is noise). The sum is smallest at `h ~ cbrt(eps)` for central differences and
//! `h ~ sqrt(eps)` for one-sided ones, scaled with `max(1, |x|)`; that is [`Step::Auto`], the
//! default, which also divides by the step that is really representable, `(x + h) - x`. The
//! book's `h = 1e-50` is the other extreme: `x + h == x` and the derivative comes out as 0.
//! [`Scheme`] tabulates both errors and the best step of every scheme.
//!
//! **The schemes.** [`Scheme::Forward`], [`Scheme::Backward`], [`Scheme::Central`] and the
//! fourth-order [`Scheme::FivePoint`]; [`second_derivative`], the three-point second
//! difference with its own step `eps^(1/4) max(1, |x|)`; and [`richardson`], which
//! extrapolates central differences at shrinking steps to `h -> 0` and returns the value with an
//! error estimate ([`Estimate`](outcome::Estimate)), reaching `1e-13` relative in `f64`; [`richardson_gradient`]
//! and [`richardson_jacobian`] do it for every parameter (and every output) and return the
//! per-element estimates ([`GradientEstimate`](outcome::GradientEstimate),
//! [`JacobianEstimate`](outcome::JacobianEstimate)). The estimate is made to
//! bound the real error (successive estimates must agree, never below the rounding floor); the
//! automatic first step grows from `0.1` only while the estimate improves, so that it does not
//! step over a function's features at large `|x|`, and shrinks from `0.1` while the
//! differences do not converge at order `h^2`, so that it does not straddle a kink or a pole
//! near `x`. [`richardson`] says exactly when the estimate can be trusted.
//!
//! **The containers.** Every driver is written once against [`Params`], a trait for "a flat
//! set of scalars I can read and write one at a time", implemented for slices, arrays,
//! `Vec`s and every nalgebra matrix, and easy to implement for a struct of several matrices
//! (a network). [`gradient`] nudges each element in place, calls `f(&params)`, and restores
//! the element bit-exactly. [`jacobian`], [`hessian`], [`hessian_from_gradient`],
//! [`hessian_vector_product`] and [`directional_derivative`] work the same way, and
//! `par_gradient` (feature `rayon`) gives the same numbers in parallel.
//!
//! **Failures.** A function that is not finite at a probed point is an [`Error`] that says
//! which parameter was set to what, never a silently wrong number.
//!
//! **Checks.** [`check_gradient`] compares an analytic gradient with a numerical one and
//! reports the worst element; its pass rule (see [`GradientCheck`]) cannot be fooled by a
//! gradient that is wrong but tiny. [`check_gradient_directions`] does the same along `k`
//! random directions at `2k` evaluations.
//!
//! Everything is generic over [`num_traits::Float`], so `f32` and `f64` share one code path.
//!
//! ```
//! use nabla_numdiff::{derivative, gradient, gradient_descent, GradientDescent, Options};
//!
//! // The book's numbers, exactly.
//! let f = |x: f64| 0.01 * x * x + 0.1 * x;
//! assert_eq!(derivative(f, 5.0, Options::book())?, 0.1999999999990898);
//!
//! let mut x = [3.0, 4.0];
//! let g = gradient(&mut x, |x| x[0] * x[0] + x[1] * x[1], Options::book())?;
//! assert_eq!(g, [6.00000000000378, 7.999999999999119]);
//!
//! // The default step is far more accurate than the book's h = 1e-4.
//! let d = derivative(f64::exp, 1.0, Options::default())?;
//! assert!((d / 1f64.exp() - 1.0).abs() < 1e-10);
//!
//! let end = gradient_descent(|x| x[0] * x[0] + x[1] * x[1], &[-3.0f64, 4.0], &GradientDescent::new(0.1, 100))?;
//! assert!(end.x.iter().all(|v| v.abs() < 1e-9));
//! # Ok::<(), nabla_numdiff::Error>(())
//! ```

// docs.rs marks what each feature adds (see `[package.metadata.docs.rs]`).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod check;
mod derivative;
mod descent;
mod directional;
mod error;
mod gradient;
mod hessian;
mod jacobian;
mod options;
#[cfg(feature = "rayon")]
mod parallel;
mod params;
mod richardson;
mod richardson_gradient;
mod richardson_jacobian;
mod stencil;
mod tableau;

pub use check::{GradientCheck, check_gradient, check_gradient_directions};
pub use derivative::{derivative, second_derivative};
pub use descent::{GradientDescent, gradient_descent};
pub use directional::directional_derivative;
pub use error::Error;
pub use gradient::{gradient, gradient_at};
pub use hessian::{hessian, hessian_from_gradient, hessian_vector_product};
pub use jacobian::jacobian;
pub use options::{Options, Scheme, Step};
#[cfg(feature = "rayon")]
pub use parallel::par_gradient;
pub use params::Params;
pub use richardson::{Richardson, richardson};
pub use richardson_gradient::richardson_gradient;
pub use richardson_jacobian::richardson_jacobian;

/// What the drivers return beyond a number or a vector: a value with its error estimate, a
/// gradient check's report, the end of a descent. A caller reads their fields; it names the
/// types only to store or pass one on, so they live here rather than at the crate root.
pub mod outcome {
    pub use crate::check::{CheckReport, Mismatch};
    pub use crate::descent::Descent;
    pub use crate::richardson::Estimate;
    pub use crate::richardson_gradient::GradientEstimate;
    pub use crate::richardson_jacobian::JacobianEstimate;
}

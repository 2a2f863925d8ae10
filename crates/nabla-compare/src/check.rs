//! The property: exact methods agree, finite differences stay within their error bounds.
//!
//! For one element `(o, i)` (output `o`, input `i`) and a scheme with step `h`, the bound is
//! nabla-numdiff's error model ([`Scheme::error_bound`], [`Richardson::error_bound`]) with
//!
//! * the truncation's derivative bound `M_k`: the largest `|d^k f_o / d x_i^k|` at five
//!   points spread over the stencil (nine over Richardson's wider ones), computed exactly by
//!   nested dual numbers (`k` = 2, 3 or 5);
//! * the rounding of one evaluation `E`: the larger of a model, `(n + 8) eps F_o` with
//!   `F_o = max |f_o| + sum_j |x_j| |df_o/dx_j|` over the stencil (the size of the value and
//!   what rounding the inputs by `eps` can do to it, for `n + 8` roundings in a row), and
//!   the noise measured in `f`'s values next to `x` (see `probe::noise`), which catches terms
//!   that cancel to far below their size (a saturated softmax);
//!
//! plus `16 eps |df_o/dx_i|` for the difference quotient's own rounding, all times 2. These
//! are the bounds of `tests/gradients_agree/` made generic; the samples of `M_k` find the
//! largest derivative when the stencil is not much wider than the function's features.
//!
//! The exact methods agree when every element is within the exact tolerance of their
//! median, relative to the largest element of the median or, where larger, to the size of
//! the terms the element sums, estimated from the noise as `E / (eps max(1, |x_i|))`: a
//! gradient that is near 0 only because its terms cancel is compared at the size of the
//! terms, as two correct evaluations in a different order can only agree to that.

use nabla_numdiff::{Options, Richardson, Scheme};

use crate::compare::{Compare, median};
use crate::engine::private::Problem;
use crate::engine::{AnyFunction, Shape};
use crate::method::Method;
use probe::{derivative_at, largest_derivative, largest_value, noise};

mod probe;

/// Slack on every derived bound, for the constants the derivations round off.
const SAFETY: f64 = 2.0;

const EPS: f64 = f64::EPSILON;

/// The smallest step of a default Richardson run from the automatic first step: `0.1`
/// divided by `1.4` nine times (nabla-numdiff's `richardson`, ten levels).
const RICHARDSON_SMALLEST_STEP: f64 = 0.1 / 20.661_046_784;

/// What the exact methods found at a point: their median, the noise of `f` along each
/// coordinate (per output), and the largest difference of an exact method from the median.
struct Exact {
    reference: Vec<f64>,
    /// `df_o/dx_i` and `d^2 f_o/dx_i^2` at `x`, by coordinate `i` then output `o`.
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
    spread: f64,
}

/// Why a point does not pass: a mismatch to report, or a point to skip.
pub(crate) enum Verdict {
    /// `f` is not finite at the point: nothing to differentiate.
    Skip(String),
    /// A method is wrong there: which, where, by how much.
    Fail(String),
}

/// The stencil of a finite-difference method at `x_i`: its step, its reach (the farthest
/// probe in steps), the derivative order of its truncation and how it divides.
struct Stencil {
    scheme: Scheme,
    h: f64,
    reach: f64,
    /// finitediff divides by the nominal step, not the representable one.
    nominal: bool,
}

fn stencil(method: Method, xi: f64) -> Option<Stencil> {
    let (scheme, reach) = match method {
        Method::ForwardFd => (Scheme::Forward, 1.0),
        Method::CentralFd => (Scheme::Central, 1.0),
        Method::FivePointFd => (Scheme::FivePoint, 2.0),
        Method::FinitediffCentral => {
            return Some(Stencil {
                scheme: Scheme::Central,
                h: EPS.cbrt(),
                reach: 1.0,
                nominal: true,
            });
        }
        _ => return None,
    };
    Some(Stencil {
        scheme,
        h: Options::auto(scheme).step_at(xi),
        reach,
        nominal: false,
    })
}

impl Compare {
    /// Checks every method of these settings on `f` at `x`: the exact methods agree with
    /// their element-wise median to the [exact tolerance](Compare::exact_tolerance)
    /// (normwise relative), and every finite-difference method is within its truncation
    /// and rounding bound at every element: nabla-numdiff's error model
    /// ([`Scheme::error_bound`](nabla_numdiff::Scheme::error_bound),
    /// [`Richardson::error_bound`](nabla_numdiff::Richardson::error_bound)), with the higher
    /// derivatives it needs computed exactly by nested dual numbers and the function's
    /// rounding noise measured at the point.
    /// Nothing is timed.
    ///
    /// ```
    /// use nabla_compare::{Compare, Function, Number};
    ///
    /// struct Cubes;
    /// impl Function for Cubes {
    ///     fn eval<S: Number>(&self, x: &[S]) -> S {
    ///         x.iter().fold(S::zero(), |acc, &v| acc + v * v * v)
    ///     }
    ///     fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
    ///         Some(x.iter().map(|v| 2.0 * v * v).collect()) // wrong: 3 x^2
    ///     }
    /// }
    ///
    /// let err = Compare::new().check_at(&Cubes, &[0.5, 2.0]).unwrap_err();
    /// assert!(err.starts_with("analytic"), "{err}");
    /// assert!(err.contains("element 0: 5e-1 against their median 7.5e-1"), "{err}");
    /// ```
    ///
    /// # Errors
    ///
    /// The first mismatch found, naming the method, the element, both values and the bound;
    /// or that `f` is not finite at `x`.
    pub fn check_at<M, F: AnyFunction<M> + ?Sized>(&self, f: &F, x: &[f64]) -> Result<(), String> {
        match self.verdict(f, x) {
            Ok(()) => Ok(()),
            Err(Verdict::Skip(why) | Verdict::Fail(why)) => Err(why),
        }
    }

    /// [`check_at`](Compare::check_at), telling a point outside the domain from a mismatch.
    pub(crate) fn verdict<M, F: Problem<M> + ?Sized>(
        &self,
        f: &F,
        x: &[f64],
    ) -> Result<(), Verdict> {
        let value = f.values(x);
        if let Some(o) = value.iter().position(|v| !v.is_finite()) {
            return Err(Verdict::Skip(format!(
                "f is not finite at the point (output {o} is {})",
                value[o]
            )));
        }
        let point = x.to_vec();
        let methods = self.methods_for(f, x);
        let mut results = Vec::new();
        for &method in &methods {
            match f.run(method, &point) {
                Ok(raw) => results.push((method, raw.flatten().1)),
                Err(why) => return Err(Verdict::Fail(format!("{method} failed: {why}"))),
            }
        }
        let exact: Vec<&(Method, Vec<f64>)> =
            results.iter().filter(|(m, _)| m.is_exact()).collect();
        let reference = if exact.is_empty() {
            f.run(Method::Dual, &point)
                .map_err(Verdict::Fail)?
                .flatten()
                .1
        } else {
            median(&exact.iter().map(|(_, d)| d.as_slice()).collect::<Vec<_>>())
        };
        let n = x.len();
        let m = reference.len() / n.max(1);
        let first: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..m).map(|o| reference[o * n + i]).collect())
            .collect();
        let second: Vec<Vec<f64>> = (0..n).map(|i| derivative_at(f, x, i, 2, x[i])).collect();
        let central = |i: usize| Options::<f64>::default().step_at(x[i]);
        let noise: Vec<Vec<f64>> = (0..n)
            .map(|i| noise(f, x, i, central(i) / 4.0, &first[i], &second[i]))
            .collect();
        let size = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let mut spread = 0.0f64;
        for (method, d) in &exact {
            for (k, (a, r)) in d.iter().zip(&reference).enumerate() {
                // Relative to the largest element, or to the size of the terms an element
                // sums where the function's noise shows them larger (see the module docs).
                let (o, i) = (k / n.max(1), k % n.max(1));
                let terms = noise
                    .get(i)
                    .map_or(0.0, |v| v[o] / (EPS * x[i].abs().max(1.0)));
                let allowed = self.exact_tolerance * size.max(terms) + self.exact_absolute;
                let err = (a - r).abs();
                if err.is_nan() || err > allowed {
                    return Err(Verdict::Fail(format!(
                        "{method} disagrees with the exact methods at element {}: {a:e} against their median {r:e} \
                         (error {err:.2e} > {allowed:.2e})",
                        element::<M, F>(n, k)
                    )));
                }
                spread = spread.max(err);
            }
        }
        let exact = Exact {
            reference,
            first,
            second,
            spread,
        };
        for (method, d) in results.iter().filter(|(m, _)| m.is_finite_difference()) {
            self.within_bounds(f, x, *method, d, &exact)?;
        }
        Ok(())
    }

    /// Every element of a finite-difference method's derivative within its bound.
    fn within_bounds<M, F: Problem<M> + ?Sized>(
        &self,
        f: &F,
        x: &[f64],
        method: Method,
        d: &[f64],
        exact: &Exact,
    ) -> Result<(), Verdict> {
        let (reference, spread) = (&exact.reference, exact.spread);
        let n = x.len();
        if n == 0 {
            return Ok(());
        }
        let rounding = Rounding::new(x, reference);
        for i in 0..n {
            let bounds = if method == Method::Richardson {
                richardson_bounds(f, x, i, exact, &rounding)
            } else {
                let Some(s) = stencil(method, x[i]) else {
                    continue;
                };
                stencil_bounds(f, x, i, &s, exact, &rounding)
            };
            for (o, (bound, how)) in bounds.into_iter().enumerate() {
                let k = o * n + i;
                let allowed = SAFETY * (bound + 16.0 * EPS * reference[k].abs()) + 2.0 * spread;
                let err = (d[k] - reference[k]).abs();
                if err.is_nan() || err > allowed {
                    return Err(Verdict::Fail(format!(
                        "{method} is outside its error bound at element {}: {:e} against the exact {:e}, \
                         error {err:.2e} > bound {allowed:.2e} ({how})",
                        element::<M, F>(n, k),
                        d[k],
                        reference[k]
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The rounding a finite difference's probes carry at a point `x`, as
/// [`Rounding::error`] estimates it for each output.
struct Rounding {
    /// The operations a probe costs, roughly: `n + 8`.
    ops: f64,
    /// `sum_j |x_j| |df_o/dx_j|` for every output `o`.
    sensitivity: Vec<f64>,
}

impl Rounding {
    /// At `x`, with the exact derivative `reference` (row-major, `m x n`, `n >= 1`).
    fn new(x: &[f64], reference: &[f64]) -> Self {
        let n = x.len();
        let m = reference.len() / n;
        let sensitivity = (0..m)
            .map(|o| {
                (0..n)
                    .map(|j| x[j].abs() * reference[o * n + j].abs())
                    .sum()
            })
            .collect();
        Self {
            ops: (n + 8) as f64,
            sensitivity,
        }
    }

    /// The rounding error `E` of output `o`'s probes within `w` of `x_i`, where the largest
    /// value is `value` and the derivative `g`, or the `measured` noise if that is larger.
    fn error(&self, o: usize, value: f64, w: f64, g: f64, measured: f64) -> f64 {
        (self.ops * EPS * (value + self.sensitivity[o] + w * g.abs())).max(measured)
    }
}

/// Richardson's a-priori bound for every output along coordinate `i`, with how it was
/// reached.
fn richardson_bounds<M, F: Problem<M> + ?Sized>(
    f: &F,
    x: &[f64],
    i: usize,
    exact: &Exact,
    rounding: &Rounding,
) -> Vec<(f64, String)> {
    let (n, reference) = (x.len(), &exact.reference);
    let settings = Richardson::<f64>::default();
    let widest = 0.1 * x[i].abs().max(1.0);
    let values = largest_value(f, x, i, widest, 9);
    let measured = noise(
        f,
        x,
        i,
        RICHARDSON_SMALLEST_STEP / 4.0,
        &exact.first[i],
        &exact.second[i],
    );
    (0..rounding.sensitivity.len())
        .map(|o| {
            let g = reference[o * n + i];
            let e = rounding.error(o, values[o], widest, g, measured[o]);
            let fifth = |h0: f64| largest_derivative(f, x, i, 5, h0, 9)[o];
            let b = settings.error_bound(x[i], fifth, e);
            (
                b,
                format!("Richardson's a-priori bound with rounding E = {e:.2e}"),
            )
        })
        .collect()
}

/// A fixed stencil's truncation and rounding bound for every output along coordinate `i`,
/// with how it was reached.
fn stencil_bounds<M, F: Problem<M> + ?Sized>(
    f: &F,
    x: &[f64],
    i: usize,
    s: &Stencil,
    exact: &Exact,
    rounding: &Rounding,
) -> Vec<(f64, String)> {
    let (n, reference) = (x.len(), &exact.reference);
    let w = s.reach * s.h;
    let values = largest_value(f, x, i, w, 5);
    let top = largest_derivative(f, x, i, s.scheme.truncation_order(), w, 5);
    let measured = noise(f, x, i, w / 4.0, &exact.first[i], &exact.second[i]);
    (0..rounding.sensitivity.len())
        .map(|o| {
            let g = reference[o * n + i];
            let e = rounding.error(o, values[o], w, g, measured[o]);
            // Dividing by the nominal step when x + h is not representable: each
            // probe is off by up to eps |x| in its argument.
            let nominal = if s.nominal {
                EPS * x[i].abs() * g.abs() / s.h
            } else {
                0.0
            };
            let b = s.scheme.error_bound(s.h, top[o], e) + nominal;
            let k = s.scheme.truncation_order();
            (
                b,
                format!(
                    "step h = {:.2e}, |f^({k})| <= {:.2e}, rounding E = {e:.2e}",
                    s.h, top[o]
                ),
            )
        })
        .collect()
}

/// `i`, or `(o, i)` for a Jacobian, of flat element `k` of an `m x n` derivative.
fn element<M, F: Problem<M> + ?Sized>(n: usize, k: usize) -> String {
    match F::SHAPE {
        Shape::Jacobian if n > 0 => format!("({}, {})", k / n, k % n),
        _ => k.to_string(),
    }
}

#[cfg(feature = "proptest")]
mod property {
    use std::fmt::Debug;

    use proptest::strategy::Strategy;
    use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

    use super::Verdict;
    use crate::compare::Compare;
    use crate::engine::AnyFunction;

    impl Compare {
        /// A property test in one call: for points drawn from `points`, [`check_at`]
        /// holds. A failure is shrunk by proptest to a small counterexample, and the panic
        /// names the method, the element, both values, the bound and the point. Points where
        /// `f` is not finite are skipped (proptest rejects them).
        ///
        /// The number of cases is proptest's (`PROPTEST_CASES`, 256 by default); failing
        /// points are kept in `proptest-regressions/` beside the calling test file and
        /// replayed first, as with the `proptest!` macro.
        ///
        /// ```no_run
        /// use nabla_compare::{Compare, Function, Number};
        /// use proptest::collection::vec;
        ///
        /// struct Sphere;
        /// impl Function for Sphere {
        ///     fn eval<S: Number>(&self, x: &[S]) -> S {
        ///         x.iter().fold(S::zero(), |acc, &v| acc + v * v)
        ///     }
        /// }
        ///
        /// #[test]
        /// fn sphere_gradients_agree() {
        ///     Compare::new().check(&Sphere, vec(-10.0..10.0, 1..20));
        /// }
        /// ```
        ///
        /// [`check_at`]: Compare::check_at
        ///
        /// # Panics
        ///
        /// With the shrunk counterexample, when a point fails; when proptest gives up
        /// (too many points rejected).
        #[track_caller]
        pub fn check<M, F, S>(&self, f: &F, points: S)
        where
            F: AnyFunction<M> + ?Sized,
            S: Strategy,
            S::Value: AsRef<[f64]> + Debug,
        {
            let config = Config {
                source_file: Some(std::panic::Location::caller().file()),
                ..Config::default()
            };
            let mut runner = TestRunner::new(config);
            let outcome = runner.run(&points, |x| match self.verdict(f, x.as_ref()) {
                Ok(()) => Ok(()),
                Err(Verdict::Skip(why)) => Err(TestCaseError::reject(why)),
                Err(Verdict::Fail(why)) => Err(TestCaseError::fail(why)),
            });
            match outcome {
                Ok(()) => {}
                Err(TestError::Fail(why, x)) => {
                    panic!("{}: {why}\nminimal failing point: {x:?}", f.label())
                }
                Err(TestError::Abort(why)) => panic!("{}: {why}", f.label()),
            }
        }
    }
}

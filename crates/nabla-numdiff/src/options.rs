//! How a derivative is estimated: which stencil ([`Scheme`]) and which step ([`Step`]).

use num_traits::Float;

use crate::Error;

/// The finite-difference stencil.
///
/// With step `h` and `f` evaluated in floating point with relative error `eps`, the error of
/// each scheme is about (truncation + rounding):
///
/// | scheme | formula | error | best `h` |
/// |---|---|---|---|
/// | `Forward` | `(f(x+h) - f(x)) / h` | `h/2 \|f''\| + 2 eps \|f\| / h` | `sqrt(eps)` |
/// | `Backward` | `(f(x) - f(x-h)) / h` | same as forward | `sqrt(eps)` |
/// | `Central` | `(f(x+h) - f(x-h)) / 2h` | `h^2/6 \|f'''\| + eps \|f\| / h` | `cbrt(eps)` |
/// | `FivePoint` | `(f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h` | `h^4/30 \|f^(5)\| + 3 eps \|f\| / 2h` | `eps^(1/5)` |
///
/// New schemes may be added: a `match` outside this crate needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Scheme {
    /// One-sided, first order: one extra evaluation per parameter (plus `f(x)` once).
    Forward,
    /// One-sided to the left, first order.
    Backward,
    /// Symmetric, second order: the book's `numerical_diff`. Two evaluations per parameter.
    #[default]
    Central,
    /// Symmetric, fourth order: four evaluations per parameter.
    FivePoint,
}

impl Scheme {
    /// Whether the stencil uses `f(x)` itself (the one-sided schemes do).
    pub fn uses_base(self) -> bool {
        matches!(self, Scheme::Forward | Scheme::Backward)
    }

    /// Evaluations of `f` per parameter, not counting the one shared `f(x)`.
    pub fn evaluations(self) -> usize {
        match self {
            Scheme::Forward | Scheme::Backward => 1,
            Scheme::Central => 2,
            Scheme::FivePoint => 4,
        }
    }

    /// The exponent `p` of the default step `eps^p * max(1, |x|)`: 1/2 for the one-sided
    /// schemes, 1/3 for central, 1/5 for five-point (each balances its truncation error
    /// against the rounding error `eps |f| / h`).
    pub fn step_exponent(self) -> f64 {
        match self {
            Scheme::Forward | Scheme::Backward => 0.5,
            Scheme::Central => 1.0 / 3.0,
            Scheme::FivePoint => 0.2,
        }
    }

    /// The order `k` of the derivative whose size bounds the truncation error: 2 for the
    /// one-sided schemes, 3 for central, 5 for five-point (see [`error_bound`](Self::error_bound)).
    pub fn truncation_order(self) -> usize {
        match self {
            Scheme::Forward | Scheme::Backward => 2,
            Scheme::Central => 3,
            Scheme::FivePoint => 5,
        }
    }

    /// The most this scheme's difference with step `h` can differ from the derivative, when
    /// `|f^(k)| <= derivative` on the stencil (`k` the [`truncation_order`](Self::truncation_order))
    /// and each computed value of `f` there is within `rounding` of the exact one:
    ///
    /// | scheme | truncation | rounding |
    /// |---|---|---|
    /// | `Forward`, `Backward` | `h/2 M2` | `2 E / h` |
    /// | `Central` | `h^2/6 M3` | `E / h` |
    /// | `FivePoint` | `h^4/30 M5` | `3 E / 2h` |
    ///
    /// Taylor's theorem with the mean-value form of the remainder gives the truncation; the
    /// rounding is the stencil's weights' absolute sum times `E`, divided by `h`. The step
    /// must be the one the stencil divides by ([`Options::step_at`]); the last division's own
    /// rounding (`eps` relative) is not included.
    ///
    /// ```
    /// use nabla_numdiff::{derivative, Options, Scheme};
    ///
    /// // d/dx e^x at 1 by central differences, against the bound with M3 = e^(1 + h).
    /// let opts = Options::auto(Scheme::Central);
    /// let h: f64 = opts.step_at(1.0);
    /// let top = (1.0 + h).exp();
    /// let bound = Scheme::Central.error_bound(h, top, f64::EPSILON * top);
    /// let d = derivative(f64::exp, 1.0, opts)?;
    /// assert!((d - 1f64.exp()).abs() <= bound);
    /// # Ok::<(), nabla_numdiff::Error>(())
    /// ```
    pub fn error_bound<T: Float>(self, h: T, derivative: T, rounding: T) -> T {
        let (truncation, weights) = match self {
            Scheme::Forward | Scheme::Backward => (h / lit(2.0) * derivative, lit(2.0)),
            Scheme::Central => (h * h / lit(6.0) * derivative, T::one()),
            Scheme::FivePoint => (h.powi(4) / lit(30.0) * derivative, lit(1.5)),
        };
        truncation + weights * rounding / h
    }
}

/// The step size `h`.
///
/// New step rules may be added: a `match` outside this crate needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Step<T> {
    /// A fixed absolute step, used as is: the stencil divides by the nominal `h` (the book's
    /// `(f(x+h) - f(x-h)) / (2*h)` with `h = 1e-4`), so the book's numbers reproduce bit for
    /// bit. Beware: far from 0 the nudged point `x + h` may not be representable (at
    /// `|x| = 1e8` a step of `1e-4` is only a few ulps), and a step so small that `x + h == x`
    /// gives a derivative of exactly 0 (the book's `h = 1e-50` warning).
    Fixed(T),
    /// The default: `eps^p * max(1, |x|)` with `p` from [`Scheme::step_exponent`] (and
    /// `eps^(1/4)` for second differences), divided by the step that is really representable,
    /// `(x + h) - x`, so that the rounding of `x + h` costs nothing.
    ///
    /// The rule and its trade-off: the best central step is `cbrt(3 eps |f| / |f'''|)`, which
    /// depends on `f`. Scaling with `max(1, |x|)` assumes `f`'s features scale with `|x|`
    /// (`x^k`, `ln x`, `exp(x/s)`), and there it is right at any magnitude: at `|x| = 1e3` to
    /// `1e6` it is 100 times more accurate than an absolute step `cbrt(eps)` (as the
    /// finitediff crate 0.2 uses, dividing by the nominal `2h`; see `tests/vs_finitediff.rs`).
    /// For a function whose `|f'''| / |f|` is large and does not shrink with `|x|`, such as
    /// Rosenbrock's quartic with coefficient 100 on `[-2, 2]`, the best step is below
    /// `cbrt(eps)`, and the scaled step, up to twice `cbrt(eps)` for `1 < |x| <= 2`, costs a
    /// factor of about 1.6 in accuracy (measured on 200 random points of Rosenbrock in 10
    /// dimensions: error relative to the largest gradient element `3.4e-11` against
    /// finitediff's `2.1e-11`, geometric means). Both are at the theory's `eps^(2/3) = 3.7e-11`;
    /// when a function's scale is known, pass [`Step::Fixed`] or use
    /// [`richardson_gradient`](crate::richardson_gradient), which is `1e-13`-accurate and says
    /// how accurate it is.
    Auto,
}

impl<T> Default for Step<T> {
    /// [`Step::Auto`].
    fn default() -> Self {
        Step::Auto
    }
}

/// A scheme and a step: everything a derivative needs to know.
///
/// [`Options::default`] is central differences with the automatic step (the accurate choice);
/// [`Options::book`] is the book's central difference with the fixed `h = 1e-4`. Options are
/// made by these constructors and changed by the `with_*` builders; the fields are read
/// directly, and new ones may be added. A fixed step is checked where it is used: every
/// driver returns [`Error::InvalidStep`] for a step that is not finite and positive, before
/// it evaluates `f` ([`Options::validate`] makes the same check up front).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Options<T> {
    /// The stencil.
    pub scheme: Scheme,
    /// The step rule.
    pub step: Step<T>,
}

impl<T> Default for Options<T> {
    /// Central differences with the automatic step.
    fn default() -> Self {
        Options {
            scheme: Scheme::Central,
            step: Step::Auto,
        }
    }
}

impl<T: Float> Options<T> {
    /// Options with the given scheme and step.
    pub fn new(scheme: Scheme, step: Step<T>) -> Self {
        Options { scheme, step }
    }

    /// The book's choice: central differences, fixed `h = 1e-4`.
    pub fn book() -> Self {
        Options {
            scheme: Scheme::Central,
            step: Step::Fixed(lit(1e-4)),
        }
    }

    /// The given scheme with the automatic step.
    pub fn auto(scheme: Scheme) -> Self {
        Options {
            scheme,
            step: Step::Auto,
        }
    }

    /// The given scheme with a fixed absolute step `h`.
    pub fn fixed(scheme: Scheme, h: T) -> Self {
        Options {
            scheme,
            step: Step::Fixed(h),
        }
    }

    /// These options with another scheme.
    pub fn with_scheme(self, scheme: Scheme) -> Self {
        Options { scheme, ..self }
    }

    /// These options with another step.
    pub fn with_step(self, step: Step<T>) -> Self {
        Options { step, ..self }
    }

    /// The step the drivers take at coordinate `x`: a fixed step as given, the automatic one
    /// as `eps^p max(1, |x|)` made representable (see [`Step::Auto`]).
    ///
    /// ```
    /// use nabla_numdiff::{Options, Scheme};
    ///
    /// assert_eq!(Options::book().step_at(3.0), 1e-4);
    /// let h = Options::<f64>::auto(Scheme::Central).step_at(1000.0);
    /// assert!((h / (f64::EPSILON.cbrt() * 1000.0) - 1.0).abs() < 1e-12);
    /// assert_eq!((1000.0 + h) - 1000.0, h);
    /// ```
    pub fn step_at(&self, x: T) -> T {
        crate::stencil::Rule::new(*self).step_at(x)
    }

    /// Checks that a fixed step is finite and positive.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidStep`] otherwise.
    pub fn validate(&self) -> Result<(), Error> {
        check_step(self.step)
    }
}

pub(crate) fn check_step<T: Float>(step: Step<T>) -> Result<(), Error> {
    match step {
        Step::Fixed(h) if !(h.is_finite() && h > T::zero()) => Err(Error::InvalidStep {
            step: crate::error::to_f64(h),
        }),
        _ => Ok(()),
    }
}

/// A literal in the scalar type (exact for the small constants this crate uses).
pub(crate) fn lit<T: Float>(v: f64) -> T {
    // `Float: NumCast` from f64 only fails for exotic types with a narrower range than the
    // constants used here (all between 1e-4 and 30).
    T::from(v).unwrap_or_else(T::nan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_and_builders_set_their_fields() {
        // Start from the book's options (not the default) so that a builder that returned
        // `Options::default()` would be seen.
        let book = Options::<f64>::book();
        assert_eq!(book.scheme, Scheme::Central);
        assert_eq!(book.step, Step::Fixed(1e-4));
        assert_eq!(
            book.with_scheme(Scheme::Backward),
            Options::new(Scheme::Backward, Step::Fixed(1e-4))
        );
        assert_eq!(
            book.with_scheme(Scheme::FivePoint).step,
            Step::Fixed(1e-4),
            "with_scheme keeps the step"
        );
        assert_eq!(
            book.with_step(Step::Fixed(0.5)),
            Options::new(Scheme::Central, Step::Fixed(0.5))
        );
        let forward = Options::<f64>::auto(Scheme::Forward);
        assert_eq!(forward.with_step(Step::Fixed(2.0)).scheme, Scheme::Forward);
        assert_eq!(
            Options::fixed(Scheme::Forward, 0.25_f32),
            Options::new(Scheme::Forward, Step::Fixed(0.25_f32))
        );
        assert_eq!(forward.step, Step::Auto);
        assert_eq!(
            Options::<f64>::default(),
            Options::new(Scheme::Central, Step::Auto)
        );
        assert_eq!(Step::<f64>::default(), Step::Auto);
    }

    #[test]
    fn scheme_tables() {
        let all = [
            Scheme::Forward,
            Scheme::Backward,
            Scheme::Central,
            Scheme::FivePoint,
        ];
        assert_eq!(all.map(Scheme::uses_base), [true, true, false, false]);
        assert_eq!(all.map(Scheme::evaluations), [1, 1, 2, 4]);
        assert_eq!(all.map(Scheme::step_exponent), [0.5, 0.5, 1.0 / 3.0, 0.2]);
    }

    #[test]
    fn only_finite_positive_fixed_steps_are_valid() {
        for bad in [0.0, -1e-4, f64::NAN, f64::INFINITY] {
            let err = Options::fixed(Scheme::Central, bad).validate().unwrap_err();
            assert!(matches!(err, Error::InvalidStep { .. }), "{bad}: {err:?}");
        }
        assert!(Options::fixed(Scheme::Central, 1e-300).validate().is_ok());
        assert!(Options::<f64>::auto(Scheme::Backward).validate().is_ok());
        assert_eq!(lit::<f32>(0.25), 0.25_f32);
    }

    #[test]
    fn step_at_is_the_step_the_driver_divides_by() {
        // f(x) = x is differentiated exactly by any stencil, so the probes reveal the step:
        // record them and compare with step_at.
        for scheme in [
            Scheme::Forward,
            Scheme::Backward,
            Scheme::Central,
            Scheme::FivePoint,
        ] {
            for x in [0.0, 0.3, -7.0, 1e6] {
                let opts = Options::<f64>::auto(scheme);
                let probes = std::cell::RefCell::new(Vec::new());
                crate::derivative(
                    |v| {
                        probes.borrow_mut().push(v);
                        v
                    },
                    x,
                    opts,
                )
                .unwrap();
                let widest = probes
                    .borrow()
                    .iter()
                    .fold(0.0f64, |m, p| m.max((p - x).abs()));
                let reach = if scheme == Scheme::FivePoint {
                    2.0
                } else {
                    1.0
                };
                assert_eq!(widest, reach * opts.step_at(x), "{scheme:?} at {x}");
            }
        }
        assert_eq!(Options::fixed(Scheme::Forward, 0.25).step_at(1e9), 0.25);
    }

    #[test]
    fn error_bounds_follow_the_table() {
        let (h, m, e) = (0.5f64, 3.0, 0.25);
        assert_eq!(
            Scheme::Forward.error_bound(h, m, e),
            0.5 / 2.0 * 3.0 + 2.0 * 0.25 / 0.5
        );
        assert_eq!(
            Scheme::Backward.error_bound(h, m, e),
            Scheme::Forward.error_bound(h, m, e)
        );
        assert_eq!(
            Scheme::Central.error_bound(h, m, e),
            0.25 / 6.0 * 3.0 + 0.25 / 0.5
        );
        assert_eq!(
            Scheme::FivePoint.error_bound(h, m, e),
            0.0625 / 30.0 * 3.0 + 1.5 * 0.25 / 0.5
        );
        let all = [
            Scheme::Forward,
            Scheme::Backward,
            Scheme::Central,
            Scheme::FivePoint,
        ];
        assert_eq!(all.map(Scheme::truncation_order), [2, 2, 3, 5]);
    }

    #[test]
    fn error_bounds_hold_and_are_near_the_optimum() {
        // e^x at x: every derivative is e^x; rounding of one value about eps e^x.
        for scheme in [Scheme::Forward, Scheme::Central, Scheme::FivePoint] {
            for x in [-3.0f64, 0.0, 1.0, 4.0] {
                let opts = Options::auto(scheme);
                let h = opts.step_at(x);
                let top = (x + 2.0 * h).exp();
                let bound = scheme.error_bound(h, top, f64::EPSILON * top);
                let err = (crate::derivative(f64::exp, x, opts).unwrap() - x.exp()).abs();
                assert!(err <= bound, "{scheme:?} at {x}: {err:e} > {bound:e}");
                // The theory's optimum: about sqrt(eps), eps^(2/3), eps^(4/5) relative.
                let expected = match scheme {
                    Scheme::Central => 1e-10,
                    Scheme::FivePoint => 1e-12,
                    _ => 1e-7,
                };
                assert!(
                    bound < expected * x.exp() * x.abs().max(1.0).powi(2),
                    "{scheme:?} at {x}: {bound:e}"
                );
            }
        }
    }
}

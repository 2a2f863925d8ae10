//! [`derivative`] and [`second_derivative`]: derivatives of a scalar function of one
//! variable.

use num_traits::Float;

use crate::error::to_f64;
use crate::stencil::{self, Probe};
use crate::{Error, Options};

/// The derivative of `f` at `x`, by the scheme and step in `opts`.
///
/// With [`Options::book`] this is the book's `numerical_diff`, `(f(x+h) - f(x-h)) / (2*h)`
/// with `h = 1e-4`, bit for bit.
///
/// ```
/// use nabla_numdiff::{derivative, Options};
///
/// let f = |x: f64| 0.01 * x * x + 0.1 * x;
/// assert_eq!(derivative(f, 5.0, Options::book())?, 0.1999999999990898);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] (with `index` 0) if `f` is not finite at a probed point;
/// [`Error::InvalidStep`] if a fixed step is not finite and positive.
pub fn derivative<T: Float>(f: impl FnMut(T) -> T, x: T, opts: Options<T>) -> Result<T, Error> {
    opts.validate()?;
    let h = stencil::Rule::new(opts).step_at(x);
    stencil::scalar(x, h, opts.scheme, None, f).map_err(|p| non_finite(0, p))
}

/// The second derivative of `f` at `x` by the three-point central second difference,
/// `(f(x + h) - 2 f(x) + f(x - h)) / h^2`.
///
/// Only `opts.step` is used (the stencil is always this one). The automatic step is
/// `h = eps^(1/4) max(1, |x|)` (`1.2e-4` in `f64`, `0.06` in `f32`, for `|x| <= 1`), made
/// representable as `(x + h) - x` (a fixed step is used as given). The error is the
/// truncation `h^2/12 |f''''|`, of order 2 in `h`, plus the rounding `4 eps |f| / h^2`;
/// `eps^(1/4)` balances the two, for a total error of order `sqrt(eps)` relative to the
/// function's scale (`1e-8` in `f64`, `3e-4` in `f32`). As for first derivatives, scaling
/// with `|x|` assumes `f`'s features grow with `|x|`; `sin` at `1e6` needs a fixed step. This is the diagonal formula of
/// [`hessian`](crate::hessian), with the same step. Three calls of `f`. For an accurate
/// second derivative, differentiate an exact first derivative instead
/// ([`derivative`] of it, `eps^(2/3)`), or use nabla-dual's exact one.
///
/// ```
/// use nabla_numdiff::{second_derivative, Options};
///
/// let d2 = second_derivative(f64::sin, 1.0, Options::default())?;
/// assert!((d2 + 1f64.sin()).abs() < 1e-7);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] (with `index` 0) if `f` is not finite at a probed point (`x` itself
/// included, so a NaN `x` is reported, not propagated); [`Error::InvalidStep`] if a fixed
/// step is not finite and positive.
pub fn second_derivative<T: Float>(
    mut f: impl FnMut(T) -> T,
    x: T,
    opts: Options<T>,
) -> Result<T, Error> {
    opts.validate()?;
    let h = stencil::second_step(x, opts.step);
    let mut probe = |v: T| {
        let y = f(v);
        if y.is_finite() {
            Ok(y)
        } else {
            Err(non_finite(0, Probe { point: v, value: y }))
        }
    };
    let f0 = probe(x)?;
    let fp = probe(x + h)?;
    let fm = probe(x - h)?;
    Ok(stencil::second_difference(fp, f0, fm, h))
}

pub(crate) fn non_finite<T: Float>(index: usize, p: Probe<T>) -> Error {
    Error::NonFinite {
        index,
        point: to_f64(p.point),
        value: to_f64(p.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scheme, Step};
    use approx::assert_relative_eq;

    #[test]
    fn book_numerical_diff_is_bit_exact() {
        let f = |x: f64| 0.01 * x.powi(2) + 0.1 * x;
        assert_eq!(
            derivative(f, 5.0, Options::book()).unwrap(),
            0.1999999999990898
        );
        assert_eq!(
            derivative(f, 10.0, Options::book()).unwrap(),
            0.2999999999986347
        );
    }

    #[test]
    fn a_step_of_1e_minus_50_gives_zero_as_the_book_warns() {
        let f = |x: f64| 0.01 * x.powi(2) + 0.1 * x;
        let d = derivative(f, 5.0, Options::fixed(Scheme::Central, 1e-50)).unwrap();
        assert_eq!(d, 0.0);
        // The same in f32, where 1e-50 underflows: use the smallest positive normal instead.
        let d = derivative(
            |x: f32| x * x,
            5.0f32,
            Options::fixed(Scheme::Forward, f32::MIN_POSITIVE),
        )
        .unwrap();
        assert_eq!(d, 0.0);
    }

    #[test]
    fn non_finite_function_is_an_error_that_says_where() {
        // ln at 1e-8 with the automatic central step (6e-6) probes a negative x.
        let err = derivative(f64::ln, 1e-8, Options::default()).unwrap_err();
        match err {
            Error::NonFinite {
                index,
                point,
                value,
            } => {
                assert_eq!(index, 0);
                assert!(point < 0.0);
                assert!(value.is_nan());
            }
            other => panic!("unexpected error {other:?}"),
        }
        // Forward at a pole: f(x) itself is infinite.
        let err = derivative(|x: f64| 1.0 / x, 0.0, Options::auto(Scheme::Forward)).unwrap_err();
        assert!(matches!(err, Error::NonFinite { point, .. } if point == 0.0));
        // A NaN x is reported, not propagated.
        assert!(derivative(f64::exp, f64::NAN, Options::default()).is_err());
    }

    /// `(name, f, f'')` in one scalar type.
    type Second<T> = (&'static str, fn(T) -> T, fn(T) -> T);

    /// exp, sin and x^3 at 0, 1, -5 and 1e6 in `T`, each within `tol` of the exact second
    /// derivative relative to `scale` = the size of `f` and `f''` around `x` (the error is
    /// `sqrt(eps)` of that, see `second_derivative`).
    fn second_derivatives_within<T: Float + std::fmt::Debug>(cases: [Second<T>; 3], tol: f64) {
        for (name, f, d2) in cases {
            for x in [0.0, 1.0, -5.0, 1e6] {
                // exp overflows; sin's features do not grow with |x| (see the next test).
                if (name == "exp" || name == "sin") && x > 700.0 {
                    continue;
                }
                let x = T::from(x).unwrap();
                let got = second_derivative(f, x, Options::default()).unwrap();
                let want = d2(x);
                let scale = f(x).abs().max(want.abs()).max(T::one());
                let err = ((got - want).abs() / scale).to_f64().unwrap();
                assert!(err <= tol, "{name} at {x:?}: {got:?} vs {want:?}, {err:e}");
            }
        }
    }

    #[test]
    fn second_derivative_of_exp_sin_and_a_cubic_in_f64_and_f32() {
        // Measured worst: 3.0e-8 in f64 (sin at -5, where the step 6.1e-4 is scaled by |x|
        // but sin's features are not: truncation h^2/12 = 3.1e-8), else at most 7.5e-9,
        // about sqrt(eps) = 1.5e-8; 6.9e-4 in f32 (sqrt(eps) = 3.5e-4). x^3 has no truncation
        // error (its fourth derivative is 0).
        second_derivatives_within::<f64>(
            [
                ("exp", f64::exp, f64::exp),
                ("sin", f64::sin, |x| -x.sin()),
                ("x^3", |x| x * x * x, |x| 6.0 * x),
            ],
            5e-8,
        );
        second_derivatives_within::<f32>(
            [
                ("exp", f32::exp, f32::exp),
                ("sin", f32::sin, |x| -x.sin()),
                ("x^3", |x| x * x * x, |x| 6.0 * x),
            ],
            2e-3,
        );
    }

    #[test]
    fn the_automatic_second_step_assumes_features_that_scale_with_x() {
        // At 1e6 the automatic step is 122, twenty periods of sin: the number is meaningless.
        // A step fit for sin's scale of 1 gives the second derivative to 1e-5.
        let x = 1e6f64;
        let auto = second_derivative(f64::sin, x, Options::default()).unwrap();
        assert!((auto + x.sin()).abs() > 0.1, "{auto}");
        let fixed = second_derivative(f64::sin, x, Options::fixed(Scheme::Central, 1e-4)).unwrap();
        assert!((fixed + x.sin()).abs() < 1e-5, "{fixed}");
    }

    #[test]
    fn second_derivative_uses_the_fourth_root_step_and_the_hessian_formula() {
        // The probes: x, then x +- h with h = eps^(1/4) max(1, |x|) made representable.
        for x in [0.3f64, -5.0, 1e6] {
            let mut probes = Vec::new();
            let d2 = second_derivative(
                |v: f64| {
                    probes.push(v);
                    (0.3 * v).sin() * v
                },
                x,
                Options::default(),
            )
            .unwrap();
            let h = (x + x.abs().max(1.0) / 8192.0) - x;
            assert_eq!(probes, [x, x + h, x - h]);
            // The same number as the diagonal of the Hessian.
            let mut p = [x];
            let hess =
                crate::hessian(&mut p, |p| (0.3 * p[0]).sin() * p[0], Options::default()).unwrap();
            assert_eq!(d2, hess[(0, 0)]);
        }
        // A fixed step is used as given; the scheme is ignored.
        let d2 = second_derivative(
            |x: f64| x * x * x,
            2.0,
            Options::fixed(Scheme::Forward, 0.5),
        )
        .unwrap();
        assert_eq!(d2, ((2.5f64).powi(3) - 16.0 + 1.5f64.powi(3)) / 0.25);
    }

    #[test]
    fn second_derivative_reports_non_finite_points_and_bad_steps() {
        let err = second_derivative(f64::exp, f64::NAN, Options::default()).unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 0, point, .. } if point.is_nan()));
        let err = second_derivative(f32::exp, f32::NAN, Options::default()).unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 0, .. }));
        // ln at 1e-5: the step 1.2e-4 probes a negative point.
        let err = second_derivative(f64::ln, 1e-5, Options::default()).unwrap_err();
        assert!(matches!(err, Error::NonFinite { point, .. } if point < 0.0));
        let err = second_derivative(f64::exp, 1.0, Options::fixed(Scheme::Central, 0.0));
        assert!(matches!(err, Err(Error::InvalidStep { .. })));
    }

    #[test]
    fn invalid_fixed_steps_are_rejected() {
        for h in [0.0, -1e-4, f64::NAN, f64::INFINITY] {
            let err = derivative(f64::exp, 1.0, Options::fixed(Scheme::Central, h)).unwrap_err();
            assert!(matches!(err, Error::InvalidStep { .. }), "{h}");
        }
    }

    #[test]
    fn every_scheme_in_f32_and_f64() {
        for scheme in [
            Scheme::Forward,
            Scheme::Backward,
            Scheme::Central,
            Scheme::FivePoint,
        ] {
            let opts = Options::auto(scheme);
            let d = derivative(f64::exp, 0.7, opts).unwrap();
            assert_relative_eq!(d, 0.7f64.exp(), max_relative = 1e-7);
            let d = derivative(f32::exp, 0.7f32, Options::<f32>::auto(scheme)).unwrap();
            assert_relative_eq!(d, 0.7f32.exp(), max_relative = 2e-3);
        }
        assert_eq!(Options::<f64>::default().step, Step::Auto);
    }
}

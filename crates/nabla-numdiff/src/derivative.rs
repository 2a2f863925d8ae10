//! [`derivative`]: the derivative of a scalar function of one variable.

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

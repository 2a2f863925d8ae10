//! [`richardson`]: central differences extrapolated to `h -> 0`, with an error estimate.

use num_traits::Float;

use crate::derivative::non_finite;
use crate::options::{check_step, lit};
use crate::stencil;
use crate::{Error, Scheme, Step};

/// The most levels [`richardson`] will use.
pub const MAX_LEVELS: usize = 10;

/// A value with an estimate of its absolute error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate<T> {
    /// The estimate.
    pub value: T,
    /// An estimate of `|value - exact|`.
    pub error: T,
}

/// Settings of [`richardson`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Richardson<T> {
    /// The first (largest) step. `Step::Auto` is `0.1 * max(1, |x|)`: the extrapolation
    /// wants a step over which `f` changes substantially, not a small one. The function must
    /// be smooth and finite on `[x - h, x + h]`.
    pub initial_step: Step<T>,
    /// How many steps to try, at most [`MAX_LEVELS`] (larger values are clamped); each is
    /// the previous divided by 1.4.
    pub levels: usize,
}

impl<T> Default for Richardson<T> {
    fn default() -> Self {
        Richardson {
            initial_step: Step::Auto,
            levels: MAX_LEVELS,
        }
    }
}

/// The derivative of `f` at `x` by Richardson extrapolation of central differences (Ridders'
/// method), with an error estimate.
///
/// Central differences are taken at steps `h, h/1.4, h/1.4^2, ...`; since their error is a
/// series in `h^2`, each new one is combined with the earlier ones in a Neville tableau that
/// cancels `h^2`, `h^4`, ... terms. The error estimate of a tableau entry is its distance to
/// the two entries it was built from, but never less than the rounding error
/// `eps max|f| / h` of the differences behind it; the entry with the
/// smallest estimate is returned. The
/// process stops early when the diagonal starts to grow (rounding has taken over). On smooth
/// functions in `f64` this reaches `1e-13` relative or better, far beyond the `eps^(2/3)` of a
/// single central difference.
///
/// ```
/// use nabla_numdiff::{richardson, Richardson};
///
/// let d = richardson(f64::sin, 0.3, Richardson::default())?;
/// assert!((d.value - 0.3f64.cos()).abs() < 1e-13);
/// assert!(d.error < 1e-12);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] if `f` is not finite at a probed point, [`Error::InvalidStep`] if a
/// fixed initial step is not finite and positive.
pub fn richardson<T: Float>(
    mut f: impl FnMut(T) -> T,
    x: T,
    settings: Richardson<T>,
) -> Result<Estimate<T>, Error> {
    check_step(settings.initial_step)?;
    let levels = settings.levels.clamp(1, MAX_LEVELS);
    let mut h = match settings.initial_step {
        Step::Fixed(h) => h,
        Step::Auto => lit::<T>(0.1) * stencil::scale(x),
    };
    let shrink = lit::<T>(1.4);
    let shrink2 = shrink * shrink;
    // The largest |f| seen, for the rounding floor of the error estimate.
    let mut fmax = T::zero();
    let mut central = |h: T| {
        // Divide by the representable step, as the automatic step does.
        let hr = (x + h) - x;
        if hr == T::zero() {
            return Ok(T::zero());
        }
        let eval = |v: T| {
            let y = f(v);
            fmax = fmax.max(y.abs());
            y
        };
        stencil::scalar(x, hr, Scheme::Central, None, eval).map_err(|p| non_finite(0, p))
    };
    // Tableau rows: `prev` is the last row, `row` the one being built; row i has i+1 entries.
    let mut prev = [T::zero(); MAX_LEVELS];
    let mut row = [T::zero(); MAX_LEVELS];
    prev[0] = central(h)?;
    let mut best = Estimate {
        value: prev[0],
        error: T::infinity(),
    };
    // The step of the row the best entry came from.
    let mut best_h = h;
    for i in 1..levels {
        h = h / shrink;
        row[0] = central(h)?;
        let mut factor = shrink2;
        for j in 1..=i {
            row[j] = (row[j - 1] * factor - prev[j - 1]) / (factor - T::one());
            factor = factor * shrink2;
            let err = (row[j] - row[j - 1])
                .abs()
                .max((row[j] - prev[j - 1]).abs());
            if err <= best.error {
                best = Estimate {
                    value: row[j],
                    error: err,
                };
                best_h = h;
            }
        }
        // Once the highest-order entry moves more than twice the best error, rounding noise
        // dominates and smaller steps only make it worse.
        if (row[i] - prev[i - 1]).abs() >= lit::<T>(2.0) * best.error {
            break;
        }
        std::mem::swap(&mut prev, &mut row);
    }
    // Two tableau entries can agree exactly while both carry rounding error: never claim
    // less than the rounding error of the differences the entry was built from,
    // `eps max|f| / h`, nor less than the value's own rounding.
    let floor = (T::epsilon() * fmax / best_h).max(lit::<T>(2.0) * T::epsilon() * best.value.abs());
    best.error = best.error.max(floor);
    if levels == 1 {
        // No extrapolation possible: report the single difference with an unknown error.
        best.error = T::infinity();
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn beats_a_single_central_difference_by_orders() {
        for x in [-2.0f64, 0.5, 3.7] {
            let d = richardson(f64::exp, x, Richardson::default()).unwrap();
            assert_relative_eq!(d.value, x.exp(), max_relative = 1e-12);
            // The estimate is honest: it bounds the real error (within a factor of a few).
            assert!((d.value - x.exp()).abs() <= 10.0 * d.error + 1e-15 * x.exp());
        }
    }

    #[test]
    fn works_in_f32() {
        let d = richardson(f32::sin, 0.4f32, Richardson::default()).unwrap();
        assert_relative_eq!(d.value, 0.4f32.cos(), max_relative = 1e-5);
    }

    #[test]
    fn one_level_has_unknown_error() {
        let r = Richardson {
            initial_step: Step::Fixed(1e-3),
            levels: 1,
        };
        let d = richardson(f64::exp, 1.0, r).unwrap();
        assert_relative_eq!(d.value, 1f64.exp(), max_relative = 1e-6);
        assert!(d.error.is_infinite());
    }

    #[test]
    fn non_finite_is_an_error() {
        // ln near 0: the default first step 0.1 crosses 0.
        assert!(matches!(
            richardson(f64::ln, 0.05, Richardson::default()),
            Err(Error::NonFinite { .. })
        ));
        // With a step that stays inside the domain it works.
        let r = Richardson {
            initial_step: Step::Fixed(0.01),
            levels: MAX_LEVELS,
        };
        let d = richardson(f64::ln, 0.05, r).unwrap();
        assert_relative_eq!(d.value, 20.0, max_relative = 1e-10);
    }
}

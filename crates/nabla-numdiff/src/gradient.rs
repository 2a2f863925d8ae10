//! [`gradient`]: the book's `numerical_gradient`, over any [`Params`] container.

use num_traits::Float;

use crate::derivative::non_finite;
use crate::error::to_f64;
use crate::stencil::{self, Rule};
use crate::{Error, Options, Params};

/// The gradient of `f` with respect to every element of `params`, in `params`' index order.
///
/// Each parameter is nudged in place, `f(&params)` is evaluated, and the parameter is
/// restored bit-exactly (its old value is stored and written back), exactly as the book's
/// `numerical_gradient` does; so `f` may read the parameters it is given or, as the book's
/// network does, a structure that holds them. On return `params` is unchanged, also when an
/// error is returned.
///
/// Cost: `n * scheme.evaluations()` calls of `f` (plus one for the one-sided schemes); no
/// allocation besides the returned vector.
///
/// ```
/// use nabla_numdiff::{gradient, Options};
///
/// let mut x = [3.0, 4.0];
/// let g = gradient(&mut x, |x| x[0] * x[0] + x[1] * x[1], Options::book())?;
/// assert_eq!(g, [6.00000000000378, 7.999999999999119]);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] with the parameter's index if `f` is not finite at a probed point,
/// [`Error::NonFiniteAtBase`] if a one-sided scheme finds `f(params)` not finite,
/// [`Error::InvalidStep`] for a fixed step that is not finite and positive.
pub fn gradient<T, P, F>(params: &mut P, f: F, opts: Options<T>) -> Result<Vec<T>, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    let mut out = vec![T::zero(); params.len()];
    gradient_into(params, f, opts, &mut out[..])?;
    Ok(out)
}

/// Like [`gradient`], but writes the gradient into `out`, which may be any [`Params`]
/// container of the same length (a gradient structure shaped like the parameters, a slice,
/// a matrix). Allocates nothing.
///
/// # Panics
///
/// If `out.len() != params.len()`.
///
/// # Errors
///
/// As [`gradient`]. On error `out` holds the elements computed so far.
pub(crate) fn gradient_into<T, P, F, G>(
    params: &mut P,
    mut f: F,
    opts: Options<T>,
    out: &mut G,
) -> Result<(), Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    G: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    assert_eq!(
        out.len(),
        params.len(),
        "gradient_into: the output has {} elements, the parameters {}",
        out.len(),
        params.len()
    );
    opts.validate()?;
    let f0 = base_value(params, &mut f, opts)?;
    let rule = Rule::new(opts);
    for i in 0..params.len() {
        let d = partial(params, &mut f, &rule, f0, i)?;
        out.set(i, d);
    }
    Ok(())
}

/// The gradient of `f` at `x` without touching `x`: copies `x` once and calls [`gradient`].
/// For call sites that hold the point immutably, like the book's `numerical_gradient(f, x)`.
///
/// ```
/// use nabla_numdiff::{gradient_at, Options};
///
/// let f = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>();
/// // NumPy prints this as the book's `[0. 4.]`; the full f64 value is 4.000000000004.
/// assert_eq!(gradient_at(f, &[0.0, 2.0], Options::book())?, [0.0, 4.000000000004]);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// As [`gradient`].
pub fn gradient_at<T, F>(mut f: F, x: &[T], opts: Options<T>) -> Result<Vec<T>, Error>
where
    T: Float,
    F: FnMut(&[T]) -> T,
{
    let mut p = x.to_vec();
    gradient(&mut p[..], |p: &[T]| f(p), opts)
}

/// `f(params)` when the scheme needs it, checked.
pub(crate) fn base_value<T, P, F>(
    params: &P,
    f: &mut F,
    opts: Options<T>,
) -> Result<Option<T>, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    if !opts.scheme.uses_base() {
        return Ok(None);
    }
    let v = f(params);
    if v.is_finite() {
        Ok(Some(v))
    } else {
        Err(Error::NonFiniteAtBase { value: to_f64(v) })
    }
}

/// The partial derivative with respect to parameter `i`; `params` is restored bit-exactly.
pub(crate) fn partial<T, P, F>(
    params: &mut P,
    f: &mut F,
    rule: &Rule<T>,
    f0: Option<T>,
    i: usize,
) -> Result<T, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    let x = params.get(i);
    let h = rule.step_at(x);
    let r = stencil::scalar(x, h, rule.scheme, f0, |v| {
        params.set(i, v);
        f(params)
    });
    params.set(i, x);
    r.map_err(|p| non_finite(i, p))
}

/// Every scheme, with the automatic step and with a fixed step of 1e-4: what the tests of the
/// gradient drivers run over.
#[cfg(test)]
pub(crate) fn every_scheme_and_step() -> impl Iterator<Item = Options<f64>> {
    use crate::Scheme;
    [
        Scheme::Forward,
        Scheme::Backward,
        Scheme::Central,
        Scheme::FivePoint,
    ]
    .into_iter()
    .flat_map(|s| [Options::auto(s), Options::fixed(s, 1e-4)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;
    use approx::assert_relative_eq;
    use nalgebra::{DMatrix, DVector};

    fn f2(x: &[f64]) -> f64 {
        x[0] * x[0] + x[1] * x[1]
    }

    #[test]
    fn book_gradients_exactly() {
        let book = Options::book();
        assert_eq!(
            gradient_at(f2, &[3.0, 4.0], book).unwrap(),
            [6.00000000000378, 7.999999999999119]
        );
        // The book prints these two as [0. 4.] and [6. 0.] (NumPy's 8 digits); in full, the
        // same f64 arithmetic in Python gives exactly these.
        assert_eq!(
            gradient_at(f2, &[0.0, 2.0], book).unwrap(),
            [0.0, 4.000000000004]
        );
        assert_eq!(
            gradient_at(f2, &[3.0, 0.0], book).unwrap(),
            [6.000000000012662, 0.0]
        );
    }

    #[test]
    fn parameters_are_restored_bit_exactly() {
        // Values whose x + h - h is not x.
        let orig = [0.1f64, 1e8 + 0.3, -7.77e-9, 1.0 / 3.0];
        for opts in every_scheme_and_step() {
            let mut x = orig;
            gradient(&mut x, |x| x.iter().map(|v| v.sin()).sum(), opts).unwrap();
            assert_eq!(x.map(f64::to_bits), orig.map(f64::to_bits));
        }
    }

    #[test]
    fn parameters_are_restored_on_error() {
        let orig = [1.0f64, 2.0, 0.0];
        let mut x = orig;
        let err = gradient(
            &mut x,
            |x| x.iter().map(|v| v.ln()).sum(),
            Options::default(),
        )
        .unwrap_err();
        assert_eq!(x, orig);
        // ln(0) = -inf is in every sum; central never evaluates the base point, so the
        // first non-finite probe is the one that nudges parameter 0.
        assert!(matches!(err, Error::NonFinite { index: 0, .. }));
        let err = gradient(
            &mut x,
            |x| x.iter().map(|v| v.ln()).sum(),
            Options::auto(Scheme::Forward),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFiniteAtBase { value } if value == f64::NEG_INFINITY));
        // A function finite at the base but not to the left of parameter 2.
        let mut y = [1.0f64, 2.0, 1e-9];
        let err = gradient(
            &mut y,
            |x| x.iter().map(|v| v.ln()).sum(),
            Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 2, point, .. } if point < 0.0));
        assert_eq!(y, [1.0, 2.0, 1e-9]);
    }

    #[test]
    fn matrices_vectors_and_struct_outputs() {
        // f(W) = sum of W_ij^3: gradient 3 W_ij^2, column-major order.
        let mut w = DMatrix::from_row_slice(2, 3, &[0.5, -1.5, 2.0, 3.0, -0.25, 1.25]);
        let mut g = DMatrix::zeros(2, 3);
        gradient_into(
            &mut w,
            |w| w.iter().map(|v| v * v * v).sum(),
            Options::default(),
            &mut g,
        )
        .unwrap();
        for (gi, wi) in g.iter().zip(w.iter()) {
            assert_relative_eq!(*gi, 3.0 * wi * wi, max_relative = 1e-9);
        }
        let mut v = DVector::from_vec(vec![1.5f32, -2.0]);
        let g = gradient(&mut v, |v| v.norm_squared(), Options::default()).unwrap();
        assert_relative_eq!(g[0], 3.0, max_relative = 1e-3);
        assert_relative_eq!(g[1], -4.0, max_relative = 1e-3);
    }

    #[test]
    #[should_panic(expected = "the output has 1 elements, the parameters 2")]
    fn mismatched_output_panics() {
        let mut x = [1.0, 2.0];
        let mut out = [0.0];
        let _ = gradient_into(&mut x[..], f2, Options::default(), &mut out);
    }

    #[test]
    fn empty_parameters_give_an_empty_gradient() {
        let mut x: [f64; 0] = [];
        assert!(
            gradient(&mut x, |_| 1.0, Options::default())
                .unwrap()
                .is_empty()
        );
    }
}

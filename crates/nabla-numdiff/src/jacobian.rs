//! [`jacobian`]: the Jacobian matrix of a vector-valued function.

use nalgebra::{DMatrix, Scalar};
use num_traits::Float;

use crate::derivative::non_finite;
use crate::error::to_f64;
use crate::stencil;
use crate::{Error, Options, Params};

/// The `m x n` Jacobian of `f: R^n -> R^m` at `params`: entry `(i, j)` is
/// `d f_i / d params_j`.
///
/// `f(params, out)` writes its `m = outputs` values into `out` (so the hot loop allocates
/// nothing; the two scratch vectors and the matrix are allocated once). `out` is all zeros
/// at every call, so `f` may also accumulate into it (`out[i] += ...`). Column `j` costs
/// `scheme.evaluations()` calls of `f`; parameters are nudged in place and restored
/// bit-exactly.
///
/// ```
/// use nabla_numdiff::{jacobian, Options};
///
/// // f(x, y) = (x y, x + y^2)
/// let mut p = [2.0f64, 3.0];
/// let j = jacobian(&mut p, 2, |p, out| { out[0] = p[0] * p[1]; out[1] = p[0] + p[1] * p[1] }, Options::default())?;
/// assert!((j[(0, 0)] - 3.0).abs() < 1e-9 && (j[(1, 1)] - 6.0).abs() < 1e-9);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] (index = the input nudged, value = the first non-finite output) if
/// `f` is not finite at a probed point, [`Error::NonFiniteAtBase`] if a one-sided scheme finds
/// `f(params)` not finite, [`Error::InvalidStep`] for a bad fixed step.
pub fn jacobian<T, P, F>(
    params: &mut P,
    outputs: usize,
    mut f: F,
    opts: Options<T>,
) -> Result<DMatrix<T>, Error>
where
    T: Float + Scalar,
    P: Params<T> + ?Sized,
    F: FnMut(&P, &mut [T]),
{
    opts.validate()?;
    let n = params.len();
    let mut jac = DMatrix::from_element(outputs, n, T::zero());
    let mut tmp = vec![T::zero(); outputs];
    let mut f0 = Vec::new();
    if opts.scheme.uses_base() {
        f0.resize(outputs, T::zero());
        f(params, &mut f0);
        if let Some(&value) = f0.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFiniteAtBase {
                value: to_f64(value),
            });
        }
    }
    let rule = stencil::Rule::new(opts);
    for j in 0..n {
        let x = params.get(j);
        let h = rule.step_at(x);
        let base = if f0.is_empty() { None } else { Some(&f0[..]) };
        // DMatrix is column-major: column j is one contiguous slice.
        let col = &mut jac.as_mut_slice()[j * outputs..(j + 1) * outputs];
        let r = stencil::vector(x, h, opts.scheme, base, col, &mut tmp, |v, buf| {
            params.set(j, v);
            f(params, buf);
        });
        params.set(j, x);
        r.map_err(|p| non_finite(j, p))?;
    }
    Ok(jac)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Scheme;
    use approx::assert_relative_eq;

    #[test]
    fn a_function_that_accumulates_into_its_output_gets_a_zeroed_buffer() {
        // f(x, y) = (x y, x + y^2), written as sums into `out`.
        let f = |p: &[f64], out: &mut [f64]| {
            out[0] += p[0] * p[1];
            out[1] += p[0];
            out[1] += p[1] * p[1];
        };
        for scheme in [
            Scheme::Forward,
            Scheme::Backward,
            Scheme::Central,
            Scheme::FivePoint,
        ] {
            let mut p = [2.0f64, 3.0];
            let j = jacobian(&mut p[..], 2, f, Options::auto(scheme)).unwrap();
            let want = [3.0, 1.0, 2.0, 6.0]; // column-major: d/dx then d/dy
            for (got, want) in j.as_slice().iter().zip(want) {
                assert_relative_eq!(*got, want, epsilon = 1e-5);
            }
        }
    }

    /// f(x, y, z) = (x^2 y, 5 z + sin y, exp(x z)), away from 1 (also used by the Richardson
    /// Jacobian's tests).
    pub(crate) fn f(p: &[f64], out: &mut [f64]) {
        out[0] = p[0] * p[0] * p[1];
        out[1] = 5.0 * p[2] + p[1].sin();
        out[2] = (p[0] * p[2]).exp();
    }

    pub(crate) fn exact(p: [f64; 3]) -> DMatrix<f64> {
        let e = (p[0] * p[2]).exp();
        DMatrix::from_row_slice(
            3,
            3,
            &[
                2.0 * p[0] * p[1],
                p[0] * p[0],
                0.0,
                0.0,
                p[1].cos(),
                5.0,
                p[2] * e,
                0.0,
                p[0] * e,
            ],
        )
    }

    #[test]
    fn matches_the_analytic_jacobian_for_every_scheme() {
        let p0 = [0.3, -1.7, 2.2];
        for (scheme, tol) in [
            (Scheme::Forward, 1e-6),
            (Scheme::Backward, 1e-6),
            (Scheme::Central, 1e-9),
            (Scheme::FivePoint, 1e-11),
        ] {
            let mut p = p0;
            let j = jacobian(&mut p[..], 3, f, Options::auto(scheme)).unwrap();
            assert_relative_eq!(j, exact(p0), epsilon = tol, max_relative = tol);
            assert_eq!(p, p0);
        }
    }

    #[test]
    fn rows_equal_scalar_gradients() {
        // The vector stencil and the scalar stencil are the same formula.
        let p0 = [0.3, -1.7, 2.2];
        let mut p = p0;
        let j = jacobian(&mut p[..], 3, f, Options::book()).unwrap();
        for i in 0..3 {
            let g = crate::gradient_at(
                |p: &[f64]| {
                    let mut out = [0.0; 3];
                    f(p, &mut out);
                    out[i]
                },
                &p0,
                Options::book(),
            )
            .unwrap();
            for k in 0..3 {
                assert_eq!(j[(i, k)], g[k]);
            }
        }
    }

    #[test]
    fn non_finite_output_is_an_error() {
        let mut p = [0.0f64, 1.0];
        let err = jacobian(
            &mut p,
            2,
            |p, out| {
                out[0] = p[0];
                out[1] = 1.0 / p[0]
            },
            Options::auto(Scheme::Forward),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFiniteAtBase { value } if value.is_infinite()));
        let err = jacobian(
            &mut p,
            1,
            |p, out| out[0] = p[1].ln() + (p[0] + 1.0).ln(),
            Options::fixed(Scheme::Central, 2.0),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 0, .. }));
    }
}

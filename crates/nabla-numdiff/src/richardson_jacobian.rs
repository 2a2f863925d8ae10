//! [`richardson_jacobian`]: a Jacobian by Richardson extrapolation, one input at a time.

use nalgebra::{DMatrix, Scalar};
use num_traits::Float;

use crate::richardson::per_coordinate;
use crate::{Error, Params, Richardson};

/// A Jacobian with an error estimate per entry, from [`richardson_jacobian`].
#[derive(Debug, Clone, PartialEq)]
pub struct JacobianEstimate<T: Scalar> {
    /// The `m x n` Jacobian: entry `(i, j)` is `d f_i / d params_j`.
    pub jacobian: DMatrix<T>,
    /// `error[(i, j)]` estimates `|jacobian[(i, j)] - exact|` (see
    /// [`richardson`](crate::richardson)).
    pub error: DMatrix<T>,
}

/// The `m x n` Jacobian of `f: R^n -> R^m` at `params` by Richardson extrapolation, with an
/// error estimate per entry.
///
/// Each entry is what [`richardson`](crate::richardson) gives for output `i` as a function of
/// input `j`: the first-step search (with [`Step::Auto`](crate::Step::Auto)), the tableau
/// and its stop and the error estimate are per entry, while each probe evaluates `f` once
/// for all `m` outputs, so column `j` costs what the slowest of its entries needs, up to
/// `2 * levels` calls per first step tried. As in [`jacobian`](crate::jacobian),
/// `f(params, out)` writes its `m = outputs` values into `out`, which is all zeros at every
/// call; each input is nudged in place and restored bit-exactly, also when an error is
/// returned.
///
/// ```
/// use nabla_numdiff::{richardson_jacobian, Richardson};
///
/// // f(x, y) = (x y, sin x + y^2)
/// let mut p = [0.5f64, -1.5];
/// let j = richardson_jacobian(
///     &mut p,
///     2,
///     |p, out| {
///         out[0] = p[0] * p[1];
///         out[1] = p[0].sin() + p[1] * p[1];
///     },
///     Richardson::default(),
/// )?;
/// let exact = [[-1.5, 0.5], [0.5f64.cos(), -3.0]];
/// for i in 0..2 {
///     for k in 0..2 {
///         assert!((j.jacobian[(i, k)] - exact[i][k]).abs() <= j.error[(i, k)]);
///         assert!(j.error[(i, k)] < 1e-12);
///     }
/// }
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] (index = the input nudged, value = the first non-finite output) if
/// `f` is not finite at a probed point, [`Error::InvalidStep`] for a fixed first step that is
/// not finite and positive.
pub fn richardson_jacobian<T, P, F>(
    params: &mut P,
    outputs: usize,
    f: F,
    settings: Richardson<T>,
) -> Result<JacobianEstimate<T>, Error>
where
    T: Float + Scalar,
    P: Params<T> + ?Sized,
    F: FnMut(&P, &mut [T]),
{
    let n = params.len();
    let mut out = JacobianEstimate {
        jacobian: DMatrix::from_element(outputs, n, T::zero()),
        error: DMatrix::from_element(outputs, n, T::zero()),
    };
    per_coordinate(params, outputs, f, settings, |j, column| {
        for (i, e) in column.iter().enumerate() {
            out.jacobian[(i, j)] = e.value;
            out.error[(i, j)] = e.error;
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jacobian::tests::{exact, f};
    use crate::{Step, richardson};
    use approx::assert_relative_eq;

    #[test]
    fn matches_the_analytic_jacobian_within_its_estimate() {
        for p0 in [[0.3, -1.7, 2.2], [-2.5, 40.0, 1e-3]] {
            let mut p = p0;
            let j = richardson_jacobian(&mut p[..], 3, f, Richardson::default()).unwrap();
            assert_eq!(p.map(f64::to_bits), p0.map(f64::to_bits));
            let want = exact(p0);
            assert_eq!(j.jacobian.shape(), (3, 3));
            for r in 0..3 {
                for c in 0..3 {
                    let (got, err) = (j.jacobian[(r, c)], j.error[(r, c)]);
                    assert!(
                        (got - want[(r, c)]).abs() <= err,
                        "({r}, {c}) at {p0:?}: {got} vs {}, estimate {err:e}",
                        want[(r, c)]
                    );
                    assert_relative_eq!(got, want[(r, c)], epsilon = 1e-12, max_relative = 1e-11);
                }
            }
        }
    }

    #[test]
    fn each_entry_is_the_scalar_richardson_of_its_output() {
        // The same first steps, tableau stops and estimates as `richardson` on one output,
        // bit for bit, including the kink the automatic step must shrink for (output 1).
        // At p[1] = 1000 the first step may grow to 100, and the outputs differ in how far
        // it should: a cube, a sine on a scale of 3, and output 4, whose differences never
        // converge at order h^2 (it goes to the shrinking search instead).
        let g = |p: &[f64], out: &mut [f64]| {
            out[0] = p[0].exp() * p[1];
            out[1] = 0.5 * (p[0].abs() + p[0] * p[0]).sqrt() + p[1];
            out[2] = p[1] * p[1] * p[1];
            out[3] = (p[1] / 3.0).sin() + p[0];
            let d = p[1] - 1e3;
            out[4] = 3.0 * d + d.signum() * d.abs().powf(1.5) + p[0] * p[0];
        };
        let p0 = [0.0007177, 1e3];
        let mut p = p0;
        let j = richardson_jacobian(&mut p[..], 5, g, Richardson::default()).unwrap();
        for r in 0..5 {
            for c in 0..2 {
                let scalar = richardson(
                    |v| {
                        let mut q = p0;
                        q[c] = v;
                        let mut out = [0.0; 5];
                        g(&q, &mut out);
                        out[r]
                    },
                    p0[c],
                    Richardson::default(),
                )
                .unwrap();
                assert_eq!(j.jacobian[(r, c)], scalar.value, "({r}, {c})");
                assert_eq!(j.error[(r, c)], scalar.error, "({r}, {c})");
            }
        }
        assert_relative_eq!(j.jacobian[(1, 0)], 9.341910112401985, max_relative = 1e-10);
    }

    #[test]
    fn errors_restore_the_parameters_and_empty_shapes_work() {
        let orig = [2.0f64, 0.05];
        let mut x = orig;
        let err = richardson_jacobian(
            &mut x,
            2,
            |x, out| {
                out[0] = x[0];
                out[1] = x[1].ln();
            },
            Richardson::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 1, point, .. } if point < 0.0));
        assert_eq!(x.map(f64::to_bits), orig.map(f64::to_bits));
        let bad = Richardson {
            initial_step: Step::Fixed(f64::NAN),
            ..Richardson::default()
        };
        assert!(matches!(
            richardson_jacobian(&mut x, 1, |x, out| out[0] = x[0], bad),
            Err(Error::InvalidStep { .. })
        ));
        // No outputs, or no inputs: empty matrices of the right shape.
        let j = richardson_jacobian(&mut x, 0, |_, _| {}, Richardson::default()).unwrap();
        assert_eq!(j.jacobian.shape(), (0, 2));
        let j = richardson_jacobian(&mut [0.0f64; 0], 3, |_, _| {}, Richardson::default()).unwrap();
        assert_eq!(j.error.shape(), (3, 0));
    }

    #[test]
    fn works_in_f32() {
        let mut x = [0.4f32, -2.0];
        let j = richardson_jacobian(
            &mut x,
            2,
            |x, out| {
                out[0] = x[0].sin() + x[1] * x[1];
                out[1] = x[0] * x[1];
            },
            Richardson::default(),
        )
        .unwrap();
        assert_relative_eq!(j.jacobian[(0, 0)], 0.4f32.cos(), max_relative = 1e-5);
        assert_relative_eq!(j.jacobian[(0, 1)], -4.0, max_relative = 1e-5);
        assert_relative_eq!(j.jacobian[(1, 1)], 0.4, max_relative = 1e-5);
        assert!((j.jacobian[(0, 1)] + 4.0).abs() <= j.error[(0, 1)]);
    }
}

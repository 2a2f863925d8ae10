//! [`directional_derivative`]: the derivative of `f` along a direction, in one stencil.

use num_traits::Float;

use crate::error::to_f64;
use crate::stencil;
use crate::{Error, Options, Params};

/// The derivative of `f` at `params` along `v`, `d/dt f(params + t v)` at `t = 0`, at the
/// cost of one stencil (two evaluations for central differences) whatever the dimension.
///
/// `v` need not be a unit vector: the result is `grad f . v`. The automatic step is
/// `eps^p * max(1, max|x_i|) / max|v_i|`, so that every coordinate moves by about the step it
/// would get on its own. Every parameter is restored bit-exactly afterwards (also on error).
///
/// ```
/// use nabla_numdiff::{directional_derivative, Options};
///
/// let mut x = [3.0f64, 4.0];
/// let d = directional_derivative(&mut x, |x| x[0] * x[0] + x[1] * x[1], &[1.0, -1.0], Options::default())?;
/// assert!((d - (6.0 - 8.0)).abs() < 1e-8);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Panics
///
/// If `v.len() != params.len()`.
///
/// # Errors
///
/// [`Error::NonFiniteAlong`] if `f` is not finite at a probed point,
/// [`Error::NonFiniteAtBase`] if a one-sided scheme finds `f(params)` not finite,
/// [`Error::InvalidStep`] for a bad fixed step.
pub fn directional_derivative<T, P, F>(
    params: &mut P,
    f: F,
    v: &[T],
    opts: Options<T>,
) -> Result<T, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    let mut base = vec![T::zero(); params.len()];
    along(params, f, v, opts, &mut base).map(|(d, _)| d)
}

/// The directional derivative and the step `t` it used; `base` is scratch of `params.len()`.
pub(crate) fn along<T, P, F>(
    params: &mut P,
    mut f: F,
    v: &[T],
    opts: Options<T>,
    base: &mut [T],
) -> Result<(T, T), Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    assert_eq!(
        v.len(),
        params.len(),
        "directional_derivative: the direction has {} elements, the parameters {}",
        v.len(),
        params.len()
    );
    opts.validate()?;
    let mut xmax = T::zero();
    let mut vmax = T::zero();
    for (i, (b, &vi)) in base.iter_mut().zip(v).enumerate() {
        *b = params.get(i);
        xmax = xmax.max(b.abs());
        vmax = vmax.max(vi.abs());
    }
    if vmax == T::zero() {
        return Ok((T::zero(), T::zero()));
    }
    let f0 = crate::gradient::base_value(params, &mut f, opts)?;
    let t = stencil::actual_step(
        T::zero(),
        xmax.max(T::one()) / vmax,
        stencil::optimal_factor(opts.scheme),
        opts.step,
        opts.scheme,
    );
    let r = stencil::scalar(T::zero(), t, opts.scheme, f0, |s| {
        for (i, (&b, &vi)) in base.iter().zip(v).enumerate() {
            params.set(i, b + s * vi);
        }
        f(params)
    });
    for (i, &b) in base.iter().enumerate() {
        params.set(i, b);
    }
    r.map(|d| (d, t)).map_err(|p| Error::NonFiniteAlong {
        step: to_f64(p.point),
        value: to_f64(p.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;
    use approx::assert_relative_eq;

    #[test]
    fn the_step_spreads_over_the_largest_direction_component() {
        // t = cbrt(eps) max(1, max|x_i|) / max|v_i| = cbrt(eps) * 3 / 4: the probes are
        // x + t v and x - t v.
        let x0 = [3.0f64, -1.0];
        let v = [4.0, 0.5];
        let t = f64::EPSILON.cbrt() * 3.0 / 4.0;
        let mut probes = Vec::new();
        let mut x = x0;
        let d = directional_derivative(
            &mut x,
            |x: &[f64; 2]| {
                probes.push(*x);
                x[0] * x[0] + x[1]
            },
            &v,
            Options::default(),
        )
        .unwrap();
        assert_eq!(
            probes,
            [
                [x0[0] + t * v[0], x0[1] + t * v[1]],
                [x0[0] - t * v[0], x0[1] - t * v[1]]
            ]
        );
        assert_relative_eq!(d, 6.0 * 4.0 + 0.5, max_relative = 1e-9);
        assert_eq!(x, x0);
    }

    #[test]
    fn equals_gradient_dot_direction() {
        // f = sum_i sin(i x_i) at a point away from 1; grad_i = i cos(i x_i).
        let x0: Vec<f64> = (0..20).map(|i| 0.1 * i as f64 - 0.7).collect();
        let v: Vec<f64> = (0..20)
            .map(|i| if i % 3 == 0 { -0.5 } else { 1.25 })
            .collect();
        let f = |x: &Vec<f64>| {
            x.iter()
                .enumerate()
                .map(|(i, xi)| (i as f64 * xi).sin())
                .sum()
        };
        let exact: f64 = (0..20)
            .map(|i| i as f64 * (i as f64 * x0[i]).cos() * v[i])
            .sum();
        for scheme in [Scheme::Central, Scheme::FivePoint] {
            let mut x = x0.clone();
            let d = directional_derivative(&mut x, f, &v, Options::auto(scheme)).unwrap();
            assert_relative_eq!(d, exact, max_relative = 1e-8);
            assert_eq!(x, x0);
        }
        let mut x = x0.clone();
        let d = directional_derivative(&mut x, f, &v, Options::auto(Scheme::Forward)).unwrap();
        assert_relative_eq!(d, exact, max_relative = 1e-5);
    }

    #[test]
    fn zero_direction_gives_zero_and_no_evaluation() {
        let mut x = [1.0f32, 2.0];
        let d = directional_derivative(&mut x, |_| f32::NAN, &[0.0, 0.0], Options::default());
        assert_eq!(d, Ok(0.0));
    }

    #[test]
    fn non_finite_is_reported_with_the_step() {
        let mut x = [1e-9f64, 1.0];
        let err = directional_derivative(
            &mut x,
            |x| x[0].sqrt() + x[1],
            &[-1.0, 0.0],
            Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFiniteAlong { value, .. } if value.is_nan()));
        assert_eq!(x, [1e-9, 1.0]);
    }
}

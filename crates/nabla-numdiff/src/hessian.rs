//! Second derivatives: [`hessian`] from `f` alone, [`hessian_from_gradient`], and the
//! Hessian-vector product [`hessian_vector_product`].

use nalgebra::{DMatrix, Scalar};
use num_traits::Float;

use crate::error::to_f64;
use crate::options::lit;
use crate::stencil;
use crate::{Error, Options, Params, Step};

/// The `n x n` Hessian of `f: R^n -> R` at `params`, from values of `f` alone, by second
/// differences.
///
/// Diagonal: `(f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)) / h_i^2`. Off the diagonal:
/// `(f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j)`, computed once for `i < j` and mirrored,
/// so the result is exactly symmetric. Only `opts.step` is used: the automatic step is
/// `eps^(1/4) * max(1, |x_i|)` (the balance of the `h^2` truncation error against the
/// `eps |f| / h^2` rounding error), representable as usual. Cost: `1 + 2n + 2n(n - 1)` calls
/// of `f`. Parameters are restored bit-exactly.
///
/// Expect about `sqrt(eps)` relative accuracy (`1e-8` in `f64`); when a gradient is
/// available, [`hessian_from_gradient`] is both cheaper and more accurate.
///
/// ```
/// use nabla_numdiff::{hessian, Options};
///
/// let mut p = [2.0f64, -3.0];
/// let h = hessian(&mut p, |p| p[0] * p[0] * p[1], Options::default())?;
/// // [[2y, 2x], [2x, 0]] = [[-6, 4], [4, 0]]
/// assert!((h[(0, 0)] + 6.0).abs() < 1e-6 && (h[(0, 1)] - 4.0).abs() < 1e-6);
/// assert_eq!(h[(0, 1)], h[(1, 0)]);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFiniteAtBase`], [`Error::NonFinite`] or [`Error::NonFinitePair`] if `f` is not
/// finite at a probed point; [`Error::InvalidStep`] for a bad fixed step.
pub fn hessian<T, P, F>(params: &mut P, mut f: F, opts: Options<T>) -> Result<DMatrix<T>, Error>
where
    T: Float + Scalar,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    opts.validate()?;
    let n = params.len();
    let mut hess = DMatrix::from_element(n, n, T::zero());
    let f0 = f(params);
    if !f0.is_finite() {
        return Err(Error::NonFiniteAtBase { value: to_f64(f0) });
    }
    let mut steps = vec![T::zero(); n];
    for i in 0..n {
        let x = params.get(i);
        let h = stencil::second_step(x, opts.step);
        steps[i] = h;
        let mut probe = |v: T| {
            params.set(i, v);
            let y = f(params);
            if y.is_finite() {
                Ok(y)
            } else {
                Err(Error::NonFinite {
                    index: i,
                    point: to_f64(v),
                    value: to_f64(y),
                })
            }
        };
        let r = probe(x + h).and_then(|fp| probe(x - h).map(|fm| (fp, fm)));
        params.set(i, x);
        let (fp, fm) = r?;
        hess[(i, i)] = stencil::second_difference(fp, f0, fm, h);
    }
    for i in 0..n {
        let xi = params.get(i);
        for j in i + 1..n {
            let xj = params.get(j);
            let (hi, hj) = (steps[i], steps[j]);
            let mut probe = |si: T, sj: T| {
                let (a, b) = (xi + si, xj + sj);
                params.set(i, a);
                params.set(j, b);
                let y = f(params);
                if y.is_finite() {
                    Ok(y)
                } else {
                    Err(Error::NonFinitePair {
                        first: i,
                        second: j,
                        first_point: to_f64(a),
                        second_point: to_f64(b),
                        value: to_f64(y),
                    })
                }
            };
            let r = (|| {
                let pp = probe(hi, hj)?;
                let pm = probe(hi, -hj)?;
                let mp = probe(-hi, hj)?;
                let mm = probe(-hi, -hj)?;
                Ok(((pp - pm) - (mp - mm)) / (lit::<T>(4.0) * hi * hj))
            })();
            params.set(i, xi);
            params.set(j, xj);
            let v = r?;
            hess[(i, j)] = v;
            hess[(j, i)] = v;
        }
    }
    Ok(hess)
}

/// The Hessian of a function whose gradient `grad` is known: the Jacobian of the gradient by
/// the scheme and step in `opts`, symmetrized as `(J + J^T) / 2`.
///
/// `grad(params, out)` writes the `n` partial derivatives into `out`. Cost:
/// `n * scheme.evaluations()` calls of `grad`. With central differences and an exact
/// gradient the accuracy is about `eps^(2/3)` relative (`4e-11` in `f64`).
///
/// # Errors
///
/// As [`jacobian`](crate::jacobian).
pub fn hessian_from_gradient<T, P, G>(
    params: &mut P,
    grad: G,
    opts: Options<T>,
) -> Result<DMatrix<T>, Error>
where
    T: Float + Scalar,
    P: Params<T> + ?Sized,
    G: FnMut(&P, &mut [T]),
{
    let n = params.len();
    let mut h = crate::jacobian(params, n, grad, opts)?;
    let half = lit::<T>(0.5);
    for i in 0..n {
        for j in i + 1..n {
            let v = (h[(i, j)] + h[(j, i)]) * half;
            h[(i, j)] = v;
            h[(j, i)] = v;
        }
    }
    Ok(h)
}

/// The Hessian-vector product `H v` from a known gradient, without forming `H`: the
/// derivative of `grad` along `v`, `(grad(x + t v) - grad(x - t v)) / 2t` for central
/// differences. Two gradient evaluations whatever `n`.
///
/// The automatic step is `eps^p * max(1, max|x_i|) / max|v_i|`; the division is by the
/// nominal step `t` (the nudge is spread over every coordinate, so there is no single
/// representable step). Parameters are restored bit-exactly.
///
/// # Panics
///
/// If `v.len() != params.len()`.
///
/// # Errors
///
/// [`Error::NonFiniteAlong`] if `grad` is not finite at a probed point,
/// [`Error::NonFiniteAtBase`] if a one-sided scheme finds `grad(params)` not finite,
/// [`Error::InvalidStep`] for a bad fixed step.
pub fn hessian_vector_product<T, P, G>(
    params: &mut P,
    mut grad: G,
    v: &[T],
    opts: Options<T>,
) -> Result<Vec<T>, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    G: FnMut(&P, &mut [T]),
{
    let n = params.len();
    assert_eq!(
        v.len(),
        n,
        "hessian_vector_product: the direction has {} elements, the parameters {}",
        v.len(),
        n
    );
    opts.validate()?;
    let mut base = vec![T::zero(); n];
    let mut out = vec![T::zero(); n];
    let mut tmp = vec![T::zero(); n];
    let mut xmax = T::zero();
    let mut vmax = T::zero();
    for (i, b) in base.iter_mut().enumerate() {
        *b = params.get(i);
        xmax = xmax.max(b.abs());
        vmax = vmax.max(v[i].abs());
    }
    if vmax == T::zero() {
        return Ok(out);
    }
    let mut f0 = Vec::new();
    if opts.scheme.uses_base() {
        f0.resize(n, T::zero());
        grad(params, &mut f0);
        if let Some(&value) = f0.iter().find(|x| !x.is_finite()) {
            return Err(Error::NonFiniteAtBase {
                value: to_f64(value),
            });
        }
    }
    let t = match opts.step {
        Step::Fixed(h) => h,
        Step::Auto => stencil::optimal_factor::<T>(opts.scheme) * xmax.max(T::one()) / vmax,
    };
    let f0 = if f0.is_empty() { None } else { Some(&f0[..]) };
    let r = stencil::vector(
        T::zero(),
        t,
        opts.scheme,
        f0,
        &mut out,
        &mut tmp,
        |s, buf| {
            for (i, (&b, &vi)) in base.iter().zip(v).enumerate() {
                params.set(i, b + s * vi);
            }
            grad(params, buf);
        },
    );
    for (i, &b) in base.iter().enumerate() {
        params.set(i, b);
    }
    r.map_err(|p| Error::NonFiniteAlong {
        step: to_f64(p.point),
        value: to_f64(p.value),
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;
    use approx::assert_relative_eq;

    /// f = x^3 y + exp(y z) + sin(x) z^2, at a point away from 1.
    fn f(p: &[f64]) -> f64 {
        p[0].powi(3) * p[1] + (p[1] * p[2]).exp() + p[0].sin() * p[2] * p[2]
    }

    fn grad(p: &[f64], g: &mut [f64]) {
        let e = (p[1] * p[2]).exp();
        g[0] = 3.0 * p[0] * p[0] * p[1] + p[0].cos() * p[2] * p[2];
        g[1] = p[0].powi(3) + p[2] * e;
        g[2] = p[1] * e + 2.0 * p[0].sin() * p[2];
    }

    fn exact(p: &[f64]) -> DMatrix<f64> {
        let (x, y, z) = (p[0], p[1], p[2]);
        let e = (y * z).exp();
        DMatrix::from_row_slice(
            3,
            3,
            &[
                6.0 * x * y - x.sin() * z * z,
                3.0 * x * x,
                2.0 * x.cos() * z,
                3.0 * x * x,
                z * z * e,
                e + y * z * e,
                2.0 * x.cos() * z,
                e + y * z * e,
                y * y * e + 2.0 * x.sin(),
            ],
        )
    }

    const P0: [f64; 3] = [2.5, -0.75, 1.6];

    #[test]
    fn hessian_from_values_is_symmetric_and_accurate() {
        let mut p = P0;
        let h = hessian(&mut p[..], f, Options::default()).unwrap();
        assert_eq!(h, h.transpose());
        assert_relative_eq!(h, exact(&P0), epsilon = 1e-6, max_relative = 1e-6);
        assert_eq!(p, P0);
    }

    #[test]
    fn hessian_in_f32() {
        let mut p = [1.5f32, -2.0];
        let h = hessian(
            &mut p,
            |p| p[0] * p[0] * p[1] + p[1].powi(3),
            Options::default(),
        )
        .unwrap();
        // [[2y, 2x], [2x, 6y]] = [[-4, 3], [3, -12]]
        let want = DMatrix::from_row_slice(2, 2, &[-4.0f32, 3.0, 3.0, -12.0]);
        assert_relative_eq!(h, want, epsilon = 2e-2, max_relative = 2e-2);
        assert_eq!(h, h.transpose());
    }

    #[test]
    fn hessian_from_gradient_is_more_accurate() {
        let mut p = P0;
        let h = hessian_from_gradient(&mut p[..], grad, Options::default()).unwrap();
        assert_eq!(h, h.transpose());
        assert_relative_eq!(h, exact(&P0), epsilon = 1e-9, max_relative = 1e-9);
        let h5 = hessian_from_gradient(&mut p[..], grad, Options::auto(Scheme::FivePoint)).unwrap();
        assert_relative_eq!(h5, exact(&P0), epsilon = 1e-11, max_relative = 1e-11);
        assert_eq!(p, P0);
    }

    #[test]
    fn hessian_from_gradient_leaves_the_diagonal_as_computed() {
        // Only the off-diagonal pairs are averaged: a diagonal entry near the overflow
        // threshold stays finite (averaging it with itself would overflow in `a + a`).
        let mut p = [0.0f64, 0.0];
        let big = 1.5e308;
        let h = hessian_from_gradient(
            &mut p,
            |p: &[f64; 2], g: &mut [f64]| {
                g[0] = big * p[0] + p[1];
                g[1] = p[0] + 2.0 * p[1];
            },
            Options::fixed(Scheme::Forward, 1.0),
        )
        .unwrap();
        assert_eq!(h, DMatrix::from_row_slice(2, 2, &[big, 1.0, 1.0, 2.0]));
    }

    #[test]
    fn hessian_vector_product_matches_h_times_v() {
        let v = [0.5, -2.0, 1.25];
        let want = exact(&P0) * nalgebra::DVector::from_column_slice(&v);
        let mut p = P0;
        let hv = hessian_vector_product(&mut p[..], grad, &v, Options::default()).unwrap();
        for i in 0..3 {
            assert_relative_eq!(hv[i], want[i], max_relative = 1e-8);
        }
        assert_eq!(p, P0);
        assert_eq!(
            hessian_vector_product(&mut p[..], grad, &[0.0; 3], Options::default()).unwrap(),
            [0.0; 3]
        );
    }

    #[test]
    fn hessian_probes_at_the_representable_fourth_root_step() {
        // Every probe of coordinate i is x_i, x_i + h_i or x_i - h_i with
        // h_i = (x_i + eps^(1/4) max(1, |x_i|)) - x_i, and the mixed probes pair them.
        // x_0 = 1 + 2^-40 is a point where that step (2^-13) differs from the one
        // representable below x_0, x_0 - (x_0 - 2^-13 x_0) = 2^-13 + 2^-53.
        let x0 = [1.0 + 1.0 / 1_099_511_627_776.0, -0.3, 1.6];
        let steps = x0.map(|x| (x + f64::EPSILON.powf(0.25) * x.abs().max(1.0)) - x);
        let mut probes: Vec<[f64; 3]> = Vec::new();
        let mut p = x0;
        let h = hessian(
            &mut p,
            |p| {
                probes.push(*p);
                f(p)
            },
            Options::default(),
        )
        .unwrap();
        assert_eq!(steps[0], 1.0 / 8192.0);
        assert_ne!(steps[0], x0[0] - (x0[0] - x0[0] / 8192.0));
        assert_eq!(probes.len(), 1 + 2 * 3 + 4 * 3);
        for q in &probes {
            for i in 0..3 {
                let d = q[i] - x0[i];
                assert!(
                    d == 0.0 || d == steps[i] || d == -steps[i],
                    "probe {q:?}: coordinate {i} moved by {d:e}, not 0 or +-{:e}",
                    steps[i]
                );
            }
        }
        // Each single and mixed nudge is made.
        assert!(probes.contains(&[x0[0] + steps[0], x0[1], x0[2]]));
        assert!(probes.contains(&[x0[0], x0[1] - steps[1], x0[2]]));
        assert!(probes.contains(&[x0[0] - steps[0], x0[1], x0[2] + steps[2]]));
        assert_relative_eq!(h, exact(&x0), epsilon = 1e-5, max_relative = 1e-6);
        // A fixed step is used as given.
        probes.clear();
        hessian(
            &mut p,
            |p| {
                probes.push(*p);
                f(p)
            },
            Options::fixed(Scheme::Central, 0.125),
        )
        .unwrap();
        assert!(probes.contains(&[x0[0] + 0.125, x0[1], x0[2]]));
        assert!(probes.contains(&[x0[0] - 0.125, x0[1] + 0.125, x0[2]]));
    }

    #[test]
    fn hessian_vector_product_probes_along_the_scaled_step() {
        // t = cbrt(eps) max(1, max|x_i|) / max|v_i| for central differences: here
        // max|x_i| = 2.5 and max|v_i| = 2, so every probe is x + t v or x - t v.
        let v = [0.5, -2.0, 1.25];
        let t = f64::EPSILON.cbrt() * 2.5 / 2.0;
        let mut probes: Vec<[f64; 3]> = Vec::new();
        let mut p = P0;
        let hv = hessian_vector_product(
            &mut p,
            |p: &[f64; 3], g: &mut [f64]| {
                probes.push(*p);
                grad(p, g);
            },
            &v,
            Options::default(),
        )
        .unwrap();
        let along = |s: f64| [0, 1, 2].map(|i| P0[i] + s * v[i]);
        assert_eq!(probes, [along(t), along(-t)]);
        let want = exact(&P0) * nalgebra::DVector::from_column_slice(&v);
        for i in 0..3 {
            assert_relative_eq!(hv[i], want[i], max_relative = 1e-8);
        }
        // A point with |x| below 1 and a small direction: t = cbrt(eps) * 1 / 0.25.
        let x = [0.5, -0.25];
        let w = [0.25, 0.125];
        let mut probes: Vec<[f64; 2]> = Vec::new();
        let mut q = x;
        let hv = hessian_vector_product(
            &mut q,
            |p: &[f64; 2], g: &mut [f64]| {
                probes.push(*p);
                g[0] = 3.0 * p[0] * p[0];
                g[1] = 2.0 * p[1];
            },
            &w,
            Options::default(),
        )
        .unwrap();
        let t = f64::EPSILON.cbrt() / 0.25;
        assert_eq!(probes[0], [x[0] + t * w[0], x[1] + t * w[1]]);
        assert_relative_eq!(hv[0], 6.0 * x[0] * w[0], max_relative = 1e-9);
        assert_relative_eq!(hv[1], 2.0 * w[1], max_relative = 1e-9);
        // One-sided schemes use sqrt(eps) and grad(x) itself; a fixed step is used as given.
        // The points a scheme probes, for the gradient of (x0² + x1²) / 2.
        let mut probes_of = |opts: Options<f64>| {
            let mut probes: Vec<[f64; 2]> = Vec::new();
            let grad = |p: &[f64; 2], g: &mut [f64]| {
                probes.push(*p);
                g.copy_from_slice(p);
            };
            hessian_vector_product(&mut q, grad, &w, opts).unwrap();
            probes
        };
        let t = f64::EPSILON.sqrt() / 0.25;
        let forward = probes_of(Options::auto(Scheme::Forward));
        assert_eq!(forward, [x, [x[0] + t * w[0], x[1] + t * w[1]]]);
        let probes = probes_of(Options::fixed(Scheme::Backward, 0.5));
        assert_eq!(probes, [x, [x[0] - 0.5 * w[0], x[1] - 0.5 * w[1]]]);
        assert_eq!(q, x);
    }

    #[test]
    fn non_finite_points_are_reported() {
        // sqrt(x y) with y tiny: the mixed stencil crosses y = 0.
        let mut p = [4.0, 1e-6];
        let err = hessian(
            &mut p,
            |p| (p[0] * p[1]).sqrt(),
            Options::fixed(Scheme::Central, 1e-3),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 1, .. }), "{err:?}");
        assert_eq!(p, [4.0, 1e-6]);
        // sqrt(x y + 1e-5) at (0, 0): every single nudge keeps x y = 0, the mixed (+, -)
        // nudge makes x y = -h^2 < -1e-5.
        let mut q = [0.0, 0.0];
        let err = hessian(
            &mut q,
            |p| (p[0] * p[1] + 1e-5).sqrt(),
            Options::fixed(Scheme::Central, 1e-2),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::NonFinitePair { first: 0, second: 1, first_point, second_point, .. }
                if first_point == 1e-2 && second_point == -1e-2),
            "{err:?}"
        );
        assert_eq!(q, [0.0, 0.0]);
        let err = hessian(&mut p, |_| f64::INFINITY, Options::default()).unwrap_err();
        assert!(matches!(err, Error::NonFiniteAtBase { .. }));
    }
}

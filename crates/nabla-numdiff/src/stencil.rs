//! The finite-difference formulas, written once for every driver: the step rule and the
//! stencils, for scalar-valued and vector-valued functions of one coordinate.

use num_traits::Float;

use crate::options::lit;
use crate::{Options, Scheme, Step};

/// Where a probe of `f` came back non-finite: the coordinate's value and what `f` returned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probe<T> {
    pub point: T,
    pub value: T,
}

/// The scale of a coordinate for the automatic step: `max(1, |x|)`.
pub(crate) fn scale<T: Float>(x: T) -> T {
    x.abs().max(T::one())
}

/// `eps^p` for the scheme's optimal exponent `p`.
pub(crate) fn optimal_factor<T: Float>(scheme: Scheme) -> T {
    let eps = T::epsilon();
    match scheme {
        Scheme::Forward | Scheme::Backward => eps.sqrt(),
        Scheme::Central => eps.cbrt(),
        Scheme::FivePoint => eps.powf(lit(0.2)),
    }
}

/// `eps^(1/4)`, the step factor of second differences.
pub(crate) fn second_order_factor<T: Float>() -> T {
    T::epsilon().sqrt().sqrt()
}

/// The step the stencil really uses at coordinate `x`, given the nominal automatic step
/// `factor * scale` or a fixed step. Fixed steps are used as given (book-compatible);
/// automatic steps are replaced by the representable `(x + h) - x` (or `x - (x - h)` for the
/// backward scheme).
pub(crate) fn actual_step<T: Float>(x: T, scale: T, factor: T, step: Step<T>, scheme: Scheme) -> T {
    match step {
        Step::Fixed(h) => h,
        Step::Auto => {
            let h = factor * scale;
            match scheme {
                Scheme::Backward => x - (x - h),
                _ => (x + h) - x,
            }
        }
    }
}

/// A step rule with its factor `eps^p` computed once (a `cbrt` per parameter would cost as
/// much as evaluating a cheap function).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule<T> {
    pub scheme: Scheme,
    step: Step<T>,
    factor: T,
}

impl<T: Float> Rule<T> {
    pub(crate) fn new(opts: Options<T>) -> Self {
        Rule {
            scheme: opts.scheme,
            step: opts.step,
            factor: optimal_factor(opts.scheme),
        }
    }

    /// The step at coordinate `x`, with the usual scale `max(1, |x|)`.
    pub(crate) fn step_at(&self, x: T) -> T {
        actual_step(x, scale(x), self.factor, self.step, self.scheme)
    }
}

/// The step of a second difference at coordinate `x`: a fixed step as given, else
/// `eps^(1/4) max(1, |x|)`, representable.
pub(crate) fn second_step<T: Float>(x: T, step: Step<T>) -> T {
    actual_step(x, scale(x), second_order_factor(), step, Scheme::Central)
}

/// The second difference `(f(x + h) - 2 f(x) + f(x - h)) / h^2` from its three values.
pub(crate) fn second_difference<T: Float>(fp: T, f0: T, fm: T, h: T) -> T {
    (fp - lit::<T>(2.0) * f0 + fm) / (h * h)
}

fn checked<T: Float>(point: T, value: T) -> Result<T, Probe<T>> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Probe { point, value })
    }
}

/// The derivative of `eval` at `x` with step `h`. `f0` is `eval(x)` when the caller already
/// has it (one-sided schemes use it; when `None` it is evaluated here).
pub(crate) fn scalar<T: Float>(
    x: T,
    h: T,
    scheme: Scheme,
    f0: Option<T>,
    mut eval: impl FnMut(T) -> T,
) -> Result<T, Probe<T>> {
    let mut ev = |p: T| checked(p, eval(p));
    match scheme {
        Scheme::Forward => {
            let f0 = match f0 {
                Some(v) => v,
                None => ev(x)?,
            };
            let fp = ev(x + h)?;
            Ok((fp - f0) / h)
        }
        Scheme::Backward => {
            let f0 = match f0 {
                Some(v) => v,
                None => ev(x)?,
            };
            let fm = ev(x - h)?;
            Ok((f0 - fm) / h)
        }
        Scheme::Central => {
            let fp = ev(x + h)?;
            let fm = ev(x - h)?;
            Ok((fp - fm) / (lit::<T>(2.0) * h))
        }
        Scheme::FivePoint => {
            let h2 = h + h;
            let fp1 = ev(x + h)?;
            let fm1 = ev(x - h)?;
            let fm2 = ev(x - h2)?;
            let fp2 = ev(x + h2)?;
            Ok((lit::<T>(8.0) * (fp1 - fm1) + fm2 - fp2) / (lit::<T>(12.0) * h))
        }
    }
}

fn checked_slice<T: Float>(point: T, values: &[T]) -> Result<(), Probe<T>> {
    match values.iter().find(|v| !v.is_finite()) {
        None => Ok(()),
        Some(&value) => Err(Probe { point, value }),
    }
}

/// The derivative of a vector-valued `eval` at `x` with step `h`, written into `out`; `tmp`
/// is scratch of the same length. `eval(p, buf)` writes f at coordinate value `p` into `buf`.
/// `f0` must be given for the one-sided schemes.
pub(crate) fn vector<T: Float>(
    x: T,
    h: T,
    scheme: Scheme,
    f0: Option<&[T]>,
    out: &mut [T],
    tmp: &mut [T],
    mut eval: impl FnMut(T, &mut [T]),
) -> Result<(), Probe<T>> {
    // Every evaluation starts from a zeroed buffer, so that a function that accumulates into
    // its output (`out[i] += ...`) is not handed the previous evaluation's values.
    let mut ev = |p: T, buf: &mut [T]| {
        buf.fill(T::zero());
        eval(p, buf);
        checked_slice(p, buf)
    };
    match scheme {
        Scheme::Forward | Scheme::Backward => {
            let f0 = f0.expect("one-sided stencils are given f(x)"); // ok: callers pass f(x)
            let forward = scheme == Scheme::Forward;
            ev(if forward { x + h } else { x - h }, out)?;
            for (o, &b) in out.iter_mut().zip(f0) {
                *o = if forward { (*o - b) / h } else { (b - *o) / h };
            }
        }
        Scheme::Central => {
            ev(x + h, out)?;
            ev(x - h, tmp)?;
            let d = lit::<T>(2.0) * h;
            for (o, &m) in out.iter_mut().zip(tmp.iter()) {
                *o = (*o - m) / d;
            }
        }
        Scheme::FivePoint => {
            let h2 = h + h;
            let eight = lit::<T>(8.0);
            ev(x + h, out)?;
            ev(x - h, tmp)?;
            for (o, &m) in out.iter_mut().zip(tmp.iter()) {
                *o = eight * (*o - m);
            }
            ev(x - h2, tmp)?;
            for (o, &m) in out.iter_mut().zip(tmp.iter()) {
                *o = *o + m;
            }
            ev(x + h2, tmp)?;
            let d = lit::<T>(12.0) * h;
            for (o, &p) in out.iter_mut().zip(tmp.iter()) {
                *o = (*o - p) / d;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `1 + 2^-27`: the nominal one-sided step `2^-26 x` sticks out of the grid by half an ulp
    /// above `x`, but lands exactly on the finer grid of the binade below, so the forward
    /// and backward representable steps differ.
    const X: f64 = 1.0 + 1.0 / 134_217_728.0;

    #[test]
    fn each_one_sided_scheme_divides_by_its_own_representable_step() {
        let forward = Rule::new(Options::<f64>::auto(Scheme::Forward)).step_at(X);
        let backward = Rule::new(Options::<f64>::auto(Scheme::Backward)).step_at(X);
        let nominal = f64::EPSILON.sqrt() * X;
        assert_eq!(forward, (X + nominal) - X);
        assert_eq!(backward, X - (X - nominal));
        assert_ne!(forward, backward, "X does not tell the two apart");
        // So the derivative of the identity is exactly 1 either way.
        for scheme in [Scheme::Forward, Scheme::Backward, Scheme::Central] {
            let d = crate::derivative(|x| x, X, Options::auto(scheme)).unwrap();
            assert_eq!(d, 1.0, "{scheme:?}");
        }
        // And for a vector-valued function.
        let mut x = [X];
        let j = crate::jacobian(
            &mut x,
            1,
            |x: &[f64; 1], out: &mut [f64]| out[0] = x[0],
            Options::auto(Scheme::Backward),
        )
        .unwrap();
        assert_eq!(j[(0, 0)], 1.0);
    }

    #[test]
    fn fixed_steps_are_used_as_given() {
        let h = actual_step(X, 1.0, 1.0, Step::Fixed(1e-4), Scheme::Backward);
        assert_eq!(h, 1e-4);
        assert_eq!(scale(-3.5_f64), 3.5);
        assert_eq!(scale(0.25_f64), 1.0);
        // eps^(1/4) and eps^(1/2) are powers of two; the other two are compared to an ulp or
        // so, since a constant-folded `powf` may round differently from the library's call.
        assert_eq!(second_order_factor::<f64>(), 1.0 / 8192.0);
        assert_eq!(optimal_factor::<f64>(Scheme::Backward), 1.0 / 67_108_864.0);
        assert_eq!(optimal_factor::<f64>(Scheme::Forward), 1.0 / 67_108_864.0);
        approx::assert_relative_eq!(
            optimal_factor::<f64>(Scheme::FivePoint),
            7.400959797414052e-4,
            max_relative = 1e-15
        );
        approx::assert_relative_eq!(
            optimal_factor::<f64>(Scheme::Central),
            6.055454452393343e-6,
            max_relative = 1e-15
        );
    }
}

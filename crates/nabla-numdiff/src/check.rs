//! Gradient checks: an analytic gradient against a numerical one, with a pass rule that a
//! tiny wrong gradient cannot slip through.

use std::fmt;

use num_traits::Float;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::error::to_f64;
use crate::options::lit;
use crate::{Error, Options, Params, stencil};

/// Tolerances of a gradient check.
///
/// # The pass rule
///
/// Element `i` (or direction `i`) passes when
///
/// ```text
/// |a - n| <= rtol * max(|a|, |n|) + noise_i,   noise_i = noise_factor * eps * |f(x)| / h_i
/// ```
///
/// where `a` is the analytic value, `n` the numerical one, `h_i` the step the numerical
/// derivative used and `eps` the scalar's machine epsilon. `noise_i` is the rounding error
/// the finite difference itself can make (`eps |f| / h` for central differences) times a
/// safety factor: below it the numerical value cannot tell right from wrong, above it the
/// check demands *relative* agreement. There is no fixed absolute tolerance, so a gradient
/// that is 2x wrong fails whenever it is larger than the noise of the difference, however
/// tiny it is in absolute terms (a rule `|a - n| <= 1e-5 + 1e-3 |n|` passes any gradient
/// smaller than `1e-5`). The check passes when every element passes.
///
/// For directional checks the noise also includes the rounding of the dot product
/// `a . v`, `noise_factor * eps * sum |a_i v_i|`.
///
/// Made by [`GradientCheck::default`] and changed by the `with_*` builders; the fields are
/// read directly, and new ones may be added.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct GradientCheck<T> {
    /// Relative tolerance. Default `eps^(1/3)`: `6.1e-6` in `f64`, `4.9e-3` in `f32`, a few
    /// hundred times the error of a central difference with the automatic step.
    pub rtol: T,
    /// Safety factor on the noise floor. Default 100.
    pub noise_factor: T,
    /// How the numerical gradient is taken. Default central differences, automatic step.
    pub options: Options<T>,
}

impl<T: Float> Default for GradientCheck<T> {
    fn default() -> Self {
        GradientCheck {
            rtol: T::epsilon().cbrt(),
            noise_factor: lit(100.0),
            options: Options::default(),
        }
    }
}

impl<T: Float> GradientCheck<T> {
    /// The default check with another relative tolerance.
    pub fn with_rtol(self, rtol: T) -> Self {
        GradientCheck { rtol, ..self }
    }

    /// The default check with other numerical-gradient options.
    pub fn with_options(self, options: Options<T>) -> Self {
        GradientCheck { options, ..self }
    }

    /// The default check with another safety factor on the noise floor.
    pub fn with_noise_factor(self, noise_factor: T) -> Self {
        GradientCheck {
            noise_factor,
            ..self
        }
    }
}

/// The element (or direction) that came closest to failing, or failed worst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mismatch<T> {
    /// The parameter index (for a directional check: the direction's number, `0..k`).
    pub index: usize,
    /// The analytic value (for a directional check: `a . v`).
    pub analytic: T,
    /// The numerical value.
    pub numerical: T,
    /// `|analytic - numerical|`.
    pub abs_error: T,
    /// `abs_error / max(|analytic|, |numerical|)`, 0 when both are 0.
    pub rel_error: T,
    /// The largest `abs_error` the pass rule allowed for this element.
    pub allowed: T,
}

impl<T: Float> Mismatch<T> {
    /// Whether this element passes: `abs_error <= allowed`.
    pub fn passed(&self) -> bool {
        self.abs_error <= self.allowed
    }

    /// How far from failing: `abs_error / allowed` (above 1 fails).
    fn badness(&self) -> T {
        if self.abs_error.is_nan() {
            // A NaN analytic value is the worst possible mismatch.
            T::infinity()
        } else if self.allowed > T::zero() {
            self.abs_error / self.allowed
        } else if self.abs_error > T::zero() {
            T::infinity()
        } else {
            T::zero()
        }
    }
}

/// The outcome of a gradient check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckReport<T> {
    /// Whether every element passed.
    pub passed: bool,
    /// The element with the largest `abs_error / allowed`; `None` for an empty gradient.
    pub worst: Option<Mismatch<T>>,
    /// How many elements (or directions) were compared.
    pub compared: usize,
    /// How many times `f` was evaluated.
    pub evaluations: usize,
}

impl<T: Float + fmt::Display + fmt::LowerExp> fmt::Display for CheckReport<T> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        write!(
            out,
            "gradient check {verdict} ({} compared, {} evaluations)",
            self.compared, self.evaluations
        )?;
        if let Some(w) = &self.worst {
            write!(
                out,
                "; worst at {}: analytic {}, numerical {}, abs error {:e}, rel error {:e}, allowed {:e}",
                w.index, w.analytic, w.numerical, w.abs_error, w.rel_error, w.allowed
            )?;
        }
        Ok(())
    }
}

fn compare<T: Float>(index: usize, analytic: T, numerical: T, rtol: T, noise: T) -> Mismatch<T> {
    let abs_error = (analytic - numerical).abs();
    let scale = analytic.abs().max(numerical.abs());
    let rel_error = if scale > T::zero() {
        abs_error / scale
    } else {
        T::zero()
    };
    Mismatch {
        index,
        analytic,
        numerical,
        abs_error,
        rel_error,
        allowed: rtol * scale + noise,
    }
}

fn report<T: Float>(
    items: impl Iterator<Item = Mismatch<T>>,
    evaluations: usize,
) -> CheckReport<T> {
    let mut worst: Option<Mismatch<T>> = None;
    let mut passed = true;
    let mut compared = 0;
    for m in items {
        compared += 1;
        passed &= m.passed();
        if worst.is_none_or(|w| m.badness() > w.badness()) {
            worst = Some(m);
        }
    }
    CheckReport {
        passed,
        worst,
        compared,
        evaluations,
    }
}

fn base<T, P, F>(params: &P, f: &mut F) -> Result<T, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    let f0 = f(params);
    if f0.is_finite() {
        Ok(f0)
    } else {
        Err(Error::NonFiniteAtBase { value: to_f64(f0) })
    }
}

/// Compares `analytic` with the numerical gradient of `f` at `params`, element by element,
/// under the pass rule of [`GradientCheck`]. Costs `1 + n * scheme.evaluations()` calls of
/// `f`; parameters are restored bit-exactly.
///
/// ```
/// use nabla_numdiff::{check_gradient, GradientCheck};
///
/// let mut x = [1e-3, -2e-3];
/// let f = |x: &[f64; 2]| 1e-6 * (x[0] * x[0] + x[1] * x[1]);
/// let right = [2e-9, -4e-9];
/// let wrong = [4e-9, -8e-9]; // 2x too large, and tiny
/// assert!(check_gradient(&mut x, f, &right, &GradientCheck::default())?.passed);
/// let r = check_gradient(&mut x, f, &wrong, &GradientCheck::default())?;
/// assert!(!r.passed);
/// println!("{r}");
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Panics
///
/// If `analytic.len() != params.len()`.
///
/// # Errors
///
/// Those of [`gradient`](crate::gradient), and [`Error::NonFiniteAtBase`] if `f(params)` is
/// not finite.
pub fn check_gradient<T: Float, P: Params<T> + ?Sized, F: FnMut(&P) -> T>(
    params: &mut P,
    mut f: F,
    analytic: &[T],
    check: &GradientCheck<T>,
) -> Result<CheckReport<T>, Error> {
    let f0 = begin("check_gradient", params, &mut f, analytic, check)?;
    let noise_num = check.noise_factor * T::epsilon() * f0.abs();
    let scheme = check.options.scheme;
    let rule = stencil::Rule::new(check.options);
    let mut items = Vec::with_capacity(analytic.len());
    for (i, &a) in analytic.iter().enumerate() {
        let h = rule.step_at(params.get(i));
        let base_value = scheme.uses_base().then_some(f0);
        let numerical = crate::gradient::partial(params, &mut f, &rule, base_value, i)?;
        items.push(compare(i, a, numerical, check.rtol, noise_num / h));
    }
    let evaluations = 1 + analytic.len() * scheme.evaluations();
    Ok(report(items.into_iter(), evaluations))
}

/// What both checks do first: the analytic gradient has one element per parameter
/// (`# Panics` of the callers), the options are valid, and `f(params)` is finite; returns it.
fn begin<T, P, F>(
    caller: &str,
    params: &mut P,
    f: &mut F,
    analytic: &[T],
    check: &GradientCheck<T>,
) -> Result<T, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    assert_eq!(
        analytic.len(),
        params.len(),
        "{caller}: the analytic gradient has {} elements, the parameters {}",
        analytic.len(),
        params.len()
    );
    check.options.validate()?;
    base(params, f)
}

/// A cheaper check for many parameters: compares `analytic . v` with the numerical
/// directional derivative along `k` random directions `v` (entries +1 or -1, drawn from a
/// generator seeded with `seed`), at `1 + k * scheme.evaluations()` calls of `f` (`2k + 1`
/// for central differences) instead of `2n`. A wrong gradient is caught unless its error
/// happens to be orthogonal to every direction, which for random signs has probability at
/// most `2^-k`. [`Mismatch::index`] is the direction's number.
///
/// # Panics
///
/// If `analytic.len() != params.len()`.
///
/// # Errors
///
/// Those of [`directional_derivative`](crate::directional_derivative), and
/// [`Error::NonFiniteAtBase`] if `f(params)` is not finite.
pub fn check_gradient_directions<T, P, F>(
    params: &mut P,
    mut f: F,
    analytic: &[T],
    directions: usize,
    seed: u64,
    check: &GradientCheck<T>,
) -> Result<CheckReport<T>, Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P) -> T,
{
    let n = params.len();
    let f0 = begin("check_gradient_directions", params, &mut f, analytic, check)?;
    let opts = check.options;
    let eps = T::epsilon();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut v = vec![T::zero(); n];
    let mut scratch = vec![T::zero(); n];
    let mut items = Vec::with_capacity(directions);
    for k in 0..directions {
        let mut dot = T::zero();
        let mut dot_abs = T::zero();
        for (vi, &ai) in v.iter_mut().zip(analytic) {
            *vi = if rng.random::<bool>() {
                T::one()
            } else {
                -T::one()
            };
            dot = dot + ai * *vi;
            dot_abs = dot_abs + ai.abs();
        }
        let (numerical, t) = crate::directional::along(params, &mut f, &v, opts, &mut scratch)?;
        let noise = check.noise_factor * eps * (f0.abs() / t + dot_abs);
        items.push(compare(k, dot, numerical, check.rtol, noise));
    }
    let per = opts.scheme.evaluations() + usize::from(opts.scheme.uses_base());
    Ok(report(items.into_iter(), 1 + directions * per))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    fn f(x: &[f64]) -> f64 {
        // A many-variable function away from 1: sum of x_i^2 exp(x_{i+1} / 4).
        x.windows(2)
            .map(|w| w[0] * w[0] * (0.25 * w[1]).exp())
            .sum()
    }

    fn grad(x: &[f64]) -> Vec<f64> {
        let n = x.len();
        let mut g = vec![0.0; n];
        for i in 0..n - 1 {
            let e = (0.25 * x[i + 1]).exp();
            g[i] += 2.0 * x[i] * e;
            g[i + 1] += 0.25 * x[i] * x[i] * e;
        }
        g
    }

    fn point(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| (i as f64 * 0.37).sin() * 2.0 + 0.1)
            .collect()
    }

    #[test]
    fn a_right_gradient_passes_and_a_wrong_one_fails() {
        let mut x = point(12);
        let g = grad(&x);
        let r = check_gradient(&mut x[..], f, &g, &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        assert_eq!(r.compared, 12);
        assert_eq!(r.evaluations, 25);
        let mut bad = g.clone();
        bad[7] *= 1.01;
        let r = check_gradient(&mut x[..], f, &bad, &GradientCheck::default()).unwrap();
        assert!(!r.passed);
        let w = r.worst.unwrap();
        assert_eq!(w.index, 7);
        assert_eq!(w.analytic, bad[7]);
        approx::assert_relative_eq!(w.rel_error, 0.01 / 1.01, max_relative = 1e-4);
    }

    #[test]
    fn a_tiny_gradient_twice_too_large_fails() {
        // f = 1e-10 (x0^2 + x1^2) at (3, 4): the gradient is [6e-10, 8e-10].
        let f = |x: &[f64; 2]| 1e-10 * (x[0] * x[0] + x[1] * x[1]);
        let right = [6e-10, 8e-10];
        let wrong = [1.2e-9, 1.6e-9];
        let mut x = [3.0, 4.0];
        let r = check_gradient(&mut x, f, &right, &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        let r = check_gradient(&mut x, f, &wrong, &GradientCheck::default()).unwrap();
        assert!(!r.passed, "{r}");
        let w = r.worst.unwrap();
        approx::assert_relative_eq!(w.rel_error, 0.5, max_relative = 1e-6);
        // The usual rule |a - n| <= 1e-5 + 1e-3 |n| would have passed it.
        assert!(w.abs_error <= 1e-5 + 1e-3 * w.numerical.abs());
        // So does the directional check.
        let r =
            check_gradient_directions(&mut x, f, &wrong, 3, 7, &GradientCheck::default()).unwrap();
        assert!(!r.passed, "{r}");
    }

    #[test]
    fn zero_gradient_at_a_flat_point_passes_and_a_noise_level_error_is_tolerated() {
        // f is constant in x1: analytic and numerical are both exactly 0 there.
        let mut x = [2.0f64, 5.0];
        let f = |x: &[f64; 2]| x[0].exp();
        let r = check_gradient(&mut x, f, &[2f64.exp(), 0.0], &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        // An analytic 1e-30 where the truth is 0 is far below eps |f| / h: not detectable.
        let r = check_gradient(&mut x, f, &[2f64.exp(), 1e-30], &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
    }

    #[test]
    fn directional_check_at_2k_plus_1_evaluations() {
        let mut x = point(50);
        let g = grad(&x);
        let r =
            check_gradient_directions(&mut x[..], f, &g, 5, 42, &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        assert_eq!(r.evaluations, 11);
        assert_eq!(r.compared, 5);
        let mut bad = g.clone();
        bad[20] = -bad[20];
        let r = check_gradient_directions(&mut x[..], f, &bad, 5, 42, &GradientCheck::default())
            .unwrap();
        assert!(!r.passed, "{r}");
        assert_eq!(x, point(50));
    }

    #[test]
    fn f32_check_with_its_own_tolerance() {
        let mut x = [0.7f32, -1.3, 2.1];
        let f = |x: &[f32; 3]| x[0] * x[1].sin() + x[2] * x[2];
        let g = [(-1.3f32).sin(), 0.7 * (-1.3f32).cos(), 4.2];
        let r = check_gradient(&mut x, f, &g, &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        let r = check_gradient(&mut x, f, &[g[0], g[1], 4.3], &GradientCheck::default()).unwrap();
        assert!(!r.passed, "{r}");
        assert_eq!(r.worst.unwrap().index, 2);
    }

    #[test]
    fn a_nan_in_the_analytic_gradient_fails_and_is_the_worst() {
        let mut x = [0.5f64, 1.5, -2.0];
        let f = |x: &[f64; 3]| x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let r =
            check_gradient(&mut x, f, &[1.0, f64::NAN, -3.9], &GradientCheck::default()).unwrap();
        assert!(!r.passed);
        assert_eq!(r.worst.unwrap().index, 1);
    }

    /// `sum x_i^2 / 2` (gradient `x`) at a point whose coordinates differ in size, so that
    /// each element has its own step and noise level.
    fn half_square(x: &[f64]) -> f64 {
        x.iter().map(|v| 0.5 * v * v).sum()
    }

    const SPREAD: [f64; 4] = [0.5, 3.0, 40.0, 0.01];

    /// The pass rule of [`GradientCheck`], written out: the allowed error of element `i`.
    fn allowed(x: &[f64], i: usize, analytic: f64, numerical: f64) -> f64 {
        let eps = f64::EPSILON;
        let h = (x[i] + eps.cbrt() * x[i].abs().max(1.0)) - x[i];
        eps.cbrt() * analytic.abs().max(numerical.abs()) + 100.0 * eps * half_square(x) / h
    }

    #[test]
    fn the_reported_worst_element_is_the_worst_by_the_pass_rule() {
        // Errors chosen so that the largest absolute error (element 2), the largest relative
        // error (element 3) and the largest error against what the rule allows (element 1)
        // are three different elements: allowed is about [6.0e-6, 1.9e-5, 2.4e-4, 3.0e-6].
        let mut x = SPREAD;
        let analytic = [0.5 + 1e-5, 3.0 + 5e-5, 40.0 + 2e-4, 0.01 + 5e-6];
        let r = check_gradient(
            &mut x,
            |x| half_square(x),
            &analytic,
            &GradientCheck::default(),
        )
        .unwrap();
        assert!(!r.passed, "{r}");
        assert_eq!(r.compared, 4);
        assert_eq!(x, SPREAD);
        let w = r.worst.unwrap();
        assert_eq!(w.index, 1, "{r}");
        assert_eq!(w.analytic, analytic[1]);
        approx::assert_relative_eq!(w.numerical, 3.0, max_relative = 1e-9);
        approx::assert_relative_eq!(w.abs_error, 5e-5, max_relative = 1e-4);
        approx::assert_relative_eq!(w.rel_error, 5e-5 / (3.0 + 5e-5), max_relative = 1e-4);
        let want = allowed(&SPREAD, 1, w.analytic, w.numerical);
        approx::assert_relative_eq!(w.allowed, want, max_relative = 1e-12);
        approx::assert_relative_eq!(w.allowed, 1.92e-5, max_relative = 1e-2);
        assert!(!w.passed());

        // Every element's allowed error follows the rule: element by element, each alone wrong.
        for i in 0..4 {
            let mut one = SPREAD;
            one[i] += 1.0;
            let r = check_gradient(&mut x, |x| half_square(x), &one, &GradientCheck::default())
                .unwrap();
            let w = r.worst.unwrap();
            assert_eq!(w.index, i);
            let want = allowed(&SPREAD, i, w.analytic, w.numerical);
            approx::assert_relative_eq!(w.allowed, want, max_relative = 1e-12);
        }
    }

    #[test]
    fn the_noise_level_lets_a_right_gradient_pass_where_rtol_alone_would_not() {
        // At a large |f| and a tiny slope the difference is all rounding: rtol alone (6e-6 of
        // 1e-3) is far below the 100 eps |f| / h = 3.7e-3 the rule allows; a noise term of
        // `eps * |f| * h` or `/ |f|` would fail this right gradient.
        let mut x = [1e-3f64];
        let f = |x: &[f64; 1]| 1e6 + 0.5 * x[0] * x[0];
        let r = check_gradient(&mut x, f, &[1e-3], &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        let w = r.worst.unwrap();
        let h = (1e-3 + f64::EPSILON.cbrt()) - 1e-3;
        approx::assert_relative_eq!(
            w.allowed,
            f64::EPSILON.cbrt() * w.analytic.abs().max(w.numerical.abs())
                + 100.0 * f64::EPSILON * (1e6 + 5e-7) / h,
            max_relative = 1e-12
        );
        // Without the noise term the same numerical value fails the relative rule.
        assert!(w.abs_error > f64::EPSILON.cbrt() * w.analytic.abs().max(w.numerical.abs()));
    }

    #[test]
    fn ties_report_the_first_element() {
        // Both coordinates see exactly the same numbers, so both are equally bad.
        let mut x = [1.5f64, 1.5];
        let f = |x: &[f64; 2]| x[0] * x[0] + x[1] * x[1];
        let r = check_gradient(&mut x, f, &[3.3, 3.3], &GradientCheck::default()).unwrap();
        assert!(!r.passed);
        assert_eq!(r.worst.unwrap().index, 0);
        let r = check_gradient(&mut x, f, &[3.0, 3.0], &GradientCheck::default()).unwrap();
        assert!(r.passed);
        assert_eq!(r.worst.unwrap().index, 0);
    }

    #[test]
    fn nothing_allowed_means_any_error_fails_and_none_passes() {
        // f(0, 0) = 0 gives no noise, and rtol 0 no relative slack: allowed is exactly 0.
        // Element 0 is exactly right (badness 0); element 1 is off by 1e-300 (badness inf).
        let mut x = [0.0f64, 0.0];
        let f = |x: &[f64; 2]| x[0] * x[1];
        let strict = GradientCheck::default().with_rtol(0.0);
        assert_eq!(strict.rtol, 0.0);
        let r = check_gradient(&mut x, f, &[0.0, 1e-300], &strict).unwrap();
        assert!(!r.passed);
        let w = r.worst.unwrap();
        assert_eq!((w.index, w.allowed, w.abs_error), (1, 0.0, 1e-300));
        assert_eq!(w.rel_error, 1.0);
        let r = check_gradient(&mut x, f, &[0.0, 0.0], &strict).unwrap();
        assert!(r.passed, "{r}");
        let w = r.worst.unwrap();
        assert_eq!((w.index, w.rel_error), (0, 0.0));
        // The same with the elements swapped.
        let r = check_gradient(&mut x, f, &[1e-300, 0.0], &strict).unwrap();
        assert_eq!(r.worst.unwrap().index, 0);
    }

    #[test]
    fn defaults_and_builders() {
        let d = GradientCheck::<f64>::default();
        assert_eq!(d.rtol, f64::EPSILON.cbrt());
        assert_eq!(d.noise_factor, 100.0);
        assert_eq!(d.options, Options::default());
        let c = d.with_rtol(0.5).with_options(Options::book());
        assert_eq!(c.rtol, 0.5);
        assert_eq!(c.options, Options::book());
        assert_eq!(c.noise_factor, 100.0);
    }

    #[test]
    fn directional_check_uses_both_signs() {
        // An error orthogonal to (1, 1, ..., 1): a check along that one direction would miss
        // it; random signs catch it (this seed's 8 directions do).
        let mut x = point(6);
        let mut bad = grad(&x);
        bad[1] += 0.1;
        bad[4] -= 0.1;
        let r = check_gradient_directions(&mut x[..], f, &bad, 8, 3, &GradientCheck::default())
            .unwrap();
        assert!(!r.passed, "{r}");
        // The worst direction's dot product is not the plain sum of the gradient.
        let w = r.worst.unwrap();
        assert!((w.analytic - bad.iter().sum::<f64>()).abs() > 0.1, "{r}");
        approx::assert_relative_eq!(w.abs_error, 0.2, max_relative = 1e-6);
    }

    #[test]
    fn directional_noise_includes_the_dot_product_rounding() {
        // The rule for direction k: rtol max(|a.v|, |n|) + 100 eps (|f| / t + sum |a_i|), with
        // t = cbrt(eps) max(1, max |x_i|) for central differences (every |v_i| is 1).
        let mut x = point(9);
        let g = grad(&x);
        let r =
            check_gradient_directions(&mut x[..], f, &g, 4, 11, &GradientCheck::default()).unwrap();
        assert!(r.passed, "{r}");
        let w = r.worst.unwrap();
        let eps = f64::EPSILON;
        let xmax = x.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let t = eps.cbrt() * xmax;
        let sum_abs: f64 = g.iter().map(|v| v.abs()).sum();
        let want = eps.cbrt() * w.analytic.abs().max(w.numerical.abs())
            + 100.0 * eps * (f(&x).abs() / t + sum_abs);
        approx::assert_relative_eq!(w.allowed, want, max_relative = 1e-12);
    }

    #[test]
    fn evaluations_are_counted_as_made() {
        let x0 = point(5);
        let g = grad(&x0);
        for scheme in [
            Scheme::Forward,
            Scheme::Backward,
            Scheme::Central,
            Scheme::FivePoint,
        ] {
            let check = GradientCheck::default().with_options(Options::auto(scheme));
            let calls = std::cell::Cell::new(0);
            let counted = |x: &[f64]| {
                calls.set(calls.get() + 1);
                f(x)
            };
            let mut x = x0.clone();
            let r = check_gradient(&mut x[..], counted, &g, &check).unwrap();
            assert_eq!(r.evaluations, calls.get(), "{scheme:?}");
            calls.set(0);
            let r = check_gradient_directions(&mut x[..], counted, &g, 3, 1, &check).unwrap();
            assert_eq!(r.evaluations, calls.get(), "{scheme:?}, directions");
            assert_eq!(r.compared, 3);
        }
    }

    #[test]
    fn the_report_says_what_failed_where() {
        let mut x = [1.5f64, -2.0];
        let f = |x: &[f64; 2]| x[0] * x[0] + x[1] * x[1];
        let r = check_gradient(&mut x, f, &[3.0, -4.5], &GradientCheck::default()).unwrap();
        let text = r.to_string();
        assert!(
            text.starts_with("gradient check FAILED (2 compared, 5 evaluations); worst at 1: analytic -4.5, numerical -4"),
            "{text}"
        );
        assert!(
            text.contains(", abs error 5e-1, rel error 1.1111"),
            "{text}"
        );
        assert!(text.contains(", allowed 2.7"), "{text}");
        let r = check_gradient(&mut x, f, &[3.0, -4.0], &GradientCheck::default()).unwrap();
        assert!(
            r.to_string()
                .starts_with("gradient check passed (2 compared, 5 evaluations); worst at ")
        );
        let mut e: [f64; 0] = [];
        let r = check_gradient(&mut e, |_| 1.0, &[], &GradientCheck::default()).unwrap();
        assert_eq!(
            r.to_string(),
            "gradient check passed (0 compared, 1 evaluations)"
        );
    }

    #[test]
    fn non_finite_base_and_empty_gradient() {
        let mut x = [0.0f64];
        let err =
            check_gradient(&mut x, |x| x[0].ln(), &[1.0], &GradientCheck::default()).unwrap_err();
        assert!(matches!(err, Error::NonFiniteAtBase { .. }));
        let mut e: [f64; 0] = [];
        let r = check_gradient(&mut e, |_| 1.0, &[], &GradientCheck::default()).unwrap();
        assert!(r.passed && r.worst.is_none());
        let opts = GradientCheck::default().with_options(Options::auto(Scheme::Forward));
        let r = check_gradient(&mut x, |x| x[0].exp(), &[1.0], &opts).unwrap();
        assert!(r.passed, "{r}");
        assert_eq!(r.evaluations, 2);
    }

    #[test]
    fn builders_change_one_setting_each() {
        let base = GradientCheck::<f64>::default().with_rtol(1e-3);
        let noisy = base.with_noise_factor(7.0);
        assert_eq!((noisy.rtol, noisy.noise_factor), (1e-3, 7.0));
        assert_eq!(noisy.options, base.options);
        assert_ne!(base.noise_factor, 7.0, "the default is not what was set");
    }
}

//! The error models of the finite-difference schemes, as bounds the tests assert.
//!
//! Notation for one partial derivative `d f / d x_i` at `x`:
//!
//! * `h`: the step nabla-numdiff really takes. The default ([`central_step`]) is
//!   `cbrt(eps) * max(1, |x_i|)`, rounded to the representable `(x_i + h) - x_i`, so the step
//!   itself carries no error.
//! * `M3`: a bound on `|d^3 f / d x_i^3|` over `[x_i - h, x_i + h]`.
//! * `E`: a bound on the rounding error of one evaluation of `f` near `x` (each test derives
//!   it as `k * eps * F`, `F` the sum of the magnitudes of the terms `f` adds up and `k` the
//!   number of roundings a term goes through).
//! * `Eg`: the same for the analytic gradient's component.
//!
//! Central difference: `(f(x+h) - f(x-h)) / 2h = f' + h^2/6 f'''(xi)` for some `xi` in the
//! interval (Taylor with the intermediate value theorem), and each of the two computed values
//! is off by at most `E`, so
//!
//! ```text
//! |central - f'| <= h^2/6 M3 + E/h          (plus eps |f'| for the last division)
//! ```
//!
//! Richardson (nabla-numdiff's `richardson_gradient`, Ridders' method per coordinate):
//! central differences at a first step `h0` and up to nine more, each 1.4 times smaller, down
//! to `h_min = h0 / 1.4^9`, combined in a Neville tableau. An entry of column `j` is the value
//! at 0 of the polynomial in `h^2` of degree `j` through `j + 1` of the differences: a weighted
//! sum `sum_l w_l D(h_l)` with `sum w_l = 1`, `sum w_l h_l^2 = 0` for `j >= 1` (the `h^2` term
//! cancels exactly), and absolute weights summing to at most `A = prod_j (c_j + 1)/(c_j - 1)`,
//! `c_j = 1.96^j`, `A < 9`. The returned entry is never from column 0. Hence:
//!
//! * rounding: at most `A E / h_min`;
//! * truncation: `D(h) = f' + f'''(x) h^2/6 + R(h)` with `|R(h)| <= h^4/120 M5` (`M5` bounding
//!   the fifth derivative on `[x - h0, x + h0]`), so at most `A h0^4/120 M5`; a function of
//!   degree at most 4 in `x_i` has `M5 = 0` and Richardson is exact up to rounding. Where only
//!   `M3` is at hand, the cruder `A h0^2/6 M3` (from `|D(h) - f'| <= h^2/6 M3`) holds too.
//!
//! The first step. With `Step::Auto` nabla-numdiff starts at `h0 = 0.1`
//! ([`RICHARDSON_AUTO_FIRST_STEP`]) and, where `0.1 max(1, |x_i|)` allows (`|x_i| >= 10`),
//! also tries first steps 1, 10, ... up to [`richardson_widest_step`], keeping a larger one
//! only while its error estimate improves. Which run wins is not known in advance, so an
//! a-priori bound for the automatic step must hold for every candidate: the rounding part is
//! largest for the smallest, `h0 = 0.1`, with `E` taken over the widest stencil
//! `x_i +- 0.1 max(1, |x_i|)`; the truncation part is bounded usefully only when it is 0
//! (`M5 = 0`) or when `|x_i| < 10` (one run, `h0 = 0.1`). The tests use the automatic step only
//! there; elsewhere they pass fixed first steps and bound those.
//!
//! These are a-priori bounds. `richardson_gradient` also returns an a-posteriori error
//! estimate per element. At first that was Ridders' error alone, and the property tests
//! found it 50 times too small on a smooth function (`exp(sin a)` at `a = -0.002`: value off by
//! `3.4e-6`, estimate `6.7e-8`, first step 0.1); it now also requires successive rows to agree
//! and has a rounding floor, which covers that case, but it is still an estimate, not a bound,
//! so no test here relies on it.
//!
//! Every bound is multiplied by [`SAFETY`] = 2 for the constants the derivations round off.

/// Machine epsilon of `f64`.
pub const EPS: f64 = f64::EPSILON;

/// Slack on every derived bound.
pub const SAFETY: f64 = 2.0;

/// The bound `A` on the sum of the absolute weights of a Richardson tableau entry.
pub const TABLEAU_AMPLIFICATION: f64 = 9.0;

/// nabla-numdiff's default central step at `x`.
pub fn central_step(x: f64) -> f64 {
    let h = EPS.cbrt() * x.abs().max(1.0);
    (x + h) - x
}

/// The first step `Step::Auto` always tries (the only one for `|x| < 10`): the smallest first
/// step it can use, so the one its rounding bound is taken at.
pub const RICHARDSON_AUTO_FIRST_STEP: f64 = 0.1;

/// The widest first step `Step::Auto` may try at `x`, `0.1 max(1, |x|)`: how far its probes
/// can reach, so the interval the rounding `E` is taken over.
pub fn richardson_widest_step(x: f64) -> f64 {
    0.1 * x.abs().max(1.0)
}

/// The smallest step Richardson reaches from the first step `h0`: `h0 / 1.4^9` (slightly
/// less than the representable one, which can only make the bound larger).
pub fn richardson_min_step(h0: f64) -> f64 {
    h0 / 1.4f64.powi(9)
}

/// `h^2/6 M3 + E/h + eps |g| + Eg`, times [`SAFETY`]: the most a central difference with step
/// `h` may differ from the analytic gradient component `g` (itself computed with error `Eg`).
pub fn central(h: f64, m3: f64, e: f64, g: f64, eg: f64) -> f64 {
    SAFETY * (h * h / 6.0 * m3 + e / h + EPS * g.abs() + eg)
}

/// `A E / h_min + A eps |g| + Eg`, times [`SAFETY`]: the rounding part of Richardson's error
/// when its first step is `h0` (its whole error for polynomials of degree up to 4 in the
/// coordinate).
pub fn richardson_rounding(h0: f64, e: f64, g: f64, eg: f64) -> f64 {
    let a = TABLEAU_AMPLIFICATION;
    SAFETY * (a * e / richardson_min_step(h0) + a * EPS * g.abs() + eg)
}

/// `A h0^4/120 M5`, times [`SAFETY`]: Richardson's truncation error from the fifth derivative.
pub fn richardson_truncation_m5(h0: f64, m5: f64) -> f64 {
    SAFETY * TABLEAU_AMPLIFICATION * h0.powi(4) / 120.0 * m5
}

/// `A h0^2/6 M3`, times [`SAFETY`]: the cruder truncation bound from the third derivative.
pub fn richardson_truncation_m3(h0: f64, m3: f64) -> f64 {
    SAFETY * TABLEAU_AMPLIFICATION * h0 * h0 / 6.0 * m3
}

/// `ceil(log2(n))`: the depth of a pairwise sum of `n` terms.
pub fn log2_ceil(n: usize) -> f64 {
    (n.max(1) as f64).log2().ceil()
}

/// Asserts `|got - want| <= tol` for every component, naming the first one that is not.
pub fn assert_within(what: &str, got: &[f64], want: &[f64], tol: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for i in 0..got.len() {
        let err = (got[i] - want[i]).abs();
        assert!(
            err <= tol[i],
            "{what}: component {i}: got {:e}, analytic {:e}, error {err:e} > allowed {:e}",
            got[i],
            want[i],
            tol[i]
        );
    }
}

/// Asserts that a dual-number gradient matches the analytic one to `1e-12` relative:
/// `|dual - analytic| <= 1e-12 max(|analytic|, scale_i)`, where `scale_i` is the magnitude of
/// the terms the analytic component sums (two correct f64 evaluations in a different order can
/// only agree to a few eps of that; for a component that cancels to near 0 it is the only
/// meaningful reference).
pub fn assert_dual(what: &str, dual: &[f64], analytic: &[f64], scale: &[f64]) {
    let tol: Vec<f64> = analytic
        .iter()
        .zip(scale)
        .map(|(a, s)| 1e-12 * a.abs().max(*s))
        .collect();
    assert_within(what, dual, analytic, &tol);
}

/// nabla-numdiff's `richardson_gradient` with the first step `step` for every coordinate and
/// the default number of levels; the gradient only (see the module docs on the estimate).
///
/// # Panics
///
/// If `f` is not finite at a probed point (a test failure).
pub fn richardson(
    f: impl Fn(&[f64]) -> f64,
    x: &[f64],
    step: nabla_numdiff::Step<f64>,
) -> Vec<f64> {
    let mut p = x.to_vec();
    let settings = nabla_numdiff::Richardson::default()
        .with_initial_step(step)
        .unwrap_or_else(|e| panic!("{step:?}: {e}"));
    nabla_numdiff::richardson_gradient(&mut p[..], |p: &[f64]| f(p), settings)
        .unwrap_or_else(|e| panic!("richardson_gradient failed: {e}"))
        .gradient
}

/// Richardson with its own fixed first step `h0[i]` for each coordinate: nabla-numdiff's
/// one-variable `richardson` on each coordinate in turn. `richardson_gradient` applies one
/// setting to all coordinates, and the composition's a-priori bound needs each coordinate's
/// first step to follow that coordinate's feature width.
///
/// # Panics
///
/// If `f` is not finite at a probed point (a test failure).
pub fn richardson_per_coordinate(f: impl Fn(&[f64]) -> f64, x: &[f64], h0: &[f64]) -> Vec<f64> {
    let mut p = x.to_vec();
    (0..x.len())
        .map(|i| {
            let settings = nabla_numdiff::Richardson::default()
                .with_initial_step(nabla_numdiff::Step::Fixed(h0[i]))
                .unwrap_or_else(|e| panic!("first step {}: {e}", h0[i]));
            let d = nabla_numdiff::richardson(
                |v| {
                    p[i] = v;
                    f(&p)
                },
                x[i],
                settings,
            );
            p[i] = x[i];
            d.unwrap_or_else(|e| panic!("richardson failed at coordinate {i}: {e}"))
                .value
        })
        .collect()
}

/// nabla-numdiff's gradient with the default options (central, automatic step).
pub fn central_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut p = x.to_vec();
    nabla_numdiff::gradient(
        &mut p[..],
        |p: &[f64]| f(p),
        nabla_numdiff::Options::default(),
    )
    .unwrap_or_else(|e| panic!("central gradient failed: {e}"))
}

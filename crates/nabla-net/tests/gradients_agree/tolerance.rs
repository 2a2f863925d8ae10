//! The error model of central differences and of exact derivatives, as bounds the
//! hand-derived tests of the networks (`network`) assert (nabla-compare's checker derives the
//! same bounds generically).
//!
//! Notation for one partial derivative `d f / d x_i` at `x`:
//!
//! * `h`: the step nabla-numdiff really takes, `Options::step_at` (by default
//!   `cbrt(eps) * max(1, |x_i|)`, rounded to the representable `(x_i + h) - x_i`, so the step
//!   itself carries no error).
//! * `M3`: a bound on `|d^3 f / d x_i^3|` over `[x_i - h, x_i + h]`.
//! * `E`: a bound on the rounding error of one evaluation of `f` near `x` (each test derives
//!   it as `k * eps * F`, `F` the sum of the magnitudes of the terms `f` adds up and `k` the
//!   number of roundings a term goes through).
//! * `Eg`: the same for the analytic gradient's component.
//!
//! Central difference: `(f(x+h) - f(x-h)) / 2h = f' + h^2/6 f'''(xi)` for some `xi` in the
//! interval (Taylor with the intermediate value theorem), and each of the two computed values
//! is off by at most `E`, so `|central - f'| <= h^2/6 M3 + E/h` (nabla-numdiff's
//! `Scheme::error_bound`), plus `eps |f'|` for the last division.
//!
//! Every bound is multiplied by [`SAFETY`] = 2 for the constants the derivations round off.

use nabla_numdiff::{Options, Scheme};

/// Machine epsilon of `f64`.
pub const EPS: f64 = f64::EPSILON;

/// Slack on every derived bound.
pub const SAFETY: f64 = 2.0;

/// nabla-numdiff's default central step at `x`.
pub fn central_step(x: f64) -> f64 {
    Options::default().step_at(x)
}

/// `h^2/6 M3 + E/h + eps |g| + Eg`, times [`SAFETY`]: the most a central difference with step
/// `h` may differ from the analytic gradient component `g` (itself computed with error `Eg`).
pub fn central(h: f64, m3: f64, e: f64, g: f64, eg: f64) -> f64 {
    SAFETY * (Scheme::Central.error_bound(h, m3, e) + EPS * g.abs() + eg)
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

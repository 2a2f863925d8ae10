//! A composition of elementary functions of three variables:
//! `f(a, b, c) = exp(sin a) sqrt(1 + b^2) + atan(a b) + ln(1 + c^2) cos a`.
//!
//! Gradient, with `s = sin a`, `u = a b`:
//! `f_a = e^s cos a sqrt(1 + b^2) + b / (1 + u^2) - ln(1 + c^2) sin a`,
//! `f_b = e^s b / sqrt(1 + b^2) + a / (1 + u^2)`, `f_c = 2 c cos a / (1 + c^2)`.
//!
//! Third derivatives (bounds over the stencil):
//! * in `a`: `(e^s)''' = e^s cos a (cos^2 a - 3 sin a - 1)`, at most `5e < 14`; the third
//!   derivative of `atan(k v)` is `k^3 (6 (kv)^2 - 2) / (1 + (kv)^2)^3`, at most
//!   `6 |k|^3 / (1 + u_min^2)^2` with `u_min` the smallest `|u|` on the stencil; `cos''' = sin`:
//!   `M3_a = 14 sqrt(1 + b^2) + 6 |b|^3 / (1 + u_min^2)^2 + ln(1 + c^2)`;
//! * in `b`: `sqrt(1 + b^2)''' = -3b / (1 + b^2)^(5/2)`, at most 1 in size:
//!   `M3_b = e + 6 |a|^3 / (1 + u_min^2)^2`;
//! * in `c`: `ln(1 + c^2)''' = 4c (c^2 - 3) / (1 + c^2)^3`, at most 2.92: `M3_c = 3`.
//!
//! Rounding of one evaluation: `exp(sin a)` is off by `2 eps` relative, the square root by
//! `2 eps`; `atan(ab)` by at most `2.5 eps`; `ln(1 + c^2)` by `2 eps + eps ln(1 + c^2)`; two
//! additions: `E = 8 eps (e sqrt(1 + b^2) + 2 + ln(1 + c^2))` (with `|b|` enlarged by its
//! step). The analytic components are off by `4 eps` times the magnitude of their terms.
//!
//! Richardson: the first step must stay below the width of the function's features, which
//! here do not grow with `|x|` (`sin a` has period `2 pi` at any `a`; `atan(a b)` turns over a
//! width `1/|b|` in `a`). A first step of `0.1 max(1, |x|)` (nabla-numdiff's former
//! default) spans thousands of periods of `sin` at `a = 3.6e5`, and `richardson` then returned
//! `1.3e-4` for a derivative of `-1.77` (the case is kept in
//! `tests/proptest-regressions/composition.txt`). The automatic step now starts at `0.1` and
//! grows only while its error estimate improves, and there returns `-1.76857134727637` (off by
//! `1.3e-13`, estimate `1.6e-13`); but which first step it ends with is not known in advance
//! (see `tolerance`), so an a-priori bound needs fixed ones, and `richardson_gradient` takes
//! one setting for all coordinates, so the test runs nabla-numdiff's `richardson` per
//! coordinate (`tolerance::richardson_per_coordinate`) with the first step `0.1 min(1, 1/|b|)`
//! for `a`, `0.1 min(max(1, |b|), 1/|a|)` for `b` (where `sqrt(1 + b^2)` does scale with
//! `|b|`), but never below `1e4` ulps of the coordinate (a step below half an ulp rounds to 0
//! and `richardson` then returns a derivative of exactly 0, as documented for fixed steps), and
//! `0.1 max(1, |c|)` for `c` (`ln(1 + c^2)` scales with `|c|`); it allows the a-priori bound
//! `A h0^2/6 M3` with `M3` taken over the wider interval `[x - h0, x + h0]`.

use std::f64::consts::E as EULER;

use nalgebra::RealField;
use proptest::prelude::*;

use crate::strategies::wide;
use crate::tolerance::{
    self, EPS, assert_dual, assert_within, central_gradient, central_step,
    richardson_per_coordinate,
};

/// The function, generic over the scalar.
pub fn f<S: RealField + Copy>(x: &[S]) -> S {
    let (a, b, c) = (x[0], x[1], x[2]);
    let one = S::one();
    a.sin().exp() * (one + b * b).sqrt() + (a * b).atan() + (one + c * c).ln() * a.cos()
}

/// Its gradient and the magnitudes of the terms of each component.
pub fn grad(x: &[f64]) -> ([f64; 3], [f64; 3]) {
    let (a, b, c) = (x[0], x[1], x[2]);
    let es = a.sin().exp();
    let r = (1.0 + b * b).sqrt();
    let u = a * b;
    let q = 1.0 + u * u;
    let l = (1.0 + c * c).ln();
    let g = [
        es * a.cos() * r + b / q - l * a.sin(),
        es * b / r + a / q,
        2.0 * c * a.cos() / (1.0 + c * c),
    ];
    let s = [
        es * r + b.abs() / q + l,
        es * b.abs() / r + a.abs() / q,
        2.0 * c.abs() / (1.0 + c * c),
    ];
    (g, s)
}

/// Its Hessian and the magnitudes of the terms of each entry.
pub fn hessian(x: &[f64]) -> ([[f64; 3]; 3], [[f64; 3]; 3]) {
    let (a, b, c) = (x[0], x[1], x[2]);
    let (sa, ca) = a.sin_cos();
    let es = sa.exp();
    let r2 = 1.0 + b * b;
    let r = r2.sqrt();
    let u = a * b;
    let q = 1.0 + u * u;
    let c2 = 1.0 + c * c;
    let l = c2.ln();
    let aa = es * (ca * ca - sa) * r - 2.0 * a * b * b * b / (q * q) - l * ca;
    let ab = es * ca * b / r + (1.0 - u * u) / (q * q);
    let ac = -2.0 * c * sa / c2;
    let bb = es / (r2 * r) - 2.0 * a * a * a * b / (q * q);
    let cc = 2.0 * ca * (1.0 - c * c) / (c2 * c2);
    let h = [[aa, ab, ac], [ab, bb, 0.0], [ac, 0.0, cc]];
    let saa = es * 2.0 * r + 2.0 * (a * b * b * b).abs() / (q * q) + l;
    let sab = es * b.abs() / r + (1.0 + u * u) / (q * q);
    let sac = 2.0 * c.abs() / c2;
    // Forward mode computes `sqrt(w)''` as `1/sqrt(w) - b^2/w^(3/2)`, two terms that cancel
    // to `1/w^(3/2)` for large `|b|`: its accuracy is relative to their size, not the result's.
    let sbb = es * (1.0 / r + b * b / (r2 * r)) + 2.0 * (a * a * a * b).abs() / (q * q);
    let scc = 2.0 * (1.0 + c * c) / (c2 * c2);
    let s = [[saa, sab, sac], [sab, sbb, 0.0], [sac, 0.0, scc]];
    (h, s)
}

/// `E` of the module docs with `|b|` enlarged by `pad`.
fn rounding(x: &[f64], pad: f64) -> f64 {
    let b = x[1].abs() + pad;
    8.0 * EPS * (EULER * (1.0 + b * b).sqrt() + 2.0 + (1.0 + x[2] * x[2]).ln())
}

/// `M3` of the module docs for each coordinate, over `[x_i - h_i, x_i + h_i]`.
fn third_derivative_bounds(x: &[f64], h: [f64; 3]) -> [f64; 3] {
    let (a, b, c) = (x[0], x[1], x[2]);
    let atan3 = |k: f64, v: f64, hv: f64| {
        let u_min = k.abs() * (v.abs() - hv).max(0.0);
        6.0 * k.abs().powi(3) / (1.0 + u_min * u_min).powi(2)
    };
    [
        14.0 * (1.0 + b * b).sqrt() + atan3(b, a, h[0]) + (1.0 + c * c).ln(),
        EULER + atan3(a, b, h[1]),
        3.0,
    ]
}

fn point() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(wide(-8.0, 8.0), 3)
}

proptest! {
    #[test]
    fn central_differences_within_their_error(x in point()) {
        let (g, s) = grad(&x);
        let h = [central_step(x[0]), central_step(x[1]), central_step(x[2])];
        let m3 = third_derivative_bounds(&x, h);
        let e = rounding(&x, h[1]);
        let tol: Vec<f64> = (0..3).map(|i| tolerance::central(h[i], m3[i], e, g[i], 4.0 * EPS * s[i])).collect();
        assert_within("central", &central_gradient(f, &x), &g, &tol);
    }

    #[test]
    fn richardson_within_its_error(x in point()) {
        let (g, s) = grad(&x);
        let (a, b) = (x[0].abs(), x[1].abs());
        // Never below 1e4 ulps of the coordinate, or the smaller steps would round to 0.
        let floor = |v: f64| 1e4 * EPS * v.max(1.0);
        let h0 = [
            (0.1 * (1.0 / b).min(1.0)).max(floor(a)),
            (0.1 * (1.0 / a).min(b.max(1.0))).max(floor(b)),
            0.1 * x[2].abs().max(1.0),
        ];
        let r = richardson_per_coordinate(f, &x, &h0);
        let m3 = third_derivative_bounds(&x, h0);
        let e = rounding(&x, h0[1]);
        let tol: Vec<f64> = (0..3)
            .map(|i| {
                tolerance::richardson_rounding(h0[i], e, g[i], 4.0 * EPS * s[i])
                    + tolerance::richardson_truncation_m3(h0[i], m3[i])
            })
            .collect();
        assert_within("richardson", &r, &g, &tol);
    }

    #[test]
    fn dual_gradients_are_exact(x in point()) {
        let (g, s) = grad(&x);
        let (v, d) = nabla_dual::gradient(f, &x);
        assert_dual("Dual64", &d, &g, &s);
        assert_dual("DualVec64<8>", &nabla_dual::gradient_chunked::<8, _>(f, &x).1, &g, &s);
        let (vr, r) = nabla_tape::gradient(f, &x);
        assert_dual("reverse", &r, &g, &s);
        prop_assert_eq!(vr, v);
        prop_assert_eq!(v, f(&x));
    }
}

//! A composition of elementary functions of three variables:
//! `f(a, b, c) = exp(sin a) sqrt(1 + b^2) + atan(a b) + ln(1 + c^2) cos a`.
//!
//! Gradient, with `s = sin a`, `u = a b`:
//! `f_a = e^s cos a sqrt(1 + b^2) + b / (1 + u^2) - ln(1 + c^2) sin a`,
//! `f_b = e^s b / sqrt(1 + b^2) + a / (1 + u^2)`, `f_c = 2 c cos a / (1 + c^2)`.
//!
//! Every method through nabla-compare's checker, which bounds Richardson's error over every
//! first step its automatic search may keep. Those steps do not follow the function's
//! features, which here do not grow with `|x|` (`sin a` has period `2 pi` at any `a`): a first
//! step of `0.1 max(1, |x|)` (nabla-numdiff's former default) spans thousands of periods of
//! `sin` at `a = 3.6e5`, and `richardson` then returned `1.3e-4` for a derivative of `-1.77`
//! (the case is kept in `tests/proptest-regressions/composition.txt`); the automatic step now
//! starts at `0.1` and grows only while its error estimate improves.

use nabla::compare::{Compare, Function, Number};

use crate::strategies::wide;

/// The function, with its gradient.
pub struct Composition;

impl Function for Composition {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        let (a, b, c) = (x[0], x[1], x[2]);
        a.sin().exp() * (b * b + 1.0).sqrt() + (a * b).atan() + (c * c + 1.0).ln() * a.cos()
    }

    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        Some(grad(x).0.to_vec())
    }
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

#[test]
fn every_method_within_its_error() {
    Compare::new()
        .exact_tolerance(1e-12, 0.0)
        .check(&Composition, proptest::collection::vec(wide(-8.0, 8.0), 3));
}

//! Regression tests for [`richardson`]'s error estimate and first step, from cases where an
//! earlier version failed: an error estimate 50 times below the real error (`exp(sin a)` at
//! `a = -0.002`, where `f'''` nearly vanishes and the first two central differences agreed by
//! accident), and a first step proportional to `|x|` that stepped over the function's
//! features (a composition with `exp(sin a)` at `a = 3.6e5`: 1.3e-4 returned for -1.77; two logits near
//! `2.4e5` in softmax cross-entropy: -0.58 returned for -1), and a first step of 0.1 that
//! straddled a kink 0.0007 away (0.0144 returned with an estimated error of 0.0121 for
//! 9.3419).
//!
//! Each asserts that the real error is within the estimate, and the value within a stated
//! tolerance of the exact derivative.

use nabla_numdiff::{Richardson, Step, richardson, richardson_gradient};

/// Asserts `|value - exact| <= error <= max_error`.
fn within_estimate(what: &str, value: f64, error: f64, exact: f64, max_error: f64) {
    let real = (value - exact).abs();
    assert!(
        real <= error,
        "{what}: got {value}, exact {exact}: real error {real:e} > estimate {error:e}"
    );
    assert!(
        error <= max_error,
        "{what}: estimate {error:e} above {max_error:e}"
    );
}

#[test]
fn exp_sin_near_zero_estimate_bounds_the_error() {
    let a = -0.002f64;
    let d = richardson(|a: f64| a.sin().exp(), a, Richardson::default()).unwrap();
    let exact = a.cos() * a.sin().exp();
    // f' is about 1: Richardson reaches 1e-12 and its estimate says so.
    within_estimate("exp(sin a) at -0.002", d.value, d.error, exact, 1e-12);
}

/// exp(sin a) sqrt(1 + b^2) + atan(a b) + ln(1 + c^2) cos a, and its gradient.
fn composition(x: &[f64]) -> f64 {
    let (a, b, c) = (x[0], x[1], x[2]);
    a.sin().exp() * (1.0 + b * b).sqrt() + (a * b).atan() + (1.0 + c * c).ln() * a.cos()
}

fn composition_grad(x: &[f64]) -> [f64; 3] {
    let (a, b, c) = (x[0], x[1], x[2]);
    let s = (1.0 + b * b).sqrt();
    let e = a.sin().exp();
    let q = 1.0 / (1.0 + a * a * b * b);
    [
        a.cos() * e * s + b * q - (1.0 + c * c).ln() * a.sin(),
        e * b / s + a * q,
        2.0 * c / (1.0 + c * c) * a.cos(),
    ]
}

#[test]
fn large_argument_does_not_step_over_the_period() {
    let a = 3.6e5f64;
    let d = richardson(|a: f64| a.sin().exp(), a, Richardson::default()).unwrap();
    let exact = a.cos() * a.sin().exp();
    // sin at 3.6e5 is computed to about eps * 3.6e5 absolute; the derivative is O(1) and
    // the rounding floor of a difference at step ~0.1 is about 1e-15 * 3.6e5 / 0.1 = 4e-9.
    within_estimate("exp(sin a) at 3.6e5", d.value, d.error, exact, 1e-8);

    let x = [a, 0.8, -1.3];
    let exact = composition_grad(&x);
    // d/da is 1.06 here, far from what steps of 3.6e4 see.
    assert!(exact[0] > 1.0);
    let mut p = x;
    let g = richardson_gradient(&mut p, |p| composition(p), Richardson::default()).unwrap();
    assert_eq!(p.map(f64::to_bits), x.map(f64::to_bits));
    for (i, &want) in exact.iter().enumerate() {
        within_estimate(
            &format!("composition, d/dx{i}"),
            g.gradient[i],
            g.error[i],
            want,
            1e-8,
        );
    }
}

/// Softmax cross-entropy of logits `z` against class 0, written stably (shift by the max).
fn softmax_cross_entropy(z: &[f64]) -> f64 {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = z.iter().map(|v| (v - m).exp()).sum();
    m + sum.ln() - z[0]
}

#[test]
fn softmax_of_large_logits_is_not_taken_as_piecewise_linear() {
    // Two logits near 2.4e5 that differ by 6: the loss saturates within a few units, so a
    // first step of 0.1 * 2.4e5 sees a piecewise linear function and agrees on a slope of
    // about -0.5.
    let z: [f64; 2] = [2.4e5 - 3.0, 2.4e5 + 3.0];
    let p0 = 1.0 / (1.0 + (z[1] - z[0]).exp());
    let exact = [p0 - 1.0, 1.0 - p0];
    let mut p = z;
    let g = richardson_gradient(
        &mut p,
        |p: &[f64; 2]| softmax_cross_entropy(p),
        Richardson::default(),
    )
    .unwrap();
    assert_eq!(p.map(f64::to_bits), z.map(f64::to_bits));
    // The logits are rounded to eps * 2.4e5 = 5e-11 in every evaluation: with steps of
    // about 0.1 that is 5e-10 in the slope.
    for (i, &want) in exact.iter().enumerate() {
        within_estimate(
            &format!("softmax cross-entropy, d/dz{i}"),
            g.gradient[i],
            g.error[i],
            want,
            1e-8,
        );
    }
    assert!((g.gradient[0] + 1.0).abs() < 0.01);
}

#[test]
fn a_first_step_that_straddles_a_kink_is_shrunk_until_the_differences_converge() {
    // 0.5 sqrt(|v| + v^2) has a kink at 0; at x = 0.0007177 every difference of a run from
    // 0.1 straddles it. The derivative of 0.5 sqrt(v + v^2) for v > 0 is
    // 0.25 (1 + 2v) / sqrt(v + v^2).
    let f = |v: f64| 0.5 * (v.abs() + v * v).sqrt();
    let x = 0.0007177f64;
    let exact = 0.25 * (1.0 + 2.0 * x) / (x + x * x).sqrt();
    assert!((exact - 9.3419).abs() < 1e-4);
    let mut calls = 0;
    let d = richardson(
        |v| {
            calls += 1;
            f(v)
        },
        x,
        Richardson::default(),
    )
    .unwrap();
    // Measured: 9.341910112395833, estimate 1.6e-9, real error 6.2e-12.
    within_estimate("kink at 0.0007 away", d.value, d.error, exact, 1e-8);
    // Runs from 0.1 and 0.01 (5 rows each: their differences grow as the step shrinks) and
    // from 0.001 (10 rows), which converges.
    assert_eq!(calls, 40);
    // A fixed first step is not checked: from 0.1 the old answer comes back.
    let fixed = Richardson::default()
        .with_initial_step(Step::Fixed(0.1))
        .unwrap();
    let d = richardson(f, x, fixed).unwrap();
    assert!((d.value - exact).abs() > 9.0 && d.error < 0.1, "{d:?}");
}

#[test]
fn a_jump_that_no_step_resolves_gets_an_error_as_large_as_the_spread() {
    // sign(v) at 0: every central difference is 1/h, growing as the step shrinks, so no run
    // converges; the answer must not claim accuracy it does not have.
    let sign = |v: f64| if v > 0.0 { 1.0 } else { -1.0 };
    let d = richardson(sign, 0.0, Richardson::default()).unwrap();
    assert!(d.error > 1e3 * d.value.abs().max(1.0), "{d:?}");
    // Beside the jump (1e-3 away) the shrunk first step sees the flat function.
    let d = richardson(sign, 1e-3, Richardson::default()).unwrap();
    within_estimate("sign beside its jump", d.value, d.error, 0.0, 1e-10);
}

//! The cases of REFERENCE.md that broke well-known libraries, with nabla-dual's conventions.

use nabla_tape::{Recording, Var, derivative, gradient};

#[test]
fn sqrt_at_zero_has_value_zero_and_infinite_slope() {
    assert_eq!(
        derivative(|x: Var<f64>| x.sqrt(), 0.0),
        (0.0, f64::INFINITY)
    );
    // sqrt of a constant zero is a constant: nothing recorded, no 0 * inf.
    let (v, g) = gradient(|x| x[0] + Var::constant(0.0).sqrt() * x[0], &[3.0]);
    assert_eq!((v, g[0]), (3.0, 1.0));
}

#[test]
fn a_zero_adjoint_through_an_infinite_partial_stays_zero() {
    // s = sqrt(y) at y = 0 has partial +inf, but the output multiplies s by zero.
    let (v, g) = gradient(|x| x[0] * 2.0 + x[1].sqrt() * 0.0, &[1.0, 0.0]);
    assert_eq!((v, g.clone()), (2.0, vec![2.0, 0.0]));
    // Zero by cancellation: (s - s) has adjoint... the difference is a recorded number whose
    // adjoint reaches s as 1 - 1 = 0, which stays 0 through sqrt's infinite partial.
    let (_, g) = gradient(
        |x| {
            let s = x[1].sqrt();
            x[0] + (s - s) * 3.0
        },
        &[1.0, 0.0],
    );
    assert_eq!(g, vec![1.0, 0.0]);
    // And x * inf with an unused result: no NaN in the gradient.
    let (_, g) = gradient(
        |x| {
            let _unused = x[1] * f64::INFINITY;
            x[0]
        },
        &[1.0, 2.0],
    );
    assert_eq!(g, vec![1.0, 0.0]);
}

#[test]
fn tanh_of_a_large_argument_has_a_finite_derivative() {
    for a in [800.0, -800.0, 40.0] {
        let (v, d) = derivative(|x: Var<f64>| x.tanh(), a);
        assert_eq!(v, a.signum());
        assert!(d.is_finite() && d >= 0.0, "tanh'({a}) = {d}");
    }
}

#[test]
fn powers_at_zero() {
    for c in [0.5, 1.0, 2.0, 3.5] {
        let (v, _) = derivative(|x: Var<f64>| x.powf(Var::constant(c)), 0.0);
        assert_eq!(v, 0.0, "0^{c}");
    }
    assert_eq!(
        derivative(|x: Var<f64>| x.powf(Var::constant(2.0)), 0.0).1,
        0.0
    );
    assert_eq!(
        derivative(|x: Var<f64>| x.powf(Var::constant(1.0)), 0.0).1,
        1.0
    );
    assert_eq!(
        derivative(|x: Var<f64>| x.powf(Var::constant(0.5)), 0.0).1,
        f64::INFINITY
    );
    assert_eq!(
        derivative(|x: Var<f64>| x.powf(Var::constant(0.0)), 0.0),
        (1.0, 0.0)
    );
    assert_eq!(derivative(|x: Var<f64>| x.powi(0), 0.0), (1.0, 0.0));
    // A recorded exponent on base 0: d/dy 0^y = 0 for y > 0 (not 0 * ln 0 = NaN).
    let (v, g) = gradient(|x| Var::constant(0.0).powf(x[0]), &[2.0]);
    assert_eq!((v, g[0]), (0.0, 0.0));
    // A negative base with a constant integer exponent never takes ln(-2).
    assert_eq!(
        derivative(|x: Var<f64>| x.powf(Var::constant(3.0)), -2.0),
        (-8.0, 12.0)
    );
    // Both moving: x^y at (2, 3) has gradient (y x^(y-1), x^y ln x) = (12, 8 ln 2).
    let (v, g) = gradient(|x| x[0].powf(x[1]), &[2.0, 3.0]);
    assert_eq!(v, 8.0);
    assert_eq!(g[0], 12.0);
    approx::assert_relative_eq!(g[1], 8.0 * 2.0f64.ln(), max_relative = 1e-15);
}

#[test]
fn abs_signum_atan2_and_hypot_at_zero() {
    assert_eq!(derivative(|x: Var<f64>| x.abs(), 0.0), (0.0, 0.0));
    assert_eq!(derivative(|x: Var<f64>| x.abs(), -2.0), (2.0, -1.0));
    assert_eq!(derivative(|x: Var<f64>| x.signum(), 0.0), (1.0, 0.0));
    assert_eq!(derivative(|x: Var<f64>| x.signum(), -3.0), (-1.0, 0.0));
    let (v, g) = gradient(|x| x[0].atan2(x[1]), &[0.0, 0.0]);
    assert_eq!((v, g), (0.0, vec![0.0, 0.0]));
    let (v, g) = gradient(|x| x[0].hypot(x[1]), &[0.0, 0.0]);
    assert_eq!((v, g), (0.0, vec![0.0, 0.0]));
    let (_, g) = gradient(|x| x[0].atan2(x[1]), &[1.0, 1.0]);
    approx::assert_relative_eq!(g[0], 0.5, max_relative = 1e-15);
    approx::assert_relative_eq!(g[1], -0.5, max_relative = 1e-15);
}

#[test]
fn comparisons_look_at_the_value_only() {
    let rec = Recording::<f64>::new();
    let x = rec.var(2.0);
    assert!(x == Var::constant(2.0));
    assert!(x < 3.0 && x > 1.0 && x == 2.0);
    assert_eq!(x.max(Var::constant(1.0)).value(), 2.0);
    assert!(!x.is_constant());
    assert!((x * 0.0).is_constant(), "a zero partial records nothing");
}

#[test]
fn f32_works_and_keeps_f32_precision() {
    let (v, d) = derivative(|x: Var<f32>| x.exp() * x, 1.0_f32);
    assert_eq!(v, std::f32::consts::E);
    assert_eq!(d, 2.0 * std::f32::consts::E);
    let (_, g) = gradient(|x: &[Var<f32>]| x[0] * x[1] + 1.0, &[3.0_f32, 4.0]);
    assert_eq!(g, vec![4.0_f32, 3.0]);
}

#[test]
fn nan_and_infinite_inputs_propagate() {
    let (v, d) = derivative(|x: Var<f64>| x * x, f64::NAN);
    assert!(v.is_nan() && d.is_nan());
    let (v, d) = derivative(|x: Var<f64>| x.exp(), f64::NEG_INFINITY);
    assert_eq!((v, d), (0.0, 0.0));
    let (v, d) = derivative(|x: Var<f64>| x.exp(), 1000.0);
    assert_eq!((v, d), (f64::INFINITY, f64::INFINITY));
}

//! The cases of REFERENCE.md that broke well-known libraries, one test each.

use nabla_dual::{Dual, Dual64, DualVec64, HyperDual64};
use num_traits::{Float, Signed};

#[test]
fn sqrt_at_zero_has_value_zero_and_infinite_slope() {
    let y = Dual64::variable(0.0).sqrt();
    assert_eq!(y.re(), 0.0);
    assert_eq!(y.eps(), f64::INFINITY);
    // A constant zero stays a constant: no 0 * inf = NaN in its derivative.
    let c = Dual64::constant(0.0).sqrt();
    assert_eq!((c.re(), c.eps()), (0.0, 0.0));
    let h = HyperDual64::constant(0.0).sqrt();
    assert_eq!((h.eps1(), h.eps2(), h.eps1eps2()), (0.0, 0.0, 0.0));
    // sqrt(x^2) at 0: the chain 0 * inf appears on a nonzero direction; the slope is NaN
    // there, honestly (|x| has no derivative at 0), but the value stays 0.
    assert_eq!(Dual64::variable(0.0).powi(2).sqrt().re(), 0.0);
}

#[test]
fn powf_with_base_zero_keeps_its_value() {
    for c in [0.5, 1.0, 2.0, 3.5] {
        let y = Dual64::variable(0.0).powf(Dual64::constant(c));
        assert_eq!(y.re(), 0.0, "0^{c}");
    }
    assert_eq!(Dual64::variable(0.0).powf(Dual64::constant(2.0)).eps(), 0.0);
    assert_eq!(Dual64::variable(0.0).powf(Dual64::constant(1.0)).eps(), 1.0);
    assert_eq!(
        Dual64::variable(0.0).powf(Dual64::constant(0.5)).eps(),
        f64::INFINITY
    );
    // 0^0 = 1 with derivative 0.
    let y = Dual64::variable(0.0).powf(Dual64::constant(0.0));
    assert_eq!((y.re(), y.eps()), (1.0, 0.0));
    // A dual exponent on base 0: value 0, d/dy 0^y = 0 for y > 0 (not 0 * ln 0 = NaN).
    let y = Dual64::constant(0.0).powf(Dual64::variable(2.0));
    assert_eq!((y.re(), y.eps()), (0.0, 0.0));
    let h = HyperDual64::variable(0.0).powf(HyperDual64::constant(2.0));
    assert_eq!((h.re(), h.eps1(), h.eps1eps2()), (0.0, 0.0, 2.0));
}

#[test]
fn powi_zero_at_zero_is_one_with_zero_derivative() {
    let y = Dual64::variable(0.0).powi(0);
    assert_eq!((y.re(), y.eps()), (1.0, 0.0));
    let h = HyperDual64::variable(0.0).powi(0);
    assert_eq!((h.re(), h.eps1(), h.eps1eps2()), (1.0, 0.0, 0.0));
    let h = HyperDual64::variable(0.0).powi(1);
    assert_eq!((h.re(), h.eps1(), h.eps1eps2()), (0.0, 1.0, 0.0));
    let h = HyperDual64::variable(0.0).powi(2);
    assert_eq!((h.re(), h.eps1(), h.eps1eps2()), (0.0, 0.0, 2.0));
}

#[test]
fn dual_exponent_uses_ln_only_when_the_exponent_moves() {
    // A negative base with a constant integer exponent: no ln(-2) = NaN anywhere.
    let y = Dual64::variable(-2.0).powf(Dual64::constant(2.0));
    assert_eq!((y.re(), y.eps()), (4.0, -4.0));
    let y = Dual64::variable(-2.0).powf(Dual64::constant(3.0));
    assert_eq!((y.re(), y.eps()), (-8.0, 12.0));
    // Both moving: x^y at (2, 3) has gradient (y x^(y-1), x^y ln x) = (12, 8 ln 2).
    let y = DualVec64::<2>::variable(2.0, 0).powf(DualVec64::<2>::variable(3.0, 1));
    assert_eq!(y.re(), 8.0);
    assert_eq!(y.partial(0), 12.0);
    approx::assert_relative_eq!(y.partial(1), 8.0 * 2.0f64.ln(), max_relative = 1e-15);
}

#[test]
fn tanh_of_a_large_argument_has_a_finite_derivative() {
    for a in [800.0, -800.0, 40.0] {
        let y = Dual64::variable(a).tanh();
        assert_eq!(y.re(), a.signum());
        assert!(
            y.eps().is_finite() && y.eps() >= 0.0,
            "tanh'({a}) = {}",
            y.eps()
        );
        let h = HyperDual64::variable(a).tanh();
        assert!(h.eps1eps2().is_finite(), "tanh''({a}) = {}", h.eps1eps2());
    }
    assert_eq!(Dual64::variable(800.0).tanh().eps(), 0.0);
    let y = Dual::<f32>::variable(100.0).tanh();
    assert_eq!((y.re(), y.eps()), (1.0, 0.0));
}

#[test]
fn abs_and_signum_at_zero() {
    for zero in [0.0, -0.0] {
        let a = Dual64::variable(zero).abs();
        assert_eq!((a.re(), a.eps()), (0.0, 0.0), "abs at {zero:?}");
        let s = Dual64::variable(zero).signum();
        assert_eq!(s.re(), zero.signum());
        assert_eq!(s.eps(), 0.0);
        let s = Signed::signum(&Dual64::variable(zero));
        assert_eq!((s.re(), s.eps()), (Signed::signum(&zero), 0.0));
    }
    let h = HyperDual64::variable(0.0).abs();
    assert_eq!((h.re(), h.eps1(), h.eps1eps2()), (0.0, 0.0, 0.0));
}

#[test]
fn atan2_at_the_origin() {
    let y = Dual64::variable(0.0).atan2(Dual64::constant(0.0));
    assert_eq!((y.re(), y.eps()), (0.0, 0.0));
    let y = DualVec64::<2>::variable(0.0, 0).atan2(DualVec64::<2>::variable(0.0, 1));
    assert_eq!((y.re(), *y.partials()), (0.0, [0.0, 0.0]));
    let y = HyperDual64::variable(0.0).atan2(HyperDual64::variable(0.0));
    assert!(!y.eps1eps2().is_nan());
    // The float conventions for the signed zeros are kept.
    assert_eq!(
        Dual64::variable(0.0).atan2(Dual64::constant(-1.0)).re(),
        std::f64::consts::PI
    );
    assert_eq!(
        Dual64::variable(-0.0).atan2(Dual64::constant(-0.0)).re(),
        -std::f64::consts::PI
    );
    let h = Dual64::variable(0.0).hypot(Dual64::variable(0.0));
    assert_eq!((h.re(), h.eps()), (0.0, 0.0));
}

#[test]
fn infinity_times_a_zero_derivative_slot_is_zero() {
    let c = Dual64::constant(3.0);
    for y in [
        c * f64::INFINITY,
        f64::INFINITY * c,
        c * Dual64::constant(f64::INFINITY),
    ] {
        assert_eq!((y.re(), y.eps()), (f64::INFINITY, 0.0));
    }
    let y = Dual64::constant(3.0) / 0.0;
    assert_eq!((y.re(), y.eps()), (f64::INFINITY, 0.0));
    let v = DualVec64::<4>::variable(2.0, 1) * f64::INFINITY;
    assert_eq!(v.partials(), &[0.0, f64::INFINITY, 0.0, 0.0]);
    let h = HyperDual64::from_parts(2.0, 1.0, 0.0, 0.0) * f64::INFINITY;
    assert_eq!(
        (h.eps1(), h.eps2(), h.eps1eps2()),
        (f64::INFINITY, 0.0, 0.0)
    );
    // A moving input times infinity has an infinite slope, not a silent zero.
    assert_eq!((Dual64::variable(3.0) * f64::INFINITY).eps(), f64::INFINITY);
    // The same inside an elementary function: ln at 0 of a constant.
    assert_eq!(Dual64::constant(0.0).ln().eps(), 0.0);
}

#[test]
fn division_is_the_quotient_rule_not_multiplication_by_the_reciprocal() {
    // 5 / 49 differs from 5 * (1 / 49) in the last bit; the value must be the former.
    assert_ne!(5.0 * (1.0 / 49.0), 5.0 / 49.0);
    let q = Dual64::variable(5.0) / Dual64::constant(49.0);
    assert_eq!(q.re(), 5.0 / 49.0);
    let q = Dual64::variable(5.0) / Dual64::variable(49.0);
    assert_eq!(q.re(), 5.0 / 49.0);
    approx::assert_relative_eq!(q.eps(), (49.0 - 5.0) / (49.0 * 49.0), max_relative = 1e-15);
    assert_eq!((5.0 / Dual64::variable(49.0)).re(), 5.0 / 49.0);
    assert_eq!((Dual64::variable(5.0) / 49.0).re(), 5.0 / 49.0);
}

#[test]
fn comparisons_look_at_the_value_only() {
    let a = Dual64::new(1.0, 2.0);
    let b = Dual64::new(1.0, -7.0);
    assert_eq!(a, b);
    assert_eq!(a.partial_cmp(&b), Some(std::cmp::Ordering::Equal));
    assert!(Dual64::new(0.5, 100.0) < Dual64::new(0.6, -100.0));
    assert!(Dual64::variable(2.0) > 1.0);
    assert!(Dual64::variable(2.0) == 2.0);
    assert!(Dual64::variable(2.0) != 2.5);
    assert!(Dual64::new(2.0, 1.0) != Dual64::new(2.5, 1.0));
    assert!(Dual64::variable(2.0) < 2.5 && Dual64::variable(2.0) >= 1.5);
    assert_eq!(
        Dual64::variable(2.0).partial_cmp(&3.0),
        Some(std::cmp::Ordering::Less)
    );
    assert_eq!(Dual64::variable(f64::NAN).partial_cmp(&3.0), None);
    // At depth too: a nested dual compares with a primitive by its innermost value.
    let nested = nabla_dual::Dual::<Dual64>::variable(Dual64::variable(2.0));
    assert!(nested == 2.0 && nested != 2.5 && nested > 1.0);
    // min and max return the whole winner, derivative included.
    let (lo, hi) = (Dual64::new(1.0, 5.0), Dual64::new(2.0, 7.0));
    assert_eq!(lo.max(hi).eps(), 7.0);
    assert_eq!(lo.min(hi).eps(), 5.0);
    // A NaN value loses, as for f64.
    let nan = Dual64::new(f64::NAN, 1.0);
    assert_eq!(nan.max(hi).eps(), 7.0);
    assert_eq!(hi.max(nan).eps(), 7.0);
    // On a tie `self` wins, whole: `x.max(0)` at 0 keeps x's derivative, and so does a
    // clamp at either bound.
    let (x, tie) = (Dual64::new(2.0, 5.0), Dual64::new(2.0, 7.0));
    assert_eq!((x.max(tie).eps(), tie.max(x).eps()), (5.0, 7.0));
    assert_eq!((x.min(tie).eps(), tie.min(x).eps()), (5.0, 7.0));
    let (lo, hi) = (Dual64::new(2.0, 0.0), Dual64::new(3.0, 0.0));
    assert_eq!(x.clamp(lo, hi).eps(), 5.0);
    assert_eq!(Dual64::new(3.0, 5.0).clamp(lo, hi).eps(), 5.0);
    assert!(Float::is_nan(nan));
}

#[test]
fn rounding_functions_have_zero_derivative() {
    for a in [-2.5, -0.5, 0.5, 2.5] {
        let x = Dual64::variable(a);
        for (y, v) in [
            (x.floor(), a.floor()),
            (x.ceil(), a.ceil()),
            (x.round(), a.round()),
            (x.trunc(), a.trunc()),
        ] {
            assert_eq!((y.re(), y.eps()), (v, 0.0));
        }
    }
}

//! Arithmetic: primitives on either side, assignment operators, Neg, Sum, Product, Display.

use approx::assert_relative_eq;
use nabla_dual::{Dual, Dual64, DualVec64, HyperDual64};
use num_traits::{Float, FromPrimitive, NumCast, One, ToPrimitive, Zero};

#[test]
fn primitive_on_either_side() {
    let x = Dual64::variable(3.0);
    let cases = [
        (2.0 * x, 6.0, 2.0),
        (x * 2.0, 6.0, 2.0),
        (x + 1.0, 4.0, 1.0),
        (1.0 + x, 4.0, 1.0),
        (x - 1.0, 2.0, 1.0),
        (1.0 - x, -2.0, -1.0),
        (x / 2.0, 1.5, 0.5),
        (1.0 / x, 1.0 / 3.0, -1.0 / 9.0),
        (x % 2.0, 1.0, 1.0),
        (7.0 % x, 1.0, -2.0),
        (-x, -3.0, -1.0),
    ];
    for (y, v, d) in cases {
        assert_relative_eq!(y.re(), v, max_relative = 1e-15);
        assert_relative_eq!(y.eps(), d, max_relative = 1e-15);
    }
    let y = 2.0f32 * Dual::<f32>::variable(1.5) + 1.0f32;
    assert_eq!((y.re(), y.eps()), (4.0, 2.0));
    let v = 3.0 * DualVec64::<2>::variable(1.0, 1) - 1.0;
    assert_eq!(v.partials(), &[0.0, 3.0]);
    // Negation flips every part, the second derivative included: -(x²) at 3.
    let h = -HyperDual64::variable(3.0).powi(2);
    assert_eq!(
        (h.re(), h.eps1(), h.eps2(), h.eps1eps2()),
        (-9.0, -6.0, -6.0, -2.0)
    );
}

#[test]
fn assignment_operators() {
    let mut y = Dual64::variable(2.0);
    y += Dual64::variable(2.0); // 2x: (4, 2)
    y *= Dual64::variable(2.0); // 2x^2: (8, 8)
    y -= 1.0; // (7, 8)
    y /= 2.0; // (3.5, 4)
    y *= 2.0; // (7, 8)
    y += 1.0; // (8, 8)
    y /= Dual64::variable(2.0); // 2x^2 / x = 2x: (4, 2)
    y -= Dual64::variable(2.0); // x: (2, 1)
    assert_eq!((y.re(), y.eps()), (2.0, 1.0));
    y %= 1.5;
    assert_eq!((y.re(), y.eps()), (0.5, 1.0));
}

#[test]
fn sum_and_product() {
    let xs = [
        Dual64::variable(2.0),
        Dual64::constant(3.0),
        Dual64::variable(4.0),
    ];
    let s: Dual64 = xs.iter().sum();
    assert_eq!((s.re(), s.eps()), (9.0, 2.0));
    let p: Dual64 = xs.into_iter().product();
    // Both variables move along the same direction t: d/dt (2 + t) 3 (4 + t) = 3 (4 + 2).
    assert_eq!((p.re(), p.eps()), (24.0, 18.0));
    let empty: [Dual64; 0] = [];
    assert_eq!(empty.iter().sum::<Dual64>().re(), 0.0);
    assert_eq!(empty.iter().product::<Dual64>().re(), 1.0);
}

#[test]
fn display_and_debug() {
    assert_eq!(Dual64::new(2.0, 3.0).to_string(), "2 + 3ε");
    assert_eq!(
        format!("{:.2}", Dual64::new(2.0, 1.0 / 3.0)),
        "2.00 + 0.33ε"
    );
    assert_eq!(
        DualVec64::<2>::new(1.0, [2.0, 3.5]).to_string(),
        "1 + [2, 3.5]ε"
    );
    assert_eq!(
        HyperDual64::from_parts(1.0, 2.0, 3.0, 4.0).to_string(),
        "1 + 2ε₁ + 3ε₂ + 4ε₁ε₂"
    );
    assert_eq!(
        format!("{:?}", Dual64::new(1.0, 0.5)),
        "DualNumber { re: 1.0, eps: 0.5 }"
    );
}

#[test]
fn constructors_and_conversions() {
    let v = DualVec64::<3>::variable(2.0, 2);
    assert_eq!(v.partials(), &[0.0, 0.0, 1.0]);
    assert_eq!(DualVec64::<3>::constant(2.0).partials(), &[0.0; 3]);
    assert_eq!(<Dual64 as From<f64>>::from(4.0).eps(), 0.0);
    assert_eq!(Dual64::default().re(), 0.0);
    assert!(Dual64::zero().is_zero() && Dual64::one().re() == 1.0);
    assert_eq!(<Dual64 as NumCast>::from(3u8).map(|d| d.re()), Some(3.0));
    assert_eq!(Dual64::from_f32(0.5).map(|d| d.re()), Some(0.5));
    assert_eq!(Dual64::variable(2.7).to_i64(), Some(2));
    assert_eq!(<Dual64 as Float>::max_value().re(), f64::MAX);
    assert_eq!(
        <Dual64 as num_traits::Num>::from_str_radix("2.5", 10)
            .map(|d| d.re())
            .ok(),
        Some(2.5)
    );
}

#[test]
#[should_panic(expected = "index 3 out of range for 3 partials")]
fn dual_vec_variable_checks_its_index() {
    let _ = DualVec64::<3>::variable(1.0, 3);
}

//! Every trait method a user's generic code may call on a `Var` (`num_traits`, nalgebra/simba,
//! `approx`), called through the trait path (`<V as ComplexField>::exp(x)`) and compared with
//! the same trait call on nabla-dual's `Dual64`: value and derivative, exactly. A trait impl
//! that returned a default, `None`, a constant or the wrong operand would be seen here, where
//! the inherent methods' tests (`elementary.rs`) would not see it.

use std::num::FpCategory;

use approx::{AbsDiffEq, RelativeEq, UlpsEq};
use nabla_dual::Dual64;
use nabla_tape::{Recording, Var, Var64, derivative, gradient};
use nalgebra::{ComplexField, RealField};
use num_traits::{
    Bounded, Float, FloatConst, FromPrimitive, Num, NumCast, One, Signed, ToPrimitive, Zero,
};
use simba::scalar::SubsetOf;
use simba::simd::SimdValue;

type V = Var64;
type D = Dual64;

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Points on both sides of zero, at zero, at the domain edges of the inverse functions and at
/// infinity.
const POINTS: &[f64] = &[
    -3.7,
    -1.0,
    -0.5,
    0.0,
    0.3,
    0.5,
    1.0,
    1.7,
    7.25,
    f64::INFINITY,
];

/// Pairs for the two-argument functions: ordered both ways, equal, signs mixed, NaN on
/// either side.
const PAIRS: &[(f64, f64)] = &[
    (2.0, 3.0),
    (3.0, 2.0),
    (0.5, -1.25),
    (-2.0, 3.0),
    (3.0, 3.0),
    (1.7, 0.6),
    (f64::NAN, 1.0),
    (1.0, f64::NAN),
];

/// `f` called through `$tr` on a `Var` (by the tape) and on a `Dual64`, at every point.
macro_rules! unary {
    ($tr:ident: $($name:ident),* $(,)?) => {$(
        for &a in POINTS {
            let (v, d) = derivative(|x: V| <V as $tr>::$name(x), a);
            let y = <D as $tr>::$name(D::variable(a));
            assert!(
                same(v, y.re()) && same(d, y.eps()),
                "{}::{}({a}): tape ({v}, {d}), dual ({}, {})",
                stringify!($tr), stringify!($name), y.re(), y.eps()
            );
        }
    )*};
}

/// The same for two arguments: the value and both partials.
macro_rules! binary {
    ($tr:ident: $($name:ident),* $(,)?) => {$(
        for &(a, b) in PAIRS {
            let (v, g) = gradient(|x: &[V]| <V as $tr>::$name(x[0], x[1]), &[a, b]);
            let (w, h) = nabla_dual::gradient(|x: &[D]| <D as $tr>::$name(x[0], x[1]), &[a, b]);
            assert!(
                same(v, w) && same(g[0], h[0]) && same(g[1], h[1]),
                "{}::{}({a}, {b}): tape ({v}, {g:?}), dual ({w}, {h:?})",
                stringify!($tr), stringify!($name)
            );
        }
    )*};
}

/// The same for three arguments (`mul_add`, `clamp`), on one set of triples.
macro_rules! ternary {
    ($tr:ident: $($name:ident),* $(,)?) => {$(
        for t in [[1.5, -2.0, 0.25], [-2.0, -1.0, 3.0], [5.0, -1.0, 3.0], [0.5, -1.0, 3.0]] {
            let (v, g) = gradient(|x: &[V]| <V as $tr>::$name(x[0], x[1], x[2]), &t);
            let (w, h) =
                nabla_dual::gradient(|x: &[D]| <D as $tr>::$name(x[0], x[1], x[2]), &t);
            assert!(
                same(v, w) && (0..3).all(|k| same(g[k], h[k])),
                "{}::{}({t:?}): tape ({v}, {g:?}), dual ({w}, {h:?})",
                stringify!($tr), stringify!($name)
            );
        }
    )*};
}

#[test]
fn unary_functions_through_every_trait() {
    unary!(Float: floor, ceil, round, trunc, fract, abs, signum, recip, sqrt, exp, exp2, ln,
        log2, log10, to_degrees, to_radians, cbrt, sin, cos, tan, asin, acos, atan, exp_m1, ln_1p,
        sinh, cosh, tanh, asinh, acosh, atanh);
    unary!(ComplexField: floor, ceil, round, trunc, fract, recip, sin, cos, tan, asin, acos,
        atan, sinh, cosh, tanh, asinh, acosh, atanh, log2, log10, ln, ln_1p, sqrt, exp, exp2,
        exp_m1, cbrt, abs, signum, modulus, modulus_squared, norm1, argument, real, imaginary,
        conjugate, from_real);
}

#[test]
fn signed_abs_and_signum_through_the_trait() {
    for &a in POINTS {
        let (v, d) = derivative(|x: V| <V as Signed>::abs(&x), a);
        let y = <D as Signed>::abs(&D::variable(a));
        assert!(same(v, y.re()) && same(d, y.eps()), "Signed::abs({a})");
        let (v, d) = derivative(|x: V| <V as Signed>::signum(&x), a);
        let y = <D as Signed>::signum(&D::variable(a));
        assert!(same(v, y.re()) && same(d, y.eps()), "Signed::signum({a})");
    }
}

#[test]
fn binary_functions_through_every_trait() {
    binary!(Float: powf, log, max, min, hypot, atan2, copysign, abs_sub);
    binary!(ComplexField: hypot, log, powf, powc, scale, unscale);
    binary!(RealField: copysign, max, min, atan2);
    for &(a, b) in PAIRS {
        let (v, g) = gradient(|x: &[V]| <V as Signed>::abs_sub(&x[0], &x[1]), &[a, b]);
        let (w, h) = nabla_dual::gradient(|x: &[D]| <D as Signed>::abs_sub(&x[0], &x[1]), &[a, b]);
        assert!(
            same(v, w) && same(g[0], h[0]) && same(g[1], h[1]),
            "Signed::abs_sub({a}, {b})"
        );
    }
}

#[test]
fn three_argument_functions_through_every_trait() {
    ternary!(Float: mul_add, clamp);
    ternary!(ComplexField: mul_add);
    ternary!(RealField: clamp);
}

#[test]
fn min_and_max_pass_on_the_chosen_operand_whole() {
    // min(2, 3) is the first operand, derivative and all; min(3, 2) the second; NaN loses.
    for (a, b, first) in [(2.0, 3.0, true), (3.0, 2.0, false), (f64::NAN, 2.0, false)] {
        let (v, g) = gradient(|x: &[V]| <V as RealField>::min(x[0], x[1]), &[a, b]);
        let want = if first { [1.0, 0.0] } else { [0.0, 1.0] };
        assert_eq!(v, if first { a } else { b });
        assert_eq!(g, want, "min({a}, {b})");
        let (v, g) = gradient(|x: &[V]| <V as Float>::max(x[1], x[0]), &[a, b]);
        assert_eq!(v, if first { b } else { a.max(b) });
        let want = if first || a.is_nan() {
            [0.0, 1.0]
        } else {
            [1.0, 0.0]
        };
        assert_eq!(g, want, "max({b}, {a})");
    }
    // clamp(x, lo, hi) passes on x inside, lo below, hi above.
    for (x, pick) in [(0.5, 0), (-5.0, 1), (5.0, 2)] {
        let (v, g) = gradient(
            |p: &[V]| <V as RealField>::clamp(p[0], p[1], p[2]),
            &[x, -1.0, 3.0],
        );
        let mut want = [0.0; 3];
        want[pick] = 1.0;
        assert_eq!(v, [x, -1.0, 3.0][pick]);
        assert_eq!(g, want, "clamp({x}, -1, 3)");
    }
}

#[test]
fn sin_cos_and_powi_through_every_trait() {
    for &a in POINTS {
        let (v, d) = derivative(|x: V| <V as Float>::sin_cos(x).0, a);
        let (w, e) = derivative(|x: V| <V as ComplexField>::sin_cos(x).1, a);
        assert!(
            same(v, a.sin()) && same(d, a.cos()),
            "Float::sin_cos({a}).0"
        );
        assert!(
            same(w, a.cos()) && same(e, -a.sin()),
            "ComplexField::sin_cos({a}).1"
        );
        let (w, e) = derivative(|x: V| <V as Float>::sin_cos(x).1, a);
        assert!(
            same(w, a.cos()) && same(e, -a.sin()),
            "Float::sin_cos({a}).1"
        );
        for n in [-2, 0, 3] {
            let y = <D as Float>::powi(D::variable(a), n);
            for (v, d) in [
                derivative(|x: V| <V as Float>::powi(x, n), a),
                derivative(|x: V| <V as ComplexField>::powi(x, n), a),
            ] {
                assert!(same(v, y.re()) && same(d, y.eps()), "powi({a}, {n})");
            }
        }
    }
}

#[test]
fn try_sqrt_is_none_below_zero_only() {
    for &a in POINTS {
        let rec = Recording::<f64>::new();
        let x = rec.var(a);
        match <V as ComplexField>::try_sqrt(x) {
            Some(r) => {
                assert!(a >= 0.0, "try_sqrt({a}) must be None");
                assert!(same(r.value(), a.sqrt()));
                let d = rec.gradient(r, &[x])[0];
                assert!(same(d, D::variable(a).sqrt().eps()), "try_sqrt({a})'");
            }
            None => assert!(a < 0.0, "try_sqrt({a}) must be Some"),
        }
    }
}

#[test]
fn predicates_and_classification_look_at_the_value() {
    for a in [
        -2.0,
        -0.0,
        0.0,
        1e-310,
        3.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ] {
        let x = V::constant(a);
        assert_eq!(<V as Float>::is_nan(x), a.is_nan(), "is_nan({a})");
        assert_eq!(
            <V as Float>::is_infinite(x),
            a.is_infinite(),
            "is_infinite({a})"
        );
        assert_eq!(<V as Float>::is_finite(x), a.is_finite(), "is_finite({a})");
        assert_eq!(
            <V as ComplexField>::is_finite(&x),
            a.is_finite(),
            "ComplexField::is_finite({a})"
        );
        assert_eq!(<V as Float>::is_normal(x), a.is_normal(), "is_normal({a})");
        assert_eq!(
            <V as Float>::is_subnormal(x),
            a.is_subnormal(),
            "is_subnormal({a})"
        );
        assert_eq!(<V as Float>::classify(x), a.classify(), "classify({a})");
        assert_eq!(<V as Float>::is_sign_positive(x), a.is_sign_positive());
        assert_eq!(<V as Float>::is_sign_negative(x), a.is_sign_negative());
        assert_eq!(
            <V as RealField>::is_sign_positive(&x),
            a.is_sign_positive(),
            "{a}"
        );
        assert_eq!(
            <V as RealField>::is_sign_negative(&x),
            a.is_sign_negative(),
            "{a}"
        );
        assert_eq!(
            <V as Signed>::is_positive(&x),
            <f64 as Signed>::is_positive(&a),
            "{a}"
        );
        assert_eq!(
            <V as Signed>::is_negative(&x),
            <f64 as Signed>::is_negative(&a),
            "{a}"
        );
        assert_eq!(<V as Zero>::is_zero(&x), a == 0.0, "is_zero({a})");
        if !a.is_nan() {
            assert_eq!(<V as Float>::integer_decode(x), a.integer_decode(), "{a}");
        }
    }
    assert_eq!(
        <V as Float>::classify(V::constant(1e-310)),
        FpCategory::Subnormal
    );
}

#[test]
fn constants_are_the_floats_constants() {
    let pairs: [(V, f64); 8] = [
        (<V as Float>::nan(), f64::NAN),
        (<V as Float>::infinity(), f64::INFINITY),
        (<V as Float>::neg_infinity(), f64::NEG_INFINITY),
        (<V as Float>::neg_zero(), -0.0),
        (<V as Float>::min_value(), f64::MIN),
        (<V as Float>::min_positive_value(), f64::MIN_POSITIVE),
        (<V as Float>::epsilon(), f64::EPSILON),
        (<V as Float>::max_value(), f64::MAX),
    ];
    for (v, f) in pairs {
        assert!(v.is_constant());
        assert!(same(v.value(), f) && v.value().is_sign_negative() == f.is_sign_negative());
    }
    assert_eq!(<V as Bounded>::min_value().value(), f64::MIN);
    assert_eq!(<V as Bounded>::max_value().value(), f64::MAX);
    assert_eq!(
        <V as RealField>::min_value().map(|v| v.value()),
        Some(f64::MIN)
    );
    assert_eq!(
        <V as RealField>::max_value().map(|v| v.value()),
        Some(f64::MAX)
    );
    assert_eq!(<V as Zero>::zero().value(), 0.0);
    assert!(<V as Zero>::zero().is_constant());
    assert_eq!(<V as One>::one().value(), 1.0);
    use std::f64::consts as c;
    let float_const: [(V, f64); 18] = [
        (<V as FloatConst>::E(), c::E),
        (<V as FloatConst>::FRAC_1_PI(), c::FRAC_1_PI),
        (<V as FloatConst>::FRAC_1_SQRT_2(), c::FRAC_1_SQRT_2),
        (<V as FloatConst>::FRAC_2_PI(), c::FRAC_2_PI),
        (<V as FloatConst>::FRAC_2_SQRT_PI(), c::FRAC_2_SQRT_PI),
        (<V as FloatConst>::FRAC_PI_2(), c::FRAC_PI_2),
        (<V as FloatConst>::FRAC_PI_3(), c::FRAC_PI_3),
        (<V as FloatConst>::FRAC_PI_4(), c::FRAC_PI_4),
        (<V as FloatConst>::FRAC_PI_6(), c::FRAC_PI_6),
        (<V as FloatConst>::FRAC_PI_8(), c::FRAC_PI_8),
        (<V as FloatConst>::LN_10(), c::LN_10),
        (<V as FloatConst>::LN_2(), c::LN_2),
        (<V as FloatConst>::LOG10_E(), c::LOG10_E),
        (<V as FloatConst>::LOG2_E(), c::LOG2_E),
        (<V as FloatConst>::PI(), c::PI),
        (<V as FloatConst>::SQRT_2(), c::SQRT_2),
        (<V as FloatConst>::TAU(), c::TAU),
        (<V as FloatConst>::LOG10_2(), c::LOG10_2),
    ];
    for (i, (v, f)) in float_const.into_iter().enumerate() {
        assert_eq!(v.value(), f, "FloatConst #{i}");
        assert!(v.is_constant());
    }
    assert_eq!(<V as FloatConst>::LOG2_10().value(), c::LOG2_10);
    let real_field: [(V, f64); 15] = [
        (<V as RealField>::pi(), c::PI),
        (<V as RealField>::two_pi(), c::TAU),
        (<V as RealField>::frac_pi_2(), c::FRAC_PI_2),
        (<V as RealField>::frac_pi_3(), c::FRAC_PI_3),
        (<V as RealField>::frac_pi_4(), c::FRAC_PI_4),
        (<V as RealField>::frac_pi_6(), c::FRAC_PI_6),
        (<V as RealField>::frac_pi_8(), c::FRAC_PI_8),
        (<V as RealField>::frac_1_pi(), c::FRAC_1_PI),
        (<V as RealField>::frac_2_pi(), c::FRAC_2_PI),
        (<V as RealField>::frac_2_sqrt_pi(), c::FRAC_2_SQRT_PI),
        (<V as RealField>::e(), c::E),
        (<V as RealField>::log2_e(), c::LOG2_E),
        (<V as RealField>::log10_e(), c::LOG10_E),
        (<V as RealField>::ln_2(), c::LN_2),
        (<V as RealField>::ln_10(), c::LN_10),
    ];
    for (i, (v, f)) in real_field.into_iter().enumerate() {
        assert_eq!(v.value(), f, "RealField constant #{i}");
    }
}

#[test]
fn conversions_to_and_from_primitives() {
    for a in [-2.75, 0.0, 3.5, 1e20, f64::NAN] {
        let x = V::constant(a);
        assert_eq!(<V as ToPrimitive>::to_i64(&x), a.to_i64(), "to_i64({a})");
        assert_eq!(<V as ToPrimitive>::to_u64(&x), a.to_u64(), "to_u64({a})");
        assert_eq!(
            <V as ToPrimitive>::to_f32(&x).map(f32::to_bits),
            a.to_f32().map(f32::to_bits)
        );
        assert_eq!(
            <V as ToPrimitive>::to_f64(&x).map(f64::to_bits),
            Some(a.to_bits())
        );
    }
    assert_eq!(
        <V as FromPrimitive>::from_i64(-7).map(|v| v.value()),
        Some(-7.0)
    );
    assert_eq!(
        <V as FromPrimitive>::from_u64(9).map(|v| v.value()),
        Some(9.0)
    );
    assert_eq!(
        <V as FromPrimitive>::from_f32(0.5).map(|v| v.value()),
        Some(0.5)
    );
    assert_eq!(
        <V as FromPrimitive>::from_f64(-1.25).map(|v| v.value()),
        Some(-1.25)
    );
    assert_eq!(<V as NumCast>::from(3_u8).map(|v| v.value()), Some(3.0));
    assert_eq!(
        <V as NumCast>::from(-2.5_f32).map(|v| v.value()),
        Some(-2.5)
    );
    assert_eq!(
        <V as Num>::from_str_radix("-2.5", 10)
            .map(|v| v.value())
            .ok(),
        Some(-2.5)
    );
    assert!(<V as Num>::from_str_radix("two", 10).is_err());
    // f64 and f32 are the constants of `Var`: in the subset when the `Var` is a constant.
    let rec = Recording::<f64>::new();
    let x = rec.var(0.1);
    let c: V = <f64 as SubsetOf<V>>::to_superset(&0.1);
    assert!(c.is_constant() && c.value() == 0.1);
    assert!(<f64 as SubsetOf<V>>::is_in_subset(&c));
    assert!(!<f64 as SubsetOf<V>>::is_in_subset(&x));
    assert_eq!(<f64 as SubsetOf<V>>::from_superset_unchecked(&x), 0.1);
    assert_eq!(<f32 as SubsetOf<V>>::from_superset_unchecked(&x), 0.1_f32);
    let c32: V = <f32 as SubsetOf<V>>::to_superset(&0.5);
    assert_eq!(c32.value(), 0.5);
    // A `Var` is a subset of itself with its derivative intact.
    let y = <V as SubsetOf<V>>::to_superset(&x) * 3.0;
    let z = <V as SubsetOf<V>>::from_superset_unchecked(&x) * 2.0;
    assert!(<V as SubsetOf<V>>::is_in_subset(&x));
    assert_eq!(rec.gradient(y + z, &[x]), vec![5.0]);
}

#[test]
fn simd_value_is_one_lane() {
    let rec = Recording::<f64>::new();
    let (x, y) = (rec.var(2.0), rec.var(-3.0));
    assert_eq!(<V as SimdValue>::LANES, 1);
    let s = <V as SimdValue>::splat(x);
    let e = <V as SimdValue>::extract(&y, 0);
    assert_eq!((s.value(), e.value()), (2.0, -3.0));
    let mut r = x;
    <V as SimdValue>::replace(&mut r, 0, y);
    assert_eq!(r.value(), -3.0);
    let pick_x = <V as SimdValue>::select(x, true, y);
    let pick_y = <V as SimdValue>::select(x, false, y);
    assert_eq!((pick_x.value(), pick_y.value()), (2.0, -3.0));
    // Each keeps its operand's derivative.
    let f = s * 10.0 + e * 100.0 + r * 1000.0 + pick_x * 1e4 + pick_y * 1e5;
    assert_eq!(
        rec.gradient(f, &[x, y]),
        vec![10.0 + 1e4, 100.0 + 1000.0 + 1e5]
    );
}

#[test]
fn approximate_comparisons_look_at_the_value() {
    let (a, b) = (V::constant(1.0), V::constant(1.0 + 1e-12));
    let far = V::constant(1.1);
    assert_eq!(<V as AbsDiffEq>::default_epsilon().value(), f64::EPSILON);
    assert_eq!(
        <V as RelativeEq>::default_max_relative().value(),
        f64::EPSILON
    );
    assert_eq!(
        <V as UlpsEq>::default_max_ulps(),
        <f64 as UlpsEq>::default_max_ulps()
    );
    let eps = V::constant(1e-9);
    assert!(<V as AbsDiffEq>::abs_diff_eq(&a, &b, eps));
    assert!(!<V as AbsDiffEq>::abs_diff_eq(&a, &far, eps));
    assert!(<V as RelativeEq>::relative_eq(&a, &b, eps, eps));
    assert!(!<V as RelativeEq>::relative_eq(&a, &far, eps, eps));
    let next = V::constant(f64::from_bits(1.0_f64.to_bits() + 2));
    assert!(<V as UlpsEq>::ulps_eq(&a, &next, V::constant(0.0), 4));
    assert!(!<V as UlpsEq>::ulps_eq(&a, &far, V::constant(0.0), 4));
}

#[test]
fn f32_vars_take_the_same_trait_paths() {
    // One check per family in f32, against f32's own functions.
    let (v, d) = derivative(|x: Var<f32>| <Var<f32> as ComplexField>::exp(x), 0.5_f32);
    assert_eq!((v, d), (0.5_f32.exp(), 0.5_f32.exp()));
    let (v, g) = gradient(
        |x: &[Var<f32>]| <Var<f32> as RealField>::atan2(x[0], x[1]),
        &[1.0_f32, 2.0],
    );
    assert_eq!(v, 1.0_f32.atan2(2.0));
    assert!(
        (g[0] - 0.4).abs() < 1e-7 && (g[1] + 0.2).abs() < 1e-7,
        "{g:?}"
    );
    assert_eq!(<Var<f32> as Float>::epsilon().value(), f32::EPSILON);
    assert_eq!(
        <Var<f32> as AbsDiffEq>::default_epsilon().value(),
        f32::EPSILON
    );
}

#[test]
fn sums_and_products_of_owned_and_borrowed_vars() {
    let (v, g) = gradient(
        |x: &[V]| {
            let owned_sum: V = x.iter().copied().sum();
            let borrowed_sum: V = x.iter().sum();
            let owned_product: V = x.iter().copied().product();
            let borrowed_product: V = x.iter().product();
            owned_sum + 10.0 * borrowed_sum + 100.0 * owned_product + 1000.0 * borrowed_product
        },
        &[2.0, 3.0, 5.0],
    );
    assert_eq!(v, 10.0 + 100.0 + 3000.0 + 30000.0);
    // d/dx_i: 1 + 10 + 1100 * (product of the others).
    assert_eq!(
        g,
        vec![
            11.0 + 1100.0 * 15.0,
            11.0 + 1100.0 * 10.0,
            11.0 + 1100.0 * 6.0
        ]
    );
}

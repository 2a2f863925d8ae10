//! Every trait method a user's generic code may call (`num_traits`, nalgebra/simba, `approx`)
//! gives the same value and derivatives as the inherent method or the closed form: called
//! through the trait path explicitly (`<D as Float>::exp(x)`), so a trait impl that returned a
//! default, `None` or a constant would be seen.

use std::num::FpCategory;

use approx::{AbsDiffEq, RelativeEq, UlpsEq, assert_relative_eq};
use nabla_dual::{Dual64, DualVec64, HyperDual64};
use nalgebra::{ComplexField, RealField};
use num_traits::{
    Bounded, Float, FloatConst, FromPrimitive, Num, NumCast, One, Signed, ToPrimitive, Zero,
};
use simba::scalar::SubsetOf;
use simba::simd::SimdValue;

type D = HyperDual64;

/// Value, ε₁, ε₂ and ε₁ε₂: every component of a hyper-dual number.
fn parts(x: D) -> [f64; 4] {
    [x.re(), x.eps1(), x.eps2(), x.eps1eps2()]
}

/// The variable `a`, seeded so that ε₁ε₂ carries the second derivative.
fn var(a: f64) -> D {
    D::variable(a)
}

/// For two-argument functions: the first variable (ε₁ only) and a second one independent of
/// it (ε₂ only); ε₁ε₂ then carries the mixed derivative.
fn first(a: f64) -> D {
    D::from_parts(a, 1.0, 0.0, 0.0)
}

/// See [`first`].
fn other(b: f64) -> D {
    D::from_parts(b, 0.0, 1.0, 0.0)
}

/// Asserts that the trait call equals the inherent one in every component, and that its
/// value and first derivative are `v` and `d1`.
#[track_caller]
fn same(name: &str, via_trait: D, inherent: D, v: f64, d1: f64) {
    assert_eq!(parts(via_trait), parts(inherent), "{name}");
    assert_relative_eq!(via_trait.re(), v, max_relative = 1e-14, epsilon = 1e-300);
    assert_relative_eq!(via_trait.eps1(), d1, max_relative = 1e-13, epsilon = 1e-300);
}

/// Unary functions: the name, the `Float` path, the `ComplexField` path (if it has one), the
/// inherent method, the closed-form value and derivative, and a point in the domain.
macro_rules! unary {
    ($($name:ident: complex $c:tt, $f:expr, $df:expr, at $a:expr;)*) => {{
        $(
            let a: f64 = $a;
            let x = var(a);
            let f: fn(f64) -> f64 = $f;
            let df: fn(f64) -> f64 = $df;
            let inherent = D::$name(x);
            same(concat!("Float::", stringify!($name)), <D as Float>::$name(x), inherent, f(a), df(a));
            unary!(@complex $c, $name, x, inherent, f(a), df(a));
        )*
    }};
    (@complex yes, $name:ident, $x:expr, $inherent:expr, $v:expr, $d:expr) => {
        same(concat!("ComplexField::", stringify!($name)), <D as ComplexField>::$name($x), $inherent, $v, $d);
    };
    (@complex no, $name:ident, $x:expr, $inherent:expr, $v:expr, $d:expr) => {};
}

#[test]
fn unary_functions_through_float_and_complex_field() {
    use std::f64::consts::{LN_2, LN_10, PI};
    unary! {
        floor: complex yes, f64::floor, |_| 0.0, at 2.7;
        ceil: complex yes, f64::ceil, |_| 0.0, at 2.3;
        round: complex yes, f64::round, |_| 0.0, at -2.5;
        trunc: complex yes, f64::trunc, |_| 0.0, at -2.7;
        fract: complex yes, f64::fract, |_| 1.0, at 2.75;
        abs: complex yes, f64::abs, |_| -1.0, at -0.6;
        signum: complex yes, f64::signum, |_| 0.0, at -0.6;
        recip: complex yes, f64::recip, |a| -1.0 / (a * a), at 0.6;
        sqrt: complex yes, f64::sqrt, |a| 0.5 / a.sqrt(), at 0.6;
        cbrt: complex yes, f64::cbrt, |a| 1.0 / (3.0 * a.cbrt() * a.cbrt()), at 0.6;
        exp: complex yes, f64::exp, f64::exp, at 0.6;
        exp2: complex yes, f64::exp2, |a| LN_2 * a.exp2(), at 0.6;
        exp_m1: complex yes, f64::exp_m1, f64::exp, at 0.6;
        ln: complex yes, f64::ln, |a| 1.0 / a, at 0.6;
        ln_1p: complex yes, f64::ln_1p, |a| 1.0 / (1.0 + a), at 0.6;
        log2: complex yes, f64::log2, |a| 1.0 / (a * LN_2), at 0.6;
        log10: complex yes, f64::log10, |a| 1.0 / (a * LN_10), at 0.6;
        sin: complex yes, f64::sin, f64::cos, at 0.6;
        cos: complex yes, f64::cos, |a| -a.sin(), at 0.6;
        tan: complex yes, f64::tan, |a| 1.0 / (a.cos() * a.cos()), at 0.6;
        asin: complex yes, f64::asin, |a| 1.0 / (1.0 - a * a).sqrt(), at 0.6;
        acos: complex yes, f64::acos, |a| -1.0 / (1.0 - a * a).sqrt(), at 0.6;
        atan: complex yes, f64::atan, |a| 1.0 / (1.0 + a * a), at 0.6;
        sinh: complex yes, f64::sinh, f64::cosh, at 0.6;
        cosh: complex yes, f64::cosh, f64::sinh, at 0.6;
        tanh: complex yes, f64::tanh, |a| 1.0 / (a.cosh() * a.cosh()), at 0.6;
        asinh: complex yes, f64::asinh, |a| 1.0 / (a * a + 1.0).sqrt(), at 0.6;
        acosh: complex yes, f64::acosh, |a| 1.0 / (a * a - 1.0).sqrt(), at 1.7;
        atanh: complex yes, f64::atanh, |a| 1.0 / (1.0 - a * a), at 0.6;
        to_degrees: complex no, f64::to_degrees, |_| 180.0 / PI, at 0.6;
        to_radians: complex no, f64::to_radians, |_| PI / 180.0, at 0.6;
    }
}

#[test]
fn binary_functions_through_float_complex_field_and_real_field() {
    let (a, b) = (0.6, 1.7);
    let (x, y) = (first(a), other(b));
    // x^y: d/dx = y x^(y-1), d/dy = x^y ln x.
    let p = <D as Float>::powf(x, y);
    assert_eq!(parts(p), parts(D::powf(x, y)));
    assert_relative_eq!(p.re(), a.powf(b), max_relative = 1e-15);
    assert_relative_eq!(p.eps1(), b * a.powf(b - 1.0), max_relative = 1e-14);
    assert_relative_eq!(p.eps2(), a.powf(b) * a.ln(), max_relative = 1e-14);
    // The mixed second derivative d²/dxdy x^y = x^(y-1) (1 + y ln x), and the pure ones.
    assert_relative_eq!(
        p.eps1eps2(),
        a.powf(b - 1.0) * (1.0 + b * a.ln()),
        max_relative = 1e-14
    );
    // fxx: x = a + ε₁ + ε₂ and y = b + ε₁ε₂ (a dual exponent that only adds fy to ε₁ε₂).
    let pxx = D::powf(var(a), D::constant(b) + D::from_parts(0.0, 0.0, 0.0, 1.0));
    assert_relative_eq!(
        pxx.eps1eps2(),
        b * (b - 1.0) * a.powf(b - 2.0) + a.powf(b) * a.ln(),
        max_relative = 1e-14
    );
    let pyy = D::powf(D::constant(a), var(b));
    assert_relative_eq!(
        pyy.eps1eps2(),
        a.powf(b) * a.ln() * a.ln(),
        max_relative = 1e-14
    );
    assert_eq!(parts(<D as ComplexField>::powf(x, y)), parts(p));
    assert_eq!(parts(<D as ComplexField>::powc(x, y)), parts(p));
    // log_y x = ln x / ln y.
    let l = <D as Float>::log(x, y);
    assert_eq!(parts(l), parts(D::log(x, y)));
    assert_eq!(parts(<D as ComplexField>::log(x, y)), parts(l));
    assert_relative_eq!(l.re(), a.ln() / b.ln(), max_relative = 1e-15);
    assert_relative_eq!(l.eps1(), 1.0 / (a * b.ln()), max_relative = 1e-14);
    // hypot and atan2.
    let h = <D as Float>::hypot(x, y);
    assert_eq!(parts(h), parts(D::hypot(x, y)));
    assert_eq!(parts(<D as ComplexField>::hypot(x, y)), parts(h));
    assert_relative_eq!(h.eps1(), a / a.hypot(b), max_relative = 1e-14);
    assert_relative_eq!(h.eps2(), b / a.hypot(b), max_relative = 1e-14);
    let t = <D as Float>::atan2(x, y);
    assert_eq!(parts(t), parts(D::atan2(x, y)));
    assert_eq!(parts(<D as RealField>::atan2(x, y)), parts(t));
    assert_relative_eq!(t.re(), a.atan2(b), max_relative = 1e-15);
    assert_relative_eq!(t.eps1(), b / (a * a + b * b), max_relative = 1e-14);
    // max and min return the whole winner, derivatives included.
    for (big, small) in [(x, y), (y, x)] {
        assert_eq!(parts(<D as Float>::max(big, small)), parts(y));
        assert_eq!(parts(<D as RealField>::max(big, small)), parts(y));
        assert_eq!(parts(<D as Float>::min(big, small)), parts(x));
        assert_eq!(parts(<D as RealField>::min(big, small)), parts(x));
    }
    // copysign flips the derivative with the sign.
    let neg = other(-1.0);
    assert_eq!(parts(<D as Float>::copysign(x, neg)), parts(-x));
    assert_eq!(parts(<D as RealField>::copysign(x, neg)), parts(-x));
    assert_eq!(parts(<D as Float>::copysign(x, y)), parts(x));
    // mul_add: x * y + z with the value fused.
    let z = D::from_parts(0.25, 3.0, 0.0, 0.0);
    let m = <D as Float>::mul_add(x, y, z);
    assert_eq!(parts(m), parts(D::mul_add(x, y, z)));
    assert_eq!(parts(<D as ComplexField>::mul_add(x, y, z)), parts(m));
    assert_eq!(m.re(), a.mul_add(b, 0.25));
    assert_eq!(m.eps1(), b + 3.0);
    assert_eq!(m.eps2(), a);
    assert_eq!(m.eps1eps2(), 1.0);
    // powi, through both traits, with the second derivative.
    let x = var(a);
    let c = <D as Float>::powi(x, 3);
    assert_eq!(parts(c), parts(D::powi(x, 3)));
    assert_eq!(parts(<D as ComplexField>::powi(x, 3)), parts(c));
    assert_relative_eq!(c.eps1(), 3.0 * a * a, max_relative = 1e-15);
    assert_relative_eq!(c.eps1eps2(), 6.0 * a, max_relative = 1e-15);
}

#[test]
fn clamp_abs_sub_and_sin_cos() {
    let x = first(0.6);
    let (lo, hi) = (other(0.7), other(0.9));
    for clamp in [<D as Float>::clamp, <D as RealField>::clamp] {
        assert_eq!(
            parts(clamp(x, lo, hi)),
            parts(lo),
            "below the range: the bound"
        );
        assert_eq!(
            parts(clamp(x, other(0.1), hi)),
            parts(x),
            "inside: x itself"
        );
        assert_eq!(parts(clamp(x, other(0.1), other(0.5))), parts(other(0.5)));
    }
    // abs_sub(x, y) = max(x - y, 0).
    let y = other(0.25);
    for abs_sub in [<D as Float>::abs_sub, |p: D, q: D| {
        <D as Signed>::abs_sub(&p, &q)
    }] {
        let d = abs_sub(x, y);
        assert_relative_eq!(d.re(), 0.35, max_relative = 1e-15);
        assert_eq!((d.eps1(), d.eps2()), (1.0, -1.0));
        assert_eq!(parts(abs_sub(y, x)), [0.0; 4]);
    }
    for sin_cos in [<D as Float>::sin_cos, <D as ComplexField>::sin_cos] {
        let (s, c) = sin_cos(x);
        assert_eq!(parts(s), parts(x.sin()));
        assert_eq!(parts(c), parts(x.cos()));
        assert_relative_eq!(s.eps1(), 0.6f64.cos(), max_relative = 1e-15);
        assert_relative_eq!(c.eps1(), -(0.6f64.sin()), max_relative = 1e-15);
    }
}

#[test]
fn float_constants_predicates_and_decoding() {
    let constants: [(fn() -> D, f64); 8] = [
        (<D as Float>::infinity, f64::INFINITY),
        (<D as Float>::neg_infinity, f64::NEG_INFINITY),
        (<D as Float>::min_value, f64::MIN),
        (<D as Float>::min_positive_value, f64::MIN_POSITIVE),
        (<D as Float>::epsilon, f64::EPSILON),
        (<D as Float>::max_value, f64::MAX),
        (<D as Bounded>::min_value, f64::MIN),
        (<D as Bounded>::max_value, f64::MAX),
    ];
    for (c, want) in constants {
        assert_eq!(parts(c()), [want, 0.0, 0.0, 0.0]);
    }
    assert!(<D as Float>::nan().re().is_nan());
    let nz = <D as Float>::neg_zero();
    assert!(nz.re() == 0.0 && nz.re().is_sign_negative());

    let (one, nan, inf, tiny) = (
        D::from_parts(1.5, f64::NAN, f64::INFINITY, 2.0),
        D::constant(f64::NAN),
        D::constant(f64::NEG_INFINITY),
        D::constant(f64::MIN_POSITIVE / 4.0),
    );
    // The predicates look at the value only: `one` has a NaN and an infinite derivative.
    type Predicate = fn(D) -> bool;
    let predicates: [(Predicate, [bool; 4]); 7] = [
        (<D as Float>::is_nan, [false, true, false, false]),
        (<D as Float>::is_infinite, [false, false, true, false]),
        (<D as Float>::is_finite, [true, false, false, true]),
        (<D as Float>::is_normal, [true, false, false, false]),
        (<D as Float>::is_subnormal, [false, false, false, true]),
        (<D as Float>::is_sign_positive, [true, true, false, true]),
        (<D as Float>::is_sign_negative, [false, false, true, false]),
    ];
    for (i, (p, want)) in predicates.into_iter().enumerate() {
        assert_eq!([one, nan, inf, tiny].map(p), want, "predicate {i}");
    }
    assert!(<D as ComplexField>::is_finite(&one));
    assert!(!<D as ComplexField>::is_finite(&inf));
    assert!(<D as RealField>::is_sign_positive(&one));
    assert!(!<D as RealField>::is_sign_positive(&inf));
    assert!(<D as RealField>::is_sign_negative(&inf));
    assert!(!<D as RealField>::is_sign_negative(&one));
    assert_eq!(<D as Float>::classify(one), FpCategory::Normal);
    assert_eq!(<D as Float>::classify(tiny), FpCategory::Subnormal);
    assert_eq!(<D as Float>::classify(inf), FpCategory::Infinite);
    assert_eq!(
        <D as Float>::integer_decode(one),
        Float::integer_decode(1.5f64)
    );
}

#[test]
fn float_const_and_real_field_constants() {
    use std::f64::consts as c;
    let float_const: [(fn() -> D, f64); 18] = [
        (<D as FloatConst>::E, c::E),
        (<D as FloatConst>::FRAC_1_PI, c::FRAC_1_PI),
        (<D as FloatConst>::FRAC_1_SQRT_2, c::FRAC_1_SQRT_2),
        (<D as FloatConst>::FRAC_2_PI, c::FRAC_2_PI),
        (<D as FloatConst>::FRAC_2_SQRT_PI, c::FRAC_2_SQRT_PI),
        (<D as FloatConst>::FRAC_PI_2, c::FRAC_PI_2),
        (<D as FloatConst>::FRAC_PI_3, c::FRAC_PI_3),
        (<D as FloatConst>::FRAC_PI_4, c::FRAC_PI_4),
        (<D as FloatConst>::FRAC_PI_6, c::FRAC_PI_6),
        (<D as FloatConst>::FRAC_PI_8, c::FRAC_PI_8),
        (<D as FloatConst>::LN_10, c::LN_10),
        (<D as FloatConst>::LN_2, c::LN_2),
        (<D as FloatConst>::LOG10_E, c::LOG10_E),
        (<D as FloatConst>::LOG2_E, c::LOG2_E),
        (<D as FloatConst>::PI, c::PI),
        (<D as FloatConst>::SQRT_2, c::SQRT_2),
        (<D as FloatConst>::TAU, c::TAU),
        (<D as FloatConst>::LOG10_2, c::LOG10_2),
    ];
    for (i, (k, want)) in float_const.into_iter().enumerate() {
        assert_eq!(parts(k()), [want, 0.0, 0.0, 0.0], "FloatConst {i}");
    }
    assert_eq!(<D as FloatConst>::LOG2_10().re(), c::LOG2_10);
    let real_field: [(fn() -> D, f64); 15] = [
        (<D as RealField>::pi, c::PI),
        (<D as RealField>::two_pi, c::TAU),
        (<D as RealField>::frac_pi_2, c::FRAC_PI_2),
        (<D as RealField>::frac_pi_3, c::FRAC_PI_3),
        (<D as RealField>::frac_pi_4, c::FRAC_PI_4),
        (<D as RealField>::frac_pi_6, c::FRAC_PI_6),
        (<D as RealField>::frac_pi_8, c::FRAC_PI_8),
        (<D as RealField>::frac_1_pi, c::FRAC_1_PI),
        (<D as RealField>::frac_2_pi, c::FRAC_2_PI),
        (<D as RealField>::frac_2_sqrt_pi, c::FRAC_2_SQRT_PI),
        (<D as RealField>::e, c::E),
        (<D as RealField>::log2_e, c::LOG2_E),
        (<D as RealField>::log10_e, c::LOG10_E),
        (<D as RealField>::ln_2, c::LN_2),
        (<D as RealField>::ln_10, c::LN_10),
    ];
    for (i, (k, want)) in real_field.into_iter().enumerate() {
        assert_eq!(parts(k()), [want, 0.0, 0.0, 0.0], "RealField {i}");
    }
    assert_eq!(
        <D as RealField>::min_value().map(parts),
        Some([f64::MIN, 0.0, 0.0, 0.0])
    );
    assert_eq!(
        <D as RealField>::max_value().map(parts),
        Some([f64::MAX, 0.0, 0.0, 0.0])
    );
}

#[test]
fn conversions_to_and_from_primitives() {
    let x = D::from_parts(3.7, 1.0, 2.0, 3.0);
    let neg = D::from_parts(-2.5, 1.0, 0.0, 0.0);
    assert_eq!(<D as ToPrimitive>::to_i64(&x), Some(3));
    assert_eq!(<D as ToPrimitive>::to_i64(&neg), Some(-2));
    assert_eq!(<D as ToPrimitive>::to_u64(&x), Some(3));
    assert_eq!(<D as ToPrimitive>::to_u64(&neg), None);
    assert_eq!(<D as ToPrimitive>::to_f32(&x), Some(3.7f32));
    assert_eq!(<D as ToPrimitive>::to_f64(&x), Some(3.7));
    assert_eq!(<D as ToPrimitive>::to_f64(&neg), Some(-2.5));
    let constant = |v: f64| Some([v, 0.0, 0.0, 0.0]);
    assert_eq!(
        <D as FromPrimitive>::from_i64(-3).map(parts),
        constant(-3.0)
    );
    assert_eq!(<D as FromPrimitive>::from_u64(7).map(parts), constant(7.0));
    assert_eq!(
        <D as FromPrimitive>::from_f32(0.5).map(parts),
        constant(0.5)
    );
    assert_eq!(
        <D as FromPrimitive>::from_f64(-1.25).map(parts),
        constant(-1.25)
    );
    assert_eq!(<D as NumCast>::from(9_u8).map(parts), constant(9.0));
    assert_eq!(<D as NumCast>::from(-0.75_f32).map(parts), constant(-0.75));
    assert_eq!(
        <D as Num>::from_str_radix("2.5", 10).ok().map(parts),
        constant(2.5)
    );
    assert!(<D as Num>::from_str_radix("two", 10).is_err());
    assert_eq!(parts(<D as Zero>::zero()), [0.0; 4]);
    assert_eq!(parts(<D as One>::one()), [1.0, 0.0, 0.0, 0.0]);
    // is_zero looks at the value only.
    assert!(<D as Zero>::is_zero(&D::from_parts(0.0, 1.0, 1.0, 0.0)));
    assert!(!<D as Zero>::is_zero(&D::constant(1e-300)));
}

#[test]
fn signed_methods() {
    let x = var(-0.6);
    let a = <D as Signed>::abs(&x);
    assert_eq!(parts(a), parts(x.abs()));
    assert_eq!((a.re(), a.eps1()), (0.6, -1.0));
    let s = <D as Signed>::signum(&x);
    assert_eq!(parts(s), [-1.0, 0.0, 0.0, 0.0]);
    assert_eq!(
        parts(<D as Signed>::signum(&var(2.0))),
        [1.0, 0.0, 0.0, 0.0]
    );
    assert!(<D as Signed>::is_negative(&x));
    assert!(!<D as Signed>::is_positive(&x));
    assert!(<D as Signed>::is_positive(&var(0.6)));
    assert!(!<D as Signed>::is_negative(&var(0.6)));
}

#[test]
fn complex_field_methods_of_a_real_scalar() {
    let x = var(-0.6);
    assert_eq!(parts(<D as ComplexField>::from_real(x)), parts(x));
    assert_eq!(parts(<D as ComplexField>::real(x)), parts(x));
    assert_eq!(parts(<D as ComplexField>::conjugate(x)), parts(x));
    assert_eq!(parts(<D as ComplexField>::imaginary(x)), [0.0; 4]);
    assert_eq!(parts(<D as ComplexField>::modulus(x)), parts(x.abs()));
    assert_eq!(parts(<D as ComplexField>::norm1(x)), parts(x.abs()));
    // |x|^2 = x^2: derivative 2x, second derivative 2.
    let m2 = <D as ComplexField>::modulus_squared(x);
    assert_relative_eq!(m2.re(), 0.36, max_relative = 1e-15);
    assert_eq!((m2.eps1(), m2.eps1eps2()), (-1.2, 2.0));
    assert_eq!(
        parts(<D as ComplexField>::argument(x)),
        [std::f64::consts::PI, 0.0, 0.0, 0.0]
    );
    assert_eq!(parts(<D as ComplexField>::argument(var(0.0))), [0.0; 4]);
    assert_eq!(parts(<D as ComplexField>::argument(var(0.6))), [0.0; 4]);
    let x = first(-0.6);
    let k = other(4.0);
    let scaled = <D as ComplexField>::scale(x, k);
    assert_eq!(parts(scaled), parts(x * k));
    assert_eq!((scaled.eps1(), scaled.eps2()), (4.0, -0.6));
    let unscaled = <D as ComplexField>::unscale(x, k);
    assert_eq!(parts(unscaled), parts(x / k));
    assert_eq!(unscaled.eps1(), 0.25);
    assert_eq!(<D as ComplexField>::try_sqrt(x).map(parts), None);
    assert_eq!(
        <D as ComplexField>::try_sqrt(var(0.25)).map(parts),
        Some(parts(var(0.25).sqrt()))
    );
    assert_eq!(
        <D as ComplexField>::try_sqrt(var(0.0)).map(|s| s.re()),
        Some(0.0)
    );
}

#[test]
#[allow(unsafe_code)]
fn simd_value_of_a_single_lane() {
    assert_eq!(<D as SimdValue>::LANES, 1);
    let x = var(0.6);
    let y = other(-2.0);
    assert_eq!(parts(<D as SimdValue>::splat(x)), parts(x));
    assert_eq!(parts(x.extract(0)), parts(x));
    // SAFETY: lane 0 exists.
    assert_eq!(parts(unsafe { x.extract_unchecked(0) }), parts(x));
    let mut z = x;
    z.replace(0, y);
    assert_eq!(parts(z), parts(y));
    let mut w = x;
    // SAFETY: lane 0 exists.
    unsafe { w.replace_unchecked(0, y) };
    assert_eq!(parts(w), parts(y));
    assert_eq!(parts(x.select(true, y)), parts(x));
    assert_eq!(parts(x.select(false, y)), parts(y));
}

#[test]
fn subset_of_itself_and_of_primitives() {
    let x = var(0.6);
    assert_eq!(parts(<D as SubsetOf<D>>::to_superset(&x)), parts(x));
    assert_eq!(
        parts(<D as SubsetOf<D>>::from_superset_unchecked(&x)),
        parts(x)
    );
    assert!(<D as SubsetOf<D>>::is_in_subset(&x));
    // A primitive is a constant dual number; a dual number is a primitive when its derivative
    // part is zero.
    assert_eq!(
        parts(<f64 as SubsetOf<D>>::to_superset(&2.5)),
        [2.5, 0.0, 0.0, 0.0]
    );
    assert_eq!(<f64 as SubsetOf<D>>::from_superset_unchecked(&x), 0.6);
    assert_eq!(<f64 as SubsetOf<D>>::from_superset(&x), None);
    assert!(!<f64 as SubsetOf<D>>::is_in_subset(&x));
    assert!(<f64 as SubsetOf<D>>::is_in_subset(&D::constant(0.6)));
    assert_eq!(
        parts(<f32 as SubsetOf<D>>::to_superset(&0.5)),
        [0.5, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        <f32 as SubsetOf<D>>::from_superset_unchecked(&var(0.5)),
        0.5f32
    );
    assert!(!<f32 as SubsetOf<D>>::is_in_subset(&var(0.5)));
    assert!(<f32 as SubsetOf<D>>::is_in_subset(&D::constant(0.5)));
    // The conversion nalgebra code uses.
    let c: Dual64 = nalgebra::convert(1.5);
    assert_eq!((c.re(), c.eps()), (1.5, 0.0));
    let v: DualVec64<3> = nalgebra::convert(-1.0);
    assert_eq!(v.partials(), &[0.0; 3]);
}

#[test]
fn approx_traits_compare_values_only() {
    let x = D::from_parts(1.0, 5.0, 0.0, 0.0);
    let near = D::from_parts(1.0 + 1e-12, -5.0, 0.0, 0.0);
    let far = D::from_parts(1.1, 5.0, 0.0, 0.0);
    assert_eq!(
        parts(<D as AbsDiffEq>::default_epsilon()),
        [f64::EPSILON, 0.0, 0.0, 0.0]
    );
    assert!(x.abs_diff_eq(&near, D::constant(1e-11)));
    assert!(!x.abs_diff_eq(&near, D::constant(1e-13)));
    assert!(!x.abs_diff_eq(&far, D::constant(1e-11)));
    assert_eq!(
        parts(<D as RelativeEq>::default_max_relative()),
        [f64::EPSILON, 0.0, 0.0, 0.0]
    );
    assert!(x.relative_eq(&near, D::constant(0.0), D::constant(1e-11)));
    assert!(!x.relative_eq(&near, D::constant(0.0), D::constant(1e-13)));
    assert!(!x.relative_eq(&far, D::constant(0.0), D::constant(1e-11)));
    assert_eq!(<D as UlpsEq>::default_max_ulps(), 4);
    let next = D::from_parts(f64::from_bits(1.0f64.to_bits() + 3), 1.0, 0.0, 0.0);
    assert!(x.ulps_eq(&next, D::constant(0.0), 4));
    assert!(!x.ulps_eq(&next, D::constant(0.0), 2));
}

#[test]
fn owned_and_borrowed_sums_and_products() {
    let xs = [first(0.5), other(2.0), D::from_parts(-1.0, 3.0, 0.0, 1.0)];
    let s: D = xs.iter().copied().sum();
    assert_eq!(parts(s), [1.5, 4.0, 1.0, 1.0]);
    let s_ref: D = xs.iter().sum();
    assert_eq!(parts(s_ref), parts(s));
    // (0.5 + ε₁ + ε₂)(2 + ε₂)(-1 + 3ε₁ + ε₁ε₂), multiplied out.
    let p: D = xs.iter().copied().product();
    let want = xs[0] * xs[1] * xs[2];
    assert_eq!(parts(p), parts(want));
    assert_eq!(p.re(), -1.0);
    let p_ref: D = xs.iter().product();
    assert_eq!(parts(p_ref), parts(want));
    let empty: [D; 0] = [];
    assert_eq!(parts(empty.iter().copied().sum()), [0.0; 4]);
    assert_eq!(parts(empty.iter().copied().product()), [1.0, 0.0, 0.0, 0.0]);
}

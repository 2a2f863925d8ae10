//! The rules: every elementary function and every operation beyond `+`, `-`, `*` and
//! negation, each written once as its value, its first and its second derivatives, with the
//! conventions at the edges. nabla-dual and nabla-tape call these (through the methods and
//! trait impls that [`differentiable_number!`](crate::differentiable_number) generates), so
//! forward and reverse mode cannot differ in a rule.
//!
//! The conventions, in one place:
//!
//! - `sqrt(0)` and `cbrt(0)` have derivative `+∞` (the one-sided limit); the mode keeps a
//!   zero derivative zero through it (forward mode's strong product, reverse mode's skipped
//!   zero adjoint), so `sqrt` of a constant 0 is a constant.
//! - `powi(x, 0)` and `x.powf(0)` are 1 with derivative 0 at every `x`, 0 included (an integer
//!   factor of exactly zero is never multiplied by the power, which may be infinite);
//!   `0.powf(c)` keeps its float value.
//! - `x.powf(y)` takes `ln x` only when `y` carries a derivative (negative bases with integer
//!   exponents work), and `∂/∂y = x^y ln x` is 0 where `x^y` is 0.
//! - `tanh` uses `1 - tanh²`, finite for any argument (`tanh(800)`: value 1, derivative 0).
//! - `abs` has derivative 0 at 0 (the middle of the subdifferential, as PyTorch);
//!   `signum`, `floor`, `ceil`, `round`, `trunc` are constants; `atan2` and `hypot` have
//!   derivative 0 at the origin.
//! - Division uses the quotient rule: the value is `a / b` exactly, not `a * (1 / b)`.
//! - `max`, `min` and `clamp` return one operand entirely (its derivative included), `self`
//!   on a tie; a NaN value loses, as for `f64::max`.

use num_traits::{Float, FloatConst, FromPrimitive, One, Zero};

use crate::differentiable::Differentiable;
use crate::real::Real;

#[inline(always)]
fn two<T: Real>() -> T {
    T::one() + T::one()
}

#[inline(always)]
fn zero3<T: Real>() -> [T; 3] {
    [T::zero(); 3]
}

/// `0` at zero, otherwise `±1`: the derivative of `|x|`.
#[inline]
fn sign_or_zero<T: Real>(a: T) -> T {
    if a > T::zero() {
        T::one()
    } else if a < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

/// `c * pow()`, exactly zero when the integer factor `c` is zero, so that `0 * inf` (a power
/// of zero with a negative exponent) never appears.
#[inline]
fn coef<T: Real>(c: T, pow: impl FnOnce() -> T) -> T {
    if c == T::zero() { T::zero() } else { c * pow() }
}

/// `1 / h` for the norm `h` of a point, and 0 at the origin.
#[inline]
fn inverse_norm<T: Real>(h: T) -> T {
    if h == T::zero() {
        T::zero()
    } else {
        Float::recip(h)
    }
}

/// `x / y` by the quotient rule: the value is `a / b` exactly as for floats.
#[inline]
pub fn div<X: Differentiable>(x: X, y: X) -> X {
    let r = x.value() / y.value();
    let inv = X::Value::one() / y.value();
    // f(x, y) = x / y: fx = 1/y, fy = -x/y², fxx = 0, fxy = -1/y², fyy = 2x/y³.
    x.chain2(y, r, inv, -r * inv, || {
        let inv2 = inv * inv;
        [X::Value::zero(), -inv2, (r + r) * inv2]
    })
}

/// `c / y` for a constant `c`: value `c / b` exactly, derivative `-(c / b) / b`.
#[inline]
pub fn div_from<X: Differentiable>(c: X::Value, y: X) -> X {
    let r = c / y.value();
    let inv = X::Value::one() / y.value();
    let d1 = -r * inv;
    y.chain(r, d1, || -(d1 + d1) * inv)
}

/// `x % y = x - y trunc(x / y)`: partials `1` and `-trunc(x / y)`.
#[inline]
pub fn rem<X: Differentiable>(x: X, y: X) -> X {
    let (a, b) = (x.value(), y.value());
    let q = Float::trunc(a / b);
    x.chain2(y, a % b, X::Value::one(), -q, zero3)
}

/// `1 / x`.
#[inline]
pub fn recip<X: Differentiable>(x: X) -> X {
    let r = X::Value::one() / x.value();
    let d1 = -r * r;
    x.chain(r, d1, || -(d1 + d1) * r)
}

/// `x^n` for an integer `n`.
#[inline]
pub fn powi<X: Differentiable>(x: X, n: i32) -> X {
    let a = x.value();
    let nf = X::Value::from_i32(n).unwrap_or_else(X::Value::nan);
    let d1 = coef(nf, || Float::powi(a, n.wrapping_sub(1)));
    x.chain(Float::powi(a, n), d1, || {
        let nn1 =
            X::Value::from_i64(i64::from(n) * (i64::from(n) - 1)).unwrap_or_else(X::Value::nan);
        coef(nn1, || Float::powi(a, n.wrapping_sub(2)))
    })
}

/// `x^c` for a constant exponent `c`.
#[inline]
pub fn powf_const<X: Differentiable>(x: X, c: X::Value) -> X {
    let a = x.value();
    let one = X::Value::one();
    let d1 = coef(c, || Float::powf(a, c - one));
    x.chain(Float::powf(a, c), d1, || {
        coef(c * (c - one), || Float::powf(a, c - two()))
    })
}

/// `x^y`; [`powf_const`] when `y` carries no derivative.
#[inline]
pub fn powf<X: Differentiable>(x: X, y: X) -> X {
    if y.is_constant() {
        return powf_const(x, y.value());
    }
    let (a, c) = (x.value(), y.value());
    let v = Float::powf(a, c);
    let one = X::Value::one();
    let ln_a = if v == X::Value::zero() {
        X::Value::zero()
    } else {
        Float::ln(a)
    };
    let fx = coef(c, || Float::powf(a, c - one));
    let fy = v * ln_a;
    x.chain2(y, v, fx, fy, || {
        let fxx = coef(c * (c - one), || Float::powf(a, c - two()));
        let fxy = Float::powf(a, c - one) * (one + c * ln_a);
        [fxx, fxy, fy * ln_a]
    })
}

/// `√x`.
#[inline]
pub fn sqrt<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let s = Float::sqrt(a);
    let d1 = Float::recip(two::<X::Value>() * s);
    x.chain(s, d1, || -d1 / (two::<X::Value>() * a))
}

/// `∛x`.
#[inline]
pub fn cbrt<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let c = Float::cbrt(a);
    let three = two::<X::Value>() + X::Value::one();
    let d1 = Float::recip(three * c * c);
    x.chain(c, d1, || -two::<X::Value>() * d1 / (three * a))
}

/// `eˣ`.
#[inline]
pub fn exp<X: Differentiable>(x: X) -> X {
    let e = Float::exp(x.value());
    x.chain(e, e, || e)
}

/// `2ˣ`.
#[inline]
pub fn exp2<X: Differentiable>(x: X) -> X {
    let v = Float::exp2(x.value());
    let d1 = v * X::Value::LN_2();
    x.chain(v, d1, || d1 * X::Value::LN_2())
}

/// `eˣ - 1`.
#[inline]
pub fn exp_m1<X: Differentiable>(x: X) -> X {
    let e = Float::exp(x.value());
    x.chain(Float::exp_m1(x.value()), e, || e)
}

/// `ln x`.
#[inline]
pub fn ln<X: Differentiable>(x: X) -> X {
    let d1 = Float::recip(x.value());
    x.chain(Float::ln(x.value()), d1, || -d1 * d1)
}

/// `log_base x = ln x / ln base`.
#[inline]
pub fn log<X: Differentiable>(x: X, base: X) -> X {
    div(ln(x), ln(base))
}

/// `log₂ x`.
#[inline]
pub fn log2<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(a * X::Value::LN_2());
    x.chain(Float::log2(a), d1, || -d1 / a)
}

/// `log₁₀ x`.
#[inline]
pub fn log10<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(a * X::Value::LN_10());
    x.chain(Float::log10(a), d1, || -d1 / a)
}

/// `ln(1 + x)`.
#[inline]
pub fn ln_1p<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(X::Value::one() + a);
    x.chain(Float::ln_1p(a), d1, || -d1 * d1)
}

/// `sin x`.
#[inline]
pub fn sin<X: Differentiable>(x: X) -> X {
    let (s, c) = Float::sin_cos(x.value());
    x.chain(s, c, || -s)
}

/// `cos x`.
#[inline]
pub fn cos<X: Differentiable>(x: X) -> X {
    let (s, c) = Float::sin_cos(x.value());
    x.chain(c, -s, || -c)
}

/// `(sin x, cos x)` from one evaluation of both.
#[inline]
pub fn sin_cos<X: Differentiable>(x: X) -> (X, X) {
    let (s, c) = Float::sin_cos(x.value());
    (x.chain(s, c, || -s), x.chain(c, -s, || -c))
}

/// `tan x`.
#[inline]
pub fn tan<X: Differentiable>(x: X) -> X {
    let t = Float::tan(x.value());
    let d1 = X::Value::one() + t * t;
    x.chain(t, d1, || two::<X::Value>() * t * d1)
}

/// `asin x`.
#[inline]
pub fn asin<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(Float::sqrt(X::Value::one() - a * a));
    x.chain(Float::asin(a), d1, || a * d1 * d1 * d1)
}

/// `acos x`.
#[inline]
pub fn acos<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = -Float::recip(Float::sqrt(X::Value::one() - a * a));
    x.chain(Float::acos(a), d1, || a * d1 * d1 * d1)
}

/// `atan x`.
#[inline]
pub fn atan<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(X::Value::one() + a * a);
    x.chain(Float::atan(a), d1, || -two::<X::Value>() * a * d1 * d1)
}

/// `atan2(y, x)`, the angle of the point `(x, y)`; derivative 0 at the origin.
#[inline]
pub fn atan2<X: Differentiable>(y: X, x: X) -> X {
    let (y0, x0) = (y.value(), x.value());
    let inv = inverse_norm(Float::hypot(x0, y0));
    let (cx, cy) = (x0 * inv, y0 * inv);
    // f(y, x) = atan2(y, x): fy = x/r², fx = -y/r², fyy = -2xy/r⁴, fyx = (y² - x²)/r⁴,
    // fxx = 2xy/r⁴.
    y.chain2(x, Float::atan2(y0, x0), cx * inv, -cy * inv, || {
        let inv2 = inv * inv;
        let cross = two::<X::Value>() * cx * cy * inv2;
        [-cross, (cy * cy - cx * cx) * inv2, cross]
    })
}

/// `sinh x`.
#[inline]
pub fn sinh<X: Differentiable>(x: X) -> X {
    let (s, c) = (Float::sinh(x.value()), Float::cosh(x.value()));
    x.chain(s, c, || s)
}

/// `cosh x`.
#[inline]
pub fn cosh<X: Differentiable>(x: X) -> X {
    let (s, c) = (Float::sinh(x.value()), Float::cosh(x.value()));
    x.chain(c, s, || c)
}

/// `tanh x`, with derivative `1 - tanh²x`.
#[inline]
pub fn tanh<X: Differentiable>(x: X) -> X {
    let t = Float::tanh(x.value());
    let d1 = X::Value::one() - t * t;
    x.chain(t, d1, || -two::<X::Value>() * t * d1)
}

/// `asinh x`.
#[inline]
pub fn asinh<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(Float::hypot(a, X::Value::one()));
    x.chain(Float::asinh(a), d1, || -a * d1 * d1 * d1)
}

/// `acosh x`.
#[inline]
pub fn acosh<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let one = X::Value::one();
    let d1 = Float::recip(Float::sqrt(a - one) * Float::sqrt(a + one));
    x.chain(Float::acosh(a), d1, || -a * d1 * d1 * d1)
}

/// `atanh x`.
#[inline]
pub fn atanh<X: Differentiable>(x: X) -> X {
    let a = x.value();
    let d1 = Float::recip(X::Value::one() - a * a);
    x.chain(Float::atanh(a), d1, || two::<X::Value>() * a * d1 * d1)
}

/// `|x|`, derivative `signum(x)` and 0 at 0.
#[inline]
pub fn abs<X: Differentiable>(x: X) -> X {
    let a = x.value();
    x.chain(Float::abs(a), sign_or_zero(a), X::Value::zero)
}

/// `Float::signum` of the value, a constant.
#[inline]
pub fn signum<X: Differentiable>(x: X) -> X {
    X::constant(Float::signum(x.value()))
}

/// `√(x² + y²)` without overflow; derivative 0 at the origin.
#[inline]
pub fn hypot<X: Differentiable>(x: X, y: X) -> X {
    let (x0, y0) = (x.value(), y.value());
    let h = Float::hypot(x0, y0);
    let inv = inverse_norm(h);
    let (cx, cy) = (x0 * inv, y0 * inv);
    x.chain2(y, h, cx, cy, || {
        [cy * cy * inv, -cx * cy * inv, cx * cx * inv]
    })
}

/// `x * a + b` with the value of the fused `Float::mul_add`. With a constant factor it is one
/// operation of two operands (one tape entry, not two).
#[inline]
pub fn mul_add<X: Differentiable>(x: X, a: X, b: X) -> X {
    let value = Float::mul_add(x.value(), a.value(), b.value());
    let one = X::Value::one();
    if x.is_constant() {
        a.chain2(b, value, x.value(), one, zero3)
    } else if a.is_constant() {
        x.chain2(b, value, a.value(), one, zero3)
    } else {
        (x * a + b).with_value(value)
    }
}

/// The larger of the two by value, entirely; `x` on a tie; a NaN value loses.
#[inline]
pub fn max<X: Differentiable>(x: X, y: X) -> X {
    if y.value() > x.value() || Float::is_nan(x.value()) {
        y
    } else {
        x
    }
}

/// The smaller of the two by value, entirely; `x` on a tie; a NaN value loses.
#[inline]
pub fn min<X: Differentiable>(x: X, y: X) -> X {
    if y.value() < x.value() || Float::is_nan(x.value()) {
        y
    } else {
        x
    }
}

/// `x.max(lo).min(hi)` by value.
#[inline]
pub fn clamp<X: Differentiable>(x: X, lo: X, hi: X) -> X {
    min(max(x, lo), hi)
}

/// `floor`, a constant.
#[inline]
pub fn floor<X: Differentiable>(x: X) -> X {
    X::constant(Float::floor(x.value()))
}

/// `ceil`, a constant.
#[inline]
pub fn ceil<X: Differentiable>(x: X) -> X {
    X::constant(Float::ceil(x.value()))
}

/// `round`, a constant.
#[inline]
pub fn round<X: Differentiable>(x: X) -> X {
    X::constant(Float::round(x.value()))
}

/// `trunc`, a constant.
#[inline]
pub fn trunc<X: Differentiable>(x: X) -> X {
    X::constant(Float::trunc(x.value()))
}

/// `x - trunc(x)`, derivative 1.
#[inline]
pub fn fract<X: Differentiable>(x: X) -> X {
    x.with_value(Float::fract(x.value()))
}

/// `|x|` with the sign of `sign`'s value; the derivative flips with the sign.
#[inline]
pub fn copysign<X: Differentiable>(x: X, sign: X) -> X {
    let same = Float::is_sign_negative(x.value()) == Float::is_sign_negative(sign.value());
    if same { x } else { -x }
}

/// Radians to degrees.
#[inline]
pub fn to_degrees<X: Differentiable>(x: X) -> X {
    let k = X::Value::from_f64(180.0).unwrap_or_else(X::Value::nan) / X::Value::PI();
    x.scale(x.value() * k, k)
}

/// Degrees to radians.
#[inline]
pub fn to_radians<X: Differentiable>(x: X) -> X {
    let k = X::Value::PI() / X::Value::from_f64(180.0).unwrap_or_else(X::Value::nan);
    x.scale(x.value() * k, k)
}

/// `c - y` for a constant `c`: the negation, under the value `c - b` (whose zero is `+0`).
#[inline]
pub fn sub_from<X: Differentiable>(c: X::Value, y: X) -> X {
    (-y).with_value(c - y.value())
}

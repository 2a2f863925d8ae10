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
    // `1 / (2 √x)` as `√x · (0.5 / x)`: the division runs beside the square root instead of
    // after it (a dependent chain of two of the slowest instructions). It takes one rounding
    // more (under 1.5 units in the last place against 1); where `0.5 / x` is not a normal
    // number (`x` zero, infinite, NaN, or so large or small that it under- or overflows) the
    // direct form `0.5 / √x` keeps the conventions (`+∞` at 0, 0 at `+∞`).
    let half = X::Value::one() / two::<X::Value>();
    let r = half / a;
    let d1 = if Float::is_normal(r) { s * r } else { half / s };
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
    X::constant(Float::signum(x.checked().value()))
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
    let (x, y) = (x.checked(), y.checked());
    if y.value() > x.value() || Float::is_nan(x.value()) {
        y
    } else {
        x
    }
}

/// The smaller of the two by value, entirely; `x` on a tie; a NaN value loses.
#[inline]
pub fn min<X: Differentiable>(x: X, y: X) -> X {
    let (x, y) = (x.checked(), y.checked());
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
    X::constant(Float::floor(x.checked().value()))
}

/// `ceil`, a constant.
#[inline]
pub fn ceil<X: Differentiable>(x: X) -> X {
    X::constant(Float::ceil(x.checked().value()))
}

/// `round`, a constant.
#[inline]
pub fn round<X: Differentiable>(x: X) -> X {
    X::constant(Float::round(x.checked().value()))
}

/// `trunc`, a constant.
#[inline]
pub fn trunc<X: Differentiable>(x: X) -> X {
    X::constant(Float::trunc(x.checked().value()))
}

/// `x - trunc(x)`, derivative 1.
#[inline]
pub fn fract<X: Differentiable>(x: X) -> X {
    x.with_value(Float::fract(x.value()))
}

/// `|x|` with the sign of `sign`'s value; the derivative flips with the sign.
#[inline]
pub fn copysign<X: Differentiable>(x: X, sign: X) -> X {
    let (x, sign) = (x.checked(), sign.checked());
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

#[cfg(test)]
mod tests {
    //! The rules on their own, through the smallest possible mode: a value with the local
    //! derivatives a rule handed over (first and, evaluated, second), so that each rule's
    //! numbers and conventions are checked here, not only through the two real modes.

    use std::ops::{Add, Mul, Neg, Sub};

    use super::*;

    /// A number and what the last rule said about it: `d1`, `d2` for one operand, the
    /// partials `[fx, fy]` and `[fxx, fxy, fyy]` for two. `var` marks an input that carries a
    /// derivative.
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct P {
        v: f64,
        var: bool,
        d: [f64; 2],
        dd: [f64; 3],
    }

    fn var(v: f64) -> P {
        P {
            v,
            var: true,
            d: [1.0, 0.0],
            dd: [0.0; 3],
        }
    }

    impl Neg for P {
        type Output = P;
        fn neg(self) -> P {
            P {
                v: -self.v,
                d: [-1.0, 0.0],
                ..self
            }
        }
    }

    impl Add for P {
        type Output = P;
        fn add(self, o: P) -> P {
            P {
                v: self.v + o.v,
                var: self.var | o.var,
                d: [1.0, 1.0],
                dd: [0.0; 3],
            }
        }
    }

    impl Sub for P {
        type Output = P;
        fn sub(self, o: P) -> P {
            P {
                v: self.v - o.v,
                var: self.var | o.var,
                d: [1.0, -1.0],
                dd: [0.0; 3],
            }
        }
    }

    impl Mul for P {
        type Output = P;
        fn mul(self, o: P) -> P {
            P {
                v: self.v * o.v,
                var: self.var | o.var,
                d: [o.v, self.v],
                dd: [0.0, 1.0, 0.0],
            }
        }
    }

    impl Differentiable for P {
        type Value = f64;
        fn value(&self) -> f64 {
            self.v
        }
        fn constant(v: f64) -> P {
            P {
                v,
                var: false,
                d: [0.0; 2],
                dd: [0.0; 3],
            }
        }
        fn is_constant(&self) -> bool {
            !self.var
        }
        fn with_value(self, v: f64) -> P {
            P {
                v,
                d: [1.0, 0.0],
                dd: [0.0; 3],
                ..self
            }
        }
        fn scale(self, v: f64, k: f64) -> P {
            P {
                v,
                d: [k, 0.0],
                dd: [0.0; 3],
                ..self
            }
        }
        fn chain(self, v: f64, d1: f64, d2: impl FnOnce() -> f64) -> P {
            P {
                v,
                d: [d1, 0.0],
                dd: [d2(), 0.0, 0.0],
                ..self
            }
        }
        fn chain2(self, o: P, v: f64, fx: f64, fy: f64, s: impl FnOnce() -> [f64; 3]) -> P {
            P {
                v,
                var: self.var | o.var,
                d: [fx, fy],
                dd: s(),
            }
        }
    }

    type Unary = fn(P) -> P;

    /// `f`'s first and second derivatives against central differences of its value and of
    /// its first derivative (h = 1e-5: agreement to about 1e-8 relative).
    fn check_unary(name: &str, f: Unary, x: f64) {
        let h = 1e-5;
        let (y, lo, hi) = (f(var(x)), f(var(x - h)), f(var(x + h)));
        let d1 = (hi.v - lo.v) / (2.0 * h);
        let d2 = (hi.d[0] - lo.d[0]) / (2.0 * h);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + b.abs());
        assert!(
            close(y.d[0], d1),
            "{name}'({x}): rule {} numerical {d1}",
            y.d[0]
        );
        assert!(
            close(y.dd[0], d2),
            "{name}''({x}): rule {} numerical {d2}",
            y.dd[0]
        );
    }

    #[test]
    fn first_and_second_derivatives_of_every_unary_rule() {
        let cases: [(&str, Unary, f64); 24] = [
            ("recip", recip, 0.7),
            ("powi3", |x| powi(x, 3), -1.3),
            ("powi-2", |x| powi(x, -2), 0.9),
            ("powf_const", |x| powf_const(x, 2.5), 1.7),
            ("sqrt", sqrt, 2.3),
            ("cbrt", cbrt, -3.1),
            ("exp", exp, 0.4),
            ("exp2", exp2, 1.1),
            ("exp_m1", exp_m1, -0.2),
            ("ln", ln, 2.9),
            ("log2", log2, 0.6),
            ("log10", log10, 13.0),
            ("ln_1p", ln_1p, 0.3),
            ("sin", sin, 0.8),
            ("cos", cos, 2.2),
            ("tan", tan, 0.5),
            ("asin", asin, 0.3),
            ("acos", acos, -0.4),
            ("atan", atan, 1.9),
            ("sinh", sinh, 0.7),
            ("cosh", cosh, -1.2),
            ("tanh", tanh, 0.6),
            ("asinh", asinh, -2.5),
            ("acosh", acosh, 1.8),
        ];
        for (name, f, x) in cases {
            check_unary(name, f, x);
        }
        check_unary("atanh", atanh, 0.45);
        check_unary("abs", abs, -1.5);
    }

    #[test]
    fn binary_rules_give_their_partials() {
        let (a, b) = (var(1.5), var(-0.8));
        let q = div(a, b);
        assert_eq!(
            (q.v, q.d),
            (1.5 / -0.8, [1.0 / -0.8, -(1.5 / -0.8) * (1.0 / -0.8)])
        );
        assert_eq!(q.dd[0], 0.0);
        let r = atan2(a, b);
        let r2 = 1.5 * 1.5 + 0.8 * 0.8;
        assert!((r.d[0] - -0.8 / r2).abs() < 1e-15 && (r.d[1] - -1.5 / r2).abs() < 1e-15);
        let h = hypot(a, b);
        assert!((h.d[0] - 1.5 / r2.sqrt()).abs() < 1e-15);
        let p = powf(a, b);
        assert_eq!(p.v, 1.5f64.powf(-0.8));
        assert!((p.d[1] - p.v * 1.5f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn sqrt_derivative_within_two_ulps_over_the_whole_range() {
        // `√x · (0.5 / x)` where `0.5 / x` is normal, `0.5 / √x` elsewhere: both within
        // 2 units in the last place of `1 / (2 √x)` (computed in f64 from `0.5 / √x`, itself
        // within 1), from the smallest subnormal to the largest finite `x`.
        let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).abs();
        let mut x = f64::from_bits(1);
        while x.is_finite() {
            let got = sqrt(var(x)).d[0];
            let want = 0.5 / x.sqrt();
            assert!(ulps(got, want) <= 2, "x = {x:e}: {got:e} against {want:e}");
            x *= 3.7;
        }
        for x in [
            f64::MIN_POSITIVE,
            f64::MAX,
            2.2e307,
            4.4e307,
            1e308,
            2.9e-309,
            2e-309,
        ] {
            let (got, want) = (sqrt(var(x)).d[0], 0.5 / x.sqrt());
            assert!(ulps(got, want) <= 2, "x = {x:e}: {got:e} against {want:e}");
        }
        // Infinity and negative numbers keep their conventions.
        assert_eq!(sqrt(var(f64::INFINITY)).d[0], 0.0);
        assert!(sqrt(var(-1.0)).d[0].is_nan());
        assert_eq!(sqrt(var(-0.0)).d[0], f64::NEG_INFINITY);
    }

    #[test]
    fn the_conventions_at_the_edges() {
        // sqrt and cbrt at 0: value 0, derivative +inf.
        assert_eq!(
            (sqrt(var(0.0)).v, sqrt(var(0.0)).d[0]),
            (0.0, f64::INFINITY)
        );
        assert_eq!(cbrt(var(0.0)).d[0], f64::INFINITY);
        // x^0 is 1 with derivative 0 at every x, 0 included; 0^c keeps its float value.
        for x in [0.0, -2.0, 3.0] {
            assert_eq!((powi(var(x), 0).v, powi(var(x), 0).d[0]), (1.0, 0.0));
            assert_eq!(powi(var(x), 0).dd[0], 0.0);
            assert_eq!(
                (powf_const(var(x), 0.0).v, powf_const(var(x), 0.0).d[0]),
                (1.0, 0.0)
            );
        }
        assert_eq!(powf_const(var(0.0), 2.5).v, 0.0);
        assert_eq!(powf_const(var(0.0), 2.5).d[0], 0.0);
        // A constant exponent never takes ln: a negative base with an integer exponent works.
        let p = powf(var(-2.0), P::constant(3.0));
        assert_eq!((p.v, p.d[0]), (-8.0, 12.0));
        // A recorded exponent at a zero power: d/dy is 0, not 0 * ln 0.
        assert_eq!(powf(var(0.0), var(2.0)).d, [0.0, 0.0]);
        // tanh of a large argument: 1 - tanh², finite.
        let t = tanh(var(800.0));
        assert_eq!((t.v, t.d[0], t.dd[0]), (1.0, 0.0, -0.0));
        // abs at 0 has derivative 0; signum and the roundings are constants.
        assert_eq!(abs(var(0.0)).d[0], 0.0);
        assert_eq!(abs(var(-3.0)).d[0], -1.0);
        for c in [
            signum(var(-0.5)),
            floor(var(1.5)),
            round(var(2.5)),
            trunc(var(-1.5)),
        ] {
            assert!(c.is_constant(), "{c:?}");
        }
        // atan2 and hypot at the origin: derivative 0 (all partials).
        let o = atan2(var(0.0), var(0.0));
        assert_eq!((o.v, o.d, o.dd), (0.0, [0.0, -0.0], [-0.0, 0.0, 0.0]));
        assert_eq!(hypot(var(0.0), var(0.0)).d, [0.0, 0.0]);
        // max and min keep self on a tie and let a NaN value lose.
        let (x, y) = (
            var(1.0),
            P {
                v: 1.0,
                var: false,
                d: [9.0, 9.0],
                dd: [0.0; 3],
            },
        );
        assert_eq!(max(x, y), x);
        assert_eq!(min(x, y), x);
        assert_eq!(max(var(f64::NAN), y), y);
        // A constant factor makes mul_add one operation of two operands.
        let m = mul_add(P::constant(2.0), var(3.0), var(4.0));
        assert_eq!((m.v, m.d), (10.0, [2.0, 1.0]));
        // c / y by the quotient rule, c - y with the value c - b.
        let q = div_from(3.0, var(2.0));
        assert_eq!((q.v, q.d[0]), (1.5, -0.75));
        assert_eq!(sub_from(2.0, var(2.0)).v.to_bits(), 0.0f64.to_bits());
    }
}

//! The elementary functions, each written once as a value and its local partial derivatives.
//!
//! They are inherent methods, so `x.exp()` works without importing a trait and is never
//! ambiguous between `num_traits::Float` and nalgebra's `RealField` (both call these). The
//! conventions at the edges are nabla-dual's, so that the two modes give the same numbers.

use num_traits::Float;

use crate::scalar::Scalar;
use crate::var::Var;

#[inline]
fn two<T: Scalar>() -> T {
    T::one() + T::one()
}

/// `0` at zero, otherwise `±1`: the derivative of `|x|` this crate uses.
#[inline]
fn sign_or_zero<T: Scalar>(a: T) -> T {
    if a > T::zero() {
        T::one()
    } else if a < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}

/// `c * pow()`, exactly zero when `c` is zero (so that `0 * inf` from a power of zero with a
/// negative exponent never appears).
#[inline]
fn coef<T: Scalar>(c: T, pow: impl FnOnce() -> T) -> T {
    if c == T::zero() { T::zero() } else { c * pow() }
}

/// `1 / |(x, y)|`, and 0 at the origin.
#[inline]
fn inverse_norm<T: Scalar>(h: T) -> T {
    if h == T::zero() {
        T::zero()
    } else {
        Float::recip(h)
    }
}

impl<T: Scalar> Var<T> {
    /// `1 / x`.
    #[inline]
    pub fn recip(self) -> Self {
        let r = Float::recip(self.value);
        self.chain_rule(r, -r * r)
    }

    /// `x^n` for an integer `n`. `powi(0)` is the constant 1 (derivative 0 everywhere, 0
    /// included).
    #[inline]
    pub fn powi(self, n: i32) -> Self {
        let a = self.value;
        let nf = T::from_i32(n).unwrap_or_else(T::nan);
        let d = coef(nf, || Float::powi(a, n.wrapping_sub(1)));
        self.chain_rule(Float::powi(a, n), d)
    }

    /// `x^c` for a constant exponent `c`. The value is `x.powf(c)` of the float type exactly
    /// (`0^c` is 0 for `c > 0`, 1 for `c = 0`); the derivative `c x^(c-1)` is 0 for `c = 0`.
    #[inline]
    pub fn powf_const(self, c: T) -> Self {
        let a = self.value;
        let d = coef(c, || Float::powf(a, c - T::one()));
        self.chain_rule(Float::powf(a, c), d)
    }

    /// `x^y`. With a constant `y` this is [`powf_const`](Self::powf_const), which never takes
    /// `ln x` (negative bases with integer exponents work); otherwise `∂/∂y = x^y ln x`, taken
    /// as 0 where `x^y` is 0.
    #[inline]
    pub fn powf(self, y: Self) -> Self {
        if y.is_constant() {
            return self.powf_const(y.value);
        }
        let (a, c) = (self.value, y.value);
        let v = Float::powf(a, c);
        let ln_a = if v == T::zero() {
            T::zero()
        } else {
            Float::ln(a)
        };
        let fx = coef(c, || Float::powf(a, c - T::one()));
        self.chain_rule2(y, v, fx, v * ln_a)
    }

    /// `√x`. At 0 the value is 0 and the derivative `+∞` (the one-sided limit).
    #[inline]
    pub fn sqrt(self) -> Self {
        let s = Float::sqrt(self.value);
        self.chain_rule(s, Float::recip(two::<T>() * s))
    }

    /// `∛x`, for negative `x` too. The derivative at 0 is `+∞`.
    #[inline]
    pub fn cbrt(self) -> Self {
        let c = Float::cbrt(self.value);
        let three = two::<T>() + T::one();
        self.chain_rule(c, Float::recip(three * c * c))
    }

    /// `eˣ`.
    #[inline]
    pub fn exp(self) -> Self {
        let e = Float::exp(self.value);
        self.chain_rule(e, e)
    }

    /// `2ˣ`.
    #[inline]
    pub fn exp2(self) -> Self {
        let v = Float::exp2(self.value);
        self.chain_rule(v, v * T::LN_2())
    }

    /// `eˣ - 1`, accurate near 0.
    #[inline]
    pub fn exp_m1(self) -> Self {
        self.chain_rule(Float::exp_m1(self.value), Float::exp(self.value))
    }

    /// `ln x`.
    #[inline]
    pub fn ln(self) -> Self {
        self.chain_rule(Float::ln(self.value), Float::recip(self.value))
    }

    /// `log_base x` (`ln x / ln base`).
    #[inline]
    pub fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }

    /// `log₂ x`.
    #[inline]
    pub fn log2(self) -> Self {
        let d = Float::recip(self.value * T::LN_2());
        self.chain_rule(Float::log2(self.value), d)
    }

    /// `log₁₀ x`.
    #[inline]
    pub fn log10(self) -> Self {
        let d = Float::recip(self.value * T::LN_10());
        self.chain_rule(Float::log10(self.value), d)
    }

    /// `ln(1 + x)`, accurate near 0.
    #[inline]
    pub fn ln_1p(self) -> Self {
        let d = Float::recip(T::one() + self.value);
        self.chain_rule(Float::ln_1p(self.value), d)
    }

    /// `sin x`.
    #[inline]
    pub fn sin(self) -> Self {
        let (s, c) = Float::sin_cos(self.value);
        self.chain_rule(s, c)
    }

    /// `cos x`.
    #[inline]
    pub fn cos(self) -> Self {
        let (s, c) = Float::sin_cos(self.value);
        self.chain_rule(c, -s)
    }

    /// `(sin x, cos x)`, sharing one evaluation of both.
    #[inline]
    pub fn sin_cos(self) -> (Self, Self) {
        let (s, c) = Float::sin_cos(self.value);
        (self.chain_rule(s, c), self.chain_rule(c, -s))
    }

    /// `tan x`.
    #[inline]
    pub fn tan(self) -> Self {
        let t = Float::tan(self.value);
        self.chain_rule(t, T::one() + t * t)
    }

    /// `asin x`.
    #[inline]
    pub fn asin(self) -> Self {
        let a = self.value;
        let d = Float::recip(Float::sqrt(T::one() - a * a));
        self.chain_rule(Float::asin(a), d)
    }

    /// `acos x`.
    #[inline]
    pub fn acos(self) -> Self {
        let a = self.value;
        let d = -Float::recip(Float::sqrt(T::one() - a * a));
        self.chain_rule(Float::acos(a), d)
    }

    /// `atan x`.
    #[inline]
    pub fn atan(self) -> Self {
        let a = self.value;
        self.chain_rule(Float::atan(a), Float::recip(T::one() + a * a))
    }

    /// `atan2(self, x)`, the angle of the point `(x, self)`. At the origin, where it has no
    /// derivative, the value is `atan2(0, 0)` of the float type and both partials are 0.
    #[inline]
    pub fn atan2(self, x: Self) -> Self {
        let (y0, x0) = (self.value, x.value);
        let inv = inverse_norm(Float::hypot(x0, y0));
        // ∂/∂y atan2(y, x) = x / r², ∂/∂x = -y / r².
        let (cx, cy) = (x0 * inv, y0 * inv);
        self.chain_rule2(x, Float::atan2(y0, x0), cx * inv, -cy * inv)
    }

    /// `sinh x`.
    #[inline]
    pub fn sinh(self) -> Self {
        self.chain_rule(Float::sinh(self.value), Float::cosh(self.value))
    }

    /// `cosh x`.
    #[inline]
    pub fn cosh(self) -> Self {
        self.chain_rule(Float::cosh(self.value), Float::sinh(self.value))
    }

    /// `tanh x`, with derivative `1 - tanh²x` (finite for large `|x|`: `tanh(800)` is 1 with
    /// derivative 0).
    #[inline]
    pub fn tanh(self) -> Self {
        let t = Float::tanh(self.value);
        self.chain_rule(t, T::one() - t * t)
    }

    /// `asinh x`.
    #[inline]
    pub fn asinh(self) -> Self {
        let a = self.value;
        self.chain_rule(Float::asinh(a), Float::recip(Float::hypot(a, T::one())))
    }

    /// `acosh x`.
    #[inline]
    pub fn acosh(self) -> Self {
        let a = self.value;
        let d = Float::recip(Float::sqrt(a - T::one()) * Float::sqrt(a + T::one()));
        self.chain_rule(Float::acosh(a), d)
    }

    /// `atanh x`.
    #[inline]
    pub fn atanh(self) -> Self {
        let a = self.value;
        self.chain_rule(Float::atanh(a), Float::recip(T::one() - a * a))
    }

    /// `|x|`. Its derivative is `signum(x)`, and 0 at `x = 0` (the middle of the
    /// subdifferential `[-1, 1]`, as PyTorch and nabla-dual do).
    #[inline]
    pub fn abs(self) -> Self {
        self.chain_rule(Float::abs(self.value), sign_or_zero(self.value))
    }

    /// The sign of the value as the float type defines it (`Float::signum`: `1` for `+0`), a
    /// constant (derivative 0 everywhere, 0 included).
    #[inline]
    pub fn signum(self) -> Self {
        Var::constant(Float::signum(self.checked().value))
    }

    /// `√(x² + y²)` without overflow. At the origin both partials are 0.
    #[inline]
    pub fn hypot(self, y: Self) -> Self {
        let (x0, y0) = (self.value, y.value);
        let h = Float::hypot(x0, y0);
        let inv = inverse_norm(h);
        self.chain_rule2(y, h, x0 * inv, y0 * inv)
    }

    /// `self * a + b`, with the value computed by the fused `Float::mul_add`. When `self` or
    /// `a` is a constant this records one entry (the product's partial and `b`'s 1), not two.
    #[inline]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        let value = Float::mul_add(self.value, a.value, b.value);
        if self.is_constant() {
            a.chain_rule2(b, value, self.value, T::one())
        } else if a.is_constant() {
            self.chain_rule2(b, value, a.value, T::one())
        } else if b.is_constant() {
            (self * a).shifted(value)
        } else {
            (self * a).chain_rule2(b, value, T::one(), T::one())
        }
    }

    /// The larger of the two by value (the other one entirely, derivative included); a NaN
    /// value loses, as for `f64::max`.
    #[inline]
    pub fn max(self, other: Self) -> Self {
        self.checked();
        other.checked();
        if other.value > self.value || Float::is_nan(self.value) {
            other
        } else {
            self
        }
    }

    /// The smaller of the two by value; a NaN value loses, as for `f64::min`.
    #[inline]
    pub fn min(self, other: Self) -> Self {
        self.checked();
        other.checked();
        if other.value < self.value || Float::is_nan(self.value) {
            other
        } else {
            self
        }
    }

    /// `min.max(self).min(max)` by value.
    #[inline]
    pub fn clamp(self, min: Self, max: Self) -> Self {
        self.max(min).min(max)
    }

    /// The largest integer not above the value; a constant.
    #[inline]
    pub fn floor(self) -> Self {
        Var::constant(Float::floor(self.checked().value))
    }

    /// The smallest integer not below the value; a constant.
    #[inline]
    pub fn ceil(self) -> Self {
        Var::constant(Float::ceil(self.checked().value))
    }

    /// The nearest integer, half away from zero; a constant.
    #[inline]
    pub fn round(self) -> Self {
        Var::constant(Float::round(self.checked().value))
    }

    /// The integer part; a constant.
    #[inline]
    pub fn trunc(self) -> Self {
        Var::constant(Float::trunc(self.checked().value))
    }

    /// `x - trunc(x)`; derivative 1.
    #[inline]
    pub fn fract(self) -> Self {
        self.shifted(Float::fract(self.value))
    }

    /// `|x|` with the sign of `sign`'s value; the derivative flips with the sign.
    #[inline]
    pub fn copysign(self, sign: Self) -> Self {
        sign.checked();
        let same = Float::is_sign_negative(self.value) == Float::is_sign_negative(sign.value);
        if same { self } else { -self }
    }

    /// Radians to degrees.
    #[inline]
    pub fn to_degrees(self) -> Self {
        let k = T::from_f64(180.0).unwrap_or_else(T::nan) / T::PI();
        self.chain_rule(self.value * k, k)
    }

    /// Degrees to radians.
    #[inline]
    pub fn to_radians(self) -> Self {
        let k = T::PI() / T::from_f64(180.0).unwrap_or_else(T::nan);
        self.chain_rule(self.value * k, k)
    }
}

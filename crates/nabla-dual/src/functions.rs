//! The elementary functions, each written once as a value and its first two derivatives.
//!
//! They are inherent methods, so `x.exp()` works without importing a trait and is never
//! ambiguous between `num_traits::Float` and nalgebra's `RealField` (both implement them by
//! calling these).

use num_traits::Float;

use crate::number::DualNumber;
use crate::real::Real;
use crate::tangent::Tangent;

#[inline]
fn two<T: Real>() -> T {
    T::one() + T::one()
}

/// `0` at zero, otherwise `±1`: the derivative of `|x|` this crate uses.
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

/// `n a^(n-1)`-style coefficients that are exactly zero when the integer factor is zero, so
/// that `0 * inf` (a power of zero with a negative exponent) never appears.
#[inline]
fn coef<T: Real>(c: T, pow: impl FnOnce() -> T) -> T {
    if c == T::zero() { T::zero() } else { c * pow() }
}

impl<T: Real, E: Tangent<T>> DualNumber<T, E> {
    /// `1 / x`.
    #[inline]
    pub fn recip(self) -> Self {
        let r = T::one() / self.re;
        let d1 = -r * r;
        self.chain_rule(r, d1, -(d1 + d1) * r)
    }

    /// `x^n` for an integer `n`. `powi(0)` is 1 with derivative 0 everywhere, 0 included.
    #[inline]
    pub fn powi(self, n: i32) -> Self {
        let a = self.re;
        let nf = T::from_i32(n).unwrap_or_else(T::nan);
        let nn1 = T::from_i64(i64::from(n) * (i64::from(n) - 1)).unwrap_or_else(T::nan);
        let d1 = coef(nf, || Float::powi(a, n.wrapping_sub(1)));
        let d2 = coef(nn1, || Float::powi(a, n.wrapping_sub(2)));
        self.chain_rule(Float::powi(a, n), d1, d2)
    }

    /// `x^c` for a constant exponent `c`. The value is `re.powf(c)` exactly (so `0^c` is
    /// `0` for `c > 0`, `1` for `c = 0`); the derivative `c x^(c-1)` is `0` for `c = 0`.
    #[inline]
    pub fn powf_const(self, c: T) -> Self {
        let a = self.re;
        let d1 = coef(c, || Float::powf(a, c - T::one()));
        let d2 = coef(c * (c - T::one()), || Float::powf(a, c - two()));
        self.chain_rule(Float::powf(a, c), d1, d2)
    }

    /// `x^y` with a dual exponent. When `y` carries no derivative this is
    /// [`powf_const`](Self::powf_const), which never takes `ln x` (so negative bases with
    /// integer exponents work); otherwise `∂/∂y = x^y ln x`, taken as 0 at `x = 0`.
    #[inline]
    pub fn powf(self, y: Self) -> Self {
        if y.eps.is_zero_part() {
            return self.powf_const(y.re);
        }
        let (a, c) = (self.re, y.re);
        let v = Float::powf(a, c);
        let one = T::one();
        let ln_a = if v == T::zero() {
            T::zero()
        } else {
            Float::ln(a)
        };
        let fx = coef(c, || Float::powf(a, c - one));
        let fy = v * ln_a;
        let fxx = coef(c * (c - one), || Float::powf(a, c - two()));
        let fxy = Float::powf(a, c - one) * (one + c * ln_a);
        let fyy = fy * ln_a;
        self.chain_rule2(y, v, fx, fy, fxx, fxy, fyy)
    }

    /// `√x`. At 0 the value is 0 and the derivative `+∞` (the one-sided limit); a constant
    /// zero stays a constant zero.
    #[inline]
    pub fn sqrt(self) -> Self {
        let s = Float::sqrt(self.re);
        let d1 = Float::recip(two::<T>() * s);
        self.chain_rule(s, d1, -d1 / (two::<T>() * self.re))
    }

    /// `∛x`, for negative `x` too. The derivative at 0 is `+∞`.
    #[inline]
    pub fn cbrt(self) -> Self {
        let c = Float::cbrt(self.re);
        let three = two::<T>() + T::one();
        let d1 = Float::recip(three * c * c);
        self.chain_rule(c, d1, -two::<T>() * d1 / (three * self.re))
    }

    /// `eˣ`.
    #[inline]
    pub fn exp(self) -> Self {
        let e = Float::exp(self.re);
        self.chain_rule(e, e, e)
    }

    /// `2ˣ`.
    #[inline]
    pub fn exp2(self) -> Self {
        let v = Float::exp2(self.re);
        let d1 = v * T::LN_2();
        self.chain_rule(v, d1, d1 * T::LN_2())
    }

    /// `eˣ - 1`, accurate near 0.
    #[inline]
    pub fn exp_m1(self) -> Self {
        let e = Float::exp(self.re);
        self.chain_rule(Float::exp_m1(self.re), e, e)
    }

    /// `ln x`.
    #[inline]
    pub fn ln(self) -> Self {
        let d1 = Float::recip(self.re);
        self.chain_rule(Float::ln(self.re), d1, -d1 * d1)
    }

    /// `log_base x` for a dual base (`ln x / ln base`).
    #[inline]
    pub fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }

    /// `log₂ x`.
    #[inline]
    pub fn log2(self) -> Self {
        let d1 = Float::recip(self.re * T::LN_2());
        self.chain_rule(Float::log2(self.re), d1, -d1 / self.re)
    }

    /// `log₁₀ x`.
    #[inline]
    pub fn log10(self) -> Self {
        let d1 = Float::recip(self.re * T::LN_10());
        self.chain_rule(Float::log10(self.re), d1, -d1 / self.re)
    }

    /// `ln(1 + x)`, accurate near 0.
    #[inline]
    pub fn ln_1p(self) -> Self {
        let d1 = Float::recip(T::one() + self.re);
        self.chain_rule(Float::ln_1p(self.re), d1, -d1 * d1)
    }

    /// `sin x`.
    #[inline]
    pub fn sin(self) -> Self {
        let (s, c) = Float::sin_cos(self.re);
        self.chain_rule(s, c, -s)
    }

    /// `cos x`.
    #[inline]
    pub fn cos(self) -> Self {
        let (s, c) = Float::sin_cos(self.re);
        self.chain_rule(c, -s, -c)
    }

    /// `(sin x, cos x)`, sharing one evaluation of both.
    #[inline]
    pub fn sin_cos(self) -> (Self, Self) {
        let (s, c) = Float::sin_cos(self.re);
        (self.chain_rule(s, c, -s), self.chain_rule(c, -s, -c))
    }

    /// `tan x`.
    #[inline]
    pub fn tan(self) -> Self {
        let t = Float::tan(self.re);
        let d1 = T::one() + t * t;
        self.chain_rule(t, d1, two::<T>() * t * d1)
    }

    /// `asin x`.
    #[inline]
    pub fn asin(self) -> Self {
        let a = self.re;
        let d1 = Float::recip(Float::sqrt(T::one() - a * a));
        self.chain_rule(Float::asin(a), d1, a * d1 * d1 * d1)
    }

    /// `acos x`.
    #[inline]
    pub fn acos(self) -> Self {
        let a = self.re;
        let d1 = -Float::recip(Float::sqrt(T::one() - a * a));
        self.chain_rule(Float::acos(a), d1, a * d1 * d1 * d1)
    }

    /// `atan x`.
    #[inline]
    pub fn atan(self) -> Self {
        let a = self.re;
        let d1 = Float::recip(T::one() + a * a);
        self.chain_rule(Float::atan(a), d1, -two::<T>() * a * d1 * d1)
    }

    /// `atan2(self, x)`, the angle of the point `(x, self)`. At the origin, where it has no
    /// derivative, the value is `atan2(0, 0)` of the float type and the derivative part is 0.
    #[inline]
    pub fn atan2(self, x: Self) -> Self {
        let (y0, x0) = (self.re, x.re);
        let h = Float::hypot(x0, y0);
        let inv = if h == T::zero() {
            T::zero()
        } else {
            Float::recip(h)
        };
        let (cx, cy) = (x0 * inv, y0 * inv);
        let inv2 = inv * inv;
        let cross = two::<T>() * cx * cy * inv2;
        // f(y, x) = atan2(y, x): fy = x/r², fx = -y/r², fyy = -2xy/r⁴, fyx = (y² - x²)/r⁴,
        // fxx = 2xy/r⁴.
        self.chain_rule2(
            x,
            Float::atan2(y0, x0),
            cx * inv,
            -cy * inv,
            -cross,
            (cy * cy - cx * cx) * inv2,
            cross,
        )
    }

    /// `sinh x`.
    #[inline]
    pub fn sinh(self) -> Self {
        let (s, c) = (Float::sinh(self.re), Float::cosh(self.re));
        self.chain_rule(s, c, s)
    }

    /// `cosh x`.
    #[inline]
    pub fn cosh(self) -> Self {
        let (s, c) = (Float::sinh(self.re), Float::cosh(self.re));
        self.chain_rule(c, s, c)
    }

    /// `tanh x`, with derivative `1 - tanh²x` (finite for large `|x|`: `tanh(800)` is 1 with
    /// derivative 0).
    #[inline]
    pub fn tanh(self) -> Self {
        let t = Float::tanh(self.re);
        let d1 = T::one() - t * t;
        self.chain_rule(t, d1, -two::<T>() * t * d1)
    }

    /// `asinh x`.
    #[inline]
    pub fn asinh(self) -> Self {
        let a = self.re;
        let d1 = Float::recip(Float::hypot(a, T::one()));
        self.chain_rule(Float::asinh(a), d1, -a * d1 * d1 * d1)
    }

    /// `acosh x`.
    #[inline]
    pub fn acosh(self) -> Self {
        let a = self.re;
        let d1 = Float::recip(Float::sqrt(a - T::one()) * Float::sqrt(a + T::one()));
        self.chain_rule(Float::acosh(a), d1, -a * d1 * d1 * d1)
    }

    /// `atanh x`.
    #[inline]
    pub fn atanh(self) -> Self {
        let a = self.re;
        let d1 = Float::recip(T::one() - a * a);
        self.chain_rule(Float::atanh(a), d1, two::<T>() * a * d1 * d1)
    }

    /// `|x|`. Its derivative is `signum(x)`, and 0 at `x = 0` (the middle of the
    /// subdifferential `[-1, 1]`, as PyTorch does).
    #[inline]
    pub fn abs(self) -> Self {
        self.chain_rule(Float::abs(self.re), sign_or_zero(self.re), T::zero())
    }

    /// The sign of the value as the float type defines it (`Float::signum`: `1` for `+0`),
    /// with derivative 0 everywhere, 0 included.
    #[inline]
    pub fn signum(self) -> Self {
        Self::constant(Float::signum(self.re))
    }

    /// `√(x² + y²)` without overflow. At the origin the derivative part is 0.
    #[inline]
    pub fn hypot(self, y: Self) -> Self {
        let (x0, y0) = (self.re, y.re);
        let h = Float::hypot(x0, y0);
        let inv = if h == T::zero() {
            T::zero()
        } else {
            Float::recip(h)
        };
        let (cx, cy) = (x0 * inv, y0 * inv);
        self.chain_rule2(y, h, cx, cy, cy * cy * inv, -cx * cy * inv, cx * cx * inv)
    }

    /// `self * a + b`, with the value computed by the fused `Float::mul_add`.
    #[inline]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        let mut r = self * a + b;
        r.re = Float::mul_add(self.re, a.re, b.re);
        r
    }

    /// The larger of the two by value (the other one entirely, derivatives included); on a tie,
    /// `self`; a NaN value loses, as for `f64::max`.
    #[inline]
    pub fn max(self, other: Self) -> Self {
        if other.re > self.re || Float::is_nan(self.re) {
            other
        } else {
            self
        }
    }

    /// The smaller of the two by value; on a tie, `self`; a NaN value loses, as for `f64::min`.
    #[inline]
    pub fn min(self, other: Self) -> Self {
        if other.re < self.re || Float::is_nan(self.re) {
            other
        } else {
            self
        }
    }

    /// `self.max(min).min(max)` by value: `self` at either bound, derivatives included.
    #[inline]
    pub fn clamp(self, min: Self, max: Self) -> Self {
        self.max(min).min(max)
    }

    /// The largest integer not above the value; derivative 0.
    #[inline]
    pub fn floor(self) -> Self {
        Self::constant(Float::floor(self.re))
    }

    /// The smallest integer not below the value; derivative 0.
    #[inline]
    pub fn ceil(self) -> Self {
        Self::constant(Float::ceil(self.re))
    }

    /// The nearest integer, half away from zero; derivative 0.
    #[inline]
    pub fn round(self) -> Self {
        Self::constant(Float::round(self.re))
    }

    /// The integer part; derivative 0.
    #[inline]
    pub fn trunc(self) -> Self {
        Self::constant(Float::trunc(self.re))
    }

    /// `x - trunc(x)`; derivative 1.
    #[inline]
    pub fn fract(self) -> Self {
        Self::new(Float::fract(self.re), self.eps)
    }

    /// `|x|` with the sign of `sign`'s value; the derivative flips with the sign.
    #[inline]
    pub fn copysign(self, sign: Self) -> Self {
        let same = Float::is_sign_negative(self.re) == Float::is_sign_negative(sign.re);
        if same { self } else { -self }
    }

    /// Radians to degrees.
    #[inline]
    pub fn to_degrees(self) -> Self {
        let k = T::from_f64(180.0).unwrap_or_else(T::nan) / T::PI();
        self.chain_rule(self.re * k, k, T::zero())
    }

    /// Degrees to radians.
    #[inline]
    pub fn to_radians(self) -> Self {
        let k = T::PI() / T::from_f64(180.0).unwrap_or_else(T::nan);
        self.chain_rule(self.re * k, k, T::zero())
    }
}

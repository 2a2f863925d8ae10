//! The elementary functions as inherent methods of a differentiable number (`x.exp()`
//! without a trait import), each one call of its rule.

#[doc(hidden)]
#[macro_export]
macro_rules! __elementary_methods {
    ([$($g:tt)*] $ty:ty) => {
        /// The elementary functions, as inherent methods: `x.exp()` needs no trait import
        /// and is never ambiguous between `num_traits::Float` and nalgebra's `RealField`
        /// (both call these). Each is one rule of nabla-rules, shared by forward and reverse
        /// mode.
        impl<$($g)*> $ty {
            /// `1 / x`.
            #[inline(always)]
            pub fn recip(self) -> Self {
                $crate::rules::recip(self)
            }

            /// `x^n` for an integer `n`. `powi(0)` is 1 with derivative 0 everywhere, 0
            /// included.
            #[inline(always)]
            pub fn powi(self, n: i32) -> Self {
                $crate::rules::powi(self, n)
            }

            /// `x^c` for a constant exponent `c`. The value is `x.powf(c)` of the float type
            /// exactly (so `0^c` is `0` for `c > 0`, `1` for `c = 0`); the derivative
            /// `c x^(c-1)` is `0` for `c = 0`.
            #[inline(always)]
            pub fn powf_const(self, c: <Self as $crate::Differentiable>::Value) -> Self {
                $crate::rules::powf_const(self, c)
            }

            /// `x^y`. When `y` carries no derivative this is
            /// [`powf_const`](Self::powf_const), which never takes `ln x` (so negative bases
            /// with integer exponents work); otherwise `∂/∂y = x^y ln x`, taken as 0 where
            /// `x^y` is 0.
            #[inline(always)]
            pub fn powf(self, y: Self) -> Self {
                $crate::rules::powf(self, y)
            }

            /// `√x`. At 0 the value is 0 and the derivative `+∞` (the one-sided limit); a
            /// constant zero stays a constant zero.
            #[inline(always)]
            pub fn sqrt(self) -> Self {
                $crate::rules::sqrt(self)
            }

            /// `∛x`, for negative `x` too. The derivative at 0 is `+∞`.
            #[inline(always)]
            pub fn cbrt(self) -> Self {
                $crate::rules::cbrt(self)
            }

            /// `eˣ`.
            #[inline(always)]
            pub fn exp(self) -> Self {
                $crate::rules::exp(self)
            }

            /// `2ˣ`.
            #[inline(always)]
            pub fn exp2(self) -> Self {
                $crate::rules::exp2(self)
            }

            /// `eˣ - 1`, accurate near 0.
            #[inline(always)]
            pub fn exp_m1(self) -> Self {
                $crate::rules::exp_m1(self)
            }

            /// `ln x`.
            #[inline(always)]
            pub fn ln(self) -> Self {
                $crate::rules::ln(self)
            }

            /// `log_base x` for a base that may carry a derivative (`ln x / ln base`).
            #[inline(always)]
            pub fn log(self, base: Self) -> Self {
                $crate::rules::log(self, base)
            }

            /// `log₂ x`.
            #[inline(always)]
            pub fn log2(self) -> Self {
                $crate::rules::log2(self)
            }

            /// `log₁₀ x`.
            #[inline(always)]
            pub fn log10(self) -> Self {
                $crate::rules::log10(self)
            }

            /// `ln(1 + x)`, accurate near 0.
            #[inline(always)]
            pub fn ln_1p(self) -> Self {
                $crate::rules::ln_1p(self)
            }

            /// `sin x`.
            #[inline(always)]
            pub fn sin(self) -> Self {
                $crate::rules::sin(self)
            }

            /// `cos x`.
            #[inline(always)]
            pub fn cos(self) -> Self {
                $crate::rules::cos(self)
            }

            /// `(sin x, cos x)`, sharing one evaluation of both.
            #[inline(always)]
            pub fn sin_cos(self) -> (Self, Self) {
                $crate::rules::sin_cos(self)
            }

            /// `tan x`.
            #[inline(always)]
            pub fn tan(self) -> Self {
                $crate::rules::tan(self)
            }

            /// `asin x`.
            #[inline(always)]
            pub fn asin(self) -> Self {
                $crate::rules::asin(self)
            }

            /// `acos x`.
            #[inline(always)]
            pub fn acos(self) -> Self {
                $crate::rules::acos(self)
            }

            /// `atan x`.
            #[inline(always)]
            pub fn atan(self) -> Self {
                $crate::rules::atan(self)
            }

            /// `atan2(self, x)`, the angle of the point `(x, self)`. At the origin, where it
            /// has no derivative, the value is `atan2(0, 0)` of the float type and the
            /// derivative is 0.
            #[inline(always)]
            pub fn atan2(self, x: Self) -> Self {
                $crate::rules::atan2(self, x)
            }

            /// `sinh x`.
            #[inline(always)]
            pub fn sinh(self) -> Self {
                $crate::rules::sinh(self)
            }

            /// `cosh x`.
            #[inline(always)]
            pub fn cosh(self) -> Self {
                $crate::rules::cosh(self)
            }

            /// `tanh x`, with derivative `1 - tanh²x` (finite for large `|x|`: `tanh(800)` is
            /// 1 with derivative 0).
            #[inline(always)]
            pub fn tanh(self) -> Self {
                $crate::rules::tanh(self)
            }

            /// `asinh x`.
            #[inline(always)]
            pub fn asinh(self) -> Self {
                $crate::rules::asinh(self)
            }

            /// `acosh x`.
            #[inline(always)]
            pub fn acosh(self) -> Self {
                $crate::rules::acosh(self)
            }

            /// `atanh x`.
            #[inline(always)]
            pub fn atanh(self) -> Self {
                $crate::rules::atanh(self)
            }

            /// `|x|`. Its derivative is `signum(x)`, and 0 at `x = 0` (the middle of the
            /// subdifferential `[-1, 1]`, as PyTorch does).
            #[inline(always)]
            pub fn abs(self) -> Self {
                $crate::rules::abs(self)
            }

            /// The sign of the value as the float type defines it (`Float::signum`: `1` for
            /// `+0`), a constant: derivative 0 everywhere, 0 included.
            #[inline(always)]
            pub fn signum(self) -> Self {
                $crate::rules::signum(self)
            }

            /// `√(x² + y²)` without overflow. At the origin the derivative is 0.
            #[inline(always)]
            pub fn hypot(self, y: Self) -> Self {
                $crate::rules::hypot(self, y)
            }

            /// `self * a + b`, with the value computed by the fused `Float::mul_add`.
            #[inline(always)]
            pub fn mul_add(self, a: Self, b: Self) -> Self {
                $crate::rules::mul_add(self, a, b)
            }

            /// The larger of the two by value (the other one entirely, derivatives
            /// included); on a tie, `self`; a NaN value loses, as for `f64::max`.
            #[inline(always)]
            pub fn max(self, other: Self) -> Self {
                $crate::rules::max(self, other)
            }

            /// The smaller of the two by value; on a tie, `self`; a NaN value loses, as for
            /// `f64::min`.
            #[inline(always)]
            pub fn min(self, other: Self) -> Self {
                $crate::rules::min(self, other)
            }

            /// `self.max(min).min(max)` by value: `self` at either bound, derivatives
            /// included.
            #[inline(always)]
            pub fn clamp(self, min: Self, max: Self) -> Self {
                $crate::rules::clamp(self, min, max)
            }

            /// The largest integer not above the value; a constant.
            #[inline(always)]
            pub fn floor(self) -> Self {
                $crate::rules::floor(self)
            }

            /// The smallest integer not below the value; a constant.
            #[inline(always)]
            pub fn ceil(self) -> Self {
                $crate::rules::ceil(self)
            }

            /// The nearest integer, half away from zero; a constant.
            #[inline(always)]
            pub fn round(self) -> Self {
                $crate::rules::round(self)
            }

            /// The integer part; a constant.
            #[inline(always)]
            pub fn trunc(self) -> Self {
                $crate::rules::trunc(self)
            }

            /// `x - trunc(x)`; derivative 1.
            #[inline(always)]
            pub fn fract(self) -> Self {
                $crate::rules::fract(self)
            }

            /// `|x|` with the sign of `sign`'s value; the derivative flips with the sign.
            #[inline(always)]
            pub fn copysign(self, sign: Self) -> Self {
                $crate::rules::copysign(self, sign)
            }

            /// Radians to degrees.
            #[inline(always)]
            pub fn to_degrees(self) -> Self {
                $crate::rules::to_degrees(self)
            }

            /// Degrees to radians.
            #[inline(always)]
            pub fn to_radians(self) -> Self {
                $crate::rules::to_radians(self)
            }
        }
    };
}

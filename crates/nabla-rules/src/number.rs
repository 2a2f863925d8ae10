//! [`differentiable_number!`](crate::differentiable_number): everything a number type of an
//! automatic-differentiation mode has in common with the other mode's, generated once from
//! the rules.

/// Makes a [`Differentiable`](crate::Differentiable) type a complete number: the elementary
/// functions as inherent methods, the operators beyond the four basic ones, comparisons,
/// `num_traits` (`Zero`, `One`, `Num`, `NumCast`, `ToPrimitive`, `FromPrimitive`, `Float`,
/// `FloatConst`, `Signed`, `Bounded`) and nalgebra/simba (`SimdValue`, `Field`, `SubsetOf`,
/// `ComplexField`, `RealField`, and the `approx` traits they require).
///
/// Invoked once by nabla-dual for `DualNumber<T, E>` and once by nabla-tape for `Var<T>`:
///
/// ```text
/// nabla_rules::differentiable_number!(impl[T: Real, E: Tangent<T>] DualNumber<T, E>, value T, #[inline(always)]);
/// ```
///
/// `value` names the type of [`Differentiable::Value`](crate::Differentiable::Value); the
/// attribute is put on the operators and comparisons (forward mode inlines its arithmetic
/// always, see nabla-dual's `DEFAULT_CHUNK`). The type itself implements `Differentiable`,
/// `Neg`, `Add`, `Sub`, `Mul` (its own fast paths), `Debug` and `Display`.
///
/// Conventions that the generated code keeps for both modes: comparisons (`==`, `<`, the
/// `approx` traits, `max`, `min`) look at the value only; constants, predicates and
/// conversions (`is_nan`, `to_f64`, `integer_decode`) are those of the value; a primitive
/// float converts to a constant.
#[macro_export]
macro_rules! differentiable_number {
    (impl [$($g:tt)*] $ty:ty, value $v:ty, #[$ops:meta]) => {
        $crate::__elementary_methods!([$($g)*] $ty);
        $crate::__operators!([$($g)*] $ty, $v, #[$ops]);
        $crate::__primitive_on_the_left!([$($g)*] $ty, $v, #[$ops], f32);
        $crate::__primitive_on_the_left!([$($g)*] $ty, $v, #[$ops], f64);
        $crate::__num_traits!([$($g)*] $ty, $v);
        $crate::__nalgebra!([$($g)*] $ty, $v);
        $crate::__primitive_subset!([$($g)*] $ty, $v, f32);
        $crate::__primitive_subset!([$($g)*] $ty, $v, f64);
    };
}

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

#[doc(hidden)]
#[macro_export]
macro_rules! __operators {
    ([$($g:tt)*] $ty:ty, $v:ty, #[$ops:meta]) => {
        impl<$($g)*> ::core::ops::Div for $ty {
            type Output = Self;
            /// The quotient rule. The value is `a / b` exactly as for floats (not
            /// `a * (1 / b)`).
            #[$ops]
            fn div(self, o: Self) -> Self {
                $crate::rules::div(self, o)
            }
        }

        impl<$($g)*> ::core::ops::Rem for $ty {
            type Output = Self;
            /// `a % b = a - b trunc(a / b)`: partials `1` and `-trunc(a / b)`.
            #[$ops]
            fn rem(self, o: Self) -> Self {
                $crate::rules::rem(self, o)
            }
        }

        $crate::__assign!([$($g)*] $ty, $v, #[$ops], AddAssign add_assign +);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], SubAssign sub_assign -);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], MulAssign mul_assign *);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], DivAssign div_assign /);
        $crate::__assign!([$($g)*] $ty, $v, #[$ops], RemAssign rem_assign %);

        // A primitive float on the right.

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Add<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn add(self, o: F) -> Self {
                let value = $crate::Differentiable::value(&self) + <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::with_value(self, value)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Sub<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn sub(self, o: F) -> Self {
                let value = $crate::Differentiable::value(&self) - <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::with_value(self, value)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Mul<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn mul(self, o: F) -> Self {
                let c = <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::scale(self, $crate::Differentiable::value(&self) * c, c)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Div<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            #[$ops]
            fn div(self, o: F) -> Self {
                let c = <$v as $crate::Real>::from_primitive(o);
                let one = <$v as $crate::__private::num_traits::One>::one();
                $crate::Differentiable::scale(self, $crate::Differentiable::value(&self) / c, one / c)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::Rem<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            type Output = Self;
            /// `a % c` has derivative 1 (the subtracted multiple of `c` is locally constant).
            #[$ops]
            fn rem(self, o: F) -> Self {
                let value = $crate::Differentiable::value(&self) % <$v as $crate::Real>::from_primitive(o);
                $crate::Differentiable::with_value(self, value)
            }
        }

        impl<$($g)*> ::core::iter::Sum for $ty {
            #[$ops]
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                let zero = <$v as $crate::__private::num_traits::Zero>::zero();
                iter.fold(<Self as $crate::Differentiable>::constant(zero), |a, b| a + b)
            }
        }

        impl<'a, $($g)*> ::core::iter::Sum<&'a Self> for $ty {
            #[$ops]
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                let zero = <$v as $crate::__private::num_traits::Zero>::zero();
                iter.fold(<Self as $crate::Differentiable>::constant(zero), |a, b| a + *b)
            }
        }

        impl<$($g)*> ::core::iter::Product for $ty {
            #[$ops]
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                let one = <$v as $crate::__private::num_traits::One>::one();
                iter.fold(<Self as $crate::Differentiable>::constant(one), |a, b| a * b)
            }
        }

        impl<'a, $($g)*> ::core::iter::Product<&'a Self> for $ty {
            #[$ops]
            fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                let one = <$v as $crate::__private::num_traits::One>::one();
                iter.fold(<Self as $crate::Differentiable>::constant(one), |a, b| a * *b)
            }
        }

        // Comparisons and conversions.

        impl<$($g)*> ::core::cmp::PartialEq for $ty {
            /// Compares the values only.
            #[$ops]
            fn eq(&self, other: &Self) -> bool {
                $crate::Differentiable::value(self) == $crate::Differentiable::value(other)
            }
        }

        impl<$($g)*> ::core::cmp::PartialOrd for $ty {
            /// Compares the values only.
            #[$ops]
            fn partial_cmp(&self, other: &Self) -> Option<::core::cmp::Ordering> {
                $crate::Differentiable::value(self)
                    .partial_cmp(&$crate::Differentiable::value(other))
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::cmp::PartialEq<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            /// Compares the value with a primitive float.
            #[$ops]
            fn eq(&self, other: &F) -> bool {
                $crate::Differentiable::value(self) == <$v as $crate::Real>::from_primitive(*other)
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::cmp::PartialOrd<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            /// Compares the value with a primitive float.
            #[$ops]
            fn partial_cmp(&self, other: &F) -> Option<::core::cmp::Ordering> {
                $crate::Differentiable::value(self)
                    .partial_cmp(&<$v as $crate::Real>::from_primitive(*other))
            }
        }

        impl<$($g)*> ::core::convert::From<$v> for $ty {
            /// A constant.
            #[$ops]
            fn from(value: $v) -> Self {
                <Self as $crate::Differentiable>::constant(value)
            }
        }

        impl<$($g)*> ::core::default::Default for $ty {
            /// The constant zero.
            #[$ops]
            fn default() -> Self {
                <Self as $crate::Differentiable>::constant(<$v as $crate::__private::num_traits::Zero>::zero())
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __assign {
    ([$($g:tt)*] $ty:ty, $v:ty, #[$ops:meta], $Assign:ident $assign:ident $op:tt) => {
        impl<$($g)*> ::core::ops::$Assign for $ty {
            #[$ops]
            fn $assign(&mut self, o: Self) {
                *self = *self $op o;
            }
        }

        impl<$($g)*, F: $crate::Primitive> ::core::ops::$Assign<F> for $ty
        where
            $v: $crate::Real<Primitive = F>,
        {
            #[$ops]
            fn $assign(&mut self, o: F) {
                *self = *self $op o;
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __primitive_on_the_left {
    ([$($g:tt)*] $ty:ty, $v:ty, #[$ops:meta], $f:ty) => {
        impl<$($g)*> ::core::ops::Add<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn add(self, o: $ty) -> $ty {
                o + self
            }
        }

        impl<$($g)*> ::core::ops::Sub<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn sub(self, o: $ty) -> $ty {
                $crate::rules::sub_from(<$v as $crate::Real>::from_primitive(self), o)
            }
        }

        impl<$($g)*> ::core::ops::Mul<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn mul(self, o: $ty) -> $ty {
                o * self
            }
        }

        impl<$($g)*> ::core::ops::Div<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            /// `c / y`: value `c / b` exactly, derivative `-(c / b) / b`.
            #[$ops]
            fn div(self, o: $ty) -> $ty {
                $crate::rules::div_from(<$v as $crate::Real>::from_primitive(self), o)
            }
        }

        impl<$($g)*> ::core::ops::Rem<$ty> for $f
        where
            $v: $crate::Real<Primitive = $f>,
        {
            type Output = $ty;
            #[$ops]
            fn rem(self, o: $ty) -> $ty {
                let c = <$v as $crate::Real>::from_primitive(self);
                <$ty as $crate::Differentiable>::constant(c) % o
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __num_traits {
    ([$($g:tt)*] $ty:ty, $v:ty) => {
        const _: () = {
            use $crate::__private::num_traits::{
                Bounded, Float, FloatConst, FromPrimitive, Num, NumCast, One, Signed,
                ToPrimitive, Zero,
            };
            use $crate::Differentiable as _;

            impl<$($g)*> Zero for $ty {
                #[inline]
                fn zero() -> Self {
                    Self::constant(<$v as Zero>::zero())
                }

                /// Whether the value is zero (the derivative is not looked at).
                #[inline]
                fn is_zero(&self) -> bool {
                    self.value().is_zero()
                }
            }

            impl<$($g)*> One for $ty {
                #[inline]
                fn one() -> Self {
                    Self::constant(<$v as One>::one())
                }
            }

            impl<$($g)*> Num for $ty {
                type FromStrRadixErr = <$v as Num>::FromStrRadixErr;

                /// Parses a constant.
                fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                    <$v as Num>::from_str_radix(s, radix).map(Self::constant)
                }
            }

            impl<$($g)*> ToPrimitive for $ty {
                #[inline]
                fn to_i64(&self) -> Option<i64> {
                    self.value().to_i64()
                }

                #[inline]
                fn to_u64(&self) -> Option<u64> {
                    self.value().to_u64()
                }

                #[inline]
                fn to_f32(&self) -> Option<f32> {
                    self.value().to_f32()
                }

                #[inline]
                fn to_f64(&self) -> Option<f64> {
                    self.value().to_f64()
                }
            }

            impl<$($g)*> FromPrimitive for $ty {
                #[inline]
                fn from_i64(n: i64) -> Option<Self> {
                    <$v as FromPrimitive>::from_i64(n).map(Self::constant)
                }

                #[inline]
                fn from_u64(n: u64) -> Option<Self> {
                    <$v as FromPrimitive>::from_u64(n).map(Self::constant)
                }

                #[inline]
                fn from_f32(n: f32) -> Option<Self> {
                    <$v as FromPrimitive>::from_f32(n).map(Self::constant)
                }

                #[inline]
                fn from_f64(n: f64) -> Option<Self> {
                    <$v as FromPrimitive>::from_f64(n).map(Self::constant)
                }
            }

            impl<$($g)*> NumCast for $ty {
                /// A constant from any primitive number.
                #[inline]
                fn from<N: ToPrimitive>(n: N) -> Option<Self> {
                    <$v as NumCast>::from(n).map(Self::constant)
                }
            }

            impl<$($g)*> Bounded for $ty {
                #[inline]
                fn min_value() -> Self {
                    Self::constant(<$v as Bounded>::min_value())
                }

                #[inline]
                fn max_value() -> Self {
                    Self::constant(<$v as Bounded>::max_value())
                }
            }

            impl<$($g)*> Signed for $ty {
                #[inline]
                fn abs(&self) -> Self {
                    $crate::rules::abs(*self)
                }

                #[inline]
                fn abs_sub(&self, other: &Self) -> Self {
                    $crate::rules::max(*self - *other, <Self as Zero>::zero())
                }

                /// `Signed::signum` of the value, a constant.
                #[inline]
                fn signum(&self) -> Self {
                    Self::constant(Signed::signum(&self.checked().value()))
                }

                #[inline]
                fn is_positive(&self) -> bool {
                    self.value().is_positive()
                }

                #[inline]
                fn is_negative(&self) -> bool {
                    self.value().is_negative()
                }
            }

            impl<$($g)*> FloatConst for $ty {
                $crate::__constants!($v, FloatConst: E, FRAC_1_PI, FRAC_1_SQRT_2, FRAC_2_PI,
                    FRAC_2_SQRT_PI, FRAC_PI_2, FRAC_PI_3, FRAC_PI_4, FRAC_PI_6, FRAC_PI_8, LN_10,
                    LN_2, LOG10_E, LOG2_E, PI, SQRT_2, TAU, LOG10_2, LOG2_10);
            }

            impl<$($g)*> Float for $ty {
                $crate::__constants!($v, Float: nan, infinity, neg_infinity, neg_zero,
                    min_value, min_positive_value, epsilon, max_value);
                $crate::__value_predicates!(is_nan, is_infinite, is_finite, is_normal,
                    is_subnormal, is_sign_positive, is_sign_negative);
                $crate::__unary!(floor, ceil, round, trunc, fract, abs, signum, recip, sqrt, exp,
                    exp2, ln, log2, log10, to_degrees, to_radians, cbrt, sin, cos, tan, asin,
                    acos, atan, exp_m1, ln_1p, sinh, cosh, tanh, asinh, acosh, atanh);
                $crate::__binary!(powf, log, max, min, hypot, atan2, copysign);

                #[inline]
                fn classify(self) -> ::core::num::FpCategory {
                    Float::classify(self.value())
                }

                #[inline]
                fn mul_add(self, a: Self, b: Self) -> Self {
                    $crate::rules::mul_add(self, a, b)
                }

                #[inline]
                fn powi(self, n: i32) -> Self {
                    $crate::rules::powi(self, n)
                }

                #[inline]
                fn clamp(self, min: Self, max: Self) -> Self {
                    $crate::rules::clamp(self, min, max)
                }

                #[inline]
                fn abs_sub(self, other: Self) -> Self {
                    Signed::abs_sub(&self, &other)
                }

                #[inline]
                fn sin_cos(self) -> (Self, Self) {
                    $crate::rules::sin_cos(self)
                }

                /// The decomposition of the value.
                #[inline]
                fn integer_decode(self) -> (u64, i16, i8) {
                    Float::integer_decode(self.value())
                }
            }
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __constants {
    ($v:ty, $Trait:ident: $($name:ident => $c:ident),*) => {$(
        #[inline]
        fn $name() -> Self {
            <Self as $crate::Differentiable>::constant(<$v as $Trait>::$c())
        }
    )*};
    ($v:ty, $Trait:ident: $($name:ident),*) => {$(
        #[inline]
        fn $name() -> Self {
            <Self as $crate::Differentiable>::constant(<$v as $Trait>::$name())
        }
    )*};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __unary {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            $crate::rules::$name(self)
        }
    )*};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __binary {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self, other: Self) -> Self {
            $crate::rules::$name(self, other)
        }
    )*};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __value_predicates {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> bool {
            Float::$name($crate::Differentiable::value(&self))
        }
    )*};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __nalgebra {
    ([$($g:tt)*] $ty:ty, $v:ty) => {
        const _: () = {
            use $crate::__private::approx::{AbsDiffEq, RelativeEq, UlpsEq};
            use $crate::__private::num_traits::{Float, FloatConst, Zero};
            use $crate::__private::simba::scalar::{ComplexField, Field, RealField, SubsetOf};
            use $crate::__private::simba::simd::SimdValue;
            use $crate::Differentiable as _;

            // simba declares `extract_unchecked`/`replace_unchecked` as `unsafe fn`; a scalar
            // has one lane, so both just call the checked versions and nothing unsafe happens.
            #[allow(unsafe_code)]
            impl<$($g)*> SimdValue for $ty {
                const LANES: usize = 1;
                type Element = Self;
                type SimdBool = bool;

                #[inline]
                fn splat(val: Self) -> Self {
                    val
                }

                #[inline]
                fn extract(&self, _: usize) -> Self {
                    *self
                }

                #[inline]
                unsafe fn extract_unchecked(&self, i: usize) -> Self {
                    self.extract(i)
                }

                #[inline]
                fn replace(&mut self, _: usize, val: Self) {
                    *self = val;
                }

                #[inline]
                unsafe fn replace_unchecked(&mut self, i: usize, val: Self) {
                    self.replace(i, val);
                }

                #[inline]
                fn select(self, cond: bool, other: Self) -> Self {
                    if cond { self } else { other }
                }
            }

            impl<$($g)*> Field for $ty {}

            impl<$($g)*> SubsetOf<$ty> for $ty {
                #[inline]
                fn to_superset(&self) -> Self {
                    *self
                }

                #[inline]
                fn from_superset_unchecked(element: &Self) -> Self {
                    *element
                }

                #[inline]
                fn is_in_subset(_: &Self) -> bool {
                    true
                }
            }

            impl<$($g)*> AbsDiffEq for $ty {
                type Epsilon = Self;

                #[inline]
                fn default_epsilon() -> Self {
                    Self::constant(<$v as AbsDiffEq>::default_epsilon())
                }

                /// Compares the values only, like `==`.
                #[inline]
                fn abs_diff_eq(&self, other: &Self, epsilon: Self) -> bool {
                    self.value().abs_diff_eq(&other.value(), epsilon.value())
                }
            }

            impl<$($g)*> RelativeEq for $ty {
                #[inline]
                fn default_max_relative() -> Self {
                    Self::constant(<$v as RelativeEq>::default_max_relative())
                }

                /// Compares the values only, like `==`.
                #[inline]
                fn relative_eq(&self, other: &Self, epsilon: Self, max_relative: Self) -> bool {
                    self.value().relative_eq(&other.value(), epsilon.value(), max_relative.value())
                }
            }

            impl<$($g)*> UlpsEq for $ty {
                #[inline]
                fn default_max_ulps() -> u32 {
                    <$v as UlpsEq>::default_max_ulps()
                }

                /// Compares the values only, like `==`.
                #[inline]
                fn ulps_eq(&self, other: &Self, epsilon: Self, max_ulps: u32) -> bool {
                    self.value().ulps_eq(&other.value(), epsilon.value(), max_ulps)
                }
            }

            impl<$($g)*> ComplexField for $ty {
                type RealField = Self;

                $crate::__unary!(floor, ceil, round, trunc, fract, recip, sin, cos, tan, asin,
                    acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, log2, log10, ln, ln_1p,
                    sqrt, exp, exp2, exp_m1, cbrt, abs, signum);
                $crate::__binary!(hypot, log);

                #[inline]
                fn from_real(re: Self) -> Self {
                    re
                }

                #[inline]
                fn real(self) -> Self {
                    self
                }

                #[inline]
                fn imaginary(self) -> Self {
                    <Self as Zero>::zero()
                }

                #[inline]
                fn modulus(self) -> Self {
                    $crate::rules::abs(self)
                }

                #[inline]
                fn modulus_squared(self) -> Self {
                    self * self
                }

                /// 0 for a non-negative value, π otherwise (a constant).
                #[inline]
                fn argument(self) -> Self {
                    if self.checked().value() >= <$v as Zero>::zero() {
                        <Self as Zero>::zero()
                    } else {
                        Self::constant(<$v as FloatConst>::PI())
                    }
                }

                #[inline]
                fn norm1(self) -> Self {
                    $crate::rules::abs(self)
                }

                #[inline]
                fn scale(self, factor: Self) -> Self {
                    self * factor
                }

                #[inline]
                fn unscale(self, factor: Self) -> Self {
                    $crate::rules::div(self, factor)
                }

                #[inline]
                fn mul_add(self, a: Self, b: Self) -> Self {
                    $crate::rules::mul_add(self, a, b)
                }

                #[inline]
                fn conjugate(self) -> Self {
                    self
                }

                #[inline]
                fn sin_cos(self) -> (Self, Self) {
                    $crate::rules::sin_cos(self)
                }

                #[inline]
                fn powi(self, n: i32) -> Self {
                    $crate::rules::powi(self, n)
                }

                #[inline]
                fn powf(self, n: Self) -> Self {
                    $crate::rules::powf(self, n)
                }

                #[inline]
                fn powc(self, n: Self) -> Self {
                    $crate::rules::powf(self, n)
                }

                #[inline]
                fn is_finite(&self) -> bool {
                    Float::is_finite(self.value())
                }

                /// `Some(sqrt)` for a non-negative value, `None` otherwise.
                #[inline]
                fn try_sqrt(self) -> Option<Self> {
                    (self.value() >= <$v as Zero>::zero()).then(|| $crate::rules::sqrt(self))
                }
            }

            impl<$($g)*> RealField for $ty {
                $crate::__constants!($v, FloatConst: pi => PI, two_pi => TAU,
                    frac_pi_2 => FRAC_PI_2, frac_pi_3 => FRAC_PI_3, frac_pi_4 => FRAC_PI_4,
                    frac_pi_6 => FRAC_PI_6, frac_pi_8 => FRAC_PI_8, frac_1_pi => FRAC_1_PI,
                    frac_2_pi => FRAC_2_PI, frac_2_sqrt_pi => FRAC_2_SQRT_PI, e => E,
                    log2_e => LOG2_E, log10_e => LOG10_E, ln_2 => LN_2, ln_10 => LN_10);
                $crate::__binary!(copysign, max, min, atan2);

                #[inline]
                fn is_sign_positive(&self) -> bool {
                    Float::is_sign_positive(self.value())
                }

                #[inline]
                fn is_sign_negative(&self) -> bool {
                    Float::is_sign_negative(self.value())
                }

                #[inline]
                fn clamp(self, min: Self, max: Self) -> Self {
                    $crate::rules::clamp(self, min, max)
                }

                #[inline]
                fn min_value() -> Option<Self> {
                    <$v as RealField>::min_value().map(Self::constant)
                }

                #[inline]
                fn max_value() -> Option<Self> {
                    <$v as RealField>::max_value().map(Self::constant)
                }
            }
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __primitive_subset {
    ([$($g:tt)*] $ty:ty, $v:ty, $f:ty) => {
        /// A primitive float is a constant; a number is in the subset when it carries no
        /// derivative and its value is.
        impl<$($g)*> $crate::__private::simba::scalar::SubsetOf<$ty> for $f {
            #[inline]
            fn to_superset(&self) -> $ty {
                <$ty as $crate::Differentiable>::constant(
                    <$v as $crate::__private::simba::scalar::SupersetOf<$f>>::from_subset(self),
                )
            }

            #[inline]
            fn from_superset_unchecked(element: &$ty) -> $f {
                <$v as $crate::__private::simba::scalar::SupersetOf<$f>>::to_subset_unchecked(
                    &$crate::Differentiable::value(element),
                )
            }

            #[inline]
            fn is_in_subset(element: &$ty) -> bool {
                $crate::Differentiable::is_constant(element)
                    && <$v as $crate::__private::simba::scalar::SupersetOf<$f>>::is_in_subset(
                        &$crate::Differentiable::value(element),
                    )
            }
        }
    };
}

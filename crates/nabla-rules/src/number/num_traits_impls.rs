//! The `num_traits` impls of a differentiable number: `Zero`, `One`, `Num`, `NumCast`,
//! `ToPrimitive`, `FromPrimitive`, `Float`, `FloatConst`, `Signed` and `Bounded`, forwarding
//! to the rules, or to the value for constants, predicates and conversions.

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

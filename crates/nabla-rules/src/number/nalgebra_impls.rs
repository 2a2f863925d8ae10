//! The nalgebra/simba impls of a differentiable number (`SimdValue`, `Field`, `SubsetOf`,
//! `ComplexField`, `RealField`) and the `approx` traits they require, so that generic
//! nalgebra code and `DMatrix` of the number differentiate unchanged.

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

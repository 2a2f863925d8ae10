//! `num_traits`: `Zero`, `One`, `Num`, `NumCast`, `ToPrimitive`, `FromPrimitive`, `Float`,
//! `FloatConst`, `Signed`, `Bounded`.
//!
//! Every function forwards to the inherent method of the same name in `functions.rs`;
//! constants and predicates look at the value.

use std::num::FpCategory;

use num_traits::{
    Bounded, Float, FloatConst, FromPrimitive, Num, NumCast, One, Signed, ToPrimitive, Zero,
};

use crate::scalar::Scalar;
use crate::var::Var;

impl<T: Scalar> Zero for Var<T> {
    #[inline]
    fn zero() -> Self {
        Var::constant(T::zero())
    }

    /// Whether the value is zero (the derivative part is not looked at).
    #[inline]
    fn is_zero(&self) -> bool {
        self.value.is_zero()
    }
}

impl<T: Scalar> One for Var<T> {
    #[inline]
    fn one() -> Self {
        Var::constant(T::one())
    }
}

impl<T: Scalar> Num for Var<T> {
    type FromStrRadixErr = T::FromStrRadixErr;

    /// Parses a constant.
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(s, radix).map(Var::constant)
    }
}

impl<T: Scalar> ToPrimitive for Var<T> {
    #[inline]
    fn to_i64(&self) -> Option<i64> {
        self.value.to_i64()
    }

    #[inline]
    fn to_u64(&self) -> Option<u64> {
        self.value.to_u64()
    }

    #[inline]
    fn to_f32(&self) -> Option<f32> {
        self.value.to_f32()
    }

    #[inline]
    fn to_f64(&self) -> Option<f64> {
        self.value.to_f64()
    }
}

impl<T: Scalar> FromPrimitive for Var<T> {
    #[inline]
    fn from_i64(n: i64) -> Option<Self> {
        T::from_i64(n).map(Var::constant)
    }

    #[inline]
    fn from_u64(n: u64) -> Option<Self> {
        T::from_u64(n).map(Var::constant)
    }

    #[inline]
    fn from_f32(n: f32) -> Option<Self> {
        T::from_f32(n).map(Var::constant)
    }

    #[inline]
    fn from_f64(n: f64) -> Option<Self> {
        T::from_f64(n).map(Var::constant)
    }
}

impl<T: Scalar> NumCast for Var<T> {
    /// A constant from any primitive number.
    #[inline]
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        <T as NumCast>::from(n).map(Var::constant)
    }
}

impl<T: Scalar> Bounded for Var<T> {
    #[inline]
    fn min_value() -> Self {
        Var::constant(<T as Bounded>::min_value())
    }

    #[inline]
    fn max_value() -> Self {
        Var::constant(<T as Bounded>::max_value())
    }
}

impl<T: Scalar> Signed for Var<T> {
    #[inline]
    fn abs(&self) -> Self {
        Var::abs(*self)
    }

    #[inline]
    fn abs_sub(&self, other: &Self) -> Self {
        (*self - *other).max(Self::zero())
    }

    /// `Signed::signum` of the value, derivative 0.
    #[inline]
    fn signum(&self) -> Self {
        Var::constant(Signed::signum(&self.value))
    }

    #[inline]
    fn is_positive(&self) -> bool {
        self.value.is_positive()
    }

    #[inline]
    fn is_negative(&self) -> bool {
        self.value.is_negative()
    }
}

macro_rules! constants {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name() -> Self {
            Var::constant(T::$name())
        }
    )*};
}

impl<T: Scalar> FloatConst for Var<T> {
    constants!(
        E,
        FRAC_1_PI,
        FRAC_1_SQRT_2,
        FRAC_2_PI,
        FRAC_2_SQRT_PI,
        FRAC_PI_2,
        FRAC_PI_3,
        FRAC_PI_4,
        FRAC_PI_6,
        FRAC_PI_8,
        LN_10,
        LN_2,
        LOG10_E,
        LOG2_E,
        PI,
        SQRT_2,
        TAU,
        LOG10_2,
        LOG2_10
    );
}

macro_rules! float_constants {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name() -> Self {
            Var::constant(<T as Float>::$name())
        }
    )*};
}

/// Unary functions forwarded to the inherent methods.
macro_rules! forward_unary {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            Var::$name(self)
        }
    )*};
}

/// Binary functions forwarded to the inherent methods.
macro_rules! forward_binary {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self, other: Self) -> Self {
            Var::$name(self, other)
        }
    )*};
}

/// Predicates on the value.
macro_rules! value_predicates {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> bool {
            Float::$name(self.value)
        }
    )*};
}

impl<T: Scalar> Float for Var<T> {
    float_constants!(
        nan,
        infinity,
        neg_infinity,
        neg_zero,
        min_value,
        min_positive_value,
        epsilon,
        max_value
    );
    value_predicates!(
        is_nan,
        is_infinite,
        is_finite,
        is_normal,
        is_subnormal,
        is_sign_positive,
        is_sign_negative
    );
    forward_unary!(
        floor, ceil, round, trunc, fract, abs, signum, recip, sqrt, exp, exp2, ln, log2, log10,
        to_degrees, to_radians, cbrt, sin, cos, tan, asin, acos, atan, exp_m1, ln_1p, sinh, cosh,
        tanh, asinh, acosh, atanh
    );
    forward_binary!(powf, log, max, min, hypot, atan2, copysign);

    #[inline]
    fn classify(self) -> FpCategory {
        Float::classify(self.value)
    }

    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Var::mul_add(self, a, b)
    }

    #[inline]
    fn powi(self, n: i32) -> Self {
        Var::powi(self, n)
    }

    #[inline]
    fn clamp(self, min: Self, max: Self) -> Self {
        Var::clamp(self, min, max)
    }

    #[inline]
    fn abs_sub(self, other: Self) -> Self {
        Signed::abs_sub(&self, &other)
    }

    #[inline]
    fn sin_cos(self) -> (Self, Self) {
        Var::sin_cos(self)
    }

    /// The decomposition of the value.
    #[inline]
    fn integer_decode(self) -> (u64, i16, i8) {
        Float::integer_decode(self.value)
    }
}

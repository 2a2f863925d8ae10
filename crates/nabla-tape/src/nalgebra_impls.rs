//! nalgebra/simba: `SimdValue`, `Field`, `SubsetOf`, `ComplexField`, `RealField`, and the
//! `approx` traits they require. With these, `DMatrix<Var<f64>>` products, LU decompositions
//! and norms work and nalgebra code differentiates unchanged.

use approx::{AbsDiffEq, RelativeEq, UlpsEq};
use nalgebra::{ComplexField, RealField};
use num_traits::{Float, FloatConst, Zero};
use simba::scalar::{Field, SubsetOf, SupersetOf};
use simba::simd::SimdValue;

use crate::scalar::Scalar;
use crate::var::Var;

// simba declares `extract_unchecked`/`replace_unchecked` as `unsafe fn`; a scalar has one
// lane, so both just call the checked versions and nothing unsafe happens here.
#[allow(unsafe_code)]
impl<T: Scalar> SimdValue for Var<T> {
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

impl<T: Scalar> Field for Var<T> {}

impl<T: Scalar> SubsetOf<Var<T>> for Var<T> {
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

macro_rules! primitive_subset {
    ($($f:ty),*) => {$(
        /// A primitive float is a constant `Var`; a `Var` is in the subset when it is a
        /// constant whose value is.
        impl<T: Scalar> SubsetOf<Var<T>> for $f {
            #[inline]
            fn to_superset(&self) -> Var<T> {
                Var::constant(<T as SupersetOf<f64>>::from_subset(&f64::from(*self)))
            }

            #[inline]
            fn from_superset_unchecked(element: &Var<T>) -> $f {
                // f64 -> f32 rounds to nearest, as nalgebra's own f64 -> f32 conversion does.
                <T as SupersetOf<f64>>::to_subset_unchecked(&element.value) as $f
            }

            #[inline]
            fn is_in_subset(element: &Var<T>) -> bool {
                element.is_constant() && <T as SupersetOf<f64>>::is_in_subset(&element.value)
            }
        }
    )*};
}

primitive_subset!(f32, f64);

impl<T: Scalar> AbsDiffEq for Var<T> {
    type Epsilon = Self;

    #[inline]
    fn default_epsilon() -> Self {
        Var::constant(T::default_epsilon())
    }

    /// Compares the values only, like `==`.
    #[inline]
    fn abs_diff_eq(&self, other: &Self, epsilon: Self) -> bool {
        self.value.abs_diff_eq(&other.value, epsilon.value)
    }
}

impl<T: Scalar> RelativeEq for Var<T> {
    #[inline]
    fn default_max_relative() -> Self {
        Var::constant(T::default_max_relative())
    }

    /// Compares the values only, like `==`.
    #[inline]
    fn relative_eq(&self, other: &Self, epsilon: Self, max_relative: Self) -> bool {
        self.value
            .relative_eq(&other.value, epsilon.value, max_relative.value)
    }
}

impl<T: Scalar> UlpsEq for Var<T> {
    #[inline]
    fn default_max_ulps() -> u32 {
        T::default_max_ulps()
    }

    /// Compares the values only, like `==`.
    #[inline]
    fn ulps_eq(&self, other: &Self, epsilon: Self, max_ulps: u32) -> bool {
        self.value.ulps_eq(&other.value, epsilon.value, max_ulps)
    }
}

macro_rules! forward_unary {
    ($($name:ident),*) => {$(
        #[inline]
        fn $name(self) -> Self {
            Var::$name(self)
        }
    )*};
}

impl<T: Scalar> ComplexField for Var<T> {
    type RealField = Self;

    forward_unary!(
        floor, ceil, round, trunc, fract, recip, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
        asinh, acosh, atanh, log2, log10, ln, ln_1p, sqrt, exp, exp2, exp_m1, cbrt, abs, signum
    );

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
        Self::zero()
    }

    #[inline]
    fn modulus(self) -> Self {
        self.abs()
    }

    #[inline]
    fn modulus_squared(self) -> Self {
        self * self
    }

    /// 0 for a non-negative value, π otherwise (a constant).
    #[inline]
    fn argument(self) -> Self {
        if self.value >= T::zero() {
            Self::zero()
        } else {
            Var::constant(T::PI())
        }
    }

    #[inline]
    fn norm1(self) -> Self {
        self.abs()
    }

    #[inline]
    fn scale(self, factor: Self) -> Self {
        self * factor
    }

    #[inline]
    fn unscale(self, factor: Self) -> Self {
        self / factor
    }

    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Var::mul_add(self, a, b)
    }

    #[inline]
    fn hypot(self, other: Self) -> Self {
        Var::hypot(self, other)
    }

    #[inline]
    fn conjugate(self) -> Self {
        self
    }

    #[inline]
    fn sin_cos(self) -> (Self, Self) {
        Var::sin_cos(self)
    }

    #[inline]
    fn log(self, base: Self) -> Self {
        Var::log(self, base)
    }

    #[inline]
    fn powi(self, n: i32) -> Self {
        Var::powi(self, n)
    }

    #[inline]
    fn powf(self, n: Self) -> Self {
        Var::powf(self, n)
    }

    #[inline]
    fn powc(self, n: Self) -> Self {
        Var::powf(self, n)
    }

    #[inline]
    fn is_finite(&self) -> bool {
        Float::is_finite(self.value)
    }

    /// `Some(sqrt)` for a non-negative value, `None` otherwise.
    #[inline]
    fn try_sqrt(self) -> Option<Self> {
        (self.value >= T::zero()).then(|| self.sqrt())
    }
}

macro_rules! real_constants {
    ($($name:ident => $c:ident),*) => {$(
        #[inline]
        fn $name() -> Self {
            Var::constant(<T as FloatConst>::$c())
        }
    )*};
}

impl<T: Scalar> RealField for Var<T> {
    real_constants!(pi => PI, two_pi => TAU, frac_pi_2 => FRAC_PI_2, frac_pi_3 => FRAC_PI_3,
        frac_pi_4 => FRAC_PI_4, frac_pi_6 => FRAC_PI_6, frac_pi_8 => FRAC_PI_8,
        frac_1_pi => FRAC_1_PI, frac_2_pi => FRAC_2_PI, frac_2_sqrt_pi => FRAC_2_SQRT_PI,
        e => E, log2_e => LOG2_E, log10_e => LOG10_E, ln_2 => LN_2, ln_10 => LN_10);

    #[inline]
    fn is_sign_positive(&self) -> bool {
        Float::is_sign_positive(self.value)
    }

    #[inline]
    fn is_sign_negative(&self) -> bool {
        Float::is_sign_negative(self.value)
    }

    #[inline]
    fn copysign(self, sign: Self) -> Self {
        Var::copysign(self, sign)
    }

    #[inline]
    fn max(self, other: Self) -> Self {
        Var::max(self, other)
    }

    #[inline]
    fn min(self, other: Self) -> Self {
        Var::min(self, other)
    }

    #[inline]
    fn clamp(self, min: Self, max: Self) -> Self {
        Var::clamp(self, min, max)
    }

    #[inline]
    fn atan2(self, other: Self) -> Self {
        Var::atan2(self, other)
    }

    #[inline]
    fn min_value() -> Option<Self> {
        <T as RealField>::min_value().map(Var::constant)
    }

    #[inline]
    fn max_value() -> Option<Self> {
        <T as RealField>::max_value().map(Var::constant)
    }
}

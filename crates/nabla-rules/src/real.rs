//! The scalar that derivatives are computed in: `f32`, `f64`, or a dual number.

use std::fmt::{Debug, Display};
use std::iter::{Product, Sum};

use nalgebra::RealField;
use num_traits::{Bounded, Float, FloatConst, FromPrimitive, NumCast, Signed, ToPrimitive};

/// A real number that can be the value and the derivative components of a dual number, or
/// the value of a recorded `Var`.
///
/// Implemented here for `f32` and `f64`, and by nabla-dual for every dual number over them,
/// which is what makes nesting (`Dual<Dual64>`, `Var<Dual64>`) work. Besides
/// `num_traits::Float` and nalgebra's `RealField` it provides the two operations the
/// derivative arithmetic needs: a "strong zero" product and a test for an exactly-zero
/// number.
pub trait Real:
    Float
    + FloatConst
    + RealField
    + Signed
    + Bounded
    + NumCast
    + ToPrimitive
    + FromPrimitive
    + Copy
    + Default
    + Debug
    + Display
    + Sum
    + Product
    + Send
    + Sync
    + 'static
{
    /// The primitive float underneath (`f64` for `f64`, `Dual64` and `Dual<Dual64>`).
    type Primitive: Primitive;

    /// Lifts a primitive float into this type, as a constant.
    fn from_primitive(value: Self::Primitive) -> Self;

    /// `self * factor`, except that an exactly-zero `self` gives zero even when `factor` is
    /// infinite or NaN.
    ///
    /// Derivative components are multiplied this way, so that a component that is zero
    /// because the input does not depend on that direction stays zero (instead of
    /// `0 * inf = NaN`), which is what "this does not depend on that input" means.
    fn strong_mul(self, factor: Self) -> Self;

    /// Whether this number is exactly zero, all of its derivative components included.
    fn is_strong_zero(&self) -> bool;

    /// Whether this number or any of its derivative components is NaN.
    fn has_nan(&self) -> bool;

    /// Whether this number and all of its derivative components are finite.
    fn is_all_finite(&self) -> bool;
}

/// `f32` or `f64`: the primitive floats at the bottom of every dual number and `Var`.
///
/// Arithmetic with a primitive on either side (`2.0 * x`, `x / 3.0`) is implemented for
/// this type. It is sealed: only `f32` and `f64` implement it.
pub trait Primitive: Real<Primitive = Self> + sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! impl_real_for_primitive {
    ($($t:ty),*) => {$(
        impl Real for $t {
            type Primitive = $t;

            #[inline]
            fn from_primitive(value: $t) -> $t {
                value
            }

            #[inline]
            fn strong_mul(self, factor: $t) -> $t {
                // A select, not a branch: compiles to a compare and a mask.
                if self == 0.0 { 0.0 } else { self * factor }
            }

            #[inline]
            fn is_strong_zero(&self) -> bool {
                *self == 0.0
            }

            #[inline]
            fn has_nan(&self) -> bool {
                self.is_nan()
            }

            #[inline]
            fn is_all_finite(&self) -> bool {
                self.is_finite()
            }
        }

        impl Primitive for $t {}
    )*};
}

impl_real_for_primitive!(f32, f64);

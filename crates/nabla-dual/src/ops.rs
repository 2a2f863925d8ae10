//! Arithmetic operators: dual with dual, and dual with a primitive float on either side.
//!
//! Every operator (and every derivative-part operation in `tangent.rs`, every accessor in
//! `number.rs`) is `#[inline(always)]`: with a plain `#[inline]` the compiler kept
//! `DualVec<f64, 16>`'s product out of line and copied its 136-byte operands through the stack
//! (measured 3.8x slower gradients at `N` = 16; see `DEFAULT_CHUNK`).

use std::iter::{Product, Sum};
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use num_traits::Float;

use crate::number::DualNumber;
use crate::real::{Primitive, Real};
use crate::tangent::Tangent;

impl<T: Real, E: Tangent<T>> Neg for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::new(-self.re, self.eps.neg_part())
    }
}

impl<T: Real, E: Tangent<T>> Add for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Self::new(self.re + o.re, self.eps.add_part(o.eps))
    }
}

impl<T: Real, E: Tangent<T>> Sub for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Self::new(self.re - o.re, self.eps.sub_part(o.eps))
    }
}

impl<T: Real, E: Tangent<T>> Mul for DualNumber<T, E> {
    type Output = Self;
    /// The product rule: `(a + p)(b + q) = ab + bp + aq + p∘q`.
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Self::new(self.re * o.re, E::product(self.eps, o.eps, self.re, o.re))
    }
}

impl<T: Real, E: Tangent<T>> Div for DualNumber<T, E> {
    type Output = Self;
    /// The quotient rule. The value is `a / b` exactly as for floats (not `a * (1 / b)`).
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let r = self.re / o.re;
        let inv = T::one() / o.re;
        let inv2 = inv * inv;
        // f(x, y) = x / y: fx = 1/y, fy = -x/y², fxx = 0, fxy = -1/y², fyy = 2x/y³.
        self.chain_rule2(o, r, inv, -r * inv, T::zero(), -inv2, (r + r) * inv2)
    }
}

impl<T: Real, E: Tangent<T>> Rem for DualNumber<T, E> {
    type Output = Self;
    /// `a % b = a - b trunc(a / b)`: derivative `p - trunc(a / b) q`.
    #[inline(always)]
    fn rem(self, o: Self) -> Self {
        let zero = T::zero();
        let q = Float::trunc(self.re / o.re);
        self.chain_rule2(o, self.re % o.re, T::one(), -q, zero, zero, zero)
    }
}

macro_rules! assign_from_binary {
    ($($Assign:ident $assign:ident $op:tt),*) => {$(
        impl<T: Real, E: Tangent<T>> $Assign for DualNumber<T, E> {
            #[inline(always)]
            fn $assign(&mut self, o: Self) {
                *self = *self $op o;
            }
        }

        impl<T: Real<Primitive = F>, F: Primitive, E: Tangent<T>> $Assign<F> for DualNumber<T, E> {
            #[inline(always)]
            fn $assign(&mut self, o: F) {
                *self = *self $op o;
            }
        }
    )*};
}

assign_from_binary!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *,
    DivAssign div_assign /, RemAssign rem_assign %);

// A primitive float on the right.

impl<T: Real<Primitive = F>, F: Primitive, E: Tangent<T>> Add<F> for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: F) -> Self {
        Self::new(self.re + T::from_primitive(o), self.eps)
    }
}

impl<T: Real<Primitive = F>, F: Primitive, E: Tangent<T>> Sub<F> for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: F) -> Self {
        Self::new(self.re - T::from_primitive(o), self.eps)
    }
}

impl<T: Real<Primitive = F>, F: Primitive, E: Tangent<T>> Mul<F> for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: F) -> Self {
        let o = T::from_primitive(o);
        Self::new(self.re * o, self.eps.scale_part(o))
    }
}

impl<T: Real<Primitive = F>, F: Primitive, E: Tangent<T>> Div<F> for DualNumber<T, E> {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: F) -> Self {
        let o = T::from_primitive(o);
        Self::new(self.re / o, self.eps.scale_part(T::one() / o))
    }
}

impl<T: Real<Primitive = F>, F: Primitive, E: Tangent<T>> Rem<F> for DualNumber<T, E> {
    type Output = Self;
    /// `a % c` has derivative `p` (the subtracted multiple of `c` is locally constant).
    #[inline(always)]
    fn rem(self, o: F) -> Self {
        Self::new(self.re % T::from_primitive(o), self.eps)
    }
}

// A primitive float on the left.

macro_rules! primitive_on_the_left {
    ($($f:ty),*) => {$(
        impl<T: Real<Primitive = $f>, E: Tangent<T>> Add<DualNumber<T, E>> for $f {
            type Output = DualNumber<T, E>;
            #[inline(always)]
            fn add(self, o: DualNumber<T, E>) -> DualNumber<T, E> {
                o + self
            }
        }

        impl<T: Real<Primitive = $f>, E: Tangent<T>> Sub<DualNumber<T, E>> for $f {
            type Output = DualNumber<T, E>;
            #[inline(always)]
            fn sub(self, o: DualNumber<T, E>) -> DualNumber<T, E> {
                DualNumber::new(T::from_primitive(self) - o.re, o.eps.neg_part())
            }
        }

        impl<T: Real<Primitive = $f>, E: Tangent<T>> Mul<DualNumber<T, E>> for $f {
            type Output = DualNumber<T, E>;
            #[inline(always)]
            fn mul(self, o: DualNumber<T, E>) -> DualNumber<T, E> {
                o * self
            }
        }

        impl<T: Real<Primitive = $f>, E: Tangent<T>> Div<DualNumber<T, E>> for $f {
            type Output = DualNumber<T, E>;
            /// `c / y`: value `c / b` exactly, derivative `-(c / b) / b`.
            #[inline(always)]
            fn div(self, o: DualNumber<T, E>) -> DualNumber<T, E> {
                let r = T::from_primitive(self) / o.re;
                let inv = T::one() / o.re;
                let d1 = -r * inv;
                o.chain_rule(r, d1, -(d1 + d1) * inv)
            }
        }

        impl<T: Real<Primitive = $f>, E: Tangent<T>> Rem<DualNumber<T, E>> for $f {
            type Output = DualNumber<T, E>;
            #[inline(always)]
            fn rem(self, o: DualNumber<T, E>) -> DualNumber<T, E> {
                DualNumber::constant(T::from_primitive(self)) % o
            }
        }
    )*};
}

primitive_on_the_left!(f32, f64);

impl<T: Real, E: Tangent<T>> Sum for DualNumber<T, E> {
    #[inline(always)]
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::constant(T::zero()), |a, b| a + b)
    }
}

impl<'a, T: Real, E: Tangent<T>> Sum<&'a Self> for DualNumber<T, E> {
    #[inline(always)]
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::constant(T::zero()), |a, b| a + *b)
    }
}

impl<T: Real, E: Tangent<T>> Product for DualNumber<T, E> {
    #[inline(always)]
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::constant(T::one()), |a, b| a * b)
    }
}

impl<'a, T: Real, E: Tangent<T>> Product<&'a Self> for DualNumber<T, E> {
    #[inline(always)]
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::constant(T::one()), |a, b| a * *b)
    }
}

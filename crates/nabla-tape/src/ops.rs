//! Arithmetic operators: `Var` with `Var`, and `Var` with a primitive float on either side.
//!
//! Adding or subtracting a constant records nothing (the result shares the operand's entry:
//! its derivative is the same), and an operation whose operands are all constants is a
//! constant.

use std::iter::{Product, Sum};
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use num_traits::Float;

use crate::scalar::{Primitive, Scalar};
use crate::var::Var;

impl<T: Scalar> Neg for Var<T> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.chain_rule(-self.value, -T::one())
    }
}

impl<T: Scalar> Add for Var<T> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        let value = self.value + o.value;
        if o.is_constant() {
            self.shifted(value)
        } else if self.is_constant() {
            o.shifted(value)
        } else {
            self.chain_rule2(o, value, T::one(), T::one())
        }
    }
}

impl<T: Scalar> Sub for Var<T> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        let value = self.value - o.value;
        if o.is_constant() {
            self.shifted(value)
        } else {
            self.chain_rule2(o, value, T::one(), -T::one())
        }
    }
}

impl<T: Scalar> Mul for Var<T> {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        self.chain_rule2(o, self.value * o.value, o.value, self.value)
    }
}

impl<T: Scalar> Div for Var<T> {
    type Output = Self;
    /// The quotient rule; the value is `a / b` exactly as for floats.
    #[inline]
    fn div(self, o: Self) -> Self {
        let r = self.value / o.value;
        let inv = T::one() / o.value;
        self.chain_rule2(o, r, inv, -r * inv)
    }
}

impl<T: Scalar> Rem for Var<T> {
    type Output = Self;
    /// `a % b = a - b trunc(a / b)`: partials `1` and `-trunc(a / b)`.
    #[inline]
    fn rem(self, o: Self) -> Self {
        let q = Float::trunc(self.value / o.value);
        self.chain_rule2(o, self.value % o.value, T::one(), -q)
    }
}

macro_rules! assign_from_binary {
    ($($Assign:ident $assign:ident $op:tt),*) => {$(
        impl<T: Scalar> $Assign for Var<T> {
            #[inline]
            fn $assign(&mut self, o: Self) {
                *self = *self $op o;
            }
        }

        impl<T: Scalar<Primitive = F>, F: Primitive> $Assign<F> for Var<T> {
            #[inline]
            fn $assign(&mut self, o: F) {
                *self = *self $op o;
            }
        }
    )*};
}

assign_from_binary!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *,
    DivAssign div_assign /, RemAssign rem_assign %);

// A primitive float on the right.

impl<T: Scalar<Primitive = F>, F: Primitive> Add<F> for Var<T> {
    type Output = Self;
    #[inline]
    fn add(self, o: F) -> Self {
        self.shifted(self.value + T::from_primitive(o))
    }
}

impl<T: Scalar<Primitive = F>, F: Primitive> Sub<F> for Var<T> {
    type Output = Self;
    #[inline]
    fn sub(self, o: F) -> Self {
        self.shifted(self.value - T::from_primitive(o))
    }
}

impl<T: Scalar<Primitive = F>, F: Primitive> Mul<F> for Var<T> {
    type Output = Self;
    #[inline]
    fn mul(self, o: F) -> Self {
        let c = T::from_primitive(o);
        self.chain_rule(self.value * c, c)
    }
}

impl<T: Scalar<Primitive = F>, F: Primitive> Div<F> for Var<T> {
    type Output = Self;
    #[inline]
    fn div(self, o: F) -> Self {
        let c = T::from_primitive(o);
        self.chain_rule(self.value / c, T::one() / c)
    }
}

impl<T: Scalar<Primitive = F>, F: Primitive> Rem<F> for Var<T> {
    type Output = Self;
    /// `a % c` has derivative 1 (the subtracted multiple of `c` is locally constant).
    #[inline]
    fn rem(self, o: F) -> Self {
        self.shifted(self.value % T::from_primitive(o))
    }
}

// A primitive float on the left.

macro_rules! primitive_on_the_left {
    ($($f:ty),*) => {$(
        impl<T: Scalar<Primitive = $f>> Add<Var<T>> for $f {
            type Output = Var<T>;
            #[inline]
            fn add(self, o: Var<T>) -> Var<T> {
                o.shifted(T::from_primitive(self) + o.value)
            }
        }

        impl<T: Scalar<Primitive = $f>> Sub<Var<T>> for $f {
            type Output = Var<T>;
            #[inline]
            fn sub(self, o: Var<T>) -> Var<T> {
                o.chain_rule(T::from_primitive(self) - o.value, -T::one())
            }
        }

        impl<T: Scalar<Primitive = $f>> Mul<Var<T>> for $f {
            type Output = Var<T>;
            #[inline]
            fn mul(self, o: Var<T>) -> Var<T> {
                let c = T::from_primitive(self);
                o.chain_rule(c * o.value, c)
            }
        }

        impl<T: Scalar<Primitive = $f>> Div<Var<T>> for $f {
            type Output = Var<T>;
            /// `c / y`: value `c / b` exactly, derivative `-(c / b) / b`.
            #[inline]
            fn div(self, o: Var<T>) -> Var<T> {
                let r = T::from_primitive(self) / o.value;
                o.chain_rule(r, -r / o.value)
            }
        }

        impl<T: Scalar<Primitive = $f>> Rem<Var<T>> for $f {
            type Output = Var<T>;
            #[inline]
            fn rem(self, o: Var<T>) -> Var<T> {
                Var::constant(T::from_primitive(self)) % o
            }
        }
    )*};
}

primitive_on_the_left!(f32, f64);

impl<T: Scalar> Sum for Var<T> {
    #[inline]
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Var::constant(T::zero()), |a, b| a + b)
    }
}

impl<'a, T: Scalar> Sum<&'a Self> for Var<T> {
    #[inline]
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Var::constant(T::zero()), |a, b| a + *b)
    }
}

impl<T: Scalar> Product for Var<T> {
    #[inline]
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Var::constant(T::one()), |a, b| a * b)
    }
}

impl<'a, T: Scalar> Product<&'a Self> for Var<T> {
    #[inline]
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Var::constant(T::one()), |a, b| a * *b)
    }
}

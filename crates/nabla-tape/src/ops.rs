//! The four basic operators, natively: each is the hottest path of reverse mode. Adding or
//! subtracting a constant records nothing (the result shares the operand's entry: its
//! derivative is the same), and an operation whose operands are all constants is a constant.
//! The rest (division, remainder, a primitive float on either side, the assignment operators,
//! `Sum`, `Product`) are nabla-rules' rules, generated in `rules.rs`.

use std::ops::{Add, Mul, Neg, Sub};

use crate::scalar::Scalar;
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

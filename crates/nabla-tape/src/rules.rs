//! The rules of nabla-rules applied to the tape: how a rule's local derivatives become a
//! recorded entry (through [`Var::chain_rule`] and [`Var::chain_rule2`], which check every
//! operand against the active recording before a zero partial can drop it), and the generated
//! rest of the number (elementary functions, operators, `num_traits`, nalgebra).

use nabla_rules::Differentiable;

use crate::scalar::Scalar;
use crate::var::Var;

impl<T: Scalar> Differentiable for Var<T> {
    type Value = T;

    #[inline(always)]
    fn value(&self) -> T {
        self.value
    }

    #[inline(always)]
    fn constant(value: T) -> Self {
        Var::constant(value)
    }

    #[inline(always)]
    fn is_constant(&self) -> bool {
        Var::is_constant(self)
    }

    #[inline(always)]
    fn checked(self) -> Self {
        Var::checked(self)
    }

    #[inline(always)]
    fn with_value(self, value: T) -> Self {
        self.shifted(value)
    }

    #[inline(always)]
    fn scale(self, value: T, factor: T) -> Self {
        self.chain_rule(value, factor)
    }

    #[inline(always)]
    fn chain(self, value: T, d1: T, _second: impl FnOnce() -> T) -> Self {
        // First order: the tape records first derivatives only (second order is forward over
        // reverse, `Var<Dual64>`), so the second derivative is never evaluated.
        self.chain_rule(value, d1)
    }

    #[inline(always)]
    fn chain2(self, other: Self, value: T, fx: T, fy: T, _: impl FnOnce() -> [T; 3]) -> Self {
        self.chain_rule2(other, value, fx, fy)
    }
}

nabla_rules::differentiable_number!(impl[T: Scalar] Var<T>, value T, #[inline]);

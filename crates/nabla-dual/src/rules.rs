//! The rules of nabla-rules applied to dual numbers: how a rule's local derivatives enter the
//! derivative part (through the shape's chain rule, [`Tangent`]), and the generated rest of the
//! number (elementary functions, operators, `num_traits`, nalgebra).

use nabla_rules::{Differentiable, Real};

use crate::number::DualNumber;
use crate::tangent::Tangent;

impl<T: Real, E: Tangent<T>> Differentiable for DualNumber<T, E> {
    type Value = T;

    #[inline(always)]
    fn value(&self) -> T {
        self.re
    }

    #[inline(always)]
    fn constant(value: T) -> Self {
        Self::new(value, E::zero_part())
    }

    #[inline(always)]
    fn is_constant(&self) -> bool {
        self.eps.is_zero_part()
    }

    #[inline(always)]
    fn with_value(self, value: T) -> Self {
        Self::new(value, self.eps)
    }

    #[inline(always)]
    fn scale(self, value: T, factor: T) -> Self {
        Self::new(value, self.eps.scale_part(factor))
    }

    #[inline(always)]
    fn chain(self, value: T, d1: T, d2: impl FnOnce() -> T) -> Self {
        // First-order shapes ignore `d2`, and the optimizer removes its computation.
        Self::new(value, self.eps.chain(d1, d2()))
    }

    #[inline(always)]
    fn chain2(self, other: Self, value: T, fx: T, fy: T, second: impl FnOnce() -> [T; 3]) -> Self {
        // First-order shapes ignore the second derivatives, and the optimizer removes them.
        Self::new(value, E::chain2(self.eps, other.eps, [fx, fy], second()))
    }
}

nabla_rules::differentiable_number!(impl[T: Real, E: Tangent<T>] DualNumber<T, E>, value T, #[inline(always)]);

//! What a derivative rule needs of an automatic-differentiation mode.

use std::ops::{Add, Mul, Neg, Sub};

use crate::real::Real;

/// A number that carries derivatives: a dual number (forward mode) or a recorded `Var`
/// (reverse mode), as the rules of this crate see it.
///
/// A rule computes a function's value and its local derivatives from the operands' values,
/// and hands them to the mode: forward mode multiplies them into the derivative parts it
/// carries, reverse mode records them on its tape for the backward sweep. The mode provides
/// the four basic operations natively (`+`, `-`, `*`, negation: each is the hottest path of
/// its mode and has its own shortcut) and the few ways of applying a derivative below; every
/// other operation is a rule, written once in this crate.
///
/// Second derivatives are handed over as closures, evaluated only by a mode that carries
/// them (`HyperDual`): a first-order mode never computes them.
pub trait Differentiable:
    Copy + Neg<Output = Self> + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// The scalar of values and derivatives: `f32`, `f64` or a dual number.
    type Value: Real;

    /// The value.
    fn value(&self) -> Self::Value;

    /// A constant: derivative zero with respect to everything.
    fn constant(value: Self::Value) -> Self;

    /// Whether this number carries no derivative (a dual number whose derivative part is
    /// exactly zero, a `Var` that was not recorded).
    fn is_constant(&self) -> bool;

    /// `self`, once the mode has checked that it may be an operand here. A rule calls it on
    /// every operand that reaches no [`chain`](Self::chain) or [`chain2`](Self::chain2): one
    /// whose result is a constant (`floor`, `signum`) and one returned as it is (`max`,
    /// `min`, `copysign`). Reverse mode checks that a `Var` belongs to the active recording
    /// (a misuse must be a panic, not a silently lost term); forward mode has nothing to
    /// check, which is the default.
    #[inline(always)]
    fn checked(self) -> Self {
        self
    }

    /// `value`, with the derivative of `self` unchanged (`x + c`, `fract`: derivative 1).
    fn with_value(self, value: Self::Value) -> Self;

    /// `value` of a function that is linear in `self` with slope `factor` (`c x`, `x / c`:
    /// second derivative 0).
    fn scale(self, value: Self::Value, factor: Self::Value) -> Self;

    /// `value = f(self)` with `d1 = f'(self)` and `d2() = f''(self)`.
    fn chain(self, value: Self::Value, d1: Self::Value, d2: impl FnOnce() -> Self::Value) -> Self;

    /// `value = f(self, other)` with the partial derivatives `fx = ∂f/∂self` and
    /// `fy = ∂f/∂other`, and `second() = [fxx, fxy, fyy]`.
    fn chain2(
        self,
        other: Self,
        value: Self::Value,
        fx: Self::Value,
        fy: Self::Value,
        second: impl FnOnce() -> [Self::Value; 3],
    ) -> Self;
}

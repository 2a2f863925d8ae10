//! The derivative part of a dual number, and the chain rule written once per shape.

use std::fmt;

use nabla_rules::Real;

use sealed::Sealed;

/// The derivative part of a dual number: a small vector space over `T` plus the chain rule.
///
/// A dual number is a value `a` and a derivative part `p`; an elementary function is
/// `f(a + p) = f(a) + f'(a) p + f''(a)/2 p∘p`, where `p∘p` is the product of two
/// infinitesimals (zero for first-order shapes, the `ε₁ε₂` term for [`HyperPart`]). Every
/// elementary function and every arithmetic operator of [`DualNumber`](crate::DualNumber)
/// is written once in terms of [`chain`](Tangent::chain) and [`chain2`](Tangent::chain2);
/// the shapes only say how their components combine:
///
/// | shape | dual number | components |
/// |---|---|---|
/// | `T` | [`Dual<T>`](crate::Dual) | one derivative |
/// | `[T; N]` | [`DualVec<T, N>`](crate::DualVec) | N partial derivatives |
/// | [`HyperPart<T>`] | [`HyperDual<T>`](crate::HyperDual) | ε₁, ε₂ and ε₁ε₂ |
///
/// Each shape writes its formulas once, with the multiplication as a parameter
/// (the crate-private `chain_with`, ...). The methods used by the arithmetic
/// ([`chain`](Tangent::chain), [`chain2`](Tangent::chain2), ...) run them so that a zero
/// component stays zero when multiplied by an infinite derivative (`sqrt` at 0, a constant
/// times infinity): the single derivative `T` and [`HyperPart`] multiply with
/// [`Real::strong_mul`] (a compare and a mask per product); `[T; N]` multiplies plainly and
/// switches to `strong_mul` only when a factor is not finite, one well-predicted branch per
/// operation instead of N masks. Each is the faster of the two for its shape, as measured.
///
/// Sealed: the three shapes above are the only ones; a new shape would have to keep
/// invariants (the strong zero, the `p∘p` product) that the arithmetic relies on.
// The supertrait is crate-private on purpose: it seals `Tangent` and keeps the formulas it
// holds out of the public API (a method of a crate-private trait cannot be called outside).
#[allow(private_bounds)]
pub trait Tangent<T: Real>: Copy + fmt::Debug + Send + Sync + 'static + Sealed<T> {
    /// The zero derivative part (a constant).
    fn zero_part() -> Self;

    /// Whether every component is exactly zero (see [`Real::is_strong_zero`]).
    fn is_zero_part(&self) -> bool;

    /// Whether any component (at any nesting depth) is NaN.
    fn has_nan(&self) -> bool;

    /// Whether every component (at any nesting depth) is finite.
    fn is_finite_part(&self) -> bool;

    /// Component-wise sum.
    fn add_part(self, other: Self) -> Self;

    /// Component-wise difference.
    fn sub_part(self, other: Self) -> Self;

    /// Component-wise negation.
    fn neg_part(self) -> Self;

    /// Writes the derivative part for `Display`, after the value: `" + 2ε"`.
    ///
    /// # Errors
    ///
    /// Whatever the formatter returns.
    fn fmt_parts(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// Every component times `factor`, with the strong-zero guarantee: a zero component
    /// stays zero even when `factor` is infinite or NaN.
    fn scale_part(self, factor: T) -> Self;

    /// Derivative part of `f(a + self)` given `d1 = f'(a)` and `d2 = f''(a)`:
    /// `d1 p + d2/2 p∘p`, with the strong-zero guarantee.
    fn chain(self, d1: T, d2: T) -> Self;

    /// Derivative part of `f(a + p, b + q)` given the partial derivatives of `f` at `(a, b)`:
    /// `fx p + fy q + fxx/2 p∘p + fxy p∘q + fyy/2 q∘q` with `d1 = [fx, fy]` and
    /// `d2 = [fxx, fxy, fyy]`, with the strong-zero guarantee. First-order shapes ignore `d2`.
    fn chain2(p: Self, q: Self, d1: [T; 2], d2: [T; 3]) -> Self;

    /// Derivative part of the product `(a + p)(b + q)`: `b p + a q + p∘q`, with the
    /// strong-zero guarantee.
    fn product(p: Self, q: Self, a: T, b: T) -> Self;
}

/// A multiplication of two scalars handed to the `*_with` formulas: the plain product, or
/// [`Real::strong_mul`] (a zero stays zero times an infinite factor).
pub(crate) trait Times<T>: Fn(T, T) -> T + Copy {}

impl<T, F: Fn(T, T) -> T + Copy> Times<T> for F {}

mod sealed {
    use super::{Real, Times};

    /// The formulas of each shape, with the multiplication as a parameter: what
    /// [`Tangent`](super::Tangent)'s chain rule runs, private to this crate.
    ///
    /// Parametrized by the scalar, so that the impls for `T` and `[T; N]` are disjoint even
    /// though `Real` is another crate's trait (`T = [T; N]` has no solution).
    pub(crate) trait Sealed<T: Real>: Sized {
        /// Every component times `factor`, multiplying with `mul`.
        fn scale_with(self, factor: T, mul: impl Times<T>) -> Self;

        /// Derivative part of `f(a + self)` given `d1 = f'(a)` and `d2 = f''(a)`:
        /// `d1 p + d2/2 p∘p`, multiplying with `mul`.
        fn chain_with(self, d1: T, d2: T, mul: impl Times<T>) -> Self;

        /// Derivative part of `f(a + p, b + q)` given the partial derivatives of `f` at `(a, b)`:
        /// `fx p + fy q + fxx/2 p∘p + fxy p∘q + fyy/2 q∘q` with `d1 = [fx, fy]` and
        /// `d2 = [fxx, fxy, fyy]`, multiplying with `mul`. First-order shapes ignore `d2` (and the
        /// optimizer removes its computation).
        fn chain2_with(p: Self, q: Self, d1: [T; 2], d2: [T; 3], mul: impl Times<T>) -> Self;

        /// Derivative part of the product `(a + p)(b + q)`: `b p + a q + p∘q`, multiplying with
        /// `mul` (the common case of [`chain2_with`](Sealed::chain2_with), written out because it
        /// is the hottest operation).
        fn product_with(p: Self, q: Self, a: T, b: T, mul: impl Times<T>) -> Self;
    }
}

#[inline(always)]
fn plain_mul<T: Real>(a: T, b: T) -> T {
    a * b
}

/// Evaluates `fast` (plain products) when every factor is finite, `strong` otherwise.
///
/// Plain and strong products differ only for a non-finite factor, so this is again exactly
/// the strong-zero arithmetic, for one well-predicted branch per operation instead of a
/// select per component (used by `[T; N]`; the other shapes measured faster with the select).
#[inline(always)]
fn if_finite<E>(factors: &[bool], fast: impl FnOnce() -> E, strong: impl FnOnce() -> E) -> E {
    if factors.iter().fold(true, |acc, &f| acc & f) {
        fast()
    } else {
        cold(strong)
    }
}

/// Out of line and marked cold, so the optimizer neither speculates the strong path into the
/// fast one (computing both and selecting) nor lays it out in the hot code.
#[cold]
#[inline(never)]
fn cold<R>(f: impl FnOnce() -> R) -> R {
    f()
}

impl<T: Real> Sealed<T> for T {
    #[inline(always)]
    fn scale_with(self, factor: T, mul: impl Times<T>) -> Self {
        mul(self, factor)
    }
    #[inline(always)]
    fn chain_with(self, d1: T, _d2: T, mul: impl Times<T>) -> Self {
        mul(self, d1)
    }
    #[inline(always)]
    fn chain2_with(p: Self, q: Self, [fx, fy]: [T; 2], _: [T; 3], mul: impl Times<T>) -> Self {
        mul(p, fx) + mul(q, fy)
    }
    #[inline(always)]
    fn product_with(p: Self, q: Self, a: T, b: T, mul: impl Times<T>) -> Self {
        mul(p, b) + mul(q, a)
    }
}

impl<T: Real> Tangent<T> for T {
    #[inline(always)]
    fn zero_part() -> Self {
        T::zero()
    }

    #[inline(always)]
    fn is_zero_part(&self) -> bool {
        self.is_strong_zero()
    }

    #[inline(always)]
    fn has_nan(&self) -> bool {
        Real::has_nan(self)
    }

    #[inline(always)]
    fn is_finite_part(&self) -> bool {
        self.is_all_finite()
    }

    #[inline(always)]
    fn add_part(self, other: Self) -> Self {
        self + other
    }

    #[inline(always)]
    fn sub_part(self, other: Self) -> Self {
        self - other
    }

    #[inline(always)]
    fn neg_part(self) -> Self {
        -self
    }

    #[inline(always)]
    fn scale_part(self, factor: T) -> Self {
        self.strong_mul(factor)
    }

    #[inline(always)]
    fn chain(self, d1: T, _d2: T) -> Self {
        self.strong_mul(d1)
    }

    #[inline(always)]
    fn chain2(p: Self, q: Self, [fx, fy]: [T; 2], _: [T; 3]) -> Self {
        p.strong_mul(fx) + q.strong_mul(fy)
    }

    #[inline(always)]
    fn product(p: Self, q: Self, a: T, b: T) -> Self {
        p.strong_mul(b) + q.strong_mul(a)
    }

    fn fmt_parts(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" + ")?;
        fmt::Display::fmt(self, f)?;
        f.write_str("ε")
    }
}

impl<T: Real, const N: usize> Sealed<T> for [T; N] {
    #[inline(always)]
    fn scale_with(mut self, factor: T, mul: impl Times<T>) -> Self {
        for x in &mut self {
            *x = mul(*x, factor);
        }
        self
    }
    #[inline(always)]
    fn chain_with(self, d1: T, _d2: T, mul: impl Times<T>) -> Self {
        self.scale_with(d1, mul)
    }
    #[inline(always)]
    fn chain2_with(mut p: Self, q: Self, [fx, fy]: [T; 2], _: [T; 3], mul: impl Times<T>) -> Self {
        for i in 0..N {
            p[i] = mul(p[i], fx) + mul(q[i], fy);
        }
        p
    }
    #[inline(always)]
    fn product_with(mut p: Self, q: Self, a: T, b: T, mul: impl Times<T>) -> Self {
        for i in 0..N {
            p[i] = mul(p[i], b) + mul(q[i], a);
        }
        p
    }
}

impl<T: Real, const N: usize> Tangent<T> for [T; N] {
    #[inline(always)]
    fn zero_part() -> Self {
        [T::zero(); N]
    }

    #[inline(always)]
    fn is_zero_part(&self) -> bool {
        self.iter().all(T::is_strong_zero)
    }

    #[inline(always)]
    fn has_nan(&self) -> bool {
        // A fold rather than `any`: no early exit, so the test vectorizes.
        self.iter().fold(false, |acc, x| acc | Real::has_nan(x))
    }

    #[inline(always)]
    fn is_finite_part(&self) -> bool {
        self.iter().fold(true, |acc, x| acc & x.is_all_finite())
    }

    #[inline(always)]
    fn add_part(mut self, other: Self) -> Self {
        for i in 0..N {
            self[i] += other[i];
        }
        self
    }

    #[inline(always)]
    fn sub_part(mut self, other: Self) -> Self {
        for i in 0..N {
            self[i] -= other[i];
        }
        self
    }

    #[inline(always)]
    fn neg_part(mut self) -> Self {
        for x in &mut self {
            *x = -*x;
        }
        self
    }

    #[inline(always)]
    fn scale_part(self, factor: T) -> Self {
        if_finite(
            &[factor.is_all_finite()],
            move || self.scale_with(factor, plain_mul),
            move || self.scale_with(factor, T::strong_mul),
        )
    }

    #[inline(always)]
    fn chain(self, d1: T, d2: T) -> Self {
        if_finite(
            &[d1.is_all_finite(), true],
            move || self.chain_with(d1, d2, plain_mul),
            move || self.chain_with(d1, d2, T::strong_mul),
        )
    }

    #[inline(always)]
    fn chain2(p: Self, q: Self, d1: [T; 2], d2: [T; 3]) -> Self {
        if_finite(
            &[d1[0].is_all_finite(), d1[1].is_all_finite()],
            move || Self::chain2_with(p, q, d1, d2, plain_mul),
            move || Self::chain2_with(p, q, d1, d2, T::strong_mul),
        )
    }

    #[inline(always)]
    fn product(p: Self, q: Self, a: T, b: T) -> Self {
        if_finite(
            &[a.is_all_finite(), b.is_all_finite()],
            move || Self::product_with(p, q, a, b, plain_mul),
            move || Self::product_with(p, q, a, b, T::strong_mul),
        )
    }

    fn fmt_parts(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" + [")?;
        for (i, x) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt::Display::fmt(x, f)?;
        }
        f.write_str("]ε")
    }
}

/// The derivative part of a [`HyperDual`](crate::HyperDual): `eps1 ε₁ + eps2 ε₂ + eps1eps2 ε₁ε₂`
/// with `ε₁² = ε₂² = 0` and `ε₁ε₂ ≠ 0`.
///
/// Seeding `eps1 = eᵢ` and `eps2 = eⱼ` gives `∂f/∂xᵢ` in `eps1`, `∂f/∂xⱼ` in `eps2` and the
/// exact second derivative `∂²f/∂xᵢ∂xⱼ` in `eps1eps2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HyperPart<T> {
    /// The ε₁ component (first derivative along the first direction).
    pub eps1: T,
    /// The ε₂ component (first derivative along the second direction).
    pub eps2: T,
    /// The ε₁ε₂ component (the mixed second derivative).
    pub eps1eps2: T,
}

impl<T> HyperPart<T> {
    /// A derivative part from its three components.
    pub const fn new(eps1: T, eps2: T, eps1eps2: T) -> Self {
        Self {
            eps1,
            eps2,
            eps1eps2,
        }
    }
}

impl<T: Real> Sealed<T> for HyperPart<T> {
    #[inline(always)]
    fn scale_with(self, factor: T, mul: impl Times<T>) -> Self {
        Self::new(
            mul(self.eps1, factor),
            mul(self.eps2, factor),
            mul(self.eps1eps2, factor),
        )
    }
    #[inline(always)]
    fn chain_with(self, d1: T, d2: T, mul: impl Times<T>) -> Self {
        // f(a + p) = f(a) + f'(a) p + f''(a) eps1 eps2 ε₁ε₂ (p∘p / 2 = eps1 eps2 ε₁ε₂).
        Self::new(
            mul(self.eps1, d1),
            mul(self.eps2, d1),
            mul(self.eps1eps2, d1) + mul(mul(self.eps1, self.eps2), d2),
        )
    }
    #[inline(always)]
    fn chain2_with(
        p: Self,
        q: Self,
        [fx, fy]: [T; 2],
        [fxx, fxy, fyy]: [T; 3],
        mul: impl Times<T>,
    ) -> Self {
        let cross = mul(p.eps1, q.eps2) + mul(p.eps2, q.eps1);
        Self::new(
            mul(p.eps1, fx) + mul(q.eps1, fy),
            mul(p.eps2, fx) + mul(q.eps2, fy),
            mul(p.eps1eps2, fx)
                + mul(q.eps1eps2, fy)
                + mul(mul(p.eps1, p.eps2), fxx)
                + mul(cross, fxy)
                + mul(mul(q.eps1, q.eps2), fyy),
        )
    }
    #[inline(always)]
    fn product_with(p: Self, q: Self, a: T, b: T, mul: impl Times<T>) -> Self {
        Self::new(
            mul(p.eps1, b) + mul(q.eps1, a),
            mul(p.eps2, b) + mul(q.eps2, a),
            mul(p.eps1eps2, b) + mul(q.eps1eps2, a) + mul(p.eps1, q.eps2) + mul(p.eps2, q.eps1),
        )
    }
}

impl<T: Real> Tangent<T> for HyperPart<T> {
    #[inline(always)]
    fn zero_part() -> Self {
        Self::new(T::zero(), T::zero(), T::zero())
    }

    #[inline(always)]
    fn is_zero_part(&self) -> bool {
        self.eps1.is_strong_zero() && self.eps2.is_strong_zero() && self.eps1eps2.is_strong_zero()
    }

    #[inline(always)]
    fn has_nan(&self) -> bool {
        self.eps1.has_nan() | self.eps2.has_nan() | self.eps1eps2.has_nan()
    }

    #[inline(always)]
    fn is_finite_part(&self) -> bool {
        self.eps1.is_all_finite() & self.eps2.is_all_finite() & self.eps1eps2.is_all_finite()
    }

    #[inline(always)]
    fn add_part(self, o: Self) -> Self {
        Self::new(
            self.eps1 + o.eps1,
            self.eps2 + o.eps2,
            self.eps1eps2 + o.eps1eps2,
        )
    }

    #[inline(always)]
    fn sub_part(self, o: Self) -> Self {
        Self::new(
            self.eps1 - o.eps1,
            self.eps2 - o.eps2,
            self.eps1eps2 - o.eps1eps2,
        )
    }

    #[inline(always)]
    fn neg_part(self) -> Self {
        Self::new(-self.eps1, -self.eps2, -self.eps1eps2)
    }

    // Strong products throughout, a compare and a mask each, like the single derivative:
    // measured 2% faster than a branch on the finiteness of the factors (321 against 327 ns
    // on `dual_overhead/second_order`), and there is no list of factors to get wrong (the
    // ε₁ε₂ terms multiply components with each other).
    #[inline(always)]
    fn scale_part(self, factor: T) -> Self {
        self.scale_with(factor, T::strong_mul)
    }

    #[inline(always)]
    fn chain(self, d1: T, d2: T) -> Self {
        self.chain_with(d1, d2, T::strong_mul)
    }

    #[inline(always)]
    fn chain2(p: Self, q: Self, d1: [T; 2], d2: [T; 3]) -> Self {
        Self::chain2_with(p, q, d1, d2, T::strong_mul)
    }

    #[inline(always)]
    fn product(p: Self, q: Self, a: T, b: T) -> Self {
        Self::product_with(p, q, a, b, T::strong_mul)
    }

    fn fmt_parts(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" + ")?;
        fmt::Display::fmt(&self.eps1, f)?;
        f.write_str("ε₁ + ")?;
        fmt::Display::fmt(&self.eps2, f)?;
        f.write_str("ε₂ + ")?;
        fmt::Display::fmt(&self.eps1eps2, f)?;
        f.write_str("ε₁ε₂")
    }
}

#[cfg(test)]
mod strong_zero;

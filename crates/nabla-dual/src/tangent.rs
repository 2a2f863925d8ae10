//! The derivative part of a dual number, and the chain rule written once per shape.

use std::fmt;

use crate::real::Real;

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
/// Components are scaled with [`Real::strong_mul`], so a zero component stays zero when
/// multiplied by an infinite derivative (`sqrt` at 0, a constant times infinity).
pub trait Tangent<T: Real>: Copy + fmt::Debug + Send + Sync + 'static {
    /// The zero derivative part (a constant).
    fn zero_part() -> Self;

    /// Whether every component is exactly zero (see [`Real::is_strong_zero`]).
    fn is_zero_part(&self) -> bool;

    /// Component-wise sum.
    fn add_part(self, other: Self) -> Self;

    /// Component-wise difference.
    fn sub_part(self, other: Self) -> Self;

    /// Component-wise negation.
    fn neg_part(self) -> Self;

    /// Every component times `factor` (strong zero: zero components stay zero).
    fn scale_part(self, factor: T) -> Self;

    /// Derivative part of `f(a + self)` given `d1 = f'(a)` and `d2 = f''(a)`.
    fn chain(self, d1: T, d2: T) -> Self;

    /// Derivative part of `f(a + p, b + q)` given the partial derivatives of `f` at `(a, b)`:
    /// `fx p + fy q + fxx/2 p∘p + fxy p∘q + fyy/2 q∘q`. First-order shapes ignore the second
    /// derivatives (and the optimizer removes their computation).
    #[allow(clippy::too_many_arguments)]
    fn chain2(p: Self, q: Self, fx: T, fy: T, fxx: T, fxy: T, fyy: T) -> Self;

    /// Writes the derivative part for `Display`, after the value: `" + 2ε"`.
    ///
    /// # Errors
    ///
    /// Whatever the formatter returns.
    fn fmt_parts(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl<T: Real> Tangent<T> for T {
    #[inline]
    fn zero_part() -> Self {
        T::zero()
    }

    #[inline]
    fn is_zero_part(&self) -> bool {
        self.is_strong_zero()
    }

    #[inline]
    fn add_part(self, other: Self) -> Self {
        self + other
    }

    #[inline]
    fn sub_part(self, other: Self) -> Self {
        self - other
    }

    #[inline]
    fn neg_part(self) -> Self {
        -self
    }

    #[inline]
    fn scale_part(self, factor: T) -> Self {
        self.strong_mul(factor)
    }

    #[inline]
    fn chain(self, d1: T, _d2: T) -> Self {
        self.strong_mul(d1)
    }

    #[inline]
    fn chain2(p: Self, q: Self, fx: T, fy: T, _fxx: T, _fxy: T, _fyy: T) -> Self {
        p.strong_mul(fx) + q.strong_mul(fy)
    }

    fn fmt_parts(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" + ")?;
        fmt::Display::fmt(self, f)?;
        f.write_str("ε")
    }
}

impl<T: Real, const N: usize> Tangent<T> for [T; N] {
    #[inline]
    fn zero_part() -> Self {
        [T::zero(); N]
    }

    #[inline]
    fn is_zero_part(&self) -> bool {
        self.iter().all(T::is_strong_zero)
    }

    #[inline]
    fn add_part(mut self, other: Self) -> Self {
        for i in 0..N {
            self[i] += other[i];
        }
        self
    }

    #[inline]
    fn sub_part(mut self, other: Self) -> Self {
        for i in 0..N {
            self[i] -= other[i];
        }
        self
    }

    #[inline]
    fn neg_part(mut self) -> Self {
        for x in &mut self {
            *x = -*x;
        }
        self
    }

    #[inline]
    fn scale_part(mut self, factor: T) -> Self {
        for x in &mut self {
            *x = x.strong_mul(factor);
        }
        self
    }

    #[inline]
    fn chain(self, d1: T, _d2: T) -> Self {
        self.scale_part(d1)
    }

    #[inline]
    fn chain2(mut p: Self, q: Self, fx: T, fy: T, _fxx: T, _fxy: T, _fyy: T) -> Self {
        for i in 0..N {
            p[i] = p[i].strong_mul(fx) + q[i].strong_mul(fy);
        }
        p
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

impl<T: Real> Tangent<T> for HyperPart<T> {
    #[inline]
    fn zero_part() -> Self {
        Self::new(T::zero(), T::zero(), T::zero())
    }

    #[inline]
    fn is_zero_part(&self) -> bool {
        self.eps1.is_strong_zero() && self.eps2.is_strong_zero() && self.eps1eps2.is_strong_zero()
    }

    #[inline]
    fn add_part(self, o: Self) -> Self {
        Self::new(
            self.eps1 + o.eps1,
            self.eps2 + o.eps2,
            self.eps1eps2 + o.eps1eps2,
        )
    }

    #[inline]
    fn sub_part(self, o: Self) -> Self {
        Self::new(
            self.eps1 - o.eps1,
            self.eps2 - o.eps2,
            self.eps1eps2 - o.eps1eps2,
        )
    }

    #[inline]
    fn neg_part(self) -> Self {
        Self::new(-self.eps1, -self.eps2, -self.eps1eps2)
    }

    #[inline]
    fn scale_part(self, factor: T) -> Self {
        Self::new(
            self.eps1.strong_mul(factor),
            self.eps2.strong_mul(factor),
            self.eps1eps2.strong_mul(factor),
        )
    }

    #[inline]
    fn chain(self, d1: T, d2: T) -> Self {
        // f(a + p) = f(a) + f'(a) p + f''(a) eps1 eps2 ε₁ε₂ (p∘p / 2 = eps1 eps2 ε₁ε₂).
        Self::new(
            self.eps1.strong_mul(d1),
            self.eps2.strong_mul(d1),
            self.eps1eps2.strong_mul(d1) + self.eps1.strong_mul(self.eps2).strong_mul(d2),
        )
    }

    #[inline]
    fn chain2(p: Self, q: Self, fx: T, fy: T, fxx: T, fxy: T, fyy: T) -> Self {
        let cross = p.eps1.strong_mul(q.eps2) + p.eps2.strong_mul(q.eps1);
        Self::new(
            p.eps1.strong_mul(fx) + q.eps1.strong_mul(fy),
            p.eps2.strong_mul(fx) + q.eps2.strong_mul(fy),
            p.eps1eps2.strong_mul(fx)
                + q.eps1eps2.strong_mul(fy)
                + p.eps1.strong_mul(p.eps2).strong_mul(fxx)
                + cross.strong_mul(fxy)
                + q.eps1.strong_mul(q.eps2).strong_mul(fyy),
        )
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

//! The dual number type, its three shapes, constructors and accessors.

use std::fmt;

use nabla_rules::Real;

use crate::tangent::{HyperPart, Tangent};

/// A dual number: a value `re` and a derivative part `eps` of shape `E`.
///
/// This is the one generic type behind [`Dual`], [`DualVec`] and [`HyperDual`]; use those
/// aliases. All arithmetic, every elementary function and every trait impl is written once,
/// generic over the shape (`E`, sealed: one of the three below); the elementary functions' rules are nabla-rules',
/// shared with reverse mode (nabla-tape), so the two modes give the same numbers.
///
/// # Comparisons look at the value only
///
/// `==`, `<`, `partial_cmp`, `min`/`max` and the `approx` traits compare `re` alone and ignore
/// the derivative part, so that code branching on a value (`if x > 0.0`) takes the same branch
/// for a dual number as for a float. To compare derivatives, compare
/// [`eps`](Dual::eps)/[`partials`](DualVec::partials) explicitly.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DualNumber<T, E> {
    pub(crate) re: T,
    pub(crate) eps: E,
}

/// A dual number with one derivative: `re + eps ε` with `ε² = 0`.
///
/// `T` is `f32`, `f64` or itself a dual number (nested duals for higher derivatives).
pub type Dual<T> = DualNumber<T, T>;

/// A double-precision [`Dual`] (single precision is `Dual<f32>`: the aliases name the common
/// case only, as [`DualVec64`] and [`HyperDual64`] do).
pub type Dual64 = Dual<f64>;

/// A dual number carrying `N` partial derivatives on the stack: a gradient of `n` inputs
/// takes `ceil(n / N)` passes instead of `n` (the "chunk" of ForwardDiff.jl).
pub type DualVec<T, const N: usize> = DualNumber<T, [T; N]>;

/// A double-precision [`DualVec`].
pub type DualVec64<const N: usize> = DualVec<f64, N>;

/// A hyper-dual number `re + eps1 ε₁ + eps2 ε₂ + eps1eps2 ε₁ε₂`: exact second derivatives.
pub type HyperDual<T> = DualNumber<T, HyperPart<T>>;

/// A double-precision [`HyperDual`].
pub type HyperDual64 = HyperDual<f64>;

impl<T: Real, E: Tangent<T>> DualNumber<T, E> {
    /// A dual number from its value and derivative part.
    #[inline(always)]
    pub const fn new(re: T, eps: E) -> Self {
        Self { re, eps }
    }

    /// A constant: the value `re` with a zero derivative part.
    #[inline(always)]
    pub fn constant(re: T) -> Self {
        Self::new(re, E::zero_part())
    }

    /// The value.
    #[inline(always)]
    pub fn re(&self) -> T {
        self.re
    }

    /// The derivative part, whatever its shape.
    #[inline(always)]
    pub fn tangent(&self) -> E {
        self.eps
    }

    /// Applies a scalar function through the chain rule, given its value `f0 = f(re)` and its
    /// first two derivatives `d1 = f'(re)`, `d2 = f''(re)` (`d2` is used by second-order
    /// shapes only). This is how the elementary functions are applied, too.
    ///
    /// ```
    /// use nabla_dual::Dual64;
    /// // A user-defined function: the logistic sigmoid s, with s' = s(1 - s).
    /// let x = Dual64::variable(0.3);
    /// let s = 1.0 / (1.0 + (-0.3f64).exp());
    /// let y = x.chain_rule(s, s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s));
    /// assert_eq!(y.eps(), s * (1.0 - s));
    /// ```
    #[inline(always)]
    pub fn chain_rule(self, f0: T, d1: T, d2: T) -> Self {
        Self::new(f0, self.eps.chain(d1, d2))
    }
}

impl<T: Real> Dual<T> {
    /// The independent variable `x` (derivative 1): `f(Dual::variable(x)).eps()` is `f'(x)`.
    #[inline(always)]
    pub fn variable(x: T) -> Self {
        Self::new(x, T::one())
    }

    /// The derivative.
    #[inline(always)]
    pub fn eps(&self) -> T {
        self.eps
    }
}

impl<T: Real, const N: usize> DualVec<T, N> {
    /// The `i`-th of `N` independent variables: value `x`, partial derivative 1 at `i`.
    ///
    /// # Panics
    ///
    /// If `i >= N`.
    #[inline(always)]
    pub fn variable(x: T, i: usize) -> Self {
        assert!(
            i < N,
            "DualVec::variable: index {i} out of range for {N} partials"
        );
        let mut eps = [T::zero(); N];
        eps[i] = T::one();
        Self::new(x, eps)
    }

    /// The `N` partial derivatives.
    #[inline(always)]
    pub fn partials(&self) -> &[T; N] {
        &self.eps
    }

    /// The partial derivative along input `i`.
    ///
    /// # Panics
    ///
    /// If `i >= N`.
    #[inline(always)]
    pub fn partial(&self, i: usize) -> T {
        self.eps[i]
    }
}

impl<T: Real> HyperDual<T> {
    /// A hyper-dual number from its four components.
    #[inline(always)]
    pub fn from_parts(re: T, eps1: T, eps2: T, eps1eps2: T) -> Self {
        Self::new(re, HyperPart::new(eps1, eps2, eps1eps2))
    }

    /// The variable `x` seeded in both directions: `f(HyperDual::variable(x))` carries `f'(x)`
    /// in `eps1` and `eps2` and `f''(x)` in `eps1eps2`.
    #[inline(always)]
    pub fn variable(x: T) -> Self {
        Self::from_parts(x, T::one(), T::one(), T::zero())
    }

    /// The ε₁ component.
    #[inline(always)]
    pub fn eps1(&self) -> T {
        self.eps.eps1
    }

    /// The ε₂ component.
    #[inline(always)]
    pub fn eps2(&self) -> T {
        self.eps.eps2
    }

    /// The ε₁ε₂ component (the second derivative).
    #[inline(always)]
    pub fn eps1eps2(&self) -> T {
        self.eps.eps1eps2
    }
}

impl<T: Real, E: Tangent<T>> fmt::Display for DualNumber<T, E> {
    /// `re + eps ε` (`2 + 3ε`, `2 + [3, 4]ε`, `2 + 3ε₁ + 3ε₂ + 1ε₁ε₂`); a precision applies
    /// to every component.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.re, f)?;
        self.eps.fmt_parts(f)
    }
}

impl<T: fmt::Debug, E: fmt::Debug> fmt::Debug for DualNumber<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DualNumber")
            .field("re", &self.re)
            .field("eps", &self.eps)
            .finish()
    }
}

impl<T: Real, E: Tangent<T>> Real for DualNumber<T, E> {
    type Primitive = T::Primitive;

    #[inline(always)]
    fn from_primitive(value: T::Primitive) -> Self {
        Self::constant(T::from_primitive(value))
    }

    #[inline(always)]
    fn strong_mul(self, factor: Self) -> Self {
        Self::new(
            self.re.strong_mul(factor.re),
            E::product_with(self.eps, factor.eps, self.re, factor.re, T::strong_mul),
        )
    }

    #[inline(always)]
    fn has_nan(&self) -> bool {
        self.re.has_nan() || self.eps.has_nan()
    }

    #[inline(always)]
    fn is_all_finite(&self) -> bool {
        self.re.is_all_finite() && self.eps.is_finite_part()
    }

    #[inline(always)]
    fn is_strong_zero(&self) -> bool {
        self.re.is_strong_zero() && self.eps.is_zero_part()
    }
}

//! The four basic operators, natively: each is the hottest path of forward mode. The rest
//! (division, remainder, a primitive float on either side, the assignment operators, `Sum`,
//! `Product`) are nabla-rules' rules, generated in `rules.rs`.
//!
//! Every operator (and every derivative-part operation in `tangent.rs`, every accessor in
//! `number.rs`) is `#[inline(always)]`: with a plain `#[inline]` the compiler kept
//! `DualVec<f64, 16>`'s product out of line and copied its 136-byte operands through the stack
//! (measured 3.8x slower gradients at `N` = 16; see `DEFAULT_CHUNK`).

use std::ops::{Add, Mul, Neg, Sub};

use nabla_rules::Real;

use crate::number::DualNumber;
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

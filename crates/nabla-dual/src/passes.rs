//! The forward-mode pass loop, written once for the first-order drivers: seed a chunk of
//! inputs, evaluate, read the chunk's partial derivatives, unseed.

use crate::number::DualNumber;
use crate::tangent::Tangent;
use nabla_rules::Real;

/// A first-order derivative part with `LANES` independent directions: `T` (one lane, `Dual`)
/// or `[T; N]` (`N` lanes, `DualVec`).
pub(crate) trait Lanes<T: Real>: Tangent<T> {
    /// How many inputs one pass differentiates.
    const LANES: usize;
    /// The part with 1 in lane `k` and 0 elsewhere.
    fn seed(k: usize) -> Self;
    /// Lane `k`.
    fn lane(&self, k: usize) -> T;
}

impl<T: Real> Lanes<T> for T {
    const LANES: usize = 1;
    #[inline]
    fn seed(_: usize) -> Self {
        T::one()
    }
    #[inline]
    fn lane(&self, _: usize) -> T {
        *self
    }
}

impl<T: Real, const N: usize> Lanes<T> for [T; N] {
    const LANES: usize = N;
    #[inline]
    fn seed(k: usize) -> Self {
        let mut part = [T::zero(); N];
        part[k] = T::one();
        part
    }
    #[inline]
    fn lane(&self, k: usize) -> T {
        self[k]
    }
}

/// Evaluates `f` at `x` once per chunk of `E::LANES` inputs, input `start + k` seeded in lane
/// `k` and the others constant, and hands `read(start, width, output)` each pass's output
/// (`width` inputs were seeded). With no inputs `f` is still evaluated once, unseeded, and
/// handed over with width 0, so the drivers always have `f(x)`. The input buffer is
/// allocated once.
///
/// # Panics
///
/// If `E::LANES` is 0 (`DualVec<T, 0>`).
pub(crate) fn for_each_pass<T: Real, E: Lanes<T>, Y>(
    driver: &str,
    x: &[T],
    f: impl Fn(&[DualNumber<T, E>]) -> Y,
    mut read: impl FnMut(usize, usize, Y),
) {
    assert!(
        E::LANES > 0,
        "{driver}: the chunk size N must be at least 1"
    );
    let mut input: Vec<DualNumber<T, E>> = x.iter().map(|&v| DualNumber::constant(v)).collect();
    if x.is_empty() {
        read(0, 0, f(&input));
        return;
    }
    for start in (0..x.len()).step_by(E::LANES) {
        let end = (start + E::LANES).min(x.len());
        for (k, slot) in input[start..end].iter_mut().enumerate() {
            *slot = DualNumber::new(slot.re(), E::seed(k));
        }
        let y = f(&input);
        for slot in &mut input[start..end] {
            *slot = DualNumber::constant(slot.re());
        }
        read(start, end - start, y);
    }
}

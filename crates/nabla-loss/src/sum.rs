//! The summation every loss in this crate uses: NumPy's pairwise order.
//!
//! The order of a floating-point sum changes its last bits. The book's numbers come from
//! `np.sum`, which for a contiguous array sums pairwise: up to 8 terms one after another, up
//! to 128 terms in 8 interleaved accumulators combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`
//! plus the leftover terms in order, and longer arrays by splitting at a multiple of 8 near
//! the middle. Summing in the same order reproduces the book's prints bit for bit (a plain
//! left-to-right sum gives 0.5974999999999999 instead of the book's 0.5975) and keeps the
//! rounding error growing with log n instead of n. The order is described in NumPy's
//! `pairwise_sum` (numpy/_core/src/umath/loops_utils.h.src); this is an independent
//! implementation of that order.

use nalgebra::RealField;

/// Arrays up to this length are summed with the 8 unrolled accumulators.
const BLOCK: usize = 128;

/// Sums `term(0) + ... + term(n - 1)` in NumPy's pairwise order (0 for `n = 0`).
pub(crate) fn pairwise_sum<T, F>(n: usize, term: &F) -> T
where
    T: RealField + Copy,
    F: Fn(usize) -> T,
{
    pairwise_range(0, n, term)
}

/// The pairwise sum of `term(start) + ... + term(start + n - 1)`.
fn pairwise_range<T, F>(start: usize, n: usize, term: &F) -> T
where
    T: RealField + Copy,
    F: Fn(usize) -> T,
{
    if n < 8 {
        let mut sum = T::zero();
        for i in start..start + n {
            sum += term(i);
        }
        sum
    } else if n <= BLOCK {
        let mut r: [T; 8] = std::array::from_fn(|k| term(start + k));
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (k, acc) in r.iter_mut().enumerate() {
                *acc += term(start + i + k);
            }
            i += 8;
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for j in whole..n {
            sum += term(start + j);
        }
        sum
    } else {
        let half = n / 2;
        let half = half - half % 8;
        pairwise_range(start, half, term) + pairwise_range(start + half, n - half, term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sums_are_left_to_right() {
        let x = [0.1, 0.2, 0.3];
        assert_eq!(pairwise_sum(3, &|i| x[i]), (0.1 + 0.2) + 0.3);
        assert_eq!(pairwise_sum(0, &|i: usize| x[i]), 0.0);
    }

    #[test]
    fn medium_sums_use_eight_accumulators() {
        // 10 terms: accumulators hold terms 0..8, then 8 and 9 are added in order.
        let x: Vec<f64> = (0..10).map(|i| 0.1 * f64::from(i) + 1e-3).collect();
        let r = &x;
        let expected =
            ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])) + r[8] + r[9];
        assert_eq!(pairwise_sum(x.len(), &|i| x[i]), expected);
    }

    #[test]
    fn long_sums_match_numpy_bit_for_bit_across_block_boundaries() {
        // `np.sum` (NumPy 2.4, float64) of x_i = ((37 i) mod 101 - 50) / 7 + 1 / (i + 1):
        // every term is one correctly rounded operation, so NumPy and Rust see the same
        // terms, and the sums differ from a left-to-right sum in their last bits. The lengths
        // sit on both sides of the 8-term and 128-term blocks and of the splits at a multiple
        // of 8.
        let term = |i: usize| ((37 * i % 101) as f64 - 50.0) / 7.0 + 1.0 / (i as f64 + 1.0);
        let numpy = [
            (8, -7.425),
            (127, -6.288951121696539),
            (128, -5.852567193125109),
            (129, -0.13052954085490232),
            (136, 0.3506853729143735),
            (200, 7.163745233835737),
            (256, -1.1613693228969968),
            (257, 2.985378870543814),
            (1000, 8.914042289121793),
            (1003, 3.488464874514465),
        ];
        for (n, expected) in numpy {
            assert_eq!(pairwise_sum(n, &term), expected, "n = {n}");
            let left_to_right = (0..n).fold(0.0, |acc, i| acc + term(i));
            assert_ne!(
                left_to_right, expected,
                "n = {n} does not tell the orders apart"
            );
        }
        // The harmonic numbers, as NumPy sums 1 / (i + 1).
        let harmonic = |i: usize| 1.0 / (i as f64 + 1.0);
        for (n, expected) in [
            (127, 5.425334592589172),
            (128, 5.433147092589173),
            (129, 5.440899030573669),
            (136, 5.493542515771517),
            (1000, 7.485470860550345),
        ] {
            assert_eq!(pairwise_sum(n, &harmonic), expected, "n = {n}");
        }
    }

    #[test]
    fn long_sums_are_exact_on_integers_and_accurate_on_tenths() {
        // Integers below 2^53 are exact in any order; this checks that every term is visited
        // exactly once across the recursive split.
        for n in [129_usize, 130, 255, 256, 1000, 4099] {
            let sum: f64 = pairwise_sum(n, &|i| i as f64);
            assert_eq!(sum, (n * (n - 1) / 2) as f64, "n = {n}");
        }
        // A million tenths: a left-to-right sum drifts by about 1e-6, pairwise stays near eps.
        let sum: f64 = pairwise_sum(1_000_000, &|_| 0.1);
        assert!((sum - 100_000.0).abs() < 1e-9, "{sum}");
    }
}

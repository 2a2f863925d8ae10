//! The first layer's forward pass on sparse rows: `b1 + sum over the non-zeros (j, v) of
//! v * w1[j]`, the pre-activation of a row, `stride` lanes (0 in the padding), the non-zeros
//! added in the order of their pixels.
//!
//! Each non-zero reads one row of `w1` (224 bytes with 50 hidden units in `f32`) from the L2
//! cache, which binds (BENCHMARKS.md, the roofline of issue 27; two designs that read `w1`
//! less, in slices that stay in L1 and two rows at once over the union of their pixels, were
//! measured there and were slower).

use crate::Precision;
use crate::kernels::{LANES, W1, by_width};

/// A row of sparse input: its non-zeros' pixels (ascending) and values.
pub(crate) type Row<'a, T> = (&'a [u32], &'a [T]);

/// The non-zeros of a row that fall in one half of `w1`: the half, its first pixel, and the
/// non-zeros' pixels and values.
type Part<'a, T> = (&'a [T], usize, &'a [u32], &'a [T]);

/// `b1 + sum over the non-zeros (j, v) of v * w1[j]`, the pre-activation of one row
/// (`stride` lanes, 0 in the padding), the non-zeros added in their order.
#[inline(always)]
pub(crate) fn hidden_pre<T: Precision>(
    w1: &W1<'_, T>,
    b1: &[T],
    group: usize,
    (idx, val): Row<'_, T>,
    out: &mut [T],
) {
    let k = idx.partition_point(|&j| (j as usize) < w1.split);
    let parts = [
        (w1.lo, 0, &idx[..k], &val[..k]),
        (w1.hi, w1.split, &idx[k..], &val[k..]),
    ];
    let blocks = w1.stride / LANES;
    let mut first = 0;
    while first < blocks {
        let width = group.min(blocks - first);
        by_width!(width, sum_group, w1.stride, first * LANES, &parts, b1, out);
        first += width;
    }
}

/// Lanes `first..first + L` of [`hidden_pre`], the accumulators in registers.
#[inline(always)]
fn sum_group<T: Precision, const L: usize>(
    stride: usize,
    first: usize,
    parts: &[Part<'_, T>; 2],
    b1: &[T],
    out: &mut [T],
) {
    let mut acc = [T::zero(); L];
    acc.copy_from_slice(&b1[first..first + L]);
    for &(w, base, idx, val) in parts {
        for (&j, &v) in idx.iter().zip(val) {
            let start = (j as usize - base) * stride + first;
            let row = &w[start..start + L];
            for i in 0..L {
                acc[i] = acc[i] + v * row[i];
            }
        }
    }
    out[first..first + L].copy_from_slice(&acc);
}

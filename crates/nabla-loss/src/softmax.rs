//! Softmax and log-softmax, computed with the maximum subtracted so that nothing overflows.

use nalgebra::{DMatrix, RealField};

use crate::sum::pairwise_sum;

/// The softmax of one sample, in place: each logit `z_i` becomes
/// `exp(z_i - m) / sum_j exp(z_j - m)` with `m = max z`.
///
/// This is the one softmax of nabla: [`softmax`] and [`softmax_rows`] call it on a copy,
/// and nabla-net's training loop and its structure-aware numerical gradient call it on the
/// logits of each row, in their own buffers, without allocating. The sum is taken in
/// NumPy's pairwise order and each exponential divided by it, as the book's
/// `np.exp(a - c) / np.sum(np.exp(a - c))` does, so its results are NumPy's bit for bit.
///
/// Subtracting the maximum changes nothing mathematically and keeps every `exp` at most 1, so
/// logits of 1000 give `[1, 0]`, not `inf / inf`. An empty slice stays empty.
///
/// A NaN anywhere makes the whole result NaN, and so does `+inf` (`inf - inf`) or a sample in
/// which every logit is `-inf`; a single `-inf` among finite logits gets probability 0.
///
/// ```
/// let mut z = [1000.0, 1000.0, -1000.0];
/// nabla_loss::softmax_in_place(&mut z);
/// assert_eq!(z, [0.5, 0.5, 0.0]);
/// ```
pub fn softmax_in_place<T: RealField + Copy>(z: &mut [T]) {
    let m = max(z.len(), &|j| z[j]);
    for v in z.iter_mut() {
        *v = (*v - m).exp();
    }
    let sum = pairwise_sum(z.len(), &|j| z[j]);
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// The softmax of one sample: [`softmax_in_place`] on a copy of `z`.
///
/// ```
/// let p = nabla_loss::softmax(&[1000.0, 1000.0, -1000.0]);
/// assert_eq!(p, [0.5, 0.5, 0.0]);
/// ```
pub fn softmax<T: RealField + Copy>(z: &[T]) -> Vec<T> {
    let mut p = z.to_vec();
    softmax_in_place(&mut p);
    p
}

/// [`softmax_in_place`] of every row of `z` (one sample per row).
pub fn softmax_rows<T: RealField + Copy>(z: &DMatrix<T>) -> DMatrix<T> {
    // nalgebra stores columns contiguously, so the rows of `z` are the columns of its
    // transpose, each a slice.
    let mut by_rows = z.transpose();
    if z.ncols() > 0 {
        for row in by_rows.as_mut_slice().chunks_exact_mut(z.ncols()) {
            softmax_in_place(row);
        }
    }
    by_rows.transpose()
}

/// The logarithm of [`softmax`], computed as `(z_i - m) - ln(sum_j exp(z_j - m))` (the
/// log-sum-exp form, with the maximum `m` taken off first so that no digits are lost to a
/// large `m`), which stays finite where `ln(softmax(z))` would give `ln(0) = -inf`:
/// `log_softmax([1000, -1000]) = [0, -2000]`.
///
/// NaN and infinities behave as in [`softmax`].
pub fn log_softmax<T: RealField + Copy>(z: &[T]) -> Vec<T> {
    let (m, log_sum) = shifted_log_sum_exp(z.len(), &|j| z[j]);
    z.iter().map(|&zj| (zj - m) - log_sum).collect()
}

/// [`log_softmax`] of every row of `z` (one sample per row).
pub fn log_softmax_rows<T: RealField + Copy>(z: &DMatrix<T>) -> DMatrix<T> {
    let mut out = z.clone();
    for i in 0..z.nrows() {
        let (m, log_sum) = shifted_log_sum_exp(z.ncols(), &|j| z[(i, j)]);
        for j in 0..z.ncols() {
            out[(i, j)] = (z[(i, j)] - m) - log_sum;
        }
    }
    out
}

/// `(m, ln(sum_j exp(z_j - m)))` with `m = max z`: the log-sum-exp `ln(sum_j exp(z_j))` is
/// their sum. Kept apart so that callers subtract `m` from `z_j` before anything else, which
/// is exact for equal logits and keeps `log_softmax([1000; 3])` at exactly `-ln 3`.
pub(crate) fn shifted_log_sum_exp<T, F>(n: usize, z: &F) -> (T, T)
where
    T: RealField + Copy,
    F: Fn(usize) -> T,
{
    let m = max(n, z);
    (m, pairwise_sum(n, &|j| (z(j) - m).exp()).ln())
}

/// The largest of `z(0), ..., z(n - 1)`, or `-inf` for `n = 0`.
///
/// Written with `>` rather than `RealField::max` so that it only needs the ordering of the
/// values (a dual number compares by its value). A NaN is skipped here (or becomes the
/// maximum if it comes first), and either way it turns the result of every caller into NaN.
fn max<T, F>(n: usize, z: &F) -> T
where
    T: RealField + Copy,
    F: Fn(usize) -> T,
{
    if n == 0 {
        return -T::one() / T::zero();
    }
    let mut m = z(0);
    for j in 1..n {
        let v = z(j);
        if v > m {
            m = v;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use nalgebra::DMatrix;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn matches_the_definition_on_ordinary_logits() {
        let z = [0.3, 2.9, 4.0];
        let e: Vec<f64> = z.iter().map(|v: &f64| v.exp()).collect();
        let s: f64 = e.iter().sum();
        for (p, e) in softmax(&z).iter().zip(&e) {
            assert_relative_eq!(*p, e / s, max_relative = 1e-15);
        }
        // The book's example output for a = [0.3, 2.9, 4.0].
        let p = softmax(&z);
        assert_relative_eq!(p[0], 0.01821127, epsilon = 1e-8);
        assert_relative_eq!(p[1], 0.24519181, epsilon = 1e-8);
        assert_relative_eq!(p[2], 0.73659691, epsilon = 1e-8);
    }

    #[test]
    fn extreme_logits_stay_finite() {
        assert_eq!(softmax(&[1000.0, 0.0]), [1.0, 0.0]);
        assert_eq!(softmax(&[-1000.0, -1000.0]), [0.5, 0.5]);
        // f32 overflows exp at 89; shifted, 1010 is fine and the smallest class is not lost.
        let p = softmax(&[1010.0_f32, 1000.0, 990.0]);
        let expected = (-20.0_f64).exp() / (1.0 + (-10.0_f64).exp() + (-20.0_f64).exp());
        assert_relative_eq!(f64::from(p[2]), expected, max_relative = 1e-5);
        assert_eq!(log_softmax(&[1000.0, -1000.0]), [0.0, -2000.0]);
        assert_eq!(log_softmax(&[7.0; 4]), [-(4.0_f64.ln()); 4]);
        assert_eq!(log_softmax(&[-1000.0; 3]), [-(3.0_f64.ln()); 3]);
        let z = DMatrix::from_row_slice(2, 2, &[1000.0, -1000.0, -1000.0, 1000.0]);
        assert_eq!(
            softmax_rows(&z),
            DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 1.0])
        );
        assert_eq!(
            log_softmax_rows(&z),
            DMatrix::from_row_slice(2, 2, &[0.0, -2000.0, -2000.0, 0.0])
        );
    }

    #[test]
    fn nan_and_infinities_are_documented() {
        assert!(softmax(&[f64::NAN, 1.0]).iter().all(|p| p.is_nan()));
        assert!(softmax(&[1.0, f64::NAN]).iter().all(|p| p.is_nan()));
        assert!(softmax(&[f64::INFINITY, 1.0]).iter().all(|p| p.is_nan()));
        assert!(softmax(&[f64::NEG_INFINITY; 2]).iter().all(|p| p.is_nan()));
        assert_eq!(softmax(&[f64::NEG_INFINITY, 1.0]), [0.0, 1.0]);
        assert_eq!(
            log_softmax(&[f64::NEG_INFINITY, 1.0]),
            [f64::NEG_INFINITY, 0.0]
        );
        let z = DMatrix::from_row_slice(2, 2, &[f64::NAN, 0.0, 0.0, 0.0]);
        let p = softmax_rows(&z);
        assert!(p[(0, 0)].is_nan() && p[(0, 1)].is_nan());
        assert_eq!(
            (p[(1, 0)], p[(1, 1)]),
            (0.5, 0.5),
            "the NaN stays in its row"
        );
        assert!(softmax::<f64>(&[]).is_empty());
        assert_eq!(softmax_rows(&DMatrix::<f64>::zeros(0, 3)).shape(), (0, 3));
    }

    #[test]
    fn max_is_the_largest_wherever_it_is_and_minus_infinity_when_empty() {
        for z in [
            [3.0, 1.0, 2.0],
            [1.0, 3.0, 2.0],
            [1.0, 2.0, 3.0],
            [-5.0, -7.0, -6.0],
        ] {
            let want = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(max(3, &|j| z[j]), want, "{z:?}");
        }
        assert_eq!(max(1, &|_| -2.5), -2.5);
        assert_eq!(max(0, &|_: usize| 1.0), f64::NEG_INFINITY);
        assert_eq!(max(0, &|_: usize| 1.0_f32), f32::NEG_INFINITY);
        // The log-sum-exp of nothing is ln 0 = -inf, and its shift is -inf too.
        assert_eq!(
            shifted_log_sum_exp(0, &|_: usize| 1.0),
            (f64::NEG_INFINITY, f64::NEG_INFINITY)
        );
        let z = [0.5, 2.0, -1.0];
        let (m, l) = shifted_log_sum_exp(3, &|j| z[j]);
        assert_eq!(m, 2.0);
        assert_relative_eq!(
            l,
            ((-1.5_f64).exp() + 1.0 + (-3.0_f64).exp()).ln(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn large_logits_anywhere_in_the_row_stay_finite() {
        // The maximum must be subtracted wherever it sits; otherwise exp(1000) overflows.
        for z in [
            [1000.0, 0.0, 999.0],
            [0.0, 1000.0, 999.0],
            [0.0, 999.0, 1000.0],
        ] {
            let p = softmax(&z);
            let q = (-1.0_f64).exp();
            assert_relative_eq!(p.iter().sum::<f64>(), 1.0, max_relative = 1e-15);
            let big = z.iter().position(|&v| v == 1000.0).unwrap();
            assert_relative_eq!(p[big], 1.0 / (1.0 + q), max_relative = 1e-15);
            let l = log_softmax(&z);
            assert_relative_eq!(l[big], -(1.0 + q).ln(), max_relative = 1e-15);
            let rows = softmax_rows(&DMatrix::from_row_slice(1, 3, &z));
            assert_relative_eq!(rows[(0, big)], p[big], max_relative = 1e-15);
        }
    }

    #[test]
    fn f32_works() {
        let p = softmax(&[0.3_f32, 2.9, 4.0]);
        assert_relative_eq!(p[2], 0.736_596_9_f32, max_relative = 1e-6);
        assert_relative_eq!(
            log_softmax(&[0.3_f32, 2.9, 4.0])[2],
            0.736_596_9_f32.ln(),
            max_relative = 1e-6
        );
    }

    #[test]
    fn rows_agree_with_single_samples() {
        let z = DMatrix::from_row_slice(2, 3, &[0.3, 2.9, 4.0, -1.0, 0.0, 1e3]);
        let rows = softmax_rows(&z);
        let logs = log_softmax_rows(&z);
        for i in 0..2 {
            let zi: Vec<f64> = z.row(i).iter().copied().collect();
            assert_eq!(
                rows.row(i).iter().copied().collect::<Vec<_>>(),
                softmax(&zi)
            );
            assert_eq!(
                logs.row(i).iter().copied().collect::<Vec<_>>(),
                log_softmax(&zi)
            );
        }
        // Rows without a single logit: nothing to normalise, and no panic.
        let empty = DMatrix::<f64>::zeros(3, 0);
        assert_eq!(softmax_rows(&empty).shape(), (3, 0));
        assert_eq!(log_softmax_rows(&empty).shape(), (3, 0));
    }

    proptest! {
        #[test]
        fn softmax_rows_sum_to_one(z in prop::collection::vec(-800.0..800.0_f64, 1..40)) {
            let p = softmax(&z);
            let sum: f64 = p.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-12, "sum {}", sum);
            prop_assert!(p.iter().all(|&p| (0.0..=1.0).contains(&p)));
        }

        #[test]
        fn log_softmax_is_ln_softmax(z in prop::collection::vec(-30.0..30.0_f64, 1..40)) {
            // Moderate logits, so that no probability underflows and ln(softmax) is finite.
            for (l, p) in log_softmax(&z).iter().zip(softmax(&z)) {
                prop_assert!((l - p.ln()).abs() <= 1e-12 * (1.0 + l.abs()), "{} vs {}", l, p.ln());
            }
        }

        #[test]
        fn adding_a_constant_changes_nothing(
            z in prop::collection::vec(-50.0..50.0_f64, 1..20),
            c in -500.0..500.0_f64,
        ) {
            let shifted: Vec<f64> = z.iter().map(|v| v + c).collect();
            for (a, b) in softmax(&z).iter().zip(softmax(&shifted)) {
                prop_assert!((a - b).abs() < 1e-12, "{} vs {}", a, b);
            }
        }
    }
}

//! Cross-entropy on probabilities, the book's `-sum(t * ln(y + delta))`, and its gradient.

use nalgebra::{DMatrix, RealField};

use crate::check::{self, batch_size};
use crate::error::Result;
use crate::sum::pairwise_sum;

/// The book's `delta`, added to a probability before its logarithm so that `ln(0)` never
/// gives `-inf`: a confidently wrong prediction costs `-ln(1e-7) = 16.1`, not infinity.
pub const DELTA: f64 = 1e-7;

/// Cross-entropy of one sample: `-sum_i t_i * ln(y_i + DELTA)`.
///
/// `y` holds probabilities (a softmax output), `t` the target distribution, usually one-hot.
/// An empty sample gives 0. A NaN in `y` gives NaN, and so does a `y_i < -DELTA` (the
/// logarithm of a negative number).
///
/// ```
/// let t = [0.0, 1.0];
/// let loss = nabla_loss::cross_entropy(&[0.5, 0.5], &t)?;
/// assert!((loss - 0.5_f64.ln().abs()).abs() < 1e-6);
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) if `t` is not as long as `y`.
pub fn cross_entropy<T: RealField + Copy>(y: &[T], t: &[T]) -> Result<T> {
    check::same_len(y, t)?;
    Ok(-pairwise_sum(y.len(), &|i| t[i] * ln_guarded(y[i])))
}

/// Cross-entropy of a batch with one-hot (or any distribution) targets, averaged over the
/// `B` rows: `-sum_ij t_ij * ln(y_ij + DELTA) / B`.
///
/// Each row is summed first and then the rows, so for exactly one-hot targets this equals
/// [`cross_entropy_labels`] with the hot columns as labels, bit for bit. One difference: a NaN
/// in a column that is not the target still makes this form NaN (`0 * NaN`), while the label
/// form only reads the labelled entries.
///
/// # Errors
///
/// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) if `t` is not shaped like `y`;
/// [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `y` has no rows or no columns.
pub fn cross_entropy_batch<T: RealField + Copy>(y: &DMatrix<T>, t: &DMatrix<T>) -> Result<T> {
    check::batch_and_target(y, t)?;
    let sum = pairwise_sum(y.nrows(), &|i| {
        pairwise_sum(y.ncols(), &|j| t[(i, j)] * ln_guarded(y[(i, j)]))
    });
    Ok(-sum / batch_size(y))
}

/// Cross-entropy of a batch with label targets, averaged over the `B` rows: the book's
/// `-sum(ln(y[arange(B), labels] + DELTA)) / B`.
///
/// Labels are class indices (`u8` as stored in MNIST, or `usize`), one per row of `y`.
///
/// ```
/// use nalgebra::DMatrix;
///
/// let y = DMatrix::from_row_slice(2, 3, &[0.7, 0.2, 0.1, 0.1, 0.1, 0.8]);
/// let loss = nabla_loss::cross_entropy_labels(&y, &[0_u8, 2])?;
/// assert!((loss - (-(0.7_f64.ln() + 0.8_f64.ln()) / 2.0)).abs() < 1e-6);
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # One-hot targets where labels are expected
///
/// The book's label form `y[np.arange(batch_size), t]` silently indexes with whatever `t` is:
/// passing one-hot rows there is a classic mistake. Here one-hot targets are floats (a
/// `DMatrix<T>` from [`one_hot`](crate::one_hot) or nabla-data), and labels must be integers
/// (`L: Into<usize>`), so the mistake does not compile, neither as the matrix nor as its slice:
///
/// ```compile_fail
/// use nalgebra::DMatrix;
///
/// let y = DMatrix::from_row_slice(2, 3, &[0.7, 0.2, 0.1, 0.1, 0.1, 0.8]);
/// let t: DMatrix<f64> = nabla_loss::one_hot(&[0_u8, 2], 3)?;
/// // error[E0277]: the trait bound `usize: From<f64>` is not satisfied
/// let loss = nabla_loss::cross_entropy_labels(&y, t.as_slice())?;
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// One-hot rows stored as integers (`u8` 0s and 1s, `B x C` of them) do compile, and are
/// refused at run time: `B * C` labels for `B` rows is
/// [`Error::LabelCountMismatch`](crate::Error::LabelCountMismatch). No check can catch a
/// single one-hot row of `C` integers given for a batch of exactly `C` rows: its 0s and 1s
/// are valid labels.
///
/// # Errors
///
/// [`Error::LabelCountMismatch`](crate::Error::LabelCountMismatch) unless there is one label
/// per row; [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `y` has no rows or no columns;
/// [`Error::LabelOutOfRange`](crate::Error::LabelOutOfRange) for a label `>= y.ncols()`.
pub fn cross_entropy_labels<T, L>(y: &DMatrix<T>, labels: &[L]) -> Result<T>
where
    T: RealField + Copy,
    L: Copy + Into<usize>,
{
    let labels = check::batch_and_labels(y, labels)?;
    let sum = pairwise_sum(labels.len(), &|i| ln_guarded(y[(i, labels[i])]));
    Ok(-sum / batch_size(y))
}

/// Gradient of [`cross_entropy`] with respect to `y`: `-t_i / (y_i + DELTA)`.
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) if `t` is not as long as `y`.
pub fn cross_entropy_grad<T: RealField + Copy>(y: &[T], t: &[T]) -> Result<Vec<T>> {
    check::same_len(y, t)?;
    let delta = delta::<T>();
    Ok(y.iter().zip(t).map(|(&y, &t)| -t / (y + delta)).collect())
}

/// Gradient of [`cross_entropy_batch`] with respect to `y`: `-t / (y + DELTA) / B`.
///
/// # Errors
///
/// As [`cross_entropy_batch`].
pub fn cross_entropy_grad_batch<T: RealField + Copy>(
    y: &DMatrix<T>,
    t: &DMatrix<T>,
) -> Result<DMatrix<T>> {
    check::batch_and_target(y, t)?;
    let (delta, b) = (delta::<T>(), batch_size(y));
    Ok(y.zip_map(t, |y, t| -t / (y + delta) / b))
}

/// Gradient of [`cross_entropy_labels`] with respect to `y`: `-1 / (y_ij + DELTA) / B` where
/// `j` is the label of row `i`, and 0 elsewhere.
///
/// # Errors
///
/// As [`cross_entropy_labels`].
pub fn cross_entropy_grad_labels<T, L>(y: &DMatrix<T>, labels: &[L]) -> Result<DMatrix<T>>
where
    T: RealField + Copy,
    L: Copy + Into<usize>,
{
    let labels = check::batch_and_labels(y, labels)?;
    let (delta, b) = (delta::<T>(), batch_size(y));
    let mut grad = DMatrix::zeros(y.nrows(), y.ncols());
    for (i, &j) in labels.iter().enumerate() {
        grad[(i, j)] = -T::one() / (y[(i, j)] + delta) / b;
    }
    Ok(grad)
}

/// `ln(y + DELTA)`: the book's guarded logarithm of a probability, in every cross-entropy.
#[inline]
pub(crate) fn ln_guarded<T: RealField + Copy>(y: T) -> T {
    (y + delta::<T>()).ln()
}

/// [`DELTA`] in `T`.
fn delta<T: RealField + Copy>() -> T {
    nalgebra::convert(DELTA)
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use nalgebra::DMatrix;

    use super::*;
    use crate::test_util::{
        assert_gradient, central_gradient, random_labels, random_probabilities, rng,
    };
    use crate::{Error, one_hot};

    #[test]
    fn integer_one_hot_rows_given_as_labels_are_refused() {
        // The float one-hot form does not compile (the `compile_fail` doctest of
        // `cross_entropy_labels`); the same rows as u8 0s and 1s compile and are refused.
        let y = DMatrix::from_row_slice(2, 3, &[0.7, 0.2, 0.1, 0.1, 0.1, 0.8]);
        let one_hot_u8: [u8; 6] = [1, 0, 0, 0, 0, 1];
        let err = cross_entropy_labels(&y, &one_hot_u8).unwrap_err();
        assert_eq!(err, Error::LabelCountMismatch { rows: 2, labels: 6 });
        assert_eq!(
            err.to_string(),
            "6 labels given for a prediction of 2 rows (one label per row)"
        );
        // The labels the one-hot rows stand for, and the one-hot form, give the same loss.
        let t: DMatrix<f64> = one_hot(&[0_u8, 2], 3).unwrap();
        assert_eq!(
            cross_entropy_labels(&y, &[0_u8, 2]).unwrap(),
            cross_entropy_batch(&y, &t).unwrap()
        );
    }

    const RIGHT: [f64; 10] = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
    const WRONG: [f64; 10] = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0];
    const T: [f64; 10] = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];

    #[test]
    fn book_numbers_to_the_last_digit() {
        assert_eq!(cross_entropy(&RIGHT, &T).unwrap(), 0.510825457099338);
        assert_eq!(cross_entropy(&WRONG, &T).unwrap(), 2.302584092994546);
        // The same numbers through both batch forms.
        for (y, expected) in [(RIGHT, 0.510825457099338), (WRONG, 2.302584092994546)] {
            let y = DMatrix::from_row_slice(1, 10, &y);
            assert_eq!(cross_entropy_labels(&y, &[2_u8]).unwrap(), expected);
            let t = DMatrix::from_row_slice(1, 10, &T);
            assert_eq!(cross_entropy_batch(&y, &t).unwrap(), expected);
        }
    }

    #[test]
    fn one_hot_and_label_forms_agree_on_batches() {
        let mut rng = rng(4);
        for rows in [1, 3, 17, 200] {
            let y = random_probabilities(&mut rng, rows, 10);
            let labels = random_labels(&mut rng, rows, 10);
            let t: DMatrix<f64> = one_hot(&labels, 10).unwrap();
            assert_eq!(
                cross_entropy_batch(&y, &t).unwrap(),
                cross_entropy_labels(&y, &labels).unwrap(),
                "rows = {rows}"
            );
            assert_eq!(
                cross_entropy_grad_batch(&y, &t).unwrap(),
                cross_entropy_grad_labels(&y, &labels).unwrap()
            );
        }
    }

    #[test]
    fn batch_averages_over_rows() {
        let y = DMatrix::from_row_slice(2, 10, &[RIGHT, WRONG].concat());
        let loss = cross_entropy_labels(&y, &[2_usize, 2]).unwrap();
        assert_relative_eq!(
            loss,
            (0.510825457099338 + 2.302584092994546) / 2.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn f32_works() {
        let y: Vec<f32> = RIGHT.iter().map(|&v| v as f32).collect();
        let t: Vec<f32> = T.iter().map(|&v| v as f32).collect();
        assert_relative_eq!(
            cross_entropy(&y, &t).unwrap(),
            0.5108254_f32,
            max_relative = 1e-6
        );
        let y = DMatrix::from_row_slice(1, 10, &y);
        assert_relative_eq!(
            cross_entropy_labels(&y, &[3_u8]).unwrap(),
            16.118095_f32,
            max_relative = 1e-5
        );
    }

    #[test]
    fn zero_probability_costs_minus_ln_delta_and_nan_propagates() {
        // ln(0 + 1e-7): large but finite, the reason for delta.
        let y = [0.0, 1.0];
        assert_relative_eq!(
            cross_entropy(&y, &[1.0, 0.0]).unwrap(),
            -(1e-7_f64.ln()),
            max_relative = 1e-15
        );
        assert!(
            cross_entropy(&[f64::NAN, 1.0], &[1.0, 0.0])
                .unwrap()
                .is_nan()
        );
        // A negative "probability" below -delta has no logarithm.
        assert!(
            cross_entropy(&[-0.5_f64, 1.5], &[1.0, 0.0])
                .unwrap()
                .is_nan()
        );
        assert_eq!(cross_entropy::<f64>(&[], &[]).unwrap(), 0.0);
        // NaN outside the target column: the one-hot form sees it, the label form does not.
        let y = DMatrix::from_row_slice(1, 3, &[f64::NAN, 0.5, 0.5]);
        let t = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 0.0]);
        assert!(cross_entropy_batch(&y, &t).unwrap().is_nan());
        assert_relative_eq!(
            cross_entropy_labels(&y, &[1_u8]).unwrap(),
            -(0.5f64 + 1e-7).ln()
        );
        let y = [0.0, 1.0];
        // The gradient at y = 0 is finite too: -1 / 1e-7.
        assert_relative_eq!(
            cross_entropy_grad(&y, &[1.0, 0.0]).unwrap()[0],
            -1e7,
            max_relative = 1e-12
        );
    }

    #[test]
    fn bad_targets_are_errors_naming_the_problem() {
        let y = DMatrix::from_row_slice(2, 10, &[RIGHT, WRONG].concat());
        let err = cross_entropy_labels(&y, &[2_u8, 10]).unwrap_err();
        assert_eq!(
            err,
            Error::LabelOutOfRange {
                row: 1,
                label: 10,
                classes: 10
            }
        );
        assert_eq!(
            err.to_string(),
            "label 10 in row 1 is outside the class range 0..10"
        );
        let err = cross_entropy_grad_labels(&y, &[2_u8]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 labels given for a prediction of 2 rows (one label per row)"
        );
        let err = cross_entropy_batch(&y, &DMatrix::zeros(2, 9)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "target shape 2x9 does not match prediction shape 2x10"
        );
        let empty = DMatrix::<f64>::zeros(0, 10);
        assert_eq!(
            cross_entropy_labels::<f64, u8>(&empty, &[]),
            Err(Error::EmptyBatch { rows: 0, cols: 10 })
        );
        assert_eq!(
            cross_entropy(&RIGHT, &T[1..]),
            Err(Error::LengthMismatch {
                prediction: 10,
                target: 9
            })
        );
        assert!(cross_entropy_grad(&RIGHT[1..], &T).is_err());
    }

    #[test]
    fn gradients_match_central_differences_at_random_points() {
        let mut rng = rng(3);
        for _ in 0..5 {
            let y = random_probabilities(&mut rng, 5, 6);
            let labels = random_labels(&mut rng, 5, 6);
            // Soft targets exercise every element of the one-hot form's gradient.
            let t = random_probabilities(&mut rng, 5, 6);

            let numeric = central_gradient(|y| cross_entropy_labels(y, &labels).unwrap(), &y);
            assert_gradient(&cross_entropy_grad_labels(&y, &labels).unwrap(), &numeric);

            let numeric = central_gradient(|y| cross_entropy_batch(y, &t).unwrap(), &y);
            assert_gradient(&cross_entropy_grad_batch(&y, &t).unwrap(), &numeric);

            let row = DMatrix::from_column_slice(6, 1, y.row(1).transpose().as_slice());
            let target = t.row(1).transpose();
            let numeric = central_gradient(
                |y| cross_entropy(y.as_slice(), target.as_slice()).unwrap(),
                &row,
            );
            let analytic = cross_entropy_grad(row.as_slice(), target.as_slice()).unwrap();
            assert_gradient(&DMatrix::from_column_slice(6, 1, &analytic), &numeric);
        }
    }
}

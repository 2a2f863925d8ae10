//! Squared error, the book's `0.5 * sum((y - t)^2)`, and its gradient.

use nalgebra::{DMatrix, RealField};

use crate::check::{self, batch_size};
use crate::error::Result;
use crate::sum::pairwise_sum;

/// Squared error of one sample: `0.5 * sum_i (y_i - t_i)^2` (halved, not averaged).
///
/// The half makes the gradient simply `y - t` ([`squared_error_grad`]). An empty sample gives
/// 0; a NaN anywhere gives NaN.
///
/// ```
/// let t = [0.0, 0.0, 1.0];
/// assert_eq!(nabla_loss::squared_error(&[0.0, 0.0, 1.0], &t)?, 0.0);
/// assert_eq!(nabla_loss::squared_error(&[0.0, 1.0, 0.0], &t)?, 1.0);
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) if `t` is not as long as `y`.
pub fn squared_error<T: RealField + Copy>(y: &[T], t: &[T]) -> Result<T> {
    check::same_len(y, t)?;
    let sum = pairwise_sum(y.len(), &|i| {
        let d = y[i] - t[i];
        d * d
    });
    Ok(half::<T>() * sum)
}

/// Squared error of a batch (one sample per row): the mean over rows of [`squared_error`],
/// `0.5 * sum_ij (y_ij - t_ij)^2 / B` for `B` rows.
///
/// Averaging over the batch (and not over the columns) keeps the loss of a one-row batch equal
/// to the single-sample loss and makes it comparable across batch sizes, as the batch
/// cross-entropy does.
///
/// # Errors
///
/// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) if `t` is not shaped like `y`;
/// [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `y` has no rows or no columns.
pub fn squared_error_batch<T: RealField + Copy>(y: &DMatrix<T>, t: &DMatrix<T>) -> Result<T> {
    check::batch_and_target(y, t)?;
    // Row by row, so that a one-row batch is the single-sample loss bit for bit.
    let sum = pairwise_sum(y.nrows(), &|i| {
        pairwise_sum(y.ncols(), &|j| {
            let d = y[(i, j)] - t[(i, j)];
            d * d
        })
    });
    Ok(half::<T>() * sum / batch_size(y))
}

/// Gradient of [`squared_error`] with respect to `y`: `y - t`.
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) if `t` is not as long as `y`.
pub fn squared_error_grad<T: RealField + Copy>(y: &[T], t: &[T]) -> Result<Vec<T>> {
    check::same_len(y, t)?;
    Ok(y.iter().zip(t).map(|(&y, &t)| y - t).collect())
}

/// Gradient of [`squared_error_batch`] with respect to `y`: `(y - t) / B` for `B` rows.
///
/// # Errors
///
/// As [`squared_error_batch`].
pub fn squared_error_grad_batch<T: RealField + Copy>(
    y: &DMatrix<T>,
    t: &DMatrix<T>,
) -> Result<DMatrix<T>> {
    check::batch_and_target(y, t)?;
    let b = batch_size(y);
    Ok(y.zip_map(t, |y, t| (y - t) / b))
}

/// One half in `T`.
fn half<T: RealField + Copy>() -> T {
    nalgebra::convert(0.5)
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use nalgebra::DMatrix;

    use super::*;
    use crate::Error;
    use crate::test_util::{assert_gradient, central_gradient, random_matrix, rng};

    /// The book's two predictions for the target `one_hot(2)`.
    const RIGHT: [f64; 10] = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
    const WRONG: [f64; 10] = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0];
    const T: [f64; 10] = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];

    #[test]
    fn book_numbers_to_the_last_digit() {
        // Exact prints of f64 in the book's notebook.
        assert_eq!(squared_error(&RIGHT, &T).unwrap(), 0.09750000000000003);
        assert_eq!(squared_error(&WRONG, &T).unwrap(), 0.5975);
    }

    #[test]
    fn batch_is_the_mean_of_the_rows() {
        let y = DMatrix::from_row_slice(2, 10, &[RIGHT, WRONG].concat());
        let t = DMatrix::from_row_slice(2, 10, &[T, T].concat());
        let batch = squared_error_batch(&y, &t).unwrap();
        assert_relative_eq!(
            batch,
            (0.09750000000000003 + 0.5975) / 2.0,
            max_relative = 1e-15
        );
        // A one-row batch is the single sample, bit for bit.
        let y1 = DMatrix::from_row_slice(1, 10, &RIGHT);
        let t1 = DMatrix::from_row_slice(1, 10, &T);
        assert_eq!(squared_error_batch(&y1, &t1).unwrap(), 0.09750000000000003);
    }

    #[test]
    fn f32_works() {
        let y: Vec<f32> = RIGHT.iter().map(|&v| v as f32).collect();
        let t: Vec<f32> = T.iter().map(|&v| v as f32).collect();
        assert_relative_eq!(
            squared_error(&y, &t).unwrap(),
            0.0975_f32,
            max_relative = 1e-6
        );
        assert_eq!(squared_error_grad(&y, &t).unwrap()[2], 0.6_f32 - 1.0);
    }

    #[test]
    fn edges_zero_huge_nan_and_empty() {
        assert_eq!(squared_error::<f64>(&[], &[]).unwrap(), 0.0);
        assert_eq!(squared_error(&[1e200], &[-1e200]).unwrap(), f64::INFINITY);
        assert_eq!(squared_error(&[-3.0], &[-3.0]).unwrap(), 0.0);
        assert!(
            squared_error(&[f64::NAN, 0.0], &[0.0, 0.0])
                .unwrap()
                .is_nan()
        );
        let g = squared_error_grad(&[f64::NAN, 2.0], &[0.0, 0.5]).unwrap();
        assert!(g[0].is_nan());
        assert_eq!(g[1], 1.5);
    }

    #[test]
    fn mismatched_targets_are_errors() {
        assert_eq!(
            squared_error(&RIGHT, &T[..9]),
            Err(Error::LengthMismatch {
                prediction: 10,
                target: 9
            })
        );
        assert_eq!(
            squared_error_grad(&RIGHT[..3], &T),
            Err(Error::LengthMismatch {
                prediction: 3,
                target: 10
            })
        );
        let y = DMatrix::<f64>::zeros(2, 10);
        let err = squared_error_batch(&y, &DMatrix::zeros(3, 10)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "target shape 3x10 does not match prediction shape 2x10"
        );
        let empty = DMatrix::<f64>::zeros(0, 10);
        assert_eq!(
            squared_error_grad_batch(&empty, &empty),
            Err(Error::EmptyBatch { rows: 0, cols: 10 })
        );
    }

    #[test]
    fn gradients_match_central_differences_at_random_points() {
        let mut rng = rng(2);
        for _ in 0..5 {
            let y = random_matrix(&mut rng, 4, 7, -3.0, 3.0);
            let t = random_matrix(&mut rng, 4, 7, -3.0, 3.0);
            let numeric = central_gradient(|y| squared_error_batch(y, &t).unwrap(), &y);
            assert_gradient(&squared_error_grad_batch(&y, &t).unwrap(), &numeric);

            let row = y.row(0).transpose();
            let target = t.row(0).transpose();
            let numeric = central_gradient(
                |y| squared_error(y.as_slice(), target.as_slice()).unwrap(),
                &DMatrix::from_column_slice(7, 1, row.as_slice()),
            );
            let analytic = squared_error_grad(row.as_slice(), target.as_slice()).unwrap();
            assert_gradient(&DMatrix::from_column_slice(7, 1, &analytic), &numeric);
        }
    }
}

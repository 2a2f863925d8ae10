//! Accuracy: the fraction of samples whose predicted class is the target class.

use nalgebra::{DMatrix, RealField};

use crate::argmax::argmax_rows;
use crate::check;
use crate::error::Result;

/// The fraction of rows of `y` whose [`argmax`](crate::argmax) equals the row's label, the
/// book's `np.sum(argmax(y, axis=1) == t) / B`.
///
/// Ties go to the first column and a NaN row predicts its first NaN column, as in
/// [`argmax`](crate::argmax).
///
/// ```
/// use nalgebra::DMatrix;
///
/// let y = DMatrix::from_row_slice(4, 2, &[0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]);
/// assert_eq!(nabla_loss::accuracy(&y, &[0_u8, 1, 1, 1])?, 0.75);
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LabelCountMismatch`](crate::Error::LabelCountMismatch) unless there is one label
/// per row; [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `y` has no rows or no columns;
/// [`Error::LabelOutOfRange`](crate::Error::LabelOutOfRange) for a label `>= y.ncols()` (a
/// label that no prediction could match is bad data, not a miss).
pub fn accuracy<T, L>(y: &DMatrix<T>, labels: &[L]) -> Result<f64>
where
    T: RealField + Copy,
    L: Copy + Into<usize>,
{
    let labels = check::batch_and_labels(y, labels)?;
    let hits = argmax_rows(y)
        .iter()
        .zip(&labels)
        .filter(|(p, l)| p == l)
        .count();
    Ok(hits as f64 / labels.len() as f64)
}

/// The fraction of rows of `y` whose [`argmax`](crate::argmax) equals that of the one-hot
/// target row, the book's form for `one_hot_label=True`.
///
/// # Errors
///
/// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) if `t` is not shaped like `y`;
/// [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `y` has no rows or no columns.
pub fn accuracy_one_hot<T: RealField + Copy>(y: &DMatrix<T>, t: &DMatrix<T>) -> Result<f64> {
    check::batch_and_target(y, t)?;
    let hits = argmax_rows(y)
        .iter()
        .zip(argmax_rows(t))
        .filter(|&(p, l)| *p == l)
        .count();
    Ok(hits as f64 / y.nrows() as f64)
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;

    use super::*;
    use crate::test_util::{random_labels, random_probabilities, rng};
    use crate::{Error, one_hot};

    #[test]
    fn book_predictions() {
        let y = DMatrix::from_row_slice(
            2,
            10,
            &[
                0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0, // predicts 2
                0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0, // predicts 7
            ],
        );
        assert_eq!(accuracy(&y, &[2_u8, 2]).unwrap(), 0.5);
        assert_eq!(accuracy(&y, &[2_usize, 7]).unwrap(), 1.0);
        assert_eq!(accuracy(&y, &[0_u8, 0]).unwrap(), 0.0);
    }

    #[test]
    fn label_and_one_hot_forms_agree() {
        let mut rng = rng(7);
        for rows in [1, 10, 333] {
            let y = random_probabilities(&mut rng, rows, 10);
            let labels = random_labels(&mut rng, rows, 10);
            let t = one_hot(&labels, 10).unwrap();
            let a = accuracy(&y, &labels).unwrap();
            assert_eq!(a, accuracy_one_hot(&y, &t).unwrap());
            let expected = argmax_rows(&y)
                .iter()
                .zip(&labels)
                .filter(|(p, l)| p == l)
                .count();
            assert_eq!(a, expected as f64 / rows as f64);
        }
    }

    #[test]
    fn nan_rows_and_f32() {
        let y = DMatrix::from_row_slice(2, 2, &[f32::NAN, 0.0, 0.2, 0.8]);
        // The NaN row predicts class 0.
        assert_eq!(accuracy(&y, &[0_u8, 1]).unwrap(), 1.0);
        assert_eq!(accuracy(&y, &[1_u8, 1]).unwrap(), 0.5);
    }

    #[test]
    fn bad_targets_are_errors() {
        let y = DMatrix::<f64>::zeros(2, 10);
        assert_eq!(
            accuracy(&y, &[1_u8, 10]).unwrap_err().to_string(),
            "label 10 in row 1 is outside the class range 0..10"
        );
        assert_eq!(
            accuracy(&y, &[1_u8]),
            Err(Error::LabelCountMismatch { rows: 2, labels: 1 })
        );
        assert_eq!(
            accuracy_one_hot(&y, &DMatrix::zeros(2, 9)),
            Err(Error::ShapeMismatch {
                prediction: (2, 10),
                target: (2, 9)
            })
        );
        let empty = DMatrix::<f64>::zeros(0, 10);
        assert_eq!(
            accuracy::<f64, u8>(&empty, &[]),
            Err(Error::EmptyBatch { rows: 0, cols: 10 })
        );
        let no_classes = DMatrix::<f64>::zeros(2, 0);
        assert_eq!(
            accuracy_one_hot(&no_classes, &no_classes),
            Err(Error::EmptyBatch { rows: 2, cols: 0 })
        );
    }
}

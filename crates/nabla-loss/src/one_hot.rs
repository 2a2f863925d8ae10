//! One-hot encoding of class labels.

use nalgebra::{DMatrix, RealField};

use crate::check;
use crate::error::Result;

/// A `labels.len() x classes` matrix with a 1 in column `labels[i]` of row `i` and 0
/// elsewhere: the book's `one_hot_label=True`.
///
/// ```
/// let t: nalgebra::DMatrix<f64> = nabla_loss::one_hot(&[2_u8, 0], 3)?;
/// assert_eq!(t, nalgebra::DMatrix::from_row_slice(2, 3, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]));
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LabelOutOfRange`](crate::Error::LabelOutOfRange) for the first label that is not
/// below `classes` (with `classes = 0`, any label).
pub fn one_hot<T, L>(labels: &[L], classes: usize) -> Result<DMatrix<T>>
where
    T: RealField + Copy,
    L: Copy + Into<usize>,
{
    let indices = check::class_indices(labels, classes)?;
    let mut t = DMatrix::zeros(labels.len(), classes);
    for (i, &j) in indices.iter().enumerate() {
        t[(i, j)] = T::one();
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;

    use super::*;
    use crate::Error;

    #[test]
    fn the_books_target() {
        let t: DMatrix<f64> = one_hot(&[2_u8], 10).unwrap();
        let expected = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(t, DMatrix::from_row_slice(1, 10, &expected));
    }

    #[test]
    fn u8_and_usize_labels_and_f32() {
        let a: DMatrix<f32> = one_hot(&[0_u8, 9, 5], 10).unwrap();
        let b: DMatrix<f32> = one_hot(&[0_usize, 9, 5], 10).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.shape(), (3, 10));
        assert_eq!(a.sum(), 3.0);
        assert_eq!((a[(1, 9)], a[(2, 5)]), (1.0, 1.0));
    }

    #[test]
    fn empty_and_out_of_range() {
        let t: DMatrix<f64> = one_hot::<f64, u8>(&[], 10).unwrap();
        assert_eq!(t.shape(), (0, 10));
        let err = one_hot::<f64, u8>(&[1, 2, 255], 10).unwrap_err();
        assert_eq!(
            err,
            Error::LabelOutOfRange {
                row: 2,
                label: 255,
                classes: 10
            }
        );
        assert_eq!(
            err.to_string(),
            "label 255 in row 2 is outside the class range 0..10"
        );
        assert!(one_hot::<f64, usize>(&[0], 0).is_err());
    }
}

//! Validation of targets against predictions, and the batch size, shared by every loss.

use nalgebra::{DMatrix, RealField, Scalar};

use crate::error::{Error, Result};

/// A single sample's target must have the prediction's length.
pub(crate) fn same_len<T>(y: &[T], t: &[T]) -> Result<()> {
    if y.len() == t.len() {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            prediction: y.len(),
            target: t.len(),
        })
    }
}

/// A batch must have at least one row and one column.
pub(crate) fn non_empty<T: Scalar>(y: &DMatrix<T>) -> Result<()> {
    if y.nrows() == 0 || y.ncols() == 0 {
        Err(Error::EmptyBatch {
            rows: y.nrows(),
            cols: y.ncols(),
        })
    } else {
        Ok(())
    }
}

/// A non-empty batch with a target of the same shape.
pub(crate) fn batch_and_target<T: Scalar>(y: &DMatrix<T>, t: &DMatrix<T>) -> Result<()> {
    if y.shape() != t.shape() {
        return Err(Error::ShapeMismatch {
            prediction: y.shape(),
            target: t.shape(),
        });
    }
    non_empty(y)
}

/// A non-empty batch with one in-range label per row; returns the labels as indices.
pub(crate) fn batch_and_labels<T: Scalar, L: Copy + Into<usize>>(
    y: &DMatrix<T>,
    labels: &[L],
) -> Result<Vec<usize>> {
    if labels.len() != y.nrows() {
        return Err(Error::LabelCountMismatch {
            rows: y.nrows(),
            labels: labels.len(),
        });
    }
    non_empty(y)?;
    class_indices(labels, y.ncols())
}

/// Every label as an index below `classes`, or the first one that is not.
pub(crate) fn class_indices<L: Copy + Into<usize>>(
    labels: &[L],
    classes: usize,
) -> Result<Vec<usize>> {
    labels
        .iter()
        .enumerate()
        .map(|(row, &label)| {
            let label: usize = label.into();
            if label < classes {
                Ok(label)
            } else {
                Err(Error::LabelOutOfRange {
                    row,
                    label,
                    classes,
                })
            }
        })
        .collect()
}

/// The number of rows of `y`, as a `T` to divide a batch sum by.
pub(crate) fn batch_size<T: RealField + Copy>(y: &DMatrix<T>) -> T {
    nalgebra::convert(y.nrows() as f64)
}

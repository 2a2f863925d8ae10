//! Checking data from outside against a network: the shape of a batch and its class labels.
//!
//! Every public function that takes a batch runs [`check_batch`] first, so that the numeric
//! code behind it can index without checking and never panics on a caller's data. The
//! training loop checks its two data sets once, before the first step, not per step.

use std::sync::OnceLock;

use crate::Error;

/// Checks that every label is below `classes`, so that the network's loss and the training
/// loop never index out of range.
///
/// # Errors
///
/// [`Error::Label`] naming the first row whose label is `classes` or more.
pub(crate) fn check_labels(labels: &[usize], classes: usize) -> Result<(), Error> {
    match labels.iter().position(|&t| t >= classes) {
        Some(row) => Err(Error::Label {
            row,
            label: labels[row],
            classes,
        }),
        None => Ok(()),
    }
}

/// Checks that the samples of `name` (`"the batch"`, `"x"`, ...) have `cols` values each,
/// one per network input.
pub(crate) fn check_inputs(name: &str, inputs: usize, cols: usize) -> Result<(), Error> {
    if cols == inputs {
        Ok(())
    } else {
        Err(Error::Shape {
            what: format!("inputs per sample in {name}"),
            expected: inputs,
            got: cols,
        })
    }
}

/// [`check_batch`] of a batch `x` and its `labels` against `net`, as "the batch": what every
/// gradient checks before any arithmetic.
pub(crate) fn check_net_batch<T: nalgebra::Scalar + Copy>(
    net: &crate::TwoLayerNet<T>,
    x: &nalgebra::DMatrix<T>,
    labels: &[usize],
) -> Result<(), Error> {
    let sizes = net.sizes();
    check_batch("the batch", sizes.input, sizes.output, x.shape(), labels)
}

/// Checks a batch of `rows x cols` with its `labels` against a network of `inputs` inputs and
/// `classes` outputs: one column per input, one label per row, at least one row, every label
/// below `classes`. `name` says which data it is in the messages (`"the batch"`,
/// `"the test set"`). Cost: one pass over the labels.
pub(crate) fn check_batch(
    name: &'static str,
    inputs: usize,
    classes: usize,
    (rows, cols): (usize, usize),
    labels: &[usize],
) -> Result<(), Error> {
    check_inputs(name, inputs, cols)?;
    if labels.len() != rows {
        return Err(Error::Shape {
            what: format!("labels for {name} (one per sample)"),
            expected: rows,
            got: labels.len(),
        });
    }
    if rows == 0 {
        return Err(Error::Empty { what: name });
    }
    check_labels(labels, classes)
}

/// The first error of a loss evaluated inside a callback that must return a number (finite
/// differences, dual numbers): the callback returns NaN and keeps the error here, and the
/// caller reports it after the callback's driver returns. Callers check their data first, so
/// this only stands between an impossible failure and a panic.
pub(crate) struct FirstError(OnceLock<Error>);

impl FirstError {
    pub(crate) fn new() -> Self {
        FirstError(OnceLock::new())
    }

    /// The value of `result`, or `nan` after keeping its error (the first one only).
    pub(crate) fn value_or<T>(&self, result: Result<T, Error>, nan: T) -> T {
        result.unwrap_or_else(|e| {
            let _ = self.0.set(e);
            nan
        })
    }

    /// The kept error, if there is one.
    pub(crate) fn into_error(self) -> Option<Error> {
        self.0.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_label_is_named() {
        assert!(check_labels(&[0, 9, 3], 10).is_ok());
        let err = check_labels(&[0, 10, 12], 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "label 10 at row 1 is out of range: the network has 10 outputs"
        );
    }

    #[test]
    fn a_batch_is_checked_in_a_fixed_order() {
        assert!(check_batch("the batch", 4, 3, (2, 4), &[0, 2]).is_ok());
        let columns = check_batch("the batch", 4, 3, (2, 5), &[0, 9]).unwrap_err();
        assert_eq!(
            columns.to_string(),
            "shape mismatch: inputs per sample in the batch: expected 4, got 5"
        );
        let count = check_batch("the test set", 4, 3, (2, 4), &[0]).unwrap_err();
        assert_eq!(
            count.to_string(),
            "shape mismatch: labels for the test set (one per sample): expected 2, got 1"
        );
        let empty = check_batch("the batch", 4, 3, (0, 4), &[]).unwrap_err();
        assert_eq!(
            empty.to_string(),
            "the batch is empty: at least one sample is needed"
        );
        assert!(matches!(
            check_batch("the batch", 4, 3, (3, 4), &[0, 2, 3]),
            Err(Error::Label {
                row: 2,
                label: 3,
                classes: 3
            })
        ));
    }

    #[test]
    fn first_error_keeps_the_first() {
        let kept = FirstError::new();
        assert_eq!(kept.value_or(Ok(1.5), f64::NAN), 1.5);
        let v = kept.value_or(Err(Error::Empty { what: "one" }), f64::NAN);
        assert!(v.is_nan());
        kept.value_or(Err(Error::Empty { what: "two" }), f64::NAN);
        assert!(matches!(
            kept.into_error(),
            Some(Error::Empty { what: "one" })
        ));
        assert!(FirstError::new().into_error().is_none());
    }
}

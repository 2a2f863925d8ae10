//! The one error type of the crate: targets that do not fit the prediction.

/// Shorthand for `Result<T, nabla_loss::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A target that does not fit the prediction it is compared with.
///
/// Targets (one-hot rows, label lists) come from data, so a mistake in them is reported, not
/// panicked on. Each message names what was wrong and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A class label that is not a valid column index of the prediction.
    #[error("label {label} in row {row} is outside the class range 0..{classes}")]
    LabelOutOfRange {
        /// Row (sample index) of the label.
        row: usize,
        /// The label found there.
        label: usize,
        /// The number of classes: valid labels are `0..classes`.
        classes: usize,
    },
    /// A batch target whose shape differs from the prediction's.
    #[error(
        "target shape {}x{} does not match prediction shape {}x{}",
        .target.0, .target.1, .prediction.0, .prediction.1
    )]
    ShapeMismatch {
        /// Rows and columns of the prediction.
        prediction: (usize, usize),
        /// Rows and columns of the target.
        target: (usize, usize),
    },
    /// A single-sample target whose length differs from the prediction's.
    #[error("target length {target} does not match prediction length {prediction}")]
    LengthMismatch {
        /// Length of the prediction.
        prediction: usize,
        /// Length of the target.
        target: usize,
    },
    /// A list of labels whose length differs from the number of rows of the prediction.
    #[error("{labels} labels given for a prediction of {rows} rows (one label per row)")]
    LabelCountMismatch {
        /// Rows (samples) of the prediction.
        rows: usize,
        /// Number of labels given.
        labels: usize,
    },
    /// A batch without samples, or samples without classes: its mean is undefined.
    #[error(
        "empty batch: prediction is {rows}x{cols}, a batch needs at least one row and one column"
    )]
    EmptyBatch {
        /// Rows (samples) of the prediction.
        rows: usize,
        /// Columns (classes or outputs) of the prediction.
        cols: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place_and_the_expectation() {
        let cases = [
            (
                Error::LabelOutOfRange {
                    row: 3,
                    label: 12,
                    classes: 10,
                },
                "label 12 in row 3 is outside the class range 0..10",
            ),
            (
                Error::ShapeMismatch {
                    prediction: (2, 10),
                    target: (3, 10),
                },
                "target shape 3x10 does not match prediction shape 2x10",
            ),
            (
                Error::LengthMismatch {
                    prediction: 10,
                    target: 9,
                },
                "target length 9 does not match prediction length 10",
            ),
            (
                Error::LabelCountMismatch {
                    rows: 100,
                    labels: 99,
                },
                "99 labels given for a prediction of 100 rows (one label per row)",
            ),
            (
                Error::EmptyBatch { rows: 0, cols: 10 },
                "empty batch: prediction is 0x10, a batch needs at least one row and one column",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}

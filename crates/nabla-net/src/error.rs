//! The crate's error type.

use std::path::PathBuf;

/// What can go wrong when building, training, saving or loading a network.
///
/// Numeric code inside the crate panics only on programmer errors (documented under
/// `# Panics`); everything that depends on outside input (sizes, hyper-parameters, labels,
/// files) comes back as one of these variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A layer size, batch size or iteration count that must be positive was zero.
    #[error("{what} must be at least 1, got 0")]
    Zero {
        /// Which quantity was zero (`"batch size"`, `"hidden size"`, ...).
        what: &'static str,
    },
    /// A real-valued setting (learning rate, weight scale) was not finite and positive.
    #[error("{what} must be a finite number greater than 0, got {value}")]
    NotPositive {
        /// Which setting (`"learning rate"`, ...).
        what: &'static str,
        /// The value that was given.
        value: f64,
    },
    /// Two things that must have matching shapes do not.
    #[error("shape mismatch: {what}: expected {expected}, got {got}")]
    Shape {
        /// What was being matched (`"w1 rows"`, `"training labels"`, ...).
        what: String,
        /// The expected size.
        expected: usize,
        /// The size that was found.
        got: usize,
    },
    /// A class label is not below the number of outputs.
    #[error("label {label} at row {row} is out of range: the network has {classes} outputs")]
    Label {
        /// The row of the data set that holds the label.
        row: usize,
        /// The label found there.
        label: usize,
        /// The number of classes (outputs) of the network.
        classes: usize,
    },
    /// The loss became NaN or infinite during training.
    #[error(
        "the loss became {loss} at iteration {iteration}: training diverged; \
         try a smaller learning rate than {learning_rate}"
    )]
    Diverged {
        /// The iteration (0-based) whose loss was not finite.
        iteration: usize,
        /// The loss that was computed there.
        loss: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
    /// A loss or an accuracy rejected its batch for a reason other than an out-of-range label
    /// (which is [`Error::Label`]): nabla-loss's error, such as a label count that is not one
    /// per row, or an empty batch.
    #[error("loss: {0}")]
    Loss(nabla_loss::Error),
    /// A finite-difference gradient failed (the loss was not finite at a probed point).
    #[error("numerical gradient: {0}")]
    NumDiff(#[from] nabla_numdiff::Error),
    /// Reading or writing a model file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A model file is not valid: truncated, damaged, or of another format version.
    #[error("{path}: not a valid nabla model file: {reason}")]
    Format {
        /// The file that was read.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

impl From<nabla_loss::Error> for Error {
    /// An out-of-range label becomes [`Error::Label`], the error [`check_labels`](crate::check_labels)
    /// gives for the same data; everything else is [`Error::Loss`].
    fn from(e: nabla_loss::Error) -> Self {
        match e {
            nabla_loss::Error::LabelOutOfRange {
                row,
                label,
                classes,
            } => Error::Label {
                row,
                label,
                classes,
            },
            other => Error::Loss(other),
        }
    }
}

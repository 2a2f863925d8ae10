//! The crate's error type.

use std::path::PathBuf;

/// What can go wrong when building, training, saving or loading a network.
///
/// Numeric code inside the crate panics only on programmer errors (documented under
/// `# Panics`, such as comparing the gradients of two different networks); everything that
/// depends on outside input (sizes, hyper-parameters, the shape of a batch, labels, files)
/// comes back as one of these variants.
///
/// The variants come in four groups, by what the caller did: configured something
/// ([`ErrorKind::Configure`]), gave data ([`ErrorKind::Data`]), trained or differentiated
/// ([`ErrorKind::Train`]), or saved or loaded a model ([`ErrorKind::ModelFile`]).
/// [`Error::kind`] tells the group, for a caller that handles a whole group alike; the
/// variant says exactly what was wrong and where.
///
/// ```
/// use nabla_net::{ErrorKind, TrainConfig};
///
/// let e = TrainConfig::builder().batch_size(0).build().unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Configure);
/// assert_eq!(e.to_string(), "batch size must be at least 1, got 0");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // Configure: a size, a setting or the environment that cannot work.
    /// A layer size, batch size or iteration count that must be positive was zero.
    #[error("{what} must be at least 1, got 0")]
    Zero {
        /// Which quantity was zero (`"batch size"`, `"hidden size"`, ...).
        what: &'static str,
    },
    /// A real-valued setting (learning rate, weight scale) was not finite and positive.
    // `{:?}` prints an f64 in the shortest form that reads back, in exponent notation when
    // it is huge or tiny (`1e308`, not 309 digits).
    #[error("{what} must be a finite number greater than 0, got {value:?}")]
    NotPositive {
        /// Which setting (`"learning rate"`, ...).
        what: &'static str,
        /// The value that was given.
        value: f64,
    },
    /// A network too large to build: its parameter count does not fit in a `usize`, or the
    /// memory for its weights cannot be allocated.
    #[error("the network {sizes} is too large: {reason}")]
    TooLarge {
        /// The sizes asked for.
        sizes: crate::Sizes,
        /// What did not fit.
        reason: String,
    },
    /// A setting read from the environment has a value this crate does not know.
    #[error("{name} is {value:?}; expected one of {expected}")]
    Setting {
        /// The environment variable (`"NABLA_SIMD"`).
        name: &'static str,
        /// The value it has.
        value: String,
        /// The values it may have.
        expected: &'static str,
    },
    // Data: a batch or a data set that does not fit the network.
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
    /// A batch or data set with no rows, where at least one is needed (a loss, an accuracy,
    /// a gradient or a training set of nothing is undefined).
    #[error("{what} is empty: at least one sample is needed")]
    Empty {
        /// Which data (`"the batch"`, `"the test set"`, ...).
        what: &'static str,
    },
    /// More of something asked for than there is (the first 70000 of 60000 images).
    #[error("asked for the first {asked} {what}, but there are only {available}")]
    TooFew {
        /// What was counted (`"images"`).
        what: &'static str,
        /// How many were asked for.
        asked: usize,
        /// How many there are.
        available: usize,
    },
    /// A mini-batch larger than the training set it is drawn from.
    #[error("batch size {batch} is more than the {available} samples of the training set")]
    BatchTooLarge {
        /// The batch size asked for.
        batch: usize,
        /// The number of samples in the training set.
        available: usize,
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
    /// nabla-loss rejected a batch for a reason that nabla-net does not check itself first
    /// (nabla-net checks the shape, the label count, emptiness and the label range before it
    /// calls nabla-loss, and reports those as [`Error::Shape`], [`Error::Empty`] and
    /// [`Error::Label`]).
    #[error("loss: {0}")]
    Loss(nabla_loss::Error),
    // Train: the numbers went wrong while training or differentiating.
    /// The loss became NaN or infinite during training. At iteration 0 no update has
    /// happened yet, so the message blames the initial weights, not the learning rate.
    #[error("{}", diverged_message(*iteration, *loss, *learning_rate))]
    Diverged {
        /// The iteration (0-based) whose loss was not finite.
        iteration: usize,
        /// The loss that was computed there.
        loss: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
    /// The loss stayed finite but ended above where it started (see
    /// [`check_loss_trend`](crate::check_loss_trend)): the steps made the network worse.
    #[error(
        "the loss rose instead of falling: its mean over the last {window} iterations is \
         {last_mean:.4}, above the first iteration's {first:.4} by more than {:.1}% (what the \
         noise of mini-batch losses allows); training diverged; try a smaller learning rate \
         than {learning_rate:?}",
        100.0 * tolerance
    )]
    LossRose {
        /// The loss of iteration 0.
        first: f64,
        /// The mean loss of the last `window` iterations.
        last_mean: f64,
        /// How many of the last iterations were averaged (one epoch, or half the run).
        window: usize,
        /// The relative rise above `first` that was allowed (at least 5%, more when the
        /// losses are noisy).
        tolerance: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
    /// The last update of a run made a parameter NaN or infinite (its loss, computed before
    /// the update, was still finite).
    #[error(
        "the update of iteration {iteration} made {parameter} {value}: training diverged; \
         try a smaller learning rate than {learning_rate:?}"
    )]
    NonFiniteParameter {
        /// The iteration (0-based) whose update did it.
        iteration: usize,
        /// The first such parameter, as `w1[row, col]` or `b2[i]`.
        parameter: String,
        /// Its value.
        value: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
    /// A finite-difference gradient failed (the loss was not finite at a probed point).
    #[error("numerical gradient: {0}")]
    NumDiff(#[from] nabla_numdiff::Error),
    // ModelFile: saving or loading a model: the file or what it holds.
    /// Reading or writing a model file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A model path names something other than a regular file: a symlink, FIFO, device,
    /// socket or directory. Loading refuses it before opening it (a FIFO would block, a
    /// device never end); saving refuses to replace it (a rename would destroy the link or
    /// the device node rather than write where it points).
    #[error("{path}: is {kind}; a model is read from and written over regular files only")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is ("a symlink", "a FIFO", ...).
        kind: &'static str,
    },
    /// A model file is larger than any model the loader accepts could be.
    #[error(
        "{path}: {len} bytes is more than the {max} bytes of the largest model file \
         nabla reads ({} parameters at most)",
        crate::MAX_MODEL_PARAMETERS
    )]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// [`MAX_MODEL_FILE_BYTES`](crate::MAX_MODEL_FILE_BYTES).
        max: u64,
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

/// What the caller was doing when an [`Error`] happened: the group its variant belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Configuring: a size, a hyper-parameter or an environment setting that cannot work
    /// ([`Error::Zero`], [`Error::NotPositive`], [`Error::TooLarge`], [`Error::Setting`]).
    Configure,
    /// Giving data: a batch or a data set that does not fit the network ([`Error::Shape`],
    /// [`Error::Empty`], [`Error::TooFew`], [`Error::BatchTooLarge`], [`Error::Label`],
    /// [`Error::Loss`]).
    Data,
    /// Training or differentiating: the numbers went wrong on the way ([`Error::Diverged`],
    /// [`Error::LossRose`], [`Error::NonFiniteParameter`], [`Error::NumDiff`]).
    Train,
    /// Saving or loading a model: the file, or what it holds ([`Error::Io`],
    /// [`Error::NotAFile`], [`Error::FileTooLarge`], [`Error::Format`]).
    ModelFile,
}

impl Error {
    /// The group of this error, by what the caller did (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Zero { .. }
            | Error::NotPositive { .. }
            | Error::TooLarge { .. }
            | Error::Setting { .. } => ErrorKind::Configure,
            Error::Shape { .. }
            | Error::Empty { .. }
            | Error::TooFew { .. }
            | Error::BatchTooLarge { .. }
            | Error::Label { .. }
            | Error::Loss(_) => ErrorKind::Data,
            Error::Diverged { .. }
            | Error::LossRose { .. }
            | Error::NonFiniteParameter { .. }
            | Error::NumDiff(_) => ErrorKind::Train,
            Error::Io { .. }
            | Error::NotAFile { .. }
            | Error::FileTooLarge { .. }
            | Error::Format { .. } => ErrorKind::ModelFile,
        }
    }
}

/// The message of [`Error::Diverged`].
fn diverged_message(iteration: usize, loss: f64, learning_rate: f64) -> String {
    if iteration == 0 {
        format!(
            "the loss was {loss} at iteration 0, before the first update: the initial weights \
             alone make the network's outputs overflow, whatever the learning rate; start from \
             smaller initial weights"
        )
    } else {
        format!(
            "the loss became {loss} at iteration {iteration}: training diverged; \
             try a smaller learning rate than {learning_rate:?}"
        )
    }
}

impl From<nabla_loss::Error> for Error {
    /// An out-of-range label becomes [`Error::Label`], the error the network's own label check
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_is_grouped_by_what_the_caller_did() {
        use std::path::Path;

        use crate::{Sizes, TwoLayerNet, load_model};

        let kind = |e: Error| e.kind();
        // Configure: a network with no hidden unit.
        assert_eq!(kind(Sizes::new(4, 0, 2).unwrap_err()), ErrorKind::Configure);
        // Data: a batch with the wrong number of columns.
        let net = TwoLayerNet::<f64>::new(Sizes::new(4, 3, 2).unwrap(), 0.1, 0).unwrap();
        let x = nalgebra::DMatrix::<f64>::zeros(2, 5);
        assert_eq!(kind(net.loss(&x, &[0, 1]).unwrap_err()), ErrorKind::Data);
        // Train: the loss overflowed.
        let diverged = Error::Diverged {
            iteration: 3,
            loss: f64::NAN,
            learning_rate: 10.0,
        };
        assert_eq!(diverged.kind(), ErrorKind::Train);
        // Model file: a directory is not a model.
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            kind(load_model(dir.path()).unwrap_err()),
            ErrorKind::ModelFile
        );
        assert_eq!(
            kind(load_model(Path::new("/nonexistent/nabla/model.json")).unwrap_err()),
            ErrorKind::ModelFile
        );
    }

    #[test]
    fn huge_and_tiny_numbers_print_short() {
        let diverged = Error::Diverged {
            iteration: 1,
            loss: f64::INFINITY,
            learning_rate: 1e308,
        };
        assert_eq!(
            diverged.to_string(),
            "the loss became inf at iteration 1: training diverged; \
             try a smaller learning rate than 1e308"
        );
        let tiny = Error::NotPositive {
            what: "learning rate",
            value: -5e-324,
        };
        assert_eq!(
            tiny.to_string(),
            "learning rate must be a finite number greater than 0, got -5e-324"
        );
    }
}

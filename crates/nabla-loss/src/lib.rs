//! # nabla-loss
//!
//! The loss functions of chapter 4 of *Deep Learning from Scratch*, the numbers that tell a
//! network how wrong it is, each with the analytic gradient that tells it which way to move.
//!
//! A prediction is compared with a target. For one sample the prediction is a slice `&[T]`
//! (a `DVector` gives one with `.as_slice()`); for a batch it is a `DMatrix<T>` with one sample
//! per row. Targets are either a matrix of the same shape (one-hot rows, or any distribution)
//! or one class label per row (`&[u8]` as MNIST stores them, or `&[usize]`). Batch losses are
//! averaged over the rows, so that a learning rate means the same for any batch size.
//!
//! Every function is generic over the scalar `T: nalgebra::RealField + Copy`: the same code
//! runs in `f32`, in `f64`, and in the dual numbers of `nabla-dual`, which is how its
//! derivatives are checked against the hand-written gradients here and against finite
//! differences.
//!
//! * [`squared_error`]: the book's `0.5 * sum((y - t)^2)`, gradient `y - t`.
//! * [`cross_entropy`]: `-sum(t * ln(y + DELTA))` on probabilities, with the book's
//!   [`DELTA`] = 1e-7 guarding against `ln(0)`, gradient `-t / (y + DELTA)`; the label form
//!   [`cross_entropy_labels`] is the book's `y[arange(B), t]`.
//! * [`softmax`], [`log_softmax`] and their row-wise forms, with the maximum subtracted; all
//!   softmaxes are [`softmax_in_place`] of one row, which a training loop can call on its own
//!   buffers.
//! * [`softmax_cross_entropy_labels`]: softmax and cross-entropy in one step on logits,
//!   computed by log-sum-exp, finite for logits of 1000 and -1000; gradient
//!   `(softmax(z) - t) / B`. This is what a trainer should use. It has no `DELTA`; the book's
//!   exact form is `cross_entropy_labels(&softmax_rows(&z), labels)`, and
//!   [`softmax_then_cross_entropy`] is that form for one row, in place.
//! * [`argmax`], [`one_hot`] and [`accuracy`].
//!
//! Sums are taken in NumPy's pairwise order, so the book's prints are reproduced to the last
//! digit: the squared errors 0.09750000000000003 and 0.5975 and the cross-entropies
//! 0.510825457099338 and 2.302584092994546 of its two example predictions are all `assert_eq!`
//! in the tests.
//!
//! Targets come from data, so a label outside the class range, a target of the wrong shape,
//! or an empty batch is an [`Error`] that names the row, the value and what was expected. NaN
//! inputs are not errors: they propagate into the loss, as documented on each function.
//!
//! ```
//! use nabla_loss::{accuracy, argmax, cross_entropy, one_hot, softmax_cross_entropy_labels};
//! use nalgebra::DMatrix;
//!
//! // The book's right prediction: class 2 with probability 0.6.
//! let y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
//! let t: DMatrix<f64> = one_hot(&[2_u8], 10)?;
//! assert_eq!(argmax(&y), Some(2));
//! assert_eq!(cross_entropy(&y, t.as_slice())?, 0.510825457099338);
//!
//! // Logits of a batch of two: confident and right, confident and wrong.
//! let z = DMatrix::from_row_slice(2, 3, &[1000.0, -1000.0, 0.0, 1000.0, -1000.0, 0.0]);
//! assert_eq!(softmax_cross_entropy_labels(&z, &[0_u8, 2])?, 500.0);
//! assert_eq!(accuracy(&z, &[0_u8, 2])?, 0.5);
//! # Ok::<(), nabla_loss::Error>(())
//! ```

mod accuracy;
mod argmax;
mod check;
mod cross_entropy;
mod error;
mod one_hot;
mod softmax;
mod softmax_cross_entropy;
mod squared_error;
mod sum;
#[cfg(test)]
mod test_util;

pub use accuracy::{accuracy, accuracy_one_hot};
pub use argmax::{argmax, argmax_rows};
pub use cross_entropy::{
    DELTA, cross_entropy, cross_entropy_batch, cross_entropy_grad, cross_entropy_grad_batch,
    cross_entropy_grad_labels, cross_entropy_labels,
};
pub use error::{Error, Result};
pub use one_hot::one_hot;
pub use softmax::{log_softmax, log_softmax_rows, softmax, softmax_in_place, softmax_rows};
pub use softmax_cross_entropy::{
    softmax_cross_entropy, softmax_cross_entropy_grad, softmax_cross_entropy_grad_labels,
    softmax_cross_entropy_labels, softmax_then_cross_entropy, softmax_then_cross_entropy_backward,
};
pub use squared_error::{
    squared_error, squared_error_batch, squared_error_grad, squared_error_grad_batch,
};

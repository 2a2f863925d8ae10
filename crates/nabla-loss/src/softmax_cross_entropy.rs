//! Softmax followed by cross-entropy, on logits, in one stable step.
//!
//! `softmax_cross_entropy(z, t) = -sum_ij t_ij * log_softmax(z)_ij / B`, with log-softmax
//! computed by log-sum-exp, so a row of logits `[1000, -1000]` costs exactly 0 or 2000 and
//! never `ln(0)`. There is no `DELTA` here: log-sum-exp needs no guard, and without it the
//! gradient is exactly `(softmax(z) - t) / B`.
//!
//! The book instead feeds `softmax(z)` to the cross-entropy with `DELTA` inside the logarithm.
//! That form is [`cross_entropy_labels`](crate::cross_entropy_labels) (or
//! [`cross_entropy_batch`](crate::cross_entropy_batch)) applied to
//! [`softmax_rows`](crate::softmax_rows), and reproduces the book's numbers bit for bit; the
//! two differ by about `DELTA / y` for a target probability `y` (3e-7 for simpleNet), and the
//! book's form saturates at `-ln(DELTA) = 16.1` for a hopeless prediction. Its row primitive,
//! for a training loop that wants the probabilities and the loss of a sample from one pass
//! over its own buffer, is [`softmax_then_cross_entropy`].

use nalgebra::{DMatrix, RealField};

use crate::check::{self, batch_size};
use crate::cross_entropy::ln_guarded;
use crate::error::{Error, Result};
use crate::softmax::{shifted_log_sum_exp, softmax_in_place, softmax_rows};
use crate::sum::pairwise_sum;

/// The book's loss of one sample from its logits `z` and its class `label`, in place: `z`
/// becomes `softmax(z)` ([`softmax_in_place`]) and the result is `-ln(softmax(z)[label] +
/// DELTA)`, the book's cross-entropy of that softmax.
///
/// This is the row of `cross_entropy_labels(&softmax_rows(&z), labels)` (the same
/// arithmetic, so the same bits) without the allocations, for a loop that computes the loss
/// and then the gradient at the logits, `softmax(z) - one_hot(label)`, from the
/// probabilities left in `z` (nabla-net's training loop, row by row). It keeps the book's
/// [`DELTA`](crate::DELTA); [`softmax_cross_entropy_labels`] is the stable form without it.
///
/// ```
/// let mut z = [0.0_f64, 0.0];
/// let loss = nabla_loss::softmax_then_cross_entropy(&mut z, 1)?;
/// assert_eq!(z, [0.5, 0.5]);
/// assert_eq!(loss, -(0.5_f64 + nabla_loss::DELTA).ln());
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LabelOutOfRange`] (at row 0) if `label >= z.len()`; `z` is then left as it was.
pub fn softmax_then_cross_entropy<T: RealField + Copy>(z: &mut [T], label: usize) -> Result<T> {
    if label >= z.len() {
        return Err(Error::LabelOutOfRange {
            row: 0,
            label,
            classes: z.len(),
        });
    }
    softmax_in_place(z);
    Ok(-ln_guarded(z[label]))
}

/// The backward of [`softmax_then_cross_entropy`], in place: `p` (the probabilities it left in
/// the row) becomes `scale` times the gradient of the book's loss of the row at its logits,
/// `scale (p - one_hot(label)) p_t / (p_t + DELTA)` with `p_t = p[label]`.
///
/// The factor `p_t / (p_t + DELTA)` makes this the exact derivative of `-ln(p_t + DELTA)`, the
/// loss as computed (it is 1 to within `DELTA / p_t`). With `scale = 1 / B` this is the row of
/// the gradient of the batch mean [`cross_entropy_labels`](crate::cross_entropy_labels) of
/// [`softmax_rows`]: the one formula that nabla-net's backpropagation and its reverse-mode
/// rule for the loss both call.
///
/// ```
/// let mut z = [0.0_f64, 0.0];
/// nabla_loss::softmax_then_cross_entropy(&mut z, 1)?;
/// nabla_loss::softmax_then_cross_entropy_backward(&mut z, 1, 1.0)?;
/// let s = 0.5 / (0.5 + nabla_loss::DELTA);
/// assert_eq!(z, [0.5 * s, -0.5 * s]);
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LabelOutOfRange`] (at row 0) if `label >= p.len()`; `p` is then left as it was.
pub fn softmax_then_cross_entropy_backward<T: RealField + Copy>(
    p: &mut [T],
    label: usize,
    scale: T,
) -> Result<()> {
    let Some(&pt) = p.get(label) else {
        return Err(Error::LabelOutOfRange {
            row: 0,
            label,
            classes: p.len(),
        });
    };
    let factor = pt / (pt + nalgebra::convert(crate::DELTA)) * scale;
    p[label] = pt - T::one();
    for v in p.iter_mut() {
        *v *= factor;
    }
    Ok(())
}

/// Softmax-cross-entropy of a batch of logits `z` (one sample per row) against one-hot (or
/// any distribution) targets `t`, averaged over the `B` rows.
///
/// For exactly one-hot targets this equals [`softmax_cross_entropy_labels`] bit for bit. A
/// NaN logit makes its row's loss NaN.
///
/// # Errors
///
/// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) if `t` is not shaped like `z`;
/// [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `z` has no rows or no columns.
pub fn softmax_cross_entropy<T: RealField + Copy>(z: &DMatrix<T>, t: &DMatrix<T>) -> Result<T> {
    check::batch_and_target(z, t)?;
    let sum = pairwise_sum(z.nrows(), &|i| {
        let (m, log_sum) = shifted_log_sum_exp(z.ncols(), &|j| z[(i, j)]);
        pairwise_sum(z.ncols(), &|j| t[(i, j)] * ((z[(i, j)] - m) - log_sum))
    });
    Ok(-sum / batch_size(z))
}

/// Softmax-cross-entropy of a batch of logits `z` against class labels, averaged over the
/// `B` rows: `sum_i (ln(sum_j exp(z_ij)) - z_i,label_i) / B`.
///
/// This is the loss a trainer should use: finite for any finite logits.
///
/// ```
/// use nalgebra::DMatrix;
///
/// let z = DMatrix::from_row_slice(2, 2, &[1000.0, -1000.0, 1000.0, -1000.0]);
/// // Row 0 is right (loss 0), row 1 is wrong by 2000: the mean is 1000.
/// assert_eq!(nabla_loss::softmax_cross_entropy_labels(&z, &[0_u8, 1])?, 1000.0);
/// # Ok::<(), nabla_loss::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::LabelCountMismatch`](crate::Error::LabelCountMismatch) unless there is one label
/// per row; [`Error::EmptyBatch`](crate::Error::EmptyBatch) if `z` has no rows or no columns;
/// [`Error::LabelOutOfRange`](crate::Error::LabelOutOfRange) for a label `>= z.ncols()`.
pub fn softmax_cross_entropy_labels<T, L>(z: &DMatrix<T>, labels: &[L]) -> Result<T>
where
    T: RealField + Copy,
    L: Copy + Into<usize>,
{
    let labels = check::batch_and_labels(z, labels)?;
    let sum = pairwise_sum(labels.len(), &|i| {
        let (m, log_sum) = shifted_log_sum_exp(z.ncols(), &|j| z[(i, j)]);
        log_sum - (z[(i, labels[i])] - m)
    });
    Ok(sum / batch_size(z))
}

/// Gradient of [`softmax_cross_entropy`] with respect to the logits: `(softmax(z) - t) / B`.
///
/// This is the exact gradient when every target row sums to 1 (one-hot or a distribution);
/// for other targets the true gradient is `(softmax(z) * sum_j t_ij - t) / B`.
///
/// # Errors
///
/// As [`softmax_cross_entropy`].
pub fn softmax_cross_entropy_grad<T: RealField + Copy>(
    z: &DMatrix<T>,
    t: &DMatrix<T>,
) -> Result<DMatrix<T>> {
    check::batch_and_target(z, t)?;
    let b = batch_size(z);
    Ok(softmax_rows(z).zip_map(t, |y, t| (y - t) / b))
}

/// Gradient of [`softmax_cross_entropy_labels`] with respect to the logits:
/// `(softmax(z) - one_hot(labels)) / B`.
///
/// # Errors
///
/// As [`softmax_cross_entropy_labels`].
pub fn softmax_cross_entropy_grad_labels<T, L>(z: &DMatrix<T>, labels: &[L]) -> Result<DMatrix<T>>
where
    T: RealField + Copy,
    L: Copy + Into<usize>,
{
    let labels = check::batch_and_labels(z, labels)?;
    let mut grad = softmax_rows(z);
    for (i, &j) in labels.iter().enumerate() {
        grad[(i, j)] -= T::one();
    }
    let b = batch_size(z);
    grad.apply(|g| *g /= b);
    Ok(grad)
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;
    use nalgebra::DMatrix;
    use proptest::prelude::*;

    use super::*;
    use crate::test_util::{assert_gradient, central_gradient, random_labels, random_matrix, rng};
    use crate::{Error, cross_entropy_labels, one_hot};

    /// simpleNet's logits `x W` for `x = [0.6, 0.9]` and the book's `W`, each a sum of two
    /// products as NumPy's `np.dot` computes them.
    fn simple_net_logits() -> DMatrix<f64> {
        let w = [
            [0.47355232, 0.9977393, 0.84668094],
            [0.85557411, 0.03563661, 0.69422093],
        ];
        let x = [0.6, 0.9];
        DMatrix::from_fn(1, 3, |_, j| x[0] * w[0][j] + x[1] * w[1][j])
    }

    #[test]
    fn the_books_form_reproduces_simple_net_exactly() {
        let z = simple_net_logits();
        // The book's loss: cross-entropy with delta on the softmax output.
        let book = cross_entropy_labels(&softmax_rows(&z), &[2_u8]).unwrap();
        assert_eq!(book, 0.9280682857864075);
        // The stable form has no delta: larger by about delta / y_2 (y_2 = 0.395).
        let stable = softmax_cross_entropy_labels(&z, &[2_u8]).unwrap();
        let y2 = softmax_rows(&z)[(0, 2)];
        assert_relative_eq!(stable - book, 1e-7 / y2, max_relative = 1e-6);
    }

    #[test]
    fn the_row_primitive_is_the_books_batch_form_bit_for_bit() {
        let mut rng = rng(7);
        for classes in [1, 3, 10, 17] {
            let z = random_matrix(&mut rng, 6, classes, -30.0, 30.0);
            let labels = random_labels(&mut rng, 6, classes);
            let probabilities = softmax_rows(&z);
            for (i, &label) in labels.iter().enumerate() {
                let mut row: Vec<f64> = z.row(i).iter().copied().collect();
                let loss = softmax_then_cross_entropy(&mut row, label).unwrap();
                let one = z.rows(i, 1).into_owned();
                assert_eq!(
                    loss,
                    cross_entropy_labels(&softmax_rows(&one), &[label]).unwrap()
                );
                assert_eq!(
                    row,
                    probabilities.row(i).iter().copied().collect::<Vec<_>>()
                );
            }
        }
        let mut z = [1.0_f32, 2.0];
        assert_eq!(
            softmax_then_cross_entropy(&mut z, 2),
            Err(Error::LabelOutOfRange {
                row: 0,
                label: 2,
                classes: 2
            })
        );
        assert_eq!(z, [1.0, 2.0], "a refused call leaves the logits alone");
        assert!(softmax_then_cross_entropy::<f64>(&mut [], 0).is_err());
        // Hopeless and certain rows: the book's guard caps the loss at -ln(DELTA).
        let mut hopeless = [1000.0, -1000.0];
        let loss = softmax_then_cross_entropy(&mut hopeless, 1).unwrap();
        assert_eq!((hopeless, loss), ([1.0, 0.0], -(1e-7_f64.ln())));
    }

    #[test]
    fn the_row_backward_is_the_derivative_of_the_loss_as_computed() {
        let mut rng = rng(8);
        let z = random_matrix(&mut rng, 5, 4, -3.0, 3.0);
        let labels = random_labels(&mut rng, 5, 4);
        // The gradient of the batch mean of the book's form, by central differences.
        let numeric = central_gradient(
            |z| cross_entropy_labels(&softmax_rows(z), &labels).unwrap(),
            &z,
        );
        let mut analytic = DMatrix::zeros(5, 4);
        for (i, &label) in labels.iter().enumerate() {
            let mut row: Vec<f64> = z.row(i).iter().copied().collect();
            softmax_then_cross_entropy(&mut row, label).unwrap();
            softmax_then_cross_entropy_backward(&mut row, label, 1.0 / 5.0).unwrap();
            analytic.row_mut(i).copy_from_slice(&row);
        }
        assert_gradient(&analytic, &numeric);
        // A certain row: p_t = 1 exactly, the gradient is 0 (not NaN).
        let mut certain = [1.0_f32, 0.0];
        softmax_then_cross_entropy_backward(&mut certain, 0, 1.0).unwrap();
        assert_eq!(certain, [0.0, 0.0]);
        // The guard's factor: with p_t tiny the gradient shrinks by p_t / (p_t + DELTA).
        let mut hopeless = [1.0, 1e-9];
        softmax_then_cross_entropy_backward(&mut hopeless, 1, 1.0).unwrap();
        let f = 1e-9 / (1e-9 + 1e-7);
        assert_eq!(hopeless, [f, (1e-9 - 1.0) * f]);
        let mut short = [0.5_f64, 0.5];
        assert_eq!(
            softmax_then_cross_entropy_backward(&mut short, 2, 1.0),
            Err(Error::LabelOutOfRange {
                row: 0,
                label: 2,
                classes: 2
            })
        );
        assert_eq!(short, [0.5, 0.5]);
    }

    #[test]
    fn extreme_logits_are_finite_and_right() {
        let z = DMatrix::from_row_slice(
            4,
            3,
            &[
                1000.0, -1000.0, 0.0, // right and certain: loss 0
                -1000.0, 1000.0, 0.0, // wrong and certain: loss 2000
                1000.0, 1000.0, 1000.0, // all equal: ln 3
                -1000.0, -1000.0, -1000.0, // all equal and tiny: ln 3
            ],
        );
        let labels = [0_u8, 0, 1, 2];
        let per_row = [0.0, 2000.0, 3.0_f64.ln(), 3.0_f64.ln()];
        for (i, expected) in per_row.iter().enumerate() {
            let row = z.rows(i, 1).into_owned();
            let loss = softmax_cross_entropy_labels(&row, &labels[i..=i]).unwrap();
            assert_relative_eq!(loss, *expected, max_relative = 1e-15);
        }
        let loss = softmax_cross_entropy_labels(&z, &labels).unwrap();
        assert!(loss.is_finite());
        assert_relative_eq!(
            loss,
            per_row.iter().sum::<f64>() / 4.0,
            max_relative = 1e-15
        );
        let grad = softmax_cross_entropy_grad_labels(&z, &labels).unwrap();
        assert!(grad.iter().all(|g| g.is_finite()));
        // Row 1: softmax is [0, 1, 0], the target [1, 0, 0]: gradient [-1, 1, 0] / 4.
        assert_eq!(
            grad.row(1).iter().copied().collect::<Vec<_>>(),
            [-0.25, 0.25, 0.0]
        );
        // The naive book form saturates at -ln(delta) for the hopeless row.
        let naive = cross_entropy_labels(&softmax_rows(&z.rows(1, 1).into_owned()), &[0_u8]);
        assert_relative_eq!(naive.unwrap(), -(1e-7_f64.ln()), max_relative = 1e-15);
    }

    #[test]
    fn nan_logits_make_their_row_nan() {
        let z = DMatrix::from_row_slice(1, 3, &[f64::NAN, 1.0, 2.0]);
        assert!(softmax_cross_entropy_labels(&z, &[2_u8]).unwrap().is_nan());
        assert!(
            softmax_cross_entropy_grad_labels(&z, &[2_u8])
                .unwrap()
                .iter()
                .all(|g| g.is_nan())
        );
    }

    #[test]
    fn one_hot_and_label_forms_agree_on_batches() {
        let mut rng = rng(5);
        for rows in [1, 2, 9, 100] {
            let z = random_matrix(&mut rng, rows, 10, -20.0, 20.0);
            let labels = random_labels(&mut rng, rows, 10);
            let t: DMatrix<f64> = one_hot(&labels, 10).unwrap();
            assert_eq!(
                softmax_cross_entropy(&z, &t).unwrap(),
                softmax_cross_entropy_labels(&z, &labels).unwrap(),
                "rows = {rows}"
            );
            assert_eq!(
                softmax_cross_entropy_grad(&z, &t).unwrap(),
                softmax_cross_entropy_grad_labels(&z, &labels).unwrap()
            );
        }
    }

    #[test]
    fn gradients_match_central_differences_at_random_points() {
        let mut rng = rng(6);
        for _ in 0..5 {
            let z = random_matrix(&mut rng, 4, 5, -4.0, 4.0);
            let labels = random_labels(&mut rng, 4, 5);
            let numeric =
                central_gradient(|z| softmax_cross_entropy_labels(z, &labels).unwrap(), &z);
            assert_gradient(
                &softmax_cross_entropy_grad_labels(&z, &labels).unwrap(),
                &numeric,
            );

            // Soft targets whose rows sum to 1.
            let t = crate::test_util::random_probabilities(&mut rng, 4, 5);
            let numeric = central_gradient(|z| softmax_cross_entropy(z, &t).unwrap(), &z);
            assert_gradient(&softmax_cross_entropy_grad(&z, &t).unwrap(), &numeric);
        }
    }

    #[test]
    fn f32_works() {
        let z = DMatrix::from_row_slice(2, 3, &[1000.0_f32, -1000.0, 0.0, 0.3, 2.9, 4.0]);
        let loss = softmax_cross_entropy_labels(&z, &[0_u8, 2]).unwrap();
        assert_relative_eq!(loss, -(0.736_596_9_f32.ln()) / 2.0, max_relative = 1e-5);
        let grad = softmax_cross_entropy_grad_labels(&z, &[0_u8, 2]).unwrap();
        assert_relative_eq!(
            grad[(1, 2)],
            (0.736_596_9_f32 - 1.0) / 2.0,
            max_relative = 1e-5
        );
    }

    #[test]
    fn bad_targets_are_errors() {
        let z = DMatrix::<f64>::zeros(3, 4);
        assert_eq!(
            softmax_cross_entropy_labels(&z, &[0_usize, 4, 1]),
            Err(Error::LabelOutOfRange {
                row: 1,
                label: 4,
                classes: 4
            })
        );
        assert_eq!(
            softmax_cross_entropy_grad_labels(&z, &[0_u8, 1]),
            Err(Error::LabelCountMismatch { rows: 3, labels: 2 })
        );
        assert_eq!(
            softmax_cross_entropy_grad(&z, &DMatrix::zeros(3, 5)),
            Err(Error::ShapeMismatch {
                prediction: (3, 4),
                target: (3, 5)
            })
        );
        let no_classes = DMatrix::<f64>::zeros(2, 0);
        assert_eq!(
            softmax_cross_entropy(&no_classes, &no_classes),
            Err(Error::EmptyBatch { rows: 2, cols: 0 })
        );
    }

    proptest! {
        #[test]
        fn matches_the_books_form_for_moderate_logits(
            z in prop::collection::vec(-10.0..10.0_f64, 6),
            label in 0_usize..3,
        ) {
            // Two rows of three logits. The book's form differs only by delta in the log:
            // -ln(y) - (-ln(y + delta)) = ln(1 + delta / y), averaged over the rows.
            let z = DMatrix::from_row_slice(2, 3, &z);
            let labels = [label, 2 - label];
            let stable = softmax_cross_entropy_labels(&z, &labels).unwrap();
            let y = softmax_rows(&z);
            let book = cross_entropy_labels(&y, &labels).unwrap();
            let gap = ((1e-7 / y[(0, labels[0])]).ln_1p() + (1e-7 / y[(1, labels[1])]).ln_1p()) / 2.0;
            prop_assert!(((stable - book) - gap).abs() < 1e-12, "{} - {} vs {}", stable, book, gap);
        }
    }
}

//! The analytic gradient: backpropagation, the book's `gradient`.

use nalgebra::DMatrix;

use crate::check::check_net_batch;
use crate::engine::{Buffers, Engine};
use crate::{Error, Gradient, Precision, SparseRows, TwoLayerNet};

/// The gradient of [`TwoLayerNet::loss`] on the batch `x` (one sample per row) with class
/// `labels`, by backpropagation, together with the loss itself.
///
/// The output layer's error is the book's `(y - t) / batch` times `y_t / (y_t + 1e-7)`: the
/// exact derivative of the loss as computed, `1e-7` inside the logarithm included, so that it
/// agrees with the dual-number gradient to rounding. The factor differs from 1 by at most
/// `1e-7 / y_t`, so this is the book's gradient for every practical purpose.
///
/// This runs on the crate's fast path: `x` is converted to its non-zero entries once, and the
/// first layer's products skip the zero pixels. (The training loop does not come through
/// here: it checks its data set once and steps on the fast path directly.)
///
/// # Errors
///
/// [`Error::Shape`] if `x` does not have one column per input or `labels` does not have one
/// entry per row; [`Error::Empty`] if `x` has no rows; [`Error::Label`] naming the first row
/// whose label is not below the number of outputs.
pub fn backprop<T: Precision>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
) -> Result<(T, Gradient<T>), Error> {
    check_net_batch(net, x, labels)?;
    let data = SparseRows::from_matrix(x)?;
    let rows: Vec<usize> = (0..x.nrows()).collect();
    Ok(Engine::from_net(net).gradient(&data, labels, &rows, &mut Buffers::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{small_problem, small_problems};
    use crate::{Sizes, numerical_gradient, numerical_gradient_structured};
    use approx::assert_relative_eq;

    #[test]
    fn matches_the_numerical_gradient_on_small_random_nets() {
        // [inputs, hidden, classes, batch rows, seed]; the last batch, of 40 rows, is split
        // between two threads.
        let cases = [[12, 5, 4, 7, 11], [30, 8, 10, 20, 12], [25, 40, 3, 40, 14]];
        for (net, x, labels) in small_problems(&cases) {
            let (loss, analytic) = backprop(&net, &x, &labels).unwrap();
            assert_relative_eq!(loss, net.loss(&x, &labels).unwrap(), max_relative = 1e-13);
            let numerical = numerical_gradient(&net, &x, &labels, 1e-4).unwrap();
            // Central differences with h = 1e-4 err by about h^2 |f'''| / 6, here below 1e-8.
            let worst = analytic.worst_difference(&numerical, |v| v).unwrap();
            assert!(worst.abs < 1e-8, "{worst:?}");
            let structured = numerical_gradient_structured(&net, &x, &labels, 1e-4).unwrap();
            assert!(analytic.worst_difference(&structured, |v| v).unwrap().abs < 1e-8);
        }
    }

    #[test]
    fn a_wrong_gradient_would_be_caught() {
        // The comparison above is not vacuous: the gradient is far from zero.
        let (net, x, labels) = small_problem(Sizes::new(12, 5, 4).unwrap(), 7, 11);
        let (_, g) = backprop(&net, &x, &labels).unwrap();
        assert!(g.w1.amax() > 1e-3 && g.w2.amax() > 1e-2 && g.b1.amax() > 1e-3);
    }

    #[test]
    fn f32_backprop_follows_f64() {
        let (net, x, labels) = small_problem(Sizes::new(20, 6, 5).unwrap(), 9, 13);
        let (_, g64) = backprop(&net, &x, &labels).unwrap();
        let (_, g32) = backprop(&net.map(|v| v as f32), &x.map(|v| v as f32), &labels).unwrap();
        let d = g64.max_relative_difference(&g32.map(f64::from), 1e-3, |v| v);
        assert!(d < 1e-4, "{d}");
    }

    #[test]
    fn bad_batches_are_typed_errors_that_name_the_problem() {
        let (net, x, mut labels) = small_problem(Sizes::new(12, 5, 4).unwrap(), 7, 11);
        let narrow = x.columns(0, 11).into_owned();
        let err = backprop(&net, &narrow, &labels).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch: inputs per sample in the batch: expected 12, got 11"
        );
        let err = backprop(&net, &x, &labels[..6]).unwrap_err();
        assert!(matches!(
            err,
            Error::Shape {
                expected: 7,
                got: 6,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "shape mismatch: labels for the batch (one per sample): expected 7, got 6"
        );
        let empty = DMatrix::<f64>::zeros(0, 12);
        assert!(matches!(
            backprop(&net, &empty, &[]),
            Err(Error::Empty { what: "the batch" })
        ));
        labels[5] = 4;
        let err = backprop(&net, &x, &labels).unwrap_err();
        assert!(matches!(
            err,
            Error::Label {
                row: 5,
                label: 4,
                classes: 4
            }
        ));
        assert_eq!(
            err.to_string(),
            "label 4 at row 5 is out of range: the network has 4 outputs"
        );
        let err32 = backprop(&net.map(|v| v as f32), &x.map(|v| v as f32), &labels).unwrap_err();
        assert!(matches!(err32, Error::Label { row: 5, .. }));
    }
}

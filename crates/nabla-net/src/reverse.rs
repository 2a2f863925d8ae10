//! The gradient by reverse-mode automatic differentiation, through nabla-tape.

use nabla_tape::{Recording, Scalar, Var};
use nalgebra::DMatrix;

use crate::activation::{Activation, Hidden};
use crate::check::check_batch;
use crate::forward::output_layer;
use crate::product::{MatMul, affine_of_constants};
use crate::{Error, Gradient, Precision, TwoLayerNet};

/// The gradient of [`TwoLayerNet::loss`] by reverse-mode automatic differentiation: the same
/// generic forward pass evaluated once on nabla-tape's `Var<T>`, recording every operation,
/// then one backward sweep for all parameters. Exact to rounding (it differentiates the loss
/// as written, `1e-7` inside the logarithm included), in `f32` or `f64`.
///
/// Cost: one recorded forward pass and one sweep, whatever the number of parameters: the
/// cheap-gradient principle that backpropagation exploits by hand, obtained from the generic
/// formula. The forward pass computes through [`MatMul`](crate::MatMul), which for `Var`
/// records whole layers: each affine layer is one tape entry whose backward is two products
/// on plain numbers (nabla-tape's `affine`; the pixels stay plain numbers, kept as their
/// non-zeros, through `constant_affine`), the sigmoid one entry and the book's loss one more,
/// whose backwards are backpropagation's formulas. On the first 100 MNIST training images
/// the book's network records 5 entries (0.63 MB with the rules' saved values and the
/// adjoints; 890,061 entries and 28.5 MB when every multiply-add was an entry), and the
/// gradient costs about what backpropagation does on one thread
/// (`cargo run --release -p nabla-net --example reverse_tape -- <mnist-dir>`;
/// nabla's [`BENCHMARKS.md`](https://docs.rs/crate/nabla-learn/latest/source/BENCHMARKS.md)).
/// Against [`dual_gradient`](crate::dual_gradient) it saves the 2485
/// forward passes.
///
/// # Errors
///
/// [`Error::Shape`] if `x` does not have one column per input or `labels` does not have one
/// entry per row; [`Error::Empty`] if `x` has no rows; [`Error::Label`] naming the first row
/// whose label is not below the number of outputs. All are found before anything is
/// recorded.
pub fn reverse_gradient<T: Precision + Scalar>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
) -> Result<(T, Gradient<T>), Error> {
    reverse_gradient_with::<T, Hidden>(net, x, labels)
}

/// [`reverse_gradient`] of the network with its hidden layer computing `A`.
pub(crate) fn reverse_gradient_with<T: Precision + Scalar, A: Activation>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
) -> Result<(T, Gradient<T>), Error> {
    let sizes = net.sizes();
    check_batch("the batch", sizes.input, sizes.output, x.shape(), labels)?;
    let rec = Recording::<T>::new();
    let flat: Vec<T> = net.parameters().concat();
    let params = rec.vars(&flat);
    let recorded = TwoLayerNet::from_flat(sizes, &params)?;
    // The loss of `TwoLayerNet::loss_with` on `x.map(Var::constant)` (its value bit for bit),
    // with the pixels kept as plain numbers: the first layer takes them as they are.
    let pre = affine_of_constants(x, recorded.w1(), recorded.b1());
    let logits = output_layer::<Var<T>, A>(pre, recorded.w2(), recorded.b2());
    let loss = <Var<T> as MatMul>::book_loss(&logits, labels)?;
    let grad = rec.gradient(loss, &params);
    Ok((loss.value(), Gradient::from_flat(sizes, &grad)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::small_problem;
    use crate::{Sizes, backprop, dual_gradient};
    use approx::assert_relative_eq;

    #[test]
    fn agrees_with_backprop_and_dual_to_1e12_relative() {
        for (sizes, batch, seed) in [
            (Sizes::new(12, 5, 4).unwrap(), 7, 21),
            (Sizes::new(30, 8, 10).unwrap(), 20, 22),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let (loss, reverse) = reverse_gradient(&net, &x, &labels).unwrap();
            assert_relative_eq!(loss, net.loss(&x, &labels).unwrap(), max_relative = 1e-15);
            let (_, analytic) = backprop(&net, &x, &labels).unwrap();
            let rel = reverse.max_relative_difference(&analytic, 1e-300, |v| v);
            assert!(rel < 1e-12, "{rel}");
            let (_, dual) = dual_gradient(&net, &x, &labels).unwrap();
            let rel = reverse.max_relative_difference(&dual, 1e-300, |v| v);
            assert!(rel < 1e-12, "{rel}");
        }
    }

    #[test]
    fn f32_agrees_with_backprop_in_f32() {
        let (net, x, labels) = small_problem(Sizes::new(30, 8, 10).unwrap(), 20, 23);
        let (net, x) = (net.map(|v| v as f32), x.map(|v| v as f32));
        let (loss, reverse) = reverse_gradient(&net, &x, &labels).unwrap();
        let (bloss, analytic) = backprop(&net, &x, &labels).unwrap();
        assert_relative_eq!(loss, bloss, max_relative = 1e-5);
        let worst = reverse.worst_difference(&analytic, f64::from).unwrap();
        assert!(worst.abs < 1e-6, "{worst:?}");
    }

    #[test]
    fn bad_batches_are_typed_errors_before_recording() {
        let (net, x, mut labels) = small_problem(Sizes::new(12, 5, 4).unwrap(), 7, 21);
        let err = reverse_gradient(&net, &x.columns(0, 11).into_owned(), &labels).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch: inputs per sample in the batch: expected 12, got 11"
        );
        assert!(matches!(
            reverse_gradient(&net, &DMatrix::zeros(0, 12), &[]),
            Err(Error::Empty { what: "the batch" })
        ));
        labels[6] = 9;
        assert_eq!(
            reverse_gradient(&net, &x, &labels).unwrap_err().to_string(),
            "label 9 at row 6 is out of range: the network has 4 outputs"
        );
    }
}

//! The gradient by forward-mode dual numbers, through nabla-dual.

use nabla_dual::{DualVec, gradient_chunked};
use nalgebra::DMatrix;

use crate::activation::{Activation, Hidden};
use crate::check::{FirstError, check_batch};
use crate::{Error, Gradient, TwoLayerNet};

/// Partial derivatives carried per forward pass by [`dual_gradient`]: nabla-dual's measured
/// default, [`nabla_dual::DEFAULT_CHUNK`] (16).
pub const DUAL_CHUNK: usize = nabla_dual::DEFAULT_CHUNK;

/// The gradient of [`TwoLayerNet::loss`] by forward-mode automatic differentiation: the same
/// generic forward pass evaluated on `DualVec<f64, 16>` numbers, each pass seeding 16
/// parameters, together with the loss. Exact to rounding: it differentiates the loss as
/// written, `1e-7` inside the logarithm included.
///
/// The batch is converted to dual numbers once; each pass rebuilds the network from the
/// flat parameters (a cheap copy next to the pass itself).
///
/// Cost: forward mode needs one pass per input direction, so a network with `n` parameters
/// takes `ceil(n / 16)` passes: 2485 for MNIST's 39760, each a forward pass over the batch in
/// 17-component numbers. That is thousands of times the cost of backpropagation (which gets
/// every partial derivative from one backward pass), which is the point of the comparison; use
/// it on small networks or small batches.
///
/// # Errors
///
/// [`Error::Shape`] if `x` does not have one column per input or `labels` does not have one
/// entry per row; [`Error::Empty`] if `x` has no rows; [`Error::Label`] naming the first row
/// whose label is not below the number of outputs. All are found before the first pass.
pub fn dual_gradient(
    net: &TwoLayerNet<f64>,
    x: &DMatrix<f64>,
    labels: &[usize],
) -> Result<(f64, Gradient<f64>), Error> {
    dual_gradient_with::<Hidden>(net, x, labels)
}

/// [`dual_gradient`] of the network with its hidden layer computing `A`.
pub(crate) fn dual_gradient_with<A: Activation>(
    net: &TwoLayerNet<f64>,
    x: &DMatrix<f64>,
    labels: &[usize],
) -> Result<(f64, Gradient<f64>), Error> {
    type D = DualVec<f64, DUAL_CHUNK>;
    let sizes = net.sizes();
    check_batch("the batch", sizes.input, sizes.output, x.shape(), labels)?;
    let xd: DMatrix<D> = x.map(D::constant);
    let flat: Vec<f64> = net.parameters().concat();
    // The batch was checked above and the sizes come from a valid network, so neither the
    // rebuild nor the loss can fail; should one, its error is kept and returned rather than
    // turned into a panic.
    let failure = FirstError::new();
    let (loss, grad) = gradient_chunked::<DUAL_CHUNK, _>(
        |p: &[D]| {
            let loss = TwoLayerNet::from_flat(sizes, p).and_then(|n| n.loss_with::<A>(&xd, labels));
            failure.value_or(loss, D::constant(f64::NAN))
        },
        &flat,
    );
    if let Some(e) = failure.into_error() {
        return Err(e);
    }
    Ok((loss, Gradient::from_flat(sizes, &grad)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::small_problem;
    use crate::{Sizes, backprop, numerical_gradient};
    use approx::assert_relative_eq;

    #[test]
    fn agrees_with_backprop_to_1e12_relative() {
        for (sizes, batch, seed) in [
            (Sizes::new(12, 5, 4).unwrap(), 7, 21),
            (Sizes::new(30, 8, 10).unwrap(), 20, 22),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let (loss, dual) = dual_gradient(&net, &x, &labels).unwrap();
            assert_relative_eq!(loss, net.loss(&x, &labels).unwrap(), max_relative = 1e-15);
            // Both are exact derivatives of the same loss: they agree to rounding.
            let (_, analytic) = backprop(&net, &x, &labels).unwrap();
            let rel = dual.max_relative_difference(&analytic, 1e-300, |v| v);
            assert!(rel < 1e-12, "{rel}");
            let numerical = numerical_gradient(&net, &x, &labels, 1e-4).unwrap();
            assert!(dual.worst_difference(&numerical, |v| v).unwrap().abs < 1e-8);
        }
    }

    #[test]
    fn bad_batches_are_typed_errors_before_any_pass() {
        let (net, x, mut labels) = small_problem(Sizes::new(12, 5, 4).unwrap(), 7, 21);
        let err = dual_gradient(&net, &x.columns(0, 11).into_owned(), &labels).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch: inputs per sample in the batch: expected 12, got 11"
        );
        assert_eq!(
            dual_gradient(&net, &x, &labels[..5])
                .unwrap_err()
                .to_string(),
            "shape mismatch: labels for the batch (one per sample): expected 7, got 5"
        );
        assert!(matches!(
            dual_gradient(&net, &DMatrix::zeros(0, 12), &[]),
            Err(Error::Empty { what: "the batch" })
        ));
        labels[6] = 9;
        assert_eq!(
            dual_gradient(&net, &x, &labels).unwrap_err().to_string(),
            "label 9 at row 6 is out of range: the network has 4 outputs"
        );
    }
}

//! The gradient by forward-mode dual numbers, through nabla-dual.

use nabla_dual::{DualVec, gradient_chunked};
use nalgebra::{DMatrix, DVector};

use crate::{Gradient, Sizes, TwoLayerNet};

/// Partial derivatives carried per forward pass by [`dual_gradient`].
pub const DUAL_CHUNK: usize = 16;

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
/// # Panics
///
/// If `x` does not have one column per input or no rows, `labels` does not have one entry per
/// row, or a label is not below the number of outputs (check data with
/// [`check_labels`](crate::check_labels) first).
pub fn dual_gradient(
    net: &TwoLayerNet<f64>,
    x: &DMatrix<f64>,
    labels: &[usize],
) -> (f64, Gradient<f64>) {
    type D = DualVec<f64, DUAL_CHUNK>;
    let sizes = net.sizes();
    assert_eq!(
        x.ncols(),
        sizes.input,
        "the batch has the wrong number of columns"
    );
    assert_eq!(labels.len(), x.nrows(), "one label per row is needed");
    assert!(x.nrows() > 0, "the batch is empty");
    assert!(
        labels.iter().all(|&t| t < sizes.output),
        "a label is not below the number of outputs"
    );
    let xd: DMatrix<D> = x.map(D::constant);
    let flat: Vec<f64> = net.parameters().concat();
    let (loss, grad) = gradient_chunked::<DUAL_CHUNK, _>(
        |p: &[D]| {
            net_from_flat(sizes, p)
                .loss(&xd, labels)
                .expect("the labels were checked above")
        },
        &flat,
    );
    (loss, Gradient::from_flat(sizes, &grad))
}

/// A network from parameters laid out as [`TwoLayerNet::parameters`].
pub(crate) fn net_from_flat<T: nalgebra::Scalar + Copy>(
    sizes: Sizes,
    flat: &[T],
) -> TwoLayerNet<T> {
    let (w1, rest) = flat.split_at(sizes.input * sizes.hidden);
    let (b1, rest) = rest.split_at(sizes.hidden);
    let (w2, b2) = rest.split_at(sizes.hidden * sizes.output);
    TwoLayerNet::from_parts(
        DMatrix::from_column_slice(sizes.input, sizes.hidden, w1),
        DVector::from_column_slice(b1),
        DMatrix::from_column_slice(sizes.hidden, sizes.output, w2),
        DVector::from_column_slice(b2),
    )
    .expect("the sizes come from a valid network")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::small_problem;
    use crate::{backprop, numerical_gradient};
    use approx::assert_relative_eq;

    #[test]
    fn agrees_with_backprop_to_1e12_relative() {
        for (sizes, batch, seed) in [
            (Sizes::new(12, 5, 4).unwrap(), 7, 21),
            (Sizes::new(30, 8, 10).unwrap(), 20, 22),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let (loss, dual) = dual_gradient(&net, &x, &labels);
            assert_relative_eq!(loss, net.loss(&x, &labels).unwrap(), max_relative = 1e-15);
            // Both are exact derivatives of the same loss: they agree to rounding.
            let (_, analytic) = backprop(&net, &x, &labels);
            let rel = dual.max_relative_difference(&analytic, 1e-300, |v| v);
            assert!(rel < 1e-12, "{rel}");
            let numerical = numerical_gradient(&net, &x, &labels, 1e-4).unwrap();
            assert!(dual.worst_difference(&numerical, |v| v).unwrap().abs < 1e-8);
        }
    }
}

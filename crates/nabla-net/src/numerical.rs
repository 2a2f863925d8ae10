//! The brute-force numerical gradient, through nabla-numdiff.

use nabla_numdiff::{Options, Params, Scheme, par_gradient};
use nalgebra::DMatrix;

use crate::product::MatMul;

use crate::activation::{Activation, Hidden};
use crate::check::FirstError;
use crate::{Error, Gradient, Precision, TwoLayerNet};

/// The network's parameters laid end to end for nabla-numdiff: `w1`, `b1`, `w2`, `b2`, each in
/// nalgebra's column-major order.
impl<T: nalgebra::Scalar + Copy> Params<T> for TwoLayerNet<T> {
    fn len(&self) -> usize {
        self.parameters().iter().map(|p| p.len()).sum()
    }

    fn get(&self, mut i: usize) -> T {
        for p in self.parameters() {
            if i < p.len() {
                return p[i];
            }
            i -= p.len();
        }
        panic!("parameter index out of range")
    }

    fn set(&mut self, mut i: usize, value: T) {
        for p in self.parameters_mut() {
            if i < p.len() {
                p[i] = value;
                return;
            }
            i -= p.len();
        }
        panic!("parameter index out of range")
    }
}

/// The book's `numerical_gradient`: central differences with the fixed step `h` (the book
/// uses `1e-4`) over every parameter, each nudged in place and restored bit-exactly, the whole
/// loss [`TwoLayerNet::loss`] evaluated twice per parameter. Computed by nabla-numdiff's
/// `par_gradient`, which spreads the parameters over rayon's threads (same numbers as the
/// serial loop).
///
/// This is the reference the faster gradients are checked against, and it is slow: `2 n`
/// forward passes over the batch for `n` parameters (79520 for MNIST's network). For training
/// use [`numerical_gradient_structured`](crate::numerical_gradient_structured), which gives
/// the same numbers.
///
/// # Errors
///
/// Before any differencing, [`TwoLayerNet::loss`]'s errors: [`Error::Shape`] if `x` does not
/// have one column per input or `labels` one entry per row, [`Error::Empty`] if `x` has no
/// rows, [`Error::Label`] naming the first label that is not below the number of outputs.
/// Then [`Error::NumDiff`] if the loss is not finite at a probed point, or `h` is not a valid
/// step.
pub fn numerical_gradient<T: Precision + MatMul>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Result<Gradient<T>, Error> {
    numerical_gradient_with::<T, Hidden>(net, x, labels, h)
}

/// [`numerical_gradient`] of the network with its hidden layer computing `A`.
pub(crate) fn numerical_gradient_with<T: Precision + MatMul, A: Activation>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Result<Gradient<T>, Error> {
    // Checks the batch once, so that the loss below cannot fail; should it, its error is
    // kept and returned rather than turned into a panic.
    net.loss_with::<A>(x, labels)?;
    let failure = FirstError::new();
    let flat = par_gradient(
        net,
        |n: &TwoLayerNet<T>| failure.value_or(n.loss_with::<A>(x, labels), T::nan()),
        Options::fixed(Scheme::Central, h),
    );
    if let Some(e) = failure.into_error() {
        return Err(e);
    }
    Ok(Gradient::from_flat(net.sizes(), &flat?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sizes;

    #[test]
    fn params_walk_the_four_arrays_in_order() {
        let mut net = TwoLayerNet::<f64>::new(Sizes::new(3, 2, 2).unwrap(), 0.1, 0).unwrap();
        assert_eq!(Params::len(&net), 3 * 2 + 2 + 2 * 2 + 2);
        for i in 0..Params::len(&net) {
            Params::set(&mut net, i, i as f64);
        }
        assert_eq!(net.w1()[(2, 1)], 5.0); // column-major: index 1 * 3 + 2
        assert_eq!(net.b1()[0], 6.0);
        assert_eq!(net.w2()[(1, 0)], 9.0);
        assert_eq!(net.b2()[1], 13.0);
        let flat: Vec<f64> = (0..14).map(|i| i as f64).collect();
        let g = Gradient::from_flat(net.sizes(), &flat);
        assert_eq!(g.w1, *net.w1());
        assert_eq!(g.b2, *net.b2());
    }

    #[test]
    fn bad_batches_are_typed_errors() {
        let net = TwoLayerNet::<f64>::new(Sizes::new(3, 2, 2).unwrap(), 0.1, 0).unwrap();
        let x = DMatrix::from_fn(2, 3, |r, c| (r + c) as f64 * 0.1);
        assert_eq!(
            numerical_gradient(&net, &x.columns(0, 2).into_owned(), &[0, 1], 1e-4)
                .unwrap_err()
                .to_string(),
            "shape mismatch: inputs per sample in the batch: expected 3, got 2"
        );
        assert!(matches!(
            numerical_gradient(&net, &x, &[0, 1, 1], 1e-4),
            Err(Error::Shape {
                expected: 2,
                got: 3,
                ..
            })
        ));
        assert!(matches!(
            numerical_gradient(&net, &DMatrix::zeros(0, 3), &[], 1e-4),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            numerical_gradient(&net, &x, &[0, 2], 1e-4),
            Err(Error::Label {
                row: 1,
                label: 2,
                classes: 2
            })
        ));
        assert!(matches!(
            numerical_gradient(&net, &x, &[0, 1], 0.0),
            Err(Error::NumDiff(_))
        ));
    }
}

//! The brute-force numerical gradient, through nabla-numdiff.

use nabla_numdiff::{Options, Params, Scheme, par_gradient};
use nalgebra::{DMatrix, RealField};

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
/// [`Error::NumDiff`] if the loss is not finite at a probed point, or `h` is not a valid step;
/// [`Error::Label`] or [`Error::Loss`] if the labels do not fit the batch (see
/// [`TwoLayerNet::loss`]), before any differencing.
///
/// # Panics
///
/// If `x` does not have one column per input.
pub fn numerical_gradient<T: Precision + RealField>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Result<Gradient<T>, Error> {
    // Checks the labels once, so that the loss below cannot fail.
    net.loss(x, labels)?;
    let flat = par_gradient(
        net,
        |n: &TwoLayerNet<T>| n.loss(x, labels).expect("the labels were checked above"),
        Options::fixed(Scheme::Central, h),
    )?;
    Ok(Gradient::from_flat(net.sizes(), &flat))
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
}

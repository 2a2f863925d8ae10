//! Small random networks and batches shared by the unit tests.

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::{Sizes, TwoLayerNet};

/// [`small_problem`] for each `[inputs, hidden, classes, batch rows, seed]`.
pub(crate) fn small_problems(
    cases: &[[usize; 5]],
) -> impl Iterator<Item = (TwoLayerNet<f64>, DMatrix<f64>, Vec<usize>)> + '_ {
    cases.iter().map(|&[input, hidden, output, batch, seed]| {
        let sizes = Sizes::new(input, hidden, output).unwrap();
        small_problem(sizes, batch, seed as u64)
    })
}

/// A random network with weights of scale 0.5 (large enough for gradients well above the
/// finite-difference noise), random biases, and a batch of `batch` rows about 40% zeros.
pub(crate) fn small_problem(
    sizes: Sizes,
    batch: usize,
    seed: u64,
) -> (TwoLayerNet<f64>, DMatrix<f64>, Vec<usize>) {
    let net = TwoLayerNet::<f64>::new(sizes, 0.5, seed).unwrap();
    let mut rng = StdRng::seed_from_u64(seed + 1000);
    let mut parts = net.clone();
    let [_, b1, _, b2] = parts.parameters_mut();
    for b in b1.iter_mut().chain(b2.iter_mut()) {
        *b = rng.random_range(-0.5..0.5);
    }
    let x = DMatrix::from_fn(batch, sizes.input, |_, _| {
        if rng.random_bool(0.4) {
            0.0
        } else {
            rng.random_range(0.0..1.0)
        }
    });
    let labels = (0..batch)
        .map(|_| rng.random_range(0..sizes.output))
        .collect();
    (parts, x, labels)
}

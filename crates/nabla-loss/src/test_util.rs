//! Helpers for the unit tests: seeded random points and an inline central difference.
//!
//! The central difference is written here on purpose (nabla-numdiff is a separate crate that
//! this one must not depend on): `(f(x + h e_i) - f(x - h e_i)) / 2h`, with `h = 1e-6`.

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Step of the central difference; its error is about `h^2 |f'''| + eps |f| / h`, ~1e-10 here.
const H: f64 = 1e-6;

/// A seeded generator, so a failing case can be replayed.
pub(crate) fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A `rows x cols` matrix of uniform values in `lo..hi`.
pub(crate) fn random_matrix(
    rng: &mut StdRng,
    rows: usize,
    cols: usize,
    lo: f64,
    hi: f64,
) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| rng.random_range(lo..hi))
}

/// A random probability row per sample (positive, sums to 1).
pub(crate) fn random_probabilities(rng: &mut StdRng, rows: usize, cols: usize) -> DMatrix<f64> {
    let mut y = random_matrix(rng, rows, cols, 0.05, 1.0);
    for mut row in y.row_iter_mut() {
        let sum = row.sum();
        row /= sum;
    }
    y
}

/// Random labels in `0..classes`.
pub(crate) fn random_labels(rng: &mut StdRng, rows: usize, classes: usize) -> Vec<usize> {
    (0..rows).map(|_| rng.random_range(0..classes)).collect()
}

/// The gradient of `f` at `x` by central differences, element by element.
pub(crate) fn central_gradient(f: impl Fn(&DMatrix<f64>) -> f64, x: &DMatrix<f64>) -> DMatrix<f64> {
    let mut probe = x.clone();
    DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| {
        let xij = x[(i, j)];
        probe[(i, j)] = xij + H;
        let up = f(&probe);
        probe[(i, j)] = xij - H;
        let down = f(&probe);
        probe[(i, j)] = xij;
        (up - down) / (2.0 * H)
    })
}

/// Asserts that an analytic gradient matches the central difference element by element,
/// within `1e-7` absolute or `1e-6` relative, and names the worst element if not.
pub(crate) fn assert_gradient(analytic: &DMatrix<f64>, numeric: &DMatrix<f64>) {
    assert_eq!(analytic.shape(), numeric.shape());
    for ((i, &a), &n) in analytic.iter().enumerate().zip(numeric.iter()) {
        assert!(
            approx::relative_eq!(a, n, epsilon = 1e-7, max_relative = 1e-6),
            "element {i} (column-major): analytic {a}, central difference {n}"
        );
    }
}

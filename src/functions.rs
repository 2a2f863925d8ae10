//! The functions `nabla compare`, the gradient benches, the accuracy example and the
//! gradient property tests differentiate, each written once for [`nabla_compare`]'s traits
//! and with its hand-written derivative: Rosenbrock's function, softmax-cross-entropy of one
//! row of logits, the chapter's two functions, and the two-layer network's loss as a function
//! of its parameters (here, not in nabla-compare, which does not depend on nabla-net).
//!
//! ```
//! use nabla::compare::{Compare, Method};
//! use nabla::functions::{Rosenbrock, point};
//!
//! let report = Compare::new().methods(&[Method::Reverse, Method::Analytic]).run(&Rosenbrock, &point(10, 2.0, 0));
//! assert!(report.exact_agree());
//! ```

use nabla_compare::{Function, Number, ScalarFunction};
use nabla_net::nalgebra::{DMatrix, DVector};
use nabla_net::{Error, Sizes, TwoLayerNet, backprop, sigmoid};

/// A fixed point of `n` coordinates in `[-scale, scale]`, spread without a pattern
/// (fractional parts of multiples of the golden ratio), the same on every run; another
/// point for every `seed`.
pub fn point(n: usize, scale: f64, seed: u64) -> Vec<f64> {
    let phi = 0.618_033_988_749_894_9_f64;
    let offset = (seed as f64 * (std::f64::consts::SQRT_2 - 1.0)).fract();
    (0..n)
        .map(|i| {
            let u = ((i as f64 + 1.0) * phi + 0.137 + offset).fract();
            scale * (2.0 * u - 1.0)
        })
        .collect()
}

/// Rosenbrock's function in `n` dimensions:
/// `sum_{i < n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`.
///
/// The constant 100 is a plain `f64` factor: a dual number times a float scales its parts,
/// where a dual constant would go through the whole product rule with zero partials.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rosenbrock;

impl Function for Rosenbrock {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        let mut acc = S::zero();
        for w in x.windows(2) {
            let a = w[1] - w[0] * w[0];
            let b = S::one() - w[0];
            acc += a * a * 100.0 + b * b;
        }
        acc
    }

    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        let mut g = vec![0.0; x.len()];
        for i in 0..x.len().saturating_sub(1) {
            let a = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * a;
        }
        Some(g)
    }

    fn name(&self) -> String {
        "rosenbrock".into()
    }
}

/// Softmax-cross-entropy of one row of `n` logits against the label `n / 3`, through
/// nabla-loss's `softmax_cross_entropy_labels` (log-sum-exp); its gradient is
/// `softmax(z) - one_hot(n / 3)` (nabla-loss's `softmax_cross_entropy_grad_labels`).
///
/// # Panics
///
/// At a point of no logits (the label would be out of range).
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftmaxCrossEntropy;

impl SoftmaxCrossEntropy {
    /// The label of a row of `n` logits.
    pub fn label(n: usize) -> usize {
        n / 3
    }
}

impl Function for SoftmaxCrossEntropy {
    fn eval<S: Number>(&self, z: &[S]) -> S {
        let m = DMatrix::from_row_slice(1, z.len(), z);
        nabla_loss::softmax_cross_entropy_labels(&m, &[Self::label(z.len())])
            .expect("a row of at least one logit") // ok: documented panic
    }

    fn gradient(&self, z: &[f64]) -> Option<Vec<f64>> {
        let m = DMatrix::from_row_slice(1, z.len(), z);
        let g = nabla_loss::softmax_cross_entropy_grad_labels(&m, &[Self::label(z.len())]).ok()?;
        Some(g.as_slice().to_vec())
    }

    fn name(&self) -> String {
        "softmax_cross_entropy".into()
    }
}

/// The chapter's `f(x) = 0.01 x^2 + 0.1 x`, in the book's order of operations.
#[derive(Debug, Clone, Copy, Default)]
pub struct BookFunction1;

impl ScalarFunction for BookFunction1 {
    fn eval<S: Number>(&self, x: S) -> S {
        let a: S = nabla_net::nalgebra::convert(0.01);
        a * (x * x) + x * 0.1
    }

    fn derivative(&self, x: f64) -> Option<f64> {
        Some(0.02 * x + 0.1)
    }

    fn name(&self) -> String {
        "book_function_1".into()
    }
}

/// The chapter's `f(x0, x1) = x0^2 + x1^2`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BookFunction2;

impl Function for BookFunction2 {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        x[0] * x[0] + x[1] * x[1]
    }

    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        Some(vec![2.0 * x[0], 2.0 * x[1]])
    }

    fn name(&self) -> String {
        "book_function_2".into()
    }
}

/// The two-layer network's loss on a fixed batch, as a function of its parameters in the
/// order `w1, b1, w2, b2` (each matrix column by column, as nalgebra stores it), through
/// nabla-net's generic forward pass; its hand-written gradient is nabla-net's `backprop`.
#[derive(Debug, Clone)]
pub struct NetworkLoss {
    sizes: Sizes,
    x: DMatrix<f64>,
    labels: Vec<usize>,
    parameters: Vec<f64>,
}

/// Inputs, classes and batch rows of [`NetworkLoss::with_parameters`]'s networks.
const INPUT: usize = 16;
const CLASSES: usize = 4;
const BATCH: usize = 16;

impl NetworkLoss {
    /// The loss of `net` on the batch `x` (one sample per row) with `labels`, at the
    /// network's own parameters ([`parameters`](NetworkLoss::parameters)).
    ///
    /// # Errors
    ///
    /// nabla-net's, when the batch or the labels do not fit the network.
    pub fn new(net: &TwoLayerNet<f64>, x: DMatrix<f64>, labels: Vec<usize>) -> Result<Self, Error> {
        net.loss(&x, &labels)?;
        Ok(NetworkLoss {
            sizes: net.sizes(),
            x,
            labels,
            parameters: net.parameters().concat(),
        })
    }

    /// A network of 16 inputs, 4 classes and the hidden size that brings its parameter count
    /// nearest to `n` (`21 hidden + 4`: 25 for `n` = 10, 109 for 100, 991 for 1000), with
    /// weights `0.1 N(0, 1)` (seeded), on a batch of 16 made-up inputs in `[0, 1]`.
    pub fn with_parameters(n: usize, seed: u64) -> Self {
        let hidden = ((n as f64 - CLASSES as f64) / (INPUT + 1 + CLASSES) as f64)
            .round()
            .max(1.0) as usize;
        let sizes = Sizes::new(INPUT, hidden, CLASSES).expect("positive sizes"); // ok: constants and max(1)
        let net = TwoLayerNet::new(sizes, 0.1, seed).expect("a valid weight scale"); // ok: 0.1
        let pixels: Vec<f64> = point(BATCH * INPUT, 1.0, seed)
            .iter()
            .map(|v| 0.5 * (v + 1.0))
            .collect();
        let x = DMatrix::from_row_slice(BATCH, INPUT, &pixels);
        let labels = (0..BATCH).map(|r| r % CLASSES).collect();
        NetworkLoss::new(&net, x, labels).expect("the batch fits the network") // ok: built to fit
    }

    /// The network's parameters: the point to differentiate at.
    pub fn parameters(&self) -> &[f64] {
        &self.parameters
    }

    /// The parameters `p` (in this function's order) as `w1, b1, w2, b2`.
    #[allow(clippy::type_complexity)]
    fn split<S: Number>(&self, p: &[S]) -> (DMatrix<S>, DVector<S>, DMatrix<S>, DVector<S>) {
        let Sizes {
            input,
            hidden,
            output,
        } = self.sizes;
        let (w1, rest) = p.split_at(input * hidden);
        let (b1, rest) = rest.split_at(hidden);
        let (w2, b2) = rest.split_at(hidden * output);
        (
            DMatrix::from_column_slice(input, hidden, w1),
            DVector::from_column_slice(b1),
            DMatrix::from_column_slice(hidden, output, w2),
            DVector::from_column_slice(b2),
        )
    }
}

/// `m + 1 bᵀ`: `b` added to every row of `m`.
fn add_row_bias<S: Number>(mut m: DMatrix<S>, b: &DVector<S>) -> DMatrix<S> {
    for (mut column, &bias) in m.column_iter_mut().zip(b.iter()) {
        column.apply(|a| *a += bias);
    }
    m
}

impl Function for NetworkLoss {
    /// nabla-net's forward pass as a user writes it from nabla-net's and nabla-loss's
    /// public pieces: `TwoLayerNet::loss` itself needs nabla-net's `MatMul`, which the peer
    /// crates' number types do not implement (and cannot: the trait and the types are both
    /// foreign here). A test checks that the two agree.
    fn eval<S: Number>(&self, p: &[S]) -> S {
        let (w1, b1, w2, b2) = self.split(p);
        let x = self.x.map(nabla_net::nalgebra::convert::<f64, S>);
        let hidden = add_row_bias(x * w1, &b1).map(sigmoid);
        let logits = add_row_bias(hidden * w2, &b2);
        let probabilities = nabla_loss::softmax_rows(&logits);
        nabla_loss::cross_entropy_labels(&probabilities, &self.labels)
            .expect("the batch fits the network") // ok: checked in `new`
    }

    fn gradient(&self, p: &[f64]) -> Option<Vec<f64>> {
        let (w1, b1, w2, b2) = self.split(p);
        let net = TwoLayerNet::from_parts(w1, b1, w2, b2).ok()?;
        let (_, g) = backprop(&net, &self.x, &self.labels).ok()?;
        Some(
            [
                g.w1.as_slice(),
                g.b1.as_slice(),
                g.w2.as_slice(),
                g.b2.as_slice(),
            ]
            .concat(),
        )
    }

    fn name(&self) -> String {
        "network_loss".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chapters_numbers() {
        // REFERENCE.md: f'(5) = 0.2, the gradient of x0^2 + x1^2 at (3, 4) is (6, 8).
        let c = nabla_compare::Compare::new().time(std::time::Duration::ZERO);
        let r = c.run(&BookFunction1, &[5.0]);
        assert!((r.reference[0] - 0.2).abs() < 1e-16 && r.exact_agree());
        let r = c.run(&BookFunction2, &[3.0, 4.0]);
        assert_eq!(r.reference, [6.0, 8.0]);
        assert_eq!(BookFunction1.eval(10.0), 2.0);
    }

    #[test]
    fn network_sizes_and_parameter_order() {
        let f = NetworkLoss::with_parameters(100, 3);
        assert_eq!(f.parameters().len(), 109);
        assert_eq!(NetworkLoss::with_parameters(10, 0).parameters().len(), 25);
        assert_eq!(
            NetworkLoss::with_parameters(1000, 0).parameters().len(),
            991
        );
        // The loss at the network's own parameters is the network's loss.
        let (w1, b1, w2, b2) = f.split(f.parameters());
        let net = TwoLayerNet::from_parts(w1, b1, w2, b2).unwrap();
        let (ours, theirs) = (f.eval(f.parameters()), net.loss(&f.x, &f.labels).unwrap());
        assert!(
            (ours - theirs).abs() <= 1e-14 * theirs,
            "{ours} vs {theirs}"
        );
        let c = nabla_compare::Compare::new().time(std::time::Duration::ZERO);
        assert!(c.run(&f, f.parameters()).exact_agree());
    }

    #[test]
    fn points_are_spread_and_reproducible() {
        let p = point(1000, 2.0, 0);
        assert!(p.iter().all(|v| v.abs() <= 2.0));
        assert_eq!(p, point(1000, 2.0, 0));
        assert_ne!(p, point(1000, 2.0, 1));
        assert!(p.iter().sum::<f64>().abs() < 10.0);
    }
}

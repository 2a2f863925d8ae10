//! The functions `nabla compare`, the gradient benches, the accuracy example and the
//! gradient property tests differentiate, each written once for [`nabla_compare`]'s traits
//! and with its hand-written derivative: Rosenbrock's function and the chapter's two
//! functions (nabla-compare's own [`functions`](nabla_compare::functions), re-exported), and
//! softmax-cross-entropy of one row of logits and the two-layer network's loss as a function
//! of its parameters (here, not in nabla-compare, which depends on neither nabla-loss nor
//! nabla-net).
//!
//! ```
//! use nabla::compare::{Compare, Method};
//! use nabla::functions::{Rosenbrock, point};
//!
//! let report = Compare::new().methods(&[Method::Reverse, Method::Analytic]).run(&Rosenbrock, &point(10, 2.0, 0));
//! assert!(report.exact_agree());
//! ```

pub use nabla_compare::functions::{BookFunction1, BookFunction2, Rosenbrock, point};
use nabla_compare::{Function, Number};
use nabla_net::nalgebra::{DMatrix, DVector};
use nabla_net::{Error, Sizes, TwoLayerNet, backprop, sigmoid};

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

//! The book's `TwoLayerNet`, generic over the scalar.

use nalgebra::{DMatrix, DVector, RealField};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use crate::activation::{Activation, Hidden};
use crate::check::{check_batch, check_inputs};
use crate::product::MatMul;
use crate::{Error, Sizes, forward};

/// A two-layer perceptron: affine -> sigmoid -> affine -> softmax, trained on cross-entropy.
///
/// The parameters have the book's shapes: `w1` is `input x hidden`, `b1` has `hidden`
/// entries, `w2` is `hidden x output`, `b2` has `output` entries. A batch is a matrix with one
/// sample per row. The forward pass ([`logits`](Self::logits), [`predict`](Self::predict),
/// [`loss`](Self::loss), [`accuracy`](Self::accuracy)) is written once for any [`MatMul`]
/// scalar (a `nalgebra::RealField` and its matrix product): `f32`, `f64`, the dual numbers of
/// nabla-dual and the tape numbers of nabla-tape alike, which is what the numerical, dual and
/// reverse gradients differentiate.
#[derive(Clone, Debug, PartialEq)]
pub struct TwoLayerNet<T: nalgebra::Scalar> {
    w1: DMatrix<T>,
    b1: DVector<T>,
    w2: DMatrix<T>,
    b2: DVector<T>,
}

impl<T: nalgebra::Scalar + Copy> TwoLayerNet<T> {
    /// Builds a network from its four parameter arrays, checking that their shapes fit.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if a layer is empty, [`Error::Shape`] if `b1`, `w2` or `b2` does not
    /// match `w1`.
    pub fn from_parts(
        w1: DMatrix<T>,
        b1: DVector<T>,
        w2: DMatrix<T>,
        b2: DVector<T>,
    ) -> Result<Self, Error> {
        Sizes::new(w1.nrows(), w1.ncols(), w2.ncols())?;
        let checks = [
            ("b1 length (hidden size)", w1.ncols(), b1.len()),
            ("w2 rows (hidden size)", w1.ncols(), w2.nrows()),
            ("b2 length (output size)", w2.ncols(), b2.len()),
        ];
        for (what, expected, got) in checks {
            if expected != got {
                return Err(Error::Shape {
                    what: what.to_owned(),
                    expected,
                    got,
                });
            }
        }
        Ok(TwoLayerNet { w1, b1, w2, b2 })
    }

    /// The layer sizes.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            input: self.w1.nrows(),
            hidden: self.w1.ncols(),
            output: self.w2.ncols(),
        }
    }

    /// The first layer's weights, `input x hidden`.
    pub fn w1(&self) -> &DMatrix<T> {
        &self.w1
    }

    /// The first layer's biases, `hidden` entries.
    pub fn b1(&self) -> &DVector<T> {
        &self.b1
    }

    /// The second layer's weights, `hidden x output`.
    pub fn w2(&self) -> &DMatrix<T> {
        &self.w2
    }

    /// The second layer's biases, `output` entries.
    pub fn b2(&self) -> &DVector<T> {
        &self.b2
    }

    /// The four parameter arrays as mutable slices, in the order `w1, b1, w2, b2` (matrices in
    /// nalgebra's column-major order), so that they can be nudged in place without changing
    /// their shapes.
    pub fn parameters_mut(&mut self) -> [&mut [T]; 4] {
        [
            self.w1.as_mut_slice(),
            self.b1.as_mut_slice(),
            self.w2.as_mut_slice(),
            self.b2.as_mut_slice(),
        ]
    }

    /// The four parameter arrays as slices, in the order of
    /// [`parameters_mut`](Self::parameters_mut).
    pub fn parameters(&self) -> [&[T]; 4] {
        [
            self.w1.as_slice(),
            self.b1.as_slice(),
            self.w2.as_slice(),
            self.b2.as_slice(),
        ]
    }

    /// The same network with every parameter converted by `f` (for example `f32` to `f64`, or
    /// `f64` to a dual number with zero derivative).
    pub fn map<U: nalgebra::Scalar + Copy>(&self, mut f: impl FnMut(T) -> U) -> TwoLayerNet<U> {
        TwoLayerNet {
            w1: self.w1.map(&mut f),
            b1: self.b1.map(&mut f),
            w2: self.w2.map(&mut f),
            b2: self.b2.map(&mut f),
        }
    }

    /// A network from parameters laid out as [`parameters`](Self::parameters) concatenated
    /// (`w1`, `b1`, `w2`, `b2`, each column-major): the inverse of `parameters().concat()`,
    /// used by the drivers that differentiate with respect to one flat vector.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `flat` does not hold [`Sizes::parameter_count`] numbers.
    pub(crate) fn from_flat(sizes: Sizes, flat: &[T]) -> Result<Self, Error> {
        if flat.len() != sizes.parameter_count() {
            return Err(Error::Shape {
                what: "flat parameters".into(),
                expected: sizes.parameter_count(),
                got: flat.len(),
            });
        }
        let (w1, rest) = flat.split_at(sizes.input * sizes.hidden);
        let (b1, rest) = rest.split_at(sizes.hidden);
        let (w2, b2) = rest.split_at(sizes.hidden * sizes.output);
        TwoLayerNet::from_parts(
            DMatrix::from_column_slice(sizes.input, sizes.hidden, w1),
            DVector::from_column_slice(b1),
            DMatrix::from_column_slice(sizes.hidden, sizes.output, w2),
            DVector::from_column_slice(b2),
        )
    }
}

impl<T: RealField + Copy> TwoLayerNet<T> {
    /// The book's initialisation: weights `weight_std * N(0, 1)` drawn from a generator seeded
    /// with `seed` (first `w1` row by row, then `w2` row by row), biases zero. The book uses
    /// `weight_std = 0.01`.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if a size is zero, [`Error::NotPositive`] if `weight_std` is not finite
    /// and positive, [`Error::TooLarge`] if the parameter count overflows or the memory for
    /// the weights cannot be allocated (asked of the allocator first, so that a huge size is
    /// an error rather than an abort).
    pub fn new(sizes: Sizes, weight_std: f64, seed: u64) -> Result<Self, Error> {
        sizes.validate()?;
        if !(weight_std.is_finite() && weight_std > 0.0) {
            return Err(Error::NotPositive {
                what: "weight scale",
                value: weight_std,
            });
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut normal = |rows: usize, cols: usize, name: &str| -> Result<DMatrix<T>, Error> {
            // `validate` ruled out an overflow of the parameter count, and so of this product.
            let n = rows * cols;
            let mut values: Vec<T> = Vec::new();
            values.try_reserve_exact(n).map_err(|_| Error::TooLarge {
                sizes,
                reason: format!(
                    "cannot allocate the {n} weights of {name} ({:.3e} bytes)",
                    n as f64 * std::mem::size_of::<T>() as f64
                ),
            })?;
            // Drawn row by row, as NumPy fills a (rows, cols) array.
            values.extend((0..n).map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                nalgebra::convert::<f64, T>(weight_std * z)
            }));
            Ok(DMatrix::from_row_slice(rows, cols, &values))
        };
        let w1 = normal(sizes.input, sizes.hidden, "w1")?;
        let w2 = normal(sizes.hidden, sizes.output, "w2")?;
        Ok(TwoLayerNet {
            w1,
            b1: DVector::zeros(sizes.hidden),
            w2,
            b2: DVector::zeros(sizes.output),
        })
    }
}

impl<T: MatMul> TwoLayerNet<T> {
    /// The output layer before the softmax, one row per sample of `x`.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have `input` columns.
    pub fn logits(&self, x: &DMatrix<T>) -> Result<DMatrix<T>, Error> {
        self.logits_with::<Hidden>(x)
    }

    /// [`logits`](Self::logits) with the hidden layer computing `A`.
    fn logits_with<A: Activation>(&self, x: &DMatrix<T>) -> Result<DMatrix<T>, Error> {
        check_inputs("the batch", self.w1.nrows(), x.ncols())?;
        Ok(forward::logits::<T, A>(
            &self.w1, &self.b1, &self.w2, &self.b2, x,
        ))
    }

    /// The class probabilities (softmax of the logits), one row per sample of `x`.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have `input` columns.
    pub fn predict(&self, x: &DMatrix<T>) -> Result<DMatrix<T>, Error> {
        Ok(nabla_loss::softmax_rows(&self.logits(x)?))
    }

    /// Checks a batch and its labels against this network (see [`check_batch`]).
    fn check(&self, x: &DMatrix<T>, labels: &[usize]) -> Result<(), Error> {
        let sizes = self.sizes();
        check_batch("the batch", sizes.input, sizes.output, x.shape(), labels)
    }

    /// The book's loss: nabla-loss's [`cross_entropy_labels`](nabla_loss::cross_entropy_labels)
    /// of [`predict`](Self::predict), the batch mean of `-ln(y[i, t_i] + DELTA)` with
    /// `t_i = labels[i]` and the book's [`DELTA`](nabla_loss::DELTA) `= 1e-7`.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have `input` columns or `labels` does not have one
    /// entry per row of `x`; [`Error::Empty`] if `x` has no rows; [`Error::Label`] if a label
    /// is not below `output`.
    pub fn loss(&self, x: &DMatrix<T>, labels: &[usize]) -> Result<T, Error> {
        self.loss_with::<Hidden>(x, labels)
    }

    /// [`loss`](Self::loss) with the hidden layer computing `A`: what the brute-force
    /// numerical, the dual and the reverse gradients differentiate.
    pub(crate) fn loss_with<A: Activation>(
        &self,
        x: &DMatrix<T>,
        labels: &[usize],
    ) -> Result<T, Error> {
        self.check(x, labels)?;
        let probabilities = nabla_loss::softmax_rows(&self.logits_with::<A>(x)?);
        Ok(nabla_loss::cross_entropy_labels(&probabilities, labels)?)
    }

    /// The fraction of rows of `x` whose largest logit is at its label: nabla-loss's
    /// [`accuracy`](nabla_loss::accuracy) of the logits (ties go to the first class, as NumPy's
    /// `argmax`; a row with a NaN predicts the NaN's class).
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have `input` columns or `labels` does not have one
    /// entry per row of `x`; [`Error::Empty`] if `x` has no rows; [`Error::Label`] if a label
    /// is not below `output`.
    pub fn accuracy(&self, x: &DMatrix<T>, labels: &[usize]) -> Result<f64, Error> {
        self.check(x, labels)?;
        Ok(nabla_loss::accuracy(&self.logits(x)?, labels)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn new_draws_the_stated_scale_and_zero_biases() {
        let net = TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 7).unwrap();
        assert_eq!(net.w1().shape(), (784, 50));
        assert_eq!(net.w2().shape(), (50, 10));
        assert!(net.b1().iter().all(|&b| b == 0.0) && net.b2().iter().all(|&b| b == 0.0));
        let n = net.w1().len() as f64;
        let mean = net.w1().sum() / n;
        let sd = (net.w1().map(|w| (w - mean) * (w - mean)).sum() / n).sqrt();
        // 39200 draws: the sample sd is within a few percent of 0.01.
        assert_relative_eq!(sd, 0.01, max_relative = 0.03);
        assert!(mean.abs() < 3.0 * 0.01 / n.sqrt() * 2.0);
        // Same seed, same weights; another seed, other weights.
        assert_eq!(net, TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 7).unwrap());
        assert_ne!(net, TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 8).unwrap());
    }

    #[test]
    fn bad_weight_scales_are_errors() {
        for std in [0.0, -0.01, f64::NAN, f64::INFINITY] {
            assert!(
                TwoLayerNet::<f64>::new(Sizes::MNIST, std, 0).is_err(),
                "{std}"
            );
        }
    }

    #[test]
    fn from_parts_checks_shapes() {
        let ok = TwoLayerNet::from_parts(
            DMatrix::<f64>::zeros(3, 2),
            DVector::zeros(2),
            DMatrix::zeros(2, 4),
            DVector::zeros(4),
        );
        assert_eq!(ok.unwrap().sizes(), Sizes::new(3, 2, 4).unwrap());
        let bad = TwoLayerNet::from_parts(
            DMatrix::<f64>::zeros(3, 2),
            DVector::zeros(2),
            DMatrix::zeros(3, 4),
            DVector::zeros(4),
        )
        .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "shape mismatch: w2 rows (hidden size): expected 2, got 3"
        );
    }

    #[test]
    fn zero_weights_give_uniform_predictions_and_ln10_loss() {
        let net = TwoLayerNet::from_parts(
            DMatrix::<f64>::zeros(4, 3),
            DVector::zeros(3),
            DMatrix::zeros(3, 10),
            DVector::zeros(10),
        )
        .unwrap();
        let x = DMatrix::from_fn(2, 4, |i, j| (i + j) as f64);
        let y = net.predict(&x).unwrap();
        assert!(y.iter().all(|&p| (p - 0.1).abs() < 1e-15));
        // -ln(0.1 + 1e-7)
        assert_relative_eq!(
            net.loss(&x, &[3, 7]).unwrap(),
            -(0.1f64 + 1e-7).ln(),
            epsilon = 1e-14
        );
        // All logits tie: argmax is class 0.
        assert_eq!(net.accuracy(&x, &[0, 1]).unwrap(), 0.5);
    }

    #[test]
    fn bad_labels_are_typed_errors() {
        let net = TwoLayerNet::<f64>::new(Sizes::new(4, 3, 10).unwrap(), 0.1, 2).unwrap();
        let x = DMatrix::from_fn(2, 4, |i, j| (i + j) as f64);
        let err = net.loss(&x, &[3, 10]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "label 10 at row 1 is out of range: the network has 10 outputs"
        );
        assert!(matches!(
            net.accuracy(&x, &[12, 0]),
            Err(Error::Label {
                row: 0,
                label: 12,
                classes: 10
            })
        ));
        assert_eq!(
            net.loss(&x, &[3]).unwrap_err().to_string(),
            "shape mismatch: labels for the batch (one per sample): expected 2, got 1"
        );
        let empty = DMatrix::<f64>::zeros(0, 4);
        assert!(matches!(
            net.accuracy(&empty, &[]),
            Err(Error::Empty { what: "the batch" })
        ));
        assert!(matches!(net.loss(&empty, &[]), Err(Error::Empty { .. })));
    }

    #[test]
    fn a_batch_of_the_wrong_width_is_a_typed_error() {
        let net = TwoLayerNet::<f64>::new(Sizes::new(4, 3, 10).unwrap(), 0.1, 2).unwrap();
        let wide = DMatrix::from_fn(2, 5, |i, j| (i + j) as f64);
        let want = "shape mismatch: inputs per sample in the batch: expected 4, got 5";
        assert_eq!(net.logits(&wide).unwrap_err().to_string(), want);
        assert_eq!(net.predict(&wide).unwrap_err().to_string(), want);
        assert_eq!(net.loss(&wide, &[0, 1]).unwrap_err().to_string(), want);
        assert!(matches!(
            net.accuracy(&wide, &[0, 1]),
            Err(Error::Shape {
                expected: 4,
                got: 5,
                ..
            })
        ));
    }

    #[test]
    fn a_network_too_large_to_allocate_is_an_error() {
        // 784 x 2e15 weights: the count fits in a usize, its 1.25e19 bytes do not fit in an
        // isize, so the allocator is not even asked (a test that does not depend on how much
        // memory the machine has or promises).
        let sizes = Sizes::new(784, 2_000_000_000_000_000, 10).unwrap();
        let err = TwoLayerNet::<f64>::new(sizes, 0.01, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the network 784-2000000000000000-10 is too large: cannot allocate the \
             1568000000000000000 weights of w1 (1.254e19 bytes)"
        );
        assert!(matches!(
            TwoLayerNet::<f64>::new(
                Sizes {
                    input: 784,
                    hidden: usize::MAX,
                    output: 10
                },
                0.01,
                0
            ),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn a_hand_computed_forward_pass() {
        // 1 input, 1 hidden unit, 2 outputs.
        let net = TwoLayerNet::from_parts(
            DMatrix::from_row_slice(1, 1, &[2.0f64]),
            DVector::from_row_slice(&[-1.0]),
            DMatrix::from_row_slice(1, 2, &[3.0, -3.0]),
            DVector::from_row_slice(&[0.5, 0.0]),
        )
        .unwrap();
        let x = DMatrix::from_row_slice(1, 1, &[1.5]);
        let z = 1.0 / (1.0 + (-(2.0f64 * 1.5 - 1.0)).exp());
        let logits = net.logits(&x).unwrap();
        assert_relative_eq!(logits[(0, 0)], 3.0 * z + 0.5, epsilon = 1e-15);
        assert_relative_eq!(logits[(0, 1)], -3.0 * z, epsilon = 1e-15);
        let p1 = 1.0 / (1.0 + (logits[(0, 0)] - logits[(0, 1)]).exp());
        assert_relative_eq!(net.predict(&x).unwrap()[(0, 1)], p1, epsilon = 1e-15);
        assert_relative_eq!(
            net.loss(&x, &[1]).unwrap(),
            -(p1 + 1e-7).ln(),
            epsilon = 1e-14
        );
    }

    #[test]
    fn f32_and_f64_agree() {
        let net = TwoLayerNet::<f64>::new(Sizes::new(6, 4, 3).unwrap(), 0.5, 1).unwrap();
        let net32 = net.map(|w| w as f32);
        let x = DMatrix::from_fn(5, 6, |i, j| ((i * 6 + j) % 7) as f64 / 7.0);
        let labels = [0, 1, 2, 1, 0];
        let l64 = net.loss(&x, &labels).unwrap();
        let l32 = net32.loss(&x.map(|v| v as f32), &labels).unwrap();
        assert_relative_eq!(f64::from(l32), l64, max_relative = 1e-5);
    }
}

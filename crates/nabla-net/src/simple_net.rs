//! The book's `simpleNet`: one weight matrix, softmax, cross-entropy.

use nabla_dual::{DualVec, gradient_chunked};
use nabla_numdiff::{Options, Scheme, gradient};
use nabla_tape::{Recording, Var};
use nalgebra::{DMatrix, DVector};

use crate::check::{FirstError, check_batch, check_inputs};
use crate::product::MatMul;
use crate::{Error, Precision};
use nabla_loss::{DELTA, cross_entropy_labels, softmax_rows};

/// The book's `simpleNet`: a single weight matrix `w` (`inputs x classes`, 2 x 3 in the
/// book), prediction `x w`, loss the cross-entropy of `softmax(x w)` with the label. Generic
/// over the scalar like [`TwoLayerNet`](crate::TwoLayerNet), and differentiable the same four
/// ways.
#[derive(Clone, Debug, PartialEq)]
pub struct SimpleNet<T: nalgebra::Scalar> {
    w: DMatrix<T>,
}

impl<T: nalgebra::Scalar + Copy> SimpleNet<T> {
    /// A network with the given weights.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if `w` has no rows or no columns.
    pub fn new(w: DMatrix<T>) -> Result<Self, Error> {
        if w.nrows() == 0 {
            return Err(Error::Zero { what: "input size" });
        }
        if w.ncols() == 0 {
            return Err(Error::Zero {
                what: "class count",
            });
        }
        Ok(SimpleNet { w })
    }

    /// The weights.
    pub fn w(&self) -> &DMatrix<T> {
        &self.w
    }
}

impl<T: MatMul> SimpleNet<T> {
    /// `x w`, the scores of each class.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have one entry per row of `w`.
    pub fn predict(&self, x: &DVector<T>) -> Result<DVector<T>, Error> {
        check_inputs("x", self.w.nrows(), x.len())?;
        Ok(DVector::from_column_slice(self.scores(x).as_slice()))
    }

    /// `-ln(softmax(x w)[label] + 1e-7)`, the book's `loss(x, t)` with `t = one_hot(label)`:
    /// nabla-loss's `cross_entropy_labels(softmax_rows(x w))` on a batch of one.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have one entry per row of `w`; [`Error::Label`] if
    /// `label` is not below the number of classes.
    pub fn loss(&self, x: &DVector<T>, label: usize) -> Result<T, Error> {
        self.check(x, label)?;
        Ok(cross_entropy_labels(&self.probabilities(x), &[label])?)
    }

    /// Checks `x` and `label` as a batch of one (see [`check_batch`]).
    fn check(&self, x: &DVector<T>, label: usize) -> Result<(), Error> {
        check_batch("x", self.w.nrows(), self.w.ncols(), (1, x.len()), &[label])
    }

    /// `x w` as a one-row matrix, through [`MatMul::matmul`], for an `x` already checked.
    fn scores(&self, x: &DVector<T>) -> DMatrix<T> {
        T::matmul(&DMatrix::from_row_slice(1, x.len(), x.as_slice()), &self.w)
    }

    /// `softmax(x w)` as a one-row matrix, for an `x` already checked.
    fn probabilities(&self, x: &DVector<T>) -> DMatrix<T> {
        softmax_rows(&self.scores(x))
    }
}

impl<T: Precision + MatMul> SimpleNet<T> {
    /// The gradient of [`loss`](Self::loss) with respect to `w` by backpropagation:
    /// `x (y - t)^T` with `y = softmax(x w)`, times `y_t / (y_t + 1e-7)` (the exact
    /// derivative of the loss as computed, `1e-7` included).
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have one entry per row of `w`; [`Error::Label`] if
    /// `label` is not below the number of classes.
    pub fn backprop(&self, x: &DVector<T>, label: usize) -> Result<DMatrix<T>, Error> {
        self.check(x, label)?;
        let mut y = self.probabilities(x);
        let scale = y[label] / (y[label] + <T as Precision>::from_f64(DELTA));
        y[label] -= T::one();
        Ok((x * y) * scale)
    }

    /// The gradient of [`loss`](Self::loss) with respect to `w` by reverse-mode automatic
    /// differentiation (nabla-tape): the generic loss evaluated once on `Var<T>` and swept
    /// backwards once for all weights.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have one entry per row of `w`; [`Error::Label`] if
    /// `label` is not below the number of classes.
    pub fn reverse_gradient(&self, x: &DVector<T>, label: usize) -> Result<DMatrix<T>, Error>
    where
        T: nabla_tape::Scalar,
    {
        self.check(x, label)?;
        let rec = Recording::<T>::new();
        let (rows, cols) = self.w.shape();
        let w = DMatrix::from_column_slice(rows, cols, &rec.vars(self.w.as_slice()));
        let loss = SimpleNet { w: w.clone() }.loss(&x.map(Var::constant), label)?;
        let flat = rec.gradient(loss, w.as_slice());
        Ok(DMatrix::from_column_slice(rows, cols, &flat))
    }

    /// The book's `numerical_gradient(f, net.W)`: central differences with the fixed step `h`
    /// (the book: `1e-4`) over every weight, through nabla-numdiff.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have one entry per row of `w`; [`Error::Label`] if
    /// `label` is not below the number of classes (both before any differencing);
    /// [`Error::NumDiff`] if the loss is not finite at a probed point or `h` is not a valid
    /// step.
    pub fn numerical_gradient(
        &self,
        x: &DVector<T>,
        label: usize,
        h: T,
    ) -> Result<DMatrix<T>, Error> {
        // Checks once, so that the loss below cannot fail; should it, its error is kept and
        // returned rather than turned into a panic.
        self.check(x, label)?;
        let failure = FirstError::new();
        let mut w = self.w.clone();
        let (rows, cols) = w.shape();
        let flat = gradient(
            &mut w,
            |w: &DMatrix<T>| failure.value_or(SimpleNet { w: w.clone() }.loss(x, label), T::nan()),
            Options::fixed(Scheme::Central, h),
        );
        if let Some(e) = failure.into_error() {
            return Err(e);
        }
        Ok(DMatrix::from_column_slice(rows, cols, &flat?))
    }
}

impl SimpleNet<f64> {
    /// The gradient of [`loss`](Self::loss) with respect to `w` by forward-mode dual numbers
    /// (`DualVec<f64, 8>`, so the book's six weights take one pass).
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` does not have one entry per row of `w`; [`Error::Label`] if
    /// `label` is not below the number of classes.
    pub fn dual_gradient(&self, x: &DVector<f64>, label: usize) -> Result<DMatrix<f64>, Error> {
        type D = DualVec<f64, 8>;
        self.check(x, label)?;
        let (rows, cols) = self.w.shape();
        let xd = x.map(D::constant);
        // Checked above, so the loss cannot fail; should it, its error is returned.
        let failure = FirstError::new();
        let (_, flat) = gradient_chunked::<8, _>(
            |w: &[D]| {
                let net = SimpleNet {
                    w: DMatrix::from_column_slice(rows, cols, w),
                };
                failure.value_or(net.loss(&xd, label), D::constant(f64::NAN))
            },
            self.w.as_slice(),
        );
        match failure.into_error() {
            Some(e) => Err(e),
            None => Ok(DMatrix::from_column_slice(rows, cols, &flat)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// REFERENCE.md's simpleNet.
    fn book() -> (SimpleNet<f64>, DVector<f64>) {
        let w = DMatrix::from_row_slice(
            2,
            3,
            &[
                0.47355232, 0.9977393, 0.84668094, 0.85557411, 0.03563661, 0.69422093,
            ],
        );
        (
            SimpleNet::new(w).unwrap(),
            DVector::from_row_slice(&[0.6, 0.9]),
        )
    }

    #[test]
    fn prediction_and_loss_are_the_books() {
        let (net, x) = book();
        let p = net.predict(&x).unwrap();
        for (got, want) in p.iter().zip([1.05414809, 0.63071653, 1.1328074]) {
            assert_relative_eq!(*got, want, epsilon = 5e-9);
        }
        assert_eq!(net.loss(&x, 2).unwrap(), 0.9280682857864075);
        assert_eq!(
            net.loss(&x, 3).unwrap_err().to_string(),
            "label 3 at row 0 is out of range: the network has 3 outputs"
        );
        assert!(matches!(
            net.numerical_gradient(&x, 3, 1e-4),
            Err(Error::Label { label: 3, .. })
        ));
    }

    #[test]
    fn numerical_dw_is_the_books_and_the_other_two_agree() {
        let (net, x) = book();
        let numerical = net.numerical_gradient(&x, 2, 1e-4).unwrap();
        let want = DMatrix::from_row_slice(
            2,
            3,
            &[
                0.2192475712,
                0.1435624298,
                -0.362810001,
                0.3288713569,
                0.2153436448,
                -0.5442150015,
            ],
        );
        for (got, want) in numerical.iter().zip(want.iter()) {
            assert_relative_eq!(*got, *want, epsilon = 1e-10);
        }
        let analytic = net.backprop(&x, 2).unwrap();
        let dual = net.dual_gradient(&x, 2).unwrap();
        let reverse = net.reverse_gradient(&x, 2).unwrap();
        for (((a, d), r), n) in analytic
            .iter()
            .zip(dual.iter())
            .zip(reverse.iter())
            .zip(numerical.iter())
        {
            assert_relative_eq!(*a, *d, max_relative = 1e-12);
            assert_relative_eq!(*a, *r, max_relative = 1e-12);
            assert_relative_eq!(*a, *n, epsilon = 1e-8);
        }
    }

    #[test]
    fn f32_follows_f64_and_empty_weights_are_rejected() {
        let (net, x) = book();
        let net32 = SimpleNet::new(net.w().map(|v| v as f32)).unwrap();
        let l32 = net32.loss(&x.map(|v| v as f32), 2).unwrap();
        assert_relative_eq!(f64::from(l32), 0.9280682857864075, max_relative = 1e-6);
        assert!(SimpleNet::new(DMatrix::<f64>::zeros(0, 3)).is_err());
        assert!(SimpleNet::new(DMatrix::<f64>::zeros(2, 0)).is_err());
    }

    #[test]
    fn a_wrong_length_or_label_is_a_typed_error_everywhere() {
        let (net, x) = book();
        let long = DVector::from_row_slice(&[0.6, 0.9, 0.1]);
        let want = "shape mismatch: inputs per sample in x: expected 2, got 3";
        assert_eq!(net.predict(&long).unwrap_err().to_string(), want);
        assert_eq!(net.loss(&long, 2).unwrap_err().to_string(), want);
        assert_eq!(net.backprop(&long, 2).unwrap_err().to_string(), want);
        assert_eq!(
            net.numerical_gradient(&long, 2, 1e-4)
                .unwrap_err()
                .to_string(),
            want
        );
        assert_eq!(net.dual_gradient(&long, 2).unwrap_err().to_string(), want);
        assert_eq!(
            net.reverse_gradient(&long, 2).unwrap_err().to_string(),
            want
        );
        let short = DVector::from_row_slice(&[0.6]);
        assert!(matches!(
            net.backprop(&short, 0),
            Err(Error::Shape {
                expected: 2,
                got: 1,
                ..
            })
        ));
        let label = "label 3 at row 0 is out of range: the network has 3 outputs";
        assert_eq!(net.backprop(&x, 3).unwrap_err().to_string(), label);
        assert_eq!(net.dual_gradient(&x, 3).unwrap_err().to_string(), label);
        assert_eq!(net.reverse_gradient(&x, 3).unwrap_err().to_string(), label);
        assert!(matches!(
            net.dual_gradient(&x, usize::MAX),
            Err(Error::Label {
                row: 0,
                label: usize::MAX,
                classes: 3
            })
        ));
        let net32 = SimpleNet::new(net.w().map(|v| v as f32)).unwrap();
        assert!(matches!(
            net32.backprop(&long.map(|v| v as f32), 0),
            Err(Error::Shape { .. })
        ));
    }
}

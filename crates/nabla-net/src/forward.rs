//! The generic forward pass shared by every network type, written once for any [`MatMul`]
//! scalar (every `RealField` with its matrix product):
//! the logits. The softmax, the cross-entropy and the accuracy on top of them are nabla-loss's
//! (`softmax_rows`, `cross_entropy_labels`, `accuracy`).

use nalgebra::{DMatrix, DVector};

use crate::activation::Activation;
use crate::product::MatMul;

/// `A(x w1 + b1) w2 + b2`, one row per row of `x`, for the activation `A` (the network's is
/// [`Hidden`](crate::activation::Hidden)).
///
/// Both layers go through [`MatMul::affine`]: nalgebra's product for `f32` and `f64` (its
/// optimised kernel), the same skipping a mostly-zero batch's zeros for dual numbers, and
/// nabla-tape's matrix-product rule for `Var` (one tape entry per layer: the pixels are
/// constants, kept as their non-zeros).
pub(crate) fn logits<T: MatMul, A: Activation>(
    w1: &DMatrix<T>,
    b1: &DVector<T>,
    w2: &DMatrix<T>,
    b2: &DVector<T>,
    x: &DMatrix<T>,
) -> DMatrix<T> {
    assert_eq!(
        x.ncols(),
        w1.nrows(),
        "the batch has {} columns but the network has {} inputs",
        x.ncols(),
        w1.nrows()
    );
    let mut hidden = T::affine(x, w1, b1);
    hidden.apply(|a| *a = A::value(*a));
    T::affine(&hidden, w2, b2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{Hidden, Sigmoid};
    use approx::assert_relative_eq;

    type Params<T> = (DMatrix<T>, DVector<T>, DMatrix<T>, DVector<T>);

    /// A 10-4-3 network and a batch of 5 that is 80% zeros (which a dual number would send to
    /// the sparse loop), in `T`.
    fn fixture<T: nalgebra::RealField + Copy>() -> (Params<T>, DMatrix<T>) {
        let w1 = DMatrix::from_fn(10, 4, |j, k| ((j * 4 + k) as f64 * 0.37).sin());
        let b1 = DVector::from_fn(4, |k, _| 0.1 * k as f64);
        let w2 = DMatrix::from_fn(4, 3, |k, c| ((k * 3 + c) as f64 * 0.71).cos());
        let b2 = DVector::from_fn(3, |c, _| -0.2 * c as f64);
        let x = DMatrix::from_fn(5, 10, |r, j| {
            if (r + j) % 5 == 0 {
                0.5 + r as f64
            } else {
                0.0
            }
        });
        let [w1, w2, x] = [w1, w2, x].map(|m| m.map(nalgebra::convert::<f64, T>));
        let [b1, b2] = [b1, b2].map(|v| v.map(nalgebra::convert::<f64, T>));
        ((w1, b1, w2, b2), x)
    }

    /// The logits of `A = sigmoid` by nalgebra's own dense products.
    fn dense_logits<T: nalgebra::RealField + Copy>(
        (w1, b1, w2, b2): &Params<T>,
        x: &DMatrix<T>,
    ) -> DMatrix<T> {
        let mut h = x * w1;
        for mut row in h.row_iter_mut() {
            row += b1.transpose();
        }
        let mut out = h.map(Sigmoid::value) * w2;
        for mut row in out.row_iter_mut() {
            row += b2.transpose();
        }
        out
    }

    /// `logits` against [`dense_logits`] on the [`fixture`], in `T`.
    fn logits_against_dense<T: MatMul>() -> (DMatrix<T>, DMatrix<T>) {
        let (p, x) = fixture::<T>();
        let got = logits::<T, Hidden>(&p.0, &p.1, &p.2, &p.3, &x);
        (got, dense_logits(&p, &x))
    }

    #[test]
    fn f32_and_f64_always_take_the_dense_product() {
        // Bit for bit: the sparse loop's `mul_add` would round otherwise.
        let (got, want) = logits_against_dense::<f64>();
        assert_eq!(got, want);
        let (got, want) = logits_against_dense::<f32>();
        assert_eq!(got, want);
    }

    #[test]
    fn the_sparse_and_dense_products_agree() {
        // In dual numbers: the sparse path (f64 takes the dense one).
        let (p, x) = fixture::<f64>();
        let (w1, b1, w2, b2) = &p;
        let dual = |m: &DMatrix<f64>| m.map(nabla_dual::Dual64::constant);
        let got = logits::<_, Hidden>(
            &dual(w1),
            &b1.map(nabla_dual::Dual64::constant),
            &dual(w2),
            &b2.map(nabla_dual::Dual64::constant),
            &dual(&x),
        )
        .map(|d| d.re());
        let want = dense_logits(&p, &x);
        for (a, b) in got.iter().zip(want.iter()) {
            assert_relative_eq!(*a, *b, epsilon = 1e-14);
        }
    }
}

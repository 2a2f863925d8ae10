//! The generic forward pass shared by every network type, written once for any `RealField`:
//! the logits. The softmax, the cross-entropy and the accuracy on top of them are nabla-loss's
//! (`softmax_rows`, `cross_entropy_labels`, `accuracy`).

use std::any::TypeId;

use nalgebra::{DMatrix, DVector, RealField};

use crate::activation::Activation;

/// `A(x w1 + b1) w2 + b2`, one row per row of `x`, for the activation `A` (the network's is
/// [`Hidden`](crate::activation::Hidden)).
///
/// nalgebra multiplies `f32` and `f64` matrices with an optimised kernel (matrixmultiply,
/// chosen by a `TypeId` check), and every other scalar with a plain triple loop. For those
/// other scalars (dual numbers) the first product skips the zeros of `x` when there are many
/// (MNIST's images are 81% zeros): each hidden pre-activation is `b1[k]` plus the sum of
/// `x[r, j] * w1[j, k]` over the non-zero `x[r, j]` of its row, reading column `k` of `w1`
/// (contiguous in nalgebra's layout). That is the dense product without its terms that are
/// exactly zero, and five times less work on MNIST. For `f32` and `f64` the optimised dense
/// kernel is faster than the scalar sparse loop, so they always take it. The sparse loop
/// accumulates with `mul_add`, which a recorded number (nabla-tape's `Var`) turns into one
/// tape entry per weight instead of two.
pub(crate) fn logits<T: RealField + Copy, A: Activation>(
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
    let zero = T::zero();
    let native =
        TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<f64>();
    let sparse = !native && 2 * x.iter().filter(|&&v| v != zero).count() < x.len();
    let mut hidden = if sparse {
        let rows: Vec<Vec<(usize, T)>> = x
            .row_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|&(_, &v)| v != zero)
                    .map(|(j, &v)| (j, v))
                    .collect()
            })
            .collect();
        DMatrix::from_fn(x.nrows(), w1.ncols(), |r, k| {
            let column = w1.column(k);
            rows[r]
                .iter()
                .fold(b1[k], |acc, &(j, v)| column[j].mul_add(v, acc))
        })
    } else {
        let mut dense = x * w1;
        add_row_bias(&mut dense, b1);
        dense
    };
    hidden.apply(|a| *a = A::value(*a));
    let mut out = hidden * w2;
    add_row_bias(&mut out, b2);
    out
}

fn add_row_bias<T: RealField + Copy>(m: &mut DMatrix<T>, b: &DVector<T>) {
    for (mut column, &bias) in m.column_iter_mut().zip(b.iter()) {
        column.apply(|a| *a += bias);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{Hidden, Sigmoid};
    use approx::assert_relative_eq;

    type Params<T> = (DMatrix<T>, DVector<T>, DMatrix<T>, DVector<T>);

    /// A 10-4-3 network and a batch of 5 that is 80% zeros (which a dual number would send to
    /// the sparse loop), in `T`.
    fn fixture<T: RealField + Copy>() -> (Params<T>, DMatrix<T>) {
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
    fn dense_logits<T: RealField + Copy>(
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
    fn logits_against_dense<T: RealField + Copy>() -> (DMatrix<T>, DMatrix<T>) {
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

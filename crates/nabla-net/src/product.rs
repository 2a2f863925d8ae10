//! The matrix product of the forward passes, one trait method per scalar: nalgebra's product
//! for plain and dual numbers, nabla-tape's rule for `Var` (one tape entry per product
//! instead of one per multiply-add).

use nabla_dual::DualNumber;
use nabla_tape::{Var, custom_rule};
use nalgebra::{DMatrix, DVector, RealField};

use crate::activation::Activation;

/// A number the networks compute in: nalgebra's `RealField`, and how a layer of it is
/// computed (its matrix product, the affine map, the activation and the book's loss). The
/// forward passes of [`TwoLayerNet`](crate::TwoLayerNet) and [`SimpleNet`](crate::SimpleNet)
/// are written once against this trait; each scalar says how its layers are formed, so that
/// one formula serves them all:
///
/// - `f32` and `f64`: nalgebra's product (its optimised kernel).
/// - nabla-dual's `Dual`, `DualVec` and `HyperDual`: nalgebra's product, skipping the terms of
///   a left factor that is more than half zeros (MNIST's images are 81% zeros: five times
///   less work in each forward pass of the dual gradient).
/// - nabla-tape's `Var`: [`nabla_tape::matmul`] and [`nabla_tape::affine`], one tape entry
///   each whose backward is two products on plain numbers (and the bias's column sums); the
///   activation and the loss are one rule each too, whose backwards are backpropagation's
///   formulas. What makes the reverse gradient cost about what backpropagation does
///   (chapter 5 of the book is this).
///
/// For another scalar type, `impl MatMul for MyScalar {}` takes nalgebra's product and the
/// formulas entry by entry.
pub trait MatMul: RealField + Copy {
    /// `a b`.
    fn matmul(a: &DMatrix<Self>, b: &DMatrix<Self>) -> DMatrix<Self> {
        a * b
    }

    /// `x w + 1 bᵀ`: an affine layer, one sample per row of `x` (the bias added to every
    /// row). By default [`matmul`](Self::matmul) and the bias added entry by entry.
    fn affine(x: &DMatrix<Self>, w: &DMatrix<Self>, b: &DVector<Self>) -> DMatrix<Self> {
        let mut m = Self::matmul(x, w);
        add_row_bias(&mut m, b);
        m
    }

    /// The hidden layer's activation `A` of every entry of `m`. By default `A`'s value entry
    /// by entry; `Var` records it as one rule whose backward is `A`'s derivative written in
    /// terms of the outputs (the formula backpropagation uses).
    #[doc(hidden)]
    fn activate<A: Activation>(mut m: DMatrix<Self>) -> DMatrix<Self> {
        m.apply(|a| *a = A::value(*a));
        m
    }

    /// The book's loss of the logits `z` (one sample per row) against `labels`: nabla-loss's
    /// [`cross_entropy_labels`](nabla_loss::cross_entropy_labels) of
    /// [`softmax_rows`](nabla_loss::softmax_rows), the batch mean of
    /// `-ln(softmax(z)[i, t_i] + DELTA)`. By default exactly that; `Var` computes the same
    /// value on plain numbers and records it as one rule (see the implementation there).
    ///
    /// # Errors
    ///
    /// nabla-loss's, for a label count or a label that does not fit `z`.
    fn book_loss(z: &DMatrix<Self>, labels: &[usize]) -> Result<Self, nabla_loss::Error> {
        nabla_loss::cross_entropy_labels(&nabla_loss::softmax_rows(z), labels)
    }
}

/// Adds `b` to every row of `m`.
fn add_row_bias<T: RealField + Copy>(m: &mut DMatrix<T>, b: &DVector<T>) {
    for (mut column, &bias) in m.column_iter_mut().zip(b.iter()) {
        column.apply(|a| *a += bias);
    }
}

impl MatMul for f32 {}

impl MatMul for f64 {}

impl<T, E> MatMul for DualNumber<T, E>
where
    DualNumber<T, E>: RealField + Copy,
{
    /// nalgebra's product, or, when `a` is more than half zeros, the same sum of products
    /// without its terms that are exactly zero: each entry is the sum of `a[r, j] b[j, k]`
    /// over the non-zero `a[r, j]` of its row, reading column `k` of `b` (contiguous in
    /// nalgebra's layout).
    fn matmul(a: &DMatrix<Self>, b: &DMatrix<Self>) -> DMatrix<Self> {
        let zero = <Self as num_traits::Zero>::zero();
        if 2 * a.iter().filter(|&&v| v != zero).count() >= a.len() {
            return a * b;
        }
        let rows: Vec<Vec<(usize, Self)>> = a
            .row_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|&(_, &v)| v != zero)
                    .map(|(j, &v)| (j, v))
                    .collect()
            })
            .collect();
        DMatrix::from_fn(a.nrows(), b.ncols(), |r, k| {
            let column = b.column(k);
            rows[r].iter().fold(zero, |acc, &(j, v)| {
                nalgebra::ComplexField::mul_add(column[j], v, acc)
            })
        })
    }
}

impl<T: nabla_tape::Scalar> MatMul for Var<T> {
    /// [`nabla_tape::matmul`]: one tape entry.
    fn matmul(a: &DMatrix<Self>, b: &DMatrix<Self>) -> DMatrix<Self> {
        nabla_tape::matmul(a, b)
    }

    /// [`nabla_tape::affine`]: the product and the bias as one tape entry (`b̄` the column
    /// sums of `c̄`). The values are those of the default, bias added entry by entry.
    fn affine(x: &DMatrix<Self>, w: &DMatrix<Self>, b: &DVector<Self>) -> DMatrix<Self> {
        nabla_tape::affine(x, w, b)
    }

    /// One rule: `z = A(a)` computed on plain numbers, `ā = A'(a) z̄` with `A'` written in
    /// terms of `z` ([`Activation::backward`]), the hidden layer's backward of
    /// backpropagation.
    fn activate<A: Activation>(m: DMatrix<Self>) -> DMatrix<Self> {
        let (rows, cols) = m.shape();
        let z: Vec<T> = m.iter().map(|a| A::value(a.value())).collect();
        let saved = z.clone();
        let out = custom_rule(m.as_slice(), &z, move |zbar: &[T], abar: &mut [T]| {
            for ((slot, &g), &z) in abar.iter_mut().zip(zbar).zip(&saved) {
                *slot = A::backward(g, z);
            }
        });
        DMatrix::from_vec(rows, cols, out)
    }

    /// One rule: the value is the default's, computed on plain numbers (the same
    /// arithmetic, so the same bits), and its backward is the exact derivative of the loss as
    /// computed, `DELTA` included:
    /// `z̄[i, c] = ȳ (p[i, c] - [c = t_i]) p[i, t_i] / (p[i, t_i] + DELTA) / B` with
    /// `p = softmax(z)`, the formula backpropagation uses, row by row through nabla-loss's
    /// [`softmax_then_cross_entropy_backward`](nabla_loss::softmax_then_cross_entropy_backward).
    fn book_loss(z: &DMatrix<Self>, labels: &[usize]) -> Result<Self, nabla_loss::Error> {
        let p = nabla_loss::softmax_rows(&z.map(|v| v.value()));
        let loss = nabla_loss::cross_entropy_labels(&p, labels)?;
        let labels = labels.to_vec();
        // One sample's probabilities contiguous: a column of pᵀ.
        let by_sample = p.transpose();
        let out = custom_rule(z.as_slice(), &[loss], move |ybar: &[T], zbar: &mut [T]| {
            let rows = by_sample.ncols();
            let scale = ybar[0] / nalgebra::convert::<f64, T>(rows as f64);
            let mut row = vec![T::zero(); by_sample.nrows()];
            for (r, (&t, p)) in labels.iter().zip(by_sample.column_iter()).enumerate() {
                row.copy_from_slice(p.as_slice());
                nabla_loss::softmax_then_cross_entropy_backward(&mut row, t, scale)
                    .expect("the forward's loss checked the labels"); // ok: invariant
                for (c, &g) in row.iter().enumerate() {
                    zbar[c * rows + r] = g;
                }
            }
        });
        Ok(out[0])
    }
}

/// `x w + 1 bᵀ` for a batch `x` of constants given as plain numbers: the first layer of the
/// reverse gradient, [`nabla_tape::constant_affine`] (the pixels never become `Var`s; their
/// zeros are skipped; one tape entry): the values of `Var`'s [`MatMul::affine`] of
/// `x.map(Var::constant)`.
pub(crate) fn affine_of_constants<T: nabla_tape::Scalar>(
    x: &DMatrix<T>,
    w: &DMatrix<Var<T>>,
    b: &DVector<Var<T>>,
) -> DMatrix<Var<T>> {
    nabla_tape::constant_affine(x, w, b)
}

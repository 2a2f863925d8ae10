//! The matrix product of the forward passes, one trait method per scalar: nalgebra's product
//! for plain and dual numbers, nabla-tape's rule for `Var` (one tape entry per product
//! instead of one per multiply-add).

use nabla_dual::DualNumber;
use nabla_tape::{Var, custom_rule};
use nalgebra::{DMatrix, DVector, RealField};

/// A number the networks compute in: nalgebra's `RealField`, and how a layer multiplies
/// matrices of it. The forward passes of [`TwoLayerNet`](crate::TwoLayerNet) and
/// [`SimpleNet`](crate::SimpleNet) are written once against this trait; each scalar says how
/// its products are formed, so that one formula serves them all:
///
/// - `f32` and `f64`: nalgebra's product (its optimised kernel).
/// - nabla-dual's `Dual`, `DualVec` and `HyperDual`: nalgebra's product, skipping the terms of
///   a left factor that is more than half zeros (MNIST's images are 81% zeros: five times
///   less work in each forward pass of the dual gradient).
/// - nabla-tape's `Var`: [`nabla_tape::matmul`], one tape entry whose backward is two
///   products on plain numbers, and the bias as one more rule: what makes the reverse
///   gradient cost about what backpropagation does (chapter 5 of the book is this).
///
/// For another scalar type, `impl MatMul for MyScalar {}` takes nalgebra's product.
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

    /// The product (one entry) and the bias (one more): `m + 1 bᵀ` with `m̄ = c̄` and `b̄`
    /// the column sums of `c̄`. The values are those of the default, bias added entry by
    /// entry.
    fn affine(x: &DMatrix<Self>, w: &DMatrix<Self>, b: &DVector<Self>) -> DMatrix<Self> {
        let m = Self::matmul(x, w);
        let (rows, cols) = m.shape();
        assert_eq!(
            cols,
            b.len(),
            "affine: {cols} columns but {} biases",
            b.len()
        );
        let values = DMatrix::from_fn(rows, cols, |r, k| m[(r, k)].value() + b[k].value());
        let inputs: Vec<Var<T>> = m.iter().chain(b.iter()).copied().collect();
        let out = custom_rule(&inputs, values.as_slice(), move |c: &[T], adj: &mut [T]| {
            let (m_adj, b_adj) = adj.split_at_mut(rows * cols);
            m_adj.copy_from_slice(c);
            if rows > 0 {
                for (bias, column) in b_adj.iter_mut().zip(c.chunks_exact(rows)) {
                    *bias = column.iter().fold(T::zero(), |acc, &v| acc + v);
                }
            }
        });
        DMatrix::from_vec(rows, cols, out)
    }
}

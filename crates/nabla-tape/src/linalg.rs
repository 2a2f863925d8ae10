//! Built-in rules for linear algebra: the matrix product (recorded or constant on either
//! side, and a mostly-zero constant left factor without densifying), the dot product and the
//! sum. Each is one tape entry whose backward runs on plain numbers, through nalgebra's
//! optimised product for `f32` and `f64`.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

use crate::rule::record;
use crate::scalar::Scalar;
use crate::tape::Backward;
use crate::var::Var;

/// The matrix product `a b`, recorded as one tape entry whose backward is two products on
/// plain numbers: `ā += c̄ bᵀ` and `b̄ += aᵀ c̄` (only those of a recorded factor).
///
/// The values are nalgebra's product of the factors' values, so for `f32` and `f64` they are
/// those of the same product on plain numbers, computed by the same optimised kernel. A
/// constant factor (every entry a constant, as the pixels of a batch) is not recorded; a
/// constant left factor that is more than half zeros (MNIST's images are 81% zeros) is kept
/// as its non-zero entries, and both the product and its backward skip the zeros. Entries
/// that are exactly zero in `c̄` pass nothing even through an infinite factor (the strong
/// zero of the scalar tape): when a factor holds a non-finite value the backward takes a
/// slower loop that keeps that rule.
///
/// On `Var<Dual64>` the same rule runs in dual arithmetic, so Hessian-vector products through
/// it are exact (forward over reverse).
///
/// ```
/// use nabla_tape::{Recording, matmul};
/// use nalgebra::DMatrix;
///
/// let rec = Recording::<f64>::new();
/// let a = DMatrix::from_vec(2, 3, rec.vars(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
/// let b = DMatrix::from_vec(3, 1, rec.vars(&[1.0, 0.0, -1.0]));
/// let c = matmul(&a, &b); // [1 - 5, 2 - 6]
/// assert_eq!((c[0].value(), c[1].value()), (-4.0, -4.0));
/// let grad = rec.gradient(c[0] + c[1] * 2.0, b.as_slice());
/// assert_eq!(grad, vec![1.0 + 2.0 * 2.0, 3.0 + 2.0 * 4.0, 5.0 + 2.0 * 6.0]);
/// assert_eq!(rec.entries(), 3 + 1); // inputs, the product, the scaled sum (2 entries)
/// ```
///
/// # Panics
///
/// If `a` has not as many columns as `b` has rows, or a factor holds a `Var` of another
/// recording than the active one.
pub fn matmul<T: Scalar>(a: &DMatrix<Var<T>>, b: &DMatrix<Var<T>>) -> DMatrix<Var<T>> {
    assert_eq!(
        a.ncols(),
        b.nrows(),
        "matmul: a is {}x{} and b is {}x{}: a needs as many columns as b has rows",
        a.nrows(),
        a.ncols(),
        b.nrows(),
        b.ncols()
    );
    let (m, n) = (a.nrows(), b.ncols());
    let a_recorded = a.iter().any(|v| !v.is_constant());
    let b_recorded = b.iter().any(|v| !v.is_constant());
    let (av, bv) = (values(a), values(b));
    let (c, backward): (DMatrix<T>, Box<dyn Backward<T>>) = match (a_recorded, b_recorded) {
        (false, false) => return (av * bv).map(Var::constant),
        (false, true) => match Sparse::of(&av) {
            Some(sparse) => {
                let c = sparse.times(&bv);
                (c, Box::new(SparseLeft { a: sparse, n }))
            }
            None => {
                let c = &av * &bv;
                (c, Box::new(Product::new(Some(av), None, m, n)))
            }
        },
        (true, false) => {
            let c = &av * &bv;
            (c, Box::new(Product::new(None, Some(bv), m, n)))
        }
        (true, true) => {
            let c = &av * &bv;
            (c, Box::new(Product::new(Some(av), Some(bv), m, n)))
        }
    };
    // The recorded factors' entries are the inputs, `a`'s first, in storage order.
    let tags = (if b_recorded && !a_recorded {
        &[][..]
    } else {
        a.as_slice()
    })
    .iter()
    .chain(if b_recorded { b.as_slice() } else { &[][..] })
    .map(|v| v.tag);
    let out = record(tags, c.as_slice(), false, backward);
    DMatrix::from_vec(m, n, out)
}

/// `Σᵢ aᵢ bᵢ` as one tape entry (the value is the sum of the products taken in order, as a
/// loop over the two slices computes it).
///
/// ```
/// use nabla_tape::{dot, gradient};
/// let (v, g) = gradient(|x| dot(&x[..2], &x[2..]), &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!((v, g), (11.0, vec![3.0, 4.0, 1.0, 2.0]));
/// ```
///
/// # Panics
///
/// If the slices differ in length or hold a `Var` of another recording than the active one.
pub fn dot<T: Scalar>(a: &[Var<T>], b: &[Var<T>]) -> Var<T> {
    assert_eq!(
        a.len(),
        b.len(),
        "dot: the slices have {} and {} entries",
        a.len(),
        b.len()
    );
    let value = a
        .iter()
        .zip(b)
        .fold(T::zero(), |acc, (x, y)| acc + x.value * y.value);
    let backward = Dot {
        a: a.iter().map(Var::value).collect(),
        b: b.iter().map(Var::value).collect(),
    };
    let tags = a.iter().chain(b).map(|v| v.tag);
    record(tags, &[value], false, Box::new(backward))[0]
}

/// `Σᵢ xᵢ` as one tape entry (the value is the sum taken in order, as `Iterator::sum` of the
/// `Var`s computes it, with n - 1 entries).
///
/// ```
/// use nabla_tape::{Recording, sum};
/// let rec = Recording::<f64>::new();
/// let x = rec.vars(&[1.0, 2.0, 3.0]);
/// let s = sum(&x);
/// assert_eq!(rec.gradient(s * s, &x), vec![12.0; 3]);
/// assert_eq!(rec.entries(), 3); // the inputs, the sum, the square
/// ```
///
/// # Panics
///
/// If `x` holds a `Var` of another recording than the active one.
pub fn sum<T: Scalar>(x: &[Var<T>]) -> Var<T> {
    let value = x.iter().fold(T::zero(), |acc, v| acc + v.value);
    record(x.iter().map(|v| v.tag), &[value], false, Box::new(Sum))[0]
}

/// The values of a matrix of `Var`s.
fn values<T: Scalar>(m: &DMatrix<Var<T>>) -> DMatrix<T> {
    m.map(|v| v.value)
}

/// Whether every value is finite: the dense products' backward may then use the plain
/// product (a zero adjoint times a finite factor is zero anyway).
fn all_finite<T: Scalar>(m: &Option<DMatrix<T>>) -> bool {
    m.as_ref()
        .is_none_or(|m| m.iter().all(|v| num_traits::Float::is_finite(*v)))
}

/// The backward of a dense product `c = a b` (m x n), keeping the transposed values of the
/// factor each adjoint needs: `aᵀ` when `b` is recorded and `bᵀ` when `a` is. (Transposed
/// copies rather than strided views: nalgebra's product of views with swapped strides is not
/// to be relied on, and a contiguous factor takes the optimised kernel.)
struct Product<T: Scalar> {
    /// `aᵀ`, for `b̄ += aᵀ c̄` (present when `b` is recorded).
    at: Option<DMatrix<T>>,
    /// `bᵀ`, for `ā += c̄ bᵀ` (present when `a` is recorded).
    bt: Option<DMatrix<T>>,
    m: usize,
    n: usize,
    finite: bool,
}

impl<T: Scalar> Product<T> {
    /// The backward of `a b`, given `a`'s values if `b` is recorded and `b`'s if `a` is.
    fn new(a: Option<DMatrix<T>>, b: Option<DMatrix<T>>, m: usize, n: usize) -> Self {
        let finite = all_finite(&a) && all_finite(&b);
        Product {
            at: a.map(|a| a.transpose()),
            bt: b.map(|b| b.transpose()),
            m,
            n,
            finite,
        }
    }
}

impl<T: Scalar> Backward<T> for Product<T> {
    fn backward(&self, outputs: &[T], inputs: &mut [T]) {
        let (m, n) = (self.m, self.n);
        let cbar = DMatrixView::from_slice(outputs, m, n);
        let mut rest = inputs;
        // ā += c̄ bᵀ (a recorded: bᵀ kept).
        if let Some(bt) = &self.bt {
            let k = bt.ncols();
            let (abar, tail) = rest.split_at_mut(m * k);
            let mut abar = DMatrixViewMut::from_slice(abar, m, k);
            if self.finite {
                abar.gemm(T::one(), &cbar, bt, T::one());
            } else {
                strong_gemm(&mut abar, &cbar, bt);
            }
            rest = tail;
        }
        // b̄ += aᵀ c̄ (b recorded: aᵀ kept).
        if let Some(at) = &self.at {
            let mut bbar = DMatrixViewMut::from_slice(rest, at.nrows(), n);
            if self.finite {
                bbar.gemm(T::one(), at, &cbar, T::one());
            } else {
                strong_gemm(&mut bbar, at, &cbar);
            }
        }
    }

    fn saved_bytes(&self) -> usize {
        (self.at.as_ref().map_or(0, |a| a.len()) + self.bt.as_ref().map_or(0, |b| b.len()))
            * std::mem::size_of::<T>()
    }
}

/// `acc += x y`, skipping every term whose adjoint factor is exactly zero so that no
/// `0 · ∞` appears: the strong zero, for factors that hold a non-finite value. Which of `x`
/// and `y` holds the adjoints does not matter: a zero in either skips the term, and a
/// non-zero product is the plain one.
fn strong_gemm<T: Scalar, SX, SY>(
    acc: &mut DMatrixViewMut<'_, T>,
    x: &nalgebra::Matrix<T, nalgebra::Dyn, nalgebra::Dyn, SX>,
    y: &nalgebra::Matrix<T, nalgebra::Dyn, nalgebra::Dyn, SY>,
) where
    SX: nalgebra::Storage<T, nalgebra::Dyn, nalgebra::Dyn>,
    SY: nalgebra::Storage<T, nalgebra::Dyn, nalgebra::Dyn>,
{
    for j in 0..acc.ncols() {
        for l in 0..x.ncols() {
            let yl = y[(l, j)];
            if yl.is_strong_zero() {
                continue;
            }
            for i in 0..acc.nrows() {
                let xi = x[(i, l)];
                if !xi.is_strong_zero() {
                    acc[(i, j)] += xi * yl;
                }
            }
        }
    }
}

/// A constant matrix as its non-zero entries, row by row (compressed sparse rows).
struct Sparse<T> {
    rows: usize,
    cols: usize,
    /// Row `r`'s entries are `at[r]..at[r + 1]` of `index` and `value`.
    at: Vec<usize>,
    index: Vec<u32>,
    value: Vec<T>,
    finite: bool,
}

impl<T: Scalar> Sparse<T> {
    /// `m` as its non-zero entries if more than half of them are zero (and its columns fit a
    /// `u32`), `None` otherwise.
    fn of(m: &DMatrix<T>) -> Option<Self> {
        let nonzero = m.iter().filter(|v| !v.is_strong_zero()).count();
        if 2 * nonzero >= m.len() || m.ncols() > u32::MAX as usize {
            return None;
        }
        let (rows, cols) = m.shape();
        let mut s = Sparse {
            rows,
            cols,
            at: Vec::with_capacity(rows + 1),
            index: Vec::with_capacity(nonzero),
            value: Vec::with_capacity(nonzero),
            finite: true,
        };
        s.at.push(0);
        for r in 0..rows {
            for j in 0..cols {
                let v = m[(r, j)];
                if !v.is_strong_zero() {
                    s.index.push(j as u32);
                    s.value.push(v);
                    s.finite &= num_traits::Float::is_finite(v);
                }
            }
            s.at.push(s.index.len());
        }
        Some(s)
    }

    /// Row `r`'s non-zero entries.
    fn row(&self, r: usize) -> impl Iterator<Item = (usize, T)> + '_ {
        let range = self.at[r]..self.at[r + 1];
        self.index[range.clone()]
            .iter()
            .map(|&j| j as usize)
            .zip(self.value[range].iter().copied())
    }

    /// `self b`: each row of the product is the sum, over the row's non-zero entries
    /// `(j, v)`, of `v` times row `j` of `b`, accumulated on contiguous rows.
    fn times(&self, b: &DMatrix<T>) -> DMatrix<T> {
        let n = b.ncols();
        // Row j of b is column j of bᵀ, contiguous; likewise row r of the product.
        let bt = b.transpose();
        let mut ct = DMatrix::zeros(n, self.rows);
        for r in 0..self.rows {
            let row = &mut ct.as_mut_slice()[r * n..(r + 1) * n];
            for (j, v) in self.row(r) {
                for (c, &w) in row.iter_mut().zip(&bt.as_slice()[j * n..(j + 1) * n]) {
                    *c += v * w;
                }
            }
        }
        ct.transpose()
    }
}

/// The backward of `c = a b` with a sparse constant `a`: `b̄ += aᵀ c̄`, row by row of `a`.
struct SparseLeft<T> {
    a: Sparse<T>,
    n: usize,
}

impl<T: Scalar> Backward<T> for SparseLeft<T> {
    fn backward(&self, outputs: &[T], inputs: &mut [T]) {
        let (m, k, n) = (self.a.rows, self.a.cols, self.n);
        let cbar = DMatrixView::from_slice(outputs, m, n);
        // Row r of c̄ and row j of b̄, contiguous: c̄ᵀ and a k x n row-major buffer.
        let cbar_t = cbar.transpose();
        let mut g = vec![T::zero(); k * n];
        for r in 0..m {
            let crow = &cbar_t.as_slice()[r * n..(r + 1) * n];
            for (j, v) in self.a.row(r) {
                let grow = &mut g[j * n..(j + 1) * n];
                if self.a.finite {
                    for (acc, &c) in grow.iter_mut().zip(crow) {
                        *acc += v * c;
                    }
                } else {
                    for (acc, &c) in grow.iter_mut().zip(crow) {
                        if !c.is_strong_zero() {
                            *acc += v * c;
                        }
                    }
                }
            }
        }
        // b̄ is column-major (k x n): b̄[(j, q)] += g[j n + q].
        for (q, column) in inputs.chunks_exact_mut(k).enumerate() {
            for (j, acc) in column.iter_mut().enumerate() {
                *acc += g[j * n + q];
            }
        }
    }

    fn saved_bytes(&self) -> usize {
        self.a.at.len() * std::mem::size_of::<usize>()
            + self.a.index.len() * 4
            + self.a.value.len() * std::mem::size_of::<T>()
    }
}

/// The backward of `dot(a, b)`.
struct Dot<T> {
    a: Vec<T>,
    b: Vec<T>,
}

impl<T: Scalar> Backward<T> for Dot<T> {
    fn backward(&self, outputs: &[T], inputs: &mut [T]) {
        let c = outputs[0];
        let (abar, bbar) = inputs.split_at_mut(self.a.len());
        for (acc, &y) in abar.iter_mut().zip(&self.b) {
            *acc += c * y;
        }
        for (acc, &x) in bbar.iter_mut().zip(&self.a) {
            *acc += c * x;
        }
    }

    fn saved_bytes(&self) -> usize {
        (self.a.len() + self.b.len()) * std::mem::size_of::<T>()
    }
}

/// The backward of `sum(x)`: every input gets the output's adjoint.
struct Sum;

impl<T: Scalar> Backward<T> for Sum {
    fn backward(&self, outputs: &[T], inputs: &mut [T]) {
        for acc in inputs {
            *acc += outputs[0];
        }
    }

    fn saved_bytes(&self) -> usize {
        0
    }
}

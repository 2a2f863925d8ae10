//! Images stored as their non-zero pixels.

use nalgebra::DMatrix;

use crate::{Error, Precision};

/// Column indices are stored as `u32`: a quarter of the memory traffic of `usize`, and far
/// more columns than any image has.
fn check_columns(cols: usize) -> Result<(), Error> {
    if u32::try_from(cols).is_ok() {
        Ok(())
    } else {
        Err(Error::Shape {
            what: "columns (at most u32::MAX, the largest stored index)".to_owned(),
            expected: u32::MAX as usize,
            got: cols,
        })
    }
}

/// A matrix stored row by row as its non-zero entries (compressed sparse rows).
///
/// About 81% of MNIST's pixels are zero, so the first layer's product `x w1` and its weight
/// gradient `x^T da1` skip most of their multiplications when each image is kept as its
/// `(pixel, value)` pairs: the hidden row of an image is the sum of `value * w1[pixel, :]` over
/// its non-zero pixels. This is the same arithmetic as the dense product minus the terms that
/// are exactly zero.
///
/// Not public: users hand images to nabla-net as a dense matrix or an MNIST split
/// ([`Dataset`](crate::Dataset)) and read them back dense ([`Dataset::gather_dense`](crate::Dataset::gather_dense)).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SparseRows<T> {
    cols: usize,
    offsets: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<T>,
}

impl<T: Precision> SparseRows<T> {
    /// Keeps the non-zero entries of `x`, converted to `T`, row by row (columns in increasing
    /// order within a row).
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if `x` has more than `u32::MAX` columns.
    pub fn from_matrix<S: Precision>(x: &DMatrix<S>) -> Result<Self, Error> {
        // nalgebra stores columns contiguously; walking a whole column writes to every row's
        // list, which for 60000 rows misses the cache on every write. Walking blocks of rows
        // column by column keeps both the reads and the writes of a block in cache.
        const BLOCK: usize = 256;
        let (rows, cols) = x.shape();
        check_columns(cols)?;
        let mut offsets = vec![0usize; rows + 1];
        for start in (0..rows).step_by(BLOCK) {
            let end = rows.min(start + BLOCK);
            for column in x.column_iter() {
                for (r, v) in (start..end).zip(column.rows_range(start..end).iter()) {
                    if *v != S::zero() {
                        offsets[r + 1] += 1;
                    }
                }
            }
        }
        for r in 0..rows {
            offsets[r + 1] += offsets[r];
        }
        let nnz = offsets[rows];
        let mut next = offsets[..rows].to_vec();
        let mut indices = vec![0u32; nnz];
        let mut values = vec![T::zero(); nnz];
        for start in (0..rows).step_by(BLOCK) {
            let end = rows.min(start + BLOCK);
            for (j, column) in x.column_iter().enumerate() {
                for (r, v) in (start..end).zip(column.rows_range(start..end).iter()) {
                    if *v != S::zero() {
                        let at = next[r];
                        indices[at] = j as u32;
                        values[at] = T::from_f64(v.as_f64());
                        next[r] += 1;
                    }
                }
            }
        }
        Ok(SparseRows {
            cols,
            offsets,
            indices,
            values,
        })
    }

    /// Keeps the non-zero bytes of `bytes`, row-major rows of `cols` (raw MNIST pixels), each
    /// converted by `value`; a byte is stored when `value` of it is not zero.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if `cols` is 0; [`Error::Shape`] if `bytes` is not a whole number of
    /// rows of `cols`, or `cols` is more than `u32::MAX`.
    pub fn from_bytes(bytes: &[u8], cols: usize, value: impl Fn(u8) -> T) -> Result<Self, Error> {
        if cols == 0 {
            return Err(Error::Zero {
                what: "bytes per row",
            });
        }
        if !bytes.len().is_multiple_of(cols) {
            return Err(Error::Shape {
                what: format!("bytes (whole rows of {cols})"),
                expected: bytes.len() / cols * cols,
                got: bytes.len(),
            });
        }
        check_columns(cols)?;
        let table: Vec<T> = (0..=255u8).map(&value).collect();
        let rows = bytes.len() / cols;
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        let mut indices = Vec::new();
        let mut values = Vec::new();
        for row in bytes.chunks_exact(cols) {
            for (j, &b) in row.iter().enumerate() {
                let v = table[usize::from(b)];
                if v != T::zero() {
                    indices.push(j as u32);
                    values.push(v);
                }
            }
            offsets.push(indices.len());
        }
        Ok(SparseRows {
            cols,
            offsets,
            indices,
            values,
        })
    }

    /// Reads one element per cache line of each listed row, so that the rows are on their way
    /// into the cache before the arithmetic needs them. The loads are independent of each
    /// other, so the processor overlaps their misses; rows drawn at random from a large data
    /// set otherwise stall on memory one row at a time.
    pub(crate) fn touch(&self, rows: &[usize]) {
        const STEP: usize = 16;
        let mut sink = 0u32;
        for &r in rows {
            let range = self.offsets[r]..self.offsets[r + 1];
            for &j in self.indices[range.clone()].iter().step_by(STEP) {
                sink ^= j;
            }
            for &v in self.values[range]
                .iter()
                .step_by(STEP * 4 / std::mem::size_of::<T>())
            {
                sink ^= u32::from(v > T::zero());
            }
        }
        std::hint::black_box(sink);
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of columns (of the dense matrix this stands for).
    pub fn ncols(&self) -> usize {
        self.cols
    }

    /// Number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// The non-zero entries of row `r`: column indices and values, columns increasing.
    ///
    /// # Panics
    ///
    /// If `r >= nrows()`.
    pub fn row(&self, r: usize) -> (&[u32], &[T]) {
        let range = self.offsets[r]..self.offsets[r + 1];
        (&self.indices[range.clone()], &self.values[range])
    }

    /// The first `n` rows (all of them when `n` is larger).
    pub fn first_rows(&self, n: usize) -> Self {
        let n = n.min(self.nrows());
        let end = self.offsets[n];
        SparseRows {
            cols: self.cols,
            offsets: self.offsets[..=n].to_vec(),
            indices: self.indices[..end].to_vec(),
            values: self.values[..end].to_vec(),
        }
    }

    /// The dense matrix made of the rows listed in `rows`, in that order (repeats allowed).
    ///
    /// # Panics
    ///
    /// If a listed row is out of range.
    pub fn gather_dense(&self, rows: &[usize]) -> DMatrix<T> {
        let mut x = DMatrix::zeros(rows.len(), self.cols);
        for (b, &r) in rows.iter().enumerate() {
            let (idx, val) = self.row(r);
            for (&j, &v) in idx.iter().zip(val) {
                x[(b, j as usize)] = v;
            }
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_exactly_the_non_zeros_and_round_trips() {
        let x = DMatrix::from_row_slice(
            3,
            4,
            &[
                0.0f32, 1.5, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.25,
            ],
        );
        let s = SparseRows::<f64>::from_matrix(&x).unwrap();
        assert_eq!((s.nrows(), s.ncols(), s.nnz()), (3, 4, 4));
        assert_eq!(s.row(0), (&[1u32, 3][..], &[1.5, -2.0][..]));
        assert_eq!(s.row(1), (&[][..], &[][..]));
        assert_eq!(s.row(2), (&[0u32, 3][..], &[3.0, 0.25][..]));
        assert_eq!(s.gather_dense(&[0, 1, 2]), x.map(f64::from));
        let again = s.gather_dense(&[2, 2]);
        assert_eq!(again.row(0), again.row(1));
        assert_eq!(again[(0, 0)], 3.0);
        let head = s.first_rows(2);
        assert_eq!((head.nrows(), head.nnz()), (2, 2));
        assert_eq!(head.gather_dense(&[0, 1]), x.rows(0, 2).map(f64::from));
        assert_eq!(s.first_rows(9), s);
    }

    #[test]
    fn from_bytes_matches_from_matrix() {
        let bytes = [0u8, 255, 3, 0, 0, 0, 128, 7, 0];
        let book = nabla_data::MnistOptions::default();
        let s = SparseRows::<f32>::from_bytes(&bytes, 3, |b| book.pixel_value(b)).unwrap();
        let x = DMatrix::from_fn(3, 3, |r, c| book.pixel_value(bytes[r * 3 + c]));
        assert_eq!(s, SparseRows::<f32>::from_matrix(&x).unwrap());
        assert_eq!(s.nnz(), 4);
    }

    #[test]
    fn bytes_that_are_not_whole_rows_are_errors() {
        let err = SparseRows::<f32>::from_bytes(&[1, 2, 3, 4, 5, 6, 7], 3, f32::from).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch: bytes (whole rows of 3): expected 6, got 7"
        );
        assert!(matches!(
            SparseRows::<f32>::from_bytes(&[1, 2], 0, f32::from),
            Err(Error::Zero {
                what: "bytes per row"
            })
        ));
        // No rows at all is a valid (empty) matrix.
        let empty = SparseRows::<f32>::from_bytes(&[], 3, f32::from).unwrap();
        assert_eq!((empty.nrows(), empty.ncols()), (0, 3));
    }

    #[test]
    fn more_columns_than_a_u32_indexes_are_an_error() {
        // No rows, so no memory: only the column count is too large.
        let wide = DMatrix::<f32>::zeros(0, u32::MAX as usize + 1);
        assert!(matches!(
            SparseRows::<f32>::from_matrix(&wide),
            Err(Error::Shape { got, .. }) if got == u32::MAX as usize + 1
        ));
        let widest = DMatrix::<f32>::zeros(0, u32::MAX as usize);
        assert_eq!(
            SparseRows::<f32>::from_matrix(&widest).unwrap().ncols(),
            u32::MAX as usize
        );
    }
}

//! Raw pixels to the `f32` image matrix: the layout of [`Mnist::images`](crate::Mnist::images).

use std::ops::Range;

use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::MnistOptions;

/// The matrix shape of `n` images of `rows` x `cols`: (n, rows * cols) flattened, else
/// (n * rows, cols).
pub(crate) fn matrix_shape(n: usize, rows: usize, cols: usize, flatten: bool) -> (usize, usize) {
    if flatten {
        (n, rows * cols)
    } else {
        (n * rows, cols)
    }
}

/// Converts the row-major bytes `src` into the column-major `nrows` x `ncols` matrix of their
/// [`MnistOptions::pixel_value`]s.
///
/// Each rayon thread converts its own band of columns, so every thread writes (and pays the
/// kernel for) its own fresh pages, and reads the source in tiles of 64 rows that stay in
/// cache while it writes each column's segment in order.
///
/// # Panics
///
/// Panics if `src.len()` is not `nrows * ncols`.
pub(crate) fn to_matrix(
    src: &[u8],
    nrows: usize,
    ncols: usize,
    options: MnistOptions,
) -> DMatrix<f32> {
    assert_eq!(src.len(), nrows * ncols, "pixels for {nrows} x {ncols}");
    let table = options.pixel_table();
    let band = ncols.div_ceil(rayon::current_num_threads()).max(1);
    let mut data = vec![0f32; nrows * ncols];
    data.par_chunks_mut(band * nrows.max(1))
        .enumerate()
        .for_each(|(k, dst)| {
            let cols = k * band..((k + 1) * band).min(ncols);
            convert_columns(src, nrows, ncols, cols, &table, dst);
        });
    DMatrix::from_vec(nrows, ncols, data)
}

/// Converts columns `cols` of the row-major `nrows` x `ncols` bytes `src` through `table` into
/// `dst`, which holds those columns of the column-major matrix, one after another.
fn convert_columns(
    src: &[u8],
    nrows: usize,
    ncols: usize,
    cols: Range<usize>,
    table: &[f32; 256],
    dst: &mut [f32],
) {
    const TILE: usize = 64;
    for r0 in (0..nrows).step_by(TILE) {
        let r1 = (r0 + TILE).min(nrows);
        let tile = &src[r0 * ncols..r1 * ncols];
        for (k, c) in cols.clone().enumerate() {
            let column = &mut dst[k * nrows + r0..k * nrows + r1];
            for (out, row) in column.iter_mut().zip(tile.chunks_exact(ncols)) {
                *out = table[usize::from(row[c])];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_crosses_tile_and_band_edges() {
        // 70 x 131 crosses the 64-row tile edge; an odd column count makes the bands differ.
        for (n, c) in [(70, 131), (1, 1), (3, 0), (0, 5), (64, 2)] {
            let src: Vec<u8> = (0..n * c).map(|k| (k % 251) as u8).collect();
            let options = MnistOptions {
                normalize: false,
                ..MnistOptions::default()
            };
            let m = to_matrix(&src, n, c, options);
            assert_eq!(m.shape(), (n, c));
            for r in 0..n {
                for col in 0..c {
                    assert_eq!(m[(r, col)], f32::from(src[r * c + col]), "{n} x {c}");
                }
            }
        }
    }

    #[test]
    fn shapes_of_both_layouts() {
        assert_eq!(matrix_shape(5, 28, 28, true), (5, 784));
        assert_eq!(matrix_shape(5, 28, 28, false), (140, 28));
    }
}

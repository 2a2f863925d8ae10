//! One split of MNIST in memory, with the book's `load_mnist` options.

use std::path::{Path, PathBuf};

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use nalgebra::DMatrix;
use sha2::{Digest, Sha256};

use crate::files::{check_content, hex, read_idx, read_regular};
use crate::idx::{IdxStream, idx_header};
use crate::{Error, Idx, IdxError, MnistFile, Result};

/// Number of classes (digits 0 to 9).
pub const CLASSES: usize = 10;

/// Which half of MNIST: the 60000 training images or the 10000 test images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training set, `train-*` files.
    Train,
    /// The test set, `t10k-*` files.
    Test,
}

/// The options of the book's `load_mnist`. [`Default`] gives the book's defaults:
/// normalized, flattened, labels as digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MnistOptions {
    /// Divide pixels by 255 into `[0, 1]`; otherwise keep `0.0..=255.0`.
    pub normalize: bool,
    /// One image per row of 784; otherwise each image is a block of 28 rows of 28 (see
    /// [`Mnist::images`]).
    pub flatten: bool,
    /// Targets as one-hot rows of 10; otherwise as the digits themselves.
    pub one_hot_label: bool,
}

impl Default for MnistOptions {
    fn default() -> Self {
        Self {
            normalize: true,
            flatten: true,
            one_hot_label: false,
        }
    }
}

impl MnistOptions {
    /// The value a pixel byte becomes under these options.
    fn pixel_table(&self) -> [f32; 256] {
        let mut table = [0f32; 256];
        for (v, slot) in table.iter_mut().enumerate() {
            *slot = if self.normalize {
                v as f32 / 255.0
            } else {
                v as f32
            };
        }
        table
    }
}

/// The targets of a split, as [`MnistOptions::one_hot_label`] asks.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// One digit per image.
    Labels(Vec<u8>),
    /// One row of 10 per image, 1.0 in the digit's column and 0.0 elsewhere.
    OneHot(DMatrix<f32>),
}

/// One split of MNIST: images as an `f32` matrix, labels, and the raw bytes they came from.
///
/// # Layout
///
/// [`Mnist::images`] is a column-major nalgebra matrix with one image per row, as the book's
/// `x_train` (n x 784 when flattened). Reading one row of a column-major matrix touches 784
/// places 4n bytes apart, so the crate also keeps the raw pixels row-major
/// ([`Mnist::pixels`], 784 contiguous bytes per image), and [`Mnist::fill_batch`] gathers
/// mini-batches from those: a batch of 100 costs 100 contiguous reads instead of 78400
/// scattered ones. The raw bytes add 47 MB to the 188 MB of the training matrix.
#[derive(Clone, Debug)]
pub struct Mnist {
    split: Split,
    options: MnistOptions,
    rows: usize,
    cols: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
    images: DMatrix<f32>,
    targets: Targets,
}

impl Mnist {
    /// Loads `split` from the two files in `dir` (`.gz` or uncompressed, see
    /// [`MnistFile::path_in`]). The files' checksums are not checked (a directory may hold
    /// Fashion-MNIST, which has the same format); [`Mnist::load_verified`] checks them.
    ///
    /// # Errors
    ///
    /// A missing or unreadable file, bytes that are not IDX, images that are not n x rows x
    /// cols, labels that are not n, different counts, or a label above 9: each names its file.
    pub fn load(dir: impl AsRef<Path>, split: Split, options: MnistOptions) -> Result<Self> {
        Self::load_checked(dir.as_ref(), split, options, false)
    }

    /// Like [`Mnist::load`], and also checks the SHA-256 of both files' decompressed content
    /// against the published MNIST checksums. Hashing runs on the decompressing thread, beside
    /// the conversion to `f32`; BENCHMARKS.md has what it costs.
    ///
    /// # Errors
    ///
    /// The errors of [`Mnist::load`], and [`Error::Checksum`] naming the first file that
    /// differs.
    pub fn load_verified(
        dir: impl AsRef<Path>,
        split: Split,
        options: MnistOptions,
    ) -> Result<Self> {
        Self::load_checked(dir.as_ref(), split, options, true)
    }

    fn load_checked(dir: &Path, split: Split, options: MnistOptions, verify: bool) -> Result<Self> {
        let images_file = MnistFile::images(split);
        let labels_file = MnistFile::labels(split);
        let images_path = images_file.path_in(dir);
        let labels_path = labels_file.path_in(dir);
        if !dir.is_dir() {
            // Say which directory, rather than which file in it, is the problem.
            return match std::fs::metadata(dir) {
                Err(source) => Err(Error::Io {
                    path: dir.to_path_buf(),
                    source,
                }),
                Ok(_) => Err(Error::NotADirectory {
                    path: dir.to_path_buf(),
                }),
            };
        }
        let expected_images = verify.then(|| images_file.sha256());
        let (images, labels) = rayon::join(
            || stream_images(&images_path, options, expected_images),
            || read_idx(&labels_path),
        );
        let (images, labels) = (images?, labels?);
        if verify {
            check_content(
                labels.dims(),
                labels.data(),
                labels_file.sha256(),
                &labels_path,
            )?;
        }
        let (label_dims, labels) = labels.into_parts();
        check_labels(
            &images.dims,
            &images_path,
            &label_dims,
            &labels,
            &labels_path,
        )?;
        let targets = targets(&labels, options);
        Ok(Self {
            split,
            options,
            rows: images.dims[1],
            cols: images.dims[2],
            pixels: images.pixels,
            labels,
            images: images.matrix,
            targets,
        })
    }

    /// Builds a split from parsed IDX values, e.g. files already in memory. `images` must be
    /// n x rows x cols and `labels` n digits.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`], [`Error::CountMismatch`] or [`Error::BadLabel`], naming the split's
    /// standard file names.
    ///
    /// # Examples
    ///
    /// ```
    /// use nabla_data::{Idx, Mnist, MnistOptions, Split};
    ///
    /// let images = Idx::new(vec![2, 1, 2], vec![0, 255, 51, 102])?;
    /// let labels = Idx::new(vec![2], vec![3, 9])?;
    /// let m = Mnist::from_idx(Split::Test, images, labels, MnistOptions::default())?;
    /// assert_eq!(m.images().shape(), (2, 2));
    /// assert_eq!(m.images()[(1, 0)], 0.2); // 51 / 255
    /// assert_eq!(m.labels(), &[3, 9]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_idx(split: Split, images: Idx, labels: Idx, options: MnistOptions) -> Result<Self> {
        let images_path = PathBuf::from(MnistFile::images(split).file_name());
        let labels_path = PathBuf::from(MnistFile::labels(split).file_name());
        Self::build(split, images, &images_path, labels, &labels_path, options)
    }

    fn build(
        split: Split,
        images: Idx,
        images_path: &Path,
        labels: Idx,
        labels_path: &Path,
        options: MnistOptions,
    ) -> Result<Self> {
        let (image_dims, pixels) = images.into_parts();
        let (label_dims, labels) = labels.into_parts();
        check_image_dims(&image_dims, images_path)?;
        check_labels(&image_dims, images_path, &label_dims, &labels, labels_path)?;
        let (rows, cols) = (image_dims[1], image_dims[2]);
        let (matrix_rows, matrix_cols) = matrix_shape(&image_dims, options);
        let mut data = vec![0f32; matrix_rows * matrix_cols];
        convert_rows(
            &pixels,
            matrix_rows,
            matrix_cols,
            0,
            &options.pixel_table(),
            &mut data,
        );
        let images = DMatrix::from_vec(matrix_rows, matrix_cols, data);
        let targets = targets(&labels, options);
        Ok(Self {
            split,
            options,
            rows,
            cols,
            pixels,
            labels,
            images,
            targets,
        })
    }

    /// Which split this is.
    pub fn split(&self) -> Split {
        self.split
    }

    /// The options it was loaded with.
    pub fn options(&self) -> MnistOptions {
        self.options
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Rows and columns of one image: (28, 28) for MNIST.
    pub fn image_shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Pixels per image: 784 for MNIST.
    pub fn image_len(&self) -> usize {
        self.rows * self.cols
    }

    /// The images as `f32`, one image per row.
    ///
    /// Flattened (the default): n x 784, row `i` is image `i` with its pixel rows one after
    /// another. Not flattened: (28 n) x 28, image `i` is the block of rows `28 i .. 28 i + 28`,
    /// row `28 i + r`, column `c` being its pixel (r, c), the book's n x 1 x 28 x 28 with the
    /// channel dropped.
    pub fn images(&self) -> &DMatrix<f32> {
        &self.images
    }

    /// The digits, one per image, whatever the options.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The targets as the options ask: digits, or one-hot rows.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// The raw pixels as stored in the file: row-major, image `i` at
    /// `i * image_len() .. (i + 1) * image_len()`. For code that builds its own layout.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The mean and population standard deviation of all pixels, each divided by 255,
    /// computed exactly in `f64` from the raw bytes (whatever the options).
    pub fn pixel_mean_std(&self) -> (f64, f64) {
        let mut histogram = [0u64; 256];
        for &p in &self.pixels {
            histogram[usize::from(p)] += 1;
        }
        let count = self.pixels.len() as f64;
        let mean = histogram
            .iter()
            .enumerate()
            .map(|(v, &c)| v as f64 / 255.0 * c as f64)
            .sum::<f64>()
            / count;
        let var = histogram
            .iter()
            .enumerate()
            .map(|(v, &c)| (v as f64 / 255.0 - mean).powi(2) * c as f64)
            .sum::<f64>()
            / count;
        (mean, var.sqrt())
    }

    /// Gathers the images and one-hot targets of `indices` into `x` (one flattened image per
    /// row, scaled as the options say) and `t` (rows of 10), reading the row-major raw
    /// pixels. The matrices are reshaped only when their shape differs from
    /// (`indices.len()`, 784) and (`indices.len()`, 10), so reusing them allocates nothing.
    ///
    /// # Panics
    ///
    /// Panics if an index is `>= self.len()`.
    pub fn fill_batch(&self, indices: &[usize], x: &mut DMatrix<f32>, t: &mut DMatrix<f32>) {
        let len = self.image_len();
        let b = indices.len();
        if x.shape() != (b, len) {
            *x = DMatrix::zeros(b, len);
        }
        let table = self.options.pixel_table();
        let rows: Vec<&[u8]> = indices
            .iter()
            .map(|&i| &self.pixels[i * len..(i + 1) * len])
            .collect();
        // Column-major destination: walk it in order; the source rows stay in cache.
        for (j, column) in x
            .as_mut_slice()
            .chunks_exact_mut(b.max(1))
            .enumerate()
            .take(len)
        {
            for (dst, row) in column.iter_mut().zip(&rows) {
                *dst = table[usize::from(row[j])];
            }
        }
        one_hot_into(&self.labels, indices, t);
    }
}

/// Bytes decompressed per step of the loading pipeline.
const CHUNK: usize = 1 << 20;

/// Image files whose payload is at most this large are converted while they decompress, into
/// a matrix allocated from the header's count (untouched pages cost nothing until written).
/// A larger claim is read whole first, so that a lying header reserves nothing big.
const MAX_STREAMED: u64 = 64 << 20;

/// An images file read and converted.
struct Streamed {
    dims: Vec<usize>,
    pixels: Vec<u8>,
    matrix: DMatrix<f32>,
}

/// Reads, decompresses, checks (and optionally hashes) an images file and converts it to the
/// `f32` matrix in one pipeline on two threads: a second thread decompresses 1 MiB at a time
/// while this one converts the rows already there; once decompression has ended, each thread
/// converts half of the columns of the rows still waiting. Both cores stay busy to the end,
/// and each writes (and so pays the kernel for) its own fresh pages of the matrix.
fn stream_images(
    path: &Path,
    options: MnistOptions,
    expected_sha256: Option<&str>,
) -> Result<Streamed> {
    let bytes = read_regular(path)?;
    let idx_error = |source| Error::Idx {
        path: path.to_path_buf(),
        source,
    };
    let mut stream = IdxStream::open(bytes.as_slice()).map_err(idx_error)?;
    let dims = stream.dims().to_vec();
    check_image_dims(&dims, path)?;
    let total = stream.payload_len();
    if total > MAX_STREAMED {
        let mut pixels = Vec::with_capacity(MAX_STREAMED as usize);
        while stream.read_chunk(&mut pixels, CHUNK).map_err(idx_error)? > 0 {}
        let idx = Idx::new(dims, pixels).map_err(idx_error)?;
        if let Some(expected) = expected_sha256 {
            check_content(idx.dims(), idx.data(), expected, path)?;
        }
        let (dims, pixels) = idx.into_parts();
        let (mrows, mcols) = matrix_shape(&dims, options);
        let mut data = vec![0f32; mrows * mcols];
        convert_rows(&pixels, mrows, mcols, 0, &options.pixel_table(), &mut data);
        return Ok(Streamed {
            dims,
            pixels,
            matrix: DMatrix::from_vec(mrows, mcols, data),
        });
    }

    let (mrows, mcols) = matrix_shape(&dims, options);
    let table = options.pixel_table();
    // Zeroed pages from the allocator, not yet touched: each is written once, by whichever
    // thread converts into it.
    let mut data = vec![0f32; mrows * mcols];
    let header = idx_header(&dims);
    // Whole matrix rows per chunk, so that each chunk converts on its own.
    let chunk = (CHUNK / mcols.max(1)).max(1) * mcols.max(1);
    // Reserved from the header's claim, which is at most MAX_STREAMED here; the pages are
    // only touched as decompressed bytes land in them.
    let mut pixels = vec![0u8; total as usize];
    let decompressed = AtomicBool::new(false);
    let digest = std::thread::scope(|scope| {
        // Unbounded: the producer never waits for the converter, so it is free to help as
        // soon as decompression ends (the queue holds at most 64 slices of `pixels`).
        let (full_tx, full_rx) = mpsc::channel::<&[u8]>();
        let (help_tx, help_rx) = mpsc::channel::<Share<'_>>();
        let rest: &mut [u8] = &mut pixels;
        let decompressed = &decompressed;
        let table = &table;
        // The producer decompresses straight into `pixels` (and hashes), then converts half
        // of the columns of whatever is still waiting; the consumer (this thread) converts
        // each finished chunk, and hands over that half once decompression has ended.
        let producer = scope.spawn(move || -> std::result::Result<_, IdxError> {
            let mut hasher = expected_sha256.map(|_| Sha256::new().chain_update(&header));
            let mut rest = rest;
            while !rest.is_empty() {
                let n = chunk.min(rest.len());
                let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
                stream.read_into(head)?;
                let head: &[u8] = head;
                if let Some(h) = hasher.as_mut() {
                    h.update(head);
                }
                if full_tx.send(head).is_err() {
                    break;
                }
                rest = tail;
            }
            stream.finish()?;
            drop(full_tx);
            decompressed.store(true, Ordering::Release);
            if let Ok(share) = help_rx.recv() {
                share.convert(table);
            }
            Ok(hasher.map(|h| hex(&h.finalize())))
        });
        let mut converted = 0;
        loop {
            if decompressed.load(Ordering::Acquire) {
                // Everything is decompressed (the sender is gone): split the columns of
                // what is left between the two threads.
                let waiting: Vec<&[u8]> = full_rx.iter().collect();
                if !waiting.is_empty() {
                    let half = mcols / 2;
                    let (lower, upper) = data.split_at_mut(half * mrows);
                    let mine = Share {
                        chunks: waiting.clone(),
                        first_row: converted,
                        nrows: mrows,
                        ncols: mcols,
                        cols: 0..half,
                        dst: lower,
                    };
                    let theirs = Share {
                        chunks: waiting,
                        first_row: converted,
                        nrows: mrows,
                        ncols: mcols,
                        cols: half..mcols,
                        dst: upper,
                    };
                    // If the producer has stopped (only on an error), do its half here.
                    if let Err(mpsc::SendError(theirs)) = help_tx.send(theirs) {
                        theirs.convert(table);
                    }
                    mine.convert(table);
                }
                break;
            }
            let Ok(buf) = full_rx.recv() else { break };
            // A payload with zero-width rows sends no chunks at all.
            let rows = buf.len().checked_div(mcols).unwrap_or(0);
            convert_rows(buf, mrows, mcols, converted, table, &mut data);
            converted += rows;
        }
        drop(help_tx);
        match producer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let digest = digest.map_err(idx_error)?;
    if let (Some(expected), Some(actual)) = (expected_sha256, digest)
        && actual != expected
    {
        return Err(Error::Checksum {
            path: path.to_path_buf(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(Streamed {
        dims,
        pixels,
        matrix: DMatrix::from_vec(mrows, mcols, data),
    })
}

fn check_image_dims(dims: &[usize], path: &Path) -> Result<()> {
    if dims.len() == 3 {
        Ok(())
    } else {
        Err(Error::Shape {
            path: path.to_path_buf(),
            expected: "three dimensions (count, rows, columns)",
            found: dims.to_vec(),
        })
    }
}

fn check_labels(
    image_dims: &[usize],
    images_path: &Path,
    label_dims: &[usize],
    labels: &[u8],
    labels_path: &Path,
) -> Result<()> {
    if label_dims.len() != 1 {
        return Err(Error::Shape {
            path: labels_path.to_path_buf(),
            expected: "one dimension (count)",
            found: label_dims.to_vec(),
        });
    }
    if label_dims[0] != image_dims[0] {
        return Err(Error::CountMismatch {
            images: images_path.to_path_buf(),
            labels: labels_path.to_path_buf(),
            image_count: image_dims[0],
            label_count: label_dims[0],
        });
    }
    if let Some(index) = labels.iter().position(|&l| usize::from(l) >= CLASSES) {
        return Err(Error::BadLabel {
            path: labels_path.to_path_buf(),
            index,
            label: labels[index],
        });
    }
    Ok(())
}

/// The matrix shape of n x rows x cols images: (n, rows * cols) flattened, else
/// (n * rows, cols).
fn matrix_shape(dims: &[usize], options: MnistOptions) -> (usize, usize) {
    let (n, rows, cols) = (dims[0], dims[1], dims[2]);
    if options.flatten {
        (n, rows * cols)
    } else {
        (n * rows, cols)
    }
}

fn targets(labels: &[u8], options: MnistOptions) -> Targets {
    if options.one_hot_label {
        Targets::OneHot(one_hot(labels))
    } else {
        Targets::Labels(labels.to_vec())
    }
}

/// Converts the whole rows of the row-major `u8` array `src` (`ncols` per row) through `table`
/// into rows `first..` of the column-major `nrows` x `ncols` array `dst`.
fn convert_rows(
    src: &[u8],
    nrows: usize,
    ncols: usize,
    first: usize,
    table: &[f32; 256],
    dst: &mut [f32],
) {
    convert_block(src, nrows, ncols, 0..ncols, first, table, dst);
}

/// Converts columns `cols` of the whole rows of the row-major `u8` array `src` (`ncols` per
/// row) through `table` into rows `first..` of `dst`, which holds columns `cols` of a
/// column-major `nrows` x `ncols` array. Walks tiles of 64 rows so that the source rows stay
/// in cache while each column's segment is written in order.
fn convert_block(
    src: &[u8],
    nrows: usize,
    ncols: usize,
    cols: Range<usize>,
    first: usize,
    table: &[f32; 256],
    dst: &mut [f32],
) {
    const TILE: usize = 64;
    let Some(count) = src.len().checked_div(ncols) else {
        return;
    };
    for t0 in (0..count).step_by(TILE) {
        let t1 = (t0 + TILE).min(count);
        let tile = &src[t0 * ncols..t1 * ncols];
        let (r0, r1) = (first + t0, first + t1);
        for (k, c) in cols.clone().enumerate() {
            let column = &mut dst[k * nrows + r0..k * nrows + r1];
            for (out, row) in column.iter_mut().zip(tile.chunks_exact(ncols)) {
                *out = table[usize::from(row[c])];
            }
        }
    }
}

/// Some columns of the chunks still to convert once decompression has ended: the loading
/// pipeline gives one half of the columns to each thread.
struct Share<'a> {
    /// Consecutive chunks of whole rows, the first starting at row `first_row`.
    chunks: Vec<&'a [u8]>,
    first_row: usize,
    nrows: usize,
    ncols: usize,
    cols: Range<usize>,
    /// Columns `cols` of the column-major `nrows` x `ncols` matrix.
    dst: &'a mut [f32],
}

impl Share<'_> {
    fn convert(self, table: &[f32; 256]) {
        let mut first = self.first_row;
        for buf in self.chunks {
            let rows = buf.len().checked_div(self.ncols).unwrap_or(0);
            convert_block(
                buf,
                self.nrows,
                self.ncols,
                self.cols.clone(),
                first,
                table,
                self.dst,
            );
            first += rows;
        }
    }
}

/// Labels as one-hot rows: n x 10, 1.0 in each label's column.
///
/// # Panics
///
/// Panics if a label is above 9 (a loaded [`Mnist`] never has one).
pub fn one_hot(labels: &[u8]) -> DMatrix<f32> {
    let mut t = DMatrix::zeros(labels.len(), CLASSES);
    for (i, &l) in labels.iter().enumerate() {
        t[(i, usize::from(l))] = 1.0;
    }
    t
}

/// The one-hot rows of `labels[indices]` into `t`, reshaped to (`indices.len()`, 10) only when
/// its shape differs.
///
/// # Panics
///
/// Panics if an index is out of range or a label above 9.
pub fn one_hot_into(labels: &[u8], indices: &[usize], t: &mut DMatrix<f32>) {
    if t.shape() != (indices.len(), CLASSES) {
        *t = DMatrix::zeros(indices.len(), CLASSES);
    } else {
        t.fill(0.0);
    }
    for (row, &i) in indices.iter().enumerate() {
        t[(row, usize::from(labels[i]))] = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three images of 2 x 3, pixel value = 10 * image + position, labels 0, 9, 4.
    fn tiny(options: MnistOptions) -> Result<Mnist> {
        let pixels = (0..3u8)
            .flat_map(|i| (0..6u8).map(move |p| 10 * i + p))
            .collect();
        let images = Idx::new(vec![3, 2, 3], pixels).unwrap();
        let labels = Idx::new(vec![3], vec![0, 9, 4]).unwrap();
        Mnist::from_idx(Split::Train, images, labels, options)
    }

    #[test]
    fn flattened_rows_are_images() {
        let m = tiny(MnistOptions {
            normalize: false,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(m.images().shape(), (3, 6));
        assert_eq!(m.images()[(1, 0)], 10.0);
        assert_eq!(m.images()[(2, 5)], 25.0);
        assert_eq!(m.targets(), &Targets::Labels(vec![0, 9, 4]));
        assert_eq!(m.image_shape(), (2, 3));
    }

    #[test]
    fn unflattened_images_are_row_blocks() {
        let m = tiny(MnistOptions {
            normalize: false,
            flatten: false,
            one_hot_label: false,
        })
        .unwrap();
        assert_eq!(m.images().shape(), (6, 3));
        // image 2, pixel (1, 2) = 20 + 5
        assert_eq!(m.images()[(2 * 2 + 1, 2)], 25.0);
    }

    #[test]
    fn normalize_and_one_hot() {
        let m = tiny(MnistOptions {
            normalize: true,
            flatten: true,
            one_hot_label: true,
        })
        .unwrap();
        assert_eq!(m.images()[(2, 5)], 25.0 / 255.0);
        let Targets::OneHot(t) = m.targets() else {
            panic!("expected one-hot targets")
        };
        assert_eq!(t.shape(), (3, 10));
        assert_eq!(t.row(1).iter().copied().collect::<Vec<_>>(), {
            let mut v = vec![0.0; 10];
            v[9] = 1.0;
            v
        });
        assert_eq!(t.sum(), 3.0);
    }

    #[test]
    fn transposition_handles_partial_tiles() {
        // 70 x 130 crosses the 64-row and 64-column tile edges.
        let (n, c) = (70, 130);
        let src: Vec<u8> = (0..n * c).map(|k| (k % 251) as u8).collect();
        let table = MnistOptions {
            normalize: false,
            ..Default::default()
        }
        .pixel_table();
        let mut data = vec![0f32; n * c];
        convert_rows(&src[..40 * c], n, c, 0, &table, &mut data);
        convert_rows(&src[40 * c..], n, c, 40, &table, &mut data);
        let m = DMatrix::from_vec(n, c, data);
        for r in [0, 63, 64, 69] {
            for col in [0, 63, 64, 127, 128, 129] {
                assert_eq!(m[(r, col)], f32::from(src[r * c + col]));
            }
        }
    }

    #[test]
    fn bad_shapes_counts_and_labels_are_named() {
        let o = MnistOptions::default();
        let labels = || Idx::new(vec![2], vec![1, 2]).unwrap();
        let flat = Idx::new(vec![2, 4], vec![0; 8]).unwrap();
        let err = Mnist::from_idx(Split::Train, flat, labels(), o).unwrap_err();
        assert!(matches!(err, Error::Shape { .. }));
        assert!(err.to_string().contains("train-images-idx3-ubyte.gz"));

        let three = || Idx::new(vec![3, 2, 2], vec![0; 12]).unwrap();
        let err = Mnist::from_idx(Split::Test, three(), labels(), o).unwrap_err();
        assert!(
            matches!(
                err,
                Error::CountMismatch {
                    image_count: 3,
                    label_count: 2,
                    ..
                }
            ),
            "{err}"
        );

        let bad = Idx::new(vec![3], vec![1, 10, 2]).unwrap();
        let err = Mnist::from_idx(Split::Test, three(), bad, o).unwrap_err();
        assert!(matches!(
            err,
            Error::BadLabel {
                index: 1,
                label: 10,
                ..
            }
        ));
        assert!(err.to_string().contains("t10k-labels-idx1-ubyte.gz"));

        let labels2d = Idx::new(vec![3, 1], vec![1, 2, 3]).unwrap();
        assert!(matches!(
            Mnist::from_idx(Split::Test, three(), labels2d, o),
            Err(Error::Shape { .. })
        ));
    }

    #[test]
    fn empty_split_is_fine() {
        let images = Idx::new(vec![0, 28, 28], vec![]).unwrap();
        let labels = Idx::new(vec![0], vec![]).unwrap();
        let m = Mnist::from_idx(Split::Test, images, labels, MnistOptions::default()).unwrap();
        assert!(m.is_empty());
        assert_eq!(m.images().shape(), (0, 784));
    }

    #[test]
    fn fill_batch_matches_the_matrix_rows() {
        let m = tiny(MnistOptions::default()).unwrap();
        let (mut x, mut t) = (DMatrix::zeros(0, 0), DMatrix::zeros(0, 0));
        let idx = [2, 0, 2, 1];
        m.fill_batch(&idx, &mut x, &mut t);
        assert_eq!(x.shape(), (4, 6));
        assert_eq!(t.shape(), (4, 10));
        for (row, &i) in idx.iter().enumerate() {
            assert_eq!(x.row(row), m.images().row(i));
            assert_eq!(t[(row, usize::from(m.labels()[i]))], 1.0);
        }
        assert_eq!(t.sum(), 4.0);
        // Reuse: same storage, new content (stale ones cleared).
        let ptr = x.as_ptr();
        m.fill_batch(&[1, 1, 1, 1], &mut x, &mut t);
        assert_eq!(x.as_ptr(), ptr);
        assert_eq!(t.column(9).sum(), 4.0);
        assert_eq!(t.sum(), 4.0);
    }

    #[test]
    fn loading_from_files_matches_building_in_memory() {
        // 2000 images span two 1 MiB pipeline chunks.
        let n = 2000;
        let pixels: Vec<u8> = (0..n * 784).map(|k| (k * 7 % 256) as u8).collect();
        let labels: Vec<u8> = (0..n).map(|k| (k % 10) as u8).collect();
        let images = Idx::new(vec![n, 28, 28], pixels).unwrap();
        let labels = Idx::new(vec![n], labels).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let write = |file: MnistFile, idx: &Idx| {
            let mut bytes = idx.header();
            bytes.extend_from_slice(idx.data());
            std::fs::write(dir.path().join(file.file_name()), bytes).unwrap();
        };
        write(MnistFile::TestImages, &images);
        write(MnistFile::TestLabels, &labels);
        for flatten in [true, false] {
            let options = MnistOptions {
                flatten,
                ..MnistOptions::default()
            };
            let loaded = Mnist::load(dir.path(), Split::Test, options).unwrap();
            let built =
                Mnist::from_idx(Split::Test, images.clone(), labels.clone(), options).unwrap();
            assert_eq!(loaded.images(), built.images());
            assert_eq!(loaded.pixels(), built.pixels());
            assert_eq!(loaded.labels(), built.labels());
        }
        // Not the real file: the verified load names the checksum mismatch.
        let err = Mnist::load_verified(dir.path(), Split::Test, MnistOptions::default());
        assert!(matches!(err, Err(Error::Checksum { .. })));
    }

    /// The matrix a straightforward single-thread conversion gives: image `i`'s pixel `k`
    /// (row-major in the file) scaled by the options, at its place in either layout.
    fn reference_matrix(images: &Idx, options: MnistOptions) -> DMatrix<f32> {
        let dims = images.dims();
        let (rows, cols) = (dims[1], dims[2]);
        let (mrows, mcols) = matrix_shape(dims, options);
        let scale = if options.normalize { 255.0 } else { 1.0 };
        DMatrix::from_fn(mrows, mcols, |r, c| {
            let k = if options.flatten {
                r * mcols + c
            } else {
                // row r of the matrix is pixel row r % rows of image r / rows
                (r / rows) * rows * cols + (r % rows) * cols + c
            };
            f32::from(images.data()[k]) / scale
        })
    }

    #[test]
    fn shared_halves_convert_like_one_thread() {
        // The hand-over once decompression has ended: each half of the columns of the chunks
        // still waiting, converted separately, starting mid-matrix, with an odd column count.
        let (n, c) = (150, 29);
        let src: Vec<u8> = (0..n * c).map(|k| (k * 13 % 256) as u8).collect();
        let table = MnistOptions::default().pixel_table();
        let mut expected = vec![0f32; n * c];
        convert_rows(&src, n, c, 0, &table, &mut expected);
        for first_row in [0, 1, 64, 149] {
            let mut data = expected.clone();
            for col in 0..c {
                data[col * n + first_row..(col + 1) * n].fill(-1.0);
            }
            // Waiting chunks of 70, 3 and the rest of the rows.
            let waiting = &src[first_row * c..];
            let cut1 = (70 * c).min(waiting.len());
            let cut2 = (73 * c).min(waiting.len());
            let chunks = vec![&waiting[..cut1], &waiting[cut1..cut2], &waiting[cut2..]];
            let half = c / 2;
            let (lower, upper) = data.split_at_mut(half * n);
            for (cols, dst) in [(0..half, lower), (half..c, upper)] {
                Share {
                    chunks: chunks.clone(),
                    first_row,
                    nrows: n,
                    ncols: c,
                    cols,
                    dst,
                }
                .convert(&table);
            }
            assert_eq!(data, expected, "first_row {first_row}");
        }
    }

    #[test]
    fn two_thread_load_equals_a_plain_conversion() {
        // Gzip-compressed files of several chunks, odd image shapes (the column halves differ
        // in width), both layouts, both scalings: every value equals the plain conversion.
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        for (n, rows, cols) in [(6000, 28, 28), (3001, 27, 29), (5, 1, 1), (0, 28, 28)] {
            let pixels: Vec<u8> = (0..n * rows * cols).map(|k| (k * 31 % 256) as u8).collect();
            let images = Idx::new(vec![n, rows, cols], pixels).unwrap();
            let labels = Idx::new(vec![n], (0..n).map(|k| (k % 10) as u8).collect()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            for (file, idx) in [
                (MnistFile::TrainImages, &images),
                (MnistFile::TrainLabels, &labels),
            ] {
                let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
                enc.write_all(&idx.header()).unwrap();
                enc.write_all(idx.data()).unwrap();
                std::fs::write(dir.path().join(file.file_name()), enc.finish().unwrap()).unwrap();
            }
            for flatten in [true, false] {
                for normalize in [true, false] {
                    let options = MnistOptions {
                        flatten,
                        normalize,
                        one_hot_label: false,
                    };
                    let loaded = Mnist::load(dir.path(), Split::Train, options).unwrap();
                    let expected = reference_matrix(&images, options);
                    assert_eq!(
                        loaded.images(),
                        &expected,
                        "{n} x {rows} x {cols} {options:?}"
                    );
                    assert_eq!(loaded.pixels(), images.data());
                    assert_eq!(loaded.labels(), labels.data());
                }
            }
        }
    }

    #[test]
    fn pixel_stats_are_exact() {
        // Pixels 0 and 255 in equal numbers: mean 0.5, std 0.5.
        let images = Idx::new(vec![2, 1, 2], vec![0, 255, 255, 0]).unwrap();
        let labels = Idx::new(vec![2], vec![0, 0]).unwrap();
        let m = Mnist::from_idx(Split::Test, images, labels, MnistOptions::default()).unwrap();
        assert_eq!(m.pixel_mean_std(), (0.5, 0.5));
    }
}

//! One split of MNIST in memory, with the book's `load_mnist` options.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nalgebra::DMatrix;

use crate::convert::{matrix_shape, to_matrix};
use crate::load::read_split;
use crate::targets::one_hot_rows;
use crate::{CLASSES, Error, Idx, MnistFile, MnistOptions, Result, Targets};

/// Which half of MNIST: the 60000 training images or the 10000 test images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training set, `train-*` files.
    Train,
    /// The test set, `t10k-*` files.
    Test,
}

/// One split of MNIST: the raw pixels as stored in the file, the labels, and on request the
/// images as an `f32` matrix.
///
/// # Layout and memory
///
/// A split keeps the bytes of its images file, row-major ([`Mnist::pixels`], 784 contiguous
/// bytes per image, 47 MB for the training split): what a loader must read anyway, and the
/// cheapest source for anything else. [`Mnist::fill_batch`] gathers mini-batches from them (a
/// batch of 100 is 100 contiguous reads), and code that builds its own layout (nabla-net's
/// sparse data set) reads them through [`MnistOptions::pixel_value`].
///
/// [`Mnist::images`] is the book's `x_train`: a column-major nalgebra matrix with one image
/// per row (n x 784 when flattened), 188 MB of `f32` for the training split. It is converted
/// on its first call, on all rayon threads, and then kept; a program that never calls it
/// never pays for it.
#[derive(Clone, Debug)]
pub struct Mnist {
    split: Split,
    options: MnistOptions,
    rows: usize,
    cols: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
    images: OnceLock<DMatrix<f32>>,
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
    /// against the published MNIST checksums.
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
        let (images, labels) = read_split(dir, split, verify)?;
        Self::build(
            split,
            images.idx,
            &images.path,
            labels.idx,
            &labels.path,
            options,
        )
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
        let targets = Targets::new(&labels, options.one_hot_label);
        Ok(Self {
            split,
            options,
            rows: image_dims[1],
            cols: image_dims[2],
            pixels,
            labels,
            images: OnceLock::new(),
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

    /// The images as `f32` ([`MnistOptions::pixel_value`] of each byte), one image per row.
    ///
    /// Flattened (the default): n x 784, row `i` is image `i` with its pixel rows one after
    /// another. Not flattened: (28 n) x 28, image `i` is the block of rows `28 i .. 28 i + 28`,
    /// row `28 i + r`, column `c` being its pixel (r, c), the book's n x 1 x 28 x 28 with the
    /// channel dropped.
    ///
    /// Converted from [`Mnist::pixels`] on the first call (188 MB and a few tens of
    /// milliseconds for the training split, see the layout note on [`Mnist`]), then kept.
    pub fn images(&self) -> &DMatrix<f32> {
        self.images.get_or_init(|| {
            let (nrows, ncols) =
                matrix_shape(self.len(), self.rows, self.cols, self.options.flatten);
            to_matrix(&self.pixels, nrows, ncols, self.options)
        })
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
    /// `i * image_len() .. (i + 1) * image_len()`. For code that builds its own layout; map
    /// each byte with [`MnistOptions::pixel_value`] of [`Mnist::options`] to get the values
    /// of [`Mnist::images`].
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
        // Statistics of the exact ratios v / 255, in f64: not the f32 pixel values, whose
        // rounding would move the 16th digit the command prints.
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
    /// row, [`MnistOptions::pixel_value`] of each byte) and `t` (rows of 10), reading the
    /// row-major raw pixels. The matrices are reshaped only when their shape differs from
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
        one_hot_rows(&self.labels, indices.iter().copied(), t);
    }
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
        assert_eq!((m.len(), m.is_empty()), (3, false));
        assert_eq!(m.split(), Split::Train);
        let options = MnistOptions {
            normalize: false,
            ..Default::default()
        };
        assert_eq!(m.options(), options);
        assert_ne!(options, MnistOptions::default());
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
            // Nothing converted until asked for.
            assert!(loaded.images.get().is_none());
            assert_eq!(loaded.images(), built.images());
            assert!(loaded.images.get().is_some());
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
        let (mrows, mcols) = matrix_shape(dims[0], rows, cols, options.flatten);
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
    fn loaded_images_equal_a_plain_conversion() {
        // Gzip-compressed files, odd image shapes (the column bands differ in width), both
        // layouts, both scalings: every value equals the plain conversion. 130 and 67 images
        // cross the conversion's 64-row tile edge in the flattened layout too.
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        for (n, rows, cols) in [(130, 28, 28), (67, 27, 29), (5, 1, 1), (0, 28, 28)] {
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
        // 0, 0.2 and 0.4 (bytes 0, 51, 102): mean 0.2, variance 0.08 / 3.
        let images = Idx::new(vec![1, 1, 3], vec![0, 51, 102]).unwrap();
        let labels = Idx::new(vec![1], vec![0]).unwrap();
        let m = Mnist::from_idx(Split::Test, images, labels, MnistOptions::default()).unwrap();
        let (mean, std) = m.pixel_mean_std();
        assert!((mean - 0.2).abs() < 1e-16, "{mean}");
        assert!((std - (0.08f64 / 3.0).sqrt()).abs() < 1e-16, "{std}");
    }
}

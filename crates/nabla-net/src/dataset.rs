//! A labelled data set in the form the training loop reads.

use nalgebra::DMatrix;

use crate::{Error, Precision, SparseRows};

/// Images (one per row, kept as their non-zero pixels) with one class label each.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T> {
    images: SparseRows<T>,
    labels: Vec<usize>,
}

impl<T: Precision> Dataset<T> {
    /// Builds a data set from a matrix with one image per row (for example nabla-data's
    /// `Mnist::images()`, `f32`) and its labels, converting the pixels to `T`.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if there is not one label per row, or more than `u32::MAX` columns.
    pub fn new<S: Precision>(images: &DMatrix<S>, labels: &[u8]) -> Result<Self, Error> {
        Dataset::from_parts(
            SparseRows::from_matrix(images)?,
            labels.iter().map(|&t| usize::from(t)).collect(),
        )
    }

    /// Builds a data set from one split of MNIST as nabla-data loaded it, reading the raw
    /// row-major pixels (never the split's `f32` matrix, which is then never built) through
    /// nabla-data's own mapping, [`MnistOptions::pixel_value`](nabla_data::MnistOptions::pixel_value),
    /// widened to `T`: the values of `mnist.images()`, without its 188 MB.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if the images have no pixels; [`Error::Shape`] if the pixels are not
    /// one image per label.
    pub fn from_mnist(mnist: &nabla_data::Mnist) -> Result<Self, Error> {
        let cols = mnist.image_len();
        let options = mnist.options();
        let images = SparseRows::from_bytes(mnist.pixels(), cols, |b| {
            T::from_f64(f64::from(options.pixel_value(b)))
        })?;
        Dataset::from_parts(
            images,
            mnist.labels().iter().map(|&t| usize::from(t)).collect(),
        )
    }

    /// Builds a data set from rows already in sparse form and their labels.
    ///
    /// # Errors
    ///
    /// [`Error::Shape`] if there is not one label per row.
    fn from_parts(images: SparseRows<T>, labels: Vec<usize>) -> Result<Self, Error> {
        if images.nrows() != labels.len() {
            return Err(Error::Shape {
                what: "labels (one per image)".to_owned(),
                expected: images.nrows(),
                got: labels.len(),
            });
        }
        Ok(Dataset { images, labels })
    }

    /// The first `n` images and their labels: the book's chapter 6 trains on the first 300
    /// of MNIST's 60000 to show overfitting.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if `n` is 0; [`Error::TooFew`] if there are fewer than `n` images.
    pub fn first(&self, n: usize) -> Result<Self, Error> {
        if n == 0 {
            return Err(Error::Zero {
                what: "training-set size",
            });
        }
        if n > self.len() {
            return Err(Error::TooFew {
                what: "images",
                asked: n,
                available: self.len(),
            });
        }
        Ok(Dataset {
            images: self.images.first_rows(n),
            labels: self.labels[..n].to_vec(),
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images, kept as their non-zero pixels for the training loop.
    pub(crate) fn images(&self) -> &SparseRows<T> {
        &self.images
    }

    /// The images listed in `rows`, in that order (repeats allowed), as a dense matrix with
    /// one image per row: a batch for the gradient functions that take `DMatrix` inputs.
    ///
    /// # Panics
    ///
    /// If a listed row is `>= self.len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nabla_net::Dataset;
    /// use nalgebra::DMatrix;
    ///
    /// let x = DMatrix::from_row_slice(2, 3, &[0.0f32, 0.5, 0.0, 1.0, 0.0, 0.25]);
    /// let set = Dataset::<f64>::new(&x, &[4, 2])?;
    /// assert_eq!(set.gather_dense(&[1]), DMatrix::from_row_slice(1, 3, &[1.0, 0.0, 0.25]));
    /// # Ok::<(), nabla_net::Error>(())
    /// ```
    pub fn gather_dense(&self, rows: &[usize]) -> DMatrix<T> {
        self.images.gather_dense(rows)
    }

    /// The labels, one per image.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The fraction of pixels that are not zero (about 0.19 for MNIST).
    pub fn density(&self) -> f64 {
        let cells = self.images.nrows() * self.images.ncols();
        if cells == 0 {
            0.0
        } else {
            self.images.nnz() as f64 / cells as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_label_per_image_is_required() {
        let x = DMatrix::<f32>::zeros(3, 4);
        assert!(Dataset::<f32>::new(&x, &[1, 2, 3]).is_ok());
        let err = Dataset::<f32>::new(&x, &[1, 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch: labels (one per image): expected 3, got 2"
        );
    }

    #[test]
    fn density_counts_non_zero_pixels() {
        // 2 x 3, so that the cell count 6 is not also 2 + 3 + 1 or 2 + 3.
        let x = DMatrix::from_row_slice(2, 3, &[0.0f32, 0.5, 0.0, 0.0, 0.0, 0.25]);
        let d = Dataset::<f64>::new(&x, &[0, 1]).unwrap();
        assert_eq!(d.density(), 2.0 / 6.0);
        assert_eq!(d.labels(), &[0, 1]);
        assert_eq!(d.len(), 2);
        assert!(!d.is_empty());
        let none = Dataset::<f64>::new(&DMatrix::<f32>::zeros(0, 3), &[]).unwrap();
        assert!(none.is_empty());
        assert_eq!(none.density(), 0.0);
    }

    #[test]
    fn first_keeps_a_prefix_and_refuses_zero_or_too_many() {
        let x = DMatrix::from_row_slice(3, 2, &[0.0f32, 1.0, 2.0, 0.0, 3.0, 4.0]);
        let d = Dataset::<f64>::new(&x, &[7, 8, 9]).unwrap();
        let head = d.first(2).unwrap();
        assert_eq!(head.labels(), &[7, 8]);
        assert_eq!(head.gather_dense(&[0, 1]), x.rows(0, 2).map(f64::from));
        assert_eq!(d.first(3).unwrap(), d);
        assert_eq!(
            d.first(0).unwrap_err().to_string(),
            "training-set size must be at least 1, got 0"
        );
        assert_eq!(
            d.first(4).unwrap_err().to_string(),
            "asked for the first 4 images, but there are only 3"
        );
    }
}

//! The targets of a split: digits, or one-hot rows.

use nalgebra::DMatrix;

/// Number of classes (digits 0 to 9).
pub const CLASSES: usize = 10;

/// The targets of a split, as [`MnistOptions::one_hot_label`](crate::MnistOptions) asks.
///
/// The one-hot rows are built here for a loaded split only; for one-hot rows of any labels
/// and any number of classes, nabla-loss's `one_hot` is the workspace's function (this crate
/// imports no other nabla crate).
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// One digit per image.
    Labels(Vec<u8>),
    /// One row of 10 per image, 1.0 in the digit's column and 0.0 elsewhere.
    OneHot(DMatrix<f32>),
}

impl Targets {
    /// The targets of `labels`, one-hot when `one_hot` is set.
    pub(crate) fn new(labels: &[u8], one_hot: bool) -> Self {
        if one_hot {
            let mut t = DMatrix::zeros(0, 0);
            one_hot_rows(labels, 0..labels.len(), &mut t);
            Targets::OneHot(t)
        } else {
            Targets::Labels(labels.to_vec())
        }
    }
}

/// The one-hot rows of `labels[indices]` into `t`, reshaped to (`indices.len()`, 10) only when
/// its shape differs. The crate's labels are checked to be below 10 when a split is built;
/// nabla-loss's `one_hot` is the public, checked function for any labels.
///
/// # Panics
///
/// Panics if an index is out of range or a label above 9.
pub(crate) fn one_hot_rows(
    labels: &[u8],
    indices: impl ExactSizeIterator<Item = usize>,
    t: &mut DMatrix<f32>,
) {
    if t.shape() != (indices.len(), CLASSES) {
        *t = DMatrix::zeros(indices.len(), CLASSES);
    } else {
        t.fill(0.0);
    }
    for (row, i) in indices.enumerate() {
        t[(row, usize::from(labels[i]))] = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_rows_mark_each_label_and_clear_stale_ones() {
        let labels = [0u8, 9, 4];
        let Targets::OneHot(t) = Targets::new(&labels, true) else {
            panic!("asked for one-hot targets")
        };
        assert_eq!(t.shape(), (3, 10));
        assert_eq!(t[(1, 9)], 1.0);
        assert_eq!(t[(2, 4)], 1.0);
        assert_eq!(t.sum(), 3.0);
        let mut reused = t.clone();
        let ptr = reused.as_ptr();
        one_hot_rows(&labels, [1, 1, 1].into_iter(), &mut reused);
        assert_eq!(reused.as_ptr(), ptr);
        assert_eq!(reused.column(9).sum(), 3.0);
        assert_eq!(reused.sum(), 3.0);
        assert_eq!(
            Targets::new(&labels, false),
            Targets::Labels(labels.to_vec())
        );
    }
}

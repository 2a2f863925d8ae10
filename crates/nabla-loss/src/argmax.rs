//! The index of the largest value: a prediction's class.

use nalgebra::{DMatrix, RealField};

/// The index of the largest value of `y`, or `None` if `y` is empty.
///
/// Follows NumPy's `argmax`: among equal maxima the first wins, and a NaN counts as larger
/// than everything, so the first NaN wins (a prediction that went NaN then picks a class
/// that is most likely wrong, and the accuracy shows it, rather than silently picking the best
/// of the remaining values).
///
/// ```
/// use nabla_loss::argmax;
///
/// assert_eq!(argmax(&[0.1, 0.6, 0.3]), Some(1));
/// assert_eq!(argmax(&[0.5, 0.2, 0.5]), Some(0));
/// assert_eq!(argmax(&[0.1, f64::NAN, 0.9, f64::NAN]), Some(1));
/// assert_eq!(argmax::<f64>(&[]), None);
/// ```
pub fn argmax<T: RealField + Copy>(y: &[T]) -> Option<usize> {
    argmax_by(y.len(), |j| y[j])
}

/// [`argmax`] of every row of `y` (one sample per row), with the same tie and NaN rules.
///
/// # Panics
///
/// If `y` has rows but no columns: such a row has no largest value. Outputs of a network
/// always have columns; data-facing callers ([`accuracy`](crate::accuracy)) check first.
pub fn argmax_rows<T: RealField + Copy>(y: &DMatrix<T>) -> Vec<usize> {
    (0..y.nrows())
        .map(|i| {
            argmax_by(y.ncols(), |j| y[(i, j)]).unwrap_or_else(|| {
                panic!(
                    "argmax_rows of a {}x0 matrix: rows have no columns",
                    y.nrows()
                )
            })
        })
        .collect()
}

/// The first index of the maximum of `value(0), ..., value(n - 1)`, NaN counting as largest.
fn argmax_by<T: RealField + Copy>(n: usize, value: impl Fn(usize) -> T) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for j in 0..n {
        let v = value(j);
        // NaN is the only value not ordered against itself. (Not `v != v`: a dual number may
        // compare its derivative parts for equality, but orders by its value.)
        if v.partial_cmp(&v).is_none() {
            return Some(j);
        }
        match best {
            Some((_, b)) if v <= b => {}
            _ => best = Some((j, v)),
        }
    }
    best.map(|(j, _)| j)
}

#[cfg(test)]
mod tests {
    use nalgebra::DMatrix;

    use super::*;

    #[test]
    fn book_predictions() {
        let right = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
        let wrong = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0];
        assert_eq!(argmax(&right), Some(2));
        assert_eq!(argmax(&wrong), Some(7));
    }

    #[test]
    fn ties_nan_and_infinities() {
        assert_eq!(argmax(&[3.0, 3.0, 3.0]), Some(0));
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), Some(1));
        assert_eq!(argmax(&[f64::NAN, 3.0]), Some(0));
        assert_eq!(argmax(&[1.0, 3.0, f64::NAN]), Some(2));
        assert_eq!(argmax(&[f64::NEG_INFINITY; 3]), Some(0));
        assert_eq!(argmax(&[1.0, f64::INFINITY, f64::INFINITY]), Some(1));
        assert_eq!(argmax(&[-2.0, -1.0, -3.0]), Some(1));
        assert_eq!(argmax(&[-0.0, 0.0]), Some(0), "-0 and 0 are equal");
        assert_eq!(argmax(&[1.0_f32, 2.0]), Some(1));
    }

    #[test]
    fn rows() {
        let y = DMatrix::from_row_slice(3, 3, &[0.1, 0.8, 0.1, 0.5, 0.5, 0.0, 0.0, 0.0, f64::NAN]);
        assert_eq!(argmax_rows(&y), [1, 0, 2]);
        assert!(argmax_rows(&DMatrix::<f64>::zeros(0, 3)).is_empty());
    }

    #[test]
    #[should_panic(expected = "argmax_rows of a 2x0 matrix")]
    fn rows_without_columns_panic() {
        let _ = argmax_rows(&DMatrix::<f64>::zeros(2, 0));
    }
}

//! [`Params`]: any container of parameters a finite difference can nudge in place.

use nalgebra::{Dim, Matrix, RawStorageMut, Scalar};

/// A flat, indexable set of scalar parameters that can be read and written one at a time.
///
/// This is what the book's `numerical_gradient` needs: nudge parameter `i`, evaluate the
/// function (which reads the parameters it closes over), and put the old value back. Every
/// driver in this crate ([`gradient`](crate::gradient), [`jacobian`](crate::jacobian),
/// [`hessian`](crate::hessian), the gradient check, ...) is written once against this trait,
/// so it works for slices, arrays, `Vec`s, any nalgebra matrix or vector, and your own types.
///
/// The drivers restore every parameter *bit-exactly*: they store the old value returned by
/// [`get`](Params::get) and write that same value back with [`set`](Params::set), never
/// `x + h - h`. An implementation must therefore make `get(i)` return exactly what the last
/// `set(i, v)` wrote.
///
/// Indices run over `0..len()` in any fixed order you like; nalgebra matrices use their
/// column-major storage order. Gradients come back in the same order.
///
/// # Implementing it for a struct of several matrices
///
/// Lay the matrices end to end:
///
/// ```
/// use nabla_numdiff::{Options, Params, gradient};
/// use nalgebra::{DMatrix, DVector};
///
/// struct Net {
///     w: DMatrix<f64>,
///     b: DVector<f64>,
/// }
///
/// impl Params<f64> for Net {
///     fn len(&self) -> usize {
///         self.w.len() + self.b.len()
///     }
///     fn get(&self, i: usize) -> f64 {
///         let n = self.w.len();
///         if i < n { self.w[i] } else { self.b[i - n] }
///     }
///     fn set(&mut self, i: usize, value: f64) {
///         let n = self.w.len();
///         if i < n { self.w[i] = value } else { self.b[i - n] = value }
///     }
/// }
///
/// let mut net = Net { w: DMatrix::from_element(2, 2, 0.5), b: DVector::from_element(2, 1.0) };
/// // loss = sum of all parameters squared; its gradient is twice each parameter.
/// let g = gradient(&mut net, |n| n.w.norm_squared() + n.b.norm_squared(), Options::default())?;
/// assert_eq!(g.len(), 6);
/// assert!((g[5] - 2.0).abs() < 1e-9);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
pub trait Params<T> {
    /// The number of scalar parameters.
    fn len(&self) -> usize;

    /// Whether there are no parameters.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Parameter `i`.
    ///
    /// # Panics
    ///
    /// May panic if `i >= len()`.
    fn get(&self, i: usize) -> T;

    /// Overwrites parameter `i` with `value`.
    ///
    /// # Panics
    ///
    /// May panic if `i >= len()`.
    fn set(&mut self, i: usize, value: T);
}

impl<T: Copy> Params<T> for [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn get(&self, i: usize) -> T {
        self[i]
    }
    fn set(&mut self, i: usize, value: T) {
        self[i] = value;
    }
}

impl<T: Copy, const N: usize> Params<T> for [T; N] {
    fn len(&self) -> usize {
        N
    }
    fn get(&self, i: usize) -> T {
        self[i]
    }
    fn set(&mut self, i: usize, value: T) {
        self[i] = value;
    }
}

impl<T: Copy> Params<T> for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn get(&self, i: usize) -> T {
        self[i]
    }
    fn set(&mut self, i: usize, value: T) {
        self[i] = value;
    }
}

/// Every nalgebra matrix and vector (`DMatrix`, `DVector`, `SMatrix`, views, ...), in
/// column-major order.
impl<T, R, C, S> Params<T> for Matrix<T, R, C, S>
where
    T: Scalar + Copy,
    R: Dim,
    C: Dim,
    S: RawStorageMut<T, R, C>,
{
    fn len(&self) -> usize {
        let (r, c) = self.shape();
        r * c
    }
    fn get(&self, i: usize) -> T {
        self[i]
    }
    fn set(&mut self, i: usize, value: T) {
        self[i] = value;
    }
}

impl<T, P: Params<T> + ?Sized> Params<T> for &mut P {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn get(&self, i: usize) -> T {
        (**self).get(i)
    }
    fn set(&mut self, i: usize, value: T) {
        (**self).set(i, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{DMatrix, DVector, Matrix2x3};

    fn roundtrip<P: Params<f64> + ?Sized>(p: &mut P) {
        let n = p.len();
        for i in 0..n {
            p.set(i, i as f64 + 0.5);
        }
        for i in 0..n {
            assert_eq!(p.get(i), i as f64 + 0.5);
        }
    }

    #[test]
    fn every_container_reads_back_what_was_written() {
        roundtrip(&mut vec![0.0; 3]);
        roundtrip(&mut [0.0; 4]);
        roundtrip(&mut [0.0; 2][..]);
        roundtrip(&mut DVector::<f64>::zeros(5));
        roundtrip(&mut DMatrix::<f64>::zeros(2, 3));
        roundtrip(&mut Matrix2x3::<f64>::zeros());
        let mut v = vec![0.0; 2];
        roundtrip(&mut &mut v);
    }

    #[test]
    fn matrices_are_column_major() {
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(Params::len(&m), 4);
        assert_eq!(Params::get(&m, 1), 3.0);
        assert!(!Params::is_empty(&m));
        assert!(Params::is_empty(&Vec::<f64>::new()));
    }
}

//! A buffer whose values start on a 32-byte boundary: `w1`'s rows, for the kernels.

/// `len` values whose first lies on a 32-byte boundary, so that no vector load of a row of
/// `w1` (a multiple of 8 lanes) straddles a cache line with AVX2. The alignment is found at
/// run time in a slightly larger buffer (a moved vector keeps its buffer; a clone finds its
/// own), so that the kernels see plain slices.
#[derive(Debug)]
pub(crate) struct Aligned<T> {
    buf: Vec<T>,
    len: usize,
}

impl<T: Copy + num_traits::Zero> Aligned<T> {
    const ALIGN: usize = 32;

    /// `len` zeros.
    pub(crate) fn zeros(len: usize) -> Self {
        let slack = Self::ALIGN / std::mem::size_of::<T>();
        Aligned {
            buf: vec![T::zero(); len + slack],
            len,
        }
    }

    /// A copy of `values`.
    pub(crate) fn from_slice(values: &[T]) -> Self {
        let mut a = Self::zeros(values.len());
        a.as_mut_slice().copy_from_slice(values);
        a
    }

    fn offset(&self) -> usize {
        let slack = self.buf.len() - self.len;
        match self.buf.as_ptr().align_offset(Self::ALIGN) {
            o if o <= slack => o,
            // Not alignable (permitted by `align_offset`): correct, only slower.
            _ => 0,
        }
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        let o = self.offset();
        &self.buf[o..o + self.len]
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        let o = self.offset();
        &mut self.buf[o..o + self.len]
    }
}

impl<T: Copy + num_traits::Zero> Clone for Aligned<T> {
    fn clone(&self) -> Self {
        Self::from_slice(self.as_slice())
    }
}

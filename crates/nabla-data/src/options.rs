//! The options of the book's `load_mnist`, and the one place a pixel byte becomes a number.

/// The options of the book's `load_mnist`. [`Default`] gives the book's defaults:
/// normalized, flattened, labels as digits; the `with_*` builders change one each, as the
/// book's keyword arguments do (`load_mnist(normalize=False)` is
/// `MnistOptions::default().with_normalize(false)`). The fields are read directly, and new
/// ones may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MnistOptions {
    /// Divide pixels by 255 into `[0, 1]`; otherwise keep `0.0..=255.0`. See
    /// [`MnistOptions::pixel_value`].
    pub normalize: bool,
    /// One image per row of 784; otherwise each image is a block of 28 rows of 28 (see
    /// [`Mnist::images`](crate::Mnist::images)).
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
    /// These options with pixels divided by 255 (`true`) or kept as bytes.
    pub fn with_normalize(self, normalize: bool) -> Self {
        Self { normalize, ..self }
    }

    /// These options with one image per row (`true`) or each image a block of 28 rows.
    pub fn with_flatten(self, flatten: bool) -> Self {
        Self { flatten, ..self }
    }

    /// These options with one-hot targets (`true`) or the digits themselves.
    pub fn with_one_hot_label(self, one_hot_label: bool) -> Self {
        Self {
            one_hot_label,
            ..self
        }
    }

    /// The value a pixel byte becomes under these options: `byte / 255` computed in `f32`
    /// when normalized (the book's `x.astype(np.float32) / 255.0`, so 51 becomes exactly the
    /// `f32` nearest 0.2), else the byte itself.
    ///
    /// This is the crate's only pixel mapping: [`Mnist::images`](crate::Mnist::images) and
    /// [`Mnist::fill_batch`](crate::Mnist::fill_batch) go through it, and code that builds its
    /// own layout from [`Mnist::pixels`](crate::Mnist::pixels) should call it too, so that
    /// its numbers are the same to the last bit. Widening the result to `f64` is exact.
    ///
    /// # Examples
    ///
    /// ```
    /// use nabla_data::MnistOptions;
    ///
    /// let book = MnistOptions::default();
    /// assert_eq!(book.pixel_value(0), 0.0);
    /// assert_eq!(book.pixel_value(51), 0.2);
    /// assert_eq!(book.pixel_value(255), 1.0);
    /// let raw = book.with_normalize(false);
    /// assert_eq!(raw.pixel_value(51), 51.0);
    /// ```
    pub fn pixel_value(&self, byte: u8) -> f32 {
        if self.normalize {
            f32::from(byte) / 255.0
        } else {
            f32::from(byte)
        }
    }

    /// [`MnistOptions::pixel_value`] of every byte, for the conversion loops.
    pub(crate) fn pixel_table(&self) -> [f32; 256] {
        std::array::from_fn(|v| self.pixel_value(v as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_mapping() {
        for normalize in [true, false] {
            let options = MnistOptions {
                normalize,
                ..MnistOptions::default()
            };
            let table = options.pixel_table();
            for b in 0..=255u8 {
                assert_eq!(table[usize::from(b)], options.pixel_value(b));
            }
        }
        // Division, not multiplication by 1 / 255, which differs in the last bit for some bytes.
        let book = MnistOptions::default();
        assert_eq!(book.pixel_value(3), 3.0 / 255.0);
        assert_ne!(book.pixel_value(3), 3.0 * (1.0 / 255.0));
        assert_eq!(book.pixel_value(128), 128.0 / 255.0);
    }
}

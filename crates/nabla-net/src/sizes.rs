//! The layer sizes of a two-layer network.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The widths of the three layers of a [`TwoLayerNet`](crate::TwoLayerNet): inputs, hidden
/// units, outputs (classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sizes {
    /// Number of inputs (784 for MNIST's 28 x 28 pixels).
    pub input: usize,
    /// Number of hidden (sigmoid) units (the book uses 50).
    pub hidden: usize,
    /// Number of outputs, one per class (10 digits).
    pub output: usize,
}

impl Sizes {
    /// The book's MNIST network: 784 inputs, 50 hidden units, 10 outputs.
    pub const MNIST: Sizes = Sizes {
        input: 784,
        hidden: 50,
        output: 10,
    };

    /// Builds sizes, checking that each is at least 1 and that the parameter count fits in a
    /// `usize`.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] naming the first size that is zero; [`Error::TooLarge`] if
    /// [`parameter_count`](Self::parameter_count) would overflow.
    pub fn new(input: usize, hidden: usize, output: usize) -> Result<Self, Error> {
        let sizes = Sizes {
            input,
            hidden,
            output,
        };
        sizes.validate()?;
        Ok(sizes)
    }

    /// Checks that every size is at least 1 and that the parameter count fits in a `usize`.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] naming the first size that is zero; [`Error::TooLarge`] if
    /// [`parameter_count`](Self::parameter_count) would overflow.
    pub fn validate(&self) -> Result<(), Error> {
        for (what, n) in [
            ("input size", self.input),
            ("hidden size", self.hidden),
            ("output size", self.output),
        ] {
            if n == 0 {
                return Err(Error::Zero { what });
            }
        }
        if self.checked_parameter_count().is_none() {
            return Err(Error::TooLarge {
                sizes: *self,
                reason: "its parameter count does not fit in a usize".to_owned(),
            });
        }
        Ok(())
    }

    /// Checks that a network of these sizes may be built: at most
    /// [`MAX_MODEL_PARAMETERS`](crate::MAX_MODEL_PARAMETERS) parameters, what a model file may
    /// hold. The `nabla` command checks every network it builds with this, before any weight
    /// is allocated, and [`load_model`](crate::load_model) every file it reads.
    ///
    /// # Errors
    ///
    /// The errors of [`validate`](Self::validate), and [`Error::TooLarge`] naming the count
    /// and the limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use nabla_net::Sizes;
    ///
    /// assert!(Sizes::new(784, 50, 10)?.check_model_size().is_ok());
    /// let err = Sizes::new(784, 300_000, 10)?.check_model_size().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "the network 784-300000-10 is too large: its 238500010 parameters are more than the \
    ///      67108864 a model file may hold"
    /// );
    /// # Ok::<(), nabla_net::Error>(())
    /// ```
    pub fn check_model_size(&self) -> Result<(), Error> {
        self.validate()?;
        let count = self.parameter_count();
        if count > crate::MAX_MODEL_PARAMETERS {
            return Err(Error::TooLarge {
                sizes: *self,
                reason: format!(
                    "its {count} parameters are more than the {} a model file may hold",
                    crate::MAX_MODEL_PARAMETERS
                ),
            });
        }
        Ok(())
    }

    /// The number of trainable parameters: `input*hidden + hidden + hidden*output + output`
    /// (39760 for [`Sizes::MNIST`]).
    ///
    /// # Panics
    ///
    /// If the count overflows a `usize` (with overflow checks on; it wraps otherwise), which
    /// [`validate`](Self::validate) and [`new`](Self::new) rule out.
    pub fn parameter_count(&self) -> usize {
        self.input * self.hidden + self.hidden + self.hidden * self.output + self.output
    }

    fn checked_parameter_count(&self) -> Option<usize> {
        let w1 = self.input.checked_mul(self.hidden)?;
        let w2 = self.hidden.checked_mul(self.output)?;
        w1.checked_add(self.hidden)?
            .checked_add(w2)?
            .checked_add(self.output)
    }
}

/// `input-hidden-output`, as `784-50-10`.
impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.input, self.hidden, self.output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnist_has_the_books_parameter_count() {
        assert_eq!(Sizes::MNIST.parameter_count(), 39760);
    }

    #[test]
    fn zero_sizes_are_rejected_by_name() {
        let err = Sizes::new(784, 0, 10).unwrap_err();
        assert_eq!(err.to_string(), "hidden size must be at least 1, got 0");
        assert!(Sizes::new(0, 1, 1).is_err());
        assert!(Sizes::new(1, 1, 0).is_err());
        assert!(Sizes::new(1, 1, 1).is_ok());
    }

    #[test]
    fn the_model_size_limit_is_checked_at_its_edge() {
        // 784 * h + h + 10 * h + 10 = 795 h + 10 parameters: h = 84,413 is the largest MNIST
        // network within 2^26.
        let at = |hidden| Sizes::new(784, hidden, 10).unwrap();
        assert_eq!(at(84_413).parameter_count(), 67_108_345);
        assert!(at(84_413).check_model_size().is_ok());
        assert_eq!(at(84_414).parameter_count(), 67_109_140);
        assert!(matches!(
            at(84_414).check_model_size(),
            Err(Error::TooLarge { .. })
        ));
        let zero = Sizes {
            input: 784,
            hidden: 0,
            output: 10,
        };
        assert!(matches!(zero.check_model_size(), Err(Error::Zero { .. })));
    }

    #[test]
    fn sizes_whose_parameter_count_overflows_are_rejected() {
        let err = Sizes::new(784, usize::MAX, 10).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "the network 784-{}-10 is too large: its parameter count does not fit in a usize",
                usize::MAX
            )
        );
        // The largest product alone fits, the sum does not.
        assert!(Sizes::new(1, usize::MAX - 1, 1).is_err());
        assert!(Sizes::new(2, (usize::MAX - 4) / 4, 1).is_ok());
        assert_eq!(Sizes::MNIST.to_string(), "784-50-10");
    }
}

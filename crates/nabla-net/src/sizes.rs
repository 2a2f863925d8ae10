//! The layer sizes of a two-layer network.

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

    /// Builds sizes, checking that each is at least 1.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] naming the first size that is zero.
    pub fn new(input: usize, hidden: usize, output: usize) -> Result<Self, Error> {
        let sizes = Sizes {
            input,
            hidden,
            output,
        };
        sizes.validate()?;
        Ok(sizes)
    }

    /// Checks that every size is at least 1.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] naming the first size that is zero.
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
        Ok(())
    }

    /// The number of trainable parameters: `input*hidden + hidden + hidden*output + output`
    /// (39760 for [`Sizes::MNIST`]).
    pub fn parameter_count(&self) -> usize {
        self.input * self.hidden + self.hidden + self.hidden * self.output + self.output
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
}

//! The hidden layer's activation, the one place to change it.
//!
//! Every computation of the network reads the activation from here: the generic forward pass
//! (and so the brute-force numerical, the dual and the reverse gradients, which differentiate
//! it), the fast path's forward and backward passes, and the structure-aware numerical
//! gradient. To try another activation (chapter 5 of the book uses ReLU), implement
//! [`Activation`] for it and point [`Hidden`] at it; the tests that hold the four gradients
//! together then check it too, and `tests::every_gradient_agrees_with_tanh` shows that a
//! swapped activation reaches every path.

use nalgebra::RealField;

/// An element-wise activation: its value, and its derivative written in terms of its output
/// (which the backward pass has at hand).
pub trait Activation: Copy + Default + std::fmt::Debug + Send + Sync + 'static {
    /// The activation of the pre-activation `a`.
    fn value<T: RealField + Copy>(a: T) -> T;

    /// The gradient at the pre-activation from the gradient `upstream` at the output
    /// `z = value(a)`: `upstream * value'(a)`, with `value'(a)` written in terms of `z`.
    fn backward<T: RealField + Copy>(upstream: T, z: T) -> T;

    /// [`value`](Self::value) as the fast path (`kernels.rs`) computes it, on every
    /// instruction set alike; by default `value` itself.
    #[inline(always)]
    fn fast<T: crate::Precision>(a: T) -> T {
        T::from_real(Self::value(a.to_real()))
    }
}

/// The activation of the network's hidden layer.
pub(crate) type Hidden = Sigmoid;

/// The book's sigmoid, `1 / (1 + e^-a)`: the hidden layer's activation.
///
/// Generic over the scalar, so it takes `f32`, `f64` and the dual and tape numbers alike.
/// This is the one definition; every pass of the network calls it.
///
/// ```
/// assert_eq!(nabla_net::sigmoid(0.0_f64), 0.5);
/// assert!((nabla_net::sigmoid(2.0_f32) - 0.880_797_1).abs() < 1e-6);
/// ```
#[inline]
pub fn sigmoid<T: RealField + Copy>(a: T) -> T {
    T::one() / (T::one() + (-a).exp())
}

/// [`sigmoid`] as the network's [`Activation`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sigmoid;

impl Activation for Sigmoid {
    #[inline]
    fn value<T: RealField + Copy>(a: T) -> T {
        sigmoid(a)
    }

    /// `upstream * z * (1 - z)`.
    #[inline]
    fn backward<T: RealField + Copy>(upstream: T, z: T) -> T {
        upstream * z * (T::one() - z)
    }

    /// The same formula with the fast path's `exp` (in `f32` `fast_exp.rs`'s, which
    /// vectorises, within 1 ulp of the C library's).
    #[inline(always)]
    fn fast<T: crate::Precision>(a: T) -> T {
        T::one() / (T::one() + (-a).fast_exp())
    }
}

/// `tanh`, to show that a swapped activation reaches every gradient.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tanh;

#[cfg(test)]
impl Activation for Tanh {
    fn value<T: RealField + Copy>(a: T) -> T {
        a.tanh()
    }

    /// `upstream * (1 - z^2)`.
    fn backward<T: RealField + Copy>(upstream: T, z: T) -> T {
        upstream * (T::one() - z * z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::dual_gradient_with;
    use crate::engine::{Buffers, Engine};
    use crate::numerical::numerical_gradient_with;
    use crate::reverse::reverse_gradient_with;
    use crate::structured::structured_gradient;
    use crate::test_util::small_problem;
    use crate::{Gradient, Sizes, SparseRows, backprop};

    #[test]
    fn every_gradient_agrees_with_tanh() {
        // 40 rows: the fast path splits the batch between two threads.
        for (sizes, batch, seed) in [
            (Sizes::new(12, 5, 4).unwrap(), 7, 51),
            (Sizes::new(25, 9, 10).unwrap(), 40, 52),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let data = SparseRows::from_matrix(&x).unwrap();
            let rows: Vec<usize> = (0..batch).collect();
            let engine = Engine::<f64, Tanh>::with_activation(&net);
            let (loss, fast) = engine.gradient(&data, &labels, &rows, &mut Buffers::default());
            assert!((loss - net.loss_with::<Tanh>(&x, &labels).unwrap()).abs() < 1e-13);

            let (_, dual) = dual_gradient_with::<Tanh>(&net, &x, &labels).unwrap();
            let (_, reverse) = reverse_gradient_with::<f64, Tanh>(&net, &x, &labels).unwrap();
            let numerical = numerical_gradient_with::<f64, Tanh>(&net, &x, &labels, 1e-4).unwrap();
            let structured = structured_gradient(&engine, &data, &labels, &rows, 1e-4);
            // The exact derivatives agree to rounding, the central differences to their
            // truncation error (about h^2 |f'''| / 6 with h = 1e-4).
            let relative = |g: &Gradient<f64>| fast.max_relative_difference(g, 1e-300, |v| v);
            assert!(relative(&dual) < 1e-12, "dual: {}", relative(&dual));
            assert!(
                relative(&reverse) < 1e-12,
                "reverse: {}",
                relative(&reverse)
            );
            for (name, g) in [("numerical", &numerical), ("structured", &structured)] {
                let worst = fast.worst_difference(g, |v| v).unwrap();
                assert!(worst.abs < 1e-8, "{name}: {worst:?}");
            }

            // The swap is not vacuous: with the sigmoid the gradient is another one.
            let (_, sigmoid) = backprop(&net, &x, &labels).unwrap();
            let moved = fast.worst_difference(&sigmoid, |v| v).unwrap();
            assert!(moved.abs > 1e-2, "{moved:?}");
        }
    }
}

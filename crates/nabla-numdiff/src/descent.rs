//! [`gradient_descent`]: the book's `gradient_descent`, driven by numerical gradients.

use num_traits::Float;

use crate::gradient::gradient_into;
use crate::{Error, Options};

/// Settings of [`gradient_descent`], made by [`GradientDescent::new`] and changed by the
/// `with_*` builders; the fields are read directly, and new ones may be added.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct GradientDescent<T> {
    /// The learning rate `lr` of `x <- x - lr * grad f(x)`.
    pub learning_rate: T,
    /// How many updates to make.
    pub steps: usize,
    /// How the gradient is estimated: [`Options::book`] unless changed, so that the book's
    /// results (including the divergence at `lr = 10`) reproduce.
    pub options: Options<T>,
    /// Whether to record every point visited.
    pub record_path: bool,
}

impl<T: Float> GradientDescent<T> {
    /// `steps` updates with learning rate `learning_rate`, the book's gradient, no path.
    pub fn new(learning_rate: T, steps: usize) -> Self {
        GradientDescent {
            learning_rate,
            steps,
            options: Options::book(),
            record_path: false,
        }
    }

    /// The same settings with another gradient estimate.
    pub fn with_options(self, options: Options<T>) -> Self {
        GradientDescent { options, ..self }
    }

    /// The same settings, recording the path.
    pub fn with_path(self) -> Self {
        GradientDescent {
            record_path: true,
            ..self
        }
    }
}

/// Where gradient descent ended, and how it got there.
#[derive(Debug, Clone, PartialEq)]
pub struct Descent<T> {
    /// The final point.
    pub x: Vec<T>,
    /// Every point visited, the start first and the final point last (`steps + 1` points), if
    /// [`GradientDescent::record_path`] was set; empty otherwise. (The book's `x_history`
    /// holds the same points without the final one.)
    pub path: Vec<Vec<T>>,
}

/// Minimizes `f` from `init` by `x <- x - lr * grad f(x)`, `steps` times, with numerical
/// gradients: the book's `gradient_descent(f, init_x, lr, step_num)`.
///
/// ```
/// use nabla_numdiff::{gradient_descent, GradientDescent};
///
/// let f = |x: &[f64]| x[0] * x[0] + x[1] * x[1];
/// let end = gradient_descent(f, &[-3.0, 4.0], &GradientDescent::new(0.1, 100))?;
/// assert!(end.x[0].abs() < 1e-9 && end.x[1].abs() < 1e-9);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// Any error of the gradient ([`Error::NonFinite`] when the iterate has run off to where `f`
/// is not finite, [`Error::InvalidStep`]).
pub fn gradient_descent<T, F>(
    mut f: F,
    init: &[T],
    settings: &GradientDescent<T>,
) -> Result<Descent<T>, Error>
where
    T: Float,
    F: FnMut(&[T]) -> T,
{
    let mut x = init.to_vec();
    let mut grad = vec![T::zero(); x.len()];
    let mut path = Vec::new();
    if settings.record_path {
        path.reserve(settings.steps + 1);
        path.push(x.clone());
    }
    for _ in 0..settings.steps {
        gradient_into(&mut x[..], |p: &[T]| f(p), settings.options, &mut grad[..])?;
        for (xi, &gi) in x.iter_mut().zip(&grad) {
            *xi = *xi - settings.learning_rate * gi;
        }
        if settings.record_path {
            path.push(x.clone());
        }
    }
    Ok(Descent { x, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_has_start_and_end() {
        let f = |x: &[f32]| x[0] * x[0];
        let d = gradient_descent(f, &[2.0f32], &GradientDescent::new(0.25, 3).with_path()).unwrap();
        assert_eq!(d.path.len(), 4);
        assert_eq!(d.path[0], [2.0]);
        assert_eq!(d.path[3], d.x);
        // Each step halves x (x - 0.25 * 2x), up to the gradient's error.
        approx::assert_relative_eq!(d.x[0], 0.25, max_relative = 1e-2);
        let d = gradient_descent(f, &[2.0f32], &GradientDescent::new(0.25, 3)).unwrap();
        assert!(d.path.is_empty());
    }

    #[test]
    fn builders_set_their_field_and_keep_the_rest() {
        let book = GradientDescent::new(0.1, 100);
        assert_eq!(book.options, Options::book());
        assert!(!book.record_path);
        let forward = Options::auto(crate::Scheme::Forward);
        let s = book.with_path().with_options(forward);
        assert_eq!(
            s,
            GradientDescent {
                learning_rate: 0.1,
                steps: 100,
                options: forward,
                record_path: true,
            }
        );
        // The options are used: with the book's warning step h = 1e-50, x + h == x, the
        // gradient is 0 and nothing moves.
        let f = |x: &[f64]| x[0] * x[0];
        let tiny = book.with_options(Options::fixed(crate::Scheme::Central, 1e-50));
        assert_eq!(gradient_descent(f, &[3.0], &tiny).unwrap().x, [3.0]);
    }

    #[test]
    fn zero_steps_record_the_start_alone() {
        let f = |x: &[f64]| x[0] * x[0];
        let d = gradient_descent(f, &[2.0], &GradientDescent::new(0.1, 0).with_path()).unwrap();
        assert_eq!(d.x, [2.0]);
        assert_eq!(d.path, [[2.0]]);
    }

    #[test]
    fn running_into_a_pole_is_an_error() {
        // ln x with a huge rate jumps from 1 to 1 - 10 * 1 = -9, where ln is NaN.
        let f = |x: &[f64]| x[0].ln();
        let err = gradient_descent(f, &[1.0], &GradientDescent::new(10.0, 3)).unwrap_err();
        assert!(matches!(err, Error::NonFinite { index: 0, .. }));
    }
}

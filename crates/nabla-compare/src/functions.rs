//! Test functions with their hand-written derivatives, ready to compare: Rosenbrock's
//! function, the chapter's two functions and polar coordinates (a Jacobian), and [`point`], a fixed spread of coordinates to
//! evaluate them at. Benches, tests and examples use these rather than writing their own.
//!
//! ```
//! use nabla_compare::functions::{Rosenbrock, point};
//! use nabla_compare::{Compare, Method};
//!
//! let report = Compare::new().methods(&[Method::Reverse, Method::Analytic]).run(&Rosenbrock, &point(10, 2.0, 0));
//! assert!(report.exact_agree());
//! ```

use nalgebra::DMatrix;

use crate::{Function, Number, ScalarFunction, VectorFunction};

/// A fixed point of `n` coordinates in `[-scale, scale]`, spread without a pattern
/// (fractional parts of multiples of the golden ratio), the same on every run; another
/// point for every `seed`.
pub fn point(n: usize, scale: f64, seed: u64) -> Vec<f64> {
    let phi = 0.618_033_988_749_894_9_f64;
    let offset = (seed as f64 * (std::f64::consts::SQRT_2 - 1.0)).fract();
    (0..n)
        .map(|i| {
            let u = ((i as f64 + 1.0) * phi + 0.137 + offset).fract();
            scale * (2.0 * u - 1.0)
        })
        .collect()
}

/// Rosenbrock's function in `n` dimensions:
/// `sum_{i < n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`, with its gradient.
///
/// The constant 100 is a plain `f64` factor: a dual number times a float scales its parts,
/// where a dual constant would go through the whole product rule with zero partials.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rosenbrock;

impl Function for Rosenbrock {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        let mut acc = S::zero();
        for w in x.windows(2) {
            let a = w[1] - w[0] * w[0];
            let b = S::one() - w[0];
            acc += a * a * 100.0 + b * b;
        }
        acc
    }

    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        let mut g = vec![0.0; x.len()];
        for i in 0..x.len().saturating_sub(1) {
            let a = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * a;
        }
        Some(g)
    }

    fn name(&self) -> String {
        "rosenbrock".into()
    }
}

/// The chapter's `f(x) = 0.01 x^2 + 0.1 x`, in the book's order of operations, with its
/// derivative `0.02 x + 0.1`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BookFunction1;

impl ScalarFunction for BookFunction1 {
    fn eval<S: Number>(&self, x: S) -> S {
        let a: S = nalgebra::convert(0.01);
        a * (x * x) + x * 0.1
    }

    fn derivative(&self, x: f64) -> Option<f64> {
        Some(0.02 * x + 0.1)
    }

    fn name(&self) -> String {
        "book_function_1".into()
    }
}

/// The chapter's `f(x0, x1) = x0^2 + x1^2`, with its gradient `(2 x0, 2 x1)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BookFunction2;

impl Function for BookFunction2 {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        x[0] * x[0] + x[1] * x[1]
    }

    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        Some(vec![2.0 * x[0], 2.0 * x[1]])
    }

    fn name(&self) -> String {
        "book_function_2".into()
    }
}

/// Polar to Cartesian coordinates, `(r, θ) -> (r cos θ, r sin θ)`, with its Jacobian.
#[derive(Debug, Clone, Copy, Default)]
pub struct Polar;

impl VectorFunction for Polar {
    fn eval<S: Number>(&self, x: &[S]) -> Vec<S> {
        vec![x[0] * x[1].cos(), x[0] * x[1].sin()]
    }

    fn jacobian(&self, x: &[f64]) -> Option<DMatrix<f64>> {
        let (r, t) = (x[0], x[1]);
        Some(DMatrix::from_row_slice(
            2,
            2,
            &[t.cos(), -r * t.sin(), t.sin(), r * t.cos()],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Compare;

    #[test]
    fn the_chapters_numbers() {
        // The book's numbers: f'(5) = 0.2 (f(10) = 2), and the gradient of x0^2 + x1^2 at
        // (3, 4) is (6, 8).
        let c = Compare::new().time(std::time::Duration::ZERO);
        let r = c.run(&BookFunction1, &[5.0]);
        assert!((r.reference[0] - 0.2).abs() < 1e-16 && r.exact_agree());
        let r = c.run(&BookFunction2, &[3.0, 4.0]);
        assert_eq!(r.reference, [6.0, 8.0]);
        assert_eq!(BookFunction1.eval(10.0), 2.0);
    }

    #[test]
    fn rosenbrock_is_zero_at_its_minimum_and_its_gradient_is_exact() {
        assert_eq!(Rosenbrock.eval(&[1.0; 5]), 0.0);
        let r = Compare::new()
            .time(std::time::Duration::ZERO)
            .run(&Rosenbrock, &point(7, 2.0, 3));
        assert!(r.exact_agree(), "{r}");
        assert_eq!(Rosenbrock.gradient(&[1.0; 5]), Some(vec![0.0; 5]));
    }

    #[test]
    fn points_are_spread_in_their_range_and_repeat() {
        let p = point(50, 3.0, 1);
        assert!(p.iter().all(|v| v.abs() <= 3.0));
        assert_eq!(p, point(50, 3.0, 1));
        assert_ne!(p, point(50, 3.0, 2));
    }
}

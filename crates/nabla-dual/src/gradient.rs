//! Gradients of functions of many variables: one pass per input (`Dual`), or one pass per
//! chunk of `N` inputs (`DualVec`).

use crate::number::{Dual, DualNumber, DualVec};
use crate::passes::{Lanes, for_each_pass};
use nabla_rules::Real;

/// The chunk size `N` to choose for [`gradient_chunked`] and [`jacobian_chunked`](crate::jacobian_chunked) when
/// nothing is known about the function: 16 partial derivatives per pass.
///
/// The trade-off: a pass evaluates the whole function, its values (`exp`, `ln`, ...) included,
/// and carries `N` partials through every operation, so a larger `N` means fewer passes
/// (`ceil(n / N)`) and fewer evaluations of the values, but more data per number
/// (`(N + 1) * 8` bytes for `f64`) and lanes wasted when `n` is not a multiple of `N`.
/// Measured on a 2-core AMD EPYC (AVX-512), `benches/gradients.rs` at n = 1000, one run, in
/// milliseconds (the machine's noise between runs was about ±30%; nabla's
/// [`BENCHMARKS.md`](https://docs.rs/crate/nabla-learn/latest/source/BENCHMARKS.md) has the command and the
/// whole table):
///
/// | build | function | `N` = 8 | `N` = 16 | `N` = 32 |
/// |---|---|---|---|---|
/// | default (x86-64, SSE2) | Rosenbrock | 1.87 | 1.25 | 1.90 |
/// | default (x86-64, SSE2) | softmax-cross-entropy | 2.66 | 2.77 | 2.49 |
/// | `-C target-cpu=native` (AVX-512) | Rosenbrock | 0.89 | 0.56 | 0.56 |
/// | `-C target-cpu=native` (AVX-512) | softmax-cross-entropy | 1.89 | 1.48 | 1.63 |
///
/// 16 is never far from the best and is the best once the build may use wide vector
/// registers (`[f64; 16]` is two AVX-512 registers). Prefer 32 for a function dominated by
/// `exp`/`ln` of many inputs (each pass recomputes them), 8 or less when `n` is small.
/// ForwardDiff.jl makes the same trade-off with a default threshold of 12
/// (`ForwardDiff.DEFAULT_CHUNK_THRESHOLD`, its documentation's "Configuring chunk size").
///
/// The partial loops are plain loops over `[T; N]` that the compiler vectorizes for the
/// target the *caller's* function is compiled for: `gradient_chunked` cannot pick an
/// instruction set at run time for a function compiled elsewhere, so wide lanes come from
/// building with `RUSTFLAGS="-C target-cpu=native"` (or `x86-64-v3`/`x86-64-v4`) when the
/// binary runs where it is built (measured above: Rosenbrock 2.2x faster at `N` = 16).
pub const DEFAULT_CHUNK: usize = 16;

/// The value and the gradient of `f` at `x`, with one `Dual` evaluation per input.
///
/// `f` is typically a function written once, generic over its scalar, and passed by name:
///
/// ```
/// use nabla_dual::gradient;
/// use num_traits::Float;
///
/// fn rosenbrock<S: Float>(x: &[S]) -> S {
///     let (one, hundred) = (S::one(), S::from(100.0).unwrap());
///     x.windows(2)
///         .map(|w| hundred * (w[1] - w[0] * w[0]).powi(2) + (one - w[0]).powi(2))
///         .fold(S::zero(), |a, b| a + b)
/// }
///
/// let (value, grad) = gradient(rosenbrock, &[0.5, 2.0]);
/// assert_eq!(value, 306.5);
/// assert_eq!(grad, vec![-351.0, 350.0]);
/// ```
///
/// For many inputs prefer [`gradient_chunked`], which needs `N` times fewer passes.
pub fn gradient<T: Real>(f: impl Fn(&[Dual<T>]) -> Dual<T>, x: &[T]) -> (T, Vec<T>) {
    gradient_by_passes("gradient", f, x)
}

/// The value and the gradient of `f` at `x`, with one `DualVec<T, N>` evaluation per chunk
/// of `N` inputs: `ceil(n / N)` passes.
///
/// The input buffer is allocated once and reused by every pass. Choose `N` with a turbofish;
/// [`DEFAULT_CHUNK`] (16) is the measured all-rounder (see its documentation for the
/// figures behind it and for when another `N` wins).
///
/// ```
/// use nabla_dual::gradient_chunked;
///
/// // sum of i * x_i^2, gradient 2 i x_i
/// fn f<S: num_traits::Float>(x: &[S]) -> S {
///     x.iter().enumerate().fold(S::zero(), |acc, (i, &v)| acc + S::from(i).unwrap() * v * v)
/// }
///
/// let x: Vec<f64> = (0..20).map(|i| i as f64 / 10.0).collect();
/// let (_, grad) = gradient_chunked::<8, _>(f, &x);
/// assert_eq!(grad[19], 2.0 * 19.0 * 1.9);
/// ```
///
/// # Panics
///
/// If `N` is 0.
pub fn gradient_chunked<const N: usize, T: Real>(
    f: impl Fn(&[DualVec<T, N>]) -> DualVec<T, N>,
    x: &[T],
) -> (T, Vec<T>) {
    gradient_by_passes("gradient_chunked", f, x)
}

/// [`gradient`] and [`gradient_chunked`]: the value of the first pass and every pass's lanes.
fn gradient_by_passes<T: Real, E: Lanes<T>>(
    driver: &str,
    f: impl Fn(&[DualNumber<T, E>]) -> DualNumber<T, E>,
    x: &[T],
) -> (T, Vec<T>) {
    let mut grad = Vec::with_capacity(x.len());
    let mut value = T::zero();
    for_each_pass(driver, x, f, |start, width, y| {
        if start == 0 {
            value = y.re();
        }
        let part = y.tangent();
        grad.extend((0..width).map(|k| part.lane(k)));
    });
    (value, grad)
}

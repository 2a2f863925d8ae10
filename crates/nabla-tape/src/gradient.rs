//! Derivatives and gradients of scalar functions: one recording and one reverse sweep.

use crate::recording::Recording;
use crate::scalar::Scalar;
use crate::var::Var;

/// The value and the derivative of `f` at `x`: one recording, one sweep.
///
/// ```
/// use nabla_tape::derivative;
/// let (y, dy) = derivative(|x| x.sin() * x, 2.0_f64);
/// assert_eq!(y, 2.0_f64.sin() * 2.0);
/// assert_eq!(dy, 2.0_f64.cos() * 2.0 + 2.0_f64.sin());
/// ```
pub fn derivative<T: Scalar>(f: impl FnOnce(Var<T>) -> Var<T>, x: T) -> (T, T) {
    let rec = Recording::new();
    let v = rec.var(x);
    let y = f(v);
    let d = rec.gradient(y, &[v]);
    (y.value(), d[0])
}

/// The value and the gradient of `f` at `x`: one forward recording and one reverse sweep,
/// whatever the number of inputs.
///
/// `f` is typically a function written once, generic over its scalar, and passed by name:
///
/// ```
/// use nabla_tape::gradient;
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
/// # Panics
///
/// If `f` returns a `Var` of another recording, or uses one (see the crate documentation on
/// nesting).
pub fn gradient<T: Scalar>(f: impl FnOnce(&[Var<T>]) -> Var<T>, x: &[T]) -> (T, Vec<T>) {
    let rec = Recording::new();
    let vars = rec.vars(x);
    let y = f(&vars);
    let grad = rec.gradient(y, &vars);
    (y.value(), grad)
}

/// The values `y = f(x)` and the vector-Jacobian product `vᵀ J` (one entry per input), by one
/// recording and one sweep seeded with `v`: the gradient of `Σᵢ vᵢ yᵢ`.
///
/// ```
/// use nabla_tape::vjp;
/// // (x0 x1, x0 + x1): J = [[x1, x0], [1, 1]]
/// let (y, vj) = vjp(|x| vec![x[0] * x[1], x[0] + x[1]], &[2.0, 3.0], &[1.0, 10.0]);
/// assert_eq!(y, vec![6.0, 5.0]);
/// assert_eq!(vj, vec![3.0 + 10.0, 2.0 + 10.0]);
/// ```
///
/// # Panics
///
/// If `v` does not have one entry per output of `f`, or as [`gradient`].
pub fn vjp<T: Scalar>(
    f: impl FnOnce(&[Var<T>]) -> Vec<Var<T>>,
    x: &[T],
    v: &[T],
) -> (Vec<T>, Vec<T>) {
    let rec = Recording::new();
    let vars = rec.vars(x);
    let y = f(&vars);
    assert_eq!(
        y.len(),
        v.len(),
        "vjp: f returned {} outputs but v has {} entries",
        y.len(),
        v.len()
    );
    let seeds: Vec<(Var<T>, T)> = y.iter().copied().zip(v.iter().copied()).collect();
    let product = rec.adjoints(&seeds, &vars);
    (y.iter().map(Var::value).collect(), product)
}

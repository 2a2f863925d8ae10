//! Second order, exactly: forward over reverse. The tape records nabla-dual's `Dual<T>`, so
//! each local partial carries its own directional derivative, and one reverse sweep in dual
//! arithmetic returns the gradient together with a Hessian-vector product.

use nabla_dual::Dual;
use nabla_rules::Primitive;
use nalgebra::DMatrix;

use crate::recording::Recording;
use crate::scalar::Scalar;
use crate::var::Var;

/// The value, the gradient and the Hessian-vector product `H v` of `f` at `x`, exactly, by
/// one recording and one sweep on `Var<Dual<T>>` (forward over reverse).
///
/// Forward over reverse rather than reverse over forward: the inputs are dual numbers
/// `xᵢ + vᵢ ε`, so the recorded values and partials carry their derivative along `v`, and
/// the reverse sweep, done in dual arithmetic, yields `∇f + ε H v`. That needs nothing but
/// this crate's tape over nabla-dual's numbers as they are, costs a small multiple of one
/// gradient (every product in the sweep is a dual product), and keeps one tape type. Reverse
/// over forward would need a dual number whose parts are `Var`s, a second kind of nesting.
///
/// ```
/// use nabla_tape::hessian_vector_product;
/// // f = x0² x1 + x1³: H = [[2 x1, 2 x0], [2 x0, 6 x1]]
/// let f = |x: &[nabla_tape::Var<nabla_dual::Dual64>]| x[0] * x[0] * x[1] + x[1].powi(3);
/// let (value, grad, hv) = hessian_vector_product(f, &[1.0, 2.0], &[1.0, 0.0]);
/// assert_eq!(value, 10.0);
/// assert_eq!(grad, vec![4.0, 13.0]);
/// assert_eq!(hv, vec![4.0, 2.0]);
/// ```
///
/// # Panics
///
/// If `v` and `x` differ in length, or as [`gradient`](crate::gradient).
#[cfg_attr(docsrs, doc(cfg(feature = "dual")))]
pub fn hessian_vector_product<T>(
    f: impl FnOnce(&[Var<Dual<T>>]) -> Var<Dual<T>>,
    x: &[T],
    v: &[T],
) -> (T, Vec<T>, Vec<T>)
where
    T: Scalar + Primitive,
    Dual<T>: Scalar,
{
    assert_eq!(
        x.len(),
        v.len(),
        "hessian_vector_product: x has {} entries but v has {}",
        x.len(),
        v.len()
    );
    let rec = Recording::<Dual<T>>::new();
    let vars: Vec<Var<Dual<T>>> = x
        .iter()
        .zip(v)
        .map(|(&xi, &vi)| rec.var(Dual::new(xi, vi)))
        .collect();
    let y = f(&vars);
    let adjoints = rec.gradient(y, &vars);
    (
        y.value().re(),
        adjoints.iter().map(Dual::re).collect(),
        adjoints.iter().map(Dual::eps).collect(),
    )
}

/// The value, the first and the second derivative of `f` at `x`, exactly: forward over
/// reverse in one variable (one recording on `Var<Dual<T>>` seeded with `x + ε`, one sweep),
/// the counterpart of nabla-dual's `second_derivative`.
///
/// ```
/// use nabla_tape::second_derivative;
/// let (value, d1, d2) = second_derivative(|x| x.powi(3), 2.0);
/// assert_eq!((value, d1, d2), (8.0, 12.0, 12.0));
/// ```
///
/// # Panics
///
/// As [`gradient`](crate::gradient).
pub fn second_derivative<T>(f: impl FnOnce(Var<Dual<T>>) -> Var<Dual<T>>, x: T) -> (T, T, T)
where
    T: Scalar + Primitive,
    Dual<T>: Scalar,
{
    let (value, grad, hv) = hessian_vector_product(|v| f(v[0]), &[x], &[T::one()]);
    (value, grad[0], hv[0])
}

/// The value, the gradient and the Hessian of `f` at `x`, exactly: one
/// [`hessian_vector_product`] per input (column `j` is `H eⱼ`), so `n` recordings of `f`.
/// The Hessian is symmetric to rounding; it is returned as computed.
///
/// ```
/// use nabla_tape::hessian;
/// let f = |x: &[nabla_tape::Var<nabla_dual::Dual64>]| x[0] * x[0] * x[1] + x[1].powi(3);
/// let (_, _, h) = hessian(f, &[1.0, 2.0]);
/// assert_eq!(h, nalgebra::dmatrix![4.0, 2.0; 2.0, 12.0]);
/// ```
///
/// # Panics
///
/// As [`gradient`](crate::gradient).
#[cfg_attr(docsrs, doc(cfg(feature = "dual")))]
pub fn hessian<T>(f: impl Fn(&[Var<Dual<T>>]) -> Var<Dual<T>>, x: &[T]) -> (T, Vec<T>, DMatrix<T>)
where
    T: Scalar + Primitive,
    Dual<T>: Scalar,
{
    let n = x.len();
    let mut h = DMatrix::zeros(n, n);
    let mut direction = vec![T::zero(); n];
    let mut value_and_grad = None;
    for j in 0..n {
        direction[j] = T::one();
        let (value, grad, column) = hessian_vector_product(&f, x, &direction);
        direction[j] = T::zero();
        h.column_mut(j).copy_from_slice(&column);
        value_and_grad.get_or_insert((value, grad));
    }
    let (value, grad) = value_and_grad.unwrap_or_else(|| {
        let (value, grad, _) = hessian_vector_product(&f, x, &direction);
        (value, grad)
    });
    (value, grad, h)
}

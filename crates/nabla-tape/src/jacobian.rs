//! Jacobians of vector-valued functions: one recording, one reverse sweep per output.

use nalgebra::DMatrix;

use crate::recording::Recording;
use crate::scalar::Scalar;
use crate::var::Var;

/// The value `f(x)` and the Jacobian `J[(i, j)] = ∂fᵢ/∂xⱼ` (outputs × inputs): `f` is
/// recorded once and swept backwards once per output, so this is the mode of choice when
/// there are fewer outputs than inputs (forward mode, nabla-dual's `jacobian`, when there are
/// more).
///
/// ```
/// use nabla_tape::jacobian;
/// // polar to Cartesian: (r cos t, r sin t)
/// let (value, jac) = jacobian(|x| vec![x[0] * x[1].cos(), x[0] * x[1].sin()], &[2.0, 0.0]);
/// assert_eq!(value, vec![2.0, 0.0]);
/// assert_eq!(jac[(0, 0)], 1.0);
/// assert_eq!(jac[(1, 1)], 2.0);
/// ```
///
/// # Panics
///
/// If `f` returns or uses a `Var` of another recording.
pub fn jacobian<T: Scalar>(
    f: impl FnOnce(&[Var<T>]) -> Vec<Var<T>>,
    x: &[T],
) -> (Vec<T>, DMatrix<T>) {
    let rec = Recording::new();
    let vars = rec.vars(x);
    let y = f(&vars);
    let mut jac = DMatrix::zeros(y.len(), x.len());
    let mut row = Vec::with_capacity(x.len());
    for (i, yi) in y.iter().enumerate() {
        rec.adjoints_into(&[(*yi, T::one())], &vars, &mut row);
        for (j, &d) in row.iter().enumerate() {
            jac[(i, j)] = d;
        }
    }
    (y.iter().map(Var::value).collect(), jac)
}

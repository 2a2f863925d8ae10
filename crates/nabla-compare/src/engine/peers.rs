//! The peer crates' drivers (feature `peers`): finitediff's central differences and
//! num-dual's dual numbers, run and counted as nabla's own methods are.

use super::{Derivative, Failure, Raw, Value};
use crate::function::Number;
use num_dual::{Derivative as Partials, Dual64, DualNum, DualSVec64};

/// Partials per num-dual pass: the chunk of `dual_vec8`, so that the two compare number
/// types, not chunk sizes.
const CHUNK: usize = 8;

/// finitediff 0.2's central-difference gradient. It takes `&Vec<f64>` and a function
/// returning `anyhow::Result`.
#[allow(clippy::ptr_arg)]
pub(super) fn finitediff_gradient(
    g: &dyn Fn(&[f64]) -> f64,
    x: &Vec<f64>,
) -> Result<Vec<f64>, Failure> {
    let f = |p: &Vec<f64>| Ok(g(p));
    finitediff::vec::central_diff(&f)(x).map_err(|e| format!("finitediff_central: {e}"))
}

/// finitediff 0.2's central-difference Jacobian, row-major.
#[allow(clippy::ptr_arg)]
pub(super) fn finitediff_jacobian(
    g: &dyn Fn(&[f64]) -> Vec<f64>,
    x: &Vec<f64>,
) -> Result<Vec<f64>, Failure> {
    let f = |p: &Vec<f64>| Ok(g(p));
    let rows =
        finitediff::vec::central_jacobian(&f)(x).map_err(|e| format!("finitediff_central: {e}"))?;
    // One Vec per output: the rows.
    Ok(rows.concat())
}

/// Seeds inputs `start..end` of `input` in the lanes of a `DualSVec64<8>` pass.
fn seed(input: &mut [DualSVec64<CHUNK>], start: usize, end: usize) {
    for (k, slot) in input[start..end].iter_mut().enumerate() {
        *slot = DualSVec64::from_re(slot.re).derivative(k);
    }
}

fn unseed(input: &mut [DualSVec64<CHUNK>]) {
    for slot in input {
        slot.eps = Partials::none();
    }
}

/// The partials of `y` for inputs `0..width` of a pass.
fn lanes(y: &DualSVec64<CHUNK>, width: usize) -> impl Iterator<Item = f64> + '_ {
    let eps = y.eps.0.unwrap_or_else(nalgebra::SVector::zeros);
    (0..width).map(move |k| eps[k])
}

/// The gradient by chunks of 8 partials on num-dual's `DualSVec64<8>`: the passes of
/// nabla-dual's `gradient_chunked::<8, _>` on the peer's number type. num-dual's own
/// `gradient` wants an `SVector` of static length or the heap-allocated, non-`Copy`
/// `DualDVec64`, so this driver gives it the same chunking as ours.
pub(super) fn num_dual_gradient(
    f: impl Fn(&[DualSVec64<CHUNK>]) -> DualSVec64<CHUNK>,
    x: &[f64],
) -> Result<Raw, Failure> {
    let mut input: Vec<DualSVec64<CHUNK>> = x.iter().map(|&v| DualSVec64::from_re(v)).collect();
    let mut grad = Vec::with_capacity(x.len());
    let mut value = f64::NAN;
    for start in (0..x.len().max(1)).step_by(CHUNK) {
        let end = (start + CHUNK).min(x.len());
        seed(&mut input, start, end);
        let y = f(&input);
        unseed(&mut input[start..end]);
        value = y.re;
        grad.extend(lanes(&y, end - start));
    }
    Ok(Raw::new(Value::One(value), Derivative::Flat(grad)))
}

/// The Jacobian by the same chunked passes, row-major.
pub(super) fn num_dual_jacobian(
    f: impl Fn(&[DualSVec64<CHUNK>]) -> Vec<DualSVec64<CHUNK>>,
    x: &[f64],
) -> Result<Raw, Failure> {
    let n = x.len();
    let mut input: Vec<DualSVec64<CHUNK>> = x.iter().map(|&v| DualSVec64::from_re(v)).collect();
    let mut jac = Vec::new();
    let mut value = Vec::new();
    for start in (0..n.max(1)).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        seed(&mut input, start, end);
        let y = f(&input);
        unseed(&mut input[start..end]);
        if jac.is_empty() {
            jac = vec![0.0; y.len() * n];
            value = y.iter().map(|v| v.re).collect();
        }
        for (i, yi) in y.iter().enumerate() {
            for (k, d) in lanes(yi, end - start).enumerate() {
                jac[i * n + start + k] = d;
            }
        }
    }
    Ok(Raw::new(Value::Many(value), Derivative::Flat(jac)))
}

/// num-dual's `first_derivative` on its `Dual64`.
pub(super) fn num_dual_derivative(f: impl Fn(Dual64) -> Dual64, x: f64) -> Result<Raw, Failure> {
    let (v, d) = num_dual::first_derivative(f, x);
    Ok(Raw::new(Value::One(v), Derivative::One(d)))
}

// Every number type the engine evaluates in must be a `Number`.
const _: () = {
    fn scalar<S: Number + DualNum>() {}
    let _ = scalar::<Dual64>;
    let _ = scalar::<DualSVec64<CHUNK>>;
};

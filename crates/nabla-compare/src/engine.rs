//! Running one method on one function: the calls into nabla-numdiff, nabla-dual, nabla-tape
//! (and the peer crates), written once per shape of function.
//!
//! [`Problem::run`] is what is timed, by [`Compare::run`](crate::Compare::run) and by the
//! criterion helper alike, so that both measure the same code: it calls the crate's driver
//! and returns what the driver returns, nothing more (conversions happen after the clock
//! stops, in [`Raw::flatten`]).

use std::cell::Cell;

use nabla_dual::{Dual64, DualVec64};
use nabla_numdiff::{Options, Richardson, Scheme};
use nabla_tape::Var64;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::function::{Function, Number, ScalarFunction, VectorFunction};
use crate::method::Method;

/// What a function maps to what, and so which derivative a comparison computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `R -> R` ([`ScalarFunction`]): the derivative.
    Derivative,
    /// `R^n -> R` ([`Function`]): the gradient.
    Gradient,
    /// `R^n -> R^m` ([`VectorFunction`]): the Jacobian, outputs x inputs, row by row.
    Jacobian,
}

/// The markers that tell the three function traits apart in [`AnyFunction`]'s parameter.
/// Never named by a caller: the compiler infers them.
pub mod marker {
    /// A [`Function`](crate::Function).
    #[derive(Debug)]
    pub enum Gradient {}
    /// A [`ScalarFunction`](crate::ScalarFunction).
    #[derive(Debug)]
    pub enum Derivative {}
    /// A [`VectorFunction`](crate::VectorFunction).
    #[derive(Debug)]
    pub enum Jacobian {}
}

/// Anything a comparison, a benchmark or a check accepts: every [`Function`],
/// [`ScalarFunction`] and [`VectorFunction`] (the marker `M` is inferred). Sealed.
pub trait AnyFunction<M>: private::Problem<M> {}

impl<M, F: private::Problem<M> + ?Sized> AnyFunction<M> for F {}

/// A derivative as the driver returned it.
pub enum Derivative {
    One(f64),
    Flat(Vec<f64>),
    /// Outputs x inputs, column-major (nalgebra's layout).
    Matrix(DMatrix<f64>),
}

/// The value as the driver returned it (if it returns one).
pub enum Value {
    None,
    One(f64),
    Many(Vec<f64>),
}

/// What one call of a method returned.
pub struct Raw {
    pub value: Value,
    pub derivative: Derivative,
    /// The method's own error estimate, element by element (Richardson).
    pub estimate: Option<Derivative>,
}

impl Raw {
    fn new(value: Value, derivative: Derivative) -> Self {
        Raw {
            value,
            derivative,
            estimate: None,
        }
    }

    /// The value (empty when the method does not compute it), the derivative and the
    /// estimate, row-major.
    pub(crate) fn flatten(self) -> (Vec<f64>, Vec<f64>, Option<Vec<f64>>) {
        let value = match self.value {
            Value::None => Vec::new(),
            Value::One(v) => vec![v],
            Value::Many(v) => v,
        };
        (
            value,
            self.derivative.flatten(),
            self.estimate.map(Derivative::flatten),
        )
    }
}

impl Derivative {
    fn flatten(self) -> Vec<f64> {
        match self {
            Derivative::One(d) => vec![d],
            Derivative::Flat(d) => d,
            Derivative::Matrix(m) => m.transpose().as_slice().to_vec(),
        }
    }
}

/// Why a method gave no derivative (a finite difference left the function's domain, a
/// driver refused).
pub(crate) type Failure = String;

/// How much a method did for one derivative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cost {
    /// Evaluations of the function: in `f64` (finite differences), in dual numbers (one per
    /// forward-mode pass) or on the tape (one recording); 0 for the analytic derivative.
    pub evaluations: usize,
    /// Partial derivatives each forward-mode pass carries (0 for the other methods).
    pub width: usize,
    /// Reverse sweeps over the tape (one per output; reverse mode only).
    pub sweeps: usize,
    /// Operations recorded on the tape (reverse mode only).
    pub tape_entries: usize,
    /// Memory the method holds besides its result, in bytes: the copied point (finite
    /// differences), the seeded input of a pass (forward mode), the tape as reserved after
    /// the call (reverse mode); `None` where it is not known (the analytic derivative).
    pub bytes: Option<usize>,
}

pub(crate) mod private {
    use super::*;

    /// What the engine needs of a function, implemented once per shape.
    pub trait Problem<M> {
        /// The shape.
        const SHAPE: Shape;

        /// The name in reports.
        fn label(&self) -> String;

        /// The values at `x` in any scalar (one for `R^n -> R`).
        fn values<S: Number>(&self, x: &[S]) -> Vec<S>;

        /// Whether `method` applies to this shape at all.
        fn applies(method: Method) -> bool;

        /// Whether the function has an analytic derivative at `x`.
        fn has_analytic(&self, x: &[f64]) -> bool;

        /// One call of `method` at `x`: the timed code. `x` is a `Vec` because finitediff's
        /// API takes `&Vec<f64>`; everything else sees a slice.
        #[allow(clippy::ptr_arg)]
        fn run(&self, method: Method, x: &Vec<f64>) -> Result<Raw, Failure>;

        /// Evaluations of `f` in `f64` by a finite-difference method at `x`, counted.
        #[allow(clippy::ptr_arg)]
        fn count(&self, method: Method, x: &Vec<f64>) -> usize;
    }
}

use private::Problem;

/// The step rule of each nabla-numdiff scheme.
fn scheme(method: Method) -> Scheme {
    match method {
        Method::ForwardFd => Scheme::Forward,
        Method::FivePointFd => Scheme::FivePoint,
        _ => Scheme::Central,
    }
}

fn failed(method: Method, e: impl std::fmt::Display) -> Failure {
    format!("{method}: {e}")
}

// ---- R^n -> R -------------------------------------------------------------------------

/// A finite-difference gradient through `g`, the function in `f64` (plain or counting).
#[allow(clippy::ptr_arg)]
fn fd_gradient(method: Method, g: impl Fn(&[f64]) -> f64, x: &Vec<f64>) -> Result<Raw, Failure> {
    match method {
        Method::Richardson => {
            let mut p = x.clone();
            let est = nabla_numdiff::richardson_gradient(
                &mut p[..],
                |p: &[f64]| g(p),
                Richardson::default(),
            )
            .map_err(|e| failed(method, e))?;
            Ok(Raw {
                value: Value::None,
                derivative: Derivative::Flat(est.gradient),
                estimate: Some(Derivative::Flat(est.error)),
            })
        }
        Method::FinitediffCentral => {
            peers::finitediff_gradient(&g, x).map(|d| Raw::new(Value::None, Derivative::Flat(d)))
        }
        _ => {
            let mut p = x.clone();
            nabla_numdiff::gradient(&mut p[..], |p: &[f64]| g(p), Options::auto(scheme(method)))
                .map(|d| Raw::new(Value::None, Derivative::Flat(d)))
                .map_err(|e| failed(method, e))
        }
    }
}

impl<F: Function + ?Sized> Problem<marker::Gradient> for F {
    const SHAPE: Shape = Shape::Gradient;

    fn label(&self) -> String {
        self.name()
    }

    fn values<S: Number>(&self, x: &[S]) -> Vec<S> {
        vec![self.eval(x)]
    }

    fn applies(_: Method) -> bool {
        true
    }

    fn has_analytic(&self, x: &[f64]) -> bool {
        self.gradient(x).is_some()
    }

    #[inline]
    fn run(&self, method: Method, x: &Vec<f64>) -> Result<Raw, Failure> {
        let gradient = |(v, d): (f64, Vec<f64>)| Ok(Raw::new(Value::One(v), Derivative::Flat(d)));
        match method {
            Method::Dual => gradient(nabla_dual::gradient(|v: &[Dual64]| self.eval(v), x)),
            Method::DualVec8 => gradient(nabla_dual::gradient_chunked::<8, _>(
                |v: &[DualVec64<8>]| self.eval(v),
                x,
            )),
            Method::DualVec16 => gradient(nabla_dual::gradient_chunked::<16, _>(
                |v: &[DualVec64<16>]| self.eval(v),
                x,
            )),
            Method::DualVec32 => gradient(nabla_dual::gradient_chunked::<32, _>(
                |v: &[DualVec64<32>]| self.eval(v),
                x,
            )),
            Method::Reverse => gradient(nabla_tape::gradient(|v: &[Var64]| self.eval(v), x)),
            Method::Analytic => self
                .gradient(x)
                .map(|d| Raw::new(Value::None, Derivative::Flat(d)))
                .ok_or_else(|| failed(method, "the function has no analytic gradient")),
            Method::NumDual => peers::num_dual_gradient(|v| self.eval(v), x),
            _ => fd_gradient(method, |p: &[f64]| self.eval(p), x),
        }
    }

    fn count(&self, method: Method, x: &Vec<f64>) -> usize {
        let n = Cell::new(0);
        let counted = |p: &[f64]| {
            n.set(n.get() + 1);
            self.eval(p)
        };
        let _ = fd_gradient(method, counted, x);
        n.get()
    }
}

// ---- R -> R -----------------------------------------------------------------------------

/// A finite-difference derivative through `g`, the function in `f64`.
fn fd_derivative(method: Method, g: impl Fn(f64) -> f64, x: f64) -> Result<Raw, Failure> {
    match method {
        Method::Richardson => {
            let est = nabla_numdiff::richardson(&g, x, Richardson::default())
                .map_err(|e| failed(method, e))?;
            Ok(Raw {
                value: Value::None,
                derivative: Derivative::One(est.value),
                estimate: Some(Derivative::One(est.error)),
            })
        }
        Method::FinitediffCentral => peers::finitediff_gradient(&|p: &[f64]| g(p[0]), &vec![x])
            .map(|d| Raw::new(Value::None, Derivative::One(d[0]))),
        _ => nabla_numdiff::derivative(&g, x, Options::auto(scheme(method)))
            .map(|d| Raw::new(Value::None, Derivative::One(d)))
            .map_err(|e| failed(method, e)),
    }
}

/// The one coordinate of a point of a function of one variable.
///
/// # Panics
///
/// If the point does not have exactly one coordinate.
fn only(x: &[f64]) -> f64 {
    assert_eq!(
        x.len(),
        1,
        "a function of one variable takes a point of one coordinate, got {}",
        x.len()
    );
    x[0]
}

impl<F: ScalarFunction + ?Sized> Problem<marker::Derivative> for F {
    const SHAPE: Shape = Shape::Derivative;

    fn label(&self) -> String {
        self.name()
    }

    fn values<S: Number>(&self, x: &[S]) -> Vec<S> {
        vec![self.eval(x[0])]
    }

    fn applies(method: Method) -> bool {
        // One input: a chunk of several partials has nothing to carry.
        !matches!(
            method,
            Method::DualVec8 | Method::DualVec16 | Method::DualVec32
        )
    }

    fn has_analytic(&self, x: &[f64]) -> bool {
        self.derivative(only(x)).is_some()
    }

    #[inline]
    fn run(&self, method: Method, x: &Vec<f64>) -> Result<Raw, Failure> {
        let x0 = only(x);
        let derivative = |(v, d): (f64, f64)| Ok(Raw::new(Value::One(v), Derivative::One(d)));
        match method {
            Method::Dual => derivative(nabla_dual::derivative(|v: Dual64| self.eval(v), x0)),
            Method::Reverse => derivative(nabla_tape::derivative(|v: Var64| self.eval(v), x0)),
            Method::Analytic => self
                .derivative(x0)
                .map(|d| Raw::new(Value::None, Derivative::One(d)))
                .ok_or_else(|| failed(method, "the function has no analytic derivative")),
            Method::NumDual => peers::num_dual_derivative(|v| self.eval(v), x0),
            Method::DualVec8 | Method::DualVec16 | Method::DualVec32 => {
                Err(failed(method, "a function of one variable has no chunks"))
            }
            _ => fd_derivative(method, |v| self.eval(v), x0),
        }
    }

    fn count(&self, method: Method, x: &Vec<f64>) -> usize {
        let n = Cell::new(0);
        let counted = |v: f64| {
            n.set(n.get() + 1);
            self.eval(v)
        };
        let _ = fd_derivative(method, counted, only(x));
        n.get()
    }
}

// ---- R^n -> R^m -------------------------------------------------------------------------

/// A finite-difference Jacobian through `g`, the function in `f64` with `m` outputs.
#[allow(clippy::ptr_arg)]
fn fd_jacobian(
    method: Method,
    g: impl Fn(&[f64]) -> Vec<f64>,
    m: usize,
    x: &Vec<f64>,
) -> Result<Raw, Failure> {
    let into = |p: &[f64], out: &mut [f64]| {
        let y = g(p);
        assert_eq!(
            y.len(),
            out.len(),
            "the function returned {} values at one point and {} at another",
            out.len(),
            y.len()
        );
        out.copy_from_slice(&y);
    };
    match method {
        Method::Richardson => {
            let mut p = x.clone();
            let est =
                nabla_numdiff::richardson_jacobian(&mut p[..], m, into, Richardson::default())
                    .map_err(|e| failed(method, e))?;
            Ok(Raw {
                value: Value::None,
                derivative: Derivative::Matrix(est.jacobian),
                estimate: Some(Derivative::Matrix(est.error)),
            })
        }
        Method::FinitediffCentral => {
            peers::finitediff_jacobian(&g, x).map(|d| Raw::new(Value::None, Derivative::Flat(d)))
        }
        _ => {
            let mut p = x.clone();
            nabla_numdiff::jacobian(&mut p[..], m, into, Options::auto(scheme(method)))
                .map(|d| Raw::new(Value::None, Derivative::Matrix(d)))
                .map_err(|e| failed(method, e))
        }
    }
}

impl<F: VectorFunction + ?Sized> Problem<marker::Jacobian> for F {
    const SHAPE: Shape = Shape::Jacobian;

    fn label(&self) -> String {
        self.name()
    }

    fn values<S: Number>(&self, x: &[S]) -> Vec<S> {
        self.eval(x)
    }

    fn applies(_: Method) -> bool {
        true
    }

    fn has_analytic(&self, x: &[f64]) -> bool {
        self.jacobian(x).is_some()
    }

    #[inline]
    fn run(&self, method: Method, x: &Vec<f64>) -> Result<Raw, Failure> {
        let jacobian =
            |(v, d): (Vec<f64>, DMatrix<f64>)| Ok(Raw::new(Value::Many(v), Derivative::Matrix(d)));
        match method {
            Method::Dual => jacobian(nabla_dual::jacobian(|v: &[Dual64]| self.eval(v), x)),
            Method::DualVec8 => jacobian(nabla_dual::jacobian_chunked::<8, _>(
                |v: &[DualVec64<8>]| self.eval(v),
                x,
            )),
            Method::DualVec16 => jacobian(nabla_dual::jacobian_chunked::<16, _>(
                |v: &[DualVec64<16>]| self.eval(v),
                x,
            )),
            Method::DualVec32 => jacobian(nabla_dual::jacobian_chunked::<32, _>(
                |v: &[DualVec64<32>]| self.eval(v),
                x,
            )),
            Method::Reverse => jacobian(nabla_tape::jacobian(|v: &[Var64]| self.eval(v), x)),
            Method::Analytic => self
                .jacobian(x)
                .map(|d| Raw::new(Value::None, Derivative::Matrix(d)))
                .ok_or_else(|| failed(method, "the function has no analytic Jacobian")),
            Method::NumDual => peers::num_dual_jacobian(|v| self.eval(v), x),
            _ => fd_jacobian(method, |p: &[f64]| self.eval(p), self.eval(&x[..]).len(), x),
        }
    }

    fn count(&self, method: Method, x: &Vec<f64>) -> usize {
        let m = self.eval(&x[..]).len();
        let n = Cell::new(0);
        let counted = |p: &[f64]| {
            n.set(n.get() + 1);
            self.eval(p)
        };
        let _ = fd_jacobian(method, counted, m, x);
        n.get()
    }
}

/// The peer crates' drivers (`engine/peers.rs`); without the `peers` feature each says it
/// needs it.
#[cfg(feature = "peers")]
mod peers;

#[cfg(not(feature = "peers"))]
mod peers {
    use super::{Failure, Raw};

    const OFF: &str = "the peer crates need the feature `peers` of nabla-compare";

    #[allow(clippy::ptr_arg)]
    pub(super) fn finitediff_gradient(
        _: &dyn Fn(&[f64]) -> f64,
        _: &Vec<f64>,
    ) -> Result<Vec<f64>, Failure> {
        Err(format!("finitediff_central: {OFF}"))
    }

    #[allow(clippy::ptr_arg)]
    pub(super) fn finitediff_jacobian(
        _: &dyn Fn(&[f64]) -> Vec<f64>,
        _: &Vec<f64>,
    ) -> Result<Vec<f64>, Failure> {
        Err(format!("finitediff_central: {OFF}"))
    }

    pub(super) fn num_dual_gradient(_: impl Fn(&[f64]) -> f64, _: &[f64]) -> Result<Raw, Failure> {
        Err(format!("num_dual: {OFF}"))
    }

    pub(super) fn num_dual_jacobian(
        _: impl Fn(&[f64]) -> Vec<f64>,
        _: &[f64],
    ) -> Result<Raw, Failure> {
        Err(format!("num_dual: {OFF}"))
    }

    pub(super) fn num_dual_derivative(_: impl Fn(f64) -> f64, _: f64) -> Result<Raw, Failure> {
        Err(format!("num_dual: {OFF}"))
    }
}

//! The comparison: every method on one function at one point, timed, checked against the
//! exact methods' consensus.

use std::hint::black_box;
use std::time::Duration;

use crate::engine::private::Problem;
use crate::engine::{AnyFunction, Cost, Shape};
use crate::method::Method;
use crate::report::{Report, Row};
use crate::timing::measure;

/// The settings of a comparison, a benchmark group or a property check; [`run`](Compare::run),
/// [`bench`][c-bench] (feature `criterion`) and [`check`][c-check] (feature `proptest`)
/// use them.
///
/// ```
/// use std::time::Duration;
/// use nabla_compare::{Compare, Function, Method, Number};
///
/// struct Sphere;
/// impl Function for Sphere {
///     fn eval<S: Number>(&self, x: &[S]) -> S {
///         x.iter().fold(S::zero(), |acc, &v| acc + v * v)
///     }
/// }
///
/// let report = Compare::new()
///     .methods(&[Method::CentralFd, Method::Dual, Method::Reverse])
///     .tolerance(1e-12)
///     .time(Duration::from_millis(20))
///     .run(&Sphere, &[1.0, -2.0, 3.0]);
/// assert_eq!(report.reference, [2.0, -4.0, 6.0]);
/// assert!(report.exact_agree());
/// // Central differences are within 1e-9 here, not within 1e-12.
/// assert!(matches!(report.fastest, Some(Method::Dual | Method::Reverse)));
/// ```
// The links to the methods behind features resolve to them when the feature is on.
#[cfg_attr(feature = "criterion", doc = "\n[c-bench]: Compare::bench")]
#[cfg_attr(not(feature = "criterion"), doc = "\n[c-bench]: Compare")]
#[cfg_attr(feature = "proptest", doc = "\n[c-check]: Compare::check")]
#[cfg_attr(not(feature = "proptest"), doc = "\n[c-check]: Compare")]
#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    pub(crate) methods: Vec<Method>,
    pub(crate) tolerance: f64,
    pub(crate) exact_tolerance: f64,
    pub(crate) exact_absolute: f64,
    pub(crate) time: Duration,
}

impl Default for Compare {
    fn default() -> Self {
        Compare::new()
    }
}

impl Compare {
    /// The default methods ([`Method::defaults`]), a tolerance of `1e-6` for the fastest
    /// method, exact methods agreeing to `1e-10` relative, a quarter of a second per method.
    pub fn new() -> Self {
        Compare {
            methods: Method::defaults(),
            tolerance: 1e-6,
            exact_tolerance: 1e-10,
            exact_absolute: 0.0,
            time: Duration::from_millis(250),
        }
    }

    /// Runs these methods, in this order (those that do not apply to the function's shape,
    /// or `analytic` for a function without one, are left out).
    #[must_use]
    pub fn methods(mut self, methods: &[Method]) -> Self {
        self.methods = methods.to_vec();
        self
    }

    /// The error (normwise relative) within which a method counts for
    /// [`Report::fastest`].
    #[must_use]
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// How closely the exact methods must agree with their consensus: every element within
    /// `relative max_j |r_j| + absolute` of the median `r` (the default is `1e-10` and 0).
    ///
    /// The absolute part is for functions whose gradient is near 0 only because its terms
    /// cancel exactly, such as a saturated softmax: two correct evaluations in a different
    /// order agree to a few `eps` of the terms, which may be far larger than the result.
    /// ([`check_at`](Compare::check_at) also estimates the terms' size from `f`'s rounding
    /// noise, where the noise shows them.)
    #[must_use]
    pub fn exact_tolerance(mut self, relative: f64, absolute: f64) -> Self {
        self.exact_tolerance = relative;
        self.exact_absolute = absolute;
        self
    }

    /// The time budget for timing one method (more when a single call takes longer: at
    /// least three samples are taken; see [`Timing`](crate::outcome::Timing)). `Duration::ZERO`
    /// times nothing: the report has errors and costs only, and no fastest method.
    #[must_use]
    pub fn time(mut self, per_method: Duration) -> Self {
        self.time = per_method;
        self
    }

    /// The methods that apply to `f` at `x`, in the order given.
    pub(crate) fn methods_for<M, F: Problem<M> + ?Sized>(&self, f: &F, x: &[f64]) -> Vec<Method> {
        let mut seen = Vec::new();
        for &m in &self.methods {
            let available = !m.is_peer() || cfg!(feature = "peers");
            if F::applies(m)
                && available
                && !seen.contains(&m)
                && (m != Method::Analytic || f.has_analytic(x))
            {
                seen.push(m);
            }
        }
        seen
    }

    /// Every method on `f` at `x`: derivative, error, time and cost, in one [`Report`].
    ///
    /// A method that cannot differentiate `f` at `x` (a finite difference that leaves its
    /// domain) is a row with its [`failure`](Row::failure). If no exact method is among the
    /// methods, the reference is computed by `Dual64` passes, untimed.
    ///
    /// # Panics
    ///
    /// If `f` panics, or if `f` is a [`ScalarFunction`](crate::ScalarFunction) and `x` does
    /// not have exactly one element.
    pub fn run<M, F: AnyFunction<M> + ?Sized>(&self, f: &F, x: &[f64]) -> Report {
        let point = x.to_vec();
        let value = f.values(x);
        let (mut rows, estimates): (Vec<Row>, Vec<Option<Vec<f64>>>) = self
            .methods_for(f, x)
            .into_iter()
            .map(|method| self.row(f, method, &point))
            .unzip();
        let (reference, reference_methods) = reference(f, &rows, &point);
        for (row, estimate) in rows.iter_mut().zip(estimates) {
            score(row, estimate, &reference);
        }
        let fastest = rows
            .iter()
            .filter(|r| r.error.is_some_and(|e| e <= self.tolerance))
            .filter_map(|r| Some((r.method, r.time?.median)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(m, _)| m);
        Report {
            function: f.label(),
            shape: F::SHAPE,
            inputs: x.len(),
            outputs: value.len(),
            value,
            reference,
            reference_methods,
            exact_tolerance: self.exact_tolerance,
            exact_absolute: self.exact_absolute,
            tolerance: self.tolerance,
            fastest,
            rows,
        }
    }

    /// One method: its result, its timing and its cost (unscored), and its own error
    /// estimate element by element, if it makes one.
    #[allow(clippy::ptr_arg)]
    fn row<M, F: Problem<M> + ?Sized>(
        &self,
        f: &F,
        method: Method,
        x: &Vec<f64>,
    ) -> (Row, Option<Vec<f64>>) {
        if method == Method::Reverse {
            // Measure this function's tape, not the largest one this thread ever held.
            nabla_tape::release_tape::<f64>();
        }
        let mut row = Row {
            method,
            value: Vec::new(),
            derivative: Vec::new(),
            error: None,
            worst: None,
            estimate: None,
            time: None,
            cost: Cost::default(),
            failure: None,
        };
        let mut estimate = None;
        match f.run(method, x) {
            Err(why) => row.failure = Some(why),
            Ok(raw) => {
                (row.value, row.derivative, estimate) = raw.flatten();
                if !self.time.is_zero() {
                    row.time = Some(measure(self.time, || {
                        let _ = black_box(f.run(method, black_box(x)));
                    }));
                }
                row.cost = cost(f, method, x, row.derivative.len());
            }
        }
        (row, estimate)
    }
}

/// Every method with the default settings: `Compare::new().run(f, x)`.
///
/// ```
/// use nabla_compare::{compare, Function, Method, Number};
///
/// struct Sphere;
/// impl Function for Sphere {
///     fn eval<S: Number>(&self, x: &[S]) -> S {
///         x.iter().fold(S::zero(), |acc, &v| acc + v * v)
///     }
/// }
///
/// let report = compare(&Sphere, &[1.0, -2.0]);
/// assert!(report.row(Method::Reverse).is_some());
/// // Sphere has no hand-written gradient: no `analytic` row.
/// assert!(report.row(Method::Analytic).is_none());
/// ```
pub fn compare<M, F: AnyFunction<M> + ?Sized>(f: &F, x: &[f64]) -> Report {
    Compare::new().run(f, x)
}

/// What a method did, counted or known from its passes.
#[allow(clippy::ptr_arg)]
fn cost<M, F: Problem<M> + ?Sized>(
    f: &F,
    method: Method,
    x: &Vec<f64>,
    derivatives: usize,
) -> Cost {
    let n = x.len();
    let outputs = derivatives.checked_div(n).unwrap_or(1);
    let f64s = |k: usize| Some(8 * k);
    match method {
        Method::Analytic => Cost::default(),
        Method::Reverse => {
            let rec = nabla_tape::Recording::<f64>::new();
            let vars = rec.vars(x);
            let _ = f.values(&vars);
            Cost {
                evaluations: 1,
                sweeps: outputs,
                tape_entries: rec.len(),
                bytes: Some(nabla_tape::tape_reserved_bytes::<f64>()),
                ..Cost::default()
            }
        }
        m if m.chunk() > 0 => {
            let width = if F::SHAPE == Shape::Derivative {
                1
            } else {
                m.chunk()
            };
            Cost {
                evaluations: n.div_ceil(width).max(1),
                width,
                bytes: f64s(n * (width + 1)),
                ..Cost::default()
            }
        }
        _ => Cost {
            evaluations: f.count(method, x),
            bytes: f64s(n),
            ..Cost::default()
        },
    }
}

/// The element-wise median of the exact methods' derivatives, and which they were; `Dual64`
/// passes, untimed, when none ran.
fn reference<M, F: Problem<M> + ?Sized>(
    f: &F,
    rows: &[Row],
    x: &Vec<f64>,
) -> (Vec<f64>, Vec<Method>) {
    let exact: Vec<&Row> = rows
        .iter()
        .filter(|r| r.method.is_exact() && r.failure.is_none())
        .collect();
    if exact.is_empty() {
        let d = f
            .run(Method::Dual, x)
            .map(|raw| raw.flatten().1)
            .unwrap_or_default();
        return (d, Vec::new());
    }
    let derivatives: Vec<&[f64]> = exact.iter().map(|r| r.derivative.as_slice()).collect();
    (
        median(&derivatives),
        exact.iter().map(|r| r.method).collect(),
    )
}

/// The element-wise median of derivatives of the same length (at least one).
pub(crate) fn median(derivatives: &[&[f64]]) -> Vec<f64> {
    (0..derivatives[0].len())
        .map(|i| {
            let mut v: Vec<f64> = derivatives.iter().map(|d| d[i]).collect();
            v.sort_by(f64::total_cmp);
            let k = v.len();
            if k % 2 == 1 {
                v[k / 2]
            } else {
                0.5 * (v[k / 2 - 1] + v[k / 2])
            }
        })
        .collect()
}

/// `max_i |d_i - r_i| / max_i |r_i|` (absolute when `r` is 0) and the `i` of the largest
/// `|d_i - r_i|`.
pub(crate) fn normwise(d: &[f64], r: &[f64]) -> (f64, usize) {
    let mut worst = (0.0f64, 0usize);
    for (i, (a, b)) in d.iter().zip(r).enumerate() {
        let e = (a - b).abs();
        // A NaN error is the worst there is.
        if e > worst.0 || (e.is_nan() && !worst.0.is_nan()) {
            worst = (e, i);
        }
    }
    (worst.0 / scale(r), worst.1)
}

/// Fills in a row's error against the reference, and its own estimate on the same scale.
fn score(row: &mut Row, estimate: Option<Vec<f64>>, reference: &[f64]) {
    if row.failure.is_some() || row.derivative.len() != reference.len() {
        return;
    }
    let (error, worst) = normwise(&row.derivative, reference);
    row.error = Some(error);
    row.worst = (!reference.is_empty()).then_some(worst);
    row.estimate = estimate.map(|e| normwise(&e, &vec![0.0; e.len()]).0 / scale(reference));
}

/// `max_i |r_i|`, or 1 when that is 0: what a normwise relative error divides by.
fn scale(r: &[f64]) -> f64 {
    let size = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if size > 0.0 { size } else { 1.0 }
}

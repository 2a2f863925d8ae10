//! What a comparison found: one row per method, printed as an aligned table.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{Cost, Shape};
use crate::method::Method;
use crate::timing::{Timing, human};

/// Every method's derivative of one function at one point, its error, its time and its cost.
///
/// The error of a method is normwise relative to the **reference**, the element-wise median
/// of the exact methods' derivatives (dual numbers, reverse mode, the analytic derivative):
/// `max_i |d_i - r_i| / max_i |r_i|` (absolute where the reference is 0). The exact methods
/// must agree with each other, every element within
/// `exact_tolerance max_i |r_i| + exact_absolute` of the reference; where one
/// does not, [`exact_agree`](Report::exact_agree) is false and the table says which and
/// where. [`fastest`](Report::fastest) is the fastest method whose error is within
/// [`tolerance`](Report::tolerance).
///
/// `Display` prints the table; serde gives the same as JSON (times in seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The function's name.
    pub function: String,
    /// Derivative, gradient or Jacobian.
    pub shape: Shape,
    /// The number of inputs `n`.
    pub inputs: usize,
    /// The number of outputs `m` (1 but for a Jacobian).
    pub outputs: usize,
    /// `f(x)` in `f64`.
    pub value: Vec<f64>,
    /// The reference derivative (row-major, `m x n`).
    pub reference: Vec<f64>,
    /// The exact methods the reference is the median of.
    pub reference_methods: Vec<Method>,
    /// How closely the exact methods must agree, relative to the largest element of the
    /// reference.
    pub exact_tolerance: f64,
    /// How closely the exact methods must agree, in absolute terms, besides.
    pub exact_absolute: f64,
    /// The error within which a method counts for [`fastest`](Report::fastest).
    pub tolerance: f64,
    /// The fastest method within [`tolerance`](Report::tolerance), if any.
    pub fastest: Option<Method>,
    /// One row per method, in the order they ran.
    pub rows: Vec<Row>,
}

/// One method's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The method.
    pub method: Method,
    /// The value `f(x)` the method computed on the way (empty if it computes none).
    pub value: Vec<f64>,
    /// The derivative (row-major, `m x n`); empty when the method failed.
    pub derivative: Vec<f64>,
    /// The error against the reference, normwise relative (see [`Report`]).
    pub error: Option<f64>,
    /// The index of the element with the largest absolute error.
    pub worst: Option<usize>,
    /// The method's own error estimate (Richardson), normwise relative like `error`.
    pub estimate: Option<f64>,
    /// Time per call.
    pub time: Option<Timing>,
    /// Evaluations, passes, sweeps, memory.
    pub cost: Cost,
    /// Why the method gave no derivative, if it did not.
    pub failure: Option<String>,
}

impl Report {
    /// Whether every exact method agrees with the reference within
    /// [`exact_tolerance`](Report::exact_tolerance) (and none failed).
    pub fn exact_agree(&self) -> bool {
        self.disagreeing().next().is_none()
    }

    /// The row of `method`, if it ran.
    pub fn row(&self, method: Method) -> Option<&Row> {
        self.rows.iter().find(|r| r.method == method)
    }

    /// The exact methods that failed or disagree with the reference.
    fn disagreeing(&self) -> impl Iterator<Item = &Row> {
        let size = self.reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        // `error` is relative to `size`, or absolute when the reference is 0.
        let scale = if size > 0.0 { size } else { 1.0 };
        let allowed = self.exact_tolerance * size + self.exact_absolute;
        self.rows.iter().filter(move |r| {
            r.method.is_exact() && r.error.is_none_or(|e| e.is_nan() || e * scale > allowed)
        })
    }

    /// The index `i` or `(row, column)` of a flat element.
    fn element(&self, k: usize) -> String {
        match self.shape {
            Shape::Jacobian => format!("({}, {})", k / self.inputs.max(1), k % self.inputs.max(1)),
            _ => format!("{k}"),
        }
    }
}

/// `max_i |r_i|`, or 1 when that is 0: what a normwise error is relative to.
fn scale(r: &[f64]) -> f64 {
    let size = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if size > 0.0 { size } else { 1.0 }
}

/// `1.5e-7`, and `0` for an exact zero.
fn sci(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v:.1e}")
    }
}

/// Seven significant digits, in positional notation for magnitudes from `1e-4` to `1e7`.
fn num(v: f64) -> String {
    let size = v.abs();
    if (1e-4..1e7).contains(&size) {
        let decimals = (6 - size.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    } else if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v:.6e}")
    }
}

/// `1234` as `1.23 kB`.
fn bytes(b: usize) -> String {
    if b < 1000 {
        format!("{b} B")
    } else if b < 1_000_000 {
        format!("{:.1} kB", b as f64 / 1e3)
    } else {
        format!("{:.1} MB", b as f64 / 1e6)
    }
}

impl Row {
    fn cost_text(&self) -> String {
        let c = &self.cost;
        match self.method {
            Method::Analytic => "1 call".to_string(),
            Method::Reverse => format!(
                "1 recording, {} sweep{}, {} ops",
                c.sweeps,
                if c.sweeps == 1 { "" } else { "s" },
                c.tape_entries
            ),
            m if m.chunk() > 0 => format!(
                "{} pass{} x {}",
                c.evaluations,
                if c.evaluations == 1 { "" } else { "es" },
                c.width
            ),
            _ => format!("{} evaluations", c.evaluations),
        }
    }
}

/// The table's columns.
const HEADER: [&str; 9] = [
    "method",
    "derivative[0]",
    "error",
    "worst",
    "estimate",
    "time/call",
    "spread",
    "cost",
    "memory",
];

impl Report {
    /// The first lines: the function, its shape and value, and what the reference is.
    fn write_heading(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape = match self.shape {
            Shape::Derivative => "derivative".to_string(),
            Shape::Gradient => format!("gradient, n = {}", self.inputs),
            Shape::Jacobian => format!("Jacobian, {} x {}", self.outputs, self.inputs),
        };
        let value = match self.value.as_slice() {
            [v] => num(*v),
            v => format!("{} values", v.len()),
        };
        writeln!(f, "{} ({shape}): f(x) = {value}", self.function)?;
        let names: Vec<&str> = self.reference_methods.iter().map(|m| m.id()).collect();
        writeln!(
            f,
            "reference: the element-wise median of {}",
            if names.is_empty() {
                "nothing (no exact method ran)".to_string()
            } else {
                names.join(", ")
            }
        )
    }

    /// The cells of `r`'s line in the table, in the order of [`HEADER`].
    fn cells(&self, r: &Row) -> [String; 9] {
        let first = match r.derivative.as_slice() {
            [] => "-".to_string(),
            [d] => num(*d),
            [d, ..] => format!("{} ...", num(*d)),
        };
        let (time, spread) = r.time.map_or(("-".into(), "-".into()), |t| {
            (human(t.median), format!("{:.1}%", 100.0 * t.spread()))
        });
        [
            r.method.id().to_string(),
            first,
            r.error.map_or("-".into(), sci),
            match (r.worst, r.error) {
                (Some(k), Some(e)) if e != 0.0 => self.element(k),
                _ => "-".into(),
            },
            r.estimate.map_or("-".into(), sci),
            time,
            spread,
            if r.failure.is_some() {
                "failed".into()
            } else {
                r.cost_text()
            },
            r.cost.bytes.map_or("-".into(), bytes),
        ]
    }

    /// The lines under the table: the failures, the exact methods that disagree, and the
    /// fastest method within the tolerance.
    fn write_verdict(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            if let Some(why) = &r.failure {
                writeln!(f, "{} failed: {why}", r.method)?;
            }
        }
        for r in self.disagreeing().filter(|r| r.failure.is_none()) {
            let (Some(k), Some(e)) = (r.worst, r.error) else {
                continue;
            };
            writeln!(
                f,
                "the exact methods DISAGREE: {} is off by {} (more than {}) at element {}: {:e} against the reference {:e}",
                r.method,
                sci(e),
                sci(self.exact_tolerance + self.exact_absolute / scale(&self.reference)),
                self.element(k),
                r.derivative[k],
                self.reference[k]
            )?;
        }
        match self.fastest.and_then(|m| self.row(m)) {
            Some(r) => writeln!(
                f,
                "fastest within {}: {} ({} per call)",
                sci(self.tolerance),
                r.method,
                r.time.map_or("-".into(), |t| human(t.median))
            ),
            None if self.rows.iter().all(|r| r.time.is_none()) => writeln!(f, "(not timed)"),
            None => writeln!(
                f,
                "no method is within {} of the reference",
                sci(self.tolerance)
            ),
        }
    }
}

/// Writes [`HEADER`] and `cells` as aligned columns.
fn write_table(f: &mut fmt::Formatter<'_>, cells: &[[String; 9]]) -> fmt::Result {
    let mut widths = HEADER.map(str::len);
    for row in cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |f: &mut fmt::Formatter<'_>, row: [&str; 9]| -> fmt::Result {
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            // Text left, numbers right.
            let text = matches!(i, 0 | 7);
            let pad = w - c.chars().count();
            let sep = if i == 0 { "" } else { "  " };
            if text {
                write!(f, "{sep}{c}{}", " ".repeat(pad))?;
            } else {
                write!(f, "{sep}{}{c}", " ".repeat(pad))?;
            }
        }
        writeln!(f)
    };
    line(f, HEADER)?;
    for row in cells {
        line(f, row.each_ref().map(String::as_str))?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_heading(f)?;
        let cells: Vec<[String; 9]> = self.rows.iter().map(|r| self.cells(r)).collect();
        write_table(f, &cells)?;
        self.write_verdict(f)
    }
}

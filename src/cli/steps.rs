//! `nabla steps`: the error of finite differences against the step size h.
//!
//! For h on a logarithmic grid, the derivative of a known function is estimated by forward
//! and central differences (the book's fixed step, divided by the nominal h) and by Richardson
//! extrapolation started from h, in f64 and in f32, and compared with the exact derivative.
//! The table is printed and drawn on log-log axes: the V shape of truncation error (falling
//! with h) against rounding error (rising as h shrinks), the plateau at relative error 1 where
//! `x + h == x` (the book's `h = 1e-50`), and the best h of each scheme next to the theory's
//! prediction.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::plot::Figure;
use clap::ValueEnum;
use nabla::numdiff::{Options, Richardson, Scheme, Step, derivative, richardson};
use num_traits::Float;

use super::CliResult;
use chart::chart;

mod chart;

/// Arguments of `nabla steps`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The function to differentiate.
    #[arg(long, value_enum, default_value_t = Function::Exp, ignore_case = true)]
    function: Function,
    /// The point at which to differentiate (any number, `-inf` included, parses; the
    /// command then says whether the function can be differentiated there).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    at: f64,
    /// The smallest step h (default: the book's h = 1e-50, where x + h == x).
    #[arg(long, default_value = "1e-50", allow_negative_numbers = true)]
    min: f64,
    /// The largest step h.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    max: f64,
    /// Grid points per decade of h.
    #[arg(long, default_value_t = 4)]
    per_decade: u32,
    /// Where to save the log-log chart (PNG).
    #[arg(long, default_value = "steps.png")]
    out: PathBuf,
}

/// Appends one formatted line to a `String`.
macro_rules! say {
    ($buf:expr) => {
        $buf.push('\n')
    };
    ($buf:expr, $($arg:tt)*) => {{
        $buf.push_str(&format!($($arg)*));
        $buf.push('\n');
    }};
}

/// A test function with known derivatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Function {
    /// e^x
    Exp,
    /// sin x
    Sin,
    /// cos x
    Cos,
    /// the natural logarithm
    Ln,
    /// the square root
    Sqrt,
    /// x^3
    Cube,
    /// tanh x
    Tanh,
}

impl fmt::Display for Function {
    /// The name as typed after `--function`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.to_possible_value();
        f.write_str(value.as_ref().map_or("?", |v| v.get_name()))
    }
}

impl Function {
    fn eval<T: Float>(self, x: T) -> T {
        match self {
            Function::Exp => x.exp(),
            Function::Sin => x.sin(),
            Function::Cos => x.cos(),
            Function::Ln => x.ln(),
            Function::Sqrt => x.sqrt(),
            Function::Cube => x * x * x,
            Function::Tanh => x.tanh(),
        }
    }

    /// `d^k f / dx^k` at `x` for k = 0..=3, in f64.
    fn derivatives(self, x: f64) -> [f64; 4] {
        match self {
            Function::Exp => [x.exp(); 4],
            Function::Sin => [x.sin(), x.cos(), -x.sin(), -x.cos()],
            Function::Cos => [x.cos(), -x.sin(), -x.cos(), x.sin()],
            Function::Ln => [x.ln(), 1.0 / x, -1.0 / (x * x), 2.0 / (x * x * x)],
            Function::Sqrt => {
                let s = x.sqrt();
                [s, 0.5 / s, -0.25 / (x * s), 0.375 / (x * x * s)]
            }
            Function::Cube => [x * x * x, 3.0 * x * x, 6.0 * x, 6.0],
            Function::Tanh => {
                let t = x.tanh();
                let s = 1.0 - t * t;
                [t, s, -2.0 * t * s, -2.0 * s * (1.0 - 3.0 * t * t)]
            }
        }
    }
}

/// The methods, in the order of a row's errors within one precision.
const METHODS: [&str; 3] = ["forward", "central", "Richardson"];

/// The precisions, in the order of a row's errors, with their machine epsilon.
const PRECISIONS: [(&str, f64); 2] = [("f64", f64::EPSILON), ("f32", f32::EPSILON as f64)];

/// One row of the table: h and the relative error of each method (NaN when the stencil left
/// the function's domain), f64's three then f32's.
struct Row {
    h: f64,
    errors: [f64; 6],
}

impl Row {
    /// The error of method `m` in precision `p` (indices into [`METHODS`], [`PRECISIONS`]).
    fn error(&self, p: usize, m: usize) -> f64 {
        self.errors[METHODS.len() * p + m]
    }
}

/// What `nabla steps` measured: the function, the point, its derivatives there and the table.
struct Study {
    function: Function,
    x: f64,
    /// `d^k f / dx^k` at x for k = 0..=3; `d[1]` is the exact derivative.
    d: [f64; 4],
    rows: Vec<Row>,
}

impl Study {
    fn exact(&self) -> f64 {
        self.d[1]
    }

    /// The smallest error of method `m` in precision `p` on the grid, with its h.
    fn best(&self, p: usize, m: usize) -> Option<(f64, f64)> {
        self.rows
            .iter()
            .map(|r| (r.h, r.error(p, m)))
            .filter(|(_, e)| !e.is_nan())
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// An error relative to the exact derivative, or absolute where that is 0.
fn relative(error: f64, exact: f64) -> f64 {
    if exact == 0.0 {
        error
    } else {
        error / exact.abs()
    }
}

/// The error of forward, central and Richardson at step h, in scalar type T.
fn errors<T: Float>(function: Function, x: f64, h: f64, exact: f64) -> [f64; 3] {
    let (Some(xt), Some(ht)) = (T::from(x), T::from(h)) else {
        return [f64::NAN; 3];
    };
    let f = |v: T| function.eval(v);
    let rel = |d: Option<T>| {
        d.and_then(|d| d.to_f64())
            .map_or(f64::NAN, |d| relative((d - exact).abs(), exact))
    };
    let forward = derivative(f, xt, Options::fixed(Scheme::Forward, ht)).ok();
    let central = derivative(f, xt, Options::fixed(Scheme::Central, ht)).ok();
    // A step that is not finite and positive has no error to draw (NaN), as above.
    let extrapolated = Richardson::default()
        .with_initial_step(Step::Fixed(ht))
        .and_then(|settings| richardson(f, xt, settings))
        .ok()
        .map(|e| e.value);
    [rel(forward), rel(central), rel(extrapolated)]
}

/// The error model of forward (`central == false`) or central differences at step h in
/// precision `eps`: truncation `h/2 |f''|` or `h^2/6 |f'''|` plus rounding `2 eps |f| / h` or
/// `eps |f| / h`, relative to the exact derivative. `f` is the `|f|` of the rounding term: the
/// chart passes `|f(x)|`; [`theory`] keeps it above 0 so that its optimal steps stay finite.
fn model_error(d: [f64; 4], f: f64, eps: f64, h: f64, central: bool) -> f64 {
    let e = if central {
        h * h / 6.0 * d[3].abs() + eps * f / h
    } else {
        h / 2.0 * d[2].abs() + 2.0 * eps * f / h
    };
    relative(e, d[1])
}

/// The theory's best step and its error, `(h, error)`, for forward and central differences in
/// precision `eps`: the minimum of [`model_error`]. Falls back to the rules of thumb
/// `sqrt(eps) max(1, |x|)` and `cbrt(eps) max(1, |x|)` when the derivative in the truncation
/// term vanishes at x.
fn theory(d: [f64; 4], x: f64, eps: f64) -> [(f64, f64); 2] {
    let scale = x.abs().max(1.0);
    let f = d[0].abs().max(f64::MIN_POSITIVE);
    let forward_h = if d[2] == 0.0 {
        eps.sqrt() * scale
    } else {
        2.0 * (eps * f / d[2].abs()).sqrt()
    };
    let central_h = if d[3] == 0.0 {
        eps.cbrt() * scale
    } else {
        (3.0 * eps * f / d[3].abs()).cbrt()
    };
    [
        (forward_h, model_error(d, f, eps, forward_h, false)),
        (central_h, model_error(d, f, eps, central_h, true)),
    ]
}

/// Checks what clap cannot: finite, ordered steps and a point inside the function's domain.
fn validate(args: &Args) -> Result<(), String> {
    let function = args.function;
    if !args.at.is_finite() {
        return Err(format!("--at must be a finite number, got {:?}", args.at));
    }
    if !(args.min.is_finite() && args.min > 0.0) {
        return Err(format!(
            "--min must be a finite positive step, got {}",
            args.min
        ));
    }
    if !(args.max.is_finite() && args.max > 0.0) {
        return Err(format!(
            "--max must be a finite positive step, got {}",
            args.max
        ));
    }
    if args.min >= args.max {
        return Err(format!(
            "--min ({}) must be smaller than --max ({})",
            args.min, args.max
        ));
    }
    if !(1..=100).contains(&args.per_decade) {
        return Err(format!(
            "--per-decade must be between 1 and 100, got {}",
            args.per_decade
        ));
    }
    let d = function.derivatives(args.at);
    let value = function.eval(args.at);
    // `{:?}`: 1e308, not 309 digits.
    if value.is_infinite() && args.at.abs() > 1.0 {
        return Err(format!(
            "{function}({:?}) overflows: it is above the largest f64 ({:e}), so there is nothing \
             to differentiate; choose a smaller |--at|",
            args.at,
            f64::MAX
        ));
    }
    if !d[..2].iter().all(|v| v.is_finite()) || !value.is_finite() {
        return Err(format!(
            "{function} is not differentiable at {:?} (outside its domain)",
            args.at
        ));
    }
    Ok(())
}

fn grid(min: f64, max: f64, per_decade: u32) -> Vec<f64> {
    let (lo, hi) = (min.log10(), max.log10());
    let n = ((hi - lo) * f64::from(per_decade)).ceil() as usize;
    (0..=n)
        .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / n.max(1) as f64))
        .collect()
}

fn fmt_err(e: f64) -> String {
    if e.is_nan() {
        "n/a".to_string()
    } else {
        format!("{e:.2e}")
    }
}

/// Validates the arguments and measures every method at every step of the grid.
fn compute(args: &Args) -> Result<Study, String> {
    validate(args)?;
    let (function, x) = (args.function, args.at);
    let d = function.derivatives(x);
    let rows = grid(args.min, args.max, args.per_decade)
        .into_iter()
        .map(|h| {
            let a = errors::<f64>(function, x, h, d[1]);
            let b = errors::<f32>(function, x, h, d[1]);
            Row {
                h,
                errors: [a[0], a[1], a[2], b[0], b[1], b[2]],
            }
        })
        .collect();
    Ok(Study {
        function,
        x,
        d,
        rows,
    })
}

/// The table of errors against h.
fn table(study: &Study, text: &mut String) {
    let exact = study.exact();
    say!(
        text,
        "d/dx {}(x) at x = {}: exact {exact}. Relative error{} of each method against the step h",
        study.function,
        study.x,
        if exact == 0.0 {
            " (absolute: the derivative is 0)"
        } else {
            ""
        }
    );
    say!(
        text,
        "(fixed steps, divided by the nominal h; Richardson starts from h; n/a: no estimate, \
         the stencil left the domain or h underflows in f32)"
    );
    say!(
        text,
        "{:>10} | {:>10} {:>10} {:>10} | {:>10} {:>10} {:>10}",
        "h",
        "f64 fwd",
        "f64 cen",
        "f64 Rich",
        "f32 fwd",
        "f32 cen",
        "f32 Rich"
    );
    // A run of rows with the same errors (the plateau where x + h == x) is one row and a line
    // that says how far it goes.
    let cells = |r: &Row| -> Vec<String> { r.errors.iter().map(|&e| fmt_err(e)).collect() };
    let mut rows = study.rows.iter().peekable();
    while let Some(r) = rows.next() {
        let e = cells(r);
        say!(
            text,
            "{:>10.1e} | {:>10} {:>10} {:>10} | {:>10} {:>10} {:>10}",
            r.h,
            e[0],
            e[1],
            e[2],
            e[3],
            e[4],
            e[5]
        );
        let mut same = 0;
        let mut last = r.h;
        while let Some(next) = rows.next_if(|n| cells(n) == e) {
            same += 1;
            last = next.h;
        }
        if same > 0 {
            say!(
                text,
                "{:>10} | the same up to h = {last:.1e} ({same} more rows)",
                "..."
            );
        }
    }
}

/// The best h of each method, measured on the grid and predicted by [`theory`].
fn best_steps(study: &Study, text: &mut String) {
    say!(
        text,
        "best h per method (measured on the grid) and the theory's optimum:"
    );
    for (p, (label, eps)) in PRECISIONS.into_iter().enumerate() {
        let th = theory(study.d, study.x, eps);
        for (m, name) in METHODS.iter().enumerate() {
            let theory_text = match th.get(m) {
                Some((h, e)) => format!("theory h* = {h:.1e}, error {e:.1e}"),
                None => "no closed-form optimum".to_string(),
            };
            match study.best(p, m) {
                Some((h, e)) => say!(
                    text,
                    "  {label} {name:<10}: best h = {h:.1e}, error {}; {theory_text}",
                    fmt_err(e)
                ),
                None => say!(
                    text,
                    "  {label} {name:<10}: no finite estimate on the grid; {theory_text}"
                ),
            }
        }
    }
}

/// The directory and the file name of `--out`: the directory must exist (it is not created
/// for a chart).
fn out_parts(out: &Path) -> Result<(&Path, &str), String> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("--out {} must name a PNG file", out.display()))?;
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "could not write {}: the directory {} does not exist",
            out.display(),
            dir.display()
        ));
    }
    Ok((dir, name))
}

/// Runs `nabla steps`.
pub fn run(args: Args) -> CliResult {
    let study = compute(&args)?;
    // One output, written the way every command writes its set: locked, checked, staged and
    // renamed into place (removed if the command is interrupted).
    let (dir, name) = out_parts(&args.out)?;
    let mut outputs = super::open_outputs(dir, &[name])?;
    // Everything is written to `text` first and printed after the chart is saved, so that a
    // closed pipe (`nabla steps | head`) neither loses the chart nor panics.
    let mut text = String::new();
    table(&study, &mut text);
    say!(text);
    best_steps(&study, &mut text);
    // One above the other, wide: 50 decades of h, the left half the book's plateau.
    let figure = Figure::new()
        .columns(1)
        .panel_size(1400, 520)
        .chart(chart(&study, 0))
        .chart(chart(&study, 1));
    outputs.stage(name, |temp| figure.write_png(temp))?;
    outputs.commit()?;
    say!(text);
    say!(text, "chart saved to {}", args.out.display());
    out!("{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_function_and_bad_ranges_are_rejected() {
        let args = |function: &str, at: f64, min: f64, max: f64| Args {
            function: Function::from_str(function, true).unwrap(),
            at,
            min,
            max,
            per_decade: 4,
            out: PathBuf::from("unused.png"),
        };
        assert!(validate(&args("exp", 1.0, 1e-16, 1.0)).is_ok());
        // An unknown name never gets here: clap refuses it and lists the known ones.
        assert!(Function::from_str("erf", true).is_err());
        assert_eq!(Function::from_str("TANH", true), Ok(Function::Tanh));
        assert_eq!(Function::Cube.to_string(), "cube");
        assert!(
            validate(&args("exp", 1.0, 0.0, 1.0))
                .unwrap_err()
                .contains("--min")
        );
        assert!(
            validate(&args("exp", 1.0, -1e-3, 1.0))
                .unwrap_err()
                .contains("--min")
        );
        assert!(
            validate(&args("exp", 1.0, 1e-3, 1e-4))
                .unwrap_err()
                .contains("smaller")
        );
        assert!(
            validate(&args("exp", f64::NAN, 1e-3, 1.0))
                .unwrap_err()
                .contains("--at")
        );
        assert!(
            validate(&args("ln", -1.0, 1e-3, 1.0))
                .unwrap_err()
                .contains("domain")
        );
        // Overflow is said as such, with the point as typed rather than in 309 digits.
        let e = validate(&args("exp", 1e308, 1e-3, 1.0)).unwrap_err();
        assert!(e.starts_with("exp(1e308) overflows"), "{e}");
        let e = validate(&args("cube", -1e200, 1e-3, 1.0)).unwrap_err();
        assert!(e.starts_with("cube(-1e200) overflows"), "{e}");
        let e = validate(&args("exp", f64::NEG_INFINITY, 1e-3, 1.0)).unwrap_err();
        assert_eq!(e, "--at must be a finite number, got -inf");
        // ln(0) = -inf is the edge of the domain, not an overflow.
        let e = validate(&args("ln", 0.0, 1e-3, 1.0)).unwrap_err();
        assert!(e.contains("not differentiable at 0.0"), "{e}");
    }

    #[test]
    fn the_book_step_and_the_optimum_for_exp_at_1() {
        let e = 1f64.exp();
        // REFERENCE: central h = 1e-4 gives relative error 1.7e-9 in f64 and 3.2e-4 in f32.
        let a = errors::<f64>(Function::Exp, 1.0, 1e-4, e);
        assert!((1.5e-9..2.0e-9).contains(&a[1]), "{a:?}");
        let b = errors::<f32>(Function::Exp, 1.0, 1e-4, e);
        assert!((1e-4..1e-3).contains(&b[1]), "{b:?}");
        // h far below the ulp of x: x + h == x and the derivative is 0 (relative error 1).
        assert_eq!(errors::<f64>(Function::Exp, 1.0, 1e-20, e)[..2], [1.0, 1.0]);
        // Theory: central h* ~ cbrt(eps) for f64.
        let th = theory(Function::Exp.derivatives(1.0), 1.0, f64::EPSILON);
        assert!((4e-6..1e-5).contains(&th[1].0), "{th:?}");
        assert!((1e-8..1e-7).contains(&th[0].0), "{th:?}");
    }

    #[test]
    fn grid_spans_the_range() {
        let g = grid(1e-16, 1.0, 4);
        assert_eq!(g.len(), 65);
        assert!((g[0] - 1e-16).abs() < 1e-28 && (g[64] - 1.0).abs() < 1e-12);
    }
}

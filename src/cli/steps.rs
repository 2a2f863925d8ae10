//! `nabla steps`: the error of finite differences against the step size h.
//!
//! For h on a logarithmic grid, the derivative of a known function is estimated by forward
//! and central differences (the book's fixed step, divided by the nominal h) and by Richardson
//! extrapolation started from h, in f64 and in f32, and compared with the exact derivative.
//! The table is printed and drawn on log-log axes: the V shape of truncation error (falling
//! with h) against rounding error (rising as h shrinks), the plateau at relative error 1 where
//! `x + h == x` (the book's `h = 1e-50`), and the best h of each scheme next to the theory's
//! prediction.

use std::path::PathBuf;

use nabla::numdiff::{Options, Richardson, Scheme, Step, derivative, richardson};
use nabla::plot::{Corner, Figure, LineChart};
use num_traits::Float;

use super::CliResult;

/// Arguments of `nabla steps`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The function: exp, sin, cos, ln, sqrt, cube (x^3), tanh.
    #[arg(long, default_value = "exp")]
    function: String,
    /// The point at which to differentiate (any number, `-inf` included, parses; the
    /// command then says whether the function can be differentiated there).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    at: f64,
    /// The smallest step h.
    #[arg(long, default_value = "1e-20", allow_negative_numbers = true)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Exp,
    Sin,
    Cos,
    Ln,
    Sqrt,
    Cube,
    Tanh,
}

const FUNCTIONS: [(&str, Function); 7] = [
    ("exp", Function::Exp),
    ("sin", Function::Sin),
    ("cos", Function::Cos),
    ("ln", Function::Ln),
    ("sqrt", Function::Sqrt),
    ("cube", Function::Cube),
    ("tanh", Function::Tanh),
];

impl Function {
    fn parse(name: &str) -> Result<Self, String> {
        FUNCTIONS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, f)| f)
            .ok_or_else(|| {
                let known: Vec<&str> = FUNCTIONS.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown function {name:?}: expected one of {}",
                    known.join(", ")
                )
            })
    }

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

    /// `|d^k f / dx^k|` at `x` for k = 0..=3, in f64.
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

/// One row of the table: h and the relative error of each method (NaN when the stencil left
/// the function's domain).
struct Row {
    h: f64,
    errors: [f64; 6],
}

const METHODS: [&str; 3] = ["forward", "central", "Richardson"];

/// The error of forward, central and Richardson at step h, in scalar type T.
fn errors<T: Float>(function: Function, x: f64, h: f64, exact: f64) -> [f64; 3] {
    let (Some(xt), Some(ht)) = (T::from(x), T::from(h)) else {
        return [f64::NAN; 3];
    };
    let f = |v: T| function.eval(v);
    let rel = |d: Option<T>| {
        d.and_then(|d| d.to_f64()).map_or(f64::NAN, |d| {
            if exact == 0.0 {
                (d - exact).abs()
            } else {
                ((d - exact) / exact).abs()
            }
        })
    };
    let forward = derivative(f, xt, Options::fixed(Scheme::Forward, ht)).ok();
    let central = derivative(f, xt, Options::fixed(Scheme::Central, ht)).ok();
    let extrapolated = richardson(
        f,
        xt,
        Richardson {
            initial_step: Step::Fixed(ht),
            ..Richardson::default()
        },
    )
    .ok()
    .map(|e| e.value);
    [rel(forward), rel(central), rel(extrapolated)]
}

/// The theory's best step and error for forward and central differences in precision `eps`:
/// minimise `h/2 |f''| + 2 eps |f| / h` and `h^2/6 |f'''| + eps |f| / h`. Falls back to the
/// rules of thumb `sqrt(eps) max(1, |x|)` and `cbrt(eps) max(1, |x|)` when the derivative in
/// the truncation term vanishes at x.
fn theory(d: [f64; 4], x: f64, eps: f64) -> [(f64, f64); 2] {
    let scale = x.abs().max(1.0);
    let f = d[0].abs().max(f64::MIN_POSITIVE);
    let rel = |e: f64| if d[1] == 0.0 { e } else { e / d[1].abs() };
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
        (
            forward_h,
            rel(forward_h / 2.0 * d[2].abs() + 2.0 * eps * f / forward_h),
        ),
        (
            central_h,
            rel(central_h * central_h / 6.0 * d[3].abs() + eps * f / central_h),
        ),
    ]
}

fn validate(args: &Args) -> Result<Function, String> {
    let function = Function::parse(&args.function)?;
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
            "{}({:?}) overflows: it is above the largest f64 ({:e}), so there is nothing to \
             differentiate; choose a smaller |--at|",
            args.function,
            args.at,
            f64::MAX
        ));
    }
    if !d[..2].iter().all(|v| v.is_finite()) || !value.is_finite() {
        return Err(format!(
            "{} is not differentiable at {:?} (outside its domain)",
            args.function, args.at
        ));
    }
    Ok(function)
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

/// Runs `nabla steps`.
pub fn run(args: Args) -> CliResult {
    let function = validate(&args)?;
    let x = args.at;
    let d = function.derivatives(x);
    let exact = d[1];
    let rows: Vec<Row> = grid(args.min, args.max, args.per_decade)
        .into_iter()
        .map(|h| {
            let a = errors::<f64>(function, x, h, exact);
            let b = errors::<f32>(function, x, h, exact);
            Row {
                h,
                errors: [a[0], a[1], a[2], b[0], b[1], b[2]],
            }
        })
        .collect();

    // Everything is written to `text` first and printed after the chart is saved, so that a
    // closed pipe (`nabla steps | head`) neither loses the chart nor panics.
    let mut text = String::new();
    say!(
        text,
        "d/dx {}(x) at x = {x}: exact {exact}. Relative error{} of each method against the step h",
        args.function,
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
    for r in &rows {
        let e: Vec<String> = r.errors.iter().map(|&e| fmt_err(e)).collect();
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
    }

    say!(text);
    say!(
        text,
        "best h per method (measured on the grid) and the theory's optimum:"
    );
    let mut charts = Vec::new();
    for (p, (label, eps)) in [("f64", f64::EPSILON), ("f32", f64::from(f32::EPSILON))]
        .into_iter()
        .enumerate()
    {
        let th = theory(d, x, eps);
        let mut best_points = Vec::new();
        for (m, name) in METHODS.iter().enumerate() {
            let best = rows
                .iter()
                .map(|r| (r.h, r.errors[3 * p + m]))
                .filter(|(_, e)| !e.is_nan())
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let theory_text = match th.get(m) {
                Some((h, e)) => format!("theory h* = {h:.1e}, error {e:.1e}"),
                None => "no closed-form optimum".to_string(),
            };
            match best {
                Some((h, e)) => {
                    say!(
                        text,
                        "  {label} {name:<10}: best h = {h:.1e}, error {}; {theory_text}",
                        fmt_err(e)
                    );
                    best_points.extend([(h, e), (f64::NAN, f64::NAN)]);
                }
                None => {
                    say!(
                        text,
                        "  {label} {name:<10}: no finite estimate on the grid; {theory_text}"
                    )
                }
            }
        }
        let series = |m: usize| -> Vec<(f64, f64)> {
            rows.iter().map(|r| (r.h, r.errors[3 * p + m])).collect()
        };
        // The theory curves: the error model itself, over the grid.
        let model = |central: bool| -> Vec<(f64, f64)> {
            let f = d[0].abs();
            rows.iter()
                .map(|r| {
                    let h = r.h;
                    let e = if central {
                        h * h / 6.0 * d[3].abs() + eps * f / h
                    } else {
                        h / 2.0 * d[2].abs() + 2.0 * eps * f / h
                    };
                    let e = if exact == 0.0 { e } else { e / exact.abs() };
                    // Above 1 the model says nothing useful (the estimate is noise or 0);
                    // leaving it out keeps the axis on the measured errors.
                    (h, if e <= 1.0 { e } else { f64::NAN })
                })
                .collect()
        };
        let optimum: Vec<(f64, f64)> = th
            .iter()
            .flat_map(|&(h, e)| [(h, e), (f64::NAN, f64::NAN)])
            .collect();
        charts.push(
            LineChart::new(format!("d/dx {}(x) at x = {x}, {label}", args.function))
                .x_label("step h")
                .y_label(if exact == 0.0 {
                    "absolute error"
                } else {
                    "relative error"
                })
                .log_x(true)
                .log_y(true)
                .legend(Corner::LowerLeft)
                .series("forward", &series(0))
                .series("central", &series(1))
                .series("Richardson (from h)", &series(2))
                .series("theory: forward", &model(false))
                .series("theory: central", &model(true))
                .series("best h, measured", &best_points)
                .series("best h, theory", &optimum),
        );
    }
    Figure::new()
        .columns(2)
        .chart(charts.remove(0))
        .chart(charts.remove(0))
        .save_png(&args.out)?;
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
            function: function.to_string(),
            at,
            min,
            max,
            per_decade: 4,
            out: PathBuf::from("unused.png"),
        };
        assert!(validate(&args("exp", 1.0, 1e-16, 1.0)).is_ok());
        let e = validate(&args("erf", 1.0, 1e-16, 1.0)).unwrap_err();
        assert!(
            e.contains("unknown function \"erf\"") && e.contains("exp"),
            "{e}"
        );
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

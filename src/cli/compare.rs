//! `nabla compare`: every way to differentiate the built-in functions, side by side.
//!
//! For each chosen function and size, nabla-compare's report: every method's derivative, its
//! error against the exact methods' consensus, its time per call (repeated until stable),
//! evaluations, passes and memory, and the fastest method within a tolerance. The tables go
//! to the terminal as they are ready; `compare.json` holds every report, and
//! `gradient_cost.png` draws time and error against `n`, one colour per method, the peer
//! crates dashed.

use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use nabla::compare::{Compare, Method, Report};
use nabla::functions::{
    BookFunction1, BookFunction2, NetworkLoss, Rosenbrock, SoftmaxCrossEntropy, point,
};
use nabla::net::InstructionSet;
use nabla::output::{check_replaceable, write_atomically};

use super::CliResult;
use crate::plot::{Corner, Figure, LineChart};

/// Arguments of `nabla compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The functions: Rosenbrock's, softmax-cross-entropy of one row of logits (label n/3),
    /// the chapter's two (one and two variables, whatever the sizes) and the two-layer
    /// network's loss in its parameters (16 inputs, 4 classes, a batch of 16; the hidden
    /// size that comes nearest to n parameters).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "rosenbrock,softmax-cross-entropy,chapter,network"
    )]
    functions: Vec<Builtin>,
    /// The numbers of inputs n (comma-separated). The methods that take one pass or two
    /// evaluations per input cost O(n^2): n = 10000 takes minutes.
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000", value_parser = size)]
    sizes: Vec<usize>,
    /// The methods (comma-separated ids), by default every one that applies.
    #[arg(long, value_delimiter = ',', value_parser = method)]
    methods: Option<Vec<Method>>,
    /// Seconds of timing per method and size (0: errors and costs only, no timing).
    #[arg(long, default_value_t = 0.25, value_parser = seconds)]
    time: f64,
    /// The error (relative to the largest element of the derivative) within which a method
    /// counts for "fastest".
    #[arg(long, default_value_t = 1e-6, value_parser = super::train::positive_real)]
    tolerance: f64,
    /// Directory for compare.json and gradient_cost.png.
    #[arg(long, default_value = "compare")]
    out: PathBuf,
}

/// A function of `nabla compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Builtin {
    /// Rosenbrock's function, points in [-2, 2]^n.
    Rosenbrock,
    /// Softmax-cross-entropy of one row of n logits in [-5, 5], label n/3.
    SoftmaxCrossEntropy,
    /// The chapter's 0.01 x^2 + 0.1 x at 5 and x0^2 + x1^2 at (3, 4).
    Chapter,
    /// The two-layer network's loss in its parameters.
    Network,
}

/// A size: a whole number from 1 to 100000.
fn size(s: &str) -> Result<usize, String> {
    let n = super::train::positive_count(s)?;
    if n > 100_000 {
        return Err(format!("must be at most 100000, got {n}"));
    }
    Ok(n)
}

/// A method id.
fn method(s: &str) -> Result<Method, String> {
    s.trim().parse::<Method>().map_err(|e| e.to_string())
}

/// Seconds: a finite number from 0 to an hour.
fn seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if (0.0..=3600.0).contains(&t) => Ok(t),
        Ok(t) => Err(format!("must be between 0 and 3600 seconds, got {t:?}")),
        Err(_) => Err(format!("expected a number of seconds, got {s:?}")),
    }
}

/// The file names written in `--out`.
const JSON: &str = "compare.json";
const PICTURE: &str = "gradient_cost.png";

/// Runs `nabla compare`.
pub fn run(args: Args) -> CliResult {
    // A misspelt NABLA_SIMD is an error here; the library would quietly take the baseline
    // (the network's hand-written gradient runs on the engine).
    InstructionSet::from_env()?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create --out {}: {e}", args.out.display()))?;
    let (json, picture) = (args.out.join(JSON), args.out.join(PICTURE));
    // Before minutes of timing: a path that cannot be written is refused now.
    check_replaceable(&json)?;
    check_replaceable(&picture)?;

    let mut settings = Compare::new()
        .tolerance(args.tolerance)
        .time(Duration::from_secs_f64(args.time));
    if let Some(methods) = &args.methods {
        settings = settings.methods(methods);
    }
    let mut reports = Vec::new();
    for function in dedup(&args.functions) {
        for report in compare(function, &args.sizes, &settings) {
            outln!("{report}")?;
            reports.push(report);
        }
    }

    let text = serde_json::to_string_pretty(&reports)?;
    // The picture first: if it cannot be drawn, nothing is written.
    let drawn = draw(&reports, &picture)?;
    write_atomically(&json, text.as_bytes())?;
    outln!("wrote {}", json.display())?;
    if drawn {
        outln!("wrote {}", picture.display())?;
    } else {
        outln!(
            "no picture: time and error against n need a function of n (not only the chapter's)"
        )?;
    }
    Ok(())
}

/// The functions in the order given, each once.
fn dedup(functions: &[Builtin]) -> Vec<Builtin> {
    let mut seen = Vec::new();
    for &f in functions {
        if !seen.contains(&f) {
            seen.push(f);
        }
    }
    seen
}

/// The reports of one built-in function at every size (the chapter's at their own points).
fn compare(function: Builtin, sizes: &[usize], settings: &Compare) -> Vec<Report> {
    let at = |n: usize, what: &str| {
        // Progress on standard error: a size can take a while.
        eprintln!("comparing {what}, n = {n} ...");
    };
    match function {
        Builtin::Rosenbrock => sizes
            .iter()
            .map(|&n| {
                at(n, "rosenbrock");
                settings.run(&Rosenbrock, &point(n, 2.0, 0))
            })
            .collect(),
        Builtin::SoftmaxCrossEntropy => sizes
            .iter()
            .map(|&n| {
                at(n, "softmax_cross_entropy");
                settings.run(&SoftmaxCrossEntropy, &point(n, 5.0, 0))
            })
            .collect(),
        Builtin::Chapter => vec![
            settings.run(&BookFunction1, &[5.0]),
            settings.run(&BookFunction2, &[3.0, 4.0]),
        ],
        Builtin::Network => sizes
            .iter()
            .map(|&n| {
                let f = NetworkLoss::with_parameters(n, 0);
                at(f.parameters().len(), "network_loss");
                settings.run(&f, f.parameters())
            })
            .collect(),
    }
}

/// Errors of exactly 0 are drawn here on the logarithmic axis.
const ZERO_ERROR: f64 = 1e-17;

/// Draws time (top row) and error (bottom row) against `n` for every function with more
/// than one size; returns whether there was anything to draw.
fn draw(reports: &[Report], path: &std::path::Path) -> Result<bool, Box<dyn std::error::Error>> {
    let mut functions: Vec<&str> = Vec::new();
    for r in reports {
        let sizes = reports.iter().filter(|o| o.function == r.function).count();
        if sizes > 1 && !functions.contains(&r.function.as_str()) {
            functions.push(&r.function);
        }
    }
    if functions.is_empty() {
        return Ok(false);
    }
    let timed = reports
        .iter()
        .any(|r| r.rows.iter().any(|row| row.time.is_some()));
    let mut times = Vec::new();
    let mut errors = Vec::new();
    for function in &functions {
        let of: Vec<&Report> = reports.iter().filter(|r| r.function == *function).collect();
        let mut time = LineChart::new(format!("{function}: time per derivative"))
            .x_label("n (inputs)")
            .y_label("median time per call (s)")
            .log_x(true)
            .log_y(true)
            .markers(true)
            .legend(Corner::UpperLeft);
        let mut error = LineChart::new(format!("{function}: error"))
            .x_label("n (inputs)")
            .y_label("error, relative to the largest element (0 drawn at 1e-17)")
            .log_x(true)
            .log_y(true)
            .markers(true)
            .legend(Corner::UpperLeft);
        for method in Method::ALL {
            let rows = of
                .iter()
                .filter_map(|r| Some((r.inputs as f64, r.row(method)?)));
            let t: Vec<(f64, f64)> = rows
                .clone()
                .filter_map(|(n, row)| Some((n, row.time?.median)))
                .collect();
            let e: Vec<(f64, f64)> = rows
                .filter_map(|(n, row)| Some((n, row.error?.max(ZERO_ERROR))))
                .collect();
            if e.is_empty() {
                continue;
            }
            let color = Method::ALL.iter().position(|&m| m == method).unwrap_or(0);
            let name = if method.is_peer() {
                format!("{method} (peer)")
            } else {
                method.to_string()
            };
            if !t.is_empty() {
                time = time.series(&name, &t).style_last(color, method.is_peer());
            }
            error = error.series(&name, &e).style_last(color, method.is_peer());
        }
        times.push(time);
        errors.push(error);
    }
    let mut figure = Figure::new().columns(functions.len()).panel_size(800, 600);
    if timed {
        for chart in times {
            figure = figure.chart(chart);
        }
    }
    for chart in errors {
        figure = figure.chart(chart);
    }
    figure.save_png(path)?;
    Ok(true)
}

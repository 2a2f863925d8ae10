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
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000", value_parser = size, allow_negative_numbers = true)]
    sizes: Vec<usize>,
    /// The methods (comma-separated ids), by default every one that applies.
    #[arg(long, value_delimiter = ',', value_parser = method)]
    methods: Option<Vec<Method>>,
    /// Seconds of timing per method and size (0: errors and costs only, no timing).
    #[arg(long, default_value_t = 0.25, value_parser = seconds, allow_negative_numbers = true)]
    time: f64,
    /// The error (relative to the largest element of the derivative) within which a method
    /// counts for "fastest".
    #[arg(long, default_value_t = 1e-6, value_parser = super::train::positive_real, allow_negative_numbers = true)]
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
    // Before minutes of timing: the directory is locked for this run and a path that cannot
    // be written is refused now; both files are put in place together at the end.
    let mut outputs = super::open_outputs(&args.out, &[JSON, PICTURE])?;

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

    let figure = figure(&reports);
    outputs.stage(PICTURE, |temp| figure.write_png(temp))?;
    outputs
        .stage_bytes(JSON, serde_json::to_string_pretty(&reports)?.as_bytes())
        .map_err(|e| format!("cannot write the reports: {e}"))?;
    let (json, picture) = (outputs.path(JSON), outputs.path(PICTURE));
    outputs
        .commit()
        .map_err(|e| format!("cannot put the outputs in place: {e}"))?;
    outln!("wrote {} and {}", json.display(), picture.display())?;
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

/// The chapter's two functions, drawn only when nothing else is: the picture is about cost
/// and error against `n`, and they have one size each.
fn chapter(report: &Report) -> bool {
    matches!(
        report.function.as_str(),
        "book_function_1" | "book_function_2"
    )
}

/// The panel a report is drawn in: its function's, or one for both of the chapter's.
fn panel(report: &Report) -> &str {
    if chapter(report) {
        "the chapter's (n = 1: 0.01 x^2 + 0.1 x, n = 2: x0^2 + x1^2)"
    } else {
        &report.function
    }
}

/// Time (top row, when timed) and error (bottom row) against `n`, a column per function,
/// each method in the same colour in every panel, the peer crates dashed.
fn figure(reports: &[Report]) -> Figure {
    let only_chapter = reports.iter().all(chapter);
    let mut panels: Vec<&str> = Vec::new();
    for r in reports.iter().filter(|r| only_chapter || !chapter(r)) {
        if !panels.contains(&panel(r)) {
            panels.push(panel(r));
        }
    }
    let timed = reports
        .iter()
        .any(|r| r.rows.iter().any(|row| row.time.is_some()));
    let mut times = Vec::new();
    let mut errors = Vec::new();
    for name in &panels {
        let of: Vec<&Report> = reports.iter().filter(|r| panel(r) == *name).collect();
        let chart = |title: &str, y: &str| {
            LineChart::new(format!("{name}: {title}"))
                .x_label("n (inputs)")
                .y_label(y)
                .log_x(true)
                .log_y(true)
                .markers(true)
        };
        let mut time = chart("time per derivative", "median time per call (s)");
        let mut error = chart(
            "error",
            "error, relative to the largest element (0 drawn at 1e-17)",
        );
        for (color, method) in Method::ALL.into_iter().enumerate() {
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
            let label = if method.is_peer() {
                format!("{method} (peer)")
            } else {
                method.to_string()
            };
            if !t.is_empty() {
                time = time.series(&label, &t).style_last(color, method.is_peer());
            }
            if !e.is_empty() {
                error = error.series(&label, &e).style_last(color, method.is_peer());
            }
        }
        times.push(time);
        errors.push(error);
    }
    // One legend for the figure, in its first panel: every method has the same colour in
    // every panel. Times rise to the right, leaving the upper left free.
    let charts = if timed {
        times.into_iter().chain(errors).collect()
    } else {
        errors
    };
    let mut figure = Figure::new()
        .columns(panels.len().max(1))
        .panel_size(800, 600);
    for (i, chart) in charts.into_iter().enumerate() {
        figure = figure.chart(if i == 0 {
            chart.legend(if timed {
                Corner::UpperLeft
            } else {
                Corner::LowerRight
            })
        } else {
            chart.without_legend()
        });
    }
    figure
}

//! Reads the medians of the last criterion run and turns them into BENCHMARKS.md's tables and
//! the picture of what a gradient costs against the number of inputs.
//!
//! It walks criterion's output folder for `new/benchmark.json` (the benchmark's full id, such
//! as `gradient/rosenbrock/central_fd/100`) and the `new/estimates.json` beside it (the median,
//! in nanoseconds), then prints Markdown tables of medians and of ratios (ours against the peer
//! crates, autodiff against finite differences) for the `gradient/`, `network/` and
//! `dual_overhead/` groups, and draws the median time of every `gradient/` method against `n`
//! (log-log, one panel per function) with the `nabla` command's chart module.
//!
//! Run after `cargo bench` (all from the same run):
//! `cargo run --release --example bench_plot -- [--criterion DIR] [--out FILE]`.
//! The folder defaults to `$CARGO_TARGET_DIR/criterion`, else `target/criterion`; the image to
//! `gradient_bench.png` (`docs/gradient_cost.png` is drawn by `nabla compare`).

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use clap::Parser;

// The command's charts are private to its binary, not library API; this maintainer's tool
// compiles the same file in. Some of its items are used only by the command.
#[allow(dead_code)]
#[path = "../src/plot/mod.rs"]
mod plot;

use plot::{Corner, Figure, Hue, Line, LineChart, Marker, Shade, Style};

/// Command-line options.
#[derive(Parser)]
#[command(about = "Tables and a cost-against-n picture from criterion's last run")]
struct Args {
    /// criterion's output folder (default: $CARGO_TARGET_DIR/criterion or target/criterion).
    #[arg(long)]
    criterion: Option<PathBuf>,
    /// Where to write the picture.
    #[arg(long, default_value = "gradient_bench.png")]
    out: PathBuf,
}

/// The gradient methods, in the benches' order (the tables' rows), each with its name and
/// look in the picture: nabla's in a colour of its own with dots, solid; each peer crate
/// dashed and darker, with rings, in the colour of the nabla method it is measured against
/// (finitediff against central differences, num-dual against `DualVec64<8>`), so that a pair
/// reads as one colour and a peer never as one of ours.
const LOOKS: [(&str, &str, Style); 9] = [
    ("forward_fd", "forward differences", ours(0)),
    ("central_fd", "central differences", ours(1)),
    ("richardson", "Richardson extrapolation", ours(2)),
    ("dual", "dual numbers, Dual64 (n passes)", ours(3)),
    (
        "dual_vec8",
        "dual numbers, DualVec64<8> (n/8 passes)",
        ours(4),
    ),
    ("reverse", "reverse mode, the tape (one sweep)", ours(7)),
    (
        "analytic",
        "analytic, hand-written",
        Style {
            hue: Hue::Black,
            line: Line::Solid(3),
            marker: Marker::Dot(4),
            shade: Shade::Plain,
        },
    ),
    ("finitediff_central", "peer finitediff: central", peer(1)),
    ("num_dual", "peer num-dual: 8 partials per pass", peer(4)),
];

/// A nabla method's look: palette colour `i`, solid, dots.
const fn ours(i: usize) -> Style {
    Style {
        hue: Hue::Palette(i),
        line: Line::Solid(3),
        marker: Marker::Dot(4),
        shade: Shade::Plain,
    }
}

/// A peer crate's look: the colour of the nabla method it is measured against, darker,
/// dashed, rings.
const fn peer(i: usize) -> Style {
    Style {
        hue: Hue::Palette(i),
        line: Line::Dashed(3),
        marker: Marker::Ring(7),
        shade: Shade::Dark,
    }
}

const FUNCTIONS: [&str; 2] = ["rosenbrock", "softmax_cross_entropy"];
const SIZES: [usize; 3] = [10, 100, 1000];

/// One benchmark's result, in nanoseconds per iteration.
#[derive(Clone, Copy)]
struct Timing {
    /// criterion's median estimate.
    median: f64,
    /// The fastest sample (time / iterations): steadier than the median on a shared machine.
    min: f64,
}

/// Results by full benchmark id.
type Medians = BTreeMap<String, Timing>;

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let dir = args.criterion.unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| PathBuf::from("target"), PathBuf::from)
            .join("criterion")
    });
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a folder: run `cargo bench` first or pass --criterion DIR",
            dir.display()
        )
        .into());
    }
    let mut medians = Medians::new();
    collect(&dir, &mut medians)?;
    if medians.is_empty() {
        return Err(format!(
            "no criterion results (new/benchmark.json) under {}",
            dir.display()
        )
        .into());
    }

    gradient_tables(&medians);
    group_table(&medians, "network/", "network");
    network_ratios(&medians);
    dual_overhead_table(&medians);

    let mut figure = Figure::new().columns(2).panel_size(800, 600);
    for function in FUNCTIONS {
        let name = match function {
            "softmax_cross_entropy" => "softmax cross-entropy",
            "rosenbrock" => "Rosenbrock",
            other => other,
        };
        let mut chart = LineChart::new(format!(
            "gradient of {name}: nabla solid, peer crates dashed"
        ))
        .x_label("n (inputs)")
        .y_label("median time per gradient (s)")
        .log_x(true)
        .log_y(true)
        .markers(true)
        .legend(Corner::UpperLeft);
        for (method, label, style) in LOOKS {
            let points: Vec<(f64, f64)> = SIZES
                .iter()
                .filter_map(|&n| {
                    let t = medians.get(&format!("gradient/{function}/{method}/{n}"))?;
                    Some((n as f64, t.median * 1e-9))
                })
                .collect();
            if !points.is_empty() {
                chart = chart.styled(label, &points, style);
            }
        }
        figure = figure.chart(chart);
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    figure.save_png(&args.out)?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// Adds the median of every benchmark under `dir` to `out`.
fn collect(dir: &Path, out: &mut Medians) -> Result<(), Box<dyn Error>> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") && path.join("benchmark.json").is_file() {
            let id = string_at(
                &read_json(&path.join("benchmark.json"))?,
                &["full_id"],
                &path,
            )?;
            let median = number_at(
                &read_json(&path.join("estimates.json"))?,
                &["median", "point_estimate"],
                &path,
            )?;
            let min = fastest_sample(&read_json(&path.join("sample.json"))?, &path)?;
            out.insert(id, Timing { median, min });
        } else if path.file_name().is_none_or(|n| n != "report") {
            collect(&path, out)?;
        }
    }
    Ok(())
}

/// The smallest `times[i] / iters[i]` of criterion's `sample.json`.
fn fastest_sample(v: &serde_json::Value, at: &Path) -> Result<f64, Box<dyn Error>> {
    let list = |key: &str| -> Result<Vec<f64>, String> {
        field(v, &[key], at)?
            .as_array()
            .ok_or_else(|| format!("{}: {key} is not a list", at.display()))?
            .iter()
            .map(|x| {
                x.as_f64()
                    .ok_or_else(|| format!("{}: {key} holds a non-number", at.display()))
            })
            .collect()
    };
    let (iters, times) = (list("iters")?, list("times")?);
    if iters.len() != times.len() || iters.is_empty() {
        return Err(format!(
            "{}: iters and times differ in length or are empty",
            at.display()
        )
        .into());
    }
    Ok(times
        .iter()
        .zip(&iters)
        .map(|(t, n)| t / n)
        .fold(f64::INFINITY, f64::min))
}

fn read_json(path: &Path) -> Result<serde_json::Value, Box<dyn Error>> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", path.display()).into())
}

fn field<'a>(
    v: &'a serde_json::Value,
    keys: &[&str],
    at: &Path,
) -> Result<&'a serde_json::Value, String> {
    keys.iter().try_fold(v, |v, k| {
        v.get(k)
            .ok_or_else(|| format!("{}: no field {}", at.display(), keys.join(".")))
    })
}

fn string_at(v: &serde_json::Value, keys: &[&str], at: &Path) -> Result<String, Box<dyn Error>> {
    let f = field(v, keys, at)?;
    Ok(f.as_str()
        .ok_or_else(|| format!("{}: {} is not a string", at.display(), keys.join(".")))?
        .to_owned())
}

fn number_at(v: &serde_json::Value, keys: &[&str], at: &Path) -> Result<f64, Box<dyn Error>> {
    let f = field(v, keys, at)?;
    Ok(f.as_f64()
        .ok_or_else(|| format!("{}: {} is not a number", at.display(), keys.join(".")))?)
}

/// A duration in nanoseconds with a readable unit.
fn human(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// `a / b` of the medians and, in parentheses, of the fastest samples; `-` when either is
/// missing.
fn ratio(m: &Medians, a: &str, b: &str) -> String {
    match (m.get(a), m.get(b)) {
        (Some(a), Some(b)) => format!("{:.2} ({:.2})", a.median / b.median, a.min / b.min),
        _ => "-".to_owned(),
    }
}

/// A timing cell: median and, in parentheses, the fastest sample.
fn cell(t: Option<&Timing>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| format!("{} ({})", human(t.median), human(t.min)),
    )
}

fn gradient_tables(m: &Medians) {
    for function in FUNCTIONS {
        println!(
            "Time of one gradient of `{function}` (`gradient/{function}/<method>/<n>`), median \
             (fastest sample):\n"
        );
        println!("| method | n = 10 | n = 100 | n = 1000 |");
        println!("|---|---|---|---|");
        for (method, _, _) in LOOKS {
            let cells: Vec<String> = SIZES
                .iter()
                .map(|n| cell(m.get(&format!("gradient/{function}/{method}/{n}"))))
                .collect();
            println!("| `{method}` | {} |", cells.join(" | "));
        }
        println!();
    }
    let pairs = [
        (
            "central_fd",
            "finitediff_central",
            "ours / peer: central differences",
        ),
        ("dual_vec8", "num_dual", "ours / peer: 8 partials per pass"),
        (
            "dual",
            "central_fd",
            "autodiff / FD: `Dual64` passes / central",
        ),
        (
            "dual_vec8",
            "central_fd",
            "autodiff / FD: `DualVec64<8>` / central",
        ),
        ("reverse", "analytic", "reverse mode / analytic"),
        (
            "reverse",
            "dual_vec8",
            "reverse / forward mode: one sweep / `DualVec64<8>` passes",
        ),
        ("analytic", "central_fd", "analytic / central"),
        ("richardson", "central_fd", "Richardson / central"),
    ];
    println!("Ratios of medians (of fastest samples), below 1: the first is faster:\n");
    println!("| ratio | function | n = 10 | n = 100 | n = 1000 |");
    println!("|---|---|---|---|---|");
    for (a, b, what) in pairs {
        for function in FUNCTIONS {
            let cells: Vec<String> = SIZES
                .iter()
                .map(|n| {
                    ratio(
                        m,
                        &format!("gradient/{function}/{a}/{n}"),
                        &format!("gradient/{function}/{b}/{n}"),
                    )
                })
                .collect();
            println!(
                "| {what} (`{a}` / `{b}`) | {function} | {} |",
                cells.join(" | ")
            );
        }
    }
    println!();
}

/// Every benchmark whose id starts with `prefix`, with its median.
fn group_table(m: &Medians, prefix: &str, name: &str) {
    let rows: Vec<(&String, &Timing)> = m.iter().filter(|(id, _)| id.starts_with(prefix)).collect();
    if rows.is_empty() {
        println!("(no `{name}` results)\n");
        return;
    }
    println!("`{name}`, median (fastest sample):\n");
    println!("| id | time |");
    println!("|---|---|");
    for (id, t) in rows {
        println!("| `{id}` | {} |", cell(Some(t)));
    }
    println!();
}

/// Every network method against backprop on the same network.
fn network_ratios(m: &Medians) {
    println!("| network | method / backprop |");
    println!("|---|---|");
    for net in ["simplenet", "twolayer_b10"] {
        for method in [
            "reverse",
            "numerical_bruteforce",
            "numerical_structured",
            "dual",
        ] {
            let a = format!("network/{net}/{method}");
            if m.contains_key(&a) {
                let r = ratio(m, &a, &format!("network/{net}/backprop"));
                println!("| `{net}` | `{method}`: {r} |");
            }
        }
    }
    println!();
}

fn dual_overhead_table(m: &Medians) {
    group_table(m, "dual_overhead/", "dual_overhead");
    let d = |t: &str| format!("dual_overhead/{t}");
    println!("| ratio | value |");
    println!("|---|---|");
    for (a, b) in [
        ("dual64", "f64"),
        ("dual64", "num_dual_dual64"),
        ("dual_vec8", "num_dual_dual_vec8"),
        ("second_order", "num_dual_second_order"),
    ] {
        println!("| `{a}` / `{b}` | {} |", ratio(m, &d(a), &d(b)));
    }
    println!();
    group_table(m, "tape_overhead/", "tape_overhead");
    let t = |x: &str| format!("tape_overhead/{x}");
    println!("| ratio | value |");
    println!("|---|---|");
    for (a, b) in [
        ("record", "f64"),
        ("record_and_sweep", "f64"),
        ("record_and_sweep", "dual_vec8"),
    ] {
        println!("| `{a}` / `{b}` | {} |", ratio(m, &t(a), &t(b)));
    }
    println!();
}

//! How right each way of getting a gradient is: the error of every method of the
//! `gradient/...` benches at the benches' points, for n = 10, 100 and 1000, through
//! nabla-compare with timing off (`Compare::time(Duration::ZERO)`).
//!
//! An error is normwise relative to the exact methods' consensus,
//! `max_i |g_i - r_i| / max_i |r_i|`. A second table repeats Rosenbrock with coordinates 500
//! times larger, where a step that is not scaled with `|x|` (finitediff's fixed `cbrt(eps)`)
//! shows; a third compares our central differences with finitediff's over many points.
//!
//! Run: `cargo run --release --example gradient_accuracy` (prints Markdown tables).

use std::time::Duration;

use nabla::compare::{Compare, Function, Method, Report};
use nabla::functions::{Rosenbrock, SoftmaxCrossEntropy, point};

const SIZES: [usize; 3] = [10, 100, 1000];

fn accuracy() -> Compare {
    Compare::new().methods(&Method::ALL).time(Duration::ZERO)
}

/// One table: a row per method, a column per report.
fn table(title: &str, reports: &[Report]) {
    println!("{title}\n");
    let header: Vec<String> = reports
        .iter()
        .map(|r| format!("{} n={}", r.function, r.inputs))
        .collect();
    println!("| method | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(reports.len()));
    for method in Method::ALL {
        let cells: Vec<String> = reports
            .iter()
            .map(|r| {
                r.row(method)
                    .and_then(|row| row.error)
                    .map_or("-".into(), |e| {
                        if e == 0.0 {
                            "0".into()
                        } else {
                            format!("{e:.1e}")
                        }
                    })
            })
            .collect();
        println!("| `{method}` | {} |", cells.join(" | "));
    }
    println!();
}

/// The reports of `f` at the benches' points of every size, coordinates in `[-scale, scale]`.
fn reports<F: Function>(f: &F, scale: f64) -> Vec<Report> {
    SIZES
        .iter()
        .map(|&n| accuracy().run(f, &point(n, scale, 0)))
        .collect()
}

fn main() {
    let mut both = reports(&Rosenbrock, 2.0);
    both.extend(reports(&SoftmaxCrossEntropy, 5.0));
    table(
        "Worst relative error at the benches' points (Rosenbrock in [-2, 2]^n, logits in [-5, 5]^n):",
        &both,
    );
    table(
        "The same for Rosenbrock at coordinates in [-1000, 1000]^n:",
        &reports(&Rosenbrock, 1000.0),
    );
    println!(
        "`central_fd` against `finitediff_central` over 200 points per cell \
         (share of points where ours is at least as accurate; median of ours / theirs):\n"
    );
    println!("| function | scale | n=10 | n=100 | n=1000 |");
    println!("|---|---|---|---|---|");
    central_against_finitediff(&Rosenbrock, [1.0, 2.0, 10.0, 1000.0]);
    central_against_finitediff(&SoftmaxCrossEntropy, [1.0, 5.0, 50.0, 1000.0]);
    println!();
}

/// One row per scale: ours against finitediff's central differences over many points, at
/// how many ours is at least as accurate, and the median ratio of the errors (ours /
/// finitediff's).
fn central_against_finitediff<F: Function>(f: &F, scales: [f64; 4]) {
    let pair = Compare::new()
        .methods(&[
            Method::CentralFd,
            Method::FinitediffCentral,
            Method::Reverse,
        ])
        .time(Duration::ZERO);
    for scale in scales {
        let cells: Vec<String> = SIZES
            .iter()
            .map(|&n| {
                // Fewer points at n = 1000, where each gradient costs 2000 evaluations.
                let points = if n == 1000 { 20 } else { 200 };
                let mut ratios: Vec<f64> = (0..points)
                    .map(|seed| {
                        let r = pair.run(f, &point(n, scale, seed + 1));
                        let error = |m| r.row(m).and_then(|row| row.error).unwrap_or(f64::NAN);
                        error(Method::CentralFd) / error(Method::FinitediffCentral)
                    })
                    .collect();
                ratios.sort_by(f64::total_cmp);
                let better = ratios.iter().filter(|r| **r <= 1.0).count();
                let share = 100.0 * better as f64 / ratios.len() as f64;
                format!("{share:.0}%; {:.2}", ratios[ratios.len() / 2])
            })
            .collect();
        println!("| {} | {scale} | {} |", f.name(), cells.join(" | "));
    }
}

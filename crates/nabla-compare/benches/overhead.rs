//! The harness's own overhead: the time [`Compare::run`] reports for a method against the
//! time criterion measures for the same method (through [`Compare::bench`]), in the same run.
//!
//! Both time the same call (the engine's `run` of the method on the point), so the
//! difference is the harness: its timing loop against criterion's. The goal is at most 5%.
//! Functions: Rosenbrock (cheap terms, with its analytic gradient) and a log-sum-exp (an `exp`
//! per input), at n = 10, 100 and 1000, for central differences, `DualVec64<16>` chunks,
//! reverse mode and the analytic gradient.
//!
//! Run: `cargo bench -p nabla-compare --features criterion --bench overhead`. It prints
//! criterion's usual output, then a table: method, n, criterion's median, `compare`'s median,
//! their ratio.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::Criterion;
use nabla_compare::functions::Rosenbrock;
use nabla_compare::{Compare, Function, Method, Number};

/// `ln sum exp(x_i)`, shifted by the largest.
struct LogSumExp;

impl Function for LogSumExp {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        let m = x.iter().fold(x[0], |m, &v| m.max(v));
        x.iter().fold(S::zero(), |acc, &v| acc + (v - m).exp()).ln() + m
    }
}

const METHODS: [Method; 4] = [
    Method::CentralFd,
    Method::DualVec16,
    Method::Reverse,
    Method::Analytic,
];

fn points() -> Vec<Vec<f64>> {
    [10, 100, 1000]
        .map(|n| {
            (0..n)
                .map(|i| ((i as f64 * 0.618_034 + 0.137).fract() * 4.0) - 2.0)
                .collect()
        })
        .into()
}

/// criterion's median for every benchmark under `dir`, by full id, in seconds.
fn criterion_medians(dir: &Path, out: &mut BTreeMap<String, f64>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.ends_with("new") {
                let read = |name: &str| -> Option<serde_json::Value> {
                    serde_json::from_str(&std::fs::read_to_string(path.join(name)).ok()?).ok()
                };
                if let (Some(b), Some(e)) = (read("benchmark.json"), read("estimates.json"))
                    && let (Some(id), Some(ns)) = (
                        b["full_id"].as_str(),
                        e["median"]["point_estimate"].as_f64(),
                    )
                {
                    out.insert(id.to_string(), ns * 1e-9);
                }
            } else {
                criterion_medians(&path, out);
            }
        }
    }
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("overhead-criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    // Interleaved: for each method and point, criterion then `compare` with a time budget
    // like criterion's, so that both see the machine in the same state.
    let mut ours = Vec::new();
    for x in points() {
        for method in METHODS {
            let settings = Compare::new()
                .methods(&[method])
                .time(Duration::from_secs(1));
            settings.bench(
                &mut c,
                "overhead/rosenbrock",
                &Rosenbrock,
                std::slice::from_ref(&x),
            );
            ours.push(("rosenbrock", settings.run(&Rosenbrock, &x)));
            settings.bench(
                &mut c,
                "overhead/logsumexp",
                &LogSumExp,
                std::slice::from_ref(&x),
            );
            ours.push(("logsumexp", settings.run(&LogSumExp, &x)));
        }
    }
    c.final_summary();

    let mut medians = BTreeMap::new();
    criterion_medians(&dir, &mut medians);
    println!("\n| function | method | n | criterion | compare | compare / criterion |");
    println!("|---|---|---|---|---|---|");
    for (name, report) in &ours {
        for row in &report.rows {
            let id = format!("overhead/{name}/{}/{}", row.method, report.inputs);
            if let (Some(&crit), Some(t)) = (medians.get(&id), row.time) {
                println!(
                    "| {name} | {} | {} | {:.4e} s | {:.4e} s | {:.3} |",
                    row.method,
                    report.inputs,
                    crit,
                    t.median,
                    t.median / crit
                );
            }
        }
    }
}

//! How right each way of getting a gradient is: the worst error of every method of the
//! `gradient/...` benches against the analytic gradient, on the same functions at the same
//! points as the benches (`benches/shared/mod.rs`), for n = 10, 100 and 1000.
//!
//! The error of a gradient `g` against the analytic `a` is normwise relative:
//! `max_i |g_i - a_i| / max_i |a_i|`. A second table repeats Rosenbrock with coordinates 500
//! times larger, where a step that is not scaled with `|x|` (finitediff's fixed `cbrt(eps)`)
//! shows.
//!
//! Run: `cargo run --release --example gradient_accuracy` (prints Markdown tables).

use nabla::numdiff::Scheme;

#[path = "../benches/shared/mod.rs"]
mod shared;

use shared::{
    SIZES, finitediff_central, num_dual_gradient_chunked8, numdiff_gradient, point,
    richardson_gradient, rosenbrock, rosenbrock_grad, softmax_cross_entropy,
    softmax_cross_entropy_grad,
};

/// The methods, in the benches' order (without `analytic`, the reference).
const METHODS: [&str; 8] = [
    "forward_fd",
    "central_fd",
    "richardson",
    "dual",
    "dual_vec8",
    "reverse",
    "finitediff_central",
    "num_dual",
];

/// Every method's gradient of one function: `(method, gradient)`.
type Runs = Vec<(&'static str, Vec<f64>)>;

/// Every method's gradient of the generic function `$f` at `$x`.
macro_rules! runs {
    ($f:ident, $x:expr) => {{
        let x: &[f64] = $x;
        let runs: Runs = vec![
            ("forward_fd", numdiff_gradient($f, x, Scheme::Forward)),
            ("central_fd", numdiff_gradient($f, x, Scheme::Central)),
            ("richardson", richardson_gradient($f, x)),
            ("dual", nabla::dual::gradient($f, x).1),
            ("dual_vec8", nabla::dual::gradient_chunked::<8, _>($f, x).1),
            ("reverse", nabla::tape::gradient($f, x).1),
            ("finitediff_central", finitediff_central($f, &x.to_vec())),
            ("num_dual", num_dual_gradient_chunked8($f, x)),
        ];
        runs
    }};
}

/// `max_i |g_i - a_i| / max_i |a_i|`.
fn relative_error(g: &[f64], a: &[f64]) -> f64 {
    let err = g
        .iter()
        .zip(a)
        .fold(0.0f64, |m, (g, a)| m.max((g - a).abs()));
    let size = a.iter().fold(0.0f64, |m, a| m.max(a.abs()));
    err / size
}

/// One table: a row per method, a column per (function, n).
fn table(title: &str, columns: &[(String, Vec<f64>, Runs)]) {
    println!("{title}\n");
    let header: Vec<&str> = columns.iter().map(|(name, _, _)| name.as_str()).collect();
    println!("| method | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(columns.len()));
    for method in METHODS {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, analytic, runs)| {
                let g = &runs
                    .iter()
                    .find(|(m, _)| *m == method)
                    .expect("every method runs")
                    .1;
                format!("{:.1e}", relative_error(g, analytic))
            })
            .collect();
        println!("| `{method}` | {} |", cells.join(" | "));
    }
    println!();
}

fn main() {
    let mut columns = Vec::new();
    for n in SIZES {
        let x = point(n, 2.0);
        columns.push((
            format!("rosenbrock n={n}"),
            rosenbrock_grad(&x),
            runs!(rosenbrock, &x),
        ));
    }
    for n in SIZES {
        let x = point(n, 5.0);
        columns.push((
            format!("softmax_cross_entropy n={n}"),
            softmax_cross_entropy_grad(&x),
            runs!(softmax_cross_entropy, &x),
        ));
    }
    table(
        "Worst relative error against the analytic gradient, at the benches' points \
         (Rosenbrock in [-2, 2]^n, logits in [-5, 5]^n):",
        &columns,
    );

    let mut large = Vec::new();
    for n in SIZES {
        let x = point(n, 1000.0);
        large.push((
            format!("rosenbrock n={n}"),
            rosenbrock_grad(&x),
            runs!(rosenbrock, &x),
        ));
    }
    table(
        "The same for Rosenbrock at coordinates in [-1000, 1000]^n:",
        &large,
    );

    central_against_finitediff();
}

/// Ours against finitediff's central differences over many points: at how many is ours at
/// least as accurate, and the median ratio of the errors (ours / finitediff's).
fn central_against_finitediff() {
    const POINTS: u64 = 200;
    println!(
        "`central_fd` against `finitediff_central` over {POINTS} points per cell \
         (share of points where ours is at least as accurate; median of ours / theirs):\n"
    );
    println!("| function | scale | n=10 | n=100 | n=1000 |");
    println!("|---|---|---|---|---|");
    for (name, scales) in [
        ("rosenbrock", [1.0, 2.0, 10.0, 1000.0]),
        ("softmax_cross_entropy", [1.0, 5.0, 50.0, 1000.0]),
    ] {
        for scale in scales {
            let cells: Vec<String> = SIZES
                .iter()
                .map(|&n| {
                    // Fewer points at n = 1000, where each gradient costs 2000 evaluations.
                    let points = if n == 1000 { POINTS / 10 } else { POINTS };
                    let mut ratios: Vec<f64> = (0..points)
                        .map(|seed| {
                            let x = shared::point_with_seed(n, scale, seed + 1);
                            let (ours, theirs, analytic) = if name == "rosenbrock" {
                                (
                                    numdiff_gradient(rosenbrock, &x, Scheme::Central),
                                    finitediff_central(rosenbrock, &x),
                                    rosenbrock_grad(&x),
                                )
                            } else {
                                (
                                    numdiff_gradient(softmax_cross_entropy, &x, Scheme::Central),
                                    finitediff_central(softmax_cross_entropy, &x),
                                    softmax_cross_entropy_grad(&x),
                                )
                            };
                            relative_error(&ours, &analytic) / relative_error(&theirs, &analytic)
                        })
                        .collect();
                    ratios.sort_by(f64::total_cmp);
                    let better = ratios.iter().filter(|r| **r <= 1.0).count();
                    format!(
                        "{:.0}%; {:.2}",
                        100.0 * better as f64 / ratios.len() as f64,
                        ratios[ratios.len() / 2]
                    )
                })
                .collect();
            println!("| {name} | {scale} | {} |", cells.join(" | "));
        }
    }
    println!();
}

//! `nabla gradcheck`: one batch, the network's gradient five ways, compared and timed.

use std::time::Instant;

use nabla::data::{MnistOptions, Split};
use nabla::net::nalgebra::DMatrix;
use nabla::net::{
    DUAL_CHUNK, Difference, Gradient, TwoLayerNet, backprop, dual_gradient, numerical_gradient,
    numerical_gradient_structured, reverse_gradient,
};

use super::CliResult;
use super::data::DataArgs;
use super::train::positive_count;

/// Arguments of `nabla gradcheck`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where MNIST comes from.
    #[command(flatten)]
    data: DataArgs,
    /// Images in the batch (the first N of the training set). The brute-force and dual
    /// gradients cost about N x 0.3 s and N x 1 s on two cores.
    #[arg(long, default_value = "10", value_parser = positive_count, allow_negative_numbers = true)]
    batch: usize,
    /// Hidden units.
    #[arg(long, default_value = "50", value_parser = positive_count, allow_negative_numbers = true)]
    hidden: usize,
    /// Seed of the weights (0.01 * N(0, 1), as the book).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Skip the brute-force numerical gradient (two full forward passes per parameter).
    #[arg(long)]
    no_brute_force: bool,
    /// Skip the dual-number gradient (one forward pass per 16 parameters).
    #[arg(long)]
    no_dual: bool,
}

/// Runs `nabla gradcheck`.
pub fn run(args: Args) -> CliResult {
    let train = super::data::load(&args.data, Split::Train)?;
    super::data::check_batch(args.batch, &train)?;
    let cols = train.image_len();
    let x = nalgebra_batch(train.pixels(), cols, args.batch);
    let labels: Vec<usize> = train.labels()[..args.batch]
        .iter()
        .map(|&t| usize::from(t))
        .collect();
    let sizes = super::network_sizes(cols, args.hidden)?;
    let net = TwoLayerNet::<f64>::new(sizes, 0.01, args.seed)?;
    outln!(
        "gradcheck: the first {} training images, network {}-{}-{} ({} parameters), f64, \
         numerical step h = 1e-4",
        args.batch,
        sizes.input,
        sizes.hidden,
        sizes.output,
        sizes.parameter_count()
    )?;

    let mut results: Vec<(&str, Gradient<f64>)> = Vec::new();
    let mut timed =
        |name: &'static str,
         f: &mut dyn FnMut() -> Result<Gradient<f64>, Box<dyn std::error::Error>>| {
            out!("  {name:<26}")?;
            let start = Instant::now();
            let g = f()?;
            outln!("{:>10.4} s", start.elapsed().as_secs_f64())?;
            results.push((name, g));
            Ok::<(), Box<dyn std::error::Error>>(())
        };
    outln!("time of each gradient:")?;
    timed("backprop", &mut || Ok(backprop(&net, &x, &labels)?.1))?;
    timed("reverse (nabla-tape)", &mut || {
        Ok(reverse_gradient(&net, &x, &labels)?.1)
    })?;
    {
        // What reverse mode records: the same loss on tape numbers, its products as rules.
        use nabla::tape::{Recording, Var};
        let rec = Recording::<f64>::new();
        let recorded = net.map(|w| rec.var(w));
        recorded.loss(&x.map(Var::constant), &labels)?;
        outln!(
            "    (its tape: {} entries, {} recorded numbers, {:.2} MB with the rules' saved \
             values and the adjoints)",
            rec.entries(),
            rec.len(),
            rec.bytes() as f64 / 1e6
        )?;
    }
    timed("numerical, structure-aware", &mut || {
        Ok(numerical_gradient_structured(&net, &x, &labels, 1e-4)?)
    })?;
    if !args.no_brute_force {
        timed("numerical, brute force", &mut || {
            Ok(numerical_gradient(&net, &x, &labels, 1e-4)?)
        })?;
    }
    if !args.no_dual {
        let name = if DUAL_CHUNK == 16 {
            "dual (DualVec<f64, 16>)"
        } else {
            "dual (DualVec)"
        };
        timed(name, &mut || Ok(dual_gradient(&net, &x, &labels)?.1))?;
    }

    outln!("worst element difference between each pair:")?;
    for (i, (a_name, a)) in results.iter().enumerate() {
        for (b_name, b) in &results[i + 1..] {
            if let Some(d) = a.worst_difference(b, |v| v) {
                outln!("  {a_name} vs {b_name}: {}", describe(&d))?;
            }
        }
    }
    Ok(())
}

fn describe(d: &Difference) -> String {
    let at = if d.parameter.starts_with('b') {
        format!("{}[{}]", d.parameter, d.row)
    } else {
        format!("{}[{}, {}]", d.parameter, d.row, d.col)
    };
    format!(
        "{:.3e} (relative {:.3e}) at {at}: {:.12e} vs {:.12e}",
        d.abs, d.rel, d.a, d.b
    )
}

/// The first `n` images as a dense `n x cols` matrix, scaled as the book's `load_mnist`.
fn nalgebra_batch(pixels: &[u8], cols: usize, n: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, cols, |r, c| {
        f64::from(MnistOptions::default().pixel_value(pixels[r * cols + c]))
    })
}

//! `nabla train`: the book's two-layer network learns MNIST.
//!
//! The book's `train_neuralnet.py` by default (10000 iterations, batches of 100 drawn with
//! replacement, learning rate 0.1, 50 hidden units, accuracy on all 70000 images every 600
//! iterations), with a progress bar, and in `--out`: `report.json`, `loss.png`,
//! `accuracy.png` and `model.json`.

use std::path::PathBuf;
use std::time::Instant;

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use nabla::data::{Mnist, MnistOptions};
use nabla::net::{
    Dataset, EpochRecord, Error as NetError, GradMethod, InstructionSet, Observer, Precision,
    TrainConfig, TrainOutcome, TwoLayerNet, check_loss_trend, train, write_model,
};
use nabla::output::OutputSet;
use serde_json::json;

use super::CliResult;
use super::data::DataArgs;
use charts::{accuracy_chart, loss_chart, window_means};

mod charts;

/// Arguments of `nabla train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where MNIST comes from.
    #[command(flatten)]
    data: DataArgs,
    /// Number of SGD iterations.
    #[arg(long, default_value = "10000", value_parser = positive_count, allow_negative_numbers = true)]
    iters: usize,
    /// Images per mini-batch (drawn with replacement).
    #[arg(long, default_value = "100", value_parser = positive_count, allow_negative_numbers = true)]
    batch: usize,
    /// Learning rate.
    #[arg(long, default_value = "0.1", value_parser = positive_real, allow_negative_numbers = true)]
    lr: f64,
    /// Hidden units.
    #[arg(long, default_value = "50", value_parser = positive_count, allow_negative_numbers = true)]
    hidden: usize,
    /// Seed of the initial weights and of the mini-batch sampler.
    #[arg(long, default_value_t = 0, value_parser = seed, allow_negative_numbers = true)]
    seed: u64,
    /// How the gradient is computed.
    #[arg(long, value_enum, default_value_t = Grad::Backprop)]
    grad: Grad,
    /// Floating-point precision (default: f32 for backprop, f64 for numerical, dual and
    /// reverse).
    #[arg(long, value_enum)]
    precision: Option<Prec>,
    /// Standard deviation of the initial weights.
    #[arg(long, default_value = "0.01", value_parser = positive_real, allow_negative_numbers = true)]
    init_std: f64,
    /// Evaluate train and test accuracy every N iterations (default: one epoch, train size /
    /// batch).
    #[arg(long, value_name = "N", value_parser = positive_count, allow_negative_numbers = true)]
    eval_every: Option<usize>,
    /// Train on the first N training images only (the book's chapter 6 uses 300 to show
    /// overfitting: the train accuracy runs away from the test accuracy). Default: all.
    #[arg(long, value_name = "N", value_parser = positive_count, allow_negative_numbers = true)]
    train_size: Option<usize>,
    /// Directory for report.json, loss.png, accuracy.png and model.json. It is locked for
    /// the run (a second run into it fails at once) and must be writable before training
    /// starts.
    #[arg(long, default_value = "nabla-out", value_name = "DIR")]
    out: PathBuf,
    /// Accept a run whose loss rose. By default a run of 4 iterations or more is diverged,
    /// and exits 1 after writing its outputs, when the mean loss of its last epoch (or of
    /// its second half, if shorter) is clearly above the loss of its first iteration: by more
    /// than 5% and than the losses' noise. A NaN or infinite loss or parameter always stops
    /// it, with no outputs written.
    #[arg(long)]
    allow_divergence: bool,
}

/// `--grad`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Grad {
    /// Backpropagation (fast).
    Backprop,
    /// Central differences, h = 1e-4, structure-aware (minutes for the book's run).
    Numerical,
    /// Forward-mode dual numbers (exact, very slow on the full network).
    Dual,
    /// Reverse-mode autodiff of the generic forward pass (exact; each layer, the sigmoid and
    /// the loss are one tape entry each: 5 entries per step).
    Reverse,
}

/// `--precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Prec {
    /// 32-bit floats, as NumPy's float32 images.
    F32,
    /// 64-bit floats.
    F64,
}

/// A count that must be at least 1.
pub(super) fn positive_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<i128>() {
        Ok(n) if n >= 1 => usize::try_from(n).map_err(|_| format!("{n} is too large")),
        Ok(n) => Err(format!("must be at least 1, got {n}")),
        Err(_) => Err(format!("expected a whole number, got {s:?}")),
    }
}

/// A seed: a whole number from 0 to 2^64 - 1.
fn seed(s: &str) -> Result<u64, String> {
    match s.trim().parse::<i128>() {
        Ok(n) if n < 0 => Err(format!("must be non-negative, got {n}")),
        Ok(n) => u64::try_from(n).map_err(|_| format!("must be at most {}, got {n}", u64::MAX)),
        Err(_) => Err(format!("expected a whole number, got {s:?}")),
    }
}

/// A real number that must be finite and greater than 0.
pub(super) fn positive_real(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        // `{x:?}`: `1e300`, not 301 digits.
        Ok(x) => Err(format!("must be a finite number greater than 0, got {x:?}")),
        Err(_) => Err(format!("expected a number, got {s:?}")),
    }
}

/// Loads both MNIST splits as the book does, from `--data`, `$MNIST_DIR` or the cache
/// (downloading from `--mirror` when given), reporting checks and downloads on stderr.
/// Returns `(train, test, seconds)`.
pub(super) fn load_mnist(
    data: &DataArgs,
) -> Result<(Mnist, Mnist, f64), Box<dyn std::error::Error>> {
    let source = super::data::existing(data)?;
    let (dir, _) = source.locate()?;
    eprintln!("loading MNIST from {}", dir.display());
    let start = Instant::now();
    let mut progress = super::progress::DownloadProgress::new("");
    let (train, test) =
        nabla::data::load_mnist_with_progress(&source, MnistOptions::default(), &mut |event| {
            progress.show(event)
        })?;
    Ok((train, test, start.elapsed().as_secs_f64()))
}

/// Peak resident memory of this process (VmHWM), in bytes, where /proc tells it.
pub(super) fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs `nabla train`.
pub fn run(args: Args) -> CliResult {
    let grad = match args.grad {
        Grad::Backprop => GradMethod::Backprop,
        Grad::Numerical => GradMethod::Numerical,
        Grad::Dual => GradMethod::Dual,
        Grad::Reverse => GradMethod::Reverse,
    };
    let precision = match (args.precision, args.grad) {
        (Some(Prec::F32), Grad::Numerical) => {
            return Err(
                "--grad numerical needs --precision f64: in f32 the book's step h = 1e-4 \
                        is far below where rounding dominates (about 5e-3), and the gradient \
                        would be mostly noise"
                    .into(),
            );
        }
        (Some(Prec::F32), Grad::Dual) => {
            return Err(
                "--grad dual computes in f64; use --precision f64 (or leave it out)".into(),
            );
        }
        (Some(p), _) => p,
        (None, Grad::Backprop) => Prec::F32,
        (None, _) => Prec::F64,
    };
    let config = TrainConfig::builder()
        .iterations(args.iters)
        .batch_size(args.batch)
        .learning_rate(args.lr)
        .seed(args.seed)
        .eval_every(args.eval_every)
        .grad(grad)
        .numerical_step(1e-4)
        // The command's way to choose the instruction set is the environment (a misspelt
        // value was refused before anything ran: `check_environment`).
        .instruction_set(Some(InstructionSet::from_env()?))
        .build()?;
    // Locked until the run ends, checked before any work; written as one set at the end.
    let outputs = super::open_outputs(&args.out, &OUTPUTS)?;
    let (train_split, test_split, load_seconds) = load_mnist(&args.data)?;
    // One generic path; the precision only picks its instance.
    let run_typed: fn(&Args, &TrainConfig, OutputSet, &Mnist, &Mnist, f64) -> CliResult =
        match precision {
            Prec::F32 => run_typed::<f32>,
            Prec::F64 => run_typed::<f64>,
        };
    run_typed(
        &args,
        &config,
        outputs,
        &train_split,
        &test_split,
        load_seconds,
    )
}

/// The files a run writes into `--out`, one set: the previous run's stay until all four of
/// this one are written.
const OUTPUTS: [&str; 4] = ["report.json", "loss.png", "accuracy.png", "model.json"];

/// Drives the progress bar from the training loop.
struct Progress {
    bar: ProgressBar,
    loss: f64,
    last: Option<EpochRecord>,
}

impl Progress {
    fn message(&self) -> String {
        match self.last {
            Some(r) => format!(
                "loss {:.4}  train {:.4}  test {:.4}",
                self.loss, r.train_accuracy, r.test_accuracy
            ),
            None => format!("loss {:.4}", self.loss),
        }
    }
}

impl Observer for Progress {
    fn iteration(&mut self, iteration: usize, loss: f64) {
        self.loss = loss;
        // Redrawing the message every iteration would cost more than a backprop step.
        if iteration.is_multiple_of(50) {
            self.bar.set_message(self.message());
        }
        self.bar.inc(1);
    }

    fn epoch(&mut self, record: &EpochRecord) {
        self.last = Some(*record);
        self.bar.set_message(self.message());
    }
}

/// Where the run's time went, in seconds: loading MNIST, preparing the data sets and the
/// network, training.
struct Seconds {
    load: f64,
    prepare: f64,
    train: f64,
}

/// Trains in precision `T`: the data sets and the network, the training with a progress bar,
/// then the outputs and the summary.
fn run_typed<T: Precision>(
    args: &Args,
    config: &TrainConfig,
    outputs: OutputSet,
    train_split: &Mnist,
    test_split: &Mnist,
    load_seconds: f64,
) -> CliResult {
    let start = Instant::now();
    let (train_set, test_set) = datasets::<T>(args, train_split, test_split)?;
    // Refused before the weights are allocated, rather than saved where no load could read.
    let sizes = super::network_sizes(train_split.image_len(), args.hidden)?;
    // Drawn in f64 and rounded, exactly as `TwoLayerNet::<f32>::new` would.
    let net = TwoLayerNet::<f64>::new(sizes, args.init_std, args.seed)?.map(T::from_f64);
    let prepare_seconds = start.elapsed().as_secs_f64();

    let (outcome, train_seconds) = train_with_progress(args, config, &net, &train_set, &test_set)?;
    // Judged now, reported after the outputs are written: the loss curve shows what happened.
    let diverged = if args.allow_divergence {
        Ok(())
    } else {
        check_loss_trend(
            &outcome.losses,
            config.epoch_len(train_split.len()),
            config.learning_rate(),
        )
    };
    let seconds = Seconds {
        load: load_seconds,
        prepare: prepare_seconds,
        train: train_seconds,
    };
    write_outputs(args, config, outputs, &outcome, train_set.len(), &seconds)?;
    print_summary(args, config, &outcome, train_seconds)?;
    diverged.map_err(|e| {
        format!(
            "{e} (the outputs are in {}; --allow-divergence accepts such a run)",
            args.out.display()
        )
        .into()
    })
}

/// The training set (its first `--train-size` images if given) and the test set, in `T`.
fn datasets<T: Precision>(
    args: &Args,
    train_split: &Mnist,
    test_split: &Mnist,
) -> Result<(Dataset<T>, Dataset<T>), Box<dyn std::error::Error>> {
    let train_set = Dataset::<T>::from_mnist(train_split)?;
    let train_set = match args.train_size {
        Some(n) if n > train_set.len() => {
            return Err(format!(
                "--train-size {n} is more than the {} training images",
                train_set.len()
            )
            .into());
        }
        Some(n) => train_set.first(n)?,
        None => train_set,
    };
    let test_set = Dataset::<T>::from_mnist(test_split)?;
    Ok((train_set, test_set))
}

/// Trains `net` under a progress bar; returns the outcome and the seconds training took.
fn train_with_progress<T: Precision>(
    args: &Args,
    config: &TrainConfig,
    net: &TwoLayerNet<T>,
    train_set: &Dataset<T>,
    test_set: &Dataset<T>,
) -> Result<(TrainOutcome<T>, f64), Box<dyn std::error::Error>> {
    let bar = ProgressBar::new(config.iterations() as u64).with_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {per_sec} {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = Progress {
        bar,
        loss: f64::NAN,
        last: None,
    };
    let start = Instant::now();
    let outcome = train(net, train_set, test_set, config, &mut progress);
    let train_seconds = start.elapsed().as_secs_f64();
    progress.bar.finish_and_clear();
    let outcome = outcome.map_err(|e| match e {
        NetError::Diverged { iteration: 0, .. } => {
            format!("{e} (--init-std is {:?})", args.init_std).into()
        }
        other => Box::<dyn std::error::Error>::from(other),
    })?;
    Ok((outcome, train_seconds))
}

/// Writes the run's four files into `--out` as one set: the report, the two charts and the
/// model.
fn write_outputs<T: Precision>(
    args: &Args,
    config: &TrainConfig,
    mut outputs: OutputSet,
    outcome: &TrainOutcome<T>,
    train_len: usize,
    seconds: &Seconds,
) -> CliResult {
    let report = report(args, config, T::NAME, outcome, seconds);
    outputs
        .stage_bytes(
            "report.json",
            serde_json::to_string_pretty(&report)?.as_bytes(),
        )
        .map_err(|e| format!("cannot write the report: {e}"))?;
    let loss_chart = loss_chart(config, T::NAME, &outcome.losses);
    outputs.stage("loss.png", |temp| loss_chart.write_png(temp))?;
    let per_epoch = (train_len / config.batch_size()).max(1);
    let accuracy_chart = accuracy_chart(config, per_epoch, args.train_size, outcome);
    outputs.stage("accuracy.png", |temp| accuracy_chart.write_png(temp))?;
    // The largest last; streamed, never held in memory as text.
    let model = outputs.path("model.json");
    outputs.stage_writer(
        "model.json",
        |w| -> Result<(), Box<dyn std::error::Error>> {
            write_model(&outcome.net, w).map_err(|e| match e {
                NetError::Io { source, .. } => format!("{}: {source}", model.display()).into(),
                other => other.into(),
            })
        },
    )?;
    outputs
        .commit()
        .map_err(|e| format!("cannot put the outputs in place: {e}"))?;
    Ok(())
}

/// Prints what the run reached, in how long, and where its outputs are.
fn print_summary<T: Precision>(
    args: &Args,
    config: &TrainConfig,
    outcome: &TrainOutcome<T>,
    train_seconds: f64,
) -> CliResult {
    outln!(
        "{} iterations ({}, {}): train accuracy {:.4}, test accuracy {:.4}, {:.2} s training \
         ({} kernels)",
        config.iterations(),
        config.grad().name(),
        T::NAME,
        outcome.final_train_accuracy,
        outcome.final_test_accuracy,
        train_seconds,
        outcome.instruction_set,
    )?;
    if let Some(n) = args.train_size {
        let gap = outcome.final_train_accuracy - outcome.final_test_accuracy;
        outln!("trained on the first {n} training images: train - test accuracy gap {gap:.4}")?;
    }
    if let Some(peak) = peak_memory_bytes() {
        outln!("peak memory {:.0} MB", peak as f64 / 1e6)?;
    }
    outln!(
        "wrote {0}/report.json, {0}/loss.png, {0}/accuracy.png, {0}/model.json",
        args.out.display()
    )?;
    Ok(())
}

/// `report.json`: the configuration, the accuracies, where the time went and the loss.
fn report<T: Precision>(
    args: &Args,
    config: &TrainConfig,
    precision: &str,
    outcome: &TrainOutcome<T>,
    seconds: &Seconds,
) -> serde_json::Value {
    let losses = &outcome.losses;
    let tail = &losses[losses.len().saturating_sub(100)..];
    let per_100: Vec<f64> = window_means(losses).map(|(_, mean)| mean).collect();
    json!({
        "config": {
            "iterations": config.iterations(),
            "batch_size": config.batch_size(),
            "learning_rate": config.learning_rate(),
            "hidden": args.hidden,
            "seed": config.seed(),
            "grad": config.grad(),
            "precision": precision,
            "init_std": args.init_std,
            "eval_every": config.eval_every(),
            "numerical_step": config.numerical_step(),
            "data": args.data.dir,
            "train_size": args.train_size,
        },
        "epochs": outcome.epochs,
        "final_train_accuracy": outcome.final_train_accuracy,
        "final_test_accuracy": outcome.final_test_accuracy,
        "final_gap": outcome.final_train_accuracy - outcome.final_test_accuracy,
        "train_seconds": seconds.train,
        "load_seconds": seconds.load,
        "prepare_seconds": seconds.prepare,
        // Where `train_seconds` went: the mean step (batch, gradient, update) and the mean
        // evaluation (accuracy on both sets), and their counts and totals.
        "step_seconds": outcome.timings.mean_step_seconds(),
        "evaluation_seconds": outcome.timings.mean_evaluation_seconds(),
        "timings": outcome.timings,
        "threads": available_threads(),
        // The instruction set of the fast path's kernels: "avx512", "avx2+fma" or "baseline".
        "simd": outcome.instruction_set.name(),
        "peak_memory_bytes": peak_memory_bytes(),
        "loss": {
            "first": losses.first(),
            "last": losses.last(),
            "min": losses.iter().copied().fold(f64::INFINITY, f64::min),
            "mean_last_100": tail.iter().sum::<f64>() / tail.len().max(1) as f64,
            "mean_per_100_iterations": per_100,
        },
    })
}

fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

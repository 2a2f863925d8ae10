//! The `nabla` command line: one module per subcommand.
//!
//! Each subcommand lives in its own file (`src/cli/<name>.rs`) with a clap `Args` struct and a
//! `run` function; this file lists them and holds what every subcommand shares:
//!
//! - [`run`] first makes SIGINT, SIGTERM and SIGHUP remove the process's temporary files
//!   (`nabla::output::clean_up_on_signals`) and checks the environment's settings
//!   ([`check_environment`]: a misspelt `NABLA_SIMD` is refused the same way by every
//!   subcommand), so a new subcommand gets both without a line of its own;
//! - [`open_outputs`] is how a subcommand that writes files starts: its outputs are one set
//!   (`nabla::output::OutputSet`), locked, checked and cleaned before any work, with the
//!   messages every subcommand gives;
//! - [`network_sizes`] is the one size check for every network a subcommand builds.

use std::fmt;
use std::io::Write;
use std::path::Path;

use clap::{Parser, Subcommand};
use nabla::net::{InstructionSet, Sizes};
use nabla::output::{OutputError, OutputSet};

/// `println!` for the subcommands: evaluates to a `Result`, so that a reader that has gone
/// away (`nabla mnist info | head -1`) ends the command quietly instead of panicking the way
/// `println!` does on a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*), true)
    };
}

/// `print!` (no newline, flushed) with the same closed-pipe handling as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*), false)
    };
}

mod compare;
mod data;
mod eval;
mod gradcheck;
mod mnist;
mod progress;
mod steps;
mod train;
mod why_loss;

/// The error every subcommand returns: its message is printed as `error: ...`.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Standard output was closed by its reader: the command stops writing and exits 0.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Writes to standard output (and flushes a line without its newline, so that it shows
/// before a long computation). A closed pipe is [`StdoutClosed`], any other failure its
/// I/O error.
pub fn write_stdout(args: fmt::Arguments<'_>, newline: bool) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    let written = if newline {
        writeln!(stdout, "{args}")
    } else {
        write!(stdout, "{args}").and_then(|()| stdout.flush())
    };
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Box::new(StdoutClosed)),
        other => Ok(other?),
    }
}

/// Chapter 4 of *Deep Learning from Scratch*, done properly.
#[derive(Debug, Parser)]
#[command(name = "nabla", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    // One variant per subcommand, each documented (the doc comment is its `--help` line).
    /// Inspect or download the MNIST files (info, fetch).
    Mnist(mnist::Args),
    /// Draw the error of finite differences against the step size h (log-log, f64 and f32).
    Steps(steps::Args),
    /// Train the book's two-layer network on MNIST (gradient by backprop, numerical, dual or reverse: --grad).
    Train(train::Args),
    /// Accuracy of a saved model (from `nabla train`) on the MNIST test set.
    Eval(eval::Args),
    /// One batch: the gradient by backprop, reverse mode, numerical (structure-aware and brute force) and dual numbers, compared and timed.
    Gradcheck(gradcheck::Args),
    /// Every way to differentiate the built-in functions, side by side: a table per function and size, compare.json and gradient_cost.png (time and error against n).
    Compare(compare::Args),
    /// Why the loss and not the accuracy: how many parameters have a zero derivative of each, and both along a line (why_loss.png).
    WhyLoss(why_loss::Args),
}

/// Runs the subcommand that `args` names, after setting up the removal of temporary files
/// on SIGINT, SIGTERM and SIGHUP and checking the environment.
pub fn run(args: Cli) -> CliResult {
    nabla::output::clean_up_on_signals()
        .map_err(|e| format!("cannot set up the handling of SIGINT and SIGTERM: {e}"))?;
    check_environment()?;
    match args.command {
        Command::Mnist(args) => mnist::run(args),
        Command::Steps(args) => steps::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Gradcheck(args) => gradcheck::run(args),
        Command::WhyLoss(args) => why_loss::run(args),
        Command::Compare(args) => compare::run(args),
    }
}

/// Checks the settings every subcommand reads from the environment, so that each refuses a
/// bad one with the same message before doing anything: `NABLA_SIMD` (the library would
/// quietly take the baseline for a value it does not know).
pub fn check_environment() -> CliResult {
    InstructionSet::from_env()?;
    Ok(())
}

/// Opens the output set of a subcommand in `dir` (`--out`), with `names` its outputs: creates
/// the directory, locks it for the run, removes the temporary files that killed runs left
/// there and checks that each output can be written, all before any work (see
/// `nabla::output::OutputSet`). Stage every output, then commit.
pub fn open_outputs(dir: &Path, names: &[&str]) -> Result<OutputSet, String> {
    OutputSet::open(dir, names).map_err(|e| match e {
        OutputError::InUse { .. } => format!("--out {e}: wait for it, or choose another --out"),
        OutputError::Io { path, source } if path == dir => {
            if dir.is_dir() {
                format!(
                    "--out {}: cannot write into this directory: {source}",
                    dir.display()
                )
            } else {
                format!(
                    "cannot create the output directory {}: {source}",
                    dir.display()
                )
            }
        }
        OutputError::Io { path, source } => format!(
            "--out {}: cannot write into this directory: {}: {source}",
            dir.display(),
            path.display()
        ),
        other => other.to_string(),
    })
}

/// The sizes of a network of `hidden` units on `input` inputs and MNIST's 10 classes, checked
/// the one way every subcommand checks a network before it allocates one: its parameters
/// must fit a model file (`Sizes::check_model_size`, 2^26).
pub fn network_sizes(input: usize, hidden: usize) -> Result<Sizes, Box<dyn std::error::Error>> {
    let sizes = Sizes::new(input, hidden, nabla::data::CLASSES)?;
    sizes.check_model_size().map_err(|_| {
        format!(
            "--hidden {hidden} makes {} parameters, more than the {} a model file may hold",
            sizes.parameter_count(),
            nabla::net::MAX_MODEL_PARAMETERS
        )
    })?;
    Ok(sizes)
}

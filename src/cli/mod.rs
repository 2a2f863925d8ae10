//! The `nabla` command line: one module per subcommand.
//!
//! Each subcommand lives in its own file (`src/cli/<name>.rs`) with a clap `Args` struct and a
//! `run` function; this file only lists them.

use clap::{Parser, Subcommand};

mod eval;
mod gradcheck;
mod mnist;
mod steps;
mod train;

/// The error every subcommand returns: its message is printed as `error: ...`.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

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
    /// Train the book's two-layer network on MNIST (backprop, numerical or dual gradient).
    Train(train::Args),
    /// Accuracy of a saved model (from `nabla train`) on the MNIST test set.
    Eval(eval::Args),
    /// One batch: the gradient by backprop, numerical (structure-aware and brute force) and dual numbers, compared and timed.
    Gradcheck(gradcheck::Args),
}

/// Runs the subcommand that `args` names.
pub fn run(args: Cli) -> CliResult {
    match args.command {
        Command::Mnist(args) => mnist::run(args),
        Command::Steps(args) => steps::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Gradcheck(args) => gradcheck::run(args),
    }
}

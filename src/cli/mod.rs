//! The `nabla` command line: one module per subcommand.
//!
//! Each subcommand lives in its own file (`src/cli/<name>.rs`) with a clap `Args` struct and a
//! `run` function; this file only lists them.

use std::fmt;
use std::io::Write;

use clap::{Parser, Subcommand};

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
    /// Why the loss and not the accuracy: how many parameters have a zero derivative of each, and both along a line (why_loss.png).
    WhyLoss(why_loss::Args),
}

/// Runs the subcommand that `args` names.
pub fn run(args: Cli) -> CliResult {
    match args.command {
        Command::Mnist(args) => mnist::run(args),
        Command::Steps(args) => steps::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Gradcheck(args) => gradcheck::run(args),
        Command::WhyLoss(args) => why_loss::run(args),
    }
}

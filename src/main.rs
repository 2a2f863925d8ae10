//! The `nabla` command line.

use clap::Parser;

mod cli;
mod plot;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `nabla ... | head`: the reader has what it wanted.
        Err(err) if err.is::<cli::StdoutClosed>() => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

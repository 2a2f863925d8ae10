//! The root package's integration tests, one binary (as ripgrep's `tests/tests.rs`): each
//! module tests one command or one job end to end, and [`util`] holds what they share.
//!
//! - `cli_mnist`, `cli_steps`, `cli_train`, `cli_why_loss`: the built `nabla` command on small
//!   files written by the tests (offline), plus a real-MNIST case each where it matters;
//! - `cli_compare`: `nabla compare`, its tables, JSON and picture;
//! - `cli_download`: every command that may download asks `--mirror` and logs the download;
//! - `cli_help`: what `--help` tells a newcomer (every gradient method, `--mirror`);
//! - `docs_commands`: the commands of the README and `docs/` (release mode, examples,
//!   commands and options that exist, the chapter tour's pasted outputs);
//! - `train_mnist`, `why_loss_mnist`: the library on the real MNIST files.
//!
//! Tests that need the real files read `$MNIST_DIR` and skip by name without it. The property
//! tests that pit the derivatives against each other are a binary of their own,
//! `tests/gradients_agree/`.

mod util;

mod cli_compare;
mod cli_download;
mod cli_help;
mod cli_mnist;
mod cli_steps;
mod cli_train;
mod cli_why_loss;
mod docs_commands;
mod train_mnist;
mod why_loss_mnist;

//! `nabla mnist info` and `nabla mnist fetch`: inspect and download the MNIST files.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use nabla::data::{Error, Event, Mnist, MnistFile, MnistOptions, Origin, Split, verify_file};

use super::CliResult;
use super::data::source;

/// Arguments of `nabla mnist`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Counts, shapes, first labels, pixel statistics and checksums of both splits.
    Info {
        /// Directory with the four files (default: $MNIST_DIR, else the per-user cache).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Download the four files (skipping those already there and intact) and verify them.
    Fetch {
        /// Directory to download into (default: $MNIST_DIR, else the per-user cache).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Mirror to download from, tried in the order given (default: $NABLA_MNIST_MIRROR,
        /// else the public mirrors). Repeat for several.
        #[arg(long, value_name = "URL")]
        mirror: Vec<String>,
        /// Give a mirror up after this many seconds without data (default:
        /// $NABLA_DOWNLOAD_IDLE_TIMEOUT, else 30).
        #[arg(long, value_name = "SECS", value_parser = seconds, allow_negative_numbers = true)]
        idle_timeout: Option<Duration>,
        /// Give a mirror up when one file takes longer than this many seconds in all
        /// (default: $NABLA_DOWNLOAD_DEADLINE, else 900).
        #[arg(long, value_name = "SECS", value_parser = seconds, allow_negative_numbers = true)]
        deadline: Option<Duration>,
    },
}

/// A number of seconds greater than 0.
fn seconds(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x > 0.0 => {
            Duration::try_from_secs_f64(x).map_err(|_| format!("{x:?} seconds is too long"))
        }
        Ok(x) => Err(format!(
            "must be a number of seconds greater than 0, got {x:?}"
        )),
        Err(_) => Err(format!("expected a number of seconds, got {s:?}")),
    }
}

/// Runs `nabla mnist <action>`.
pub fn run(args: Args) -> CliResult {
    match args.action {
        Action::Info { data } => info(data),
        Action::Fetch {
            dir,
            mirror,
            idle_timeout,
            deadline,
        } => fetch(dir, mirror, idle_timeout, deadline),
    }
}

fn describe(origin: Origin) -> &'static str {
    match origin {
        Origin::Explicit => "given on the command line",
        Origin::Env => "from $MNIST_DIR",
        Origin::Cache => "the per-user cache",
    }
}

fn info(data: Option<PathBuf>) -> CliResult {
    let (dir, origin) = source(data.as_deref(), &[]).locate()?;
    outln!("MNIST in {} ({})", dir.display(), describe(origin))?;
    let options = MnistOptions::default();
    let load = |split| {
        Mnist::load(&dir, split, options).map_err(|error| match error {
            Error::Missing { .. } => format!("{error} (`nabla mnist fetch` downloads it)"),
            other => other.to_string(),
        })
    };
    let train = load(Split::Train)?;
    let test = load(Split::Test)?;
    for (name, split) in [("train", &train), ("test", &test)] {
        let (rows, cols) = split.image_shape();
        // The flattened matrix's shape, without building the matrix.
        let (n, width) = (split.len(), split.image_len());
        outln!(
            "{name:<5}  {} images of {rows} x {cols} (matrix {n} x {width}), {} labels, first labels {:?}",
            split.len(),
            split.labels().len(),
            &split.labels()[..split.len().min(10)],
        )?;
    }
    let (mean, std) = train.pixel_mean_std();
    outln!("training pixels / 255: mean {mean:.16}, standard deviation {std:.16}")?;

    outln!("SHA-256 of the decompressed content:")?;
    let mut mismatched = Vec::new();
    for file in MnistFile::ALL {
        let path = file.path_in(&dir);
        match verify_file(&path, file) {
            Ok(()) => outln!("  {:<28} ok", file.file_name())?,
            Err(error @ Error::Checksum { .. }) => {
                outln!("  {:<28} MISMATCH", file.file_name())?;
                mismatched.push(error.to_string());
            }
            Err(other) => return Err(other.into()),
        }
    }
    if mismatched.is_empty() {
        outln!("all four checksums match")?;
        Ok(())
    } else {
        Err(mismatched.join("\n").into())
    }
}

fn fetch(
    dir: Option<PathBuf>,
    mirrors: Vec<String>,
    idle_timeout: Option<Duration>,
    deadline: Option<Duration>,
) -> CliResult {
    let mut source = source(dir.as_deref(), &mirrors);
    if idle_timeout.is_some() || deadline.is_some() {
        let mut timeouts = source.timeouts()?;
        timeouts.idle = idle_timeout.unwrap_or(timeouts.idle);
        timeouts.deadline = deadline.unwrap_or(timeouts.deadline);
        source = source.with_timeouts(timeouts);
    }
    let (dir, origin) = source.locate()?;
    outln!("MNIST into {} ({})", dir.display(), describe(origin))?;
    let mut progress = super::progress::DownloadProgress::new("  ");
    source.fetch(&mut |event| {
        // Inside the callback a closed stdout is ignored: the download goes on, and the
        // last line after it reports the closed pipe.
        match event {
            Event::Verified { file, .. } => {
                let _ = outln!("  {:<28} present, checksum ok", file.file_name());
            }
            Event::Saved { file, .. } => {
                // Reported on stdout below, not logged on stderr too.
                progress.finish();
                let _ = outln!("  {:<28} downloaded, checksum ok", file.file_name());
            }
            _ => progress.show(event),
        }
    })?;
    outln!("all four files present and verified")?;
    Ok(())
}

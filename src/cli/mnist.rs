//! `nabla mnist info` and `nabla mnist fetch`: inspect and download the MNIST files.

use std::path::PathBuf;

use clap::Subcommand;
use nabla::data::{
    Error, Event, Mnist, MnistFile, MnistOptions, MnistSource, Origin, Split, verify_file,
};

use super::CliResult;

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
        /// Mirror base URL, tried in the order given (default: $NABLA_MNIST_MIRROR, else the
        /// public mirrors).
        #[arg(long, value_name = "URL")]
        mirror: Vec<String>,
    },
}

/// Runs `nabla mnist <action>`.
pub fn run(args: Args) -> CliResult {
    match args.action {
        Action::Info { data } => info(data),
        Action::Fetch { dir, mirror } => fetch(dir, mirror),
    }
}

fn source(dir: Option<PathBuf>) -> MnistSource {
    dir.map_or_else(MnistSource::new, MnistSource::dir)
}

fn describe(origin: Origin) -> &'static str {
    match origin {
        Origin::Explicit => "given on the command line",
        Origin::Env => "from $MNIST_DIR",
        Origin::Cache => "the per-user cache",
    }
}

fn info(data: Option<PathBuf>) -> CliResult {
    let (dir, origin) = source(data).locate()?;
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
        let (n, width) = split.images().shape();
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

fn fetch(dir: Option<PathBuf>, mirrors: Vec<String>) -> CliResult {
    let mut source = source(dir);
    if !mirrors.is_empty() {
        source = source.with_mirrors(mirrors);
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
                progress.show(event);
                let _ = outln!("  {:<28} downloaded, checksum ok", file.file_name());
            }
            _ => progress.show(event),
        }
    })?;
    outln!("all four files present and verified")?;
    Ok(())
}

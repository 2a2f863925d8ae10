//! Where a subcommand's MNIST comes from: `--data DIR`, else `$MNIST_DIR`, else the per-user
//! cache (downloaded and verified on first use, from `--mirror URL`, `$NABLA_MNIST_MIRROR` or
//! the public mirrors). Every subcommand that reads MNIST takes [`DataArgs`] and chooses its
//! source here, so `--data` is checked and `--mirror` honoured the same way everywhere.

use std::path::{Path, PathBuf};

use nabla::data::{Mnist, MnistOptions, MnistSource, Split};

/// `--data DIR` and `--mirror URL`, shared by every subcommand that reads MNIST.
#[derive(Debug, clap::Args)]
pub(super) struct DataArgs {
    /// Directory with the four MNIST files (default: $MNIST_DIR, else the per-user cache);
    /// files missing there are downloaded on first use.
    #[arg(long = "data", value_name = "DIR")]
    pub(super) dir: Option<PathBuf>,
    /// Mirror to download missing files from, tried in the order given (default:
    /// $NABLA_MNIST_MIRROR, else the public mirrors). Repeat for several.
    #[arg(long, value_name = "URL")]
    pub(super) mirror: Vec<String>,
}

/// The source `dir` names, or `$MNIST_DIR` or the cache without one, downloading from
/// `mirrors` when some are given. The directory need not exist (`nabla mnist fetch` creates
/// it); commands that read use [`existing`].
pub(super) fn source(dir: Option<&Path>, mirrors: &[String]) -> MnistSource {
    let source = dir.map_or_else(MnistSource::new, MnistSource::dir);
    if mirrors.is_empty() {
        source
    } else {
        source.with_mirrors(mirrors.to_vec())
    }
}

/// The source of a command that reads MNIST: as [`source`], but a `--data` that is not a
/// directory is refused, saying which of the two it is.
pub(super) fn existing(args: &DataArgs) -> Result<MnistSource, String> {
    if let Some(dir) = &args.dir {
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "--data {} is not a directory: give the directory that holds the four MNIST \
                     files",
                    dir.display()
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("data directory {} does not exist", dir.display()));
            }
            Err(e) => return Err(format!("--data {} cannot be read: {e}", dir.display())),
        }
    }
    Ok(source(args.dir.as_deref(), &args.mirror))
}

/// One split, loaded as the book's `load_mnist` does (pixels scaled to [0, 1]), from the
/// source `args` chooses (see [`existing`]). Downloads show their progress (plain lines when
/// stderr is not a terminal), and a cached file that is rejected is said on stderr with its
/// reason, as `nabla train` says it.
pub(super) fn load(args: &DataArgs, split: Split) -> Result<Mnist, Box<dyn std::error::Error>> {
    let mut progress = super::progress::DownloadProgress::new("");
    Ok(
        existing(args)?.load(split, MnistOptions::default(), &mut |event| {
            progress.show(event)
        })?,
    )
}

/// Refuses a `--batch` of more images than the training set has.
pub(super) fn check_batch(batch: usize, train: &Mnist) -> Result<(), String> {
    if batch > train.len() {
        return Err(format!(
            "--batch {batch} is more than the {} training images",
            train.len()
        ));
    }
    Ok(())
}

//! Where a subcommand's MNIST comes from: `--data DIR`, else `$MNIST_DIR`, else the per-user
//! cache (downloaded and verified on first use). Every subcommand that reads MNIST chooses its
//! source here, so `--data` is checked and errors are explained the same way everywhere.

use std::path::Path;

use nabla::data::{DEADLINE_ENV, Error, IDLE_TIMEOUT_ENV, Mnist, MnistOptions, MnistSource, Split};

/// The source `dir` names, or `$MNIST_DIR` or the cache without one. The directory need not
/// exist (`nabla mnist fetch` creates it); commands that read use [`existing`].
pub(super) fn source(dir: Option<&Path>) -> MnistSource {
    dir.map_or_else(MnistSource::new, MnistSource::dir)
}

/// The source of a command that reads MNIST: as [`source`], but a `--data` that is not a
/// directory is refused, saying which of the two it is.
pub(super) fn existing(data: Option<&Path>) -> Result<MnistSource, String> {
    if let Some(dir) = data {
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
    Ok(source(data))
}

/// One split, loaded as the book's `load_mnist` does (pixels scaled to [0, 1]), from the
/// source `data` chooses (see [`existing`]). Downloads show their progress, and a cached file
/// that is rejected is said on stderr with its reason, as `nabla train` says it.
pub(super) fn load(data: Option<&Path>, split: Split) -> Result<Mnist, Box<dyn std::error::Error>> {
    let mut progress = super::progress::DownloadProgress::new("");
    existing(data)?
        .load(split, MnistOptions::default(), &mut |event| {
            progress.show(event)
        })
        .map_err(explain)
}

/// The error of loading or fetching MNIST, with what the user can do when no mirror
/// delivered a file (no network, a proxy, a mirror gone).
pub(super) fn explain(error: Error) -> Box<dyn std::error::Error> {
    match error {
        Error::Download { .. } => format!(
            "{error}\nto use MNIST files you already have, pass --data DIR or set $MNIST_DIR to \
             their directory; to download from elsewhere, pass --mirror URL to `nabla mnist \
             fetch` or set $NABLA_MNIST_MIRROR (slow servers: ${IDLE_TIMEOUT_ENV} and \
             ${DEADLINE_ENV}, in seconds)"
        )
        .into(),
        other => other.into(),
    }
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

//! Where the MNIST files come from: an explicit directory, `$MNIST_DIR`, or the per-user
//! cache, downloaded there when missing.

use std::path::{Path, PathBuf};

use crate::download::{download, mirrors_from_env};
use crate::files::verify_file;
use crate::{Error, Event, Mnist, MnistFile, MnistOptions, Result, Split};

/// The environment variable naming a directory that holds the four MNIST files.
pub const MNIST_DIR_ENV: &str = "MNIST_DIR";

/// Where a [`MnistSource`] found its directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Given explicitly ([`MnistSource::dir`]).
    Explicit,
    /// From `$MNIST_DIR`.
    Env,
    /// The per-user cache ([`cache_dir`]).
    Cache,
}

/// The per-user cache directory for MNIST: `$XDG_CACHE_HOME/nabla/mnist` (else
/// `~/.cache/nabla/mnist`) on Linux, the platform's equivalent elsewhere.
pub fn cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("nabla").join("mnist"))
}

/// Where to find MNIST, and whether to download and verify it.
///
/// The directory is the explicit one if given, else `$MNIST_DIR`, else [`cache_dir`]. Files
/// missing from it are downloaded (unless [`MnistSource::with_download`] forbids it) from the
/// mirrors given, else those of `$NABLA_MNIST_MIRROR`, else [`crate::DEFAULT_MIRRORS`].
///
/// Checksums: every download is verified before it is renamed into place. Loading from the
/// cache also verifies the files (hashing runs beside the conversion to `f32`),
/// and a cached file that fails is reported through the progress callback and fetched again.
/// Files in an explicit directory or `$MNIST_DIR` are the user's: they are checked for
/// structure but their checksums only when [`MnistSource::with_verify`] asks, so a directory
/// of Fashion-MNIST (same format, other content) loads too.
#[derive(Clone, Debug)]
pub struct MnistSource {
    dir: Option<PathBuf>,
    mirrors: Option<Vec<String>>,
    download: bool,
    verify: Option<bool>,
}

impl Default for MnistSource {
    fn default() -> Self {
        Self::new()
    }
}

impl MnistSource {
    /// `$MNIST_DIR` if set, else the per-user cache; downloads allowed.
    pub fn new() -> Self {
        Self {
            dir: None,
            mirrors: None,
            download: true,
            verify: None,
        }
    }

    /// An explicit directory; downloads allowed.
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: Some(dir.into()),
            ..Self::new()
        }
    }

    /// Mirrors to download from, replacing `$NABLA_MNIST_MIRROR` and the defaults.
    pub fn with_mirrors(mut self, mirrors: Vec<String>) -> Self {
        self.mirrors = Some(mirrors);
        self
    }

    /// Whether missing or corrupt files may be downloaded.
    pub fn with_download(mut self, download: bool) -> Self {
        self.download = download;
        self
    }

    /// Whether loading checks the files' checksums (default: only for the cache).
    pub fn with_verify(mut self, verify: bool) -> Self {
        self.verify = Some(verify);
        self
    }

    /// The directory and where it came from. Touches no file.
    ///
    /// # Errors
    ///
    /// [`Error::NoCacheDir`] when nothing names a directory and the platform has no cache.
    pub fn locate(&self) -> Result<(PathBuf, Origin)> {
        if let Some(dir) = &self.dir {
            return Ok((dir.clone(), Origin::Explicit));
        }
        if let Some(dir) = std::env::var_os(MNIST_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok((PathBuf::from(dir), Origin::Env));
        }
        cache_dir()
            .map(|d| (d, Origin::Cache))
            .ok_or(Error::NoCacheDir)
    }

    /// The mirrors a download would try, in order.
    pub fn mirrors(&self) -> Vec<String> {
        self.mirrors.clone().unwrap_or_else(mirrors_from_env)
    }

    /// Makes sure all four files are in the directory and match their checksums: each file
    /// there is verified, and a missing or failing one downloaded (when allowed). Returns the
    /// directory.
    ///
    /// # Errors
    ///
    /// The first file that is missing or fails and cannot be downloaded: [`Error::Missing`],
    /// [`Error::Checksum`], [`Error::Idx`], [`Error::Download`], [`Error::Io`].
    pub fn fetch(&self, progress: &mut dyn FnMut(Event<'_>)) -> Result<PathBuf> {
        let (dir, _) = self.locate()?;
        for file in MnistFile::ALL {
            let path = file.path_in(&dir);
            let error = match verify_file(&path, file) {
                Ok(()) => {
                    progress(Event::Verified { file, path: &path });
                    continue;
                }
                Err(e) => e,
            };
            if !matches!(error, Error::Missing { .. }) {
                progress(Event::Rejected {
                    file,
                    error: &error,
                });
            }
            if !self.download {
                return Err(error);
            }
            download(file, &dir, &self.mirrors(), progress)?;
        }
        Ok(dir)
    }

    /// Loads one split, downloading its files first if they are missing (and allowed).
    ///
    /// # Errors
    ///
    /// The errors of [`Mnist::load_verified`] and [`download`].
    pub fn load(
        &self,
        split: Split,
        options: MnistOptions,
        progress: &mut dyn FnMut(Event<'_>),
    ) -> Result<Mnist> {
        let (dir, origin) = self.locate()?;
        let verify = self.verify.unwrap_or(origin == Origin::Cache);
        let files = [MnistFile::images(split), MnistFile::labels(split)];
        if self.download {
            for file in files {
                if !file.path_in(&dir).exists() {
                    download(file, &dir, &self.mirrors(), progress)?;
                }
            }
        }
        let load = |dir: &Path| {
            if verify {
                Mnist::load_verified(dir, split, options)
            } else {
                Mnist::load(dir, split, options)
            }
        };
        match load(&dir) {
            Err(error) if self.download && verify => {
                let Some(file) = corrupt_file(&error, &files) else {
                    return Err(error);
                };
                progress(Event::Rejected {
                    file,
                    error: &error,
                });
                download(file, &dir, &self.mirrors(), progress)?;
                load(&dir)
            }
            other => other,
        }
    }
}

/// The file that `error` rejects for its content (not for being absent or unreadable).
fn corrupt_file(error: &Error, files: &[MnistFile]) -> Option<MnistFile> {
    let path = match error {
        Error::Checksum { path, .. } | Error::Idx { path, .. } | Error::Shape { path, .. } => path,
        _ => return None,
    };
    let name = path.file_name()?.to_str()?;
    files
        .iter()
        .copied()
        .find(|f| f.file_name().trim_end_matches(".gz") == name.trim_end_matches(".gz"))
}

/// Loads both splits as the book's `load_mnist` does: `(train, test)`.
///
/// # Errors
///
/// See [`MnistSource::load`].
pub fn load_mnist(source: &MnistSource, options: MnistOptions) -> Result<(Mnist, Mnist)> {
    load_mnist_with_progress(source, options, &mut |_| {})
}

/// [`load_mnist`] with a callback that hears of checks and downloads.
///
/// # Errors
///
/// See [`MnistSource::load`].
pub fn load_mnist_with_progress(
    source: &MnistSource,
    options: MnistOptions,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<(Mnist, Mnist)> {
    let train = source.load(Split::Train, options, progress)?;
    let test = source.load(Split::Test, options, progress)?;
    Ok((train, test))
}

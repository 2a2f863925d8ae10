//! Where the MNIST files come from: an explicit directory, `$MNIST_DIR`, or the per-user
//! cache, downloaded there when missing.

use std::path::{Path, PathBuf};

use crate::download::download;
use crate::files::{check_dir, check_readable, present, verify_file};
use crate::settings::mirrors_from_env;
use crate::{Error, Event, Mnist, MnistFile, MnistOptions, Result, Split, Timeouts};

/// The environment variable naming a directory that holds the four MNIST files.
pub(crate) const MNIST_DIR_ENV: &str = "MNIST_DIR";

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
/// cache also verifies the files (a SHA-256 of each file's content as it is read),
/// and every cached file that fails is reported through the progress callback and fetched
/// again, all in the same call. Only a file whose content is wrong is replaced: anything at a
/// file's name that is not a regular file (a directory, a FIFO, a device, a symlink loop) is
/// an error naming it, never a download over it.
/// Files in an explicit directory or `$MNIST_DIR` are the user's: they are checked for
/// structure but their checksums only when [`MnistSource::with_verify`] asks, so a directory
/// of Fashion-MNIST (same format, other content) loads too.
#[derive(Clone, Debug)]
pub struct MnistSource {
    dir: Option<PathBuf>,
    mirrors: Option<Vec<String>>,
    download: bool,
    verify: Option<bool>,
    timeouts: Option<Timeouts>,
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
            timeouts: None,
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

    /// Timeouts of downloads, replacing those of the environment ([`Timeouts::from_env`]).
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// The timeouts a download would use: those given, else [`Timeouts::from_env`].
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] when an environment variable of [`Timeouts::from_env`] is invalid.
    pub fn timeouts(&self) -> Result<Timeouts> {
        self.timeouts.map_or_else(Timeouts::from_env, Ok)
    }

    /// Downloads one file into `dir` with this source's mirrors and timeouts.
    fn get(&self, file: MnistFile, dir: &Path, progress: &mut dyn FnMut(Event<'_>)) -> Result<()> {
        download(file, dir, &self.mirrors(), self.timeouts()?, progress).map(drop)
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
    /// [`Error::Checksum`], [`Error::Idx`], [`Error::Download`], [`Error::Io`]; a path that is
    /// not a regular file is [`Error::NotAFile`] (or [`Error::Io`] for a symlink loop) and
    /// is not replaced; [`Error::NotADirectory`] when the directory is a file.
    pub fn fetch(&self, progress: &mut dyn FnMut(Event<'_>)) -> Result<PathBuf> {
        let (dir, _) = self.locate()?;
        check_dir(&dir)?;
        check_readable(&dir)?;
        for file in MnistFile::ALL {
            let path = file.path_in(&dir);
            let error = match verify_file(&path, file) {
                Ok(()) => {
                    progress(Event::Verified { file, path: &path });
                    continue;
                }
                Err(e) => e,
            };
            let missing = matches!(error, Error::Missing { .. });
            if !self.download || !(missing || corrupt_file(&error, &[file]).is_some()) {
                return Err(error);
            }
            if !missing {
                progress(Event::Rejected {
                    file,
                    error: &error,
                });
            }
            self.get(file, &dir, progress)?;
        }
        Ok(dir)
    }

    /// Loads one split, downloading its files first if they are missing (and allowed).
    ///
    /// # Errors
    ///
    /// The errors of [`Mnist::load_verified`], and of a download: [`Error::NotADirectory`] or
    /// [`Error::Io`] when the directory is in the way or cannot be written, and
    /// [`Error::Download`] with one line per mirror that failed. With downloads allowed and
    /// checksums checked, each file of the split whose content is wrong is reported and
    /// fetched again, at most once each.
    pub fn load(
        &self,
        split: Split,
        options: MnistOptions,
        progress: &mut dyn FnMut(Event<'_>),
    ) -> Result<Mnist> {
        let (dir, origin) = self.locate()?;
        check_dir(&dir)?;
        check_readable(&dir)?;
        let verify = self.verify.unwrap_or(origin == Origin::Cache);
        let files = [MnistFile::images(split), MnistFile::labels(split)];
        if self.download {
            for file in files {
                if !present(&file.path_in(&dir))? {
                    self.get(file, &dir, progress)?;
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
        // Each attempt finds at most one bad file; each is fetched again at most once.
        let mut repaired = Vec::new();
        loop {
            match load(&dir) {
                Err(error) if self.download && verify => {
                    let Some(file) = corrupt_file(&error, &files).filter(|f| !repaired.contains(f))
                    else {
                        return Err(error);
                    };
                    progress(Event::Rejected {
                        file,
                        error: &error,
                    });
                    self.get(file, &dir, progress)?;
                    repaired.push(file);
                }
                other => return other,
            }
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::test_http as http;
    use crate::test_io::{CHILD_CASE, rerun_with_env};
    use crate::{DEADLINE_ENV, IDLE_TIMEOUT_ENV, MIRROR_ENV};
    use std::time::Duration;

    /// Runs itself again as a child process with the variables of each case set.
    #[test]
    fn the_environment_names_the_directory_and_the_builders_override_it() {
        match std::env::var(CHILD_CASE).as_deref() {
            Ok("set") => {
                let source = MnistSource::new();
                assert_eq!(
                    source.locate().unwrap(),
                    (PathBuf::from("/env/mnist"), Origin::Env)
                );
                assert_eq!(source.mirrors(), ["http://env.test/"]);
                assert_eq!(source.timeouts().unwrap().deadline, Duration::from_secs(7));
                // What the builders give wins over the environment.
                let given =
                    Timeouts::new(Duration::from_millis(250), Duration::from_secs(3)).unwrap();
                let source = MnistSource::dir("/given")
                    .with_mirrors(vec!["http://given.test/".into()])
                    .with_timeouts(given);
                assert_eq!(
                    source.locate().unwrap(),
                    (PathBuf::from("/given"), Origin::Explicit)
                );
                assert_eq!(source.mirrors(), ["http://given.test/"]);
                assert_eq!(source.timeouts().unwrap(), given);
            }
            Ok("empty") => {
                // An empty `$MNIST_DIR` counts as unset: the cache, below `$XDG_CACHE_HOME`
                // on Linux.
                let (dir, origin) = MnistSource::new().locate().unwrap();
                assert_eq!(origin, Origin::Cache);
                assert!(dir.ends_with("nabla/mnist"), "{}", dir.display());
                if cfg!(target_os = "linux") {
                    assert_eq!(dir, Path::new("/xdg/nabla/mnist"));
                }
            }
            Ok(other) => panic!("unknown case {other}"),
            Err(_) => {
                let common = [(MNIST_DIR_ENV, ""), ("XDG_CACHE_HOME", "/xdg")];
                let set = [
                    (MNIST_DIR_ENV, "/env/mnist"),
                    (MIRROR_ENV, "http://env.test/"),
                    (DEADLINE_ENV, "7"),
                ];
                rerun_with_env(
                    "source::tests::the_environment_names_the_directory_and_the_builders_override_it",
                    &[MNIST_DIR_ENV, MIRROR_ENV, IDLE_TIMEOUT_ENV, DEADLINE_ENV],
                    &[("set", &set), ("empty", &common)],
                );
            }
        }
    }

    /// A server that answers 404 to everything and records what it was asked.
    fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        let base = http::serve(move |path| {
            log.lock().unwrap().push(path.to_owned());
            http::Reply::Status(404)
        });
        (base, asked)
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_an_error_naming_it_not_a_download() {
        let dir = tempfile::tempdir().unwrap();
        for file in [MnistFile::TestImages, MnistFile::TestLabels] {
            let path = dir.path().join(file.file_name());
            std::os::unix::fs::symlink(&path, &path).unwrap();
        }
        let (base, asked) = recording_server();
        let source = MnistSource::dir(dir.path())
            .with_verify(true)
            .with_mirrors(vec![base]);
        let err = source
            .load(Split::Test, MnistOptions::default(), &mut |_| {})
            .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("t10k-") && msg.contains("symbolic links"),
            "{msg}"
        );
        let err = source.fetch(&mut |_| {}).unwrap_err();
        // fetch asks for the missing training files first, then stops at the loop.
        assert!(err.to_string().contains("train-images"), "{err}");
        assert!(
            asked
                .lock()
                .unwrap()
                .iter()
                .all(|p| p.contains("train-images")),
            "{:?}",
            asked.lock().unwrap()
        );
    }

    #[test]
    fn a_directory_in_place_of_a_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        for file in MnistFile::ALL {
            std::fs::create_dir(dir.path().join(file.file_name())).unwrap();
        }
        let (base, asked) = recording_server();
        let source = MnistSource::dir(dir.path()).with_mirrors(vec![base]);
        let err = source.fetch(&mut |_| {}).unwrap_err();
        assert!(matches!(err, Error::NotAFile { .. }), "{err}");
        assert!(
            err.to_string()
                .ends_with("train-images-idx3-ubyte.gz: is a directory, not a regular file"),
            "{err}"
        );
        assert!(asked.lock().unwrap().is_empty());
    }

    #[test]
    fn a_file_as_the_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mnist");
        std::fs::write(&file, b"").unwrap();
        let source = MnistSource::dir(&file).with_mirrors(vec!["http://127.0.0.1:9/".into()]);
        for err in [
            source.fetch(&mut |_| {}).unwrap_err(),
            source
                .load(Split::Test, MnistOptions::default(), &mut |_| {})
                .unwrap_err(),
        ] {
            assert!(
                matches!(err, Error::NotADirectory { ref path } if *path == file),
                "{err}"
            );
        }
    }
}

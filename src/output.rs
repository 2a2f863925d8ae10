//! Writing a run's outputs (reports, charts, models) so that they are one set, that nothing
//! half-written or foreign is ever destroyed, that no temporary file is left behind, and
//! that one run at a time writes into a directory.
//!
//! - [`OutputSet`] is what a command calls: [`OutputSet::open`] locks the output directory,
//!   removes the temporary files that runs killed there left behind, and checks every output's
//!   path before any work; [`OutputSet::stage`] writes each output to a temporary file beside
//!   its target; [`OutputSet::commit`] renames them all into place as one step. A failure
//!   (a full disk, a drawing error) before the commit leaves the previous set as it was; an
//!   interruption by SIGINT, SIGTERM or SIGHUP (with [`clean_up_on_signals`] installed)
//!   either comes before the commit, and leaves the previous set, or waits for it to end, and
//!   leaves the new one. A rename that fails inside the commit puts back the files already
//!   replaced. Readers of the directory see the previous complete set or the new one.
//! - [`clean_up_on_signals`] makes SIGINT, SIGTERM and SIGHUP remove every temporary file of
//!   the process (the outputs staged, a download in progress, the lock's pid file) before the
//!   process ends as the signal would have ended it. A process that is killed outright
//!   (SIGKILL, a power cut) leaves its temporary files (`.nabla-*`); the next
//!   [`OutputSet::open`] in that directory removes them.
//! - [`write_atomically`] and [`write_atomically_with`] do the same for a single file, without
//!   a lock: a reader sees the old file or the new one, never half of one. The finished files
//!   are `0644` on Unix, like any file the user creates.
//! - Only a regular file (or nothing) is replaced. A rename over a symlink would replace the
//!   link rather than write where it points, and over a FIFO or a device node it would
//!   destroy the node (`--out /dev/null` run as root once replaced the system's `/dev/null`
//!   with a PNG). Such a path is [`OutputError::NotAFile`] and is left as it was.
//! - [`DirLock`] is an exclusive lock on a directory, held for a whole run, so that two runs
//!   into the same directory cannot leave a mixed set of files: the second fails at once,
//!   naming the process that holds the lock. Writing the holder's process id beside it also
//!   proves, before any work, that the directory is writable.
//!
//! ```
//! use nabla::output::{OutputError, OutputSet};
//!
//! let dir = tempfile::tempdir()?;
//! let mut set = OutputSet::open(dir.path(), &["report.json", "notes.txt"])?;
//! set.stage_bytes("report.json", b"{}")?;
//! set.stage("notes.txt", |path| {
//!     std::fs::write(path, "written by any writer that takes a path")
//!         .map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
//! })?;
//! // A second run into the same directory fails at once (here, from the same process).
//! let err = OutputSet::open(dir.path(), &["report.json"]).unwrap_err();
//! assert!(matches!(err, OutputError::InUse { pid: Some(p), .. } if p == std::process::id()));
//! // Nothing is in place before the commit; then both are.
//! assert!(!dir.path().join("report.json").exists());
//! set.commit()?;
//! assert_eq!(std::fs::read(dir.path().join("report.json"))?, b"{}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use nabla_data::atomic::{self, ReplaceError};
use nabla_data::temporary::{self, Naming, Registered, Temporary};

/// Why an output could not be written or a directory not locked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The path exists and is not a regular file; it is not replaced.
    #[error(
        "{path}: is {kind}; outputs are written only over regular files (or where nothing \
         is), so it was left as it is"
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What is there ("a symlink", "a FIFO (named pipe)", ...).
        kind: &'static str,
    },
    /// Another process holds the directory's lock.
    #[error(
        "{} is in use by {}",
        dir.display(),
        pid.map_or_else(|| "another process".to_owned(), |p| format!("process {p}"))
    )]
    InUse {
        /// The directory.
        dir: PathBuf,
        /// The process that holds the lock, when its lock file says.
        pid: Option<u32>,
    },
    /// Creating, writing or renaming a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

/// An [`OutputError::Io`] naming `path`.
fn io_error(path: &Path) -> impl Fn(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `error` of the atomic writer as the caller's error, naming `path`.
fn output_error<E: From<OutputError>>(error: ReplaceError<E>, path: &Path) -> E {
    match error {
        ReplaceError::NotAFile(kind) => OutputError::NotAFile {
            path: path.to_path_buf(),
            kind,
        }
        .into(),
        ReplaceError::Io(source) => io_error(path)(source).into(),
        ReplaceError::Write(e) => e,
    }
}

/// Checks that `path` is a regular file or nothing (symlinks are not followed).
///
/// # Errors
///
/// [`OutputError::NotAFile`] for a symlink, FIFO, device, socket or directory;
/// [`OutputError::Io`] when the path cannot be examined.
pub fn check_replaceable(path: &Path) -> Result<(), OutputError> {
    atomic::check_replaceable(path).map_err(|e| output_error(e, path))
}

/// Writes a file at `path` by calling `write` with the path of a fresh temporary file in the
/// same directory (named `.nabla-*` and ending in `.` and the file's name, for writers that
/// choose their format by extension), then renaming it into place. On any error the temporary
/// file is removed and whatever was at `path` stays as it was.
///
/// # Errors
///
/// Those of [`check_replaceable`], [`OutputError::Io`] when the temporary file cannot be
/// created or renamed, and whatever `write` returns.
pub fn write_atomically_with<E: From<OutputError>>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    atomic::replace(path, Naming::Output, |temp| write(temp.path()))
        .map_err(|e| output_error(e, path))
}

/// Writes `bytes` to `path` atomically (see [`write_atomically_with`]).
///
/// # Errors
///
/// Those of [`write_atomically_with`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomically_with(path, |temp| {
        std::fs::write(temp, bytes).map_err(io_error(path))
    })
}

/// The outputs of one run, written into one directory as one set: the previous complete set
/// stays until the new one is complete, and then the new one replaces it (see the
/// [module documentation](self)).
///
/// A command declares its outputs when it opens the set (before any work, so that a path that
/// cannot be written is refused at once), stages each, and commits. Dropping the set without
/// a commit removes what was staged and leaves the directory as it was; the lock on the
/// directory is held until the set is dropped.
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    names: Vec<String>,
    staged: Vec<(String, Temporary)>,
    _lock: DirLock,
}

impl OutputSet {
    /// Creates `dir` if needed, locks it for this process ([`DirLock`]), removes the temporary
    /// files that killed runs left there, and checks that every one of `names` (plain file
    /// names in `dir`) can be replaced.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] when `dir` cannot be created or written, [`OutputError::InUse`]
    /// when another process holds it, [`OutputError::NotAFile`] for an output whose path is a
    /// symlink, FIFO, device, socket or directory.
    ///
    /// # Panics
    ///
    /// If a name is empty, holds a path separator or is given twice (a programmer's error).
    pub fn open(dir: impl AsRef<Path>, names: &[&str]) -> Result<Self, OutputError> {
        let dir = dir.as_ref();
        for (i, name) in names.iter().enumerate() {
            assert!(
                !name.is_empty()
                    && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name))
                    && !names[..i].contains(name),
                "output names are distinct plain file names: {names:?}"
            );
        }
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        // Before the lock: a path that cannot be an output leaves no trace in its directory.
        for name in names {
            check_replaceable(&dir.join(name))?;
        }
        let lock = DirLock::acquire(dir)?;
        remove_stale_temporaries(dir);
        Ok(Self {
            dir: dir.to_path_buf(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            staged: Vec::new(),
            _lock: lock,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the output `name` will be.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes the output `name` by calling `write` with the path of a fresh temporary file
    /// beside it (`.nabla-XXXXXX.<name>`, so it keeps its extension); it is not in place
    /// before [`OutputSet::commit`]. On an error the temporary file is removed.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] when the temporary file cannot be created or synced to disk, and
    /// whatever `write` returns.
    ///
    /// # Panics
    ///
    /// If `name` was not declared to [`OutputSet::open`] or is staged twice.
    pub fn stage<E: From<OutputError>>(
        &mut self,
        name: &str,
        write: impl FnOnce(&Path) -> Result<(), E>,
    ) -> Result<(), E> {
        assert!(
            self.names.iter().any(|n| n == name) && !self.staged.iter().any(|(n, _)| n == name),
            "{name:?} is staged once, and only if declared: {:?}",
            self.names
        );
        let target = self.dir.join(name);
        let temp = atomic::write_beside(&target, Naming::Output, |temp| write(temp.path()))
            .map_err(|e| output_error(e, &target))?;
        self.staged.push((name.to_owned(), temp));
        Ok(())
    }

    /// Stages the output `name` with `bytes` as its content (see [`OutputSet::stage`]).
    ///
    /// # Errors
    ///
    /// Those of [`OutputSet::stage`].
    pub fn stage_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let target = self.dir.join(name);
        self.stage(name, |temp| {
            std::fs::write(temp, bytes).map_err(io_error(&target))
        })
    }

    /// Stages the output `name` through a buffered writer of its temporary file (see
    /// [`OutputSet::stage`]), for content that is serialised as it is written.
    ///
    /// # Errors
    ///
    /// Those of [`OutputSet::stage`] and of `write`.
    pub fn stage_writer<E: From<OutputError>>(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
    ) -> Result<(), E> {
        let target = self.dir.join(name);
        self.stage(name, |temp| {
            let file = File::create(temp).map_err(io_error(&target))?;
            let mut writer = io::BufWriter::new(file);
            write(&mut writer)?;
            writer.flush().map_err(io_error(&target))?;
            Ok(())
        })
    }

    /// Renames every staged output into place, as one step: SIGINT, SIGTERM and SIGHUP
    /// wait until it has ended (see [`clean_up_on_signals`]). If a rename fails, the outputs
    /// already renamed are put back as they were (from a second name, a hard link, that each
    /// replaced file is given first; where the file system has none, that file cannot be put
    /// back), so the directory holds the previous set.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] naming the output that could not be put in place.
    ///
    /// # Panics
    ///
    /// If a declared output was not staged: a set is committed whole.
    pub fn commit(self) -> Result<(), OutputError> {
        self.commit_with(&mut |from, to| std::fs::rename(from, to))
    }

    /// [`OutputSet::commit`] with the renames done by `rename(from, to)`, through which tests
    /// inject failures and delays.
    fn commit_with(
        mut self,
        rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        let missing: Vec<&String> = self
            .names
            .iter()
            .filter(|n| !self.staged.iter().any(|(s, _)| s == *n))
            .collect();
        assert!(missing.is_empty(), "outputs never staged: {missing:?}");
        let staged = std::mem::take(&mut self.staged);
        let targets: Vec<PathBuf> = staged.iter().map(|(n, _)| self.dir.join(n)).collect();
        // Second names of the files to be replaced, made before the hold: an interruption now
        // removes them with the staged files and leaves the previous set.
        let backups: Vec<Option<Temporary>> = targets
            .iter()
            .map(|target| {
                let name = format!(
                    ".{}.old",
                    target
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                );
                std::fs::symlink_metadata(target)
                    .is_ok_and(|m| m.is_file())
                    .then(|| Temporary::link_to(target, temporary::PREFIX, &name).ok())
                    .flatten()
            })
            .collect();
        let existed: Vec<bool> = targets.iter().map(|t| t.exists()).collect();
        let hold = temporary::hold();
        let mut done = 0;
        let mut failure = None;
        for ((_, temp), target) in staged.into_iter().zip(&targets) {
            match temp.persist_with(target, &mut *rename) {
                Ok(()) => done += 1,
                Err(source) => {
                    failure = Some(OutputError::Io {
                        path: target.clone(),
                        source,
                    });
                    break;
                }
            }
        }
        if let Some(error) = failure {
            // Put back what was replaced, remove what is new.
            for ((target, backup), existed) in targets.iter().zip(backups).zip(existed).take(done) {
                match backup {
                    Some(backup) => {
                        let _ = backup.persist(target);
                    }
                    None if !existed => {
                        let _ = std::fs::remove_file(target);
                    }
                    None => {}
                }
            }
            drop(hold);
            return Err(error);
        }
        drop(hold);
        // The old files' second names go with `backups`.
        Ok(())
    }
}

/// Removes from `dir` the temporary files of nabla's outputs (`.nabla-*`, not a download's
/// `.nabla-download-*`, which nabla-data clears by age) and, from earlier versions, a model's
/// `.tmpXXXXXX` (recognised by its first bytes). Called under the directory's lock, when no
/// other nabla run is writing there, so every one is left by a run that was killed. Best
/// effort: what cannot be removed stays for the next time.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let ours =
            name.starts_with(temporary::PREFIX) && !name.starts_with(temporary::DOWNLOAD_PREFIX);
        if ours || is_legacy_model_temporary(name, &entry.path()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` at `path` is a model that an earlier version was writing when it was
/// killed: `.tmp` and six letters or digits (the tempfile crate's default name), starting
/// with a nabla model's first bytes.
fn is_legacy_model_temporary(name: &str, path: &Path) -> bool {
    const MODEL_START: &[u8] = br#"{"format":"nabla-net/two-layer""#;
    let Some(random) = name.strip_prefix(".tmp") else {
        return false;
    };
    if random.len() != temporary::RANDOM_LEN || !random.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let mut start = [0u8; MODEL_START.len()];
    File::open(path)
        .and_then(|mut f| io::Read::read_exact(&mut f, &mut start))
        .is_ok_and(|()| start == MODEL_START)
}

/// Makes SIGINT, SIGTERM and SIGHUP remove every temporary file of the process (the outputs
/// an [`OutputSet`] has staged and not committed, a download in progress, a [`DirLock`]'s pid
/// file: everything made through `nabla_data::temporary`) and then end it as the signal
/// would have (so a shell sees "interrupted"). A commit in progress is finished first (see
/// [`OutputSet::commit`]). The `nabla` command calls this first thing; calling it again
/// does nothing.
///
/// # Errors
///
/// When the handlers or their thread cannot be set up.
pub fn clean_up_on_signals() -> io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
        if INSTALLED.get().is_some() {
            return Ok(());
        }
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        std::thread::Builder::new()
            .name("nabla-signals".to_owned())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the process ends: nothing new is made or renamed meanwhile.
                    let _removed = temporary::remove_all();
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    // Not reached: the default action of these signals ends the process.
                    std::process::exit(128 + signal);
                }
            })?;
        let _ = INSTALLED.set(());
    }
    Ok(())
}

/// An exclusive lock on a directory, held until it is dropped (or the process ends, however
/// it ends: the operating system releases it with the process's files).
///
/// The lock is taken on the directory itself (`flock` on Unix), so no lock file can be left
/// behind to block later runs. Beside it, the holder writes its process id into
/// [`DirLock::PID_FILE`] for the message of a second run, and removes that file when the
/// lock is dropped or the process is interrupted (see [`clean_up_on_signals`]); a holder that
/// is killed outright leaves it, and the next holder overwrites it.
#[derive(Debug)]
pub struct DirLock {
    pid_file: PathBuf,
    _registered: Registered,
    // Dropped after the pid file is removed (fields drop after `Drop::drop`).
    _dir: File,
}

impl DirLock {
    /// The name of the file in the directory that names the holder.
    pub const PID_FILE: &'static str = ".nabla.pid";

    /// Locks `dir` (which must exist) without waiting.
    ///
    /// # Errors
    ///
    /// [`OutputError::InUse`] when another holder has it, [`OutputError::NotAFile`] when the
    /// pid file's name is taken by something else than a regular file, and
    /// [`OutputError::Io`] when the directory cannot be opened or the pid file cannot be
    /// written (a directory that is not writable).
    pub fn acquire(dir: &Path) -> Result<Self, OutputError> {
        let pid_file = dir.join(Self::PID_FILE);
        let dir_io = |source| OutputError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let handle = File::open(dir).map_err(dir_io)?;
        match handle.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                // The holder may not have written its id yet: then it is unnamed.
                let pid = std::fs::read_to_string(&pid_file)
                    .ok()
                    .and_then(|s| s.trim().parse().ok());
                return Err(OutputError::InUse {
                    dir: dir.to_path_buf(),
                    pid,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(dir_io(e)),
        }
        check_replaceable(&pid_file)?;
        let registered = temporary::register(&pid_file);
        std::fs::write(&pid_file, format!("{}\n", std::process::id())).map_err(|source| {
            OutputError::Io {
                path: pid_file.clone(),
                source,
            }
        })?;
        Ok(Self {
            pid_file,
            _registered: registered,
            _dir: handle,
        })
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Best effort: a pid file left behind names a process that no longer holds the lock,
        // and the next holder overwrites it.
        let _ = std::fs::remove_file(&self.pid_file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nabla_data::test_http::names_in as names;

    #[test]
    fn replaces_a_regular_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(dir.path()), ["report.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644, "{mode:o}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_and_a_fifo_are_refused_and_left_as_they_were() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.png");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.png");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write_atomically(&link, b"new").unwrap_err();
        assert!(
            matches!(
                err,
                OutputError::NotAFile {
                    kind: "a symlink",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("link.png: is a symlink"), "{err}");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");

        let fifo = dir.path().join("fifo.png");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = write_atomically(&fifo, b"new").unwrap_err();
        assert!(
            matches!(
                err,
                OutputError::NotAFile {
                    kind: "a FIFO (named pipe)",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        assert_eq!(names(dir.path()), ["fifo.png", "link.png", "target.png"]);
    }

    #[test]
    fn a_failed_writer_leaves_nothing_and_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, "old").unwrap();
        let err = write_atomically_with(&path, |temp| {
            std::fs::write(temp, "half").unwrap();
            Err(OutputError::Io {
                path: temp.to_path_buf(),
                source: std::io::Error::other("drawing failed"),
            })
        })
        .unwrap_err();
        assert!(err.to_string().contains("drawing failed"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(dir.path()), ["a.png"]);
    }

    #[test]
    fn the_lock_names_its_holder_and_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let lock = DirLock::acquire(dir.path()).unwrap();
        let held = std::fs::read_to_string(dir.path().join(DirLock::PID_FILE)).unwrap();
        assert_eq!(held.trim(), std::process::id().to_string());
        let err = DirLock::acquire(dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is in use by process {}",
                dir.path().display(),
                std::process::id()
            )
        );
        drop(lock);
        // Released, and nothing left in the directory.
        assert!(names(dir.path()).is_empty());
        DirLock::acquire(dir.path()).unwrap();
    }

    /// The contents of the files of `dir`, by name: what a reader of the directory sees.
    fn contents(dir: &Path) -> Vec<(String, String)> {
        names(dir)
            .into_iter()
            .map(|n| {
                let text = std::fs::read_to_string(dir.join(&n)).unwrap_or_default();
                (n, text)
            })
            .collect()
    }

    const SET: [&str; 3] = ["report.json", "loss.png", "model.json"];

    /// A directory holding a complete previous set, each file saying "old".
    fn previous_set() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in SET {
            std::fs::write(dir.path().join(name), format!("old {name}")).unwrap();
        }
        dir
    }

    fn old_set() -> Vec<(String, String)> {
        let mut set: Vec<(String, String)> = SET
            .iter()
            .map(|n| ((*n).to_owned(), format!("old {n}")))
            .collect();
        set.sort();
        set
    }

    fn new_set() -> Vec<(String, String)> {
        let mut set: Vec<(String, String)> = SET
            .iter()
            .map(|n| ((*n).to_owned(), format!("new {n}")))
            .collect();
        set.sort();
        set
    }

    #[test]
    fn a_set_replaces_the_previous_one_at_the_commit() {
        let dir = previous_set();
        let mut set = OutputSet::open(dir.path(), &SET).unwrap();
        for name in SET {
            set.stage_bytes(name, format!("new {name}").as_bytes())
                .unwrap();
            // Staged, not in place: the directory still shows the previous set.
            let shown: Vec<_> = contents(dir.path())
                .into_iter()
                .filter(|(n, _)| !n.starts_with('.'))
                .collect();
            assert_eq!(shown, old_set());
        }
        set.commit().unwrap();
        assert_eq!(contents(dir.path()), new_set());
    }

    #[test]
    fn a_failure_while_staging_keeps_the_previous_set_and_leaves_nothing() {
        // The third output's writer fails, as a full disk would on the largest file.
        let dir = previous_set();
        let mut set = OutputSet::open(dir.path(), &SET).unwrap();
        set.stage_bytes("report.json", b"new").unwrap();
        set.stage_writer("loss.png", |w| {
            w.write_all(b"new").map_err(io_error(Path::new("loss.png")))
        })
        .unwrap();
        let err = set
            .stage("model.json", |temp| {
                std::fs::write(temp, "half a mod").unwrap();
                Err(OutputError::Io {
                    path: temp.to_path_buf(),
                    source: io::Error::from_raw_os_error(28),
                })
            })
            .unwrap_err();
        assert!(err.to_string().contains("No space left on device"), "{err}");
        drop(set);
        assert_eq!(contents(dir.path()), old_set());
    }

    #[test]
    fn a_rename_that_fails_inside_the_commit_puts_back_what_it_replaced() {
        let dir = previous_set();
        let mut set = OutputSet::open(dir.path(), &SET).unwrap();
        for name in SET {
            set.stage_bytes(name, format!("new {name}").as_bytes())
                .unwrap();
        }
        // The first rename succeeds, the second fails.
        let mut calls = 0;
        let err = set
            .commit_with(&mut |from, to| {
                calls += 1;
                if calls == 2 {
                    Err(io::Error::other("injected"))
                } else {
                    std::fs::rename(from, to)
                }
            })
            .unwrap_err();
        assert!(err.to_string().ends_with("injected"), "{err}");
        assert_eq!(contents(dir.path()), old_set());

        // Into an empty directory: the one output renamed before the failure is removed.
        let empty = tempfile::tempdir().unwrap();
        let mut set = OutputSet::open(empty.path(), &SET).unwrap();
        for name in SET {
            set.stage_bytes(name, b"new").unwrap();
        }
        let mut calls = 0;
        set.commit_with(&mut |from, to| {
            calls += 1;
            if calls == 3 {
                Err(io::Error::other("injected"))
            } else {
                std::fs::rename(from, to)
            }
        })
        .unwrap_err();
        assert_eq!(names(empty.path()), Vec::<String>::new());
    }

    #[test]
    #[should_panic(expected = "outputs never staged")]
    fn a_set_is_committed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::open(dir.path(), &SET).unwrap();
        set.stage_bytes("report.json", b"{}").unwrap();
        let _ = set.commit();
    }

    #[test]
    fn stale_temporaries_are_removed_when_a_set_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        // Left by runs that were killed: this version's, and an earlier version's model.
        write(
            ".nabla-Ab12Cd.model.json",
            "{\"format\":\"nabla-net/two-layer\",\"ver",
        );
        write(".nabla-Xy34Zw.report.json.old", "old");
        write(
            ".tmpQw12Er",
            "{\"format\":\"nabla-net/two-layer\",\"version\":1",
        );
        // Not ours, or not to be judged here.
        write(".tmpZx98Cv", "someone else's temporary file");
        write(
            ".nabla-download-Df45Gh",
            "a download of nabla-data's, cleared by age",
        );
        write("notes.txt", "mine");
        std::fs::create_dir(dir.path().join(".nabla-dir")).unwrap();
        let set = OutputSet::open(dir.path(), &["report.json"]).unwrap();
        assert_eq!(
            names(dir.path()),
            [
                ".nabla-dir",
                ".nabla-download-Df45Gh",
                ".nabla.pid",
                ".tmpZx98Cv",
                "notes.txt"
            ]
        );
        drop(set);
        assert!(!dir.path().join(".nabla.pid").exists());
    }

    #[test]
    fn an_output_that_is_not_a_file_is_refused_at_open() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("loss.png")).unwrap();
        let err = OutputSet::open(dir.path(), &SET).unwrap_err();
        assert!(
            matches!(
                err,
                OutputError::NotAFile {
                    kind: "a directory",
                    ..
                }
            ),
            "{err}"
        );
        // The lock went with the failed open.
        std::fs::remove_dir(dir.path().join("loss.png")).unwrap();
        OutputSet::open(dir.path(), &SET).unwrap();
    }

    /// The variable that tells a test it runs as a child of [`in_child`], and what to do.
    const CHILD: &str = "NABLA_OUTPUT_TEST_CHILD";

    /// Runs the test `name` again as a child process with `CHILD=case` and the directory
    /// `dir` in `NABLA_OUTPUT_TEST_DIR`; waits for the file `ready` to appear in `dir`,
    /// sends the child `signal`, creates `sent` in `dir`, and returns how the child ended
    /// (each wait bounded, so that a hang fails rather than stalls).
    #[cfg(unix)]
    fn signal_child(name: &str, case: &str, dir: &Path, signal: &str) -> std::process::ExitStatus {
        let exe = std::env::current_exe().unwrap();
        let mut child = std::process::Command::new(exe)
            .args(["--exact", name, "--nocapture"])
            .env(CHILD, case)
            .env("NABLA_OUTPUT_TEST_DIR", dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let ready = wait_for(|| dir.join("ready").exists());
        if !ready {
            let _ = child.kill();
            panic!("the child never got ready");
        }
        let sent = std::process::Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        std::fs::write(dir.join("sent"), "").unwrap();
        let ended = wait_for(|| child.try_wait().unwrap().is_some());
        if !ended {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        assert!(ended, "the child did not end");
        std::fs::remove_file(dir.join("ready")).unwrap();
        std::fs::remove_file(dir.join("sent")).unwrap();
        status
    }

    /// Polls `check` every 10 ms for at most a minute (a bound for a loaded machine).
    fn wait_for(mut check: impl FnMut() -> bool) -> bool {
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < give_up {
            if check() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        false
    }

    /// In a child: says it is ready and waits (at most a minute) for the parent's signal to
    /// have been sent.
    fn ready_then_wait(dir: &Path) {
        std::fs::write(dir.join("ready"), "").unwrap();
        wait_for(|| dir.join("sent").exists());
    }

    /// SIGINT or SIGTERM while the outputs are staged: the previous set stays, the staged
    /// files and the pid file go, and the process ends by the signal.
    #[cfg(unix)]
    #[test]
    fn a_signal_while_staging_keeps_the_previous_set_and_leaves_nothing() {
        const NAME: &str =
            "output::tests::a_signal_while_staging_keeps_the_previous_set_and_leaves_nothing";
        if let Ok(dir) = std::env::var("NABLA_OUTPUT_TEST_DIR")
            && std::env::var(CHILD).as_deref() == Ok("staging")
        {
            let dir = Path::new(&dir);
            clean_up_on_signals().unwrap();
            let mut set = OutputSet::open(dir, &SET).unwrap();
            set.stage_bytes("report.json", b"new").unwrap();
            set.stage("model.json", |temp| {
                std::fs::write(temp, "half a model").unwrap();
                ready_then_wait(dir);
                Ok::<(), OutputError>(())
            })
            .unwrap();
            set.stage_bytes("loss.png", b"new").unwrap();
            set.commit().unwrap();
            return;
        }
        use std::os::unix::process::ExitStatusExt;
        for (signal, number) in [("INT", 2), ("TERM", 15)] {
            let dir = previous_set();
            let status = signal_child(NAME, "staging", dir.path(), signal);
            assert_eq!(status.signal(), Some(number), "SIG{signal}: {status:?}");
            assert_eq!(contents(dir.path()), old_set(), "SIG{signal}");
        }
    }

    /// SIGTERM while the outputs are renamed into place: the renames finish first, then the
    /// process ends by the signal; the new set is complete.
    #[cfg(unix)]
    #[test]
    fn a_signal_during_the_commit_waits_for_it_to_finish() {
        const NAME: &str = "output::tests::a_signal_during_the_commit_waits_for_it_to_finish";
        if let Ok(dir) = std::env::var("NABLA_OUTPUT_TEST_DIR")
            && std::env::var(CHILD).as_deref() == Ok("commit")
        {
            let dir = Path::new(&dir);
            clean_up_on_signals().unwrap();
            let mut set = OutputSet::open(dir, &SET).unwrap();
            for name in SET {
                set.stage_bytes(name, format!("new {name}").as_bytes())
                    .unwrap();
            }
            let mut calls = 0;
            set.commit_with(&mut |from, to| {
                calls += 1;
                // Between the first and the second rename: the signal arrives here.
                if calls == 2 {
                    ready_then_wait(dir);
                    // Give the signal thread time to be waiting on the hold.
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                std::fs::rename(from, to)
            })
            .unwrap();
            // The signal ends the process once the commit releases its hold; this line
            // must not run to its end.
            std::thread::sleep(std::time::Duration::from_secs(60));
            return;
        }
        use std::os::unix::process::ExitStatusExt;
        let dir = previous_set();
        let status = signal_child(NAME, "commit", dir.path(), "TERM");
        assert_eq!(status.signal(), Some(15), "{status:?}");
        assert_eq!(contents(dir.path()), new_set());
    }
}

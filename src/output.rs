//! Writing outputs (reports, charts) so that nothing half-written or foreign is ever
//! destroyed, and one run at a time per output directory.
//!
//! - [`write_atomically`] and [`write_atomically_with`] write into a temporary file beside
//!   the target and rename it into place, so a reader sees the old file or the new one,
//!   never half of one. The finished file is `0644` on Unix, like any file the user creates.
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
//! use nabla::output::{DirLock, OutputError, write_atomically};
//!
//! let dir = tempfile::tempdir()?;
//! let lock = DirLock::acquire(dir.path())?;
//! write_atomically(&dir.path().join("report.json"), b"{}")?;
//! // A second lock on the same directory fails at once (here, from the same process).
//! let err = DirLock::acquire(dir.path()).unwrap_err();
//! assert!(matches!(err, OutputError::InUse { pid: Some(p), .. } if p == std::process::id()));
//! drop(lock);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use nabla_data::file_kind as kind;

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
        source: std::io::Error,
    },
}

/// Checks that `path` is a regular file or nothing (symlinks are not followed).
///
/// # Errors
///
/// [`OutputError::NotAFile`] for a symlink, FIFO, device, socket or directory;
/// [`OutputError::Io`] when the path cannot be examined.
pub fn check_replaceable(path: &Path) -> Result<(), OutputError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) => Err(OutputError::NotAFile {
            path: path.to_path_buf(),
            kind: kind(meta.file_type()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(OutputError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes a file at `path` by calling `write` with the path of a fresh temporary file in the
/// same directory (named `.nabla-*` and ending in `suffix`, for writers that choose their
/// format by extension), then renaming it into place. On any error the temporary file is
/// removed and whatever was at `path` stays as it was.
///
/// # Errors
///
/// Those of [`check_replaceable`], [`OutputError::Io`] when the temporary file cannot be
/// created or renamed, and whatever `write` returns.
pub fn write_atomically_with<E: From<OutputError>>(
    path: &Path,
    suffix: &str,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    check_replaceable(path)?;
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".nabla-").suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    // Until `persist` succeeds, dropping `temp` deletes the temporary file.
    let temp = builder.tempfile_in(dir).map_err(io)?;
    write(temp.path())?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically (see [`write_atomically_with`]).
///
/// # Errors
///
/// Those of [`write_atomically_with`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomically_with(path, "", |temp| {
        std::fs::write(temp, bytes).map_err(|source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// An exclusive lock on a directory, held until it is dropped (or the process ends, however
/// it ends: the operating system releases it with the process's files).
///
/// The lock is taken on the directory itself (`flock` on Unix), so no lock file can be left
/// behind to block later runs. Beside it, the holder writes its process id into
/// [`DirLock::PID_FILE`] for the message of a second run, and removes that file when the
/// lock is dropped; a holder that is killed leaves it, and the next holder overwrites it.
#[derive(Debug)]
pub struct DirLock {
    pid_file: PathBuf,
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
        std::fs::write(&pid_file, format!("{}\n", std::process::id())).map_err(|source| {
            OutputError::Io {
                path: pid_file.clone(),
                source,
            }
        })?;
        Ok(Self {
            pid_file,
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

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

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
        let err = write_atomically_with(&path, ".png", |temp| {
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
}

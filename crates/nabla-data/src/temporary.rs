//! Temporary files that the process knows about, so that they can be removed when it is
//! interrupted.
//!
//! Every file nabla writes (a download, a model, a report, a chart) is first written to a
//! temporary file beside its target and renamed into place when it is complete. A process
//! that is interrupted (Ctrl-C, `kill`) would leave such a file behind, and a large one
//! (a model of millions of parameters) takes real space. So every temporary file is made
//! through [`Temporary`], which names it with the project's [`PREFIX`] and records it in a
//! process-wide registry until it is renamed into place or removed; [`remove_all`] deletes
//! every one still recorded, which is what the `nabla` command does on SIGINT, SIGTERM and
//! SIGHUP before it ends. A file that must go when the process is interrupted but is not a
//! temporary one (a lock's pid file) is recorded with [`register`].
//!
//! Several files renamed into place as one set (the outputs of a run) are renamed while a
//! [`Hold`] is held: [`remove_all`] waits for it, so an interruption never falls between two
//! of those renames.
//!
//! This module is public for nabla's other crates and the `nabla` command, which write their
//! files through it; it is not part of the data API.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The start of the name of every temporary file nabla makes: `.nabla-` (hidden on Unix).
pub const PREFIX: &str = ".nabla-";

/// The start of the name of a download's temporary file; nabla-data removes those that a
/// killed download left behind once they are a day old.
pub const DOWNLOAD_PREFIX: &str = ".nabla-download-";

/// The random part of a temporary file's name: six letters or digits.
pub const RANDOM_LEN: usize = 6;

/// The files to remove when the process is interrupted.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Held while several files are renamed as one set (see [`Hold`]).
static GATE: Mutex<()> = Mutex::new(());

/// The registry, even if a thread panicked while holding it: a list of paths stays valid.
fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn forget(path: &Path) {
    let mut live = live();
    if let Some(i) = live.iter().rposition(|p| p == path) {
        live.swap_remove(i);
    }
}

/// The directory a file is written in: its parent, or `.` for a bare name.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A file recorded to be removed if the process is interrupted; dropping it forgets the
/// record (the file itself is the owner's to remove).
#[derive(Debug)]
pub struct Registered(PathBuf);

/// Records `path` to be removed by [`remove_all`] until the returned value is dropped.
pub fn register(path: &Path) -> Registered {
    live().push(path.to_path_buf());
    Registered(path.to_path_buf())
}

impl Drop for Registered {
    fn drop(&mut self) {
        forget(&self.0);
    }
}

/// A temporary file in the directory of its future target, named
/// `<prefix><six random letters or digits><suffix>`, readable like any file the user
/// creates (`0644` on Unix). It is removed when dropped, unless it was renamed into place
/// with [`Temporary::persist`], and by [`remove_all`] while it exists.
#[derive(Debug)]
pub struct Temporary {
    file: Option<File>,
    // `None` once renamed into place.
    path: Option<tempfile::TempPath>,
}

/// How a temporary file beside its future target is named: the two kinds that nabla makes,
/// which the clean-up of files left by killed processes tells apart by their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Naming {
    /// `.nabla-XXXXXX.<the target's name>` (a model, a report, a chart): the name keeps the
    /// target's extension, for writers that choose their format by it, and says what it was
    /// to become. The next `nabla` run that writes into the directory removes one left behind.
    Output,
    /// `.nabla-XXXXXX` followed by nothing, after [`DOWNLOAD_PREFIX`]: a download, which the
    /// next download into the directory removes once it is a day old (another process may
    /// still be writing it).
    Download,
}

impl Temporary {
    /// Creates an empty temporary file in the directory of `target` (`.` for a bare name),
    /// named as `naming` says.
    ///
    /// # Errors
    ///
    /// When the file cannot be created (a directory that does not exist or is not writable).
    pub fn beside(target: &Path, naming: Naming) -> io::Result<Self> {
        match naming {
            Naming::Output => {
                let name = target
                    .file_name()
                    .map_or_else(String::new, |n| format!(".{}", n.to_string_lossy()));
                Self::create_in(parent_dir(target), PREFIX, &name)
            }
            Naming::Download => Self::create_in(parent_dir(target), DOWNLOAD_PREFIX, ""),
        }
    }

    /// Creates an empty temporary file in `dir`. `prefix` should start with [`PREFIX`];
    /// `suffix` keeps an extension for writers that choose their format by it (`.png`).
    ///
    /// # Errors
    ///
    /// When the file cannot be created (a directory that does not exist or is not writable).
    pub fn create_in(dir: &Path, prefix: &str, suffix: &str) -> io::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix).suffix(suffix).rand_bytes(RANDOM_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        // Created and recorded under the registry's lock: `remove_all` sees it or runs first.
        let mut live = live();
        let (file, path) = builder.tempfile_in(dir)?.into_parts();
        live.push(path.to_path_buf());
        Ok(Self {
            file: Some(file),
            path: Some(path),
        })
    }

    /// A second name for the existing file `original` (a hard link), in its directory, named
    /// like [`Temporary::create_in`]'s files: a copy of its present content that costs no
    /// space, to put back if what replaces it must be undone.
    ///
    /// # Errors
    ///
    /// When the link cannot be made (a file system without hard links, no such file).
    pub fn link_to(original: &Path, prefix: &str, suffix: &str) -> io::Result<Self> {
        let dir = parent_dir(original);
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix).suffix(suffix).rand_bytes(RANDOM_LEN);
        let mut live = live();
        let ((), path) = builder
            .make_in(dir, |path| std::fs::hard_link(original, path))?
            .into_parts();
        live.push(path.to_path_buf());
        Ok(Self {
            file: None,
            path: Some(path),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        self.path
            .as_deref()
            .expect("a temporary file has a path until it is persisted") // ok: `path` is `None` only inside `persist_with`, which consumes `self`
    }

    /// The open file ([`Temporary::create_in`]'s), for writing, syncing or its metadata.
    ///
    /// # Panics
    ///
    /// For a link made by [`Temporary::link_to`], which has no open file.
    pub fn as_file(&self) -> &File {
        self.file
            .as_ref()
            .expect("a temporary link has no open file") // ok: documented panic; only `link_to` makes one without a file
    }

    /// Renames the file to `target` (replacing a file there) and stops tracking it.
    ///
    /// # Errors
    ///
    /// When the rename fails; the temporary file is then removed.
    pub fn persist(self, target: &Path) -> io::Result<()> {
        self.persist_with(target, |from, to| std::fs::rename(from, to))
    }

    /// [`Temporary::persist`] with the rename done by `rename(from, to)` (tests inject
    /// failures through it).
    ///
    /// # Errors
    ///
    /// Those of `rename`; the temporary file is then removed.
    pub fn persist_with(
        mut self,
        target: &Path,
        rename: impl FnOnce(&Path, &Path) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        match rename(&path, target) {
            Ok(()) => {
                forget(&path);
                // Renamed away: nothing to delete at the old name.
                let _ = path.keep();
                Ok(())
            }
            Err(e) => {
                forget(&path);
                drop(path);
                Err(e)
            }
        }
    }
}

impl Write for Temporary {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(io::Error::other("a temporary link is not written")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            forget(&path);
            // Dropping the `TempPath` deletes the file (best effort: it may be gone).
            drop(path);
        }
    }
}

/// While held, [`remove_all`] waits: files renamed while it is held are renamed as one step
/// that an interruption does not split. Hold it only for the renames (microseconds), never
/// while waiting for something else.
#[must_use = "the hold ends when it is dropped"]
#[derive(Debug)]
pub struct Hold {
    _gate: MutexGuard<'static, ()>,
}

/// Takes the [`Hold`], waiting if another thread has it.
pub fn hold() -> Hold {
    Hold {
        _gate: GATE.lock().unwrap_or_else(PoisonError::into_inner),
    }
}

/// What [`remove_all`] returns: while it is held, no temporary file is created, renamed as
/// part of a set or removed from the registry, so the caller can end the process knowing
/// that none is left.
#[must_use = "end the process while holding it"]
#[derive(Debug)]
pub struct Removed {
    _hold: Hold,
    _live: MutexGuard<'static, Vec<PathBuf>>,
    /// How many files were removed.
    pub count: usize,
}

/// Removes every recorded file (after waiting for a [`Hold`] to end) and returns a guard that
/// keeps any new one from being made. For a signal handler that is about to end the process.
pub fn remove_all() -> Removed {
    let hold = hold();
    let mut live = live();
    let mut count = 0;
    for path in live.drain(..) {
        if std::fs::remove_file(&path).is_ok() {
            count += 1;
        }
    }
    Removed {
        _hold: hold,
        _live: live,
        count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_io::{CHILD_CASE, names_in as names, rerun_with_env};
    use std::sync::mpsc;
    use std::time::Duration;

    fn recorded(path: &Path) -> bool {
        live().iter().any(|p| p == path)
    }

    #[test]
    fn a_temporary_is_named_recorded_and_gone_when_dropped_or_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let mut temp = Temporary::create_in(dir.path(), PREFIX, ".model.json").unwrap();
        temp.write_all(b"{}").unwrap();
        let name = temp
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            name.starts_with(".nabla-") && name.ends_with(".model.json"),
            "{name}"
        );
        assert_eq!(
            name.len(),
            ".nabla-".len() + RANDOM_LEN + ".model.json".len()
        );
        assert!(recorded(temp.path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = temp.as_file().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644, "{mode:o}");
        }
        let path = temp.path().to_path_buf();
        drop(temp);
        assert!(!path.exists() && !recorded(&path));

        let temp = Temporary::create_in(dir.path(), PREFIX, "").unwrap();
        let path = temp.path().to_path_buf();
        let target = dir.path().join("model.json");
        temp.persist(&target).unwrap();
        assert!(target.exists() && !recorded(&path));
        assert_eq!(names(dir.path()), ["model.json"]);

        // A failed rename removes the temporary file too.
        let temp = Temporary::create_in(dir.path(), PREFIX, "").unwrap();
        let path = temp.path().to_path_buf();
        let err = temp
            .persist_with(&target, |_, _| Err(io::Error::other("injected")))
            .unwrap_err();
        assert_eq!(err.to_string(), "injected");
        assert!(!path.exists() && !recorded(&path));
        assert_eq!(names(dir.path()), ["model.json"]);
    }

    #[test]
    fn a_link_keeps_the_old_content_and_can_be_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        std::fs::write(&target, "old").unwrap();
        let backup = Temporary::link_to(&target, PREFIX, ".old").unwrap();
        std::fs::write(dir.path().join("new"), "new").unwrap();
        std::fs::rename(dir.path().join("new"), &target).unwrap();
        assert_eq!(std::fs::read_to_string(backup.path()).unwrap(), "old");
        backup.persist(&target).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    /// Runs in a child process (see `rerun_with_env`): `remove_all` deletes every recorded
    /// file of the process, which in the shared test process would be other tests' files.
    #[test]
    fn remove_all_deletes_what_is_recorded_and_waits_for_a_hold() {
        if std::env::var(CHILD_CASE).is_err() {
            rerun_with_env(
                "temporary::tests::remove_all_deletes_what_is_recorded_and_waits_for_a_hold",
                &[],
                &[("sweep", &[])],
            );
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let temp = Temporary::create_in(dir.path(), PREFIX, ".png").unwrap();
        let pid_file = dir.path().join(".nabla.pid");
        std::fs::write(&pid_file, "1").unwrap();
        let registered = register(&pid_file);
        std::fs::write(dir.path().join("report.json"), "mine").unwrap();

        // A hold (a set being renamed) makes remove_all wait until it ends.
        let hold = hold();
        let (tx, rx) = mpsc::channel();
        let sweeper = std::thread::spawn(move || {
            let removed = remove_all();
            tx.send(removed.count).unwrap();
        });
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        assert!(temp.path().exists());
        drop(hold);
        assert_eq!(rx.recv_timeout(Duration::from_secs(60)).unwrap(), 2);
        sweeper.join().unwrap();
        assert_eq!(names(dir.path()), ["report.json"]);
        // Dropping after the sweep is harmless.
        drop(temp);
        drop(registered);
    }
}

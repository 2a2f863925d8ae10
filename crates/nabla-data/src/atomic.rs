//! Replacing a file atomically, and the one check of what may be replaced: every file nabla
//! writes (a download here, a model in nabla-net, a run's outputs in the `nabla` command)
//! goes through [`replace`] or, for a set renamed together, [`write_beside`].
//!
//! A file is written to a [`Temporary`] beside its target, synced, and renamed over the
//! target: a reader sees the old file or the new one, never half of one, and on any error
//! (or an interruption of the `nabla` command) the temporary file is removed and the target
//! is left as it was. Only a regular file (or nothing) is replaced: a rename over a symlink
//! would replace the link rather than write where it points, and over a FIFO or a device
//! node it would destroy the node. [`file_kind`] names what is there instead, in the words
//! every crate's error message uses.
//!
//! This module is public for nabla's other crates and the `nabla` command; it is not part of
//! the data API. Each crate turns a [`ReplaceError`] into its own error type, with the path.

use std::fs::FileType;
use std::io;
use std::path::Path;

use crate::temporary::{Naming, Temporary};

/// Why a file could not be replaced. Exhaustive on purpose: each crate turns every variant
/// into its own error, and a new one should make them say how.
#[derive(Debug)]
pub enum ReplaceError<E> {
    /// Something other than a regular file is at the target ("a symlink", "a FIFO (named
    /// pipe)", ...: see [`file_kind`]); it was left as it is.
    NotAFile(&'static str),
    /// Examining the target, or creating, syncing or renaming the temporary file failed.
    Io(io::Error),
    /// The writer's own error.
    Write(E),
}

/// What is at a path, in words for an error message ("a directory", "a FIFO (named
/// pipe)", "a symlink", ...), for a file type that is not a regular file. nabla's crates
/// use it wherever they refuse such a path, so that they all say it the same way.
pub fn file_kind(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_symlink() {
        "a symlink"
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Checks that `path` is a regular file or nothing (symlinks are not followed), so that it
/// may be replaced.
///
/// # Errors
///
/// [`ReplaceError::NotAFile`] for a symlink, FIFO, device, socket or directory;
/// [`ReplaceError::Io`] when the path cannot be examined.
pub fn check_replaceable<E>(path: &Path) -> Result<(), ReplaceError<E>> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) => Err(ReplaceError::NotAFile(file_kind(meta.file_type()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ReplaceError::Io(e)),
    }
}

/// Writes the future content of `target` into a fresh [`Temporary`] beside it (named as
/// `naming` says) by calling `write` with it, syncs it to disk and returns it, not yet in
/// place: for files renamed into place together, later. `write` may write through the
/// temporary file (it is a [`Write`](std::io::Write)) or open its
/// [`path`](Temporary::path) itself. On an error the temporary file is removed.
///
/// # Errors
///
/// [`ReplaceError::Io`] when the temporary file cannot be created or synced,
/// [`ReplaceError::Write`] with what `write` returned.
pub fn write_beside<E>(
    target: &Path,
    naming: Naming,
    write: impl FnOnce(&mut Temporary) -> Result<(), E>,
) -> Result<Temporary, ReplaceError<E>> {
    let mut temp = Temporary::beside(target, naming).map_err(ReplaceError::Io)?;
    write(&mut temp).map_err(ReplaceError::Write)?;
    // The writer may have used its own handle: syncing ours flushes the same file.
    temp.as_file().sync_all().map_err(ReplaceError::Io)?;
    Ok(temp)
}

/// Replaces `target` atomically: checks that it may be replaced ([`check_replaceable`]),
/// writes the new content beside it ([`write_beside`]) and renames it into place. On any
/// error the temporary file is removed and whatever was at `target` stays as it was.
///
/// # Errors
///
/// Those of [`check_replaceable`] and [`write_beside`], and [`ReplaceError::Io`] when the
/// rename fails.
pub fn replace<E>(
    target: &Path,
    naming: Naming,
    write: impl FnOnce(&mut Temporary) -> Result<(), E>,
) -> Result<(), ReplaceError<E>> {
    check_replaceable(target)?;
    // Until `persist` succeeds, dropping the temporary file deletes it.
    write_beside(target, naming, write)?
        .persist(target)
        .map_err(ReplaceError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_io::names_in as names;
    use std::io::Write;

    /// The temporary's own file name, as the writer sees it.
    fn file_name(temp: &Temporary) -> String {
        temp.path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn replace_writes_through_a_temporary_named_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("model.json");
        std::fs::write(&target, "old").unwrap();
        let mut seen = None;
        replace::<io::Error>(&target, Naming::Output, |temp| {
            seen = Some(file_name(temp));
            temp.write_all(b"new")
        })
        .unwrap();
        let seen = seen.unwrap();
        assert!(
            seen.starts_with(crate::temporary::PREFIX) && seen.ends_with(".model.json"),
            "{seen}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(dir.path()), ["model.json"]);

        let mut seen = None;
        replace::<io::Error>(&target, Naming::Download, |temp| {
            seen = Some(file_name(temp));
            Ok(())
        })
        .unwrap();
        let seen = seen.unwrap();
        assert!(
            seen.starts_with(crate::temporary::DOWNLOAD_PREFIX),
            "{seen}"
        );
        assert_eq!(
            seen.len(),
            crate::temporary::DOWNLOAD_PREFIX.len() + crate::temporary::RANDOM_LEN
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    }

    #[test]
    fn a_failed_writer_leaves_the_target_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        std::fs::write(&target, "old").unwrap();
        let err = replace(&target, Naming::Output, |temp| {
            temp.write_all(b"half")?;
            Err::<(), _>(io::Error::other("injected"))
        })
        .unwrap_err();
        assert!(matches!(&err, ReplaceError::Write(e) if e.to_string() == "injected"));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    #[test]
    fn only_a_regular_file_or_nothing_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_replaceable::<()>(&dir.path().join("nothing")).is_ok());
        let err = replace(dir.path(), Naming::Output, |_| Ok::<(), ()>(())).unwrap_err();
        assert!(
            matches!(err, ReplaceError::NotAFile("a directory")),
            "{err:?}"
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(dir.path().join("nothing"), &link).unwrap();
            let err = replace(&link, Naming::Output, |_| Ok::<(), ()>(())).unwrap_err();
            assert!(
                matches!(err, ReplaceError::NotAFile("a symlink")),
                "{err:?}"
            );
            // The dangling link is still there, and nothing else.
            assert_eq!(names(dir.path()), ["link"]);
        }
    }
}

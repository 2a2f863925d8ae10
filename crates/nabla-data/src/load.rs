//! Reading one split's two files from a directory.

use std::path::{Path, PathBuf};

use crate::files::{check_content, check_readable, read_idx};
use crate::{Error, Idx, MnistFile, Result, Split};

/// One parsed file and where it came from.
pub(crate) struct Loaded {
    pub(crate) idx: Idx,
    pub(crate) path: PathBuf,
}

/// Reads, decompresses and parses the images and labels files of `split` in `dir` (the two at
/// once, each on its own thread), and when `verify` is set checks the SHA-256 of each one's
/// content against the published one.
///
/// Nothing is converted here: the bytes are what every use starts from, and the `f32` matrix
/// is built only when asked for ([`Mnist::images`](crate::Mnist::images)).
pub(crate) fn read_split(dir: &Path, split: Split, verify: bool) -> Result<(Loaded, Loaded)> {
    if !dir.is_dir() {
        // Say which directory, rather than which file in it, is the problem.
        return match std::fs::metadata(dir) {
            Err(source) => Err(Error::Io {
                path: dir.to_path_buf(),
                source,
            }),
            Ok(_) => Err(Error::NotADirectory {
                path: dir.to_path_buf(),
            }),
        };
    }
    check_readable(dir)?;
    let read = |file: MnistFile| -> Result<Loaded> {
        let path = file.path_in(dir);
        let idx = read_idx(&path, file)?;
        if verify {
            check_content(idx.dims(), idx.data(), file.sha256(), &path)?;
        }
        Ok(Loaded { idx, path })
    };
    let (images, labels) = rayon::join(
        || read(MnistFile::images(split)),
        || read(MnistFile::labels(split)),
    );
    Ok((images?, labels?))
}

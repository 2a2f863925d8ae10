//! What loading MNIST reports while it checks and downloads files, for a progress display.

use std::path::Path;

use crate::{Error, MnistFile};

/// What the loader reports while it checks and downloads files, for a progress display.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A file already on disk matched its checksum.
    Verified {
        /// The file.
        file: MnistFile,
        /// Where it is.
        path: &'a Path,
    },
    /// A file on disk failed its check; it is not used (and is fetched again if downloads are
    /// allowed).
    Rejected {
        /// The file.
        file: MnistFile,
        /// The error that rejected it.
        error: &'a Error,
    },
    /// A download from `url` began; `total` is the body's length when the server sent it.
    Started {
        /// The file.
        file: MnistFile,
        /// Where it comes from (with any `user:password@` in the URL shown as `***@`).
        url: &'a str,
        /// Body length in bytes, if known.
        total: Option<u64>,
    },
    /// More bytes arrived.
    Progress {
        /// The file.
        file: MnistFile,
        /// Bytes received so far from the current mirror.
        done: u64,
        /// Body length in bytes, if known.
        total: Option<u64>,
    },
    /// A mirror failed; the next one is tried.
    MirrorFailed {
        /// The file.
        file: MnistFile,
        /// The URL that failed (with any `user:password@` shown as `***@`).
        url: &'a str,
        /// What went wrong.
        reason: &'a str,
    },
    /// A downloaded file matched its checksum and is in place.
    Saved {
        /// The file.
        file: MnistFile,
        /// Where it is.
        path: &'a Path,
    },
}

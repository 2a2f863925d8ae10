//! The crate's errors: [`IdxError`] for bytes that are not a valid IDX file, [`Error`] for
//! everything that involves a file, a directory or a download, naming it.

use std::io;
use std::path::PathBuf;

/// Why a sequence of bytes is not a valid IDX file of unsigned bytes.
///
/// The parser knows no file names; [`Error::Idx`] adds the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdxError {
    /// The input ended inside the header.
    #[error("truncated header: {got} bytes where the header needs {needed}")]
    TruncatedHeader {
        /// Header bytes required (4 for the magic, then 4 per dimension).
        needed: usize,
        /// Bytes that were there.
        got: usize,
    },
    /// The first two bytes of the magic number are not zero.
    #[error(
        "bad magic number {:02x}{:02x}{:02x}{:02x}: an IDX file starts with two zero bytes \
         (e.g. 00000803 for images, 00000801 for labels)",
        found[0], found[1], found[2], found[3]
    )]
    BadMagic {
        /// The four bytes found.
        found: [u8; 4],
    },
    /// The type byte names an element type other than unsigned bytes.
    #[error("unsupported IDX type byte 0x{found:02x}: expected 0x08 (unsigned byte)")]
    UnsupportedType {
        /// The type byte found.
        found: u8,
    },
    /// The magic number is a valid IDX one but not the one this file must start with (one of
    /// MNIST's files: `00000803` for images, `00000801` for labels).
    #[error(
        "wrong magic number {:02x}{:02x}{:02x}{:02x} ({} dimension{}): this file must start with \
         {:02x}{:02x}{:02x}{:02x} (unsigned bytes, {} dimension{})",
        found[0], found[1], found[2], found[3], found[3], plural(found[3]),
        expected[0], expected[1], expected[2], expected[3], expected[3], plural(expected[3])
    )]
    WrongMagic {
        /// The four bytes found.
        found: [u8; 4],
        /// The four bytes the file must start with.
        expected: [u8; 4],
    },
    /// The header declares a payload larger than the file may hold: more than one of MNIST's
    /// files holds, or more than [`Idx::MAX_PAYLOAD`](crate::Idx::MAX_PAYLOAD) (or the limit
    /// given to [`Idx::from_reader_with_limit`](crate::Idx::from_reader_with_limit)). It is
    /// refused before the payload is read or decompressed.
    #[error(
        "the header declares dimensions {dims:?}, a payload of {declared} bytes, more than the \
         {limit} bytes this file may hold"
    )]
    TooLarge {
        /// The dimensions of the header.
        dims: Vec<usize>,
        /// The payload bytes they make.
        declared: u64,
        /// The most the file may hold.
        limit: u64,
    },
    /// The product of the dimensions does not fit in memory's address space.
    #[error("dimensions {dims:?} overflow: their product does not fit in usize")]
    DimsOverflow {
        /// The dimensions of the header.
        dims: Vec<usize>,
    },
    /// The payload is shorter than the dimensions say.
    #[error("truncated payload: the header promises {expected} bytes, the input holds {got}")]
    TruncatedPayload {
        /// Payload bytes the dimensions promise.
        expected: u64,
        /// Payload bytes that were there.
        got: u64,
    },
    /// The input goes on after the payload.
    #[error("trailing bytes after the {expected}-byte payload that the header describes")]
    TrailingBytes {
        /// Payload bytes the dimensions promise.
        expected: u64,
    },
    /// The gzip stream is corrupt or truncated.
    #[error("corrupt or truncated gzip stream: {0}")]
    Gzip(#[source] io::Error),
    /// Reading the input failed.
    #[error("read error: {0}")]
    Io(#[source] io::Error),
}

/// An error of loading, verifying or downloading MNIST; every variant names its file or
/// directory.
///
/// Its `Debug` is its message (as `Display`), so that a program whose `main` returns
/// `Result<(), nabla_data::Error>` (or a `Box<dyn Error>` holding one) ends with a sentence
/// that says what went wrong and what to do, not a struct; match on the variant for its
/// fields.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file that should be there is not.
    #[error("{path}: file not found")]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// Reading, writing or listing a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A data file's path names something other than a regular file (a directory, a FIFO,
    /// a device, a socket): it is refused by name rather than read, since a FIFO would block
    /// forever and a device never end.
    #[error("{path}: is {kind}, not a regular file")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead ("a directory", "a FIFO", ...).
        kind: &'static str,
    },
    /// A data file is larger than any file of its name can be (twice the uncompressed size of
    /// the MNIST file, which leaves room for any compression): refused before it is read.
    #[error(
        "{path}: {len} bytes is more than the {max} bytes that a file of this name may take \
         (twice the uncompressed MNIST file)"
    )]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// The most it may take.
        max: u64,
    },
    /// A directory exists but cannot be read (no permission to list or enter it).
    #[error("{path}: the directory cannot be read: {source}")]
    UnreadableDir {
        /// The directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A path that must be a directory (the data directory, the cache) exists and is not one.
    #[error("{path}: exists and is not a directory (it must be the MNIST directory or lead to it)")]
    NotADirectory {
        /// The path, or the first part of it that exists and is not a directory.
        path: PathBuf,
    },
    /// A setting from the environment is not valid.
    #[error("${name} = {value:?}: {expected}")]
    Setting {
        /// The environment variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// A timeout given in code ([`Timeouts::new`](crate::Timeouts::new)) is zero.
    #[error("the {name} of downloads is {} s; it must be greater than 0", value.as_secs_f64())]
    Timeout {
        /// Which one: "idle timeout" or "deadline".
        name: &'static str,
        /// Its value.
        value: std::time::Duration,
    },
    /// A file is not a valid IDX file.
    #[error("{path}: {source}")]
    Idx {
        /// The file.
        path: PathBuf,
        /// What was wrong with its bytes.
        #[source]
        source: IdxError,
    },
    /// A valid IDX file with the wrong shape (labels that are not one-dimensional, images
    /// that are not three-dimensional).
    #[error("{path}: dimensions {found:?}, expected {expected}")]
    Shape {
        /// The file.
        path: PathBuf,
        /// What the file should hold.
        expected: &'static str,
        /// Its dimensions.
        found: Vec<usize>,
    },
    /// The image and label files of a split hold different numbers of items.
    #[error("{images} holds {image_count} images but {labels} holds {label_count} labels")]
    CountMismatch {
        /// The image file.
        images: PathBuf,
        /// The label file.
        labels: PathBuf,
        /// Images in the image file.
        image_count: usize,
        /// Labels in the label file.
        label_count: usize,
    },
    /// A label outside `0..=9`.
    #[error("{path}: label {label} at index {index} is not a digit 0..=9")]
    BadLabel {
        /// The label file.
        path: PathBuf,
        /// Index of the first bad label.
        index: usize,
        /// Its value.
        label: u8,
    },
    /// The decompressed content's SHA-256 differs from the published one.
    #[error(
        "{path}: checksum mismatch: SHA-256 of the decompressed content is {actual}, \
         expected {expected}; the file is corrupt or not the original MNIST file"
    )]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The published SHA-256, hex.
        expected: String,
        /// The SHA-256 found, hex.
        actual: String,
    },
    /// Every mirror failed to deliver a file whose checksum matches.
    ///
    /// Its message ends with what to do instead, on a line of its own, for the library and
    /// the `nabla` command alike: use files you have (`$MNIST_DIR`, [`MnistSource::dir`],
    /// `--data DIR`) or download from another server (`$NABLA_MNIST_MIRROR`,
    /// [`MnistSource::with_mirrors`], `--mirror URL`), and the timeouts for slow servers.
    ///
    /// [`MnistSource::dir`]: crate::MnistSource::dir
    /// [`MnistSource::with_mirrors`]: crate::MnistSource::with_mirrors
    #[error(
        "could not download {file} into {}: {}\n\
         to use MNIST files you already have, set ${dir_env} to their directory (nabla: --data \
         DIR; in code: MnistSource::dir); to download from another server, set ${mirror_env} to \
         its URL (nabla: --mirror URL; in code: MnistSource::with_mirrors); slow servers: \
         ${idle_env} and ${deadline_env}, in seconds",
        dir.display(),
        attempts.join("; "),
        dir_env = crate::MNIST_DIR_ENV,
        mirror_env = crate::MIRROR_ENV,
        idle_env = crate::IDLE_TIMEOUT_ENV,
        deadline_env = crate::DEADLINE_ENV,
    )]
    Download {
        /// The file name.
        file: &'static str,
        /// The directory it was to be saved in.
        dir: PathBuf,
        /// One line per mirror tried: the URL and what went wrong.
        attempts: Vec<String>,
    },
    /// No directory was given, `$MNIST_DIR` is unset and the platform has no cache directory.
    #[error(
        "no MNIST directory: give one explicitly or set $MNIST_DIR (this platform has no \
         per-user cache directory)"
    )]
    NoCacheDir,
    /// A mini-batch sampler was asked for something impossible.
    #[error("invalid batch sampler: {0}")]
    Sampler(String),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The message already carries the cause of each variant (an I/O error, an IDX error).
        std::fmt::Display::fmt(self, f)
    }
}

/// `"s"` unless `n` is 1.
fn plural(n: u8) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

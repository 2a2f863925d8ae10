//! The four files of MNIST, their published checksums, and checking a file against them.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::atomic::file_kind;
use crate::idx::{Expect, IDX_TYPE_U8, IdxReader, idx_header};
use crate::{Error, Idx, IdxError, Result, Split};

/// One of the four files of the MNIST distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MnistFile {
    /// `train-images-idx3-ubyte.gz`: 60000 images of 28 x 28.
    TrainImages,
    /// `train-labels-idx1-ubyte.gz`: 60000 labels.
    TrainLabels,
    /// `t10k-images-idx3-ubyte.gz`: 10000 images of 28 x 28.
    TestImages,
    /// `t10k-labels-idx1-ubyte.gz`: 10000 labels.
    TestLabels,
}

impl MnistFile {
    /// The four files, training set first.
    pub const ALL: [MnistFile; 4] = [
        Self::TrainImages,
        Self::TrainLabels,
        Self::TestImages,
        Self::TestLabels,
    ];

    /// The images file of `split`.
    pub fn images(split: Split) -> Self {
        match split {
            Split::Train => Self::TrainImages,
            Split::Test => Self::TestImages,
        }
    }

    /// The labels file of `split`.
    pub fn labels(split: Split) -> Self {
        match split {
            Split::Train => Self::TrainLabels,
            Split::Test => Self::TestLabels,
        }
    }

    /// The split the file belongs to.
    pub fn split(self) -> Split {
        match self {
            Self::TrainImages | Self::TrainLabels => Split::Train,
            Self::TestImages | Self::TestLabels => Split::Test,
        }
    }

    /// The file name that mirrors serve and the cache stores (gzip-compressed).
    pub fn file_name(self) -> &'static str {
        match self {
            Self::TrainImages => "train-images-idx3-ubyte.gz",
            Self::TrainLabels => "train-labels-idx1-ubyte.gz",
            Self::TestImages => "t10k-images-idx3-ubyte.gz",
            Self::TestLabels => "t10k-labels-idx1-ubyte.gz",
        }
    }

    /// The SHA-256 of the *decompressed* file, lower-case hex. Mirrors serve differently
    /// compressed files with the same content, so the content is what is checked.
    pub fn sha256(self) -> &'static str {
        match self {
            Self::TrainImages => "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            Self::TrainLabels => "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            Self::TestImages => "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            Self::TestLabels => "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        }
    }

    /// The size in bytes of the decompressed file.
    pub fn decompressed_len(self) -> u64 {
        match self {
            Self::TrainImages => 47_040_016,
            Self::TrainLabels => 60_008,
            Self::TestImages => 7_840_016,
            Self::TestLabels => 10_008,
        }
    }

    /// The magic number the file starts with: `00000803` (unsigned bytes, three dimensions:
    /// count, rows, columns) for images, `00000801` (one dimension: count) for labels.
    pub fn magic(self) -> [u8; 4] {
        match self {
            Self::TrainImages | Self::TestImages => [0, 0, IDX_TYPE_U8, 3],
            Self::TrainLabels | Self::TestLabels => [0, 0, IDX_TYPE_U8, 1],
        }
    }

    /// The payload bytes of the real file (its decompressed size less its header): the most
    /// a file of this name may declare, so that decompressing one never takes more memory
    /// than MNIST itself.
    pub fn max_payload(self) -> u64 {
        self.decompressed_len() - 4 - 4 * u64::from(self.magic()[3])
    }

    /// The most bytes a download of this file may have: twice its uncompressed size
    /// ([`MnistFile::decompressed_len`]), so that a gzip file compressed any way fits and a
    /// server that sends without end is stopped early.
    pub fn max_download_len(self) -> u64 {
        2 * self.decompressed_len()
    }

    /// Where the file is in `dir`: the `.gz` name, or the uncompressed name (without `.gz`)
    /// when only that exists.
    ///
    /// Anything at a name counts, even a symlink that does not resolve, so that a broken
    /// link is reported by name rather than replaced by a download.
    pub fn path_in(self, dir: &Path) -> PathBuf {
        let gz = dir.join(self.file_name());
        if is_present(&gz) {
            return gz;
        }
        let raw = dir.join(self.file_name().trim_end_matches(".gz"));
        if is_present(&raw) { raw } else { gz }
    }
}

/// Whether something (a file, a directory, a symlink, even a broken one) is at `path`.
pub(crate) fn is_present(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Reads a data file whole, refusing by name anything that is not a regular file once
/// symlinks are followed (opening a FIFO would block forever and a device might never end)
/// and a file larger than `max` bytes, before reading it. A symlink loop or a link to
/// nothing is an [`Error::Io`] naming the link.
pub(crate) fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_present(path) => {
            return Err(Error::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(io(std::io::Error::new(
                e.kind(),
                "a symlink to a file that does not exist",
            )));
        }
        Err(e) => return Err(io(e)),
    };
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: path.to_path_buf(),
            kind: file_kind(meta.file_type()),
        });
    }
    if meta.len() > max {
        return Err(Error::FileTooLarge {
            path: path.to_path_buf(),
            len: meta.len(),
            max,
        });
    }
    fs::read(path).map_err(io)
}

/// Parses the bytes of one of MNIST's files (raw or gzip-compressed), checking its magic
/// number before its dimensions and its dimensions against the real file's size before any
/// of the payload is read: a gzip bomb under an MNIST name costs no more memory than MNIST.
pub(crate) fn parse_mnist(bytes: &[u8], file: MnistFile) -> Result<Idx, IdxError> {
    let expect = Expect {
        magic: Some(file.magic()),
        max_payload: file.max_payload(),
    };
    IdxReader::open(bytes, expect)?.read_payload()
}

/// Checks that `dir`, if it exists, is a directory, and otherwise names the first part of it
/// that exists and is not one (a cache path below a regular file would otherwise fail with
/// the operating system's "File exists").
pub(crate) fn check_dir(dir: &Path) -> Result<()> {
    for part in dir.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        match fs::metadata(part) {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(Error::NotADirectory {
                    path: part.to_path_buf(),
                });
            }
            Err(_) => continue,
        }
    }
    Ok(())
}

/// Checks that the files in `dir`, if it exists, can be reached: a directory without search
/// permission (mode `000`) makes every file in it look missing, which would turn into a
/// download instead of saying what is wrong.
pub(crate) fn check_readable(dir: &Path) -> Result<()> {
    // Looking up `.` in the directory needs the same permission as any file in it.
    match fs::symlink_metadata(dir.join(".")) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::UnreadableDir {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Whether something is at `path` (see [`is_present`]), with an error for a path that cannot
/// be examined rather than taking it for absent.
pub(crate) fn present(path: &Path) -> Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Creates `dir` and its parents, naming a part that is in the way.
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    check_dir(dir)?;
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SHA-256 of a parsed file's content (header and payload, as stored uncompressed).
pub(crate) fn content_sha256(dims: &[usize], data: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(idx_header(dims));
    hasher.update(data);
    hex(&hasher.finalize())
}

/// Compares a parsed file's content with the `expected` SHA-256 (hex).
pub(crate) fn check_content(
    dims: &[usize],
    data: &[u8],
    expected: &str,
    path: &Path,
) -> Result<()> {
    let actual = content_sha256(dims, data);
    if actual == expected {
        Ok(())
    } else {
        Err(Error::Checksum {
            path: path.to_path_buf(),
            expected: expected.to_owned(),
            actual,
        })
    }
}

/// Reads and parses the file at `path` as MNIST's `file`, raw or gzip-compressed.
///
/// # Errors
///
/// [`Error::Missing`] when there is no such file, [`Error::NotAFile`] when the path names a
/// directory, FIFO, device or socket (refused without opening it), [`Error::FileTooLarge`]
/// when it is larger than any such file can be, [`Error::Io`] when it cannot be read (a
/// symlink loop among others), and [`Error::Idx`] when its bytes are not a valid IDX file of
/// the file's magic number and at most its size.
pub(crate) fn read_idx(path: &Path, file: MnistFile) -> Result<Idx> {
    // Reading the (compressed) file whole and parsing from memory is faster than a buffered
    // reader and gives the gzip decoder one contiguous input.
    let bytes = read_regular(path, file.max_download_len())?;
    parse_mnist(&bytes, file).map_err(|source| Error::Idx {
        path: path.to_path_buf(),
        source,
    })
}

/// Checks the file at `path` against the published checksum of `file`: it is read,
/// decompressed, parsed, and the SHA-256 of its content compared.
///
/// # Errors
///
/// [`Error::Missing`] when there is no such file, [`Error::NotAFile`] when the path names a
/// directory, FIFO, device or socket (refused without opening it), [`Error::Io`] when it
/// cannot be read, [`Error::Idx`] when its bytes are not a valid IDX file, and
/// [`Error::Checksum`] when the content differs.
pub fn verify_file(path: &Path, file: MnistFile) -> Result<()> {
    let idx = read_idx(path, file)?;
    check_content(idx.dims(), idx.data(), file.sha256(), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_io::bomb;

    #[test]
    fn the_content_checksum_covers_the_header_and_the_payload() {
        // A label file of 3 labels as stored: magic 0 0 8 1, count 3 big-endian, payload.
        let stored = [0u8, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1];
        let mut h = Sha256::new();
        h.update(stored);
        let want = hex(&h.finalize());
        assert_eq!(content_sha256(&[3], &[7, 2, 1]), want);
        assert_ne!(content_sha256(&[3], &[7, 2, 0]), want);
        let path = Path::new("labels");
        check_content(&[3], &[7, 2, 1], &want, path).unwrap();
        assert!(matches!(
            check_content(&[3], &[7, 2, 0], &want, path),
            Err(Error::Checksum { .. })
        ));
    }

    #[test]
    fn read_regular_names_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"abc").unwrap();
        assert_eq!(read_regular(&file, 3).unwrap(), b"abc");
        // Below a regular file: the operating system's own error, not the dangling-link one.
        match read_regular(&file.join("below"), 3) {
            Err(Error::Io { source, .. }) => assert!(!source.to_string().contains("symlink")),
            other => panic!("{other:?}"),
        }
        let missing = dir.path().join("missing");
        assert!(
            matches!(read_regular(&missing, 3), Err(Error::Missing { path }) if path == missing)
        );
        assert!(matches!(
            read_regular(dir.path(), 3),
            Err(Error::NotAFile {
                kind: "a directory",
                ..
            })
        ));
        #[cfg(unix)]
        {
            let link = dir.path().join("dangling");
            std::os::unix::fs::symlink(&missing, &link).unwrap();
            match read_regular(&link, 3) {
                Err(Error::Io { path, source }) => {
                    assert_eq!(path, link);
                    assert!(
                        source
                            .to_string()
                            .contains("a symlink to a file that does not exist")
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn check_dir_and_create_dir_name_a_file_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        fs::write(&file, b"x").unwrap();
        let below = file.join("cache").join("mnist");
        for result in [check_dir(&below), create_dir(&below)] {
            assert!(matches!(result, Err(Error::NotADirectory { path }) if path == file));
        }
        assert!(!below.exists());
        assert!(matches!(check_dir(&file), Err(Error::NotADirectory { .. })));
        let fresh = dir.path().join("a").join("b");
        check_dir(&fresh).unwrap();
        assert!(!fresh.exists());
        create_dir(&fresh).unwrap();
        assert!(fresh.is_dir());
        check_dir(&fresh).unwrap();
    }

    #[test]
    fn a_download_may_be_twice_the_uncompressed_file() {
        // The uncompressed sizes are the IDX headers plus 28 x 28 bytes an image or a byte a
        // label: 16 + 60000 * 784, 8 + 60000, 16 + 10000 * 784, 8 + 10000.
        let want = [94_080_032, 120_016, 15_680_032, 20_016];
        for (f, w) in MnistFile::ALL.into_iter().zip(want) {
            assert_eq!(f.max_download_len(), w, "{f:?}");
            assert_eq!(f.max_download_len(), 2 * f.decompressed_len(), "{f:?}");
        }
    }

    #[test]
    fn sha256_of_a_known_input() {
        // FIPS 180-2 example: SHA-256("abc").
        let mut h = Sha256::new();
        h.update(b"abc");
        assert_eq!(
            hex(&h.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn file_table_is_consistent() {
        for f in MnistFile::ALL {
            assert_eq!(f.sha256().len(), 64);
            assert!(f.file_name().ends_with(".gz"));
            let is_images = f.file_name().contains("images");
            assert_eq!(f == MnistFile::images(f.split()), is_images);
            assert_eq!(f == MnistFile::labels(f.split()), !is_images);
        }
        // 16-byte header + 60000 * 784 pixels; 8-byte header + 10000 labels.
        assert_eq!(MnistFile::TrainImages.decompressed_len(), 16 + 60_000 * 784);
        assert_eq!(MnistFile::TestLabels.decompressed_len(), 8 + 10_000);
    }

    /// An IDX header with these magic number's type and rank and dimensions.
    fn header(magic: [u8; 4], dims: &[u32]) -> Vec<u8> {
        let mut h = magic.to_vec();
        for d in dims {
            h.extend_from_slice(&d.to_be_bytes());
        }
        h
    }

    #[test]
    fn a_bomb_under_an_mnist_name_costs_no_more_than_the_real_file() {
        // The header claims 200000 images (156.8 MB), more than the real file's 47,040,000
        // bytes of pixels: refused at the header, before the 160 MiB of zeros behind it.
        let images = MnistFile::TrainImages;
        let b = bomb(&header(images.magic(), &[200_000, 28, 28]), 160);
        let err = parse_mnist(&b, images).unwrap_err();
        assert!(
            matches!(
                err,
                IdxError::TooLarge {
                    declared: 156_800_000,
                    limit: 47_040_000,
                    ..
                }
            ),
            "{err}"
        );
        // The real file's size is allowed (and read no further than that).
        let b = bomb(&header(images.magic(), &[60_000, 28, 28]), 64);
        assert!(matches!(
            parse_mnist(&b, images),
            Err(IdxError::TrailingBytes {
                expected: 47_040_000
            })
        ));
        for f in MnistFile::ALL {
            assert_eq!(
                f.max_payload() + 4 + 4 * u64::from(f.magic()[3]),
                f.decompressed_len()
            );
        }
    }

    #[test]
    fn a_labels_file_of_the_wrong_rank_is_named_by_its_magic_first() {
        // Labels with magic 00000802: read as rank 2, the first four labels would become a
        // second dimension of 1.3 billion and the file "truncated".
        let mut bytes = header([0, 0, 8, 2], &[60000]);
        bytes.extend([5, 0, 4, 1, 9, 2]);
        let err = parse_mnist(&bytes, MnistFile::TrainLabels).unwrap_err();
        assert!(matches!(err, IdxError::WrongMagic { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "wrong magic number 00000802 (2 dimensions): this file must start with 00000801 \
             (unsigned bytes, 1 dimension)"
        );
        let err = parse_mnist(&header([0, 0, 8, 1], &[2]), MnistFile::TestImages).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "wrong magic number 00000801 (1 dimension): this file must start with 00000803 \
                 (unsigned bytes, 3 dimensions)"
            ),
            "{err}"
        );
        // A bad type byte is still said as such.
        let err = parse_mnist(&header([0, 0, 0x0d, 1], &[2]), MnistFile::TestLabels).unwrap_err();
        assert!(matches!(err, IdxError::UnsupportedType { found: 0x0d }));
    }

    #[test]
    fn a_file_larger_than_its_name_allows_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t10k-labels-idx1-ubyte.gz");
        // Sparse: one byte over twice the uncompressed test labels (20,016 bytes).
        fs::File::create(&path).unwrap().set_len(20_017).unwrap();
        let err = read_idx(&path, MnistFile::TestLabels).unwrap_err();
        assert!(
            matches!(
                err,
                Error::FileTooLarge {
                    len: 20_017,
                    max: 20_016,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("20017 bytes is more than the 20016 bytes")
        );
    }

    #[test]
    fn a_directory_whose_files_cannot_be_reached_is_named() {
        let dir = tempfile::tempdir().unwrap();
        check_readable(dir.path()).unwrap();
        // Not there yet: nothing to complain about (a fetch creates it).
        check_readable(&dir.path().join("absent")).unwrap();
        // A path through a file cannot be searched (root or not).
        let file = dir.path().join("plain");
        fs::write(&file, b"x").unwrap();
        let err = check_readable(&file).unwrap_err();
        assert!(matches!(err, Error::UnreadableDir { .. }), "{err}");
        assert!(
            err.to_string().starts_with(&format!(
                "{}: the directory cannot be read: ",
                file.display()
            )),
            "{err}"
        );
        assert!(!present(&dir.path().join("absent")).unwrap());
        assert!(present(&file).unwrap());
        assert!(matches!(
            present(&file.join("below")),
            Err(Error::Io { .. })
        ));
    }

    #[test]
    fn missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.gz");
        let err = read_idx(&path, MnistFile::TestLabels).unwrap_err();
        assert!(matches!(err, Error::Missing { .. }));
        assert!(err.to_string().contains("nope.gz"));
    }

    #[test]
    fn checksum_mismatch_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t10k-labels-idx1-ubyte");
        fs::write(&path, [0, 0, 8, 1, 0, 0, 0, 1, 7]).unwrap();
        let err = verify_file(&path, MnistFile::TestLabels).unwrap_err();
        assert!(matches!(err, Error::Checksum { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("t10k-labels-idx1-ubyte") && msg.contains(MnistFile::TestLabels.sha256())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_directory_is_refused_by_name_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("t10k-labels-idx1-ubyte.gz");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening the FIFO for reading would block here forever: no writer ever comes.
        let err = read_idx(&fifo, MnistFile::TestLabels).unwrap_err();
        assert!(matches!(err, Error::NotAFile { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: is a FIFO (named pipe), not a regular file",
                fifo.display()
            )
        );
        let err = read_idx(dir.path(), MnistFile::TestLabels).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("is a directory, not a regular file"),
            "{err}"
        );
        // A symlink to nothing is named as such, not reported missing (which would download).
        let dangling = dir.path().join("link.gz");
        std::os::unix::fs::symlink(dir.path().join("absent"), &dangling).unwrap();
        let err = read_idx(&dangling, MnistFile::TestLabels).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("symlink to a file that does not exist"),
            "{err}"
        );
    }
}

//! Saving and loading a trained network as JSON.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use nabla_data::atomic::{self, ReplaceError, file_kind as kind};
use nabla_data::temporary::Naming;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::{Error, Precision, Sizes, TwoLayerNet};

/// The `format` field of every model file.
const FORMAT: &str = "nabla-net/two-layer";
/// The current (and only) version of the file layout.
const VERSION: u32 = 1;

/// The largest model [`load_model`] accepts, in parameters: 2^26 = 67,108,864 (for MNIST's
/// 784 inputs and 10 outputs, up to 84,413 hidden units; the book's network has 39,760).
/// [`Sizes::check_model_size`] checks a network against it.
pub const MAX_MODEL_PARAMETERS: usize = 1 << 26;

/// The most bytes one value takes in a model file: the longest shortest-round-trip `f64`
/// (`-2.2250738585072014e-308`, 24 characters) and its comma.
const MAX_VALUE_BYTES: u64 = 25;

/// The largest model file [`load_model`] reads, in bytes: [`MAX_MODEL_PARAMETERS`] values of
/// at most 25 bytes each, plus 4 KiB for the rest (format, version, precision, sizes):
/// 1,677,725,696 bytes. A larger file cannot hold a model the loader accepts and is refused
/// before it is read.
pub const MAX_MODEL_FILE_BYTES: u64 = MAX_MODEL_PARAMETERS as u64 * MAX_VALUE_BYTES + 4096;

/// The file layout: sizes first, then the four arrays row by row, every value as the exact
/// `f64` it was (an `f32` widens exactly, so an `f32` model round-trips bit for bit).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: u32,
    precision: String,
    sizes: Sizes,
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: Vec<f64>,
}

/// A network loaded from a file, in the precision it was saved in.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SavedNet {
    /// A network trained in `f32`.
    F32(TwoLayerNet<f32>),
    /// A network trained in `f64`.
    F64(TwoLayerNet<f64>),
}

impl SavedNet {
    /// The layer sizes.
    pub fn sizes(&self) -> Sizes {
        match self {
            SavedNet::F32(net) => net.sizes(),
            SavedNet::F64(net) => net.sizes(),
        }
    }

    /// `"f32"` or `"f64"`.
    pub fn precision(&self) -> &'static str {
        match self {
            SavedNet::F32(_) => f32::NAME,
            SavedNet::F64(_) => f64::NAME,
        }
    }
}

fn rows<T: Precision>(m: &DMatrix<T>) -> Vec<f64> {
    m.transpose().iter().map(|v| v.as_f64()).collect()
}

/// Writes `net` to `path` as JSON (format name, version, precision, sizes, the four arrays row
/// by row). The file is written to a temporary file in the same directory (`.nabla-*`, removed
/// if the `nabla` command is interrupted) and renamed into place, so `path` never holds a
/// half-written model; only a regular file (or nothing) at `path` is replaced.
///
/// # Errors
///
/// [`Error::Io`] if the directory cannot be written; [`Error::NotAFile`] if `path` is a
/// symlink, FIFO, device or directory, which is left as it was.
pub fn save_model<T: Precision>(net: &TwoLayerNet<T>, path: impl AsRef<Path>) -> Result<(), Error> {
    let path = path.as_ref();
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    atomic::replace(path, Naming::Output, |tmp| {
        let mut writer = std::io::BufWriter::new(tmp);
        write_model(net, &mut writer)?;
        writer.flush().map_err(io)
    })
    .map_err(|e| match e {
        ReplaceError::NotAFile(kind) => Error::NotAFile {
            path: path.to_owned(),
            kind,
        },
        ReplaceError::Write(Error::Io { source, .. }) | ReplaceError::Io(source) => io(source),
        ReplaceError::Write(other) => other,
    })
}

/// Writes `net` as [`save_model`] does, to any writer, as it is serialised (a model of
/// millions of parameters is never held in memory as text). For a caller that puts the file
/// in place itself, as the `nabla` command does with a run's outputs.
///
/// # Errors
///
/// [`Error::Io`] (with an empty path) when writing fails.
pub fn write_model<T: Precision>(net: &TwoLayerNet<T>, writer: impl Write) -> Result<(), Error> {
    let file = ModelFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        precision: T::NAME.to_owned(),
        sizes: net.sizes(),
        w1: rows(net.w1()),
        b1: net.b1().iter().map(|v| v.as_f64()).collect(),
        w2: rows(net.w2()),
        b2: net.b2().iter().map(|v| v.as_f64()).collect(),
    };
    serde_json::to_writer(writer, &file).map_err(|e| Error::Io {
        path: PathBuf::new(),
        source: match e.io_error_kind() {
            Some(kind) => std::io::Error::new(kind, e),
            None => std::io::Error::other(e),
        },
    })
}

/// Reads a model written by [`save_model`], in the precision it was saved in.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read; [`Error::NotAFile`] if the path (after following
/// symlinks) is a directory, FIFO, device or socket, and [`Error::FileTooLarge`] if the file
/// is larger than [`MAX_MODEL_FILE_BYTES`], both before anything is read;
/// [`Error::Format`] if it is not JSON (truncated or damaged), not a nabla model, of another
/// version, has sizes that are zero or have more than [`MAX_MODEL_PARAMETERS`] parameters,
/// arrays whose lengths do not match its sizes, or a value that is not finite (in `f64`, or
/// once rounded to `f32` for an `f32` model).
pub fn load_model(path: impl AsRef<Path>) -> Result<SavedNet, Error> {
    let path = path.as_ref();
    let bad = |reason: String| Error::Format {
        path: path.to_owned(),
        reason,
    };
    let file = read_model_file(path)?;
    file.check().map_err(bad)?;
    // The lengths were checked against the sizes, so `from_parts` cannot fail.
    let net = if file.precision == "f32" {
        file.build().map(SavedNet::F32)
    } else {
        file.build().map(SavedNet::F64)
    };
    net.map_err(|e| bad(e.to_string()))
}

/// Reads and parses the model file at `path`, refusing what is not a regular file or is
/// larger than [`MAX_MODEL_FILE_BYTES`] before reading it.
fn read_model_file(path: &Path) -> Result<ModelFile, Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: path.to_owned(),
            kind: kind(meta.file_type()),
        });
    }
    if meta.len() > MAX_MODEL_FILE_BYTES {
        return Err(Error::FileTooLarge {
            path: path.to_owned(),
            len: meta.len(),
            max: MAX_MODEL_FILE_BYTES,
        });
    }
    // Parsed as it is read: a file that is not a model fails at its first bad byte, without
    // being read whole (and `take` stops a file that grows while it is read at the cap).
    let reader = std::fs::File::open(path).map_err(io)?;
    let reader = std::io::BufReader::new(reader.take(MAX_MODEL_FILE_BYTES));
    serde_json::from_reader(reader).map_err(|e| match e.io_error_kind() {
        Some(kind) => io(std::io::Error::new(kind, e)),
        None => Error::Format {
            path: path.to_owned(),
            reason: e.to_string(),
        },
    })
}

impl ModelFile {
    /// Checks everything [`load_model`] promises of a model file before building it: the
    /// format, the version, the sizes, the precision, every array's length and every value.
    fn check(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("format is {:?}, expected {FORMAT:?}", self.format));
        }
        if self.version != VERSION {
            return Err(format!(
                "version {} is not supported (this build reads version {VERSION})",
                self.version
            ));
        }
        let s = self.sizes;
        s.check_model_size().map_err(|e| e.to_string())?;
        let fits: fn(f64) -> bool = match self.precision.as_str() {
            "f32" => |v| <f32 as Precision>::from_f64(v).is_finite(),
            "f64" => f64::is_finite,
            other => {
                return Err(format!(
                    "precision {other:?} is neither \"f32\" nor \"f64\""
                ));
            }
        };
        let lengths = [
            ("w1", &self.w1, s.input.checked_mul(s.hidden)),
            ("b1", &self.b1, Some(s.hidden)),
            ("w2", &self.w2, s.hidden.checked_mul(s.output)),
            ("b2", &self.b2, Some(s.output)),
        ];
        for (name, values, expected) in lengths {
            if Some(values.len()) != expected {
                return Err(format!(
                    "{name} has {} values but the sizes {}-{}-{} need {}",
                    values.len(),
                    s.input,
                    s.hidden,
                    s.output,
                    expected
                        .map_or_else(|| "more than fit in memory".to_owned(), |n| n.to_string())
                ));
            }
            if let Some(i) = values.iter().position(|&v| !fits(v)) {
                return Err(format!(
                    "{name}[{i}] = {:e} is not a finite {}",
                    values[i], self.precision
                ));
            }
        }
        Ok(())
    }

    /// The network in precision `T`, from a file that passed [`ModelFile::check`].
    fn build<T: Precision>(&self) -> Result<TwoLayerNet<T>, Error> {
        let s = self.sizes;
        let conv = |v: &Vec<f64>| v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>();
        TwoLayerNet::from_parts(
            DMatrix::from_row_slice(s.input, s.hidden, &conv(&self.w1)),
            DVector::from_vec(conv(&self.b1)),
            DMatrix::from_row_slice(s.hidden, s.output, &conv(&self.w2)),
            DVector::from_vec(conv(&self.b2)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `err` refuses a path that is not a regular file, and says what it is.
    #[cfg(unix)]
    fn assert_not_a_file(err: &Error, what: &str) {
        assert!(
            matches!(err, Error::NotAFile { kind, .. } if *kind == what),
            "{err}"
        );
    }

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn round_trips_bit_for_bit_in_both_precisions() {
        let d = dir();
        let net = TwoLayerNet::<f64>::new(Sizes::new(7, 3, 4).unwrap(), 0.3, 5).unwrap();
        let path = d.path().join("m64.json");
        save_model(&net, &path).unwrap();
        assert_eq!(load_model(&path).unwrap(), SavedNet::F64(net.clone()));
        let net32 = net.map(|v| v as f32 * 1.000_001);
        let path = d.path().join("m32.json");
        save_model(&net32, &path).unwrap();
        let back = load_model(&path).unwrap();
        assert_eq!(back.precision(), "f32");
        assert_eq!(back, SavedNet::F32(net32));
        // A model is saved over an older one.
        let net32 = net.map(|v| v as f32);
        save_model(&net32, &path).unwrap();
        assert_eq!(load_model(&path).unwrap(), SavedNet::F32(net32.clone()));
        // Nothing but the model is left in the directory, readable by others too.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
        // `write_model` writes the same bytes to any writer.
        let mut bytes = Vec::new();
        write_model(&net32, &mut bytes).unwrap();
        assert_eq!(bytes, std::fs::read(&path).unwrap());
        // A writer that fails is an I/O error, not a panic.
        let mut full = [0u8; 10];
        let err = write_model(&net32, &mut full[..]).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o044, 0o044, "{mode:o}");
        }
    }

    #[test]
    fn truncated_damaged_and_mismatched_files_are_errors() {
        let d = dir();
        let path = d.path().join("m.json");
        let net = TwoLayerNet::<f32>::new(Sizes::new(5, 2, 3).unwrap(), 0.1, 1).unwrap();
        save_model(&net, &path).unwrap();
        let good = std::fs::read_to_string(&path).unwrap();
        let cases = [
            ("truncated", good[..good.len() / 2].to_owned()),
            ("empty", String::new()),
            ("garbage", "\u{0}\u{1}not json".to_owned()),
            ("version", good.replace("\"version\":1", "\"version\":2")),
            (
                "format",
                good.replace("nabla-net/two-layer", "something-else"),
            ),
            ("precision", good.replace("\"f32\"", "\"f16\"")),
            // Finite in f64, infinite once rounded to the model's f32.
            (
                "f32 overflow",
                good.replacen("\"b1\":[0.0", "\"b1\":[1e39", 1),
            ),
            (
                "overflowing sizes",
                good.replace("\"hidden\":2", "\"hidden\":9223372036854775807"),
            ),
            ("sizes", good.replace("\"hidden\":2", "\"hidden\":3")),
            ("zero size", good.replace("\"output\":3", "\"output\":0")),
            (
                "huge size",
                good.replace("\"input\":5", "\"input\":18446744073709551615"),
            ),
        ];
        for (what, text) in cases {
            let p = d.path().join(format!("{what}.json"));
            std::fs::write(&p, text).unwrap();
            let err = load_model(&p).unwrap_err();
            assert!(matches!(err, Error::Format { .. }), "{what}: {err}");
            assert!(
                err.to_string().contains(&*p.to_string_lossy()),
                "{what}: {err}"
            );
        }
        let overflow = load_model(d.path().join("f32 overflow.json")).unwrap_err();
        assert!(
            overflow
                .to_string()
                .ends_with("b1[0] = 1e39 is not a finite f32"),
            "{overflow}"
        );
        let missing = load_model(d.path().join("absent.json")).unwrap_err();
        assert!(matches!(missing, Error::Io { .. }));
    }

    #[test]
    fn saving_into_a_missing_directory_is_an_error() {
        let d = dir();
        let net = TwoLayerNet::<f32>::new(Sizes::new(2, 2, 2).unwrap(), 0.1, 1).unwrap();
        let err = save_model(&net, d.path().join("no/such/dir/m.json")).unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        // Below a file: the error is the one about the path itself, not about a temporary
        // file that was tried next to it.
        let file = d.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let err = save_model(&net, file.join("m.json")).unwrap_err();
        let Error::Io { path, source } = &err else {
            panic!("{err}")
        };
        assert_eq!(path, &file.join("m.json"));
        assert_eq!(source.kind(), std::io::ErrorKind::NotADirectory, "{err}");
        // ENOTDIR, as the operating system words it, and nothing more.
        #[cfg(unix)]
        assert_eq!(
            source.to_string(),
            std::io::Error::from_raw_os_error(20).to_string()
        );
    }

    /// The temporary file is made next to the model, not in the working directory: the test
    /// runs itself again as a child process in `/proc`, where no file can be made, and saves
    /// into a temporary directory from there.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_temporary_file_is_made_in_the_models_directory() {
        const CHILD: &str = "NABLA_NET_TEST_CHILD_IN_PROC";
        if std::env::var_os(CHILD).is_some() {
            let d = dir();
            let net = TwoLayerNet::<f32>::new(Sizes::new(2, 2, 2).unwrap(), 0.1, 1).unwrap();
            let path = d.path().join("m.json");
            save_model(&net, &path).unwrap();
            assert_eq!(load_model(&path).unwrap(), SavedNet::F32(net));
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "io::tests::the_temporary_file_is_made_in_the_models_directory",
            ])
            .current_dir("/proc")
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A FIFO at `path`, made by `mkfifo` (no unsafe code, no device).
    #[cfg(unix)]
    fn fifo(path: &Path) {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
    }

    #[cfg(unix)]
    #[test]
    fn saving_over_a_symlink_or_a_fifo_is_refused_and_leaves_them() {
        use std::os::unix::fs::FileTypeExt;
        let d = dir();
        let net = TwoLayerNet::<f32>::new(Sizes::new(2, 2, 2).unwrap(), 0.1, 1).unwrap();
        let target = d.path().join("target.json");
        std::fs::write(&target, "keep me").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = save_model(&net, &link).unwrap_err();
        assert_not_a_file(&err, "a symlink");
        assert!(err.to_string().contains("link.json: is a symlink"), "{err}");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");

        let pipe = d.path().join("pipe.json");
        fifo(&pipe);
        let err = save_model(&net, &pipe).unwrap_err();
        assert_not_a_file(&err, "a FIFO (named pipe)");
        assert!(
            std::fs::symlink_metadata(&pipe)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        // Nothing else was left behind: the target, the link and the FIFO.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn loading_a_fifo_a_directory_or_an_oversized_file_is_refused_before_reading() {
        let d = dir();
        let pipe = d.path().join("pipe.json");
        fifo(&pipe);
        // Opening the FIFO would block here forever: no writer ever comes.
        let err = load_model(&pipe).unwrap_err();
        assert_not_a_file(&err, "a FIFO (named pipe)");
        let err = load_model(d.path()).unwrap_err();
        assert_not_a_file(&err, "a directory");

        // A sparse file one byte over the cap: nothing is allocated on disk or in memory.
        let big = d.path().join("big.json");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_MODEL_FILE_BYTES + 1).unwrap();
        let err = load_model(&big).unwrap_err();
        assert!(
            matches!(err, Error::FileTooLarge { len, .. } if len == MAX_MODEL_FILE_BYTES + 1),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("1677725697 bytes is more than the 1677725696"),
            "{err}"
        );
        // A file under the cap that is not JSON fails at its first byte, not after reading it.
        file.set_len(1 << 30).unwrap();
        let err = load_model(&big).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err}");
        // So does a file of exactly the cap.
        file.set_len(MAX_MODEL_FILE_BYTES).unwrap();
        let err = load_model(&big).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err}");
    }

    #[test]
    fn a_model_with_more_parameters_than_the_cap_is_refused() {
        let d = dir();
        let path = d.path().join("m.json");
        let net = TwoLayerNet::<f32>::new(Sizes::new(5, 2, 3).unwrap(), 0.1, 1).unwrap();
        save_model(&net, &path).unwrap();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"input\":5", "\"input\":784")
            .replace("\"hidden\":2", "\"hidden\":100000");
        std::fs::write(&path, text).unwrap();
        let err = load_model(&path).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("the network 784-100000-3 is too large: its 78800003 parameters are more than the 67108864 a model file may hold"),
            "{err}"
        );
        // Exactly at the cap the sizes pass, and the values are checked against them.
        let one = TwoLayerNet::<f64>::new(Sizes::new(5, 1, 1).unwrap(), 0.1, 1).unwrap();
        save_model(&one, &path).unwrap();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"input\":5", "\"input\":67108861");
        std::fs::write(&path, text).unwrap();
        let err = load_model(&path).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("w1 has 5 values but the sizes 67108861-1-1 need 67108861"),
            "{err}"
        );
        // The cap is a model of 67108864 values of 25 bytes, plus 4 KiB.
        assert_eq!(MAX_MODEL_FILE_BYTES, 67_108_864 * 25 + 4096);
    }
}

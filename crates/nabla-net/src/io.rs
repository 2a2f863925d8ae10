//! Saving and loading a trained network as JSON.

use std::io::Write;
use std::path::Path;

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::{Error, Precision, Sizes, TwoLayerNet};

/// The `format` field of every model file.
const FORMAT: &str = "nabla-net/two-layer";
/// The current (and only) version of the file layout.
const VERSION: u32 = 1;

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
/// by row). The file is written to a temporary file in the same directory and renamed into
/// place, so `path` never holds a half-written model.
///
/// # Errors
///
/// [`Error::Io`] if the directory cannot be written.
pub fn save_model<T: Precision>(net: &TwoLayerNet<T>, path: impl AsRef<Path>) -> Result<(), Error> {
    let path = path.as_ref();
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
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
    let json = serde_json::to_vec(&file).map_err(|e| io(std::io::Error::other(e)))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = temp_file(dir).map_err(io)?;
    tmp.write_all(&json).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A temporary file in `dir` that, once renamed, reads like any file the user creates
/// (`0644` on Unix rather than the temporary file's private `0600`).
fn temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir)
}

/// Reads a model written by [`save_model`], in the precision it was saved in.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read; [`Error::Format`] if it is not JSON (truncated or
/// damaged), not a nabla model, of another version, has sizes that are zero or too large,
/// arrays whose lengths do not match its sizes, or a value that is not finite (in `f64`, or
/// once rounded to `f32` for an `f32` model).
pub fn load_model(path: impl AsRef<Path>) -> Result<SavedNet, Error> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |reason: String| Error::Format {
        path: path.to_owned(),
        reason,
    };
    let file: ModelFile = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if file.format != FORMAT {
        return Err(bad(format!(
            "format is {:?}, expected {FORMAT:?}",
            file.format
        )));
    }
    if file.version != VERSION {
        return Err(bad(format!(
            "version {} is not supported (this build reads version {VERSION})",
            file.version
        )));
    }
    let s = file.sizes;
    s.validate().map_err(|e| bad(e.to_string()))?;
    let fits: fn(f64) -> bool = match file.precision.as_str() {
        "f32" => |v| <f32 as Precision>::from_f64(v).is_finite(),
        "f64" => f64::is_finite,
        other => {
            return Err(bad(format!(
                "precision {other:?} is neither \"f32\" nor \"f64\""
            )));
        }
    };
    let lengths = [
        ("w1", &file.w1, s.input.checked_mul(s.hidden)),
        ("b1", &file.b1, Some(s.hidden)),
        ("w2", &file.w2, s.hidden.checked_mul(s.output)),
        ("b2", &file.b2, Some(s.output)),
    ];
    for (name, values, expected) in lengths {
        if Some(values.len()) != expected {
            return Err(bad(format!(
                "{name} has {} values but the sizes {}-{}-{} need {}",
                values.len(),
                s.input,
                s.hidden,
                s.output,
                expected.map_or_else(|| "more than fit in memory".to_owned(), |n| n.to_string())
            )));
        }
        if let Some(i) = values.iter().position(|&v| !fits(v)) {
            return Err(bad(format!(
                "{name}[{i}] = {:e} is not a finite {}",
                values[i], file.precision
            )));
        }
    }
    fn build<T: Precision>(f: &ModelFile) -> Result<TwoLayerNet<T>, Error> {
        let s = f.sizes;
        let conv = |v: &Vec<f64>| v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>();
        TwoLayerNet::from_parts(
            DMatrix::from_row_slice(s.input, s.hidden, &conv(&f.w1)),
            DVector::from_vec(conv(&f.b1)),
            DMatrix::from_row_slice(s.hidden, s.output, &conv(&f.w2)),
            DVector::from_vec(conv(&f.b2)),
        )
    }
    // The lengths were checked against the sizes above, so `from_parts` cannot fail.
    let net = if file.precision == "f32" {
        build(&file).map(SavedNet::F32)
    } else {
        build(&file).map(SavedNet::F64)
    };
    net.map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Nothing but the model is left in the directory, readable by others too.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
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
    }
}

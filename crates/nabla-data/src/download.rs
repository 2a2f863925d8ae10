//! Downloading one MNIST file from a list of mirrors, verified before it is trusted.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::NamedTempFile;

use crate::files::check_content;
use crate::{Error, Idx, MnistFile, Result};

/// The public mirrors tried by default, in order (file names as in [`MnistFile::file_name`]).
pub const DEFAULT_MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// The environment variable with the user's own mirror URLs (separated by whitespace or
/// commas); when set, they replace [`DEFAULT_MIRRORS`].
pub const MIRROR_ENV: &str = "NABLA_MNIST_MIRROR";

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
        /// Where it comes from.
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
        /// The URL that failed.
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

/// The mirrors named by `$NABLA_MNIST_MIRROR`, or [`DEFAULT_MIRRORS`] when it is unset or
/// empty.
pub fn mirrors_from_env() -> Vec<String> {
    let from_env: Vec<String> = std::env::var(MIRROR_ENV)
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if from_env.is_empty() {
        DEFAULT_MIRRORS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        from_env
    }
}

/// Downloads `file` into `dir`, trying each mirror in turn, and returns its path.
///
/// Each attempt streams the body into a temporary file in `dir`, then decompresses it and
/// compares the SHA-256 of the content with [`MnistFile::sha256`]; only a file that matches
/// is renamed to its final name (replacing any file there). A failed attempt leaves nothing
/// behind. `progress` hears of every step.
///
/// # Errors
///
/// [`Error::Io`] when `dir` cannot be created or written, and [`Error::Download`] with one
/// line per mirror (HTTP status, connection error, body cut short, checksum mismatch) when no
/// mirror delivered a good file.
pub fn download(
    file: MnistFile,
    dir: &Path,
    mirrors: &[String],
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<PathBuf> {
    download_expecting(file, file.sha256(), dir, mirrors, progress)
}

/// [`download`] with the content's expected SHA-256 given (tests serve small files).
pub(crate) fn download_expecting(
    file: MnistFile,
    expected: &str,
    dir: &Path,
    mirrors: &[String],
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<PathBuf> {
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut attempts = Vec::new();
    for mirror in mirrors {
        let url = format!("{}/{}", mirror.trim_end_matches('/'), file.file_name());
        match attempt(&agent, &url, file, expected, dir, progress) {
            Ok(path) => {
                progress(Event::Saved { file, path: &path });
                return Ok(path);
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Failed(reason)) => {
                progress(Event::MirrorFailed {
                    file,
                    url: &url,
                    reason: &reason,
                });
                attempts.push(format!("{url}: {reason}"));
            }
        }
    }
    if attempts.is_empty() {
        attempts.push("no mirror to try".to_owned());
    }
    Err(Error::Download {
        file: file.file_name(),
        dir: dir.to_path_buf(),
        attempts,
    })
}

/// Why one mirror did not deliver: its own fault (try the next) or ours (stop).
enum Attempt {
    Failed(String),
    Fatal(Error),
}

fn attempt(
    agent: &ureq::Agent,
    url: &str,
    file: MnistFile,
    expected: &str,
    dir: &Path,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<PathBuf, Attempt> {
    let fatal = |source| {
        Attempt::Fatal(Error::Io {
            path: dir.to_path_buf(),
            source,
        })
    };
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| Attempt::Failed(describe(&e)))?;
    let total = response.body().content_length();
    progress(Event::Started { file, url, total });

    let mut tmp = NamedTempFile::new_in(dir).map_err(fatal)?;
    let mut reader = response.body_mut().as_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut done = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Attempt::Failed(format!(
                    "connection failed after {done} bytes: {e}"
                )));
            }
        };
        tmp.write_all(&buf[..n]).map_err(fatal)?;
        done += n as u64;
        progress(Event::Progress { file, done, total });
    }
    if let Some(total) = total.filter(|&t| t != done) {
        return Err(Attempt::Failed(format!(
            "body cut short: {done} of {total} bytes"
        )));
    }
    tmp.as_file().sync_all().map_err(fatal)?;

    let bytes = fs::read(tmp.path()).map_err(fatal)?;
    let idx = Idx::from_bytes(&bytes)
        .map_err(|e| Attempt::Failed(format!("not a valid IDX file: {e}")))?;
    let target = dir.join(file.file_name());
    check_content(idx.dims(), idx.data(), expected, &target).map_err(|e| match e {
        Error::Checksum {
            actual, expected, ..
        } => Attempt::Failed(format!(
            "checksum mismatch: SHA-256 of the content is {actual}, expected {expected}"
        )),
        other => Attempt::Fatal(other),
    })?;
    tmp.persist(&target).map_err(|e| fatal(e.error))?;
    Ok(target)
}

/// A one-line description of a failed request.
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::StatusCode(code) => format!("HTTP status {code}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};

    use crate::test_http as http;
    use http::Reply;

    /// A small label file, gzip-compressed, and the SHA-256 of its content.
    fn labels_gz() -> (Vec<u8>, String) {
        let mut raw = vec![0, 0, 8, 1, 0, 0, 0, 5];
        raw.extend([7, 2, 1, 0, 4]);
        let idx = Idx::from_bytes(&raw).unwrap();
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&raw).unwrap();
        (
            enc.finish().unwrap(),
            crate::files::content_sha256(idx.dims(), idx.data()),
        )
    }

    const FILE: MnistFile = MnistFile::TestLabels;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn downloads_verifies_and_reports_progress() {
        let (gz, sha) = labels_gz();
        let served = tempfile::tempdir().unwrap();
        fs::create_dir(served.path().join("mnist")).unwrap();
        fs::write(served.path().join("mnist").join(FILE.file_name()), &gz).unwrap();
        let base = http::serve(http::files(served.path().to_path_buf()));

        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("nested").join("mnist");
        let mut last = None;
        let mut saved = false;
        let path =
            download_expecting(
                FILE,
                &sha,
                &dir,
                &[format!("{base}/mnist/")],
                &mut |e| match e {
                    Event::Progress { done, total, .. } => last = Some((done, total)),
                    Event::Saved { .. } => saved = true,
                    _ => {}
                },
            )
            .unwrap();
        assert_eq!(path, dir.join(FILE.file_name()));
        assert_eq!(fs::read(&path).unwrap(), gz);
        assert_eq!(last, Some((gz.len() as u64, Some(gz.len() as u64))));
        assert!(saved);
        assert_eq!(names_in(&dir), vec![FILE.file_name().to_owned()]);
    }

    #[test]
    fn a_404_mirror_falls_through_to_the_next() {
        let (gz, sha) = labels_gz();
        let base = http::serve(move |path| {
            if path.starts_with("/good/") {
                Reply::Body(gz.clone())
            } else {
                Reply::Status(404)
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let mut failures = Vec::new();
        let mirrors = [format!("{base}/bad"), format!("{base}/good")];
        download_expecting(FILE, &sha, dir.path(), &mirrors, &mut |e| {
            if let Event::MirrorFailed { reason, .. } = e {
                failures.push(reason.to_owned());
            }
        })
        .unwrap();
        assert_eq!(failures, vec!["HTTP status 404".to_owned()]);
        assert!(dir.path().join(FILE.file_name()).exists());
    }

    #[test]
    fn a_corrupted_file_is_rejected_and_nothing_is_left() {
        let (gz, sha) = labels_gz();
        // Flip a label inside a recompressed file: valid gzip, valid IDX, wrong content.
        let mut raw = vec![0, 0, 8, 1, 0, 0, 0, 5, 7, 2, 1, 0, 5];
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&raw).unwrap();
        let wrong = enc.finish().unwrap();
        raw.clear();
        let mut garbage = gz.clone();
        let n = garbage.len();
        garbage[n / 2] ^= 0x55;
        let base = http::serve(move |path| match path {
            p if p.starts_with("/wrong/") => Reply::Body(wrong.clone()),
            _ => Reply::Body(garbage.clone()),
        });
        let dir = tempfile::tempdir().unwrap();
        let mirrors = [format!("{base}/wrong/"), format!("{base}/garbage/")];
        let err = download_expecting(FILE, &sha, dir.path(), &mirrors, &mut |_| {}).unwrap_err();
        let Error::Download { attempts, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(attempts.len(), 2);
        assert!(attempts[0].contains("checksum mismatch"), "{}", attempts[0]);
        assert!(attempts[1].contains("/garbage/"), "{}", attempts[1]);
        assert!(err.to_string().contains(FILE.file_name()));
        assert!(
            names_in(dir.path()).is_empty(),
            "{:?}",
            names_in(dir.path())
        );
    }

    #[test]
    fn a_body_cut_short_is_rejected_and_nothing_is_left() {
        let (gz, sha) = labels_gz();
        let half = gz[..gz.len() / 2].to_vec();
        let claimed = gz.len();
        let base = http::serve(move |_| Reply::CutShort {
            body: half.clone(),
            claimed,
        });
        let dir = tempfile::tempdir().unwrap();
        let err = download_expecting(FILE, &sha, dir.path(), &[base], &mut |_| {}).unwrap_err();
        let Error::Download { attempts, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(attempts.len(), 1);
        assert!(attempts[0].contains("bytes"), "{}", attempts[0]);
        assert!(names_in(dir.path()).is_empty());
    }

    #[test]
    fn an_unreachable_mirror_is_a_download_error() {
        // Bind and drop a listener: its port refuses connections.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let err = download(
            FILE,
            dir.path(),
            &[format!("http://127.0.0.1:{port}/")],
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, Error::Download { .. }), "{err}");
        let no_mirrors = download(FILE, dir.path(), &[], &mut |_| {}).unwrap_err();
        assert!(no_mirrors.to_string().contains("no mirror"));
    }
}

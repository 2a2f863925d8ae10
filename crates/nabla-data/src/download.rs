//! Downloading one MNIST file from a list of mirrors, verified before it is trusted.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::files::{check_content, create_dir, parse_mnist};
use crate::temporary::Temporary;
use crate::{Error, MnistFile, Result};

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

/// The mirrors named by `$NABLA_MNIST_MIRROR`, or [`DEFAULT_MIRRORS`] when it is unset or
/// empty.
pub(crate) fn mirrors_from_env() -> Vec<String> {
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

/// The environment variable with the idle timeout of downloads, in seconds (see
/// [`Timeouts::idle`]).
pub const IDLE_TIMEOUT_ENV: &str = "NABLA_DOWNLOAD_IDLE_TIMEOUT";

/// The environment variable with the deadline of one download, in seconds (see
/// [`Timeouts::deadline`]).
pub const DEADLINE_ENV: &str = "NABLA_DOWNLOAD_DEADLINE";

/// How long a download may wait and take, so that a server that stalls cannot hang it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// The longest wait for the next bytes (connection, headers or body) before the mirror
    /// is given up: 30 s by default.
    pub idle: Duration,
    /// The longest time one mirror may take for one file, from connecting to the last byte:
    /// 15 minutes by default (the largest file is 9.9 MB).
    pub deadline: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30),
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

impl Timeouts {
    /// The defaults, each replaced by `$NABLA_DOWNLOAD_IDLE_TIMEOUT` and
    /// `$NABLA_DOWNLOAD_DEADLINE` (seconds, fractions allowed) when set and not empty.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] when a variable is set to something other than a finite number of
    /// seconds greater than 0.
    pub fn from_env() -> Result<Self> {
        let mut timeouts = Self::default();
        for (name, slot) in [
            (IDLE_TIMEOUT_ENV, &mut timeouts.idle),
            (DEADLINE_ENV, &mut timeouts.deadline),
        ] {
            let Some(value) = std::env::var_os(name).filter(|v| !v.is_empty()) else {
                continue;
            };
            let value = value.to_string_lossy().into_owned();
            *slot = parse_seconds(&value).ok_or(Error::Setting {
                name,
                value,
                expected: "expected a number of seconds greater than 0, such as 30 or 0.5",
            })?;
        }
        Ok(timeouts)
    }
}

/// `s` as a positive, finite number of seconds.
pub(crate) fn parse_seconds(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().parse().ok()?;
    if secs > 0.0 {
        Duration::try_from_secs_f64(secs).ok()
    } else {
        None
    }
}

/// Temporary files of downloads start with this; one older than [`STALE_AFTER`] was left by
/// a download that was killed, and the next download into the directory removes it.
const TEMP_PREFIX: &str = crate::temporary::DOWNLOAD_PREFIX;
/// Earlier versions named their temporary files as the tempfile crate does by default:
/// this prefix and six random letters or digits. Other programs do too, so these are
/// removed only from the per-user cache, which is nabla's own.
const LEGACY_TEMP_PREFIX: &str = ".tmp";
/// The random part of a temporary file's name.
const TEMP_RANDOM_LEN: usize = crate::temporary::RANDOM_LEN;
/// How old a temporary file must be before it counts as abandoned: a download still running
/// in another process is younger than this.
const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Downloads `file` into `dir`, trying each mirror in turn, and returns its path.
///
/// Each attempt streams the body into a temporary file in `dir`, then decompresses it and
/// compares the SHA-256 of the content with [`MnistFile::sha256`]; only a file that matches
/// is renamed to its final name (replacing any file there), readable by all (`0644` on
/// Unix). A failed attempt leaves nothing behind; temporary files more than a day old, left
/// by downloads that were killed (`.nabla-download-*`, and in the per-user cache the
/// `.tmp*` of earlier versions), are removed first.
///
/// A mirror is given up when it sends nothing for `timeouts.idle`, takes longer than
/// `timeouts.deadline` in all, answers with a text page (`Content-Type: text/...`, an error
/// or login page rather than the file), or sends more than [`MnistFile::max_download_len`]
/// bytes (twice the file's uncompressed size).
///
/// # Errors
///
/// [`Error::NotADirectory`] when `dir` or a parent is a file, [`Error::Io`] when `dir` cannot
/// be created or written, and [`Error::Download`] with one line per mirror (HTTP status,
/// connection error, timeout, body too large or cut short, checksum mismatch) when no mirror
/// delivered a good file.
pub(crate) fn download(
    file: MnistFile,
    dir: &Path,
    mirrors: &[String],
    timeouts: Timeouts,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<PathBuf> {
    download_expecting(file, file.sha256(), dir, mirrors, timeouts, progress)
}

/// [`download`] with the content's expected SHA-256 given (tests serve small files).
pub(crate) fn download_expecting(
    file: MnistFile,
    expected: &str,
    dir: &Path,
    mirrors: &[String],
    timeouts: Timeouts,
    progress: &mut dyn FnMut(Event<'_>),
) -> Result<PathBuf> {
    create_dir(dir)?;
    let own_cache = crate::cache_dir().is_some_and(|cache| cache == dir);
    remove_stale_temporaries(dir, own_cache);
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(timeouts.idle))
        .timeout_per_read(Some(timeouts.idle))
        .timeout_global(Some(timeouts.deadline))
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut attempts = Vec::new();
    for mirror in mirrors {
        let url = format!("{}/{}", mirror.trim_end_matches('/'), file.file_name());
        // What is printed: without the mirror's credentials, if its URL carries any.
        let shown = redact(&url);
        match attempt(
            &agent, &url, &shown, file, expected, dir, timeouts, progress,
        ) {
            Ok(path) => {
                progress(Event::Saved { file, path: &path });
                return Ok(path);
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Failed(reason)) => {
                // A library's message may quote the URL it was given.
                let reason = redact_in(&reason, &url);
                progress(Event::MirrorFailed {
                    file,
                    url: &shown,
                    reason: &reason,
                });
                attempts.push(format!("{shown}: {reason}"));
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

/// Removes the temporary files of downloads that were killed (more than a day old), and in
/// the per-user cache (`legacy`) those of earlier versions too. Best effort: a file that
/// cannot be listed or removed is left for the next time.
fn remove_stale_temporaries(dir: &Path, legacy: bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(random) = name.to_str().and_then(|n| {
            n.strip_prefix(TEMP_PREFIX)
                .or_else(|| n.strip_prefix(LEGACY_TEMP_PREFIX).filter(|_| legacy))
        }) else {
            continue;
        };
        if random.len() != TEMP_RANDOM_LEN || !random.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .filter(fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `url` with its user information (`user:password@`) replaced by `***@`, for printing: a
/// mirror's credentials never appear in a message, an event or an error.
pub(crate) fn redact(url: &str) -> String {
    match userinfo(url) {
        Some(info) => url.replacen(info, "***@", 1),
        None => url.to_owned(),
    }
}

/// `text` with the user information of `url` (if it has any) replaced by `***@`.
fn redact_in(text: &str, url: &str) -> String {
    match userinfo(url) {
        Some(info) => text.replace(info, "***@"),
        None => text.to_owned(),
    }
}

/// The user information of `url` with its `@` (`user:password@`), if it has any.
fn userinfo(url: &str) -> Option<&str> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some(&rest[..=at])
}

/// Why one mirror did not deliver: its own fault (try the next) or ours (stop).
enum Attempt {
    Failed(String),
    Fatal(Error),
}

#[allow(clippy::too_many_arguments)]
fn attempt(
    agent: &ureq::Agent,
    url: &str,
    shown: &str,
    file: MnistFile,
    expected: &str,
    dir: &Path,
    timeouts: Timeouts,
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
        .map_err(|e| Attempt::Failed(describe(&e, timeouts)))?;
    if let Some(kind) = response
        .headers()
        .get(ureq::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.trim_start().to_ascii_lowercase().starts_with("text/"))
    {
        return Err(Attempt::Failed(format!(
            "the server sent a text page ({kind}), not the file"
        )));
    }
    let limit = file.max_download_len();
    let too_large = |bytes: &str| {
        Attempt::Failed(format!(
            "the body is {bytes} bytes, more than the {limit} allowed for this file \
             (twice its uncompressed size)"
        ))
    };
    let total = response.body().content_length();
    if let Some(total) = total.filter(|&t| t > limit) {
        return Err(too_large(&total.to_string()));
    }
    progress(Event::Started {
        file,
        url: shown,
        total,
    });

    // Dropping `tmp` on any error below deletes the temporary file (so does an interruption
    // of the `nabla` command: it is recorded in `crate::temporary`'s registry). Readable like
    // every other file nabla writes, not a temporary file's private 0600.
    let mut tmp = Temporary::create_in(dir, TEMP_PREFIX, "").map_err(fatal)?;
    let done = copy_limited(
        &mut response.body_mut().as_reader(),
        &mut tmp,
        limit,
        &mut |done| progress(Event::Progress { file, done, total }),
    )
    .map_err(|e| match e {
        CopyError::Read { source, done } => {
            let reason = match source
                .get_ref()
                .and_then(|x| x.downcast_ref::<ureq::Error>())
            {
                Some(inner) => describe(inner, timeouts),
                None => format!("connection failed: {source}"),
            };
            Attempt::Failed(format!("{reason} after {done} bytes"))
        }
        CopyError::Write(source) => fatal(source),
        CopyError::TooLarge => too_large(&format!("more than {limit}")),
    })?;
    if let Some(total) = total.filter(|&t| t != done) {
        return Err(Attempt::Failed(format!(
            "body cut short: {done} of {total} bytes"
        )));
    }
    tmp.as_file().sync_all().map_err(fatal)?;

    let bytes = fs::read(tmp.path()).map_err(fatal)?;
    // Decompressed no further than the real file's size: a gzip bomb is refused at its
    // header, or once it passes what the header declares.
    let idx = parse_mnist(&bytes, file)
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
    tmp.persist(&target).map_err(fatal)?;
    Ok(target)
}

/// Why [`copy_limited`] stopped before the end of its input.
enum CopyError {
    /// Reading failed after `done` bytes had arrived (the mirror's fault).
    Read { source: std::io::Error, done: u64 },
    /// Writing failed (ours: the disk).
    Write(std::io::Error),
    /// More than the limit arrived.
    TooLarge,
}

/// Copies `reader` into `writer` piece by piece, retrying interrupted reads and calling
/// `progress` with the bytes so far after each piece, until the reader ends; returns how many
/// bytes were copied. Gives up as soon as more than `limit` bytes have arrived, so an endless
/// body costs at most one piece beyond the limit.
fn copy_limited(
    reader: &mut dyn Read,
    writer: &mut dyn Write,
    limit: u64,
    progress: &mut dyn FnMut(u64),
) -> std::result::Result<u64, CopyError> {
    let mut buf = vec![0u8; 1 << 16];
    let mut done = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(done),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(CopyError::Read { source, done }),
        };
        done += n as u64;
        if done > limit {
            return Err(CopyError::TooLarge);
        }
        writer.write_all(&buf[..n]).map_err(CopyError::Write)?;
        progress(done);
    }
}

/// A one-line description of a failed request or read.
fn describe(e: &ureq::Error, timeouts: Timeouts) -> String {
    match e {
        ureq::Error::StatusCode(code) => format!("HTTP status {code}"),
        ureq::Error::Timeout(ureq::Timeout::Global) => format!(
            "not done within the deadline of {} s (${DEADLINE_ENV})",
            timeouts.deadline.as_secs_f64()
        ),
        ureq::Error::Timeout(_) => format!(
            "no data for {} s (the idle timeout, ${IDLE_TIMEOUT_ENV})",
            timeouts.idle.as_secs_f64()
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};

    use crate::test_http as http;
    use crate::test_io::{CHILD_CASE, Failing, Trickle, rerun_with_env};
    use http::Reply;

    /// A small label file, gzip-compressed, and the SHA-256 of its content.
    fn labels_gz() -> (Vec<u8>, String) {
        let mut raw = vec![0, 0, 8, 1, 0, 0, 0, 5];
        raw.extend([7, 2, 1, 0, 4]);
        let idx = crate::Idx::from_bytes(&raw).unwrap();
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&raw).unwrap();
        (
            enc.finish().unwrap(),
            crate::files::content_sha256(idx.dims(), idx.data()),
        )
    }

    const FILE: MnistFile = MnistFile::TestLabels;

    /// Runs itself again as a child process with the variables of each case set.
    #[test]
    fn settings_come_from_the_environment() {
        let defaults: Vec<String> = DEFAULT_MIRRORS.iter().map(|m| m.to_string()).collect();
        match std::env::var(CHILD_CASE).as_deref() {
            Ok("unset") | Ok("blank") => {
                // Empty or blank values count as unset.
                assert_eq!(mirrors_from_env(), defaults);
                assert_eq!(Timeouts::from_env().unwrap(), Timeouts::default());
            }
            Ok("set") => {
                assert_eq!(
                    mirrors_from_env(),
                    ["http://a.test/", "http://b.test/", "http://c.test/"]
                );
                let t = Timeouts::from_env().unwrap();
                assert_eq!(t.idle, Duration::from_millis(500));
                assert_eq!(t.deadline, Duration::from_secs(90));
            }
            Ok("bad") => {
                let e = Timeouts::from_env().unwrap_err().to_string();
                assert!(e.contains(DEADLINE_ENV) && e.contains("-3"), "{e}");
            }
            Ok(other) => panic!("unknown case {other}"),
            Err(_) => {
                let cases: [(&str, &[(&str, &str)]); 4] = [
                    ("unset", &[]),
                    (
                        "set",
                        &[
                            (
                                MIRROR_ENV,
                                " http://a.test/,http://b.test/\thttp://c.test/ ",
                            ),
                            (IDLE_TIMEOUT_ENV, "0.5"),
                            (DEADLINE_ENV, "90"),
                        ],
                    ),
                    (
                        "blank",
                        &[
                            (MIRROR_ENV, " , "),
                            (IDLE_TIMEOUT_ENV, ""),
                            (DEADLINE_ENV, ""),
                        ],
                    ),
                    ("bad", &[(DEADLINE_ENV, "-3")]),
                ];
                rerun_with_env(
                    "download::tests::settings_come_from_the_environment",
                    &[MIRROR_ENV, IDLE_TIMEOUT_ENV, DEADLINE_ENV],
                    &cases,
                );
            }
        }
    }

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
        let path = download_expecting(
            FILE,
            &sha,
            &dir,
            &[format!("{base}/mnist/")],
            Timeouts::default(),
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
        download_expecting(
            FILE,
            &sha,
            dir.path(),
            &mirrors,
            Timeouts::default(),
            &mut |e| {
                if let Event::MirrorFailed { reason, .. } = e {
                    failures.push(reason.to_owned());
                }
            },
        )
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
        let err = download_expecting(
            FILE,
            &sha,
            dir.path(),
            &mirrors,
            Timeouts::default(),
            &mut |_| {},
        )
        .unwrap_err();
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
        let err = download_expecting(
            FILE,
            &sha,
            dir.path(),
            &[base],
            Timeouts::default(),
            &mut |_| {},
        )
        .unwrap_err();
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
            Timeouts::default(),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, Error::Download { .. }), "{err}");
        // A library user reads the advice a user of the command does, on a line of its own,
        // also from `fn main() -> Result<(), Error>`, which prints the error's Debug.
        let message = err.to_string();
        assert_eq!(format!("{err:?}"), message);
        let advice = message.lines().nth(1).unwrap_or_default();
        for needle in [
            crate::MNIST_DIR_ENV,
            "MnistSource::dir",
            "--data DIR",
            MIRROR_ENV,
            "MnistSource::with_mirrors",
            "--mirror URL",
            IDLE_TIMEOUT_ENV,
            DEADLINE_ENV,
        ] {
            assert!(
                advice.contains(needle),
                "{needle:?} missing from: {message}"
            );
        }
        let no_mirrors =
            download(FILE, dir.path(), &[], Timeouts::default(), &mut |_| {}).unwrap_err();
        assert!(no_mirrors.to_string().contains("no mirror"));
    }

    /// Short timeouts for the servers that misbehave; generous enough for a loaded machine.
    fn short(idle_ms: u64, deadline_ms: u64) -> Timeouts {
        Timeouts {
            idle: Duration::from_millis(idle_ms),
            deadline: Duration::from_millis(deadline_ms),
        }
    }

    /// Downloads from one server that must fail; returns its one reason, having checked that
    /// nothing is left in the directory.
    fn fails_with(reply: impl Fn() -> Reply + Send + 'static, timeouts: Timeouts) -> String {
        let (_, sha) = labels_gz();
        let base = http::serve(move |_| reply());
        let dir = tempfile::tempdir().unwrap();
        let err =
            download_expecting(FILE, &sha, dir.path(), &[base], timeouts, &mut |_| {}).unwrap_err();
        let Error::Download { attempts, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(attempts.len(), 1, "{attempts:?}");
        assert!(
            names_in(dir.path()).is_empty(),
            "{:?}",
            names_in(dir.path())
        );
        attempts[0].clone()
    }

    #[test]
    fn a_body_that_stalls_hits_the_idle_timeout() {
        let (gz, _) = labels_gz();
        let half = gz[..gz.len() / 2].to_vec();
        let claimed = gz.len();
        let reason = fails_with(
            move || Reply::Stall {
                body: half.clone(),
                claimed,
            },
            short(1000, 60_000),
        );
        assert!(
            reason.contains("no data for 1 s") && reason.contains(IDLE_TIMEOUT_ENV),
            "{reason}"
        );
    }

    #[test]
    fn a_body_that_stalls_hits_the_deadline() {
        let reason = fails_with(
            || Reply::Stall {
                body: vec![0x1f, 0x8b],
                claimed: 1000,
            },
            short(60_000, 1000),
        );
        assert!(
            reason.contains("deadline of 1 s") && reason.contains(DEADLINE_ENV),
            "{reason}"
        );
    }

    #[test]
    fn an_endless_body_is_cut_at_twice_the_file_size() {
        let reason = fails_with(|| Reply::Endless, Timeouts::default());
        let limit = FILE.max_download_len();
        assert_eq!(limit, 20_016);
        assert!(
            reason.contains(&format!("more than {limit} bytes")),
            "{reason}"
        );
    }

    #[test]
    fn a_declared_length_above_the_cap_is_refused_before_reading() {
        let reason = fails_with(|| Reply::Body(vec![0; 20_017]), Timeouts::default());
        assert!(
            reason.contains("the body is 20017 bytes, more than the 20016 allowed"),
            "{reason}"
        );
    }

    #[test]
    fn a_body_of_exactly_the_cap_is_read_and_judged_by_its_content() {
        // Declared as 20016 bytes, the cap: allowed, then refused as content, not for its size
        // (`copy_limited` takes exactly its limit too, below).
        let reason = fails_with(|| Reply::Body(vec![0; 20_016]), Timeouts::default());
        assert!(reason.contains(": not a valid IDX file"), "{reason}");
    }

    #[test]
    fn copying_retries_interrupted_reads_and_stops_past_the_limit() {
        let bytes: Vec<u8> = (0..10).collect();
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let copied = copy_limited(&mut Trickle::new(&bytes), &mut out, 10, &mut |d| {
            seen.push(d)
        });
        assert!(matches!(copied, Ok(10)));
        assert_eq!(out, bytes);
        assert_eq!(seen, (1..=10).collect::<Vec<u64>>());
        // One byte over: refused, and the byte past the limit is not written.
        let mut out = Vec::new();
        let copied = copy_limited(&mut Trickle::new(&bytes), &mut out, 9, &mut |_| {});
        assert!(matches!(copied, Err(CopyError::TooLarge)));
        assert_eq!(out, bytes[..9]);
        // A read error reports how far it got; a write error is the writer's.
        let mut failing = Trickle::new(&bytes[..3]).chain(Failing);
        let copied = copy_limited(&mut failing, &mut Vec::new(), 10, &mut |_| {});
        assert!(matches!(copied, Err(CopyError::Read { done: 3, .. })));
        let copied = copy_limited(
            &mut &bytes[..],
            &mut [0u8; 4].as_mut_slice(),
            10,
            &mut |_| {},
        );
        assert!(
            matches!(copied, Err(CopyError::Write(e)) if e.kind() == std::io::ErrorKind::WriteZero)
        );
    }

    #[test]
    fn a_gzip_bomb_is_refused_at_its_header() {
        // 16 kB that inflate to 16 MiB of zeros under a header claiming that many labels:
        // refused for its header (the real file holds 10000 labels), not decompressed and
        // then failed on its checksum.
        let claimed = 16 << 20;
        let mut header = vec![0, 0, 8, 1];
        header.extend_from_slice(&(claimed as u32).to_be_bytes());
        let body = crate::test_io::bomb(&header, 16);
        assert!(body.len() < 20_016, "{}", body.len());
        let reason = fails_with(move || Reply::Body(body.clone()), Timeouts::default());
        assert!(
            reason.contains(&format!(
                "not a valid IDX file: the header declares dimensions [{claimed}], a payload of \
                 {claimed} bytes, more than the 10000 bytes this file may hold"
            )),
            "{reason}"
        );
    }

    #[test]
    fn credentials_in_a_mirror_url_are_never_shown() {
        let base = http::serve(|_| Reply::Status(404));
        let with_credentials = base.replacen("http://", "http://reader:s3cret@", 1);
        let dir = tempfile::tempdir().unwrap();
        let mut shown = Vec::new();
        let err = download(
            FILE,
            dir.path(),
            &[with_credentials],
            Timeouts::default(),
            &mut |e| {
                if let Event::MirrorFailed { url, reason, .. } = e {
                    shown.push(format!("{url} {reason}"));
                }
            },
        )
        .unwrap_err();
        let message = err.to_string();
        let port = base.rsplit(':').next().unwrap();
        assert!(
            message.contains(&format!("http://***@127.0.0.1:{port}/{}", FILE.file_name())),
            "{message}"
        );
        assert_eq!(shown.len(), 1);
        for text in [message, shown.join("\n")] {
            assert!(
                !text.contains("s3cret") && !text.contains("reader"),
                "{text}"
            );
        }
    }

    #[test]
    fn redaction_takes_only_the_user_information() {
        assert_eq!(redact("http://u:p@host:8/a/b"), "http://***@host:8/a/b");
        assert_eq!(redact("https://token@host/"), "https://***@host/");
        // An `@` after the host is part of the path, not a credential.
        assert_eq!(redact("http://host/a@b"), "http://host/a@b");
        assert_eq!(redact("http://a:b@c@host/x"), "http://***@host/x");
        assert_eq!(redact("not a url"), "not a url");
        assert_eq!(
            redact_in("GET http://u:p@host/x failed", "http://u:p@host/x"),
            "GET http://***@host/x failed"
        );
    }

    #[test]
    fn a_text_page_is_not_taken_for_the_file() {
        let reason = fails_with(
            || Reply::Typed {
                content_type: "text/html; charset=utf-8",
                body: b"<html>Please log in</html>".to_vec(),
            },
            Timeouts::default(),
        );
        assert!(
            reason.contains("text page (text/html; charset=utf-8)"),
            "{reason}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_downloaded_file_is_readable_by_all() {
        use std::os::unix::fs::PermissionsExt;
        let (gz, sha) = labels_gz();
        let base = http::serve(move |_| Reply::Body(gz.clone()));
        let dir = tempfile::tempdir().unwrap();
        let path = download_expecting(
            FILE,
            &sha,
            dir.path(),
            &[base],
            Timeouts::default(),
            &mut |_| {},
        )
        .unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "{mode:o}");
    }

    #[test]
    fn stale_temporary_files_are_removed_and_fresh_ones_kept() {
        let (gz, sha) = labels_gz();
        let base = http::serve(move |_| Reply::Body(gz.clone()));
        let dir = tempfile::tempdir().unwrap();
        let hours_ago = |h: u64| std::time::SystemTime::now() - Duration::from_secs(h * 3600);
        // Stale means older than a day: 25 hours is, 23 hours is not.
        let names = [
            (".nabla-download-Abc123", 48),
            (".nabla-download-Day1xx", 25),
            (".nabla-download-Fresh1", 0),
            (".nabla-download-Young1", 23),
            (".nabla-download-longer-name", 48),
            // Not the six letters or digits of a temporary name: another program's.
            (".nabla-download-Abc1234", 48),
            (".nabla-download-ab.cd1", 48),
            (".tmpAbc123", 48),
            ("notes.txt", 48),
        ];
        for (name, age) in names {
            let file = fs::File::create(dir.path().join(name)).unwrap();
            file.set_modified(hours_ago(age)).unwrap();
        }
        download_expecting(
            FILE,
            &sha,
            dir.path(),
            &[base],
            Timeouts::default(),
            &mut |_| {},
        )
        .unwrap();
        // A fresh one may belong to a download running now; `.tmpAbc123` may be another
        // program's outside the per-user cache.
        assert_eq!(
            names_in(dir.path()),
            [
                ".nabla-download-Abc1234",
                ".nabla-download-Fresh1",
                ".nabla-download-Young1",
                ".nabla-download-ab.cd1",
                ".nabla-download-longer-name",
                ".tmpAbc123",
                "notes.txt",
                FILE.file_name()
            ]
        );
        // In the cache, the earlier versions' `.tmpXXXXXX` go too.
        remove_stale_temporaries(dir.path(), true);
        assert!(!names_in(dir.path()).contains(&".tmpAbc123".to_owned()));
    }

    #[test]
    fn a_file_in_place_of_the_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache");
        fs::write(&file, b"not a directory").unwrap();
        let err = download(
            FILE,
            &file.join("nabla").join("mnist"),
            &["http://127.0.0.1:9/".to_owned()],
            Timeouts::default(),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, Error::NotADirectory { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: exists and is not a directory (it must be the MNIST directory or lead to it)",
                file.display()
            )
        );
    }

    #[test]
    fn seconds_parse_as_positive_finite_numbers() {
        assert_eq!(parse_seconds("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_seconds(" 0.5 "), Some(Duration::from_millis(500)));
        for bad in ["0", "-1", "inf", "nan", "ten", "", "1e300"] {
            assert_eq!(parse_seconds(bad), None, "{bad}");
        }
    }
}

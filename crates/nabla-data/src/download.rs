//! Downloading one MNIST file from a list of mirrors, verified before it is trusted.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::atomic::{self, ReplaceError};
use crate::files::{check_content, create_dir, parse_mnist};
use crate::redact::{redact, redact_in};
use crate::stale::remove_stale_temporaries;
use crate::temporary::{Naming, Temporary};
use crate::{DEADLINE_ENV, IDLE_TIMEOUT_ENV};
use crate::{Error, Event, MnistFile, Result, Timeouts};

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
    let mut job = Job {
        agent: ureq::Agent::new_with_config(config),
        file,
        expected,
        dir,
        timeouts,
        progress,
    };
    let mut attempts = Vec::new();
    for mirror in mirrors {
        let url = format!("{}/{}", mirror.trim_end_matches('/'), file.file_name());
        // What is printed: without the mirror's credentials, if its URL carries any.
        let shown = redact(&url);
        match job.attempt(&url, &shown) {
            Ok(path) => {
                (job.progress)(Event::Saved { file, path: &path });
                return Ok(path);
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Failed(reason)) => {
                // A library's message may quote the URL it was given.
                let reason = redact_in(&reason, &url);
                (job.progress)(Event::MirrorFailed {
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

/// Why one mirror did not deliver: its own fault (try the next) or ours (stop).
enum Attempt {
    Failed(String),
    Fatal(Error),
}

/// What every mirror's attempt at one file shares.
struct Job<'a> {
    agent: ureq::Agent,
    file: MnistFile,
    /// The SHA-256 of the file's content.
    expected: &'a str,
    dir: &'a Path,
    timeouts: Timeouts,
    progress: &'a mut dyn FnMut(Event<'_>),
}

impl Job<'_> {
    /// An I/O error of ours (the disk), which stops the download.
    fn fatal(&self, source: std::io::Error) -> Attempt {
        Attempt::Fatal(Error::Io {
            path: self.dir.to_path_buf(),
            source,
        })
    }

    /// A body larger than the file may be.
    fn too_large(&self, bytes: &str) -> Attempt {
        Attempt::Failed(format!(
            "the body is {bytes} bytes, more than the {} allowed for this file \
             (twice its uncompressed size)",
            self.file.max_download_len()
        ))
    }

    /// One mirror's attempt: asks for the file at `url` (shown as `shown`), then streams it
    /// into a temporary file that is renamed into place only once it is verified.
    fn attempt(&mut self, url: &str, shown: &str) -> Result<PathBuf, Attempt> {
        let mut response = self.request(url)?;
        let total = response.body().content_length();
        if let Some(total) = total.filter(|&t| t > self.file.max_download_len()) {
            return Err(self.too_large(&total.to_string()));
        }
        let file = self.file;
        (self.progress)(Event::Started {
            file,
            url: shown,
            total,
        });
        let target = self.dir.join(file.file_name());
        // Dropping the temporary file on any error deletes it (so does an interruption of
        // the `nabla` command: it is recorded in `crate::temporary`'s registry).
        atomic::replace(&target, Naming::Download, |tmp| {
            self.fetch(&mut response, tmp, total)?;
            self.verify(tmp.path(), &target)
        })
        .map_err(|e| match e {
            ReplaceError::Write(attempt) => attempt,
            ReplaceError::NotAFile(kind) => Attempt::Fatal(Error::NotAFile {
                path: target.clone(),
                kind,
            }),
            ReplaceError::Io(source) => self.fatal(source),
        })?;
        Ok(target)
    }

    /// Asks for `url`; refuses an error status and a text page (an error or login page
    /// rather than the file).
    fn request(&self, url: &str) -> Result<ureq::http::Response<ureq::Body>, Attempt> {
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| Attempt::Failed(describe(&e, self.timeouts)))?;
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
        Ok(response)
    }

    /// Streams the body into `tmp`, reporting progress, up to the file's download cap;
    /// checks that as many bytes arrived as the server announced (`total`).
    fn fetch(
        &mut self,
        response: &mut ureq::http::Response<ureq::Body>,
        tmp: &mut Temporary,
        total: Option<u64>,
    ) -> Result<(), Attempt> {
        let (file, limit) = (self.file, self.file.max_download_len());
        let copied = copy_limited(
            &mut response.body_mut().as_reader(),
            tmp,
            limit,
            &mut |done| (self.progress)(Event::Progress { file, done, total }),
        );
        let done = copied.map_err(|e| match e {
            CopyError::Read { source, done } => {
                let reason = match source
                    .get_ref()
                    .and_then(|x| x.downcast_ref::<ureq::Error>())
                {
                    Some(inner) => describe(inner, self.timeouts),
                    None => format!("connection failed: {source}"),
                };
                Attempt::Failed(format!("{reason} after {done} bytes"))
            }
            CopyError::Write(source) => self.fatal(source),
            CopyError::TooLarge => self.too_large(&format!("more than {limit}")),
        })?;
        match total.filter(|&t| t != done) {
            Some(total) => Err(Attempt::Failed(format!(
                "body cut short: {done} of {total} bytes"
            ))),
            None => Ok(()),
        }
    }

    /// Checks the downloaded file at `path`: a valid IDX file (decompressed no further than
    /// the real file's size: a gzip bomb is refused at its header, or once it passes what the
    /// header declares) whose content has the expected SHA-256. `target` names it in errors.
    fn verify(&self, path: &Path, target: &Path) -> Result<(), Attempt> {
        let bytes = fs::read(path).map_err(|e| self.fatal(e))?;
        let idx = parse_mnist(&bytes, self.file)
            .map_err(|e| Attempt::Failed(format!("not a valid IDX file: {e}")))?;
        check_content(idx.dims(), idx.data(), self.expected, target).map_err(|e| match e {
            Error::Checksum {
                actual, expected, ..
            } => Attempt::Failed(format!(
                "checksum mismatch: SHA-256 of the content is {actual}, expected {expected}"
            )),
            other => Attempt::Fatal(other),
        })
    }
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
    use crate::test_io::{Failing, Trickle, names_in};
    use http::Reply;
    use std::time::Duration;

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
        let mirrors = [format!("{base}/wrong/"), format!("{base}/garbage/")];
        let (err, attempts) = download_fails(&sha, &mirrors, Timeouts::default());
        assert_eq!(attempts.len(), 2);
        assert!(attempts[0].contains("checksum mismatch"), "{}", attempts[0]);
        assert!(attempts[1].contains("/garbage/"), "{}", attempts[1]);
        assert!(err.to_string().contains(FILE.file_name()));
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
        let (_, attempts) = download_fails(&sha, &[base], Timeouts::default());
        assert_eq!(attempts.len(), 1);
        assert!(attempts[0].contains("bytes"), "{}", attempts[0]);
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
            crate::MIRROR_ENV,
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
        Timeouts::new(
            Duration::from_millis(idle_ms),
            Duration::from_millis(deadline_ms),
        )
        .unwrap()
    }

    /// Downloads `FILE` (expecting `sha`) from `mirrors` into `dir`, which must succeed.
    fn download_ok(sha: &str, dir: &Path, mirrors: &[String]) -> PathBuf {
        download_expecting(FILE, sha, dir, mirrors, Timeouts::default(), &mut |_| {}).unwrap()
    }

    /// Downloads `FILE` (expecting `sha`) from `mirrors` into a new directory, which must
    /// fail and leave the directory empty; returns the error and its attempts' reasons.
    fn download_fails(sha: &str, mirrors: &[String], timeouts: Timeouts) -> (Error, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let err =
            download_expecting(FILE, sha, dir.path(), mirrors, timeouts, &mut |_| {}).unwrap_err();
        let Error::Download { attempts, .. } = &err else {
            panic!("{err}")
        };
        let attempts = attempts.clone();
        let left = names_in(dir.path());
        assert!(left.is_empty(), "{left:?}");
        (err, attempts)
    }

    /// Downloads from one server that must fail; returns its one reason, having checked that
    /// nothing is left in the directory.
    fn fails_with(reply: impl Fn() -> Reply + Send + 'static, timeouts: Timeouts) -> String {
        let (_, sha) = labels_gz();
        let base = http::serve(move |_| reply());
        let (_, attempts) = download_fails(&sha, &[base], timeouts);
        assert_eq!(attempts.len(), 1, "{attempts:?}");
        attempts[0].clone()
    }

    /// A server that sends `body`, claims `claimed` bytes and then stalls: the download fails
    /// with a reason that says `expected` and names the setting `env` that would change it.
    fn stalls(body: Vec<u8>, claimed: usize, timeouts: Timeouts, expected: &str, env: &str) {
        let reason = fails_with(
            move || Reply::Stall {
                body: body.clone(),
                claimed,
            },
            timeouts,
        );
        assert!(
            reason.contains(expected) && reason.contains(env),
            "{reason}"
        );
    }

    #[test]
    fn a_body_that_stalls_hits_the_idle_timeout() {
        let (gz, _) = labels_gz();
        let half = gz[..gz.len() / 2].to_vec();
        let idle = short(1000, 60_000);
        stalls(half, gz.len(), idle, "no data for 1 s", IDLE_TIMEOUT_ENV);
    }

    #[test]
    fn a_body_that_stalls_hits_the_deadline() {
        let deadline = short(60_000, 1000);
        stalls(
            vec![0x1f, 0x8b],
            1000,
            deadline,
            "deadline of 1 s",
            DEADLINE_ENV,
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
        let path = download_ok(&sha, dir.path(), &[base]);
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
        download_ok(&sha, dir.path(), &[base]);
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
}

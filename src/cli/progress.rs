//! Download progress, shared by every command that may download MNIST: a bar on a terminal,
//! plain log lines otherwise (a log file, CI), so that a download is never silent.

use indicatif::{ProgressBar, ProgressStyle};
use nabla::data::Event;

/// Turns nabla-data's download [`Event`]s into one indicatif bar per file on stderr, and the
/// failures (a mirror that failed, a cached file that was rejected) into stderr lines, each
/// starting with `indent`. When stderr is not a terminal (indicatif hides its bars there),
/// the start and the end of each download are plain stderr lines instead.
pub(super) struct DownloadProgress {
    bar: Option<ProgressBar>,
    style: ProgressStyle,
    indent: &'static str,
}

impl DownloadProgress {
    /// A display whose lines start with `indent`.
    pub(super) fn new(indent: &'static str) -> Self {
        let style = ProgressStyle::with_template(
            "{msg:28} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        Self {
            bar: None,
            style,
            indent,
        }
    }

    /// Shows one event. Events that are not about a download in progress are left to the
    /// caller (who may print them on stdout).
    pub(super) fn show(&mut self, event: Event<'_>) {
        let indent = self.indent;
        match event {
            Event::Started { file, url, total } => {
                let pb = match total {
                    Some(len) => ProgressBar::new(len).with_style(self.style.clone()),
                    None => ProgressBar::new_spinner(),
                };
                pb.set_message(file.file_name());
                let line = format!("{indent}downloading {url}");
                if pb.is_hidden() {
                    eprintln!("{line}");
                } else {
                    pb.println(line);
                }
                self.bar = Some(pb);
            }
            Event::Progress { done, .. } => {
                if let Some(pb) = &self.bar {
                    pb.set_position(done);
                }
            }
            Event::MirrorFailed { url, reason, .. } => {
                if let Some(pb) = self.bar.take() {
                    pb.abandon();
                }
                eprintln!("{indent}{url}: {reason}");
            }
            Event::Rejected { error, .. } => eprintln!("{indent}rejected: {error}"),
            Event::Saved { file, path } => {
                let hidden = self.finish();
                if hidden {
                    eprintln!(
                        "{indent}{}: downloaded to {}, checksum ok",
                        file.file_name(),
                        path.display()
                    );
                }
            }
            _ => {}
        }
    }

    /// Clears the bar of a finished download; returns whether it was hidden (stderr is not a
    /// terminal), when the caller should log the end of the download as a line.
    pub(super) fn finish(&mut self) -> bool {
        self.bar.take().is_some_and(|pb| {
            let hidden = pb.is_hidden();
            pb.finish_and_clear();
            hidden
        })
    }
}

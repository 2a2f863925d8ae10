//! Removing the temporary files that killed downloads left behind.

use std::fs;
use std::path::Path;
use std::time::Duration;

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

/// Removes the temporary files of downloads that were killed (more than a day old), and in
/// the per-user cache (`legacy`) those of earlier versions too. Best effort: a file that
/// cannot be listed or removed is left for the next time.
pub(crate) fn remove_stale_temporaries(dir: &Path, legacy: bool) {
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

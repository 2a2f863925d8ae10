//! `nabla mnist info` and `nabla mnist fetch` end to end: on small IDX files written here, each
//! damaged in one way, and against an HTTP server on 127.0.0.1. Every failure exits 1 with an
//! `error:` line that names the file, and never a Rust panic.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{
    assert_nothing_left, command, failed_cleanly, file_names, idx, mnist_dir, nabla, nabla_bounded,
    stderr,
};

use nabla_data::test_http as http;

const TRAIN_IMAGES: &str = "train-images-idx3-ubyte.gz";
const TRAIN_LABELS: &str = "train-labels-idx1-ubyte.gz";
const TEST_IMAGES: &str = "t10k-images-idx3-ubyte.gz";
const TEST_LABELS: &str = "t10k-labels-idx1-ubyte.gz";

/// Four small valid files (uncompressed bytes under the `.gz` names: the loader goes by the
/// magic bytes): 3 training images, 2 test images.
fn small_mnist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(dir.path().join(name), bytes).unwrap();
    write(TRAIN_IMAGES, idx(&[3, 28, 28], &[7; 3 * 784]));
    write(TRAIN_LABELS, idx(&[3], &[5, 0, 4]));
    write(TEST_IMAGES, idx(&[2, 28, 28], &[0; 2 * 784]));
    write(TEST_LABELS, idx(&[2], &[7, 2]));
    dir
}

/// Runs `nabla mnist info --data dir` and checks that it fails cleanly, starting with
/// `error: ` and mentioning each of `needles`; returns stderr.
fn info_fails(dir: &Path, needles: &[&str]) -> String {
    let out = nabla(&["mnist", "info", "--data", dir.to_str().expect("UTF-8 path")]);
    let stderr = failed_cleanly(&out, needles);
    assert!(stderr.starts_with("error: "), "stderr: {stderr}");
    stderr
}

/// Runs `nabla mnist fetch --dir dir --mirror mirror`.
fn fetch(dir: &Path, mirror: &str) -> Output {
    nabla(&[
        "mnist",
        "fetch",
        "--dir",
        dir.to_str().expect("UTF-8 path"),
        "--mirror",
        mirror,
    ])
}

/// A small data set with `name` replaced by `bytes`.
fn with_file(name: &str, bytes: Vec<u8>) -> tempfile::TempDir {
    let dir = small_mnist();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    dir
}

#[test]
fn info_on_valid_small_files_reports_then_fails_on_checksums() {
    let dir = small_mnist();
    let out = nabla(&["mnist", "info", "--data", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 images of 28 x 28 (matrix 3 x 784)"),
        "{stdout}"
    );
    assert!(stdout.contains("first labels [5, 0, 4]"), "{stdout}");
    assert!(stdout.contains("MISMATCH"), "{stdout}");
    // 7 / 255 everywhere: mean 0.0274509803921569, standard deviation 0.
    assert!(stdout.contains("mean 0.02745098039215"), "{stdout}");
    info_fails(dir.path(), &["checksum mismatch", TRAIN_IMAGES]);
}

/// `nabla mnist info | head -1`: a reader that has gone away ends the command quietly
/// (exit 0), where `println!` would panic on the closed pipe.
#[test]
fn info_into_a_closed_pipe_exits_quietly() {
    let dir = small_mnist();
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader); // closed before the command writes its first line
    let out = command()
        .args(["mnist", "info", "--data", dir.path().to_str().unwrap()])
        .stdout(writer)
        .output()
        .expect("run the nabla binary");
    let stderr = stderr(&out);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    // Exit 0, not the checksum failure (1) it would reach with a reader, nor a panic (101).
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
}
#[test]
fn info_names_a_missing_file() {
    let dir = small_mnist();
    std::fs::remove_file(dir.path().join(TRAIN_LABELS)).unwrap();
    info_fails(dir.path(), &[TRAIN_LABELS, "not found"]);
}

#[test]
fn info_names_a_missing_or_wrong_directory() {
    let dir = small_mnist();
    info_fails(&dir.path().join("nope"), &["nope", "No such file"]);
    info_fails(
        &dir.path().join(TEST_LABELS),
        &[TEST_LABELS, "not a directory"],
    );
}

#[test]
fn info_rejects_bad_magic_and_type() {
    let mut bytes = idx(&[3, 28, 28], &[7; 3 * 784]);
    bytes[0] = 0x50;
    info_fails(
        with_file(TRAIN_IMAGES, bytes).path(),
        &[TRAIN_IMAGES, "bad magic number"],
    );
    let mut bytes = idx(&[3], &[5, 0, 4]);
    bytes[2] = 0x0d;
    info_fails(
        with_file(TRAIN_LABELS, bytes).path(),
        &[TRAIN_LABELS, "type byte 0x0d"],
    );
}

#[test]
fn info_rejects_truncation_and_trailing_bytes() {
    let full = idx(&[2, 28, 28], &[0; 2 * 784]);
    info_fails(
        with_file(TEST_IMAGES, full[..10].to_vec()).path(),
        &[TEST_IMAGES, "truncated header"],
    );
    info_fails(
        with_file(TEST_IMAGES, full[..full.len() - 1].to_vec()).path(),
        &[TEST_IMAGES, "truncated payload", "1568", "1567"],
    );
    let mut long = full.clone();
    long.extend_from_slice(b"extra");
    info_fails(
        with_file(TEST_IMAGES, long).path(),
        &[TEST_IMAGES, "trailing bytes"],
    );
}

#[test]
fn info_rejects_headers_that_claim_too_much() {
    // 4 billion images claimed, 784 bytes present: refused at the header for claiming more
    // than MNIST's file holds, not a 3 TB allocation.
    let bytes = idx(&[4_000_000_000, 28, 28], &[0; 784]);
    info_fails(
        with_file(TRAIN_IMAGES, bytes).path(),
        &[
            TRAIN_IMAGES,
            "the header declares dimensions [4000000000, 28, 28], a payload of 3136000000000 \
             bytes, more than the 47040000 bytes this file may hold",
        ],
    );
    // A product that overflows 64 bits.
    let bytes = idx(&[u32::MAX, u32::MAX, u32::MAX], &[]);
    info_fails(
        with_file(TRAIN_IMAGES, bytes).path(),
        &[TRAIN_IMAGES, "overflow"],
    );
}

#[test]
fn info_rejects_count_mismatch_and_bad_labels() {
    info_fails(
        with_file(TRAIN_LABELS, idx(&[2], &[5, 0])).path(),
        &[TRAIN_IMAGES, TRAIN_LABELS, "3 images but", "2 labels"],
    );
    info_fails(
        with_file(TEST_LABELS, idx(&[2], &[7, 12])).path(),
        &[TEST_LABELS, "label 12 at index 1"],
    );
    info_fails(
        with_file(TEST_IMAGES, idx(&[2, 784], &[0; 2 * 784])).path(),
        &[
            TEST_IMAGES,
            "wrong magic number 00000802 (2 dimensions): this file must start with 00000803",
        ],
    );
}

#[test]
fn info_rejects_corrupt_gzip() {
    let bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef];
    info_fails(with_file(TEST_LABELS, bytes).path(), &[TEST_LABELS, "gzip"]);
}

#[test]
fn fetch_reports_http_errors_and_leaves_nothing() {
    let base = http::serve(|_| http::Reply::Status(404));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("cache");
    failed_cleanly(
        &fetch(&target, &base),
        &[
            "error: could not download train-images-idx3-ubyte.gz",
            "HTTP status 404",
        ],
    );
    assert_nothing_left(&target);
}

#[test]
fn fetch_rejects_a_body_cut_short() {
    let base = http::serve(|_| http::Reply::CutShort {
        body: vec![0x1f, 0x8b, 8, 0],
        claimed: 1000,
    });
    let dir = tempfile::tempdir().unwrap();
    failed_cleanly(&fetch(dir.path(), &base), &["error: could not download"]);
    assert_nothing_left(dir.path());
}

#[test]
fn real_mnist_info_and_fetch_from_a_local_mirror() {
    let Some(real) = mnist_dir("real_mnist_info_and_fetch_from_a_local_mirror") else {
        return;
    };
    let real = PathBuf::from(real);
    let out = nabla(&["mnist", "info", "--data", real.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout.contains("60000 images of 28 x 28 (matrix 60000 x 784)"),
        "{stdout}"
    );
    assert!(stdout.contains("first labels [7, 2, 1"), "{stdout}");
    assert!(stdout.contains("mean 0.13066047627384"), "{stdout}");
    assert!(stdout.contains("all four checksums match"), "{stdout}");

    // Fetch through $NABLA_MNIST_MIRROR: the first mirror 404s, the second serves the files.
    let base = http::serve(http::files(real));
    let dir = tempfile::tempdir().unwrap();
    let out = command()
        .args(["mnist", "fetch", "--dir", dir.path().to_str().unwrap()])
        .env("NABLA_MNIST_MIRROR", format!("{base}/missing/ {base}/"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout.matches("downloaded, checksum ok").count(),
        4,
        "{stdout}"
    );
    assert_eq!(file_names(dir.path()).len(), 4);
    // A second fetch finds them intact and downloads nothing.
    let out = fetch(dir.path(), &base);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert_eq!(
        stdout.matches("present, checksum ok").count(),
        4,
        "{stdout}"
    );
}

/// `nabla mnist fetch --dir dir --mirror base` with `extra` arguments and `envs`, bounded.
fn fetch_bounded(dir: &Path, base: &str, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "mnist",
        "fetch",
        "--dir",
        dir.to_str().unwrap(),
        "--mirror",
        base,
    ];
    args.extend_from_slice(extra);
    nabla_bounded(&args, envs)
}

/// A server that sends the head of a 1000-byte reply and its first 4 bytes, then nothing.
fn stalled_server() -> String {
    http::serve(|_| http::Reply::Stall {
        body: vec![0x1f, 0x8b, 8, 0],
        claimed: 1000,
    })
}

/// Deterministic under load: the server sends the head and the 4 bytes in one write (see
/// `test_http`), so "after 4 bytes" does not depend on when its thread runs, and each case
/// has a server of its own, so the second never waits for the first's connection to end.
#[test]
fn fetch_gives_up_on_a_stalled_server_and_says_what_to_do() {
    let base = stalled_server();
    let dir = tempfile::tempdir().unwrap();
    // The idle timeout by flag, ...
    let out = fetch_bounded(dir.path(), &base, &["--idle-timeout", "1"], &[]);
    failed_cleanly(
        &out,
        &[
            "no data for 1 s (the idle timeout, $NABLA_DOWNLOAD_IDLE_TIMEOUT) after 4 bytes",
            "set $MNIST_DIR to their directory (nabla: --data DIR",
            "set $NABLA_MNIST_MIRROR to its URL (nabla: --mirror URL",
        ],
    );
    assert_nothing_left(dir.path());
    // ... and the deadline by environment.
    let base = stalled_server();
    let out = fetch_bounded(dir.path(), &base, &[], &[("NABLA_DOWNLOAD_DEADLINE", "1")]);
    failed_cleanly(&out, &["not done within the deadline of 1 s"]);
    assert_nothing_left(dir.path());
}

#[test]
fn fetch_stops_an_endless_body_at_twice_the_file_size() {
    let base = http::serve(|_| http::Reply::Endless);
    let dir = tempfile::tempdir().unwrap();
    let out = fetch_bounded(dir.path(), &base, &[], &[]);
    // train-images is 47,040,016 bytes uncompressed.
    failed_cleanly(&out, &["more than 94080032 bytes"]);
    assert_nothing_left(dir.path());
}

#[test]
fn fetch_refuses_a_text_page_and_a_bad_timeout_setting() {
    let base = http::serve(|_| http::Reply::Typed {
        content_type: "text/html",
        body: b"<html><body>Welcome to the hotel network</body></html>".to_vec(),
    });
    let dir = tempfile::tempdir().unwrap();
    let out = fetch_bounded(dir.path(), &base, &[], &[]);
    failed_cleanly(
        &out,
        &["the server sent a text page (text/html), not the file"],
    );
    assert_nothing_left(dir.path());
    let out = fetch_bounded(
        dir.path(),
        &base,
        &[],
        &[("NABLA_DOWNLOAD_IDLE_TIMEOUT", "soon")],
    );
    failed_cleanly(
        &out,
        &["$NABLA_DOWNLOAD_IDLE_TIMEOUT = \"soon\": expected a number of seconds"],
    );
    let out = fetch_bounded(dir.path(), &base, &["--deadline", "-1"], &[]);
    assert_eq!(out.status.code(), Some(2), "clap refuses it");
    assert!(
        stderr(&out).contains("greater than 0, got -1.0"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_data_file_is_refused_not_read() {
    let dir = small_mnist();
    let fifo = dir.path().join(TEST_LABELS);
    std::fs::remove_file(&fifo).unwrap();
    crate::util::mkfifo(&fifo);
    let out = nabla_bounded(
        &["mnist", "info", "--data", dir.path().to_str().unwrap()],
        &[],
    );
    failed_cleanly(
        &out,
        &[&format!(
            "{}: is a FIFO (named pipe), not a regular file",
            fifo.display()
        )],
    );
}

#[test]
fn a_cache_path_below_a_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache");
    std::fs::write(&file, "a file, not a directory").unwrap();
    let out = nabla_bounded(
        &["mnist", "fetch", "--mirror", "http://127.0.0.1:9/"],
        &[("XDG_CACHE_HOME", file.to_str().unwrap())],
    );
    failed_cleanly(
        &out,
        &[&format!(
            "{}: exists and is not a directory",
            file.display()
        )],
    );
    assert!(!stderr(&out).contains("os error 17"));
}

/// A gzip bomb under an MNIST name: `dims` in an images header (a payload of their product),
/// then `mib` mebibytes of zeros as gzip members of a kilobyte each.
fn images_bomb(dims: &[u32], mib: usize) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    };
    let mut out = gzip(&idx(dims, &[]));
    let member = gzip(&vec![0u8; 1 << 20]);
    for _ in 0..mib {
        out.extend_from_slice(&member);
    }
    out
}

/// The bomb: a small gzip file that inflates far beyond the real file's 47 MB is
/// refused at its header, by `fetch` (from a mirror) and from `--data`, before it is inflated.
#[test]
fn a_gzip_bomb_is_refused_at_its_header_from_a_mirror_and_from_data() {
    // 200,000 images claimed (156.8 MB of pixels) and as many zeros behind: 150 kB on disk.
    let bomb = images_bomb(&[200_000, 28, 28], 150);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let refused = "the header declares dimensions [200000, 28, 28], a payload of 156800000 \
                   bytes, more than the 47040000 bytes this file may hold";
    let served = bomb.clone();
    let base = http::serve(move |_| http::Reply::Body(served.clone()));
    let dir = tempfile::tempdir().unwrap();
    let out = fetch_bounded(dir.path(), &base, &[], &[]);
    failed_cleanly(&out, &["not a valid IDX file", refused]);
    assert_nothing_left(dir.path());

    let data = with_file(TRAIN_IMAGES, bomb);
    info_fails(data.path(), &[TRAIN_IMAGES, refused]);
}

/// A labels file whose magic number says two dimensions is reported for its magic number,
/// not for what its misread dimensions would promise.
#[test]
fn a_labels_file_with_the_wrong_magic_is_named_for_it() {
    let mut bytes = idx(&[3], &[5, 0, 4]);
    bytes[3] = 2;
    let stderr = info_fails(
        with_file(TRAIN_LABELS, bytes).path(),
        &[
            TRAIN_LABELS,
            "wrong magic number 00000802 (2 dimensions): this file must start with 00000801",
        ],
    );
    assert!(!stderr.contains("truncated payload"), "{stderr}");
}

/// A mirror URL with credentials is never printed with them: not in the progress lines, not
/// in the error, whether given by `--mirror` or `$NABLA_MNIST_MIRROR`.
#[test]
fn credentials_in_a_mirror_url_are_redacted_everywhere() {
    let base = http::serve(|_| http::Reply::Status(404));
    let secret = base.replacen("http://", "http://reader:s3cret@", 1);
    let shown = base.replacen("http://", "http://***@", 1);
    let dir = tempfile::tempdir().unwrap();
    let out = fetch_bounded(dir.path(), &secret, &[], &[]);
    let stderr = failed_cleanly(&out, &[&format!("{shown}/{TRAIN_IMAGES}: HTTP status 404")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for text in [&stderr, &stdout.to_string()] {
        assert!(
            !text.contains("s3cret") && !text.contains("reader"),
            "{text}"
        );
    }
    // `nabla train` downloading into an empty cache, the mirror from the environment.
    let cache = tempfile::tempdir().unwrap();
    let run = nabla_bounded(
        &["train", "--out", dir.path().join("out").to_str().unwrap()],
        &[
            ("XDG_CACHE_HOME", cache.path().to_str().unwrap()),
            ("NABLA_MNIST_MIRROR", &secret),
        ],
    );
    let stderr = failed_cleanly(&run, &[&shown]);
    assert!(
        !stderr.contains("s3cret") && !stderr.contains("reader"),
        "{stderr}"
    );
}

/// A `--data` directory that cannot be read (mode 000) is said to be so, not taken for an
/// empty one whose files must be downloaded. Run as root, the permission bits do not apply:
/// the command then runs as `nobody` through `setpriv`.
#[cfg(unix)]
#[test]
fn an_unreadable_data_directory_is_named_not_downloaded() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = parent.path().join("mnist");
    std::fs::create_dir(&data).unwrap();
    for (name, bytes) in [
        (TRAIN_IMAGES, idx(&[3, 28, 28], &[7; 3 * 784])),
        (TRAIN_LABELS, idx(&[3], &[5, 0, 4])),
        (TEST_IMAGES, idx(&[2, 28, 28], &[0; 2 * 784])),
        (TEST_LABELS, idx(&[2], &[7, 2])),
    ] {
        std::fs::write(data.join(name), bytes).unwrap();
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = parent.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
    let privileged = std::fs::read_dir(&data).is_ok();
    let nabla = command().get_program().to_owned();
    let run = |args: &[&str]| {
        let mut cmd = if privileged {
            let mut cmd = std::process::Command::new("setpriv");
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&nabla);
            cmd
        } else {
            command()
        };
        cmd.args(args)
            .env_remove("MNIST_DIR")
            .env("NABLA_MNIST_MIRROR", "http://127.0.0.1:9/")
            .output()
            .expect("run nabla")
    };
    if privileged
        && std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!(
            "skipping an_unreadable_data_directory_is_named_not_downloaded: root without setpriv"
        );
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let d = data.to_str().unwrap();
    let expected = format!("{d}: the directory cannot be read: Permission denied");
    for args in [
        &["train", "--data", d, "--out", out.to_str().unwrap()][..],
        &["mnist", "info", "--data", d],
    ] {
        let stderr = failed_cleanly(&run(args), &[&expected]);
        assert!(!stderr.contains("download"), "{args:?}: {stderr}");
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
}

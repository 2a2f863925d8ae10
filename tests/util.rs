//! What every test module needs: the built `nabla` command, run without the caller's MNIST
//! settings; IDX files written by hand; checks that a command failed cleanly; and the real
//! MNIST directory for the tests that need it.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// The built `nabla` binary, without `$MNIST_DIR` or `$NABLA_MNIST_MIRROR` from the caller's
/// environment, so that a test reads only the data it names and never downloads.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nabla"));
    command
        .env_remove("MNIST_DIR")
        .env_remove("NABLA_MNIST_MIRROR");
    command
}

/// Runs `nabla` with `args` (see [`command`]) and collects its output.
pub fn nabla(args: &[&str]) -> Output {
    command().args(args).output().expect("run the nabla binary")
}

/// A command's standard error, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An IDX file of unsigned bytes (type code 8) with dimensions `dims`, big-endian as the
/// format says, followed by `payload`.
pub fn idx(dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, u8::try_from(dims.len()).expect("small rank")];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(payload);
    bytes
}

/// A path as a command-line argument.
pub fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Runs `nabla args` and checks that it was refused (exit 2 for a value clap refuses, 1 for an
/// error of the command itself) with `needle` on stderr and no panic.
pub fn fails(args: &[&str], needle: &str) {
    let out = nabla(args);
    let stderr = stderr(&out);
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "{args:?}: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "{args:?}: expected {needle:?} in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

/// Checks that a run failed cleanly (exit 1, no panic) with each of `needles` on stderr;
/// returns stderr.
pub fn failed_cleanly(out: &Output, needles: &[&str]) -> String {
    let stderr = stderr(out);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    }
    stderr
}

/// The real MNIST directory from `$MNIST_DIR`, or `None` after saying that `test` is skipped,
/// on the terminal (not in the test's captured output, which a passing test never shows).
///
/// # Panics
///
/// When `$MNIST_DIR` is unset and `$NABLA_REQUIRE_MNIST` is `1` (as `.ci/run` sets it): there,
/// a test that did not test is a failure.
pub fn mnist_dir(test: &str) -> Option<OsString> {
    let dir = std::env::var_os("MNIST_DIR").filter(|d| !d.is_empty());
    if dir.is_none() {
        assert!(
            std::env::var_os("NABLA_REQUIRE_MNIST").is_none_or(|v| v != "1"),
            "{test}: $MNIST_DIR is not set, and $NABLA_REQUIRE_MNIST=1 requires the real MNIST \
             files"
        );
        // Written to the process's stderr directly: `eprintln!` would be captured.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: $MNIST_DIR is not set, the real MNIST files were not tested"
        );
    }
    dir
}

/// The names of the entries of `dir`, sorted (none when `dir` does not exist): what a command
/// left behind.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("a directory entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Makes a FIFO at `path` with the system's `mkfifo`.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Checks that `dir` is empty (or absent): a failed command left no file, not even a
/// temporary one.
pub fn assert_nothing_left(dir: &Path) {
    let left = file_names(dir);
    assert!(
        left.is_empty(),
        "left behind in {}: {left:?}",
        dir.display()
    );
}

/// A tiny learnable MNIST: image `i` of digit `d` lights the pixels of row `d` (plus noise).
pub fn tiny_mnist(train: usize, test: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let split = |n: usize, salt: usize| {
        let mut pixels = vec![0u8; n * 784];
        let mut labels = vec![0u8; n];
        for i in 0..n {
            let digit = (i * 7 + salt) % 10;
            labels[i] = digit as u8;
            for c in 0..28 {
                pixels[i * 784 + digit * 28 + c] = 200 + ((i + c) % 50) as u8;
            }
            pixels[i * 784 + 700 + (i % 50)] = 255;
        }
        (pixels, labels)
    };
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.path().join(name), bytes).expect("write a test file");
    };
    let (p, l) = split(train, 0);
    write("train-images-idx3-ubyte", idx(&[train as u32, 28, 28], &p));
    write("train-labels-idx1-ubyte", idx(&[train as u32], &l));
    let (p, l) = split(test, 3);
    write("t10k-images-idx3-ubyte", idx(&[test as u32, 28, 28], &p));
    write("t10k-labels-idx1-ubyte", idx(&[test as u32], &l));
    dir
}

/// `nabla` run through `sh` with the size of any file it writes limited to about `kib`
/// kibibytes (`ulimit -f`: 512-byte blocks in POSIX `sh`, 1024-byte ones in bash: between
/// `kib / 2` and `kib` KiB), and SIGXFSZ ignored, so that a write past the limit fails with
/// "File too large" as a full disk fails with "No space left on device".
#[cfg(unix)]
pub fn with_file_size_limit(kib: u32) -> Command {
    let command = command();
    let program = command.get_program().to_owned();
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!(
            "ulimit -f {} && trap '' XFSZ && exec \"$0\" \"$@\"",
            kib
        ))
        .arg(program)
        .env_remove("MNIST_DIR")
        .env_remove("NABLA_MNIST_MIRROR");
    sh
}

/// The hidden files of `dir` other than a running command's `.nabla.pid`: temporary files.
pub fn temporaries(dir: &Path) -> Vec<String> {
    file_names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.') && n != ".nabla.pid")
        .collect()
}

/// Sends `signal` (a name: `INT`, `TERM`) to the process `pid` with `kill`; whether it was
/// there to receive it.
#[cfg(unix)]
pub fn send_signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run kill")
        .success()
}

/// Polls `check` every 5 ms for at most two minutes (a bound for a loaded machine, not a
/// measurement); returns whether it became true.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < give_up {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}

/// Runs nabla with `args` and `envs`, killing it if it has not ended within two minutes (a
/// bound so that a hang fails the test instead of stalling the suite; not a measurement).
pub fn nabla_bounded(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut child = command()
        .args(args)
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the nabla binary");
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().expect("poll the child").is_none() {
        if std::time::Instant::now() > give_up {
            child.kill().expect("kill the hung child");
            let out = child.wait_with_output().expect("reap the child");
            panic!("{args:?} hung; stderr: {}", stderr(&out));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect the output")
}

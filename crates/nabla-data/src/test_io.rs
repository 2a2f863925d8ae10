//! Readers that behave as slow or interrupted streams do, for the tests of the code that
//! reads them, and a way to run a test with environment variables set.

use std::io::{self, Read, Write};

use flate2::{Compression, write::GzEncoder};

/// A reader that is interrupted before every byte and hands out one byte per call, as a
/// slow pipe or a socket under signals may; it counts the calls.
pub struct Trickle<'a> {
    bytes: &'a [u8],
    interrupt: bool,
    /// How many times `read` was called.
    pub calls: usize,
}

impl<'a> Trickle<'a> {
    /// A trickle of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            interrupt: false,
            calls: 0,
        }
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(self.bytes.len()).min(1);
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// A reader whose every read fails.
pub struct Failing;

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("disk on fire"))
    }
}

/// The environment variable that tells a test it runs as the child of [`rerun_with_env`], and
/// which case it checks.
pub const CHILD_CASE: &str = "NABLA_DATA_TEST_CASE";

/// Runs the test `name` (its full path, `module::tests::name`) again as a child process, for
/// each case with [`CHILD_CASE`] set to the case's name, the variables of `clear` removed and
/// the case's variables set; asserts that the child's test passed. `std::env::set_var` is
/// `unsafe` in this edition (and the workspace denies `unsafe`), hence the child.
#[track_caller]
pub fn rerun_with_env(name: &str, clear: &[&str], cases: &[(&str, &[(&str, &str)])]) {
    for (case, vars) in cases {
        let exe = std::env::current_exe().unwrap();
        let mut child = std::process::Command::new(exe);
        child.args(["--exact", name]).env(CHILD_CASE, case);
        for k in clear {
            child.env_remove(k);
        }
        for (k, v) in *vars {
            child.env(k, v);
        }
        let out = child.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "case {case}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

pub use crate::test_http::names_in;

/// `bytes`, gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A gzip bomb: `header`, then `mib` mebibytes of zeros, as that many gzip members of about a
/// kilobyte each (a decoder reads members one after another, as `gzip -d` does).
pub fn bomb(header: &[u8], mib: usize) -> Vec<u8> {
    let mut out = gzip(header);
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = enc.finish().unwrap();
    for _ in 0..mib {
        out.extend_from_slice(&member);
    }
    out
}

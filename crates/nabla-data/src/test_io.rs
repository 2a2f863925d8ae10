//! Readers that behave as slow or interrupted streams do, for the tests of the code that
//! reads them.

use std::io::{self, Read};

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

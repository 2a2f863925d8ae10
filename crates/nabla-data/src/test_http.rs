//! A minimal HTTP/1.1 server on 127.0.0.1 for download tests: one thread, one request per
//! connection, replies chosen by a handler, misbehaving on request (a body cut short, a
//! stall, an endless body, a web page instead of a file). No crate needed beyond std.
//!
//! Test support, behind the feature `test-http`: nabla-data's own tests and the `nabla`
//! command's use it, and so can the tests of code that downloads MNIST through this crate
//! (give [`serve`]'s URL to [`MnistSource::with_mirrors`](crate::MnistSource::with_mirrors)).
//! [`names_in`] lists what a test left in a directory (no temporary file may stay behind).

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::thread;

/// The names of the entries of `dir`, sorted: what a test left behind.
///
/// # Panics
///
/// If `dir` cannot be read.
#[allow(dead_code)] // Not every test binary that includes this file by path lists a directory.
pub fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What the server answers to one request path.
#[allow(dead_code)]
pub enum Reply {
    /// 200 with this body and its exact Content-Length.
    Body(Vec<u8>),
    /// This status with a short text body.
    Status(u16),
    /// 200 with a Content-Length of `claimed`, then only `body`, then the connection closes.
    CutShort {
        /// The bytes sent.
        body: Vec<u8>,
        /// The length announced, more than `body`'s.
        claimed: usize,
    },
    /// 200 with a Content-Length of `claimed`, then only `body`, then silence with the
    /// connection open until the client closes it (or a minute passes).
    Stall {
        /// The bytes sent before the silence.
        body: Vec<u8>,
        /// The length announced, more than `body`'s.
        claimed: usize,
    },
    /// 200 without a Content-Length, then bytes without end until the client closes the
    /// connection (or 1 GiB is sent).
    Endless,
    /// 200 with this Content-Type and body.
    Typed {
        /// The Content-Type header's value (`text/html` for a web page).
        content_type: &'static str,
        /// The bytes sent.
        body: Vec<u8>,
    },
}

/// Starts a server whose replies come from `handler(path)`; returns its base URL
/// (`http://127.0.0.1:PORT`). The thread lives until the test process ends.
///
/// # Panics
///
/// If no port on 127.0.0.1 can be bound (test support: a test cannot go on without it).
pub fn serve<F>(handler: F) -> String
where
    F: Fn(&str) -> Reply + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1"); // ok: test support
    let url = format!("http://{}", listener.local_addr().expect("local address")); // ok: test support
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // A broken client connection only ends that exchange.
            let _ = answer(stream, &handler);
        }
    });
    url
}

/// A handler that serves the files of `root` (request path = file path below it), with 404
/// for anything else.
#[allow(dead_code)]
pub fn files(root: PathBuf) -> impl Fn(&str) -> Reply + Send + 'static {
    move |path| match std::fs::read(root.join(path.trim_start_matches('/'))) {
        Ok(bytes) => Reply::Body(bytes),
        Err(_) => Reply::Status(404),
    }
}

/// Reads one request, sends `handler`'s reply to its path, and closes the connection.
fn answer<F: Fn(&str) -> Reply>(stream: TcpStream, handler: &F) -> std::io::Result<()> {
    let path = request_path(&stream)?;
    let mut stream = stream;
    let reply = handler(&path);
    // Each reply's head and body go out in one write: sent in pieces, a server thread that a
    // busy machine leaves unscheduled between two of them lets a client's timeout fire
    // between the head and the body, and the client then reports "after 0 bytes" (or, if
    // the next piece was the end, a different error) instead of what the test expects.
    let mut bytes = reply.head().into_bytes();
    bytes.extend_from_slice(&reply.body());
    stream.write_all(&bytes)?;
    match reply {
        Reply::Stall { .. } => wait_for_close(&mut stream)?,
        Reply::Endless => {
            let chunk = vec![0x5a_u8; 1 << 14];
            // Ends when the client closes the connection (the write fails).
            for _ in 0..(1 << 16) {
                stream.write_all(&chunk)?;
            }
        }
        _ => {}
    }
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Both)
}

/// The path of the request on `stream` (`/` if it names none), its headers read past.
fn request_path(stream: &TcpStream) -> std::io::Result<String> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers up to the blank line.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    Ok(request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned())
}

/// Waits, bounded, for the client to give up: its close ends the read. Only the client's
/// close (or a minute) ends it: an interrupted read is retried.
fn wait_for_close(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    let mut sink = [0u8; 64];
    loop {
        match std::io::Read::read(stream, &mut sink) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(()),
        }
    }
}

impl Reply {
    /// The body sent after the head (for [`Reply::Endless`], what follows it is sent apart).
    fn body(&self) -> Cow<'_, [u8]> {
        match self {
            Reply::Body(body)
            | Reply::CutShort { body, .. }
            | Reply::Stall { body, .. }
            | Reply::Typed { body, .. } => Cow::Borrowed(body),
            Reply::Status(code) => Cow::Owned(format!("status {code}\n").into_bytes()),
            Reply::Endless => Cow::Borrowed(&[]),
        }
    }

    /// The status line and headers of the reply, up to the blank line.
    fn head(&self) -> String {
        let (status, length, content_type) = match self {
            Reply::Body(body) => (
                "200 OK".to_owned(),
                Some(body.len()),
                Some("application/octet-stream"),
            ),
            Reply::Status(code) => (format!("{code} Test"), Some(self.body().len()), None),
            Reply::CutShort { claimed, .. } | Reply::Stall { claimed, .. } => {
                ("200 OK".to_owned(), Some(*claimed), None)
            }
            Reply::Endless => ("200 OK".to_owned(), None, Some("application/octet-stream")),
            Reply::Typed { content_type, body } => {
                ("200 OK".to_owned(), Some(body.len()), Some(*content_type))
            }
        };
        let mut head = format!("HTTP/1.1 {status}\r\n");
        if let Some(length) = length {
            head += &format!("Content-Length: {length}\r\n");
        }
        if let Some(content_type) = content_type {
            head += &format!("Content-Type: {content_type}\r\n");
        }
        head + "Connection: close\r\n\r\n"
    }
}

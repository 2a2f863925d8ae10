//! The IDX file format: a 4-byte magic, big-endian `u32` dimensions, then the payload.

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

use crate::IdxError;

/// The IDX type byte of unsigned bytes, the only element type MNIST uses.
pub(crate) const IDX_TYPE_U8: u8 = 0x08;

/// The two bytes that open every gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// How much of a payload is reserved before its bytes have been read. A header may claim
/// gigabytes that the file does not hold; beyond this cap the buffer grows only as real bytes
/// arrive. 64 MiB holds MNIST's largest file (47 MB) in one allocation.
const MAX_PREALLOCATION: u64 = 64 << 20;

/// A parsed IDX file of unsigned bytes: its dimensions and its payload in row-major order
/// (the last dimension varies fastest), exactly as stored in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idx {
    dims: Vec<usize>,
    data: Vec<u8>,
}

impl Idx {
    /// Parses an IDX file, raw or gzip-compressed, from bytes in memory.
    ///
    /// # Errors
    ///
    /// See [`Idx::from_reader`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nabla_data::Idx;
    ///
    /// // magic 0x00000801 (unsigned bytes, one dimension), 3 items, then the payload
    /// let bytes = [0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4];
    /// let idx = Idx::from_bytes(&bytes)?;
    /// assert_eq!(idx.dims(), &[3]);
    /// assert_eq!(idx.data(), &[5, 0, 4]);
    /// # Ok::<(), nabla_data::IdxError>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdxError> {
        Self::from_reader(bytes)
    }

    /// The largest payload [`Idx::from_bytes`] and [`Idx::from_reader`] accept: 1 GiB, twice
    /// the largest IDX data set in common use (EMNIST's 697,932 training images, 547 MB).
    /// [`Idx::from_reader_with_limit`] takes another.
    pub const MAX_PAYLOAD: u64 = 1 << 30;

    /// Parses an IDX file, raw or gzip-compressed (detected by its magic bytes), from any
    /// reader. The reader is read to its end: bytes after the payload are an error.
    ///
    /// The parser never touches the file system. A header that declares a payload of more
    /// than [`Idx::MAX_PAYLOAD`] bytes is refused before any of it is read, and no more is
    /// read or decompressed than the header declares (and one byte to see that nothing
    /// follows), so a gzip bomb costs no more memory than the file it claims to be; at most
    /// 64 MiB is reserved before the bytes are there.
    ///
    /// # Errors
    ///
    /// An [`IdxError`] that says what was wrong: a truncated header, a bad magic number, a type
    /// byte other than unsigned bytes, dimensions whose product overflows or exceeds the
    /// limit, a payload shorter or longer than the dimensions say, a corrupt gzip stream, or
    /// a read error.
    pub fn from_reader<R: Read>(reader: R) -> Result<Self, IdxError> {
        Self::from_reader_with_limit(reader, Self::MAX_PAYLOAD)
    }

    /// [`Idx::from_reader`] with the largest payload it accepts given, in bytes.
    ///
    /// # Errors
    ///
    /// Those of [`Idx::from_reader`], with [`IdxError::TooLarge`] for a header that declares
    /// more than `max_payload` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use nabla_data::{Idx, IdxError};
    ///
    /// // A header that promises 1000 x 1000 bytes, refused before anything is read.
    /// let bytes = [0, 0, 8, 2, 0, 0, 3, 232, 0, 0, 3, 232];
    /// let err = Idx::from_reader_with_limit(&bytes[..], 1000).unwrap_err();
    /// assert!(matches!(err, IdxError::TooLarge { declared: 1_000_000, limit: 1000, .. }));
    /// ```
    pub fn from_reader_with_limit<R: Read>(reader: R, max_payload: u64) -> Result<Self, IdxError> {
        IdxReader::open(
            reader,
            Expect {
                magic: None,
                max_payload,
            },
        )?
        .read_payload()
    }

    /// Builds an IDX value from its parts, checking that `data.len()` is the product of `dims`.
    ///
    /// # Errors
    ///
    /// [`IdxError::DimsOverflow`] when there are more than 255 dimensions, one exceeds
    /// `u32::MAX` (an IDX header could not hold them) or their product does not fit in
    /// `usize`, and
    /// [`IdxError::TruncatedPayload`] or [`IdxError::TrailingBytes`] when `data` is shorter or
    /// longer than that product.
    pub fn new(dims: Vec<usize>, data: Vec<u8>) -> Result<Self, IdxError> {
        if dims.len() > 255 || dims.iter().any(|&d| u32::try_from(d).is_err()) {
            return Err(IdxError::DimsOverflow { dims });
        }
        let expected = element_count(&dims)?;
        let got = data.len() as u64;
        if got < expected {
            return Err(IdxError::TruncatedPayload { expected, got });
        }
        if got > expected {
            return Err(IdxError::TrailingBytes { expected });
        }
        Ok(Self { dims, data })
    }

    /// The dimensions, outermost first (for MNIST images: count, rows, columns).
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The payload in file order: row-major, the last dimension varying fastest.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Splits the value into its dimensions and payload.
    pub fn into_parts(self) -> (Vec<usize>, Vec<u8>) {
        (self.dims, self.data)
    }

    /// The IDX header that describes this value: magic `[0, 0, 0x08, rank]` followed by each
    /// dimension as a big-endian `u32`. Together with [`Idx::data`] these are the bytes of the
    /// uncompressed file, which is what the MNIST checksums cover.
    ///
    /// Never panics: [`Idx::new`] and the parser only build values an IDX header can describe.
    pub fn header(&self) -> Vec<u8> {
        idx_header(&self.dims)
    }
}

/// The IDX header of unsigned bytes with these dimensions.
///
/// # Panics
///
/// Panics if the rank exceeds 255 or a dimension exceeds `u32::MAX`.
pub(crate) fn idx_header(dims: &[usize]) -> Vec<u8> {
    let rank = u8::try_from(dims.len()).expect("IDX rank fits in a byte"); // ok: Idx::new and the parser admit rank <= 255 only
    let mut header = vec![0, 0, IDX_TYPE_U8, rank];
    for &d in dims {
        let d = u32::try_from(d).expect("IDX dimension fits in u32"); // ok: dims come from a u32 header or Idx::new
        header.extend_from_slice(&d.to_be_bytes());
    }
    header
}

/// Reads until `buf` is full or the reader ends; returns how many bytes were read.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The product of `dims` as a `u64` that also fits in `usize`.
fn element_count(dims: &[usize]) -> Result<u64, IdxError> {
    let mut product: u64 = 1;
    for &d in dims {
        product = product
            .checked_mul(d as u64)
            .ok_or_else(|| IdxError::DimsOverflow {
                dims: dims.to_vec(),
            })?;
    }
    if usize::try_from(product).is_err() {
        return Err(IdxError::DimsOverflow {
            dims: dims.to_vec(),
        });
    }
    Ok(product)
}

/// What is known of a file before it is read: for one of MNIST's four files, its magic
/// number and how large it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expect {
    /// The magic number the file must start with, when it is known.
    pub(crate) magic: Option<[u8; 4]>,
    /// The largest payload, in bytes, that the header may declare.
    pub(crate) max_payload: u64,
}

/// An IDX file whose header has been read and checked; its payload is read next, so that a
/// header's claim reserves at most the preallocation cap before real bytes back it.
pub(crate) struct IdxReader<R: Read> {
    reader: Source<R>,
    gzip: bool,
    dims: Vec<usize>,
    expected: u64,
}

/// The input with its first two bytes put back, decompressed if they were gzip's magic.
enum Source<R: Read> {
    Raw(Restored<R>),
    Gzip(Box<MultiGzDecoder<Restored<R>>>),
}

/// A reader with the bytes already taken from its start put back in front.
type Restored<R> = io::Chain<io::Take<io::Cursor<[u8; 2]>>, R>;

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Raw(r) => r.read(buf),
            Source::Gzip(r) => r.read(buf),
        }
    }
}

impl<R: Read> IdxReader<R> {
    /// Detects gzip, reads and checks the header against what is `expect`ed of it.
    pub(crate) fn open(mut reader: R, expect: Expect) -> Result<Self, IdxError> {
        let mut start = [0u8; 2];
        let got = read_up_to(&mut reader, &mut start).map_err(IdxError::Io)?;
        let prefix = io::Cursor::new(start).take(got as u64);
        let gzip = got == 2 && start == GZIP_MAGIC;
        let mut reader = if gzip {
            Source::Gzip(Box::new(MultiGzDecoder::new(prefix.chain(reader))))
        } else {
            Source::Raw(prefix.chain(reader))
        };
        let io_err = |e| {
            if gzip {
                IdxError::Gzip(e)
            } else {
                IdxError::Io(e)
            }
        };

        let mut magic = [0u8; 4];
        let got = read_up_to(&mut reader, &mut magic).map_err(io_err)?;
        if got < 4 {
            return Err(IdxError::TruncatedHeader { needed: 4, got });
        }
        if magic[0] != 0 || magic[1] != 0 {
            return Err(IdxError::BadMagic { found: magic });
        }
        if magic[2] != IDX_TYPE_U8 {
            return Err(IdxError::UnsupportedType { found: magic[2] });
        }
        // Said before the dimensions are read: a labels file of rank 2 would otherwise be
        // reported for what its (misread) dimensions promise.
        if let Some(expected) = expect.magic.filter(|&m| m != magic) {
            return Err(IdxError::WrongMagic {
                found: magic,
                expected,
            });
        }
        let rank = usize::from(magic[3]);
        let mut raw_dims = vec![0u8; 4 * rank];
        let got = read_up_to(&mut reader, &mut raw_dims).map_err(io_err)?;
        if got < raw_dims.len() {
            return Err(IdxError::TruncatedHeader {
                needed: 4 + raw_dims.len(),
                got: 4 + got,
            });
        }
        let dims: Vec<usize> = raw_dims
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
            .collect();
        let expected = element_count(&dims)?;
        if expected > expect.max_payload {
            return Err(IdxError::TooLarge {
                dims,
                declared: expected,
                limit: expect.max_payload,
            });
        }
        Ok(Self {
            reader,
            gzip,
            dims,
            expected,
        })
    }

    fn io_err(&self, e: io::Error) -> IdxError {
        if self.gzip {
            IdxError::Gzip(e)
        } else {
            IdxError::Io(e)
        }
    }

    /// Reads the payload and checks that nothing follows it (which also makes the gzip
    /// decoder check its CRC and length trailer). Reserves at most [`MAX_PREALLOCATION`]
    /// before the bytes are there; beyond it the buffer grows only as they arrive.
    pub(crate) fn read_payload(mut self) -> Result<Idx, IdxError> {
        let expected = self.expected;
        let mut data = Vec::with_capacity(expected.min(MAX_PREALLOCATION) as usize);
        (&mut self.reader)
            .take(expected)
            .read_to_end(&mut data)
            .map_err(|e| self.io_err(e))?;
        let got = data.len() as u64;
        if got < expected {
            return Err(IdxError::TruncatedPayload { expected, got });
        }
        let mut extra = [0u8; 1];
        if read_up_to(&mut self.reader, &mut extra).map_err(|e| self.io_err(e))? > 0 {
            return Err(IdxError::TrailingBytes { expected });
        }
        Ok(Idx {
            dims: self.dims,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_io::{Failing, Trickle, bomb, gzip};

    fn header(rank: u8, dims: &[u32]) -> Vec<u8> {
        let mut h = vec![0, 0, IDX_TYPE_U8, rank];
        for d in dims {
            h.extend_from_slice(&d.to_be_bytes());
        }
        h
    }

    fn images_2x2x3() -> Vec<u8> {
        let mut b = header(3, &[2, 2, 3]);
        b.extend(0u8..12);
        b
    }

    #[test]
    fn parses_raw_and_gzip_alike() {
        let raw = images_2x2x3();
        let a = Idx::from_bytes(&raw).unwrap();
        let b = Idx::from_bytes(&gzip(&raw)).unwrap();
        assert_eq!(a.dims(), &[2, 2, 3]);
        assert_eq!(a.data(), (0u8..12).collect::<Vec<_>>().as_slice());
        assert_eq!(a, b);
        // The header reconstructs the file's first bytes exactly.
        assert_eq!(a.header(), raw[..16].to_vec());
    }

    #[test]
    fn empty_input_is_a_truncated_header() {
        assert!(matches!(
            Idx::from_bytes(&[]),
            Err(IdxError::TruncatedHeader { needed: 4, got: 0 })
        ));
        // A lone gzip magic byte is not gzip and not a full header.
        assert!(matches!(
            Idx::from_bytes(&[0x1f]),
            Err(IdxError::TruncatedHeader { needed: 4, got: 1 })
        ));
    }

    #[test]
    fn truncated_dimensions_are_a_truncated_header() {
        let bytes = &images_2x2x3()[..10];
        assert!(matches!(
            Idx::from_bytes(bytes),
            Err(IdxError::TruncatedHeader {
                needed: 16,
                got: 10
            })
        ));
    }

    #[test]
    fn bad_magic_and_type_are_rejected() {
        let mut b = images_2x2x3();
        b[0] = 0x50; // 'P', as in a PNG or a text file
        assert!(
            matches!(Idx::from_bytes(&b), Err(IdxError::BadMagic { found }) if found[0] == 0x50)
        );
        let mut b = images_2x2x3();
        b[2] = 0x0D; // float32 IDX
        assert!(matches!(
            Idx::from_bytes(&b),
            Err(IdxError::UnsupportedType { found: 0x0D })
        ));
    }

    #[test]
    fn short_and_long_payloads_are_rejected() {
        let b = images_2x2x3();
        assert!(matches!(
            Idx::from_bytes(&b[..b.len() - 1]),
            Err(IdxError::TruncatedPayload {
                expected: 12,
                got: 11
            })
        ));
        let mut long = b.clone();
        long.push(0);
        assert!(matches!(
            Idx::from_bytes(&long),
            Err(IdxError::TrailingBytes { expected: 12 })
        ));
        assert!(matches!(
            Idx::from_bytes(&gzip(&long)),
            Err(IdxError::TrailingBytes { expected: 12 })
        ));
    }

    #[test]
    fn huge_claims_fail_without_huge_allocation() {
        // 2^32-1 cubed overflows u64: an overflow error, not a panic.
        let b = header(3, &[u32::MAX, u32::MAX, u32::MAX]);
        assert!(matches!(
            Idx::from_bytes(&b),
            Err(IdxError::DimsOverflow { .. })
        ));
        // 4 GiB claimed: over the 1 GiB limit, refused at the header.
        let mut b = header(2, &[65536, 65535]);
        b.extend([1, 2, 3]);
        assert!(matches!(
            Idx::from_bytes(&b),
            Err(IdxError::TooLarge {
                declared: 4_294_901_760,
                ..
            })
        ));
        // Just under 1 GiB claimed, 3 bytes present: a truncation error after reserving at
        // most 64 MiB.
        let mut b = header(2, &[16384, 65535]);
        b.extend([1, 2, 3]);
        assert!(matches!(
            Idx::from_bytes(&b),
            Err(IdxError::TruncatedPayload {
                expected: 1_073_725_440,
                got: 3
            })
        ));
    }

    #[test]
    fn zero_dimensions_mean_an_empty_payload() {
        let b = header(3, &[0, 28, 28]);
        let idx = Idx::from_bytes(&b).unwrap();
        assert_eq!(idx.dims(), &[0, 28, 28]);
        assert!(idx.data().is_empty());
        // Rank 0 is a single element.
        let mut b = header(0, &[]);
        b.push(42);
        assert_eq!(Idx::from_bytes(&b).unwrap().data(), &[42]);
    }

    #[test]
    fn corrupt_and_truncated_gzip_are_gzip_errors() {
        let gz = gzip(&images_2x2x3());
        let mut corrupt = gz.clone();
        let mid = corrupt.len() / 2;
        corrupt[mid] ^= 0xff;
        corrupt[mid + 1] ^= 0xff;
        assert!(Idx::from_bytes(&corrupt).is_err());
        let truncated = &gz[..gz.len() - 6];
        assert!(matches!(Idx::from_bytes(truncated), Err(IdxError::Gzip(_))));
        // A gzip header followed by garbage.
        assert!(matches!(
            Idx::from_bytes(&[0x1f, 0x8b, 1, 2, 3]),
            Err(IdxError::Gzip(_))
        ));
    }

    #[test]
    fn new_checks_the_payload_length() {
        assert!(Idx::new(vec![2, 3], vec![0; 6]).is_ok());
        assert!(matches!(
            Idx::new(vec![2, 3], vec![0; 5]),
            Err(IdxError::TruncatedPayload {
                expected: 6,
                got: 5
            })
        ));
        assert!(matches!(
            Idx::new(vec![2, 3], vec![0; 7]),
            Err(IdxError::TrailingBytes { .. })
        ));
    }

    #[test]
    fn interrupted_reads_are_retried() {
        let raw = images_2x2x3();
        for bytes in [raw.clone(), gzip(&raw)] {
            assert_eq!(
                Idx::from_reader(Trickle::new(&bytes)).unwrap(),
                Idx::from_bytes(&raw).unwrap()
            );
        }
    }

    #[test]
    fn a_full_buffer_ends_reading_without_another_call() {
        // Four bytes, each behind an interruption: eight calls and no ninth, which on a
        // network stream could wait for bytes that belong to the next read.
        let mut reader = Trickle::new(&[1, 2, 3, 4, 5]);
        let mut buf = [0u8; 4];
        assert_eq!(read_up_to(&mut reader, &mut buf).unwrap(), 4);
        assert_eq!(buf, [1, 2, 3, 4]);
        assert_eq!(reader.calls, 8);
        // At the end of the input it stops at the first empty read.
        let mut buf = [0u8; 4];
        assert_eq!(read_up_to(&mut reader, &mut buf).unwrap(), 1);
        assert_eq!(buf[0], 5);
    }

    /// A reader of `bytes` that counts how many it handed out.
    struct Counting<'a> {
        bytes: &'a [u8],
        taken: usize,
    }

    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.bytes.read(buf)?;
            self.taken += n;
            Ok(n)
        }
    }

    #[test]
    fn a_header_over_the_limit_is_refused_before_its_payload_is_read() {
        // 2 GiB declared (over the 1 GiB default), 8 MiB of zeros behind it: refused at the
        // header, having read no more of the input than the decoder's first buffer.
        let b = bomb(&header(2, &[32768, 65536]), 8);
        let mut input = Counting {
            bytes: &b,
            taken: 0,
        };
        let err = Idx::from_reader(&mut input).unwrap_err();
        assert!(
            matches!(
                err,
                IdxError::TooLarge {
                    declared: 2_147_483_648,
                    limit: Idx::MAX_PAYLOAD,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "the header declares dimensions [32768, 65536], a payload of 2147483648 bytes, \
             more than the 1073741824 bytes this file may hold"
        );
        assert!(input.taken <= 64 << 10, "{} of {}", input.taken, b.len());
        // The same limit by the caller's choice, on a raw file.
        let raw = header(1, &[11]);
        assert!(matches!(
            Idx::from_reader_with_limit(&raw[..], 10),
            Err(IdxError::TooLarge { limit: 10, .. })
        ));
        let mut exact = header(1, &[10]);
        exact.extend([0; 10]);
        assert_eq!(
            Idx::from_reader_with_limit(&exact[..], 10).unwrap().data(),
            [0; 10]
        );
    }

    #[test]
    fn a_bomb_under_the_limit_is_decompressed_no_further_than_its_header_declares() {
        // 1 MiB declared, 1 GiB of zeros follow (a megabyte compressed): the payload, one
        // byte more, and an error; the input is read about as far as the declared
        // mebibyte's members go, plus the decoder's buffer.
        let b = bomb(&header(1, &[1 << 20]), 1024);
        let mut input = Counting {
            bytes: &b,
            taken: 0,
        };
        assert!(matches!(
            Idx::from_reader(&mut input),
            Err(IdxError::TrailingBytes {
                expected: 1_048_576
            })
        ));
        assert!(input.taken <= 64 << 10, "{} of {}", input.taken, b.len());
    }

    #[test]
    fn read_errors_are_reported() {
        assert!(matches!(Idx::from_reader(Failing), Err(IdxError::Io(_))));
    }
}

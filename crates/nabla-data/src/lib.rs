//! # nabla-data
//!
//! The MNIST data set the way chapter 4 of *Deep Learning from Scratch* loads it, with the care
//! of a loader people trust.
//!
//! MNIST is four files in the IDX format: a magic number (`0x00000803` for images,
//! `0x00000801` for labels: two zero bytes, the type byte `0x08` for unsigned bytes, and the
//! number of dimensions), big-endian `u32` dimensions, then the bytes. [`Idx`] parses that from
//! bytes or any reader, raw or gzip-compressed (recognised by its magic bytes, not its name),
//! and checks everything a damaged or hostile file could get wrong: the magic, the type byte,
//! dimensions whose product overflows or claims gigabytes the file does not hold (nothing large
//! is reserved before the bytes arrive), a payload that is short or followed by more bytes.
//!
//! [`Mnist`] is one split with the book's options ([`MnistOptions`]: `normalize`, `flatten`,
//! `one_hot_label`): the raw row-major bytes as the file holds them, the labels, and the
//! images as an `f32` nalgebra matrix with one image per row, converted when first asked for.
//! [`Mnist::fill_batch`] gathers mini-batches fast from the bytes (see the layout note on
//! [`Mnist`]); [`MnistOptions::pixel_value`] is the one mapping of a pixel byte to a number,
//! for code that builds its own layout. [`load_mnist`] mirrors the book's function and
//! returns `(train, test)`.
//!
//! [`MnistSource`] says where the files are: an explicit directory, else `$MNIST_DIR`, else the
//! per-user cache ([`cache_dir`]). Missing files are downloaded from a list of mirrors
//! ([`DEFAULT_MIRRORS`], or `$NABLA_MNIST_MIRROR`) into a temporary file, and renamed into
//! place only once the SHA-256 of their decompressed content matches the published one
//! ([`MnistFile::sha256`]). Every error names the file and says what was wrong.
//!
//! [`BatchSampler`] draws the row indices of mini-batches from a seeded generator, with
//! replacement as the book's `np.random.choice`, or in shuffled epochs.
//!
//! This crate knows nothing of gradients and imports no other nabla crate.
//!
//! ## Example
//!
//! A training step's data, on a tiny data set built in memory (real MNIST loads the same way
//! with `Mnist::load(dir, Split::Train, MnistOptions::default())` or [`load_mnist`]):
//!
//! ```
//! use nabla_data::{BatchSampler, Idx, Mnist, MnistOptions, Sampling, Split};
//! use nalgebra::DMatrix;
//!
//! // Four 2 x 2 images, as an IDX file would hold them.
//! let mut file = vec![0, 0, 0x08, 3, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 2];
//! file.extend((0..16).map(|p| p * 17));
//! let images = Idx::from_bytes(&file)?;
//! let labels = Idx::new(vec![4], vec![5, 0, 4, 1])?;
//! let train = Mnist::from_idx(Split::Train, images, labels, MnistOptions::default())?;
//! assert_eq!(train.images().shape(), (4, 4));
//! assert_eq!(train.images()[(0, 1)], 17.0 / 255.0);
//!
//! let mut sampler = BatchSampler::new(train.len(), 3, Sampling::WithReplacement, 42)?;
//! let (mut x, mut t) = (DMatrix::zeros(3, 4), DMatrix::zeros(3, 10));
//! for _ in 0..10 {
//!     train.fill_batch(sampler.next_batch(), &mut x, &mut t);
//!     assert_eq!(t.sum(), 3.0); // one 1.0 per one-hot row
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Features
//!
//! - `test-http`: the module `test_http`, a loopback HTTP server that misbehaves on request
//!   (a body cut short, a stall, an endless body, a web page), for testing code that
//!   downloads MNIST through this crate.

// docs.rs marks what each feature adds (see `[package.metadata.docs.rs]`).
#![cfg_attr(docsrs, feature(doc_cfg))]

// Replacing a file atomically, and what may be replaced. Not part of the data API: public so
// that nabla-net and the `nabla` command write their files the same way.
#[doc(hidden)]
pub mod atomic;
mod convert;
mod download;
mod error;
mod event;
mod files;
mod idx;
mod load;
mod mnist;
mod options;
mod redact;
mod sampler;
mod settings;
mod source;
mod stale;
mod targets;
// Temporary files that a signal handler can remove. Not part of the data API: public so that
// nabla-net and the `nabla` command write their files through the same registry.
#[doc(hidden)]
pub mod temporary;
#[cfg(any(test, feature = "test-http"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-http")))]
pub mod test_http;
#[cfg(test)]
mod test_io;

pub use error::{Error, IdxError, Result};
pub use event::Event;
pub use files::{MnistFile, verify_file};
pub use idx::Idx;
pub use mnist::{Mnist, Split};
pub use options::MnistOptions;
pub use sampler::{BatchSampler, Sampling};
pub use settings::{DEFAULT_MIRRORS, Timeouts};
pub use source::{MnistSource, Origin, cache_dir, load_mnist, load_mnist_with_progress};

// The environment variables' names: read here, documented in the crate docs and in the
// messages that name them; a user sets them in a shell, and no code of theirs names them.
use settings::{DEADLINE_ENV, IDLE_TIMEOUT_ENV, MIRROR_ENV};
use source::MNIST_DIR_ENV;
pub use targets::{CLASSES, Targets};

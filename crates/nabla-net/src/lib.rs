//! # nabla-net: the network of chapter 4, its gradient four ways
//!
//! Chapter 4 of *Deep Learning from Scratch* ends with a network that learns: the two-layer
//! perceptron `TwoLayerNet` (784 inputs, 50 sigmoid hidden units, 10 softmax outputs, trained
//! on the cross-entropy) learns MNIST by mini-batch stochastic gradient descent. The chapter
//! gets the gradient by numerical differentiation and promises a faster way in the next one.
//! This crate has four ways side by side, on one definition of the network:
//!
//! - **Backpropagation** ([`backprop`]): the analytic gradient, the fast path. It runs on
//!   flat buffers in `f32` or `f64` ([`Precision`]), keeps each image as its non-zero pixels
//!   (a [`Dataset`] stores them sparse: MNIST is 81% zeros, so the first layer's products
//!   skip four fifths of their multiplications), and splits a batch between two threads.
//! - **Numerical differentiation**: the book's central difference with `h = 1e-4` over every
//!   parameter, brute force through nabla-numdiff ([`numerical_gradient`]: two full forward
//!   passes per parameter), and structure-aware ([`numerical_gradient_structured`]): nudging
//!   one weight changes one hidden unit, in the rows where its pixel is not zero, so only those
//!   rows' losses are recomputed. Same numbers (to `1e-9`), thousands of times faster, fast
//!   enough to train with.
//! - **Dual numbers** ([`dual_gradient`]): the same generic forward pass evaluated on
//!   nabla-dual's `DualVec<f64, 16>`, exact, and one forward pass per 16 parameters.
//! - **Reverse mode** ([`reverse_gradient`]): the same generic forward pass evaluated once on
//!   nabla-tape's `Var<T>`, recorded, and swept backwards once for every parameter: what
//!   backpropagation does by hand, derived from the formula (chapter 5 of the book). Its
//!   layers, its sigmoid and its loss are nabla-tape rules (one tape entry each, a layer's
//!   backward by two products), so it costs about what backpropagation does on one thread
//!   (1.2x to 1.5x in the benches), not a hundred times.
//!
//! The forward pass of [`TwoLayerNet`] ([`predict`](TwoLayerNet::predict),
//! [`loss`](TwoLayerNet::loss), [`accuracy`](TwoLayerNet::accuracy)) is written once for any
//! [`MatMul`] scalar, a `nalgebra::RealField` that says how its matrices multiply: `f32`,
//! `f64`, dual numbers and tape numbers alike. That generic code is what the
//! brute-force numerical, the dual and the reverse gradients differentiate, and what the fast path is
//! tested against. The book's smaller [`SimpleNet`] is here too, with the same three
//! gradients.
//!
//! [`train`] is the book's `train_neuralnet.py`: seeded mini-batches drawn with replacement
//! (nabla-data's sampler), a step by the chosen [`GradMethod`], accuracy on the whole
//! training and test sets once per epoch. It prints nothing: progress goes to an
//! [`Observer`]. A loss that turns NaN or infinite stops it with [`Error::Diverged`];
//! [`check_loss_trend`] judges a run whose loss stayed finite but ended above where it began.
//! [`save_model`] and [`load_model`] keep a trained network as JSON.
//!
//! **Wide instructions at run time.** The fast path's kernels (the sparse first layer, the
//! `w1` update, the second layer and the softmax rows, the evaluation) are ordinary
//! loops compiled three ways: for the build's target (plain x86-64, SSE2), for AVX2 and FMA, and
//! for AVX-512. The widest one the processor supports is picked once, at run time (through the
//! `pulp` crate; no `unsafe` here), so one binary runs on any x86-64 and uses the wide units
//! where they exist. The choice can be capped in code or by the environment: a training run's
//! [`TrainConfigBuilder::instruction_set`], [`InstructionSet::install`] around any call on the
//! fast path, else the environment variable `NABLA_SIMD` (`baseline`, or `off`, `scalar`,
//! forces the fallback, `avx2` stops at AVX2 and FMA, `auto` or unset takes the widest). A set
//! the processor lacks is capped at what it has, not refused. Every path gives the same bits:
//! Rust fuses no multiply-add that is not written as `mul_add` and reorders no sum, and the
//! tests train on every path and compare the weights exactly.
//! [`TrainOutcome::instruction_set`] names the set a run used and [`InstructionSet::detected`]
//! the environment's.
//!
//! Why train on the loss and not on the accuracy (the book's section 4.2.5) is the module
//! [`why_loss`]: [`numerical_accuracy_gradient_structured`](why_loss::numerical_accuracy_gradient_structured)
//! is the numerical derivative of the batch accuracy, zero for nearly every parameter;
//! [`zero_derivatives`](why_loss::zero_derivatives) counts the zeros of both derivatives, and
//! [`along_line`](why_loss::along_line) evaluates both along `w + t d` (the loss smooth, the
//! accuracy a staircase: [`accuracy_jumps`](why_loss::accuracy_jumps)). A demonstration of
//! the chapter, not a step of training: its names stay in their module.
//!
//! Everything that takes data from outside checks it against the network first and returns
//! an [`Error`] that names what is wrong and where (the row and value of a bad label, the
//! expected and found width of a batch, an empty batch): nothing here panics on a caller's
//! data. The training loop checks its data sets once, before its first step.
//!
//! ```
//! use nabla_net::nalgebra::DMatrix;
//! use nabla_net::{Sizes, TwoLayerNet, backprop, dual_gradient, numerical_gradient_structured};
//!
//! // A small network and a batch of 4 images of 6 pixels, half of them zero.
//! let net = TwoLayerNet::<f64>::new(Sizes::new(6, 3, 2)?, 0.5, 42)?;
//! let x = DMatrix::from_fn(4, 6, |r, j| if (r + j) % 2 == 0 { 0.1 * (r + j) as f64 } else { 0.0 });
//! let labels = [0, 1, 1, 0];
//!
//! let (loss, by_backprop) = backprop(&net, &x, &labels)?;
//! assert!((loss - net.loss(&x, &labels)?).abs() < 1e-14);
//! let (_, by_dual) = dual_gradient(&net, &x, &labels)?;
//! let by_numerical = numerical_gradient_structured(&net, &x, &labels, 1e-4)?;
//!
//! // Two exact methods agree to rounding, the finite difference to its truncation error.
//! assert!(by_backprop.worst_difference(&by_dual, |v| v).unwrap().abs < 1e-15);
//! assert!(by_backprop.worst_difference(&by_numerical, |v| v).unwrap().abs < 1e-8);
//!
//! // Data that does not fit the network is an error that says what is wrong, not a panic.
//! let err = backprop(&net, &x, &[0, 1, 2, 0]).unwrap_err();
//! assert_eq!(err.to_string(), "label 2 at row 2 is out of range: the network has 2 outputs");
//! # Ok::<(), nabla_net::Error>(())
//! ```

mod activation;
mod aligned;
mod backprop;
mod by_pixel;
mod check;
mod config;
mod dataset;
mod dual;
mod engine;
mod error;
mod evaluate;
mod fast_exp;
mod first_layer;
mod forward;
mod gradient;
mod io;
mod kernels;
mod numerical;
mod pair;
mod precision;
mod product;
mod reverse;
mod reverse_step;
mod simd;
mod simple_net;
mod sizes;
mod sparse;
mod structured;
#[cfg(test)]
mod test_util;
mod train;
mod trainer;
mod two_layer;
pub mod why_loss;

// The training loop's sparse images: crate-internal, see `sparse.rs`.
use sparse::SparseRows;

pub use activation::sigmoid;
pub use backprop::backprop;
pub use config::{GradMethod, TrainConfig, TrainConfigBuilder};
pub use dataset::Dataset;
pub use dual::{DUAL_CHUNK, dual_gradient};
pub use error::{Error, ErrorKind};
pub use evaluate::evaluate;
pub use gradient::{Difference, Gradient};
pub use io::{
    MAX_MODEL_FILE_BYTES, MAX_MODEL_PARAMETERS, SavedNet, load_model, save_model, write_model,
};
pub use numerical::numerical_gradient;
pub use precision::Precision;
pub use product::MatMul;
pub use reverse::reverse_gradient;
pub use simd::InstructionSet;
pub use simple_net::SimpleNet;
pub use sizes::Sizes;
pub use structured::numerical_gradient_structured;
pub use train::{EpochRecord, Observer, Timings, TrainOutcome, check_loss_trend, train};
pub use two_layer::TwoLayerNet;

/// The nalgebra this crate's matrices come from, for callers without their own dependency.
pub use nalgebra;

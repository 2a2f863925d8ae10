//! # nabla
//!
//! Chapter 4 of *Deep Learning from Scratch*, done properly. This crate re-exports the
//! workspace's crates as modules, so that one dependency gives all of them:
//!
//! | module | crate | what it holds |
//! |---|---|---|
//! | [`data`] | `nabla-data` | MNIST: checked IDX parsing, the book's `load_mnist` options, verified download and cache, seeded mini-batches |
//! | [`dual`] | `nabla-dual` | dual numbers: exact derivatives, gradients, Jacobians, Hessians |
//! | [`loss`] | `nabla-loss` | squared error, cross-entropy, softmax, their gradients |
//! | [`numdiff`] | `nabla-numdiff` | finite differences: step rules, Richardson, gradients, Jacobians, Hessians, gradient descent, gradient checks |
//! | [`tape`] | `nabla-tape` | reverse mode: a recorded scalar `Var`, gradients by one backward sweep, Jacobians, exact Hessian-vector products |
//! | [`net`] | `nabla-net` | the two-layer network: generic forward pass, gradient by backprop, finite differences, dual numbers and reverse mode, SGD training, save and load |
//! | [`compare`] | `nabla-compare` | every way to differentiate a function side by side: a report, a criterion group, a property test |
//! | [`functions`] | (here) | the functions `nabla compare` differentiates: Rosenbrock, softmax-cross-entropy, the chapter's, the network's loss |
//! | [`output`] | (here) | atomic writes over regular files only, and a lock for a run's output directory |
//!
//! Each crate can also be used on its own.

pub use nabla_compare as compare;
pub use nabla_data as data;
pub use nabla_dual as dual;
pub use nabla_loss as loss;
pub use nabla_net as net;
pub use nabla_numdiff as numdiff;
pub use nabla_tape as tape;

pub mod functions;
pub mod output;

// The Rust examples of the README and of the crates page compile and run as doctests of this
// crate (`cargo test --release --doc -p nabla-learn`), so that what a newcomer copies works.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../docs/crates.md")]
struct CratesPageDoctests;

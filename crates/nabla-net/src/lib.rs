//! nabla-net (work in progress)

mod backprop;
mod engine;
mod error;
mod forward;
mod gradient;
mod labels;
mod precision;
mod sizes;
mod sparse;
mod two_layer;

pub use backprop::backprop;
pub use error::Error;
pub use gradient::{Difference, Gradient};
pub use labels::check_labels;
pub use precision::Precision;
pub use sizes::Sizes;
pub use sparse::SparseRows;
pub use two_layer::TwoLayerNet;
mod dataset;
mod structured;
mod train;
pub use dataset::Dataset;
pub use structured::numerical_gradient_structured;
pub use train::{EpochRecord, GradMethod, Observer, TrainConfig, TrainOutcome, train};
mod numerical;
pub use numerical::numerical_gradient;
#[cfg(test)]
mod test_util;
mod dual;
pub use dual::{DUAL_CHUNK, dual_gradient};
mod io;
pub use io::{SavedNet, load_model, save_model};
mod simple_net;
pub use simple_net::SimpleNet;
mod evaluate;
pub use evaluate::evaluate;
/// The nalgebra this crate's matrices come from, for callers without their own dependency.
pub use nalgebra;

//! The one error type of the crate.

/// What can go wrong while differentiating.
///
/// Finite differences never return a silently wrong number when the function is not finite at a
/// probed point: they stop and say where. Values are reported as `f64` whatever the scalar, so
/// the type is the same for `f32` and `f64` code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `f` is not finite at the point the caller handed in, before anything was nudged.
    #[error("the function is not finite ({value}) at the unperturbed point")]
    NonFiniteAtBase {
        /// What `f` returned.
        value: f64,
    },
    /// `f` is not finite when one parameter is nudged.
    #[error("the function is not finite ({value}) when parameter {index} is set to {point}")]
    NonFinite {
        /// The parameter being nudged (its linear index in the container).
        index: usize,
        /// The nudged value of that parameter.
        point: f64,
        /// What `f` returned there (the first non-finite output for vector-valued `f`).
        value: f64,
    },
    /// `f` is not finite when two parameters are nudged together (mixed second differences).
    #[error(
        "the function is not finite ({value}) when parameters {first} and {second} are set to \
         {first_point} and {second_point}"
    )]
    NonFinitePair {
        /// The first parameter nudged.
        first: usize,
        /// The second parameter nudged.
        second: usize,
        /// The nudged value of the first parameter.
        first_point: f64,
        /// The nudged value of the second parameter.
        second_point: f64,
        /// What `f` returned there.
        value: f64,
    },
    /// `f` is not finite at `x + t v` when differentiating along a direction `v`.
    #[error("the function is not finite ({value}) at step t = {step} along the direction")]
    NonFiniteAlong {
        /// The step `t` along the direction.
        step: f64,
        /// What `f` returned there.
        value: f64,
    },
    /// A fixed step that is zero, negative or not finite.
    #[error("the step must be finite and positive, got {step}")]
    InvalidStep {
        /// The step that was given.
        step: f64,
    },
}

pub(crate) fn to_f64<T: num_traits::Float>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

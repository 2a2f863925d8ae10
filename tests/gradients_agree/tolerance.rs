//! The constants of the hand-derived bounds of the Hessians (`hessians`), and the central
//! step; the other modules go through nabla-compare's checker, which derives its bounds
//! generically. nabla-net's
//! gradients, whose bounds are derived the same way by hand, are tested in nabla-net's own
//! `tests/gradients_agree` (its `tolerance.rs` gives the error model in full).

use nabla_numdiff::Options;

/// Machine epsilon of `f64`.
pub const EPS: f64 = f64::EPSILON;

/// Slack on every derived bound.
pub const SAFETY: f64 = 2.0;

/// nabla-numdiff's default central step at `x`.
pub fn central_step(x: f64) -> f64 {
    Options::default().step_at(x)
}

//! nabla-net's gradients agree with each other over random networks and batches: backprop
//! (the analytic reference, `1e-7` of the loss included), the brute-force and the
//! structure-aware numerical gradients within their derived central-difference bounds, dual
//! numbers and reverse mode to `1e-12`, and forward over reverse through the network's own
//! product rule against nabla-dual's Hessian.
//!
//! The number of cases comes from `PROPTEST_CASES` (proptest's default config reads it; CI
//! sets 64). Failing cases are persisted by proptest's default `SourceParallel` rule: this
//! binary's root is `main.rs`, so a failure in module `m` is written to
//! `tests/proptest-regressions/m.txt` (in this crate), which is committed and replayed first
//! on every run.

mod network;
mod tolerance;

use proptest::prelude::*;

/// A real number `±10^e` with `e` uniform in `[lo, hi]`, so that tiny, ordinary and large
/// magnitudes are equally likely, or (one time in ten) exactly zero.
fn wide(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        9 => (any::<bool>(), lo..=hi).prop_map(|(neg, e)| {
            let m = 10f64.powf(e);
            if neg { -m } else { m }
        }),
        1 => Just(0.0),
    ]
}

//! Rosenbrock's function in `n` dimensions (the one the benches time), every method at once
//! through nabla-compare's checker: the exact methods (`Dual64` passes, `DualVec64<16>`
//! chunks, reverse mode, the hand-written gradient and num-dual's `DualSVec64<8>`, which
//! the benches time beside ours) agree to `1e-12`, and forward, central and five-point
//! differences, Richardson and finitediff's central differences each stay within their
//! truncation and rounding bound (nabla-compare's `check` documents the bound).
//!
//! The function has degree 4 in each coordinate: Richardson's truncation error is 0 and only
//! its rounding is bounded.

use nabla::compare::Compare;
use nabla::functions::Rosenbrock;

use crate::strategies::wide_vec;

#[test]
fn every_method_within_its_error() {
    Compare::new()
        .exact_tolerance(1e-12, 0.0)
        .check(&Rosenbrock, wide_vec(1..=20, -8.0, 6.0));
}

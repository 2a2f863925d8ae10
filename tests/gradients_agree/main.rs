//! Numerical, dual-number, reverse-mode and analytic gradients agree, over random points.
//!
//! For every function below, at points drawn by proptest (negative, tiny, near 1 and large
//! coordinates), three facts are checked:
//!
//! 1. nabla-numdiff's central difference with the default step matches the analytic gradient
//!    within the error the theory allows for that function at that point (truncation
//!    `h^2/6 |f'''|` plus rounding `E/h`, where `E` bounds the rounding error of one evaluation
//!    of `f`); the bound is derived next to each test (see [`tolerance`]);
//! 2. Richardson extrapolation matches it within its own derived bound;
//! 3. nabla-dual's gradient (`Dual64` passes and `DualVec64<8>` chunks) and nabla-tape's
//!    (one reverse sweep) match it to `1e-12` relative, and the second-order type's Hessian
//!    matches numerical and analytic Hessians and is symmetric, and so do reverse mode's
//!    Hessian-vector products (forward over reverse).
//!
//! The number of cases comes from `PROPTEST_CASES` (proptest's default config reads it; CI
//! sets 64). Failing cases are persisted by proptest's default `SourceParallel` rule: this
//! binary's root is `main.rs`, so a failure in module `m` is written to
//! `tests/proptest-regressions/m.txt`, which is committed and replayed first on every run.

#[path = "../../benches/shared/mod.rs"]
mod shared;

mod chapter;
mod composition;
mod hessians;
mod losses;
mod network;
mod rosenbrock;
mod strategies;
mod tolerance;

//! Numerical, dual-number, reverse-mode and analytic gradients agree, over random points.
//!
//! Most modules are nabla-compare's checker on one function each (`Compare::check`, or
//! `check_at` inside `proptest!` where the function itself is drawn): at points drawn by
//! proptest (negative, tiny, near 1 and large coordinates) the exact methods (`Dual64`,
//! `DualVec64<16>`, reverse mode, the analytic gradient, num-dual) agree to `1e-12`, and
//! forward, central and five-point differences, Richardson and finitediff each stay within
//! their truncation and rounding bound, derived from nabla-numdiff's error model with the
//! function's derivatives computed exactly. `hessians` derives its bounds by hand (`tolerance`):
//! it checks the second-order types. nabla-net's own gradients are checked in nabla-net's
//! `tests/gradients_agree`, so that `cargo test -p nabla-net` runs them.
//!
//! The number of cases comes from `PROPTEST_CASES` (proptest's default config reads it; CI
//! sets 64). Failing cases are persisted by proptest's default `SourceParallel` rule: this
//! binary's root is `main.rs`, so a failure in module `m` is written to
//! `tests/proptest-regressions/m.txt`, which is committed and replayed first on every run.

mod chapter;
mod composition;
mod hessians;
mod losses;
mod rosenbrock;
mod strategies;
mod tolerance;

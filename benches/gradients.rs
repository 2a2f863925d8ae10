//! What a gradient costs, each way, on Rosenbrock's function and on softmax-cross-entropy,
//! for 10, 100 and 1000 inputs: one criterion benchmark per method through nabla-compare's
//! `Compare::bench`, ids `gradient/<function>/<method>/<n>`.
//!
//! `<function>` is `rosenbrock` (points in `[-2, 2]^n`) or `softmax_cross_entropy` (logits in
//! `[-5, 5]^n`, label `n / 3`), both from `nabla::functions`; `<method>` one of
//! nabla-compare's method ids: `forward_fd`, `central_fd`, `five_point_fd` (nabla-numdiff,
//! automatic step), `richardson` (default settings), `dual` (one `Dual64` pass per input),
//! `dual_vec8`, `dual_vec16`, `dual_vec32` (`DualVec64<N>` chunks), `reverse` (nabla-tape,
//! one sweep), `analytic` (the hand-written gradient), `finitediff_central` (finitediff
//! 0.2, fixed step `cbrt(eps)`) and `num_dual` (num-dual 0.15's `DualSVec64<8>` in the
//! passes of `dual_vec8`). Each benchmark times the call `nabla compare` times.
//!
//! Run: `cargo bench --bench gradients` (or a subset: `-- gradient/rosenbrock`).

use criterion::{Criterion, criterion_group, criterion_main};
use nabla::compare::{Compare, Method};
use nabla::functions::{Rosenbrock, SoftmaxCrossEntropy, point};

fn gradients(c: &mut Criterion) {
    let settings = Compare::new().methods(&Method::ALL);
    let points = |scale| [10, 100, 1000].map(|n| point(n, scale, 0));
    settings.bench(c, "gradient/rosenbrock", &Rosenbrock, &points(2.0));
    settings.bench(
        c,
        "gradient/softmax_cross_entropy",
        &SoftmaxCrossEntropy,
        &points(5.0),
    );
}

criterion_group!(benches, gradients);
criterion_main!(benches);

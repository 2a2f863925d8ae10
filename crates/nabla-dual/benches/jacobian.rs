//! Forward-mode Jacobians: one `Dual` pass per input (`jacobian`) against one `DualVec<8>` pass
//! per 8 inputs (`jacobian_chunked::<8>`).
//!
//! The function is a discretised nonlinear boundary-value problem's residual,
//! `r_i = x_{i-1} - 2 x_i + x_{i+1} - h^2 exp(x_i) sin(x_i)` (Bratu-like), `R^n -> R^n`: every
//! output reads three inputs, every pass evaluates all `n` outputs.
//!
//! ```sh
//! cargo bench -p nabla-dual --bench jacobian -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nabla_dual::{jacobian, jacobian_chunked};
use num_traits::Float;

fn residual<S: Float>(x: &[S]) -> Vec<S> {
    let n = x.len();
    let h2 = S::from(1.0 / ((n + 1) * (n + 1)) as f64).unwrap_or_else(S::nan);
    let two = S::one() + S::one();
    (0..n)
        .map(|i| {
            let left = if i > 0 { x[i - 1] } else { S::zero() };
            let right = if i + 1 < n { x[i + 1] } else { S::zero() };
            left - two * x[i] + right - h2 * x[i].exp() * x[i].sin()
        })
        .collect()
}

fn jacobians(c: &mut Criterion) {
    let mut group = c.benchmark_group("jacobian");
    for n in [8, 32, 128] {
        let x: Vec<f64> = (0..n).map(|i| 0.1 + 0.37 * i as f64 / n as f64).collect();
        group.bench_with_input(BenchmarkId::new("dual", n), &x, |b, x| {
            b.iter(|| jacobian(residual, black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("dual_vec8", n), &x, |b, x| {
            b.iter(|| jacobian_chunked::<8, _>(residual, black_box(x)))
        });
    }
    group.finish();
}

criterion_group!(benches, jacobians);
criterion_main!(benches);

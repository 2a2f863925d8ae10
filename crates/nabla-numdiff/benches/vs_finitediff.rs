//! nabla-numdiff against the finitediff crate on the same functions: the gradient of
//! Rosenbrock's function and the Jacobian of a map R^n -> R^n, central differences.
//!
//! Ids: `gradient/rosenbrock/n=<n>/<who>` and `jacobian/chain/n=<n>/<who>` with `<who>` one of
//! `numdiff_central` (our default: step `cbrt(eps) max(1, |x|)`, finiteness checked) and
//! `finitediff_central` (fixed step `cbrt(eps)`, no checks). The point goes through
//! `black_box` on every iteration.
//!
//! Run: `cargo bench -p nabla-numdiff --bench vs_finitediff`.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use nabla_numdiff::{Options, gradient, jacobian};

fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

/// A map R^n -> R^n whose Jacobian is bidiagonal: `y_i = x_i^2 + sin(x_{i+1})`.
fn chain(x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for i in 0..n {
        out[i] = x[i] * x[i] + x[(i + 1) % n].sin();
    }
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 1.5 * ((i as f64) * 0.37).sin() - 0.2)
        .collect()
}

/// `n=<n>/<who>` in `group`: `run` on a copy of `x` that it may change (nabla-numdiff
/// perturbs the parameters in place and restores them).
fn numdiff_case<R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    x: &[f64],
    run: impl Fn(&mut [f64]) -> R,
) {
    let mut p = x.to_vec();
    let id = BenchmarkId::new(format!("n={}", x.len()), "numdiff_central");
    group.bench_function(id, |b| b.iter(|| run(black_box(&mut p[..]))));
}

/// `n=<n>/finitediff_central` in `group`: `run` on `x` itself (finitediff takes a `&Vec`).
fn finitediff_case<R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    x: &Vec<f64>,
    run: impl Fn(&Vec<f64>) -> R,
) {
    let id = BenchmarkId::new(format!("n={}", x.len()), "finitediff_central");
    group.bench_function(id, |b| b.iter(|| run(black_box(x))));
}

fn bench_gradient(c: &mut Criterion) {
    let mut group = c.benchmark_group("gradient/rosenbrock");
    for n in [10, 100, 1000] {
        let x = point(n);
        numdiff_case(&mut group, &x, |p| {
            gradient(p, |p: &[f64]| rosenbrock(p), Options::default()).unwrap()
        });
        let g = finitediff::vec::central_diff(&|p: &Vec<f64>| Ok(rosenbrock(p)));
        finitediff_case(&mut group, &x, |x| g(x).unwrap());
    }
    group.finish();
}

fn bench_jacobian(c: &mut Criterion) {
    let mut group = c.benchmark_group("jacobian/chain");
    for n in [10, 100] {
        let x = point(n);
        numdiff_case(&mut group, &x, |p| {
            jacobian(
                p,
                n,
                |p: &[f64], out: &mut [f64]| chain(p, out),
                Options::default(),
            )
            .unwrap()
        });
        let f = |p: &Vec<f64>| {
            let mut out = vec![0.0; p.len()];
            chain(p, &mut out);
            Ok(out)
        };
        let j = finitediff::vec::central_jacobian(&f);
        finitediff_case(&mut group, &x, |x| j(x).unwrap());
    }
    group.finish();
}

criterion_group!(benches, bench_gradient, bench_jacobian);
criterion_main!(benches);

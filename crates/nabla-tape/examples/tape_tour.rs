//! A tour of reverse mode: one gradient of a 1000-input function by one sweep, checked
//! against forward mode (nabla-dual), what the tape held, and an exact Hessian-vector
//! product against a finite difference of gradients.
//!
//! Run: `cargo run --release -p nabla-tape --features dual --example tape_tour`

use std::time::Instant;

use nabla_tape::{Recording, Var, gradient, hessian_vector_product, tape_reserved_bytes};
use nalgebra::RealField;

/// Rosenbrock's function, written once for any real scalar.
fn rosenbrock<S: RealField + Copy>(x: &[S]) -> S {
    let hundred: S = nalgebra::convert(100.0);
    x.windows(2).fold(S::zero(), |acc, w| {
        let a = w[1] - w[0] * w[0];
        let b = S::one() - w[0];
        acc + hundred * a * a + b * b
    })
}

fn main() {
    let n: usize = 1000;
    let x: Vec<f64> = (0..n)
        .map(|i| ((i as f64) * 0.618).fract() * 4.0 - 2.0)
        .collect();

    let t = Instant::now();
    let (value, grad) = gradient(rosenbrock, &x);
    let reverse = t.elapsed();
    let t = Instant::now();
    let (_, by_dual) = nabla_dual::gradient_chunked::<8, _>(rosenbrock, &x);
    let forward = t.elapsed();
    let worst = grad
        .iter()
        .zip(&by_dual)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max);
    println!("Rosenbrock, n = {n}: value {value:.6}");
    println!(
        "  reverse mode (one sweep): {reverse:?}; forward mode (DualVec<8>, {} passes): {forward:?}",
        n.div_ceil(8)
    );
    println!("  worst relative difference between the two: {worst:.1e}");

    let rec = Recording::<f64>::new();
    let vars = rec.vars(&x);
    let y = rosenbrock(&vars);
    println!(
        "  the recording holds {} entries ({} inputs), {} bytes at 24 per entry; this thread's tape reserves {} bytes",
        rec.len(),
        n,
        rec.len() * 24,
        tape_reserved_bytes::<f64>()
    );
    let again = rec.gradient(y, &vars);
    assert_eq!(again, grad);
    drop(rec);

    // An exact Hessian-vector product (forward over reverse) against a central difference of
    // gradients along v.
    let v: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { 1.0 } else { -0.5 })
        .collect();
    let (_, _, hv) = hessian_vector_product(|x: &[Var<nabla_dual::Dual64>]| rosenbrock(x), &x, &v);
    let h = 1e-5;
    let shifted = |s: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + s * b).collect();
        gradient(rosenbrock, &p).1
    };
    let (plus, minus) = (shifted(h), shifted(-h));
    let worst = hv
        .iter()
        .enumerate()
        .map(|(i, e)| (e - (plus[i] - minus[i]) / (2.0 * h)).abs() / e.abs().max(1.0))
        .fold(0.0, f64::max);
    println!(
        "Hessian-vector product: worst relative difference from the central difference of gradients {worst:.1e}"
    );
}

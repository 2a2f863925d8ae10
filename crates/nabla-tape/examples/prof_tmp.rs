use nabla_tape::{Recording, Var64};
use nalgebra::RealField;
use std::hint::black_box;
const X: [f64; 8] = [0.3, -1.2, 0.9, 1.7, -0.4, 2.1, 0.05, -2.6];
#[inline(never)]
fn f<S: RealField + Copy>(x: &[S; 8]) -> S {
    let one = S::one();
    let hundred: S = nalgebra::convert(100.0);
    let half: S = nalgebra::convert(0.5);
    let mut acc = S::zero();
    for i in 0..7 {
        let a = x[i + 1] - x[i] * x[i];
        let b = one - x[i];
        acc += hundred * a * a + b * b;
    }
    for &xi in x {
        acc += xi.sin() * (-(half * xi * xi)).exp() + (one + xi * xi).sqrt();
    }
    acc
}
fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let reps = 100_000;
    let mut grad = Vec::with_capacity(8);
    let mut s = 0.0;
    for _ in 0..reps {
        let x = black_box(&X);
        if mode == "f64" { s += f(x); continue; }
        let rec = Recording::<f64>::new();
        let input: [Var64; 8] = std::array::from_fn(|i| rec.var(x[i]));
        let y = f(&input);
        if mode == "record" { s += y.value(); continue; }
        rec.adjoints_into(&[(y, 1.0)], &input, &mut grad);
        s += grad[7];
        if mode == "len" { println!("{}", rec.len()); return; }
    }
    println!("{s}");
}

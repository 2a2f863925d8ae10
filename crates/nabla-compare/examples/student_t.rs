//! A function nabla has never seen, from nothing to the full comparison table: the negative
//! log-density of a Student-t sample in its location and log-scale (a robust regression's
//! objective), with its hand-written gradient. The code of `docs/compare.md`.
//!
//! Run: `cargo run --release -p nabla-compare --example student_t`.

use nabla_compare::{Function, Number};

/// -ln p(data | mu, ln sigma) for a Student t with `nu` degrees of freedom, up to a constant.
struct StudentT {
    nu: f64,
    data: Vec<f64>,
}

impl Function for StudentT {
    fn eval<S: Number>(&self, p: &[S]) -> S {
        let (mu, log_sigma) = (p[0], p[1]);
        let mut sum = S::zero();
        for &y in &self.data {
            let z = (mu - y) / log_sigma.exp(); // `S - f64` works; so do `S * f64`, `S / f64`
            sum += (z * z / self.nu).ln_1p() * ((self.nu + 1.0) / 2.0) + log_sigma;
        }
        sum
    }

    fn gradient(&self, p: &[f64]) -> Option<Vec<f64>> {
        let (mu, sigma) = (p[0], p[1].exp());
        let mut g = vec![0.0; 2];
        for &y in &self.data {
            let z = (mu - y) / sigma;
            let w = (self.nu + 1.0) * z / (self.nu + z * z);
            g[0] += w / sigma;
            g[1] += 1.0 - w * z;
        }
        Some(g)
    }
}

fn main() {
    let f = StudentT {
        nu: 3.0,
        data: vec![0.3, -1.2, 0.8, 4.5, 0.1],
    };
    println!("{}", nabla_compare::compare(&f, &[0.2, -0.5]));
}

//! A function nabla has never seen, from nothing to the full comparison table: the
//! log-likelihood of a logistic regression on a few made-up observations, with its
//! hand-written gradient.
//!
//! Run: `cargo run --release -p nabla-compare --example logistic`.

use nabla_compare::{Function, Number, compare};

/// `sum_k y_k ln s(a_k . w) + (1 - y_k) ln(1 - s(a_k . w))`, `s` the logistic sigmoid.
struct LogLikelihood {
    a: Vec<[f64; 2]>,
    y: Vec<f64>,
}

impl Function for LogLikelihood {
    fn eval<S: Number>(&self, w: &[S]) -> S {
        let mut sum = S::zero();
        for (a, &y) in self.a.iter().zip(&self.y) {
            let z = w[0] * a[0] + w[1] * a[1];
            // ln s(z) = -ln(1 + e^-z) and ln(1 - s(z)) = -z - ln(1 + e^-z)
            sum += z * (y - 1.0) - (-z).exp().ln_1p();
        }
        sum
    }

    fn gradient(&self, w: &[f64]) -> Option<Vec<f64>> {
        let mut g = vec![0.0; 2];
        for (a, &y) in self.a.iter().zip(&self.y) {
            let s = 1.0 / (1.0 + (-(w[0] * a[0] + w[1] * a[1])).exp());
            g[0] += (y - s) * a[0];
            g[1] += (y - s) * a[1];
        }
        Some(g)
    }
}

fn main() {
    let f = LogLikelihood {
        a: vec![[1.0, 2.0], [-0.5, 1.0], [2.0, -1.5]],
        y: vec![1.0, 0.0, 1.0],
    };
    println!("{}", compare(&f, &[0.3, -0.2]));
}

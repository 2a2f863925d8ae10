//! Threads record on their own tapes: gradients computed in parallel are those computed one
//! after the other.

use nabla_tape::{Var, gradient};
use rayon::prelude::*;

fn f(x: &[Var<f64>]) -> Var<f64> {
    x.windows(2).map(|w| (w[0] * w[1]).sin() + w[1].exp()).sum()
}

#[test]
fn parallel_gradients_equal_serial_ones() {
    let points: Vec<Vec<f64>> = (0..64)
        .map(|k| {
            (0..50)
                .map(|i| ((k * 50 + i) as f64 * 0.37).sin())
                .collect()
        })
        .collect();
    let serial: Vec<(f64, Vec<f64>)> = points.iter().map(|p| gradient(f, p)).collect();
    for _ in 0..3 {
        let parallel: Vec<(f64, Vec<f64>)> = points.par_iter().map(|p| gradient(f, p)).collect();
        assert_eq!(parallel, serial);
    }
}

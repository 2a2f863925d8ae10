//! Accuracy against the finitediff crate (central differences, fixed step `cbrt(eps)`): our
//! default step scales with `max(1, |x|)` and divides by the representable step, so it is at
//! least as accurate near 1 and far more accurate away from it.

use nabla_numdiff::{Options, gradient_at};

fn cubes(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v * v).sum()
}

fn cubes_grad(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| 3.0 * v * v).collect()
}

fn exp_sum(x: &[f64]) -> f64 {
    x.iter().map(|v| (0.5 * v).exp()).sum()
}

fn exp_sum_grad(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| 0.5 * (0.5 * v).exp()).collect()
}

/// Largest relative error over the elements.
fn worst(got: &[f64], want: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .map(|(g, w)| ((g - w) / w).abs())
        .fold(0.0, f64::max)
}

#[allow(clippy::ptr_arg)]
fn finitediff(f: fn(&[f64]) -> f64, x: &Vec<f64>) -> Vec<f64> {
    let g = |p: &Vec<f64>| Ok(f(p));
    finitediff::vec::central_diff(&g)(x).unwrap()
}

#[test]
fn at_least_as_accurate_near_one_and_far_better_away_from_it() {
    type Case = (fn(&[f64]) -> f64, fn(&[f64]) -> Vec<f64>, f64);
    let cases: [Case; 6] = [
        (cubes, cubes_grad, 0.7),
        (cubes, cubes_grad, 1e3),
        (cubes, cubes_grad, 1e6),
        (exp_sum, exp_sum_grad, 0.7),
        (exp_sum, exp_sum_grad, 3.1),
        (exp_sum, exp_sum_grad, 30.0),
    ];
    for (f, grad, scale) in cases {
        let x: Vec<f64> = (0..8).map(|i| scale * (1.0 + 0.1 * i as f64)).collect();
        let want = grad(&x);
        let ours = worst(&gradient_at(f, &x, Options::default()).unwrap(), &want);
        let theirs = worst(&finitediff(f, &x), &want);
        assert!(
            ours <= theirs * 1.5 + 1e-15,
            "scale {scale}: ours {ours:e}, finitediff {theirs:e}"
        );
        if scale >= 1e3 {
            assert!(
                ours * 100.0 < theirs,
                "scale {scale}: ours {ours:e}, finitediff {theirs:e}"
            );
        }
    }
}

//! The analytic gradients against exact forward-mode derivatives: every loss evaluated on
//! `Dual64` (from nabla-dual) with one input seeded at a time. Dual numbers have no step-size
//! error, so the two must agree to rounding (1e-12 relative), far tighter than a finite
//! difference allows. This is also the proof that the losses run unchanged on a scalar type
//! other than f32 and f64.

use approx::assert_relative_eq;
use nabla_dual::Dual64;
use nabla_loss::{
    cross_entropy, cross_entropy_batch, cross_entropy_grad, cross_entropy_grad_batch,
    cross_entropy_grad_labels, cross_entropy_labels, log_softmax, one_hot, softmax,
    softmax_cross_entropy, softmax_cross_entropy_grad, softmax_cross_entropy_grad_labels,
    softmax_cross_entropy_labels, squared_error, squared_error_batch, squared_error_grad,
    squared_error_grad_batch,
};
use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const ROWS: usize = 3;
const COLS: usize = 5;

/// The gradient of `loss` at `x`, one exact directional derivative per element.
fn dual_gradient(loss: impl Fn(&DMatrix<Dual64>) -> Dual64, x: &DMatrix<f64>) -> DMatrix<f64> {
    DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| {
        let seeded = DMatrix::from_fn(x.nrows(), x.ncols(), |k, l| {
            if (k, l) == (i, j) {
                Dual64::variable(x[(k, l)])
            } else {
                Dual64::constant(x[(k, l)])
            }
        });
        loss(&seeded).eps()
    })
}

fn constant(x: &DMatrix<f64>) -> DMatrix<Dual64> {
    x.map(Dual64::constant)
}

fn assert_same(analytic: &DMatrix<f64>, exact: &DMatrix<f64>) {
    for (a, e) in analytic.iter().zip(exact.iter()) {
        assert_relative_eq!(*a, *e, epsilon = 1e-14, max_relative = 1e-12);
    }
}

/// Positive rows summing to 1, as a softmax output.
fn probabilities(rng: &mut StdRng) -> DMatrix<f64> {
    let mut y = DMatrix::from_fn(ROWS, COLS, |_, _| rng.random_range(0.05..1.0));
    for mut row in y.row_iter_mut() {
        let sum = row.sum();
        row /= sum;
    }
    y
}

#[test]
fn squared_error_gradients_are_exact() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..4 {
        let y = DMatrix::from_fn(ROWS, COLS, |_, _| rng.random_range(-5.0..5.0));
        let t = DMatrix::from_fn(ROWS, COLS, |_, _| rng.random_range(-5.0..5.0));
        let td = constant(&t);
        let exact = dual_gradient(|y| squared_error_batch(y, &td).unwrap(), &y);
        assert_same(&squared_error_grad_batch(&y, &t).unwrap(), &exact);

        let (y0, t0): (Vec<f64>, Vec<f64>) = (
            y.row(0).iter().copied().collect(),
            t.row(0).iter().copied().collect(),
        );
        let y0m = DMatrix::from_row_slice(1, COLS, &y0);
        let t0d: Vec<Dual64> = t0.iter().copied().map(Dual64::constant).collect();
        let exact = dual_gradient(|y| squared_error(y.as_slice(), &t0d).unwrap(), &y0m);
        assert_same(
            &DMatrix::from_row_slice(1, COLS, &squared_error_grad(&y0, &t0).unwrap()),
            &exact,
        );
    }
}

#[test]
fn cross_entropy_gradients_are_exact() {
    let mut rng = StdRng::seed_from_u64(12);
    for _ in 0..4 {
        let y = probabilities(&mut rng);
        let t = probabilities(&mut rng);
        let labels: Vec<u8> = (0..ROWS).map(|_| rng.random_range(0..COLS as u8)).collect();

        let exact = dual_gradient(|y| cross_entropy_labels(y, &labels).unwrap(), &y);
        assert_same(&cross_entropy_grad_labels(&y, &labels).unwrap(), &exact);

        let td = constant(&t);
        let exact = dual_gradient(|y| cross_entropy_batch(y, &td).unwrap(), &y);
        assert_same(&cross_entropy_grad_batch(&y, &t).unwrap(), &exact);

        let y0: Vec<f64> = y.row(0).iter().copied().collect();
        let t0: Vec<f64> = t.row(0).iter().copied().collect();
        let t0d: Vec<Dual64> = t0.iter().copied().map(Dual64::constant).collect();
        let exact = dual_gradient(
            |y| cross_entropy(y.as_slice(), &t0d).unwrap(),
            &DMatrix::from_row_slice(1, COLS, &y0),
        );
        assert_same(
            &DMatrix::from_row_slice(1, COLS, &cross_entropy_grad(&y0, &t0).unwrap()),
            &exact,
        );
    }
}

#[test]
fn softmax_cross_entropy_gradients_are_exact_even_for_large_logits() {
    let mut rng = StdRng::seed_from_u64(13);
    for scale in [1.0, 10.0, 300.0] {
        let z = DMatrix::from_fn(ROWS, COLS, |_, _| scale * rng.random_range(-1.0..1.0));
        let labels: Vec<usize> = (0..ROWS).map(|_| rng.random_range(0..COLS)).collect();
        let exact = dual_gradient(|z| softmax_cross_entropy_labels(z, &labels).unwrap(), &z);
        assert_same(
            &softmax_cross_entropy_grad_labels(&z, &labels).unwrap(),
            &exact,
        );

        let t: DMatrix<f64> = one_hot(&labels, COLS).unwrap();
        let td = constant(&t);
        let exact = dual_gradient(|z| softmax_cross_entropy(z, &td).unwrap(), &z);
        assert_same(&softmax_cross_entropy_grad(&z, &t).unwrap(), &exact);
    }
}

#[test]
fn softmax_and_log_softmax_carry_derivatives() {
    // d softmax_i / d z_j = s_i (delta_ij - s_j); d log_softmax_i / d z_j = delta_ij - s_j.
    let z = [0.3, 2.9, 4.0];
    let s = softmax(&z);
    for j in 0..3 {
        let seeded: Vec<Dual64> = (0..3)
            .map(|k| {
                if k == j {
                    Dual64::variable(z[k])
                } else {
                    Dual64::constant(z[k])
                }
            })
            .collect();
        let ds = softmax(&seeded);
        let dl = log_softmax(&seeded);
        for i in 0..3 {
            let kronecker = if i == j { 1.0 } else { 0.0 };
            assert_relative_eq!(ds[i].re(), s[i], max_relative = 1e-15);
            assert_relative_eq!(
                ds[i].eps(),
                s[i] * (kronecker - s[j]),
                epsilon = 1e-15,
                max_relative = 1e-12
            );
            assert_relative_eq!(
                dl[i].eps(),
                kronecker - s[j],
                epsilon = 1e-15,
                max_relative = 1e-12
            );
        }
    }
}

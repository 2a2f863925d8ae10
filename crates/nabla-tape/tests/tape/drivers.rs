//! The drivers against nabla-dual's and against hand-written derivatives.

use approx::assert_relative_eq;
use nabla_tape::{Var, derivative, gradient, jacobian, vjp};
use num_traits::Float;

fn rosenbrock<S: Float>(x: &[S]) -> S {
    let (one, hundred) = (S::one(), S::from(100.0).unwrap());
    x.windows(2).fold(S::zero(), |acc, w| {
        acc + hundred * (w[1] - w[0] * w[0]).powi(2) + (one - w[0]).powi(2)
    })
}

fn rosenbrock_grad(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len().saturating_sub(1) {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
    }
    g
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i as f64 + 1.0) * 0.618_033_988_749_895).fract() * 4.0 - 2.0)
        .collect()
}

#[test]
fn gradient_of_rosenbrock_is_the_analytic_one() {
    for n in [1, 2, 10, 1000] {
        let x = point(n);
        let (v, g) = gradient(rosenbrock, &x);
        assert_eq!(v, rosenbrock(&x));
        for (a, b) in g.iter().zip(rosenbrock_grad(&x)) {
            assert_relative_eq!(*a, b, max_relative = 1e-13, epsilon = 1e-13);
        }
    }
}

#[test]
fn gradient_with_no_inputs_is_the_value() {
    let (v, g) = gradient(|_: &[Var<f64>]| Var::constant(4.0), &[]);
    assert_eq!((v, g.len()), (4.0, 0));
    // A constant output of a function with inputs: gradient zero.
    let (_, g) = gradient(|x| (x[0] * 0.0).exp(), &[3.0]);
    assert_eq!(g, vec![0.0]);
}

#[test]
fn derivative_is_the_chain_rule() {
    let (v, d) = derivative(|x: Var<f64>| (x * x).sin().exp(), 0.7);
    let e = (0.49f64).sin().exp();
    assert_eq!(v, e);
    assert_relative_eq!(d, e * (0.49f64).cos() * 1.4, max_relative = 1e-15);
}

#[test]
fn jacobian_matches_forward_mode() {
    let f = |x: &[Var<f64>]| {
        vec![
            x[0] * x[1].cos(),
            x[0] * x[1].sin(),
            (x[0] + x[2]).exp(),
            x[2],
        ]
    };
    let x = [2.0, 0.3, -0.5];
    let (value, jac) = jacobian(f, &x);
    let (dv, djac) = nabla_dual::jacobian(
        |x| {
            vec![
                x[0] * x[1].cos(),
                x[0] * x[1].sin(),
                (x[0] + x[2]).exp(),
                x[2],
            ]
        },
        &x,
    );
    assert_eq!(value, dv);
    assert_eq!(jac.shape(), (4, 3));
    for (a, b) in jac.iter().zip(djac.iter()) {
        assert_relative_eq!(*a, *b, max_relative = 1e-15);
    }
    let (value, jac) = jacobian(|_: &[Var<f64>]| vec![], &x);
    assert!(value.is_empty());
    assert_eq!(jac.shape(), (0, 3));
}

#[test]
fn vjp_is_v_transposed_times_the_jacobian() {
    let f = |x: &[Var<f64>]| vec![x[0] * x[1], x[1].exp(), x[0] - x[1]];
    let x = [1.5, -0.25];
    let v = [2.0, -1.0, 0.5];
    let (y, vj) = vjp(f, &x, &v);
    let (_, jac) = jacobian(f, &x);
    assert_eq!(y, vec![1.5 * -0.25, (-0.25f64).exp(), 1.75]);
    let want = jac.transpose() * nalgebra::DVector::from_column_slice(&v);
    for (a, b) in vj.iter().zip(want.iter()) {
        assert_relative_eq!(*a, *b, max_relative = 1e-15);
    }
}

#[test]
#[should_panic(expected = "vjp: f returned 2 outputs but v has 1 entries")]
fn vjp_with_a_wrong_length_v_panics() {
    vjp(|x: &[Var<f64>]| vec![x[0], x[0]], &[1.0], &[1.0]);
}

#[test]
fn nabla_loss_differentiates_unchanged() {
    use nalgebra::DMatrix;
    // softmax-cross-entropy of two rows of logits against labels, through nabla-loss.
    let z = [0.3, -1.2, 2.0, 0.5, 0.0, -0.7];
    let f = |p: &[Var<f64>]| {
        let m = DMatrix::from_row_slice(2, 3, p);
        nabla_loss::softmax_cross_entropy_labels(&m, &[2_usize, 0]).unwrap()
    };
    let (v, g) = gradient(f, &z);
    let zm = DMatrix::from_row_slice(2, 3, &z);
    assert_relative_eq!(
        v,
        nabla_loss::softmax_cross_entropy_labels(&zm, &[2_usize, 0]).unwrap(),
        max_relative = 1e-15
    );
    let want = nabla_loss::softmax_cross_entropy_grad_labels(&zm, &[2_usize, 0]).unwrap();
    for r in 0..2 {
        for c in 0..3 {
            assert_relative_eq!(
                g[r * 3 + c],
                want[(r, c)],
                max_relative = 1e-12,
                epsilon = 1e-16
            );
        }
    }
}

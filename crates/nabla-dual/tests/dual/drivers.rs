//! The drivers: derivative, second_derivative, gradient (scalar and chunked), jacobian,
//! hessian, against closed forms away from 1.0.

use approx::assert_relative_eq;
use nabla_dual::{derivative, gradient, gradient_chunked, hessian, jacobian, second_derivative};
use num_traits::Float;

fn rosenbrock<S: Float>(x: &[S]) -> S {
    let (one, hundred) = (S::one(), S::from(100.0).unwrap());
    x.windows(2)
        .map(|w| hundred * (w[1] - w[0] * w[0]).powi(2) + (one - w[0]).powi(2))
        .fold(S::zero(), |a, b| a + b)
}

fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        g[i] += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * (x[i + 1] - x[i] * x[i]);
    }
    g
}

fn rosenbrock_hessian(x: &[f64]) -> nalgebra::DMatrix<f64> {
    let n = x.len();
    let mut h = nalgebra::DMatrix::zeros(n, n);
    for i in 0..n - 1 {
        h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[(i, i + 1)] -= 400.0 * x[i];
        h[(i + 1, i)] -= 400.0 * x[i];
        h[(i + 1, i + 1)] += 200.0;
    }
    h
}

/// Points away from 1.0 (where many closed forms degenerate), signs mixed.
fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 0.3 + 0.37 * i as f64 * if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect()
}

#[test]
fn derivative_and_second_derivative() {
    let f = |x: f64| x.exp() / (1.0 + x * x);
    for a in [-2.0, 0.3, 4.5] {
        let (v, d) = derivative(|x| x.exp() / (1.0 + x * x), a);
        assert_eq!(v, f(a));
        let exact = a.exp() * (1.0 - a).powi(2) / (1.0 + a * a).powi(2);
        assert_relative_eq!(d, exact, max_relative = 1e-14, epsilon = 1e-15);
        let (v2, d1, d2) = second_derivative(|x| x.ln() * x * x, a.abs());
        let b = a.abs();
        assert_relative_eq!(v2, b.ln() * b * b, max_relative = 1e-15);
        assert_relative_eq!(d1, 2.0 * b * b.ln() + b, max_relative = 1e-14);
        assert_relative_eq!(d2, 2.0 * b.ln() + 3.0, max_relative = 1e-14);
    }
}

#[test]
fn gradient_of_rosenbrock_matches_the_analytic_gradient() {
    for n in [2, 5, 11] {
        let x = point(n);
        let (v, g) = gradient(rosenbrock, &x);
        assert_eq!(v, rosenbrock(&x));
        let exact = rosenbrock_gradient(&x);
        for (i, (a, b)) in g.iter().zip(&exact).enumerate() {
            assert_relative_eq!(*a, *b, max_relative = 1e-13, epsilon = 1e-12);
            assert!(a.is_finite(), "component {i}");
        }
    }
}

#[test]
fn chunked_gradient_equals_the_scalar_one_for_every_chunk_layout() {
    let x = point(11);
    let (v, g) = gradient(rosenbrock, &x);
    // 11 inputs: chunks of 1, 3 (last one partial), 8, 11 (exact), 16 (larger than n).
    let runs = [
        gradient_chunked::<1, _>(rosenbrock, &x),
        gradient_chunked::<3, _>(rosenbrock, &x),
        gradient_chunked::<8, _>(rosenbrock, &x),
        gradient_chunked::<11, _>(rosenbrock, &x),
        gradient_chunked::<16, _>(rosenbrock, &x),
    ];
    for (vc, gc) in runs {
        assert_eq!(vc, v);
        assert_eq!(gc, g);
    }
}

#[test]
fn drivers_on_zero_inputs_still_evaluate_the_function() {
    let f = |x: &[nabla_dual::Dual64]| x.iter().copied().sum::<nabla_dual::Dual64>() + 2.5;
    assert_eq!(gradient(f, &[]), (2.5, vec![]));
    let fc =
        |x: &[nabla_dual::DualVec64<4>]| x.iter().copied().sum::<nabla_dual::DualVec64<4>>() + 2.5;
    assert_eq!(gradient_chunked(fc, &[]), (2.5, vec![]));
    let (v, g, h) = hessian(
        |x| x.iter().copied().sum::<nabla_dual::HyperDual64>() + 2.5,
        &[],
    );
    assert_eq!((v, g, h.shape()), (2.5, vec![], (0, 0)));
    let (v, j) = jacobian(|_| vec![nabla_dual::Dual64::constant(1.0); 2], &[]);
    assert_eq!((v, j.shape()), (vec![1.0, 1.0], (2, 0)));
}

#[test]
fn jacobian_of_spherical_coordinates() {
    // (r, t, p) -> (r sin t cos p, r sin t sin p, r cos t)
    let f = |v: &[nabla_dual::Dual64]| {
        let (r, t, p) = (v[0], v[1], v[2]);
        vec![r * t.sin() * p.cos(), r * t.sin() * p.sin(), r * t.cos()]
    };
    let (r, t, p) = (2.5, 0.7, -1.9);
    let (value, j) = jacobian(f, &[r, t, p]);
    assert_relative_eq!(value[2], r * t.cos(), max_relative = 1e-15);
    let exact = nalgebra::matrix![
        t.sin() * p.cos(), r * t.cos() * p.cos(), -r * t.sin() * p.sin();
        t.sin() * p.sin(), r * t.cos() * p.sin(), r * t.sin() * p.cos();
        t.cos(), -r * t.sin(), 0.0
    ];
    for i in 0..3 {
        for k in 0..3 {
            assert_relative_eq!(
                j[(i, k)],
                exact[(i, k)],
                max_relative = 1e-14,
                epsilon = 1e-15
            );
        }
    }
}

#[test]
fn hessian_of_rosenbrock_is_exact_and_symmetric() {
    let x = point(6);
    let (v, g, h) = hessian(rosenbrock, &x);
    assert_eq!(v, rosenbrock(&x));
    let exact_g = rosenbrock_gradient(&x);
    let exact_h = rosenbrock_hessian(&x);
    for i in 0..x.len() {
        assert_relative_eq!(g[i], exact_g[i], max_relative = 1e-13, epsilon = 1e-12);
        for j in 0..x.len() {
            assert_relative_eq!(
                h[(i, j)],
                exact_h[(i, j)],
                max_relative = 1e-13,
                epsilon = 1e-12
            );
            assert_eq!(h[(i, j)], h[(j, i)]);
        }
    }
}

#[test]
fn hessian_with_transcendental_cross_terms() {
    // f = exp(x y) + sin(x) z^2: every entry differs.
    let f = |v: &[nabla_dual::HyperDual64]| (v[0] * v[1]).exp() + v[0].sin() * v[2] * v[2];
    let (x, y, z) = (0.4, -1.3, 2.2);
    let (_, _, h) = hessian(f, &[x, y, z]);
    let e = (x * y).exp();
    let exact = [
        [
            y * y * e - x.sin() * z * z,
            e + x * y * e,
            2.0 * z * x.cos(),
        ],
        [e + x * y * e, x * x * e, 0.0],
        [2.0 * z * x.cos(), 0.0, 2.0 * x.sin()],
    ];
    for i in 0..3 {
        for j in 0..3 {
            assert_relative_eq!(
                h[(i, j)],
                exact[i][j],
                max_relative = 1e-14,
                epsilon = 1e-15
            );
        }
    }
}

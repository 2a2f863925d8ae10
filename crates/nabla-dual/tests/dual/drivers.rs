//! The drivers: derivative, second_derivative, gradient and jacobian (scalar and chunked),
//! hessian, against closed forms away from 1.0.

use approx::assert_relative_eq;
use nabla_dual::{
    derivative, gradient, gradient_chunked, hessian, jacobian, jacobian_chunked, second_derivative,
};
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
    let (v, j) = jacobian_chunked::<8, _>(|_| vec![nabla_dual::DualVec64::constant(1.0); 2], &[]);
    assert_eq!((v, j.shape()), (vec![1.0, 1.0], (2, 0)));
}

/// `R^n -> R^4`, every output depending on several inputs (`n >= 2`):
/// `(sum x_i^2 / (i+1), prod of the first three sin x_i, x_0 exp(x_{n-1}), atan(x_1) x_{n/2})`.
fn wide<S: Float>(x: &[S]) -> Vec<S> {
    let n = x.len();
    let sum = x
        .iter()
        .enumerate()
        .fold(S::zero(), |a, (i, &v)| a + v * v / S::from(i + 1).unwrap());
    let prod = x.iter().take(3).fold(S::one(), |a, &v| a * v.sin());
    vec![sum, prod, x[0] * x[n - 1].exp(), x[1].atan() * x[n / 2]]
}

fn wide_jacobian(x: &[f64]) -> nalgebra::DMatrix<f64> {
    let n = x.len();
    let mut j = nalgebra::DMatrix::zeros(4, n);
    for i in 0..n {
        j[(0, i)] = 2.0 * x[i] / (i + 1) as f64;
    }
    let m = n.min(3);
    for i in 0..m {
        j[(1, i)] = (0..m)
            .map(|k| if k == i { x[k].cos() } else { x[k].sin() })
            .product::<f64>();
    }
    j[(2, 0)] += x[n - 1].exp();
    j[(2, n - 1)] += x[0] * x[n - 1].exp();
    j[(3, 1)] += x[n / 2] / (1.0 + x[1] * x[1]);
    j[(3, n / 2)] += x[1].atan();
    j
}

/// Equal entry by entry, NaN with NaN (a zero may differ in sign only).
fn assert_same_matrix(a: &nalgebra::DMatrix<f64>, b: &nalgebra::DMatrix<f64>, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    for (k, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        assert!(
            x == y || (x.is_nan() && y.is_nan()),
            "{what}: entry {k}: {x} vs {y}"
        );
    }
}

#[test]
fn chunked_jacobian_equals_the_scalar_one_for_every_chunk_layout() {
    // 4 outputs of 11 inputs (not square): chunks of 1, 3 (the last one partial), 8, 11
    // (exact) and 16 (more lanes than inputs).
    let x = point(11);
    let (v, j) = jacobian(wide, &x);
    let runs = [
        jacobian_chunked::<1, _>(wide, &x),
        jacobian_chunked::<3, _>(wide, &x),
        jacobian_chunked::<8, _>(wide, &x),
        jacobian_chunked::<11, _>(wide, &x),
        jacobian_chunked::<16, _>(wide, &x),
    ];
    for (k, (vc, jc)) in runs.into_iter().enumerate() {
        assert_eq!(vc, v, "run {k}");
        assert_eq!(jc, j, "run {k}");
    }
}

#[test]
fn chunked_jacobian_matches_the_analytic_jacobian() {
    // n = 2 and 3 (fewer inputs than lanes), 8 (one full chunk), 13 (one and a bit).
    for n in [2, 3, 8, 13] {
        let x = point(n);
        let (v, j) = jacobian_chunked::<8, _>(wide, &x);
        assert_eq!(v, wide(&x));
        assert_eq!(j.shape(), (4, n));
        assert_relative_eq!(j, wide_jacobian(&x), max_relative = 1e-14, epsilon = 1e-15);
    }
}

#[test]
fn chunked_jacobian_keeps_non_finite_inputs_in_their_own_columns() {
    // A NaN and an infinite input: their columns (and the outputs that use them) are NaN or
    // infinite exactly as in the one-input-per-pass Jacobian; the strong zero keeps every
    // other column finite, also where the NaN input shares a pass with finite ones.
    let f = |x: &[nabla_dual::DualVec64<4>]| vec![x[0] * x[1], x[2].exp() + x[3], x[4] * x[0]];
    let g = |x: &[nabla_dual::Dual64]| vec![x[0] * x[1], x[2].exp() + x[3], x[4] * x[0]];
    let x = [2.0, f64::NAN, 0.5, f64::INFINITY, -3.0];
    let (vc, jc) = jacobian_chunked(f, &x);
    let (v, j) = jacobian(g, &x);
    assert!(vc[0].is_nan() && v[0].is_nan() && vc[1] == v[1] && vc[2] == v[2]);
    assert_same_matrix(&jc, &j, "NaN and infinite inputs");
    // d(x0 x1)/dx0 = x1 = NaN; d(x0 x1)/dx1 = x0 = 2; row 0 does not depend on x2..x4.
    assert!(jc[(0, 0)].is_nan());
    assert_eq!(
        [jc[(0, 1)], jc[(0, 2)], jc[(0, 3)], jc[(0, 4)]],
        [2.0, 0.0, 0.0, 0.0]
    );
    // Row 2 (x4 x0) is finite although x1 = NaN was seeded in the same pass as x0.
    assert_eq!(
        jc.row(2).iter().copied().collect::<Vec<_>>(),
        [-3.0, 0.0, 0.0, 0.0, 2.0]
    );
    assert_eq!(jc[(1, 3)], 1.0);
}

#[test]
#[should_panic(expected = "jacobian_chunked: f returned 1 outputs")]
fn chunked_jacobian_panics_when_the_output_length_changes() {
    // 3 inputs in chunks of 2: the second pass returns one output fewer.
    let _ = jacobian_chunked::<2, _>(
        |x: &[nabla_dual::DualVec64<2>]| {
            if x[0].partial(0) == 1.0 {
                vec![x[0], x[1]]
            } else {
                vec![x[2]]
            }
        },
        &[1.0, 2.0, 3.0],
    );
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

#[test]
#[should_panic(expected = "jacobian_chunked: the chunk size N must be at least 1")]
fn chunked_jacobian_of_zero_lanes_panics() {
    let _ = jacobian_chunked::<0, _>(|x: &[nabla_dual::DualVec64<0>]| x.to_vec(), &[1.0]);
}

//! `Compare::check` and `check_at`: they pass where the methods are right, and a wrong
//! derivative fails with a shrunk point that names the method and the element.

use nabla_compare::functions::{BookFunction1, Polar, Rosenbrock};
use nabla_compare::{Compare, Function, Method, Number, ScalarFunction, VectorFunction};
use nalgebra::DMatrix;
use proptest::prelude::*;

/// A real number `±10^e`, `e` uniform in `[lo, hi]`, or (one time in ten) exactly zero.
fn wide(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        9 => (any::<bool>(), lo..=hi).prop_map(|(neg, e)| if neg { -(10f64.powf(e)) } else { 10f64.powf(e) }),
        1 => Just(0.0),
    ]
}

/// `exp(sin a) sqrt(1 + b^2) + atan(a b) + ln(1 + c^2) cos a`.
struct Composition;

impl Function for Composition {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        let (a, b, c) = (x[0], x[1], x[2]);
        a.sin().exp() * (b * b + 1.0).sqrt() + (a * b).atan() + (c * c + 1.0).ln() * a.cos()
    }
}

#[test]
fn rosenbrock_agrees_over_wide_points() {
    Compare::new().check(
        &Rosenbrock,
        proptest::collection::vec(wide(-8.0, 6.0), 1..=12),
    );
}

#[test]
fn a_composition_of_elementary_functions_agrees() {
    Compare::new().check(&Composition, proptest::collection::vec(wide(-4.0, 3.0), 3));
}

#[test]
fn jacobians_and_derivatives_agree() {
    Compare::new().check(&Polar, proptest::collection::vec(-10.0..10.0f64, 2));
    Compare::new().check(&BookFunction1, wide(-10.0, 10.0).prop_map(|x| [x]));
}

/// Rosenbrock with a hand-written gradient that forgets the `(1 - x_i)^2` term beyond 3.
struct Buggy;

impl Function for Buggy {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        Rosenbrock.eval(x)
    }

    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        let mut g = Rosenbrock.gradient(x)?;
        for i in 3..x.len().saturating_sub(1) {
            g[i] += 2.0 * (1.0 - x[i]);
        }
        Some(g)
    }
}

#[test]
fn a_wrong_gradient_fails_with_a_shrunk_point_naming_the_method_and_element() {
    let panic = std::panic::catch_unwind(|| {
        Compare::new().check(&Buggy, proptest::collection::vec(-2.0..2.0f64, 1..=12));
    })
    .expect_err("the bug is found");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("analytic disagrees"), "{message}");
    assert!(message.contains("element 3"), "{message}");
    // Shrunk to the shortest point with an element 3 before the last: 5 coordinates.
    let point = message
        .split("minimal failing point: ")
        .nth(1)
        .expect("the point is shown");
    let coordinates = point.matches(',').count() + 1;
    assert_eq!(coordinates, 5, "{message}");
}

#[test]
fn a_transposed_jacobian_is_caught_at_an_off_diagonal_element() {
    struct Transposed;
    impl VectorFunction for Transposed {
        fn eval<S: Number>(&self, x: &[S]) -> Vec<S> {
            Polar.eval(x)
        }
        fn jacobian(&self, x: &[f64]) -> Option<DMatrix<f64>> {
            Polar.jacobian(x).map(|j| j.transpose())
        }
    }
    let err = Compare::new()
        .check_at(&Transposed, &[2.0, 0.3])
        .unwrap_err();
    assert!(err.starts_with("analytic disagrees"), "{err}");
    assert!(
        err.contains("element (0, 1)") || err.contains("element (1, 0)"),
        "{err}"
    );
    assert!(Compare::new().check_at(&Polar, &[2.0, 0.3]).is_ok());
}

#[test]
fn points_outside_the_domain_are_refused_by_check_at_and_skipped_by_check() {
    struct Log;
    impl ScalarFunction for Log {
        fn eval<S: Number>(&self, x: S) -> S {
            x.ln()
        }
    }
    let err = Compare::new().check_at(&Log, &[-1.0]).unwrap_err();
    assert!(err.contains("not finite"), "{err}");
    // A tenth of the points are negative: rejected, not failed (proptest gives up when
    // rejects outnumber 1024).
    Compare::new()
        .methods(&[Method::CentralFd, Method::Dual, Method::Reverse])
        .check(
            &Log,
            (-1.0..10.0f64)
                .prop_filter("not too close to 0", |x| x.abs() > 1e-3)
                .prop_map(|x| [x]),
        );
}

//! `compare` and `Compare::run`: what a report holds, on functions whose derivatives are
//! known exactly.

use std::time::Duration;

use nabla_compare::functions::{BookFunction1, Polar};
use nabla_compare::outcome::Shape;
use nabla_compare::{Compare, Function, Method, Number, Report};

/// Short timings: these tests check the numbers, not the speed.
fn quick() -> Compare {
    Compare::new().time(Duration::from_millis(5))
}

/// `sum x_i^2`: gradient `2 x`, exact in floating point.
struct Sphere;

impl Function for Sphere {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        x.iter().fold(S::zero(), |acc, &v| acc + v * v)
    }
}

#[test]
fn a_report_holds_every_method_with_its_error_time_and_cost() {
    let x = [1.0, -2.0, 3.0];
    let report = quick().run(&Sphere, &x);
    assert_eq!(report.function, "Sphere");
    assert_eq!(report.shape, Shape::Gradient);
    assert_eq!((report.inputs, report.outputs), (3, 1));
    assert_eq!(report.value, [14.0]);
    assert_eq!(report.reference, [2.0, -4.0, 6.0]);
    assert_eq!(
        report.reference_methods,
        [Method::Dual, Method::DualVec16, Method::Reverse]
            .into_iter()
            .chain(cfg!(feature = "peers").then_some(Method::NumDual))
            .collect::<Vec<_>>()
    );
    assert!(report.exact_agree());
    for row in &report.rows {
        let error = row.error.expect("every method succeeds");
        if row.method.is_exact() {
            assert_eq!(error, 0.0, "{:?}", row.method);
        } else if row.method == Method::ForwardFd {
            // Truncation h/2 |f''| with h = sqrt(eps) max(1, |x|).
            assert!(error < 1e-7, "{:?}: {error:e}", row.method);
        } else {
            // A quadratic: the symmetric stencils have no truncation error, only rounding.
            assert!(error < 1e-9, "{:?}: {error:e}", row.method);
        }
        let t = row.time.expect("timed");
        assert!(
            t.q1 <= t.median && t.median <= t.q3 && t.median > 0.0,
            "{t:?}"
        );
        assert!(t.samples >= 3);
    }
    let cost = |m: Method| report.row(m).unwrap().cost;
    assert_eq!(cost(Method::ForwardFd).evaluations, 4); // f(x) and one per input
    assert_eq!(cost(Method::CentralFd).evaluations, 6);
    assert_eq!(cost(Method::FivePointFd).evaluations, 12);
    assert!(cost(Method::Richardson).evaluations >= 3 * 2 * 5); // five rows at least
    assert_eq!(
        (cost(Method::Dual).evaluations, cost(Method::Dual).width),
        (3, 1)
    );
    assert_eq!(
        (
            cost(Method::DualVec16).evaluations,
            cost(Method::DualVec16).width
        ),
        (1, 16)
    );
    assert_eq!(cost(Method::DualVec16).bytes, Some(3 * 17 * 8));
    let reverse = cost(Method::Reverse);
    assert_eq!(reverse.sweeps, 1);
    // Three inputs, three squares, three sums (the fold starts from a constant).
    assert!((6..=12).contains(&reverse.tape_entries), "{reverse:?}");
    assert!(
        reverse.bytes.unwrap() >= reverse.tape_entries * 16,
        "{reverse:?}"
    );
    assert!(report.row(Method::Richardson).unwrap().estimate.unwrap() < 1e-10);
    assert!(report.fastest.is_some());
}

#[test]
fn the_table_names_every_method_and_json_round_trips() {
    let report = quick().run(&Sphere, &[0.5, 0.25]);
    let table = report.to_string();
    for row in &report.rows {
        assert!(table.contains(row.method.id()), "{table}");
    }
    assert!(
        table.starts_with("Sphere (gradient, n = 2): f(x) = 0.3125000"),
        "{table}"
    );
    assert!(table.contains("fastest within 1.0e-6: "), "{table}");
    // Aligned: every line of the table part has the same position for the "error" column.
    let lines: Vec<&str> = table.lines().skip(2).take(report.rows.len() + 1).collect();
    let header = lines[0];
    let end = header.find("error").unwrap() + "error".len();
    for line in &lines[1..] {
        let before: String = line.chars().take(end).collect();
        assert!(
            before.ends_with(|c: char| c.is_ascii_digit() || c == '0' || c == '-'),
            "{line}\n{header}"
        );
    }
    let json = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    assert!(json.contains("\"method\":\"central_fd\""), "{json}");
}

/// Sphere with a hand-written gradient off by a factor of 2 in element 1.
struct WrongGradient;

impl Function for WrongGradient {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        Sphere.eval(x)
    }
    fn gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        Some(vec![2.0 * x[0], 4.0 * x[1], 2.0 * x[2]])
    }
}

#[test]
fn a_wrong_analytic_gradient_is_called_out_and_does_not_move_the_reference() {
    let report = quick().run(&WrongGradient, &[1.0, -2.0, 3.0]);
    assert_eq!(report.reference, [2.0, -4.0, 6.0]);
    assert!(!report.exact_agree());
    let analytic = report.row(Method::Analytic).unwrap();
    assert_eq!(analytic.worst, Some(1));
    assert_eq!(analytic.error, Some(4.0 / 6.0));
    let table = report.to_string();
    assert!(
        table.contains("the exact methods DISAGREE: analytic is off by 6.7e-1 (more than 1.0e-10) at element 1: -8e0 against the reference -4e0"),
        "{table}"
    );
    assert_ne!(report.fastest, Some(Method::Analytic));
}

/// `ln x_0 + x_1`: finite differences leave the domain when `x_0` is below their step.
struct Log;

impl Function for Log {
    fn eval<S: Number>(&self, x: &[S]) -> S {
        x[0].ln() + x[1]
    }
}

#[test]
fn a_method_that_leaves_the_domain_is_a_failed_row() {
    let report = quick().run(&Log, &[1e-7, 1.0]);
    let central = report.row(Method::CentralFd).unwrap();
    assert!(central.derivative.is_empty() && central.error.is_none() && central.time.is_none());
    let why = central.failure.as_deref().unwrap();
    assert!(
        why.starts_with("central_fd: ") && why.contains("not finite"),
        "{why}"
    );
    assert!(report.to_string().contains("central_fd failed: "));
    // The exact methods are unaffected: 1/x_0 and 1.
    assert!(report.exact_agree());
    assert!((report.reference[0] - 1e7).abs() < 1e-8 && report.reference[1] == 1.0);
    // Forward differences step to the right only and stay in the domain.
    assert!(report.row(Method::ForwardFd).unwrap().failure.is_none());
}

#[test]
fn jacobians_are_row_major_and_every_method_agrees_on_them() {
    let (r, t) = (2.0f64, 0.3f64);
    let report = quick().run(&Polar, &[r, t]);
    assert_eq!(report.shape, Shape::Jacobian);
    assert_eq!((report.outputs, report.inputs), (2, 2));
    let want = [t.cos(), -r * t.sin(), t.sin(), r * t.cos()];
    for (a, b) in report.reference.iter().zip(want) {
        assert!((a - b).abs() < 1e-15, "{:?}", report.reference);
    }
    assert!(report.exact_agree(), "{report}");
    for row in &report.rows {
        assert!(row.error.unwrap() < 1e-7, "{report}");
    }
    assert!(report.to_string().starts_with("Polar (Jacobian, 2 x 2)"));
    assert_eq!(report.row(Method::Reverse).unwrap().cost.sweeps, 2);
}

#[test]
fn derivatives_of_one_variable_skip_the_chunked_methods() {
    let report = quick().run(&BookFunction1, &[5.0]);
    assert_eq!(report.shape, Shape::Derivative);
    assert!((report.reference[0] - 0.2).abs() < 1e-16);
    assert!(report.row(Method::DualVec16).is_none());
    assert!(report.row(Method::Analytic).is_some());
    assert_eq!(report.row(Method::Dual).unwrap().cost.evaluations, 1);
    assert!(report.exact_agree());
}

#[test]
#[should_panic(expected = "a function of one variable takes a point of one coordinate, got 2")]
fn a_function_of_one_variable_refuses_a_longer_point() {
    let _ = quick()
        .methods(&[Method::Dual])
        .run(&BookFunction1, &[1.0, 2.0]);
}

#[test]
fn methods_run_in_the_order_given_once_each() {
    let report = quick()
        .methods(&[
            Method::Reverse,
            Method::CentralFd,
            Method::Reverse,
            Method::Analytic,
        ])
        .run(&Sphere, &[1.0]);
    let order: Vec<Method> = report.rows.iter().map(|r| r.method).collect();
    // No analytic gradient: left out.
    assert_eq!(order, [Method::Reverse, Method::CentralFd]);
}

#[test]
fn without_exact_methods_the_reference_comes_from_dual_numbers_untimed() {
    let report = quick()
        .methods(&[Method::CentralFd])
        .run(&Sphere, &[1.0, 2.0]);
    assert!(report.reference_methods.is_empty());
    assert_eq!(report.reference, [2.0, 4.0]);
    assert!(report.row(Method::CentralFd).unwrap().error.unwrap() < 1e-9);
    assert!(report.to_string().contains("nothing (no exact method ran)"));
}

#[test]
fn the_fastest_method_is_one_within_the_tolerance() {
    let report = quick().tolerance(1e-14).run(&Sphere, &[0.3, 0.7, 1.1]);
    let fastest = report.fastest.expect("the exact methods are within 1e-14");
    let time = report.row(fastest).unwrap().time.unwrap().median;
    for row in &report.rows {
        if row.error.unwrap() <= 1e-14 {
            assert!(time <= row.time.unwrap().median);
        }
    }
    assert!(report.row(fastest).unwrap().error.unwrap() <= 1e-14);
}

#[cfg(feature = "peers")]
#[test]
fn the_peer_crates_are_methods_of_their_own() {
    let report = quick().run(&Polar, &[2.0, 0.3]);
    let peers: Vec<Method> = report
        .rows
        .iter()
        .map(|r| r.method)
        .filter(|m| m.is_peer())
        .collect();
    assert_eq!(peers, [Method::FinitediffCentral, Method::NumDual]);
    assert_eq!(report.row(Method::NumDual).unwrap().error, Some(0.0));
    assert!(
        report
            .row(Method::FinitediffCentral)
            .unwrap()
            .error
            .unwrap()
            < 1e-8
    );
    let book = quick().run(&BookFunction1, &[5.0]);
    assert!(book.row(Method::NumDual).unwrap().error.unwrap() < 1e-16);
    assert!(book.row(Method::FinitediffCentral).unwrap().error.unwrap() < 1e-9);
}

#[test]
fn a_zero_time_budget_measures_accuracy_only() {
    let report = Compare::new()
        .time(Duration::ZERO)
        .run(&Sphere, &[1.0, 2.0]);
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.time.is_none() && r.error.is_some())
    );
    assert_eq!(report.fastest, None);
    assert!(report.to_string().ends_with("(not timed)\n"));
}

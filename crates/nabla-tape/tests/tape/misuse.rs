//! Misuse is a panic that names the mistake, never a silently wrong gradient; nesting that is
//! well defined works.

use nabla_tape::{Recording, Var, gradient};

#[test]
#[should_panic(
    expected = "a Var of a finished recording (or of another thread) was used while no recording is active"
)]
fn a_var_used_after_its_recording_ended() {
    let mut leaked = Var::constant(0.0);
    gradient(
        |x| {
            leaked = x[0];
            x[0] * x[0]
        },
        &[1.0],
    );
    let _ = leaked * leaked;
}

#[test]
#[should_panic(
    expected = "a Var of a finished recording (or of another thread) was used in the active recording"
)]
fn a_var_of_a_finished_recording_in_a_later_one() {
    let mut leaked = Var::constant(0.0);
    gradient(
        |x| {
            leaked = x[0];
            x[0]
        },
        &[1.0],
    );
    gradient(|x| x[0] * leaked, &[2.0]);
}

#[test]
#[should_panic(expected = "a Var of an enclosing recording was used inside a nested one")]
fn a_gradient_nested_in_another_that_uses_the_outer_variable() {
    // d/dx [x * d/dy (x * y)] would need the inner derivative as a function of x: refused.
    gradient(
        |x| {
            let outer = x[0];
            let (_, inner) = gradient(|y| outer * y[0], &[1.0]);
            outer * inner[0]
        },
        &[1.0],
    );
}

#[test]
#[should_panic(expected = "a Var of an enclosing recording was used inside a nested one")]
fn two_recordings_interleaved() {
    let first = Recording::<f64>::new();
    let a = first.var(1.0);
    let second = Recording::<f64>::new();
    let b = second.var(2.0);
    let _ = a * b;
}

#[test]
#[should_panic(
    expected = "an input was added to a recording while a recording started after it is still active"
)]
fn an_input_added_to_an_outer_recording() {
    let first = Recording::<f64>::new();
    let _second = Recording::<f64>::new();
    first.var(1.0);
}

#[test]
#[should_panic(
    expected = "an input was added to a recording while a recording started after it is still active"
)]
fn inputs_added_in_bulk_to_an_outer_recording() {
    let first = Recording::<f64>::new();
    let _second = Recording::<f64>::new();
    first.vars(&[1.0, 2.0]);
}

#[test]
fn independent_nested_gradients_work() {
    // The inner gradient has its own variables; its result is a plain number, a constant to
    // the outer recording: d/dx [x² · (d/dy y³ at y = 2)] = 2x · 12.
    let (v, g) = gradient(
        |x| {
            let (_, inner) = gradient(|y| y[0].powi(3), &[2.0]);
            x[0] * x[0] * inner[0]
        },
        &[1.5],
    );
    assert_eq!((v, g), (2.25 * 12.0, vec![36.0]));
    // And the outer recording goes on being usable after the inner one ended.
    let rec = Recording::<f64>::new();
    let x = rec.var(3.0);
    let y = x * x;
    {
        let inner = Recording::<f64>::new();
        let z = inner.var(5.0);
        assert_eq!(inner.gradient(z * z, &[z]), vec![10.0]);
    }
    assert_eq!(rec.gradient(y * x, &[x]), vec![27.0]);
    // Operands of the piece before the inner recording take the slow path of recording,
    // one-operand operations too (`x * 2.0` is one entry with partial 2).
    let w = (x * 2.0).exp();
    assert_eq!(rec.gradient(w, &[x]), vec![2.0 * 6.0_f64.exp()]);
}

#[test]
fn recordings_of_different_scalar_types_are_independent() {
    let (_, g) = gradient(
        |x: &[Var<f64>]| {
            let (_, inner) = gradient(|y: &[Var<f32>]| y[0] * y[0], &[3.0_f32]);
            x[0] * f64::from(inner[0])
        },
        &[1.0],
    );
    assert_eq!(g, vec![6.0]);
}

#[test]
fn a_var_sent_to_another_thread_is_caught_there() {
    let rec = Recording::<f64>::new();
    let x = rec.var(2.0);
    let result = std::thread::spawn(move || {
        let inner = Recording::<f64>::new();
        let y = inner.var(1.0);
        let _ = x * y;
    })
    .join();
    let err = result.expect_err("the foreign Var must be refused");
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("of another thread"), "{msg}");
    // This thread's recording is untouched.
    assert_eq!(rec.gradient(x * x, &[x]), vec![4.0]);
}

#[test]
#[should_panic(
    expected = "a Var of a finished recording (or of another thread) was used in the active recording"
)]
fn a_var_of_a_finished_recording_asked_for_as_an_input() {
    let old = {
        let rec = Recording::<f64>::new();
        rec.var(1.0)
    };
    let rec = Recording::<f64>::new();
    let x = rec.var(2.0);
    // Same entry index as `old`, so without the check the sweep would answer with x's adjoint.
    let _ = rec.gradient(x * x, &[old]);
}

#[test]
#[should_panic(
    expected = "a Var of a finished recording (or of another thread) was used in the active recording"
)]
fn a_var_of_an_outer_recording_that_ended_before_the_inner_one() {
    // The outer recording ends while the inner one is still active: its frame stays (marked
    // finished) until the inner one ends, and its Vars are finished ones, not enclosing ones.
    let first = Recording::<f64>::new();
    let a = first.var(1.0);
    let second = Recording::<f64>::new();
    let b = second.var(2.0);
    drop(first);
    let _ = a * b;
}

/// Runs `f` and returns its panic message, or `None` when it did not panic.
fn panic_message(f: impl FnOnce()) -> Option<String> {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err()?;
    Some(match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&str>()
            .map_or_else(|_| String::new(), |s| s.to_string()),
    })
}

#[test]
fn a_nested_misuse_with_a_zero_partial_is_caught_too() {
    // d/dx [(d/dy (x y))(y0)] at x = 3: the inner derivative is x, so the answer is 1. At
    // y0 = 2 the misuse was caught; at y0 = 0 the partial of x y by x is 0, the operand was
    // dropped before it was checked, and the outer gradient came back 0.0 silently.
    for y0 in [2.0, 0.0] {
        let msg = panic_message(|| {
            gradient(
                |x| {
                    let outer = x[0];
                    let (_, inner) = gradient(|y| outer * y[0], &[y0]);
                    Var::constant(inner[0])
                },
                &[3.0],
            );
        });
        let msg = msg.unwrap_or_else(|| panic!("y0 = {y0}: no panic"));
        assert!(msg.contains("enclosing recording"), "y0 = {y0}: {msg}");
    }
}

#[test]
fn every_operation_checks_every_operand_whatever_its_partial() {
    // Inside a nested recording, an outer Var in an operation whose partial with respect to
    // it is exactly 0 (or 1, or which records nothing) is still refused.
    type Op = fn(Var<f64>, Var<f64>) -> Var<f64>;
    let cases: Vec<(&str, Op)> = vec![
        ("y / x at y = 0", |x, y| y / x),
        ("x * y at y = 0", |x, y| x * y),
        ("y * x at y = 0", |x, y| y * x),
        ("x * 0", |x, _| x * 0.0),
        ("0 * x", |x, _| 0.0 * x),
        ("x + 1", |x, _| x + 1.0),
        ("1 - x", |x, _| 1.0 - x),
        ("x - y", |x, y| x - y),
        ("x.powi(0)", |x, _| x.powi(0)),
        ("x.powf(y) at y = 0", |x, y| x.powf(y)),
        ("y.powf(x) at y = 0", |x, y| y.powf(x)),
        ("x.atan2(y)", |x, y| x.atan2(y)),
        ("y.hypot(x)", |x, y| y.hypot(x)),
        ("x.mul_add(y, y)", |x, y| x.mul_add(y, y)),
        ("y.mul_add(y, x)", |x, y| y.mul_add(y, x)),
        ("x.max(y)", |x, y| x.max(y)),
        ("y.min(x)", |x, y| y.min(x)),
        ("x.floor()", |x, _| x.floor()),
        ("x.signum()", |x, _| x.signum()),
        ("x.fract()", |x, _| x.fract()),
        ("y.copysign(x)", |x, y| y.copysign(x)),
        ("x % 2", |x, _| x % 2.0),
        ("x.abs() at x = 0", |x, _| (x - 3.0).abs()),
        ("sum", |x, y| nabla_tape::sum(&[y, x])),
        ("dot at y = 0", |x, y| nabla_tape::dot(&[x], &[y])),
    ];
    for (name, op) in cases {
        let msg = panic_message(|| {
            gradient(
                |x| {
                    let outer = x[0];
                    let (_, inner) = gradient(|y| op(outer, y[0]), &[0.0]);
                    Var::constant(inner[0])
                },
                &[3.0],
            );
        });
        let msg = msg.unwrap_or_else(|| panic!("{name}: no panic"));
        assert!(msg.contains("enclosing recording"), "{name}: {msg}");
    }
}

#[test]
fn a_rule_with_an_input_of_another_recording_names_the_rule() {
    let msg = panic_message(|| {
        gradient(
            |x| {
                let outer = x[0];
                let (_, inner) = gradient(
                    |y| {
                        nabla_tape::custom_rule(
                            &[y[0], outer],
                            &[1.0],
                            |_: &[f64], _: &mut [f64]| {},
                        )[0]
                    },
                    &[0.0],
                );
                Var::constant(inner[0])
            },
            &[3.0],
        );
    })
    .expect("refused");
    assert!(
        msg.contains("among the inputs of a rule") && msg.contains("enclosing recording"),
        "{msg}"
    );
    let old = gradient(|x| x[0], &[1.0]).0;
    let stale = {
        let rec = Recording::<f64>::new();
        rec.var(old)
    };
    let msg = panic_message(|| {
        let rec = Recording::<f64>::new();
        let a = nalgebra::DMatrix::from_vec(1, 1, vec![rec.var(2.0)]);
        let b = nalgebra::DMatrix::from_vec(1, 1, vec![stale]);
        let _ = nabla_tape::matmul(&a, &b);
    })
    .expect("refused");
    assert!(
        msg.contains("among the inputs of a rule") && msg.contains("finished recording"),
        "{msg}"
    );
}

#[test]
fn a_backward_that_records_is_a_panic_that_says_so() {
    let msg = panic_message(|| {
        let rec = Recording::<f64>::new();
        let x = rec.var(2.0);
        let y = nabla_tape::custom_rule(&[x], &[4.0], |out: &[f64], inputs: &mut [f64]| {
            // Wrong: computing with Vars inside a backward.
            let _ = Recording::<f64>::new();
            inputs[0] = out[0];
        })[0];
        rec.gradient(y, &[x]);
    })
    .expect("refused");
    assert!(msg.contains("while it is being swept"), "{msg}");
}

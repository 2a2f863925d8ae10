//! The chapter's test functions: `f(x) = 0.01 x^2 + 0.1 x` and `f(x0, x1) = x0^2 + x1^2`
//! (`nabla::functions`), every method through nabla-compare's checker.
//!
//! Both are quadratic, so `f''' = 0`: central and five-point differences and Richardson have
//! no truncation error at all; only rounding is left, and the checker's bound says how much.

use nabla::compare::{Compare, ScalarFunction};
use nabla::functions::{BookFunction1, BookFunction2};
use nabla_numdiff::{Options, derivative};
use proptest::prelude::*;

use crate::strategies::wide;

#[test]
fn one_variable() {
    Compare::new()
        .exact_tolerance(1e-12, 0.0)
        .check(&BookFunction1, wide(-10.0, 10.0).prop_map(|x| [x]));
}

#[test]
fn two_variables() {
    Compare::new().exact_tolerance(1e-12, 0.0).check(
        &BookFunction2,
        (wide(-10.0, 10.0), wide(-10.0, 10.0)).prop_map(|(a, b)| [a, b]),
    );
}

/// The book's own numbers still come out of the same drivers (REFERENCE.md), so the random
/// tests above exercise the code the chapter reproduces.
#[test]
fn book_numbers() {
    let f = |x: f64| BookFunction1.eval(x);
    for (x, book) in [(5.0, 0.1999999999990898), (10.0, 0.2999999999986347)] {
        assert_eq!(derivative(f, x, Options::book()).unwrap(), book);
    }
    let f2 = |x: &[f64]| x[0] * x[0] + x[1] * x[1];
    let g = nabla_numdiff::gradient_at(f2, &[3.0, 4.0], Options::book()).unwrap();
    assert_eq!(g, [6.00000000000378, 7.999999999999119]);
}

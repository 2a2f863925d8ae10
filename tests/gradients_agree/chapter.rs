//! The chapter's test functions: `f(x) = 0.01 x^2 + 0.1 x` and `f(x0, x1) = x0^2 + x1^2`.
//!
//! Both are quadratic, so `f''' = 0`: a central difference has no truncation error at all and
//! Richardson none either; only rounding is left. Rounding of one evaluation:
//!
//! * `0.01 x^2 + 0.1 x`: products and one sum, at most 4 roundings of terms of size
//!   `F = 0.01 x^2 + 0.1 |x|`: `E = 4 eps F`; the analytic `0.02 x + 0.1`: `Eg = 2 eps
//!   (0.02 |x| + 0.1)`.
//! * `x0^2 + x1^2`: `E = 3 eps (x0^2 + x1^2)`; the analytic `2 x_i` is exact.
//!
//! (Both with `|x|` enlarged by the step, where the probes are.)

use nabla_numdiff::{Options, Step, derivative};
use proptest::prelude::*;

use crate::strategies::wide;
use crate::tolerance::{
    self, EPS, RICHARDSON_AUTO_FIRST_STEP, assert_dual, assert_within, central_gradient,
    central_step, richardson, richardson_widest_step,
};

fn book_f<S: nalgebra::RealField + Copy>(x: S) -> S {
    let a: S = nalgebra::convert(0.01);
    let b: S = nalgebra::convert(0.1);
    // The book's `0.01*x**2 + 0.1*x`, in its order of operations.
    a * (x * x) + b * x
}

fn book_f2<S: nalgebra::RealField + Copy>(x: &[S]) -> S {
    x[0] * x[0] + x[1] * x[1]
}

proptest! {
    #[test]
    fn one_variable(x in wide(-10.0, 10.0)) {
        let g = 0.02 * x + 0.1;
        let eg = 2.0 * EPS * (0.02 * x.abs() + 0.1);
        let e_at = |pad: f64| {
            let a = x.abs() + pad;
            4.0 * EPS * (0.01 * a * a + 0.1 * a)
        };

        let h = central_step(x);
        let c = derivative(book_f, x, Options::default()).unwrap();
        assert_within("central", &[c], &[g], &[tolerance::central(h, 0.0, e_at(h), g, eg)]);

        // The automatic first step: rounding bound at the smallest first step, E over the
        // widest stencil (see `tolerance`); no truncation error for a quadratic.
        let e = e_at(richardson_widest_step(x));
        let r = richardson(|v| book_f(v[0]), &[x], Step::Auto);
        assert_within("richardson", &r, &[g], &[tolerance::richardson_rounding(RICHARDSON_AUTO_FIRST_STEP, e, g, eg)]);

        let (v, d) = nabla_dual::derivative(book_f, x);
        assert_dual("Dual64", &[d], &[g], &[0.02 * x.abs() + 0.1]);
        prop_assert_eq!(v, book_f(x));
        let (v, d) = nabla_tape::derivative(book_f, x);
        assert_dual("reverse", &[d], &[g], &[0.02 * x.abs() + 0.1]);
        prop_assert_eq!(v, book_f(x));
    }

    #[test]
    fn two_variables(x0 in wide(-10.0, 10.0), x1 in wide(-10.0, 10.0)) {
        let x = [x0, x1];
        let g = [2.0 * x0, 2.0 * x1];
        let e_at = |pad: [f64; 2]| {
            3.0 * EPS * x.iter().zip(pad).map(|(v, p)| (v.abs() + p).powi(2)).sum::<f64>()
        };

        let h = x.map(central_step);
        let e = e_at(h);
        let tol = [0, 1].map(|i| tolerance::central(h[i], 0.0, e, g[i], 0.0));
        assert_within("central", &central_gradient(book_f2, &x), &g, &tol);

        let e = e_at(x.map(richardson_widest_step));
        let tol = [0, 1].map(|i| tolerance::richardson_rounding(RICHARDSON_AUTO_FIRST_STEP, e, g[i], 0.0));
        let r = richardson(book_f2, &x, Step::Auto);
        assert_within("richardson", &r, &g, &tol);

        let scale = g.map(f64::abs);
        assert_dual("Dual64", &nabla_dual::gradient(book_f2, &x).1, &g, &scale);
        assert_dual("DualVec64<8>", &nabla_dual::gradient_chunked::<8, _>(book_f2, &x).1, &g, &scale);
        assert_dual("reverse", &nabla_tape::gradient(book_f2, &x).1, &g, &scale);
    }
}

/// The book's own numbers still come out of the same drivers (REFERENCE.md), so the random
/// tests above exercise the code the chapter reproduces.
#[test]
fn book_numbers() {
    assert_eq!(
        derivative(book_f, 5.0, Options::book()).unwrap(),
        0.1999999999990898
    );
    assert_eq!(
        derivative(book_f, 10.0, Options::book()).unwrap(),
        0.2999999999986347
    );
    let g = nabla_numdiff::gradient_at(book_f2, &[3.0, 4.0], Options::book()).unwrap();
    assert_eq!(g, [6.00000000000378, 7.999999999999119]);
    assert_eq!(nabla_dual::gradient(book_f2, &[3.0, 4.0]).1, [6.0, 8.0]);
    assert_eq!(nabla_tape::gradient(book_f2, &[3.0, 4.0]).1, [6.0, 8.0]);
}

//! Nested dual numbers: `Dual<Dual64>` keeps its two perturbations apart.

use nabla_dual::{Dual, Dual64, derivative};

#[test]
fn nested_derivatives_do_not_confuse_perturbations() {
    // d/dx [x * d/dy (x + y)] at x = 1: the inner derivative is 1, so the answer is 1 (a
    // library that confuses the two epsilons answers 2).
    let (_, d) = derivative(
        |x: Dual64| {
            let (_, inner) = derivative(|y: Dual<Dual64>| Dual::constant(x) + y, x);
            x * inner
        },
        1.0,
    );
    assert_eq!(d, 1.0);
}

#[test]
fn nesting_gives_second_derivatives() {
    // f(x) = x^3 sin x; f'' = 6x sin x + 6x^2 cos x - x^3 sin x, at x = 0.8.
    let a: f64 = 0.8;
    let (_, d2) = derivative(
        |x: Dual64| derivative(|y: Dual<Dual64>| y.powi(3) * y.sin(), x).1,
        a,
    );
    let exact = 6.0 * a * a.sin() + 6.0 * a * a * a.cos() - a.powi(3) * a.sin();
    approx::assert_relative_eq!(d2, exact, max_relative = 1e-14);
    // Arithmetic with a primitive works at any depth.
    let z = 2.0 * Dual::<Dual64>::variable(Dual64::variable(3.0)) + 1.0;
    assert_eq!(z.re().re(), 7.0);
    assert_eq!(z.eps().re(), 2.0);
    assert_eq!(z.re().eps(), 2.0);
}

/// `has_nan`, `is_all_finite` and `is_strong_zero` of a nested number built by `make` from
/// its `n` primitive components: each looks at every component, at every depth.
fn check_predicates<T: nabla_dual::Real>(n: usize, make: impl Fn(&[f64]) -> T) {
    let ordinary: Vec<f64> = (1..=n).map(|i| i as f64 * 0.5).collect();
    let x = make(&ordinary);
    assert!(!x.has_nan() && x.is_all_finite() && !x.is_strong_zero());
    assert!(make(&vec![0.0; n]).is_strong_zero());
    assert!(make(&vec![-0.0; n]).is_strong_zero());
    for k in 0..n {
        let mut c = ordinary.clone();
        c[k] = f64::NAN;
        let x = make(&c);
        assert!(x.has_nan(), "NaN in component {k} of {n}");
        assert!(!x.is_all_finite(), "NaN in component {k} of {n}");
        c[k] = f64::NEG_INFINITY;
        let x = make(&c);
        assert!(!x.has_nan(), "-inf in component {k} of {n}");
        assert!(!x.is_all_finite(), "-inf in component {k} of {n}");
        let mut z = vec![0.0; n];
        z[k] = 1e-300;
        assert!(!make(&z).is_strong_zero(), "1e-300 in component {k} of {n}");
        // Two special values must not cancel (an exclusive or would).
        for j in k + 1..n {
            let mut c = ordinary.clone();
            c[k] = f64::NAN;
            c[j] = f64::NAN;
            assert!(make(&c).has_nan(), "NaN in components {k} and {j} of {n}");
            c[k] = f64::INFINITY;
            c[j] = f64::INFINITY;
            assert!(
                !make(&c).is_all_finite(),
                "inf in components {k} and {j} of {n}"
            );
        }
    }
    assert!(make(&vec![f64::NAN; n]).has_nan());
    assert!(!make(&vec![f64::INFINITY; n]).is_all_finite());
}

#[test]
fn nested_shapes_see_nan_infinity_and_zero_at_every_depth() {
    use nabla_dual::{DualVec, HyperDual};
    let d = |c: &[f64]| Dual64::new(c[0], c[1]);
    check_predicates(4, |c| Dual::new(d(&c[0..2]), d(&c[2..4])));
    check_predicates(6, |c| {
        DualVec::<Dual64, 2>::new(d(&c[0..2]), [d(&c[2..4]), d(&c[4..6])])
    });
    check_predicates(8, |c| {
        HyperDual::<Dual64>::from_parts(d(&c[0..2]), d(&c[2..4]), d(&c[4..6]), d(&c[6..8]))
    });
    // The flat shapes too.
    check_predicates(4, |c| {
        nabla_dual::DualVec64::<3>::new(c[0], [c[1], c[2], c[3]])
    });
    check_predicates(4, |c| {
        nabla_dual::HyperDual64::from_parts(c[0], c[1], c[2], c[3])
    });
    // Two levels of nesting.
    check_predicates(8, |c| {
        Dual::<Dual<Dual64>>::new(
            Dual::new(d(&c[0..2]), d(&c[2..4])),
            Dual::new(d(&c[4..6]), d(&c[6..8])),
        )
    });
}

#[test]
fn nested_strong_zero_keeps_a_constant_constant() {
    // The constant 0 of `Dual<Dual64>` through sqrt (derivative +inf at 0): every derivative
    // component stays exactly 0, no NaN.
    let zero = Dual::<Dual64>::constant(Dual64::constant(0.0));
    let s = zero.sqrt();
    assert_eq!(
        [s.re().re(), s.re().eps(), s.eps().re(), s.eps().eps()],
        [0.0; 4]
    );
    // powf with an exponent whose derivative part is a nested zero takes the constant-exponent
    // path, which never takes ln of a negative base.
    let base = Dual::<Dual64>::variable(Dual64::constant(-2.0));
    let c = Dual::<Dual64>::constant(Dual64::constant(3.0));
    let p = base.powf(c);
    assert_eq!(p.re().re(), -8.0);
    assert_eq!(p.eps().re(), 12.0);
    // But an exponent whose derivative part is zero in value and nonzero inside,
    // y = 3 + δε, is a dual exponent: d(x^y) = y x^(y-1) dx + x^y ln x dy = 12ε + 8 ln 2 δε.
    let y = Dual::<Dual64>::new(Dual64::constant(3.0), Dual64::new(0.0, 1.0));
    let q = Dual::<Dual64>::variable(Dual64::constant(2.0)).powf(y);
    assert_eq!(q.re().re(), 8.0);
    assert_eq!(q.eps().re(), 12.0);
    approx::assert_relative_eq!(q.eps().eps(), 8.0 * 2f64.ln(), max_relative = 1e-15);
}

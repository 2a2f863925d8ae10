//! Accuracy against known derivatives, in f64 and f32, at points other than 1 (including
//! |x| = 1e-8 and 1e8), each scheme within the error the theory allows:
//!
//! - forward/backward: `h/2 |f''| + 2 eps |f| / h`
//! - central: `h^2/6 |f'''| + eps |f| / h`
//! - five-point: `h^4/30 |f^(5)| + 3/2 eps |f| / h`
//!
//! with `h` the step really used and a safety factor of 4 (the library functions round to
//! within an ulp or so, not half an ulp, and the derivatives are taken at `x` rather than
//! at their worst inside the stencil).

use approx::assert_relative_eq;
use nabla_numdiff::{Error, Options, Richardson, Scheme, Step, derivative, gradient, richardson};

/// A function, its derivative, and points to test at.
type Known = (fn(f64) -> f64, fn(f64) -> f64, &'static [f64]);

/// A test function: its value and its first five derivatives, in f64.
struct Case {
    name: &'static str,
    f64: fn(f64) -> f64,
    f32: fn(f32) -> f32,
    /// d^k f / dx^k for k = 0..=5.
    d: fn(f64, usize) -> f64,
}

const SCHEMES: [Scheme; 4] = [
    Scheme::Forward,
    Scheme::Backward,
    Scheme::Central,
    Scheme::FivePoint,
];

fn cases() -> [Case; 4] {
    [
        Case {
            name: "exp",
            f64: f64::exp,
            f32: f32::exp,
            d: |x, _| x.exp(),
        },
        Case {
            name: "sin",
            f64: f64::sin,
            f32: f32::sin,
            d: |x, k| match k % 4 {
                0 => x.sin(),
                1 => x.cos(),
                2 => -x.sin(),
                _ => -x.cos(),
            },
        },
        Case {
            name: "ln",
            f64: f64::ln,
            f32: f32::ln,
            d: |x, k| match k {
                0 => x.ln(),
                1 => 1.0 / x,
                2 => -1.0 / (x * x),
                3 => 2.0 / x.powi(3),
                4 => -6.0 / x.powi(4),
                _ => 24.0 / x.powi(5),
            },
        },
        Case {
            name: "cube",
            f64: |x| x * x * x,
            f32: |x| x * x * x,
            d: |x, k| match k {
                0 => x * x * x,
                1 => 3.0 * x * x,
                2 => 6.0 * x,
                3 => 6.0,
                _ => 0.0,
            },
        },
    ]
}

/// Points per function (ln only where it is defined on the whole stencil).
fn points(name: &str) -> &'static [f64] {
    match name {
        "exp" => &[-3.7, -1e-8, 1e-8, 0.4, 2.5, 20.0],
        // The automatic step grows with |x|; sin varies on a scale of 1, not |x|, so huge
        // arguments are not a fair test of it.
        "sin" => &[-2.1, -1e-8, 1e-8, 0.3, 4.0],
        "ln" => &[0.2, 3.5, 1e8],
        _ => &[-1e8, -2.5, -1e-8, 1e-8, 7.0, 1e8],
    }
}

/// The step each scheme uses at x (mirrors the documented rule).
fn step(scheme: Scheme, x: f64, eps: f64, rep: impl Fn(f64, f64) -> f64) -> f64 {
    let h = eps.powf(scheme.step_exponent()) * x.abs().max(1.0);
    rep(x, h)
}

fn bound(case: &Case, scheme: Scheme, x: f64, h: f64, eps: f64) -> f64 {
    // Both errors depend on the function over the whole stencil, not only at x (x^3 near 0
    // is tiny at x and not at x + h): take each magnitude's largest value on the stencil.
    let sup = |k| {
        (-2..=2)
            .map(|j| (case.d)(x + j as f64 * h, k).abs())
            .fold(0.0, f64::max)
    };
    let f = sup(0);
    let d = sup;
    let e = match scheme {
        Scheme::Forward | Scheme::Backward => h / 2.0 * d(2) + 2.0 * eps * f / h,
        Scheme::Central => h * h / 6.0 * d(3) + eps * f / h,
        Scheme::FivePoint => h.powi(4) / 30.0 * d(5) + 1.5 * eps * f / h,
        other => panic!("no error model for {other:?}"),
    };
    4.0 * e
}

#[test]
fn every_scheme_within_the_theory_f64() {
    for case in cases() {
        for &x in points(case.name) {
            for scheme in SCHEMES {
                let got = derivative(case.f64, x, Options::auto(scheme)).unwrap();
                let h = step(scheme, x, f64::EPSILON, |x, h| {
                    if scheme == Scheme::Backward {
                        x - (x - h)
                    } else {
                        (x + h) - x
                    }
                });
                let want = (case.d)(x, 1);
                let err = (got - want).abs();
                let allowed = bound(&case, scheme, x, h, f64::EPSILON);
                assert!(
                    err <= allowed,
                    "{} at {x}, {scheme:?}: got {got}, want {want}, error {err:e} > {allowed:e}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn every_scheme_within_the_theory_f32() {
    for case in cases() {
        for &x in points(case.name) {
            let x32 = x as f32;
            // Compare at the f32 point itself.
            let xr = x32 as f64;
            for scheme in SCHEMES {
                let got = derivative(case.f32, x32, Options::auto(scheme)).unwrap() as f64;
                let h = step(scheme, xr, f32::EPSILON as f64, |x, h| {
                    let (x, h) = (x as f32, h as f32);
                    (if scheme == Scheme::Backward {
                        x - (x - h)
                    } else {
                        (x + h) - x
                    }) as f64
                });
                let want = (case.d)(xr, 1);
                let err = (got - want).abs();
                let allowed = bound(&case, scheme, xr, h, f32::EPSILON as f64);
                assert!(
                    err <= allowed,
                    "f32 {} at {x}, {scheme:?}: got {got}, want {want}, error {err:e} > {allowed:e}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn central_default_step_within_1e_minus_9_relative_in_f64() {
    let checks: [Known; 4] = [
        (f64::exp, f64::exp, &[-3.7, 1e-8, 2.5, 7.0]),
        (f64::sin, f64::cos, &[-2.1, 1e-8, 0.3, 4.0]),
        (f64::ln, |x| 1.0 / x, &[0.2, 3.5, 1e8]),
        (|x| x * x * x, |x| 3.0 * x * x, &[-1e8, -2.5, 7.0, 1e8]),
    ];
    for (f, df, xs) in checks {
        for &x in xs {
            let got = derivative(f, x, Options::default()).unwrap();
            assert_relative_eq!(got, df(x), max_relative = 1e-9);
        }
    }
    // The book's fixed step is a thousand times worse at 1 already (REFERENCE: 1.7e-9 for
    // exp at 1), and useless in f32 (3.2e-4).
    let book = derivative(f64::exp, 1.0, Options::book()).unwrap();
    let auto = derivative(f64::exp, 1.0, Options::default()).unwrap();
    let e = 1f64.exp();
    assert!(((book - e) / e).abs() > 1e-9);
    assert!(((auto - e) / e).abs() < 1e-11);
    let book32 = derivative(f32::exp, 1.0f32, Options::book()).unwrap();
    assert!(((book32 as f64 - e) / e).abs() > 1e-5);
}

#[test]
fn richardson_within_1e_minus_12_relative_on_smooth_functions() {
    let checks: [Known; 4] = [
        (f64::exp, f64::exp, &[-3.7, 1e-8, 2.5, 20.0]),
        (f64::sin, f64::cos, &[-2.1, 0.3, 1.4]),
        (f64::ln, |x| 1.0 / x, &[3.5, 1e8]),
        (|x| x * x * x, |x| 3.0 * x * x, &[-1e8, -2.5, 7.0, 1e8]),
    ];
    for (f, df, xs) in checks {
        for &x in xs {
            let r = richardson(f, x, Richardson::default()).unwrap();
            assert_relative_eq!(r.value, df(x), max_relative = 1e-12);
            // The error estimate bounds the real error.
            assert!(
                (r.value - df(x)).abs() <= r.error,
                "{x}: {} vs {}, estimate {:e}",
                r.value,
                df(x),
                r.error
            );
        }
    }
}

#[test]
fn ln_at_1e_minus_8() {
    // The central stencil with the default step (6e-6) reaches negative x: an error, not a
    // number.
    assert!(matches!(
        derivative(f64::ln, 1e-8, Options::default()),
        Err(Error::NonFinite { .. })
    ));
    // Richardson from a step inside the domain is accurate.
    let r = richardson(
        f64::ln,
        1e-8,
        Richardson::new(Step::Fixed(5e-9), 10).unwrap(),
    )
    .unwrap();
    assert_relative_eq!(r.value, 1e8, max_relative = 1e-9);
    // So is the forward scheme with a small fixed step, as the theory says:
    // h/2 |f''| = 1e-12 / 2 * 1e16 = 5e3, i.e. 5e-5 relative.
    let d = derivative(f64::ln, 1e-8, Options::fixed(Scheme::Forward, 1e-12)).unwrap();
    assert_relative_eq!(d, 1e8, max_relative = 1e-4);
}

/// Rosenbrock in n variables, at a point away from 1 (and from its minimum at 1).
fn rosenbrock<T: num_traits::Float>(x: &[T]) -> T {
    let c = T::from(100.0).unwrap();
    x.windows(2)
        .map(|w| c * (w[1] - w[0] * w[0]).powi(2) + (T::one() - w[0]).powi(2))
        .fold(T::zero(), |a, b| a + b)
}

fn rosenbrock_grad(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        let r = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * r;
    }
    g
}

#[test]
fn many_variable_gradient_f64_and_f32() {
    let x0: Vec<f64> = (0..30)
        .map(|i| 1.7 * ((i as f64) * 0.61).sin() - 0.2)
        .collect();
    let want = rosenbrock_grad(&x0);
    let norm = want.iter().map(|v| v * v).sum::<f64>().sqrt();
    for (scheme, tol) in [
        (Scheme::Forward, 1e-6),
        (Scheme::Backward, 1e-6),
        (Scheme::Central, 1e-9),
        (Scheme::FivePoint, 1e-11),
    ] {
        let mut x = x0.clone();
        let g = gradient(&mut x, |x| rosenbrock(x), Options::auto(scheme)).unwrap();
        let err = g
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err <= tol * norm, "{scheme:?}: {err:e} vs {:e}", tol * norm);
        assert_eq!(x, x0);
    }
    let mut x32: Vec<f32> = x0.iter().map(|&v| v as f32).collect();
    let want32 = rosenbrock_grad(&x32.iter().map(|&v| v as f64).collect::<Vec<_>>());
    let g = gradient(&mut x32, |x| rosenbrock(x), Options::default()).unwrap();
    let err = g
        .iter()
        .zip(&want32)
        .map(|(&a, b)| (a as f64 - b).powi(2))
        .sum::<f64>()
        .sqrt();
    // eps^(2/3) relative to |f| / |grad| ~ a few e-5; allow 1e-3 of the norm.
    assert!(err <= 1e-3 * norm, "f32: {err:e}");
}

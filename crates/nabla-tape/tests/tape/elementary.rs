//! Every elementary function and operator against nabla-dual's forward mode: the same
//! formulas, so the same numbers exactly (NaN on both sides, and a zero may differ in sign
//! only: a derivative that is exactly zero is not recorded, so it comes back as +0).

use nabla_dual::Dual64;
use nabla_tape::{Var, derivative, gradient};

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

macro_rules! unary_against_dual {
    ($($name:ident),* $(,)?) => {$(
        for &x in POINTS {
            let (v, d) = derivative(|x: Var<f64>| x.$name(), x);
            let y = Dual64::variable(x).$name();
            assert!(
                same(v, y.re()) && same(d, y.eps()),
                "{}({x}): tape ({v}, {d}), dual ({}, {})",
                stringify!($name),
                y.re(),
                y.eps()
            );
        }
    )*};
}

const POINTS: &[f64] = &[
    -3.7,
    -1.0,
    -0.5,
    -1e-300,
    0.0,
    1e-300,
    0.3,
    0.5,
    0.999,
    1.0,
    2.0,
    7.25,
    800.0,
    f64::INFINITY,
];

#[test]
fn unary_functions_match_forward_mode_exactly() {
    unary_against_dual!(
        recip, sqrt, cbrt, exp, exp2, exp_m1, ln, log2, log10, ln_1p, sin, cos, tan, asin, acos,
        atan, sinh, cosh, tanh, asinh, acosh, atanh, abs, signum, floor, ceil, round, trunc, fract,
        to_degrees, to_radians,
    );
}

#[test]
fn powers_match_forward_mode() {
    for &x in POINTS {
        for n in [-3, -1, 0, 1, 2, 5] {
            let (v, d) = derivative(|x: Var<f64>| x.powi(n), x);
            let y = Dual64::variable(x).powi(n);
            assert!(same(v, y.re()) && same(d, y.eps()), "powi({x}, {n})");
        }
        for c in [-1.5, 0.0, 0.5, 1.0, 2.0, 3.5] {
            let (v, d) = derivative(|x: Var<f64>| x.powf(Var::constant(c)), x);
            let y = Dual64::variable(x).powf(Dual64::constant(c));
            assert!(same(v, y.re()) && same(d, y.eps()), "powf({x}, {c})");
        }
    }
}

type F2Tape = fn(Var<f64>, Var<f64>) -> Var<f64>;
type F2Dual = fn(Dual64, Dual64) -> Dual64;

#[test]
fn binary_functions_match_forward_mode() {
    let cases: [(&str, F2Tape, F2Dual); 11] = [
        ("add", |a, b| a + b, |a, b| a + b),
        ("sub", |a, b| a - b, |a, b| a - b),
        ("mul", |a, b| a * b, |a, b| a * b),
        ("div", |a, b| a / b, |a, b| a / b),
        ("rem", |a, b| a % b, |a, b| a % b),
        ("powf", |a, b| a.powf(b), |a, b| a.powf(b)),
        ("atan2", |a, b| a.atan2(b), |a, b| a.atan2(b)),
        ("hypot", |a, b| a.hypot(b), |a, b| a.hypot(b)),
        ("log", |a, b| a.log(b), |a, b| a.log(b)),
        ("max", |a, b| a.max(b), |a, b| a.max(b)),
        ("copysign", |a, b| a.copysign(b), |a, b| a.copysign(b)),
    ];
    let pts = [
        (2.0, 3.0),
        (0.5, -1.25),
        (-2.0, 3.0),
        (7.0, 2.5),
        (3.0, 3.0),
        (1e-3, 4.0),
    ];
    for (name, ft, fd) in cases {
        for (a, b) in pts {
            let (v, g) = gradient(|x| ft(x[0], x[1]), &[a, b]);
            let (dv, dg) = nabla_dual::gradient(|x| fd(x[0], x[1]), &[a, b]);
            assert!(same(v, dv), "{name}({a}, {b}) value {v} vs {dv}");
            for k in 0..2 {
                let close = same(g[k], dg[k]) || (g[k] - dg[k]).abs() <= 1e-15 * dg[k].abs();
                assert!(
                    close,
                    "{name}({a}, {b}) partial {k}: tape {} dual {}",
                    g[k], dg[k]
                );
            }
        }
    }
}

#[test]
fn mixed_arithmetic_with_floats_on_either_side() {
    // f = (2 - x) / 3 + 4 / x - x % 1.5 + (1.5 % x) * x, all at x = 2.5
    let f = |x: Var<f64>| (2.0 - x) / 3.0 + 4.0 / x - x % 1.5 + (1.5 % x) * x + x * 0.5 - 1.0;
    let (v, d) = derivative(f, 2.5);
    let g = |x: Dual64| (2.0 - x) / 3.0 + 4.0 / x - x % 1.5 + (1.5 % x) * x + x * 0.5 - 1.0;
    let y = g(Dual64::variable(2.5));
    assert_eq!(v, y.re());
    assert!((d - y.eps()).abs() < 1e-15, "{d} vs {}", y.eps());
    // By hand: -1/3 - 4/x² - 1 + 1.5 + 0.5 at x = 2.5 (1.5 % x = 1.5 is constant in x here)
    assert!((d - (-1.0 / 3.0 - 4.0 / 6.25 - 1.0 + 1.5 + 0.5)).abs() < 1e-15);
}

#[test]
fn assignment_operators_sum_and_product() {
    let (v, g) = gradient(
        |x| {
            let mut a = x[0];
            a += x[1];
            a *= x[1];
            a -= 1.0;
            a /= 2.0;
            a += x.iter().copied().sum::<Var<f64>>();
            a + x.iter().product::<Var<f64>>()
        },
        &[2.0, 3.0],
    );
    // ((x0 + x1) x1 - 1) / 2 + x0 + x1 + x0 x1
    assert_eq!(v, 7.0 + 5.0 + 6.0);
    assert_eq!(
        g,
        vec![3.0 / 2.0 + 1.0 + 3.0, (2.0 + 2.0 * 3.0) / 2.0 + 1.0 + 2.0]
    );
}

#[test]
fn mul_add_records_one_entry_when_a_factor_is_constant() {
    use nabla_tape::Recording;
    let rec = Recording::<f64>::new();
    let (w, acc) = (rec.var(0.75), rec.var(-2.0));
    let before = rec.len();
    let y = w.mul_add(Var::constant(3.0), acc);
    assert_eq!(rec.len(), before + 1);
    assert_eq!(y.value(), 0.75f64.mul_add(3.0, -2.0));
    assert_eq!(rec.gradient(y, &[w, acc]), vec![3.0, 1.0]);
    let z = Var::constant(3.0).mul_add(w, acc);
    assert_eq!(rec.len(), before + 2);
    assert_eq!(rec.gradient(z, &[w, acc]), vec![3.0, 1.0]);
    let both = w.mul_add(acc, acc); // w acc + acc: two entries
    assert_eq!(rec.len(), before + 4);
    assert_eq!(rec.gradient(both, &[w, acc]), vec![-2.0, 0.75 + 1.0]);
    let plain = w.mul_add(acc, Var::constant(1.0)); // the product's entry, shifted
    assert_eq!(rec.len(), before + 5);
    assert_eq!(rec.gradient(plain, &[w, acc]), vec![-2.0, 0.75]);
}

//! Every elementary function: value, first and second derivative against the closed form at
//! several points across its domain, through `Dual64`, `DualVec64<2>` and `HyperDual64`, and
//! the first derivative in f32.

use approx::assert_relative_eq;
use nabla_dual::{Dual, Dual64, DualVec64, HyperDual64};
use num_traits::Float;

/// Closed forms in f64 are evaluated to a few ulps; derivatives by the chain rule likewise.
const TOL: f64 = 1e-12;

/// Checks `$body` (an expression in `$x`) against value `$v`, first `$d1` and second `$d2`
/// derivative (expressions in `a: f64`) at each point.
macro_rules! check {
    ($a:ident, $x:ident => $body:expr, $v:expr, $d1:expr, $d2:expr, $points:expr) => {{
        for &$a in $points.iter() {
            let $a: f64 = $a;
            let (v, d1, d2): (f64, f64, f64) = ($v, $d1, $d2);
            let dual: Dual64 = {
                let $x = Dual64::variable($a);
                $body
            };
            assert_relative_eq!(dual.re(), v, epsilon = TOL, max_relative = TOL);
            assert_relative_eq!(dual.eps(), d1, epsilon = TOL, max_relative = TOL);
            // Partial 1 is the direction of x; partial 0 is a direction x does not move in.
            let vec: DualVec64<2> = {
                let $x = DualVec64::<2>::variable($a, 1);
                $body
            };
            assert_eq!(vec.partial(0), 0.0, "untouched partial at {}", $a);
            assert_relative_eq!(vec.partial(1), d1, epsilon = TOL, max_relative = TOL);
            let hyper: HyperDual64 = {
                let $x = HyperDual64::variable($a);
                $body
            };
            assert_relative_eq!(hyper.re(), v, epsilon = TOL, max_relative = TOL);
            assert_relative_eq!(hyper.eps1(), d1, epsilon = TOL, max_relative = TOL);
            assert_relative_eq!(hyper.eps2(), d1, epsilon = TOL, max_relative = TOL);
            assert_relative_eq!(hyper.eps1eps2(), d2, epsilon = 1e-10, max_relative = 1e-10);
        }
    }};
}

#[test]
fn powers_and_roots() {
    check!(a, x => x.recip(), 1.0 / a, -1.0 / (a * a), 2.0 / (a * a * a), [-3.0, -0.5, 0.25, 2.0, 7.0]);
    check!(a, x => x.powi(3), a.powi(3), 3.0 * a * a, 6.0 * a, [-2.0, -0.3, 0.0, 0.7, 4.0]);
    check!(a, x => x.powi(-2), a.powi(-2), -2.0 * a.powi(-3), 6.0 * a.powi(-4), [-2.0, 0.5, 3.0]);
    check!(a, x => x.powf_const(2.5), a.powf(2.5), 2.5 * a.powf(1.5), 3.75 * a.sqrt(), [0.2, 1.5, 4.0]);
    check!(a, x => x.powf(From::from(-0.5)), a.powf(-0.5), -0.5 * a.powf(-1.5), 0.75 * a.powf(-2.5), [0.3, 2.0, 9.0]);
    check!(a, x => x.sqrt(), a.sqrt(), 0.5 / a.sqrt(), -0.25 / (a * a.sqrt()), [0.01, 0.5, 2.0, 100.0]);
    check!(a, x => x.cbrt(), a.cbrt(), 1.0 / (3.0 * a.cbrt().powi(2)), -2.0 / (9.0 * a.cbrt().powi(5)), [-8.0, -0.5, 0.3, 27.0]);
}

#[test]
fn exponentials_and_logarithms() {
    let ln2 = std::f64::consts::LN_2;
    let ln10 = std::f64::consts::LN_10;
    check!(a, x => x.exp(), a.exp(), a.exp(), a.exp(), [-4.0, -0.3, 0.0, 1.7, 6.0]);
    check!(a, x => x.exp2(), a.exp2(), a.exp2() * ln2, a.exp2() * ln2 * ln2, [-3.0, 0.4, 5.0]);
    check!(a, x => x.exp_m1(), a.exp_m1(), a.exp(), a.exp(), [-2.0, 1e-9, 0.8]);
    check!(a, x => x.ln(), a.ln(), 1.0 / a, -1.0 / (a * a), [0.05, 0.9, 3.0, 1e6]);
    check!(a, x => x.log2(), a.log2(), 1.0 / (a * ln2), -1.0 / (a * a * ln2), [0.1, 2.5, 64.0]);
    check!(a, x => x.log10(), a.log10(), 1.0 / (a * ln10), -1.0 / (a * a * ln10), [0.1, 2.5, 1000.0]);
    check!(a, x => x.ln_1p(), a.ln_1p(), 1.0 / (1.0 + a), -1.0 / ((1.0 + a) * (1.0 + a)), [-0.5, 1e-10, 3.0]);
    let ln3 = 3.0f64.ln();
    check!(a, x => x.log(From::from(3.0)), a.log(3.0), 1.0 / (a * ln3), -1.0 / (a * a * ln3), [0.2, 5.0]);
}

#[test]
fn trigonometric() {
    check!(a, x => x.sin(), a.sin(), a.cos(), -a.sin(), [-2.5, -0.3, 0.0, 1.2, 4.0]);
    check!(a, x => x.cos(), a.cos(), -a.sin(), -a.cos(), [-2.5, -0.3, 0.0, 1.2, 4.0]);
    check!(a, x => x.sin_cos().0, a.sin(), a.cos(), -a.sin(), [-1.0, 0.6]);
    check!(a, x => x.sin_cos().1, a.cos(), -a.sin(), -a.cos(), [-1.0, 0.6]);
    check!(a, x => x.tan(), a.tan(), 1.0 / a.cos().powi(2), 2.0 * a.tan() / a.cos().powi(2), [-1.2, 0.1, 0.9]);
    check!(a, x => x.asin(), a.asin(), 1.0 / (1.0 - a * a).sqrt(), a / (1.0 - a * a).powf(1.5), [-0.9, -0.3, 0.2, 0.7]);
    check!(a, x => x.acos(), a.acos(), -1.0 / (1.0 - a * a).sqrt(), -a / (1.0 - a * a).powf(1.5), [-0.9, -0.3, 0.2, 0.7]);
    check!(a, x => x.atan(), a.atan(), 1.0 / (1.0 + a * a), -2.0 * a / (1.0 + a * a).powi(2), [-5.0, -0.4, 0.6, 3.0]);
    check!(a, x => x.to_degrees(), a.to_degrees(), 180.0 / std::f64::consts::PI, 0.0, [-1.0, 2.0]);
    check!(a, x => x.to_radians(), a.to_radians(), std::f64::consts::PI / 180.0, 0.0, [-90.0, 30.0]);
}

#[test]
fn hyperbolic() {
    check!(a, x => x.sinh(), a.sinh(), a.cosh(), a.sinh(), [-3.0, -0.2, 0.5, 2.0]);
    check!(a, x => x.cosh(), a.cosh(), a.sinh(), a.cosh(), [-3.0, -0.2, 0.5, 2.0]);
    check!(a, x => x.tanh(), a.tanh(), 1.0 / a.cosh().powi(2), -2.0 * a.tanh() / a.cosh().powi(2), [-3.0, -0.2, 0.5, 2.0]);
    check!(a, x => x.asinh(), a.asinh(), 1.0 / (a * a + 1.0).sqrt(), -a / (a * a + 1.0).powf(1.5), [-4.0, 0.3, 10.0]);
    check!(a, x => x.acosh(), a.acosh(), 1.0 / (a * a - 1.0).sqrt(), -a / (a * a - 1.0).powf(1.5), [1.1, 2.0, 10.0]);
    check!(a, x => x.atanh(), a.atanh(), 1.0 / (1.0 - a * a), 2.0 * a / (1.0 - a * a).powi(2), [-0.8, 0.1, 0.6]);
}

#[test]
fn piecewise() {
    let points = [-2.7, -0.5, 0.4, 3.5];
    check!(a, x => x.abs(), a.abs(), a.signum(), 0.0, points);
    check!(a, x => x.signum(), a.signum(), 0.0, 0.0, points);
    check!(a, x => x.floor(), a.floor(), 0.0, 0.0, points);
    check!(a, x => x.ceil(), a.ceil(), 0.0, 0.0, points);
    check!(a, x => x.round(), a.round(), 0.0, 0.0, points);
    check!(a, x => x.trunc(), a.trunc(), 0.0, 0.0, points);
    check!(a, x => x.fract(), a.fract(), 1.0, 0.0, points);
    check!(a, x => x.copysign(From::from(-1.0)), a.copysign(-1.0), -a.signum(), 0.0, points);
    check!(a, x => x.clamp(From::from(-1.0), From::from(1.0)), a.clamp(-1.0, 1.0), if a.abs() < 1.0 { 1.0 } else { 0.0 }, 0.0, points);
}

/// Functions of two arguments: the gradient by `DualVec64<2>`, the first derivatives along
/// each seed and the three second derivatives by `HyperDual64`, against closed forms `(f, fx,
/// fy, fxx, fxy, fyy)`.
fn check2(
    f: impl Fn(HyperDual64, HyperDual64) -> HyperDual64,
    g: impl Fn(DualVec64<2>, DualVec64<2>) -> DualVec64<2>,
    closed: impl Fn(f64, f64) -> [f64; 6],
    points: &[(f64, f64)],
) {
    for &(a, b) in points {
        let c = closed(a, b);
        let v = g(DualVec64::variable(a, 0), DualVec64::variable(b, 1));
        assert_relative_eq!(v.re(), c[0], epsilon = TOL, max_relative = TOL);
        assert_relative_eq!(v.partial(0), c[1], epsilon = TOL, max_relative = TOL);
        assert_relative_eq!(v.partial(1), c[2], epsilon = TOL, max_relative = TOL);
        // The ε₁ and ε₂ parts are the first derivatives along the seeds, the ε₁ε₂ part the
        // second derivative along both.
        let h = |s1: [f64; 2], s2: [f64; 2]| {
            let y = f(
                HyperDual64::from_parts(a, s1[0], s2[0], 0.0),
                HyperDual64::from_parts(b, s1[1], s2[1], 0.0),
            );
            for (part, s) in [(y.eps1(), s1), (y.eps2(), s2)] {
                let along = c[1] * s[0] + c[2] * s[1];
                assert_relative_eq!(part, along, epsilon = TOL, max_relative = TOL);
            }
            y.eps1eps2()
        };
        let tol = 1e-10;
        for (s1, s2, want) in [
            ([1.0, 0.0], [1.0, 0.0], c[3]),
            ([1.0, 0.0], [0.0, 1.0], c[4]),
            ([0.0, 1.0], [1.0, 0.0], c[4]),
            ([0.0, 1.0], [0.0, 1.0], c[5]),
        ] {
            assert_relative_eq!(h(s1, s2), want, epsilon = tol, max_relative = tol);
        }
    }
}

macro_rules! check2 {
    ($f:expr, $closed:expr, $points:expr) => {
        check2($f, $f, $closed, $points)
    };
}

#[test]
fn two_arguments() {
    let pts = [(0.7, -1.3), (-2.0, 0.4), (3.0, 2.5)];
    check2!(|x, y| x * y, |a, b| [a * b, b, a, 0.0, 1.0, 0.0], &pts);
    check2!(
        |x, y| x / y,
        |a, b| [
            a / b,
            1.0 / b,
            -a / (b * b),
            0.0,
            -1.0 / (b * b),
            2.0 * a / (b * b * b)
        ],
        &pts
    );
    check2!(
        |x, y| x.atan2(y),
        |a, b| {
            let r2 = a * a + b * b;
            [
                a.atan2(b),
                b / r2,
                -a / r2,
                -2.0 * a * b / (r2 * r2),
                (a * a - b * b) / (r2 * r2),
                2.0 * a * b / (r2 * r2),
            ]
        },
        &pts
    );
    check2!(
        |x, y| x.hypot(y),
        |a, b| {
            let h = a.hypot(b);
            [
                h,
                a / h,
                b / h,
                b * b / h.powi(3),
                -a * b / h.powi(3),
                a * a / h.powi(3),
            ]
        },
        &pts
    );
    let positive = [(0.7, -1.3), (2.0, 0.4), (3.0, 2.5)];
    check2!(
        |x, y| x.powf(y),
        |a, b| {
            let v = a.powf(b);
            let l = a.ln();
            [
                v,
                b * a.powf(b - 1.0),
                v * l,
                b * (b - 1.0) * a.powf(b - 2.0),
                a.powf(b - 1.0) * (1.0 + b * l),
                v * l * l,
            ]
        },
        &positive
    );
    check2!(
        |x, y| x.log(y),
        |a, b| {
            let (la, lb) = (a.ln(), b.ln());
            [
                la / lb,
                1.0 / (a * lb),
                -la / (b * lb * lb),
                -1.0 / (a * a * lb),
                -1.0 / (a * b * lb * lb),
                la * (lb + 2.0) / (b * b * lb.powi(3)),
            ]
        },
        &[(0.7, 3.0), (2.0, 0.4), (5.0, 2.5)]
    );
    check2!(
        |x, y| x.mul_add(y, x),
        |a, b| [a.mul_add(b, a), b + 1.0, a, 0.0, 1.0, 0.0],
        &pts
    );
    check2!(
        |x, y| x.max(y),
        |a, b| if a >= b {
            [a, 1.0, 0.0, 0.0, 0.0, 0.0]
        } else {
            [b, 0.0, 1.0, 0.0, 0.0, 0.0]
        },
        &pts
    );
    check2!(
        |x, y| x.min(y),
        |a, b| if a <= b {
            [a, 1.0, 0.0, 0.0, 0.0, 0.0]
        } else {
            [b, 0.0, 1.0, 0.0, 0.0, 0.0]
        },
        &pts
    );
    check2!(
        |x, y| x % y,
        |a, b| [a % b, 1.0, -(a / b).trunc(), 0.0, 0.0, 0.0],
        &[(7.5, 2.0), (-7.5, 2.0), (5.0, -1.5)]
    );
}

#[test]
fn single_precision() {
    let tol = 2e-6;
    for a in [0.3f32, 1.7, 4.0] {
        let x = Dual::<f32>::variable(a);
        assert_relative_eq!(x.exp().eps(), a.exp(), max_relative = tol);
        assert_relative_eq!(x.ln().eps(), 1.0 / a, max_relative = tol);
        assert_relative_eq!(x.sqrt().eps(), 0.5 / a.sqrt(), max_relative = tol);
        assert_relative_eq!(x.sin().eps(), a.cos(), max_relative = tol);
        assert_relative_eq!(
            x.tanh().eps(),
            1.0 - a.tanh().powi(2),
            max_relative = tol,
            epsilon = tol
        );
        assert_relative_eq!(
            (2.0f32 * x / (x + 1.0f32)).eps(),
            2.0 / ((a + 1.0) * (a + 1.0)),
            max_relative = tol
        );
        assert_relative_eq!(
            Float::powf(x, Dual::<f32>::from(1.5)).eps(),
            1.5 * a.sqrt(),
            max_relative = tol
        );
    }
    let (v, d1, d2) = nabla_dual::second_derivative(|x| x.powi(4), 1.5f32);
    assert_relative_eq!(v, 5.0625, max_relative = tol);
    assert_relative_eq!(d1, 13.5, max_relative = tol);
    assert_relative_eq!(d2, 27.0, max_relative = tol);
}

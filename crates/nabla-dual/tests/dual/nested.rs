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

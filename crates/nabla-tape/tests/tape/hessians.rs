//! Second order, forward over reverse: against nabla-dual's hyper-dual Hessian and against
//! central differences of reverse-mode gradients.

use approx::assert_relative_eq;
use nabla_dual::{Dual64, HyperDual64};
use nabla_tape::{Var, gradient, hessian, hessian_vector_product};
use nalgebra::RealField;

fn f<T: RealField + Copy>(x: &[T]) -> T {
    let mut acc = T::zero();
    for w in x.windows(2) {
        acc += (w[0] * w[1]).sin() + w[0].exp() * w[1] * w[1] + (w[1] / (T::one() + w[0] * w[0]));
    }
    acc
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i as f64 + 1.0) * 0.754_877_666).fract() * 2.0 - 1.0)
        .collect()
}

#[test]
fn hessian_matches_hyper_dual_numbers() {
    for n in [1, 2, 5, 8] {
        let x = point(n);
        let (v, g, h) = hessian(f::<Var<Dual64>>, &x);
        let (dv, dg, dh) = nabla_dual::hessian(f::<HyperDual64>, &x);
        assert_relative_eq!(v, dv, max_relative = 1e-15);
        for (a, b) in g.iter().zip(&dg) {
            assert_relative_eq!(*a, *b, max_relative = 1e-12, epsilon = 1e-15);
        }
        for (a, b) in h.iter().zip(dh.iter()) {
            assert_relative_eq!(*a, *b, max_relative = 1e-12, epsilon = 1e-14);
        }
    }
}

#[test]
fn hessian_vector_product_against_differences_of_gradients() {
    let x = point(20);
    let v: Vec<f64> = (0..20).map(|i| ((i * 7 % 5) as f64) - 2.0).collect();
    let (value, grad, hv) = hessian_vector_product(f::<Var<Dual64>>, &x, &v);
    let (v0, g0) = gradient(f::<Var<f64>>, &x);
    assert_eq!(value, v0);
    assert_eq!(grad, g0);
    let h = 1e-5;
    let shifted = |s: f64| {
        let p: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + s * b).collect();
        gradient(f::<Var<f64>>, &p).1
    };
    let (plus, minus) = (shifted(h), shifted(-h));
    for i in 0..20 {
        let fd = (plus[i] - minus[i]) / (2.0 * h);
        // Central difference of gradients: truncation h²/6 |f'''| ~ 1e-10, rounding
        // eps |g| / h ~ 1e-10.
        assert!(
            (hv[i] - fd).abs() < 1e-8 * (1.0 + fd.abs()),
            "{i}: {} vs {fd}",
            hv[i]
        );
    }
}

#[test]
#[should_panic(expected = "hessian_vector_product: x has 2 entries but v has 1")]
fn hessian_vector_product_with_a_wrong_length_v_panics() {
    hessian_vector_product(f::<Var<Dual64>>, &[1.0, 2.0], &[1.0]);
}

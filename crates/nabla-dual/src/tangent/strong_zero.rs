//! The guarded fast path of the chain rule gives exactly the strong-zero arithmetic.
//!
//! [`Tangent::chain`], [`Tangent::chain2`], [`Tangent::product`] and [`Tangent::scale_part`]
//! compute with plain products and fall back to [`Real::strong_mul`] only when a factor (a
//! derivative component included) is not finite (`DualVec`), or use a select per product
//! (`Dual`, `HyperDual`). Here every shape, nested duals included, is compared with the formula
//! evaluated with `strong_mul` throughout, over all combinations of zeros, finite numbers,
//! infinities and NaN in every component (inputs that are NaN themselves included). Results
//! must agree component by component, NaN with NaN; a zero may differ in sign only.

use nabla_rules::Real;

use super::{HyperPart, Tangent};
use crate::Dual64;

const SPECIAL: [f64; 7] = [
    0.0,
    -0.0,
    1.5,
    -2.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];
const FEW: [f64; 4] = [0.0, -2.0, f64::INFINITY, f64::NAN];

/// The components of a number or derivative part, flattened.
trait Flat {
    fn flat(&self) -> Vec<f64>;
}

impl Flat for f64 {
    fn flat(&self) -> Vec<f64> {
        vec![*self]
    }
}

impl<const N: usize> Flat for [f64; N] {
    fn flat(&self) -> Vec<f64> {
        self.to_vec()
    }
}

impl<const N: usize> Flat for [Dual64; N] {
    fn flat(&self) -> Vec<f64> {
        self.iter().flat_map(Flat::flat).collect()
    }
}

impl Flat for HyperPart<f64> {
    fn flat(&self) -> Vec<f64> {
        vec![self.eps1, self.eps2, self.eps1eps2]
    }
}

impl Flat for Dual64 {
    fn flat(&self) -> Vec<f64> {
        vec![self.re(), self.eps()]
    }
}

fn assert_same<E: Flat + std::fmt::Debug>(fast: E, strong: E, what: &str) {
    let same = fast
        .flat()
        .iter()
        .zip(strong.flat())
        .all(|(&x, y)| (x.is_nan() && y.is_nan()) || x == y);
    assert!(same, "{what}: checked {fast:?} != strong {strong:?}");
}

/// Every `product`, `chain`, `scale_part` and `chain2` over the candidates against the
/// strong-product formula.
fn check_shape<T: Real + Flat, E: Tangent<T> + Flat>(ts: &[T], es: &[E], second: &[T]) {
    for &p in es {
        for &factor in ts {
            let strong = p.scale_with(factor, T::strong_mul);
            assert_same(p.scale_part(factor), strong, "scale_part");
            for &d2 in ts {
                let strong = p.chain_with(factor, d2, T::strong_mul);
                assert_same(p.chain(factor, d2), strong, "chain");
            }
        }
        for &q in es {
            for &a in ts {
                for &b in ts {
                    let strong = E::product_with(p, q, a, b, T::strong_mul);
                    assert_same(E::product(p, q, a, b), strong, "product");
                    for &fxx in second {
                        for &fxy in second {
                            for &fyy in second {
                                let strong =
                                    E::chain2_with(p, q, [a, b], [fxx, fxy, fyy], T::strong_mul);
                                let fast = E::chain2(p, q, [a, b], [fxx, fxy, fyy]);
                                assert_same(fast, strong, "chain2");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn single_derivative_fast_path_is_the_strong_zero_product() {
    check_shape::<f64, f64>(&SPECIAL, &SPECIAL, &SPECIAL);
}

#[test]
fn dual_vec_fast_path_is_the_strong_zero_product() {
    let es: Vec<[f64; 2]> = SPECIAL
        .iter()
        .flat_map(|&x| SPECIAL.iter().map(move |&y| [x, y]))
        .collect();
    check_shape::<f64, [f64; 2]>(&SPECIAL, &es, &FEW);
}

#[test]
fn hyper_dual_fast_path_is_the_strong_zero_product() {
    let mut es = Vec::new();
    for &a in &FEW {
        for &b in &FEW {
            for &c in &FEW {
                es.push(HyperPart::new(a, b, c));
            }
        }
    }
    check_shape::<f64, HyperPart<f64>>(&FEW, &es, &FEW);
}

#[test]
fn nested_fast_path_is_the_strong_zero_product() {
    let ds: Vec<Dual64> = FEW
        .iter()
        .flat_map(|&x| FEW.iter().map(move |&y| Dual64::new(x, y)))
        .collect();
    let second = [
        Dual64::new(0.0, 0.0),
        Dual64::new(-2.0, f64::INFINITY),
        Dual64::new(f64::NAN, 0.0),
    ];
    check_shape::<Dual64, Dual64>(&ds, &ds, &second);
}

#[test]
fn nested_dual_vec_guard_sees_non_finite_values_inside_a_factor() {
    // `DualVec<Dual64, 2>` takes the plain-product path only when every factor is finite at
    // every depth (`Real::is_all_finite` of `Dual64`): a factor that is infinite or NaN only
    // in its value, or only in its derivative, must switch to the strong products.
    let ts = [
        Dual64::new(0.0, 0.0),
        Dual64::new(-2.0, 0.0),
        Dual64::new(1.5, f64::INFINITY),
        Dual64::new(f64::INFINITY, 0.0),
        Dual64::new(f64::NAN, 0.0),
        Dual64::new(0.0, f64::NAN),
        Dual64::new(-2.0, f64::NEG_INFINITY),
    ];
    let parts = [
        Dual64::new(0.0, 0.0),
        Dual64::new(0.0, 1.5),
        Dual64::new(f64::INFINITY, f64::NAN),
    ];
    let es: Vec<[Dual64; 2]> = parts
        .iter()
        .flat_map(|&x| parts.iter().map(move |&y| [x, y]))
        .collect();
    let second = [Dual64::new(0.0, 0.0), Dual64::new(-2.0, f64::INFINITY)];
    check_shape::<Dual64, [Dual64; 2]>(&ts, &es, &second);
}

#[test]
fn a_nan_input_still_gives_nan_where_it_flows() {
    // A NaN derivative times a nonzero factor stays NaN; a NaN value with a zero derivative
    // gives a zero derivative (the strong zero), as before the fast path.
    let y = Dual64::new(2.0, f64::NAN) * Dual64::constant(3.0);
    assert!(y.eps().is_nan());
    let y = Dual64::constant(f64::NAN) * Dual64::constant(3.0);
    assert!(y.re().is_nan());
    assert_eq!(y.eps(), 0.0);
    let y = Dual64::variable(f64::NAN) * 3.0;
    assert_eq!(y.eps(), 3.0);
    let y = Dual64::constant(f64::NAN).sin();
    assert_eq!(y.eps(), 0.0);
}

#[test]
fn hyper_dual_cross_term_stays_zero_against_an_infinite_slope() {
    // f(x, y) = (2 + y) sqrt(y) at y = 0 does not depend on x: ∂²f/∂x∂y = 0, although
    // ∂f/∂y is infinite there. The product's ε₁ε₂ term multiplies the components
    // eps1 = 0 (of 2 + y) and eps2 = ∞ (of sqrt y), which must give 0, not NaN.
    let p = crate::HyperDual64::from_parts(2.0, 0.0, 1.0, 0.0);
    let q = crate::HyperDual64::from_parts(0.0, 0.0, 1.0, 0.0).sqrt();
    let f = p * q;
    assert_eq!((f.re(), f.eps1(), f.eps2()), (0.0, 0.0, f64::INFINITY));
    assert_eq!(f.eps1eps2(), 0.0);
    // The same through chain_rule: exp(q) has eps1 eps2 = 0 * ∞ in its second-order term.
    assert_eq!(q.exp().eps1eps2(), 0.0);
}

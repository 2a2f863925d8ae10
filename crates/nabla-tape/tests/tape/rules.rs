//! The rules against the scalar recording of the same computation: `matmul` (recorded or
//! constant factors, sparse constants, empty and one-row shapes), `dot`, `sum` and a user's
//! `custom_rule`, alone, mixed with scalar operations, and nested (forward over reverse on
//! `Var<Dual64>`). Property tests; `PROPTEST_CASES` sets their number.

use nabla_dual::Dual64;
use nabla_tape::{Recording, Var, custom_rule, dot, matmul, sum};
use nalgebra::DMatrix;
use proptest::prelude::*;

/// One entry of a factor: its value, and whether it is recorded (an input) or a constant.
type Cell = (f64, bool);

/// A factor of `rows x cols` cells, a third of the values exactly zero.
fn factor(rows: usize, cols: usize) -> impl Strategy<Value = Vec<Cell>> {
    proptest::collection::vec(
        (
            prop_oneof![1 => Just(0.0), 2 => -2.0..2.0f64],
            any::<bool>(),
        ),
        rows * cols,
    )
}

/// Three shapes (0 and 1 included) and the two factors, each either all constant, all
/// recorded, or mixed.
fn product_case() -> impl Strategy<Value = (usize, usize, usize, Vec<Cell>, Vec<Cell>, u8, u8)> {
    (0usize..=4, 0usize..=4, 0usize..=4).prop_flat_map(|(m, k, n)| {
        (
            Just(m),
            Just(k),
            Just(n),
            factor(m, k),
            factor(k, n),
            0u8..3,
            0u8..3,
        )
    })
}

/// The factor's `Var`s: mode 0 all constant, 1 all recorded, 2 as the cells say.
fn vars<T: nabla_tape::Scalar>(
    rec: &Recording<T>,
    cells: &[Cell],
    mode: u8,
    rows: usize,
    cols: usize,
    lift: impl Fn(f64) -> T,
) -> (DMatrix<Var<T>>, Vec<Var<T>>) {
    let mut inputs = Vec::new();
    let v: Vec<Var<T>> = cells
        .iter()
        .map(|&(x, r)| {
            if mode == 1 || (mode == 2 && r) {
                let v = rec.var(lift(x));
                inputs.push(v);
                v
            } else {
                Var::constant(lift(x))
            }
        })
        .collect();
    (DMatrix::from_vec(rows, cols, v), inputs)
}

/// A scalar function of the product mixed with scalar operations: `Σ sin(cᵢⱼ) wᵢⱼ + c₀₀ c₀₀`.
fn head<T: nabla_tape::Scalar>(c: &DMatrix<Var<T>>) -> Var<T> {
    let mut acc = Var::constant(T::zero());
    for (i, &cij) in c.iter().enumerate() {
        let w = <T as num_traits::FromPrimitive>::from_f64(0.5 + 0.25 * i as f64).unwrap();
        acc += cij.sin() * Var::constant(w);
    }
    if let Some(&c0) = c.iter().next() {
        acc += c0 * c0;
    }
    acc
}

/// `|a - b| <= 1e-12 max(1, |b|)` for each pair.
fn close(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-12 * y.abs().max(1.0),
            "{what}: entry {i}: {x:e} against {y:e}"
        );
    }
}

proptest! {
    #[test]
    fn matmul_agrees_with_the_scalar_recording((m, k, n, a, b, ma, mb) in product_case()) {
        // With the rule.
        let rec = Recording::<f64>::new();
        let (av, mut inputs) = vars(&rec, &a, ma, m, k, |x| x);
        let (bv, b_inputs) = vars(&rec, &b, mb, k, n, |x| x);
        inputs.extend(b_inputs);
        let c = matmul(&av, &bv);
        let y = head(&c);
        let by_rule = rec.gradient(y, &inputs);
        let rule_value = y.value();
        drop(rec);
        // Scalar operations: nalgebra's generic product on Var.
        let rec = Recording::<f64>::new();
        let (av, mut inputs) = vars(&rec, &a, ma, m, k, |x| x);
        let (bv, b_inputs) = vars(&rec, &b, mb, k, n, |x| x);
        inputs.extend(b_inputs);
        let c_scalar = &av * &bv;
        for (x, z) in c.iter().zip(c_scalar.iter()) {
            prop_assert!((x.value() - z.value()).abs() <= 1e-12 * z.value().abs().max(1.0));
        }
        let y = head(&c_scalar);
        prop_assert!((rule_value - y.value()).abs() <= 1e-12 * y.value().abs().max(1.0));
        close("matmul", &by_rule, &rec.gradient(y, &inputs));

    }

    #[test]
    fn matmul_is_exact_under_forward_over_reverse((m, k, n, a, b, ma, mb) in product_case(), v in -1.0..1.0f64) {
        // Every recorded input moves along v: compare H v through the rule with H v through
        // scalar operations, both on Var<Dual64>.
        let hv = |rule: bool| {
            let rec = Recording::<Dual64>::new();
            let lift = |x: f64| Dual64::new(x, v);
            let (av, mut inputs) = vars(&rec, &a, ma, m, k, lift);
            let (bv, b_inputs) = vars(&rec, &b, mb, k, n, lift);
            inputs.extend(b_inputs);
            let c = if rule { matmul(&av, &bv) } else { &av * &bv };
            let g = rec.gradient(head(&c), &inputs);
            (g.iter().map(|d| d.re()).collect::<Vec<_>>(), g.iter().map(|d| d.eps()).collect::<Vec<_>>())
        };
        let (g_rule, hv_rule) = hv(true);
        let (g_scalar, hv_scalar) = hv(false);
        close("gradient", &g_rule, &g_scalar);
        close("Hessian-vector product", &hv_rule, &hv_scalar);
    }

    #[test]
    fn dot_sum_and_a_custom_rule_agree_with_scalar_operations(
        x in proptest::collection::vec(-2.0..2.0f64, 0..12),
    ) {
        let n = x.len() / 2;
        let f = |v: &[Var<f64>], rules: bool| -> Var<f64> {
            let (a, b) = v.split_at(n);
            let b = &b[..n];
            if rules {
                let squares: Vec<f64> = a.iter().map(|t| t.value() * t.value()).collect();
                let values: Vec<f64> = a.iter().map(|t| t.value()).collect();
                let sq = custom_rule(a, &squares, move |out: &[f64], inputs: &mut [f64]| {
                    for i in 0..inputs.len() {
                        inputs[i] = 2.0 * values[i] * out[i];
                    }
                });
                dot(a, b).sin() + sum(&sq) * sum(v)
            } else {
                let d = a.iter().zip(b).fold(Var::constant(0.0), |acc, (p, q)| acc + *p * *q);
                let sq: Vec<Var<f64>> = a.iter().map(|t| *t * *t).collect();
                d.sin() + sq.iter().copied().sum::<Var<f64>>() * v.iter().copied().sum::<Var<f64>>()
            }
        };
        let (y1, g1) = nabla_tape::gradient(|v| f(v, true), &x);
        let (y2, g2) = nabla_tape::gradient(|v| f(v, false), &x);
        prop_assert!((y1 - y2).abs() <= 1e-12 * y2.abs().max(1.0));
        close("dot, sum, custom_rule", &g1, &g2);
    }
}

#[test]
fn a_sparse_constant_factor_is_kept_as_its_non_zeros() {
    // 2 x 4 constants with 6 zeros times 4 x 3 inputs: the sparse path.
    let a = DMatrix::from_row_slice(2, 4, &[0.0, 3.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0]);
    let rec = Recording::<f64>::new();
    let w: Vec<f64> = (0..12).map(|i| 0.1 * f64::from(i)).collect();
    let bv = DMatrix::from_vec(4, 3, rec.vars(&w));
    let c = matmul(&a.map(Var::constant), &bv);
    let plain = &a * DMatrix::from_vec(4, 3, w.clone());
    for (x, y) in c.iter().zip(plain.iter()) {
        assert_eq!(x.value(), *y);
    }
    // d (Σ c) / d b[j, q] = Σ_r a[r, j]: column sums of a, in every column of b.
    let total = sum(c.as_slice());
    let g = rec.gradient(total, bv.as_slice());
    for q in 0..3 {
        assert_eq!(&g[4 * q..4 * q + 4], &[0.0, 3.0, -1.0, 0.0]);
    }
    // Inputs, the product, the sum: 3 entries; the bytes count the kept non-zeros (two
    // values, two indices, three row starts) beside the adjoints.
    assert_eq!(rec.entries(), 3);
    assert!(
        rec.bytes() >= (12 + 6 + 1) * 8 + 2 * 8 + 2 * 4,
        "{}",
        rec.bytes()
    );
}

#[test]
fn a_zero_adjoint_passes_nothing_through_an_infinite_factor() {
    // c = a b with b[1] = inf (constant): the output c[1] that uses it is not used, so its
    // adjoint is 0 and a[1]'s derivative must be 0, not 0 * inf = NaN.
    let rec = Recording::<f64>::new();
    let a = DMatrix::from_vec(2, 1, rec.vars(&[1.0, 2.0]));
    let b = DMatrix::from_vec(1, 2, vec![Var::constant(3.0), Var::constant(f64::INFINITY)]);
    let c = matmul(&a, &b);
    let g = rec.gradient(c[(0, 0)] + c[(1, 0)], a.as_slice());
    assert_eq!(g, vec![3.0, 3.0]);
}

#[test]
fn a_rule_of_constants_records_nothing() {
    let rec = Recording::<f64>::new();
    let out = custom_rule(
        &[Var::constant(2.0)],
        &[4.0, 5.0],
        |_: &[f64], _: &mut [f64]| unreachable!("never swept"),
    );
    assert!(out.iter().all(Var::is_constant));
    assert_eq!((out[0].value(), out[1].value()), (4.0, 5.0));
    let c = matmul(
        &DMatrix::from_element(2, 2, Var::constant(1.0)),
        &DMatrix::from_element(2, 1, Var::constant(2.0)),
    );
    assert!(c.iter().all(|v| v.is_constant() && v.value() == 4.0));
    assert!(rec.is_empty());
}

#[test]
fn a_rule_in_an_independent_nested_gradient_works() {
    // The inner gradient uses a rule on its own inputs; its result is a constant outside.
    let (_, g) = nabla_tape::gradient(
        |x| {
            let (_, inner) = nabla_tape::gradient(|y| dot(y, y), &[1.0, 2.0]);
            x[0] * (inner[0] + inner[1])
        },
        &[5.0],
    );
    assert_eq!(g, vec![6.0]);
}

#[test]
fn second_derivative_of_one_variable() {
    let (v, d1, d2) = nabla_tape::second_derivative(|x| x.sin() * x, 0.7_f64);
    assert_eq!(v, 0.7_f64.sin() * 0.7);
    assert!((d1 - (0.7_f64.cos() * 0.7 + 0.7_f64.sin())).abs() < 1e-15);
    assert!((d2 - (2.0 * 0.7_f64.cos() - 0.7 * 0.7_f64.sin())).abs() < 1e-15);
    // Perturbation confusion: d/dx [x · (d/dy (x + y))(1)] at x = 1 is 1. The inner
    // derivative is taken on its own tape and is the constant 1: no level is mixed up.
    let (_, d, _) = nabla_tape::second_derivative(
        |x| {
            let (_, inner) = nabla_tape::derivative(|y| y + 1.0, 1.0_f64);
            x * inner
        },
        1.0,
    );
    assert_eq!(d, 1.0);
}

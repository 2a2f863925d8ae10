//! The chapter's networks through nabla-net: simpleNet (`-ln(softmax(x W)[l] + 1e-7)`, `W` of
//! 2x3) and a small TwoLayerNet (`mean_r -ln(softmax(sigmoid(x_r W1 + b1) W2 + b2)[l_r] + 1e-7)`).
//! nabla-net's backprop differentiates the loss as written (`1e-7` included), so it is the
//! analytic reference.
//!
//! **Third derivatives.** Write the per-row loss as `phi(z) = -ln(p_l + DELTA)` of the logits.
//! `phi = (lse(z) - z_l) + psi` with `psi = -softplus(s)`, `s = ln DELTA + lse(z) - z_l`. Along a
//! direction `w` of the logits with `|w_k| <= W`: the derivatives of `s` are those of
//! `lse` minus a linear term, i.e. the cumulants of `w` under the softmax distribution, at most
//! `2W`, `W^2` and `2W^3` in size; softplus' derivatives are at most `1`, `1/4` and `0.0963`.
//! By the chain rule the first three directional derivatives of `phi` are at most `2W`, `3W^2`
//! and `6.3 W^3`. For a logit itself (`w` a unit vector) that is `M3 = 0.5` (the exact cumulant
//! bounds `0.0963 + 0.38`).
//!
//! * simpleNet, weight `W_ij`: the logits move along `x_i e_j`: `M3 = 0.5 |x_i|^3`.
//! * TwoLayerNet, `W2_jk` (`b2_k`): the logits move along `a_j e_k` (`e_k`), `0 < a_j < 1`:
//!   `M3 = 0.5`. `W1_ij` (`b1_j`): the hidden unit `a_j = sigmoid(s_j)` moves with
//!   `a' = sigmoid' x_i`, `a'' = sigmoid'' x_i^2`, `a''' = sigmoid''' x_i^3` (`sigmoid'`,
//!   `sigmoid''`, `sigmoid'''` at most `1/4`, `0.0963`, `1/8`; `x_i = 1` for the bias) and the
//!   logits along `W2_j.` (`W = max_k |W2_jk|`): `g''' a'^3 + 3 g'' a' a'' + g' a'''` is at most
//!   `|x_i|^3 (0.1 W^3 + 0.22 W^2 + 0.25 W)`, averaged over the rows.
//!
//! **Rounding.** Every logit is a sum of products over at most `input + hidden + 2` terms
//! along any path; with `Z` the largest sum of absolute terms behind a logit (first layer's
//! terms scaled by `sigmoid' <= 1/4`), a logit is off by at most `(input + hidden + 2) eps Z`,
//! which moves `phi` by twice that; softmax and the logarithm add `4 eps (outputs + 2 + 2Z)`:
//! `E = 2 (input + hidden + 2) eps Z + 4 eps (outputs + 2 + 2Z)`.
//!
//! **Dual against backprop**: `1e-12` relative to the magnitude of the terms each component
//! sums. The output error `p - t` cancels to nearly 0 when the net is confidently right, and
//! forward mode also carries the derivative of the largest logit (softmax subtracts it) only
//! to cancel it at the end: two correct evaluations agree to a few eps of those terms.

use nabla_net::{
    Gradient, SimpleNet, TwoLayerNet, backprop, dual_gradient, numerical_gradient,
    numerical_gradient_structured, reverse_gradient, sigmoid,
};
use nabla_numdiff::Options;
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;

use crate::tolerance::{self, EPS, assert_dual, assert_within, central_step};
use crate::wide;

/// The book's step of nabla-net's numerical gradients.
const BOOK_STEP: f64 = 1e-4;

/// The four arrays of a gradient, flat, in the order nabla-numdiff's `Params` uses.
fn flat(g: &Gradient<f64>) -> Vec<f64> {
    [
        g.w1.as_slice(),
        g.b1.as_slice(),
        g.w2.as_slice(),
        g.b2.as_slice(),
    ]
    .concat()
}

/// Index of the largest value (the first of ties).
fn argmax(v: impl Iterator<Item = f64>) -> usize {
    v.enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |b, (i, x)| if x > b.1 { (i, x) } else { b },
        )
        .0
}

/// The magnitudes of the terms backprop and forward mode sum for each parameter (flat order):
/// with `d_rk = p_rk + [k = l_r] + [k = argmax_r]` (the output error before cancellation, and
/// the derivative of the largest logit that softmax subtracts, which forward mode carries and
/// cancels), `mean_r d_rk` for `b2_k`,
/// `mean_r a_rj d_rk` for `W2_jk`, `mean_r a_rj sum_k |W2_jk| d_rk` for `b1_j` (`a` standing
/// for `sigmoid' = a (1 - a)`, computed by a subtraction from 1), times
/// `|x_ri|` for `W1_ij`.
fn two_layer_scales(net: &TwoLayerNet<f64>, x: &DMatrix<f64>, labels: &[usize]) -> Vec<f64> {
    let s = net.sizes();
    let p = net.predict(x).unwrap();
    let b = x.nrows() as f64;
    let pre = x * net.w1();
    let mut g = Gradient::<f64>::zeros(s);
    for r in 0..x.nrows() {
        let top = argmax((0..s.output).map(|k| p[(r, k)]));
        let d: Vec<f64> = (0..s.output)
            .map(|k| {
                p[(r, k)] + f64::from(u8::from(k == labels[r])) + f64::from(u8::from(k == top))
            })
            .collect();
        for j in 0..s.hidden {
            let a = sigmoid(pre[(r, j)] + net.b1()[j]);
            // Backprop's `sigmoid' = a (1 - a)` subtracts from 1: when the unit saturates
            // (`a` near 1) it is right to `eps` absolute, not relative, so its scale is `a`.
            let back: f64 = (0..s.output)
                .map(|k| net.w2()[(j, k)].abs() * d[k])
                .sum::<f64>()
                * a;
            g.b1[j] += back / b;
            for i in 0..s.input {
                g.w1[(i, j)] += x[(r, i)].abs() * back / b;
            }
            for (k, dk) in d.iter().enumerate() {
                g.w2[(j, k)] += a * dk / b;
            }
        }
        for (k, dk) in d.iter().enumerate() {
            g.b2[k] += dk / b;
        }
    }
    flat(&g)
}

/// A TwoLayerNet with random weights and biases of the given scale, a batch and its labels.
fn two_layer_case() -> impl Strategy<Value = (TwoLayerNet<f64>, DMatrix<f64>, Vec<usize>)> {
    (
        2usize..=6,
        2usize..=5,
        2usize..=4,
        1usize..=3,
        prop_oneof![Just(0.01), Just(0.5), Just(3.0)],
    )
        .prop_flat_map(|(input, hidden, output, batch, scale)| {
            let u = move |n: usize| proptest::collection::vec(-scale..=scale, n);
            (
                u(input * hidden),
                u(hidden),
                u(hidden * output),
                u(output),
                // Pixels-like inputs, a third of them exactly 0 (the sparse paths).
                proptest::collection::vec(
                    prop_oneof![1 => Just(0.0), 2 => -2.0..=2.0f64],
                    batch * input,
                ),
                proptest::collection::vec(0..output, batch),
            )
                .prop_map(move |(w1, b1, w2, b2, x, labels)| {
                    let net = TwoLayerNet::from_parts(
                        DMatrix::from_vec(input, hidden, w1),
                        DVector::from_vec(b1),
                        DMatrix::from_vec(hidden, output, w2),
                        DVector::from_vec(b2),
                    )
                    .expect("sizes are positive");
                    (net, DMatrix::from_vec(batch, input, x), labels)
                })
        })
}

/// The central-difference tolerance of every parameter of `net` (flat order) for steps
/// `step(theta)`.
fn two_layer_tolerance(
    net: &TwoLayerNet<f64>,
    x: &DMatrix<f64>,
    g: &[f64],
    step: impl Fn(f64) -> f64,
) -> Vec<f64> {
    let s = net.sizes();
    let (w1, b1, w2, b2) = (net.w1(), net.b1(), net.w2(), net.b2());
    let pad = |v: f64| v.abs() + step(v);
    // Z: the largest sum of absolute terms behind a logit, over the batch.
    let mut z = 0.0f64;
    for r in 0..x.nrows() {
        for k in 0..s.output {
            let mut t = pad(b2[k]);
            for j in 0..s.hidden {
                let pre: f64 = (0..s.input)
                    .map(|i| (x[(r, i)] * pad(w1[(i, j)])).abs())
                    .sum::<f64>()
                    + pad(b1[j]);
                t += pad(w2[(j, k)]) * (1.0 + 0.25 * pre);
            }
            z = z.max(t);
        }
    }
    let e = 2.0 * (s.input + s.hidden + 2) as f64 * EPS * z
        + 4.0 * EPS * (s.output as f64 + 2.0 + 2.0 * z);
    let b = x.nrows() as f64;
    let first_layer = |j: usize, xi3: f64| {
        let w = (0..s.output).fold(0.0f64, |m, k| m.max(pad(w2[(j, k)])));
        xi3 * (0.1 * w.powi(3) + 0.22 * w * w + 0.25 * w)
    };
    let mut m3 = Vec::with_capacity(g.len());
    let mut steps = Vec::with_capacity(g.len());
    for j in 0..s.hidden {
        for i in 0..s.input {
            let mean_x3 = (0..x.nrows()).map(|r| x[(r, i)].abs().powi(3)).sum::<f64>() / b;
            m3.push(first_layer(j, mean_x3));
            steps.push(step(w1[(i, j)]));
        }
    }
    for j in 0..s.hidden {
        m3.push(first_layer(j, 1.0));
        steps.push(step(b1[j]));
    }
    for k in 0..s.output {
        for j in 0..s.hidden {
            m3.push(0.5);
            steps.push(step(w2[(j, k)]));
        }
    }
    for k in 0..s.output {
        m3.push(0.5);
        steps.push(step(b2[k]));
    }
    (0..g.len())
        .map(|p| tolerance::central(steps[p], m3[p], e, g[p], 16.0 * EPS * g[p].abs()))
        .collect()
}

proptest! {
    #[test]
    fn simple_net_gradients(
        w in proptest::collection::vec(-3.0..=3.0f64, 6),
        x in proptest::collection::vec(wide(-3.0, 1.0), 2),
        label in 0usize..3,
    ) {
        let net = SimpleNet::new(DMatrix::from_row_slice(2, 3, &w)).unwrap();
        let xv = DVector::from_vec(x.clone());
        let g = net.backprop(&xv, label).unwrap();
        let gs = g.as_slice().to_vec();

        // Rounding: two products per logit, then softmax and the logarithm.
        let wmat = net.w();
        let tol_for = |step: &dyn Fn(f64) -> f64| -> Vec<f64> {
            let z = (0..3).fold(0.0f64, |m, j| {
                m.max((0..2).map(|i| (x[i] * (wmat[(i, j)].abs() + step(wmat[(i, j)]))).abs()).sum())
            });
            let e = 4.0 * EPS * z + 4.0 * EPS * (3.0 + 2.0 + 2.0 * z);
            (0..6)
                .map(|p| {
                    let (i, j) = (p % 2, p / 2);
                    let m3 = 0.5 * x[i].abs().powi(3);
                    tolerance::central(step(wmat[(i, j)]), m3, e, gs[p], 8.0 * EPS * gs[p].abs())
                })
                .collect()
        };

        let mut wp = wmat.clone();
        let central = nabla_numdiff::gradient(&mut wp, |w: &DMatrix<f64>| {
            SimpleNet::new(w.clone()).unwrap().loss(&xv, label).unwrap()
        }, Options::default()).unwrap();
        assert_within("central", &central, &gs, &tol_for(&central_step));

        let book = net.numerical_gradient(&xv, label, BOOK_STEP).unwrap();
        assert_within("book's h = 1e-4", book.as_slice(), &gs, &tol_for(&|_| BOOK_STEP));

        // Terms behind each component: |x_i| (p_j + [j = l] + [j = argmax]).
        let p = {
            let z = net.predict(&xv).unwrap();
            let m = z.max();
            let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.into_iter().map(|v| v / sum).collect::<Vec<f64>>()
        };
        let top = argmax(p.iter().copied());
        let scale: Vec<f64> = (0..6)
            .map(|q| {
                let j = q / 2;
                x[q % 2].abs() * (p[j] + f64::from(u8::from(j == label)) + f64::from(u8::from(j == top)))
            })
            .collect();
        assert_dual("dual", net.dual_gradient(&xv, label).unwrap().as_slice(), &gs, &scale);
        assert_dual("reverse", net.reverse_gradient(&xv, label).unwrap().as_slice(), &gs, &scale);
    }

    #[test]
    fn two_layer_net_gradients((net, x, labels) in two_layer_case()) {
        let (loss, bp) = backprop(&net, &x, &labels).unwrap();
        prop_assert!((loss - net.loss(&x, &labels).unwrap()).abs() <= 1e-12 * loss.abs().max(1.0));
        let g = flat(&bp);

        let mut p = net.clone();
        let central = nabla_numdiff::gradient(&mut p, |n: &TwoLayerNet<f64>| n.loss(&x, &labels).unwrap(), Options::default()).unwrap();
        assert_within("central", &central, &g, &two_layer_tolerance(&net, &x, &g, central_step));

        let book_tol = two_layer_tolerance(&net, &x, &g, |_| BOOK_STEP);
        let brute = numerical_gradient(&net, &x, &labels, BOOK_STEP).unwrap();
        assert_within("brute force, h = 1e-4", &flat(&brute), &g, &book_tol);
        let structured = numerical_gradient_structured(&net, &x, &labels, BOOK_STEP).unwrap();
        assert_within("structured, h = 1e-4", &flat(&structured), &g, &book_tol);

        let (dual_loss, dual) = dual_gradient(&net, &x, &labels).unwrap();
        prop_assert!((dual_loss - loss).abs() <= 1e-12 * loss.abs().max(1.0));
        assert_dual("dual", &flat(&dual), &g, &two_layer_scales(&net, &x, &labels));
        let (reverse_loss, reverse) = reverse_gradient(&net, &x, &labels).unwrap();
        prop_assert!((reverse_loss - loss).abs() <= 1e-12 * loss.abs().max(1.0));
        assert_dual("reverse", &flat(&reverse), &g, &two_layer_scales(&net, &x, &labels));
    }
}

/// The network's loss at the flat parameters `p` (`w1`, `b1`, `w2`, `b2`, column-major), in
/// any scalar the forward pass takes.
fn loss_at<T: nabla_net::MatMul>(
    sizes: (usize, usize, usize),
    p: &[T],
    x: &DMatrix<f64>,
    labels: &[usize],
    lift: impl Fn(f64) -> T,
) -> T {
    let (i, h, o) = sizes;
    let (w1, rest) = p.split_at(i * h);
    let (b1, rest) = rest.split_at(h);
    let (w2, b2) = rest.split_at(h * o);
    let net = TwoLayerNet::from_parts(
        DMatrix::from_column_slice(i, h, w1),
        DVector::from_column_slice(b1),
        DMatrix::from_column_slice(h, o, w2),
        DVector::from_column_slice(b2),
    )
    .unwrap();
    net.loss(&x.map(lift), labels).unwrap()
}

proptest! {
    #[test]
    fn forward_over_reverse_through_the_networks_rules_is_exact(
        (net, x, labels) in two_layer_case(),
        seed in 0u64..1000,
    ) {
        // H v of the loss by one recording on Var<Dual64>, whose forward pass multiplies
        // through nabla-tape's matmul rule (its backward in dual arithmetic), against the
        // Hessian of the same loss by nabla-dual's HyperDual64 (no tape, no rule) times v.
        let s = net.sizes();
        let sizes = (s.input, s.hidden, s.output);
        let p: Vec<f64> = net.parameters().concat();
        let v: Vec<f64> = (0..p.len())
            .map(|i| (((i as u64 + 1) * (seed + 7)) as f64 * 0.618_033_988_749_895).fract() - 0.5)
            .collect();
        let (_, g, hv) = nabla_tape::hessian_vector_product(
            |q| loss_at(sizes, q, &x, &labels, |c| nabla_tape::Var::constant(nabla_dual::Dual64::constant(c))),
            &p,
            &v,
        );
        let (_, g_dual, h) = nabla_dual::hessian(
            |q| loss_at(sizes, q, &x, &labels, nabla_dual::HyperDual64::constant),
            &p,
        );
        for i in 0..p.len() {
            let want: f64 = (0..p.len()).map(|j| h[(i, j)] * v[j]).sum();
            let scale: f64 = 1.0 + (0..p.len()).map(|j| (h[(i, j)] * v[j]).abs()).sum::<f64>();
            prop_assert!((hv[i] - want).abs() <= 1e-10 * scale, "H v [{i}]: {} against {want}", hv[i]);
            prop_assert!((g[i] - g_dual[i]).abs() <= 1e-12 * (1.0 + g_dual[i].abs()), "gradient [{i}]");
        }
    }
}

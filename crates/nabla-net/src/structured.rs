//! The structure-aware numerical gradient: the brute-force central difference, recomputing
//! only what one nudged parameter changes.

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use crate::engine::{Engine, sigmoid};
use crate::forward::DELTA;
use crate::{Gradient, Precision, SparseRows, TwoLayerNet};

/// The book's numerical gradient, central differences with step `h` (the book uses `1e-4`)
/// over every parameter, computed by recomputing only what each nudge changes.
///
/// The brute-force loop evaluates the whole loss twice per parameter: `2 * 39760` forward
/// passes over the batch for MNIST's network. But nudging `w1[j, k]` changes only hidden
/// pre-activation `k`, and only in the rows where pixel `j` is non-zero; so the loss changes
/// only in those rows, and for each of them it is enough to recompute one sigmoid and to shift
/// the row's logits by `(z_new - z_old) * w2[k, :]`. Likewise `b1[k]` moves hidden unit `k` of
/// every row, and `w2[k, c]` and `b2[c]` move a single logit column. With the per-row losses
/// `L_r`,
///
/// `f(+h) - f(-h) = (1/B) * sum over the affected rows of (L_r(+h) - L_r(-h))`,
///
/// so the result equals the brute-force gradient up to rounding (the tests hold the two to
/// `1e-9` in `f64`). The nudged parameter is `fl(w + h)` exactly as the brute-force loop
/// stores it, and the difference is divided by `2h`, as the book does. Parameters are split
/// across rayon's threads.
///
/// Use it in `f64`: in `f32`, `h = 1e-4` is far below the step where rounding dominates
/// (about `5e-3`), and the result is mostly noise.
///
/// # Panics
///
/// If `x` does not have one column per input, `labels` does not have one entry per row, or a
/// label is not below the number of outputs.
pub fn numerical_gradient_structured<T: Precision>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Gradient<T> {
    let sizes = net.sizes();
    assert_eq!(
        x.ncols(),
        sizes.input,
        "the batch has the wrong number of columns"
    );
    assert_eq!(labels.len(), x.nrows(), "one label per row is needed");
    assert!(
        labels.iter().all(|&t| t < sizes.output),
        "a label is not below the number of outputs"
    );
    let data = SparseRows::from_matrix(x);
    let rows: Vec<usize> = (0..x.nrows()).collect();
    structured_gradient(&Engine::from_net(net), &data, labels, &rows, h)
}

/// The row's loss `-ln(softmax(logits)[label] + 1e-7)`, computed as the forward pass does.
#[inline]
fn row_loss<T: Precision>(logits: &[T], label: usize) -> T {
    let max = logits.iter().copied().fold(T::neg_infinity(), T::max);
    let mut sum = T::zero();
    for &v in logits {
        sum = sum + (v - max).exp();
    }
    let y = (logits[label] - max).exp() * (T::one() / sum);
    -(y + T::from_f64(DELTA)).ln()
}

/// The forward quantities of a batch that every nudge starts from.
struct Base<T> {
    batch: usize,
    /// Row length of `pre` and `z` (the engine's padded hidden width).
    stride: usize,
    output: usize,
    /// `batch x stride` pre-activations.
    pre: Vec<T>,
    /// `batch x stride` activations.
    z: Vec<T>,
    /// `batch x output` logits.
    logits: Vec<T>,
    /// Label of each batch row.
    labels: Vec<usize>,
}

impl<T: Precision> Base<T> {
    fn new(engine: &Engine<T>, data: &SparseRows<T>, labels: &[usize], rows: &[usize]) -> Self {
        let (h, o) = (engine.stride, engine.sizes.output);
        let b = rows.len();
        let mut pre = vec![T::zero(); b * h];
        let mut z = vec![T::zero(); b * h];
        let mut logits = vec![T::zero(); b * o];
        for (((&r, p), zr), l) in rows
            .iter()
            .zip(pre.chunks_exact_mut(h))
            .zip(z.chunks_exact_mut(h))
            .zip(logits.chunks_exact_mut(o))
        {
            let (idx, val) = data.row(r);
            engine.hidden_pre(idx, val, p);
            zr.copy_from_slice(p);
            engine.activate(zr);
            engine.output_row(zr, l);
        }
        Base {
            batch: b,
            stride: h,
            output: o,
            pre,
            z,
            logits,
            labels: rows.iter().map(|&r| labels[r]).collect(),
        }
    }

    /// `L_b(+) - L_b(-)` when hidden pre-activation `k` of row `b` moves by `plus` and by
    /// `minus`; `scratch` holds `output` entries.
    #[inline]
    fn hidden_nudge(
        &self,
        w2_row: &[T],
        b: usize,
        k: usize,
        plus: T,
        minus: T,
        scratch: &mut [T],
    ) -> T {
        let at = b * self.stride + k;
        let (a, z0) = (self.pre[at], self.z[at]);
        let base = &self.logits[b * self.output..(b + 1) * self.output];
        let label = self.labels[b];
        let mut loss = |shift: T| {
            let dz = sigmoid(a + shift) - z0;
            for ((s, &l), &w) in scratch.iter_mut().zip(base).zip(w2_row) {
                *s = l + dz * w;
            }
            row_loss(scratch, label)
        };
        let up = loss(plus);
        up - loss(minus)
    }

    /// `L_b(+) - L_b(-)` when logit `c` of row `b` moves by `plus` and by `minus`.
    #[inline]
    fn logit_nudge(&self, b: usize, c: usize, plus: T, minus: T, scratch: &mut [T]) -> T {
        let base = &self.logits[b * self.output..(b + 1) * self.output];
        scratch.copy_from_slice(base);
        scratch[c] = base[c] + plus;
        let up = row_loss(scratch, self.labels[b]);
        scratch[c] = base[c] + minus;
        up - row_loss(scratch, self.labels[b])
    }
}

/// The nudges `fl(w + h) - w` and `fl(w - h) - w` that the brute-force loop really applies.
#[inline]
fn steps<T: Precision>(w: T, h: T) -> (T, T) {
    ((w + h) - w, (w - h) - w)
}

/// The structure-aware gradient on batch `rows` of `data` (see
/// [`numerical_gradient_structured`]).
pub(crate) fn structured_gradient<T: Precision>(
    engine: &Engine<T>,
    data: &SparseRows<T>,
    labels: &[usize],
    rows: &[usize],
    h: T,
) -> Gradient<T> {
    let s = engine.sizes;
    let base = Base::new(engine, data, labels, rows);
    let scale = T::one() / (T::from_f64(base.batch as f64) * (h + h));

    // For each pixel, the batch rows where it is non-zero, with the pixel's value.
    let mut starts = vec![0usize; s.input + 1];
    for &r in rows {
        for &j in data.row(r).0 {
            starts[j as usize + 1] += 1;
        }
    }
    for j in 0..s.input {
        starts[j + 1] += starts[j];
    }
    let mut next = starts[..s.input].to_vec();
    let mut entries = vec![(0usize, T::zero()); starts[s.input]];
    for (b, &r) in rows.iter().enumerate() {
        let (idx, val) = data.row(r);
        for (&j, &v) in idx.iter().zip(val) {
            entries[next[j as usize]] = (b, v);
            next[j as usize] += 1;
        }
    }

    // w1[j, k]: the rows where pixel j is non-zero, hidden unit k.
    let mut dw1 = vec![T::zero(); s.input * s.hidden];
    dw1.par_chunks_mut(s.hidden)
        .enumerate()
        .for_each(|(j, out)| {
            let column = &entries[starts[j]..starts[j + 1]];
            if column.is_empty() {
                return;
            }
            let mut scratch = vec![T::zero(); s.output];
            for (k, g) in out.iter_mut().enumerate() {
                let (plus, minus) = steps(engine.w1(j, k), h);
                let w2_row = &engine.w2[k * s.output..(k + 1) * s.output];
                let mut sum = T::zero();
                for &(b, v) in column {
                    sum = sum + base.hidden_nudge(w2_row, b, k, v * plus, v * minus, &mut scratch);
                }
                *g = sum * scale;
            }
        });

    // b1[k]: hidden unit k of every row.
    let db1: Vec<T> = (0..s.hidden)
        .into_par_iter()
        .map(|k| {
            let mut scratch = vec![T::zero(); s.output];
            let (plus, minus) = steps(engine.b1[k], h);
            let w2_row = &engine.w2[k * s.output..(k + 1) * s.output];
            let sum = (0..base.batch).fold(T::zero(), |acc, b| {
                acc + base.hidden_nudge(w2_row, b, k, plus, minus, &mut scratch)
            });
            sum * scale
        })
        .collect();

    // w2[k, c]: logit c of every row moves by the nudge times z[b, k].
    let mut dw2 = vec![T::zero(); s.hidden * s.output];
    dw2.par_chunks_mut(s.output)
        .enumerate()
        .for_each(|(k, out)| {
            let mut scratch = vec![T::zero(); s.output];
            for (c, g) in out.iter_mut().enumerate() {
                let (plus, minus) = steps(engine.w2[k * s.output + c], h);
                let sum = (0..base.batch).fold(T::zero(), |acc, b| {
                    let zk = base.z[b * base.stride + k];
                    acc + base.logit_nudge(b, c, zk * plus, zk * minus, &mut scratch)
                });
                *g = sum * scale;
            }
        });

    // b2[c]: logit c of every row.
    let mut scratch = vec![T::zero(); s.output];
    let db2: Vec<T> = (0..s.output)
        .map(|c| {
            let (plus, minus) = steps(engine.b2[c], h);
            let sum = (0..base.batch).fold(T::zero(), |acc, b| {
                acc + base.logit_nudge(b, c, plus, minus, &mut scratch)
            });
            sum * scale
        })
        .collect();

    Gradient {
        w1: DMatrix::from_row_slice(s.input, s.hidden, &dw1),
        b1: DVector::from_vec(db1),
        w2: DMatrix::from_row_slice(s.hidden, s.output, &dw2),
        b2: DVector::from_vec(db2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::small_problem;
    use crate::{Sizes, numerical_gradient};

    #[test]
    fn equals_the_brute_force_loop_within_1e9() {
        for (sizes, batch, seed) in [
            (Sizes::new(12, 5, 4).unwrap(), 7, 1),
            (Sizes::new(30, 8, 10).unwrap(), 20, 2),
            (Sizes::new(1, 1, 2).unwrap(), 1, 3),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let brute = numerical_gradient(&net, &x, &labels, 1e-4).unwrap();
            let fast = numerical_gradient_structured(&net, &x, &labels, 1e-4);
            let worst = brute.worst_difference(&fast, |v| v).unwrap();
            assert!(worst.abs < 1e-9, "{sizes:?}: {worst:?}");
            // A pixel that is zero in every row gets exactly zero, as in the brute force.
            for j in 0..sizes.input {
                if x.column(j).iter().all(|&v| v == 0.0) {
                    assert!(fast.w1.row(j).iter().all(|&g| g == 0.0));
                }
            }
        }
    }

    #[test]
    fn f32_is_close_to_f64_at_the_f32_step() {
        let (net, x, labels) = small_problem(Sizes::new(10, 4, 3).unwrap(), 6, 4);
        let g64 = numerical_gradient_structured(&net, &x, &labels, 1e-4);
        let g32 = numerical_gradient_structured(
            &net.map(|v| v as f32),
            &x.map(|v| v as f32),
            &labels,
            5e-3,
        );
        let d = g64.max_relative_difference(&g32.map(f64::from), 1e-2, |v| v);
        assert!(d < 1e-2, "{d}");
    }
}

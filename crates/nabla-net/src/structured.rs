//! The structure-aware numerical gradient: the brute-force central difference, recomputing
//! only what one nudged parameter changes.

use std::marker::PhantomData;

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use crate::activation::Activation;
use crate::by_pixel::ByPixel;
use crate::check::check_batch;
use crate::engine::Engine;
use crate::kernels::activation;
use crate::{Error, Gradient, Precision, SparseRows, TwoLayerNet};
use nabla_loss::{DELTA, argmax, softmax_in_place};

/// The book's numerical gradient, central differences with step `h` (the book uses `1e-4`)
/// over every parameter, computed by recomputing only what each nudge changes.
///
/// The brute-force loop evaluates the whole loss twice per parameter: `2 * 39760` forward
/// passes over the batch for MNIST's network. But nudging `w1[j, k]` changes only hidden
/// pre-activation `k`, and only in the rows where pixel `j` is non-zero; so the loss changes
/// only in those rows, and for each of them it is enough to recompute one activation and to shift
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
/// A NaN or infinity in `x` or in the network gives NaN elements, as [`backprop`](crate::backprop)
/// does, where the brute-force [`numerical_gradient`](crate::numerical_gradient) stops with
/// [`Error::NumDiff`] (nabla-numdiff checks every evaluation of the loss; this function never
/// evaluates the whole loss, only differences of per-row terms).
///
/// # Errors
///
/// [`Error::NotPositive`] if `h` is not finite and positive; [`Error::Shape`] if `x` does not
/// have one column per input or `labels` does not have one entry per row; [`Error::Empty`] if
/// `x` has no rows; [`Error::Label`] naming the first row whose label is not below the number
/// of outputs.
pub fn numerical_gradient_structured<T: Precision>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Result<Gradient<T>, Error> {
    on_whole_batch(net, x, labels, h, &LossRows)
}

/// The book's numerical derivative of the batch *accuracy* (the fraction of rows whose
/// largest logit is at the label) with respect to every parameter: central differences with
/// step `h`, `(acc(w + h) - acc(w - h)) / 2h`, computed as [`numerical_gradient_structured`]
/// computes the loss's, by recomputing only the rows and logits that each nudge moves.
///
/// This is chapter 4's argument for training on the loss (section 4.2.5): the accuracy
/// counts images, so a small nudge of one weight almost never changes it, and its derivative
/// is exactly zero for nearly every parameter; where it is not zero it is `±1 / (B * 2h)` times
/// a count of images that changed class, a spike that says nothing about the direction of
/// improvement.
///
/// A row counts as right when nabla-loss's [`argmax`](nabla_loss::argmax) of its logits
/// (ties to the first class, NaN first) is its label, as for [`TwoLayerNet::accuracy`]. The
/// nudged logits are the row's logits plus the change the nudge makes, where the brute-force
/// loop would recompute them from scratch: the two differ by rounding, which can only
/// matter for a row whose two largest logits are within rounding of each other (the test
/// holds the two to equality on random networks).
///
/// # Errors
///
/// As [`numerical_gradient_structured`].
pub fn numerical_accuracy_gradient_structured<T: Precision>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Result<Gradient<T>, Error> {
    on_whole_batch(net, x, labels, h, &AccuracyRows)
}

/// The two public functions: checks the step and the batch, then nudges every parameter over
/// all rows of `x`.
fn on_whole_batch<T: Precision, R: RowDifference<T>>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
    rule: &R,
) -> Result<Gradient<T>, Error> {
    if !(h.is_finite() && h > T::zero()) {
        return Err(Error::NotPositive {
            what: "numerical step",
            value: h.as_f64(),
        });
    }
    let sizes = net.sizes();
    check_batch("the batch", sizes.input, sizes.output, x.shape(), labels)?;
    let data = SparseRows::from_matrix(x)?;
    let rows: Vec<usize> = (0..x.nrows()).collect();
    let engine = Engine::from_net(net);
    Ok(nudge_every_parameter(
        &engine, &data, labels, &rows, h, rule,
    ))
}

/// `e^x - 1`: a Taylor polynomial for the tiny arguments a nudge produces (`|x| < 1e-3`,
/// where its error `x^6 / 720` is below `1e-21` relative), `exp_m1` otherwise.
#[inline]
fn expm1_small<T: Precision>(x: T) -> T {
    if x.abs() < T::from_f64(1e-3) {
        let one = T::one();
        let (two, three, four, five) = (
            T::from_f64(2.0),
            T::from_f64(3.0),
            T::from_f64(4.0),
            T::from_f64(5.0),
        );
        x * (one + x / two * (one + x / three * (one + x / four * (one + x / five))))
    } else {
        x.exp_m1()
    }
}

/// `L(+) - L(-) = -ln(y+ + 1e-7) + ln(y- + 1e-7)`, as one logarithm of a ratio.
#[inline]
fn loss_difference<T: Precision>(y_plus: T, y_minus: T) -> T {
    let delta = T::from_f64(DELTA);
    ((y_minus + delta) / (y_plus + delta)).ln()
}

/// The forward quantities of a batch that every nudge starts from.
///
/// A nudge moves the logits `l` of a row by small amounts `x_c`; rather than a fresh softmax
/// (ten exponentials), the new one is built from the row's cached softmax `y` (nabla-loss's
/// `softmax_in_place`): `softmax(l + x)_c = y_c (1 + expm1(x_c)) / sum_j y_j (1 + expm1(x_j))`,
/// with `expm1` of the tiny `x_c` a short polynomial and the denominator
/// `1 + sum_j y_j expm1(x_j)`. This is the same softmax up to rounding.
struct Base<T, A> {
    batch: usize,
    /// Row length of `pre` and `z` (the engine's padded hidden width).
    stride: usize,
    output: usize,
    /// `batch x stride` pre-activations.
    pre: Vec<T>,
    /// `batch x stride` activations.
    z: Vec<T>,
    /// `batch x output`: the logits.
    logits: Vec<T>,
    /// `batch x output`: the softmax of the logits.
    y: Vec<T>,
    /// Label of each batch row.
    labels: Vec<usize>,
    /// The hidden layer's activation.
    activation: PhantomData<A>,
}

impl<T: Precision, A: Activation> Base<T, A> {
    fn new(engine: &Engine<T, A>, data: &SparseRows<T>, labels: &[usize], rows: &[usize]) -> Self {
        let (h, o) = (engine.stride(), engine.sizes().output);
        let b = rows.len();
        let mut pre = vec![T::zero(); b * h];
        let mut z = vec![T::zero(); b * h];
        let mut y = vec![T::zero(); b * o];
        let mut logits = vec![T::zero(); b * o];
        for ((((&r, p), zr), yr), lr) in rows
            .iter()
            .zip(pre.chunks_exact_mut(h))
            .zip(z.chunks_exact_mut(h))
            .zip(y.chunks_exact_mut(o))
            .zip(logits.chunks_exact_mut(o))
        {
            let (idx, val) = data.row(r);
            engine.hidden_pre((idx, val), p);
            zr.copy_from_slice(p);
            engine.activate(zr);
            engine.output_row(zr, lr);
            yr.copy_from_slice(lr);
            softmax_in_place(T::real_mut(yr));
        }
        Base {
            batch: b,
            stride: h,
            output: o,
            pre,
            z,
            logits,
            y,
            labels: rows.iter().map(|&r| labels[r]).collect(),
            activation: PhantomData,
        }
    }

    /// `L_b(+) - L_b(-)` when hidden pre-activation `k` of row `b` moves by `plus` and by
    /// `minus`: the activation moves by `dz`, each logit `c` by `dz * w2[k, c]`.
    #[inline]
    fn hidden_nudge(&self, w2_row: &[T], b: usize, k: usize, plus: T, minus: T) -> T {
        let at = b * self.stride + k;
        let (a, z0) = (self.pre[at], self.z[at]);
        let y = &self.y[b * self.output..(b + 1) * self.output];
        let label = self.labels[b];
        let (dz_plus, dz_minus) = (
            activation::<T, A>(a + plus) - z0,
            activation::<T, A>(a + minus) - z0,
        );
        let (mut s_plus, mut s_minus) = (T::one(), T::one());
        let (mut t_plus, mut t_minus) = (T::zero(), T::zero());
        for (c, (&yc, &w)) in y.iter().zip(w2_row).enumerate() {
            let (mp, mm) = (expm1_small(dz_plus * w), expm1_small(dz_minus * w));
            s_plus = s_plus + yc * mp;
            s_minus = s_minus + yc * mm;
            if c == label {
                (t_plus, t_minus) = (yc + yc * mp, yc + yc * mm);
            }
        }
        loss_difference(t_plus / s_plus, t_minus / s_minus)
    }

    /// `L_b(+) - L_b(-)` when logit `c` of row `b` moves by `plus` and by `minus`.
    #[inline]
    fn logit_nudge(&self, b: usize, c: usize, plus: T, minus: T) -> T {
        let y = &self.y[b * self.output..(b + 1) * self.output];
        let label = self.labels[b];
        let moved = |shift: T| {
            let m = expm1_small(shift);
            let s = T::one() + y[c] * m;
            let t = if c == label {
                y[c] + y[c] * m
            } else {
                y[label]
            };
            t / s
        };
        loss_difference(moved(plus), moved(minus))
    }

    /// `1` if row `b` is classified right once logit `c` has moved by `shift(c)`, else `0`
    /// (nabla-loss's `argmax` on the logits widened to f64, which keeps their order, ties
    /// and NaNs, as [`Engine::accuracy`] does).
    #[inline]
    fn correct(&self, wide: &mut Vec<f64>, b: usize, shift: impl Fn(usize) -> T) -> T {
        let logits = &self.logits[b * self.output..(b + 1) * self.output];
        wide.clear();
        wide.extend(
            logits
                .iter()
                .enumerate()
                .map(|(c, &l)| (l + shift(c)).as_f64()),
        );
        if argmax(wide) == Some(self.labels[b]) {
            T::one()
        } else {
            T::zero()
        }
    }

    /// `right(+) - right(-)` for row `b` when its hidden pre-activation `k` moves by `plus`
    /// and by `minus`.
    #[inline]
    fn hidden_flip(
        &self,
        wide: &mut Vec<f64>,
        w2_row: &[T],
        b: usize,
        k: usize,
        plus: T,
        minus: T,
    ) -> T {
        let at = b * self.stride + k;
        let (a, z0) = (self.pre[at], self.z[at]);
        let (dz_plus, dz_minus) = (
            activation::<T, A>(a + plus) - z0,
            activation::<T, A>(a + minus) - z0,
        );
        self.correct(wide, b, |c| dz_plus * w2_row[c])
            - self.correct(wide, b, |c| dz_minus * w2_row[c])
    }

    /// `right(+) - right(-)` for row `b` when its logit `c` moves by `plus` and by `minus`.
    #[inline]
    fn logit_flip(&self, wide: &mut Vec<f64>, b: usize, c: usize, plus: T, minus: T) -> T {
        let moved = |by: T| move |i: usize| if i == c { by } else { T::zero() };
        self.correct(wide, b, moved(plus)) - self.correct(wide, b, moved(minus))
    }
}

/// The per-row quantity whose central difference [`nudge_every_parameter`] sums over the
/// rows a nudge reaches: `q_r(+h) - q_r(-h)` for a move of one hidden pre-activation or of
/// one logit of row `r`.
trait RowDifference<T: Precision>: Sync {
    /// Scratch space, one per rayon task.
    type Scratch: Default + Send;

    /// The difference when hidden pre-activation `k` of row `b` moves by `plus` and `minus`.
    #[allow(clippy::too_many_arguments)]
    fn hidden<A: Activation>(
        &self,
        base: &Base<T, A>,
        scratch: &mut Self::Scratch,
        w2_row: &[T],
        b: usize,
        k: usize,
        plus: T,
        minus: T,
    ) -> T;

    /// The difference when logit `c` of row `b` moves by `plus` and `minus`.
    fn logit<A: Activation>(
        &self,
        base: &Base<T, A>,
        scratch: &mut Self::Scratch,
        b: usize,
        c: usize,
        plus: T,
        minus: T,
    ) -> T;
}

/// The row's loss `-ln(y_label + 1e-7)`: the numerical gradient of the batch loss.
struct LossRows;

impl<T: Precision> RowDifference<T> for LossRows {
    type Scratch = ();

    #[inline]
    fn hidden<A: Activation>(
        &self,
        base: &Base<T, A>,
        _: &mut (),
        w2_row: &[T],
        b: usize,
        k: usize,
        plus: T,
        minus: T,
    ) -> T {
        base.hidden_nudge(w2_row, b, k, plus, minus)
    }

    #[inline]
    fn logit<A: Activation>(
        &self,
        base: &Base<T, A>,
        _: &mut (),
        b: usize,
        c: usize,
        plus: T,
        minus: T,
    ) -> T {
        base.logit_nudge(b, c, plus, minus)
    }
}

/// Whether the row is classified right (1 or 0): the numerical gradient of the batch accuracy.
struct AccuracyRows;

impl<T: Precision> RowDifference<T> for AccuracyRows {
    type Scratch = Vec<f64>;

    #[inline]
    fn hidden<A: Activation>(
        &self,
        base: &Base<T, A>,
        wide: &mut Vec<f64>,
        w2_row: &[T],
        b: usize,
        k: usize,
        plus: T,
        minus: T,
    ) -> T {
        base.hidden_flip(wide, w2_row, b, k, plus, minus)
    }

    #[inline]
    fn logit<A: Activation>(
        &self,
        base: &Base<T, A>,
        wide: &mut Vec<f64>,
        b: usize,
        c: usize,
        plus: T,
        minus: T,
    ) -> T {
        base.logit_flip(wide, b, c, plus, minus)
    }
}

/// The nudges `fl(w + h) - w` and `fl(w - h) - w` that the brute-force loop really applies.
#[inline]
fn steps<T: Precision>(w: T, h: T) -> (T, T) {
    ((w + h) - w, (w - h) - w)
}

/// The structure-aware gradient of the loss on batch `rows` of `data` (see
/// [`numerical_gradient_structured`]).
pub(crate) fn structured_gradient<T: Precision, A: Activation>(
    engine: &Engine<T, A>,
    data: &SparseRows<T>,
    labels: &[usize],
    rows: &[usize],
    h: T,
) -> Gradient<T> {
    nudge_every_parameter(engine, data, labels, rows, h, &LossRows)
}

/// The central difference of the batch mean of `rule`'s per-row quantity, for every
/// parameter: each parameter is nudged by `fl(w ± h) - w`, and only the rows it reaches are
/// recomputed (for `w1[j, k]` the rows where pixel `j` is not zero).
fn nudge_every_parameter<T: Precision, A: Activation, R: RowDifference<T>>(
    engine: &Engine<T, A>,
    data: &SparseRows<T>,
    labels: &[usize],
    rows: &[usize],
    h: T,
    rule: &R,
) -> Gradient<T> {
    let s = engine.sizes();
    let base = Base::new(engine, data, labels, rows);
    let scale = T::one() / (T::from_f64(base.batch as f64) * (h + h));

    // For each pixel, the batch rows where it is non-zero, with the pixel's value.
    let mut by_pixel = ByPixel::default();
    by_pixel.fill(data, rows);
    let dw1 = nudge_w1(engine, &base, &by_pixel, (h, scale), rule);

    // b1[k]: hidden unit k of every row.
    let db1: Vec<T> = (0..s.hidden)
        .into_par_iter()
        .map_init(R::Scratch::default, |scratch, k| {
            let (plus, minus) = steps(engine.b1(k), h);
            let w2_row = engine.w2_row(k);
            let sum = (0..base.batch).fold(T::zero(), |acc, b| {
                acc + rule.hidden(&base, scratch, w2_row, b, k, plus, minus)
            });
            sum * scale
        })
        .collect();

    // w2[k, c]: logit c of every row moves by the nudge times z[b, k].
    let mut dw2 = vec![T::zero(); s.hidden * s.output];
    dw2.par_chunks_mut(s.output).enumerate().for_each_init(
        R::Scratch::default,
        |scratch, (k, out)| {
            for (c, g) in out.iter_mut().enumerate() {
                let (plus, minus) = steps(engine.w2(k, c), h);
                let sum = (0..base.batch).fold(T::zero(), |acc, b| {
                    let zk = base.z[b * base.stride + k];
                    acc + rule.logit(&base, scratch, b, c, zk * plus, zk * minus)
                });
                *g = sum * scale;
            }
        },
    );

    // b2[c]: logit c of every row.
    let mut scratch = R::Scratch::default();
    let db2: Vec<T> = (0..s.output)
        .map(|c| {
            let (plus, minus) = steps(engine.b2(c), h);
            let sum = (0..base.batch).fold(T::zero(), |acc, b| {
                acc + rule.logit(&base, &mut scratch, b, c, plus, minus)
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

/// The `w1` part of [`nudge_every_parameter`]: for `w1[j, k]`, the rows where pixel `j` is
/// non-zero (`by_pixel`), hidden unit `k`; `(h, scale)` the nudge and `1 / (batch 2h)`.
fn nudge_w1<T: Precision, A: Activation, R: RowDifference<T>>(
    engine: &Engine<T, A>,
    base: &Base<T, A>,
    by_pixel: &ByPixel<T>,
    (h, scale): (T, T),
    rule: &R,
) -> Vec<T> {
    let s = engine.sizes();
    let mut dw1 = vec![T::zero(); s.input * s.hidden];
    dw1.par_chunks_mut(s.hidden).enumerate().for_each_init(
        R::Scratch::default,
        |scratch, (j, out)| {
            let column = by_pixel.pixel(j);
            if column.is_empty() {
                return;
            }
            for (k, g) in out.iter_mut().enumerate() {
                let (plus, minus) = steps(engine.w1(j, k), h);
                let w2_row = engine.w2_row(k);
                let mut sum = T::zero();
                for &(b, v) in column {
                    let b = b as usize;
                    sum = sum + rule.hidden(base, scratch, w2_row, b, k, v * plus, v * minus);
                }
                *g = sum * scale;
            }
        },
    );
    dw1
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
            let fast = numerical_gradient_structured(&net, &x, &labels, 1e-4).unwrap();
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
    fn expm1_small_is_exp_m1_to_a_few_ulps() {
        // Below 1e-3 the series to x^5 / 120: at 9.9e-4 its last term is 1e-14 of the
        // value, 40 ulps, so a wrong coefficient anywhere shows; above, `exp_m1` itself.
        for x in [9.9e-4, -9.9e-4, 5e-4, -7e-4, 1e-5, 0.0, 0.5, -2.0, 3.0] {
            let (got, want) = (expm1_small(x), f64::exp_m1(x));
            assert!(
                (got - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                "{x}: {got} vs {want}"
            );
        }
        let x = 9.9e-4f32;
        assert!((expm1_small(x) - x.exp_m1()).abs() <= 4.0 * f32::EPSILON * x);
    }

    #[test]
    fn a_nan_input_gives_nan_where_the_brute_force_loop_refuses() {
        let (net, mut x, labels) = small_problem(Sizes::new(12, 5, 4).unwrap(), 7, 5);
        x[(2, 3)] = f64::NAN;
        let g = numerical_gradient_structured(&net, &x, &labels, 1e-4).unwrap();
        assert!(g.b2.iter().all(|v| v.is_nan()), "{:?}", g.b2);
        assert!(matches!(
            numerical_gradient(&net, &x, &labels, 1e-4),
            Err(Error::NumDiff(_))
        ));
    }

    #[test]
    fn f32_is_close_to_f64_at_the_f32_step() {
        let (net, x, labels) = small_problem(Sizes::new(10, 4, 3).unwrap(), 6, 4);
        let g64 = numerical_gradient_structured(&net, &x, &labels, 1e-4).unwrap();
        let g32 = numerical_gradient_structured(
            &net.map(|v| v as f32),
            &x.map(|v| v as f32),
            &labels,
            5e-3,
        )
        .unwrap();
        let d = g64.max_relative_difference(&g32.map(f64::from), 1e-2, |v| v);
        assert!(d < 1e-2, "{d}");
    }

    #[test]
    fn bad_batches_and_steps_are_typed_errors() {
        let (net, x, mut labels) = small_problem(Sizes::new(10, 4, 3).unwrap(), 6, 4);
        let structured = |x: &DMatrix<f64>, labels: &[usize], h: f64| {
            numerical_gradient_structured(&net, x, labels, h).unwrap_err()
        };
        assert_eq!(
            structured(&x.columns(1, 9).into_owned(), &labels, 1e-4).to_string(),
            "shape mismatch: inputs per sample in the batch: expected 10, got 9"
        );
        assert_eq!(
            structured(&x, &labels[1..], 1e-4).to_string(),
            "shape mismatch: labels for the batch (one per sample): expected 6, got 5"
        );
        assert!(matches!(
            structured(&DMatrix::zeros(0, 10), &[], 1e-4),
            Error::Empty { what: "the batch" }
        ));
        for h in [0.0, -1e-4, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(
                    structured(&x, &labels, h),
                    Error::NotPositive {
                        what: "numerical step",
                        ..
                    }
                ),
                "{h}"
            );
        }
        labels[2] = 3;
        assert_eq!(
            structured(&x, &labels, 1e-4).to_string(),
            "label 3 at row 2 is out of range: the network has 3 outputs"
        );
    }
}

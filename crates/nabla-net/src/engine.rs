//! The fast path: the network's parameters in the layout its kernels (`kernels.rs`) work on,
//! with sparse inputs.
//!
//! `w1` is kept as `input` rows of `stride` lanes (`hidden` padded with zero lanes to a
//! multiple of 8, the rows aligned to 32 bytes), so that the weights of one pixel are
//! contiguous: the hidden row of an image is a
//! sum of `value * w1[pixel]` over its non-zero pixels. `w2` is kept transposed (`w2t`, for
//! its update and the backward pass) and row-major with the outputs padded (`w2p`, for the
//! logits). [`Engine::to_net`] and [`Engine::from_net`] convert from and to the book's shapes.
//!
//! Two drivers run the kernels: [`Engine::pass`] and [`Engine::gradient`] here (a one-off
//! gradient, the two halves of a batch on rayon's threads) and the training loop's
//! `trainer.rs` (two threads for the whole loop). Both call the same kernels, so a training
//! step and a gradient are the same arithmetic.
//!
//! The layout has one owner, this file: other files (`structured.rs`, `trainer.rs`, the
//! kernels through [`kernels::Layout`] and [`kernels::W1`]) read parameters through the
//! engine's accessors ([`Engine::w1`], [`Engine::b1`], [`Engine::w2_row`], ...) or the views it
//! hands out.
//!
//! The arithmetic of a row is the generic path's, called rather than copied: the activation
//! and its derivative come from `activation.rs`, the softmax and the book's loss of the row
//! from nabla-loss's `softmax_then_cross_entropy`, each on the buffers here.

use std::marker::PhantomData;

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use crate::activation::{Activation, Hidden};
use crate::kernels::{self, Aligned, Half, Layout, Pass, Small, Sums, W1};
use crate::simd::Dispatch;
use crate::{Gradient, Precision, Sizes, SparseRows, TwoLayerNet};

/// The parameters in the fast layout, for a network whose hidden layer computes `A`.
#[derive(Debug)]
pub(crate) struct Engine<T, A = Hidden> {
    pub(crate) layout: Layout,
    /// `input x stride`: pixel `j`'s weights are lanes `j stride .. (j + 1) stride`. The
    /// padding lanes are zero and stay zero (their activations are set to 0, so no gradient
    /// reaches them).
    pub(crate) w1: Aligned<T>,
    /// The first pixel of the second half of `w1`, which the second of two threads updates;
    /// about half of the batch's non-zeros fall on either side (see [`Engine::balance`]).
    pub(crate) split: usize,
    pub(crate) small: Small<T>,
    activation: PhantomData<A>,
}

impl<T: Precision, A> Clone for Engine<T, A> {
    fn clone(&self) -> Self {
        Engine {
            layout: self.layout,
            w1: self.w1.clone(),
            split: self.split,
            small: self.small.clone(),
            activation: PhantomData,
        }
    }
}

/// Scratch space for the passes over a batch: each half's rows and their total.
#[derive(Debug, Default)]
pub(crate) struct Buffers<T> {
    pub(crate) halves: [Half<T>; 2],
    pub(crate) sums: Sums<T>,
}

/// Batches at least this large are split into two halves (two threads; the halves' sums are
/// added, so the split is part of the arithmetic and does not depend on the threads).
pub(crate) const PARALLEL_ROWS: usize = 32;

/// The rows of `rows` that each half of a batch holds: the first and second half for a batch
/// of [`PARALLEL_ROWS`] or more, else all of them and none.
pub(crate) fn halves(rows: &[usize]) -> [&[usize]; 2] {
    if rows.len() >= PARALLEL_ROWS {
        let (a, b) = rows.split_at(rows.len() / 2);
        [a, b]
    } else {
        [rows, &[]]
    }
}

impl<T: Precision> Engine<T> {
    /// `net` in the fast layout, with the network's activation.
    pub(crate) fn from_net(net: &TwoLayerNet<T>) -> Self {
        Self::with_activation(net)
    }
}

impl<T: Precision, A: Activation> Engine<T, A> {
    /// `net` in the fast layout, its hidden layer computing `A` (tests swap the activation),
    /// its kernels running with the instruction set chosen on this thread
    /// ([`Dispatch::chosen`]).
    pub(crate) fn with_activation(net: &TwoLayerNet<T>) -> Self {
        let sizes = net.sizes();
        let layout = Layout::new(sizes, Dispatch::chosen(None));
        let (stride, opad) = (layout.stride, layout.opad);
        let mut w1 = Aligned::zeros(sizes.input * stride);
        for (j, row) in w1.as_mut_slice().chunks_exact_mut(stride).enumerate() {
            for (k, w) in row[..sizes.hidden].iter_mut().enumerate() {
                *w = net.w1()[(j, k)];
            }
        }
        let mut b1 = vec![T::zero(); stride];
        b1[..sizes.hidden].copy_from_slice(net.b1().as_slice());
        let mut w2t = vec![T::zero(); sizes.output * stride];
        for (c, row) in w2t.chunks_exact_mut(stride).enumerate() {
            for (k, w) in row[..sizes.hidden].iter_mut().enumerate() {
                *w = net.w2()[(k, c)];
            }
        }
        let mut b2 = vec![T::zero(); opad];
        b2[..sizes.output].copy_from_slice(net.b2().as_slice());
        let mut small = Small {
            b1,
            w2t,
            w2p: vec![T::zero(); sizes.hidden * opad],
            b2,
        };
        small.sync_w2p(&layout);
        Engine {
            layout,
            w1,
            split: sizes.input / 2,
            small,
            activation: PhantomData,
        }
    }

    /// The engine whose `w1` is `lo` (the rows of the pixels below `split`) followed by `hi`.
    pub(crate) fn assemble(
        layout: Layout,
        lo: &[T],
        hi: &[T],
        split: usize,
        small: Small<T>,
    ) -> Self {
        let mut w1 = Aligned::zeros(lo.len() + hi.len());
        let (a, b) = w1.as_mut_slice().split_at_mut(lo.len());
        a.copy_from_slice(lo);
        b.copy_from_slice(hi);
        Engine {
            layout,
            w1,
            split,
            small,
            activation: PhantomData,
        }
    }

    pub(crate) fn to_net(&self) -> TwoLayerNet<T> {
        let s = self.layout.sizes;
        TwoLayerNet::from_parts(
            DMatrix::from_fn(s.input, s.hidden, |j, k| self.w1(j, k)),
            DVector::from_column_slice(&self.small.b1[..s.hidden]),
            DMatrix::from_fn(s.hidden, s.output, |k, c| self.w2(k, c)),
            DVector::from_column_slice(&self.small.b2[..s.output]),
        )
        .expect("the engine keeps the shapes of the network it was made from") // ok: invariant
    }

    /// Runs the kernels with `dispatch`'s instruction set from now on.
    pub(crate) fn set_dispatch(&mut self, dispatch: Dispatch) {
        self.layout.dispatch = dispatch;
    }

    /// Moves the split of `w1` between the two threads of a step to the pixel where the
    /// non-zeros of a sample of `data`'s rows (every 32nd) fall half on either side.
    pub(crate) fn balance(&mut self, data: &SparseRows<T>) {
        let input = self.layout.sizes.input;
        let mut count = vec![0usize; input];
        for r in (0..data.nrows()).step_by(32) {
            for &j in data.row(r).0 {
                count[j as usize] += 1;
            }
        }
        let total: usize = count.iter().sum();
        let mut below = 0;
        self.split = count
            .iter()
            .position(|&c| {
                below += c;
                2 * below >= total
            })
            .map_or(input / 2, |j| j + 1);
    }

    /// `w1` as the kernels read it.
    pub(crate) fn w1_view(&self) -> W1<'_, T> {
        let (lo, hi) = self.w1.as_slice().split_at(self.split * self.layout.stride);
        W1 {
            lo,
            hi,
            split: self.split,
            stride: self.layout.stride,
        }
    }

    /// The network's shapes.
    pub(crate) fn sizes(&self) -> Sizes {
        self.layout.sizes
    }

    /// Lanes per hidden row (`hidden` padded to a multiple of 8): the length of a row that
    /// [`Engine::hidden_pre`] and [`Engine::activate`] work on.
    pub(crate) fn stride(&self) -> usize {
        self.layout.stride
    }

    /// `b1[k]`.
    pub(crate) fn b1(&self, k: usize) -> T {
        self.small.b1[k]
    }

    /// `b2[c]`.
    pub(crate) fn b2(&self, c: usize) -> T {
        self.small.b2[c]
    }

    /// `w1[j, k]`.
    pub(crate) fn w1(&self, j: usize, k: usize) -> T {
        self.w1.as_slice()[j * self.layout.stride + k]
    }

    /// `&mut w1[j, k]`.
    pub(crate) fn w1_mut(&mut self, j: usize, k: usize) -> &mut T {
        &mut self.w1.as_mut_slice()[j * self.layout.stride + k]
    }

    /// `w2[k, c]`.
    pub(crate) fn w2(&self, k: usize, c: usize) -> T {
        self.small.w2t[c * self.layout.stride + k]
    }

    /// Row `k` of `w2`: hidden unit `k`'s weight to each output.
    pub(crate) fn w2_row(&self, k: usize) -> &[T] {
        let opad = self.layout.opad;
        &self.small.w2p[k * opad..k * opad + self.layout.sizes.output]
    }

    /// `b1 + sum over non-zeros of value * w1[pixel]`, the pre-activation of one row
    /// (`stride` entries; the padding lanes come out 0).
    pub(crate) fn hidden_pre(&self, row: (&[u32], &[T]), h: &mut [T]) {
        let group = self.layout.group::<T>();
        kernels::hidden_pre(&self.w1_view(), &self.small.b1, group, row, h);
    }

    /// The activations of one row in place: `A` of the pre-activations, 0 in the padding.
    pub(crate) fn activate(&self, h: &mut [T]) {
        kernels::activate::<T, A>(self.layout.sizes.hidden, h);
    }

    /// `b2 + z w2` for one row of activations `z` (`output` logits into `o`).
    pub(crate) fn output_row(&self, z: &[T], o: &mut [T]) {
        let mut padded = vec![T::zero(); self.layout.opad];
        kernels::logits(&self.layout, &self.small, z, &mut padded);
        o.copy_from_slice(&padded[..o.len()]);
    }

    /// What a pass over `rows` of `data` reads (see [`kernels::rows_pass`]).
    fn pass_inputs<'a>(
        &'a self,
        data: &'a SparseRows<T>,
        labels: &'a [usize],
        inv_b: T,
        backward: bool,
    ) -> Pass<'a, T> {
        Pass {
            layout: &self.layout,
            w1: self.w1_view(),
            small: &self.small,
            data,
            labels,
            inv_b,
            backward,
        }
    }

    /// Forward (and backward) pass over the listed rows, the two halves of a large batch on
    /// two threads (a fixed split, so the result does not depend on scheduling). Returns the
    /// mean loss; with `backward`, `buf` holds each half's `dy` and `da` and the batch's
    /// sums for `w2`, `b2` and `b1`.
    pub(crate) fn pass(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        buf: &mut Buffers<T>,
        backward: bool,
    ) -> T {
        let inv_b = T::one() / T::from_f64(rows.len() as f64);
        let pass = self.pass_inputs(data, labels, inv_b, backward);
        // One half, with the engine's instruction set.
        let half_pass = |rows: &[usize], half: &mut Half<T>| {
            self.layout.dispatch.run(
                #[inline(always)]
                || kernels::rows_pass::<T, A>(&pass, rows, half),
            )
        };
        let [r0, r1] = halves(rows);
        let [h0, h1] = &mut buf.halves;
        let loss = if r1.is_empty() {
            half_pass(r0, h0)
        } else {
            let (l0, l1) = rayon::join(|| half_pass(r0, h0), || half_pass(r1, h1));
            l0 + l1
        };
        if backward {
            let second = (!r1.is_empty()).then_some(&h1.sums);
            buf.sums.combine(&self.layout, &h0.sums, second);
        }
        loss * inv_b
    }

    /// `params -= lr * gradient`, the gradient in the book's shapes.
    pub(crate) fn apply(&mut self, g: &Gradient<T>, lr: T) {
        let s = self.layout.sizes;
        for j in 0..s.input {
            for k in 0..s.hidden {
                let w = self.w1_mut(j, k);
                *w = *w - lr * g.w1[(j, k)];
            }
        }
        let stride = self.layout.stride;
        for k in 0..s.hidden {
            self.small.b1[k] = self.small.b1[k] - lr * g.b1[k];
            for c in 0..s.output {
                let w = &mut self.small.w2t[c * stride + k];
                *w = *w - lr * g.w2[(k, c)];
            }
        }
        for c in 0..s.output {
            self.small.b2[c] = self.small.b2[c] - lr * g.b2[c];
        }
        self.small.sync_w2p(&self.layout);
    }

    /// The full gradient on the listed rows, in the book's shapes, and the loss.
    pub(crate) fn gradient(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        buf: &mut Buffers<T>,
    ) -> (T, Gradient<T>) {
        let (s, stride) = (self.layout.sizes, self.layout.stride);
        let loss = self.pass(data, labels, rows, buf, true);
        // dw1 = x^T da, added into zeros pixel by pixel: the two halves of the pixels on two threads.
        let mut dw1 = Aligned::zeros(s.input * stride);
        let (lo, hi) = dw1.as_mut_slice().split_at_mut(self.split * stride);
        let empty = Half::default();
        // A batch too small to split ran as one half: the other's lists are stale.
        let done = match halves(rows) {
            [_, []] => [&buf.halves[0], &empty],
            _ => [&buf.halves[0], &buf.halves[1]],
        };
        let update = |w: &mut [T], base: usize| {
            let group = self.layout.group::<T>();
            self.layout.dispatch.run(
                #[inline(always)]
                || kernels::update_w1(w, (base, stride), group, done, T::one()),
            );
        };
        if rows.len() >= PARALLEL_ROWS {
            rayon::join(|| update(lo, 0), || update(hi, self.split));
        } else {
            update(lo, 0);
            update(hi, self.split);
        }
        let grads = Engine {
            w1: dw1,
            ..self.clone()
        };
        let sums = &buf.sums;
        let grad = Gradient {
            w1: DMatrix::from_fn(s.input, s.hidden, |j, k| grads.w1(j, k)),
            b1: DVector::from_column_slice(&sums.db1[..s.hidden]),
            w2: DMatrix::from_fn(s.hidden, s.output, |k, c| sums.dw2t[c * stride + k]),
            b2: DVector::from_column_slice(&sums.db2),
        };
        (loss, grad)
    }

    /// Fraction of rows of `data` whose largest logit is at the label, in parallel over
    /// chunks of rows.
    pub(crate) fn accuracy(&self, data: &SparseRows<T>, labels: &[usize]) -> f64 {
        let n = data.nrows();
        if n == 0 {
            return 0.0;
        }
        let (layout, w1, small) = (&self.layout, self.w1_view(), &self.small);
        let correct: usize = (0..n.div_ceil(EVAL_CHUNK))
            .into_par_iter()
            .map(|c| {
                let range = c * EVAL_CHUNK..n.min((c + 1) * EVAL_CHUNK);
                layout.dispatch.run(
                    #[inline(always)]
                    || kernels::count_correct::<T, A>(layout, &w1, small, data, labels, range),
                )
            })
            .sum();
        correct as f64 / n as f64
    }
}

/// Rows per chunk of an evaluation (the unit of work one thread takes at a time).
pub(crate) const EVAL_CHUNK: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::small_problem;
    use crate::train::train_engine;
    use crate::{Dataset, InstructionSet, Sizes, TrainConfig, TrainOutcome};
    use approx::assert_relative_eq;

    /// Trains 300 SGD steps (batches of 40, split in two halves) of a network with 50 hidden
    /// units, with the kernels compiled for `set`, on `threads` threads, through `train`'s
    /// own loop; returns the outcome.
    fn train_on<T: Precision>(set: InstructionSet, threads: usize) -> TrainOutcome<T> {
        let sizes = Sizes::new(64, 50, 10).unwrap();
        let (net, x, labels) = small_problem(sizes, 440, 51);
        let labels: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
        let x = x.map(T::from_f64);
        let train_set = Dataset::new(&x.rows(0, 400).into_owned(), &labels[..400]).unwrap();
        let test_set = Dataset::new(&x.rows(400, 40).into_owned(), &labels[400..]).unwrap();
        let mut engine = Engine::from_net(&net.map(T::from_f64));
        engine.set_dispatch(Dispatch::new(set));
        let config = TrainConfig {
            iterations: 300,
            batch_size: 40,
            learning_rate: 0.5,
            seed: 5,
            eval_every: Some(100),
            ..TrainConfig::default()
        };
        train_engine(engine, threads, &train_set, &test_set, &config, &mut ()).unwrap()
    }

    fn bits<T: Precision>(net: &TwoLayerNet<T>) -> Vec<u64> {
        net.parameters()
            .iter()
            .flat_map(|m| m.iter().map(|v| v.as_f64().to_bits()))
            .collect()
    }

    /// Every instruction set this processor has, on one thread and on two, gives the bits of
    /// the fallback on one thread: the kernels are the same loops (grouped differently: four
    /// blocks of the 50 hidden units at a time on the baseline, all seven with AVX2 in `f32`),
    /// Rust neither fuses `a * b + c` into an FMA nor reorders a sum, and the two threads
    /// split the work, not the arithmetic.
    fn same_bits_on_every_path<T: Precision>() {
        let reference = train_on::<T>(InstructionSet::Baseline, 1);
        let (first, last) = (reference.losses[0], reference.losses[299]);
        // Learning happened, so the comparison below compares something that moved.
        assert!(last < 0.7 * first, "{first} {last}");
        assert!(reference.final_train_accuracy > 0.3);
        let mut compared = Vec::new();
        for set in [
            InstructionSet::Baseline,
            InstructionSet::Avx2Fma,
            InstructionSet::Avx512,
        ] {
            // On a processor without `set`, this runs the widest one below it.
            let ran = Dispatch::new(set).set();
            for threads in [1, 2] {
                let other = train_on::<T>(set, threads);
                assert_eq!(bits(&other.net), bits(&reference.net), "{ran}, {threads}");
                assert_eq!(other.losses, reference.losses, "{ran}, {threads}");
                assert_eq!(other.epochs, reference.epochs, "{ran}, {threads}");
                assert_eq!(
                    (other.final_train_accuracy, other.final_test_accuracy),
                    (
                        reference.final_train_accuracy,
                        reference.final_test_accuracy
                    )
                );
            }
            compared.push(ran);
        }
        // The comparison reached every instruction set the processor has: on an AVX2
        // machine, the AVX2 kernels against the baseline's.
        assert!(compared.contains(&InstructionSet::supported()));
        compared.dedup();
        if compared.len() < 2 {
            // Written past the test harness's capture, so that a run that could not compare
            // a wide path says so even when it passes.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "NOT TESTED ({}): this processor has no instruction set wider than the \
                 baseline, so no wide path was compared with the fallback",
                T::NAME
            );
        }
    }

    #[test]
    fn wide_paths_train_bit_for_bit_as_the_fallback_f32() {
        same_bits_on_every_path::<f32>();
    }

    #[test]
    fn wide_paths_train_bit_for_bit_as_the_fallback_f64() {
        same_bits_on_every_path::<f64>();
    }

    #[test]
    fn the_kernels_keep_as_many_blocks_in_registers_as_the_instruction_set_has_room_for() {
        let sizes = Sizes::new(4, 50, 10).unwrap();
        let layout = |set| Layout::new(sizes, Dispatch::new(set));
        let baseline = layout(InstructionSet::Baseline);
        assert_eq!((baseline.stride, baseline.opad), (56, 16));
        // 128 bytes on the baseline (8 of its 16 registers), 256 with AVX2.
        assert_eq!(baseline.group::<f32>(), 4);
        assert_eq!(baseline.group::<f64>(), 2);
        if InstructionSet::supported() >= InstructionSet::Avx2Fma {
            let wide = layout(InstructionSet::Avx2Fma);
            assert_eq!(wide.group::<f32>(), 8);
            assert_eq!(wide.group::<f64>(), 4);
        }
    }

    #[test]
    fn the_layout_keeps_every_parameter() {
        // Hidden 13 and output 3: both padded, with zero lanes.
        let (net, _, _) = small_problem(Sizes::new(9, 13, 3).unwrap(), 1, 37);
        let engine = Engine::from_net(&net);
        assert_eq!(engine.to_net(), net);
        for k in 0..13 {
            assert_eq!(
                engine.w2_row(k),
                net.w2().row(k).iter().copied().collect::<Vec<_>>()
            );
        }
        let (stride, opad) = (engine.layout.stride, engine.layout.opad);
        assert_eq!((stride, opad), (16, 8));
        for row in engine.w1.as_slice().chunks_exact(stride) {
            assert!(row[13..].iter().all(|&w| w == 0.0));
        }
        assert!(engine.small.b1[13..].iter().all(|&b| b == 0.0));
        assert!(engine.small.b2[3..].iter().all(|&b| b == 0.0));
        for row in engine.small.w2t.chunks_exact(stride) {
            assert!(row[13..].iter().all(|&w| w == 0.0));
        }
        for row in engine.small.w2p.chunks_exact(opad) {
            assert!(row[3..].iter().all(|&w| w == 0.0));
        }
    }

    #[test]
    fn the_split_of_w1_puts_half_of_the_non_zeros_on_either_side() {
        // Pixels 0..8 are non-zero in every row, pixel 9 in none, pixels 10..40 in one row
        // of two: 8 + 15 per row on average, so the middle non-zero falls on pixel 21.
        let sizes = Sizes::new(40, 4, 2).unwrap();
        let x = DMatrix::from_fn(64, 40, |r, j| {
            f64::from(j < 8 || (j >= 10 && (r + j) % 2 == 0))
        });
        let data = SparseRows::from_matrix(&x).unwrap();
        let net = TwoLayerNet::<f64>::new(sizes, 0.1, 1).unwrap();
        let mut engine = Engine::from_net(&net);
        assert_eq!(engine.split, 20);
        engine.balance(&data);
        // Every 32nd row is sampled (rows 0 and 32): the split is the first pixel with at
        // least half of their non-zeros below it.
        let below = |split: usize| -> usize {
            (0..64)
                .step_by(32)
                .map(|r| {
                    data.row(r)
                        .0
                        .iter()
                        .filter(|&&j| (j as usize) < split)
                        .count()
                })
                .sum()
        };
        let all = below(40);
        assert!(
            2 * below(engine.split) >= all,
            "{} of {all}",
            below(engine.split)
        );
        assert!(2 * below(engine.split - 1) < all);
        assert!((10..40).contains(&engine.split), "{}", engine.split);
    }

    #[test]
    fn every_group_width_gives_the_generic_gradient() {
        // 50 hidden units are 7 blocks: groups of 4 and 3 on the baseline in f32, 2 + 2 + 2 + 1
        // in f64; 7 and 4 + 3 with AVX2. 40 rows run on two threads. The reference is the
        // generic forward pass, recorded on the tape.
        let (net, x, labels) = small_problem(Sizes::new(30, 50, 10).unwrap(), 40, 34);
        fn check<T: Precision + crate::MatMul>(
            net: &TwoLayerNet<T>,
            x: &DMatrix<T>,
            labels: &[usize],
        ) {
            let rows: Vec<usize> = (0..x.nrows()).collect();
            let data = SparseRows::from_matrix(x).unwrap();
            for set in [InstructionSet::Baseline, InstructionSet::supported()] {
                let mut engine = Engine::from_net(net);
                engine.set_dispatch(Dispatch::new(set));
                let (loss, grad) = engine.gradient(&data, labels, &rows, &mut Buffers::default());
                let (want, want_grad) = T::reverse_gradient(net, x, labels).unwrap();
                let tolerance = <T as num_traits::Float>::epsilon().as_f64() * 100.0;
                assert!(
                    (loss.as_f64() - want.as_f64()).abs() < tolerance * want.as_f64(),
                    "{loss} vs {want}"
                );
                let d = grad.max_relative_difference(&want_grad, 1e-3, T::as_f64);
                assert!(d < tolerance, "{d}");
                assert_eq!(
                    engine.accuracy(&data, labels),
                    net.accuracy(x, labels).unwrap()
                );
            }
        }
        check(&net, &x, &labels);
        check(&net.map(|v| v as f32), &x.map(|v| v as f32), &labels);
    }

    #[test]
    fn instruction_sets_are_named_as_the_setting_spells_them() {
        // What `nabla train` prints and writes to `report.json` as `"simd"`.
        for (set, name) in [
            (InstructionSet::Baseline, "baseline"),
            (InstructionSet::Avx2Fma, "avx2+fma"),
            (InstructionSet::Avx512, "avx512"),
        ] {
            assert_eq!(set.name(), name);
            assert_eq!(set.to_string(), name);
        }
    }

    #[test]
    fn apply_steps_every_parameter() {
        // 50 hidden units in f64: seven blocks per pixel, the last one part padding.
        let (net, _, _) = small_problem(Sizes::new(6, 50, 3).unwrap(), 1, 35);
        let sizes = net.sizes();
        let flat: Vec<f64> = (0..sizes.parameter_count()).map(|i| i as f64).collect();
        let g = Gradient::from_flat(sizes, &flat);
        let mut engine = Engine::from_net(&net);
        engine.apply(&g, 0.5);
        let values = |n: &TwoLayerNet<f64>| -> Vec<f64> {
            n.parameters().iter().flat_map(|p| p.to_vec()).collect()
        };
        let want: Vec<f64> = values(&net)
            .iter()
            .zip(&flat)
            .map(|(w, d)| w - 0.5 * d)
            .collect();
        assert_eq!(values(&engine.to_net()), want);
        // The logits' copy of w2 follows.
        assert_eq!(
            engine.w2_row(4),
            engine
                .to_net()
                .w2()
                .row(4)
                .iter()
                .copied()
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_batch_of_two_equal_halves_is_split_between_the_threads_in_the_middle() {
        // 16 rows run as one half; the same 16 twice (32 rows, the smallest split batch)
        // run as two equal halves whose sums are added once, so the loss and every sum but
        // w1's (which adds the rows in the batch's order, pixel by pixel) come out exactly those of the 16 rows:
        // 1/32 is exactly half of 1/16. Summed as one half, or split elsewhere, they would
        // be rounded otherwise.
        let (net, x, labels) = small_problem(Sizes::new(30, 20, 10).unwrap(), 16, 36);
        let data = SparseRows::from_matrix(&x).unwrap();
        let half: Vec<usize> = (0..16).collect();
        let twice: Vec<usize> = half.iter().chain(&half).copied().collect();
        let engine = Engine::from_net(&net);
        let (loss, g) = engine.gradient(&data, &labels, &half, &mut Buffers::default());
        let (loss2, g2) = engine.gradient(&data, &labels, &twice, &mut Buffers::default());
        assert_eq!(loss2, loss);
        assert_eq!((&g2.b1, &g2.w2, &g2.b2), (&g.b1, &g.w2, &g.b2));
        assert!(g2.worst_difference(&g, |v| v).unwrap().abs < 1e-15);
    }

    #[test]
    fn the_fallback_can_be_forced() {
        let (net, x, labels) = small_problem(Sizes::new(30, 8, 10).unwrap(), 40, 33);
        let data = SparseRows::from_matrix(&x).unwrap();
        let rows: Vec<usize> = (0..40).collect();
        let mut engine = Engine::from_net(&net);
        engine.set_dispatch(Dispatch::new(InstructionSet::Baseline));
        assert_eq!(engine.layout.dispatch.set(), InstructionSet::Baseline);
        let (loss, grad) = engine.gradient(&data, &labels, &rows, &mut Buffers::default());
        let (want, want_grad) = crate::reverse_gradient(&net, &x, &labels).unwrap();
        assert_relative_eq!(loss, want, max_relative = 1e-13);
        assert!(grad.worst_difference(&want_grad, |v| v).unwrap().abs < 1e-14);
    }

    #[test]
    fn fused_loss_is_nabla_loss_on_the_generic_forward() {
        // Each row's softmax and loss are nabla-loss's own (`softmax_then_cross_entropy`);
        // the logits under them are summed in another order (the sparse rows here, the dense
        // product there), and so is the batch's sum of row losses (left to right here,
        // NumPy's pairwise order there), so the two differ by rounding only.
        for (sizes, batch, seed) in [
            (Sizes::new(30, 8, 10).unwrap(), 20, 31),
            (Sizes::new(12, 5, 4).unwrap(), 7, 32),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let rows: Vec<usize> = (0..batch).collect();
            let data = SparseRows::from_matrix(&x).unwrap();
            let (fused, _) =
                Engine::from_net(&net).gradient(&data, &labels, &rows, &mut Buffers::default());
            let generic = net.loss(&x, &labels).unwrap();
            assert!(
                generic > 0.1,
                "a loss that could not hide a difference: {generic}"
            );
            assert_relative_eq!(fused, generic, max_relative = 1e-13);

            let net32 = net.map(|v| v as f32);
            let x32 = x.map(|v| v as f32);
            let data32 = SparseRows::from_matrix(&x32).unwrap();
            let (fused32, _) =
                Engine::from_net(&net32).gradient(&data32, &labels, &rows, &mut Buffers::default());
            let generic32 = net32.loss(&x32, &labels).unwrap();
            assert_relative_eq!(fused32, generic32, max_relative = 1e-5);
        }
    }
}

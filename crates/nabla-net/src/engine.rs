//! The fast path: the network on flat row-major buffers, with sparse inputs.
//!
//! `w1` is kept row-major (`input` rows of `hidden`), so that the weights of one pixel are
//! contiguous: the hidden row of an image is a sum of `value * w1[pixel, :]` over its
//! non-zero pixels, a loop over `hidden` contiguous floats that the compiler vectorises.
//! `w2` is row-major too (`hidden` rows of `output`). Every buffer of a training step lives in
//! [`Buffers`] and is reused, so an iteration allocates nothing.
//!
//! The arithmetic of a row is the generic path's, called rather than copied: the activation
//! and its derivative come from `activation.rs`, the softmax and the book's loss of the row
//! from nabla-loss's `softmax_then_cross_entropy`, each on the buffers here.
//!
//! The kernels are `#[inline(always)]` and are called through `Dispatch::run` (`simd.rs`) at
//! each thread's entry point (`rows_pass`, the scatter's halves, a chunk of `accuracy`), so
//! that they compile once per instruction set and run with the widest the processor has.

use std::marker::PhantomData;

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use crate::activation::{Activation, Hidden};
use crate::simd::Dispatch;
use crate::{Gradient, Precision, Sizes, SparseRows, TwoLayerNet};
use nabla_loss::{DELTA, argmax, softmax_then_cross_entropy};

/// A block of columns of `w1`: `width` hidden units starting at `offset`, stored row-major
/// (`input` rows of `width`), so that one pixel's weights in the block are contiguous.
#[derive(Clone, Debug)]
pub(crate) struct Panel<T> {
    offset: usize,
    width: usize,
    w1: Vec<T>,
}

/// The parameters in the fast layout, for a network whose hidden layer computes `A`.
#[derive(Clone, Debug)]
pub(crate) struct Engine<T, A = Hidden> {
    pub(crate) sizes: Sizes,
    /// Row length of `b1` and the hidden buffers: `hidden` rounded up to a multiple of 8, so
    /// that every row splits into fixed-width blocks. The padding lanes of `w1` and `b1` are
    /// zero and stay zero (their activations are set to 0, so no gradient reaches them).
    pub(crate) stride: usize,
    /// `w1` as column panels covering `0..stride`.
    panels: Vec<Panel<T>>,
    /// How many panels the first of two threads updates (about half the columns).
    split: usize,
    /// `stride` entries.
    pub(crate) b1: Vec<T>,
    /// `hidden x output`, row-major.
    pub(crate) w2: Vec<T>,
    pub(crate) b2: Vec<T>,
    activation: PhantomData<A>,
    /// The instruction set the kernels run with (see `simd.rs`): each thread's share of a
    /// step and of an evaluation goes through [`Dispatch::run`].
    pub(crate) dispatch: Dispatch,
}

/// Sums over the rows of one half of a batch.
#[derive(Debug, Default)]
pub(crate) struct Partials<T> {
    dw2: Vec<T>,
    db2: Vec<T>,
    db1: Vec<T>,
}

/// Reused scratch space for one batch.
#[derive(Debug, Default)]
pub(crate) struct Buffers<T> {
    /// `batch x stride`: the activations (0 in the padding lanes).
    pub(crate) hidden: Vec<T>,
    /// `batch x output`: probabilities after the forward pass, `dy` after the backward pass.
    pub(crate) out: Vec<T>,
    /// `batch x stride`: gradient at the hidden pre-activations (0 in the padding lanes).
    pub(crate) dhidden: Vec<T>,
    /// The two halves' sums, added into `dw2`, `db2`, `db1`.
    parts: [Partials<T>; 2],
    pub(crate) dw2: Vec<T>,
    pub(crate) db2: Vec<T>,
    pub(crate) db1: Vec<T>,
}

impl<T: Precision> Buffers<T> {
    fn fit(&mut self, sizes: Sizes, stride: usize, batch: usize) {
        let (h, o) = (sizes.hidden, sizes.output);
        self.hidden.resize(batch * stride, T::zero());
        self.out.resize(batch * o, T::zero());
        self.dhidden.resize(batch * stride, T::zero());
        for part in self.parts.iter_mut() {
            part.dw2.resize(h * o, T::zero());
            part.db2.resize(o, T::zero());
            part.db1.resize(stride, T::zero());
        }
        self.dw2.resize(h * o, T::zero());
        self.db2.resize(o, T::zero());
        self.db1.resize(stride, T::zero());
    }
}

/// Batches at least this large are split between two threads.
const PARALLEL_ROWS: usize = 32;

/// Width of the smallest block the hidden rows are split into.
const LANES: usize = 8;

/// The blocks `(offset, width)` that cover `0..stride` (a multiple of [`LANES`]): as wide as
/// possible up to 128 bytes (eight SSE registers of accumulators), widths 32, 24, 16 or 8.
fn blocks<T>(stride: usize) -> Vec<(usize, usize)> {
    let widest = (128 / std::mem::size_of::<T>()).clamp(LANES, 32);
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < stride {
        let width = (stride - offset).min(widest) / LANES * LANES;
        out.push((offset, width));
        offset += width;
    }
    out
}

/// The activation `A` of one pre-activation, in the fast path's float.
#[inline]
pub(crate) fn activation<T: Precision, A: Activation>(a: T) -> T {
    T::from_real(A::value(a.to_real()))
}

/// `acc = init + sum over non-zeros (j, v) of v * w[j * W .. j * W + W]`, with the
/// accumulators in a fixed-size array that stays in registers while the non-zeros stream past.
#[inline(always)]
fn accumulate<T: Precision, const W: usize>(
    w: &[T],
    idx: &[u32],
    val: &[T],
    init: &[T],
    out: &mut [T],
) {
    let mut acc = [T::zero(); W];
    acc.copy_from_slice(&init[..W]);
    add_rows(w, idx, val, &mut acc);
    out[..W].copy_from_slice(&acc);
}

/// `acc += v * w[j * W .. j * W + W]`: one non-zero `(j, v)` of a sparse row.
#[inline(always)]
fn add_row<T: Precision, const W: usize>(w: &[T], j: u32, v: T, acc: &mut [T; W]) {
    let start = j as usize * W;
    let row = &w[start..start + W];
    for i in 0..W {
        acc[i] = acc[i] + v * row[i];
    }
}

/// `acc += sum over non-zeros (j, v) of v * w[j * W .. j * W + W]`, in the non-zeros' order.
#[inline(always)]
fn add_rows<T: Precision, const W: usize>(w: &[T], idx: &[u32], val: &[T], acc: &mut [T; W]) {
    for (&j, &v) in idx.iter().zip(val) {
        add_row(w, j, v, acc);
    }
}

/// [`accumulate`] of two rows `a` and `b` at once. Each row's sum is one dependency chain
/// (every non-zero adds into the same accumulators), so one row alone runs at the adder's
/// latency; two rows in lockstep keep twice as many additions in flight. Each row still adds
/// its own non-zeros in their order: the same bits as one row at a time.
#[inline(always)]
fn accumulate2<T: Precision, const W: usize>(
    w: &[T],
    (idx_a, val_a): (&[u32], &[T]),
    (idx_b, val_b): (&[u32], &[T]),
    init: &[T],
    (out_a, out_b): (&mut [T], &mut [T]),
) {
    let mut a = [T::zero(); W];
    a.copy_from_slice(&init[..W]);
    let mut b = a;
    let n = idx_a
        .len()
        .min(idx_b.len())
        .min(val_a.len())
        .min(val_b.len());
    let (ia, va, ib, vb) = (&idx_a[..n], &val_a[..n], &idx_b[..n], &val_b[..n]);
    for k in 0..n {
        add_row(w, ia[k], va[k], &mut a);
        add_row(w, ib[k], vb[k], &mut b);
    }
    add_rows(w, &idx_a[n..], &val_a[n..], &mut a);
    add_rows(w, &idx_b[n..], &val_b[n..], &mut b);
    out_a[..W].copy_from_slice(&a);
    out_b[..W].copy_from_slice(&b);
}

/// `w[j * W .. j * W + W] += (scale * v) * d` for every non-zero `(j, v)`, with `d` in
/// registers.
#[inline(always)]
fn scatter<T: Precision, const W: usize>(w: &mut [T], idx: &[u32], val: &[T], d: &[T], scale: T) {
    let mut dd = [T::zero(); W];
    dd.copy_from_slice(&d[..W]);
    for (&j, &v) in idx.iter().zip(val) {
        let s = scale * v;
        let start = j as usize * W;
        let row = &mut w[start..start + W];
        for i in 0..W {
            row[i] = row[i] + s * dd[i];
        }
    }
}

/// Adds `scale * x^T da1` to the panels: each non-zero pixel `(j, v)` of batch row `b` adds
/// `scale * v * da1[b, panel columns]` to row `j` of every panel.
#[inline(always)]
fn scatter_panels<T: Precision>(
    panels: &mut [Panel<T>],
    data: &SparseRows<T>,
    rows: &[usize],
    dhidden: &[T],
    stride: usize,
    scale: T,
) {
    for (&r, da) in rows.iter().zip(dhidden.chunks_exact(stride)) {
        let (idx, val) = data.row(r);
        for p in panels.iter_mut() {
            let d = &da[p.offset..p.offset + p.width];
            match p.width {
                32 => scatter::<T, 32>(&mut p.w1, idx, val, d, scale),
                24 => scatter::<T, 24>(&mut p.w1, idx, val, d, scale),
                16 => scatter::<T, 16>(&mut p.w1, idx, val, d, scale),
                _ => scatter::<T, LANES>(&mut p.w1, idx, val, d, scale),
            }
        }
    }
}

impl<T: Precision> Engine<T> {
    /// `net` in the fast layout, with the network's activation.
    pub(crate) fn from_net(net: &TwoLayerNet<T>) -> Self {
        Self::with_activation(net)
    }
}

impl<T: Precision, A: Activation> Engine<T, A> {
    /// `net` in the fast layout, its hidden layer computing `A` (tests swap the activation).
    pub(crate) fn with_activation(net: &TwoLayerNet<T>) -> Self {
        let sizes = net.sizes();
        let stride = sizes.hidden.div_ceil(LANES) * LANES;
        let panels: Vec<Panel<T>> = blocks::<T>(stride)
            .into_iter()
            .map(|(offset, width)| {
                let mut w1 = vec![T::zero(); sizes.input * width];
                for (j, row) in w1.chunks_exact_mut(width).enumerate() {
                    for (i, w) in row.iter_mut().enumerate() {
                        if offset + i < sizes.hidden {
                            *w = net.w1()[(j, offset + i)];
                        }
                    }
                }
                Panel { offset, width, w1 }
            })
            .collect();
        // The first group takes panels until it holds at least half of the columns.
        let mut split = 0;
        let mut covered = 0;
        while split < panels.len() && 2 * covered < stride {
            covered += panels[split].width;
            split += 1;
        }
        let split = split
            .min(panels.len().saturating_sub(1))
            .max(usize::from(panels.len() > 1));
        let mut b1 = vec![T::zero(); stride];
        b1[..sizes.hidden].copy_from_slice(net.b1().as_slice());
        Engine {
            sizes,
            stride,
            panels,
            split,
            b1,
            w2: net.w2().transpose().as_slice().to_vec(),
            b2: net.b2().as_slice().to_vec(),
            activation: PhantomData,
            dispatch: Dispatch::detected(),
        }
    }

    pub(crate) fn to_net(&self) -> TwoLayerNet<T> {
        let s = self.sizes;
        TwoLayerNet::from_parts(
            DMatrix::from_fn(s.input, s.hidden, |j, k| self.w1(j, k)),
            DVector::from_column_slice(&self.b1[..s.hidden]),
            DMatrix::from_row_slice(s.hidden, s.output, &self.w2),
            DVector::from_column_slice(&self.b2),
        )
        .expect("the engine keeps the shapes of the network it was made from") // ok: invariant
    }

    fn panel_of(&self, k: usize) -> usize {
        self.panels
            .iter()
            .position(|p| k < p.offset + p.width)
            .expect("hidden unit inside the panels") // ok: panels cover every hidden unit
    }

    /// `w1[j, k]`.
    pub(crate) fn w1(&self, j: usize, k: usize) -> T {
        let p = &self.panels[self.panel_of(k)];
        p.w1[j * p.width + k - p.offset]
    }

    /// `&mut w1[j, k]`.
    pub(crate) fn w1_mut(&mut self, j: usize, k: usize) -> &mut T {
        let at = self.panel_of(k);
        let p = &mut self.panels[at];
        &mut p.w1[j * p.width + k - p.offset]
    }

    /// `b1 + sum over non-zeros of value * w1[pixel, :]`, the pre-activation of one row
    /// (`stride` entries; the padding lanes come out 0).
    #[inline(always)]
    pub(crate) fn hidden_pre(&self, idx: &[u32], val: &[T], h: &mut [T]) {
        for p in &self.panels {
            let (init, out) = (&self.b1[p.offset..], &mut h[p.offset..]);
            match p.width {
                32 => accumulate::<T, 32>(&p.w1, idx, val, init, out),
                24 => accumulate::<T, 24>(&p.w1, idx, val, init, out),
                16 => accumulate::<T, 16>(&p.w1, idx, val, init, out),
                _ => accumulate::<T, LANES>(&p.w1, idx, val, init, out),
            }
        }
    }

    /// [`Engine::hidden_pre`] of two rows at once (the same bits; see [`accumulate2`]).
    #[inline(always)]
    fn hidden_pre2(&self, a: (&[u32], &[T]), b: (&[u32], &[T]), ha: &mut [T], hb: &mut [T]) {
        for p in &self.panels {
            let init = &self.b1[p.offset..];
            let out = (&mut ha[p.offset..], &mut hb[p.offset..]);
            match p.width {
                32 => accumulate2::<T, 32>(&p.w1, a, b, init, out),
                24 => accumulate2::<T, 24>(&p.w1, a, b, init, out),
                16 => accumulate2::<T, 16>(&p.w1, a, b, init, out),
                _ => accumulate2::<T, LANES>(&p.w1, a, b, init, out),
            }
        }
    }

    /// The pre-activations of the listed rows into consecutive `stride`-long slots of
    /// `hidden`, two rows at a time on the wide instruction sets (two rows' accumulators of a
    /// 128-byte panel take 4 `zmm` or 8 `ymm` registers), one at a time on the baseline (they
    /// would take all 16 `xmm` registers and spill; the fallback keeps its old code).
    #[inline(always)]
    fn hidden_pre_all(&self, data: &SparseRows<T>, rows: &[usize], hidden: &mut [T]) {
        let h = self.stride;
        let mut slots = hidden.chunks_exact_mut(h);
        let mut rows = rows.iter();
        if self.dispatch.set() != crate::InstructionSet::Baseline {
            while rows.len() >= 2 {
                let (Some(&a), Some(&b), Some(za), Some(zb)) =
                    (rows.next(), rows.next(), slots.next(), slots.next())
                else {
                    break;
                };
                self.hidden_pre2(data.row(a), data.row(b), za, zb);
            }
        }
        for (&r, z) in rows.zip(slots) {
            let (idx, val) = data.row(r);
            self.hidden_pre(idx, val, z);
        }
    }

    /// The activations of one row in place: `A` of the pre-activations, 0 in the padding.
    #[inline(always)]
    pub(crate) fn activate(&self, h: &mut [T]) {
        let (live, padding) = h.split_at_mut(self.sizes.hidden);
        for a in live {
            *a = activation::<T, A>(*a);
        }
        padding.fill(T::zero());
    }

    /// `b2 + z w2` for one row of activations `z`.
    #[inline(always)]
    pub(crate) fn output_row(&self, z: &[T], o: &mut [T]) {
        let m = self.sizes.output;
        o.copy_from_slice(&self.b2);
        for (&zk, w) in z[..self.sizes.hidden].iter().zip(self.w2.chunks_exact(m)) {
            for (oc, &wc) in o.iter_mut().zip(w) {
                *oc = *oc + zk * wc;
            }
        }
    }

    /// Forward (and, if `backward`, backward) pass over some rows of a batch: activations,
    /// probabilities and loss per row; with `backward`, `out` becomes `dy`, `dhidden` gets
    /// `da1`, and `part` the rows' sums for `dw2`, `db2`, `db1`. Returns the sum of the rows'
    /// losses.
    #[allow(clippy::too_many_arguments)]
    fn rows_pass(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        inv_b: T,
        bufs: (&mut [T], &mut [T], &mut [T]),
        part: &mut Partials<T>,
        backward: bool,
    ) -> T {
        self.dispatch.run(
            #[inline(always)]
            || self.rows_kernel(data, labels, rows, inv_b, bufs, part, backward),
        )
    }

    /// [`Engine::rows_pass`]'s work, inlined into the dispatched function.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn rows_kernel(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        inv_b: T,
        (hidden, out, dhidden): (&mut [T], &mut [T], &mut [T]),
        part: &mut Partials<T>,
        backward: bool,
    ) -> T {
        let (h, o) = (self.stride, self.sizes.output);
        data.touch(rows);
        if backward {
            part.dw2.fill(T::zero());
            part.db2.fill(T::zero());
            part.db1.fill(T::zero());
        }
        self.hidden_pre_all(data, rows, hidden);
        let mut loss = T::zero();
        for (((&r, z), dy), da) in rows
            .iter()
            .zip(hidden.chunks_exact_mut(h))
            .zip(out.chunks_exact_mut(o))
            .zip(dhidden.chunks_exact_mut(h))
        {
            self.activate(z);
            self.output_row(z, dy);
            let t = labels[r];
            // The probabilities replace the logits in `dy`. The labels were checked against
            // the network before any arithmetic, so the error (a label out of range) cannot
            // happen; were it to, the loss would be NaN and training would stop there.
            loss = loss
                + softmax_then_cross_entropy(T::real_mut(dy), t).map_or(T::nan(), T::from_real);
            if !backward {
                continue;
            }
            // The book's (y - t) / batch_size, times y_t / (y_t + 1e-7): the exact derivative
            // of -ln(y_t + 1e-7), the loss as computed (the factor is 1 to within 1e-7 / y_t).
            let scale = dy[t] / (dy[t] + T::from_f64(DELTA)) * inv_b;
            dy[t] = dy[t] - T::one();
            for (v, db) in dy.iter_mut().zip(part.db2.iter_mut()) {
                *v = *v * scale;
                *db = *db + *v;
            }
            for (((&zk, w), dw), (dak, db)) in z[..self.sizes.hidden]
                .iter()
                .zip(self.w2.chunks_exact(o))
                .zip(part.dw2.chunks_exact_mut(o))
                .zip(da.iter_mut().zip(part.db1.iter_mut()))
            {
                for (dwc, &dyc) in dw.iter_mut().zip(dy.iter()) {
                    *dwc = *dwc + zk * dyc;
                }
                let dz = dy
                    .iter()
                    .zip(w)
                    .fold(T::zero(), |acc, (&dyc, &wc)| acc + dyc * wc);
                *dak = T::from_real(A::backward(dz.to_real(), zk.to_real()));
                *db = *db + *dak;
            }
        }
        loss
    }

    /// Forward (and backward) pass over the listed rows, the two halves of a large batch on
    /// two threads (a fixed split, so the result does not depend on scheduling). Returns the
    /// mean loss; with `backward`, `buf` holds `dy`, `da1`, `dw2`, `db2`, `db1`.
    pub(crate) fn pass(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        buf: &mut Buffers<T>,
        backward: bool,
    ) -> T {
        let (h, o) = (self.stride, self.sizes.output);
        buf.fit(self.sizes, h, rows.len());
        let inv_b = T::one() / T::from_f64(rows.len() as f64);
        let [p0, p1] = &mut buf.parts;
        let loss = if rows.len() >= PARALLEL_ROWS {
            let mid = rows.len() / 2;
            let (r0, r1) = rows.split_at(mid);
            let (h0, h1) = buf.hidden.split_at_mut(mid * h);
            let (o0, o1) = buf.out.split_at_mut(mid * o);
            let (d0, d1) = buf.dhidden.split_at_mut(mid * h);
            let (l0, l1) = rayon::join(
                || self.rows_pass(data, labels, r0, inv_b, (h0, o0, d0), p0, backward),
                || self.rows_pass(data, labels, r1, inv_b, (h1, o1, d1), p1, backward),
            );
            if backward {
                for (dst, (a, b)) in [
                    (&mut buf.dw2, (&p0.dw2, &p1.dw2)),
                    (&mut buf.db2, (&p0.db2, &p1.db2)),
                    (&mut buf.db1, (&p0.db1, &p1.db1)),
                ] {
                    for (d, (&x, &y)) in dst.iter_mut().zip(a.iter().zip(b.iter())) {
                        *d = x + y;
                    }
                }
            }
            l0 + l1
        } else {
            let bufs = (&mut buf.hidden[..], &mut buf.out[..], &mut buf.dhidden[..]);
            let loss = self.rows_pass(data, labels, rows, inv_b, bufs, p0, backward);
            if backward {
                buf.dw2.copy_from_slice(&p0.dw2);
                buf.db2.copy_from_slice(&p0.db2);
                buf.db1.copy_from_slice(&p0.db1);
            }
            loss
        };
        loss * inv_b
    }

    /// Adds `scale * x^T da1` (from `buf.dhidden`) to `panels`, shaped like this engine's,
    /// the two groups of panels on two threads for large batches.
    fn scatter_w1(
        &self,
        panels: &mut [Panel<T>],
        data: &SparseRows<T>,
        rows: &[usize],
        dhidden: &[T],
        scale: T,
    ) {
        let (run, stride) = (self.dispatch, self.stride);
        let scatter = |p: &mut [Panel<T>]| {
            run.run(
                #[inline(always)]
                || scatter_panels(p, data, rows, dhidden, stride, scale),
            );
        };
        if rows.len() >= PARALLEL_ROWS && self.split < panels.len() {
            let (a, b) = panels.split_at_mut(self.split);
            rayon::join(|| scatter(a), || scatter(b));
        } else {
            scatter(panels);
        }
    }

    /// One SGD step of the book's loop on the listed rows; returns the loss before the step.
    pub(crate) fn sgd_step(
        &mut self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        lr: T,
        buf: &mut Buffers<T>,
    ) -> T {
        let loss = self.pass(data, labels, rows, buf, true);
        for (w, &g) in self.w2.iter_mut().zip(&buf.dw2) {
            *w = *w - lr * g;
        }
        for (w, &g) in self.b2.iter_mut().zip(&buf.db2) {
            *w = *w - lr * g;
        }
        for (w, &g) in self.b1.iter_mut().zip(&buf.db1) {
            *w = *w - lr * g;
        }
        // w1 -= lr * x^T da1, applied row by row without a dw1 buffer.
        let mut panels = std::mem::take(&mut self.panels);
        self.scatter_w1(&mut panels, data, rows, &buf.dhidden, -lr);
        self.panels = panels;
        loss
    }

    /// `params -= lr * gradient`, the gradient in the book's shapes.
    pub(crate) fn apply(&mut self, g: &Gradient<T>, lr: T) {
        let s = self.sizes;
        for j in 0..s.input {
            for k in 0..s.hidden {
                let w = self.w1_mut(j, k);
                *w = *w - lr * g.w1[(j, k)];
            }
        }
        for k in 0..s.hidden {
            self.b1[k] = self.b1[k] - lr * g.b1[k];
            for c in 0..s.output {
                let w = &mut self.w2[k * s.output + c];
                *w = *w - lr * g.w2[(k, c)];
            }
        }
        for c in 0..s.output {
            self.b2[c] = self.b2[c] - lr * g.b2[c];
        }
    }

    /// The full gradient on the listed rows, in the book's shapes, and the loss.
    pub(crate) fn gradient(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        buf: &mut Buffers<T>,
    ) -> (T, Gradient<T>) {
        let s = self.sizes;
        let loss = self.pass(data, labels, rows, buf, true);
        let mut dw1: Vec<Panel<T>> = self
            .panels
            .iter()
            .map(|p| Panel {
                offset: p.offset,
                width: p.width,
                w1: vec![T::zero(); p.w1.len()],
            })
            .collect();
        self.scatter_w1(&mut dw1, data, rows, &buf.dhidden, T::one());
        let grads = Engine {
            panels: dw1,
            ..self.clone()
        };
        let grad = Gradient {
            w1: DMatrix::from_fn(s.input, s.hidden, |j, k| grads.w1(j, k)),
            b1: DVector::from_column_slice(&buf.db1[..s.hidden]),
            w2: DMatrix::from_row_slice(s.hidden, s.output, &buf.dw2),
            b2: DVector::from_column_slice(&buf.db2),
        };
        (loss, grad)
    }

    /// Fraction of rows of `data` whose largest logit is at the label, in parallel over
    /// chunks of rows.
    pub(crate) fn accuracy(&self, data: &SparseRows<T>, labels: &[usize]) -> f64 {
        const CHUNK: usize = 500;
        let n = data.nrows();
        if n == 0 {
            return 0.0;
        }
        let correct: usize = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                self.dispatch.run(
                    #[inline(always)]
                    || self.count_correct(data, labels, c * CHUNK..n.min((c + 1) * CHUNK)),
                )
            })
            .sum();
        correct as f64 / n as f64
    }

    /// How many of `range`'s rows have their largest logit at the label.
    #[inline(always)]
    fn count_correct(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        range: std::ops::Range<usize>,
    ) -> usize {
        let (h, o) = (self.stride, self.sizes.output);
        // Two rows' pre-activations at a time (see `hidden_pre_all`).
        let mut hid = vec![T::zero(); 2 * h];
        let mut out = vec![T::zero(); o];
        // nabla-loss's argmax (generic over `RealField`) on the logits widened to f64,
        // which keeps their order, ties and NaNs.
        let mut wide = vec![0.0f64; o];
        let rows: Vec<usize> = range.clone().collect();
        let mut count = 0;
        for (pair, pair_labels) in rows.chunks(2).zip(labels[range].chunks(2)) {
            let hid = &mut hid[..pair.len() * h];
            self.hidden_pre_all(data, pair, hid);
            for (z, &label) in hid.chunks_exact_mut(h).zip(pair_labels) {
                self.activate(z);
                self.output_row(z, &mut out);
                for (w, &v) in wide.iter_mut().zip(&out) {
                    *w = v.as_f64();
                }
                if argmax(&wide) == Some(label) {
                    count += 1;
                }
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InstructionSet;
    use crate::test_util::small_problem;
    use approx::assert_relative_eq;
    use nabla_data::{BatchSampler, Sampling};

    /// Trains 300 SGD steps (batches of 40, so each step runs on two threads) of a network
    /// with 50 hidden units (two panels, 32 and 24 wide in f32) with the kernels compiled for
    /// `set`, as `train` does; returns the network, every step's loss and the final accuracy.
    fn train_on<T: Precision>(set: InstructionSet) -> (TwoLayerNet<T>, Vec<T>, f64) {
        let sizes = Sizes::new(64, 50, 10).unwrap();
        let (net, x, labels) = small_problem(sizes, 400, 51);
        let data = SparseRows::from_matrix(&x.map(T::from_f64)).unwrap();
        let mut engine = Engine::from_net(&net.map(T::from_f64));
        engine.dispatch = Dispatch::new(set);
        let mut sampler = BatchSampler::new(400, 40, Sampling::WithReplacement, 5).unwrap();
        let mut buffers = Buffers::default();
        let lr = T::from_f64(0.5);
        let losses = (0..300)
            .map(|_| engine.sgd_step(&data, &labels, sampler.next_batch(), lr, &mut buffers))
            .collect();
        let accuracy = engine.accuracy(&data, &labels);
        (engine.to_net(), losses, accuracy)
    }

    /// Every instruction set this processor has gives the fallback's bits: the kernels are the
    /// same loops, and Rust neither fuses `a * b + c` into an FMA nor reorders a sum.
    fn same_bits_on_every_path<T: Precision>() {
        let (net, losses, accuracy) = train_on::<T>(InstructionSet::Baseline);
        // Learning happened, so the comparison below compares something that moved.
        assert!(
            losses[299] < losses[0] * T::from_f64(0.7),
            "{} {}",
            losses[0],
            losses[299]
        );
        assert!(accuracy > 0.3, "{accuracy}");
        for set in [InstructionSet::Avx2Fma, InstructionSet::Avx512] {
            // On a processor without `set`, this runs the widest one below it.
            let (wide, wide_losses, wide_accuracy) = train_on::<T>(set);
            let bits = |n: &TwoLayerNet<T>| -> Vec<u64> {
                n.parameters()
                    .iter()
                    .flat_map(|m| m.iter().map(|v| v.as_f64().to_bits()))
                    .collect()
            };
            assert_eq!(bits(&wide), bits(&net), "{}", Dispatch::new(set).set());
            assert_eq!(wide_losses, losses);
            assert_eq!(wide_accuracy, accuracy);
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

    /// Two rows at a time give each row the bits of one row at a time, whichever row is
    /// longer (the lockstep part, then each row's tail), an empty row and an odd count
    /// included, on every instruction set (the wide ones pair rows, the baseline does not).
    #[test]
    fn rows_in_pairs_are_the_bits_of_rows_one_at_a_time() {
        let sizes = Sizes::new(64, 50, 10).unwrap();
        let (net, mut x, _) = small_problem(sizes, 7, 3);
        // Row 2 empty, row 4 with a single non-zero: pairs of very different lengths.
        x.row_mut(2).fill(0.0);
        x.row_mut(4).fill(0.0);
        x[(4, 63)] = 0.75;
        let data = SparseRows::from_matrix(&x.map(|v| v as f32)).unwrap();
        let net = net.map(|v| v as f32);
        let rows = [0, 2, 1, 4, 3, 5, 6];
        for set in [InstructionSet::Baseline, InstructionSet::supported()] {
            let mut engine = Engine::<f32>::from_net(&net);
            engine.dispatch = Dispatch::new(set);
            let h = engine.stride;
            let mut all = vec![f32::NAN; rows.len() * h];
            engine.hidden_pre_all(&data, &rows, &mut all);
            for (&r, got) in rows.iter().zip(all.chunks_exact(h)) {
                let (idx, val) = data.row(r);
                let mut one = vec![f32::NAN; h];
                engine.hidden_pre(idx, val, &mut one);
                assert_eq!(
                    got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "row {r} on {set}"
                );
                // And the sum is the pre-activation: b1 + x w1, to rounding.
                for (k, &g) in got[..sizes.hidden].iter().enumerate() {
                    let want = net.b1()[k]
                        + (0..sizes.input)
                            .map(|j| x[(r, j)] as f32 * net.w1()[(j, k)])
                            .sum::<f32>();
                    assert!(
                        (g - want).abs() <= 1e-4 * (1.0 + want.abs()),
                        "row {r} unit {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn blocks_are_as_wide_as_128_bytes_allow() {
        // 32 lanes of f32, 16 of f64, then what is left, in multiples of 8.
        assert_eq!(blocks::<f32>(56), vec![(0, 32), (32, 24)]);
        assert_eq!(
            blocks::<f64>(56),
            vec![(0, 16), (16, 16), (32, 16), (48, 8)]
        );
        assert_eq!(blocks::<f64>(8), vec![(0, 8)]);
        assert!(blocks::<f32>(0).is_empty());
    }

    #[test]
    fn the_first_thread_takes_panels_until_it_holds_half_the_columns() {
        fn split<T: Precision>(hidden: usize) -> (Vec<usize>, usize) {
            let net = TwoLayerNet::<f64>::new(Sizes::new(4, hidden, 3).unwrap(), 0.1, 1).unwrap();
            let engine = Engine::from_net(&net.map(T::from_f64));
            (
                engine.panels.iter().map(|p| p.width).collect(),
                engine.split,
            )
        }
        // 56 columns: 32 of them are half and more.
        assert_eq!(split::<f32>(50), (vec![32, 24], 1));
        assert_eq!(split::<f64>(50), (vec![16, 16, 16, 8], 2));
        // 104 columns: 64 in the first four panels.
        assert_eq!(split::<f64>(100), (vec![16, 16, 16, 16, 16, 16, 8], 4));
        // 64 columns: the first 32 are exactly half.
        assert_eq!(split::<f64>(64), (vec![16, 16, 16, 16], 2));
        // One panel is not split.
        assert_eq!(split::<f64>(16), (vec![16], 0));
    }

    #[test]
    fn every_panel_width_gives_the_generic_gradient() {
        // 50 hidden units make panels 32 and 24 wide in f32, 16 and 8 in f64; 40 rows run on
        // two threads. The reference is the generic forward pass, recorded on the tape.
        let (net, x, labels) = small_problem(Sizes::new(30, 50, 10).unwrap(), 40, 34);
        fn check<T: Precision + crate::MatMul>(
            net: &TwoLayerNet<T>,
            x: &DMatrix<T>,
            labels: &[usize],
        ) {
            let rows: Vec<usize> = (0..x.nrows()).collect();
            let data = SparseRows::from_matrix(x).unwrap();
            let engine = Engine::from_net(net);
            let (loss, grad) = engine.gradient(&data, labels, &rows, &mut Buffers::default());
            let (want, want_grad) = <T as Precision>::reverse_gradient(net, x, labels).unwrap();
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
    fn apply_steps_every_parameter_in_every_panel() {
        // 50 hidden units in f64: four panels, three of them at an offset.
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
    }

    #[test]
    fn a_batch_of_two_equal_halves_is_split_between_the_threads_in_the_middle() {
        // 16 rows run on one thread; the same 16 twice (32 rows, the smallest split batch)
        // run as two equal halves whose sums are added once, so the loss and every sum but
        // w1's (which one thread scatters row by row) come out exactly those of the 16 rows:
        // 1/32 is exactly half of 1/16. Summed on one thread, or split elsewhere, they would
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
        engine.dispatch = Dispatch::new(InstructionSet::Baseline);
        assert_eq!(engine.dispatch.set(), InstructionSet::Baseline);
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

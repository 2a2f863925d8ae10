//! The fast path: the network on flat row-major buffers, with sparse inputs.
//!
//! `w1` is kept row-major (`input` rows of `hidden`), so that the weights of one pixel are
//! contiguous: the hidden row of an image is a sum of `value * w1[pixel, :]` over its
//! non-zero pixels, a loop over `hidden` contiguous floats that the compiler vectorises.
//! `w2` is row-major too (`hidden` rows of `output`). Every buffer of a training step lives in
//! [`Buffers`] and is reused, so an iteration allocates nothing.

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use crate::forward::{DELTA, argmax};
use crate::{Gradient, Precision, Sizes, SparseRows, TwoLayerNet};

/// The parameters in the fast layout.
#[derive(Clone, Debug)]
pub(crate) struct Engine<T> {
    pub(crate) sizes: Sizes,
    /// Row length of `w1`, `b1` and the hidden buffers: `hidden` rounded up to a multiple of 8,
    /// so that every row splits into fixed-width blocks. The padding lanes of `w1` and `b1`
    /// are zero and stay zero (their activations are set to 0, so no gradient reaches them).
    pub(crate) stride: usize,
    /// `input x stride`, row-major.
    pub(crate) w1: Vec<T>,
    /// `stride` entries.
    pub(crate) b1: Vec<T>,
    /// `hidden x output`, row-major.
    pub(crate) w2: Vec<T>,
    pub(crate) b2: Vec<T>,
}

/// Reused scratch space for one batch.
#[derive(Debug, Default)]
pub(crate) struct Buffers<T> {
    /// `batch x stride`: sigmoid activations (0 in the padding lanes).
    pub(crate) hidden: Vec<T>,
    /// `batch x output`: probabilities after the forward pass, `dy` after the backward pass.
    pub(crate) out: Vec<T>,
    /// `batch x stride`: gradient at the hidden pre-activations (0 in the padding lanes).
    pub(crate) dhidden: Vec<T>,
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
        self.dw2.resize(h * o, T::zero());
        self.db2.resize(o, T::zero());
        self.db1.resize(stride, T::zero());
    }
}

/// Width of the smallest block the hidden rows are split into.
const LANES: usize = 8;

/// The blocks `(offset, width)` that cover `0..stride` (a multiple of [`LANES`]): as wide as
/// possible up to 128 bytes (eight SSE registers of accumulators), widths 32, 24, 16 or 8.
fn blocks<T>(stride: usize) -> impl Iterator<Item = (usize, usize)> {
    let widest = (128 / std::mem::size_of::<T>()).clamp(LANES, 32);
    let mut offset = 0;
    std::iter::from_fn(move || {
        if offset >= stride {
            return None;
        }
        let width = (stride - offset).min(widest) / LANES * LANES;
        let block = (offset, width);
        offset += width;
        Some(block)
    })
}

#[inline]
pub(crate) fn sigmoid<T: Precision>(x: T) -> T {
    T::one() / (T::one() + (-x).exp())
}

/// Softmax of `o` in place, returning the row's `-ln(y[label] + 1e-7)`.
#[inline]
pub(crate) fn softmax_cross_entropy_row<T: Precision>(o: &mut [T], label: usize) -> T {
    let max = o.iter().copied().fold(T::neg_infinity(), T::max);
    let mut sum = T::zero();
    for v in o.iter_mut() {
        *v = (*v - max).exp();
        sum = sum + *v;
    }
    let inv = T::one() / sum;
    for v in o.iter_mut() {
        *v = *v * inv;
    }
    -(o[label] + T::from_f64(DELTA)).ln()
}

impl<T: Precision> Engine<T> {
    pub(crate) fn from_net(net: &TwoLayerNet<T>) -> Self {
        let sizes = net.sizes();
        let stride = sizes.hidden.div_ceil(LANES) * LANES;
        let mut w1 = vec![T::zero(); sizes.input * stride];
        for (row, w) in w1.chunks_exact_mut(stride).zip(net.w1().row_iter()) {
            for (a, &b) in row.iter_mut().zip(w.iter()) {
                *a = b;
            }
        }
        let mut b1 = vec![T::zero(); stride];
        b1[..sizes.hidden].copy_from_slice(net.b1().as_slice());
        Engine {
            sizes,
            stride,
            w1,
            b1,
            w2: net.w2().transpose().as_slice().to_vec(),
            b2: net.b2().as_slice().to_vec(),
        }
    }

    pub(crate) fn to_net(&self) -> TwoLayerNet<T> {
        let s = self.sizes;
        let w1 = DMatrix::from_fn(s.input, s.hidden, |j, k| self.w1[j * self.stride + k]);
        TwoLayerNet::from_parts(
            w1,
            DVector::from_column_slice(&self.b1[..s.hidden]),
            DMatrix::from_row_slice(s.hidden, s.output, &self.w2),
            DVector::from_column_slice(&self.b2),
        )
        .expect("the engine keeps the shapes of the network it was made from")
    }

    /// `b1 + sum over non-zeros of value * w1[pixel, :]`, the pre-activation of one row
    /// (`stride` entries; the padding lanes come out 0).
    #[inline]
    pub(crate) fn hidden_pre(&self, idx: &[u32], val: &[T], h: &mut [T]) {
        for (offset, width) in blocks::<T>(self.stride) {
            match width {
                32 => self.hidden_block::<32>(idx, val, offset, h),
                24 => self.hidden_block::<24>(idx, val, offset, h),
                16 => self.hidden_block::<16>(idx, val, offset, h),
                _ => self.hidden_block::<LANES>(idx, val, offset, h),
            }
        }
    }

    /// Columns `offset..offset + W` of [`hidden_pre`](Self::hidden_pre), accumulated in a
    /// fixed-size array that stays in registers while the non-zeros stream past.
    #[inline(always)]
    fn hidden_block<const W: usize>(&self, idx: &[u32], val: &[T], offset: usize, h: &mut [T]) {
        let mut acc = [T::zero(); W];
        acc.copy_from_slice(&self.b1[offset..offset + W]);
        for (&j, &v) in idx.iter().zip(val) {
            let start = j as usize * self.stride + offset;
            let w = &self.w1[start..start + W];
            for i in 0..W {
                acc[i] = acc[i] + v * w[i];
            }
        }
        h[offset..offset + W].copy_from_slice(&acc);
    }

    /// The activations of one row in place: sigmoid of the pre-activations, 0 in the padding.
    #[inline]
    pub(crate) fn activate(&self, h: &mut [T]) {
        let (live, padding) = h.split_at_mut(self.sizes.hidden);
        for a in live {
            *a = sigmoid(*a);
        }
        padding.fill(T::zero());
    }

    /// `b2 + z w2` for one row of activations `z`.
    #[inline]
    pub(crate) fn output_row(&self, z: &[T], o: &mut [T]) {
        let m = self.sizes.output;
        o.copy_from_slice(&self.b2);
        for (&zk, w) in z[..self.sizes.hidden].iter().zip(self.w2.chunks_exact(m)) {
            for (oc, &wc) in o.iter_mut().zip(w) {
                *oc = *oc + zk * wc;
            }
        }
    }

    /// Forward pass over the listed rows: fills `buf.hidden` (activations) and `buf.out`
    /// (probabilities) and returns the mean loss.
    pub(crate) fn forward(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        buf: &mut Buffers<T>,
    ) -> T {
        let (h, o) = (self.stride, self.sizes.output);
        buf.fit(self.sizes, self.stride, rows.len());
        data.touch(rows);
        let mut loss = T::zero();
        for ((&r, hid), out) in rows
            .iter()
            .zip(buf.hidden.chunks_exact_mut(h))
            .zip(buf.out.chunks_exact_mut(o))
        {
            let (idx, val) = data.row(r);
            self.hidden_pre(idx, val, hid);
            self.activate(hid);
            self.output_row(hid, out);
            loss = loss + softmax_cross_entropy_row(out, labels[r]);
        }
        loss / T::from_f64(rows.len() as f64)
    }

    /// Backward pass after [`forward`](Self::forward) on the same rows: `buf.out` becomes
    /// `dy`, and `dw2`, `db2`, `dhidden` (`da1`) and `db1` are filled. The weight gradient of
    /// the first layer is left to [`scatter_w1`](Self::scatter_w1).
    pub(crate) fn backward(&self, labels: &[usize], rows: &[usize], buf: &mut Buffers<T>) {
        let (h, o) = (self.stride, self.sizes.output);
        let inv_b = T::one() / T::from_f64(rows.len() as f64);
        buf.dw2.fill(T::zero());
        buf.db2.fill(T::zero());
        buf.db1.fill(T::zero());
        for (((&r, z), dy), da) in rows
            .iter()
            .zip(buf.hidden.chunks_exact(h))
            .zip(buf.out.chunks_exact_mut(o))
            .zip(buf.dhidden.chunks_exact_mut(h))
        {
            // The book's (y - t) / batch_size, times y_t / (y_t + 1e-7): the exact derivative
            // of -ln(y_t + 1e-7), the loss as computed (the factor is 1 to within 1e-7 / y_t).
            let t = labels[r];
            let scale = dy[t] / (dy[t] + T::from_f64(DELTA)) * inv_b;
            dy[t] = dy[t] - T::one();
            for (v, db) in dy.iter_mut().zip(buf.db2.iter_mut()) {
                *v = *v * scale;
                *db = *db + *v;
            }
            for (((&zk, w), dw), (dak, db)) in z[..self.sizes.hidden]
                .iter()
                .zip(self.w2.chunks_exact(o))
                .zip(buf.dw2.chunks_exact_mut(o))
                .zip(da.iter_mut().zip(buf.db1.iter_mut()))
            {
                let mut dz = T::zero();
                for ((&dyc, &wc), dwc) in dy.iter().zip(w).zip(dw.iter_mut()) {
                    dz = dz + dyc * wc;
                    *dwc = *dwc + zk * dyc;
                }
                *dak = dz * zk * (T::one() - zk);
                *db = *db + *dak;
            }
        }
    }

    /// Adds `scale * x^T da1` to a row-major `input x stride` buffer: each non-zero pixel
    /// `(j, v)` of batch row `b` adds `scale * v * da1[b, :]` to row `j`.
    pub(crate) fn scatter_w1(
        &self,
        data: &SparseRows<T>,
        rows: &[usize],
        dhidden: &[T],
        scale: T,
        target: &mut [T],
    ) {
        for (&r, da) in rows.iter().zip(dhidden.chunks_exact(self.stride)) {
            let (idx, val) = data.row(r);
            for (offset, width) in blocks::<T>(self.stride) {
                match width {
                    32 => self.scatter_block::<32>(idx, val, da, scale, offset, target),
                    24 => self.scatter_block::<24>(idx, val, da, scale, offset, target),
                    16 => self.scatter_block::<16>(idx, val, da, scale, offset, target),
                    _ => self.scatter_block::<LANES>(idx, val, da, scale, offset, target),
                }
            }
        }
    }

    /// Columns `offset..offset + W` of [`scatter_w1`](Self::scatter_w1) for one batch row,
    /// with that row's `da1` block held in registers.
    #[inline(always)]
    fn scatter_block<const W: usize>(
        &self,
        idx: &[u32],
        val: &[T],
        da: &[T],
        scale: T,
        offset: usize,
        target: &mut [T],
    ) {
        let mut d = [T::zero(); W];
        d.copy_from_slice(&da[offset..offset + W]);
        for (&j, &v) in idx.iter().zip(val) {
            let s = scale * v;
            let start = j as usize * self.stride + offset;
            let t = &mut target[start..start + W];
            for i in 0..W {
                t[i] = t[i] + s * d[i];
            }
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
        let loss = self.forward(data, labels, rows, buf);
        self.backward(labels, rows, buf);
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
        let mut w1 = std::mem::take(&mut self.w1);
        self.scatter_w1(data, rows, &buf.dhidden, -lr, &mut w1);
        self.w1 = w1;
        loss
    }

    /// The full gradient on the listed rows (row-major `w1`/`w2` buffers converted back to the
    /// book's shapes) and the loss.
    pub(crate) fn gradient(
        &self,
        data: &SparseRows<T>,
        labels: &[usize],
        rows: &[usize],
        buf: &mut Buffers<T>,
    ) -> (T, Gradient<T>) {
        let s = self.sizes;
        let loss = self.forward(data, labels, rows, buf);
        self.backward(labels, rows, buf);
        let mut dw1 = vec![T::zero(); s.input * self.stride];
        self.scatter_w1(data, rows, &buf.dhidden, T::one(), &mut dw1);
        let grad = Gradient {
            w1: DMatrix::from_fn(s.input, s.hidden, |j, k| dw1[j * self.stride + k]),
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
        let (h, o) = (self.stride, self.sizes.output);
        let correct: usize = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut hid = vec![T::zero(); h];
                let mut out = vec![T::zero(); o];
                let mut count = 0;
                for r in c * CHUNK..n.min((c + 1) * CHUNK) {
                    let (idx, val) = data.row(r);
                    self.hidden_pre(idx, val, &mut hid);
                    self.activate(&mut hid);
                    self.output_row(&hid, &mut out);
                    if argmax(out.iter().copied()) == labels[r] {
                        count += 1;
                    }
                }
                count
            })
            .sum();
        correct as f64 / n as f64
    }
}

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
    /// `input x hidden`, row-major.
    pub(crate) w1: Vec<T>,
    pub(crate) b1: Vec<T>,
    /// `hidden x output`, row-major.
    pub(crate) w2: Vec<T>,
    pub(crate) b2: Vec<T>,
}

/// Reused scratch space for one batch.
#[derive(Debug, Default)]
pub(crate) struct Buffers<T> {
    /// `batch x hidden`: sigmoid activations.
    pub(crate) hidden: Vec<T>,
    /// `batch x output`: probabilities after the forward pass, `dy` after the backward pass.
    pub(crate) out: Vec<T>,
    /// `batch x hidden`: gradient at the hidden pre-activations.
    pub(crate) dhidden: Vec<T>,
    pub(crate) dw2: Vec<T>,
    pub(crate) db2: Vec<T>,
    pub(crate) db1: Vec<T>,
}

impl<T: Precision> Buffers<T> {
    fn fit(&mut self, sizes: Sizes, batch: usize) {
        let (h, o) = (sizes.hidden, sizes.output);
        self.hidden.resize(batch * h, T::zero());
        self.out.resize(batch * o, T::zero());
        self.dhidden.resize(batch * h, T::zero());
        self.dw2.resize(h * o, T::zero());
        self.db2.resize(o, T::zero());
        self.db1.resize(h, T::zero());
    }
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
        Engine {
            sizes: net.sizes(),
            w1: net.w1().transpose().as_slice().to_vec(),
            b1: net.b1().as_slice().to_vec(),
            w2: net.w2().transpose().as_slice().to_vec(),
            b2: net.b2().as_slice().to_vec(),
        }
    }

    pub(crate) fn to_net(&self) -> TwoLayerNet<T> {
        let s = self.sizes;
        TwoLayerNet::from_parts(
            DMatrix::from_row_slice(s.input, s.hidden, &self.w1),
            DVector::from_column_slice(&self.b1),
            DMatrix::from_row_slice(s.hidden, s.output, &self.w2),
            DVector::from_column_slice(&self.b2),
        )
        .expect("the engine keeps the shapes of the network it was made from")
    }

    /// `b1 + sum over non-zeros of value * w1[pixel, :]`, the pre-activation of one row.
    #[inline]
    pub(crate) fn hidden_pre(&self, idx: &[u32], val: &[T], h: &mut [T]) {
        let n = self.sizes.hidden;
        h.copy_from_slice(&self.b1);
        for (&j, &v) in idx.iter().zip(val) {
            let start = j as usize * n;
            let w = &self.w1[start..start + n];
            for (hk, &wk) in h.iter_mut().zip(w) {
                *hk = *hk + v * wk;
            }
        }
    }

    /// `b2 + z w2` for one row of activations `z`.
    #[inline]
    pub(crate) fn output_row(&self, z: &[T], o: &mut [T]) {
        let m = self.sizes.output;
        o.copy_from_slice(&self.b2);
        for (&zk, w) in z.iter().zip(self.w2.chunks_exact(m)) {
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
        let (h, o) = (self.sizes.hidden, self.sizes.output);
        buf.fit(self.sizes, rows.len());
        let mut loss = T::zero();
        for ((&r, hid), out) in rows
            .iter()
            .zip(buf.hidden.chunks_exact_mut(h))
            .zip(buf.out.chunks_exact_mut(o))
        {
            let (idx, val) = data.row(r);
            self.hidden_pre(idx, val, hid);
            for a in hid.iter_mut() {
                *a = sigmoid(*a);
            }
            self.output_row(hid, out);
            loss = loss + softmax_cross_entropy_row(out, labels[r]);
        }
        loss / T::from_f64(rows.len() as f64)
    }

    /// Backward pass after [`forward`](Self::forward) on the same rows: `buf.out` becomes
    /// `dy`, and `dw2`, `db2`, `dhidden` (`da1`) and `db1` are filled. The weight gradient of
    /// the first layer is left to [`scatter_w1`](Self::scatter_w1).
    pub(crate) fn backward(&self, labels: &[usize], rows: &[usize], buf: &mut Buffers<T>) {
        let (h, o) = (self.sizes.hidden, self.sizes.output);
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
            // The book's (y - t) / batch_size.
            dy[labels[r]] = dy[labels[r]] - T::one();
            for (v, db) in dy.iter_mut().zip(buf.db2.iter_mut()) {
                *v = *v * inv_b;
                *db = *db + *v;
            }
            for (((&zk, w), dw), (dak, db)) in z
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

    /// Adds `scale * x^T da1` to a row-major `input x hidden` buffer: each non-zero pixel
    /// `(j, v)` of batch row `b` adds `scale * v * da1[b, :]` to row `j`.
    pub(crate) fn scatter_w1(
        &self,
        data: &SparseRows<T>,
        rows: &[usize],
        dhidden: &[T],
        scale: T,
        target: &mut [T],
    ) {
        let n = self.sizes.hidden;
        for (&r, da) in rows.iter().zip(dhidden.chunks_exact(n)) {
            let (idx, val) = data.row(r);
            for (&j, &v) in idx.iter().zip(val) {
                let s = scale * v;
                let start = j as usize * n;
                for (t, &d) in target[start..start + n].iter_mut().zip(da) {
                    *t = *t + s * d;
                }
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
        let mut dw1 = vec![T::zero(); s.input * s.hidden];
        self.scatter_w1(data, rows, &buf.dhidden, T::one(), &mut dw1);
        let grad = Gradient {
            w1: DMatrix::from_row_slice(s.input, s.hidden, &dw1),
            b1: DVector::from_column_slice(&buf.db1),
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
        let (h, o) = (self.sizes.hidden, self.sizes.output);
        let correct: usize = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut hid = vec![T::zero(); h];
                let mut out = vec![T::zero(); o];
                let mut count = 0;
                for r in c * CHUNK..n.min((c + 1) * CHUNK) {
                    let (idx, val) = data.row(r);
                    self.hidden_pre(idx, val, &mut hid);
                    for a in hid.iter_mut() {
                        *a = sigmoid(*a);
                    }
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

//! The fast path's kernels: the loops that a training step and an evaluation spend their time
//! in, written once and compiled for every instruction set (`simd.rs`).
//!
//! Every kernel is `#[inline(always)]`, so that it compiles inside the dispatched function of
//! its caller (`Dispatch::run`) with that function's instruction set. The loops work on
//! fixed-size arrays of [`Block`]s (eight lanes each), which the compiler keeps in vector
//! registers; how many blocks a kernel keeps in registers at once is chosen per instruction
//! set ([`Layout::group`]). (The accumulators are flat arrays `[T; L]` with `L` lanes, the
//! loops run over all `L`: the compiler's loop vectorizer turns them into vector code, where
//! arrays of small arrays would be left scalar.) Each element's arithmetic is the same on every path (the same
//! operations in the same order: a product, then a sum, never fused into one FMA), so every
//! instruction set gives the same bits.
//!
//! The layout they work on (`engine.rs` owns it): `w1` as `input` rows of `stride` lanes (one
//! pixel's weights contiguous, `hidden` padded with zero lanes to a multiple of 8), `b1` of
//! `stride` lanes, `w2` twice (`w2t`: `output` rows of `stride` lanes, for the backward pass;
//! `w2p`: `hidden` rows of `opad` lanes, `output` padded to a multiple of 8, for the logits),
//! `b2` of `opad` lanes. Padding lanes are zero and stay zero.

use crate::Precision;
use crate::activation::Activation;
pub(crate) use crate::aligned::Aligned;
use crate::by_pixel::ByPixel;
pub(crate) use crate::first_layer::hidden_pre;
use crate::simd::{Dispatch, InstructionSet};
use crate::{Sizes, SparseRows};
use nabla_loss::{argmax, softmax_then_cross_entropy, softmax_then_cross_entropy_backward};

/// Lanes of a block: hidden and output rows are padded to a multiple of this.
pub(crate) const LANES: usize = 8;

/// The most blocks a kernel keeps in registers at once.
pub(crate) const MAX_GROUP: usize = 8;

/// The shapes of the fast layout and the instruction set its kernels run with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub(crate) sizes: Sizes,
    /// Lanes per hidden row: `hidden` rounded up to a multiple of [`LANES`].
    pub(crate) stride: usize,
    /// Lanes per output row: `output` rounded up to a multiple of [`LANES`].
    pub(crate) opad: usize,
    /// The instruction set the kernels run with: each thread's share of a step and of an
    /// evaluation goes through [`Dispatch::run`].
    pub(crate) dispatch: Dispatch,
}

impl Layout {
    pub(crate) fn new(sizes: Sizes, dispatch: Dispatch) -> Self {
        Layout {
            sizes,
            stride: sizes.hidden.div_ceil(LANES) * LANES,
            opad: sizes.output.div_ceil(LANES) * LANES,
            dispatch,
        }
    }

    /// How many bytes of accumulators a kernel keeps in registers: half the vector registers
    /// of the instruction set (8 of 16 `xmm` on the baseline, 8 of 16 `ymm` with AVX2, and
    /// the same 256 bytes with AVX-512), leaving room for the operands.
    fn register_bytes(&self) -> usize {
        match self.dispatch.set() {
            InstructionSet::Baseline => 128,
            _ => 256,
        }
    }

    /// Blocks of `T` a kernel keeps in registers at once (the hidden row is done in groups of
    /// this many blocks): 7 blocks, the whole row of 50 hidden units in `f32`, with AVX2.
    pub(crate) fn group<T>(&self) -> usize {
        (self.register_bytes() / (LANES * std::mem::size_of::<T>())).clamp(1, MAX_GROUP)
    }

    /// Rows whose logits are computed together (their accumulators in registers at once).
    fn logit_rows<T>(&self) -> usize {
        match self.register_bytes() / (self.opad * std::mem::size_of::<T>()).max(1) {
            0 | 1 => 1,
            2 | 3 => 2,
            _ => 4,
        }
    }
}

/// `w1` as the kernels read it: the rows of pixels below `split` in `lo` and the others in
/// `hi` (two halves, each updated by one thread of a training step), `stride` lanes per row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct W1<'a, T> {
    pub(crate) lo: &'a [T],
    pub(crate) hi: &'a [T],
    pub(crate) split: usize,
    pub(crate) stride: usize,
}

/// The parameters besides `w1`, in the fast layout.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Small<T> {
    /// `stride` lanes.
    pub(crate) b1: Vec<T>,
    /// `output x stride`: `w2` transposed, the layout of its update and of the backward pass.
    pub(crate) w2t: Vec<T>,
    /// `hidden x opad`: `w2` row-major, the layout of the logits; kept equal to `w2t`.
    pub(crate) w2p: Vec<T>,
    /// `opad` lanes.
    pub(crate) b2: Vec<T>,
}

impl<T: Precision> Small<T> {
    /// Rebuilds `w2p` from `w2t`.
    pub(crate) fn sync_w2p(&mut self, layout: &Layout) {
        let (s, stride, opad) = (layout.sizes, layout.stride, layout.opad);
        for (k, row) in self.w2p.chunks_exact_mut(opad).enumerate() {
            for (c, w) in row[..s.output].iter_mut().enumerate() {
                *w = self.w2t[c * stride + k];
            }
        }
    }

    /// One SGD update from a batch's sums: `w2`, `b2` and `b1` minus `lr` times their
    /// gradient.
    pub(crate) fn step(&mut self, sums: &Sums<T>, lr: T, layout: &Layout) {
        let output = layout.sizes.output;
        for (w, &g) in self.w2t.iter_mut().zip(&sums.dw2t) {
            *w = *w - lr * g;
        }
        for (w, &g) in self.b2[..output].iter_mut().zip(&sums.db2) {
            *w = *w - lr * g;
        }
        for (w, &g) in self.b1.iter_mut().zip(&sums.db1) {
            *w = *w - lr * g;
        }
        self.sync_w2p(layout);
    }
}

/// A batch's sums for the parameters besides `w1`: `dw2` (transposed, `output x stride`),
/// `db2` (`output`), `db1` (`stride`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Sums<T> {
    pub(crate) dw2t: Vec<T>,
    pub(crate) db2: Vec<T>,
    pub(crate) db1: Vec<T>,
}

impl<T: Precision> Sums<T> {
    fn fit(&mut self, layout: &Layout) {
        let (output, stride) = (layout.sizes.output, layout.stride);
        self.dw2t.resize(output * stride, T::zero());
        self.db2.resize(output, T::zero());
        self.db1.resize(stride, T::zero());
    }

    fn clear(&mut self) {
        self.dw2t.fill(T::zero());
        self.db2.fill(T::zero());
        self.db1.fill(T::zero());
    }

    /// The batch's sums: `a`'s, or `a`'s plus `b`'s when the batch was done in two halves.
    pub(crate) fn combine(&mut self, layout: &Layout, a: &Sums<T>, b: Option<&Sums<T>>) {
        self.fit(layout);
        for (dst, x, y) in [
            (&mut self.dw2t, &a.dw2t, b.map(|b| &b.dw2t)),
            (&mut self.db2, &a.db2, b.map(|b| &b.db2)),
            (&mut self.db1, &a.db1, b.map(|b| &b.db1)),
        ] {
            match y {
                Some(y) => {
                    for (d, (&x, &y)) in dst.iter_mut().zip(x.iter().zip(y)) {
                        *d = x + y;
                    }
                }
                None => dst.copy_from_slice(x),
            }
        }
    }
}

/// Scratch space for some rows of a batch, reused from step to step.
#[derive(Debug, Default)]
pub(crate) struct Half<T> {
    /// `rows x stride`: the pre-activations, then the activations (0 in the padding).
    pub(crate) hidden: Vec<T>,
    /// `rows x opad`: the logits, then the probabilities, then `dy` (0 in the padding).
    pub(crate) out: Vec<T>,
    /// `rows x stride`: the gradient at the hidden pre-activations (0 in the padding).
    pub(crate) da: Vec<T>,
    /// The rows' sums.
    pub(crate) sums: Sums<T>,
    /// The rows listed by pixel, for the `w1` update.
    pub(crate) cols: ByPixel<T>,
}

impl<T: Precision> Half<T> {
    fn fit(&mut self, layout: &Layout, rows: usize) {
        self.hidden.resize(rows * layout.stride, T::zero());
        self.out.resize(rows * layout.opad, T::zero());
        self.da.resize(rows * layout.stride, T::zero());
        self.sums.fit(layout);
    }
}

/// The activation `A` of one pre-activation, in the fast path's float.
#[inline(always)]
pub(crate) fn activation<T: Precision, A: Activation>(a: T) -> T {
    A::fast(a)
}

/// The activations of one row in place: `A` of the pre-activations, 0 in the padding.
#[inline(always)]
pub(crate) fn activate<T: Precision, A: Activation>(hidden: usize, h: &mut [T]) {
    // Over the whole row, padding included (a loop of a multiple of 8 lanes vectorises
    // without a remainder), then the padding set back to 0.
    for a in h.iter_mut() {
        *a = activation::<T, A>(*a);
    }
    h[hidden..].fill(T::zero());
}

/// Runs `$kernel::<T, L>` for a group of `$width` blocks (1 to [`MAX_GROUP`]), `L` lanes.
macro_rules! by_width {
    ($width:expr, $kernel:ident, $($arg:expr),* $(,)?) => {
        match $width {
            1 => $kernel::<_, 8>($($arg),*),
            2 => $kernel::<_, 16>($($arg),*),
            3 => $kernel::<_, 24>($($arg),*),
            4 => $kernel::<_, 32>($($arg),*),
            5 => $kernel::<_, 40>($($arg),*),
            6 => $kernel::<_, 48>($($arg),*),
            7 => $kernel::<_, 56>($($arg),*),
            _ => $kernel::<_, { $crate::kernels::MAX_GROUP * $crate::kernels::LANES }>($($arg),*),
        }
    };
}
pub(crate) use by_width;

/// The `w1` update `w += scale x^T da` on the rows of `w` (the pixels `base..`, `stride` lanes
/// each), without a `dw1` buffer: each pixel's row updated once, in registers, from the
/// batch's two halves listed by pixel (`halves[h].cols`, `by_pixel.rs`), the first half's rows
/// added before the second's, each half's in its order (the batch's order).
#[inline(always)]
pub(crate) fn update_w1<T: Precision>(
    w: &mut [T],
    (base, stride): (usize, usize),
    group: usize,
    halves: [&Half<T>; 2],
    scale: T,
) {
    let blocks = stride / LANES;
    for (j, row) in (base..).zip(w.chunks_exact_mut(stride)) {
        let entries = halves.map(|h| (h.cols.pixel(j), &h.da[..]));
        if entries.iter().all(|(e, _)| e.is_empty()) {
            continue;
        }
        let mut first = 0;
        while first < blocks {
            let width = group.min(blocks - first);
            by_width!(width, add_group, row, first, stride, &entries, scale);
            first += width;
        }
    }
}

/// One pixel's entries (rows and values) in each half, and the half's `da`.
type Entries<'a, T> = [(&'a [(u32, T)], &'a [T]); 2];

/// Blocks `first..` (`L` lanes) of one pixel's row of [`update_w1`]: the row in registers,
/// each entry's `(scale * value) * da[row]` added in turn.
#[inline(always)]
fn add_group<T: Precision, const L: usize>(
    w: &mut [T],
    first: usize,
    stride: usize,
    entries: &Entries<'_, T>,
    scale: T,
) {
    let lanes = first * LANES..first * LANES + L;
    let mut acc = [T::zero(); L];
    acc.copy_from_slice(&w[lanes.clone()]);
    for &(list, da) in entries {
        for &(b, v) in list {
            let s = scale * v;
            let d = &da[b as usize * stride..][lanes.clone()];
            for i in 0..L {
                acc[i] = acc[i] + s * d[i];
            }
        }
    }
    w[lanes].copy_from_slice(&acc);
}

/// The logits of consecutive rows of activations `z` (`stride` lanes each) into `out`
/// (`opad` lanes each): `b2 + sum over k of z[k] w2[k]`, `k` in order, several rows at once.
#[inline(always)]
pub(crate) fn logits<T: Precision>(layout: &Layout, small: &Small<T>, z: &[T], out: &mut [T]) {
    let (stride, opad) = (layout.stride, layout.opad);
    let per = layout.logit_rows::<T>();
    let mut z = z.chunks_exact(stride * per);
    let mut o = out.chunks_exact_mut(opad * per);
    for (zr, or) in (&mut z).zip(&mut o) {
        match (per, opad) {
            (4, 8) => logit_group::<T, 4, 8>(layout, small, zr, or),
            (4, 16) => logit_group::<T, 4, 16>(layout, small, zr, or),
            (2, 8) => logit_group::<T, 2, 8>(layout, small, zr, or),
            (2, 16) => logit_group::<T, 2, 16>(layout, small, zr, or),
            _ => logits_one_by_one(layout, small, zr, or),
        }
    }
    logits_one_by_one(layout, small, z.remainder(), o.into_remainder());
}

/// [`logits`] of `R` rows of `O` output lanes, the accumulators in registers.
#[inline(always)]
fn logit_group<T: Precision, const R: usize, const O: usize>(
    layout: &Layout,
    small: &Small<T>,
    z: &[T],
    out: &mut [T],
) {
    let (hidden, stride) = (layout.sizes.hidden, layout.stride);
    let mut acc = [[T::zero(); O]; R];
    for row in acc.iter_mut() {
        row.copy_from_slice(&small.b2[..O]);
    }
    for (k, w) in small.w2p.chunks_exact(O).take(hidden).enumerate() {
        for (r, row) in acc.iter_mut().enumerate() {
            let zk = z[r * stride + k];
            for i in 0..O {
                row[i] = row[i] + zk * w[i];
            }
        }
    }
    for (row, o) in acc.iter().zip(out.chunks_exact_mut(O)) {
        o.copy_from_slice(row);
    }
}

/// [`logits`] row by row, the accumulators in memory (the same arithmetic).
#[inline(always)]
fn logits_one_by_one<T: Precision>(layout: &Layout, small: &Small<T>, z: &[T], out: &mut [T]) {
    let (hidden, opad) = (layout.sizes.hidden, layout.opad);
    for (z, o) in z
        .chunks_exact(layout.stride)
        .zip(out.chunks_exact_mut(opad))
    {
        o.copy_from_slice(&small.b2);
        for (&zk, w) in z[..hidden].iter().zip(small.w2p.chunks_exact(opad)) {
            for (oc, &wc) in o.iter_mut().zip(w) {
                *oc = *oc + zk * wc;
            }
        }
    }
}

/// What a pass over some rows of a batch reads: the parameters, the data set, the batch's
/// `1 / size`, and whether to run the backward pass too.
#[derive(Clone, Copy)]
pub(crate) struct Pass<'a, T> {
    pub(crate) layout: &'a Layout,
    pub(crate) w1: W1<'a, T>,
    pub(crate) small: &'a Small<T>,
    pub(crate) data: &'a SparseRows<T>,
    pub(crate) labels: &'a [usize],
    /// `1 / batch size`.
    pub(crate) inv_b: T,
    pub(crate) backward: bool,
}

/// The forward pass (and, if `pass.backward`, the backward pass) of some rows of a batch into
/// `half`: activations, probabilities and each row's loss; with `backward`, `dy` in `out`,
/// the gradient at the pre-activations in `da`, and the rows' sums in `half.sums`. Returns the
/// sum of the rows' losses, added in the rows' order.
#[inline(always)]
pub(crate) fn rows_pass<T: Precision, A: Activation>(
    pass: &Pass<'_, T>,
    rows: &[usize],
    half: &mut Half<T>,
) -> T {
    let Pass {
        layout,
        w1,
        small,
        data,
        labels,
        backward,
        ..
    } = *pass;
    let w1 = &w1;
    let (s, stride, opad) = (layout.sizes, layout.stride, layout.opad);
    half.fit(layout, rows.len());
    data.touch(rows);
    let group = layout.group::<T>();
    for (&r, h) in rows.iter().zip(half.hidden.chunks_exact_mut(stride)) {
        hidden_pre(w1, &small.b1, group, data.row(r), h);
        activate::<T, A>(s.hidden, h);
    }
    logits(layout, small, &half.hidden, &mut half.out);
    let mut loss = T::zero();
    if backward {
        half.sums.clear();
        half.cols.fill(data, rows);
    }
    for ((&r, dy), (z, da)) in rows.iter().zip(half.out.chunks_exact_mut(opad)).zip(
        half.hidden
            .chunks_exact(stride)
            .zip(half.da.chunks_exact_mut(stride)),
    ) {
        let dy = &mut dy[..s.output];
        let t = labels[r];
        // The probabilities replace the logits. The labels were checked against the network
        // before any arithmetic, so the error (a label out of range) cannot happen; were it
        // to, the loss would be NaN and training would stop there.
        loss = loss + softmax_then_cross_entropy(T::real_mut(dy), t).map_or(T::nan(), T::from_real);
        if backward {
            backward_row::<T, A>(pass, t, z, dy, da, &mut half.sums);
        }
    }
    loss
}

/// One row's backward pass from its probabilities `dy` (replaced by the output error) and
/// activations `z`: the gradient at the pre-activations into `da`, and the row's terms added
/// to `sums`.
#[inline(always)]
fn backward_row<T: Precision, A: Activation>(
    pass: &Pass<'_, T>,
    t: usize,
    z: &[T],
    dy: &mut [T],
    da: &mut [T],
    sums: &mut Sums<T>,
) {
    let (layout, small, inv_b) = (pass.layout, pass.small, pass.inv_b);
    let (hidden, stride) = (layout.sizes.hidden, layout.stride);
    // The book's (y - t) / batch_size, times y_t / (y_t + 1e-7): the exact derivative of
    // -ln(y_t + 1e-7), the loss as computed, in nabla-loss's one formula (which the reverse
    // mode's loss rule calls too). The forward just read `dy[t]`, so `t` is in range; were it
    // not, the row would turn NaN and training would stop there, as for the loss.
    if softmax_then_cross_entropy_backward(T::real_mut(dy), t, inv_b.to_real()).is_err() {
        dy.fill(T::nan());
    }
    for (&v, db) in dy.iter().zip(sums.db2.iter_mut()) {
        *db = *db + v;
    }
    // da = A'(z) (dy w2^T), the outputs in order: dz summed into `da`, then replaced.
    da.fill(T::zero());
    for (&dyc, w) in dy.iter().zip(small.w2t.chunks_exact(stride)) {
        for (d, &wk) in da.iter_mut().zip(w) {
            *d = *d + dyc * wk;
        }
    }
    for (d, &zk) in da.iter_mut().zip(z) {
        *d = T::from_real(A::backward(d.to_real(), zk.to_real()));
    }
    da[hidden..].fill(T::zero());
    for (&dyc, dw) in dy.iter().zip(sums.dw2t.chunks_exact_mut(stride)) {
        for (d, &zk) in dw.iter_mut().zip(z) {
            *d = *d + zk * dyc;
        }
    }
    for (d, &a) in sums.db1.iter_mut().zip(da.iter()) {
        *d = *d + a;
    }
}

/// How many of the rows `range` of `data` have their largest logit at their label
/// (nabla-loss's `argmax` on the logits widened to `f64`, which keeps their order, ties and
/// NaNs).
#[inline(always)]
pub(crate) fn count_correct<T: Precision, A: Activation>(
    layout: &Layout,
    w1: &W1<'_, T>,
    small: &Small<T>,
    data: &SparseRows<T>,
    labels: &[usize],
    range: std::ops::Range<usize>,
) -> usize {
    const ROWS: usize = 16;
    let (s, stride, opad) = (layout.sizes, layout.stride, layout.opad);
    let group = layout.group::<T>();
    let mut hidden = vec![T::zero(); ROWS * stride];
    let mut out = vec![T::zero(); ROWS * opad];
    let mut wide = vec![0.0f64; s.output];
    let mut count = 0;
    let mut start = range.start;
    while start < range.end {
        let n = ROWS.min(range.end - start);
        let (hidden, out) = (&mut hidden[..n * stride], &mut out[..n * opad]);
        for (r, h) in (start..start + n).zip(hidden.chunks_exact_mut(stride)) {
            hidden_pre(w1, &small.b1, group, data.row(r), h);
            activate::<T, A>(s.hidden, h);
        }
        logits(layout, small, hidden, out);
        for (o, &label) in out.chunks_exact(opad).zip(&labels[start..start + n]) {
            for (w, &v) in wide.iter_mut().zip(o) {
                *w = v.as_f64();
            }
            if argmax(&wide) == Some(label) {
                count += 1;
            }
        }
        start += n;
    }
    count
}

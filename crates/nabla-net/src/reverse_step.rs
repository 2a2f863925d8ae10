//! The training loop's step by reverse mode (`GradMethod::Reverse`): the gradient
//! recorded on nabla-tape straight from the fast path's parameters, and applied to them.
//!
//! The parameters stay in the engine's layout from step to step (`engine.rs`): each step
//! records them as one batch of inputs (one `Var` per number of the buffers, padding lanes
//! included, whose adjoints stay 0), so the gradient comes back in the same layout and the
//! update is one pass over each buffer, with no conversion to the book's shapes and back.
//! The hidden layer is one rule of the batch's sparse rows (never gathered into a dense
//! matrix): its forward is the engine's kernels for a hidden row (`kernels::hidden_pre`, then
//! the activation as the fast path computes it, `kernels::activate`), its backward
//! `ā = A'(z) z̄` and `w̄1 += xᵀ ā` the engine's `w1` update kernel with the batch listed by
//! pixel and scale 1 (`kernels::update_w1`), both with the instruction set the engine picked.
//! The rest is the generic forward pass on `Var` (the output layer's `affine` and the book's
//! loss, one rule each), the same code as [`reverse_gradient`](crate::reverse_gradient)'s.

use std::cell::RefCell;
use std::marker::PhantomData;

use nabla_tape::{Recording, Var, custom_rule};
use nalgebra::{DMatrix, DVector};

use crate::activation::Activation;
use crate::engine::Engine;
use crate::kernels::{self, Half, Layout};
use crate::product::MatMul;
use crate::{Error, Precision, SparseRows};

/// The loss on `rows` of `data`, then one SGD step of `engine` by `lr` times the gradient by
/// reverse mode. The rows' labels were checked against the network when training started.
pub(crate) fn step<T: Precision, A: Activation>(
    engine: &mut Engine<T, A>,
    data: &SparseRows<T>,
    labels: &[usize],
    rows: &[usize],
    lr: T,
) -> Result<T, Error> {
    let layout = engine.layout;
    let (s, stride) = (layout.sizes, layout.stride);
    let (n1, nb1, n2) = (s.input * stride, stride, s.output * stride);
    let rec = Recording::<T::Real>::new();
    // Every parameter, one batch of inputs: w1 | b1 | w2ᵀ | b2.
    let mut flat = Vec::with_capacity(n1 + nb1 + n2 + s.output);
    for part in [
        engine.w1.as_slice(),
        &engine.small.b1,
        &engine.small.w2t,
        &engine.small.b2[..s.output],
    ] {
        flat.extend_from_slice(T::real(part));
    }
    let params = rec.vars(&flat);
    let (layer1, rest) = params.split_at(n1 + nb1);
    let (w2t, b2) = rest.split_at(n2);
    let hidden = first_layer(engine, data, rows, layer1);
    let w2 = DMatrix::from_fn(s.hidden, s.output, |k, c| w2t[c * stride + k]);
    let b2 = DVector::from_column_slice(b2);
    let logits = <Var<T::Real> as MatMul>::affine(&hidden, &w2, &b2);
    let t: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
    let loss = <Var<T::Real> as MatMul>::book_loss(&logits, &t)?;
    let loss_value = T::from_real(loss.value());
    if !num_traits::Float::is_finite(loss_value) {
        return Ok(loss_value);
    }
    let mut grad = Vec::with_capacity(params.len());
    rec.adjoints_into(&[(loss, num_traits::One::one())], &params, &mut grad);
    let grad = T::from_real_mut(&mut grad);
    let (g1, rest) = grad.split_at(n1);
    let (gb1, rest) = rest.split_at(nb1);
    let (gw2t, gb2) = rest.split_at(n2);
    let small = &mut engine.small;
    for (w, g) in [
        (engine.w1.as_mut_slice(), g1),
        (&mut small.b1[..], gb1),
        (&mut small.w2t[..], gw2t),
        (&mut small.b2[..s.output], gb2),
    ] {
        for (w, &g) in w.iter_mut().zip(g) {
            *w = *w - lr * g;
        }
    }
    small.sync_w2p(&layout);
    Ok(loss_value)
}

/// `A(x w1 + 1 b1ᵀ)` for the sparse rows `rows` of `data` as one rule, `layer1` being the `Var`s
/// of `w1` (the engine's layout) followed by those of `b1` (`stride` lanes): a `rows x hidden`
/// matrix of `Var`s.
fn first_layer<T: Precision, A: Activation>(
    engine: &Engine<T, A>,
    data: &SparseRows<T>,
    rows: &[usize],
    layer1: &[Var<T::Real>],
) -> DMatrix<Var<T::Real>> {
    let layout = engine.layout;
    let (s, stride, b) = (layout.sizes, layout.stride, rows.len());
    let mut h = vec![T::zero(); b * stride];
    let (w1, b1, group) = (engine.w1_view(), &engine.small.b1, layout.group::<T>());
    layout.dispatch.run(
        #[inline(always)]
        || {
            for (&r, h) in rows.iter().zip(h.chunks_exact_mut(stride)) {
                kernels::hidden_pre(&w1, b1, group, data.row(r), h);
                kernels::activate::<T, A>(s.hidden, h);
            }
        },
    );
    // The outputs column-major (`rows x hidden`), as the generic pass takes them.
    let values: Vec<T::Real> = (0..s.hidden * b)
        .map(|i| h[(i % b) * stride + i / b].to_real())
        .collect();
    let mut half = Half::default();
    half.cols.fill(data, rows);
    let backward = FirstLayer::<T, A> {
        layout,
        z: values.clone(),
        half: RefCell::new(half),
        b,
        activation: PhantomData,
    };
    let out = custom_rule(
        layer1,
        &values,
        move |zbar: &[T::Real], inputs: &mut [T::Real]| {
            backward.run(zbar, T::from_real_mut(inputs));
        },
    );
    DMatrix::from_vec(b, s.hidden, out)
}

/// The backward of [`first_layer`]: the batch's rows listed by pixel, and room for `ā` in the
/// kernel's layout (`half.cols` and `half.da`).
struct FirstLayer<T: Precision, A> {
    layout: Layout,
    /// The activations, column-major (`rows x hidden`).
    z: Vec<T::Real>,
    activation: PhantomData<A>,
    half: RefCell<Half<T>>,
    /// The batch's rows.
    b: usize,
}

impl<T: Precision, A: Activation> FirstLayer<T, A> {
    /// `w̄1 = xᵀ ā` and `b̄1 = āᵀ 1` with `ā = A'(z) z̄` into `inputs` (zeroed: `w1`'s
    /// lanes, then `b1`'s) from `z̄` (column-major, `rows x hidden`).
    fn run(&self, zbar: &[T::Real], inputs: &mut [T]) {
        let (layout, b, stride) = (self.layout, self.b, self.layout.stride);
        let (w1bar, b1bar) = inputs.split_at_mut(inputs.len() - stride);
        let mut half = self.half.borrow_mut();
        // ā row by row, `stride` lanes, 0 in the padding: the kernel's `da`.
        half.da.clear();
        half.da.resize(b * stride, T::zero());
        for (k, (column, z)) in zbar.chunks_exact(b).zip(self.z.chunks_exact(b)).enumerate() {
            let mut sum = T::zero();
            for (r, (&g, &z)) in column.iter().zip(z).enumerate() {
                let a = T::from_real(A::backward(g, z));
                half.da[r * stride + k] = a;
                sum = sum + a;
            }
            b1bar[k] = sum;
        }
        let (half, empty) = (&*half, &Half::default());
        let group = layout.group::<T>();
        layout.dispatch.run(
            #[inline(always)]
            || kernels::update_w1(w1bar, (0, stride), group, [half, empty], T::one()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Buffers;
    use crate::test_util::small_problem;
    use crate::{Sizes, TwoLayerNet};

    /// One step by reverse mode and one by backpropagation from the same engine: the
    /// parameters after it (in the book's shapes) and the losses, the largest difference.
    fn one_step_each<T: Precision>(net: &TwoLayerNet<T>, x: &DMatrix<T>, labels: &[usize]) -> f64 {
        let data = SparseRows::from_matrix(x).unwrap();
        // Rows repeated and out of order, as the sampler draws them; 40 rows: two halves.
        let rows: Vec<usize> = (0..40).map(|i| (i * 7) % x.nrows()).collect();
        let lr = T::from_f64(0.5);
        let mut reverse = Engine::from_net(net);
        let loss = step(&mut reverse, &data, labels, &rows, lr).unwrap();
        let mut backprop = Engine::from_net(net);
        let (bloss, g) = backprop.gradient(&data, labels, &rows, &mut Buffers::default());
        backprop.apply(&g, lr);
        // The padding lanes of `w1`, `b1` and `w2ᵀ` stay zero.
        let (hidden, stride) = (net.sizes().hidden, reverse.layout.stride);
        for row in [
            reverse.w1.as_slice(),
            &reverse.small.b1[..],
            &reverse.small.w2t[..],
        ]
        .into_iter()
        .flat_map(|buffer| buffer.chunks_exact(stride))
        {
            assert!(row[hidden..].iter().all(|v| v.is_zero()));
        }
        let (a, b) = (reverse.to_net(), backprop.to_net());
        let params = a
            .parameters()
            .concat()
            .into_iter()
            .zip(b.parameters().concat());
        params
            .map(|(p, q)| (p.as_f64() - q.as_f64()).abs())
            .fold((loss.as_f64() - bloss.as_f64()).abs(), f64::max)
    }

    #[test]
    fn a_step_by_reverse_mode_is_a_step_by_backpropagation() {
        // 5 hidden units: 3 padding lanes in every row of the engine's layout.
        let (net, x, labels) = small_problem(Sizes::new(30, 5, 4).unwrap(), 25, 31);
        let worst = one_step_each(&net, &x, &labels);
        assert!(worst < 1e-14, "{worst}");
        let worst = one_step_each(&net.map(|v| v as f32), &x.map(|v| v as f32), &labels);
        assert!(worst < 1e-6, "{worst}");
    }
}

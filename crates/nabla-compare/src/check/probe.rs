//! What the function looks like near a point, for the bounds of the check: its higher
//! derivatives along one coordinate, computed exactly by nested dual numbers, their largest
//! values over a stencil, the largest value of `f` there, and the noise of its values.

use nabla_dual::Dual;

use crate::engine::private::Problem;
use crate::function::Number;

/// A scalar that seeds one input at every nesting level: `f(seeded(x))` carries
/// `d^k f / dx^k` in its innermost-outermost part ([`Nested::top`]).
trait Nested: Number {
    fn seeded(x: f64) -> Self;
    fn constant(x: f64) -> Self;
    fn top(self) -> f64;
}

impl Nested for f64 {
    fn seeded(x: f64) -> Self {
        x
    }
    fn constant(x: f64) -> Self {
        x
    }
    fn top(self) -> f64 {
        self
    }
}

impl<T: Nested + nabla_dual::Real> Nested for Dual<T>
where
    Dual<T>: Number,
{
    fn seeded(x: f64) -> Self {
        Dual::new(T::seeded(x), T::one())
    }
    fn constant(x: f64) -> Self {
        Dual::constant(T::constant(x))
    }
    fn top(self) -> f64 {
        self.eps().top()
    }
}

type D2 = Dual<Dual<f64>>;
type D3 = Dual<D2>;
type D5 = Dual<Dual<D3>>;

/// `d^k f_o / dx_i^k` for every output `o`, at `x` with `x_i` replaced by `t`.
fn nth_in<T: Nested, M, F: Problem<M> + ?Sized>(f: &F, x: &[f64], i: usize, t: f64) -> Vec<f64> {
    let input: Vec<T> = x
        .iter()
        .enumerate()
        .map(|(j, &v)| if j == i { T::seeded(t) } else { T::constant(v) })
        .collect();
    f.values(&input).into_iter().map(Nested::top).collect()
}

/// `d^k f_o / dx_i^k` for every output at `x` with `x_i = t`, `k` = 2, 3 or 5.
pub(super) fn derivative_at<M, F: Problem<M> + ?Sized>(
    f: &F,
    x: &[f64],
    i: usize,
    k: usize,
    t: f64,
) -> Vec<f64> {
    match k {
        2 => nth_in::<D2, M, F>(f, x, i, t),
        3 => nth_in::<D3, M, F>(f, x, i, t),
        _ => nth_in::<D5, M, F>(f, x, i, t),
    }
}

/// `max |d^k f_o / dx_i^k|` on `[x_i - w, x_i + w]` for every output: at `samples` evenly
/// spread points, then refined by a golden-section search between the neighbours of the
/// largest sample (40 steps), so that a narrow peak between two samples is found. A search
/// for a maximum, not a proof of one; NaN where a point is outside the domain.
pub(super) fn largest_derivative<M, F: Problem<M> + ?Sized>(
    f: &F,
    x: &[f64],
    i: usize,
    k: usize,
    w: f64,
    samples: usize,
) -> Vec<f64> {
    let at = |s: usize| x[i] + w * (2.0 * s as f64 / (samples - 1) as f64 - 1.0);
    let sampled: Vec<Vec<f64>> = (0..samples)
        .map(|s| derivative_at(f, x, i, k, at(s)))
        .collect();
    (0..sampled[0].len())
        .map(|o| {
            let size = |d: &[f64]| {
                if d[o].is_nan() {
                    f64::INFINITY
                } else {
                    d[o].abs()
                }
            };
            let best =
                (0..samples).max_by(|&a, &b| size(&sampled[a]).total_cmp(&size(&sampled[b])));
            let best = best.unwrap_or(0);
            let mut top = size(&sampled[best]);
            let (mut a, mut b) = (at(best.saturating_sub(1)), at((best + 1).min(samples - 1)));
            let golden = 0.5 * (5f64.sqrt() - 1.0);
            for _ in 0..40 {
                let (c, d) = (b - golden * (b - a), a + golden * (b - a));
                let (fc, fd) = (
                    size(&derivative_at(f, x, i, k, c)),
                    size(&derivative_at(f, x, i, k, d)),
                );
                top = top.max(fc).max(fd);
                if fc > fd { b = d } else { a = c }
            }
            if top.is_infinite() { f64::NAN } else { top }
        })
        .collect()
}

/// `max |f_o|` over `samples` points on `[x_i - w, x_i + w]`, for every output.
pub(super) fn largest_value<M, F: Problem<M> + ?Sized>(
    f: &F,
    x: &[f64],
    i: usize,
    w: f64,
    samples: usize,
) -> Vec<f64> {
    let mut p = x.to_vec();
    let mut top: Vec<f64> = Vec::new();
    for s in 0..samples {
        p[i] = x[i] + w * (2.0 * s as f64 / (samples - 1) as f64 - 1.0);
        let v = f.values(&p);
        if top.is_empty() {
            top = vec![0.0; v.len()];
        }
        for (m, v) in top.iter_mut().zip(v) {
            *m = m.max(v.abs());
        }
    }
    top
}

/// The rounding error of each output of `f` near `x` along coordinate `i`, measured: the
/// largest distance of `f`'s computed values at nine points `spacing` apart around `x_i`
/// from its exact second-order Taylor polynomial there (`first` and `second` are
/// `df_o/dx_i` and `d^2 f_o/dx_i^2` at `x`). What the polynomial leaves is rounding, plus a
/// third-order term that is at most the truncation error of a stencil of that width. This
/// sees what a model of the rounding cannot: terms that cancel to far below their size, and
/// values that stay on one floating-point number while the function changes by less than
/// its last digit (a saturated softmax), in the spirit of Moré and Wild's ECnoise
/// ("Estimating computational noise", SIAM J. Sci. Comput. 33(3), 2011).
pub(super) fn noise<M, F: Problem<M> + ?Sized>(
    f: &F,
    x: &[f64],
    i: usize,
    spacing: f64,
    first: &[f64],
    second: &[f64],
) -> Vec<f64> {
    let mut p = x.to_vec();
    let base = f.values(x);
    let mut top = vec![0.0f64; base.len()];
    for k in (-4..=4).filter(|&k| k != 0) {
        p[i] = x[i] + f64::from(k) * spacing;
        let t = p[i] - x[i];
        for (o, v) in f.values(&p).into_iter().enumerate() {
            let taylor = base[o] + first[o] * t + 0.5 * second[o] * t * t;
            top[o] = top[o].max((v - taylor).abs());
        }
    }
    top
}

//! Where an axis is labelled and how a label reads: round ticks on a linear axis, powers of
//! ten on a logarithmic one.

use std::ops::Range;

/// The most labelled ticks on an axis.
const MAX_TICKS: usize = 12;

/// The labelled ticks and the grid's light lines of an axis over `r`, at most [`MAX_TICKS`]
/// labelled. Linear: multiples of 1, 2 or 5 times a power of ten (whole numbers when
/// `integers`), light lines halfway (at every whole number on a short count axis). Logarithmic: the powers of ten whose exponent
/// is a multiple of the smallest step of decades that fits (so `1e-50`, `1e-45`, ... `1`), light
/// lines at every decade, or at 2..9 times each power of ten when every decade is labelled.
pub(super) fn ticks(r: &Range<f64>, log: bool, integers: bool) -> (Vec<f64>, Vec<f64>) {
    if log {
        let (lo, hi) = (r.start.log10().ceil(), r.end.log10().floor());
        let decades = hi - lo;
        if decades >= 1.0 {
            let step = (decades / MAX_TICKS as f64).ceil().max(1.0);
            let first = (lo / step).ceil() * step;
            let bold = multiples(first, hi, step).map(|d| 10f64.powf(d)).collect();
            let light = if step > 1.0 {
                multiples(lo, hi, 1.0).map(|d| 10f64.powf(d)).collect()
            } else {
                multiples(lo - 1.0, hi, 1.0)
                    .flat_map(|d| (2..10).map(move |m| f64::from(m) * 10f64.powf(d)))
                    .filter(|v| r.contains(v))
                    .collect()
            };
            return (bold, light);
        }
        // Less than a decade: linear ticks inside it (all positive).
    }
    let span = r.end - r.start;
    let raw = span / MAX_TICKS as f64;
    let power = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power); // ok: 10 * power >= raw always; a fallback for NaN only
    if integers {
        step = step.max(1.0).round();
    }
    // One light line between labels; on a count, one per whole number while they are few.
    let light_step = if integers && step <= 10.0 {
        1.0
    } else {
        step / 2.0
    };
    let at = |s: f64| multiples((r.start / s).ceil() * s, r.end, s).collect::<Vec<_>>();
    (at(step), at(light_step))
}

/// `first, first + step, ...` up to `last`, each computed as `first + k step` (no drift).
fn multiples(first: f64, last: f64, step: f64) -> impl Iterator<Item = f64> {
    let count = if step > 0.0 && last >= first {
        ((last - first) / step + 1e-9).floor() as usize + 1
    } else {
        0
    };
    // A few hundred at most: the spans and steps above keep `count` near MAX_TICKS * 5 or 9.
    (0..count.min(4096)).map(move |k| first + k as f64 * step)
}

/// `value`, or 0 when it is closer to zero than `1e-9` times the span of its linear axis: a
/// rounding residue of the tick steps, not a value (a span of 0 snaps nothing).
pub(super) fn snap_to_zero(value: f64, span: f64) -> f64 {
    if value.abs() < 1e-9 * span.abs() {
        0.0
    } else {
        value
    }
}

/// A short tick label: at most 4 significant digits, plain for ordinary magnitudes and in
/// `1e-5` notation for very small or very large ones (`0.84`, `100`, `2.5e-7`, `1e6`).
pub(super) fn tick_label(value: f64) -> String {
    let rounded: f64 = format!("{value:.3e}").parse().unwrap_or(value);
    let magnitude = rounded.abs();
    if magnitude == 0.0 {
        "0".to_owned()
    } else if (1e-3..1e5).contains(&magnitude) {
        format!("{rounded}")
    } else {
        format!("{rounded:e}")
    }
}

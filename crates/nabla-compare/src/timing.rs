//! Time per call, repeated until the median is stable.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The time one call of a method takes, from repeated samples (seconds per call).
///
/// Each sample times a batch of calls (as many as fill about a fortieth of the time budget)
/// and divides; samples are taken until their median moves by less than 1% over the last
/// quarter of them (at least 10 samples), or until the budget is spent (at least 3
/// samples). The median is the estimate; `q1` and `q3`, the quartiles of the samples, its
/// spread.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// The median over the samples, in seconds per call.
    pub median: f64,
    /// The first quartile of the samples, in seconds per call.
    pub q1: f64,
    /// The third quartile of the samples, in seconds per call.
    pub q3: f64,
    /// How many samples were taken.
    pub samples: usize,
    /// Calls per sample.
    pub calls_per_sample: u64,
}

impl Timing {
    /// Half the interquartile range relative to the median: `(q3 - q1) / (2 median)`.
    pub fn spread(&self) -> f64 {
        (self.q3 - self.q1) / (2.0 * self.median)
    }
}

/// Fewest samples when the median is judged stable.
const MIN_STABLE_SAMPLES: usize = 10;
/// Fewest samples when the budget runs out first.
const MIN_SAMPLES: usize = 3;
/// Most samples.
const MAX_SAMPLES: usize = 400;
/// How much the median may still move over the last quarter of the samples.
const STABLE: f64 = 0.01;

/// Times `call` within about `budget` (more when a single call takes longer), after a
/// warm-up of a tenth of it (at least one call).
pub(crate) fn measure(budget: Duration, mut call: impl FnMut()) -> Timing {
    let start = Instant::now();
    let mut warm_calls = 0u64;
    while warm_calls == 0 || start.elapsed() < budget / 10 {
        call();
        warm_calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / warm_calls as f64;
    let sample_time = budget.as_secs_f64() / 40.0;
    let calls = (sample_time / per_call.max(1e-10)).floor().max(1.0) as u64;

    let started = Instant::now();
    let mut samples = Vec::new();
    loop {
        let t = Instant::now();
        for _ in 0..calls {
            call();
        }
        samples.push(t.elapsed().as_secs_f64() / calls as f64);
        let n = samples.len();
        let spent = started.elapsed() >= budget;
        if n >= MAX_SAMPLES || (spent && n >= MIN_SAMPLES) {
            break;
        }
        if n >= MIN_STABLE_SAMPLES {
            let now = median(&samples);
            let before = median(&samples[..n - n / 4]);
            if ((now - before) / now).abs() < STABLE {
                break;
            }
        }
    }
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    Timing {
        median: quantile(&sorted, 0.5),
        q1: quantile(&sorted, 0.25),
        q3: quantile(&sorted, 0.75),
        samples: samples.len(),
        calls_per_sample: calls,
    }
}

/// The median of unsorted samples.
fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile(&sorted, 0.5)
}

/// The `q`-quantile of sorted samples, interpolated linearly.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// A duration in seconds with a unit a reader takes in at once: `843 ns`, `12.3 µs`,
/// `1.27 ms`, `2.41 s`.
pub(crate) fn human(seconds: f64) -> String {
    let (value, unit) = if seconds < 1e-6 {
        (seconds * 1e9, "ns")
    } else if seconds < 1e-3 {
        (seconds * 1e6, "µs")
    } else if seconds < 1.0 {
        (seconds * 1e3, "ms")
    } else {
        (seconds, "s")
    };
    if value < 10.0 {
        format!("{value:.2} {unit}")
    } else if value < 100.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&s, 0.5), 2.5);
        assert_eq!(quantile(&s, 0.25), 1.75);
        assert_eq!(quantile(&[7.0], 0.75), 7.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn a_sleep_is_measured_as_long_as_it_is() {
        // 2 ms per call: well above the timer's resolution and the scheduler's noise.
        let t = measure(Duration::from_millis(40), || {
            std::thread::sleep(Duration::from_millis(2))
        });
        assert!(t.median >= 2e-3 && t.median < 4e-3, "{t:?}");
        assert!(t.q1 <= t.median && t.median <= t.q3);
        assert!(t.samples >= MIN_SAMPLES, "{t:?}");
        assert_eq!(t.calls_per_sample, 1);
    }

    #[test]
    fn fast_calls_are_batched() {
        let mut n = 0u64;
        let t = measure(Duration::from_millis(20), || {
            n = std::hint::black_box(n + 1);
        });
        assert!(t.calls_per_sample > 100, "{t:?}");
        assert!(t.median < 1e-6, "{t:?}");
    }

    #[test]
    fn units() {
        assert_eq!(human(843e-9), "843 ns");
        assert_eq!(human(1.234e-9), "1.23 ns");
        assert_eq!(human(12.34e-6), "12.3 µs");
        assert_eq!(human(1.27e-3), "1.27 ms");
        assert_eq!(human(2.41), "2.41 s");
    }
}

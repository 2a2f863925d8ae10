//! Ridders' tableau: the central differences of one output at shrinking steps, extrapolated
//! to `h -> 0` row by row, with the honest error estimate and the convergence check that
//! [`richardson`](crate::richardson) documents.

use num_traits::Float;

use crate::options::lit;
use crate::richardson::{Estimate, MAX_LEVELS, SHRINK};

/// Rows of the tableau always computed (when `levels` allows) before the error may stop it.
pub(crate) const MIN_ROWS: usize = 5;

/// Ridders' tableau of one output, built one central difference at a time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tableau<T> {
    /// The last row and the one being built; row `i` has `i + 1` entries.
    prev: [T; MAX_LEVELS],
    row: [T; MAX_LEVELS],
    /// The first column: the central differences, largest step first.
    diffs: [T; MAX_LEVELS],
    /// The entry of each row with the smallest Ridders error, and the row's step.
    bests: [(Estimate<T>, T); MAX_LEVELS],
    rows: usize,
    smallest: T,
    /// The largest `|f|` seen, for the rounding floor of the error estimate.
    pub(crate) fmax: T,
    /// Whether the tableau still takes rows.
    pub(crate) open: bool,
}

impl<T: Float> Tableau<T> {
    pub(crate) fn new(open: bool) -> Self {
        let none = Estimate {
            value: T::zero(),
            error: T::infinity(),
        };
        Tableau {
            prev: [T::zero(); MAX_LEVELS],
            row: [T::zero(); MAX_LEVELS],
            diffs: [T::zero(); MAX_LEVELS],
            bests: [(none, T::zero()); MAX_LEVELS],
            rows: 0,
            smallest: T::infinity(),
            fmax: T::zero(),
            open,
        }
    }

    /// Adds the row of the central difference `d` at step `h`.
    pub(crate) fn push(&mut self, d: T, h: T, levels: usize) {
        let i = self.rows;
        self.diffs[i] = d;
        self.rows = i + 1;
        if self.rows >= levels {
            self.open = false;
        }
        if i == 0 {
            self.prev[0] = d;
            self.bests[0] = (
                Estimate {
                    value: d,
                    error: T::infinity(),
                },
                h,
            );
            return;
        }
        let shrink2 = lit::<T>(SHRINK * SHRINK);
        let (prev, row) = (&self.prev, &mut self.row);
        row[0] = d;
        let mut factor = shrink2;
        let mut row_best = Estimate {
            value: row[0],
            error: T::infinity(),
        };
        for j in 1..=i {
            row[j] = (row[j - 1] * factor - prev[j - 1]) / (factor - T::one());
            factor = factor * shrink2;
            let err = (row[j] - row[j - 1])
                .abs()
                .max((row[j] - prev[j - 1]).abs());
            if err <= row_best.error {
                row_best = Estimate {
                    value: row[j],
                    error: err,
                };
            }
        }
        self.bests[i] = (row_best, h);
        self.smallest = self.smallest.min(row_best.error);
        // Once the error grows, rounding noise dominates and smaller steps only make it
        // worse; but not before five rows, since the first rows can agree by accident.
        if i >= MIN_ROWS - 1 && row_best.error > lit::<T>(2.0) * self.smallest {
            self.open = false;
        }
        std::mem::swap(&mut self.prev, &mut self.row);
    }

    /// The estimate of the tableau, with the honest error described at [`richardson`](crate::richardson).
    pub(crate) fn estimate(&self) -> Estimate<T> {
        let (rows, bests) = (self.rows, &self.bests);
        if rows <= 1 {
            // No extrapolation possible: report the single difference with an unknown error.
            return bests[0].0;
        }
        // Two tableau entries can agree by accident: a row's best must also agree with the
        // best of the rows before and after it (the successive estimates), and no estimate
        // is better than the rounding error of the differences it was built from,
        // `eps max|f| / h`, nor the value's own rounding.
        let two = lit::<T>(2.0);
        let mut best = Estimate {
            value: bests[1].0.value,
            error: T::infinity(),
        };
        for k in 1..rows {
            let (e, hk) = bests[k];
            let mut err = e.error.max((e.value - bests[k - 1].0.value).abs());
            if k + 1 < rows {
                err = err.max((e.value - bests[k + 1].0.value).abs());
            }
            let floor =
                (two * T::epsilon() * self.fmax / hk).max(two * T::epsilon() * e.value.abs());
            err = err.max(floor);
            if err <= best.error {
                best = Estimate {
                    value: e.value,
                    error: err,
                };
            }
        }
        best
    }

    /// Whether the central differences converge at the order the extrapolation assumes.
    ///
    /// For `f` smooth on `[x - h, x + h]` the difference at step `h` is
    /// `f' + c h^2 + O(h^4)`, so the change between successive differences shrinks by
    /// `1.4^2 = 1.96` per row (or faster where `c = 0`). A step that straddles a kink, a jump
    /// or a singularity gives differences that behave like a lower power of `h` (or grow):
    /// their changes shrink by less, or grow. The check looks at the last two successive
    /// changes that are both well above rounding noise (`1000 eps max|f| / h`) and requires
    /// the later one to be at most 0.8 times the earlier; with no such pair (every change is
    /// noise, or the tableau is too short) there is nothing to contradict convergence.
    pub(crate) fn converged(&self) -> bool {
        let noise = lit::<T>(1000.0) * T::epsilon() * self.fmax;
        let mut last = None;
        let mut ratio = None;
        for k in 1..self.rows {
            let change = (self.diffs[k - 1] - self.diffs[k]).abs();
            if change > noise / self.bests[k].1 {
                if let Some(before) = last {
                    ratio = Some(change / before);
                }
                last = Some(change);
            } else {
                last = None;
            }
        }
        ratio.is_none_or(|r| r <= lit::<T>(0.8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_below_the_noise_floor_do_not_count_against_convergence() {
        // Differences that alternate 1, 1 + delta, 1, ... from h = 0.1 down by 1.4: changes
        // that do not shrink at all. With max|f| = 1 the noise floor `1000 eps / h` is
        // 2.2e-12 to 1.2e-11 over these steps: changes of 1e-13 are rounding noise and
        // contradict nothing; changes of 1e-10 are signal, and the differences do not
        // converge.
        let tableau = |delta: f64| {
            let mut t = Tableau::<f64>::new(true);
            t.fmax = 1.0;
            let mut h = 0.1;
            for k in 0..6 {
                t.push(if k % 2 == 0 { 1.0 } else { 1.0 + delta }, h, MAX_LEVELS);
                h /= 1.4;
            }
            t
        };
        assert!(tableau(1e-13).converged());
        assert!(!tableau(1e-10).converged());
        // Changes that shrink by 1.96 per row, as a smooth function's do, converge.
        let mut t = Tableau::<f64>::new(true);
        t.fmax = 1.0;
        let mut h = 0.1;
        for k in 0..6 {
            t.push(1.0 + 1e-3 * h * h, h, MAX_LEVELS);
            h /= 1.4;
            assert!(t.converged(), "row {k}");
        }
    }
}

//! [`richardson`]: central differences extrapolated to `h -> 0`, with an error estimate.

use num_traits::Float;

use crate::Params;
use crate::derivative::non_finite;
use crate::options::{check_step, lit};
use crate::stencil::{self, Probe};
use crate::tableau::Tableau;
use crate::{Error, Scheme, Step};

/// The most levels [`richardson`] will use.
pub(crate) const MAX_LEVELS: usize = 10;

/// Each step of a run is the previous one divided by this.
pub(crate) const SHRINK: f64 = 1.4;

/// A bound on the sum of the absolute weights of a tableau entry beyond column 0:
/// `prod_j (c_j + 1) / (c_j - 1)` with `c_j = SHRINK^(2j)`, which converges below 9.
const AMPLIFICATION: f64 = 9.0;

/// A value with an estimate of its absolute error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate<T> {
    /// The estimate.
    pub value: T,
    /// An estimate of `|value - exact|`.
    pub error: T,
}

/// Settings of [`richardson`].
///
/// Made by [`Richardson::default`] (the automatic first step, 10 levels, the most it uses) or
/// [`Richardson::new`], changed by [`Richardson::with_initial_step`] and
/// [`Richardson::with_levels`]; a fixed first step is checked as it is set. The fields are read
/// directly, and new ones may be added.
///
/// ```
/// use nabla_numdiff::{Richardson, Step};
///
/// let fixed = Richardson::default().with_initial_step(Step::Fixed(0.5))?.with_levels(6);
/// assert_eq!((fixed.initial_step, fixed.levels), (Step::Fixed(0.5), 6));
/// assert!(Richardson::new(Step::Fixed(0.0), 6).is_err());
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Richardson<T> {
    /// The first (largest) step. `Step::Auto` searches: it starts from `0.1` (the step that
    /// suits a function whose features are of size 1); if the differences of that run
    /// converge, it tries first steps 10, 100, ... times larger while `0.1 * max(1, |x|)`
    /// allows, keeping each only while its run converges and the error estimate improves;
    /// if they do not converge (the step straddles a kink, a jump or a pole), it tries first
    /// steps 10, 100, ... times smaller, down to `1e-7`, until a run converges (see
    /// [`richardson`]). A fixed step is used as given, with no convergence check; the
    /// function must be smooth and finite on `[x - h, x + h]`.
    pub initial_step: Step<T>,
    /// How many steps to try, at most 10 (larger values are clamped); each is
    /// the previous divided by 1.4.
    pub levels: usize,
}

impl<T> Default for Richardson<T> {
    fn default() -> Self {
        Richardson {
            initial_step: Step::Auto,
            levels: MAX_LEVELS,
        }
    }
}

impl<T: Float> Richardson<T> {
    /// The first step `initial_step` and at most `levels` steps (see the fields).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidStep`] if a fixed first step is not finite and positive.
    pub fn new(initial_step: Step<T>, levels: usize) -> Result<Self, Error> {
        check_step(initial_step)?;
        Ok(Richardson {
            initial_step,
            levels,
        })
    }

    /// These settings with another first step.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidStep`] if a fixed step is not finite and positive.
    pub fn with_initial_step(self, initial_step: Step<T>) -> Result<Self, Error> {
        Self::new(initial_step, self.levels)
    }

    /// These settings with at most `levels` steps (clamped to `1..=MAX_LEVELS` where used).
    pub fn with_levels(self, levels: usize) -> Self {
        Richardson { levels, ..self }
    }

    /// An a-priori bound on the error of [`richardson`] with these settings at `x`, given
    /// `fifth(h0)`, a bound on `|f^(5)|` over `[x - h0, x + h0]`, and `rounding`, a bound on
    /// the error of each computed value of `f` over the widest stencil.
    ///
    /// A tableau entry beyond column 0 (every entry `richardson` returns, with two levels or
    /// more) is a weighted sum `sum_l w_l D(h_l)` of central differences with `sum w_l = 1`
    /// and `sum w_l h_l^2 = 0`, and its absolute weights sum to less than `A = 9`. Each
    /// `D(h) = f' + f''' h^2/6 + R(h)` with `|R(h)| <= h^4/120 M5`, so a run from the first
    /// step `h0` down to `h_min = h0 / 1.4^(levels - 1)` is off by at most
    /// `A h0^4/120 M5 + A E / h_min`. With a fixed first step that is the bound; with
    /// [`Step::Auto`] it is the largest over the first steps the search may keep while
    /// growing (`0.1, 1, 10, ...` up to `0.1 max(1, |x|)`). Runs from first steps below `0.1`,
    /// which the search makes only when the run from `0.1` does not converge (a kink, a jump
    /// or a pole within `0.1` of `x`), are not covered: there `f` is not smooth on the
    /// stencil and no a-priori bound holds. The returned entry's own rounding (about
    /// `A eps |f'|`) is not included.
    ///
    /// The bound is loose by orders of magnitude: entries of column 2 and beyond also cancel
    /// the `h^4` term, but which entry is returned is not known in advance, so only column 1's
    /// cancellation can be counted on. The estimate [`richardson`] returns is tight but an
    /// estimate; this is a bound.
    ///
    /// ```
    /// use nabla_numdiff::{richardson, Richardson};
    ///
    /// // sin at 0.3: |sin^(5)| <= 1 and |sin| <= 1 everywhere.
    /// let settings = Richardson::default();
    /// let bound = settings.error_bound(0.3, |_| 1.0, f64::EPSILON);
    /// let d = richardson(f64::sin, 0.3, settings)?;
    /// assert!((d.value - 0.3f64.cos()).abs() <= bound + 9.0 * f64::EPSILON);
    /// assert!(bound < 1e-5);
    /// # Ok::<(), nabla_numdiff::Error>(())
    /// ```
    pub fn error_bound(&self, x: T, fifth: impl Fn(T) -> T, rounding: T) -> T {
        let a = lit::<T>(AMPLIFICATION);
        let narrowing = lit::<T>(SHRINK).powi(self.levels.clamp(2, MAX_LEVELS) as i32 - 1);
        let run = |h0: T| a * h0.powi(4) / lit(120.0) * fifth(h0) + a * rounding * narrowing / h0;
        match self.initial_step {
            Step::Fixed(h0) => run(h0),
            Step::Auto => {
                let ten = lit::<T>(10.0);
                let largest = lit::<T>(AUTO_FIRST_STEP) * stencil::scale(x);
                let mut h0 = lit::<T>(AUTO_FIRST_STEP);
                let mut worst = run(h0);
                while h0 * ten <= largest {
                    h0 = h0 * ten;
                    worst = worst.max(run(h0));
                }
                worst
            }
        }
    }
}

/// The derivative of `f` at `x` by Richardson extrapolation of central differences (Ridders'
/// method), with an error estimate.
///
/// Central differences are taken at steps `h, h/1.4, h/1.4^2, ...`; since their error is a
/// series in `h^2`, each new one is combined with the earlier ones in a Neville tableau that
/// cancels `h^2`, `h^4`, ... terms. Ridders' error of a tableau entry is its distance to the
/// two entries it was built from; the entry with the smallest one is returned, and the
/// process stops once a whole row is more than twice as bad as the best entry so far
/// (rounding has taken over). On smooth functions in `f64` this reaches `1e-13` relative or
/// better, far beyond the `eps^(2/3)` of a single central difference.
///
/// **The error estimate.** Ridders' error alone is not a bound: two neighbouring entries can
/// agree by accident while both are off (with a first step of `0.1`, `exp(sin x)` at
/// `x = -0.002` agreed to `7e-8` while being `3.4e-6` off). The reported error is therefore
/// the largest of (a) Ridders' error, (b) the distance between the returned value and the
/// best entry of the row before it (the last two successive estimates must agree), and (c)
/// the rounding floor `eps max|f| / h` of the differences behind it and `2 eps |value|`.
/// It is still an estimate, not a proof: no finite-difference method sees features narrower
/// than its steps.
///
/// **The first step** ([`Step::Auto`]). Extrapolation wants a step over which `f` changes
/// substantially, but one that does not step over its features. A step proportional to `|x|`
/// is right for functions that vary on the scale of `|x|` (`x^3`, `ln x` at `x = 1e8`) and
/// badly wrong for those that do not (`exp(sin x)` at `x = 3.6e5`, whose period is `2 pi`;
/// a softmax of logits near `2.4e5`, which saturates within a few units): steps of
/// `3.6e4` see only noise, and steps of `2.4e4` see a piecewise linear function and agree on
/// a wrong slope. So the search starts at `0.1` and grows the first step tenfold at a time,
/// up to `0.1 * max(1, |x|)`, as long as the error estimate improves; a larger first step
/// that leaves `f`'s domain (a non-finite value) ends the search too.
///
/// A first step of `0.1` is itself too large when `f` has a feature closer to `x` than that:
/// `0.5 sqrt(|v| + v^2)` at `x = 0.0007177` has a kink at 0, every difference of a run from
/// `0.1` straddles it, the differences agree on `0.0144` and Ridders' error (`0.012`) says
/// nothing of the true `9.34`. Such a run is recognised by its first column: for `f` smooth on
/// `[x - h, x + h]` the central difference is `f' + c h^2 + O(h^4)`, so the change between
/// successive differences shrinks by `1.4^2 = 1.96` per row; across a kink, a jump or a pole
/// the differences behave like a lower power of `h` and their changes shrink by less, or
/// grow (by 1.65 per row here). A run *converges* when, of its last two successive changes
/// that are both well above rounding noise (`1000 eps max|f| / h`), the later is at most
/// `0.8` times the earlier (or when there are no two such changes). A run from `0.1` that
/// does not converge is followed by runs from `0.01`, `0.001`, ... (at most six, down to
/// `1e-7`) until one converges, whose estimate is returned (here `9.3419101124` with an
/// estimated error of `1.6e-9`, real error `6e-12`); if none does, the estimate with the
/// smallest error is returned with an error of at least the spread of all their values. A
/// larger first step must converge too to be kept.
///
/// Cost: for `|x| < 10` and `f` smooth on `[x - 0.1, x + 0.1]`, one run from `0.1` (at most
/// `2 * levels` calls of `f`); at most `log10 max(1, |x|)` more runs for growing and six
/// for shrinking.
///
/// **When the estimate can be trusted.** The reported error bounds the real error when `f`
/// is smooth on `[x - h, x + h]` for the step `h` the estimate came from, its derivatives of
/// order 3 and up do not change much over that interval (so the central differences follow
/// their `h^2` series), and `f` is computed to within a few ulps of `|f|` (the rounding floor
/// assumes it). The automatic step checks the first condition where it can: a feature
/// between `x - h` and `x + h` that changes the differences' order of convergence is found
/// and the step shrunk. It cannot see a feature that leaves the order alone (a narrow spike
/// between two probes, a feature whose effect on the differences happens to shrink like
/// `h^2`), nor a function whose own rounding is much larger than `eps |f|`: `sin(x^2)` at
/// `x = 1e7`, whose argument `1e14` is only known to `0.02`, gets an estimate near its real
/// error but not above it, and `exp(sin x)` at `1e7` one 3 times below it. With a fixed
/// first step nothing is checked.
///
/// ```
/// use nabla_numdiff::{richardson, Richardson};
///
/// let d = richardson(f64::sin, 0.3, Richardson::default())?;
/// assert!((d.value - 0.3f64.cos()).abs() < 1e-13);
/// assert!(d.error < 1e-12);
/// # Ok::<(), nabla_numdiff::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NonFinite`] if `f` is not finite at a probed point (of the first run for the
/// automatic step), [`Error::InvalidStep`] if a fixed initial step is not finite and
/// positive.
pub fn richardson<T: Float>(
    mut f: impl FnMut(T) -> T,
    x: T,
    settings: Richardson<T>,
) -> Result<Estimate<T>, Error> {
    check_step(settings.initial_step)?;
    extrapolate(&mut f, x, settings).map_err(|p| non_finite(0, p))
}

/// [`richardson`] with the step already validated, reporting where `f` was not finite.
pub(crate) fn extrapolate<T: Float>(
    f: &mut impl FnMut(T) -> T,
    x: T,
    settings: Richardson<T>,
) -> Result<Estimate<T>, Probe<T>> {
    let mut one = [Estimate {
        value: T::zero(),
        error: T::zero(),
    }];
    let mut runs = Runs::new(1, settings);
    extrapolate_each(
        &mut |v, out: &mut [T]| out[0] = f(v),
        x,
        settings,
        &mut runs,
        &mut one,
    )?;
    Ok(one[0])
}

/// [`extrapolate_each`] for every parameter in turn (the Richardson gradient and Jacobian):
/// parameter `j` is nudged in place, `f(params, out)` writes the `outputs` values, and the
/// parameter is restored bit-exactly, also on error; `put(j, estimates)` receives the
/// estimates of column `j`, one per output.
pub(crate) fn per_coordinate<T, P, F>(
    params: &mut P,
    outputs: usize,
    mut f: F,
    settings: Richardson<T>,
    mut put: impl FnMut(usize, &[Estimate<T>]),
) -> Result<(), Error>
where
    T: Float,
    P: Params<T> + ?Sized,
    F: FnMut(&P, &mut [T]),
{
    check_step(settings.initial_step)?;
    let mut column = vec![
        Estimate {
            value: T::zero(),
            error: T::zero(),
        };
        outputs
    ];
    let mut runs = Runs::new(outputs, settings);
    for j in 0..params.len() {
        let x = params.get(j);
        let r = extrapolate_each(
            &mut |v, out: &mut [T]| {
                params.set(j, v);
                f(params, out);
            },
            x,
            settings,
            &mut runs,
            &mut column,
        );
        params.set(j, x);
        r.map_err(|p| non_finite(j, p))?;
        put(j, &column);
    }
    Ok(())
}

/// [`richardson`] for every output of a vector-valued `f(v, out)` at once: `out` gets one
/// estimate per output, each exactly what [`richardson`] gives for that output alone (the
/// first-step search and the tableau's stop are per output), while each probe evaluates
/// `f` once for all of them. `runs` is the scratch, made by `Runs::new(out.len(), settings)`
/// and reusable from one coordinate to the next.
fn extrapolate_each<T: Float>(
    f: &mut impl FnMut(T, &mut [T]),
    x: T,
    settings: Richardson<T>,
    runs: &mut Runs<T>,
    out: &mut [Estimate<T>],
) -> Result<(), Probe<T>> {
    match settings.initial_step {
        Step::Fixed(h) => {
            runs.run(f, x, h, |_| true)?;
            for (o, lane) in out.iter_mut().zip(&runs.lanes) {
                *o = lane.estimate();
            }
        }
        Step::Auto => {
            runs.run(f, x, lit::<T>(AUTO_FIRST_STEP), |_| true)?;
            let mut found: Vec<Search<T>> = runs.lanes.iter().map(Search::first).collect();
            grow(f, x, runs, &mut found);
            shrink(f, x, runs, &mut found);
            for (o, s) in out.iter_mut().zip(&found) {
                *o = s.result();
            }
        }
    }
    Ok(())
}

/// The first step the automatic search starts from: the step that suits a function whose
/// features are of size 1.
const AUTO_FIRST_STEP: f64 = 0.1;

/// The first phase of the automatic first step: grows it tenfold at a time from
/// [`AUTO_FIRST_STEP`], up to `0.1 * max(1, |x|)`, for the outputs whose run converged, while
/// their run converges and its estimate improves. A run that meets a non-finite value ends
/// the phase (a larger step left `f`'s domain).
fn grow<T: Float>(
    f: &mut impl FnMut(T, &mut [T]),
    x: T,
    runs: &mut Runs<T>,
    found: &mut [Search<T>],
) {
    let ten = lit::<T>(10.0);
    let start = lit::<T>(AUTO_FIRST_STEP);
    let largest = start * stencil::scale(x);
    let mut h = start;
    while h * ten <= largest && found.iter().any(Search::grows) {
        h = h * ten;
        if runs.run(f, x, h, |i| found[i].grows()).is_err() {
            break;
        }
        for (s, lane) in found.iter_mut().zip(&runs.lanes) {
            if !s.grows() {
                continue;
            }
            let e = lane.estimate();
            if lane.converged() && e.error < s.best.error {
                s.best = e;
            } else {
                s.growing = false;
            }
        }
    }
}

/// The second phase: for the outputs whose run from [`AUTO_FIRST_STEP`] did not converge (its
/// steps straddle a kink, a jump or a pole), shrinks the first step tenfold at a time, at
/// most [`MAX_SHRINKS`] times, until a run converges; keeps the spread of their values.
fn shrink<T: Float>(
    f: &mut impl FnMut(T, &mut [T]),
    x: T,
    runs: &mut Runs<T>,
    found: &mut [Search<T>],
) {
    let ten = lit::<T>(10.0);
    let mut h = lit::<T>(AUTO_FIRST_STEP);
    for _ in 0..MAX_SHRINKS {
        if found.iter().all(|s| s.converged) {
            break;
        }
        h = h / ten;
        if runs.run(f, x, h, |i| !found[i].converged).is_err() {
            break;
        }
        for (s, lane) in found.iter_mut().zip(&runs.lanes) {
            if s.converged {
                continue;
            }
            let e = lane.estimate();
            s.low = s.low.min(e.value);
            s.high = s.high.max(e.value);
            if lane.converged() {
                s.best = e;
                s.converged = true;
            } else if e.error < s.best.error {
                s.best = e;
            }
        }
    }
}

/// How many times the automatic first step may shrink tenfold below `0.1` (to `1e-7`).
const MAX_SHRINKS: usize = 6;

/// The search of the automatic first step for one output.
struct Search<T> {
    /// The best estimate so far.
    best: Estimate<T>,
    /// Whether `best` comes from a run that converged at the expected order.
    converged: bool,
    /// Whether larger first steps are still being tried.
    growing: bool,
    /// The smallest and largest value of the runs made while shrinking.
    low: T,
    high: T,
}

impl<T: Float> Search<T> {
    /// The search after the run from [`AUTO_FIRST_STEP`] whose tableau is `lane`.
    fn first(lane: &Tableau<T>) -> Self {
        let best = lane.estimate();
        Search {
            best,
            converged: lane.converged(),
            growing: true,
            low: best.value,
            high: best.value,
        }
    }

    /// Whether a larger first step is still to be tried.
    fn grows(&self) -> bool {
        self.converged && self.growing
    }

    /// The estimate found: the best, and if no run converged, with an error of at least the
    /// spread of the estimates of all the first steps tried (they disagree by that much).
    fn result(&self) -> Estimate<T> {
        let mut o = self.best;
        if !self.converged {
            o.error = o.error.max(self.high - self.low);
        }
        o
    }
}

/// One tableau per output and the scratch of the vector stencil, reused by every run.
struct Runs<T> {
    lanes: Vec<Tableau<T>>,
    levels: usize,
    diffs: Vec<T>,
    tmp: Vec<T>,
}

impl<T: Float> Runs<T> {
    fn new(outputs: usize, settings: Richardson<T>) -> Self {
        Runs {
            lanes: vec![Tableau::new(false); outputs],
            levels: settings.levels.clamp(1, MAX_LEVELS),
            diffs: vec![T::zero(); outputs],
            tmp: vec![T::zero(); outputs],
        }
    }

    /// One run from the first step `h` for the outputs `i` with `take(i)`: central
    /// differences at `h, h/1.4, h/1.4^2, ...` until every output's tableau has stopped.
    fn run(
        &mut self,
        f: &mut impl FnMut(T, &mut [T]),
        x: T,
        mut h: T,
        take: impl Fn(usize) -> bool,
    ) -> Result<(), Probe<T>> {
        for (i, lane) in self.lanes.iter_mut().enumerate() {
            *lane = Tableau::new(take(i));
        }
        let shrink = lit::<T>(SHRINK);
        for level in 0..self.levels {
            if level > 0 {
                h = h / shrink;
            }
            if !self.lanes.iter().any(|l| l.open) {
                break;
            }
            // Divide by the representable step, as the automatic step does.
            let hr = (x + h) - x;
            if hr == T::zero() {
                self.diffs.fill(T::zero());
            } else {
                let lanes = &mut self.lanes;
                stencil::vector(
                    x,
                    hr,
                    Scheme::Central,
                    None,
                    &mut self.diffs,
                    &mut self.tmp,
                    |v, buf| {
                        f(v, buf);
                        for (lane, y) in lanes.iter_mut().zip(buf.iter()) {
                            if lane.open {
                                lane.fmax = lane.fmax.max(y.abs());
                            }
                        }
                    },
                )?;
            }
            for (lane, &d) in self.lanes.iter_mut().zip(&self.diffs) {
                if lane.open {
                    lane.push(d, h, self.levels);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tableau::MIN_ROWS;
    use approx::assert_relative_eq;

    #[test]
    fn beats_a_single_central_difference_by_orders() {
        for x in [-2.0f64, 0.5, 3.7] {
            let d = richardson(f64::exp, x, Richardson::default()).unwrap();
            assert_relative_eq!(d.value, x.exp(), max_relative = 1e-12);
            // The estimate is honest: it bounds the real error.
            assert!((d.value - x.exp()).abs() <= d.error);
        }
    }

    /// Functions with their exact derivatives, for the error-estimate tests.
    type Case = (&'static str, fn(f64) -> f64, fn(f64) -> f64);

    fn cases() -> [Case; 9] {
        [
            ("exp", f64::exp, f64::exp),
            ("sin", f64::sin, f64::cos),
            ("ln", f64::ln, |x| 1.0 / x),
            ("x^3", |x| x * x * x, |x| 3.0 * x * x),
            (
                "1/(1+x^2)",
                |x| 1.0 / (1.0 + x * x),
                |x| -2.0 * x / ((1.0 + x * x) * (1.0 + x * x)),
            ),
            ("atan", f64::atan, |x| 1.0 / (1.0 + x * x)),
            ("exp(sin x)", |x| x.sin().exp(), |x| x.cos() * x.sin().exp()),
            ("sqrt", f64::sqrt, |x| 0.5 / x.sqrt()),
            ("tanh", f64::tanh, |x| 1.0 - x.tanh() * x.tanh()),
        ]
    }

    #[test]
    fn the_error_estimate_bounds_the_real_error_and_is_not_far_above_it() {
        // On every case and point: real error <= estimate <= 100 max(real error, eps |f'|).
        // Measured: the estimate is 2 to 85 times the real error (85 where the real error
        // happened to be 0). Two points are left out on purpose: tanh beyond 20, whose f'
        // rounds to 0 while the estimate stays at the rounding floor `eps max|f| / h`; and
        // exp(sin x) at 1e7, where the estimate (2.5e-11) is 3 times below the real error
        // (7.2e-11), a known limit of the method (an estimate, not a proof).
        for (name, f, df) in cases() {
            for x in [0.3, 1.0, 2.5, 7.0, 150.0, 1e4, 1e7] {
                if (name == "exp" && x > 700.0)
                    || (name == "tanh" && x > 20.0)
                    || (name == "exp(sin x)" && x > 1e6)
                {
                    continue;
                }
                let d = richardson(f, x, Richardson::default()).unwrap();
                let exact = df(x);
                let real = (d.value - exact).abs();
                assert!(
                    real <= d.error,
                    "{name} at {x}: real error {real:e} above the estimate {:e}",
                    d.error
                );
                let pessimism = d.error / real.max(f64::EPSILON * exact.abs());
                assert!(
                    pessimism <= 100.0,
                    "{name} at {x}: estimate {:e} is {pessimism:.0}x the real error {real:e}",
                    d.error
                );
            }
        }
    }

    #[test]
    fn the_first_step_grows_with_x_while_the_estimate_improves() {
        // At x = 1e7 a first step of 0.1 sees rounding noise of eps |f| / 0.1 (2e6 for x^3,
        // a relative 7e-9 of f' = 3e14; 3.5e-14 for ln, a relative 3.5e-7): only larger
        // first steps reach the 1e-13 asserted here.
        let d = richardson(|x: f64| x * x * x, 1e7, Richardson::default()).unwrap();
        assert_relative_eq!(d.value, 3e14, max_relative = 1e-13);
        assert!(d.error <= 3e14 * 1e-13, "{d:?}");
        let d = richardson(f64::ln, 1e7, Richardson::default()).unwrap();
        assert_relative_eq!(d.value, 1e-7, max_relative = 1e-12);
        // Below |x| = 10 there is only the run from 0.1: the first probes are x +- 0.1.
        let mut probes = Vec::new();
        richardson(
            |v: f64| {
                probes.push(v);
                v.exp()
            },
            2.5,
            Richardson::default(),
        )
        .unwrap();
        assert_eq!(
            probes[..2],
            [2.5 + ((2.5 + 0.1) - 2.5), 2.5 - ((2.5 + 0.1) - 2.5)]
        );
        // At x = 1e3 the runs may start at 0.1, 1, 10 and 100 (at most 0.1 |x|).
        // For x^3 each larger first step improves the estimate (rounding noise shrinks as
        // 1/h, the cubic has no h^4 term), so all four runs are made, 100 = 0.1 |x| included.
        assert_eq!(
            first_steps(|x| x * x * x, 1e3),
            [(1e3 + 0.1) - 1e3, 1.0, 10.0, 100.0]
        );
    }

    /// The first steps of the runs [`richardson`] makes at `x` (a new run starts where the
    /// probes' distance from `x` grows).
    fn first_steps(mut f: impl FnMut(f64) -> f64, x: f64) -> Vec<f64> {
        let mut firsts = Vec::new();
        let mut last = 0.0;
        richardson(
            |v: f64| {
                let h = (v - x).abs();
                if h > last {
                    firsts.push(h);
                }
                last = h;
                f(v)
            },
            x,
            Richardson::default(),
        )
        .unwrap();
        firsts
    }

    #[test]
    fn smooth_functions_cost_one_run_from_0_1_as_before_the_shrinking_search() {
        // Below |x| = 10 the automatic step makes exactly the run from 0.1 when the function
        // is smooth on [x - 0.1, x + 0.1]: the same calls and the same estimate as a fixed
        // first step of 0.1 (the convergence check costs no evaluation). Over `cases()` at
        // 0.3 ... 1e7 the evaluations were counted before and after the check was added:
        // 2584 both times, every estimate the same bit for bit.
        let fixed = Richardson {
            initial_step: Step::Fixed(0.1),
            levels: MAX_LEVELS,
        };
        // And the zero function, whose differences do not change at all: with a floor of
        // zero too (`1000 eps max|f| / h`), a change of zero is still not signal.
        let edges: [Case; 1] = [("0", |_| 0.0, |_| 0.0)];
        for (name, f, _) in cases().into_iter().chain(edges) {
            for x in [0.3, 1.0, 2.5, 7.0] {
                let (mut auto_calls, mut fixed_calls) = (0, 0);
                let auto = richardson(
                    |v| {
                        auto_calls += 1;
                        f(v)
                    },
                    x,
                    Richardson::default(),
                )
                .unwrap();
                let one = richardson(
                    |v| {
                        fixed_calls += 1;
                        f(v)
                    },
                    x,
                    fixed,
                )
                .unwrap();
                assert_eq!(auto_calls, fixed_calls, "{name} at {x}");
                assert_eq!(auto, one, "{name} at {x}");
            }
        }
    }

    #[test]
    fn the_search_stops_at_0_1_x_and_at_the_first_run_that_does_not_improve() {
        // At x = 50 the first step may grow to 0.1 * 50 = 5: runs from 0.1 and 1, not 10.
        assert_eq!(first_steps(|x| x * x * x, 50.0), [(50.0 + 0.1) - 50.0, 1.0]);
        let d = richardson(|x: f64| x * x * x, 50.0, Richardson::default()).unwrap();
        assert_relative_eq!(d.value, 7500.0, max_relative = 1e-13);
        // x - 1000 at 1000: every difference is exactly 1, so the runs from 1, 10 and 100
        // have the same estimate (the rounding floor); the one from 10 does not improve on
        // the one from 1, and the search ends there.
        assert_eq!(
            first_steps(|x| x - 1000.0, 1000.0),
            [(1000.0 + 0.1) - 1000.0, 1.0, 10.0]
        );
    }

    #[test]
    fn a_function_that_never_converges_reports_its_spread() {
        // f(v) = 3v + sign(v) |v|^1.5 at 0: the central differences are 3 + sqrt(h), of
        // order h^0.5, so no first step from 0.1 down to 1e-7 converges at order h^2. The
        // answer is the best estimate of all the runs (3.00005), and its error the spread
        // of the runs' estimates (0.05, from the first step's 3.05): honest, and not far
        // above it.
        let f = |v: f64| 3.0 * v + v.signum() * v.abs().powf(1.5);
        let d = richardson(f, 0.0, Richardson::default()).unwrap();
        assert!((d.value - 3.0).abs() < 1e-2, "{d:?}");
        assert!((d.value - 3.0).abs() <= d.error, "{d:?}");
        assert!(d.error > 0.01 && d.error < 0.5, "{d:?}");
    }

    /// How many rows of the tableau [`richardson`] builds for `f` at 0 from the step 0.1.
    fn rows(mut f: impl FnMut(f64) -> f64) -> usize {
        let mut calls = 0;
        let r = Richardson {
            initial_step: Step::Fixed(0.1),
            levels: MAX_LEVELS,
        };
        richardson(
            |v| {
                calls += 1;
                f(v)
            },
            0.0,
            r,
        )
        .unwrap();
        assert_eq!(calls % 2, 0, "central differences probe in pairs");
        calls / 2
    }

    #[test]
    fn the_tableau_stops_when_rows_get_worse_but_not_before_five() {
        // Central differences 1 + 1e-6, 1 - 3e-6, 1 + 9e-6, ... (f(v) = v (1 + d_i), d_i
        // flipping sign and tripling with each pair of probes): every row is about three
        // times worse than the one before. The stop rule (a row more than twice as bad as
        // the best so far) may only end the tableau from the fifth row on, and does there.
        let mut calls = 0;
        let noisy = |v: f64| {
            let row = calls / 2;
            calls += 1;
            v * (1.0 + 1e-6 * (-3.0f64).powi(row))
        };
        assert_eq!(rows(noisy), MIN_ROWS);
        // A linear function: every difference is exactly 1, no row is worse than another,
        // and all ten levels are used.
        assert_eq!(rows(|v| 3.0 * v), MAX_LEVELS);
    }

    #[test]
    fn levels_are_clamped_and_shrink_by_1_4() {
        // A fixed first step: the probes are x +- h, x +- h / 1.4, x +- h / 1.4^2, ...
        let mut probes = Vec::new();
        let r = Richardson {
            initial_step: Step::Fixed(0.5),
            levels: 3,
        };
        let d = richardson(
            |v: f64| {
                probes.push(v);
                v.sin()
            },
            1.0,
            r,
        )
        .unwrap();
        assert_eq!(probes.len(), 6);
        let hs: Vec<f64> = probes.chunks(2).map(|p| 0.5 * (p[0] - p[1])).collect();
        assert_relative_eq!(hs[0], 0.5, max_relative = 1e-15);
        assert_relative_eq!(hs[1], 0.5 / 1.4, max_relative = 1e-15);
        assert_relative_eq!(hs[2], 0.5 / 1.96, max_relative = 1e-15);
        // Three rows of a step-0.5 tableau: h^6 accuracy, about (0.36)^6 f^(7) / 7! = 4e-7.
        assert!((d.value - 1f64.cos()).abs() < 1e-5, "{d:?}");
        assert!((d.value - 1f64.cos()).abs() <= d.error, "{d:?}");
        // More than MAX_LEVELS levels is the same as MAX_LEVELS; 0 is the same as 1.
        let many = Richardson {
            initial_step: Step::Fixed(0.5),
            levels: 50,
        };
        let max = Richardson {
            initial_step: Step::Fixed(0.5),
            levels: MAX_LEVELS,
        };
        assert_eq!(
            richardson(f64::sin, 1.0, many).unwrap(),
            richardson(f64::sin, 1.0, max).unwrap()
        );
        let zero = Richardson {
            initial_step: Step::Fixed(0.5),
            levels: 0,
        };
        assert!(richardson(f64::sin, 1.0, zero).unwrap().error.is_infinite());
        assert_eq!(Richardson::<f64>::default().levels, MAX_LEVELS);
        assert_eq!(Richardson::<f64>::default().initial_step, Step::Auto);
    }

    #[test]
    fn works_in_f32() {
        let d = richardson(f32::sin, 0.4f32, Richardson::default()).unwrap();
        assert_relative_eq!(d.value, 0.4f32.cos(), max_relative = 1e-5);
    }

    #[test]
    fn one_level_has_unknown_error() {
        let r = Richardson {
            initial_step: Step::Fixed(1e-3),
            levels: 1,
        };
        let d = richardson(f64::exp, 1.0, r).unwrap();
        assert_relative_eq!(d.value, 1f64.exp(), max_relative = 1e-6);
        assert!(d.error.is_infinite());
    }

    #[test]
    fn non_finite_is_an_error() {
        // ln near 0: the default first step 0.1 crosses 0.
        assert!(matches!(
            richardson(f64::ln, 0.05, Richardson::default()),
            Err(Error::NonFinite { .. })
        ));
        // With a step that stays inside the domain it works.
        let r = Richardson {
            initial_step: Step::Fixed(0.01),
            levels: MAX_LEVELS,
        };
        let d = richardson(f64::ln, 0.05, r).unwrap();
        assert_relative_eq!(d.value, 20.0, max_relative = 1e-10);
    }

    #[test]
    fn the_a_priori_bound_holds_and_grows_with_the_search() {
        // sin: every derivative and the value are at most 1 in size.
        let settings = Richardson::default();
        for x in [-2.0f64, 0.3, 5.0, 40.0, 3e3] {
            let d = richardson(f64::sin, x, settings).unwrap();
            let bound = settings.error_bound(x, |_| 1.0, f64::EPSILON);
            assert!(
                (d.value - x.cos()).abs() <= bound + 9.0 * f64::EPSILON,
                "at {x}"
            );
        }
        // The automatic search may keep first steps up to 0.1 |x|: the bound covers them.
        let near = settings.error_bound(1.0, |h| h, f64::EPSILON);
        let far = settings.error_bound(1e3, |h| h, f64::EPSILON);
        let widest = Richardson {
            initial_step: Step::Fixed(100.0),
            ..settings
        };
        assert!(far > near);
        assert_eq!(far, widest.error_bound(1e3, |h| h, f64::EPSILON));
        // A fixed first step is that run alone: A h^4/120 M5 + A E 1.4^9 / h.
        let fixed = Richardson {
            initial_step: Step::Fixed(0.5),
            levels: 3,
        };
        let want = 9.0 * 0.0625 / 120.0 * 2.0 + 9.0 * 1e-10 * 1.4f64.powi(2) / 0.5;
        assert_relative_eq!(
            fixed.error_bound(7.0, |_| 2.0, 1e-10),
            want,
            max_relative = 1e-15
        );
    }
}

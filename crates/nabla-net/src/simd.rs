//! Which instruction set the fast path runs with, chosen at run time.
//!
//! The release build targets plain x86-64 (SSE2, four `f32` lanes), so that it runs on any
//! x86-64 processor. The engine's kernels are written as ordinary loops, marked
//! `#[inline(always)]`, and called from a few entry points (each thread's share of a training
//! step, of the weight update and of an evaluation); each entry point hands its work to
//! [`Dispatch::run`], which runs it inside a function compiled with the processor's wider
//! instruction set (AVX2 and FMA, or AVX-512) when the processor has it, through the `pulp`
//! crate, which checks the processor before it calls such a function. The loops are the
//! same, so is their arithmetic: Rust never fuses `a * b + c` into one FMA unless `mul_add`
//! is written, and never reorders a floating-point sum, so every path gives the same bits
//! (tested in `engine.rs`).
//!
//! The set is chosen in code or by the environment, in this order: a training run's
//! [`TrainConfigBuilder::instruction_set`](crate::TrainConfigBuilder::instruction_set), then
//! [`InstructionSet::install`] around any call that runs the fast path ([`train`](crate::train),
//! [`evaluate`](crate::evaluate), [`backprop`](crate::backprop), ...), then `NABLA_SIMD`
//! ([`InstructionSet::detected`]). Every choice is a cap: the widest set up to it that the
//! processor supports runs, so a setting written on one machine works on every other, and
//! [`TrainOutcome::instruction_set`](crate::TrainOutcome::instruction_set) says which ran.

use std::cell::Cell;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The environment variable that caps the instruction set of the fast path.
pub(crate) const SIMD_ENV: &str = "NABLA_SIMD";

/// An instruction set the fast path (backpropagation, training, evaluation) can run with.
///
/// Unless a set is chosen in code (below), [`InstructionSet::detected`] is the one in use: the
/// widest this processor supports, capped by the environment variable `NABLA_SIMD`:
/// `baseline` (or `off`, `scalar`) forces the fallback, `avx2` caps at AVX2 and FMA, `avx512`
/// or `auto` (or unset) takes the widest there is. The results are the same bits on every
/// path; only the speed differs.
///
/// In code, a set is a cap, as the variable's values are: [`InstructionSet::capped`] is the
/// set that runs when this one is asked for (asking for [`Avx512`](InstructionSet::Avx512) on
/// a processor with AVX2 and no AVX-512 runs [`Avx2Fma`](InstructionSet::Avx2Fma), not an
/// error), which a training run reports in
/// [`TrainOutcome::instruction_set`](crate::TrainOutcome::instruction_set).
///
/// ```
/// use nabla_net::{InstructionSet, Sizes, TrainConfig, TwoLayerNet, Dataset, evaluate};
/// # use nabla_net::nalgebra::DMatrix;
///
/// // Train on the fallback, whatever the processor and `NABLA_SIMD` say.
/// let config = TrainConfig::builder()
///     .instruction_set(Some(InstructionSet::Baseline))
///     .build()?;
/// assert_eq!(config.instruction_set(), Some(InstructionSet::Baseline));
///
/// // Any other call on the fast path, capped for the duration of a closure.
/// let net = TwoLayerNet::<f64>::new(Sizes::new(4, 3, 2)?, 0.5, 1)?;
/// let data = Dataset::new(&DMatrix::from_element(2, 4, 0.5), &[0, 1])?;
/// let accuracy = InstructionSet::Baseline.install(|| evaluate(&net, &data))?;
/// assert!((0.0..=1.0).contains(&accuracy));
/// assert!(InstructionSet::Avx512.capped() <= InstructionSet::supported());
/// # Ok::<(), nabla_net::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum InstructionSet {
    /// What the build targets (on x86-64, SSE2): runs everywhere.
    #[serde(rename = "baseline")]
    Baseline,
    /// AVX2 and FMA with the rest of x86-64-v3.
    #[serde(rename = "avx2+fma")]
    Avx2Fma,
    /// AVX-512 (F, BW, CD, DQ, VL) with the rest of x86-64-v4.
    #[serde(rename = "avx512")]
    Avx512,
}

impl InstructionSet {
    /// The name used in reports: `"baseline"`, `"avx2+fma"` or `"avx512"`.
    pub fn name(self) -> &'static str {
        match self {
            InstructionSet::Baseline => "baseline",
            InstructionSet::Avx2Fma => "avx2+fma",
            InstructionSet::Avx512 => "avx512",
        }
    }

    /// The widest instruction set this processor supports (ignoring `NABLA_SIMD`).
    pub fn supported() -> Self {
        Dispatch::new(InstructionSet::Avx512).set
    }

    /// The instruction set that `NABLA_SIMD` asks for, capped at what the processor supports.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] if the variable is set to something other than `auto`, `avx512`,
    /// `avx2`, `avx2+fma`, `baseline`, `off` or `scalar` (or is not valid Unicode).
    pub fn from_env() -> Result<Self, Error> {
        let value = match std::env::var(SIMD_ENV) {
            Ok(v) => Some(v),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(v)) => {
                return Err(bad_setting(&v.to_string_lossy()));
            }
        };
        Ok(Dispatch::new(requested(value.as_deref())?).set)
    }

    /// The instruction set the fast path runs with when nothing is chosen in code:
    /// [`InstructionSet::from_env`], read once per process; an unrecognised `NABLA_SIMD` means
    /// the baseline (the safe choice; the `nabla` command reports it as an error instead).
    pub fn detected() -> Self {
        Dispatch::detected().set()
    }

    /// The set that runs when this one is asked for: the widest up to it that the processor
    /// supports (`self.min(InstructionSet::supported())`).
    pub fn capped(self) -> Self {
        Dispatch::new(self).set
    }

    /// Runs `work` with the fast path capped at this set on the calling thread (in place of
    /// `NABLA_SIMD`), as rayon's `ThreadPool::install` does with a pool: every network that
    /// `work` puts on the fast path ([`train`](crate::train) without a set of its own,
    /// [`evaluate`](crate::evaluate), [`backprop`](crate::backprop),
    /// [`numerical_gradient_structured`](crate::numerical_gradient_structured), the
    /// [`why_loss`](crate::why_loss) functions) runs with [`capped`](Self::capped). The previous choice is back when `work` returns or
    /// panics; calls may nest, the innermost wins.
    pub fn install<R>(self, work: impl FnOnce() -> R) -> R {
        struct Restore(Option<InstructionSet>);
        impl Drop for Restore {
            fn drop(&mut self) {
                INSTALLED.set(self.0);
            }
        }
        let _restore = Restore(INSTALLED.replace(Some(self)));
        work()
    }
}

thread_local! {
    /// The set of the innermost [`InstructionSet::install`] on this thread.
    static INSTALLED: Cell<Option<InstructionSet>> = const { Cell::new(None) };
}

impl std::fmt::Display for InstructionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn bad_setting(value: &str) -> Error {
    Error::Setting {
        name: SIMD_ENV,
        value: value.to_owned(),
        expected: "auto, avx512, avx2, baseline (or off, scalar)",
    }
}

/// The instruction set a value of `NABLA_SIMD` asks for (before capping).
fn requested(value: Option<&str>) -> Result<InstructionSet, Error> {
    let Some(value) = value else {
        return Ok(InstructionSet::Avx512);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "auto" | "avx512" | "avx-512" => Ok(InstructionSet::Avx512),
        "avx2" | "avx2+fma" => Ok(InstructionSet::Avx2Fma),
        "baseline" | "off" | "scalar" => Ok(InstructionSet::Baseline),
        _ => Err(bad_setting(value)),
    }
}

/// A checked instruction set: holding one means the processor supports it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dispatch {
    set: InstructionSet,
    #[cfg(target_arch = "x86_64")]
    arch: pulp::Arch,
}

impl Dispatch {
    /// The widest instruction set up to `cap` that the processor supports.
    pub(crate) fn new(cap: InstructionSet) -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use pulp::x86::{V3, V4};
            if cap >= InstructionSet::Avx512
                && let Some(v4) = V4::try_new()
            {
                return Dispatch {
                    set: InstructionSet::Avx512,
                    arch: pulp::Arch::V4(v4),
                };
            }
            if cap >= InstructionSet::Avx2Fma
                && let Some(v3) = V3::try_new()
            {
                return Dispatch {
                    set: InstructionSet::Avx2Fma,
                    arch: pulp::Arch::V3(v3),
                };
            }
            Dispatch {
                set: InstructionSet::Baseline,
                arch: pulp::Arch::Scalar,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = cap;
            Dispatch {
                set: InstructionSet::Baseline,
            }
        }
    }

    /// The choice for a network put on the fast path now, on this thread: `set` if given,
    /// else the innermost [`InstructionSet::install`], else [`Dispatch::detected`].
    pub(crate) fn chosen(set: Option<InstructionSet>) -> Self {
        match set.or_else(|| INSTALLED.get()) {
            Some(set) => Dispatch::new(set),
            None => Dispatch::detected(),
        }
    }

    /// [`InstructionSet::detected`]'s choice, made once.
    pub(crate) fn detected() -> Self {
        static DETECTED: OnceLock<Dispatch> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            let value = std::env::var(SIMD_ENV).ok();
            Dispatch::new(requested(value.as_deref()).unwrap_or(InstructionSet::Baseline))
        })
    }

    pub(crate) fn set(self) -> InstructionSet {
        self.set
    }

    /// Runs `work` compiled for this instruction set: the `#[inline(always)]` kernels it calls
    /// are inlined into a function with the instruction set's target features enabled.
    #[inline(always)]
    pub(crate) fn run<R>(self, work: impl FnOnce() -> R) -> R {
        #[cfg(target_arch = "x86_64")]
        {
            self.arch.dispatch(work)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            work()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_bad_ones_are_named() {
        assert_eq!(requested(None).unwrap(), InstructionSet::Avx512);
        assert_eq!(requested(Some("AUTO")).unwrap(), InstructionSet::Avx512);
        assert_eq!(requested(Some("avx2")).unwrap(), InstructionSet::Avx2Fma);
        for off in ["off", "scalar", "baseline", " Baseline "] {
            assert_eq!(requested(Some(off)).unwrap(), InstructionSet::Baseline);
        }
        assert_eq!(
            requested(Some("sse9")).unwrap_err().to_string(),
            "NABLA_SIMD is \"sse9\"; expected one of auto, avx512, avx2, baseline (or off, scalar)"
        );
    }

    #[test]
    fn a_cap_is_never_exceeded() {
        let best = InstructionSet::supported();
        assert_eq!(
            Dispatch::new(InstructionSet::Baseline).set(),
            InstructionSet::Baseline
        );
        let avx2 = Dispatch::new(InstructionSet::Avx2Fma).set();
        assert!(avx2 <= InstructionSet::Avx2Fma && avx2 <= best);
        assert_eq!(Dispatch::new(InstructionSet::Avx512).set(), best);
        assert_eq!(Dispatch::new(InstructionSet::Baseline).run(|| 7), 7);
        // The names reports write (`report.json`'s "simd"), shown as such.
        let shown = [
            InstructionSet::Baseline,
            InstructionSet::Avx2Fma,
            InstructionSet::Avx512,
        ]
        .map(|set| set.to_string());
        assert_eq!(shown, ["baseline", "avx2+fma", "avx512"]);
    }

    /// A set chosen in code reaches the engine, over `NABLA_SIMD`: in the configuration (which
    /// wins over an `install`), or by `install` around the call; a set the processor lacks is
    /// capped, and the outcome names the set that ran. Every choice trains the same bits.
    #[test]
    fn a_set_chosen_in_code_reaches_the_engine_and_is_reported() {
        use crate::test_util::small_problem;
        use crate::{Dataset, Sizes, TrainConfig, train};

        let (net, x, labels) = small_problem(Sizes::new(40, 20, 5).unwrap(), 240, 7);
        let (net, x) = (net.map(|v| v as f32), x.map(|v| v as f32));
        let labels: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
        let train_set = Dataset::new(&x.rows(0, 200).into_owned(), &labels[..200]).unwrap();
        let test_set = Dataset::new(&x.rows(200, 40).into_owned(), &labels[200..]).unwrap();
        let run = |set: Option<InstructionSet>| {
            let config = TrainConfig::builder()
                .iterations(60)
                .batch_size(40)
                .learning_rate(0.5)
                .eval_every(Some(20))
                .instruction_set(set)
                .build()
                .unwrap();
            train(&net, &train_set, &test_set, &config, &mut ()).unwrap()
        };
        let best = InstructionSet::supported();
        let baseline = run(Some(InstructionSet::Baseline));
        assert_eq!(baseline.instruction_set, InstructionSet::Baseline);
        for set in [InstructionSet::Avx2Fma, InstructionSet::Avx512] {
            // Capped, not refused: AVX-512 on an AVX2 processor trains with AVX2 and FMA.
            let wide = run(Some(set));
            assert_eq!(wide.instruction_set, set.min(best));
            assert_eq!(set.capped(), set.min(best));
            assert_eq!(wide.net, baseline.net, "{set} against the baseline");
            assert_eq!(wide.losses, baseline.losses);
        }
        let installed = InstructionSet::Baseline.install(|| run(None));
        assert_eq!(installed.instruction_set, InstructionSet::Baseline);
        let configured = InstructionSet::Baseline.install(|| run(Some(InstructionSet::Avx512)));
        assert_eq!(configured.instruction_set, best);
        // Without a choice in code, the environment's; an `install` is undone when it returns.
        assert_eq!(run(None).instruction_set, InstructionSet::detected());
        assert_eq!(Dispatch::chosen(None).set(), InstructionSet::detected());
        if best == InstructionSet::Baseline {
            eprintln!("NOT TESTED: no wider set than the baseline on this processor");
        }
    }

    /// `install` covers every engine the closure builds (`evaluate`, `backprop`, ...), nests,
    /// and is undone after a panic too.
    #[test]
    fn install_nests_and_is_undone() {
        use crate::engine::Engine;
        use crate::test_util::small_problem;

        let (net, ..) = small_problem(crate::Sizes::new(6, 3, 2).unwrap(), 1, 1);
        let engine_set = || Engine::from_net(&net).layout.dispatch.set();
        let outer = InstructionSet::Avx2Fma.install(|| {
            let inner = InstructionSet::Baseline.install(engine_set);
            (inner, engine_set())
        });
        assert_eq!(
            outer,
            (
                InstructionSet::Baseline,
                InstructionSet::Avx2Fma.min(InstructionSet::supported())
            )
        );
        let panicked = std::panic::catch_unwind(|| {
            InstructionSet::Baseline.install(|| panic!("in the closure"))
        });
        assert!(panicked.is_err());
        assert_eq!(engine_set(), InstructionSet::detected());
    }
}

//! Which instruction set the fast path runs with, chosen once at run time.
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

use std::sync::OnceLock;

use crate::Error;

/// The environment variable that caps the instruction set of the fast path.
pub(crate) const SIMD_ENV: &str = "NABLA_SIMD";

/// An instruction set the fast path (backpropagation, training, evaluation) can run with.
///
/// [`InstructionSet::detected`] is the one in use: the widest this processor supports, capped
/// by the environment variable `NABLA_SIMD`: `baseline` (or `off`, `scalar`)
/// forces the fallback, `avx2` caps at AVX2 and FMA, `avx512` or `auto` (or unset) takes the
/// widest there is. The results are the same bits on every path; only the speed differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum InstructionSet {
    /// What the build targets (on x86-64, SSE2): runs everywhere.
    Baseline,
    /// AVX2 and FMA with the rest of x86-64-v3.
    Avx2Fma,
    /// AVX-512 (F, BW, CD, DQ, VL) with the rest of x86-64-v4.
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

    /// The instruction set the fast path runs with: [`InstructionSet::from_env`], read once
    /// per process; an unrecognised `NABLA_SIMD` means the baseline (the safe choice; the
    /// `nabla` command reports it as an error instead).
    pub fn detected() -> Self {
        Dispatch::detected().set()
    }
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
}

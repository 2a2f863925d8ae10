//! The numbers a tape can record, each with its own per-thread tape.
//!
//! Rust has no generic statics, so "the tape of this thread for scalar `T`" is one
//! `thread_local!` per concrete type, reached through [`Scalar::with_tape`], which a macro
//! implements for `f32`, `f64` and (feature `dual`) nabla-dual's `Dual<f32>` and `Dual64`. The
//! trait is sealed: the set of tapes is fixed here.

use std::cell::RefCell;

use nabla_rules::Real;

use crate::tape::Tape;

/// Frees a thread's tape for `T` when the thread exits (the tape itself has no destructor,
/// see [`Tape`]).
pub(crate) struct FreeOnExit<T: Scalar>(std::marker::PhantomData<T>);

impl<T: Scalar> Drop for FreeOnExit<T> {
    fn drop(&mut self) {
        T::with_tape(|t| t.free());
    }
}

/// A number that [`Var`](crate::Var) can wrap and a tape can record: `f32`, `f64`, and with
/// the `dual` feature nabla-dual's `Dual<f32>` and `Dual64` (for exact second derivatives,
/// forward over reverse).
///
/// A [`Real`] (the scalar of nabla-rules, which makes `Var<T>` a `num_traits::Float` and a
/// nalgebra `RealField`) with a tape of its own. Sealed: every implementation owns one
/// per-thread tape, declared in this crate.
pub trait Scalar: Real + sealed::Sealed {
    /// `self * factor` for a `self` that is not [strong zero](Real::is_strong_zero): the
    /// product of the sweep. Plain for primitive floats; component-wise strong for dual
    /// numbers, whose value part may be zero while their derivative part is not.
    #[doc(hidden)]
    fn adjoint_mul(self, factor: Self) -> Self;

    /// Runs `f` on this thread's tape for this scalar type.
    #[doc(hidden)]
    fn with_tape<R>(f: impl FnOnce(&mut Tape<Self>) -> R) -> R;

    /// Makes sure this thread's tape is freed when the thread exits (once per recording).
    #[doc(hidden)]
    fn free_on_exit();
}

mod sealed {
    pub trait Sealed {}
}

/// The tape was reached while it was already in use on this thread: only a rule's backward
/// (which runs during the sweep) can do that.
#[cold]
#[inline(never)]
fn reentered() -> ! {
    panic!(
        "nabla-tape: the tape was used while it is being swept: a rule's backward computed \
         with Vars (or started a recording); a backward computes on plain numbers"
    )
}

/// Declares `$t`'s tape and implements [`Scalar`] for it; `$product` is the sweep's product
/// (see [`Scalar::adjoint_mul`]).
macro_rules! scalar_with_tape {
    ($tape:ident, $guard:ident, $t:ty, $product:path) => {
        thread_local! {
            static $tape: RefCell<Tape<$t>> = const { RefCell::new(Tape::new()) };
            static $guard: FreeOnExit<$t> = const { FreeOnExit(std::marker::PhantomData) };
        }

        impl sealed::Sealed for $t {}

        impl Scalar for $t {
            #[inline(always)]
            fn adjoint_mul(self, factor: $t) -> $t {
                $product(self, factor)
            }

            #[inline(always)]
            fn with_tape<R>(f: impl FnOnce(&mut Tape<$t>) -> R) -> R {
                $tape.with(|t| match t.try_borrow_mut() {
                    Ok(mut t) => f(&mut t),
                    Err(_) => reentered(),
                })
            }

            fn free_on_exit() {
                $guard.with(|_| ());
            }
        }
    };
}

scalar_with_tape!(TAPE_F32, FREE_F32, f32, std::ops::Mul::mul);
scalar_with_tape!(TAPE_F64, FREE_F64, f64, std::ops::Mul::mul);
#[cfg(feature = "dual")]
scalar_with_tape!(
    TAPE_DUAL32,
    FREE_DUAL32,
    nabla_dual::Dual<f32>,
    Real::strong_mul
);
#[cfg(feature = "dual")]
scalar_with_tape!(
    TAPE_DUAL64,
    FREE_DUAL64,
    nabla_dual::Dual64,
    Real::strong_mul
);

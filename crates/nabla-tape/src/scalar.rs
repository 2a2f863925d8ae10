//! The numbers a tape can record, each with its own per-thread tape.
//!
//! Rust has no generic statics, so "the tape of this thread for scalar `T`" is one
//! `thread_local!` per concrete type, reached through the sealing trait's `with_tape`, which a
//! macro implements for `f32`, `f64` and (feature `dual`) nabla-dual's `Dual<f32>` and
//! `Dual64`. The trait is sealed: the set of tapes is fixed here, and the tape's methods are
//! on the crate-private sealing trait.

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
pub trait Scalar: Real + sealed::Sealed {}

/// What a tape needs from its scalar: the sealing trait, crate-private, so that a caller
/// outside nabla-tape can neither implement [`Scalar`] nor reach a tape through it (generic
/// code of this crate bounded by `Scalar` calls these through the supertrait).
pub(crate) mod sealed {
    use super::Tape;

    pub trait Sealed: Sized + 'static {
        /// `self * factor` for a `self` that is not [strong zero](Real::is_strong_zero): the
        /// product of the sweep. Plain for primitive floats; component-wise strong for dual
        /// numbers, whose value part may be zero while their derivative part is not.
        fn adjoint_mul(self, factor: Self) -> Self;

        /// Runs `f` on this thread's tape for this scalar type.
        fn with_tape<R>(f: impl FnOnce(&mut Tape<Self>) -> R) -> R;

        /// Records an operation of one recorded operand on this thread's tape
        /// ([`Tape::unary`]): the hot path of every unary function, out of line with its
        /// arguments in registers.
        fn record_unary(tag: u64, d: Self) -> u64;

        /// Records an operation of two recorded operands ([`Tape::binary`]), as
        /// `record_unary`.
        fn record_binary(ta: u64, tb: u64, da: Self, db: Self) -> u64;

        /// Makes sure this thread's tape is freed when the thread exits (once per recording).
        fn free_on_exit();
    }
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

// The recording of one operation, out of line so that the thread-local's access stays inline
// at the call site (`LocalKey::with` with a closure this small is inlined, and the tape's
// address is computed in place instead of through the key's accessor function pointer), with
// a fast path that makes no call (no registers to save) and a cold one for everything else:
// an operand outside the current piece (an earlier piece, or a misuse and its panic), no room
// left, or the tape in use (a rule's backward recording).

#[inline(never)]
fn unary_on<T: Scalar>(tape: &RefCell<Tape<T>>, tag: u64, d: T) -> u64 {
    if let Ok(mut t) = tape.try_borrow_mut()
        && let Some(result) = t.try_unary(tag, d)
    {
        return result;
    }
    unary_slow(tape, tag, d)
}

#[cold]
#[inline(never)]
fn unary_slow<T: Scalar>(tape: &RefCell<Tape<T>>, tag: u64, d: T) -> u64 {
    match tape.try_borrow_mut() {
        Ok(mut t) => t.unary(tag, d),
        Err(_) => reentered(),
    }
}

#[inline(never)]
fn binary_on<T: Scalar>(tape: &RefCell<Tape<T>>, ta: u64, tb: u64, da: T, db: T) -> u64 {
    if let Ok(mut t) = tape.try_borrow_mut()
        && let Some(result) = t.try_binary(ta, tb, da, db)
    {
        return result;
    }
    binary_slow(tape, ta, tb, da, db)
}

#[cold]
#[inline(never)]
fn binary_slow<T: Scalar>(tape: &RefCell<Tape<T>>, ta: u64, tb: u64, da: T, db: T) -> u64 {
    match tape.try_borrow_mut() {
        Ok(mut t) => t.binary(ta, tb, da, db),
        Err(_) => reentered(),
    }
}

/// Declares `$t`'s tape and implements [`Scalar`] for it; `$product` is the sweep's product
/// (see `Sealed::adjoint_mul`).
macro_rules! scalar_with_tape {
    ($tape:ident, $guard:ident, $t:ty, $product:path) => {
        thread_local! {
            static $tape: RefCell<Tape<$t>> = const { RefCell::new(Tape::new()) };
            static $guard: FreeOnExit<$t> = const { FreeOnExit(std::marker::PhantomData) };
        }

        impl Scalar for $t {}

        impl sealed::Sealed for $t {
            #[inline(always)]
            fn adjoint_mul(self, factor: $t) -> $t {
                $product(self, factor)
            }

            #[inline(always)]
            fn with_tape<R>(f: impl FnOnce(&mut Tape<$t>) -> R) -> R {
                // The work out of line, the thread-local's access inline: `LocalKey::with`
                // with a closure this small is inlined, so the tape's address is computed in
                // place instead of through the key's accessor function pointer.
                #[inline(never)]
                fn run<R>(tape: &RefCell<Tape<$t>>, f: impl FnOnce(&mut Tape<$t>) -> R) -> R {
                    match tape.try_borrow_mut() {
                        Ok(mut t) => f(&mut t),
                        Err(_) => reentered(),
                    }
                }
                $tape.with(|t| run(t, f))
            }

            #[inline(always)]
            fn record_unary(tag: u64, d: $t) -> u64 {
                $tape.with(|t| unary_on(t, tag, d))
            }

            #[inline(always)]
            fn record_binary(ta: u64, tb: u64, da: $t, db: $t) -> u64 {
                $tape.with(|t| binary_on(t, ta, tb, da, db))
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

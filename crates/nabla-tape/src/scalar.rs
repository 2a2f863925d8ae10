//! The numbers a tape can record, each with its own per-thread tape.
//!
//! Rust has no generic statics, so "the tape of this thread for scalar `T`" is one
//! `thread_local!` per concrete type, reached through [`Scalar::with_tape`], which a macro
//! implements for `f32`, `f64` and (feature `dual`) nabla-dual's `Dual32` and `Dual64`. The
//! trait is sealed: the set of tapes is fixed here.

use std::cell::RefCell;
use std::fmt::{Debug, Display};
use std::iter::{Product, Sum};

use nalgebra::RealField;
use num_traits::{Bounded, Float, FloatConst, FromPrimitive, NumCast, Signed, ToPrimitive};

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
/// the `dual` feature nabla-dual's `Dual32` and `Dual64` (for exact second derivatives,
/// forward over reverse).
///
/// Sealed: every implementation owns one per-thread tape, declared in this crate.
pub trait Scalar:
    Float
    + FloatConst
    + RealField
    + Signed
    + Bounded
    + NumCast
    + ToPrimitive
    + FromPrimitive
    + Copy
    + Default
    + Debug
    + Display
    + Sum
    + Product
    + Send
    + Sync
    + 'static
    + sealed::Sealed
{
    /// The primitive float underneath (`f64` for `f64` and `Dual64`).
    type Primitive: Primitive;

    /// Lifts a primitive float into this type, as a constant.
    fn from_primitive(value: Self::Primitive) -> Self;

    /// Whether the number is exactly zero, derivative components (of a dual number) included.
    fn is_strong_zero(&self) -> bool;

    /// `self * factor` for a `self` that is not [strong zero](Self::is_strong_zero): the
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

/// `f32` or `f64`: the primitive floats at the bottom of every recorded number. Arithmetic
/// with a primitive on either side (`2.0 * x`, `x / 3.0`) is implemented for this type.
/// Sealed.
pub trait Primitive: Scalar<Primitive = Self> {}

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

macro_rules! scalar_with_tape {
    ($tape:ident, $guard:ident, $t:ty) => {
        thread_local! {
            static $tape: RefCell<Tape<$t>> = const { RefCell::new(Tape::new()) };
            static $guard: FreeOnExit<$t> = const { FreeOnExit(std::marker::PhantomData) };
        }

        impl sealed::Sealed for $t {}

        impl Scalar for $t {
            type Primitive = $t;

            #[inline]
            fn from_primitive(value: $t) -> $t {
                value
            }

            #[inline]
            fn is_strong_zero(&self) -> bool {
                *self == 0.0
            }

            #[inline(always)]
            fn adjoint_mul(self, factor: $t) -> $t {
                self * factor
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

        impl Primitive for $t {}
    };
}

scalar_with_tape!(TAPE_F32, FREE_F32, f32);
scalar_with_tape!(TAPE_F64, FREE_F64, f64);

#[cfg(feature = "dual")]
macro_rules! dual_with_tape {
    ($tape:ident, $guard:ident, $t:ty, $p:ty) => {
        thread_local! {
            static $tape: RefCell<Tape<$t>> = const { RefCell::new(Tape::new()) };
            static $guard: FreeOnExit<$t> = const { FreeOnExit(std::marker::PhantomData) };
        }

        impl sealed::Sealed for $t {}

        #[cfg_attr(docsrs, doc(cfg(feature = "dual")))]
        impl Scalar for $t {
            type Primitive = $p;

            #[inline]
            fn from_primitive(value: $p) -> $t {
                <$t>::constant(value)
            }

            #[inline]
            fn is_strong_zero(&self) -> bool {
                nabla_dual::Real::is_strong_zero(self)
            }

            #[inline(always)]
            fn adjoint_mul(self, factor: $t) -> $t {
                nabla_dual::Real::strong_mul(self, factor)
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

#[cfg(feature = "dual")]
dual_with_tape!(TAPE_DUAL32, FREE_DUAL32, nabla_dual::Dual32, f32);
#[cfg(feature = "dual")]
dual_with_tape!(TAPE_DUAL64, FREE_DUAL64, nabla_dual::Dual64, f64);

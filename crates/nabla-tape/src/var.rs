//! The recorded scalar `Var<T>`: a value, and where (if anywhere) its operation is recorded.

use std::fmt;

use crate::scalar::Scalar;

/// A number whose operations are recorded on this thread's tape, for reverse-mode
/// differentiation.
///
/// A `Var` is a value and the index of the tape entry that computed it. It is `Copy` and
/// `'static` (it does not borrow the tape: the tape is per thread, see the crate
/// documentation), so it works wherever a float does: in code generic over
/// `num_traits::Float` or nalgebra's `RealField`, inside `DMatrix<Var<f64>>`, in iterators.
///
/// Inputs come from a [`Recording`](crate::Recording) (or a driver such as
/// [`gradient`](crate::gradient)); every number built from constants alone (`Var::constant`,
/// `Var::from(2.0)`, `Var::zero()`) is a constant and is never recorded.
///
/// # Comparisons look at the value only
///
/// `==`, `<`, `min`/`max` and the `approx` traits compare values, so code branching on a
/// value takes the same branch for a `Var` as for a float.
#[derive(Clone, Copy)]
pub struct Var<T> {
    pub(crate) value: T,
    /// The serial number of the recorded number (see the tape), unique over the process and
    /// never reused; 0 for a constant. One field beside the value, so that a `Var` is a pair
    /// of scalars and travels in two registers.
    pub(crate) tag: u64,
}

/// A double-precision [`Var`] (single precision is `Var<f32>`).
pub type Var64 = Var<f64>;

impl<T: Scalar> Var<T> {
    /// A constant: not recorded, derivative zero with respect to everything.
    #[inline]
    pub const fn constant(value: T) -> Self {
        Var { value, tag: 0 }
    }

    /// A recorded number with serial `tag` (0 makes a constant).
    #[inline(always)]
    pub(crate) const fn recorded(value: T, tag: u64) -> Self {
        Var { value, tag }
    }

    /// The value.
    #[inline]
    pub fn value(&self) -> T {
        self.value
    }

    /// Whether this number is a constant (depends on no input of a recording).
    #[inline]
    pub fn is_constant(&self) -> bool {
        self.tag == 0
    }

    /// The result `value` of an operation on `self` whose derivative is `d`: a constant when
    /// `self` is one or `d` is exactly zero, the operand's own entry under the new value when
    /// `d` is exactly 1, one new entry otherwise. Every unary function of this crate is one
    /// call to this.
    ///
    /// ```
    /// use nabla_tape::{Var, gradient};
    /// // A user-defined function: the logistic sigmoid s, with s' = s(1 - s).
    /// fn sigmoid(x: Var<f64>) -> Var<f64> {
    ///     let s = 1.0 / (1.0 + (-x.value()).exp());
    ///     x.chain_rule(s, s * (1.0 - s))
    /// }
    /// let (s, g) = gradient(|x| sigmoid(x[0]), &[0.3]);
    /// assert_eq!(g[0], s * (1.0 - s));
    /// ```
    ///
    /// # Panics
    ///
    /// If `self` is a `Var` of another recording than the active one, whatever `d` is (a
    /// zero partial included: skipping the check there would let a nested misuse through).
    #[inline]
    pub fn chain_rule(self, value: T, d: T) -> Self {
        if self.is_constant() {
            return Var::constant(value);
        }
        let tag = T::with_tape(move |t| t.unary(self.tag, d));
        Var::recorded(value, tag)
    }

    /// The result `value` of an operation on `self` and `other` with partial derivatives `da`
    /// and `db`: one entry when both are recorded, a unary entry when one is, nothing when
    /// neither is (or the partials are zero).
    ///
    /// # Panics
    ///
    /// If `self` or `other` is a `Var` of another recording than the active one, whatever
    /// the partials are.
    #[inline]
    pub fn chain_rule2(self, other: Self, value: T, da: T, db: T) -> Self {
        match (self.is_constant(), other.is_constant()) {
            (false, false) => {
                let tag = T::with_tape(move |t| t.binary(self.tag, other.tag, da, db));
                Var::recorded(value, tag)
            }
            (false, true) => self.chain_rule(value, da),
            (true, false) => other.chain_rule(value, db),
            (true, true) => Var::constant(value),
        }
    }

    /// `value`, with the derivative of `self` unchanged (`x + c`, `x - c`, `fract`): no new
    /// entry, the same one under a new value. Exact, since the tape keeps partials, not values.
    ///
    /// The operand is not looked up here, and need not be: its serial passes unchanged into
    /// the result, which is checked wherever it is used (an operation, a rule, a driver). A
    /// result that is never used changes no derivative.
    #[inline]
    pub(crate) fn shifted(self, value: T) -> Self {
        Var { value, ..self }
    }

    /// `self`, after checking that it is a constant or belongs to the active recording: for
    /// the operations that record nothing (`max`, `floor`, ...), so that every operand of
    /// every operation is checked.
    #[inline]
    pub(crate) fn checked(self) -> Self {
        if !self.is_constant() {
            T::with_tape(|t| t.check(self.tag));
        }
        self
    }
}

impl<T: Scalar> fmt::Display for Var<T> {
    /// The value (with the formatter's precision).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Var<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Var");
        s.field("value", &self.value);
        if self.tag == 0 {
            s.field("constant", &true);
        } else {
            s.field("serial", &self.tag);
        }
        s.finish()
    }
}

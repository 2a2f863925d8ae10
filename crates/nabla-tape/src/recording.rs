//! A recording: the scope in which `Var`s are created, recorded and swept.

use std::marker::PhantomData;

use crate::scalar::Scalar;
use crate::var::Var;

/// One recording on this thread's tape for `T`: create inputs with [`var`](Self::var), compute
/// with them, then sweep backwards from an output with [`gradient`](Self::gradient) or
/// [`adjoints`](Self::adjoints) as often as needed. Dropping it ends the recording and frees
/// its entries for the next one (the storage stays allocated, so a warm thread records
/// without allocating).
///
/// The drivers ([`gradient`](crate::gradient), [`vjp`](crate::vjp),
/// [`jacobian`](crate::jacobian)) are built on this; use it directly to keep a recording for
/// several sweeps or to differentiate with respect to numbers created along the way.
///
/// ```
/// use nabla_tape::Recording;
///
/// let rec = Recording::<f64>::new();
/// let (x, y) = (rec.var(3.0), rec.var(4.0));
/// let r = (x * x + y * y).sqrt();
/// assert_eq!(r.value(), 5.0);
/// let g = rec.gradient(r, &[x, y]); // (x, y) / r
/// assert!((g[0] - 0.6).abs() < 1e-15 && (g[1] - 0.8).abs() < 1e-15);
/// assert_eq!(rec.len(), 6); // two inputs, x*x, y*y, the sum, the sqrt
/// ```
///
/// Recordings on one thread nest: one started while another is active is the innermost one
/// until it is dropped, and only its `Var`s may be used meanwhile (a `Var` of the enclosing
/// recording in it is a panic that says so). A `Recording` cannot move to another thread
/// (it is `!Send`); each thread records on its own tape.
pub struct Recording<T: Scalar> {
    id: u64,
    // The recording lives on this thread's tape.
    _not_send: PhantomData<*const T>,
}

impl<T: Scalar> Recording<T> {
    /// Starts a recording on this thread, nested in the active one if there is one.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        T::free_on_exit();
        Recording {
            id: T::with_tape(|t| t.begin()),
            _not_send: PhantomData,
        }
    }

    /// A new input with value `x`.
    ///
    /// # Panics
    ///
    /// If a recording started after this one is still active.
    #[inline]
    pub fn var(&self, x: T) -> Var<T> {
        Var::recorded(x, T::with_tape(|t| t.leaves(self.id, 1)))
    }

    /// One new input per value.
    ///
    /// # Panics
    ///
    /// If a recording started after this one is still active.
    pub fn vars(&self, x: &[T]) -> Vec<Var<T>> {
        let first = T::with_tape(|t| t.leaves(self.id, x.len()));
        x.iter()
            .zip(first..)
            .map(|(&v, tag)| Var::recorded(v, tag))
            .collect()
    }

    /// The number of numbers recorded since this recording started: its inputs and the
    /// results of its operations (one per scalar operation, one per output of a rule).
    pub fn len(&self) -> usize {
        T::with_tape(|t| t.len_since(self.id))
    }

    /// The number of tape entries recorded since this recording started: one per scalar
    /// operation, one per rule (a matrix product is one entry however large), one per batch
    /// of inputs created together ([`vars`](Self::vars)). With rules this is far below
    /// [`len`](Self::len).
    ///
    /// ```
    /// use nabla_tape::{Recording, Var, matmul};
    /// use nalgebra::DMatrix;
    ///
    /// let rec = Recording::<f64>::new();
    /// let a = DMatrix::from_vec(20, 30, rec.vars(&[0.5; 600]));
    /// let b = DMatrix::from_element(30, 10, Var::constant(2.0));
    /// let c = matmul(&a, &b);
    /// assert_eq!(c[(3, 4)].value(), 30.0);
    /// assert_eq!(rec.len(), 600 + 200); // the inputs and the product's outputs
    /// assert_eq!(rec.entries(), 2); // one batch of inputs, one product
    /// ```
    pub fn entries(&self) -> usize {
        T::with_tape(|t| t.entries_since(self.id))
    }

    /// The bytes this recording holds on the tape: its entries (24 bytes each in `f64`),
    /// its rules with their saved values and input lists, and the adjoint (one `T`) that
    /// every recorded number gets during a sweep.
    pub fn bytes(&self) -> usize {
        T::with_tape(|t| t.bytes_since(self.id))
    }

    /// Whether nothing has been recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The partial derivatives of `output` with respect to each of `wrt`, by one reverse sweep.
    ///
    /// A constant `output` has derivative 0 everywhere; so has a `wrt` entry that is a
    /// constant or that `output` does not depend on.
    ///
    /// # Panics
    ///
    /// If `output` or a `wrt` entry is a `Var` of another recording, or if a recording
    /// started after this one is still active.
    pub fn gradient(&self, output: Var<T>, wrt: &[Var<T>]) -> Vec<T> {
        self.adjoints(&[(output, T::one())], wrt)
    }

    /// `Σₖ seedₖ ∂outputₖ/∂w` for each `w` of `wrt`, by one reverse sweep: a vector-Jacobian
    /// product with the seeds as the vector.
    ///
    /// # Panics
    ///
    /// As [`gradient`](Self::gradient).
    pub fn adjoints(&self, seeds: &[(Var<T>, T)], wrt: &[Var<T>]) -> Vec<T> {
        let mut out = Vec::with_capacity(wrt.len());
        self.adjoints_into(seeds, wrt, &mut out);
        out
    }

    /// [`adjoints`](Self::adjoints) into a caller's buffer (cleared first), so that repeated
    /// sweeps allocate nothing.
    ///
    /// # Panics
    ///
    /// As [`gradient`](Self::gradient).
    pub fn adjoints_into(&self, seeds: &[(Var<T>, T)], wrt: &[Var<T>], out: &mut Vec<T>) {
        out.clear();
        T::with_tape(|t| {
            t.clear_adjoints(self.id);
            let mut top = 0;
            for (v, s) in seeds {
                if !v.is_constant() {
                    let slot = t.slot(v.tag);
                    t.seed(slot, *s);
                    top = top.max(slot as usize + 1);
                }
            }
            // Checked before the sweep, so that a foreign Var panics before any work. Inputs
            // created together (consecutive serials of the active piece) are checked by their
            // ends and read as one run of adjoints.
            let run = t.consecutive(wrt);
            if run.is_none() {
                for w in wrt.iter().filter(|w| !w.is_constant()) {
                    t.slot(w.tag);
                }
            }
            t.sweep(self.id, top);
            match run {
                Some(slot) => out.extend_from_slice(t.adjoint_run(slot, wrt.len())),
                None => out.extend(wrt.iter().map(|w| {
                    if w.is_constant() {
                        T::zero()
                    } else {
                        t.adjoint(t.slot(w.tag))
                    }
                })),
            }
        });
    }
}

impl<T: Scalar> Drop for Recording<T> {
    fn drop(&mut self) {
        T::with_tape(|t| t.end(self.id));
    }
}

impl<T: Scalar> std::fmt::Debug for Recording<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording").field("id", &self.id).finish()
    }
}

/// Bytes this thread's tape for `T` keeps reserved between recordings (entries and
/// adjoints): the memory a warm thread reuses instead of allocating.
pub fn tape_reserved_bytes<T: Scalar>() -> usize {
    T::with_tape(|t| t.reserved_bytes())
}

/// Frees this thread's tape storage for `T` when no recording is active on it; returns
/// whether it did. The next recording allocates again.
pub fn release_tape<T: Scalar>() -> bool {
    T::with_tape(|t| t.release())
}

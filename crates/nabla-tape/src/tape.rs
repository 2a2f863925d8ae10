//! The Wengert list: one flat, append-only array of recorded operations per thread and scalar
//! type, and the reverse sweep over it.
//!
//! Entry `i` holds the indices of its (at most two) operands and the local partial
//! derivatives with respect to them; its value is not kept (the sweep does not need it). Entry
//! 0 is a sink: an operation with one operand points its second operand there with partial
//! 0, so that the sweep has no branch on the number of operands, and an input (a leaf) points
//! both there. The sweep reads an entry's adjoint and adds `adjoint × partial` into its
//! operands' adjoints, walking the list backwards once.
//!
//! Recordings nest as a stack of frames: each has a generation number, unique over the whole
//! process, that every [`Var`](crate::Var) it creates carries, so that a `Var` of another
//! recording (finished, enclosing, or of another thread) is caught when it is used instead of
//! silently indexing the wrong entry.

use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::scalar::Scalar;

/// The index of the sink entry.
pub(crate) const SINK: u32 = 0;

/// One recorded operation: operand indices and local partial derivatives. 24 bytes for
/// `f64`, 16 for `f32`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry<T> {
    lhs: u32,
    rhs: u32,
    dl: T,
    dr: T,
}

/// An active (or finished but not yet popped) recording.
#[derive(Debug)]
struct Frame {
    generation: u32,
    start: u32,
    finished: bool,
}

/// A thread's tape for one scalar type. Reached through [`Scalar::with_tape`]; not part of the
/// public API.
///
/// The buffers are `ManuallyDrop` so that the tape has no drop glue: a thread-local without
/// a destructor is reached without the lazy-registration check that every recorded operation
/// would otherwise pay. A separate thread-local guard ([`Scalar::with_tape`]'s
/// implementations arm it when a recording starts) frees them when the thread exits.
#[doc(hidden)]
#[derive(Debug)]
pub struct Tape<T> {
    entries: ManuallyDrop<Vec<Entry<T>>>,
    adjoints: ManuallyDrop<Vec<T>>,
    frames: ManuallyDrop<Vec<Frame>>,
    /// The generation of the innermost active recording, 0 when none is active.
    current: u32,
}

/// Generation numbers, unique over the process (all threads, all scalar types), so that a
/// `Var` of another thread never matches. 0 is never handed out: it marks constants.
static NEXT_GENERATION: AtomicU32 = AtomicU32::new(1);

fn next_generation() -> u32 {
    loop {
        let g = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        if g != 0 {
            return g;
        }
    }
}

impl<T: Scalar> Tape<T> {
    /// An empty tape (no allocation until the first recording).
    pub(crate) const fn new() -> Self {
        Tape {
            entries: ManuallyDrop::new(Vec::new()),
            adjoints: ManuallyDrop::new(Vec::new()),
            frames: ManuallyDrop::new(Vec::new()),
            current: 0,
        }
    }

    /// Starts a recording nested in the active one (if any); returns its generation.
    pub(crate) fn begin(&mut self) -> u32 {
        if self.entries.is_empty() {
            self.entries.push(Entry {
                lhs: SINK,
                rhs: SINK,
                dl: T::zero(),
                dr: T::zero(),
            });
        }
        let generation = next_generation();
        self.frames.push(Frame {
            generation,
            start: self.entries.len() as u32,
            finished: false,
        });
        self.current = generation;
        generation
    }

    /// Ends the recording `generation`. Its entries are dropped (the storage is kept) once
    /// every recording started after it has ended too. Never panics (it runs in `Drop`).
    pub(crate) fn end(&mut self, generation: u32) {
        if let Some(frame) = self.frames.iter_mut().find(|f| f.generation == generation) {
            frame.finished = true;
        }
        while let Some(top) = self.frames.last() {
            if !top.finished {
                break;
            }
            self.entries.truncate(top.start as usize);
            self.frames.pop();
        }
        self.current = self.frames.last().map_or(0, |f| f.generation);
    }

    /// The first entry of the recording `generation`.
    pub(crate) fn start_of(&self, generation: u32) -> u32 {
        match self.frames.iter().find(|f| f.generation == generation) {
            Some(f) => f.start,
            None => self.misuse(generation),
        }
    }

    /// Entries recorded since the recording `generation` started (its nested recordings'
    /// included while they are active).
    pub(crate) fn len_since(&self, generation: u32) -> usize {
        self.entries.len() - self.start_of(generation) as usize
    }

    /// Records `n` inputs of the active recording `generation` at once; returns the index of
    /// the first (the others follow it).
    #[inline]
    pub(crate) fn leaves(&mut self, generation: u32, n: usize) -> u32 {
        if generation != self.current {
            self.not_innermost();
        }
        let first = self.entries.len() as u32;
        for _ in 0..n {
            self.push(SINK, SINK, T::zero(), T::zero());
        }
        first
    }

    /// Records an operation with one recorded operand.
    #[inline(always)]
    pub(crate) fn unary(&mut self, generation: u32, operand: u32, d: T) -> u32 {
        if generation != self.current {
            self.misuse(generation);
        }
        self.push(operand, SINK, d, T::zero())
    }

    /// Records an operation with two recorded operands.
    #[inline(always)]
    pub(crate) fn binary(&mut self, ga: u32, a: u32, gb: u32, b: u32, da: T, db: T) -> u32 {
        if ga != self.current || gb != self.current {
            self.misuse(if ga != self.current { ga } else { gb });
        }
        self.push(a, b, da, db)
    }

    #[inline(always)]
    fn push(&mut self, lhs: u32, rhs: u32, dl: T, dr: T) -> u32 {
        if self.entries.len() == self.entries.capacity() {
            self.grow();
        }
        // `grow` keeps the capacity below u32::MAX, so the index fits.
        let index = self.entries.len() as u32;
        self.entries.push(Entry { lhs, rhs, dl, dr });
        index
    }

    /// Makes room for more entries, keeping the capacity below `u32::MAX` so that every
    /// index fits in a `u32` without a check per operation.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let len = self.entries.len();
        let limit = u32::MAX as usize - 1;
        if len >= limit {
            panic!("nabla-tape: the tape is full ({limit} recorded operations)");
        }
        let wanted = (len * 2).clamp(1024, limit);
        self.entries.reserve_exact(wanted - len);
    }

    /// Checks that `generation` is the active recording, for a `Var` handed to a driver.
    pub(crate) fn check(&self, generation: u32) {
        if generation != self.current {
            self.misuse(generation);
        }
    }

    /// The reverse sweep of the recording `generation`: adjoints start at zero except for the
    /// seeds (`(entry, adjoint)`, added up when an entry repeats), and every entry from the
    /// highest seed down to the recording's start passes `adjoint × partial` to its operands.
    /// Returns the adjoints, indexed by entry.
    ///
    /// A zero adjoint passes nothing, even through an infinite or NaN partial (`sqrt` at 0
    /// that the output does not depend on): the same strong zero as nabla-dual's.
    pub(crate) fn sweep(
        &mut self,
        generation: u32,
        seeds: impl Iterator<Item = (u32, T)> + Clone,
    ) -> &[T] {
        self.check(generation);
        let start = self.start_of(generation) as usize;
        let len = self.entries.len();
        if self.adjoints.len() < len {
            self.adjoints.resize(len, T::zero());
        }
        // Entries of this recording only point at entries of this recording or at the sink,
        // so only those adjoints are cleared and read; all of them, since the caller reads
        // the adjoints of inputs that may lie above every seed.
        self.adjoints[start..len].fill(T::zero());
        self.adjoints[SINK as usize] = T::zero();
        let end = seeds
            .clone()
            .map(|(i, _)| i as usize + 1)
            .max()
            .unwrap_or(start)
            .max(start);
        for (i, seed) in seeds {
            self.adjoints[i as usize] += seed;
        }
        let entries = &self.entries[..end];
        let adjoints = &mut self.adjoints[..end];
        for i in (start..end).rev() {
            let a = adjoints[i];
            if a.is_strong_zero() {
                continue;
            }
            let e = entries[i];
            adjoints[e.lhs as usize] += a.adjoint_mul(e.dl);
            adjoints[e.rhs as usize] += a.adjoint_mul(e.dr);
        }
        &self.adjoints
    }

    /// Bytes reserved by this tape (entries and adjoints).
    pub(crate) fn reserved_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry<T>>()
            + self.adjoints.capacity() * std::mem::size_of::<T>()
    }

    /// Frees the storage when no recording is active; returns whether it did.
    pub(crate) fn release(&mut self) -> bool {
        if !self.frames.is_empty() {
            return false;
        }
        self.free();
        true
    }

    /// Frees every buffer (the thread's exit, or [`release`](Self::release)).
    pub(crate) fn free(&mut self) {
        drop(std::mem::take(&mut *self.entries));
        drop(std::mem::take(&mut *self.adjoints));
        drop(std::mem::take(&mut *self.frames));
    }

    /// Explains why a `Var` of recording `generation` cannot be used now.
    #[cold]
    #[inline(never)]
    fn misuse(&self, generation: u32) -> ! {
        match self.frames.iter().find(|f| f.generation == generation) {
            Some(f) if !f.finished => panic!(
                "nabla-tape: a Var of an enclosing recording was used inside a nested one \
                 (a gradient inside the function of another gradient, or two recordings \
                 interleaved on one thread). The inner recording would treat it as a constant \
                 and the outer one would lose its derivative through the inner result. Give \
                 the inner function its own variables, finish the inner recording first, or \
                 for second derivatives use hessian_vector_product (forward over reverse)"
            ),
            _ if self.current == 0 => panic!(
                "nabla-tape: a Var of a finished recording (or of another thread) was used while \
                 no recording is active on this thread; Vars are valid only inside the \
                 recording (the gradient call) that created them"
            ),
            _ => panic!(
                "nabla-tape: a Var of a finished recording (or of another thread) was used in \
                 the active recording; Vars are valid only inside the recording (the gradient \
                 call) that created them"
            ),
        }
    }

    /// Inputs are added through a live `Recording`, whose frame stays unfinished until it is
    /// dropped: so a recording that is not the active one is an outer one.
    #[cold]
    #[inline(never)]
    fn not_innermost(&self) -> ! {
        panic!(
            "nabla-tape: an input was added to a recording while a recording started after \
             it is still active on this thread (recordings nest: finish the inner one first)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_f64_entry_takes_24_bytes_and_an_f32_entry_16() {
        assert_eq!(std::mem::size_of::<Entry<f64>>(), 24);
        assert_eq!(std::mem::size_of::<Entry<f32>>(), 16);
    }

    #[test]
    fn nested_frames_pop_in_order_and_keep_the_storage() {
        let mut t = Tape::<f64>::new();
        let outer = t.begin();
        let a = t.leaves(outer, 1);
        assert_eq!(a, 1, "entry 0 is the sink");
        let inner = t.begin();
        let b = t.leaves(inner, 1);
        t.unary(inner, b, 2.0);
        assert_eq!(t.len_since(outer), 3);
        assert_eq!(t.len_since(inner), 2);
        // Ending the outer one first leaves it in place until the inner one ends.
        t.end(outer);
        assert_eq!(t.current, inner);
        assert_eq!(t.entries.len(), 4);
        t.end(inner);
        assert_eq!((t.current, t.entries.len(), t.frames.len()), (0, 1, 0));
        assert!(t.entries.capacity() >= 4);
        assert!(t.release());
        assert_eq!(t.reserved_bytes(), 0);
    }

    #[test]
    fn the_sweep_adds_adjoint_times_partial_and_skips_zero_adjoints() {
        let mut t = Tape::<f64>::new();
        let g = t.begin();
        let x = t.leaves(g, 1);
        let y = t.leaves(g, 1);
        // s = sqrt(y) at y = 0 (partial +inf), p = x * y, out = p (s unused).
        let s = t.unary(g, y, f64::INFINITY);
        let p = t.binary(g, x, g, y, 3.0, 5.0);
        let adj = t.sweep(g, [(p, 1.0)].into_iter());
        assert_eq!((adj[x as usize], adj[y as usize]), (3.0, 5.0));
        // Seeding s with 0 and p with 1: the zero adjoint of s stays out of y (no 0 * inf).
        let adj = t.sweep(g, [(s, 0.0), (p, 1.0)].into_iter());
        assert_eq!(adj[y as usize], 5.0);
        // Repeated seeds add up.
        let adj = t.sweep(g, [(p, 1.0), (p, 2.0)].into_iter());
        assert_eq!(adj[x as usize], 9.0);
        t.end(g);
    }
}

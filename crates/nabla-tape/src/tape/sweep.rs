//! The reverse sweep: adjoints cleared and seeded, then every entry and rule of a recording
//! walked backwards, passing each adjoint on to the operands.

use super::blocks::{RuleRecord, Run};
use super::entries::Entry;
use super::{SINK, Tape};
use crate::scalar::Scalar;

impl<T: Scalar> Tape<T> {
    /// Starts a reverse sweep of the recording `id`: every adjoint of it (and the sink's) is
    /// set to zero, ready for [`seed`](Self::seed) and [`sweep`](Self::sweep).
    pub(crate) fn clear_adjoints(&mut self, id: u64) {
        self.check_current(id);
        let start = self.frame(id).slot as usize;
        let len = self.slots() as usize;
        if self.adjoints.len() < len {
            self.adjoints.resize(len, T::zero());
        }
        // Entries of this recording only point at slots of this recording or at the sink,
        // so only those adjoints are cleared and read; all of them, since the caller reads
        // the adjoints of inputs that may lie above every seed.
        self.adjoints[start..len].fill(T::zero());
        self.adjoints[SINK as usize] = T::zero();
    }

    /// Adds `seed` to the adjoint of `slot` (after [`clear_adjoints`](Self::clear_adjoints)).
    pub(crate) fn seed(&mut self, slot: u32, seed: T) {
        self.adjoints[slot as usize] += seed;
    }

    /// The adjoint of `slot` (after a sweep).
    pub(crate) fn adjoint(&self, slot: u32) -> T {
        self.adjoints[slot as usize]
    }

    /// The adjoints of the `len` slots from `slot` (after a sweep).
    pub(crate) fn adjoint_run(&self, slot: u32, len: usize) -> &[T] {
        &self.adjoints[slot as usize..slot as usize + len]
    }

    /// The reverse sweep of the recording `id`, after its adjoints were cleared and seeded:
    /// every entry and rule below slot `top` (one past the highest seed), down to the
    /// recording's start, passes its adjoints on to its operands.
    ///
    /// A zero adjoint passes nothing, even through an infinite or NaN partial (`sqrt` at 0
    /// that the output does not depend on): the same strong zero as nabla-dual's. A rule whose
    /// outputs' adjoints are all zero is not called.
    pub(crate) fn sweep(&mut self, id: u64, top: usize) {
        self.check_current(id);
        let frame = *self.frame(id);
        let len = self.slots() as usize;
        let adjoints = &mut self.adjoints[..len];
        let entries = &self.entries[..self.used];
        let mut hi = entries.len();
        for block in self.blocks[frame.block as usize..].iter().rev() {
            let base = (block.slot + block.len) as usize;
            sweep_run(&entries[block.entry as usize..hi], base, top, adjoints);
            hi = block.entry as usize;
            if let Some(rule) = &block.rule
                && (block.slot as usize) < top
            {
                apply_rule(rule, block.slot as usize, block.len as usize, adjoints);
            }
        }
        sweep_run(
            &entries[frame.entry as usize..hi],
            frame.slot as usize,
            top,
            adjoints,
        );
    }
}

/// The sweep over scalar entries whose slots start at `base`, those below `top` only.
#[inline]
fn sweep_run<T: Scalar>(entries: &[Entry<T>], base: usize, top: usize, adjoints: &mut [T]) {
    let n = entries.len().min(top.saturating_sub(base));
    // The entries' own slots are `base..base + n` and their operands' lie below them: no
    // adjoint above `base + n` is read or written.
    let adjoints = &mut adjoints[..base + n];
    for (slot, e) in (base..base + n).rev().zip(entries[..n].iter().rev()) {
        let a = adjoints[slot];
        if a.is_strong_zero() {
            continue;
        }
        adjoints[e.lhs as usize] += a.adjoint_mul(e.dl);
        adjoints[e.rhs as usize] += a.adjoint_mul(e.dr);
    }
}

/// Calls a rule whose outputs are the slots `[slot, slot + len)`, unless their adjoints are
/// all zero, and adds what it returns into its inputs' adjoints.
fn apply_rule<T: Scalar>(rule: &RuleRecord<T>, slot: usize, len: usize, adjoints: &mut [T]) {
    let (below, above) = adjoints.split_at_mut(slot);
    let outputs = &above[..len];
    if outputs.iter().all(|a| a.is_strong_zero()) {
        return;
    }
    if let [Run::Range { start, len }] = rule.inputs[..]
        && !rule.zeroed
    {
        let (start, len) = (start as usize, len as usize);
        rule.backward
            .backward(outputs, &mut below[start..start + len]);
        return;
    }
    let mut buffer = vec![T::zero(); rule.n_inputs];
    rule.backward.backward(outputs, &mut buffer);
    let mut at = 0;
    for run in &rule.inputs {
        let part = &buffer[at..at + run.len()];
        match run {
            Run::Range { start, len } => {
                let (start, len) = (*start as usize, *len as usize);
                for (a, &d) in below[start..start + len].iter_mut().zip(part) {
                    *a += d;
                }
            }
            Run::Slots(slots) => {
                for (&s, &d) in slots.iter().zip(part) {
                    below[s as usize] += d;
                }
            }
        }
        at += run.len();
    }
}

//! Scalar entries: one recorded operation (two operand slots, two partials), its own slot
//! implied by its position, written into room kept ahead so that recording is one check.

use super::{SINK, Tape, Use};
use crate::scalar::Scalar;

/// One recorded scalar operation: operand slots and local partial derivatives. 24 bytes for
/// `f64`, 16 for `f32`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry<T> {
    pub(super) lhs: u32,
    pub(super) rhs: u32,
    pub(super) dl: T,
    pub(super) dr: T,
}

impl<T: Scalar> Tape<T> {
    /// Records an operation with one recorded operand `tag` (not 0) and partial `d`; returns
    /// the result's serial: 0 (a constant) when `d` is exactly zero, the operand's own when
    /// `d` is exactly 1. The operand is checked first, whatever its partial.
    #[inline(always)]
    pub(crate) fn unary(&mut self, tag: u64, d: T) -> u64 {
        let slot = self.slot_for(tag, Use::Operand);
        self.unary_at(tag, slot, d)
    }

    #[inline(always)]
    pub(super) fn unary_at(&mut self, tag: u64, slot: u32, d: T) -> u64 {
        if d.is_strong_zero() {
            0
        } else if (d - T::one()).is_strong_zero() {
            tag
        } else {
            self.push(slot, SINK, d, T::zero())
        }
    }

    /// Records an operation with two recorded operands (neither tag 0). Both are checked
    /// before any partial is looked at.
    #[inline(always)]
    pub(crate) fn binary(&mut self, ta: u64, tb: u64, da: T, db: T) -> u64 {
        let sa = self.slot_for(ta, Use::Operand);
        let sb = self.slot_for(tb, Use::Operand);
        match (da.is_strong_zero(), db.is_strong_zero()) {
            (false, false) => self.push(sa, sb, da, db),
            (true, false) => self.unary_at(tb, sb, db),
            (false, true) => self.unary_at(ta, sa, da),
            (true, true) => 0,
        }
    }

    /// [`unary`](Self::unary) when its operand lies in the current piece and there is room
    /// for an entry; `None` otherwise, with nothing done (the caller then takes `unary`, the
    /// slow path). No call, so that the caller's fast path saves no registers.
    #[inline(always)]
    pub(crate) fn try_unary(&mut self, tag: u64, d: T) -> Option<u64> {
        let slot = self.in_piece(tag)?;
        self.try_unary_at(tag, slot, d)
    }

    #[inline(always)]
    fn try_unary_at(&mut self, tag: u64, slot: u32, d: T) -> Option<u64> {
        if d.is_strong_zero() {
            Some(0)
        } else if (d - T::one()).is_strong_zero() {
            Some(tag)
        } else {
            self.try_push(slot, SINK, d, T::zero())
        }
    }

    /// [`binary`](Self::binary) when both operands lie in the current piece and there is room
    /// for an entry; `None` otherwise, with nothing done.
    #[inline(always)]
    pub(crate) fn try_binary(&mut self, ta: u64, tb: u64, da: T, db: T) -> Option<u64> {
        let sa = self.in_piece(ta);
        let sb = self.in_piece(tb);
        let (sa, sb) = (sa?, sb?);
        match (da.is_strong_zero(), db.is_strong_zero()) {
            (false, false) => self.try_push(sa, sb, da, db),
            (true, false) => self.try_unary_at(tb, sb, db),
            (false, true) => self.try_unary_at(ta, sa, da),
            (true, true) => Some(0),
        }
    }

    /// [`push`](Self::push) into the room kept ahead; `None` when there is none left.
    #[inline(always)]
    fn try_push(&mut self, lhs: u32, rhs: u32, dl: T, dr: T) -> Option<u64> {
        let index = self.used;
        *self.entries.get_mut(index)? = Entry { lhs, rhs, dl, dr };
        self.used = index + 1;
        Some((index as u64).wrapping_add(self.entry_offset))
    }

    #[inline(always)]
    pub(super) fn push(&mut self, lhs: u32, rhs: u32, dl: T, dr: T) -> u64 {
        let index = self.used;
        match self.entries.get_mut(index) {
            Some(e) => *e = Entry { lhs, rhs, dl, dr },
            None => self.push_slow(Entry { lhs, rhs, dl, dr }),
        }
        self.used = index + 1;
        (index as u64).wrapping_add(self.entry_offset)
    }

    /// [`push`](Self::push) at the end of the room: make room, then write.
    #[cold]
    #[inline(never)]
    pub(super) fn push_slow(&mut self, entry: Entry<T>) {
        self.make_room();
        self.entries[self.used] = entry;
    }

    /// Makes room for at least one more entry: more capacity, a new block of serials, or the
    /// panic of a full tape.
    #[cold]
    #[inline(never)]
    pub(super) fn make_room(&mut self) {
        self.reserve_slots(1);
        self.reserve_serials(1);
        let len = self.used;
        if len == self.entries.capacity() {
            let wanted = (len * 2).clamp(1024, u32::MAX as usize);
            let filled = self.entries.len();
            self.entries.reserve_exact(wanted - filled);
        }
        self.refresh();
    }
}

//! The Wengert list: per thread and scalar type, one flat append-only array of recorded scalar
//! operations, a short list of blocks (inputs, and rules that record a whole operation such
//! as a matrix product at once), and the reverse sweep over both.
//!
//! **Numbers and entries.** Every recorded number (an input, the result of an operation, an
//! output of a rule) has a *slot*: the index of its adjoint during a sweep. Slot 0 is a sink
//! that absorbs the second operand of one-operand entries and the constants among a rule's
//! inputs, so that the sweep has no branch on the number of operands. A scalar operation is
//! one [`Entry`] (two operand slots, two partials) whose own slot is implied by its position:
//! between two blocks the entries' slots run consecutively. A block is a run of slots
//! recorded at once, with no entry per slot: a batch of inputs (no work in the sweep) or the
//! outputs of a rule (the sweep calls the rule once with their adjoints).
//!
//! **Serial numbers.** A [`Var`](crate::Var) does not carry its slot but a 64-bit serial
//! number, unique over the whole process and never reused: each thread takes blocks of
//! serials from one global counter, and its slots take consecutive serials of its block. A
//! recording accepts an operand only if its serial lies in the range of serials its own
//! numbers took, so a `Var` of a finished recording, of another thread, or of an enclosing
//! recording used inside a nested one is caught at its first use instead of silently naming
//! another number's slot. The range is contiguous within a *piece*; a recording gets a new
//! piece when a nested recording ends (the nested one's serials are not reused) or when its
//! thread's block runs out. The fast check looks at the current piece only; the others are
//! searched on the slow path. 2^64 serials last 584 years at one recorded number per
//! nanosecond; should the counter ever run out, recording panics instead of wrapping.

use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::scalar::Scalar;

mod blocks;
mod entries;
mod membership;
mod sweep;
#[cfg(test)]
mod tests;

pub(crate) use blocks::Backward;
use blocks::{Block, Run};
use entries::Entry;
pub(crate) use membership::Use;

/// The slot of the sink.
pub(crate) const SINK: u32 = 0;

/// The serials a thread takes from the global counter at a time: far more than one recording
/// can hold (its slots are `u32`), so a thread rarely takes a second block.
const SERIAL_BLOCK: u64 = 1 << 34;

/// The process's serial numbers: the start of the next block to hand out. Serial 0 is never
/// handed out (it marks constants), so the first block starts at `SERIAL_BLOCK`.
pub(crate) static SERIALS: AtomicU64 = AtomicU64::new(SERIAL_BLOCK);

/// A stretch of a recording's slots whose serials are consecutive: slot `s` of it has serial
/// `serial + (s - slot)`. It ends where the next piece starts (or at the tape's end).
#[derive(Clone, Copy, Debug)]
struct Piece {
    serial: u64,
    slot: u32,
    /// The index of its recording in `frames`.
    frame: u32,
}

/// An active (or finished but not yet popped) recording.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// Unique over the process (a serial taken for it alone).
    id: u64,
    slot: u32,
    entry: u32,
    block: u32,
    piece: u32,
    finished: bool,
}

/// A thread's tape for one scalar type. Reached through the sealing trait's `with_tape`
/// (`scalar.rs`); not part of the public API.
///
/// The buffers are `ManuallyDrop` so that the tape has no drop glue: a thread-local without
/// a destructor is reached without the lazy-registration check that every recorded operation
/// would otherwise pay. A separate thread-local guard (the `with_tape`
/// implementations arm it when a recording starts) frees them when the thread exits.
#[doc(hidden)]
pub struct Tape<T: 'static> {
    /// The scalar entries: the first `used` are recorded, the rest (up to the entry limit)
    /// are room written over by the next ones, so that recording an entry is one check.
    entries: ManuallyDrop<Vec<Entry<T>>>,
    used: usize,
    adjoints: ManuallyDrop<Vec<T>>,
    blocks: ManuallyDrop<Vec<Block<T>>>,
    frames: ManuallyDrop<Vec<Frame>>,
    pieces: ManuallyDrop<Vec<Piece>>,
    /// Slots in use: `used + delta`.
    delta: u32,
    /// The serial of slot `s` in the current piece is `s + offset` (wrapping).
    offset: u64,
    /// `delta + offset`: the serial of the next entry's slot is `used + this`.
    entry_offset: u64,
    /// The first slot of the current piece: operands in `[piece_slot, slots)` are accepted
    /// without a search. Equal to the slot count when no recording is active.
    piece_slot: u32,
    /// The end (exclusive) of this thread's block of serials.
    block_end: u64,
    /// The id of the innermost active recording, 0 when none is active.
    current: u64,
    /// Where blocks of serials come from (the process's counter; a test's own in tests).
    serials: &'static AtomicU64,
}

impl<T> std::fmt::Debug for Tape<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tape")
            .field("entries", &self.used)
            .field("blocks", &self.blocks.len())
            .field("frames", &self.frames)
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl<T: Scalar> Tape<T> {
    /// An empty tape (no allocation until the first recording).
    pub(crate) const fn new() -> Self {
        Self::with_serials(&SERIALS)
    }

    /// An empty tape that takes its serial blocks from `serials`.
    pub(crate) const fn with_serials(serials: &'static AtomicU64) -> Self {
        Tape {
            entries: ManuallyDrop::new(Vec::new()),
            used: 0,
            adjoints: ManuallyDrop::new(Vec::new()),
            blocks: ManuallyDrop::new(Vec::new()),
            frames: ManuallyDrop::new(Vec::new()),
            pieces: ManuallyDrop::new(Vec::new()),
            delta: 0,
            offset: 0,
            entry_offset: 0,
            piece_slot: 0,
            block_end: 0,
            current: 0,
            serials,
        }
    }

    /// Slots in use, the sink included.
    #[inline(always)]
    fn slots(&self) -> u32 {
        self.used as u32 + self.delta
    }

    /// The serial the next slot will take.
    fn next_serial(&self) -> u64 {
        u64::from(self.slots()).wrapping_add(self.offset)
    }

    /// Recomputes the cached offsets and the entry limit after the state changed.
    fn refresh(&mut self) {
        self.entry_offset = u64::from(self.delta).wrapping_add(self.offset);
        let serials_left = self.block_end.saturating_sub(self.next_serial());
        let slots_left = u64::from(u32::MAX - 1 - self.slots().min(u32::MAX - 1));
        let room = serials_left.min(slots_left).min(usize::MAX as u64) as usize;
        // The room after the used entries ends at the capacity or where the serials or slots
        // run out, whichever comes first: `push` needs no other check.
        let end = self.entries.capacity().min(self.used + room);
        let filler = Entry {
            lhs: SINK,
            rhs: SINK,
            dl: T::zero(),
            dr: T::zero(),
        };
        self.entries.resize(end, filler);
    }

    /// Makes sure `n` more serials are available in this thread's block, taking a new block
    /// (and starting a new piece of the current recording) if not.
    fn reserve_serials(&mut self, n: u64) {
        if self
            .next_serial()
            .checked_add(n)
            .is_some_and(|end| end <= self.block_end)
        {
            return;
        }
        let start = take_block(self.serials);
        let slot = self.slots();
        self.block_end = start + SERIAL_BLOCK;
        self.offset = start.wrapping_sub(u64::from(slot));
        self.piece_slot = slot;
        if let Some(frame) = self.frames.len().checked_sub(1) {
            self.pieces.push(Piece {
                serial: start,
                slot,
                frame: frame as u32,
            });
        }
        self.refresh();
    }

    /// Makes sure `n` more slots fit in a `u32`.
    fn reserve_slots(&mut self, n: usize) {
        let limit = u32::MAX as usize - 1;
        if self.slots() as usize + n > limit {
            panic!("nabla-tape: the tape is full ({limit} recorded numbers)");
        }
    }

    /// Starts a recording nested in the active one (if any); returns its id.
    pub(crate) fn begin(&mut self) -> u64 {
        if self.slots() == 0 {
            // The sink: slot 0, no entry.
            self.delta = 1;
        }
        self.reserve_serials(1);
        // A serial of its own, so that ids are unique even for recordings that record
        // nothing.
        let id = self.next_serial();
        self.offset = self.offset.wrapping_add(1);
        let slot = self.slots();
        self.frames.push(Frame {
            id,
            slot,
            entry: self.used as u32,
            block: self.blocks.len() as u32,
            piece: self.pieces.len() as u32,
            finished: false,
        });
        let serial = self.next_serial();
        self.pieces.push(Piece {
            serial,
            slot,
            frame: self.frames.len() as u32 - 1,
        });
        self.piece_slot = slot;
        self.current = id;
        self.refresh();
        id
    }

    /// Ends the recording `id`. Its numbers are dropped (the storage is kept) once every
    /// recording started after it has ended too; serials are never handed out twice. Never
    /// panics (it runs in `Drop`).
    pub(crate) fn end(&mut self, id: u64) {
        if let Some(frame) = self.frames.iter_mut().find(|f| f.id == id) {
            frame.finished = true;
        }
        let next = self.next_serial();
        let mut popped = false;
        while let Some(&top) = self.frames.last() {
            if !top.finished {
                break;
            }
            self.used = top.entry as usize;
            self.blocks.truncate(top.block as usize);
            self.pieces.truncate(top.piece as usize);
            self.delta = top.slot - top.entry;
            self.frames.pop();
            popped = true;
        }
        if !popped {
            return;
        }
        let slot = self.slots();
        self.offset = next.wrapping_sub(u64::from(slot));
        self.piece_slot = slot;
        match self.frames.last() {
            Some(top) => {
                // The enclosing recording goes on with a new piece, after the serials the
                // ended ones used.
                self.pieces.push(Piece {
                    serial: next,
                    slot,
                    frame: self.frames.len() as u32 - 1,
                });
                self.current = top.id;
            }
            None => self.current = 0,
        }
        self.refresh();
    }

    /// The frame of the recording `id`, or a panic that explains why it cannot be used.
    fn frame(&self, id: u64) -> &Frame {
        match self.frames.iter().find(|f| f.id == id) {
            Some(f) => f,
            None => self.misuse(id, Use::Operand),
        }
    }

    /// Numbers recorded since the recording `id` started (its nested recordings' included
    /// while they are active).
    pub(crate) fn len_since(&self, id: u64) -> usize {
        (self.slots() - self.frame(id).slot) as usize
    }

    /// Entries (scalar operations, blocks of inputs, rules) recorded since the recording `id`
    /// started.
    pub(crate) fn entries_since(&self, id: u64) -> usize {
        let f = self.frame(id);
        self.used - f.entry as usize + self.blocks.len() - f.block as usize
    }

    /// Bytes held for the recording `id`: its entries, its blocks with their rules' saved
    /// values and input lists, and one adjoint per recorded number for the sweep.
    pub(crate) fn bytes_since(&self, id: u64) -> usize {
        let f = self.frame(id);
        let entries = (self.used - f.entry as usize) * std::mem::size_of::<Entry<T>>();
        let blocks: usize = self.blocks[f.block as usize..]
            .iter()
            .map(|b| {
                std::mem::size_of::<Block<T>>()
                    + b.rule.as_ref().map_or(0, |r| {
                        r.backward.saved_bytes()
                            + r.inputs
                                .iter()
                                .map(|run| match run {
                                    Run::Slots(s) => s.len() * 4,
                                    Run::Range { .. } => 0,
                                })
                                .sum::<usize>()
                            + r.inputs.len() * std::mem::size_of::<Run>()
                    })
            })
            .sum();
        entries + blocks + self.len_since(id) * std::mem::size_of::<T>()
    }

    /// Records `n` inputs of the active recording `id` at once; returns the serial of the
    /// first (the others follow it).
    pub(crate) fn leaves(&mut self, id: u64, n: usize) -> u64 {
        if id != self.current {
            self.not_innermost();
        }
        self.reserve_slots(n);
        self.reserve_serials(n as u64);
        let slot = self.slots();
        let entry = self.used as u32;
        let start_block = self.frames.last().map_or(0, |f| f.block as usize);
        let own = self.blocks.len() > start_block;
        match self.blocks.last_mut() {
            Some(last)
                if own
                    && last.rule.is_none()
                    && last.entry == entry
                    && last.slot + last.len == slot =>
            {
                last.len += n as u32;
            }
            _ => self.blocks.push(Block {
                entry,
                slot,
                len: n as u32,
                rule: None,
            }),
        }
        let first = self.next_serial();
        self.delta += n as u32;
        self.refresh();
        first
    }

    /// Bytes reserved by this tape (entries, adjoints, blocks).
    pub(crate) fn reserved_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry<T>>()
            + self.adjoints.capacity() * std::mem::size_of::<T>()
            + self.blocks.capacity() * std::mem::size_of::<Block<T>>()
    }

    /// Frees the storage when no recording is active; returns whether it did.
    pub(crate) fn release(&mut self) -> bool {
        if !self.frames.is_empty() {
            return false;
        }
        // The serials go on from where they were; only the storage goes.
        let next = self.next_serial();
        self.free();
        self.offset = next;
        self.piece_slot = 0;
        self.refresh();
        true
    }

    /// Frees every buffer (the thread's exit, or [`release`](Self::release)).
    pub(crate) fn free(&mut self) {
        drop(std::mem::take(&mut *self.entries));
        drop(std::mem::take(&mut *self.adjoints));
        drop(std::mem::take(&mut *self.blocks));
        drop(std::mem::take(&mut *self.frames));
        drop(std::mem::take(&mut *self.pieces));
        self.delta = 0;
        self.used = 0;
    }
}

/// Takes a block of [`SERIAL_BLOCK`] serials from `serials`; a panic, never a wrap, when the
/// 64-bit counter is used up.
fn take_block(serials: &AtomicU64) -> u64 {
    match serials.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |start| {
        start.checked_add(SERIAL_BLOCK)
    }) {
        Ok(start) => start,
        Err(_) => panic!(
            "nabla-tape: this process has used up the 2^64 serial numbers that tell recorded \
             numbers apart; they are never reused (a reused one could let a stale Var pass for \
             a live one), so no more numbers can be recorded"
        ),
    }
}

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

/// The slot of the sink.
pub(crate) const SINK: u32 = 0;

/// The serials a thread takes from the global counter at a time: far more than one recording
/// can hold (its slots are `u32`), so a thread rarely takes a second block.
const SERIAL_BLOCK: u64 = 1 << 34;

/// The process's serial numbers: the start of the next block to hand out. Serial 0 is never
/// handed out (it marks constants), so the first block starts at `SERIAL_BLOCK`.
pub(crate) static SERIALS: AtomicU64 = AtomicU64::new(SERIAL_BLOCK);

/// One recorded scalar operation: operand slots and local partial derivatives. 24 bytes for
/// `f64`, 16 for `f32`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry<T> {
    lhs: u32,
    rhs: u32,
    dl: T,
    dr: T,
}

/// The backward of a rule as the tape keeps it: given the outputs' adjoints, add into the
/// inputs' adjoints.
pub(crate) trait Backward<T>: 'static {
    /// Adds the inputs' adjoints for the outputs' adjoints `outputs` into `inputs`.
    fn backward(&self, outputs: &[T], inputs: &mut [T]);
    /// Heap bytes the rule keeps (its saved values), for [`Tape::bytes_since`].
    fn saved_bytes(&self) -> usize;
}

/// Where a rule's inputs' adjoints live: consecutive runs of slots (a matrix of inputs or of
/// a previous rule's outputs is one run) or single slots.
#[derive(Debug)]
enum Run {
    Range { start: u32, len: u32 },
    Slots(Vec<u32>),
}

impl Run {
    fn len(&self) -> usize {
        match self {
            Run::Range { len, .. } => *len as usize,
            Run::Slots(s) => s.len(),
        }
    }
}

/// A rule's inputs, resolved to slots and checked against the active recording.
pub(crate) struct Inputs {
    runs: Vec<Run>,
    n: usize,
}

/// A recorded rule: its inputs and its backward.
struct RuleRecord<T> {
    inputs: Vec<Run>,
    n_inputs: usize,
    /// Whether the backward gets a zeroed buffer (a user's rule, which may assign) or adds
    /// straight into the adjoints (the built-in ones, when the inputs are one run).
    zeroed: bool,
    backward: Box<dyn Backward<T>>,
}

/// A run of slots recorded at once: inputs (`rule` is `None`) or the outputs of a rule.
struct Block<T> {
    /// The number of entries recorded before it.
    entry: u32,
    /// Its first slot and its number of slots.
    slot: u32,
    len: u32,
    rule: Option<RuleRecord<T>>,
}

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

/// How a `Var` was being used when it turned out not to belong to the active recording: it
/// picks the panic message.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Use {
    /// An operand of an operation, or a `Var` handed to a driver.
    Operand,
    /// An input of a rule.
    RuleInput,
}

/// A thread's tape for one scalar type. Reached through [`Scalar::with_tape`]; not part of the
/// public API.
///
/// The buffers are `ManuallyDrop` so that the tape has no drop glue: a thread-local without
/// a destructor is reached without the lazy-registration check that every recorded operation
/// would otherwise pay. A separate thread-local guard ([`Scalar::with_tape`]'s
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

    /// The slots of a rule's inputs (the sink for a constant, serial 0), checked against the
    /// active recording, as runs; `None` when every input is a constant.
    pub(crate) fn rule_inputs(&self, tags: impl Iterator<Item = u64>) -> Option<Inputs> {
        let mut runs = Runs::default();
        let mut recorded = false;
        for tag in tags {
            if tag == 0 {
                runs.push(SINK);
            } else {
                recorded = true;
                runs.push(self.slot_for(tag, Use::RuleInput));
            }
        }
        recorded.then(|| runs.finish())
    }

    /// Records a rule with `outputs` outputs in the active recording; returns the serial of
    /// its first output (the others follow it).
    pub(crate) fn rule(
        &mut self,
        inputs: Inputs,
        outputs: usize,
        zeroed: bool,
        backward: Box<dyn Backward<T>>,
    ) -> u64 {
        self.reserve_slots(outputs);
        self.reserve_serials(outputs as u64);
        let Inputs {
            runs: inputs,
            n: n_inputs,
        } = inputs;
        let slot = self.slots();
        self.blocks.push(Block {
            entry: self.used as u32,
            slot,
            len: outputs as u32,
            rule: Some(RuleRecord {
                inputs,
                n_inputs,
                zeroed,
                backward,
            }),
        });
        let first = self.next_serial();
        self.delta += outputs as u32;
        self.refresh();
        first
    }

    /// The slot of the operand `tag` (not 0) if it belongs to the active recording; a panic
    /// that names the mistake otherwise.
    #[inline(always)]
    fn slot_for(&self, tag: u64, how: Use) -> u32 {
        let s = tag.wrapping_sub(self.offset);
        let slots = u64::from(self.slots());
        let piece = u64::from(self.piece_slot);
        if s.wrapping_sub(piece) < slots - piece {
            s as u32
        } else {
            self.slot_slow(tag, how)
        }
    }

    /// [`slot_for`](Self::slot_for) beyond the current piece: the active recording's earlier
    /// pieces, or the panic.
    #[cold]
    #[inline(never)]
    fn slot_slow(&self, tag: u64, how: Use) -> u32 {
        match self.locate(tag) {
            Some((slot, frame)) if frame + 1 == self.frames.len() && self.current != 0 => slot,
            _ => self.misuse(tag, how),
        }
    }

    /// The slot and frame index of the number with serial `tag`, if it is still on the tape.
    fn locate(&self, tag: u64) -> Option<(u32, usize)> {
        let mut end = self.slots();
        for p in self.pieces.iter().rev() {
            let s = tag.wrapping_sub(p.serial);
            if s < u64::from(end - p.slot) {
                return Some((p.slot + s as u32, p.frame as usize));
            }
            end = p.slot;
        }
        None
    }

    /// Checks that the operand `tag` (not 0) belongs to the active recording.
    #[inline(always)]
    pub(crate) fn check(&self, tag: u64) {
        self.slot_for(tag, Use::Operand);
    }

    /// Checks that `id` is the active recording, for a recording asked to sweep.
    pub(crate) fn check_current(&self, id: u64) {
        if id != self.current {
            self.misuse_recording(id);
        }
    }

    /// Records an operation with one recorded operand `tag` (not 0) and partial `d`; returns
    /// the result's serial: 0 (a constant) when `d` is exactly zero, the operand's own when
    /// `d` is exactly 1. The operand is checked first, whatever its partial.
    #[inline(always)]
    pub(crate) fn unary(&mut self, tag: u64, d: T) -> u64 {
        let slot = self.slot_for(tag, Use::Operand);
        self.unary_at(tag, slot, d)
    }

    #[inline(always)]
    fn unary_at(&mut self, tag: u64, slot: u32, d: T) -> u64 {
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

    #[inline(always)]
    fn push(&mut self, lhs: u32, rhs: u32, dl: T, dr: T) -> u64 {
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
    fn push_slow(&mut self, entry: Entry<T>) {
        self.make_room();
        self.entries[self.used] = entry;
    }

    /// Makes room for at least one more entry: more capacity, a new block of serials, or the
    /// panic of a full tape.
    #[cold]
    #[inline(never)]
    fn make_room(&mut self) {
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

    /// The slot of the operand `tag` for a driver (seeds and `wrt`), checked.
    pub(crate) fn slot(&self, tag: u64) -> u32 {
        self.slot_for(tag, Use::Operand)
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

    /// Explains why the `Var` with serial `tag` cannot be used now.
    #[cold]
    #[inline(never)]
    fn misuse(&self, tag: u64, how: Use) -> ! {
        let frame = self.locate(tag).map(|(_, f)| self.frames[f]);
        let what = match how {
            Use::Operand => "a Var",
            Use::RuleInput => "a Var among the inputs of a rule (custom_rule, matmul, dot, sum)",
        };
        match frame {
            Some(f) if !f.finished => panic!(
                "nabla-tape: {what} of an enclosing recording was used inside a nested one \
                 (a gradient inside the function of another gradient, or two recordings \
                 interleaved on one thread). The inner recording would treat it as a constant \
                 and the outer one would lose its derivative through the inner result. Give \
                 the inner function its own variables, finish the inner recording first, or \
                 for second derivatives use hessian_vector_product (forward over reverse)"
            ),
            _ if self.current == 0 => panic!(
                "nabla-tape: {what} of a finished recording (or of another thread) was used \
                 while no recording is active on this thread; Vars are valid only inside the \
                 recording (the gradient call) that created them"
            ),
            _ => panic!(
                "nabla-tape: {what} of a finished recording (or of another thread) was used in \
                 the active recording; Vars are valid only inside the recording (the gradient \
                 call) that created them"
            ),
        }
    }

    /// Explains why the recording `id` cannot sweep now.
    #[cold]
    #[inline(never)]
    fn misuse_recording(&self, id: u64) -> ! {
        match self.frames.iter().find(|f| f.id == id) {
            Some(_) => panic!(
                "nabla-tape: a recording was swept while a recording started after it is still \
                 active on this thread (recordings nest: finish the inner one first)"
            ),
            None => panic!("nabla-tape: a recording was used after it ended"),
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

/// A rule's input slots as they are collected: the range being extended, the single slots
/// since the last range, and the runs closed so far.
#[derive(Default)]
struct Runs {
    runs: Vec<Run>,
    /// Slots that are not part of a range long enough to keep as one.
    list: Vec<u32>,
    /// The range being extended: start and length (length 0: none).
    start: u32,
    len: u32,
    n: usize,
}

impl Runs {
    /// Ranges shorter than this go to the list of single slots.
    const MIN_RANGE: u32 = 8;

    #[inline(always)]
    fn push(&mut self, slot: u32) {
        self.n += 1;
        if self.len > 0 && slot != SINK && self.start + self.len == slot {
            self.len += 1;
        } else {
            self.close();
            if slot == SINK {
                self.list.push(slot);
            } else {
                (self.start, self.len) = (slot, 1);
            }
        }
    }

    /// Ends the range being extended: a run of its own if long enough, single slots if not.
    fn close(&mut self) {
        if self.len >= Self::MIN_RANGE {
            if !self.list.is_empty() {
                self.runs.push(Run::Slots(std::mem::take(&mut self.list)));
            }
            self.runs.push(Run::Range {
                start: self.start,
                len: self.len,
            });
        } else {
            self.list.extend(self.start..self.start + self.len);
        }
        self.len = 0;
    }

    fn finish(mut self) -> Inputs {
        self.close();
        if !self.list.is_empty() {
            self.runs.push(Run::Slots(self.list));
        }
        Inputs {
            runs: self.runs,
            n: self.n,
        }
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

/// The sweep over scalar entries whose slots start at `base`, those below `top` only.
#[inline]
fn sweep_run<T: Scalar>(entries: &[Entry<T>], base: usize, top: usize, adjoints: &mut [T]) {
    let n = entries.len().min(top.saturating_sub(base));
    for (i, e) in entries[..n].iter().enumerate().rev() {
        let a = adjoints[base + i];
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of a panic.
    fn message(payload: Box<dyn std::any::Any + Send>) -> String {
        match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(p) => p
                .downcast::<&str>()
                .map_or_else(|_| String::new(), |s| s.to_string()),
        }
    }

    /// A whole sweep of `id` from `seeds`; the adjoints by slot.
    fn sweep(t: &mut Tape<f64>, id: u64, seeds: &[(u32, f64)]) -> Vec<f64> {
        t.clear_adjoints(id);
        let mut top = 0;
        for &(slot, s) in seeds {
            t.seed(slot, s);
            top = top.max(slot as usize + 1);
        }
        t.sweep(id, top);
        t.adjoints.to_vec()
    }

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
        assert_eq!(t.slot(a), 1, "slot 0 is the sink");
        let inner = t.begin();
        let b = t.leaves(inner, 1);
        t.unary(b, 2.0);
        assert_eq!(t.len_since(outer), 3);
        assert_eq!(t.len_since(inner), 2);
        assert_eq!(t.entries_since(inner), 2, "a block of inputs and one entry");
        // Ending the outer one first leaves it in place until the inner one ends.
        t.end(outer);
        assert_eq!(t.current, inner);
        assert_eq!(t.slots(), 4);
        t.end(inner);
        assert_eq!((t.current, t.slots(), t.frames.len()), (0, 1, 0));
        assert!(t.entries.capacity() >= 1);
        assert!(t.release());
        assert_eq!(t.reserved_bytes(), 0);
    }

    #[test]
    fn the_sweep_adds_adjoint_times_partial_and_skips_zero_adjoints() {
        let mut t = Tape::<f64>::new();
        let g = t.begin();
        let x = t.leaves(g, 1);
        let y = t.leaves(g, 1);
        let (sx, sy) = (t.slot(x) as usize, t.slot(y) as usize);
        // s = sqrt(y) at y = 0 (partial +inf), p = x * y, out = p (s unused).
        let s = t.unary(y, f64::INFINITY);
        let p = t.binary(x, y, 3.0, 5.0);
        let (ss, sp) = (t.slot(s), t.slot(p));
        let adj = sweep(&mut t, g, &[(sp, 1.0)]);
        assert_eq!((adj[sx], adj[sy]), (3.0, 5.0));
        // Seeding s with 0 and p with 1: the zero adjoint of s stays out of y (no 0 * inf).
        let adj = sweep(&mut t, g, &[(ss, 0.0), (sp, 1.0)]);
        assert_eq!(adj[sy], 5.0);
        // Repeated seeds add up.
        let adj = sweep(&mut t, g, &[(sp, 1.0), (sp, 2.0)]);
        assert_eq!(adj[sx], 9.0);
        t.end(g);
    }

    #[test]
    fn a_var_kept_for_2_pow_32_recordings_is_still_refused() {
        // The hole of a 32-bit generation counter: after 2^32 recordings a Var of recording
        // 2 was accepted by the new recording 2. Here the serials are 64-bit: jump this
        // tape's serials forward by exactly 2^32 (as 2^32 one-input recordings would) and the
        // old Var, whose serial agrees with the new input's in its low 32 bits, is refused.
        static COUNTER: AtomicU64 = AtomicU64::new(SERIAL_BLOCK);
        let mut t = Tape::<f64>::with_serials(&COUNTER);
        let first = t.begin();
        let old = t.leaves(first, 1);
        t.end(first);
        // After the end the next serial is old + 1; the new recording's id takes one more.
        t.offset = t.offset.wrapping_add((1 << 32) - 2);
        t.refresh();
        let second = t.begin();
        let new = t.leaves(second, 1);
        assert_eq!(new as u32, old as u32, "the low 32 bits agree");
        assert_eq!(t.slot(new), 1);
        let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.slot(old)));
        let msg = message(refused.expect_err("the old Var must be refused"));
        assert!(msg.contains("of a finished recording"), "{msg}");
    }

    #[test]
    fn a_serial_counter_near_its_end_panics_instead_of_wrapping() {
        static COUNTER: AtomicU64 = AtomicU64::new(u64::MAX - SERIAL_BLOCK - 5);
        let mut t = Tape::<f64>::with_serials(&COUNTER);
        // The last block fits: it is handed out.
        let g = t.begin();
        let x = t.leaves(g, 3);
        assert_eq!(t.slot(x), 1);
        t.end(g);
        // Using it up asks for another, and there is none: a panic, not serial 0 again.
        t.offset = t.block_end - 2 - u64::from(t.slots());
        t.refresh();
        let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let g = t.begin();
            t.leaves(g, 5)
        }));
        let msg = message(refused.expect_err("no more serials"));
        assert!(msg.contains("used up the 2^64 serial numbers"), "{msg}");
        assert_eq!(COUNTER.load(Ordering::Relaxed), u64::MAX - 5, "not wrapped");
    }

    #[test]
    fn a_recording_that_outlives_its_block_of_serials_goes_on() {
        static COUNTER: AtomicU64 = AtomicU64::new(SERIAL_BLOCK);
        let mut t = Tape::<f64>::with_serials(&COUNTER);
        let g = t.begin();
        let x = t.leaves(g, 1);
        // Three serials left in the block: the product below still fits, the one after
        // takes a new block, and the first input (in the old block) stays usable.
        t.block_end = t.next_serial() + 1;
        t.refresh();
        let y = t.unary(x, 2.0);
        let z = t.binary(x, y, 3.0, 4.0);
        assert!(z >= t.block_end - SERIAL_BLOCK, "a new block");
        let w = t.binary(x, z, 5.0, 6.0);
        let (sx, sw) = (t.slot(x) as usize, t.slot(w));
        // w = 5x + 6z, z = 3x + 4y, y = 2x: dw/dx = 5 + 6 (3 + 4 * 2) = 71.
        assert_eq!(sweep(&mut t, g, &[(sw, 1.0)])[sx], 71.0);
        t.end(g);
    }
}

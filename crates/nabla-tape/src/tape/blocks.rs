//! Blocks: runs of slots recorded at once, a batch of inputs or the outputs of a rule (a
//! whole operation with its own backward), and how a rule's inputs are collected as runs of
//! slots.

use super::{SINK, Tape, Use};
use crate::scalar::Scalar;
use crate::var::Var;

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
pub(super) enum Run {
    Range { start: u32, len: u32 },
    Slots(Vec<u32>),
}

impl Run {
    pub(super) fn len(&self) -> usize {
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
pub(super) struct RuleRecord<T> {
    pub(super) inputs: Vec<Run>,
    pub(super) n_inputs: usize,
    /// Whether the backward gets a zeroed buffer (a user's rule, which may assign) or adds
    /// straight into the adjoints (the built-in ones, when the inputs are one run).
    pub(super) zeroed: bool,
    pub(super) backward: Box<dyn Backward<T>>,
}

/// A run of slots recorded at once: inputs (`rule` is `None`) or the outputs of a rule.
pub(super) struct Block<T> {
    /// The number of entries recorded before it.
    pub(super) entry: u32,
    /// Its first slot and its number of slots.
    pub(super) slot: u32,
    pub(super) len: u32,
    pub(super) rule: Option<RuleRecord<T>>,
}

impl<T: Scalar> Tape<T> {
    /// The slots of a rule's inputs (the sink for a constant, serial 0), checked against the
    /// active recording, as runs; `None` when every input is a constant.
    ///
    /// The tags come in parts (a matrix of inputs, say); a part whose serials are consecutive
    /// (`first`, `first + 1`, ...; every part recorded at once, as the parameters or a
    /// previous rule's outputs) is checked by its two ends: when both lie in the current
    /// piece, whose serials and slots are both contiguous, so does every serial between them.
    pub(crate) fn rule_inputs(&self, parts: &[&[Var<T>]]) -> Option<Inputs> {
        let mut runs = Runs::default();
        let mut recorded = false;
        for &part in parts {
            if let Some(slot) = self.consecutive(part) {
                recorded = true;
                runs.push_range(slot, part.len() as u32);
                continue;
            }
            for tag in part.iter().map(|v| v.tag) {
                if tag == 0 {
                    runs.push(SINK);
                } else {
                    recorded = true;
                    runs.push(self.slot_for(tag, Use::RuleInput));
                }
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

    /// `len` consecutive slots from `start`, at once.
    fn push_range(&mut self, start: u32, len: u32) {
        if self.len > 0 && self.start + self.len == start {
            self.len += len;
        } else {
            self.close();
            (self.start, self.len) = (start, len);
        }
        self.n += len as usize;
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

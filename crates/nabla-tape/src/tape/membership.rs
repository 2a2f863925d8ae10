//! Which recording a `Var` belongs to: its serial number looked up in the active
//! recording's pieces (the fast check on the current piece, the others on the slow path), and
//! the panics that name a misuse.

use super::Tape;
use crate::scalar::Scalar;
use crate::var::Var;

/// How a `Var` was being used when it turned out not to belong to the active recording: it
/// picks the panic message.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Use {
    /// An operand of an operation, or a `Var` handed to a driver.
    Operand,
    /// An input of a rule.
    RuleInput,
}

impl<T: Scalar> Tape<T> {
    /// The slot of `part[0]` if `part` is a run of consecutive serials of the current piece
    /// (so its slots are consecutive too), `None` otherwise (the caller then checks the tags
    /// one by one).
    pub(crate) fn consecutive(&self, part: &[Var<T>]) -> Option<u32> {
        let (first, last) = (part.first()?.tag, part.last()?.tag);
        if first == 0 || last.wrapping_sub(first) != part.len() as u64 - 1 {
            return None;
        }
        let in_piece = |tag: u64| {
            let s = tag.wrapping_sub(self.offset);
            let piece = u64::from(self.piece_slot);
            (s.wrapping_sub(piece) < u64::from(self.slots()) - piece).then_some(s as u32)
        };
        let slot = in_piece(first)?;
        in_piece(last)?;
        // Every serial between the ends, in order (a tight loop the compiler vectorises).
        let mut expected = first;
        let mut all = true;
        for v in part {
            all &= v.tag == expected;
            expected = expected.wrapping_add(1);
        }
        all.then_some(slot)
    }

    /// The slot of the operand `tag` (not 0) if it belongs to the active recording; a panic
    /// that names the mistake otherwise.
    #[inline(always)]
    pub(super) fn slot_for(&self, tag: u64, how: Use) -> u32 {
        match self.in_piece(tag) {
            Some(slot) => slot,
            None => self.slot_slow(tag, how),
        }
    }

    /// The slot of the operand `tag` (not 0) if it lies in the current piece of the active
    /// recording (the fast check: its serials and slots are both contiguous there).
    #[inline(always)]
    pub(super) fn in_piece(&self, tag: u64) -> Option<u32> {
        let s = tag.wrapping_sub(self.offset);
        let slots = u64::from(self.slots());
        let piece = u64::from(self.piece_slot);
        (s.wrapping_sub(piece) < slots - piece).then_some(s as u32)
    }

    /// [`slot_for`](Self::slot_for) beyond the current piece: the active recording's earlier
    /// pieces, or the panic.
    #[cold]
    #[inline(never)]
    pub(super) fn slot_slow(&self, tag: u64, how: Use) -> u32 {
        match self.locate(tag) {
            Some((slot, frame)) if frame + 1 == self.frames.len() && self.current != 0 => slot,
            _ => self.misuse(tag, how),
        }
    }

    /// The slot and frame index of the number with serial `tag`, if it is still on the tape.
    pub(super) fn locate(&self, tag: u64) -> Option<(u32, usize)> {
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

    /// The slot of the operand `tag` for a driver (seeds and `wrt`), checked.
    pub(crate) fn slot(&self, tag: u64) -> u32 {
        self.slot_for(tag, Use::Operand)
    }

    /// Explains why the `Var` with serial `tag` cannot be used now.
    #[cold]
    #[inline(never)]
    pub(super) fn misuse(&self, tag: u64, how: Use) -> ! {
        let frame = self.locate(tag).map(|(_, f)| self.frames[f]);
        let what = match how {
            Use::Operand => "a Var",
            Use::RuleInput => {
                "a Var among the inputs of a rule (custom_rule, matmul, affine, dot, sum)"
            }
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
    pub(super) fn misuse_recording(&self, id: u64) -> ! {
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
    pub(super) fn not_innermost(&self) -> ! {
        panic!(
            "nabla-tape: an input was added to a recording while a recording started after \
             it is still active on this thread (recordings nest: finish the inner one first)"
        )
    }
}

//! The tape's own tests (the public behaviour is tested in `tests/tape`).

use std::sync::atomic::{AtomicU64, Ordering};

use super::entries::Entry;
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

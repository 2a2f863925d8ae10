//! Two threads that work in lockstep for the length of a scope: the caller's and one helper
//! that waits between jobs by spinning, so that a hand-off costs well under a microsecond.
//!
//! A training step of the book's network is about 100 microseconds of work, done in two
//! halves twice a step. Handing each half to a pool thread (`rayon::join`) costs 2 to 20 µs
//! on this project's machine (the other thread has gone to sleep, or is woken through the
//! kernel), as much as the second core gains; a helper that spins between jobs answers within
//! about 0.1 µs (`examples/machine_probe.rs` measures both). It spins only while jobs come
//! quickly: after [`SPIN`] without one it parks, and the next job wakes it.
//!
//! A job is a small `Copy` value; both threads run the same `work(job, side)` function on it,
//! each its own [`Side`]. [`Pair::run`] returns when both are done. With one thread (one core,
//! or `RAYON_NUM_THREADS=1`) the caller runs both sides itself, one after the other, so a job
//! must not wait for its other side.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long a waiting thread spins before it parks (the helper) or yields (the caller).
const SPIN: Duration = Duration::from_micros(200);

/// Which of the two threads runs a share of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The caller's thread.
    Main,
    /// The helper thread.
    Helper,
}

impl Side {
    /// 0 for the caller's share, 1 for the helper's.
    pub(crate) fn index(self) -> usize {
        match self {
            Side::Main => 0,
            Side::Helper => 1,
        }
    }
}

/// The handshake between the two threads.
struct Slot<J> {
    /// Bumped by the caller for each job (and once more to stop).
    posted: AtomicU64,
    /// The last job the helper finished.
    done: AtomicU64,
    /// The current job; `None` tells the helper to stop.
    job: Mutex<Option<J>>,
    /// The helper is parked (or about to park) and needs an unpark to see the next job.
    parked: AtomicBool,
    /// The helper's thread is gone (its work panicked): the caller must not wait for it.
    dead: AtomicBool,
}

/// The two threads of a [`with_pair`] scope, as the caller sees them.
pub(crate) struct Pair<'a, J, W> {
    work: &'a W,
    /// `None`: one thread, which runs both sides.
    helper: Option<(&'a Slot<J>, Thread)>,
}

/// Runs `body` with a [`Pair`] whose jobs run `work` on `threads` threads (two, or one when
/// `threads` is 1), and returns its result once the helper has stopped.
///
/// # Panics
///
/// If `work` panics on either thread (the panic is passed on to the caller).
pub(crate) fn with_pair<J, W, R>(
    threads: usize,
    work: &W,
    body: impl FnOnce(&Pair<'_, J, W>) -> R,
) -> R
where
    J: Copy + Send,
    W: Fn(J, Side) + Sync,
{
    if threads < 2 {
        return body(&Pair { work, helper: None });
    }
    let slot = Slot {
        posted: AtomicU64::new(0),
        done: AtomicU64::new(0),
        job: Mutex::new(None),
        parked: AtomicBool::new(false),
        dead: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        let slot = &slot;
        let helper = std::thread::Builder::new()
            .name("nabla-pair".into())
            .spawn_scoped(scope, move || serve(slot, work));
        let Ok(helper) = helper else {
            // No second thread to be had: the caller does both halves.
            return body(&Pair { work, helper: None });
        };
        let pair = Pair {
            work,
            helper: Some((slot, helper.thread().clone())),
        };
        // Stops the helper however `body` ends, a panic included.
        struct Stop<'p, 'a, J, W>(&'p Pair<'a, J, W>);
        impl<J, W> Drop for Stop<'_, '_, J, W> {
            fn drop(&mut self) {
                if let Some((slot, thread)) = &self.0.helper {
                    *slot.job.lock().unwrap_or_else(PoisonError::into_inner) = None;
                    slot.posted.fetch_add(1, Ordering::SeqCst);
                    thread.unpark();
                }
            }
        }
        let stop = Stop(&pair);
        let result = body(stop.0);
        drop(stop);
        result
    })
}

/// The helper's loop: wait for a job, run its side, say so; until told to stop.
fn serve<J: Copy, W: Fn(J, Side)>(slot: &Slot<J>, work: &W) {
    // Marks the helper dead if `work` panics, so that the caller stops waiting for it.
    struct Alive<'s, J>(&'s Slot<J>);
    impl<J> Drop for Alive<'_, J> {
        fn drop(&mut self) {
            self.0.dead.store(true, Ordering::SeqCst);
        }
    }
    let _alive = Alive(slot);
    let mut seen = 0;
    loop {
        seen = wait_for_post(slot, seen);
        let job = *slot.job.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(job) = job else {
            return;
        };
        work(job, Side::Helper);
        slot.done.store(seen, Ordering::Release);
    }
}

/// Waits until the caller posts something after `seen`: spins for [`SPIN`], then parks.
fn wait_for_post<J>(slot: &Slot<J>, seen: u64) -> u64 {
    let start = Instant::now();
    let mut spins = 0u32;
    loop {
        let posted = slot.posted.load(Ordering::Acquire);
        if posted != seen {
            return posted;
        }
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(64) || start.elapsed() < SPIN {
            std::hint::spin_loop();
            continue;
        }
        // Park, unless a job came in the meantime. The caller bumps `posted` before it reads
        // `parked`, and this thread sets `parked` before it reads `posted` (all sequentially
        // consistent), so at least one of the two sees the other: no job is missed.
        slot.parked.store(true, Ordering::SeqCst);
        if slot.posted.load(Ordering::SeqCst) == seen {
            std::thread::park();
        }
        slot.parked.store(false, Ordering::SeqCst);
    }
}

impl<J: Copy + Send, W: Fn(J, Side) + Sync> Pair<'_, J, W> {
    /// Whether the two sides of a job run on two threads at once.
    #[cfg(test)]
    fn is_parallel(&self) -> bool {
        self.helper.is_some()
    }

    /// Runs `job` on both sides and returns when both are done.
    ///
    /// # Panics
    ///
    /// If the helper's side panicked (now or in an earlier job).
    pub(crate) fn run(&self, job: J) {
        let Some((slot, thread)) = &self.helper else {
            (self.work)(job, Side::Main);
            (self.work)(job, Side::Helper);
            return;
        };
        assert!(
            !slot.dead.load(Ordering::SeqCst),
            "the helper thread of a training step panicked"
        );
        *slot.job.lock().unwrap_or_else(PoisonError::into_inner) = Some(job);
        let posted = slot.posted.fetch_add(1, Ordering::SeqCst) + 1;
        if slot.parked.load(Ordering::SeqCst) {
            thread.unpark();
        }
        (self.work)(job, Side::Main);
        let start = Instant::now();
        let mut spins = 0u32;
        while slot.done.load(Ordering::Acquire) != posted {
            assert!(
                !slot.dead.load(Ordering::SeqCst),
                "the helper thread of a training step panicked"
            );
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(64) && start.elapsed() > SPIN {
                // The helper has lost its core to another process: let it have this one.
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn both_sides_run_every_job_once_on_two_threads() {
        for threads in [1, 2] {
            let calls = [AtomicUsize::new(0), AtomicUsize::new(0)];
            let sum = AtomicUsize::new(0);
            let names = Mutex::new(Vec::new());
            let work = |job: usize, side: Side| {
                calls[side.index()].fetch_add(1, Ordering::SeqCst);
                sum.fetch_add(job, Ordering::SeqCst);
                let name = std::thread::current().name().map(str::to_owned);
                names.lock().unwrap().push((side, name));
            };
            let parallel = with_pair(threads, &work, |pair| {
                for job in 1..=1000 {
                    pair.run(job);
                    // Both sides are done when `run` returns.
                    assert_eq!(calls[1].load(Ordering::SeqCst), job);
                }
                pair.is_parallel()
            });
            assert_eq!(parallel, threads == 2);
            assert_eq!(calls[0].load(Ordering::SeqCst), 1000);
            assert_eq!(sum.load(Ordering::SeqCst), 2 * 500_500);
            let names = names.into_inner().unwrap();
            let helper = names
                .iter()
                .find(|(side, _)| *side == Side::Helper)
                .unwrap();
            let main = names.iter().find(|(side, _)| *side == Side::Main).unwrap();
            // With two threads the helper's side runs on the helper thread.
            assert_eq!(helper.1.as_deref() == Some("nabla-pair"), threads == 2);
            assert_ne!(main.1.as_deref(), Some("nabla-pair"));
        }
    }

    #[test]
    fn a_parked_helper_wakes_for_the_next_job() {
        let count = AtomicUsize::new(0);
        let work = |_: (), _: Side| {
            count.fetch_add(1, Ordering::SeqCst);
        };
        with_pair(2, &work, |pair| {
            for _ in 0..3 {
                pair.run(());
                // Long enough for the helper to stop spinning and park.
                std::thread::sleep(SPIN * 5);
            }
        });
        assert_eq!(count.load(Ordering::SeqCst), 6);
    }

    #[test]
    fn a_panic_on_the_helper_reaches_the_caller() {
        let work = |job: u32, side: Side| {
            assert!(!(job == 3 && side == Side::Helper), "job 3 fails");
        };
        let outcome = std::panic::catch_unwind(|| {
            with_pair(2, &work, |pair| {
                for job in 0..10 {
                    pair.run(job);
                }
            })
        });
        let message = outcome.unwrap_err();
        let text = message
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| message.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap();
        assert!(
            text.contains("panicked") || text.contains("job 3"),
            "{text}"
        );
    }
}

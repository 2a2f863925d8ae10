//! The training loop's steps and evaluations on two threads that stay with it for the whole
//! run (`pair.rs`), on the engine's kernels (`kernels.rs`).
//!
//! A step is two jobs, each done in two halves:
//! 1. `Forward`: each thread runs the forward and backward pass of half of the batch's rows
//!    (the halves of `engine.rs`'s [`halves`], so the arithmetic is [`Engine::pass`]'s), and
//!    lists its rows by pixel (`by_pixel.rs`) while they are in its cache;
//! 2. `Update`: the caller's thread adds the halves' sums and updates `w2`, `b2` and `b1`; then
//!    each thread adds `-lr x^T da` to its own half of `w1` (the pixels below and above
//!    [`Engine::split`], chosen so that each holds about half of the non-zeros), pixel by
//!    pixel from both halves' lists, every row of the batch in order, so every weight sees the
//!    same additions in the same order as on one thread.
//!
//! An evaluation is one job: both threads take chunks of rows from a shared counter and add
//! up how many they classified right (a sum of integers, so the order does not matter).
//!
//! The parameters sit behind locks for the length of the run: `w1` as two halves, each written
//! by one thread in `Update` and read by both in the other jobs; the rest written by the
//! caller's thread in `Update` and read in the other jobs. Every lock is taken when nobody
//! else holds it for writing (the jobs are separated by the pair's hand-offs), so none waits.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::activation::Activation;
use crate::engine::{EVAL_CHUNK, Engine, halves};
use crate::kernels::{self, Aligned, Half, Layout, Pass, Small, Sums, W1};
use crate::pair::{Pair, Side, with_pair};
use crate::{Precision, SparseRows};

/// A job of the two threads.
#[derive(Clone, Copy, Debug)]
enum Job {
    /// The forward and backward pass of each half of the batch.
    Forward,
    /// The update of every parameter.
    Update,
    /// Accuracy on data set 0 (the training set) or 1 (the test set).
    Evaluate(usize),
}

/// What both threads share during a run.
struct Shared<'d, T, A> {
    layout: Layout,
    split: usize,
    /// The training set (steps draw from it) and the test set.
    sets: [(&'d SparseRows<T>, &'d [usize]); 2],
    lr: T,
    /// `w1`'s rows of the pixels below `split`, and the others.
    w1: [RwLock<Aligned<T>>; 2],
    small: RwLock<Small<T>>,
    /// The current batch's rows.
    batch: RwLock<Vec<usize>>,
    /// Each half's scratch space and the sum of its rows' losses.
    halves: [RwLock<(Half<T>, T)>; 2],
    /// The batch's sums (the caller's thread only).
    sums: Mutex<Sums<T>>,
    /// An evaluation's next chunk and its count of right answers.
    next_chunk: AtomicUsize,
    correct: AtomicUsize,
    activation: PhantomData<A>,
}

fn read<X>(lock: &RwLock<X>) -> RwLockReadGuard<'_, X> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<X>(lock: &RwLock<X>) -> RwLockWriteGuard<'_, X> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

impl<T: Precision, A: Activation> Shared<'_, T, A> {
    fn work(&self, job: Job, side: Side) {
        let dispatch = self.layout.dispatch;
        match job {
            Job::Forward => dispatch.run(
                #[inline(always)]
                || self.forward(side),
            ),
            Job::Update => dispatch.run(
                #[inline(always)]
                || self.update(side),
            ),
            Job::Evaluate(set) => self.evaluate(set, side),
        }
    }

    #[inline(always)]
    fn forward(&self, side: Side) {
        let batch = read(&self.batch);
        let rows = halves(&batch)[side.index()];
        if rows.is_empty() {
            return;
        }
        let inv_b = T::one() / T::from_f64(batch.len() as f64);
        let (lo, hi) = (read(&self.w1[0]), read(&self.w1[1]));
        let w1 = self.view(lo.as_slice(), hi.as_slice());
        let small = read(&self.small);
        let (data, labels) = self.sets[0];
        let pass = Pass {
            layout: &self.layout,
            w1,
            small: &small,
            data,
            labels,
            inv_b,
            backward: true,
        };
        let mut half = write(&self.halves[side.index()]);
        let (half, loss) = &mut *half;
        *loss = kernels::rows_pass::<T, A>(&pass, rows, half);
    }

    #[inline(always)]
    fn update(&self, side: Side) {
        let batch = read(&self.batch);
        let parts = halves(&batch);
        let done = [read(&self.halves[0]), read(&self.halves[1])];
        if side == Side::Main {
            let mut sums = self.sums.lock().unwrap_or_else(PoisonError::into_inner);
            let second = (!parts[1].is_empty()).then_some(&done[1].0.sums);
            sums.combine(&self.layout, &done[0].0.sums, second);
            write(&self.small).step(&sums, self.lr, &self.layout);
        }
        let (stride, group) = (self.layout.stride, self.layout.group::<T>());
        let base = if side == Side::Main { 0 } else { self.split };
        let mut w = write(&self.w1[side.index()]);
        let halves = [&done[0].0, &done[1].0];
        // A batch too small to split ran as one half: the other's lists are stale.
        let halves = if parts[1].is_empty() {
            [halves[0], &Half::default()]
        } else {
            halves
        };
        kernels::update_w1(w.as_mut_slice(), (base, stride), group, halves, -self.lr);
    }

    fn evaluate(&self, set: usize, side: Side) {
        let _ = side;
        let (data, labels) = self.sets[set];
        let (lo, hi) = (read(&self.w1[0]), read(&self.w1[1]));
        let w1 = self.view(lo.as_slice(), hi.as_slice());
        let small = read(&self.small);
        let layout = &self.layout;
        let n = data.nrows();
        loop {
            let start = self.next_chunk.fetch_add(1, Ordering::Relaxed) * EVAL_CHUNK;
            if start >= n {
                return;
            }
            let range = start..n.min(start + EVAL_CHUNK);
            let count = layout.dispatch.run(
                #[inline(always)]
                || kernels::count_correct::<T, A>(layout, &w1, &small, data, labels, range),
            );
            self.correct.fetch_add(count, Ordering::Relaxed);
        }
    }

    fn view<'a>(&self, lo: &'a [T], hi: &'a [T]) -> W1<'a, T> {
        W1 {
            lo,
            hi,
            split: self.split,
            stride: self.layout.stride,
        }
    }
}

/// The training loop's view of the two threads: steps and evaluations.
struct Trainer<'p, 'd, T, A, W> {
    pair: &'p Pair<'p, Job, W>,
    shared: &'p Shared<'d, T, A>,
}

impl<T: Precision, A: Activation, W: Fn(Job, Side) + Sync> Trainer<'_, '_, T, A, W> {
    /// One SGD step on the training set's `rows`; returns the loss before the step.
    pub(crate) fn step(&self, rows: &[usize]) -> T {
        {
            let mut batch = write(&self.shared.batch);
            batch.clear();
            batch.extend_from_slice(rows);
        }
        self.pair.run(Job::Forward);
        let loss = {
            let (a, b) = (read(&self.shared.halves[0]), read(&self.shared.halves[1]));
            if halves(rows)[1].is_empty() {
                a.1
            } else {
                a.1 + b.1
            }
        };
        self.pair.run(Job::Update);
        loss * (T::one() / T::from_f64(rows.len() as f64))
    }

    /// Accuracy on the training set (`set` 0) or the test set (1).
    pub(crate) fn accuracy(&self, set: usize) -> f64 {
        let n = self.shared.sets[set].0.nrows();
        if n == 0 {
            return 0.0;
        }
        self.shared.next_chunk.store(0, Ordering::Relaxed);
        self.shared.correct.store(0, Ordering::Relaxed);
        self.pair.run(Job::Evaluate(set));
        self.shared.correct.load(Ordering::Relaxed) as f64 / n as f64
    }
}

/// Runs `body` with a [`Trainer`] that steps `engine` with learning rate `lr` on batches of
/// `train` and evaluates on `train` and `test`, on `threads` threads (two, or one); returns
/// the trained engine and `body`'s result.
pub(crate) fn with_trainer<T: Precision, A: Activation, R>(
    engine: Engine<T, A>,
    threads: usize,
    train: (&SparseRows<T>, &[usize]),
    test: (&SparseRows<T>, &[usize]),
    lr: T,
    body: impl FnOnce(&dyn StepAndEvaluate<T>) -> R,
) -> (Engine<T, A>, R) {
    let Engine {
        layout,
        w1,
        split,
        small,
        ..
    } = engine;
    let (lo, hi) = w1.as_slice().split_at(split * layout.stride);
    let (lo, hi) = (Aligned::from_slice(lo), Aligned::from_slice(hi));
    let shared = Shared::<T, A> {
        layout,
        split,
        sets: [train, test],
        lr,
        w1: [RwLock::new(lo), RwLock::new(hi)],
        small: RwLock::new(small),
        batch: RwLock::new(Vec::new()),
        halves: [
            RwLock::new((Half::default(), T::zero())),
            RwLock::new((Half::default(), T::zero())),
        ],
        sums: Mutex::new(Sums::default()),
        next_chunk: AtomicUsize::new(0),
        correct: AtomicUsize::new(0),
        activation: PhantomData,
    };
    let work = |job: Job, side: Side| shared.work(job, side);
    let result = with_pair(threads, &work, |pair| {
        body(&Trainer {
            pair,
            shared: &shared,
        })
    });
    let [lo, hi] = shared
        .w1
        .map(|w| w.into_inner().unwrap_or_else(PoisonError::into_inner));
    let small = shared
        .small
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    (
        Engine::assemble(layout, lo.as_slice(), hi.as_slice(), split, small),
        result,
    )
}

/// What the training loop asks of a [`Trainer`] (object-safe, so that the loop is written
/// once for every worker type).
pub(crate) trait StepAndEvaluate<T> {
    /// One SGD step on `rows`; the loss before it.
    fn step(&self, rows: &[usize]) -> T;
    /// Accuracy on the training set (0) or the test set (1).
    fn accuracy(&self, set: usize) -> f64;
}

impl<T: Precision, A: Activation, W: Fn(Job, Side) + Sync> StepAndEvaluate<T>
    for Trainer<'_, '_, T, A, W>
{
    fn step(&self, rows: &[usize]) -> T {
        Trainer::step(self, rows)
    }

    fn accuracy(&self, set: usize) -> f64 {
        Trainer::accuracy(self, set)
    }
}

//! The machine's limits that bound `nabla train`: `f32` multiply-add throughput, read and
//! read-modify-write bandwidth at each level of the memory hierarchy, and what it costs to
//! hand work to a second thread. BENCHMARKS.md's roofline of a training step and of an
//! evaluation ("The main job at the machine's limit") divides each kernel's work by these
//! figures.
//!
//! `cargo run --release -p nabla-net --example machine_probe [-- seconds-per-figure]`
//!
//! Every figure is the best of several timed repetitions (the most the machine gave, which is
//! what a roofline needs). The arithmetic runs through the same run-time dispatch as nabla's
//! kernels (pulp: AVX2+FMA or AVX-512 when the processor has them), on one thread and on
//! every core at once.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Independent accumulators (`[f32; 8]` each): enough to hide a multiply-then-add chain's
/// latency (3 + 3 cycles) on two multiply and two add ports, and few enough that they stay in
/// 16 vector registers with their two constants.
const CHAINS: usize = 12;
const LANES: usize = 8;

/// The best (largest) of `reps` runs of `f`, each returning (work units, seconds).
fn best(reps: usize, mut f: impl FnMut() -> (f64, f64)) -> f64 {
    (0..reps)
        .map(|_| {
            let (work, seconds) = f();
            work / seconds
        })
        .fold(0.0, f64::max)
}

/// Runs `f` on `threads` threads at once (scoped); returns the sum of their rates after a
/// common start, timed from the start to the last thread's end.
fn on_threads(threads: usize, f: impl Fn(usize) -> f64 + Sync) -> (f64, f64) {
    let start = Instant::now();
    let work: f64 = std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || f(t))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe thread")) // ok: the probes do not panic
            .sum()
    });
    (work, start.elapsed().as_secs_f64())
}

/// Runs `work` compiled for the widest instruction set the processor has.
#[inline(always)]
fn wide<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        pulp::Arch::new().dispatch(work)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        work()
    }
}

/// `iters` rounds of `acc = acc * a + b` on every lane of every chain: a multiply and an add
/// per lane (`fused`: one FMA). Returns the number of multiply-adds.
#[inline(always)]
fn multiply_adds(iters: usize, fused: bool) -> f64 {
    let mut acc = [[1.0f32; LANES]; CHAINS];
    let (a, b) = (black_box(0.999_9f32), black_box(1e-4f32));
    for _ in 0..iters {
        for chain in acc.iter_mut() {
            for x in chain.iter_mut() {
                *x = if fused { x.mul_add(a, b) } else { *x * a + b };
            }
        }
    }
    black_box(acc);
    (iters * CHAINS * LANES) as f64
}

/// Sums `buf` `passes` times with 8 chains of 8 lanes; returns the bytes read.
#[inline(always)]
fn read(buf: &[f32], passes: usize) -> f64 {
    let mut acc = [[0.0f32; LANES]; 8];
    for _ in 0..passes {
        // Four blocks of 8 vectors per round: the loop's own instructions stay out of the way.
        for block in buf.chunks_exact(32 * LANES) {
            for part in block.chunks_exact(8 * LANES) {
                for (a, x) in acc.iter_mut().zip(part.chunks_exact(LANES)) {
                    for (s, &v) in a.iter_mut().zip(x) {
                        *s += v;
                    }
                }
            }
        }
    }
    black_box(acc);
    (passes * std::mem::size_of_val(buf)) as f64
}

/// `buf[i] += c * d[i % 64]` over `buf`, `passes` times (the weight update's pattern: a
/// register-held row added into rows of memory); returns the bytes read (as many are written).
#[inline(always)]
fn update(buf: &mut [f32], passes: usize) -> f64 {
    let d: [f32; 8 * LANES] = std::array::from_fn(|i| black_box(i as f32 * 1e-3));
    let c = black_box(1e-7f32);
    for _ in 0..passes {
        for block in buf.chunks_exact_mut(8 * LANES) {
            for (w, &x) in block.iter_mut().zip(&d) {
                *w += c * x;
            }
        }
    }
    (passes * std::mem::size_of_val(buf)) as f64
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.2);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    #[cfg(target_arch = "x86_64")]
    let set = match pulp::Arch::new() {
        pulp::Arch::V4(_) => "AVX-512",
        pulp::Arch::V3(_) => "AVX2+FMA",
        _ => "baseline (SSE2)",
    };
    #[cfg(not(target_arch = "x86_64"))]
    let set = "the build's target";
    println!("machine probe: {cores} cores, kernels for {set}, best of 5 per figure\n");

    // Iterations for about `seconds` at 50 G multiply-adds per second.
    let iters = ((seconds * 5e10) / (CHAINS * LANES) as f64) as usize;
    println!("f32 multiply-adds (G per second)      1 thread   {cores} threads");
    for (name, fused) in [
        ("multiply then add (nabla's kernels)", false),
        ("fused (FMA)", true),
    ] {
        let one = best(5, || {
            let start = Instant::now();
            let work = wide(
                #[inline(always)]
                || multiply_adds(iters, fused),
            );
            (work, start.elapsed().as_secs_f64())
        });
        let all = best(5, || {
            on_threads(cores, |_| {
                wide(
                    #[inline(always)]
                    || multiply_adds(iters, fused),
                )
            })
        });
        println!("  {name:<36} {:>8.1} {:>10.1}", one / 1e9, all / 1e9);
    }

    println!("\nbandwidth (GB per second)             1 thread   {cores} threads");
    for (label, kib) in [
        ("L1 (16 KiB)", 16),
        ("L2 (256 KiB)", 256),
        ("L3 (4 MiB)", 4096),
        ("memory (256 MiB)", 256 * 1024),
    ] {
        let len = kib * 1024 / 4;
        let passes = ((seconds * 2e10) / (len * 4) as f64).max(1.0) as usize;
        let bufs: Vec<Vec<f32>> = (0..cores).map(|_| vec![1.0f32; len]).collect();
        let one = best(5, || {
            let start = Instant::now();
            let bytes = wide(
                #[inline(always)]
                || read(&bufs[0], passes),
            );
            (bytes, start.elapsed().as_secs_f64())
        });
        let all = best(5, || {
            on_threads(cores, |t| {
                wide(
                    #[inline(always)]
                    || read(&bufs[t], passes),
                )
            })
        });
        println!("  read, {label:<30} {:>8.1} {:>10.1}", one / 1e9, all / 1e9);
        if kib <= 4096 {
            let mut buf = vec![1.0f32; len];
            let rmw = best(5, || {
                let start = Instant::now();
                let bytes = wide(
                    #[inline(always)]
                    || update(&mut buf, passes),
                );
                (bytes, start.elapsed().as_secs_f64())
            });
            println!("  read-modify-write, {label:<17} {:>8.1}", rmw / 1e9);
        }
    }

    let exps = best(5, || {
        let start = Instant::now();
        let calls = exp_calls(seconds);
        (calls, start.elapsed().as_secs_f64())
    });
    println!(
        "\nthe C library's expf (the sigmoid's and softmax's exp): {:.2} ns per call, one thread",
        1e9 / exps
    );

    println!("\nsplitting {HALF:?} + {HALF:?} of work between two threads: the time");
    println!("beyond {HALF:?} (us), mean over many rounds");
    let rounds = 20_000;
    // A worker that spins on an atomic counter: odd values hand it work, even ones say done.
    let ping = AtomicU64::new(0);
    let spinning = std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..rounds {
                while ping.load(Ordering::Acquire) != 2 * i + 1 {
                    std::hint::spin_loop();
                }
                busy(HALF);
                ping.store(2 * i + 2, Ordering::Release);
            }
        });
        let start = Instant::now();
        for i in 0..rounds {
            ping.store(2 * i + 1, Ordering::Release);
            busy(HALF);
            while ping.load(Ordering::Acquire) != 2 * i + 2 {
                std::hint::spin_loop();
            }
        }
        start.elapsed().as_secs_f64() / rounds as f64
    });
    let beyond = |t: f64| (t - HALF.as_secs_f64()) * 1e6;
    println!(
        "  a persistent worker spinning between hand-offs {:>8.2}",
        beyond(spinning)
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .build()
        .expect("a thread pool"); // ok: a probe, not a library path
    for (label, idle) in [
        ("rayon::join, back to back", Duration::ZERO),
        (
            "rayon::join, 20 us of one thread before",
            Duration::from_micros(20),
        ),
        (
            "rayon::join, 200 us of one thread before",
            Duration::from_micros(200),
        ),
    ] {
        let rounds = if idle.is_zero() { 20_000 } else { 2_000 };
        let mean = pool.install(|| {
            let mut total = Duration::ZERO;
            for _ in 0..rounds {
                busy(idle);
                let start = Instant::now();
                rayon::join(|| busy(HALF), || busy(HALF));
                total += start.elapsed();
            }
            total.as_secs_f64() / rounds as f64
        });
        println!("  {label:<46} {:>8.2}", beyond(mean));
    }
}

/// Calls `f32::exp` (the C library's `expf`, as the sigmoid does) on 4096 values in
/// `[-8, 8]` for about `seconds`; returns the number of calls.
fn exp_calls(seconds: f64) -> f64 {
    let xs: Vec<f32> = (0..4096).map(|i| (i as f32 / 256.0) - 8.0).collect();
    let rounds = ((seconds * 1e8) / xs.len() as f64).max(1.0) as usize;
    let mut sum = 0.0f32;
    for _ in 0..rounds {
        for &x in black_box(&xs) {
            sum += x.exp();
        }
    }
    black_box(sum);
    (rounds * xs.len()) as f64
}

/// Each half of the split work.
const HALF: Duration = Duration::from_micros(5);

/// Keeps this thread busy for `d`.
fn busy(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

//! Criterion in one call: one benchmark per method and size (feature `criterion`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode};

use crate::compare::Compare;
use crate::engine::AnyFunction;

/// A method whose single call takes longer than this gets fewer, longer samples.
const SLOW: Duration = Duration::from_millis(1);

impl Compare {
    /// Registers the criterion group `group` with one benchmark per method (of
    /// [`methods`](Compare::methods)) and point: ids `<group>/<method>/<n>`, `n` the number of
    /// inputs of the point. Each benchmark times exactly what [`run`](Compare::run) times, the
    /// method's call on the point (passed through `black_box`).
    ///
    /// Sampling is flat, with a warm-up of 0.3 s and 20 samples over 1 s, or 10 over 2 s for
    /// a method whose single call takes more than a millisecond (the `O(n^2)` methods at large
    /// `n`), so that a whole group stays within minutes. A method that cannot differentiate
    /// `f` at a point (see [`Row::failure`](crate::outcome::Row::failure)) is left out there, with a
    /// note on standard error.
    ///
    /// ```no_run
    /// use criterion::{Criterion, criterion_group, criterion_main};
    /// use nabla_compare::{Compare, Function, Number};
    ///
    /// struct Sphere;
    /// impl Function for Sphere {
    ///     fn eval<S: Number>(&self, x: &[S]) -> S {
    ///         x.iter().fold(S::zero(), |acc, &v| acc + v * v)
    ///     }
    /// }
    ///
    /// fn benches(c: &mut Criterion) {
    ///     let points: Vec<Vec<f64>> = [10, 100, 1000].map(|n| vec![0.5; n]).into();
    ///     Compare::new().bench(c, "gradient/sphere", &Sphere, &points);
    /// }
    /// criterion_group!(group, benches);
    /// criterion_main!(group);
    /// ```
    ///
    /// # Panics
    ///
    /// As [`run`](Compare::run).
    pub fn bench<M, F: AnyFunction<M> + ?Sized>(
        &self,
        c: &mut Criterion,
        group: &str,
        f: &F,
        points: &[Vec<f64>],
    ) {
        let mut g = c.benchmark_group(group);
        g.sampling_mode(SamplingMode::Flat);
        g.warm_up_time(Duration::from_millis(300));
        for x in points {
            for method in self.methods_for(f, x) {
                let start = Instant::now();
                if let Err(why) = f.run(method, x) {
                    eprintln!(
                        "nabla-compare: no benchmark {group}/{method}/{}: {why}",
                        x.len()
                    );
                    continue;
                }
                let slow = start.elapsed() > SLOW;
                g.sample_size(if slow { 10 } else { 20 });
                g.measurement_time(Duration::from_secs(if slow { 2 } else { 1 }));
                g.bench_with_input(BenchmarkId::new(method.id(), x.len()), x, |b, x| {
                    b.iter(|| f.run(method, black_box(x)))
                });
            }
        }
        g.finish();
    }
}

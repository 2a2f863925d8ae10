//! The book's training loop: mini-batch SGD with a per-epoch evaluation.

use std::time::Instant;

use nabla_data::{BatchSampler, Sampling};
use serde::{Deserialize, Serialize};

use crate::check::check_batch;
use crate::config::{GradMethod, TrainConfig};
use crate::engine::{Buffers, Engine};
use crate::simd::Dispatch;
use crate::trainer::{StepAndEvaluate, with_trainer};
use crate::{Dataset, Error, InstructionSet, Precision, Sizes, SparseRows, TwoLayerNet};

/// The fewest iterations a run must have for [`check_loss_trend`] to judge it: 4, so that at
/// least two losses after updates are averaged and their spread is known.
pub(crate) const MIN_JUDGED_ITERATIONS: usize = 4;

/// The least rise above the first loss that [`check_loss_trend`] calls divergence: 5%. The
/// first loss is one mini-batch's; on MNIST with the book's initial weights (`0.01 * N(0,
/// 1)`), the loss of a second batch at the same weights differs from it by at most 0.6%
/// (20 seeds), so a run whose learning rate is too small to move the loss stays well within.
pub(crate) const MIN_LOSS_RISE: f64 = 0.05;

/// The divergence rule for a run whose loss stayed finite.
///
/// A run of `n` iterations is judged once it has at least 4 (so that at least two losses after
/// updates are averaged and their spread is known). Its
/// last `w = min(epoch, n / 2)` losses are averaged (its last epoch, or its second half when
/// it lasted less than two epochs), and the run is diverged when that mean is above the loss
/// of iteration 0 (before any update) by more than the larger of 5% (on MNIST with the book's initial weights, a second
/// batch's loss at the same weights differs from the first by at most 0.6%) and
/// three times what mini-batch noise alone would make the difference: the losses' relative
/// standard deviation over the window times `sqrt(1 + 1 / w)` (the first loss is one batch,
/// the mean is `w`). So a run that does not learn is not called diverged for the noise of
/// large initial weights (an initial standard deviation of 1 makes the first losses of
/// seeds spread by 18%), and a run whose loss left its start far behind is: the book's run
/// ends far below its first loss (2.30, then about 0.2 over the last epoch), one whose steps
/// are too large saturates the network and ends far above it (a learning rate of 1000 on
/// MNIST: 14.5 after 600 iterations; of 3.4e38: about 14.5 after 5). A run of fewer than 4 iterations has no
/// trend to judge; whatever its length, a NaN or infinite loss or parameter is an error of
/// [`train`] itself.
///
/// # Errors
///
/// [`Error::LossRose`] with both numbers when the rule is broken.
///
/// # Examples
///
/// ```
/// use nabla_net::{check_loss_trend, Error};
///
/// // Falling: fine. Rising far above the start (an epoch of 50): diverged.
/// let learning: Vec<f64> = (0..20).map(|i| 2.3 / (1.0 + 0.1 * i as f64)).collect();
/// assert!(check_loss_trend(&learning, 50, 0.1).is_ok());
/// let rising: Vec<f64> = (0..20).map(|i| 2.3 + i as f64).collect();
/// let err = check_loss_trend(&rising, 50, 1000.0).unwrap_err();
/// assert!(matches!(err, Error::LossRose { window: 10, .. }));
/// // Three iterations are too few to judge.
/// assert!(check_loss_trend(&rising[..3], 50, 1000.0).is_ok());
/// ```
pub fn check_loss_trend(losses: &[f64], epoch: usize, learning_rate: f64) -> Result<(), Error> {
    let n = losses.len();
    if n < MIN_JUDGED_ITERATIONS {
        return Ok(());
    }
    let first = losses[0];
    let window = epoch.max(1).min(n / 2);
    let tail = &losses[n - window..];
    let w = window as f64;
    let last_mean = tail.iter().sum::<f64>() / w;
    // The window's relative spread stands for the noise of one batch's loss; with a window of
    // one there is none to measure, and the 5% floor alone applies.
    let noise = if window > 1 && last_mean > 0.0 {
        let var = tail.iter().map(|l| (l - last_mean).powi(2)).sum::<f64>() / (w - 1.0);
        var.sqrt() / last_mean * (1.0 + 1.0 / w).sqrt()
    } else {
        0.0
    };
    let tolerance = MIN_LOSS_RISE.max(3.0 * noise);
    // A mean that overflowed to infinity is a rise too (the first loss is finite).
    if last_mean - first > tolerance * first {
        return Err(Error::LossRose {
            first,
            last_mean,
            window,
            tolerance,
            learning_rate,
        });
    }
    Ok(())
}

/// The first parameter of `net` that is NaN or infinite, named as in `w1[row, col]` or
/// `b2[i]`, with its value.
fn first_non_finite<T: Precision>(net: &TwoLayerNet<T>) -> Option<(String, f64)> {
    let names = ["w1", "b1", "w2", "b2"];
    let rows = [net.w1().nrows(), 0, net.w2().nrows(), 0];
    for ((name, rows), values) in names.into_iter().zip(rows).zip(net.parameters()) {
        if let Some(i) = values.iter().position(|v| !v.as_f64().is_finite()) {
            // Matrices are column-major.
            let at = if rows == 0 {
                format!("{name}[{i}]")
            } else {
                format!("{name}[{}, {}]", i % rows, i / rows)
            };
            return Some((at, values[i].as_f64()));
        }
    }
    None
}

/// Accuracy on both sets at one point of training.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// The iteration (0-based) after whose update the accuracies were measured.
    pub iteration: usize,
    /// Fraction of the training set classified right.
    pub train_accuracy: f64,
    /// Fraction of the test set classified right.
    pub test_accuracy: f64,
}

/// Receives progress from [`train`], which prints nothing itself. Both methods do nothing by
/// default; `()` is an observer that ignores everything. Observers are `Send` because the
/// training loop runs on a thread of rayon's pool.
pub trait Observer: Send {
    /// Called after every iteration with the mini-batch loss before that iteration's update.
    fn iteration(&mut self, iteration: usize, loss: f64) {
        let _ = (iteration, loss);
    }

    /// Called after every evaluation of train and test accuracy.
    fn epoch(&mut self, record: &EpochRecord) {
        let _ = record;
    }
}

impl Observer for () {}

/// What a training run produced.
#[derive(Clone, Debug)]
pub struct TrainOutcome<T: nalgebra::Scalar> {
    /// The trained network.
    pub net: TwoLayerNet<T>,
    /// The mini-batch loss of every iteration, before its update.
    pub losses: Vec<f64>,
    /// The per-epoch evaluations, in order.
    pub epochs: Vec<EpochRecord>,
    /// Training-set accuracy after the last iteration.
    pub final_train_accuracy: f64,
    /// Test-set accuracy after the last iteration.
    pub final_test_accuracy: f64,
    /// Where the run's time went: the steps and the evaluations apart.
    pub timings: Timings,
    /// The instruction set the fast path ran with: the configuration's
    /// ([`TrainConfigBuilder::instruction_set`](crate::TrainConfigBuilder::instruction_set)),
    /// an [`InstructionSet::install`]'s or `NABLA_SIMD`'s, capped at what the processor
    /// supports.
    pub instruction_set: InstructionSet,
}

/// Where a training run's time went: its steps and its evaluations, each counted and timed
/// (wall-clock seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Iterations run: each draws a batch, computes the gradient and updates the network.
    pub steps: usize,
    /// Seconds spent in them.
    pub step_seconds: f64,
    /// Evaluations of the accuracy on the whole training set and test set, the one after the
    /// last iteration included.
    pub evaluations: usize,
    /// Seconds spent in them.
    pub evaluation_seconds: f64,
}

impl Timings {
    /// Mean seconds per step (0 without steps).
    pub fn mean_step_seconds(&self) -> f64 {
        self.step_seconds / self.steps.max(1) as f64
    }

    /// Mean seconds per evaluation (0 without evaluations).
    pub fn mean_evaluation_seconds(&self) -> f64 {
        self.evaluation_seconds / self.evaluations.max(1) as f64
    }
}

/// Trains `net` by mini-batch SGD as the book's `train_neuralnet.py` does: each iteration
/// draws `batch_size` training rows with replacement (nabla-data's seeded
/// [`BatchSampler`]), computes the gradient by `config.grad`, and steps by
/// `learning_rate`; after iteration 0 and every `eval_every` iterations it measures the
/// accuracy on all of `train_set` and `test_set`. The same inputs and seed give the same
/// outcome.
///
/// Progress goes to `observer`; the function prints nothing.
///
/// # Errors
///
/// Before the first step: [`Error::Shape`] if the images
/// of either set do not have one column per input; [`Error::Empty`] if either set is empty;
/// [`Error::Label`] for a label that the network has no output for; [`Error::BatchTooLarge`]
/// if the batch size is more than the training set's size. During training,
/// [`Error::Diverged`] when the loss becomes NaN or infinite, naming the iteration, and
/// [`Error::NonFiniteParameter`] when the last update makes a parameter so.
///
/// The data sets are checked once, here; the steps then index them without checking again.
pub fn train<T: Precision>(
    net: &TwoLayerNet<T>,
    train_set: &Dataset<T>,
    test_set: &Dataset<T>,
    config: &TrainConfig,
    observer: &mut dyn Observer,
) -> Result<TrainOutcome<T>, Error> {
    // Two threads at most: a step is too short to split further (`trainer.rs`).
    let threads = rayon::current_num_threads().min(2);
    let mut engine = Engine::from_net(net);
    engine.set_dispatch(Dispatch::chosen(config.instruction_set));
    train_engine(engine, threads, train_set, test_set, config, observer)
}

/// [`train`] from `engine` (whose instruction set the tests choose) on `threads` threads.
pub(crate) fn train_engine<T: Precision>(
    mut engine: Engine<T>,
    threads: usize,
    train_set: &Dataset<T>,
    test_set: &Dataset<T>,
    config: &TrainConfig,
    observer: &mut dyn Observer,
) -> Result<TrainOutcome<T>, Error> {
    let sampler = checked_sampler(engine.sizes(), train_set, test_set, config)?;
    let mut run = Loop {
        config,
        sampler,
        eval_every: config.epoch_len(train_set.len()),
        observer,
        // Room for the losses of a long run up front, but not for an absurd iteration count,
        // which would fail to allocate before the first step (the vector grows as needed).
        losses: Vec::with_capacity(config.iterations.min(1 << 20)),
        epochs: Vec::new(),
        timings: Timings::default(),
    };
    let lr = T::from_f64(config.learning_rate);
    let sets = [
        (train_set.images(), train_set.labels()),
        (test_set.images(), test_set.labels()),
    ];
    let (engine, last) = match config.grad {
        GradMethod::Backprop => {
            engine.balance(sets[0].0);
            with_trainer(engine, threads, sets[0], sets[1], lr, |trainer| {
                run.run(&mut Fast(trainer))
            })
        }
        method => {
            let mut slow = Slow {
                engine: &mut engine,
                buffers: Buffers::default(),
                method,
                lr,
                h: T::from_f64(config.numerical_step),
                sets,
            };
            // The loop runs on a worker of rayon's pool, so that the two-thread splits inside
            // a step (`rayon::join`) start on a worker: a cross-thread hand-off per join from
            // outside the pool costs more than the work it splits.
            let last = rayon::scope(|_| run.run(&mut slow));
            (engine, last)
        }
    };
    let (final_train_accuracy, final_test_accuracy) = last?;
    // The last update's loss is never computed: a parameter it made NaN or infinite is
    // caught here (an earlier one would have made the next loss so).
    let trained = engine.to_net();
    if let Some((parameter, value)) = first_non_finite(&trained) {
        return Err(Error::NonFiniteParameter {
            iteration: config.iterations - 1,
            parameter,
            value,
            learning_rate: config.learning_rate,
        });
    }
    Ok(TrainOutcome {
        net: trained,
        losses: run.losses,
        epochs: run.epochs,
        final_train_accuracy,
        final_test_accuracy,
        timings: run.timings,
        instruction_set: engine.layout.dispatch.set(),
    })
}

/// Checks the configuration and both data sets against the network, and returns the sampler
/// of the run's batches.
fn checked_sampler<T: Precision>(
    sizes: Sizes,
    train_set: &Dataset<T>,
    test_set: &Dataset<T>,
    config: &TrainConfig,
) -> Result<BatchSampler, Error> {
    config.validate()?;
    for (name, set) in [("the training set", train_set), ("the test set", test_set)] {
        let images = set.images();
        check_batch(
            name,
            sizes.input,
            sizes.output,
            (images.nrows(), images.ncols()),
            set.labels(),
        )?;
    }
    if config.batch_size > train_set.len() {
        return Err(Error::BatchTooLarge {
            batch: config.batch_size,
            available: train_set.len(),
        });
    }
    BatchSampler::new(
        train_set.len(),
        config.batch_size,
        Sampling::WithReplacement,
        config.seed,
    )
    .map_err(|_| Error::Zero { what: "batch size" })
}

/// A way to step and evaluate the network: the fast path's trainer, or the engine driven by
/// another gradient method.
trait Steps<T> {
    /// One SGD step on the training set's `rows`; the loss before it.
    fn step(&mut self, rows: &[usize]) -> Result<T, Error>;
    /// Accuracy on the training set and on the test set.
    fn accuracies(&mut self) -> (f64, f64);
}

/// Backpropagation on the two threads of `trainer.rs`.
struct Fast<'a, T>(&'a dyn StepAndEvaluate<T>);

impl<T> Steps<T> for Fast<'_, T> {
    fn step(&mut self, rows: &[usize]) -> Result<T, Error> {
        Ok(self.0.step(rows))
    }

    fn accuracies(&mut self) -> (f64, f64) {
        (self.0.accuracy(0), self.0.accuracy(1))
    }
}

/// The numerical, dual and reverse gradients, applied to the engine.
struct Slow<'a, T> {
    engine: &'a mut Engine<T>,
    buffers: Buffers<T>,
    method: GradMethod,
    lr: T,
    /// The numerical gradient's step.
    h: T,
    sets: [(&'a SparseRows<T>, &'a [usize]); 2],
}

impl<T: Precision> Steps<T> for Slow<'_, T> {
    fn step(&mut self, rows: &[usize]) -> Result<T, Error> {
        let (images, labels) = self.sets[0];
        let engine = &mut *self.engine;
        Ok(match self.method {
            GradMethod::Dual => {
                let batch_net = engine.to_net().map(Precision::as_f64);
                let x = images.gather_dense(rows).map(Precision::as_f64);
                let t: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
                // This checks the batch again, one pass over its labels: nothing next to the
                // dual passes.
                let (loss, g) = crate::dual::dual_gradient(&batch_net, &x, &t)?;
                if loss.is_finite() {
                    engine.apply(&g.map(T::from_f64), self.lr);
                }
                T::from_f64(loss)
            }
            GradMethod::Reverse => {
                crate::reverse_step::step(engine, images, labels, rows, self.lr)?
            }
            // Numerical (and backpropagation, which `train` runs on the fast path instead).
            _ => {
                let loss = engine.pass(images, labels, rows, &mut self.buffers, false);
                if loss.is_finite() {
                    let g = crate::structured::structured_gradient(
                        engine, images, labels, rows, self.h,
                    );
                    engine.apply(&g, self.lr);
                }
                loss
            }
        })
    }

    fn accuracies(&mut self) -> (f64, f64) {
        let [(a, la), (b, lb)] = self.sets;
        (self.engine.accuracy(a, la), self.engine.accuracy(b, lb))
    }
}

/// The book's loop: the iterations, the losses, the evaluations, the observer, the clock.
struct Loop<'a> {
    config: &'a TrainConfig,
    sampler: BatchSampler,
    eval_every: usize,
    observer: &'a mut dyn Observer,
    losses: Vec<f64>,
    epochs: Vec<EpochRecord>,
    timings: Timings,
}

impl Loop<'_> {
    /// Runs every iteration; returns the final training and test accuracies.
    fn run<T: Precision>(&mut self, steps: &mut dyn Steps<T>) -> Result<(f64, f64), Error> {
        let iterations = self.config.iterations;
        for iteration in 0..iterations {
            let start = Instant::now();
            let rows = self.sampler.next_batch();
            let loss = steps.step(rows)?.as_f64();
            self.timings.steps += 1;
            self.timings.step_seconds += start.elapsed().as_secs_f64();
            if !loss.is_finite() {
                return Err(Error::Diverged {
                    iteration,
                    loss,
                    learning_rate: self.config.learning_rate,
                });
            }
            self.losses.push(loss);
            self.observer.iteration(iteration, loss);
            if iteration % self.eval_every == 0 {
                let record = self.evaluate(steps, iteration);
                self.observer.epoch(&record);
                self.epochs.push(record);
            }
        }
        let last = match self.epochs.last() {
            Some(r) if r.iteration + 1 == iterations => *r,
            _ => self.evaluate(steps, iterations - 1),
        };
        Ok((last.train_accuracy, last.test_accuracy))
    }

    fn evaluate<T>(&mut self, steps: &mut dyn Steps<T>, iteration: usize) -> EpochRecord {
        let start = Instant::now();
        let (train_accuracy, test_accuracy) = steps.accuracies();
        self.timings.evaluations += 1;
        self.timings.evaluation_seconds += start.elapsed().as_secs_f64();
        EpochRecord {
            iteration,
            train_accuracy,
            test_accuracy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sizes;
    use crate::test_util::small_problem;

    /// A small learnable problem: 200 rows whose label is the arg-max of 4 pixel groups.
    fn problem() -> (TwoLayerNet<f64>, Dataset<f64>, Dataset<f64>) {
        problem_in::<f64>()
    }

    /// [`problem`] in precision `T`.
    fn problem_in<T: Precision>() -> (TwoLayerNet<T>, Dataset<T>, Dataset<T>) {
        let sizes = Sizes::new(16, 6, 4).unwrap();
        let (_, x, _) = small_problem(sizes, 240, 41);
        let labels: Vec<u8> = x
            .row_iter()
            .map(|r| {
                let sums: Vec<f64> = (0..4).map(|g| r.columns(4 * g, 4).sum()).collect();
                nabla_loss::argmax(&sums).unwrap_or(0) as u8
            })
            .collect();
        let train_set = Dataset::new(&x.rows(0, 200).into_owned(), &labels[..200]).unwrap();
        let test_set = Dataset::new(&x.rows(200, 40).into_owned(), &labels[200..]).unwrap();
        let net = TwoLayerNet::<f64>::new(sizes, 0.1, 3)
            .unwrap()
            .map(T::from_f64);
        (net, train_set, test_set)
    }

    #[derive(Default)]
    struct Recorder {
        losses: Vec<(usize, f64)>,
        epochs: Vec<EpochRecord>,
    }

    impl Observer for Recorder {
        fn iteration(&mut self, iteration: usize, loss: f64) {
            self.losses.push((iteration, loss));
        }
        fn epoch(&mut self, record: &EpochRecord) {
            self.epochs.push(*record);
        }
    }

    #[test]
    fn learns_reproducibly_and_reports_every_epoch() {
        let (net, tr, te) = problem();
        let config = TrainConfig {
            iterations: 1500,
            batch_size: 40,
            learning_rate: 1.0,
            eval_every: Some(500),
            ..TrainConfig::default()
        };
        let mut seen = Recorder::default();
        let a = train(&net, &tr, &te, &config, &mut seen).unwrap();
        let b = train(&net, &tr, &te, &config, &mut ()).unwrap();
        assert_eq!(a.net, b.net);
        assert_eq!(a.losses, b.losses);
        assert_eq!(seen.losses.len(), 1500);
        assert_eq!(seen.losses[1499], (1499, a.losses[1499]));
        let iterations: Vec<usize> = seen.epochs.iter().map(|r| r.iteration).collect();
        assert_eq!(iterations, [0, 500, 1000]);
        assert_eq!(seen.epochs, a.epochs);
        // The final accuracies are those of the final network (iteration 1499, after the
        // last record).
        assert_eq!(
            a.final_train_accuracy,
            crate::evaluate(&a.net, &tr).unwrap()
        );
        assert_eq!(a.final_test_accuracy, crate::evaluate(&a.net, &te).unwrap());
        assert!(a.final_train_accuracy > 0.9, "{}", a.final_train_accuracy);
        assert!(a.final_test_accuracy > 0.8, "{}", a.final_test_accuracy);
        assert!(a.losses[1499] < 0.5 * a.losses[0]);
        // Another seed draws other batches.
        let c = train(&net, &tr, &te, &TrainConfig { seed: 9, ..config }, &mut ()).unwrap();
        assert_ne!(c.losses, a.losses);
    }

    #[test]
    fn the_final_accuracies_reuse_a_record_only_when_it_is_the_last_iteration() {
        let (net, tr, te) = problem();
        // One record, after the first step (iteration 0), then 299 steps: the final
        // accuracies are the trained network's, not the record's.
        let config = TrainConfig {
            iterations: 300,
            batch_size: 40,
            learning_rate: 1.0,
            eval_every: Some(300),
            ..TrainConfig::default()
        };
        let a = train(&net, &tr, &te, &config, &mut ()).unwrap();
        assert_eq!(a.epochs.len(), 1);
        let trained = crate::evaluate(&a.net, &tr).unwrap();
        assert_eq!(a.final_train_accuracy, trained);
        assert_eq!(a.final_test_accuracy, crate::evaluate(&a.net, &te).unwrap());
        assert!(
            trained > a.epochs[0].train_accuracy + 0.2,
            "{trained} {:?}",
            a.epochs
        );
        // A single iteration: its record, taken after the step, is the final one.
        let one = TrainConfig {
            iterations: 1,
            eval_every: Some(1),
            ..config
        };
        let b = train(&net, &tr, &te, &one, &mut ()).unwrap();
        assert_eq!(b.epochs.len(), 1);
        assert_eq!(b.final_train_accuracy, b.epochs[0].train_accuracy);
        assert_eq!(b.final_test_accuracy, b.epochs[0].test_accuracy);
        assert_eq!(
            b.final_train_accuracy,
            crate::evaluate(&b.net, &tr).unwrap()
        );
    }

    #[test]
    fn the_three_gradients_train_alike() {
        let (net, tr, te) = problem();
        let config = TrainConfig {
            iterations: 20,
            batch_size: 10,
            learning_rate: 0.5,
            ..TrainConfig::default()
        };
        let run = |grad| {
            train(
                &net,
                &tr,
                &te,
                &TrainConfig {
                    grad,
                    ..config.clone()
                },
                &mut (),
            )
            .unwrap()
        };
        let back = run(GradMethod::Backprop);
        let num = run(GradMethod::Numerical);
        let dual = run(GradMethod::Dual);
        let reverse = run(GradMethod::Reverse);
        for (other, tol) in [(&num, 1e-7), (&dual, 1e-12), (&reverse, 1e-12)] {
            for (a, b) in back.net.parameters().iter().zip(other.net.parameters()) {
                for (x, y) in a.iter().zip(b.iter()) {
                    assert!((x - y).abs() < tol, "{x} vs {y}");
                }
            }
        }
    }

    /// `net` with every second-layer weight 1e308: its logits overflow, so its loss is NaN.
    fn with_huge_w2(net: &TwoLayerNet<f64>) -> TwoLayerNet<f64> {
        let [w1, b1, _, b2] = net.parameters();
        let s = net.sizes();
        TwoLayerNet::from_parts(
            nalgebra::DMatrix::from_column_slice(s.input, s.hidden, w1),
            nalgebra::DVector::from_column_slice(b1),
            nalgebra::DMatrix::from_element(s.hidden, s.output, 1e308),
            nalgebra::DVector::from_column_slice(b2),
        )
        .unwrap()
    }

    #[test]
    fn divergence_names_the_iteration() {
        // The 1e-7 in the loss caps it at -ln(1e-7) = 16.1 while the logits are finite; it
        // turns NaN when they overflow, here from second-layer weights near f64::MAX.
        let (net, tr, te) = problem();
        let huge = with_huge_w2(&net);
        let config = TrainConfig {
            iterations: 100,
            batch_size: 10,
            learning_rate: 0.1,
            ..TrainConfig::default()
        };
        let mut seen = Recorder::default();
        let err = train(&huge, &tr, &te, &config, &mut seen).unwrap_err();
        let Error::Diverged {
            iteration, loss, ..
        } = err
        else {
            panic!("expected divergence, got {err}")
        };
        assert_eq!(iteration, 0);
        assert!(loss.is_nan());
        assert!(
            seen.losses.is_empty(),
            "a non-finite loss is not reported as progress"
        );
        // Before the first update the learning rate has done nothing: the weights are blamed.
        let msg = err.to_string();
        assert!(
            msg.starts_with("the loss was NaN at iteration 0, before the first update")
                && msg.contains("smaller initial weights")
                && !msg.contains("learning rate than"),
            "{msg}"
        );
        // A learning rate far too large saturates the network instead: no panic, no NaN.
        let wild = TrainConfig {
            learning_rate: 1e300,
            ..config
        };
        let outcome = train(&net, &tr, &te, &wild, &mut ()).unwrap();
        assert!(outcome.losses.iter().all(|l| l.is_finite()));
    }

    #[test]
    fn an_epoch_is_the_training_set_in_batches_unless_set() {
        let config = TrainConfig {
            batch_size: 40,
            ..TrainConfig::default()
        };
        assert_eq!(config.epoch_len(200), 5);
        assert_eq!(config.epoch_len(239), 5);
        assert_eq!(config.epoch_len(10), 1);
        let every = TrainConfig {
            eval_every: Some(7),
            ..config
        };
        assert_eq!(every.epoch_len(200), 7);
    }

    #[test]
    fn the_loss_trend_compares_the_last_epochs_mean_with_the_first_loss() {
        // 40 iterations, an epoch of 10: the last 10 are averaged; constant, so no noise.
        let mut losses = vec![1.0; 40];
        losses[30..].fill(1.06);
        let rose = check_loss_trend(&losses, 10, 0.3).unwrap_err();
        assert!(matches!(
            rose,
            Error::LossRose {
                first: 1.0,
                window: 10,
                tolerance: MIN_LOSS_RISE,
                learning_rate: 0.3,
                ..
            }
        ));
        // Within 5% of the start is not a rise; a lower mean is fine.
        losses[30..].fill(1.04);
        assert!(check_loss_trend(&losses, 10, 0.3).is_ok());
        losses[30..].fill(0.2);
        assert!(check_loss_trend(&losses, 10, 0.3).is_ok());
        // Only the last epoch counts.
        losses[..30].fill(9.0);
        losses[0] = 1.0;
        assert!(check_loss_trend(&losses, 10, 0.3).is_ok());
    }

    #[test]
    fn noisy_losses_need_a_larger_rise() {
        // Mean 1.2, standard deviation 0.2 (relative 1/6) over 10: the difference from one
        // first loss has a noise of 1/6 * sqrt(1.1) = 0.175, three times 0.524.
        let mut losses = vec![1.0; 20];
        for (i, l) in losses[10..].iter_mut().enumerate() {
            *l = if i % 2 == 0 { 1.0 } else { 1.4 };
        }
        let sd = (10.0 * 0.04f64 / 9.0).sqrt();
        assert!(check_loss_trend(&losses, 10, 0.1).is_ok());
        // The same spread around a mean far enough up is a rise, said with its tolerance.
        for l in &mut losses[10..] {
            *l += 1.0;
        }
        let err = check_loss_trend(&losses, 10, 0.1).unwrap_err();
        match err {
            Error::LossRose {
                tolerance: t,
                last_mean,
                ..
            } => {
                let noise = 3.0 * sd / 2.2 * 1.1f64.sqrt();
                assert!((t - noise).abs() < 1e-12, "{t} {noise}");
                assert!((last_mean - 2.2).abs() < 1e-12);
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_run_shorter_than_two_epochs_is_judged_on_its_second_half() {
        // The issue's `--lr 1000 --iters 600` with an epoch of 600: judged on its last 300.
        let mut losses = vec![14.5; 600];
        losses[0] = 2.3;
        let err = check_loss_trend(&losses, 600, 1000.0).unwrap_err();
        assert!(matches!(err, Error::LossRose { window: 300, .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "the loss rose instead of falling: its mean over the last 300 iterations is 14.5000, \
             above the first iteration's 2.3000 by more than 5.0% (what the noise of mini-batch \
             losses allows); training diverged; try a smaller learning rate than 1000.0"
        );
        // 4 iterations are enough (a window of 2), 3 are not; an epoch of 0 counts as 1.
        assert!(check_loss_trend(&losses[..4], 600, 1000.0).is_err());
        assert!(check_loss_trend(&losses[..3], 600, 1000.0).is_ok());
        assert!(matches!(
            check_loss_trend(&losses[..20], 0, 1000.0),
            Err(Error::LossRose { window: 1, .. })
        ));
        assert!(check_loss_trend(&[], 2, 0.3).is_ok());
        // Losses so large that their sum overflows still count as a rise.
        let huge = [f64::MAX; 20];
        assert!(check_loss_trend(&huge, 5, 1.0).is_err());
    }

    #[test]
    fn a_last_update_that_makes_a_parameter_infinite_is_an_error() {
        // A learning rate finite in f64 but not in f32: the first loss is finite, the update
        // makes the parameters infinite or NaN. Even a run of one iteration is an error.
        let (net, tr, te) = problem_in::<f32>();
        let config = TrainConfig {
            iterations: 1,
            batch_size: 10,
            learning_rate: 1e39,
            ..TrainConfig::default()
        };
        let err = train(&net, &tr, &te, &config, &mut ()).unwrap_err();
        match &err {
            Error::NonFiniteParameter {
                iteration: 0,
                value,
                ..
            } => assert!(!value.is_finite()),
            other => panic!("{other}"),
        }
        assert!(
            err.to_string()
                .starts_with("the update of iteration 0 made w1["),
            "{err}"
        );
        // The name of a non-finite parameter says where it is.
        let (net, _, _) = problem();
        let mut bad = net.clone();
        bad.parameters_mut()[2][7] = f64::NAN;
        let rows = net.w2().nrows();
        assert_eq!(
            first_non_finite(&bad).map(|(n, _)| n),
            Some(format!("w2[{}, {}]", 7 % rows, 7 / rows))
        );
        bad.parameters_mut()[1][2] = f64::INFINITY;
        assert_eq!(
            first_non_finite(&bad),
            Some(("b1[2]".to_owned(), f64::INFINITY))
        );
        assert_eq!(first_non_finite(&net), None);
    }

    #[test]
    fn methods_are_named_as_on_the_command_line() {
        let names = [
            GradMethod::Backprop,
            GradMethod::Numerical,
            GradMethod::Dual,
            GradMethod::Reverse,
        ]
        .map(GradMethod::name);
        assert_eq!(names, ["backprop", "numerical", "dual", "reverse"]);
    }

    #[test]
    fn bad_settings_and_data_are_errors() {
        let (net, tr, te) = problem();
        let ok = TrainConfig::default();
        for bad in [
            TrainConfig {
                iterations: 0,
                ..ok.clone()
            },
            TrainConfig {
                batch_size: 0,
                ..ok.clone()
            },
            TrainConfig {
                learning_rate: -0.1,
                ..ok.clone()
            },
            TrainConfig {
                learning_rate: f64::NAN,
                ..ok.clone()
            },
            TrainConfig {
                learning_rate: 0.0,
                ..ok.clone()
            },
            TrainConfig {
                numerical_step: 0.0,
                ..ok.clone()
            },
            TrainConfig {
                eval_every: Some(0),
                ..ok.clone()
            },
        ] {
            assert!(train(&net, &tr, &te, &bad, &mut ()).is_err(), "{bad:?}");
        }
        let wide = TwoLayerNet::<f64>::new(Sizes::new(17, 6, 4).unwrap(), 0.1, 0).unwrap();
        assert!(matches!(
            train(&wide, &tr, &te, &ok, &mut ()),
            Err(Error::Shape { .. })
        ));
        let narrow = TwoLayerNet::<f64>::new(Sizes::new(16, 6, 3).unwrap(), 0.1, 0).unwrap();
        assert!(matches!(
            train(&narrow, &tr, &te, &ok, &mut ()),
            Err(Error::Label { .. })
        ));
    }

    #[test]
    fn data_that_does_not_fit_is_refused_before_the_first_step() {
        let (net, tr, te) = problem();
        let ok = TrainConfig {
            iterations: 3,
            batch_size: 10,
            ..TrainConfig::default()
        };
        let mut seen = Recorder::default();
        // A batch larger than the training set (200 rows); the whole set is a valid batch.
        let err = train(
            &net,
            &tr,
            &te,
            &TrainConfig {
                batch_size: 201,
                ..ok.clone()
            },
            &mut seen,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "batch size 201 is more than the 200 samples of the training set"
        );
        let whole = TrainConfig {
            batch_size: 200,
            ..ok.clone()
        };
        assert!(train(&net, &tr, &te, &whole, &mut ()).is_ok());
        let huge = TrainConfig {
            batch_size: usize::MAX,
            ..ok.clone()
        };
        assert!(matches!(
            train(&net, &tr, &te, &huge, &mut seen),
            Err(Error::BatchTooLarge {
                batch: usize::MAX,
                available: 200
            })
        ));
        // Empty sets: nothing to learn from, no accuracy to report.
        let empty = Dataset::<f64>::new(&nalgebra::DMatrix::<f64>::zeros(0, 16), &[]).unwrap();
        assert_eq!(
            train(&net, &empty, &te, &ok, &mut seen)
                .unwrap_err()
                .to_string(),
            "the training set is empty: at least one sample is needed"
        );
        assert!(matches!(
            train(&net, &tr, &empty, &ok, &mut seen),
            Err(Error::Empty {
                what: "the test set"
            })
        ));
        // The test set is checked as the training set is, and named.
        let (_, x, _) = small_problem(Sizes::new(15, 6, 4).unwrap(), 5, 3);
        let narrow = Dataset::<f64>::new(&x, &[0, 1, 2, 3, 0]).unwrap();
        assert_eq!(
            train(&net, &tr, &narrow, &ok, &mut seen)
                .unwrap_err()
                .to_string(),
            "shape mismatch: inputs per sample in the test set: expected 16, got 15"
        );
        assert!(seen.losses.is_empty() && seen.epochs.is_empty());
    }

    #[test]
    fn an_absurd_iteration_count_is_not_allocated_up_front() {
        // usize::MAX iterations would need 2^67 bytes of losses if reserved before the first
        // step; the run instead starts and stops at the divergence of iteration 0.
        let (net, tr, te) = problem();
        let huge = with_huge_w2(&net);
        let config = TrainConfig {
            iterations: usize::MAX,
            batch_size: 10,
            ..TrainConfig::default()
        };
        assert!(matches!(
            train(&huge, &tr, &te, &config, &mut ()),
            Err(Error::Diverged { iteration: 0, .. })
        ));
    }
}

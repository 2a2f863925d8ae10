//! Seeded mini-batch sampling: the book's draw with replacement, or shuffled epochs.

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::{Error, Result};

/// How a [`BatchSampler`] draws its indices. New ways may be added: a `match` outside this
/// crate needs a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sampling {
    /// Each index uniformly from `0..n`, independently, as the book's
    /// `np.random.choice(train_size, batch_size)`: a batch may repeat an index.
    WithReplacement,
    /// Walk a fresh random permutation of `0..n` per epoch, `batch_size` indices at a time.
    /// The `n % batch_size` indices left at the end of a permutation are skipped (every batch
    /// has the same size; a new permutation each epoch skips different ones).
    Epochs,
}

/// Draws mini-batches of row indices with a seeded random number generator.
///
/// The generator is `Xoshiro256PlusPlus` seeded by `seed_from_u64`: the same seed gives the
/// same sequence of batches on every platform for a given version of this crate (a new
/// version of `rand` may change how ranges and shuffles use the generator).
///
/// # Examples
///
/// ```
/// use nabla_data::{BatchSampler, Sampling};
///
/// let mut sampler = BatchSampler::new(60000, 100, Sampling::WithReplacement, 42)?;
/// let batch = sampler.next_batch();
/// assert_eq!(batch.len(), 100);
/// assert!(batch.iter().all(|&i| i < 60000));
/// # Ok::<(), nabla_data::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BatchSampler {
    n: usize,
    sampling: Sampling,
    rng: Xoshiro256PlusPlus,
    batch: Vec<usize>,
    order: Vec<usize>,
    position: usize,
    epoch: usize,
}

impl BatchSampler {
    /// A sampler of batches of `batch_size` indices into `0..n`.
    ///
    /// # Errors
    ///
    /// [`Error::Sampler`] when `n` or `batch_size` is zero, or when [`Sampling::Epochs`] asks
    /// for batches larger than `n`.
    pub fn new(n: usize, batch_size: usize, sampling: Sampling, seed: u64) -> Result<Self> {
        if n == 0 {
            return Err(Error::Sampler(
                "cannot sample from an empty data set".into(),
            ));
        }
        if batch_size == 0 {
            return Err(Error::Sampler("batch size must be at least 1".into()));
        }
        if sampling == Sampling::Epochs && batch_size > n {
            return Err(Error::Sampler(format!(
                "batch size {batch_size} exceeds the {n} items that an epoch without replacement has"
            )));
        }
        let order = match sampling {
            Sampling::WithReplacement => Vec::new(),
            Sampling::Epochs => (0..n).collect(),
        };
        Ok(Self {
            n,
            sampling,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            batch: vec![0; batch_size],
            order,
            // An exhausted position makes the first call shuffle.
            position: usize::MAX,
            epoch: 0,
        })
    }

    /// Number of items sampled from.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a sampler has at least one item.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Indices per batch.
    pub fn batch_size(&self) -> usize {
        self.batch.len()
    }

    /// The sampling mode.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// For [`Sampling::Epochs`], the number of permutations started so far (1 during the
    /// first epoch); for [`Sampling::WithReplacement`], always 0.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Batches per epoch without replacement: `n / batch_size` (rounded down), at least 1.
    pub fn batches_per_epoch(&self) -> usize {
        (self.n / self.batch.len()).max(1)
    }

    /// The next batch of indices. The slice is reused by the next call; nothing is allocated.
    pub fn next_batch(&mut self) -> &[usize] {
        match self.sampling {
            Sampling::WithReplacement => {
                for slot in &mut self.batch {
                    *slot = self.rng.random_range(0..self.n);
                }
            }
            Sampling::Epochs => {
                let size = self.batch.len();
                if self.position.saturating_add(size) > self.n {
                    self.order.shuffle(&mut self.rng);
                    self.position = 0;
                    self.epoch += 1;
                }
                self.batch
                    .copy_from_slice(&self.order[self.position..self.position + size]);
                self.position += size;
            }
        }
        &self.batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sampler_reports_its_sizes() {
        let sampler = BatchSampler::new(10, 3, Sampling::Epochs, 0).unwrap();
        assert_eq!((sampler.len(), sampler.batch_size()), (10, 3));
        assert!(!sampler.is_empty());
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(BatchSampler::new(0, 1, Sampling::WithReplacement, 0).is_err());
        assert!(BatchSampler::new(10, 0, Sampling::Epochs, 0).is_err());
        assert!(BatchSampler::new(10, 11, Sampling::Epochs, 0).is_err());
        // With replacement, a batch may exceed the data set.
        assert_eq!(
            BatchSampler::new(3, 5, Sampling::WithReplacement, 0)
                .unwrap()
                .next_batch()
                .len(),
            5
        );
    }

    #[test]
    fn same_seed_same_batches_other_seed_other_batches() {
        let draw = |seed| {
            let mut s = BatchSampler::new(60000, 100, Sampling::WithReplacement, seed).unwrap();
            (0..5)
                .flat_map(|_| s.next_batch().to_vec())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn with_replacement_is_roughly_uniform() {
        // 10 bins, 100000 draws: each bin expects 10000, sd about 95; 600 is over 6 sd.
        let mut s = BatchSampler::new(10, 1000, Sampling::WithReplacement, 1).unwrap();
        let mut counts = [0usize; 10];
        for _ in 0..100 {
            for &i in s.next_batch() {
                counts[i] += 1;
            }
        }
        assert!(
            counts.iter().all(|&c| c.abs_diff(10000) < 600),
            "{counts:?}"
        );
    }

    #[test]
    fn epochs_visit_every_index_once() {
        let mut s = BatchSampler::new(10, 5, Sampling::Epochs, 3).unwrap();
        for epoch in 1..=3 {
            let mut seen: Vec<usize> = (0..2).flat_map(|_| s.next_batch().to_vec()).collect();
            assert_eq!(s.epoch(), epoch);
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn epochs_skip_the_remainder_and_reshuffle() {
        // 10 items, batches of 3: 3 batches per epoch, one index skipped.
        let mut s = BatchSampler::new(10, 3, Sampling::Epochs, 9).unwrap();
        assert_eq!(s.batches_per_epoch(), 3);
        let mut first: Vec<usize> = (0..3).flat_map(|_| s.next_batch().to_vec()).collect();
        first.sort_unstable();
        first.dedup();
        assert_eq!(first.len(), 9);
        assert_eq!(s.epoch(), 1);
        s.next_batch();
        assert_eq!(s.epoch(), 2);
    }
}

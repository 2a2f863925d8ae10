//! The settings of a training run: [`TrainConfig`], checked when it is built, and
//! [`GradMethod`].

use serde::{Deserialize, Serialize};

use crate::{Error, InstructionSet};

/// How the training loop gets its gradient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum GradMethod {
    /// Backpropagation (the fast path).
    Backprop,
    /// Central differences with `h = 1e-4` over every parameter, structure-aware (see
    /// [`numerical_gradient_structured`](crate::numerical_gradient_structured)).
    Numerical,
    /// Forward-mode dual numbers (see [`dual_gradient`](crate::dual_gradient)): exact but
    /// costs one forward pass per chunk of parameters, so it is very slow on a full network.
    Dual,
    /// Reverse-mode automatic differentiation of the generic forward pass (see
    /// [`reverse_gradient`](crate::reverse_gradient)): exact, one recorded pass and one
    /// backward sweep per step.
    Reverse,
}

impl GradMethod {
    /// The method's name, as reports write it: `"backprop"`, `"numerical"`, `"dual"` or
    /// `"reverse"`.
    pub fn name(self) -> &'static str {
        match self {
            GradMethod::Backprop => "backprop",
            GradMethod::Numerical => "numerical",
            GradMethod::Dual => "dual",
            GradMethod::Reverse => "reverse",
        }
    }
}

/// The settings of a training run, every one checked: [`Default`] is the book's
/// (`train_neuralnet.py`), and [`TrainConfig::builder`] changes any of them.
///
/// ```
/// use nabla_net::{GradMethod, TrainConfig};
///
/// let config = TrainConfig::builder()
///     .iterations(2000)
///     .learning_rate(0.5)
///     .grad(GradMethod::Backprop)
///     .build()?;
/// assert_eq!(config.iterations(), 2000);
/// assert_eq!(config.batch_size(), 100); // the book's
///
/// // A setting that cannot work is refused when the configuration is built.
/// assert!(TrainConfig::builder().learning_rate(-0.1).build().is_err());
/// # Ok::<(), nabla_net::Error>(())
/// ```
///
/// Deserializing checks the settings as [`TrainConfigBuilder::build`] does (missing ones are
/// the book's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TrainConfigBuilder")]
#[non_exhaustive]
pub struct TrainConfig {
    pub(crate) iterations: usize,
    pub(crate) batch_size: usize,
    pub(crate) learning_rate: f64,
    pub(crate) seed: u64,
    pub(crate) eval_every: Option<usize>,
    pub(crate) grad: GradMethod,
    pub(crate) numerical_step: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) instruction_set: Option<InstructionSet>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            iterations: 10_000,
            batch_size: 100,
            learning_rate: 0.1,
            seed: 0,
            eval_every: None,
            grad: GradMethod::Backprop,
            numerical_step: 1e-4,
            instruction_set: None,
        }
    }
}

impl TrainConfig {
    /// A builder that starts from the book's settings ([`Default`]).
    pub fn builder() -> TrainConfigBuilder {
        TrainConfig::default().to_builder()
    }

    /// A builder that starts from these settings: to change some of them.
    pub fn to_builder(&self) -> TrainConfigBuilder {
        TrainConfigBuilder {
            iterations: self.iterations,
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            seed: self.seed,
            eval_every: self.eval_every,
            grad: self.grad,
            numerical_step: self.numerical_step,
            instruction_set: self.instruction_set,
        }
    }

    /// Number of SGD steps (the book: 10000).
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Images per mini-batch, drawn with replacement (the book: 100).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// SGD step size (the book: 0.1).
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// Seed of the mini-batch sampler.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The evaluation interval in iterations, if one was set (see [`epoch_len`](Self::epoch_len)).
    pub fn eval_every(&self) -> Option<usize> {
        self.eval_every
    }

    /// How the gradient is computed.
    pub fn grad(&self) -> GradMethod {
        self.grad
    }

    /// Step of the numerical gradient (the book: `1e-4`).
    pub fn numerical_step(&self) -> f64 {
        self.numerical_step
    }

    /// The instruction set asked for, if one was (see
    /// [`TrainConfigBuilder::instruction_set`]).
    pub fn instruction_set(&self) -> Option<InstructionSet> {
        self.instruction_set
    }

    /// Checks every setting (what [`TrainConfigBuilder::build`] refuses).
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.iterations == 0 {
            return Err(Error::Zero { what: "iterations" });
        }
        if self.batch_size == 0 {
            return Err(Error::Zero { what: "batch size" });
        }
        if self.eval_every == Some(0) {
            return Err(Error::Zero {
                what: "evaluation interval",
            });
        }
        for (what, value) in [
            ("learning rate", self.learning_rate),
            ("numerical step", self.numerical_step),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::NotPositive { what, value });
            }
        }
        Ok(())
    }

    /// Iterations per epoch for a training set of `train_len` images: `eval_every` if set,
    /// else the book's `max(train_len / batch_size, 1)`.
    pub fn epoch_len(&self, train_len: usize) -> usize {
        self.eval_every
            .unwrap_or((train_len / self.batch_size.max(1)).max(1))
    }
}

/// Builds a [`TrainConfig`], checking every setting in [`build`](Self::build); made by
/// [`TrainConfig::builder`] (the book's settings) or [`TrainConfig::to_builder`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfigBuilder {
    iterations: usize,
    batch_size: usize,
    learning_rate: f64,
    seed: u64,
    eval_every: Option<usize>,
    grad: GradMethod,
    numerical_step: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    instruction_set: Option<InstructionSet>,
}

impl Default for TrainConfigBuilder {
    /// The book's settings.
    fn default() -> Self {
        TrainConfig::builder()
    }
}

impl TrainConfigBuilder {
    /// Number of SGD steps, at least 1 (the book: 10000).
    #[must_use]
    pub fn iterations(mut self, iterations: usize) -> Self {
        self.iterations = iterations;
        self
    }

    /// Images per mini-batch, drawn with replacement, at least 1 (the book: 100); at most the
    /// size of the training set, which [`train`](crate::train) checks.
    #[must_use]
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// SGD step size, finite and positive (the book: 0.1).
    #[must_use]
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Seed of the mini-batch sampler (default 0).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Evaluate train and test accuracy every this many iterations (at least 1), starting
    /// after the first (iteration 0); `None`, the default, means the book's
    /// `max(train_size / batch_size, 1)` (600).
    #[must_use]
    pub fn eval_every(mut self, eval_every: Option<usize>) -> Self {
        self.eval_every = eval_every;
        self
    }

    /// How the gradient is computed (default [`GradMethod::Backprop`]).
    #[must_use]
    pub fn grad(mut self, grad: GradMethod) -> Self {
        self.grad = grad;
        self
    }

    /// Step of the numerical gradient, finite and positive (the book: `1e-4`).
    #[must_use]
    pub fn numerical_step(mut self, numerical_step: f64) -> Self {
        self.numerical_step = numerical_step;
        self
    }

    /// The instruction set the fast path trains with, as a cap: the widest set up to it that
    /// the processor supports runs ([`InstructionSet::capped`]), so asking for AVX-512 on a
    /// processor without it trains with AVX2 and FMA (or the baseline) rather than failing,
    /// and a configuration works on every machine; the run reports the set it used
    /// ([`TrainOutcome::instruction_set`](crate::TrainOutcome::instruction_set)). `None`, the
    /// default, leaves the choice to an enclosing [`InstructionSet::install`], else to the
    /// environment variable `NABLA_SIMD` ([`InstructionSet::detected`]). Every set trains the
    /// same bits; only the speed differs. (Used by the fast path: [`GradMethod::Backprop`],
    /// the other methods' updates and every method's evaluations.)
    #[must_use]
    pub fn instruction_set(mut self, instruction_set: Option<InstructionSet>) -> Self {
        self.instruction_set = instruction_set;
        self
    }

    /// The configuration, once every setting is checked.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] for zero iterations, batch size or evaluation interval;
    /// [`Error::NotPositive`] for a learning rate or numerical step that is not finite and
    /// positive.
    pub fn build(self) -> Result<TrainConfig, Error> {
        let config = TrainConfig {
            iterations: self.iterations,
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            seed: self.seed,
            eval_every: self.eval_every,
            grad: self.grad,
            numerical_step: self.numerical_step,
            instruction_set: self.instruction_set,
        };
        config.validate()?;
        Ok(config)
    }
}

impl TryFrom<TrainConfigBuilder> for TrainConfig {
    type Error = Error;

    fn try_from(builder: TrainConfigBuilder) -> Result<Self, Error> {
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_books_and_the_builder_starts_there() {
        let book = TrainConfig::default();
        assert_eq!(
            (book.iterations(), book.batch_size(), book.learning_rate()),
            (10_000, 100, 0.1)
        );
        assert_eq!(TrainConfig::builder().build().unwrap(), book);
        let changed = book.to_builder().seed(7).build().unwrap();
        assert_eq!(changed.seed(), 7);
        assert_eq!(changed.to_builder().seed(0).build().unwrap(), book);
    }

    #[test]
    fn bad_settings_are_refused_when_built_naming_the_setting() {
        let refused = |b: TrainConfigBuilder| b.build().unwrap_err().to_string();
        let b = TrainConfig::builder;
        assert_eq!(
            refused(b().iterations(0)),
            "iterations must be at least 1, got 0"
        );
        assert_eq!(
            refused(b().batch_size(0)),
            "batch size must be at least 1, got 0"
        );
        assert_eq!(
            refused(b().eval_every(Some(0))),
            "evaluation interval must be at least 1, got 0"
        );
        assert_eq!(
            refused(b().learning_rate(f64::NAN)),
            "learning rate must be a finite number greater than 0, got NaN"
        );
        assert_eq!(
            refused(b().numerical_step(0.0)),
            "numerical step must be a finite number greater than 0, got 0.0"
        );
        assert!(
            b().eval_every(Some(1))
                .learning_rate(1e-300)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn deserializing_checks_the_settings_and_fills_in_the_books() {
        let config: TrainConfig =
            serde_json::from_str(r#"{"iterations": 5, "grad": "reverse"}"#).unwrap();
        assert_eq!(config.iterations(), 5);
        assert_eq!(config.grad(), GradMethod::Reverse);
        assert_eq!(config.batch_size(), 100);
        let round_trip: TrainConfig =
            serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(round_trip, config);
        // The instruction set by the name reports write; left out when not chosen.
        assert!(
            !serde_json::to_string(&config)
                .unwrap()
                .contains("instruction_set")
        );
        let wide: TrainConfig = serde_json::from_str(r#"{"instruction_set": "avx2+fma"}"#).unwrap();
        assert_eq!(wide.instruction_set(), Some(InstructionSet::Avx2Fma));
        assert_eq!(
            serde_json::from_str::<TrainConfig>(&serde_json::to_string(&wide).unwrap()).unwrap(),
            wide
        );
        assert!(serde_json::from_str::<TrainConfig>(r#"{"instruction_set": "sse9"}"#).is_err());
        let refused = serde_json::from_str::<TrainConfig>(r#"{"learning_rate": -1.0}"#);
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("learning rate must be a finite number greater than 0")
        );
    }
}

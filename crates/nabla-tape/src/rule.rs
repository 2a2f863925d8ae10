//! Rules: one recorded operation with any number of inputs and outputs and its own backward,
//! the analogue of JAX's `custom_vjp`, PyTorch's `autograd.Function` and ChainRules' `rrule`.

use crate::scalar::Scalar;
use crate::tape::Backward;
use crate::var::Var;

/// The backward of an operation recorded with [`custom_rule`]: given the adjoints of its
/// outputs, the adjoints of its inputs.
///
/// Closures `Fn(&[T], &mut [T])` are rules; implement the trait on a type of your own to
/// report the bytes its saved values take ([`saved_bytes`](Self::saved_bytes), shown by
/// [`Recording::bytes`](crate::Recording::bytes)).
///
/// The backward runs during the sweep, on plain numbers: it must not compute with `Var`s
/// (the tape is being swept: that is a panic that says so). To keep second derivatives
/// exact (forward over reverse, [`hessian_vector_product`](crate::hessian_vector_product)),
/// write it generically over `T`: on `Var<Dual64>` it then runs in dual arithmetic and
/// carries the directional derivative of the adjoints along.
pub trait Rule<T>: 'static {
    /// Writes (or adds) into `inputs[i]` the adjoint of input `i`: `Σⱼ outputs[j] ∂yⱼ/∂xᵢ`.
    /// `outputs` has one adjoint per output and `inputs` one slot per input, in the order
    /// given to [`custom_rule`]; `inputs` starts at zero, and the tape adds what the rule
    /// leaves there into the inputs' adjoints (a constant input's slot is discarded).
    fn backward(&self, outputs: &[T], inputs: &mut [T]);

    /// The heap bytes this rule keeps (its saved values), for
    /// [`Recording::bytes`](crate::Recording::bytes). The rule's own size is counted
    /// without it; the default is 0.
    fn saved_bytes(&self) -> usize {
        0
    }
}

impl<T, F: Fn(&[T], &mut [T]) + 'static> Rule<T> for F {
    fn backward(&self, outputs: &[T], inputs: &mut [T]) {
        self(outputs, inputs)
    }
}

/// A user's rule as the tape keeps it.
struct UserRule<R>(R);

impl<T, R: Rule<T>> Backward<T> for UserRule<R> {
    fn backward(&self, outputs: &[T], inputs: &mut [T]) {
        self.0.backward(outputs, inputs);
    }

    fn saved_bytes(&self) -> usize {
        std::mem::size_of::<R>() + self.0.saved_bytes()
    }
}

/// Records one operation of `inputs` whose outputs have the values `outputs`, with `rule` as
/// its backward: one tape entry however many inputs and outputs it has, and one call of
/// `rule` in the sweep. Returns the outputs as `Var`s (constants when every input is one).
///
/// The forward computation is yours: compute `outputs` from the inputs' values (on plain
/// numbers, at full speed), and capture in `rule` whatever the backward needs (values of the
/// inputs or outputs, shapes). This is how a matrix product, a whole loss or a solver becomes
/// one entry instead of thousands: [`matmul`](crate::matmul), [`dot`](crate::dot) and
/// [`sum`](crate::sum) are rules too.
///
/// A user's own rule: the Euclidean norm `r = ‖x‖` with `∂r/∂xᵢ = xᵢ / r`.
///
/// ```
/// use nabla_tape::{Var, custom_rule, gradient};
///
/// fn norm(x: &[Var<f64>]) -> Var<f64> {
///     let values: Vec<f64> = x.iter().map(|v| v.value()).collect();
///     let r = values.iter().map(|v| v * v).sum::<f64>().sqrt();
///     let out = custom_rule(x, &[r], move |adjoint: &[f64], inputs: &mut [f64]| {
///         for (slot, v) in inputs.iter_mut().zip(&values) {
///             *slot = adjoint[0] * v / r;
///         }
///     });
///     out[0]
/// }
///
/// let (value, grad) = gradient(|x| norm(x) * 2.0, &[3.0, 4.0]);
/// assert_eq!(value, 10.0);
/// assert_eq!(grad, vec![1.2, 1.6]);
/// ```
///
/// # Panics
///
/// If an input is a `Var` of another recording than the active one (a finished recording,
/// another thread's, or an enclosing one inside a nested recording), naming the rule's
/// inputs. The backward cannot write the wrong number of adjoints: it gets exactly one slot
/// per input.
pub fn custom_rule<T: Scalar>(inputs: &[Var<T>], outputs: &[T], rule: impl Rule<T>) -> Vec<Var<T>> {
    record(
        inputs.iter().map(|v| v.tag),
        outputs,
        true,
        Box::new(UserRule(rule)),
    )
}

/// Records a rule: inputs by serial (0 for a constant), output values, and its backward;
/// `zeroed` says whether it needs a zeroed buffer (it assigns) or adds into the adjoints.
pub(crate) fn record<T: Scalar>(
    inputs: impl Iterator<Item = u64>,
    outputs: &[T],
    zeroed: bool,
    backward: Box<dyn Backward<T>>,
) -> Vec<Var<T>> {
    let first = T::with_tape(|t| {
        // The inputs are checked even when there is nothing to record.
        let inputs = t.rule_inputs(inputs)?;
        (!outputs.is_empty()).then(|| t.rule(inputs, outputs.len(), zeroed, backward))
    });
    match first {
        Some(first) => outputs
            .iter()
            .zip(first..)
            .map(|(&v, tag)| Var::recorded(v, tag))
            .collect(),
        None => outputs.iter().map(|&v| Var::constant(v)).collect(),
    }
}

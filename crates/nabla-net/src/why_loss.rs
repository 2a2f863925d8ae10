//! Why the network is trained on the loss and not on the accuracy (the book's section 4.2.5),
//! in numbers: how many parameters have a zero numerical derivative of each, and what each
//! looks like along a line through parameter space.
//!
//! The accuracy counts images, so it moves in steps of `1 / B` and is flat in between: a small
//! nudge of one weight almost never changes it, and its derivative is zero for nearly every
//! parameter; gradient descent on it would not move. The cross-entropy loss moves with every
//! nudge. [`zero_derivatives`] counts both on a batch, [`along_line`] evaluates both along
//! `w + t d` (a staircase and a smooth curve), and [`accuracy_jumps`] finds the stairs.
//! [`random_direction`] and [`parameter_norm`] make the line; [`numerical_accuracy_gradient_structured`]
//! is the accuracy's numerical gradient that the counts come from.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::check::check_batch;
use crate::engine::{Buffers, Engine};
use crate::{
    Error, Gradient, Precision, Sizes, SparseRows, TwoLayerNet, numerical_gradient_structured,
};

/// The numerical gradient of the batch accuracy, by the structure-aware central difference:
/// what [`zero_derivatives`] counts the zeros of.
pub use crate::structured::numerical_accuracy_gradient_structured;

/// How many parameters have a numerical derivative of exactly zero, for the batch accuracy
/// and for the batch loss, at one step `h` (see [`zero_derivatives`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZeroDerivatives {
    /// The step of the central difference.
    pub h: f64,
    /// How many parameters the network has (39760 for MNIST's 784-50-10).
    pub parameters: usize,
    /// How many have `(acc(w + h) - acc(w - h)) / 2h == 0`.
    pub accuracy_zero: usize,
    /// How many have `(L(w + h) - L(w - h)) / 2h == 0`.
    pub loss_zero: usize,
    /// How many no image of the batch depends on at all: the first-layer weights of pixels
    /// that are zero in every image of the batch. Both derivatives are exactly zero there,
    /// whatever the step; they are part of `accuracy_zero` and `loss_zero`.
    pub unreached: usize,
}

impl ZeroDerivatives {
    /// `h` as written in reports, without a trailing `.0` (`0.0001`, `0.01`, `1`).
    pub fn h_label(&self) -> String {
        format!("{}", self.h)
    }
}

/// Counts the parameters whose numerical derivative (the book's central difference with step
/// `h`) is exactly zero, for the batch accuracy and for the batch loss, both computed by the
/// structure-aware method ([`numerical_accuracy_gradient_structured`] and
/// [`numerical_gradient_structured`]): seconds for MNIST's 39760 parameters, where the book's
/// loop over full forward passes takes minutes.
///
/// ```
/// use nabla_net::nalgebra::DMatrix;
/// use nabla_net::why_loss::zero_derivatives;
/// use nabla_net::{Sizes, TwoLayerNet};
///
/// let net = TwoLayerNet::<f64>::new(Sizes::new(8, 4, 3)?, 0.5, 1)?;
/// let x = DMatrix::from_fn(20, 8, |r, j| ((r * 7 + j * 3) % 5) as f64 / 4.0);
/// let labels: Vec<usize> = (0..20).map(|r| r % 3).collect();
/// let counts = zero_derivatives(&net, &x, &labels, 1e-4)?;
/// assert_eq!(counts.parameters, 8 * 4 + 4 + 4 * 3 + 3);
/// assert!(counts.accuracy_zero > counts.parameters * 9 / 10); // flat almost everywhere
/// assert!(counts.loss_zero < counts.parameters / 10);         // moves with every weight
/// # Ok::<(), nabla_net::Error>(())
/// ```
///
/// # Errors
///
/// As [`numerical_gradient_structured`]: a step that is not finite and positive, a batch of
/// the wrong width, labels that are not one per row or out of range, an empty batch.
pub fn zero_derivatives<T: Precision>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    h: T,
) -> Result<ZeroDerivatives, Error> {
    let loss = numerical_gradient_structured(net, x, labels, h)?;
    let accuracy = numerical_accuracy_gradient_structured(net, x, labels, h)?;
    let zeros = |g: &Gradient<T>| g.iter().filter(|&v| v == T::zero()).count();
    let sizes = net.sizes();
    let dark_pixels = x
        .column_iter()
        .filter(|column| column.iter().all(|&v| v == T::zero()))
        .count();
    Ok(ZeroDerivatives {
        h: h.as_f64(),
        parameters: sizes.parameter_count(),
        accuracy_zero: zeros(&accuracy),
        loss_zero: zeros(&loss),
        unreached: dark_pixels * sizes.hidden,
    })
}

/// The batch loss and accuracy at one point `w + t d` of a line through parameter space.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinePoint {
    /// How far along the direction.
    pub t: f64,
    /// The batch's mean cross-entropy loss there.
    pub loss: f64,
    /// The fraction of the batch classified right there.
    pub accuracy: f64,
}

/// The batch loss and accuracy of `net` moved to `w + t * direction`, for each `t` in `ts`,
/// computed on the fast path (the same loss as [`TwoLayerNet::loss`] to rounding, the same
/// accuracy as [`TwoLayerNet::accuracy`]).
///
/// # Errors
///
/// [`Error::Shape`] if `direction` is not shaped like the network's parameters, or as
/// [`TwoLayerNet::loss`] for a batch that does not fit the network.
pub fn along_line<T: Precision>(
    net: &TwoLayerNet<T>,
    x: &DMatrix<T>,
    labels: &[usize],
    direction: &Gradient<T>,
    ts: &[T],
) -> Result<Vec<LinePoint>, Error> {
    let sizes = net.sizes();
    check_batch("the batch", sizes.input, sizes.output, x.shape(), labels)?;
    if direction.sizes() != sizes {
        return Err(Error::Shape {
            what: format!(
                "parameters of the direction (a network {})",
                direction.sizes()
            ),
            expected: sizes.parameter_count(),
            got: direction.sizes().parameter_count(),
        });
    }
    let data = SparseRows::from_matrix(x)?;
    let rows: Vec<usize> = (0..x.nrows()).collect();
    let mut buffers = Buffers::default();
    let moved = |t: T| {
        let step = |w: &DMatrix<T>, d: &DMatrix<T>| w.zip_map(d, |w, d| w + t * d);
        let (w1, w2) = (step(net.w1(), &direction.w1), step(net.w2(), &direction.w2));
        let b1 = net.b1().zip_map(&direction.b1, |w, d| w + t * d);
        let b2 = net.b2().zip_map(&direction.b2, |w, d| w + t * d);
        TwoLayerNet::from_parts(w1, b1, w2, b2)
    };
    ts.iter()
        .map(|&t| {
            let engine = Engine::from_net(&moved(t)?);
            let loss = engine.pass(&data, labels, &rows, &mut buffers, false);
            Ok(LinePoint {
                t: t.as_f64(),
                loss: loss.as_f64(),
                accuracy: engine.accuracy(&data, labels),
            })
        })
        .collect()
}

/// The indices `i` of `points` where the accuracy differs from that at `i - 1`: the stairs
/// of the staircase (the jump lies between `points[i - 1].t` and `points[i].t`).
pub fn accuracy_jumps(points: &[LinePoint]) -> Vec<usize> {
    points
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0].accuracy != w[1].accuracy)
        .map(|(i, _)| i + 1)
        .collect()
}

/// The Euclidean length of all the network's parameters together, `|w|`, in f64: the scale
/// for a line `w + t d` through parameter space (`t = 1` with `|d| = |w|` moves the parameters
/// as far as they are from zero).
pub fn parameter_norm<T: Precision>(net: &TwoLayerNet<T>) -> f64 {
    net.parameters()
        .iter()
        .flat_map(|a| a.iter())
        .map(|w| w.as_f64() * w.as_f64())
        .sum::<f64>()
        .sqrt()
}

/// A random direction in parameter space, of length 1: every element (weights and biases
/// alike) drawn from `N(0, 1)` by a generator seeded with `seed`, then the whole divided by
/// its Euclidean norm.
///
/// # Errors
///
/// [`Error::Zero`] if a size is zero, [`Error::TooLarge`] if the parameter count overflows.
pub fn random_direction<T: Precision>(sizes: Sizes, seed: u64) -> Result<Gradient<T>, Error> {
    sizes.validate()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let flat: Vec<f64> = (0..sizes.parameter_count())
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let norm = flat.iter().map(|v| v * v).sum::<f64>().sqrt();
    let unit: Vec<T> = flat.iter().map(|&v| T::from_f64(v / norm)).collect();
    Ok(Gradient::from_flat(sizes, &unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::small_problem;
    use crate::{Dataset, TrainConfig, train};
    use nalgebra::DVector;
    use rand::RngExt;

    /// A network half-way through learning a small synthetic task (class `c` lights inputs
    /// `4c..4c + 4`, over noise), and a batch of it: some images right, some wrong, as in the
    /// book's example, where a random network would put every image in the same class.
    fn half_trained(seed: u64) -> (TwoLayerNet<f64>, DMatrix<f64>, Vec<usize>) {
        let sizes = Sizes::new(24, 6, 6).unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        let n = 120;
        let labels: Vec<usize> = (0..n).map(|r| r % 6).collect();
        let x = DMatrix::from_fn(n, 24, |r, j| {
            if j / 4 == labels[r] {
                rng.random_range(0.2..1.0)
            } else if rng.random_bool(0.4) {
                rng.random_range(0.0..0.8)
            } else {
                0.0
            }
        });
        let t: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
        let data = Dataset::<f64>::new(&x, &t).unwrap();
        let config = TrainConfig {
            iterations: 60,
            batch_size: 20,
            learning_rate: 1.0,
            seed,
            ..TrainConfig::default()
        };
        let start = TwoLayerNet::new(sizes, 0.1, seed).unwrap();
        let net = train(&start, &data, &data, &config, &mut ()).unwrap().net;
        (net, x, labels)
    }

    #[test]
    fn unreached_counts_the_weights_of_pixels_dark_in_every_image() {
        let net = TwoLayerNet::<f64>::new(Sizes::new(4, 2, 2).unwrap(), 0.5, 1).unwrap();
        // Pixels 0 and 3 are dark in both images, pixel 1 lit in both, pixel 2 in one.
        let x = nalgebra::DMatrix::from_row_slice(2, 4, &[0.0, 0.5, 0.0, 0.0, 0.0, 0.7, 0.2, 0.0]);
        let counts = zero_derivatives(&net, &x, &[0, 1], 1e-4).unwrap();
        assert_eq!(counts.unreached, 2 * 2);
    }

    #[test]
    fn the_accuracy_is_flat_for_almost_every_parameter_and_the_loss_for_almost_none() {
        let (net, x, labels) = half_trained(7);
        let accuracy = net.accuracy(&x, &labels).unwrap();
        assert!((0.3..0.95).contains(&accuracy), "{accuracy}");
        let counts = zero_derivatives(&net, &x, &labels, 1e-4).unwrap();
        assert_eq!(counts.parameters, 24 * 6 + 6 + 6 * 6 + 6);
        let dark = (0..24).filter(|&j| x.column(j).iter().all(|&v| v == 0.0));
        assert_eq!(counts.unreached, dark.count() * 6);
        // At h = 1e-4 a nudge moves a logit by about 1e-4: hardly any of 120 images changes
        // class, for hardly any parameter.
        assert!(
            counts.accuracy_zero * 100 >= counts.parameters * 95,
            "{counts:?}"
        );
        assert_eq!(counts.loss_zero, counts.unreached, "{counts:?}");
        assert!(counts.loss_zero * 10 < counts.parameters, "{counts:?}");
        // With h = 1 the nudges are large enough to flip images for many more parameters:
        // the zeros at h = 1e-4 are the accuracy's flatness, not a step too small to see.
        let wide = zero_derivatives(&net, &x, &labels, 1.0).unwrap();
        assert!(wide.accuracy_zero * 2 < counts.accuracy_zero, "{wide:?}");
        assert_eq!(wide.h_label(), "1");
        assert_eq!(counts.h_label(), "0.0001");
    }

    #[test]
    fn the_structured_accuracy_derivative_equals_the_brute_force_one() {
        for (sizes, batch, seed, h) in [
            (Sizes::new(12, 5, 4).unwrap(), 30, 1, 0.5),
            (Sizes::new(30, 8, 10).unwrap(), 20, 2, 2.0),
            (Sizes::new(6, 3, 3).unwrap(), 25, 3, 1e-4),
        ] {
            let (net, x, labels) = small_problem(sizes, batch, seed);
            let fast = numerical_accuracy_gradient_structured(&net, &x, &labels, h).unwrap();
            // The book's loop: nudge each parameter, evaluate the whole accuracy twice.
            let mut flat = Vec::new();
            let mut nudged = net.clone();
            for array in 0..4 {
                for i in 0..net.parameters()[array].len() {
                    let w = net.parameters()[array][i];
                    nudged.parameters_mut()[array][i] = w + h;
                    let plus = nudged.accuracy(&x, &labels).unwrap();
                    nudged.parameters_mut()[array][i] = w - h;
                    let minus = nudged.accuracy(&x, &labels).unwrap();
                    nudged.parameters_mut()[array][i] = w;
                    flat.push((plus - minus) / (2.0 * h));
                }
            }
            let brute = Gradient::from_flat(sizes, &flat);
            let nonzero = brute.iter().filter(|&v| v != 0.0).count();
            assert!(
                nonzero > 0 || h < 1e-3,
                "{sizes:?}: a test that sees a jump"
            );
            let worst = brute.worst_difference(&fast, |v| v).unwrap();
            // Both are counts of images divided by B * 2h: equal, or off by a whole image.
            assert!(worst.abs < 1e-9, "{sizes:?} h = {h}: {worst:?}");
        }
    }

    #[test]
    fn along_a_line_the_loss_is_smooth_and_the_accuracy_a_staircase() {
        let (net, x, labels) = half_trained(11);
        let d = random_direction::<f64>(net.sizes(), 3).unwrap();
        let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-12, "{norm}");
        let unit = TwoLayerNet::from_parts(d.w1.clone(), d.b1.clone(), d.w2.clone(), d.b2.clone());
        assert!((parameter_norm(&unit.unwrap()) - 1.0).abs() < 1e-12);
        let ts: Vec<f64> = (0..=400)
            .map(|i| -2.0 + 4.0 * f64::from(i) / 400.0)
            .collect();
        let points = along_line(&net, &x, &labels, &d, &ts).unwrap();
        assert_eq!(points.len(), 401);
        // At t = 0, the network itself, by the generic forward pass.
        let origin = points[200];
        assert_eq!(origin.t, 0.0);
        assert_eq!(origin.accuracy, net.accuracy(&x, &labels).unwrap());
        assert!((origin.loss - net.loss(&x, &labels).unwrap()).abs() < 1e-12);
        // The accuracy takes values k / 120 and changes at a few places only; the loss
        // changes at every step.
        let jumps = accuracy_jumps(&points);
        assert!(!jumps.is_empty() && jumps.len() < 100, "{jumps:?}");
        for p in &points {
            let k = p.accuracy * 120.0;
            assert!((k - k.round()).abs() < 1e-9, "{p:?}");
        }
        for &i in &jumps {
            assert_ne!(points[i].accuracy, points[i - 1].accuracy);
        }
        assert!(points.windows(2).all(|w| w[0].loss != w[1].loss));
        // Away from 0, each point is the network moved to w + t d, built by hand.
        for i in [0, 300, 350] {
            let t = ts[i];
            let mut moved = net.clone();
            let parts = [
                d.w1.as_slice(),
                d.b1.as_slice(),
                d.w2.as_slice(),
                d.b2.as_slice(),
            ];
            for (w, d) in moved.parameters_mut().into_iter().zip(parts) {
                w.iter_mut().zip(d).for_each(|(w, d)| *w += t * d);
            }
            assert_eq!(points[i].t, t);
            assert!(
                (points[i].loss - moved.loss(&x, &labels).unwrap()).abs() < 1e-12,
                "t = {t}: {:?}",
                points[i]
            );
            assert_eq!(points[i].accuracy, moved.accuracy(&x, &labels).unwrap());
        }
    }

    #[test]
    fn the_parameter_norm_is_the_length_of_all_parameters() {
        let sizes = Sizes::new(3, 2, 2).unwrap();
        // 3*2 + 2 + 2*2 + 2 = 14 parameters, each 2 or -2: the norm is 2 sqrt(14).
        let sign = |i: usize, j: usize| if (i + j).is_multiple_of(2) { 2.0 } else { -2.0 };
        let fill = |r, c| DMatrix::from_fn(r, c, sign);
        let bias = |n| DVector::from_fn(n, sign);
        let net = TwoLayerNet::<f64>::from_parts(fill(3, 2), bias(2), fill(2, 2), bias(2)).unwrap();
        assert_eq!(net.sizes(), sizes);
        assert!((parameter_norm(&net) - 2.0 * 14f64.sqrt()).abs() < 1e-12);
        // In f32 too, squared and summed in f64: 1e30 squared overflows f32, not f64.
        let big = |r, c| DMatrix::from_element(r, c, 1e30f32);
        let net32 = TwoLayerNet::<f32>::from_parts(
            big(3, 2),
            DVector::zeros(2),
            big(2, 2),
            DVector::zeros(2),
        )
        .unwrap();
        let expected = f64::from(1e30f32) * 10f64.sqrt();
        assert!((parameter_norm(&net32) / expected - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_direction_of_another_shape_is_an_error() {
        let (net, x, labels) = small_problem(Sizes::new(12, 5, 4).unwrap(), 7, 5);
        let d = random_direction::<f64>(Sizes::new(12, 6, 4).unwrap(), 0).unwrap();
        let err = along_line(&net, &x, &labels, &d, &[0.0]).unwrap_err();
        assert!(matches!(err, Error::Shape { .. }), "{err}");
        assert!(err.to_string().contains("direction"), "{err}");
        assert!(matches!(
            zero_derivatives(&net, &x, &labels, 0.0),
            Err(Error::NotPositive { .. })
        ));
    }
}

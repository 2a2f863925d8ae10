//! Chapter 4's argument for the loss, on the real MNIST files (release mode: about a second):
//! on a batch of 100 training images, the numerical derivative of the batch accuracy is zero
//! for all but a small fraction of the 39760 parameters, the loss's for none that an image
//! depends on. Skipped by name when `$MNIST_DIR` is unset.

use nabla::data::{Mnist, MnistOptions, Split};
use nabla::net::nalgebra::DMatrix;
use nabla::net::why_loss::zero_derivatives;
use nabla::net::{Dataset, Sizes, TrainConfig, TwoLayerNet, train};

use crate::util::mnist_dir;

#[test]
fn real_mnist_accuracy_derivative_is_zero_almost_everywhere_and_the_loss_is_not() {
    let Some(dir) =
        mnist_dir("real_mnist_accuracy_derivative_is_zero_almost_everywhere_and_the_loss_is_not")
    else {
        return;
    };
    let options = MnistOptions::default();
    let train_split = Mnist::load(&dir, Split::Train, options).expect("training split");
    let train_set = Dataset::<f64>::from_mnist(&train_split).expect("training set");
    // The first 100 training images, as the book normalises them.
    let rows: Vec<usize> = (0..100).collect();
    let x: DMatrix<f64> = train_set.gather_dense(&rows);
    let labels = &train_set.labels()[..100];

    // A fresh network (chance level) and one trained for 300 steps (about half right).
    let fresh = TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 0).expect("network");
    let config = TrainConfig::builder()
        .iterations(300)
        .eval_every(Some(300))
        .build()
        .expect("a valid configuration");
    // The loop's own evaluations only on a small set: they are not what is tested here.
    let small = train_set.first(100).expect("100 images");
    let trained = train(&fresh, &train_set, &small, &config, &mut ())
        .expect("training")
        .net;
    for (name, net) in [("fresh", &fresh), ("trained", &trained)] {
        let accuracy = net.accuracy(&x, labels).expect("accuracy");
        for h in [1e-4, 1e-2] {
            let c = zero_derivatives(net, &x, labels, h).expect("counts");
            assert_eq!(c.parameters, 39760);
            // 784 - (dark pixels) first-layer rows reach the batch: most of them.
            assert!(
                c.unreached.is_multiple_of(50) && c.unreached < 39200 / 2,
                "{c:?}"
            );
            // The loss moves with every parameter that reaches an image: non-zero for most.
            assert_eq!(c.loss_zero, c.unreached, "{name} ({accuracy}): {c:?}");
            assert!(c.loss_zero * 2 < c.parameters, "{name}: {c:?}");
            // The accuracy moves with at most 1% of them.
            assert!(
                c.accuracy_zero * 100 >= c.parameters * 99,
                "{name} ({accuracy}): {c:?}"
            );
        }
        if name == "trained" {
            assert!((0.3..0.9).contains(&accuracy), "{accuracy}");
        }
    }
}

//! Chapter 4, "implementing the learning algorithm": the book's `train_neuralnet.py`. A
//! `TwoLayerNet(784, 50, 10)` learns MNIST by mini-batch SGD (10000 iterations, batches of
//! 100 drawn with replacement, learning rate 0.1), printing train and test accuracy once per
//! epoch (600 iterations) as the book does, then the time the loop took.
//!
//! Run it in release mode: `cargo run --release --example ch04_train`. The MNIST files come
//! from `$MNIST_DIR`, else the per-user cache (downloaded and verified on first use).
//! `nabla train` is the same loop with a progress bar, a report and charts.

use std::time::Instant;

use nabla::data::{MnistOptions, MnistSource, load_mnist};
use nabla::net::{Dataset, EpochRecord, Observer, Sizes, TrainConfig, TwoLayerNet, train};

/// Prints what the book's loop prints.
struct Print;

impl Observer for Print {
    fn epoch(&mut self, record: &EpochRecord) {
        println!(
            "train acc, test acc | {}, {}",
            record.train_accuracy, record.test_accuracy
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (x_train, x_test) = load_mnist(&MnistSource::new(), MnistOptions::default())?;
    let train_set = Dataset::<f32>::from_mnist(&x_train)?;
    let test_set = Dataset::<f32>::from_mnist(&x_test)?;
    // The book's weights: 0.01 * N(0, 1), here drawn in f64 and kept in f32 like the images.
    let network = TwoLayerNet::<f64>::new(Sizes::MNIST, 0.01, 0)?.map(|w| w as f32);

    let start = Instant::now();
    let outcome = train(
        &network,
        &train_set,
        &test_set,
        &TrainConfig::default(),
        &mut Print,
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let losses = &outcome.losses;
    println!(
        "loss: first iteration {:.4}, mean of the last 100 {:.4}",
        losses[0],
        losses[losses.len() - 100..].iter().sum::<f64>() / 100.0
    );
    println!(
        "after 10000 iterations: train acc {:.4}, test acc {:.4} ({seconds:.2} s)",
        outcome.final_train_accuracy, outcome.final_test_accuracy
    );
    Ok(())
}

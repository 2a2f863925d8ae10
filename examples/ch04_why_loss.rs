//! Chapter 4, section 4.2.5, "why set a loss function?": the accuracy cannot be the objective
//! of training, because its derivative is zero almost everywhere; the loss's is not.
//!
//! A small seeded network (16 inputs, 8 hidden units, 4 classes) is trained for a few steps on
//! a toy task (class `c` lights inputs `4c..4c + 4`, over deterministic noise), so that it gets
//! some images right and some wrong. Then, for every parameter, the book's numerical
//! derivative (central difference) of the batch accuracy and of the batch loss, at the book's
//! `h = 1e-4` and at larger steps: how many are exactly zero. Last, both along a random line
//! `w + t d` through parameter space: the loss moves at every step of `t`, the accuracy in
//! jumps. `nabla why-loss` does the same on real MNIST and draws it.
//!
//! `cargo run --release --example ch04_why_loss`

use nabla::net::nalgebra::DMatrix;
use nabla::net::why_loss::{
    accuracy_jumps, along_line, parameter_norm, random_direction, zero_derivatives,
};
use nabla::net::{Dataset, Error, Sizes, TrainConfig, TwoLayerNet, train};

/// Image `i` of the toy task: its class lights four inputs, the others carry noise in
/// `[0, 0.6)` about half the time.
fn toy_images(n: usize) -> (DMatrix<f64>, Vec<usize>) {
    let labels: Vec<usize> = (0..n).map(|i| (i * 3 + i / 4) % 4).collect();
    let x = DMatrix::from_fn(n, 16, |i, j| {
        let noise = ((i * 7919 + j * 104_729) % 101) as f64 / 101.0;
        if j / 4 == labels[i] {
            0.4 + 0.6 * noise
        } else if noise < 0.5 {
            1.2 * noise
        } else {
            0.0
        }
    });
    (x, labels)
}

fn main() -> Result<(), Error> {
    let (x, labels) = toy_images(100);
    let classes: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
    let data = Dataset::<f64>::new(&x, &classes)?;
    let start = TwoLayerNet::<f64>::new(Sizes::new(16, 8, 4)?, 0.1, 42)?;
    let config = TrainConfig::builder()
        .iterations(40)
        .batch_size(10)
        .learning_rate(0.5)
        .seed(42)
        .build()?;
    let net = train(&start, &data, &data, &config, &mut ())?.net;

    let accuracy = net.accuracy(&x, &labels)?;
    println!(
        "batch accuracy: {} of 100, loss {:.6}",
        (accuracy * 100.0).round(),
        net.loss(&x, &labels)?
    );
    println!(
        "numerical derivatives of the {} parameters that are exactly 0:",
        net.sizes().parameter_count()
    );
    println!(
        "  {:>8}  {:>14}  {:>10}",
        "h", "of the accuracy", "of the loss"
    );
    for h in [1e-4, 1e-2, 1.0] {
        let counts = zero_derivatives(&net, &x, &labels, h)?;
        println!(
            "  {:>8}  {:>15}  {:>11}",
            counts.h_label(),
            counts.accuracy_zero,
            counts.loss_zero
        );
    }

    // Along a random direction as long as the parameters themselves.
    let norm = parameter_norm(&net);
    let d = random_direction::<f64>(net.sizes(), 7)?.map(|v| v * norm);
    let ts: Vec<f64> = (-8..=8).map(|i| f64::from(i) / 8.0).collect();
    let points = along_line(&net, &x, &labels, &d, &ts)?;
    println!("along w + t d (|d| = |w| = {norm:.3}):");
    println!("  {:>6}  {:>10}  {:>8}", "t", "loss", "right");
    for p in &points {
        println!(
            "  {:>6.3}  {:>10.6}  {:>8}",
            p.t,
            p.loss,
            (p.accuracy * 100.0).round()
        );
    }
    println!(
        "the accuracy changes between {} of the {} neighbouring pairs, the loss between {}",
        accuracy_jumps(&points).len(),
        points.len() - 1,
        points.windows(2).filter(|w| w[0].loss != w[1].loss).count()
    );
    Ok(())
}

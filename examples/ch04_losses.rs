//! Chapter 4's loss cells, cell by cell: the target as a one-hot vector, the two example
//! predictions, their arg-max, and both losses on each. The four numbers print exactly as the
//! book's notebook prints them (Rust's `{}` for f64 is the shortest string that reads back as
//! the same number, like Python's `repr`).
//!
//! Run with `cargo run --example ch04_losses`.

use nabla::loss::{
    accuracy, argmax, cross_entropy, cross_entropy_batch, cross_entropy_labels, one_hot,
    softmax_cross_entropy_labels, softmax_rows, squared_error,
};
use nalgebra::DMatrix;

/// The book's prediction that is right: class 2 with probability 0.6.
const RIGHT: [f64; 10] = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
/// The book's prediction that is wrong: class 7 with probability 0.6.
const WRONG: [f64; 10] = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0];

fn main() -> Result<(), nabla::loss::Error> {
    // t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]: the answer is "2".
    let t: DMatrix<f64> = one_hot(&[2_u8], 10)?;
    let t = t.as_slice();
    println!("t = one_hot(2) = {t:?}");

    for (name, y) in [("right", RIGHT), ("wrong", WRONG)] {
        println!();
        println!("y ({name}) = {y:?}");
        match argmax(&y) {
            Some(class) => println!("  argmax(y)            = {class}"),
            None => println!("  argmax(y)            = none (empty prediction)"),
        }
        println!("  squared_error(y, t)  = {}", squared_error(&y, t)?);
        println!("  cross_entropy(y, t)  = {}", cross_entropy(&y, t)?);
    }

    // Both predictions as one batch with label targets: the mean of the two losses.
    let batch = DMatrix::from_row_slice(2, 10, &[RIGHT, WRONG].concat());
    let labels = [2_u8, 2];
    println!();
    println!("batch of both, labels {labels:?}:");
    println!(
        "  cross_entropy_labels = {}",
        cross_entropy_labels(&batch, &labels)?
    );
    // The same targets one-hot: the same loss, bit for bit.
    let one_hot_targets: DMatrix<f64> = one_hot(&labels, 10)?;
    println!(
        "  cross_entropy_batch (one-hot targets) = {}",
        cross_entropy_batch(&batch, &one_hot_targets)?
    );
    println!("  accuracy             = {}", accuracy(&batch, &labels)?);

    // On logits, softmax and cross-entropy in one stable step: finite where the book's
    // ln(softmax + 1e-7) saturates at -ln(1e-7).
    let z = DMatrix::from_row_slice(1, 3, &[1000.0, -1000.0, 0.0]);
    println!();
    println!("logits [1000, -1000, 0], label 1:");
    println!(
        "  softmax_cross_entropy_labels      = {}",
        softmax_cross_entropy_labels(&z, &[1_u8])?
    );
    println!(
        "  cross_entropy_labels(softmax(z))  = {}",
        cross_entropy_labels(&softmax_rows(&z), &[1_u8])?
    );
    Ok(())
}

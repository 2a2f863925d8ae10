//! Chapter 4, gradient descent on `f(x0, x1) = x0^2 + x1^2` from (-3, 4), 100 steps, with the
//! book's numerical gradient (central, `h = 1e-4`): a good learning rate (0.1), one far too
//! large (10, which diverges) and one far too small (1e-10, which barely moves).
//!
//! Values print with Rust's shortest round-trip formatting, so they compare digit by digit
//! with the book's output.

use nabla::numdiff::{Error, GradientDescent, gradient_descent};

fn function_2(x: &[f64]) -> f64 {
    x[0].powi(2) + x[1].powi(2)
}

fn main() -> Result<(), Error> {
    let init = [-3.0, 4.0];
    for lr in [0.1, 10.0, 1e-10] {
        let end = gradient_descent(function_2, &init, &GradientDescent::new(lr, 100))?;
        println!("lr = {lr:?}: x = {:?}", end.x);
    }

    // The book plots the path for lr = 0.1; here are its first points.
    let run = gradient_descent(
        function_2,
        &init,
        &GradientDescent::new(0.1, 20).with_path(),
    )?;
    println!("path with lr = 0.1 (first 5 of {} points):", run.path.len());
    for p in run.path.iter().take(5) {
        println!("  {p:?}");
    }
    Ok(())
}

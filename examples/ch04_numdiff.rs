//! Chapter 4, numerical differentiation: the derivative of `0.01x^2 + 0.1x` at 5 and 10 with
//! its tangent lines, the partial derivatives of `x0^2 + x1^2`, and its gradient at three
//! points, all with the book's central difference (`h = 1e-4`). Then the same derivative with
//! the default step and with Richardson extrapolation, to compare.
//!
//! Values print with Rust's shortest round-trip formatting, so they compare digit by digit
//! with the book's output.

use nabla::numdiff::{Error, Options, Richardson, derivative, gradient_at, richardson};

fn function_1(x: f64) -> f64 {
    0.01 * x.powi(2) + 0.1 * x
}

fn function_2(x: &[f64]) -> f64 {
    x[0].powi(2) + x[1].powi(2)
}

fn main() -> Result<(), Error> {
    let book = Options::book();

    println!(
        "numerical_diff(function_1, 5)  = {}",
        derivative(function_1, 5.0, book)?
    );
    println!(
        "numerical_diff(function_1, 10) = {}",
        derivative(function_1, 10.0, book)?
    );
    println!("(exact: 0.2 and 0.3)");

    for x0 in [5.0, 10.0] {
        let slope = derivative(function_1, x0, book)?;
        let intercept = function_1(x0) - slope * x0;
        // The book's tangent_line: y = slope * x + (f(x0) - slope * x0).
        println!("tangent at x = {x0}: y = {slope} * x + ({intercept})");
        let samples: Vec<String> = [0.0, 5.0, 10.0, 15.0, 20.0]
            .iter()
            .map(|&x| {
                format!(
                    "({x}, f {:.4}, tangent {:.4})",
                    function_1(x),
                    slope * x + intercept
                )
            })
            .collect();
        println!("  {}", samples.join(" "));
    }

    // Partial derivatives at (3, 4): fix one variable, differentiate in the other.
    let tmp1 = |x0: f64| x0 * x0 + 4.0f64.powi(2);
    let tmp2 = |x1: f64| 3.0f64.powi(2) + x1 * x1;
    println!("d f / d x0 at (3, 4) = {}", derivative(tmp1, 3.0, book)?);
    println!("d f / d x1 at (3, 4) = {}", derivative(tmp2, 4.0, book)?);

    for p in [[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]] {
        println!(
            "numerical_gradient(function_2, {p:?}) = {:?}",
            gradient_at(function_2, &p, book)?
        );
    }

    println!();
    println!("Beyond the book, d/dx function_1 at 5 (exact 0.2):");
    println!(
        "  central, h = 1e-4 (book):      {}",
        derivative(function_1, 5.0, book)?
    );
    println!(
        "  central, h = cbrt(eps) * 5:    {} (a quadratic has no truncation error: only rounding, which a larger h shrinks)",
        derivative(function_1, 5.0, Options::default())?
    );
    let r = richardson(function_1, 5.0, Richardson::default())?;
    println!(
        "  Richardson extrapolation:      {} (error estimate {:e})",
        r.value, r.error
    );
    println!(
        "  central, h = 1e-50:            {} (x + h == x: the book's warning)",
        derivative(
            function_1,
            5.0,
            Options::fixed(nabla::numdiff::Scheme::Central, 1e-50)
        )?
    );
    Ok(())
}

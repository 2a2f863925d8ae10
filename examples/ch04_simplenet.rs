//! Chapter 4, "gradients of a neural network": the book's `simpleNet` with the weights of
//! its printed run, its prediction, arg-max, loss, and the gradient `dW` by the book's
//! numerical differentiation, then the same gradient by backpropagation and by dual numbers.
//!
//! Values print with Rust's shortest round-trip formatting. With `W` exactly as printed in
//! the book, the loss is 0.9280682857864075 (the book prints 0.92806853663411326 from its
//! unrounded random `W`).

use nabla::net::SimpleNet;
use nabla::net::nalgebra::{DMatrix, DVector};

fn print_matrix(name: &str, m: &DMatrix<f64>) {
    println!("{name} =");
    for row in m.row_iter() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:>22}")).collect();
        println!("  [{}]", cells.join(", "));
    }
}

fn main() -> Result<(), nabla::net::Error> {
    let w = DMatrix::from_row_slice(
        2,
        3,
        &[
            0.47355232, 0.9977393, 0.84668094, 0.85557411, 0.03563661, 0.69422093,
        ],
    );
    let net = SimpleNet::new(w)?;
    print_matrix("net.W", net.w());

    let x = DVector::from_row_slice(&[0.6, 0.9]);
    let p = net.predict(&x)?;
    println!("p = net.predict([0.6, 0.9]) = {:?}", p.as_slice());
    println!("np.argmax(p) = {}", p.argmax().0);
    let t = 2; // t = [0, 0, 1]
    println!("net.loss(x, t) = {}", net.loss(&x, t)?);

    let numerical = net.numerical_gradient(&x, t, 1e-4)?;
    print_matrix(
        "dW = numerical_gradient(f, net.W)   (central, h = 1e-4)",
        &numerical,
    );
    let analytic = net.backprop(&x, t)?;
    print_matrix("dW by backpropagation, x (softmax(x W) - t)^T", &analytic);
    let dual = net.dual_gradient(&x, t)?;
    print_matrix(
        "dW by dual numbers (forward mode, one pass of DualVec<f64, 8>)",
        &dual,
    );
    let worst = |a: &DMatrix<f64>, b: &DMatrix<f64>| (a - b).amax();
    println!(
        "max |numerical - backprop| = {:e}",
        worst(&numerical, &analytic)
    );
    println!("max |dual - backprop|      = {:e}", worst(&dual, &analytic));
    Ok(())
}

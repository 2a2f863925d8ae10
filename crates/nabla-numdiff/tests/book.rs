//! The book's chapter 4 numbers, reproduced exactly (see REFERENCE.md).

use nabla_numdiff::{
    GradientDescent, Options, derivative, gradient, gradient_at, gradient_descent,
};

fn function_1(x: f64) -> f64 {
    0.01 * x.powi(2) + 0.1 * x
}

fn function_2(x: &[f64]) -> f64 {
    x[0].powi(2) + x[1].powi(2)
}

#[test]
fn numerical_diff_at_5_and_10() {
    assert_eq!(
        derivative(function_1, 5.0, Options::book()).unwrap(),
        0.1999999999990898
    );
    assert_eq!(
        derivative(function_1, 10.0, Options::book()).unwrap(),
        0.2999999999986347
    );
}

#[test]
fn numerical_gradient_at_three_points() {
    let book = Options::book();
    assert_eq!(
        gradient_at(function_2, &[3.0, 4.0], book).unwrap(),
        [6.00000000000378, 7.999999999999119]
    );
    // The book prints [0. 4.] and [6. 0.]: NumPy's default 8 significant digits. The f64
    // values behind those prints (the same arithmetic in Python floats) are exactly these.
    let g = gradient_at(function_2, &[0.0, 2.0], book).unwrap();
    assert_eq!(g, [0.0, 4.000000000004]);
    assert_8_digits(&g, [0.0, 4.0]);
    let g = gradient_at(function_2, &[3.0, 0.0], book).unwrap();
    assert_eq!(g, [6.000000000012662, 0.0]);
    assert_8_digits(&g, [6.0, 0.0]);
    // The same through an in-place nalgebra vector.
    let mut v = nalgebra::DVector::from_vec(vec![3.0, 4.0]);
    let g = gradient(&mut v, |v| function_2(v.as_slice()), book).unwrap();
    assert_eq!(g, [6.00000000000378, 7.999999999999119]);
}

/// NumPy's default print: 8 digits after the point.
fn assert_8_digits(got: &[f64], want: [f64; 2]) {
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            format!("{g:.8}"),
            format!("{w:.8}"),
            "got {got:?}, want {want:?}"
        );
    }
}

/// The book prints 9 significant digits; compare to that precision.
fn assert_9_digits(got: &[f64], want: [f64; 2]) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-8 * w.abs(),
            "got {got:?}, want {want:?}"
        );
    }
}

#[test]
fn gradient_descent_three_learning_rates() {
    let init = [-3.0, 4.0];
    let run = |lr| {
        gradient_descent(function_2, &init, &GradientDescent::new(lr, 100))
            .unwrap()
            .x
    };
    assert_9_digits(&run(0.1), [-6.11110793e-10, 8.14814391e-10]);
    assert_9_digits(&run(10.0), [-2.58983747e+13, -1.29524862e+12]);
    assert_9_digits(&run(1e-10), [-2.99999994, 3.99999992]);
}

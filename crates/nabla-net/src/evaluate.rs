//! Accuracy of a network on a whole data set, on the fast path.

use crate::check::check_batch;
use crate::engine::Engine;
use crate::{Dataset, Error, Precision, TwoLayerNet};

/// The fraction of `data` that `net` classifies right (largest logit at the label, ties to
/// the first class), computed on the fast path: sparse inputs, rows split across rayon's
/// threads. The same number as [`TwoLayerNet::accuracy`] on the dense matrix, faster.
///
/// # Errors
///
/// [`Error::Shape`] if the images do not have one column per input, [`Error::Empty`] if there
/// are none (an accuracy of nothing is undefined, as for [`TwoLayerNet::accuracy`]),
/// [`Error::Label`] if a label has no output.
pub fn evaluate<T: Precision>(net: &TwoLayerNet<T>, data: &Dataset<T>) -> Result<f64, Error> {
    let sizes = net.sizes();
    let images = data.images();
    check_batch(
        "the data set",
        sizes.input,
        sizes.output,
        (images.nrows(), images.ncols()),
        data.labels(),
    )?;
    Ok(Engine::from_net(net).accuracy(images, data.labels()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sizes;
    use crate::test_util::small_problem;
    use nalgebra::DMatrix;

    #[test]
    fn equals_the_generic_accuracy() {
        let (net, x, labels) = small_problem(Sizes::new(20, 6, 4).unwrap(), 1200, 31);
        let t: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
        let data = Dataset::<f64>::new(&x, &t).unwrap();
        let fast = evaluate(&net, &data).unwrap();
        assert_eq!(fast, net.accuracy(&x, &labels).unwrap());
        assert!(fast > 0.0 && fast < 1.0);
        let bad = Dataset::<f64>::new(&x.columns(0, 19).into_owned(), &t).unwrap();
        assert_eq!(
            evaluate(&net, &bad).unwrap_err().to_string(),
            "shape mismatch: inputs per sample in the data set: expected 20, got 19"
        );
        let empty = Dataset::<f64>::new(&DMatrix::<f64>::zeros(0, 20), &[]).unwrap();
        assert!(matches!(
            evaluate(&net, &empty),
            Err(Error::Empty {
                what: "the data set"
            })
        ));
        let mut t2 = t.clone();
        t2[7] = 4;
        assert!(matches!(
            evaluate(&net, &Dataset::<f64>::new(&x, &t2).unwrap()),
            Err(Error::Label {
                row: 7,
                label: 4,
                classes: 4
            })
        ));
    }
}

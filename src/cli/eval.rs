//! `nabla eval`: the accuracy of a saved model on the MNIST test set.

use std::path::PathBuf;

use nabla::data::{CLASSES, Split};
use nabla::net::{Dataset, Precision, SavedNet, TwoLayerNet, evaluate, load_model};

use super::CliResult;
use super::data::DataArgs;

/// Arguments of `nabla eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A model written by `nabla train` (its `model.json`).
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Where MNIST comes from.
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `nabla eval`.
pub fn run(args: Args) -> CliResult {
    let saved = load_model(&args.model)?;
    let test = super::data::load(&args.data, Split::Test)?;
    if test.is_empty() {
        return Err("the MNIST test set has no images: there is nothing to evaluate on".into());
    }
    let sizes = saved.sizes();
    // A model made for other data would be refused by `evaluate` too; saying so here names
    // the file and what does not match.
    if sizes.input != test.image_len() {
        return Err(format!(
            "{}: the model ({sizes}, {}) takes {} inputs, but the MNIST test images have {} \
             pixels: it was not trained on this data",
            args.model.display(),
            saved.precision(),
            sizes.input,
            test.image_len()
        )
        .into());
    }
    if sizes.output < CLASSES {
        return Err(format!(
            "{}: the model ({sizes}, {}) has {} outputs, fewer than MNIST's {CLASSES} classes",
            args.model.display(),
            saved.precision(),
            sizes.output
        )
        .into());
    }
    let accuracy = match &saved {
        SavedNet::F32(net) => accuracy(net, &test)?,
        SavedNet::F64(net) => accuracy(net, &test)?,
        _ => return Err("this model's precision is not supported by this build".into()),
    };
    outln!(
        "test accuracy {accuracy:.4} on {} images (model {}-{}-{}, {}, {})",
        test.len(),
        sizes.input,
        sizes.hidden,
        sizes.output,
        saved.precision(),
        args.model.display()
    )?;
    Ok(())
}

fn accuracy<T: Precision>(
    net: &TwoLayerNet<T>,
    test: &nabla::data::Mnist,
) -> Result<f64, Box<dyn std::error::Error>> {
    let data = Dataset::<T>::from_mnist(test)?;
    Ok(evaluate(net, &data)?)
}

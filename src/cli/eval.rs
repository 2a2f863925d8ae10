//! `nabla eval`: the accuracy of a saved model on the MNIST test set.

use std::path::PathBuf;

use nabla::data::{MnistOptions, MnistSource, Split};
use nabla::net::{Dataset, Precision, SavedNet, TwoLayerNet, evaluate, load_model};

use super::CliResult;

/// Arguments of `nabla eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A model written by `nabla train` (its `model.json`).
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// Directory with the MNIST files (default: $MNIST_DIR, else the per-user cache,
    /// downloading on first use).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

/// Runs `nabla eval`.
pub fn run(args: Args) -> CliResult {
    let saved = load_model(&args.model)?;
    if let Some(dir) = &args.data
        && !dir.is_dir()
    {
        return Err(format!("data directory {} does not exist", dir.display()).into());
    }
    let source = args
        .data
        .clone()
        .map_or_else(MnistSource::new, MnistSource::dir);
    let test = source.load(Split::Test, MnistOptions::default(), &mut |_| {})?;
    let sizes = saved.sizes();
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

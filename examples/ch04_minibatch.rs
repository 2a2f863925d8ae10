//! Chapter 4's mini-batch cells: load MNIST as the book's `load_mnist` does, print the shapes,
//! the raw pixels of `x_train[0]` and its one-hot target, then draw a batch of 10 with
//! replacement (`np.random.choice(60000, 10)`) and print its shapes.
//!
//! Run with `cargo run --release --example ch04_minibatch [-- DIR]`. The files come from DIR,
//! else `$MNIST_DIR`, else the per-user cache (downloaded and verified on first use).

use nabla::data::{
    BatchSampler, Event, MnistOptions, MnistSource, Sampling, Targets, load_mnist_with_progress,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let source = std::env::args_os()
        .nth(1)
        .map_or_else(MnistSource::new, MnistSource::dir);
    let mut progress = |event: Event<'_>| match event {
        Event::Started { url, .. } => eprintln!("downloading {url}"),
        Event::Rejected { error, .. } => eprintln!("rejected: {error}"),
        _ => {}
    };

    // (x_train, t_train), (x_test, t_test) = load_mnist(flatten=True, normalize=False)
    let options = MnistOptions::default().with_normalize(false);
    let (train, test) = load_mnist_with_progress(&source, options, &mut progress)?;
    println!("x_train.shape = {:?}", train.images().shape());
    println!("t_train.shape = ({},)", train.labels().len());
    println!("x_test.shape = {:?}", test.images().shape());
    println!("t_test.shape = ({},)", test.labels().len());

    // img = x_train[0]; label = t_train[0]; img.reshape(28, 28)
    let (rows, cols) = train.image_shape();
    println!(
        "x_train[0] as {rows} x {cols}, label t_train[0] = {}:",
        train.labels()[0]
    );
    let image = train.images().row(0);
    for r in 0..rows {
        let line: Vec<String> = (0..cols)
            .map(|c| format!("{:4}", image[r * cols + c]))
            .collect();
        println!("{}", line.join(""));
    }

    // load_mnist(normalize=True, one_hot_label=True)
    let options = MnistOptions::default().with_one_hot_label(true);
    let (train, _) = load_mnist_with_progress(&source, options, &mut progress)?;
    let Targets::OneHot(t_train) = train.targets() else {
        return Err("one_hot_label: true gives one-hot targets".into());
    };
    println!("t_train.shape = {:?}", t_train.shape());
    let first: Vec<f32> = t_train.row(0).iter().copied().collect();
    println!("t_train[0] = {first:?}");

    // batch_mask = np.random.choice(train_size, batch_size)
    let mut sampler = BatchSampler::new(train.len(), 10, Sampling::WithReplacement, 0)?;
    let mask = sampler.next_batch().to_vec();
    let (mut x_batch, mut t_batch) = (Default::default(), Default::default());
    train.fill_batch(&mask, &mut x_batch, &mut t_batch);
    println!("batch_mask = {mask:?}");
    println!("x_batch.shape = {:?}", x_batch.shape());
    println!("t_batch.shape = {:?}", t_batch.shape());
    Ok(())
}

//! TEMP timing harness (not committed).
use nabla_data::{Mnist, MnistOptions, Split};
use nabla_net::*;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let t0 = Instant::now();
    let train_m = Mnist::load(&dir, Split::Train, MnistOptions::default()).unwrap();
    let test_m = Mnist::load(&dir, Split::Test, MnistOptions::default()).unwrap();
    println!("load {:?}", t0.elapsed());
    let t0 = Instant::now();
    let tr = Dataset::<f32>::new(train_m.images(), train_m.labels()).unwrap();
    let te = Dataset::<f32>::new(test_m.images(), test_m.labels()).unwrap();
    println!("sparse {:?} density {}", t0.elapsed(), tr.density());
    let net = TwoLayerNet::<f32>::new(Sizes::MNIST, 0.01, 0).unwrap();
    let mut cfg = TrainConfig::default();
    if let Some(it) = std::env::args().nth(2) { cfg.iterations = it.parse().unwrap(); }
    if let Some(e) = std::env::args().nth(3) { cfg.eval_every = Some(e.parse().unwrap()); }
    let t0 = Instant::now();
    let out = train(&net, &tr, &te, &cfg, &mut ()).unwrap();
    println!("train {:?} final train {} test {}", t0.elapsed(), out.final_train_accuracy, out.final_test_accuracy);
    let t0 = Instant::now();
    for _ in 0..5 { std::hint::black_box(out.net.clone()); }
    let e = Instant::now();
    let _ = e;
    println!("{:?}", t0.elapsed());
}

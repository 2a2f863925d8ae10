//! Every command that may download MNIST: `--mirror URL` is the server it asks, each download
//! is logged in plain lines when stderr is not a terminal (a log file, CI: indicatif draws no
//! bar there), and a failure ends with the advice of nabla-data's error (files you have,
//! another mirror).

use nabla::net::{Sizes, TwoLayerNet, save_model};
use nabla_data::test_http as http;

use crate::util::{command, failed_cleanly, file_names, mnist_dir, path, stderr};

#[test]
fn every_command_downloads_from_its_mirror_and_logs_it() {
    // A mirror that answers every file with 1000 bytes that are not it.
    let base = http::serve(|_| http::Reply::Body(vec![0x5a; 1000]));
    let scratch = tempfile::tempdir().expect("temporary directory");
    let model = scratch.path().join("model.json");
    let net = TwoLayerNet::<f32>::new(Sizes::new(784, 3, 10).expect("sizes"), 0.1, 0);
    save_model(&net.expect("a valid network"), &model).expect("save a model");
    let out = scratch.path().join("out");
    let commands: [(&[&str], &str); 4] = [
        (
            &["train", "--out", path(&out)],
            "train-images-idx3-ubyte.gz",
        ),
        (
            &["why-loss", "--out", path(&out)],
            "train-images-idx3-ubyte.gz",
        ),
        (&["gradcheck"], "train-images-idx3-ubyte.gz"),
        (
            &["eval", "--model", path(&model)],
            "t10k-images-idx3-ubyte.gz",
        ),
    ];
    for (args, first) in commands {
        // An empty data directory: the files are fetched into it, never into the user's cache.
        let data = tempfile::tempdir().expect("temporary directory");
        let o = command()
            .args(args)
            .args(["--data", path(data.path()), "--mirror", &base])
            .output()
            .expect("run the nabla binary");
        let url = format!("{base}/{first}");
        let err = failed_cleanly(
            &o,
            &[
                &format!("downloading {url}\n"),
                &format!("{url}: "),
                &format!("error: could not download {first}"),
                "set $MNIST_DIR to their directory",
                "set $NABLA_MNIST_MIRROR to its URL",
            ],
        );
        for default in nabla_data::DEFAULT_MIRRORS {
            assert!(!err.contains(default), "{args:?} asked {default}: {err}");
        }
        assert!(file_names(data.path()).is_empty(), "{args:?}");
    }
}

#[test]
fn real_mnist_train_downloads_from_its_mirror_with_log_lines() {
    let Some(real) = mnist_dir("real_mnist_train_downloads_from_its_mirror_with_log_lines") else {
        return;
    };
    let base = http::serve(http::files(real.into()));
    let data = tempfile::tempdir().expect("temporary directory");
    let out = tempfile::tempdir().expect("temporary directory");
    let o = command()
        .args(["train", "--iters", "1", "--data", path(data.path())])
        .args(["--mirror", &base, "--out", path(out.path())])
        .output()
        .expect("run the nabla binary");
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    for name in [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        assert!(
            err.contains(&format!("downloading {base}/{name}\n")),
            "{err}"
        );
        let saved = format!("{name}: downloaded to {}", data.path().join(name).display());
        assert!(err.contains(&format!("{saved}, checksum ok\n")), "{err}");
    }
    assert_eq!(file_names(data.path()).len(), 4);
}

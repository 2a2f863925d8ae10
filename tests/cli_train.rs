//! `nabla train`, `nabla eval` and `nabla gradcheck` end to end, on small MNIST-format files
//! written here (so they run offline, without `$MNIST_DIR`): wrong values exit non-zero with a
//! message and no panic; a short run writes its report, charts and model; the same seed gives
//! the same report; `nabla eval` reproduces the report's test accuracy; odd counts, huge sizes,
//! empty splits and models made for other data are errors that say what is wrong.

use std::path::Path;
use std::process::Output;

use nabla::net::{Sizes, TwoLayerNet, save_model};

use crate::util::{
    assert_nothing_left, command, eventually, failed_cleanly, fails, nabla, path, stderr,
    tiny_mnist,
};

#[test]
fn wrong_values_are_refused_with_a_message() {
    let data = tiny_mnist(20, 10);
    let d = path(data.path());
    // A subcommand on the small data set, the flags that make it fail, and what its message
    // must say.
    let cases: &[(&str, &[&str], &str)] = &[
        ("train", &["--batch", "0"], "must be at least 1, got 0"),
        ("train", &["--batch", "-3"], "must be at least 1, got -3"),
        ("train", &["--iters", "0"], "must be at least 1, got 0"),
        ("train", &["--iters", "-5"], "must be at least 1, got -5"),
        ("train", &["--iters", "ten"], "expected a whole number"),
        ("train", &["--lr", "0"], "greater than 0, got 0"),
        ("train", &["--lr", "-0.1"], "greater than 0, got -0.1"),
        ("train", &["--lr", "nan"], "greater than 0, got NaN"),
        ("train", &["--hidden", "0"], "must be at least 1"),
        ("train", &["--precision", "f16"], "f16"),
        ("train", &["--grad", "magic"], "magic"),
        (
            "train",
            &["--grad", "numerical", "--precision", "f32"],
            "--precision f64",
        ),
        ("train", &["--seed", "-1"], "must be non-negative, got -1"),
        (
            "eval",
            &["--model", "/no/such/model.json"],
            "/no/such/model.json",
        ),
        ("gradcheck", &["--batch", "0"], "must be at least 1, got 0"),
        (
            "gradcheck",
            &["--batch", "21"],
            "more than the 20 training images",
        ),
    ];
    for (command, flags, message) in cases {
        fails(&[&[*command, "--data", d], *flags].concat(), message);
    }
    fails(
        &["train", "--data", "/no/such/dir/for/nabla"],
        "/no/such/dir/for/nabla does not exist",
    );
    let file = data.path().join("train-labels-idx1-ubyte");
    fails(
        &["train", "--data", path(&file)],
        &format!("--data {} is not a directory", path(&file)),
    );
}

fn report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// The report without the fields that measure time or memory.
fn without_timings(mut r: serde_json::Value) -> serde_json::Value {
    let map = r.as_object_mut().expect("an object");
    for key in [
        "train_seconds",
        "load_seconds",
        "prepare_seconds",
        "step_seconds",
        "evaluation_seconds",
        "peak_memory_bytes",
        "threads",
    ] {
        assert!(map.remove(key).is_some(), "report lacks {key}");
    }
    let timings = map["timings"].as_object_mut().expect("timings");
    for key in ["step_seconds", "evaluation_seconds"] {
        assert!(timings.remove(key).is_some(), "report lacks timings.{key}");
    }
    r
}

#[test]
fn a_short_run_writes_everything_and_reproduces() {
    let data = tiny_mnist(200, 50);
    let d = path(data.path());
    let outs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for out in &outs {
        let o = short_run(data.path(), out.path(), &["--lr", "0.5", "--seed", "3"]);
        let stdout = stdout_of_success(&o);
        assert!(
            stdout.contains("300 iterations (backprop, f32)"),
            "{stdout}"
        );
    }
    let r = report(outs[0].path());
    assert_eq!(r["config"]["iterations"], 300);
    assert_eq!(r["config"]["batch_size"], 20);
    assert_eq!(r["config"]["grad"], "backprop");
    assert_eq!(r["config"]["precision"], "f32");
    let epochs = r["epochs"].as_array().expect("epochs");
    let at: Vec<u64> = epochs
        .iter()
        .map(|e| e["iteration"].as_u64().unwrap())
        .collect();
    assert_eq!(at, [0, 100, 200]);
    let test = r["final_test_accuracy"]
        .as_f64()
        .expect("final_test_accuracy");
    assert!(r["final_train_accuracy"].as_f64().unwrap() > 0.9);
    assert!(test > 0.9, "{test}");
    assert!(r["train_seconds"].as_f64().unwrap() > 0.0);
    // The loop's time, steps and evaluations apart: 300 steps, evaluations after iterations
    // 0, 100 and 200 and after the last.
    let t = &r["timings"];
    assert_eq!(
        (t["steps"].as_u64(), t["evaluations"].as_u64()),
        (Some(300), Some(4))
    );
    let seconds = |key: &str| r[key].as_f64().unwrap();
    assert!(seconds("step_seconds") > 0.0 && seconds("evaluation_seconds") > 0.0);
    assert!(
        300.0 * seconds("step_seconds") + 4.0 * seconds("evaluation_seconds")
            <= seconds("train_seconds")
    );
    assert_eq!(
        r["loss"]["mean_per_100_iterations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    for png in ["loss.png", "accuracy.png"] {
        let bytes = std::fs::read(outs[0].path().join(png)).expect(png);
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{png}");
    }
    assert_eq!(without_timings(r), without_timings(report(outs[1].path())));

    // nabla eval on the saved model gives the report's test accuracy.
    let model = outs[0].path().join("model.json");
    let o = nabla(&["eval", "--model", path(&model), "--data", d]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout.contains(&format!("test accuracy {test:.4} on 50 images")),
        "{stdout}"
    );

    // A damaged model is an error, not a panic.
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::write(&model, &text[..text.len() / 3]).unwrap();
    eval_fails(&model, d, "not a valid nabla model file");
}

#[test]
fn numerical_dual_and_reverse_training_run_on_a_small_network() {
    let data = tiny_mnist(60, 20);
    let d = path(data.path());
    for grad in ["numerical", "dual", "reverse"] {
        let out = tempfile::tempdir().unwrap();
        let o = train(
            d,
            out.path(),
            "--iters 5 --batch 4 --hidden 3 --grad",
            &[grad],
        );
        assert!(o.status.success(), "{grad}: {}", stderr(&o));
        let r = report(out.path());
        assert_eq!(r["config"]["grad"], grad);
        assert_eq!(r["config"]["precision"], "f64");
    }
}

/// Reverse mode differentiates the generic formula, backprop is hand-written: the same
/// seed gives the same trained weights to rounding.
#[test]
fn reverse_mode_trains_the_same_network_as_backprop() {
    let data = tiny_mnist(60, 20);
    let d = path(data.path());
    let model = |grad: &str| -> Vec<f64> {
        let out = tempfile::tempdir().unwrap();
        // Random pixels and labels: the loss need not fall; the weights are compared.
        let flags = "--iters 30 --batch 8 --hidden 5 --lr 0.5 --precision f64 --allow-divergence";
        let o = train(d, out.path(), flags, &["--grad", grad]);
        assert!(o.status.success(), "{grad}: {}", stderr(&o));
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("model.json")).unwrap()).unwrap();
        let mut flat = Vec::new();
        collect_numbers(&m, &mut flat);
        flat
    };
    let (back, reverse) = (model("backprop"), model("reverse"));
    assert!(back.len() > 100, "{}", back.len());
    assert_eq!(back.len(), reverse.len());
    let worst = back
        .iter()
        .zip(&reverse)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-12, "{worst}");
}

/// Every number in a JSON value, in document order.
fn collect_numbers(v: &serde_json::Value, out: &mut Vec<f64>) {
    match v {
        serde_json::Value::Number(n) => out.extend(n.as_f64()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_numbers(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_numbers(x, out)),
        _ => {}
    }
}

#[test]
fn gradcheck_compares_the_five_gradients() {
    let data = tiny_mnist(20, 10);
    let o = nabla(&[
        "gradcheck",
        "--data",
        path(data.path()),
        "--batch",
        "3",
        "--hidden",
        "4",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [
        "backprop",
        "reverse",
        "structure-aware",
        "brute force",
        "dual",
    ] {
        assert!(stdout.contains(name), "{name} missing from: {stdout}");
    }
    // Ten pairs, each with its worst element ("a vs b: ... x vs y").
    assert_eq!(stdout.matches(" vs ").count(), 10 + 10, "{stdout}");
    for exact in ["  backprop vs dual", "  backprop vs reverse"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(exact))
            .unwrap_or_else(|| panic!("{exact} line missing from: {stdout}"));
        let worst: f64 = line
            .split_once("): ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("a number after the colon");
        assert!(worst < 1e-15, "{line}");
    }
}

#[test]
fn odd_counts_and_huge_sizes_are_errors_not_panics() {
    let data = tiny_mnist(20, 10);
    let d = path(data.path());
    let out = tempfile::tempdir().expect("temporary directory");
    let o = path(out.path());
    // A batch larger than the training set (drawn with replacement it would be possible, but
    // it is a mistake; gradcheck refuses it too, above).
    fails(
        &["train", "--data", d, "--batch", "21", "--out", o],
        "batch size 21 is more than the 20 samples of the training set",
    );
    // A network larger than any model file may hold is refused before its weights are
    // allocated (1.25e19 bytes); one whose parameters cannot even be counted, too.
    fails(
        &[
            "train",
            "--data",
            d,
            "--hidden",
            "2000000000000000",
            "--out",
            o,
        ],
        "--hidden 2000000000000000 makes 1590000000000000010 parameters, more than the \
         67108864 a model file may hold",
    );
    fails(
        &[
            "train",
            "--data",
            d,
            "--hidden",
            "18446744073709551615",
            "--out",
            o,
        ],
        "its parameter count does not fit in a usize",
    );
    fails(
        &["gradcheck", "--data", d, "--hidden", "18446744073709551615"],
        "is too large",
    );
    // The largest iteration count is not allocated up front: the run starts, and this
    // learning rate makes it diverge at once. The number prints short.
    fails(
        &[
            "train",
            "--data",
            d,
            "--iters",
            "18446744073709551615",
            "--batch",
            "4",
            "--lr",
            "1e308",
            "--out",
            o,
        ],
        "training diverged; try a smaller learning rate than 1e308",
    );
    fails(
        &["train", "--data", d, "--lr", "-1e300", "--out", o],
        "greater than 0, got -1e300",
    );
    // None of the failed runs left a file behind.
    assert_nothing_left(out.path());
}

#[test]
fn an_empty_test_set_is_an_error() {
    let out = tempfile::tempdir().expect("temporary directory");
    let data = tiny_mnist(20, 0);
    let d = path(data.path());
    fails(
        &[
            "train",
            "--data",
            d,
            "--iters",
            "5",
            "--batch",
            "4",
            "--out",
            path(out.path()),
        ],
        "the test set is empty",
    );
    let model = out.path().join("model.json");
    let net = TwoLayerNet::<f32>::new(Sizes::MNIST, 0.01, 0).expect("a valid network");
    save_model(&net, &model).expect("save a model");
    eval_fails(&model, d, "the MNIST test set has no images");
}

#[test]
fn eval_refuses_models_made_for_other_data() {
    let data = tiny_mnist(20, 10);
    let d = path(data.path());
    let dir = tempfile::tempdir().expect("temporary directory");
    let model = |name: &str, sizes: Sizes| {
        let p = dir.path().join(name);
        let net = TwoLayerNet::<f32>::new(sizes, 0.1, 0).expect("a valid network");
        save_model(&net, &p).expect("save a model");
        p
    };
    let narrow = model("narrow.json", Sizes::new(5, 2, 10).unwrap());
    fails(
        &["eval", "--model", path(&narrow), "--data", d],
        "narrow.json: the model (5-2-10, f32) takes 5 inputs, but the MNIST test images have \
         784 pixels",
    );
    let few = model("few.json", Sizes::new(784, 2, 3).unwrap());
    eval_fails(
        &few,
        d,
        "few.json: the model (784-2-3, f32) has 3 outputs, fewer than MNIST's 10 classes",
    );
    // More outputs than classes is an odd model, not a wrong one: it is evaluated.
    let many = model("many.json", Sizes::new(784, 2, 11).unwrap());
    let o = nabla(&["eval", "--model", path(&many), "--data", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("on 10 images (model 784-2-11, f32"));

    // Hand-edited files: a value finite in f64 but not in the model's f32, and sizes whose
    // parameter count overflows.
    let good = std::fs::read_to_string(&many).unwrap();
    let edited = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let overflow = edited(
        "overflow.json",
        good.replacen("\"b1\":[0.0", "\"b1\":[1e39", 1),
    );
    eval_fails(&overflow, d, "b1[0] = 1e39 is not a finite f32");
    let huge = edited(
        "huge.json",
        good.replace("\"hidden\":2", "\"hidden\":9223372036854775807"),
    );
    fails(
        &["eval", "--model", path(&huge), "--data", d],
        "huge.json: not a valid nabla model file: the network 784-9223372036854775807-11 is too \
         large",
    );
}

#[test]
fn train_size_trains_on_the_first_images_and_reports_the_gap() {
    let data = tiny_mnist(200, 50);
    let d = path(data.path());
    fails(
        &["train", "--data", d, "--train-size", "0"],
        "must be at least 1, got 0",
    );
    fails(
        &["train", "--data", d, "--train-size", "201"],
        "--train-size 201 is more than the 200 training images",
    );
    fails(
        &["train", "--data", d, "--train-size", "10", "--batch", "20"],
        "batch size 20 is more than the 10 samples",
    );
    let out = tempfile::tempdir().unwrap();
    let flags = "--train-size 30 --iters 200 --batch 10 --lr 0.5 --eval-every 50";
    let stdout = stdout_of_success(&train(d, out.path(), flags, &[]));
    assert!(
        stdout.contains("trained on the first 30 training images: train - test accuracy gap"),
        "{stdout}"
    );
    let r = report(out.path());
    assert_eq!(r["config"]["train_size"], 30);
    let (train, test) = (
        r["final_train_accuracy"].as_f64().unwrap(),
        r["final_test_accuracy"].as_f64().unwrap(),
    );
    assert_eq!(r["final_gap"].as_f64().unwrap(), train - test);
    // The train accuracy is measured on the 30 images trained on: a whole number of 30ths.
    for e in r["epochs"].as_array().unwrap() {
        let k = e["train_accuracy"].as_f64().unwrap() * 30.0;
        assert!((k - k.round()).abs() < 1e-9, "{e}");
    }
    assert!(out.path().join("accuracy.png").exists());
}

/// Runs a short training (300 iterations of 20 on 200 images, 3 epochs) with `extra`
/// arguments into `out`.
/// `nabla eval` of `model` on the data in `data` fails with `message`.
fn eval_fails(model: &Path, data: &str, message: &str) {
    fails(&["eval", "--model", path(model), "--data", data], message);
}

/// `nabla train --data DATA --out OUT`, then `flags` (words separated by single spaces), then
/// `more`.
fn train(data: &str, out: &Path, flags: &str, more: &[&str]) -> Output {
    let mut args = vec!["train", "--data", data, "--out", path(out)];
    args.extend(flags.split(' '));
    args.extend_from_slice(more);
    nabla(&args)
}

/// The standard error of a run that must have failed with exit code 1.
fn stderr_of_failure(o: &Output) -> String {
    let stderr = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    stderr
}

/// The standard output of a run that must have succeeded.
fn stdout_of_success(o: &Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn short_run(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        "--data",
        path(data),
        "--iters",
        "300",
        "--batch",
        "20",
        "--eval-every",
        "100",
        "--out",
        path(out),
    ];
    args.extend_from_slice(extra);
    nabla(&args)
}

#[test]
fn a_loss_that_rises_is_divergence_unless_allowed() {
    let data = tiny_mnist(200, 50);
    let out = tempfile::tempdir().unwrap();
    let stderr = stderr_of_failure(&short_run(data.path(), out.path(), &["--lr", "1000"]));
    assert!(
        stderr.contains("the loss rose instead of falling: its mean over the last 100 iterations")
            && stderr.contains("try a smaller learning rate than 1000.0")
            && stderr.contains("--allow-divergence"),
        "{stderr}"
    );
    // The numbers in the message are those of the report, which is written first.
    let r = report(out.path());
    let first = r["loss"]["first"].as_f64().unwrap();
    assert!(
        stderr.contains(&format!("above the first iteration's {first:.4}")),
        "{stderr}"
    );

    let o = short_run(
        data.path(),
        out.path(),
        &["--lr", "1000", "--allow-divergence"],
    );
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    // A run that learns is not judged diverged.
    let o = short_run(data.path(), out.path(), &["--lr", "0.5"]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
}

#[test]
fn huge_initial_weights_are_blamed_not_the_learning_rate() {
    let data = tiny_mnist(20, 10);
    let out = tempfile::tempdir().unwrap();
    let stderr = stderr_of_failure(&short_run(
        data.path(),
        out.path(),
        &["--init-std", "1e300"],
    ));
    assert!(
        stderr.contains("before the first update: the initial weights")
            && stderr.contains("(--init-std is 1e300)")
            && !stderr.contains("smaller learning rate"),
        "{stderr}"
    );
}

/// Checks that a run failed before it loaded any data (so before training), with `needle`.
fn fails_before_loading(o: &Output, needle: &str) {
    let stderr = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    assert!(!stderr.contains("loading MNIST"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn outputs_that_are_symlinks_or_fifos_are_refused_before_training_and_kept() {
    use std::os::unix::fs::FileTypeExt;
    let data = tiny_mnist(20, 10);
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("report.json");
    std::fs::write(&target, "not yours").unwrap();
    let link = out.path().join("report.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = short_run(data.path(), out.path(), &[]);
    fails_before_loading(
        &o,
        "report.json: is a symlink; outputs are written only over regular files",
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "not yours");

    std::fs::remove_file(&link).unwrap();
    let fifo = out.path().join("model.json");
    crate::util::mkfifo(&fifo);
    let o = short_run(data.path(), out.path(), &[]);
    fails_before_loading(&o, "model.json: is a FIFO (named pipe)");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[cfg(unix)]
#[test]
fn an_unwritable_out_is_refused_before_training() {
    use std::os::unix::fs::PermissionsExt;
    let data = tiny_mnist(20, 10);
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("read-only");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anywhere: then /proc, an existing directory where nobody may create a file.
    let probe = out.join("probe");
    let out = if std::fs::write(&probe, "").is_ok() {
        std::fs::remove_file(&probe).unwrap();
        std::path::PathBuf::from("/proc")
    } else {
        out
    };
    let o = short_run(data.path(), &out, &[]);
    fails_before_loading(
        &o,
        &format!("--out {}: cannot write into this directory", out.display()),
    );
}

#[test]
fn a_second_run_into_the_same_out_fails_at_once_naming_the_first() {
    let data = tiny_mnist(20, 10);
    let out = tempfile::tempdir().unwrap();
    let log = tempfile::tempdir().unwrap();
    // A run far too long to end by itself; it is killed below.
    let mut first = command()
        .args(["train", "--data", path(data.path()), "--batch", "4"])
        .args(["--iters", "1000000000", "--out", path(out.path())])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log.path().join("first.err")).expect("a log file"))
        .spawn()
        .expect("start the first run");
    let pid = first.id();
    let lock = out.path().join(".nabla.pid");
    let locked =
        eventually(|| std::fs::read_to_string(&lock).is_ok_and(|s| s.trim() == pid.to_string()));
    let second = locked.then(|| short_run(data.path(), out.path(), &[]));
    first.kill().expect("stop the first run");
    first.wait().expect("reap the first run");
    assert!(
        locked,
        "the first run never took the lock: {}",
        std::fs::read_to_string(log.path().join("first.err")).unwrap_or_default()
    );
    let second = second.expect("ran");
    fails_before_loading(
        &second,
        &format!("--out {} is in use by process {pid}", out.path().display()),
    );
    // Killed, the first run holds nothing: the next run goes ahead.
    let third = short_run(data.path(), out.path(), &[]);
    assert!(third.status.success(), "{}", stderr(&third));
}

#[cfg(unix)]
#[test]
fn eval_refuses_a_fifo_or_an_oversized_model_without_reading_it() {
    let data = tiny_mnist(20, 10);
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("model.json");
    crate::util::mkfifo(&fifo);
    // Reading the FIFO would block forever (no writer comes): bounded, then killed.
    let mut child = command()
        .args(["eval", "--model", path(&fifo), "--data", path(data.path())])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("err")).unwrap())
        .spawn()
        .expect("start nabla eval");
    let ended = eventually(|| child.try_wait().is_ok_and(|s| s.is_some()));
    if !ended {
        child.kill().expect("stop nabla eval");
    }
    let status = child.wait().expect("reap nabla eval");
    assert!(ended, "nabla eval --model FIFO hung");
    let stderr = std::fs::read_to_string(dir.path().join("err")).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("model.json: is a FIFO (named pipe)"),
        "{stderr}"
    );

    // A sparse file one byte above the cap: refused by its size, nothing read.
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(nabla::net::MAX_MODEL_FILE_BYTES + 1)
        .unwrap();
    eval_fails(
        &big,
        path(data.path()),
        "1677725697 bytes is more than the 1677725696 bytes of the largest model file",
    );
}

#[test]
fn every_instruction_set_trains_the_same_model_and_says_which_ran() {
    let data = tiny_mnist(200, 50);
    let d = path(data.path());
    let run = |simd: &str| {
        let out = tempfile::tempdir().unwrap();
        let o = command()
            .args(["train", "--data", d, "--iters", "200", "--batch", "40"])
            .args([
                "--lr",
                "0.5",
                "--eval-every",
                "100",
                "--out",
                path(out.path()),
            ])
            .env("NABLA_SIMD", simd)
            .output()
            .expect("run the nabla binary");
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let model = std::fs::read(out.path().join("model.json")).expect("model.json");
        (report(out.path()), model, stdout)
    };
    let (base, base_model, stdout) = run("baseline");
    assert_eq!(base["simd"], "baseline");
    assert!(stdout.contains("(baseline kernels)"), "{stdout}");
    let (wide, wide_model, stdout) = run("auto");
    let name = wide["simd"].as_str().expect("simd is a string").to_owned();
    assert!(["avx512", "avx2+fma", "baseline"].contains(&name.as_str()));
    assert!(stdout.contains(&format!("({name} kernels)")), "{stdout}");
    // The same bits whichever kernels ran.
    assert_eq!(wide_model, base_model);
    assert_eq!(wide["loss"], base["loss"]);
    assert_eq!(wide["epochs"], base["epochs"]);

    let o = command()
        .args(["train", "--data", d, "--iters", "10"])
        .env("NABLA_SIMD", "sse9")
        .output()
        .expect("run the nabla binary");
    failed_cleanly(
        &o,
        &["NABLA_SIMD is \"sse9\"; expected one of auto, avx512, avx2"],
    );
}

/// What a reader of `--out` sees: each output's bytes, and the hidden files.
#[derive(Debug, PartialEq)]
struct Outputs {
    files: Vec<Option<Vec<u8>>>,
    hidden: Vec<String>,
}

const TRAIN_OUTPUTS: [&str; 4] = ["report.json", "loss.png", "accuracy.png", "model.json"];

fn outputs(out: &Path) -> Outputs {
    Outputs {
        files: TRAIN_OUTPUTS
            .iter()
            .map(|n| std::fs::read(out.join(n)).ok())
            .collect(),
        hidden: crate::util::temporaries(out),
    }
}

/// The `hidden` of a report and of a model: which run each comes from.
fn hidden_of(out: &Path) -> (u64, u64) {
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("model.json")).expect("model.json"))
            .expect("model.json is JSON");
    (
        report(out)["config"]["hidden"].as_u64().expect("hidden"),
        model["sizes"]["hidden"].as_u64().expect("sizes"),
    )
}

/// The issue's full disk: a second run whose model no longer fits fails, and leaves the first
/// run's four files as they were (not its report beside the first run's model).
#[cfg(unix)]
#[test]
fn a_failure_writing_the_outputs_keeps_the_previous_set() {
    let data = tiny_mnist(200, 50);
    let out = tempfile::tempdir().unwrap();
    let first = short_run(data.path(), out.path(), &["--hidden", "3", "--seed", "1"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = outputs(out.path());
    // 784-100-10 is 79,510 parameters, a model file of about 1.7 MB; the report and the
    // charts are under 100 kB.
    let o = crate::util::with_file_size_limit(1024)
        .args([
            "train",
            "--data",
            path(data.path()),
            "--out",
            path(out.path()),
        ])
        .args(["--iters", "300", "--batch", "20", "--eval-every", "100"])
        .args(["--hidden", "100", "--seed", "5"])
        .output()
        .expect("run nabla under sh");
    failed_cleanly(&o, &["model.json", "File too large"]);
    assert_eq!(outputs(out.path()), before);
    assert_eq!(hidden_of(out.path()), (3, 3));
}

/// `nabla train` in the background with a 784-4000-10 network (3.2 million parameters, a
/// model file of about 67 MB, written for a second or so), its output silenced.
#[cfg(unix)]
fn spawn_large_model(data: &Path, out: &Path) -> std::process::Child {
    command()
        .args(["train", "--data", path(data), "--out", path(out)])
        .args(["--iters", "3", "--batch", "4", "--hidden", "4000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start nabla train")
}

/// SIGINT while the model is being written: the run ends by the signal with the previous set
/// in place and no temporary file; or, if it finished first, the new set is complete. Never
/// a report of one run beside the model of another.
#[cfg(unix)]
#[test]
fn sigint_while_the_model_is_written_leaves_one_complete_set() {
    use std::os::unix::process::ExitStatusExt;
    let data = tiny_mnist(20, 10);
    let out = tempfile::tempdir().unwrap();
    let first = short_run(data.path(), out.path(), &["--hidden", "3"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = outputs(out.path());
    // The signal is sent as soon as the model's temporary file passes a megabyte.
    let mut child = spawn_large_model(data.path(), out.path());
    let big_temporary = || {
        crate::util::temporaries(out.path())
            .iter()
            .any(|n| std::fs::metadata(out.path().join(n)).is_ok_and(|m| m.len() > 1 << 20))
    };
    let writing = eventually(|| big_temporary() || child.try_wait().unwrap().is_some());
    let sent = writing && crate::util::send_signal(child.id(), "INT");
    let status = child.wait().expect("reap nabla train");
    assert!(writing, "the model's temporary file never appeared");
    let after = outputs(out.path());
    assert!(after.hidden.is_empty(), "left behind: {:?}", after.hidden);
    if status.signal() == Some(2) {
        assert_eq!(after, before);
    } else {
        // The run ended before the signal came: it wrote its whole set.
        assert!(status.success() || !sent, "{status:?}");
        assert_eq!(hidden_of(out.path()), (4000, 4000));
        assert_ne!(
            after.files[1], before.files[1],
            "loss.png is the new run's too"
        );
    }
}

/// A run killed outright (SIGKILL) cannot clean up: the temporary files it leaves, and those
/// of earlier versions' models (`.tmpXXXXXX`), are removed by the next run into `--out`.
#[cfg(unix)]
#[test]
fn temporaries_of_a_killed_run_are_removed_by_the_next_run() {
    let data = tiny_mnist(20, 10);
    let out = tempfile::tempdir().unwrap();
    let mut child = spawn_large_model(data.path(), out.path());
    let writing = eventually(|| {
        !crate::util::temporaries(out.path()).is_empty() || child.try_wait().unwrap().is_some()
    });
    child.kill().expect("kill nabla train");
    child.wait().expect("reap nabla train");
    assert!(writing);
    // Whatever the kill left, and what an earlier version would have.
    std::fs::write(
        out.path().join(".tmpQw12Er"),
        r#"{"format":"nabla-net/two-layer","version":1,"precision":"f32","sizes""#,
    )
    .unwrap();
    std::fs::write(out.path().join(".nabla-Ab12Cd.model.json"), "half a model").unwrap();
    let next = short_run(data.path(), out.path(), &["--hidden", "3"]);
    assert!(next.status.success(), "{}", stderr(&next));
    assert_eq!(
        crate::util::file_names(out.path()),
        ["accuracy.png", "loss.png", "model.json", "report.json"]
    );
}

/// The divergence rule judges short runs: the issue's `--lr 1000` for one epoch and
/// `--lr 3.4e38` for 5 iterations exit 1; a learning rate that makes a parameter infinite is
/// an error even for one iteration, and writes nothing.
#[test]
fn short_runs_that_diverge_are_judged() {
    let data = tiny_mnist(200, 50);
    let d = path(data.path());
    let out = tempfile::tempdir().unwrap();
    let o = path(out.path());
    // 200 images in batches of 20: an epoch is 10 iterations.
    for (lr, iters) in [("1000", "10"), ("3.4e38", "5")] {
        let run = nabla(&[
            "train", "--data", d, "--out", o, "--batch", "20", "--lr", lr, "--iters", iters,
        ]);
        failed_cleanly(
            &run,
            &[
                "the loss rose instead of falling",
                "training diverged",
                "--allow-divergence",
            ],
        );
        // Its outputs are written: the curve shows what happened.
        assert!(out.path().join("loss.png").exists());
        let allowed = nabla(&[
            "train",
            "--data",
            d,
            "--out",
            o,
            "--batch",
            "20",
            "--lr",
            lr,
            "--iters",
            iters,
            "--allow-divergence",
        ]);
        assert!(
            allowed.status.success(),
            "{}",
            crate::util::stderr(&allowed)
        );
    }
    // 1e39 is finite in f64, not in f32: the first update makes the weights infinite.
    let fresh = tempfile::tempdir().unwrap();
    let run = nabla(&[
        "train",
        "--data",
        d,
        "--out",
        path(fresh.path()),
        "--batch",
        "20",
        "--lr",
        "1e39",
        "--iters",
        "1",
        "--allow-divergence",
    ]);
    failed_cleanly(
        &run,
        &[
            "the update of iteration 0 made ",
            "smaller learning rate than 1e39",
        ],
    );
    assert_nothing_left(fresh.path());
}

/// Every subcommand refuses a misspelt `NABLA_SIMD` the same way, before doing anything.
#[test]
fn every_command_refuses_a_misspelt_nabla_simd_the_same_way() {
    let data = tiny_mnist(20, 10);
    let d = path(data.path());
    let out = tempfile::tempdir().unwrap();
    let o = path(out.path());
    let model = out.path().join("model.json");
    save_model(
        &TwoLayerNet::<f32>::new(Sizes::MNIST, 0.01, 0).expect("a network"),
        &model,
    )
    .expect("save a model");
    let png = out.path().join("steps.png");
    let commands: [&[&str]; 7] = [
        &["train", "--data", d, "--out", o],
        &["eval", "--model", path(&model), "--data", d],
        &["why-loss", "--data", d, "--batch", "5", "--out", o],
        &["gradcheck", "--data", d],
        &["mnist", "info", "--data", d],
        &[
            "mnist",
            "fetch",
            "--dir",
            o,
            "--mirror",
            "http://127.0.0.1:9/",
        ],
        &["steps", "--out", path(&png)],
    ];
    for args in commands {
        let run = command()
            .args(args)
            .env("NABLA_SIMD", "sse9")
            .output()
            .expect("run nabla");
        let stderr = failed_cleanly(&run, &[]);
        assert_eq!(
            stderr,
            "error: NABLA_SIMD is \"sse9\"; expected one of auto, avx512, avx2, baseline (or \
             off, scalar)\n",
            "{args:?}"
        );
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(crate::util::file_names(out.path()), ["model.json"]);
}

/// One size check for every network a command builds: `why-loss` and `gradcheck` refuse what
/// `train` refuses, with the same message, instead of aborting on the allocation.
#[test]
fn every_command_refuses_a_network_too_large_for_a_model_file() {
    let data = tiny_mnist(20, 10);
    let d = path(data.path());
    let out = tempfile::tempdir().unwrap();
    let o = path(out.path());
    let message = "--hidden 300000 makes 238500010 parameters, more than the 67108864 a model \
                   file may hold";
    for args in [
        &["train", "--data", d, "--hidden", "300000", "--out", o][..],
        &[
            "why-loss", "--data", d, "--batch", "5", "--hidden", "300000", "--out", o,
        ],
        &[
            "gradcheck",
            "--data",
            d,
            "--batch",
            "5",
            "--hidden",
            "300000",
        ],
    ] {
        // Bounded: a build without the check allocates gigabytes and computes for minutes.
        failed_cleanly(&crate::util::nabla_bounded(args, &[]), &[message]);
    }
    assert_nothing_left(out.path());
}

/// `nabla eval` on a cache whose file is rejected, and a mirror that fails: it says which
/// file was rejected and why before the download failure, as `nabla train` does.
#[test]
fn eval_says_why_a_cached_file_was_rejected() {
    let data = tiny_mnist(20, 10);
    let cache = tempfile::tempdir().unwrap();
    let mnist = cache.path().join("nabla").join("mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
        // Valid IDX, not the published content: rejected by its checksum.
        std::fs::copy(data.path().join(name), mnist.join(name)).unwrap();
    }
    let model = cache.path().join("model.json");
    save_model(
        &TwoLayerNet::<f32>::new(Sizes::MNIST, 0.01, 0).expect("a network"),
        &model,
    )
    .expect("save a model");
    let run = command()
        .args(["eval", "--model", path(&model)])
        .env("XDG_CACHE_HOME", cache.path())
        .env("NABLA_MNIST_MIRROR", "http://127.0.0.1:9/")
        .output()
        .expect("run nabla eval");
    let stderr = failed_cleanly(
        &run,
        &[
            "rejected: ",
            "t10k-images-idx3-ubyte: checksum mismatch",
            "could not download t10k-images-idx3-ubyte.gz",
        ],
    );
    assert!(
        stderr.find("rejected: ") < stderr.find("could not download"),
        "{stderr}"
    );
}

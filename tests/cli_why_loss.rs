//! `nabla why-loss` end to end: bad values are refused with a message and no panic (offline),
//! and on the real MNIST files (`$MNIST_DIR`, skipped by name when unset) a run prints the
//! counts, writes `why_loss.json` with the fields the issue asks for, and a PNG.

use crate::util::{fails, file_names, mnist_dir, nabla, stderr};

#[test]
fn wrong_values_are_refused_with_a_message() {
    fails(&["why-loss", "--batch", "0"], "must be at least 1, got 0");
    fails(
        &["why-loss", "--points", "2"],
        "between 3 and 100001, got 2",
    );
    fails(&["why-loss", "--span", "0"], "greater than 0, got 0");
    fails(
        &["why-loss", "--weight-span", "inf"],
        "greater than 0, got inf",
    );
    fails(
        &["why-loss", "--model", "/no/such/model.json"],
        "/no/such/model.json",
    );
    fails(
        &["why-loss", "--data", "/no/such/dir/for/nabla"],
        "/no/such/dir/for/nabla does not exist",
    );
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_symlink_is_refused_before_any_work_and_kept() {
    let out = tempfile::tempdir().expect("temporary directory");
    let elsewhere = tempfile::tempdir().expect("temporary directory");
    let target = elsewhere.path().join("precious.json");
    std::fs::write(&target, "not yours").expect("write");
    let link = out.path().join("why_loss.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let o = nabla(&[
        "why-loss",
        "--data",
        "/no/such/dir/for/nabla",
        "--out",
        out.path().to_str().expect("UTF-8 path"),
    ]);
    let stderr = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    // Refused before the data directory is even looked at.
    assert!(
        stderr.contains("why_loss.json: is a symlink") && !stderr.contains("/no/such/dir"),
        "{stderr}"
    );
    assert!(std::fs::symlink_metadata(&link).expect("link").is_symlink());
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "not yours");
}

#[test]
fn real_mnist_why_loss_counts_zero_derivatives_and_draws_the_staircase() {
    let Some(dir) =
        mnist_dir("real_mnist_why_loss_counts_zero_derivatives_and_draws_the_staircase")
    else {
        return;
    };
    let out = tempfile::tempdir().expect("temporary directory");
    let o = nabla(&[
        "why-loss",
        "--data",
        dir.to_str().expect("UTF-8 path"),
        "--points",
        "201",
        "--out",
        out.path().to_str().expect("UTF-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout.contains("batch accuracy: "), "{stdout}");
    assert!(stdout.contains(" of 100 ("), "{stdout}");

    let text = std::fs::read_to_string(out.path().join("why_loss.json")).expect("why_loss.json");
    let r: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(r["parameters"], 39760);
    assert_eq!(r["batch_size"], 100);
    let accuracy = r["batch_accuracy"].as_f64().expect("batch_accuracy");
    assert_eq!(
        (accuracy * 100.0).round(),
        r["batch_correct"].as_f64().expect("batch_correct")
    );
    assert!(stdout.contains(&format!("batch accuracy: {} of 100", r["batch_correct"])));
    let unreached = r["unreached"].as_u64().expect("unreached");
    // Pixels that are 0 in all 100 images: a multiple of the 50 hidden units, and far from
    // all of the first layer.
    assert!(
        unreached.is_multiple_of(50) && unreached < 39200 / 2,
        "{unreached}"
    );
    let steps = r["steps"].as_array().expect("steps");
    let hs: Vec<f64> = steps.iter().map(|s| s["h"].as_f64().expect("h")).collect();
    assert_eq!(hs, [1e-4, 1e-2, 1.0]);
    for s in steps {
        let (acc, loss) = (
            s["accuracy_zero"].as_u64().expect("accuracy_zero"),
            s["loss_zero"].as_u64().expect("loss_zero"),
        );
        // The loss moves with every parameter an image depends on; the accuracy with hardly
        // any (at h = 1 more images flip, and still most parameters change nothing).
        assert_eq!(loss, unreached, "{s}");
        assert!(acc * 100 >= 39760 * 90, "{s}");
        assert!(acc > loss, "{s}");
    }
    assert!(steps[0]["accuracy_zero"].as_u64() >= Some(39760 * 99 / 100));
    for line in ["random_direction", "single_weight"] {
        let points = r[line]["points"].as_array().expect("points");
        assert_eq!(points.len(), 201, "{line}");
        let jumps = r[line]["jumps"].as_array().expect("jumps").len();
        assert!(
            jumps < 200,
            "{line}: the accuracy is a staircase, {jumps} jumps"
        );
    }

    let png = std::fs::read(out.path().join("why_loss.png")).expect("why_loss.png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 10_000, "{} bytes", png.len());
    let names = file_names(out.path());
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");

    let d = dir.to_str().expect("UTF-8 path");
    fails(
        &[
            "why-loss",
            "--data",
            d,
            "--batch",
            "60001",
            "--out",
            out.path().to_str().expect("UTF-8 path"),
        ],
        "--batch 60001 is more than the 60000 training images",
    );
}

//! `nabla compare` end to end: the tables, `compare.json` and `gradient_cost.png` for a good
//! call, and a clear refusal (nothing written) for each kind of wrong value.

use crate::util::{fails, file_names, nabla, path, stderr};

#[test]
fn writes_the_tables_the_json_and_the_picture() {
    let out = tempfile::tempdir().unwrap();
    let run = nabla(&[
        "compare",
        "--functions",
        "chapter,rosenbrock,chapter",
        "--sizes",
        "3,8",
        "--methods",
        "central_fd,dual,reverse,analytic,num_dual",
        "--time",
        "0",
        "--out",
        path(out.path()),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let text = String::from_utf8(run.stdout).unwrap();
    for heading in [
        "book_function_1 (derivative)",
        "book_function_2 (gradient, n = 2)",
        "rosenbrock (gradient, n = 3)",
        "rosenbrock (gradient, n = 8)",
    ] {
        assert_eq!(
            text.matches(heading).count(),
            1,
            "{heading} once in: {text}"
        );
    }
    assert!(text.contains("num_dual"), "{text}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("compare.json")).unwrap()).unwrap();
    let reports = json.as_array().expect("an array of reports");
    assert_eq!(reports.len(), 4);
    // REFERENCE.md: f'(5) = 0.2 for 0.01 x^2 + 0.1 x; the gradient of x0^2 + x1^2 at (3, 4)
    // is (6, 8).
    let reference =
        |i: usize| -> Vec<f64> { serde_json::from_value(reports[i]["reference"].clone()).unwrap() };
    assert!((reference(0)[0] - 0.2).abs() < 1e-15, "{:?}", reference(0));
    assert_eq!(reference(1), [6.0, 8.0]);
    for report in reports {
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 5, "{report}");
        for row in rows {
            // The exact methods within rounding, central differences within 1e-6; not timed.
            let error = row["error"].as_f64().unwrap();
            assert!(error < 1e-6, "{row}");
            assert!(row["time"].is_null(), "{row}");
        }
    }

    let png = std::fs::read(out.path().join("gradient_cost.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        file_names(out.path()),
        ["compare.json", "gradient_cost.png"],
        "nothing else left behind"
    );
}

#[test]
fn wrong_values_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = path(&out);
    for (args, needle) in [
        (vec!["--sizes", "0"], "must be at least 1, got 0"),
        (
            vec!["--sizes", "10,200000"],
            "must be at most 100000, got 200000",
        ),
        (
            vec!["--methods", "central,reverse"],
            "unknown method \"central\"",
        ),
        (
            vec!["--functions", "rastrigin"],
            "invalid value 'rastrigin'",
        ),
        (vec!["--time", "-1"], "must be between 0 and 3600 seconds"),
        (vec!["--time", "NaN"], "must be between 0 and 3600 seconds"),
        (vec!["--sizes", "-5"], "must be at least 1, got -5"),
        (
            vec!["--tolerance", "0"],
            "must be a finite number greater than 0",
        ),
        (
            vec!["--tolerance", "-0.5"],
            "must be a finite number greater than 0",
        ),
    ] {
        let mut all = vec!["compare", "--out", o];
        all.extend(args);
        fails(&all, needle);
        assert!(!out.exists(), "{all:?} created {o}");
    }
    // An output's path that is a directory is refused before any work, and nothing is put
    // in place.
    std::fs::create_dir_all(out.join("compare.json")).unwrap();
    fails(
        &["compare", "--functions", "chapter", "--out", o],
        "compare.json",
    );
    assert_eq!(file_names(&out), ["compare.json"]);
}

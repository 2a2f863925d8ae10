//! `nabla steps` end to end: the table and the PNG for a good call, and exit code 1 with an
//! `error:` line (never a panic, never a file left behind) for each kind of wrong value.

use crate::util::{file_names, nabla, stderr};

#[test]
fn prints_the_table_and_writes_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("steps.png");
    let out = nabla(&[
        "steps",
        "--function",
        "exp",
        "--at",
        "1",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    // REFERENCE: central h = 1e-4 gives 1.7e-9 in f64 and 3.2e-4 in f32 for exp at 1.
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("1.0e-4 |"))
        .expect("row h = 1e-4");
    assert!(row.contains("1.67e-9") && row.contains("3.24e-4"), "{row}");
    // The book's h = 1e-50, the default smallest step: x + h == x, every method gives 0,
    // relative error 1, in f64; in f32 the step itself is 0 (np.float32(1e-50) is 0.0).
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("1.0e-50 |"))
        .expect("row h = 1e-50");
    assert_eq!(row.matches("1.00e0").count(), 3, "{row}");
    assert_eq!(row.matches("n/a").count(), 3, "{row}");
    // The plateau is one row and a line that says how far it reaches, in f64 to the last
    // step below the ulp of 1 (2.2e-16) on the grid of 4 steps a decade.
    let lines: Vec<&str> = text.lines().collect();
    let at = |start: &str| lines.iter().position(|l| l.trim_start().starts_with(start));
    let plateau = at("1.0e-45 |").expect("row h = 1e-45");
    assert_eq!(
        lines[plateau].matches("1.00e0").count(),
        6,
        "{}",
        lines[plateau]
    );
    assert!(
        lines[plateau + 1].contains("the same up to h = 1.0e-16"),
        "{}",
        lines[plateau + 1]
    );
    assert!(
        lines[plateau + 2].trim_start().starts_with("1.8e-16 |"),
        "{text}"
    );
    assert!(at("1.0e-20 |").is_none(), "{text}");
    assert!(text.contains("f64 central   : best h = "), "{text}");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn wrong_values_exit_1_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("never.png");
    let png = png.to_str().unwrap();
    for (args, expected) in [
        (vec!["--min", "0"], "--min must be a finite positive step"),
        (
            vec!["--min", "1", "--max", "0.5"],
            "must be smaller than --max",
        ),
        (vec!["--max", "-1"], "--max must be a finite positive step"),
        (vec!["--per-decade", "0"], "--per-decade"),
        (vec!["--function", "ln", "--at", "-2"], "outside its domain"),
        // A negative value parses as a value, not as an unknown option.
        (
            vec!["--at", "-inf"],
            "--at must be a finite number, got -inf",
        ),
        // Overflow is said as such, and 1e308 prints as typed, not in 309 digits.
        (
            vec!["--at", "1e308"],
            "exp(1e308) overflows: it is above the largest f64",
        ),
    ] {
        let mut all = vec!["steps", "--out", png];
        all.extend(&args);
        let out = nabla(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("error: ") && stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!std::path::Path::new(png).exists());
    }
}

#[test]
fn an_unknown_function_is_refused_by_the_parser_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("never.png");
    let out = nabla(&["steps", "--out", png.to_str().unwrap(), "--function", "erf"]);
    // 2: a usage error, as for every value clap refuses.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: invalid value 'erf' for '--function <FUNCTION>'")
            && stderr(&out).contains("[possible values: exp, sin, cos, ln, sqrt, cube, tanh]"),
        "{}",
        stderr(&out)
    );
    assert!(!png.exists());
    // Names are matched without regard to case, as before.
    let out = nabla(&[
        "steps",
        "--out",
        png.to_str().unwrap(),
        "--function",
        "TANH",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn an_unwritable_output_path_exits_1_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("no-such-dir").join("steps.png");
    let out = nabla(&["steps", "--out", png.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("could not write"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
    assert!(!png.exists());
}

#[cfg(unix)]
#[test]
fn a_symlink_or_a_fifo_as_out_is_refused_and_left_as_it_was() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.png");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.path().join("link.png");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = nabla(&["steps", "--out", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("link.png: is a symlink; outputs are written only over regular files"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");

    let fifo = dir.path().join("fifo.png");
    crate::util::mkfifo(&fifo);
    let out = nabla(&["steps", "--out", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fifo.png: is a FIFO"),
        "{}",
        stderr(&out)
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    // Nothing else appeared: no temporary file, no PNG beside them.
    assert_eq!(
        file_names(dir.path()),
        ["fifo.png", "link.png", "target.png"]
    );
}

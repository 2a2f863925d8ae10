//! The help a newcomer reads: every gradient method `nabla train --grad` accepts is named by
//! `nabla --help`, `train --help` and `gradcheck --help`, and every command that may download
//! MNIST takes `--mirror URL`.

use crate::util::{nabla, stderr};

/// The text `nabla args flag` prints.
fn help_with(args: &[&str], flag: &'static str) -> String {
    let mut args = args.to_vec();
    args.push(flag);
    let out = nabla(&args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The long help, `nabla args --help`.
fn help(args: &[&str]) -> String {
    help_with(args, "--help")
}

/// The short help, `nabla args -h`: one line per option, with its values in brackets.
fn help_short(args: &[&str]) -> String {
    help_with(args, "-h")
}

#[test]
fn help_names_every_gradient_method() {
    let train = help(&["train"]);
    // `--grad`'s values as the short help lists them, so that a new method cannot be left
    // out below.
    let short = help_short(&["train"]);
    let grad = short
        .lines()
        .find(|l| l.trim_start().starts_with("--grad "))
        .unwrap_or_else(|| panic!("no --grad in: {short}"));
    let values = grad
        .split_once("[possible values: ")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list)
        .unwrap_or_else(|| panic!("no --grad values in: {grad}"));
    let methods: Vec<&str> = values.split(", ").collect();
    assert_eq!(methods, ["backprop", "numerical", "dual", "reverse"]);
    let top = help(&[]);
    let train_line = top
        .lines()
        .find(|l| l.trim_start().starts_with("train "))
        .unwrap_or_else(|| panic!("no train line in: {top}"));
    let gradcheck = help(&["gradcheck"]);
    let gradcheck_about = gradcheck.lines().next().unwrap_or_default();
    for method in methods {
        assert!(train_line.contains(method), "{method}: {train_line}");
        assert!(train.contains(method), "{method}: {train}");
        assert!(
            gradcheck_about.contains(method),
            "{method}: {gradcheck_about}"
        );
    }
}

#[test]
fn every_command_that_may_download_takes_a_mirror() {
    for command in [
        &["train"][..],
        &["eval"],
        &["gradcheck"],
        &["why-loss"],
        &["mnist", "fetch"],
    ] {
        let text = help(command);
        assert!(text.contains("--mirror <URL>"), "{command:?}: {text}");
        assert!(text.contains("$NABLA_MNIST_MIRROR"), "{command:?}: {text}");
    }
}

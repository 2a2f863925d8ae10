//! The commands a newcomer copies from the README and `docs/`: each `cargo run` and `cargo
//! test` builds in release mode (one build serves them all; a debug build of the same code
//! costs another minute and trains a hundred times slower), each `--example` names an example
//! that exists, each `nabla <command>` names a command, options and values that exist, and
//! each output pasted in the chapter tour is what its command prints.

use std::path::{Path, PathBuf};

use crate::util::nabla;

/// README.md and every page of docs/, with their text.
fn pages() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("README.md")];
    let docs = std::fs::read_dir(root.join("docs")).expect("the docs/ folder");
    let mut md: Vec<PathBuf> = docs
        .map(|e| e.expect("a docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    md.sort();
    paths.extend(md);
    paths
        .into_iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, text)
        })
        .collect()
}

/// Each command of `text` that starts with `start` (e.g. `cargo run`): the rest of its line
/// after `start` up to a backtick or a comment, with the line number.
fn commands<'a>(text: &'a str, start: &str) -> Vec<(usize, &'a str)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(start) {
            let command = &rest[at..];
            let end = command[start.len()..]
                .find(['`', '#'])
                .map_or(command.len(), |e| start.len() + e);
            found.push((n + 1, command[..end].trim_end()));
            rest = &command[start.len()..];
        }
    }
    found
}

#[test]
fn every_cargo_run_and_test_is_in_release_mode() {
    let mut checked = 0;
    for (path, text) in pages() {
        for start in ["cargo run", "cargo test"] {
            for (line, command) in commands(&text, start) {
                assert!(
                    command.contains("--release"),
                    "{}:{line}: `{command}` builds in debug mode",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    // The README's two commands and the chapter tour's at least.
    assert!(checked >= 20, "only {checked} commands found");
}

/// The subcommands `nabla <path> --help` lists (`path` empty: the top level).
fn subcommands(path: &[&str]) -> Vec<String> {
    let mut args = path.to_vec();
    args.push("--help");
    let help = String::from_utf8_lossy(&nabla(&args).stdout).into_owned();
    let Some(list) = help.split("Commands:").nth(1) else {
        return Vec::new();
    };
    list.lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

/// The help of one subcommand: each `--option` it takes, with the values it accepts when clap
/// lists them ("Possible values:"; empty when any value of its type goes).
fn options(path: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut args = path.to_vec();
    args.push("--help");
    let out = nabla(&args);
    assert!(out.status.success(), "nabla {args:?} failed");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_values = false;
    for line in help.lines() {
        let trimmed = line.trim_start();
        if let Some(flag) = trimmed
            .split([' ', ','])
            .find(|w| w.starts_with("--"))
            .filter(|_| trimmed.starts_with('-'))
        {
            found.push((flag.to_owned(), Vec::new()));
            in_values = false;
        } else if trimmed.starts_with("Possible values:") {
            in_values = true;
        } else if in_values && let Some(value) = trimmed.strip_prefix("- ") {
            let name = value.split([':', ' ']).next().unwrap_or_default();
            if let Some((_, values)) = found.last_mut() {
                values.push(name.to_owned());
            }
        } else if trimmed.starts_with('[') || trimmed.is_empty() {
            in_values = false;
        }
    }
    found
}

#[test]
fn every_example_and_command_named_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let top = subcommands(&[]);
    assert!(top.iter().any(|c| c == "train"), "{top:?}");
    let mut checked = 0;
    for (path, text) in pages() {
        for (line, command) in commands(&text, "cargo run") {
            let words: Vec<&str> = command.split_whitespace().collect();
            let Some(name) = words
                .iter()
                .skip_while(|w| **w != "--example")
                .nth(1)
                .copied()
            else {
                continue;
            };
            let file = format!("{name}.rs");
            // `-p <crate>`: the example of one of `crates/`, which the root's package (tested
            // on its own by .ci/standalone) does not hold; the workspace's tests check it.
            let package = words
                .iter()
                .skip_while(|w| **w != "-p")
                .nth(1)
                .filter(|p| **p != "nabla-learn");
            let folder = match package {
                Some(crate_name) => root.join("crates").join(crate_name),
                None => root.to_path_buf(),
            };
            if package.is_some() && !root.join("crates").is_dir() {
                continue;
            }
            assert!(
                folder.join("examples").join(&file).exists(),
                "{}:{line}: no example {name} in {}",
                path.display(),
                folder.display()
            );
        }
        // Commands in code blocks (`cargo run --release -- ...`, `$ nabla ...`) and in the text
        // (`` `nabla ...` ``): the command, each option and each listed value must exist.
        for start in ["$ nabla ", "cargo run --release -- ", "`nabla "] {
            for (line, command) in commands(&text, start) {
                let words: Vec<&str> = command[start.len()..].split_whitespace().collect();
                let Some(&sub) = words.first() else { continue };
                if sub.starts_with('<') || sub == "..." {
                    continue; // "`nabla <command>` is `cargo run --release -- <command>`"
                }
                let at = format!("{}:{line}: `{command}`", path.display());
                assert!(
                    top.iter().any(|c| c == sub),
                    "{at}: no command {sub:?} in {top:?}"
                );
                let mut sub_path = vec![sub];
                let nested = subcommands(&sub_path);
                if !nested.is_empty() {
                    let Some(&second) = words.get(1) else {
                        continue;
                    };
                    assert!(
                        nested.iter().any(|c| c == second),
                        "{at}: no {sub} {second:?}"
                    );
                    sub_path.push(second);
                }
                let known = options(&sub_path);
                let rest = &words[sub_path.len()..];
                for (i, word) in rest.iter().enumerate() {
                    if !word.starts_with("--") {
                        continue;
                    }
                    let flag = word.trim_end_matches(['\'', '.', ',', ';', ')']);
                    let Some((_, values)) = known.iter().find(|(f, _)| f == flag) else {
                        panic!("{at}: `nabla {}` has no option {flag}", sub_path.join(" "));
                    };
                    if let Some(value) = rest.get(i + 1).filter(|v| !v.starts_with("--"))
                        && !values.is_empty()
                    {
                        let value = value.trim_end_matches(['\'', '.', ',', ';', ')']);
                        assert!(
                            values.iter().any(|v| v == value),
                            "{at}: {flag} takes one of {values:?}, not {value:?}"
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    // The commands of docs/commands.md and the chapter tour name dozens of options.
    assert!(checked >= 30, "only {checked} options checked");
}

/// A line of output with what varies between runs masked: the number before a unit of time
/// or memory (`0.40 s`, `(8.73 s)`, `158 MB`), the instruction set before `kernels)`, and
/// runs of spaces (columns align differently when a number grows).
fn normalized(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or_default();
        let unit = ["s", "s)", "s,", "MB", "kernels)"].contains(&next);
        out.push(if unit { "#" } else { word });
    }
    out.join(" ")
}

/// The lines of `text` as they are compared (pasted and printed alike): [`normalized`], and a
/// table whose header ends in `seconds` has its rows' last number masked; blank lines and
/// `...` (lines left out) skipped.
fn comparable_lines(text: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut seconds_column = false;
    for line in text {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("...") {
            continue; // "..." stands for lines left out
        }
        let numeric_row = trimmed
            .split_whitespace()
            .next()
            .is_some_and(|w| w.parse::<f64>().is_ok());
        seconds_column = (seconds_column && numeric_row) || trimmed.ends_with(" seconds");
        let mut line = normalized(trimmed);
        if seconds_column && numeric_row {
            line = match line.rsplit_once(' ') {
                Some((head, _)) => format!("{head} #"),
                None => line,
            };
        }
        lines.push(line);
    }
    lines
}

/// The outputs pasted in the chapter tour are what its commands print: each `$ command` of a
/// code block is run (the examples from the build's `examples/` folder, `nabla` as built), in
/// one scratch directory so that a later command reads what an earlier one wrote, and every
/// line pasted after it (timings masked, `...` skipped) must be a line of its output. Commands
/// that read MNIST run when `$MNIST_DIR` is set; the examples run when they are built (`cargo
/// test --workspace --release`, the README's command, builds them).
#[test]
fn pasted_outputs_are_what_the_commands_print() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/chapter4.md")).expect("docs/chapter4.md");
    // target/release/deps/integration-<hash> -> target/release/examples/
    let examples = std::env::current_exe()
        .expect("the test's path")
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .join("examples");
    let mnist = std::env::var_os("MNIST_DIR").filter(|d| !d.is_empty());
    let scratch = tempfile::tempdir().expect("a scratch directory");

    // `$ command` and the lines pasted after it, up to the next command or the block's end.
    let mut runs: Vec<(usize, &str, Vec<&str>)> = Vec::new();
    let mut in_block = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            runs.push((n + 1, command, Vec::new()));
        } else if let Some((_, _, pasted)) = runs.last_mut() {
            pasted.push(line);
        }
    }
    assert!(runs.len() >= 12, "only {} commands found", runs.len());

    let (mut ran, mut skipped) = (0, Vec::new());
    for (line, command, pasted) in &runs {
        let words: Vec<&str> = command.split_whitespace().collect();
        let (mut process, needs_mnist) = if let Some(args) = words.strip_prefix(&["nabla"]) {
            let mut p = crate::util::command();
            p.args(args);
            (p, matches!(args.first(), Some(&("train" | "why-loss"))))
        } else if let ["cargo", "run", "--release", "--example", name, args @ ..] = &words[..] {
            let binary = examples.join(name);
            if !binary.exists() {
                skipped.push(format!("{name} (not built)"));
                continue;
            }
            let mut p = std::process::Command::new(binary);
            p.args(args)
                .env_remove("MNIST_DIR")
                .env_remove("NABLA_MNIST_MIRROR");
            (p, ["ch04_minibatch", "ch04_train"].contains(name))
        } else {
            panic!("docs/chapter4.md:{line}: `{command}` is neither nabla nor an example");
        };
        if needs_mnist {
            let Some(dir) = &mnist else {
                skipped.push(format!("{command} ($MNIST_DIR not set)"));
                continue;
            };
            process.env("MNIST_DIR", dir);
        }
        let out = process
            .current_dir(scratch.path())
            .output()
            .unwrap_or_else(|e| panic!("docs/chapter4.md:{line}: `{command}`: {e}"));
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "docs/chapter4.md:{line}: `{command}` failed:\n{printed}"
        );
        let actual = comparable_lines(&printed.lines().collect::<Vec<_>>());
        for expected in comparable_lines(pasted) {
            assert!(
                actual.contains(&expected),
                "docs/chapter4.md:{line}: `{command}` printed no line\n  {expected}\nbut:\n{}",
                actual.join("\n")
            );
        }
        ran += 1;
    }
    if !skipped.is_empty() {
        eprintln!("pasted outputs: skipped {}", skipped.join(", "));
    }
    // Without MNIST the examples on small data still run (ch04_losses, ch04_numdiff, ...).
    if examples.join("ch04_losses").exists() {
        assert!(ran >= 5, "ran {ran} commands, skipped {skipped:?}");
    }
}

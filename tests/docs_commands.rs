//! The commands a newcomer copies from the README and `docs/`: each `cargo run` and `cargo
//! test` builds in release mode (one build serves them all; a debug build of the same code
//! costs another minute and trains a hundred times slower), each `--example` names an example
//! that exists, and each `nabla <command>` names a command that exists.

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
        for (line, command) in commands(&text, "--example ") {
            let name = command["--example ".len()..]
                .split_whitespace()
                .next()
                .unwrap_or_default();
            let file = format!("{name}.rs");
            let exists = root.join("examples").join(&file).exists()
                || std::fs::read_dir(root.join("crates"))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .any(|c| c.path().join("examples").join(&file).exists());
            assert!(exists, "{}:{line}: no example {name}", path.display());
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

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
/// up to a backtick or a comment, with the line number.
fn commands<'a>(text: &'a str, start: &str) -> Vec<(usize, &'a str)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(start) {
            let command = &rest[at..];
            let end = command.find(['`', '#']).unwrap_or(command.len());
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

#[test]
fn every_example_and_command_named_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let help = String::from_utf8_lossy(&nabla(&["--help"]).stdout).into_owned();
    let subcommands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(subcommands.contains(&"train"), "{help}");
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
        for start in ["$ nabla ", "cargo run --release -- "] {
            for (line, command) in commands(&text, start) {
                let sub = command[start.len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                if sub == "..." {
                    continue; // "`nabla ...` stands for `cargo run --release -- ...`"
                }
                assert!(
                    subcommands.contains(&sub),
                    "{}:{line}: `{command}`: no command {sub:?} in {subcommands:?}",
                    path.display()
                );
            }
        }
    }
}

//! CLI tests pinned by files, in the manner of wasm-tools' `tests/cli.rs`.
//!
//! Every file under `tests/cli/` whose first lines hold directives is a test input:
//!
//! ```text
//! // RUN: call %guest(greeter) 'greet({name: "Ada"})'
//! // FAIL[bad-arg]: call %guest(greeter) 'greet(5)'
//! ```
//!
//! (`#` or `;;` may stand for `//`.) `RUN` expects exit status 0, `FAIL` a non-zero
//! one. The command line is split like a shell would (single and double quotes), and
//! these words are replaced: `%` the input file, `%tmp` a fresh temporary directory,
//! `%guest(NAME)` the path of a guest component built by `weft-test-guests`.
//! The expected stdout and stderr sit beside the input as `<file>.stdout` and
//! `<file>.stderr` (`<file>.<name>.stdout` for a named directive); a missing file
//! means empty output. `BLESS=1 cargo test -p weft-cli --test cli` rewrites them.
//! Commands run in the crate directory (so `%` reads `tests/cli/...`); output is
//! normalised: guest paths become `%guest(NAME)` and the temporary directory `%tmp`.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Directive {
    name: Option<String>,
    expect_success: bool,
    args: Vec<String>,
}

fn directives(text: &str) -> Vec<Directive> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some(rest) = ["//", "#", ";;"].iter().find_map(|p| line.strip_prefix(p)) else {
            break;
        };
        let rest = rest.trim_start();
        let (head, command) = match rest.split_once(':') {
            Some((head, command)) if head.starts_with("RUN") || head.starts_with("FAIL") => {
                (head, command)
            }
            _ => continue,
        };
        let expect_success = head.starts_with("RUN");
        let name = head
            .split_once('[')
            .and_then(|(_, n)| n.strip_suffix(']'))
            .map(str::to_string);
        found.push(Directive {
            name,
            expect_success,
            args: shell_words(command.trim()),
        });
    }
    found
}

/// Splits a command line on spaces, honouring single and double quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => current.extend(chars.next()),
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

fn inputs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            inputs(&path, out);
        } else if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("stdout" | "stderr")
        ) {
            out.push(path);
        }
    }
}

fn substitute(word: &str, input: &str, tmp: &str) -> String {
    let mut word = word.replace("%tmp", tmp);
    while let Some(start) = word.find("%guest(") {
        let end = start + word[start..].find(')').expect("`%guest(` needs `)`");
        let name = &word[start + 7..end];
        word.replace_range(start..=end, weft_test_guests::path(name));
    }
    if word == "%" {
        return input.to_string();
    }
    word.replace("%/", &format!("{input}/"))
}

fn normalise(text: &str, tmp: &str) -> String {
    let mut text = text.replace(tmp, "%tmp");
    for (name, path) in weft_test_guests::ALL {
        text = text.replace(path, &format!("%guest({name})"));
    }
    text
}

#[test]
fn cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("BLESS").is_some();
    let mut files = Vec::new();
    inputs(&root.join("tests").join("cli"), &mut files);
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        for directive in directives(&text) {
            ran += 1;
            let tmp = tempfile::tempdir().unwrap();
            let tmp_str = tmp.path().to_str().unwrap().to_string();
            let args: Vec<String> = directive
                .args
                .iter()
                .map(|w| substitute(w, &relative, &tmp_str))
                .collect();
            let output = Command::new(env!("CARGO_BIN_EXE_weft"))
                .args(&args)
                .current_dir(root)
                .env("WEFT_CACHE_DIR", tmp.path().join("cache"))
                .env("COLUMNS", "80")
                .env("NO_COLOR", "1")
                .env_remove("RUST_LOG")
                .env_remove("RUST_BACKTRACE")
                .output()
                .unwrap();
            let label = match &directive.name {
                Some(name) => format!("{relative} [{name}]"),
                None => relative.clone(),
            };
            if output.status.success() != directive.expect_success {
                failures.push(format!(
                    "{label}: expected {}, got {}\nstderr:\n{}",
                    if directive.expect_success {
                        "success"
                    } else {
                        "failure"
                    },
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
            let base = match &directive.name {
                Some(name) => format!("{}.{name}", file.display()),
                None => file.display().to_string(),
            };
            for (ext, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
                let actual = normalise(&String::from_utf8_lossy(bytes), &tmp_str);
                let expected_path = PathBuf::from(format!("{base}.{ext}"));
                if bless {
                    if actual.is_empty() {
                        let _ = std::fs::remove_file(&expected_path);
                    } else {
                        std::fs::write(&expected_path, &actual).unwrap();
                    }
                    continue;
                }
                let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
                if expected != actual {
                    failures.push(format!(
                        "{label}: {ext} differs (BLESS=1 to accept)\n--- expected ({})\n{expected}\n--- actual\n{actual}",
                        expected_path.display()
                    ));
                }
            }
        }
    }
    assert!(
        ran > 0,
        "no CLI test inputs found under {}",
        root.join("cli").display()
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} CLI tests failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    println!("{ran} CLI directives passed");
}

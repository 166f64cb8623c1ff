//! CLI tests pinned by files, in the manner of wasm-tools' `tests/cli.rs`.
//!
//! Every file under `tests/cli/` whose first lines hold directives is a test input:
//!
//! ```text
//! // RUN: call %guest(greeter) 'greet({name: "Ada"})'
//! // FAIL[bad-arg]: call %guest(greeter) 'greet(5)'
//! ```
//!
//! (`#` or `;;` may stand for `//`.) `RUN` expects exit status 0, `FAIL` status 1 (how
//! weft reports an error), `USAGE` status 2 (a command line clap refuses). Whatever the
//! status, stderr must not hold "panicked" or "stack backtrace". The command line is
//! split like a shell would (single and double quotes), and these words are replaced:
//! `%` the input file, `%tmp` a fresh temporary directory, `%guest(NAME)` the path of a
//! guest component built by `weft-test-guests`, `%head(N,FILE)` a copy of the first `N`
//! bytes of `FILE` in `%tmp` (a truncated component without committing one). A word `&&`
//! separates commands run one after the other in the same `%tmp` (to show what one
//! invocation left for the next): every command but the last must exit 0, the last with
//! the directive's status, and their outputs are concatenated.
//! The expected stdout and stderr sit beside the input as `<file>.stdout` and
//! `<file>.stderr` (`<file>.<name>.stdout` for a named directive); a missing file
//! means empty output. `BLESS=1 cargo test -p weft-cli --test cli` rewrites them.
//! Commands run in the crate directory (so `%` reads `tests/cli/...`); output is
//! normalised: guest paths become `%guest(NAME)` and the temporary directory `%tmp`.
//! `CLI_FILTER=call/storage` runs (or blesses) only the inputs whose path holds that text.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Directive {
    name: Option<String>,
    /// The exit status the (last) command must have.
    status: i32,
    args: Vec<String>,
}

/// The directive words and the exit status each expects (see `weft call --help`:
/// 0 success, 1 a failure weft reports, 2 a usage error).
const KINDS: [(&str, i32); 3] = [("RUN", 0), ("FAIL", 1), ("USAGE", 2)];

/// What stderr must never show, whatever the command: a panic or its backtrace.
const PANIC_MARKERS: [&str; 2] = ["panicked", "stack backtrace"];

fn directives(text: &str) -> Vec<Directive> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some(rest) = ["//", "#", ";;"].iter().find_map(|p| line.strip_prefix(p)) else {
            break;
        };
        let rest = rest.trim_start();
        let Some((head, command)) = rest.split_once(':') else {
            continue;
        };
        let Some(&(_, status)) = KINDS.iter().find(|(kind, _)| {
            head.strip_prefix(kind)
                .is_some_and(|r| r.is_empty() || r.starts_with('['))
        }) else {
            continue;
        };
        let name = head
            .split_once('[')
            .and_then(|(_, n)| n.strip_suffix(']'))
            .map(str::to_string);
        found.push(Directive {
            name,
            status,
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

fn substitute(word: &str, input: &str, tmp: &Path, root: &Path) -> String {
    let mut word = word.replace("%tmp", tmp.to_str().unwrap());
    while let Some(start) = word.find("%guest(") {
        let end = start + word[start..].find(')').expect("`%guest(` needs `)`");
        let name = &word[start + 7..end];
        word.replace_range(start..=end, weft_test_guests::path(name));
    }
    while let Some(start) = word.find("%head(") {
        let end = start + word[start..].find(')').expect("`%head(` needs `)`");
        let (count, file) = word[start + 6..end]
            .split_once(',')
            .expect("write `%head(N,FILE)`");
        let count: usize = count
            .trim()
            .parse()
            .expect("`%head(N,FILE)`: N is a number");
        let file = Path::new(file.trim());
        let bytes = std::fs::read(root.join(file))
            .unwrap_or_else(|e| panic!("`%head`: cannot read {}: {e}", file.display()));
        assert!(
            count < bytes.len(),
            "`%head({count},{})`: the file has only {} bytes",
            file.display(),
            bytes.len()
        );
        let name = file.file_name().unwrap().to_str().unwrap();
        let copy = tmp.join(format!("head{count}-{name}"));
        std::fs::write(&copy, &bytes[..count]).unwrap();
        word.replace_range(start..=end, copy.to_str().unwrap());
    }
    if word == "%" {
        return input.to_string();
    }
    word.replace("%/", &format!("{input}/"))
}

/// What the commands of one directive printed, and how the last one exited.
struct Ran {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The exit status (`None` when a signal ended the process).
    status: Option<i32>,
    /// Which command ended the run, counting from 1, and how many there were.
    last: (usize, usize),
}

/// Runs the `&&`-separated commands in `args`, stopping at the first that exits non-zero.
fn run_commands(args: &[String], root: &Path, tmp: &Path) -> Ran {
    let commands: Vec<&[String]> = args.split(|w| w == "&&").collect();
    let mut ran = Ran {
        stdout: Vec::new(),
        stderr: Vec::new(),
        status: None,
        last: (0, commands.len()),
    };
    for (i, command) in commands.iter().enumerate() {
        let output = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(*command)
            .current_dir(root)
            .env("WEFT_CACHE_DIR", tmp.join("cache"))
            .env("COLUMNS", "80")
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        ran.stdout.extend_from_slice(&output.stdout);
        ran.stderr.extend_from_slice(&output.stderr);
        ran.status = output.status.code();
        ran.last.0 = i + 1;
        if ran.status != Some(0) {
            break;
        }
    }
    ran
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
    if let Some(filter) = std::env::var_os("CLI_FILTER") {
        let filter = filter.to_string_lossy().into_owned();
        files.retain(|f| f.to_string_lossy().contains(&filter));
    }
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
                .map(|w| substitute(w, &relative, tmp.path(), root))
                .collect();
            let output = run_commands(&args, root, tmp.path());
            let label = match &directive.name {
                Some(name) => format!("{relative} [{name}]"),
                None => relative.clone(),
            };
            let stderr = String::from_utf8_lossy(&output.stderr);
            if let Some(marker) = PANIC_MARKERS.iter().find(|m| stderr.contains(*m)) {
                failures.push(format!(
                    "{label}: stderr shows `{marker}`: weft must report errors, never panic\nstderr:\n{stderr}"
                ));
                continue;
            }
            // A command before the last stopped the run only by exiting non-zero.
            let (last, count) = output.last;
            if last < count || output.status != Some(directive.status) {
                let expected = if last < count {
                    format!("status 0, so that command {} runs", last + 1)
                } else {
                    format!("status {}", directive.status)
                };
                failures.push(format!(
                    "{label}: command {last} of {count} exited with {}, expected {expected}\nstderr:\n{stderr}",
                    output
                        .status
                        .map_or_else(|| "a signal".to_string(), |c| format!("status {c}")),
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

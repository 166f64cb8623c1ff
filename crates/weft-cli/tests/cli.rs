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
//!
//! Each input file is a test of its own, named by its path under `tests/cli/`:
//! `cargo test -p weft-cli --test cli -- call/storage` runs (or, with `BLESS=1`, blesses)
//! only the inputs whose name holds that text. A leading comment line that looks like a
//! directive but names none of the three fails its file, and so does an expected-output
//! file that no directive produces any more.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use weft_snapshots::Snapshots;

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

/// The directives in the leading comment lines of `text`, or the line of one that names
/// no known directive.
fn directives(text: &str) -> Result<Vec<Directive>, String> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let Some(rest) = ["//", "#", ";;"].iter().find_map(|p| line.strip_prefix(p)) else {
            break;
        };
        let rest = rest.trim_start();
        let Some((head, command)) = rest.split_once(':') else {
            continue;
        };
        let (word, name) = match head.split_once('[') {
            Some((word, name)) => (word, name.strip_suffix(']')),
            None => (head, None),
        };
        // Only an upper-case word right before the colon is meant as a directive.
        if word.is_empty() || !word.chars().all(|c| c.is_ascii_uppercase() || c == '-') {
            continue;
        }
        let Some(&(_, status)) = KINDS.iter().find(|(kind, _)| *kind == word) else {
            return Err(format!(
                "line {}: `{word}` is not a directive; write RUN, FAIL or USAGE",
                number + 1
            ));
        };
        found.push(Directive {
            name: name.map(str::to_string),
            status,
            args: shell_words(command.trim()),
        });
    }
    Ok(found)
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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests").join("cli");
    let mut trials = Vec::new();
    let mut expected = BTreeSet::new();
    for file in weft_snapshots::files(&dir) {
        if is_snapshot(&file) {
            continue;
        }
        // Binary inputs and files without directives are data other inputs use.
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let name = file.strip_prefix(&dir).unwrap().display().to_string();
        let relative = file.strip_prefix(root).unwrap().display().to_string();
        let directives = match directives(&text) {
            Ok(directives) if directives.is_empty() => continue,
            Ok(directives) => directives,
            Err(message) => {
                trials.push(weft_snapshots::trial(name, move |s| {
                    s.fail(format!("{relative}: {message}"))
                }));
                continue;
            }
        };
        for directive in &directives {
            let base = snapshot_base(&file, directive);
            expected.insert(PathBuf::from(format!("{base}.stdout")));
            expected.insert(PathBuf::from(format!("{base}.stderr")));
        }
        trials.push(weft_snapshots::trial(name, move |s| {
            for directive in &directives {
                run_directive(s, root, &file, &relative, directive);
            }
        }));
    }
    assert!(
        !trials.is_empty(),
        "no CLI test inputs under {}",
        dir.display()
    );
    trials.push(weft_snapshots::orphans(
        "orphaned-snapshots",
        &dir,
        is_snapshot,
        expected,
    ));
    weft_snapshots::run(trials)
}

fn is_snapshot(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("stdout" | "stderr")
    )
}

/// `<file>` or `<file>.<name>`: where a directive's expected outputs sit, minus `.stdout`.
fn snapshot_base(file: &Path, directive: &Directive) -> String {
    match &directive.name {
        Some(name) => format!("{}.{name}", file.display()),
        None => file.display().to_string(),
    }
}

/// Runs one directive of the input `file` and compares its outputs.
fn run_directive(
    s: &mut Snapshots,
    root: &Path,
    file: &Path,
    relative: &str,
    directive: &Directive,
) {
    let tmp = tempfile::tempdir().unwrap();
    let tmp_str = tmp.path().to_str().unwrap().to_string();
    let args: Vec<String> = directive
        .args
        .iter()
        .map(|w| substitute(w, relative, tmp.path(), root))
        .collect();
    let output = run_commands(&args, root, tmp.path());
    let label = match &directive.name {
        Some(name) => format!("{relative} [{name}]"),
        None => relative.to_string(),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if let Some(marker) = PANIC_MARKERS.iter().find(|m| stderr.contains(*m)) {
        return s.fail(format!(
            "{label}: stderr shows `{marker}`: weft must report errors, never panic\nstderr:\n{stderr}"
        ));
    }
    // A command before the last stopped the run only by exiting non-zero.
    let (last, count) = output.last;
    if last < count || output.status != Some(directive.status) {
        let expected = if last < count {
            format!("status 0, so that command {} runs", last + 1)
        } else {
            format!("status {}", directive.status)
        };
        return s.fail(format!(
            "{label}: command {last} of {count} exited with {}, expected {expected}\nstderr:\n{stderr}",
            output
                .status
                .map_or_else(|| "a signal".to_string(), |c| format!("status {c}")),
        ));
    }
    let base = snapshot_base(file, directive);
    for (ext, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let actual = normalise(&String::from_utf8_lossy(bytes), &tmp_str);
        s.check(Path::new(&format!("{base}.{ext}")), &actual);
    }
}

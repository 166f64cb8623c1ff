//! `weft completions`: the bash script completes subcommands and flags in a real bash;
//! the other shells' scripts are checked by their own parser where it is installed.

use std::process::Command;

fn script(shell: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What bash's completion function offers for the words of `line`, the last being the
/// one under the cursor, called as bash calls it (command, current word, previous word).
fn bash_complete(script_path: &std::path::Path, line: &[&str]) -> Vec<String> {
    let words = line
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let probe = format!(
        "source '{}'; COMP_WORDS=({words}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; _weft weft \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script_path.display(),
        line.len() - 1,
        line.join(" ")
    );
    let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_their_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("weft.bash");
    std::fs::write(&path, script("bash")).unwrap();
    assert_eq!(bash_complete(&path, &["weft", "ca"]), ["call"]);
    let wit = bash_complete(&path, &["weft", "wit", ""]);
    for sub in ["check", "print", "diff"] {
        assert!(wit.iter().any(|w| w == sub), "{wit:?}");
    }
    assert_eq!(
        bash_complete(&path, &["weft", "call", "--max-mem"]),
        ["--max-memory"]
    );
    assert_eq!(
        bash_complete(&path, &["weft", "completions", "fi"]),
        ["fish"]
    );
}

#[test]
fn zsh_and_fish_scripts_parse_where_the_shell_is_installed() {
    for (shell, check) in [("zsh", ["-n"]), ("fish", ["--no-execute"])] {
        let text = script(shell);
        assert!(
            text.contains("call") && text.contains("max-memory"),
            "{shell}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("weft.{shell}"));
        std::fs::write(&path, &text).unwrap();
        match Command::new(shell).args(check).arg(&path).output() {
            Ok(out) => assert!(
                out.status.success(),
                "{shell} refuses the script: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(_) => eprintln!("{shell} is not installed: its script is not parsed"),
        }
    }
}

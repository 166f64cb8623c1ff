//! The `:` commands of a session.

/// A `:` command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:help`.
    Help,
    /// `:exports`: the signatures, with the WIT's docs.
    Exports,
    /// `:type NAME`: a type's declaration, or an export's signature.
    Type(String),
    /// `:handles`: the live handles and their resource types.
    Handles,
    /// `:reload`: load the component again and start a new instance.
    Reload,
    /// `:json`: print results as JSON.
    Json,
    /// `:wave`: print results as WAVE.
    Wave,
    /// `:quit`.
    Quit,
}

/// Every command with its one-line help, in the order `:help` lists them.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (
        ":exports",
        "the exports, with their WIT signatures and docs",
    ),
    (
        ":type NAME",
        "the WIT declaration of a type, or an export's signature",
    ),
    (":handles", "the live handles and their resource types"),
    (
        ":reload",
        "load the component again (after a rebuild) into a new instance",
    ),
    (":json", "print results as JSON"),
    (":wave", "print results as WAVE (the default)"),
    (
        ":quit",
        "end the session (or Ctrl-D); live handles are dropped",
    ),
];

impl Command {
    /// Parses a line that starts with `:`.
    pub fn parse(line: &str) -> Result<Command, String> {
        let line = line.trim();
        let (name, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        let command = match name {
            ":help" | ":h" | ":?" => Command::Help,
            ":exports" | ":e" => Command::Exports,
            ":type" | ":t" if !arg.is_empty() => Command::Type(arg.to_string()),
            ":type" | ":t" => return Err("`:type` needs a name, e.g. `:type person`".into()),
            ":handles" => Command::Handles,
            ":reload" | ":r" => Command::Reload,
            ":json" => Command::Json,
            ":wave" => Command::Wave,
            ":quit" | ":q" | ":exit" => Command::Quit,
            other => {
                let names: Vec<&str> = COMMANDS
                    .iter()
                    .map(|(c, _)| c.split(' ').next().unwrap_or(c))
                    .collect();
                let hint = weft_wit::closest(other, names.iter().copied())
                    .map(|c| format!("did you mean `{c}`? "))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown command `{other}`; {hint}`:help` lists them"
                ));
            }
        };
        Ok(command)
    }

    /// The text `:help` prints.
    pub fn help() -> String {
        let mut text = String::from(
            "Statements are those of `weft call`: `greet({name: \"Ada\"})`, `let c = counter(\"x\")`,\n\
             `c.increment(2)`, `drop(c)`. Tab completes exports, handles, fields and cases;\n\
             an unclosed bracket or string continues on the next line.\n\n",
        );
        for (command, help) in COMMANDS {
            text.push_str(&format!("  {command:<12} {help}\n"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_unknown_ones_suggest() {
        assert_eq!(
            Command::parse(":type  person"),
            Ok(Command::Type("person".into()))
        );
        assert_eq!(Command::parse(":q"), Ok(Command::Quit));
        assert!(
            Command::parse(":type")
                .unwrap_err()
                .contains("needs a name")
        );
        let error = Command::parse(":exprts").unwrap_err();
        assert!(error.contains("did you mean `:exports`"), "{error}");
    }
}

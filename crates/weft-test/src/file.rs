//! The test file format (TOML), as read: the component, its virtualised WASI, mocks for
//! its imports, and cases. Values are still text here; [`crate::check`] types them.
//!
//! ```toml
//! component = "storage_adapter.wasm"   # relative to this file
//!
//! [wasi]
//! clock = 1767225600                   # a fixed wall clock, seconds since the epoch
//!
//! [[mock]]
//! import = "modern:storage/storage-v2#put"
//! returns = "ok(1)"                    # WAVE; `returns-json` for JSON
//!
//! [[case]]
//! name = "save stores text/plain"
//! calls = [{ call = 'save("k", "v")', expect = "true" }]
//! [[case.mock-called]]
//! import = "put"
//! times = 1
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use weft_compose::{Location, TomlError, parse_toml};

/// Where the format is documented, for error hints.
pub(crate) const DOCS: &str = "docs/testing.md";

/// A test file, parsed but not yet checked against the component.
#[derive(Debug)]
pub struct TestFile {
    /// The file.
    pub path: PathBuf,
    /// Its text, for error locations.
    pub(crate) text: String,
    /// The component under test, resolved against the file's directory.
    pub component: PathBuf,
    pub(crate) raw: RawFile,
}

impl TestFile {
    /// Reads and parses the test file at `path`.
    pub fn read(path: &Path) -> Result<TestFile, TomlError> {
        let text = std::fs::read_to_string(path).map_err(|source| TomlError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        TestFile::parse(path, text)
    }

    /// Parses `text` as the test file at `path`.
    pub fn parse(path: &Path, text: String) -> Result<TestFile, TomlError> {
        let raw: RawFile = parse_toml(path, &text, DOCS)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Ok(TestFile {
            path: path.to_path_buf(),
            component: dir.join(&raw.component),
            text,
            raw,
        })
    }

    /// A test file built in memory (a replayed trace): `component` is used as given.
    pub(crate) fn from_raw(path: &Path, component: PathBuf, raw: RawFile) -> TestFile {
        TestFile {
            path: path.to_path_buf(),
            text: String::new(),
            component,
            raw,
        }
    }

    /// The location of a span of this file, for messages; `None` for a file given
    /// as a value rather than read from text.
    pub(crate) fn at(&self, span: std::ops::Range<usize>) -> Option<Location> {
        (!self.text.is_empty())
            .then(|| Location::from_span(self.path.display().to_string(), &self.text, span))
    }
}

/// The file's shape, as serde reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawFile {
    pub(crate) component: String,
    #[serde(default)]
    pub(crate) wasi: RawWasi,
    /// Wall-clock time each call may take (default 10 s).
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) max_memory: Option<String>,
    pub(crate) fuel: Option<u64>,
    /// Imports with no `[[mock]]` (and not WASI) trap when called instead of failing the
    /// link.
    #[serde(default)]
    pub(crate) trap_unknown_imports: bool,
    #[serde(default, rename = "mock")]
    pub(crate) mocks: Vec<RawMock>,
    #[serde(default, rename = "case")]
    pub(crate) cases: Vec<RawCase>,
}

/// `[wasi]`: WASI stays real, virtualised per case.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWasi {
    #[serde(default)]
    pub(crate) env: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) args: Vec<String>,
    /// A fresh empty directory per case, granted at this guest path.
    pub(crate) temp_dir: Option<String>,
    /// A fixed wall clock, in seconds since the Unix epoch.
    pub(crate) clock: Option<u64>,
    pub(crate) random_seed: Option<u64>,
}

/// One `[[mock]]`: an imported function (or a resource's constructor or method). It
/// answers with one of `returns`, `returns-json`, `sequence` or `trap` (none for a
/// function without a result, or a constructor), unless a `when` matches first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMock {
    pub(crate) import: Spanned<String>,
    pub(crate) returns: Option<Spanned<String>>,
    pub(crate) returns_json: Option<Spanned<toml::Value>>,
    pub(crate) sequence: Option<Vec<Spanned<RawStep>>>,
    pub(crate) trap: Option<String>,
    #[serde(default)]
    pub(crate) repeat_last: bool,
    #[serde(default)]
    pub(crate) when: Vec<RawWhen>,
}

/// One answer of a `sequence`: a WAVE value (the empty string for a function without a
/// result), or `{ trap = "message" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "toml::Value")]
pub(crate) enum RawStep {
    Value(String),
    Trap { trap: String },
}

/// `{ trap = "..." }` as serde reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrapStep {
    trap: String,
}

impl TryFrom<toml::Value> for RawStep {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<RawStep, String> {
        match value {
            toml::Value::String(text) => Ok(RawStep::Value(text)),
            table @ toml::Value::Table(_) => RawTrapStep::deserialize(table)
                .map(|t| RawStep::Trap { trap: t.trap })
                .map_err(|e| e.message().to_string()),
            other => Err(format!(
                "a `sequence` answer is a WAVE string or `{{ trap = \"...\" }}`, not a {}",
                other.type_str()
            )),
        }
    }
}

/// `[[mock.when]]`: an answer for calls with these arguments.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWhen {
    pub(crate) args: Vec<Spanned<String>>,
    pub(crate) handle: Option<u32>,
    pub(crate) returns: Option<Spanned<String>>,
    pub(crate) returns_json: Option<Spanned<toml::Value>>,
    pub(crate) trap: Option<String>,
}

/// One `[[case]]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCase {
    pub(crate) name: String,
    pub(crate) calls: Vec<Spanned<RawCall>>,
    #[serde(default)]
    pub(crate) stdout_contains: Vec<String>,
    #[serde(default)]
    pub(crate) stderr_contains: Vec<String>,
    #[serde(default)]
    pub(crate) mock_called: Vec<RawMockCalled>,
    /// The mocked import calls, in order: each a name (`put`) or a call with its
    /// arguments (`put({key: "k", ...})`).
    pub(crate) order: Option<Vec<Spanned<String>>>,
    /// Repeat the calls this many times in one session and check for leaks.
    pub(crate) leaks: Option<u32>,
    /// The guest memory growth between the first and last repetition that fails a
    /// leak check (default 64 KiB).
    pub(crate) max_growth: Option<String>,
}

/// One statement of a case: text to run, or a table with expectations. Read through
/// a `toml::Value` so a table's misspelt key gets serde's own message (and the closest
/// key), not an untagged enum's "no variant matched".
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "toml::Value")]
pub(crate) enum RawCall {
    Plain(String),
    Checked(RawCheckedCall),
}

impl TryFrom<toml::Value> for RawCall {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<RawCall, String> {
        match value {
            toml::Value::String(text) => Ok(RawCall::Plain(text)),
            table @ toml::Value::Table(_) => RawCheckedCall::deserialize(table)
                .map(RawCall::Checked)
                .map_err(|e| e.message().to_string()),
            other => Err(format!(
                "a call is a statement string or a table with `call`, not a {}",
                other.type_str()
            )),
        }
    }
}

/// A statement with expectations on its outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCheckedCall {
    pub(crate) call: String,
    pub(crate) expect: Option<String>,
    pub(crate) expect_json: Option<toml::Value>,
    /// The call traps: `any`, or a kind such as `guest-abort`.
    pub(crate) trap: Option<String>,
    /// A substring of the trap's message.
    pub(crate) trap_contains: Option<String>,
}

impl RawCall {
    pub(crate) fn statement(&self) -> &str {
        match self {
            RawCall::Plain(s) => s,
            RawCall::Checked(c) => &c.call,
        }
    }
}

/// `[[case.mock-called]]`: how a mock must have been called.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMockCalled {
    pub(crate) import: Spanned<String>,
    pub(crate) times: Option<u32>,
    /// At least one call had these arguments.
    pub(crate) with: Option<Vec<Spanned<String>>>,
    /// The calls, in order, exactly.
    pub(crate) calls: Option<Vec<Vec<Spanned<String>>>>,
    /// Only calls on this mock handle.
    pub(crate) handle: Option<u32>,
}

//! Traces: a real session recorded by `weft call --record` (every export call with its
//! result, and every import call the component made during it), and replaying one as
//! a test whose mocks answer what the real imports answered.
//!
//! ```json
//! {
//!   "weft-trace": 1,
//!   "component": "greeter.wasm",
//!   "calls": [
//!     { "call": "greet({name: \"Ada\"})", "result": "\"Hello, Ada! Welcome aboard.\"",
//!       "imports": [ { "import": "example:greeter/logging@1.0.0#log",
//!                      "args": ["1", "\"Greeting Ada\""] } ] }
//!   ]
//! }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::file::{RawCall, RawCase, RawCheckedCall, RawFile, RawMock, RawStep, TestFile};

/// The trace format's version.
pub const TRACE_VERSION: u32 = 1;

/// A recorded session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Trace {
    /// The format's version ([`TRACE_VERSION`]).
    pub weft_trace: u32,
    /// The component that was recorded, as it was named.
    pub component: String,
    /// The export calls, in order.
    pub calls: Vec<TracedCall>,
}

/// One statement of the session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TracedCall {
    /// The statement, as `weft call` took it.
    pub call: String,
    /// Its result in WAVE; absent for a function without one, a `drop`, or a trap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The message, when the call trapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    /// The import calls it made, in order (imports weft serves; not WASI).
    #[serde(default)]
    pub imports: Vec<TracedImport>,
}

/// One import call.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TracedImport {
    /// The import, `ns:pkg/iface@1.0.0#func`.
    pub import: String,
    /// Its arguments, each in WAVE.
    pub args: Vec<String>,
    /// What it returned, in WAVE; absent for a function without a result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The message, when it trapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("cannot read the trace `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a trace.
    #[error("`{}` is not a weft trace: {message}; record one with `weft call COMPONENT --record {}`", path.display(), path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line and column.
        message: String,
    },
}

impl Trace {
    /// An empty trace of `component`.
    pub fn new(component: &Path) -> Trace {
        Trace {
            weft_trace: TRACE_VERSION,
            component: component.display().to_string(),
            calls: Vec::new(),
        }
    }

    /// Reads a trace file.
    pub fn read(path: &Path) -> Result<Trace, TraceError> {
        let text = std::fs::read_to_string(path).map_err(|source| TraceError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let trace: Trace = serde_json::from_str(&text).map_err(|e| TraceError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if trace.weft_trace != TRACE_VERSION {
            return Err(TraceError::Format {
                path: path.to_path_buf(),
                message: format!(
                    "it is version {}, this weft reads version {TRACE_VERSION}",
                    trace.weft_trace
                ),
            });
        }
        Ok(trace)
    }

    /// The trace as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a trace serializes") + "\n"
    }

    /// A test of `component` that replays this trace: every recorded import answers
    /// what it answered then (in order, and no more times), every export call must
    /// return what it returned, and the import calls must come in the same order with
    /// the same arguments.
    pub fn to_test(&self, trace_path: &Path, component: &Path) -> TestFile {
        let spanned = |s: &str| Spanned::new(0..0, s.to_string());
        let mut by_import: BTreeMap<&str, Vec<&TracedImport>> = BTreeMap::new();
        for import in self.calls.iter().flat_map(|c| &c.imports) {
            by_import.entry(&import.import).or_default().push(import);
        }
        let mocks = by_import
            .into_iter()
            .map(|(name, calls)| RawMock {
                import: spanned(name),
                sequence: Some(
                    calls
                        .iter()
                        .map(|c| match (&c.trap, &c.result) {
                            (Some(trap), _) => RawStep::Trap { trap: trap.clone() },
                            (None, Some(result)) => RawStep::Value(result.clone()),
                            (None, None) => RawStep::Value(String::new()),
                        })
                        .map(|step| Spanned::new(0..0, step))
                        .collect(),
                ),
                returns: None,
                returns_json: None,
                trap: None,
                repeat_last: false,
                when: Vec::new(),
            })
            .collect();
        let calls = self
            .calls
            .iter()
            .map(|c| {
                let call = RawCall::Checked(RawCheckedCall {
                    call: c.call.clone(),
                    expect: c.result.clone(),
                    expect_json: None,
                    trap: c.trap.as_ref().map(|_| "any".to_string()),
                    trap_contains: None,
                });
                Spanned::new(0..0, call)
            })
            .collect();
        let order = self
            .calls
            .iter()
            .flat_map(|c| &c.imports)
            .map(|i| spanned(&format!("{}({})", i.import, i.args.join(", "))))
            .collect();
        let raw = RawFile {
            component: component.display().to_string(),
            // Imports the recording never saw called get no mock; one called now traps,
            // and the order diff shows the call.
            trap_unknown_imports: true,
            cases: vec![RawCase {
                name: format!("replay of {} call(s)", self.calls.len()),
                calls,
                order: Some(order),
                ..RawCase::default()
            }],
            mocks,
            ..RawFile::default()
        };
        TestFile::from_raw(trace_path, component.to_path_buf(), raw)
    }
}

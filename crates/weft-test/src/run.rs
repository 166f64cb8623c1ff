//! Running a checked test file: one fresh session per case (its own instance, mocks
//! and temporary directory), each call's outcome compared with the plan, then the
//! case's expectations on output and mocks, and for leak checks the repetitions.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use weft_runtime::{
    CallError, Capabilities, Imports, Limits, LoadedComponent, Outcome, Output, Preopen, Prepared,
    Runtime, Session, SessionError, SessionReport, Statement,
};

use crate::check::{CallPlan, CasePlan, Plan, trap_kind_name};
use crate::mocks::{self, MockCall, MockState};

/// The result of one case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// What did not hold, one message each.
    pub failures: Vec<String>,
    /// How long the case took.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// The leak check's figures, when the case repeated its calls.
    pub leaks: Option<LeakReport>,
}

/// What repeating a case's calls showed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LeakReport {
    /// How many times the calls ran.
    pub cycles: u32,
    /// Guest linear memory after the first cycle, in bytes.
    pub memory_first: usize,
    /// Guest linear memory after the last cycle, in bytes.
    pub memory_last: usize,
    /// Handles the session held (exported resources and mock handles) after the first
    /// cycle.
    pub handles_first: usize,
    /// The same after the last cycle.
    pub handles_last: usize,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// The result of one test file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The test file.
    pub path: PathBuf,
    /// Each case's result, in file order.
    pub cases: Vec<CaseReport>,
}

impl FileReport {
    /// How many cases passed and failed.
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.cases.iter().filter(|c| c.passed).count();
        (passed, self.cases.len() - passed)
    }
}

/// Options that apply to every case of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Repeat every case this many times as a leak check (overrides the cases' own).
    pub leaks: Option<u32>,
    /// Run only the cases whose name contains this.
    pub filter: Option<String>,
}

/// Links `plan`'s mocks to `component` once, for all its cases.
pub fn prepare(
    runtime: &Runtime,
    component: &LoadedComponent,
    plan: &Plan,
) -> Result<Prepared<MockState>, weft_runtime::LinkError> {
    let mut imports = Imports::<MockState>::default().trap_unknown(plan.trap_unknown_imports);
    if plan.asynchronous {
        imports = imports.asynchronous();
    }
    runtime.prepare(component, &mocks::link(&plan.mocks, imports))
}

/// Runs every case of `plan` on `prepared`.
pub fn run_plan(
    prepared: &Prepared<MockState>,
    plan: &Plan,
    path: PathBuf,
    options: &RunOptions,
) -> FileReport {
    let cases = plan
        .cases
        .iter()
        .filter(|c| {
            options
                .filter
                .as_ref()
                .is_none_or(|f| c.name.contains(f.as_str()))
        })
        .map(|case| run_case(prepared, plan, case, options))
        .collect();
    FileReport { path, cases }
}

fn run_case(
    prepared: &Prepared<MockState>,
    plan: &Plan,
    case: &CasePlan,
    options: &RunOptions,
) -> CaseReport {
    let started = Instant::now();
    let mut failures = Vec::new();
    let leaks = run_session(prepared, plan, case, options, &mut failures);
    CaseReport {
        name: case.name.clone(),
        passed: failures.is_empty(),
        failures,
        duration: started.elapsed(),
        leaks,
    }
}

fn run_session(
    prepared: &Prepared<MockState>,
    plan: &Plan,
    case: &CasePlan,
    options: &RunOptions,
    failures: &mut Vec<String>,
) -> Option<LeakReport> {
    let temp = match &plan.wasi.temp_dir {
        Some(_) => match tempfile::tempdir() {
            Ok(dir) => Some(dir),
            Err(e) => {
                failures.push(format!("cannot create the case's temporary directory: {e}"));
                return None;
            }
        },
        None => None,
    };
    let caps = Capabilities {
        env: plan
            .wasi
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        args: plan.wasi.args.clone(),
        preopens: match (&temp, &plan.wasi.temp_dir) {
            (Some(dir), Some(guest)) => vec![Preopen {
                host: dir.path().to_path_buf(),
                guest: guest.clone(),
                read_only: false,
            }],
            _ => Vec::new(),
        },
        fixed_clock: plan.wasi.clock.map(Duration::from_secs),
        random_seed: plan.wasi.random_seed,
        stdout: Output::Capture,
        stderr: Output::Capture,
        ..Capabilities::default()
    };
    let driver = match Driver::new(plan.asynchronous) {
        Ok(driver) => driver,
        Err(e) => {
            failures.push(format!("cannot start the async runtime for the case: {e}"));
            return None;
        }
    };
    let mut session = match driver.instantiate(prepared, &caps, plan.limits.clone()) {
        Ok(session) => session,
        Err(e) => {
            failures.push(format!("the component did not start: {}", chain(&e)));
            return None;
        }
    };
    let cycles = options.leaks.or(case.leaks).unwrap_or(1).max(1);
    let mut first: Option<(usize, usize)> = None;
    let mut first_calls: Vec<MockCall> = Vec::new();
    // A call that traps as the case expects ends the instance: its handles cannot be
    // dropped, and that is no leak of the component's.
    let mut trapped = false;
    for cycle in 0..cycles {
        let before: Vec<String> = session.handles().into_iter().map(|(n, _)| n).collect();
        for call in &case.calls {
            let ran = run_call(&driver, &mut session, call);
            trapped |= ran.is_ok() && call.trap.is_some();
            if let Err(message) = ran {
                let prefix = if cycles > 1 {
                    format!("cycle {}: ", cycle + 1)
                } else {
                    String::new()
                };
                failures.push(format!("{prefix}`{}`: {message}", call.text));
                break;
            }
        }
        if cycle == 0 {
            first_calls = session.data().calls.clone();
        }
        if !failures.is_empty() {
            break;
        }
        if cycles > 1 {
            // The drop of the create/use/drop cycle: handles this cycle made and kept.
            for (name, _) in session.handles() {
                if !before.contains(&name)
                    && let Err(e) = driver.drop_handle(&mut session, &name)
                {
                    failures.push(format!(
                        "cycle {}: dropping `{name}`: {}",
                        cycle + 1,
                        chain(&e)
                    ));
                }
            }
            if first.is_none() {
                first = Some((memory(&session), held(&session)));
            }
        }
    }
    check_output(&session, case, failures);
    check_mocks(&first_calls, case, failures);
    let leaks = if cycles > 1 && failures.is_empty() {
        let (memory_first, handles_first) = first.unwrap_or_default();
        let report = LeakReport {
            cycles,
            memory_first,
            memory_last: memory(&session),
            handles_first,
            handles_last: held(&session),
        };
        let growth = report.memory_last.saturating_sub(report.memory_first);
        if growth > case.max_growth {
            failures.push(format!(
                "leak: guest memory grew by {growth} bytes between cycle 1 and cycle {cycles} ({} -> {} bytes; the limit is {} bytes, `max-growth`): a destructor or a call does not free what it allocates",
                report.memory_first, report.memory_last, case.max_growth
            ));
        }
        if report.handles_last > report.handles_first {
            failures.push(format!(
                "leak: {} handle(s) live after cycle 1, {} after cycle {cycles}: handles are made and never dropped",
                report.handles_first, report.handles_last
            ));
        }
        Some(report)
    } else {
        None
    };
    let report = driver.finish(session);
    if !report.leaked.is_empty() && !trapped {
        failures.push(format!(
            "handles whose destructors could not run: {}",
            report.leaked.join(", ")
        ));
    }
    leaks
}

/// The guest's linear memory now.
fn memory(session: &Session<MockState>) -> usize {
    session.store().data().memory_bytes()
}

/// Handles the session holds: exported resources and the guest's mock handles.
fn held(session: &Session<MockState>) -> usize {
    session.handles().len() + session.data().live_handles()
}

/// How a case's session is driven: directly, or on a current-thread tokio runtime when
/// the component imports an `async func` (its imports are then linked for async calls).
struct Driver {
    tokio: Option<tokio::runtime::Runtime>,
}

impl Driver {
    fn new(asynchronous: bool) -> std::io::Result<Driver> {
        let tokio = match asynchronous {
            true => Some(
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?,
            ),
            false => None,
        };
        Ok(Driver { tokio })
    }

    fn instantiate(
        &self,
        prepared: &Prepared<MockState>,
        caps: &Capabilities,
        limits: Limits,
    ) -> Result<Session<MockState>, SessionError> {
        match &self.tokio {
            None => prepared.instantiate_with(caps, limits, MockState::default()),
            Some(tokio) => {
                tokio.block_on(prepared.instantiate_async(caps, limits, MockState::default()))
            }
        }
    }

    fn eval(
        &self,
        session: &mut Session<MockState>,
        statement: &Statement,
    ) -> Result<Option<Outcome>, CallError> {
        match &self.tokio {
            None => session.eval(statement),
            Some(tokio) => tokio.block_on(session.eval_async(statement)),
        }
    }

    fn drop_handle(&self, session: &mut Session<MockState>, name: &str) -> Result<(), CallError> {
        match &self.tokio {
            None => session.drop_handle(name),
            Some(tokio) => tokio.block_on(session.drop_handle_async(name)),
        }
    }

    fn finish(&self, session: Session<MockState>) -> SessionReport {
        match &self.tokio {
            None => session.finish(),
            Some(tokio) => tokio.block_on(session.finish_async()),
        }
    }
}

/// Runs one statement and compares its outcome with the plan.
fn run_call(
    driver: &Driver,
    session: &mut Session<MockState>,
    call: &CallPlan,
) -> Result<(), String> {
    let outcome = driver.eval(session, &call.statement);
    match (outcome, &call.trap) {
        (Err(CallError::Trap { trap, .. }), Some(expected)) => {
            if let Some(kind) = expected.kind
                && trap.kind != kind
            {
                return Err(format!(
                    "trapped with `{}` ({}), the test expects `{}`",
                    trap_kind_name(trap.kind),
                    trap.message,
                    trap_kind_name(kind)
                ));
            }
            if let Some(text) = &expected.contains
                && !trap.message.contains(text.as_str())
            {
                return Err(format!(
                    "trapped with `{}`, which does not contain `{text}`",
                    trap.message
                ));
            }
            Ok(())
        }
        (Err(e), _) => Err(chain(&e)),
        (Ok(outcome), Some(expected)) => Err(format!(
            "returned {} but the test expects a trap{}",
            outcome
                .map(|o| session.render_wave(&o.results))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "nothing".to_string()),
            expected
                .kind
                .map(|k| format!(" (`{}`)", trap_kind_name(k)))
                .unwrap_or_default()
        )),
        (Ok(outcome), None) => {
            let Some(expected) = &call.expect else {
                return Ok(());
            };
            let results = outcome.map(|o| o.results).unwrap_or_default();
            let found = session.render_wave(&results);
            if found == *expected {
                Ok(())
            } else {
                Err(format!("expected {expected}\n      found {found}"))
            }
        }
    }
}

fn check_output(session: &Session<MockState>, case: &CasePlan, failures: &mut Vec<String>) {
    let streams = [
        ("stdout", session.stdout(), &case.stdout_contains),
        ("stderr", session.stderr(), &case.stderr_contains),
    ];
    for (stream, bytes, wanted) in streams {
        let text = String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned();
        for needle in wanted {
            if !text.contains(needle.as_str()) {
                failures.push(format!(
                    "{stream} does not contain `{needle}`; it was: {}",
                    if text.is_empty() {
                        "empty".to_string()
                    } else {
                        format!("{:?}", cut(&text, 400))
                    }
                ));
            }
        }
    }
}

fn check_mocks(calls: &[MockCall], case: &CasePlan, failures: &mut Vec<String>) {
    for expected in &case.mock_called {
        let seen: Vec<&MockCall> = calls
            .iter()
            .filter(|c| c.qualified == expected.qualified)
            .filter(|c| expected.handle.is_none() || c.handle == expected.handle)
            .collect();
        let on = expected
            .handle
            .map(|h| format!(" on handle {h}"))
            .unwrap_or_default();
        let listing = || {
            if seen.is_empty() {
                "it was not called".to_string()
            } else {
                format!(
                    "its calls: {}",
                    seen.iter()
                        .map(|c| c.line(true))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        };
        if let Some(times) = expected.times
            && seen.len() != times as usize
        {
            failures.push(format!(
                "mock `{}`{on} was called {} time(s), the test expects {times}; {}",
                expected.short,
                seen.len(),
                listing()
            ));
        }
        if let Some(args) = &expected.with
            && !seen.iter().any(|c| c.args == *args)
        {
            failures.push(format!(
                "mock `{}`{on} was never called with ({}); {}",
                expected.short,
                args.join(", "),
                listing()
            ));
        }
        if let Some(list) = &expected.calls {
            let found: Vec<&Vec<String>> = seen.iter().map(|c| &c.args).collect();
            if found.len() != list.len() || found.iter().zip(list).any(|(a, b)| *a != b) {
                let wanted: Vec<String> = list
                    .iter()
                    .map(|args| format!("{}({})", expected.short, args.join(", ")))
                    .collect();
                let actual: Vec<String> = seen.iter().map(|c| c.line(true)).collect();
                failures.push(format!(
                    "the calls of mock `{}`{on} differ:\n{}",
                    expected.short,
                    diff(&wanted, &actual)
                ));
            }
        }
    }
    if let Some(order) = &case.order {
        let wanted: Vec<String> = order.iter().map(|e| e.line()).collect();
        let actual: Vec<String> = calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let with_args = order.get(i).is_none_or(|e| e.args.is_some());
                c.line(with_args)
            })
            .collect();
        let matches = calls.len() == order.len()
            && calls.iter().zip(order).all(|(c, e)| {
                c.qualified == e.qualified && e.args.as_ref().is_none_or(|a| *a == c.args)
            });
        if !matches {
            failures.push(format!(
                "the mocked calls differ from `order`:\n{}",
                diff(&wanted, &actual)
            ));
        }
    }
}

/// A line diff of what the test expects (`-`) against what happened (`+`).
pub(crate) fn diff(expected: &[String], actual: &[String]) -> String {
    let expected = expected.join("\n") + "\n";
    let actual = actual.join("\n") + "\n";
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    let mut out = String::from("      --- expected\n      +++ found\n");
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => " ",
        };
        out.push_str(&format!("      {sign} {}", change.value()));
    }
    out.trim_end().to_string()
}

/// An error with the causes that add something.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

//! Checking a test file against its component before anything runs: every mock names
//! an import the component has, every value (mock results and arguments, call
//! arguments, expected results) fits its WIT type, and every handle a call names is
//! bound by an earlier `let` of the same case.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;
use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Type, Val};
use weft_runtime::values::{
    Path, ValueError, describe, json, required_args, type_contains_resource, wave,
};
use weft_runtime::{
    CallText, ExportCatalog, ExportFunc, FuncKind, Limits, LoadedComponent, Statement, TrapKind,
    interface_matches, parse_size,
};
use weft_wit::Report;

use crate::file::{RawCall, RawCase, RawMock, RawStep, RawWasi, TestFile};

/// The guest memory growth a leak check allows unless the case says otherwise: one
/// wasm page, since allocators may grow once while warming up.
pub const DEFAULT_MAX_GROWTH: usize = 64 << 10;

/// How long one call may take unless the file says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A test file checked against its component, ready to run.
#[derive(Debug)]
pub struct Plan {
    /// What the guest sees of WASI.
    pub(crate) wasi: RawWasi,
    /// Per-call limits.
    pub(crate) limits: Limits,
    /// The mocked interfaces and functions.
    pub(crate) mocks: Arc<MockSet>,
    /// The cases, in file order.
    pub(crate) cases: Vec<CasePlan>,
    /// Imports nobody mocks trap when called.
    pub(crate) trap_unknown_imports: bool,
    /// The component imports an `async func`: its imports are linked for async calls
    /// and each case's session runs on an async runtime.
    pub(crate) asynchronous: bool,
}

/// Every mocked import, grouped by the interface that holds it.
#[derive(Debug, Default)]
pub(crate) struct MockSet {
    pub(crate) interfaces: Vec<MockedInterface>,
}

/// One imported interface with at least one mock (its other functions trap), or one
/// world-level imported function (`name` is the function's, `world_level`).
#[derive(Debug)]
pub(crate) struct MockedInterface {
    pub(crate) name: String,
    pub(crate) world_level: bool,
    pub(crate) resources: Vec<String>,
    pub(crate) funcs: Vec<MockedFunc>,
}

/// One function of a mocked interface.
#[derive(Debug)]
pub(crate) struct MockedFunc {
    /// Its name in the component (`put`, `[method]db.execute`).
    pub(crate) name: String,
    /// The name tests use: `put`, `db.execute`, `db` (the constructor).
    pub(crate) short: String,
    /// `interface#short`.
    pub(crate) qualified: String,
    pub(crate) kind: FuncKind,
    /// A WIT `async func`: wasmtime links it as a concurrent host function.
    pub(crate) is_async: bool,
    /// What it answers; `None`: the file does not mock it, and a call traps.
    pub(crate) behaviour: Option<Behaviour>,
}

/// What a mocked function does when called.
#[derive(Debug)]
pub(crate) struct Behaviour {
    pub(crate) whens: Vec<When>,
    pub(crate) answer: Answer,
}

/// One answer a mock gives.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A value (for a function with a result).
    Value(Val),
    /// Nothing (a function without a result).
    Unit,
    /// A new mock handle (a constructor).
    NewHandle,
    /// A trap with this message.
    Trap(String),
}

/// The answers of calls no `when` matches: the n-th call gets the n-th step.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) steps: Vec<Step>,
    pub(crate) repeat_last: bool,
}

/// An answer for calls with given arguments.
#[derive(Debug)]
pub(crate) struct When {
    /// The arguments (without the receiver of a method), as canonical WAVE.
    pub(crate) args: Vec<String>,
    pub(crate) handle: Option<u32>,
    pub(crate) step: Step,
}

/// One case, checked.
#[derive(Debug)]
pub(crate) struct CasePlan {
    pub(crate) name: String,
    pub(crate) calls: Vec<CallPlan>,
    pub(crate) stdout_contains: Vec<String>,
    pub(crate) stderr_contains: Vec<String>,
    pub(crate) mock_called: Vec<MockCalledPlan>,
    pub(crate) order: Option<Vec<OrderEntry>>,
    pub(crate) leaks: Option<u32>,
    pub(crate) max_growth: usize,
}

/// One statement of a case and what its outcome must be.
#[derive(Debug)]
pub(crate) struct CallPlan {
    pub(crate) text: String,
    pub(crate) statement: Statement,
    /// The expected result, as canonical WAVE.
    pub(crate) expect: Option<String>,
    pub(crate) trap: Option<TrapExpectation>,
}

/// A call that must trap.
#[derive(Debug)]
pub(crate) struct TrapExpectation {
    /// `None`: any kind.
    pub(crate) kind: Option<TrapKind>,
    pub(crate) contains: Option<String>,
}

/// How one mock must have been called.
#[derive(Debug)]
pub(crate) struct MockCalledPlan {
    pub(crate) qualified: String,
    pub(crate) short: String,
    pub(crate) times: Option<u32>,
    pub(crate) with: Option<Vec<String>>,
    pub(crate) calls: Option<Vec<Vec<String>>>,
    pub(crate) handle: Option<u32>,
}

/// One entry of a case's `order`: a mocked function, and maybe its exact arguments.
#[derive(Debug, Clone)]
pub(crate) struct OrderEntry {
    pub(crate) qualified: String,
    pub(crate) short: String,
    pub(crate) args: Option<Vec<String>>,
}

impl OrderEntry {
    /// The entry as a line of the order diff.
    pub(crate) fn line(&self) -> String {
        match &self.args {
            Some(args) => format!("{}({})", self.short, args.join(", ")),
            None => self.short.clone(),
        }
    }
}

/// Why a test file cannot run: each problem, with where it is.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in the test file:\n{}", problems.len(), indented(problems))]
pub struct CheckError {
    /// Each problem: `where: what`, and the excerpt of the file that shows it.
    pub problems: Vec<String>,
}

/// The problems, each indented by two spaces, a blank line between two.
fn indented(problems: &[String]) -> String {
    problems
        .iter()
        .map(|p| format!("  {}", p.replace('\n', "\n  ")))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The trap kinds a file may name, as written there.
const TRAP_KINDS: &[(&str, TrapKind)] = &[
    ("out-of-fuel", TrapKind::OutOfFuel),
    ("deadline", TrapKind::Deadline),
    ("memory-limit", TrapKind::MemoryLimit),
    ("table-limit", TrapKind::TableLimit),
    ("stack-overflow", TrapKind::StackOverflow),
    ("unknown-import", TrapKind::UnknownImport),
    ("hostcall-data", TrapKind::HostcallData),
    ("guest-abort", TrapKind::GuestAbort),
    ("other", TrapKind::Other),
];

/// The name a file uses for a trap kind.
pub(crate) fn trap_kind_name(kind: TrapKind) -> &'static str {
    TRAP_KINDS
        .iter()
        .find(|(_, k)| *k == kind)
        .map_or("other", |(n, _)| n)
}

/// One function the component imports (not WASI's).
struct ImportedFunc {
    interface: Option<String>,
    name: String,
    short: String,
    kind: FuncKind,
    ty: ComponentFunc,
}

impl ImportedFunc {
    fn qualified(&self) -> String {
        match &self.interface {
            Some(i) => format!("{i}#{}", self.short),
            None => self.short.clone(),
        }
    }

    /// The parameters a test writes: a method's receiver is the mock handle.
    fn explicit_params(&self) -> Vec<(String, Type)> {
        let skip = usize::from(matches!(self.kind, FuncKind::Method { .. }));
        self.ty
            .params()
            .skip(skip)
            .map(|(n, t)| (n.to_string(), t))
            .collect()
    }
}

/// The component's non-WASI imports, and the resources of each imported interface.
struct ImportTable {
    funcs: Vec<ImportedFunc>,
    resources: HashMap<String, Vec<String>>,
}

impl ImportTable {
    fn new(engine: &Engine, component: &LoadedComponent) -> ImportTable {
        let mut funcs = Vec::new();
        let mut resources: HashMap<String, Vec<String>> = HashMap::new();
        for (name, item) in component.component().component_type().imports(engine) {
            match item.ty {
                ComponentItem::ComponentInstance(instance) if !name.starts_with("wasi:") => {
                    for (item_name, export) in instance.exports(engine) {
                        match export.ty {
                            ComponentItem::ComponentFunc(ty) => {
                                let kind = FuncKind::parse(item_name);
                                funcs.push(ImportedFunc {
                                    interface: Some(name.to_string()),
                                    name: item_name.to_string(),
                                    short: kind.short_name(item_name),
                                    kind,
                                    ty,
                                });
                            }
                            ComponentItem::Resource(_) => resources
                                .entry(name.to_string())
                                .or_default()
                                .push(item_name.to_string()),
                            _ => {}
                        }
                    }
                }
                ComponentItem::ComponentFunc(ty) => funcs.push(ImportedFunc {
                    interface: None,
                    name: name.to_string(),
                    short: name.to_string(),
                    kind: FuncKind::Plain,
                    ty,
                }),
                _ => {}
            }
        }
        ImportTable { funcs, resources }
    }

    /// The import a file means by `query`: `iface#func` (the interface by its full
    /// name, without version, or bare) or a bare function name unique among imports.
    fn resolve(&self, query: &str) -> Result<usize, String> {
        let (interface, item) = match query.rsplit_once('#') {
            Some((i, f)) => (Some(i), f),
            None => (None, query),
        };
        if interface.is_some_and(|i| i.starts_with("wasi:")) {
            return Err(format!(
                "`{query}` is a WASI import: WASI stays real in tests; set it up under `[wasi]` (env, args, temp-dir, clock, random-seed)"
            ));
        }
        let found: Vec<usize> = self
            .funcs
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.short == item
                    && match (interface, &f.interface) {
                        (None, _) => true,
                        (Some(_), None) => false,
                        (Some(q), Some(full)) => interface_matches(full, q),
                    }
            })
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => {
                let names: Vec<String> = self.funcs.iter().map(ImportedFunc::qualified).collect();
                let suggestion =
                    weft_wit::closest(item, self.funcs.iter().map(|f| f.short.as_str()))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                Err(if names.is_empty() {
                    format!(
                        "the component imports no `{query}`{suggestion}: it imports nothing but WASI, so there is nothing to mock"
                    )
                } else {
                    format!(
                        "the component imports no `{query}`{suggestion}\n    it imports: {}",
                        names.join(", ")
                    )
                })
            }
            many => Err(format!(
                "`{query}` is imported more than once; name one of: {}",
                many.iter()
                    .map(|i| format!("`{}`", self.funcs[*i].qualified()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// Canonical WAVE of a value without handles: how expectations and arguments compare.
pub(crate) fn canonical(val: &Val) -> String {
    wave::to_wave(val, &mut |_| "<handle>".to_string())
}

fn no_handles(_: &str, _: &Type) -> Result<Val, String> {
    Err("values in a test file cannot name handles here".to_string())
}

/// Collects problems, each with its place in the file.
struct Problems<'f> {
    file: &'f TestFile,
    list: Vec<String>,
}

impl Problems<'_> {
    fn push(&mut self, span: Option<Range<usize>>, context: &str, message: impl std::fmt::Display) {
        let problem = match span.and_then(|span| self.file.at(span)) {
            Some(location) => {
                // A message's further lines (what the component has) follow the excerpt.
                let message = message.to_string();
                let (headline, rest) = message.split_once('\n').unwrap_or((&message, ""));
                let notes: Vec<String> = rest.lines().map(|l| l.trim().to_string()).collect();
                Report {
                    message: &format!("{context}: {headline}"),
                    location: Some(&location),
                    notes: &notes,
                    ..Report::default()
                }
                .to_string()
            }
            None => format!("{}: {context}: {message}", self.file.path.display()),
        };
        self.list.push(problem);
    }
}

/// Checks `file` against `component` (compiled on `engine`).
pub fn check(
    file: &TestFile,
    engine: &Engine,
    component: &LoadedComponent,
) -> Result<Plan, CheckError> {
    let imports = ImportTable::new(engine, component);
    let mut problems = Problems {
        file,
        list: Vec::new(),
    };
    let limits = limits(file, &mut problems);
    let mocks = check_mocks(&file.raw.mocks, &imports, &mut problems);
    let cases = file
        .raw
        .cases
        .iter()
        .map(|case| check_case(case, component.exports(), &imports, &mocks, &mut problems))
        .collect();
    if file.raw.cases.is_empty() {
        problems.push(
            None,
            "the file",
            "has no `[[case]]`; add one with `name` and `calls`",
        );
    }
    if !problems.list.is_empty() {
        return Err(CheckError {
            problems: problems.list,
        });
    }
    Ok(Plan {
        wasi: file.raw.wasi.clone(),
        limits,
        mocks: Arc::new(mocks),
        cases,
        trap_unknown_imports: file.raw.trap_unknown_imports,
        asynchronous: component.has_async_imports(),
    })
}

fn limits(file: &TestFile, problems: &mut Problems<'_>) -> Limits {
    let mut limits = Limits {
        timeout: Some(
            file.raw
                .timeout_ms
                .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
        ),
        fuel: file.raw.fuel,
        ..Limits::default()
    };
    if let Some(size) = &file.raw.max_memory {
        match parse_size(size) {
            Ok(bytes) => limits.max_memory = bytes,
            Err(e) => problems.push(None, "max-memory", e),
        }
    }
    limits
}

fn check_mocks(raw: &[RawMock], imports: &ImportTable, problems: &mut Problems<'_>) -> MockSet {
    let mut behaviours: HashMap<usize, Behaviour> = HashMap::new();
    for mock in raw {
        let query = mock.import.get_ref();
        let context = format!("mock `{query}`");
        let index = match imports.resolve(query) {
            Ok(i) => i,
            Err(e) => {
                problems.push(Some(mock.import.span()), &context, e);
                continue;
            }
        };
        let func = &imports.funcs[index];
        if behaviours.contains_key(&index) {
            problems.push(
                Some(mock.import.span()),
                &context,
                "this import is mocked twice; keep one `[[mock]]` (use `when` for answers by argument)",
            );
            continue;
        }
        if let Some(behaviour) = check_behaviour(mock, func, &context, problems) {
            behaviours.insert(index, behaviour);
        }
    }
    // Interfaces with at least one mock are defined whole: their other functions trap.
    let mocked_interfaces: Vec<&str> = behaviours
        .keys()
        .filter_map(|k| imports.funcs[*k].interface.as_deref())
        .collect();
    let mut interfaces: Vec<MockedInterface> = Vec::new();
    for (index, func) in imports.funcs.iter().enumerate() {
        let entry = match &func.interface {
            Some(interface) if mocked_interfaces.contains(&interface.as_str()) => {
                let position = interfaces.iter().position(|m| m.name == *interface);
                match position {
                    Some(p) => &mut interfaces[p],
                    None => {
                        interfaces.push(MockedInterface {
                            name: interface.clone(),
                            world_level: false,
                            resources: imports
                                .resources
                                .get(interface)
                                .cloned()
                                .unwrap_or_default(),
                            funcs: Vec::new(),
                        });
                        interfaces.last_mut().expect("just pushed")
                    }
                }
            }
            None if behaviours.contains_key(&index) => {
                interfaces.push(MockedInterface {
                    name: func.name.clone(),
                    world_level: true,
                    resources: Vec::new(),
                    funcs: Vec::new(),
                });
                interfaces.last_mut().expect("just pushed")
            }
            _ => continue,
        };
        let mut behaviour = behaviours.remove(&index);
        // A constructor nobody mocked still makes handles, so tests mock only methods.
        if behaviour.is_none() && matches!(func.kind, FuncKind::Constructor { .. }) {
            behaviour = Some(Behaviour {
                whens: Vec::new(),
                answer: Answer {
                    steps: vec![Step::NewHandle],
                    repeat_last: true,
                },
            });
        }
        entry.funcs.push(MockedFunc {
            name: func.name.clone(),
            short: func.short.clone(),
            qualified: func.qualified(),
            kind: func.kind.clone(),
            is_async: func.ty.async_(),
            behaviour,
        });
    }
    MockSet { interfaces }
}

/// The step a mock's `returns`/`returns-json`/`trap` (or nothing) gives.
fn single_step(
    returns: Option<&Spanned<String>>,
    returns_json: Option<&Spanned<toml::Value>>,
    trap: Option<&String>,
    func: &ImportedFunc,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<Option<Step>> {
    let result = func.ty.results().next();
    let given = usize::from(returns.is_some())
        + usize::from(returns_json.is_some())
        + usize::from(trap.is_some());
    if given > 1 {
        problems.push(
            None,
            context,
            "give one of `returns`, `returns-json` or `trap`",
        );
        return None;
    }
    if let Some(message) = trap {
        return Some(Some(Step::Trap(message.clone())));
    }
    let constructor = matches!(func.kind, FuncKind::Constructor { .. });
    if constructor && (returns.is_some() || returns_json.is_some()) {
        problems.push(
            None,
            context,
            "a constructor mock makes a new mock handle per call; it takes only `trap` (and `when`)",
        );
        return None;
    }
    let span = returns
        .map(Spanned::span)
        .or_else(|| returns_json.map(Spanned::span));
    let parsed = match (returns, returns_json, &result) {
        (None, None, _) => return Some(None),
        // A replayed trace writes "no result" as an empty answer.
        (Some(text), None, None) if text.get_ref().is_empty() => return Some(Some(Step::Unit)),
        (Some(_) | None, _, None) => Err(ValueError {
            path: "result".to_string(),
            expected: "no result".to_string(),
            found: "a value".to_string(),
            hint: Some(format!("`{}` returns nothing: drop `returns`", func.short)),
        }),
        (Some(text), _, Some(ty)) => {
            wave::parse_value(text.get_ref(), ty, &Path::root("result"), &no_handles)
        }
        (None, Some(value), Some(ty)) => match serde_json::to_value(value.get_ref()) {
            Ok(value) => json::from_json(&value, ty, &Path::root("result"), &no_handles),
            Err(e) => {
                problems.push(span, context, format!("`returns-json` is not JSON: {e}"));
                return None;
            }
        },
    };
    match parsed {
        Ok(val) => Some(Some(Step::Value(val))),
        Err(e) => {
            problems.push(span, context, e);
            None
        }
    }
}

fn check_behaviour(
    mock: &RawMock,
    func: &ImportedFunc,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<Behaviour> {
    let before = problems.list.len();
    let result = func.ty.results().next();
    let constructor = matches!(func.kind, FuncKind::Constructor { .. });
    if !constructor && result.as_ref().is_some_and(type_contains_resource) {
        problems.push(
            Some(mock.import.span()),
            context,
            "its result holds a resource, and a mock can only make handles in a constructor",
        );
        return None;
    }
    let default = |problems: &mut Problems<'_>| -> Option<Step> {
        if constructor {
            Some(Step::NewHandle)
        } else if result.is_none() {
            Some(Step::Unit)
        } else {
            problems.push(
                Some(mock.import.span()),
                context,
                format!(
                    "`{}` returns {}: say what the mock answers with `returns`, `returns-json`, `sequence` or `trap`",
                    func.short,
                    describe(result.as_ref().expect("checked above"))
                ),
            );
            None
        }
    };
    let mut steps = Vec::new();
    if let Some(sequence) = &mock.sequence {
        if mock.returns.is_some() || mock.returns_json.is_some() || mock.trap.is_some() {
            problems.push(
                Some(mock.import.span()),
                context,
                "give either `sequence` or one of `returns`, `returns-json`, `trap`",
            );
        }
        for (i, step) in sequence.iter().enumerate() {
            let step_context = format!("{context}, sequence[{i}]");
            let checked = match step.get_ref() {
                RawStep::Value(text) => {
                    let text = Spanned::new(step.span(), text.clone());
                    single_step(Some(&text), None, None, func, &step_context, problems)
                }
                RawStep::Trap { trap } => {
                    single_step(None, None, Some(trap), func, &step_context, problems)
                }
            };
            if let Some(Some(step)) = checked {
                steps.push(step);
            }
        }
    } else {
        match single_step(
            mock.returns.as_ref(),
            mock.returns_json.as_ref(),
            mock.trap.as_ref(),
            func,
            context,
            problems,
        ) {
            Some(Some(step)) => steps.push(step),
            Some(None) if mock.when.is_empty() => steps.extend(default(problems)),
            Some(None) => {
                // Only `when` answers: calls nothing matches trap with a clear message.
                if constructor {
                    steps.push(Step::NewHandle);
                } else if result.is_none() {
                    steps.push(Step::Unit);
                }
            }
            None => {}
        }
    }
    let params = func.explicit_params();
    let mut whens = Vec::new();
    for (i, when) in mock.when.iter().enumerate() {
        let when_context = format!("{context}, when[{i}]");
        let args = check_args(&when.args, &params, &func.short, &when_context, problems);
        let step = match single_step(
            when.returns.as_ref(),
            when.returns_json.as_ref(),
            when.trap.as_ref(),
            func,
            &when_context,
            problems,
        ) {
            Some(Some(step)) => Some(step),
            Some(None) if constructor => Some(Step::NewHandle),
            Some(None) if result.is_none() => Some(Step::Unit),
            Some(None) => {
                problems.push(
                    None,
                    &when_context,
                    "say what matching calls answer with `returns`, `returns-json` or `trap`",
                );
                None
            }
            None => None,
        };
        if when.handle.is_some() && !matches!(func.kind, FuncKind::Method { .. }) {
            problems.push(
                None,
                &when_context,
                "`handle` picks the mock handle a method is called on; this is not a method",
            );
        }
        if let (Some(args), Some(step)) = (args, step) {
            whens.push(When {
                args,
                handle: when.handle,
                step,
            });
        }
    }
    (problems.list.len() == before).then_some(Behaviour {
        whens,
        answer: Answer {
            steps,
            repeat_last: mock.repeat_last || mock.sequence.is_none(),
        },
    })
}

/// Checks WAVE arguments against parameters; returns them as canonical WAVE.
fn check_args(
    args: &[Spanned<String>],
    params: &[(String, Type)],
    func: &str,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<Vec<String>> {
    if args.len() != params.len() {
        problems.push(
            args.first().map(Spanned::span),
            context,
            format!(
                "`{func}` takes {} argument(s) ({}), {} given",
                params.len(),
                params
                    .iter()
                    .map(|(n, t)| format!("{n}: {}", describe(t)))
                    .collect::<Vec<_>>()
                    .join(", "),
                args.len()
            ),
        );
        return None;
    }
    let mut out = Vec::new();
    for (arg, (name, ty)) in args.iter().zip(params) {
        match wave::parse_value(arg.get_ref(), ty, &Path::root(name), &no_handles) {
            Ok(val) => out.push(canonical(&val)),
            Err(e) => problems.push(Some(arg.span()), context, e),
        }
    }
    (out.len() == params.len()).then_some(out)
}

fn check_case(
    case: &RawCase,
    catalog: &ExportCatalog,
    imports: &ImportTable,
    mocks: &MockSet,
    problems: &mut Problems<'_>,
) -> CasePlan {
    let context = format!("case `{}`", case.name);
    if case.calls.is_empty() {
        problems.push(None, &context, "has no calls");
    }
    // Handle names bound by `let` so far, with their resource's name.
    let mut bound: HashMap<String, String> = HashMap::new();
    let mut calls = Vec::new();
    for (i, call) in case.calls.iter().enumerate() {
        let call_context = format!("{context}, call {}", i + 1);
        if let Some(plan) = check_call(call, catalog, &mut bound, &call_context, problems) {
            calls.push(plan);
        }
    }
    let mut mock_called = Vec::new();
    for expectation in &case.mock_called {
        let query = expectation.import.get_ref();
        let here = format!("{context}, mock-called `{query}`");
        let Some(func) = mocked(
            query,
            imports,
            mocks,
            expectation.import.span(),
            &here,
            problems,
        ) else {
            continue;
        };
        let params = func.explicit_params();
        let with = expectation
            .with
            .as_ref()
            .and_then(|args| check_args(args, &params, &func.short, &here, problems));
        let listed = expectation.calls.as_ref().map(|calls| {
            calls
                .iter()
                .filter_map(|args| check_args(args, &params, &func.short, &here, problems))
                .collect::<Vec<_>>()
        });
        mock_called.push(MockCalledPlan {
            qualified: func.qualified(),
            short: func.short.clone(),
            times: expectation.times,
            with,
            calls: listed,
            handle: expectation.handle,
        });
    }
    let order = case.order.as_ref().map(|entries| {
        entries
            .iter()
            .filter_map(|entry| {
                let here = format!("{context}, order");
                order_entry(entry, imports, mocks, &here, problems)
            })
            .collect()
    });
    let max_growth = match &case.max_growth {
        Some(size) => parse_size(size).unwrap_or_else(|e| {
            problems.push(None, &format!("{context}, max-growth"), e);
            DEFAULT_MAX_GROWTH
        }),
        None => DEFAULT_MAX_GROWTH,
    };
    CasePlan {
        name: case.name.clone(),
        calls,
        stdout_contains: case.stdout_contains.clone(),
        stderr_contains: case.stderr_contains.clone(),
        mock_called,
        order,
        leaks: case.leaks,
        max_growth,
    }
}

/// The mocked import a case's expectation names.
fn mocked<'i>(
    query: &str,
    imports: &'i ImportTable,
    mocks: &MockSet,
    span: Range<usize>,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<&'i ImportedFunc> {
    match imports.resolve(query) {
        Ok(i) => {
            let func = &imports.funcs[i];
            let qualified = func.qualified();
            let is_mocked = mocks
                .interfaces
                .iter()
                .flat_map(|m| &m.funcs)
                .any(|f| f.qualified == qualified && f.behaviour.is_some());
            if is_mocked {
                Some(func)
            } else {
                problems.push(
                    Some(span),
                    context,
                    format!("`{qualified}` has no `[[mock]]`, so its calls are not seen"),
                );
                None
            }
        }
        Err(e) => {
            problems.push(Some(span), context, e);
            None
        }
    }
}

fn order_entry(
    entry: &Spanned<String>,
    imports: &ImportTable,
    mocks: &MockSet,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<OrderEntry> {
    let text = entry.get_ref().trim();
    let (name, args) = if text.contains('(') {
        match CallText::parse(text) {
            Ok(call) => (call.target.clone(), Some(call)),
            Err(e) => {
                problems.push(Some(entry.span()), context, e);
                return None;
            }
        }
    } else {
        (text.to_string(), None)
    };
    let func = mocked(&name, imports, mocks, entry.span(), context, problems)?;
    let args = match args {
        None => None,
        Some(call) => {
            let params = func.explicit_params();
            let nodes: Vec<_> = call
                .args
                .as_ref()
                .and_then(|n| n.as_tuple().ok().map(Iterator::collect::<Vec<_>>))
                .unwrap_or_default();
            if nodes.len() != params.len() {
                problems.push(
                    Some(entry.span()),
                    context,
                    format!(
                        "`{}` takes {} argument(s), {} given",
                        func.short,
                        params.len(),
                        nodes.len()
                    ),
                );
                return None;
            }
            let mut out = Vec::new();
            for (node, (pname, ty)) in nodes.iter().zip(&params) {
                match wave::from_node(node, ty, &call.args_source, &Path::root(pname), &no_handles)
                {
                    Ok(val) => out.push(canonical(&val)),
                    Err(e) => {
                        problems.push(Some(entry.span()), context, e);
                        return None;
                    }
                }
            }
            Some(out)
        }
    };
    Some(OrderEntry {
        qualified: func.qualified(),
        short: func.short.clone(),
        args,
    })
}

/// Checks one statement of a case against the component's exports.
fn check_call(
    call: &Spanned<RawCall>,
    catalog: &ExportCatalog,
    bound: &mut HashMap<String, String>,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<CallPlan> {
    let span = call.span();
    let text = call.get_ref().statement();
    let statement = match Statement::parse(text) {
        None => {
            problems.push(Some(span), context, "the call is empty");
            return None;
        }
        Some(Err(e)) => {
            problems.push(Some(span), context, e);
            return None;
        }
        Some(Ok(statement)) => statement,
    };
    let (call_text, bind) = match &statement {
        Statement::Drop { name } => {
            if bound.remove(name).is_none() {
                problems.push(
                    Some(span),
                    context,
                    format!(
                        "`drop({name})` names no handle bound by an earlier `let` in this case"
                    ),
                );
            }
            return Some(CallPlan {
                text: text.to_string(),
                statement,
                expect: None,
                trap: None,
            });
        }
        Statement::Call(c) => (c.clone(), None),
        Statement::Let { name, call } => (call.clone(), Some(name.clone())),
    };
    let parsed = match CallText::parse(&call_text) {
        Ok(parsed) => parsed,
        Err(e) => {
            problems.push(Some(span), context, e);
            return None;
        }
    };
    let (export, receiver) = match resolve_export(catalog, &parsed.target, bound) {
        Ok(found) => found,
        Err(e) => {
            problems.push(Some(span), context, e);
            return None;
        }
    };
    let params: Vec<(String, Type)> = export
        .ty
        .params()
        .skip(usize::from(receiver))
        .map(|(n, t)| (n.to_string(), t))
        .collect();
    let nodes: Vec<_> = parsed
        .args
        .as_ref()
        .and_then(|n| n.as_tuple().ok().map(Iterator::collect::<Vec<_>>))
        .unwrap_or_default();
    let required = required_args(&params);
    if nodes.len() < required || nodes.len() > params.len() {
        problems.push(
            Some(span),
            context,
            format!(
                "`{}` takes {} argument(s), {} given\n    signature: {}",
                export.short_name(),
                params.len(),
                nodes.len(),
                catalog.signature(export)
            ),
        );
        return None;
    }
    let lookup = |name: &str, _: &Type| -> Result<Val, String> {
        if bound.contains_key(name) {
            // Only the name is checked here; the run passes the live handle.
            Ok(Val::Bool(false))
        } else {
            Err(format!(
                "`{name}` names no handle bound by an earlier `let` in this case"
            ))
        }
    };
    let mut ok = true;
    for (node, (name, ty)) in nodes.iter().zip(&params) {
        if let Err(e) = wave::from_node(node, ty, &parsed.args_source, &Path::root(name), &lookup) {
            problems.push(
                Some(span.clone()),
                context,
                format!("in a call to `{}`: {e}", export.short_name()),
            );
            ok = false;
        }
    }
    let result = export.ty.results().next();
    if let Some(name) = &bind {
        match (&export.kind, &result) {
            (FuncKind::Constructor { resource }, _) => {
                bound.insert(name.clone(), resource.clone());
            }
            (_, Some(Type::Own(ty))) => {
                let resource = catalog.resource_name(ty).unwrap_or("resource");
                bound.insert(name.clone(), resource.to_string());
            }
            _ => {
                problems.push(
                    Some(span.clone()),
                    context,
                    format!(
                        "`let {name} = ...` names a resource, but `{}` returns none",
                        export.short_name()
                    ),
                );
                ok = false;
            }
        }
    }
    let (expect, trap) = match call.get_ref() {
        RawCall::Plain(_) => (None, None),
        RawCall::Checked(checked) => {
            let expect = check_expectation(checked, &span, &result, context, problems);
            let trap = check_trap(checked, &span, context, problems);
            if trap.is_some() && expect.is_some() {
                problems.push(
                    Some(span.clone()),
                    context,
                    "a call cannot both return a value and trap",
                );
            }
            (expect, trap)
        }
    };
    ok.then_some(CallPlan {
        text: text.to_string(),
        statement,
        expect,
        trap,
    })
}

/// The export a call's target names, and whether it is a method on a bound handle.
fn resolve_export<'c>(
    catalog: &'c ExportCatalog,
    target: &str,
    bound: &HashMap<String, String>,
) -> Result<(&'c ExportFunc, bool), String> {
    if !target.contains('#')
        && let Some((handle, method)) = target.split_once('.')
        && let Some(resource) = bound.get(handle)
    {
        return catalog
            .funcs()
            .iter()
            .find(|f| {
                matches!(&f.kind, FuncKind::Method { resource: r, method: m } if r == resource && m == method)
            })
            .map(|f| (f, true))
            .ok_or_else(|| {
                format!("`{handle}` is a `{resource}`, which has no method `{method}`")
            });
    }
    catalog
        .resolve(target)
        .map(|f| (f, false))
        .map_err(|e| e.to_string())
}

fn check_expectation(
    call: &crate::file::RawCheckedCall,
    span: &Range<usize>,
    result: &Option<Type>,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<String> {
    let span = span.clone();
    let parsed = match (&call.expect, &call.expect_json) {
        (None, None) => return None,
        (Some(_), Some(_)) => {
            problems.push(
                Some(span),
                context,
                "give `expect` or `expect-json`, not both",
            );
            return None;
        }
        (Some(text), None) => result
            .as_ref()
            .map(|ty| wave::parse_value(text, ty, &Path::root("result"), &no_handles)),
        (None, Some(value)) => result.as_ref().map(|ty| {
            serde_json::to_value(value)
                .map_err(|e| ValueError {
                    path: "result".to_string(),
                    expected: describe(ty),
                    found: format!("a value that is not JSON ({e})"),
                    hint: None,
                })
                .and_then(|v| json::from_json(&v, ty, &Path::root("result"), &no_handles))
        }),
    };
    match parsed {
        None => {
            problems.push(
                Some(span),
                context,
                "the function returns nothing, so there is nothing to `expect`",
            );
            None
        }
        Some(Ok(val)) => Some(canonical(&val)),
        Some(Err(e)) => {
            problems.push(Some(span), context, format!("expected result: {e}"));
            None
        }
    }
}

fn check_trap(
    call: &crate::file::RawCheckedCall,
    span: &Range<usize>,
    context: &str,
    problems: &mut Problems<'_>,
) -> Option<TrapExpectation> {
    let kind = match call.trap.as_deref() {
        None if call.trap_contains.is_none() => return None,
        None | Some("any") => None,
        Some(name) => match TRAP_KINDS.iter().find(|(n, _)| *n == name) {
            Some((_, kind)) => Some(*kind),
            None => {
                problems.push(
                    Some(span.clone()),
                    context,
                    format!(
                        "`trap = \"{name}\"` is not a trap kind; use `any` or one of {}",
                        TRAP_KINDS
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return None;
            }
        },
    };
    Some(TrapExpectation {
        kind,
        contains: call.trap_contains.clone(),
    })
}

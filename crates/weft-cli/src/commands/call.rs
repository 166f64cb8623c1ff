//! `weft call`: call exports of a component with typed values.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use weft_runtime::{
    ExportCatalog, Outcome, Runtime, STREAMED, Session, Statement, StreamItems, StreamSink, Val,
};

use weft_runtime::values::val_contains_resource;
use weft_test::{Trace, TracedCall, TracedImport};

use crate::hints;
use crate::options::{RunOptions, WacDeps};
use crate::session::{Calls, Target};

/// Call exports of a component with typed values (WAVE or JSON).
///
/// Each CALL is a statement: `greet({name: "Ada", title: some("Dr.")})`, `let c =
/// counter("x")` (names the returned resource), `c.increment(2)` (a method on a
/// handle), or `drop(c)`. Statements run in order in one instance, so handles live
/// across them; handles still alive at the end are dropped (their destructors run).
#[derive(Args)]
#[command(after_help = "Examples:
  weft call greeter.wasm 'greet({name: \"Ada\", title: some(\"Dr.\")})'
  weft call types.wasm 'let c = counter(\"x\")' 'c.increment(2)' 'c.get()'
  weft call greeter.wasm --json --args-json person.json greet
  weft call greeter.wasm --list
  weft call compose.toml 'greet({name: \"Ada\", title: none})'
  weft call greeter.wasm --import logging=nats://127.0.0.1:4222 'greet({name: \"Ada\"})'

Exports may be named `greet`, `greeting#greet` or `example:greeter/greeting@1.0.0#greet`.

Exit status: 0 when every call succeeded, 1 when one failed, 2 for usage errors.")]
pub struct CallCommand {
    /// The component: a binary `.wasm` or WAT text; or a composition (a `compose.toml`
    /// manifest or a `.wac` document), whose components are linked at run time.
    pub component: PathBuf,
    /// Statements to run, in order: WAVE calls, `let NAME = CALL`, `drop(NAME)`.
    pub calls: Vec<String>,
    /// Read statements from FILE, one per line (`-` for stdin); `#` starts a comment.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Call the single export named by CALL with the JSON array of arguments in FILE (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "script")]
    pub args_json: Option<PathBuf>,
    /// Print results as JSON (one value per line) instead of WAVE.
    #[arg(long)]
    pub json: bool,
    /// Feed the bytes of FILE (`-` for stdin) to the first `stream<u8>` parameter of
    /// the first call that has one; that call's text leaves the parameter out.
    #[arg(long, value_name = "FILE", conflicts_with = "args_json")]
    pub stream_in: Option<PathBuf>,
    /// Print stream results as they arrive: a `stream<u8>` as raw bytes, other items
    /// one per line; the call's result then shows such a stream as `streamed`.
    #[arg(long)]
    pub stream: bool,
    /// Run the statements at once in one instance (while one async call waits, the
    /// others run) and print their results in order; `drop` is not allowed.
    #[arg(long, conflicts_with_all = ["args_json", "record"])]
    pub concurrent: bool,
    /// List the exported functions with their signatures, and call nothing.
    #[arg(long, conflicts_with_all = ["script", "args_json"])]
    pub list: bool,
    /// Record the session in FILE: every call with its result, and every call the
    /// component made to an import weft serves, for `weft test --replay`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["args_json", "list"])]
    pub record: Option<PathBuf>,
    /// Satisfy the import interface IFACE with the exports served over NATS at
    /// `nats://HOST:PORT[/PREFIX]` (by `weft serve --nats`, or any wRPC 0.17 server;
    /// repeatable).
    #[arg(long = "import", value_name = "IFACE=URL")]
    pub remote_imports: Vec<String>,
    #[command(flatten)]
    pub wac: WacDeps,
    #[command(flatten)]
    pub run: RunOptions,
}

impl CallCommand {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        let runtime = Runtime::new(self.run.runtime_config())?;
        let target = Target::load(&runtime, &self.component, &self.wac)?;
        let catalog = target.catalog();
        if self.list {
            let mut out = std::io::stdout().lock();
            for signature in catalog.signatures() {
                writeln!(out, "{signature}")?;
            }
            return Ok(());
        }
        if self.args_json.is_some() && self.calls.len() != 1 {
            bail!(
                "`--args-json` calls one export: name it alone, e.g. `weft call c.wasm --args-json args.json {}`",
                example_name(&catalog)
            );
        }
        if self.calls.is_empty() && self.script.is_none() {
            bail!(
                "nothing to call; name a call such as `{}`\n{}",
                example_call(&catalog),
                catalog
                    .signatures()
                    .iter()
                    .map(|s| format!("  {s}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        let mut calls = Calls::start(
            &runtime,
            &target,
            &self.run,
            &self.remote_imports,
            self.record.is_some(),
        )?;
        if let Some(path) = &self.stream_in {
            calls.session.set_stream_input(Some(open_input(path)?));
        }
        if self.stream {
            calls
                .session
                .set_stream_sink(Some(Box::new(StdoutSink { json: self.json })));
        }
        let mut trace = self.record.as_ref().map(|_| Trace::new(&self.component));
        let result = self.run_calls(&mut calls, trace.as_mut());
        if result.is_ok() && calls.session.has_stream_input() {
            crate::output::stderr_line!(
                "warning: `--stream-in` was given, but no call took a `stream<u8>` parameter"
            );
        }
        let report = calls.finish();
        if let (Some(path), Some(trace)) = (&self.record, &trace) {
            std::fs::write(path, trace.to_json())
                .with_context(|| format!("cannot write the trace to `{}`", path.display()))?;
        }
        if !report.dropped_at_end.is_empty() {
            tracing::info!(
                "dropped {} handle(s) still live at the end of the session: {}",
                report.dropped_at_end.len(),
                report.dropped_at_end.join(", ")
            );
        }
        if !report.leaked.is_empty() {
            crate::output::stderr_line!(
                "warning: {} handle(s) leaked (the instance had failed, so their destructors could not run): {}",
                report.leaked.len(),
                report.leaked.join(", ")
            );
        }
        result
    }

    fn run_calls(&self, session: &mut Calls, mut trace: Option<&mut Trace>) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if let Some(file) = &self.args_json {
            let [target] = self.calls.as_slice() else {
                bail!(
                    "`--args-json` calls one export: name it alone, e.g. `weft call c.wasm --args-json args.json greet`"
                );
            };
            let text = read_input(file)?;
            let source = if file.as_os_str() == "-" {
                "stdin".to_string()
            } else {
                format!("`{}`", file.display())
            };
            let args = weft_runtime::values::json::parse_strict(&text)
                .with_context(|| format!("{source} is not valid JSON"))?;
            let result = session
                .call_json(target, &args)
                .map_err(hints::call_error)?;
            if self.json {
                writeln!(out, "{result}")?;
            } else {
                writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
            }
            return Ok(());
        }
        let mut lines: Vec<String> = self.calls.clone();
        if let Some(script) = &self.script {
            lines.extend(read_input(script)?.lines().map(str::to_string));
        }
        if lines.iter().all(|line| Statement::parse(line).is_none()) {
            bail!("nothing to call: every statement given is blank or a comment");
        }
        if self.concurrent {
            let statements = lines
                .iter()
                .filter_map(|line| Statement::parse(line))
                .collect::<Result<Vec<_>, _>>()?;
            let outcomes = session
                .eval_concurrently(&statements)
                .map_err(hints::call_error)?;
            for outcome in outcomes {
                self.print_outcome(&mut out, session, &outcome)?;
            }
            return Ok(());
        }
        for (i, line) in lines.iter().enumerate() {
            let Some(statement) = Statement::parse(line) else {
                continue;
            };
            let evaluated = statement
                .map_err(anyhow::Error::from)
                .and_then(|statement| session.eval(&statement).map_err(hints::call_error));
            if let Some(trace) = trace.as_deref_mut() {
                trace
                    .calls
                    .push(traced(&mut session.session, line, &evaluated));
            }
            let outcome = match evaluated {
                Ok(Some(outcome)) => outcome,
                Ok(None) => continue,
                Err(error) => return Err(with_calls_not_run(error, &lines[i + 1..])),
            };
            self.print_outcome(&mut out, session, &outcome)?;
        }
        Ok(())
    }

    /// Prints a statement's result: WAVE or JSON; nothing for a `let` (the handle's
    /// name is the one the user chose) or for a result that was only a stream printed
    /// as it arrived.
    fn print_outcome(
        &self,
        out: &mut impl Write,
        session: &mut Calls,
        outcome: &Outcome,
    ) -> anyhow::Result<()> {
        let only_streamed =
            matches!(outcome.results.as_slice(), [Val::Enum(label)] if label == STREAMED);
        if outcome.bound.is_some() || outcome.results.is_empty() || (self.stream && only_streamed) {
            return Ok(());
        }
        if self.json {
            let value = session.session.render_json(&outcome.results[0]);
            writeln!(out, "{value}")?;
        } else {
            writeln!(out, "{}", session.session.render_wave(&outcome.results))?;
        }
        Ok(())
    }
}

/// The trace entry of the statement `line`, which `evaluated`, with the import calls
/// it made.
fn traced(
    session: &mut Session,
    line: &str,
    evaluated: &anyhow::Result<Option<Outcome>>,
) -> TracedCall {
    let imports = session
        .take_import_calls()
        .into_iter()
        .map(|call| TracedImport {
            import: call.import,
            args: call
                .args
                .iter()
                .map(|v| session.render_wave(std::slice::from_ref(v)))
                .collect(),
            result: call
                .results
                .as_ref()
                .ok()
                .filter(|r| !r.is_empty())
                .map(|r| session.render_wave(r)),
            trap: call.results.err(),
        })
        .collect();
    let (result, trap) = match evaluated {
        // A handle's name is no value a replay can expect.
        Ok(Some(outcome))
            if outcome.bound.is_none()
                && !outcome.results.is_empty()
                && !outcome.results.iter().any(val_contains_resource) =>
        {
            (Some(session.render_wave(&outcome.results)), None)
        }
        Ok(_) => (None, None),
        Err(error) => (None, Some(format!("{error:#}"))),
    };
    TracedCall {
        call: line.trim().to_string(),
        result,
        trap,
        imports,
    }
}

/// Adds to `error` which of the statements after the failed one were not run, so a
/// script that stops early does not look like one that finished.
fn with_calls_not_run(error: anyhow::Error, rest: &[String]) -> anyhow::Error {
    let skipped: Vec<&str> = rest
        .iter()
        .filter(|line| Statement::parse(line).is_some())
        .map(|line| line.trim())
        .collect();
    const SHOWN: usize = 3;
    match skipped.len() {
        0 => error,
        n => {
            let mut list: Vec<String> = skipped
                .iter()
                .take(SHOWN)
                .map(|s| format!("`{s}`"))
                .collect();
            if n > SHOWN {
                list.push(format!("and {} more", n - SHOWN));
            }
            anyhow::anyhow!(
                "{error:#}\n  the session stopped here; {n} later statement(s) not run: {}",
                list.join(", ")
            )
        }
    }
}

/// Prints stream items to stdout as they arrive.
struct StdoutSink {
    json: bool,
}

impl StreamSink for StdoutSink {
    fn items(&mut self, items: StreamItems<'_>) -> bool {
        let mut out = std::io::stdout().lock();
        let written = match items {
            StreamItems::Bytes(bytes) => out.write_all(bytes),
            StreamItems::Values(vals) => vals.iter().try_for_each(|v| {
                let mut namer = |_: &_| "<handle>".to_string();
                if self.json {
                    let value = weft_runtime::values::json::to_json(v, &mut namer);
                    writeln!(out, "{value}")
                } else {
                    writeln!(
                        out,
                        "{}",
                        weft_runtime::values::wave::to_wave(v, &mut namer)
                    )
                }
            }),
        };
        // A closed stdout (`| head`) drops the stream: the guest stops writing.
        written.and_then(|()| out.flush()).is_ok()
    }
}

/// The bytes of FILE, or of stdin for `-`, read as a stream's guest reads them.
fn open_input(path: &Path) -> anyhow::Result<Box<dyn std::io::Read + Send>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open `{}` for `--stream-in`", path.display()))?;
    Ok(Box::new(file))
}

fn read_input(path: &PathBuf) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        return std::io::read_to_string(std::io::stdin()).context("failed to read stdin");
    }
    std::fs::read_to_string(path).with_context(|| format!("failed to read `{}`", path.display()))
}

fn example_call(catalog: &ExportCatalog) -> String {
    format!("{}(...)", example_name(catalog))
}

fn example_name(catalog: &ExportCatalog) -> String {
    catalog
        .funcs()
        .first()
        .map_or_else(|| "name".to_string(), |f| f.short_name())
}

//! Shrinking WebAssembly components: what `weft optimize` does.
//!
//! # Brief overview
//!
//! [`optimize`] takes a component (or a lone core module) and returns a smaller one with
//! the same behaviour, and a [`Report`] of the sizes before and after:
//!
//! 1. the input is validated with the features weft accepts everywhere
//!    (`weft_wit::validate`), so a broken file gets a clear error and not a broken output;
//! 2. every section is copied raw into a new binary, except custom sections that
//!    [`Keep`] rejects: DWARF, `name`/`component-name`, `target_features` by default;
//!    `component-type` sections always stay, `producers` unless asked. Nested core modules
//!    and components are rewritten the same way, at any depth;
//! 3. each stripped core module is given to binaryen's `wasm-opt` ([`WasmOpt`]) when one
//!    is available; its output is kept only if it validates and has the same imports and
//!    exports, else the stripped module stays and the report says why;
//! 4. the result is validated again. If the modules from wasm-opt make it fail, it is
//!    redone without wasm-opt, with a warning; an invalid output is never returned.
//!
//! [`write_atomically`] then writes it through a temp file and a rename.
//!
//! # Example
//!
//! ```
//! use weft_optimize::{Keep, Optimizer, Options, optimize};
//!
//! let module = wat::parse_str(r#"(module (func $f (export "f")) (@custom "x" "y"))"#)?;
//! let options = Options { keep: Keep::default(), optimizer: Optimizer::Off, ..Options::default() };
//! let optimized = optimize(&module, &options)?;
//! assert!(optimized.bytes.len() < module.len()); // the `name` section for `$f` is gone
//! assert_eq!(optimized.report.modules.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod output;
mod report;
mod rewrite;
mod sections;
mod wasm_opt;

use std::path::Path;

pub use error::OptimizeError;
pub use output::write_atomically;
pub use report::{ComponentReport, ModuleReport, Report, SectionSize, WasmOptStatus, WasmOptUsed};
pub use sections::Keep;
pub use wasm_opt::{CACHE_RELATIVE, ENV, Level, Origin, WasmOpt};

use rewrite::{ModulePass, Rewritten};

/// Whether core modules go through wasm-opt.
#[derive(Debug, Clone, Default)]
pub enum Optimizer {
    /// Strip only (`--no-wasm-opt`).
    #[default]
    Off,
    /// wasm-opt was looked for and not found: strip only, and say so in the report.
    NotFound,
    /// Run this wasm-opt on every core module.
    WasmOpt(WasmOpt),
}

impl Optimizer {
    /// Looks for wasm-opt as [`WasmOpt::find`] does: an explicit path or [`ENV`] that does
    /// not run is an error; nothing found anywhere is [`Optimizer::NotFound`].
    pub fn find(explicit: Option<&Path>) -> Result<Optimizer, OptimizeError> {
        Ok(match WasmOpt::find(explicit)? {
            Some(wasm_opt) => Optimizer::WasmOpt(wasm_opt),
            None => Optimizer::NotFound,
        })
    }
}

/// What to strip and how to optimise.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which custom sections stay.
    pub keep: Keep,
    /// Whether, and which, wasm-opt runs.
    pub optimizer: Optimizer,
    /// The level wasm-opt is given.
    pub level: Level,
}

/// The result of [`optimize`].
#[derive(Debug, Clone)]
pub struct Optimized {
    /// The optimized binary; it validates.
    pub bytes: Vec<u8>,
    /// Sizes before and after, and what wasm-opt did.
    pub report: Report,
}

/// Strips and optimizes the component or core module `input` (see the crate docs).
pub fn optimize(input: &[u8], options: &Options) -> Result<Optimized, OptimizeError> {
    if !input.starts_with(b"\0asm") {
        return Err(OptimizeError::NotWasm);
    }
    weft_wit::validate::validate(input).map_err(OptimizeError::from_input)?;
    let mut warnings = Vec::new();
    let wasm_opt = match &options.optimizer {
        Optimizer::WasmOpt(wasm_opt) => Some(wasm_opt),
        Optimizer::Off => None,
        Optimizer::NotFound => {
            warnings.push(format!(
                "wasm-opt was not found (not in `${ENV}`, on PATH, nor in ~/{CACHE_RELATIVE}), so the modules were only stripped: install it with `bash scripts/setup-binaryen.sh`, or pass `--wasm-opt PATH`"
            ));
            None
        }
    };
    let stripped = rewrite(input, options.keep, None)?;
    let done = match wasm_opt {
        None => {
            validate_output(&stripped.bytes)?;
            stripped
        }
        Some(wasm_opt) => with_wasm_opt(input, options, wasm_opt, stripped, &mut warnings)?,
    };
    let report = Report {
        kind: if wasmparser::Parser::is_component(input) {
            "component"
        } else {
            "module"
        },
        before: input.len() as u64,
        after: done.bytes.len() as u64,
        ratio: report::ratio(input.len() as u64, done.bytes.len() as u64),
        wasm_opt: wasm_opt.map(|w| WasmOptUsed {
            path: w.path().display().to_string(),
            version: w.version().to_string(),
            level: options.level.to_string(),
        }),
        modules: done.modules,
        components: done.components,
        warnings,
    };
    Ok(Optimized {
        bytes: done.bytes,
        report,
    })
}

/// Runs wasm-opt on every stripped module, several at once (each run is a process, and
/// npm's wasm-opt spends most of its time starting), then walks `input` again putting
/// wasm-opt's modules in. Falls back to `stripped` when that does not validate.
fn with_wasm_opt(
    input: &[u8],
    options: &Options,
    wasm_opt: &WasmOpt,
    stripped: Rewritten,
    warnings: &mut Vec<String>,
) -> Result<Rewritten, OptimizeError> {
    let results = parallel_map(&stripped.stripped, |module| {
        wasm_opt.run(module, options.level, options.keep.names)
    });
    let lookup = |ordinal: usize, _: &[u8]| results[ordinal].clone();
    let optimized = rewrite(input, options.keep, Some(&lookup))?;
    for module in &optimized.modules {
        if let WasmOptStatus::FellBack { reason } = &module.wasm_opt {
            warnings.push(format!(
                "{}: {reason}; the stripped module was kept",
                report::label(module)
            ));
        }
    }
    let Err(error) = weft_wit::validate::validate(&optimized.bytes) else {
        return Ok(optimized);
    };
    // Each module validated alone, but together they do not: keep none of wasm-opt's.
    let mut stripped = stripped;
    validate_output(&stripped.bytes)?;
    let reason = format!("with wasm-opt's modules the component does not validate ({error})");
    warnings.push(format!("{reason}; it was written without wasm-opt"));
    for module in &mut stripped.modules {
        module.wasm_opt = WasmOptStatus::FellBack {
            reason: reason.clone(),
        };
    }
    Ok(stripped)
}

/// The last check before anything is returned: stripping alone must never break a binary.
fn validate_output(bytes: &[u8]) -> Result<(), OptimizeError> {
    weft_wit::validate::validate(bytes).map_err(|e| OptimizeError::OutputInvalid {
        message: e.to_string(),
    })
}

/// `f` over `items` on as many threads as there are cores, results in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break done };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a wasm-opt worker does not panic"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// [`rewrite::rewrite`] of an input that has validated, so a parse error here is a weft
/// bug, reported as the input's.
fn rewrite(
    input: &[u8],
    keep: Keep,
    pass: Option<ModulePass<'_>>,
) -> Result<Rewritten, OptimizeError> {
    rewrite::rewrite(input, keep, pass).map_err(OptimizeError::from_input)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENT: &str = r#"
        (component
          (core module $m
            (func $answer (export "answer") (result i32) i32.const 42)
            (@custom "keep-me" "1")
            (@producers (processed-by "weft-test" "1")))
          (component $inner
            (core module $n (func $f (export "f"))))
          (core instance $i (instantiate $m))
          (core func $answer (alias core export $i "answer"))
          (func (export "answer") (result u32) (canon lift (core func $answer))))
    "#;

    fn options(keep: Keep) -> Options {
        Options {
            keep,
            ..Options::default()
        }
    }

    #[test]
    fn strips_names_in_every_nested_module_and_keeps_the_rest() {
        let input = wat::parse_str(COMPONENT).unwrap();
        let out = optimize(&input, &options(Keep::default())).unwrap();
        weft_wit::validate::validate(&out.bytes).unwrap();
        let report = &out.report;
        assert_eq!(report.kind, "component");
        assert_eq!(report.modules.len(), 2);
        assert_eq!(report.modules[0].name.as_deref(), Some("m"));
        assert_eq!(report.modules[1].component, [0]);
        assert_eq!(report.modules[1].name.as_deref(), Some("n"));
        for module in &report.modules {
            let name = module
                .sections
                .iter()
                .find(|s| s.kind == "custom:name")
                .unwrap();
            assert_eq!(name.after, 0, "{module:?}");
        }
        let kept = |kind: &str| {
            report.modules[0]
                .sections
                .iter()
                .find(|s| s.kind == kind)
                .is_some_and(|s| s.after == s.before && s.after > 0)
        };
        assert!(kept("custom:keep-me") && kept("custom:producers") && kept("code"));
        assert_eq!(report.components.len(), 2);
        assert!(report.after < report.before);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn strip_all_and_keep_names_do_what_they_say() {
        let input = wat::parse_str(COMPONENT).unwrap();
        let all = optimize(&input, &options(Keep::nothing())).unwrap();
        let sections = &all.report.modules[0].sections;
        assert!(
            sections
                .iter()
                .filter(|s| s.kind.starts_with("custom:"))
                .all(|s| s.after == 0)
        );
        let names = Keep {
            names: true,
            ..Keep::default()
        };
        let named = optimize(&input, &options(names)).unwrap();
        let name = named.report.modules[0]
            .sections
            .iter()
            .find(|s| s.kind == "custom:name");
        assert!(name.is_some_and(|s| s.after == s.before));
    }

    #[test]
    fn a_failing_or_wrong_module_pass_falls_back_to_the_stripped_module() {
        let input = wat::parse_str(COMPONENT).unwrap();
        let stripped = optimize(&input, &options(Keep::default())).unwrap().bytes;
        let failing = |_, _: &[u8]| Err("exited with 1".to_string());
        let garbage = |_, _: &[u8]| Ok(b"\0asm\x01\0\0\0\x01".to_vec());
        let no_exports = |_, _: &[u8]| Ok(wat::parse_str("(module)").unwrap());
        for pass in [&failing as ModulePass<'_>, &garbage, &no_exports] {
            let rewritten = rewrite(&input, Keep::default(), Some(pass)).unwrap();
            assert_eq!(rewritten.bytes, stripped);
            for module in &rewritten.modules {
                assert!(
                    matches!(module.wasm_opt, WasmOptStatus::FellBack { .. }),
                    "{module:?}"
                );
            }
        }
    }

    #[test]
    fn parallel_map_keeps_the_order() {
        let items: Vec<u32> = (0..50).collect();
        assert_eq!(
            parallel_map(&items, |i| i * 2),
            (0..50).map(|i| i * 2).collect::<Vec<_>>()
        );
        assert!(parallel_map(&[] as &[u32], |i| *i).is_empty());
    }

    #[test]
    fn bad_input_is_named() {
        let none = Options::default();
        assert!(matches!(
            optimize(b"hello", &none),
            Err(OptimizeError::NotWasm)
        ));
        let input = wat::parse_str(COMPONENT).unwrap();
        let cut = &input[..input.len() / 2];
        let error = optimize(cut, &none).unwrap_err();
        assert!(matches!(error, OptimizeError::Truncated { .. }), "{error}");
        // wat encodes without validating: a function that returns nothing for an i32.
        let invalid = wat::parse_str(r#"(module (func (result i32)))"#).unwrap();
        let error = optimize(&invalid, &none).unwrap_err();
        assert!(matches!(error, OptimizeError::Invalid { .. }), "{error}");
    }

    #[test]
    fn a_missing_wasm_opt_is_a_warning() {
        let input = wat::parse_str(COMPONENT).unwrap();
        let options = Options {
            optimizer: Optimizer::NotFound,
            ..Options::default()
        };
        let out = optimize(&input, &options).unwrap();
        assert!(out.report.warnings[0].contains("setup-binaryen.sh"));
        assert!(out.report.wasm_opt.is_none());
    }
}

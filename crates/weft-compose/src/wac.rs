//! A WAC document becomes a component: wac-parser parses and resolves it, packages come
//! from local files, wac-graph encodes.
//!
//! WAC says what a manifest cannot: instances passed to instances by expression, exports
//! renamed, a world the result must target. Packages are found the way `wac compose`
//! finds them: `--dep ns:name=path` overrides, else `<deps-dir>/<ns>/<name>.wasm`
//! (or `.wat`, or a WIT package directory).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use miette::{Diagnostic, SourceSpan};
use wac_graph::EncodeOptions;
use wac_parser::resolution::Error as ResolutionError;
use wac_parser::{
    Document, Expr, InstantiationArgument, NewExpr, PackageName, PostfixExpr, PrimaryExpr,
    Statement,
};
use wac_resolver::FileSystemPackageResolver;
use wac_types::BorrowedPackageKey;

use crate::component::{self, Composition, ValidationError, Warning};
use crate::link_plan::{self, LinkPlan, PlanError};
use crate::mismatch::TypeMismatch;
use crate::source::Location;
use crate::wit_text::{Side, WorldWit};

/// Where a WAC document's packages come from.
#[derive(Debug, Clone, Default)]
pub struct WacOptions {
    /// Directory searched as `<dir>/<namespace>/<name>.wasm`; `None` means `deps` beside
    /// the document.
    pub deps_dir: Option<PathBuf>,
    /// Explicit package files by package name (`example:greeter` → path); these win over
    /// the directory.
    pub deps: HashMap<String, PathBuf>,
}

/// Why a WAC document could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum WacError {
    /// The document could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The document.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `--dep` argument is not `name=path`.
    #[error(
        "invalid dependency `{0}`; expected `namespace:name=path`, e.g. `example:greeter=greeter.wasm`"
    )]
    BadDep(String),
    /// The document is not valid WAC, or does not resolve against its packages.
    #[error("{message}\n{}", location.excerpt())]
    Document {
        /// Where the problem is.
        location: Box<Location>,
        /// What it is, with its causes.
        message: String,
    },
    /// An instantiation argument has another type than the import it is given for.
    #[error("{}\n{}{}", mismatch.headline(), location.excerpt(), mismatch.details())]
    TypeMismatch {
        /// Where the argument is.
        location: Box<Location>,
        /// Both sides, in WIT; its reason is wac's message.
        mismatch: Box<TypeMismatch>,
    },
    /// The document is not valid WAC, at no particular place.
    #[error("{message}")]
    Unlocated {
        /// What is wrong.
        message: String,
    },
    /// The document cannot be linked at run time.
    #[error(transparent)]
    Plan(PlanError),
    /// The composed component is invalid (a bug).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl WacError {
    fn from_diagnostic<E>(path: &Path, source: &str, error: &E) -> WacError
    where
        E: Diagnostic + std::error::Error,
    {
        let mut message = chain(error);
        let labels: Vec<miette::LabeledSpan> = error.labels().into_iter().flatten().collect();
        let primary = labels
            .iter()
            .find(|l| l.primary())
            .or(labels.first())
            .cloned();
        match primary {
            Some(label) => {
                // wac's primary labels repeat the message; only secondary ones add places.
                for other in labels.iter().filter(|l| l.offset() != label.offset()) {
                    let at = Location::from_span(
                        path.display().to_string(),
                        source,
                        other.offset()..other.offset() + other.len(),
                    );
                    message.push_str(&format!(
                        "\n  note: {}: {}",
                        at.position(),
                        other.label().unwrap_or("related")
                    ));
                }
                let span = label.offset()..label.offset() + label.len();
                WacError::Document {
                    location: Box::new(Location::from_span(
                        path.display().to_string(),
                        source,
                        span,
                    )),
                    message,
                }
            }
            None => WacError::Unlocated { message },
        }
    }
}

/// An error and its causes, `: `-separated.
fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message
}

/// Parses `name=path` (as given to `--dep`).
pub fn parse_dep(arg: &str) -> Result<(String, PathBuf), WacError> {
    match arg.split_once('=') {
        Some((name, path)) if name.contains(':') && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => Err(WacError::BadDep(arg.to_string())),
    }
}

/// Reads and composes the WAC document at `path`.
pub fn compose_wac_file(path: &Path, options: &WacOptions) -> Result<Composition, WacError> {
    let source = std::fs::read_to_string(path).map_err(|source| WacError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    compose_wac(path, &source, options)
}

/// Composes the WAC document `source`, read from `path` (used for error locations and to
/// find the default `deps` directory).
pub fn compose_wac(
    path: &Path,
    source: &str,
    options: &WacOptions,
) -> Result<Composition, WacError> {
    let bytes = resolved(path, source, options, |resolution| {
        resolution
            .encode(EncodeOptions {
                define_components: true,
                validate: false,
                processor: Some(crate::PROCESSOR),
            })
            .map_err(|e| WacError::from_diagnostic(path, source, &e))
    })?;
    let mut composition = component::validate(bytes, Vec::new())?;
    if composition.exports.is_empty() {
        composition.warnings.push(Warning::NoExports);
    }
    Ok(composition)
}

/// Reads the WAC document at `path` and plans its instances for linking at run time,
/// with every check `weft compose` makes.
pub fn plan_wac_file(path: &Path, options: &WacOptions) -> Result<LinkPlan, WacError> {
    let source = std::fs::read_to_string(path).map_err(|source| WacError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let members = resolved(path, &source, options, |resolution| {
        link_plan::plan(resolution.graph()).map_err(WacError::Plan)
    })?;
    let mut warnings = Vec::new();
    if members.iter().all(|m| m.exposes.is_empty()) {
        warnings.push(Warning::NoExports);
    }
    Ok(LinkPlan { members, warnings })
}

/// Parses and resolves the document `source` (read from `path`) and hands the
/// resolution to `then`.
fn resolved<R>(
    path: &Path,
    source: &str,
    options: &WacOptions,
    then: impl FnOnce(&wac_parser::resolution::Resolution<'_>) -> Result<R, WacError>,
) -> Result<R, WacError> {
    let document =
        Document::parse(source).map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let keys = wac_resolver::packages(&document)
        .map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let deps_dir = options.deps_dir.clone().unwrap_or_else(|| {
        path.parent()
            .map(|p| p.join("deps"))
            .unwrap_or_else(|| PathBuf::from("deps"))
    });
    let resolver = FileSystemPackageResolver::new(deps_dir, options.deps.clone(), true);
    let packages = resolver
        .resolve(&keys)
        .map_err(|e| WacError::from_diagnostic(path, source, &e))?;
    let resolution = document.resolve(packages).map_err(|e| {
        // The packages were moved into the resolution; read them again, only on this
        // error path, to print both sides of a mismatch in WIT.
        let mismatch = match &e {
            ResolutionError::MismatchedInstantiationArg { name, span, .. } => {
                // wac's whole message is the cause, as wac-graph's is in a manifest.
                let reason = anyhow::Error::msg(chain(&e));
                resolver.resolve(&keys).ok().and_then(|packages| {
                    describe_mismatch(&document, &packages, name, *span, &reason)
                        .map(|mismatch| (*span, mismatch))
                })
            }
            _ => None,
        };
        match mismatch {
            Some((span, mismatch)) => WacError::TypeMismatch {
                location: Box::new(Location::from_span(
                    path.display().to_string(),
                    source,
                    span.offset()..span.offset() + span.len(),
                )),
                mismatch: Box::new(mismatch),
            },
            None => WacError::from_diagnostic(path, source, &e),
        }
    })?;
    then(&resolution)
}

/// Describes wac's `MismatchedInstantiationArg` with both sides in WIT: finds the `new`
/// expression the argument at `span` belongs to (the importer) and evaluates the argument
/// to an export of an instantiated package (the exporter). `None` when the argument is
/// something else (a document import, a whole instance, an instance's nested export);
/// the caller then keeps wac's message alone.
fn describe_mismatch(
    document: &Document<'_>,
    packages: &IndexMap<BorrowedPackageKey<'_>, Vec<u8>>,
    import: &str,
    span: SourceSpan,
    reason: &anyhow::Error,
) -> Option<TypeMismatch> {
    let scope = Scope::new(document);
    let (new, importer_instance, argument) = document
        .statements
        .iter()
        .find_map(|statement| scope.find_argument(statement, span))?;
    let value = match argument {
        InstantiationArgument::Named(arg) => scope.eval(&arg.expr, 0)?,
        InstantiationArgument::Inferred(id) => scope.eval_ident(id.string, 0)?,
        InstantiationArgument::Spread(_) | InstantiationArgument::Fill(_) => return None,
    };
    let Value::Export {
        package: exporter_package,
        instance: exporter_instance,
        export,
    } = value
    else {
        return None;
    };
    let importer_bytes = package_bytes(packages, &new.package)?;
    let exporter_bytes = package_bytes(packages, exporter_package)?;
    let export = match export {
        ExportName::Exact(name) => name.to_string(),
        ExportName::Short(short) => {
            let names = WorldWit::decode(exporter_bytes).ok()?.names(Side::Export);
            interface_name(short, &names)?
        }
    };
    Some(TypeMismatch::describe(
        import,
        describe_instance(importer_instance, &new.package),
        importer_bytes,
        &export,
        describe_instance(exporter_instance, exporter_package),
        exporter_bytes,
        reason,
    ))
}

fn package_bytes<'p, 'k>(
    packages: &'p IndexMap<BorrowedPackageKey<'k>, Vec<u8>>,
    package: &'k PackageName<'k>,
) -> Option<&'p [u8]> {
    let key = BorrowedPackageKey::from_name_and_version(package.name, package.version.as_ref());
    packages.get(&key).map(Vec::as_slice)
}

fn describe_instance(instance: Option<&str>, package: &PackageName<'_>) -> String {
    match instance {
        Some(name) => format!("instance `{name}` of package `{}`", package.string),
        None => format!("package `{}`", package.string),
    }
}

/// The export an `instance.name` access means, by wac's rule: the name itself if the
/// instance exports it, else the one interface whose short name (without namespace and
/// version) it is.
fn interface_name(short: &str, exports: &[String]) -> Option<String> {
    if exports.iter().any(|e| e == short) {
        return Some(short.to_string());
    }
    let mut matches = exports.iter().filter(|e| {
        e.rsplit_once('/')
            .is_some_and(|(_, n)| n.split_once('@').map_or(n, |(n, _)| n) == short)
    });
    let found = matches.next()?;
    matches.next().is_none().then(|| found.clone())
}

/// What a WAC expression denotes, as far as a type mismatch needs it.
enum Value<'d> {
    /// An instance of a package, bound to a `let` name or not.
    Instance {
        package: &'d PackageName<'d>,
        instance: Option<&'d str>,
    },
    /// An export of such an instance.
    Export {
        package: &'d PackageName<'d>,
        instance: Option<&'d str>,
        export: ExportName<'d>,
    },
}

/// An export as the document names it.
enum ExportName<'d> {
    /// `instance["full:name/iface@1.0.0"]`.
    Exact(&'d str),
    /// `instance.iface`, which wac matches against the exports' short names.
    Short(&'d str),
}

/// The document's `let` bindings, to follow names to the expressions that define them.
struct Scope<'d> {
    lets: HashMap<&'d str, &'d Expr<'d>>,
}

/// How deep `let` chains are followed; wac rejects cycles before this matters.
const MAX_DEPTH: usize = 64;

impl<'d> Scope<'d> {
    fn new(document: &'d Document<'d>) -> Scope<'d> {
        let lets = document
            .statements
            .iter()
            .filter_map(|statement| match statement {
                Statement::Let(binding) => Some((binding.id.string, &binding.expr)),
                _ => None,
            })
            .collect();
        Scope { lets }
    }

    fn eval_ident(&self, name: &'d str, depth: usize) -> Option<Value<'d>> {
        let expr = self.lets.get(name)?;
        Some(match self.eval(expr, depth + 1)? {
            Value::Instance {
                package,
                instance: None,
            } => Value::Instance {
                package,
                instance: Some(name),
            },
            value => value,
        })
    }

    fn eval(&self, expr: &'d Expr<'d>, depth: usize) -> Option<Value<'d>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut value = match &expr.primary {
            PrimaryExpr::New(new) => Value::Instance {
                package: &new.package,
                instance: None,
            },
            PrimaryExpr::Nested(nested) => self.eval(&nested.inner, depth + 1)?,
            PrimaryExpr::Ident(id) => self.eval_ident(id.string, depth)?,
        };
        for postfix in &expr.postfix {
            let Value::Instance { package, instance } = value else {
                // An instance exported by an instance: its package is not in the document.
                return None;
            };
            let export = match postfix {
                PostfixExpr::Access(access) => ExportName::Short(access.id.string),
                PostfixExpr::NamedAccess(access) => ExportName::Exact(access.string.value),
            };
            value = Value::Export {
                package,
                instance,
                export,
            };
        }
        Some(value)
    }

    /// The `new` expression with an argument at `span`, the `let` name it is bound to (if
    /// the binding is that expression alone), and the argument.
    fn find_argument(
        &self,
        statement: &'d Statement<'d>,
        span: SourceSpan,
    ) -> Option<(
        &'d NewExpr<'d>,
        Option<&'d str>,
        &'d InstantiationArgument<'d>,
    )> {
        let (expr, name) = match statement {
            Statement::Let(binding) => (&binding.expr, Some(binding.id.string)),
            Statement::Export(export) => (&export.expr, None),
            Statement::Import(_) | Statement::Type(_) => return None,
        };
        let bound = name.filter(|_| expr.postfix.is_empty());
        find_in_expr(expr, span, bound)
    }
}

fn find_in_expr<'d>(
    expr: &'d Expr<'d>,
    span: SourceSpan,
    bound: Option<&'d str>,
) -> Option<(
    &'d NewExpr<'d>,
    Option<&'d str>,
    &'d InstantiationArgument<'d>,
)> {
    match &expr.primary {
        PrimaryExpr::New(new) => {
            let bound = bound.filter(|_| expr.postfix.is_empty());
            new.arguments.iter().find_map(|argument| match argument {
                InstantiationArgument::Named(arg) if arg.name.span() == span => {
                    Some((new, bound, argument))
                }
                InstantiationArgument::Inferred(id) if id.span == span => {
                    Some((new, bound, argument))
                }
                // Arguments are expressions too, with `new` inside.
                InstantiationArgument::Named(arg) => find_in_expr(&arg.expr, span, None),
                _ => None,
            })
        }
        PrimaryExpr::Nested(nested) => find_in_expr(&nested.inner, span, None),
        PrimaryExpr::Ident(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Composes `document` against the golden mismatch case's packages.
    fn compose(document: &str) -> WacError {
        let case = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/cases/fail/wac-type-mismatch/compose.wac");
        match compose_wac(&case, document, &WacOptions::default()) {
            Ok(_) => panic!("a mismatched argument composed"),
            Err(e) => e,
        }
    }

    fn mismatch(document: &str) -> TypeMismatch {
        match compose(document) {
            WacError::TypeMismatch { mismatch, .. } => *mismatch,
            other => panic!("expected a type mismatch, got: {other}"),
        }
    }

    #[test]
    fn inline_instance_and_named_access_are_described() {
        let m = mismatch(
            "package example:app;\n\
             let greeter = new example:greeter { \"example:greeter/logging@1.0.0\": new example:logger { ... }[\"example:greeter/logging@1.0.0\"] };\n\
             export greeter.greeting;\n",
        );
        assert_eq!(m.import, "example:greeter/logging@1.0.0");
        assert_eq!(m.export, "example:greeter/logging@1.0.0");
        assert_eq!(
            m.importer,
            "instance `greeter` of package `example:greeter`"
        );
        assert_eq!(m.exporter, "package `example:logger`");
        assert!(
            m.reason
                .starts_with("mismatched instantiation argument `example:greeter/logging@1.0.0`"),
            "{}",
            m.reason
        );
        assert!(
            m.expected
                .as_deref()
                .unwrap()
                .contains("log: func(level: u8);")
        );
        assert!(
            m.found
                .as_deref()
                .unwrap()
                .contains("log: func(level: u32);")
        );
    }

    #[test]
    fn exported_expression_and_let_bound_export_are_described() {
        let m = mismatch(
            "package example:app;\n\
             let logger = new example:logger { ... };\n\
             let logging = logger.logging;\n\
             export new example:greeter { logging }.greeting;\n",
        );
        assert_eq!(m.importer, "package `example:greeter`");
        assert_eq!(m.exporter, "instance `logger` of package `example:logger`");
        assert!(m.found.is_some() && m.expected.is_some());
    }

    #[test]
    fn document_import_keeps_wac_message() {
        // No package exports the argument, so there is no second WIT to print.
        match compose(
            "package example:app;\n\
             import logging: interface { log: func(level: u32); };\n\
             let greeter = new example:greeter { logging };\n\
             export greeter.greeting;\n",
        ) {
            WacError::Document { message, .. } => assert!(
                message.starts_with(
                    "mismatched instantiation argument `example:greeter/logging@1.0.0`: mismatched type for export `log`"
                ),
                "{message}"
            ),
            other => panic!("expected wac's message, got: {other}"),
        }
    }

    #[test]
    fn interface_names_follow_wac() {
        let exports = [
            "a:b/log@1.0.0".to_string(),
            "c:d/log".to_string(),
            "x".to_string(),
        ];
        assert_eq!(interface_name("x", &exports).as_deref(), Some("x"));
        assert_eq!(
            interface_name("log", &exports[..1]).as_deref(),
            Some("a:b/log@1.0.0")
        );
        // Two interfaces named `log`: ambiguous, as wac says.
        assert_eq!(interface_name("log", &exports), None);
        assert_eq!(interface_name("other", &exports), None);
    }
}

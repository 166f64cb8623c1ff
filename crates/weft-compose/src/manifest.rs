//! The `compose.toml` manifest: the seed's format, defined fully.
//!
//! The seed composes greeter and logger with:
//!
//! ```toml
//! [component]
//! name = "application"
//! [component.dependencies]
//! greeter = { path = "greeter.wasm" }
//! logger = { path = "logger.wasm" }
//! formatter = { path = "formatter.wasm" }
//! [component.instantiate]
//! component = "greeter"
//! dependencies = { logging = "logger" }
//! ```
//!
//! This module only reads the format (serde, with line and column for every mistake);
//! [`crate::compose_manifest`] gives it meaning. In short (`docs/compose.md` has the
//! full definition):
//!
//! - `[component.dependencies]`: a name for each component file, `{ path = "…" }`,
//!   relative to the manifest's directory. A dependency nothing uses is a warning.
//! - `[component.instantiate]` (one) or `[[component.instantiate]]` (several): each
//!   instantiates `component` (a dependency) as the instance `name` (default: the
//!   component's name). Its `dependencies` table maps an import of that component
//!   (full name, name without version, or the interface's short name such as `logging`)
//!   to an instance (`"logger"`) or to a chosen export (`{ instance = "logger",
//!   export = "…" }`). A dependency named as a source without an instantiation of its
//!   own is instantiated once, implicitly, with its imports left open. A URL
//!   (`"nats://HOST:PORT[/PREFIX]"`) names an export served on NATS: only linking at
//!   run time can call it.
//! - Imports no argument satisfies become imports of the result.
//! - `exports`: `true` (all of the instance's exports), `false` (none), or a list of
//!   export names. When it is absent, an instance that no other instantiation consumes
//!   exports everything, and any other instance exports nothing.

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use crate::source::Location;

/// A parsed `compose.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The `[component]` table: everything lives under it, as in the seed.
    pub component: ComponentTable,
}

/// The `[component]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentTable {
    /// The result's name, written into its name section (`weft inspect` shows it).
    pub name: Option<String>,
    /// The component files, by the name the rest of the manifest uses for them.
    #[serde(default)]
    pub dependencies: IndexMap<Spanned<String>, Dependency>,
    /// The instantiations, in order; one table or an array of tables.
    #[serde(default)]
    pub instantiate: Instantiations,
}

/// A component file the manifest names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The file, relative to the manifest's directory.
    pub path: Spanned<PathBuf>,
}

/// `[component.instantiate]` or `[[component.instantiate]]`.
#[derive(Debug, Clone, Default)]
pub struct Instantiations(pub Vec<Instantiation>);

/// One instantiation of a dependency.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instantiation {
    /// The dependency to instantiate.
    pub component: Spanned<String>,
    /// The instance's name, used by other instantiations' `dependencies`; defaults to
    /// `component`.
    pub name: Option<Spanned<String>>,
    /// Import of `component` → where its value comes from.
    #[serde(default)]
    pub dependencies: IndexMap<Spanned<String>, Spanned<Source>>,
    /// Which of the instance's exports the result exports.
    pub exports: Option<Spanned<Exports>>,
}

impl Instantiation {
    /// The instance name: `name`, or else the component's name.
    pub fn instance_name(&self) -> &Spanned<String> {
        self.name.as_ref().unwrap_or(&self.component)
    }
}

/// Where an argument comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An instance (or a dependency, instantiated implicitly); the export used is the one
    /// whose name matches the import.
    Instance(String),
    /// A chosen export of an instance.
    Export {
        /// The instance (or dependency).
        instance: String,
        /// The export's name (full, without version, or the interface's short name).
        export: String,
    },
    /// An export served on NATS (`nats://HOST:PORT[/PREFIX]`), called over the network
    /// when the manifest is linked at run time; it cannot be composed into one binary.
    Remote(String),
}

impl Source {
    /// The instance (or dependency) the argument comes from; `None` for a remote one.
    pub fn instance(&self) -> Option<&str> {
        match self {
            Source::Instance(name) | Source::Export { instance: name, .. } => Some(name),
            Source::Remote(_) => None,
        }
    }
}

/// The `exports` key of an instantiation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exports {
    /// `true`: every export; `false`: none.
    All(bool),
    /// The listed exports only.
    Names(Vec<String>),
}

/// A manifest that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("failed to read manifest `{}`", path.display())]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or does not follow the format.
    #[error("{message}\n{}\n  help: see docs/compose.md for the manifest format", location.excerpt())]
    Syntax {
        /// Where the mistake is.
        location: Box<Location>,
        /// What is wrong.
        message: String,
    },
}

impl Manifest {
    /// Parses a manifest; `path` is used for error locations only.
    pub fn parse(path: &Path, text: &str) -> Result<Manifest, ManifestError> {
        toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ManifestError::Syntax {
                location: Box::new(Location::from_span(path.display().to_string(), text, span)),
                message: e.message().trim_end().to_string(),
            }
        })
    }

    /// Reads and parses the manifest at `path`.
    pub fn from_file(path: &Path) -> Result<(Manifest, String), ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok((Manifest::parse(path, &text)?, text))
    }
}

impl<'de> Deserialize<'de> for Instantiations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Instantiations;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a `[component.instantiate]` table or `[[component.instantiate]]` tables",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Instantiation::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|one| Instantiations(vec![one]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<Instantiation>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(Instantiations)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Source;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an instance name such as \"logger\", { instance = \"logger\", export = \"logging\" }, or a served export such as \"nats://127.0.0.1:4222\"",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(if v.contains("://") {
                    Source::Remote(v.to_string())
                } else {
                    Source::Instance(v.to_string())
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Export {
                    instance: String,
                    export: String,
                }
                let Export { instance, export } =
                    Export::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Source::Export { instance, export })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Exports {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Exports;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, `false`, or a list of export names")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Exports::All(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<String>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(Exports::Names)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"
[component]
name = "application"
[component.dependencies]
greeter = { path = "greeter.wasm" }
logger = { path = "logger.wasm" }
formatter = { path = "formatter.wasm" }
[component.instantiate]
component = "greeter"
dependencies = { logging = "logger" }
"#;

    #[test]
    fn parses_the_seed_manifest() {
        let m = Manifest::parse(Path::new("compose.toml"), SEED).unwrap();
        assert_eq!(m.component.name.as_deref(), Some("application"));
        let deps: Vec<&str> = m
            .component
            .dependencies
            .keys()
            .map(|k| k.get_ref().as_str())
            .collect();
        assert_eq!(deps, ["greeter", "logger", "formatter"]);
        let inst = &m.component.instantiate.0;
        assert_eq!(inst.len(), 1);
        assert_eq!(inst[0].component.get_ref(), "greeter");
        let (import, source) = inst[0].dependencies.first().unwrap();
        assert_eq!(import.get_ref(), "logging");
        assert_eq!(*source.get_ref(), Source::Instance("logger".into()));
    }

    #[test]
    fn parses_several_instantiations_and_export_forms() {
        let text = r#"
[component.dependencies]
a = { path = "a.wasm" }
b = { path = "b.wasm" }
[[component.instantiate]]
component = "a"
name = "first"
exports = false
[[component.instantiate]]
component = "b"
dependencies = { x = { instance = "first", export = "y" } }
exports = ["z"]
"#;
        let m = Manifest::parse(Path::new("c.toml"), text).unwrap();
        let inst = &m.component.instantiate.0;
        assert_eq!(inst.len(), 2);
        assert_eq!(inst[0].instance_name().get_ref(), "first");
        assert_eq!(
            *inst[0].exports.as_ref().unwrap().get_ref(),
            Exports::All(false)
        );
        assert_eq!(
            *inst[1].dependencies[0].get_ref(),
            Source::Export {
                instance: "first".into(),
                export: "y".into()
            }
        );
        assert_eq!(
            *inst[1].exports.as_ref().unwrap().get_ref(),
            Exports::Names(vec!["z".into()])
        );
    }

    #[test]
    fn a_url_is_a_remote_source() {
        let text = "[component.dependencies]\na = { path = \"a.wasm\" }\n[component.instantiate]\ncomponent = \"a\"\ndependencies = { logging = \"nats://127.0.0.1:4222/app\" }\n";
        let m = Manifest::parse(Path::new("c.toml"), text).unwrap();
        let source = m.component.instantiate.0[0].dependencies[0].get_ref();
        assert_eq!(*source, Source::Remote("nats://127.0.0.1:4222/app".into()));
        assert_eq!(source.instance(), None);
    }

    #[test]
    fn unknown_keys_point_at_the_line() {
        let text = "[component]\nname = \"x\"\n[component.instantiate]\ncomponent = \"a\"\ndependecies = {}\n";
        let err = Manifest::parse(Path::new("c.toml"), text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("unknown field `dependecies`"), "{msg}");
        assert!(msg.contains("╭─[c.toml:5:1]"), "{msg}");
    }
}

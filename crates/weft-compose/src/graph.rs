//! A manifest becomes a wac-graph [`CompositionGraph`], which wac encodes.
//!
//! This is where the manifest's names get meaning: which dependency each instantiation
//! uses, which import a `dependencies` key means, which export satisfies it, which
//! exports the result keeps. Everything a user can get wrong is reported with the
//! manifest line and the names that would have been right.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use toml::Spanned;
use wac_graph::types::Package;
use wac_graph::{
    CompositionGraph, EncodeError, EncodeOptions, ExportError, InstantiationArgumentError, NodeId,
    PackageId,
};

use crate::component::{self, Composition, ValidationError, Warning};
use crate::link_plan::{self, LinkPlan, PlanError, PlannedRemote};
use crate::manifest::{Exports, Manifest, ManifestError, Source};
use crate::mismatch::TypeMismatch;
use crate::names::{Match, match_export, match_name, short};
use crate::source::{Location, list};
use weft_wit::closest;

/// Why a manifest could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The manifest could not be read or parsed.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The manifest instantiates nothing.
    #[error(
        "`{}` has no `[component.instantiate]`; add one naming the component to instantiate, e.g. `component = \"greeter\"`",
        path.display()
    )]
    NoInstantiations {
        /// The manifest.
        path: PathBuf,
    },
    /// An instantiation names a component that is not a dependency.
    #[error("no dependency named `{name}`; {}\n{}", did_you_mean(suggestion.as_deref(), "dependencies", known), location.excerpt())]
    UnknownComponent {
        /// Where it is named.
        location: Box<Location>,
        /// The name.
        name: String,
        /// The dependencies that exist.
        known: Vec<String>,
        /// The closest existing name.
        suggestion: Option<String>,
    },
    /// A source is a URL of a scheme weft cannot call.
    #[error("`{url}` is not a source weft can call; a served export is `nats://HOST:PORT[/PREFIX]` (a server started with `weft serve --nats`)\n{}", location.excerpt())]
    UnknownScheme {
        /// Where it is written.
        location: Box<Location>,
        /// The URL.
        url: String,
    },
    /// A composition with a remote source was asked for as one binary.
    #[error("import `{import}` of instance `{instance}` comes from `{url}`, a served export, which cannot be composed into one binary; link the manifest at run time instead (`weft call MANIFEST ...`)\n{}", location.excerpt())]
    RemoteSource {
        /// Where the source is written.
        location: Box<Location>,
        /// The consuming instance.
        instance: String,
        /// The import's full name.
        import: String,
        /// The URL.
        url: String,
    },
    /// Two instantiations have the same instance name.
    #[error("instance `{name}` is defined twice; give one of them another `name = \"…\"`\n{}", location.excerpt())]
    DuplicateInstance {
        /// Where the second one is.
        location: Box<Location>,
        /// The name.
        name: String,
    },
    /// A dependency's file could not be read.
    #[error("failed to read dependency `{name}` from `{}`; paths are relative to the manifest's directory", path.display())]
    ReadDependency {
        /// The dependency's name.
        name: String,
        /// The resolved path.
        path: PathBuf,
        /// The I/O or WAT error.
        #[source]
        source: component::ReadError,
    },
    /// A dependency is not a component.
    #[error("dependency `{name}` (`{}`) is {found}, not a component; {}", path.display(), not_component_hint(found))]
    NotAComponent {
        /// The dependency's name.
        name: String,
        /// The resolved path.
        path: PathBuf,
        /// What it is instead.
        found: &'static str,
    },
    /// A dependency is a component wac cannot read (invalid, or using unsupported features).
    #[error("dependency `{name}` (`{}`) is not a valid component", path.display())]
    InvalidDependency {
        /// The dependency's name.
        name: String,
        /// The resolved path.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: anyhow::Error,
    },
    /// A `dependencies` key matches no import of the instantiated component.
    #[error("`{component}` has no import `{import}`; {}\n{}", did_you_mean(suggestion.as_deref(), "imports", available), location.excerpt())]
    UnknownImport {
        /// Where the key is.
        location: Box<Location>,
        /// The instantiated component.
        component: String,
        /// The key.
        import: String,
        /// The component's imports.
        available: Vec<String>,
        /// The closest import name.
        suggestion: Option<String>,
    },
    /// A `dependencies` key or export name matches several items.
    #[error("`{name}` could mean any of {}; write the full name\n{}", list(candidates), location.excerpt())]
    Ambiguous {
        /// Where the name is.
        location: Box<Location>,
        /// The name.
        name: String,
        /// What it could mean.
        candidates: Vec<String>,
    },
    /// An argument names neither an instance nor a dependency.
    #[error("no instance or dependency named `{name}`; {}\n{}", did_you_mean(suggestion.as_deref(), "instances and dependencies", known), location.excerpt())]
    UnknownInstance {
        /// Where the name is.
        location: Box<Location>,
        /// The name.
        name: String,
        /// Instances and dependencies that exist.
        known: Vec<String>,
        /// The closest one.
        suggestion: Option<String>,
    },
    /// The source instance has no export that fits the import.
    #[error("instance `{instance}` has no export for import `{import}`; its exports are {}; choose one with `{{ instance = \"{instance}\", export = \"…\" }}`\n{}", list(exports), location.excerpt())]
    NoMatchingExport {
        /// Where the argument is.
        location: Box<Location>,
        /// The import being satisfied.
        import: String,
        /// The source instance.
        instance: String,
        /// Its exports.
        exports: Vec<String>,
    },
    /// A named export does not exist.
    #[error("instance `{instance}` has no export `{export}`; {}\n{}", did_you_mean(suggestion.as_deref(), "exports", exports), location.excerpt())]
    UnknownExport {
        /// Where the name is.
        location: Box<Location>,
        /// The instance.
        instance: String,
        /// The name.
        export: String,
        /// Its exports.
        exports: Vec<String>,
        /// The closest one.
        suggestion: Option<String>,
    },
    /// The export given to an import has a different type.
    #[error("{}\n{}{}", mismatch.headline(), location.excerpt(), mismatch.details())]
    TypeMismatch {
        /// Where the argument is.
        location: Box<Location>,
        /// Both sides, in WIT.
        mismatch: Box<TypeMismatch>,
    },
    /// Two instances export the same name.
    #[error(
        "instances `{first}` and `{second}` both export `{name}`; keep one with `exports = [..]` (or `exports = false`) on the other"
    )]
    ExportConflict {
        /// The export name.
        name: String,
        /// The instance exported first.
        first: String,
        /// The other instance.
        second: String,
    },
    /// The instantiations depend on each other in a cycle.
    #[error(
        "instantiations form a cycle through instance `{instance}`; an instance cannot (indirectly) consume its own exports"
    )]
    Cycle {
        /// An instance on the cycle.
        instance: String,
    },
    /// Two instances leave the same import open with different types.
    #[error(
        "instances `{first}` and `{second}` both leave import `{import}` open, with different types; satisfy it in one of them, or give both the same version"
    )]
    OpenImportConflict {
        /// The import name.
        import: String,
        /// One instance.
        first: String,
        /// The other.
        second: String,
        /// How the types differ.
        #[source]
        source: anyhow::Error,
    },
    /// The composition cannot be linked at run time.
    #[error(transparent)]
    Plan(PlanError),
    /// wac-graph refused the graph for a reason the checks above do not cover.
    #[error("wac-graph could not build the composition")]
    Graph {
        /// wac-graph's error.
        #[source]
        source: anyhow::Error,
    },
    /// The composed component is invalid (a bug).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

fn did_you_mean(suggestion: Option<&str>, what: &str, known: &[String]) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`? (the {what} are {})", list(known)),
        None => format!("the {what} are {}", list(known)),
    }
}

fn not_component_hint(found: &str) -> &'static str {
    if found == "a core wasm module" {
        "turn it into one first with `weft new`"
    } else {
        "build it for `wasm32-wasip2` or turn a core module into a component with `weft new`"
    }
}

/// Reads the manifest at `path` and plans its instances for linking at run time, with
/// every check `weft compose` makes.
pub fn plan_manifest_file(path: &Path) -> Result<LinkPlan, ComposeError> {
    let (manifest, text) = Manifest::from_file(path)?;
    Composer::new(&manifest, path, &text).plan()
}

/// Reads and composes the manifest at `path`; dependency paths are relative to its
/// directory.
pub fn compose_manifest_file(path: &Path) -> Result<Composition, ComposeError> {
    let (manifest, text) = Manifest::from_file(path)?;
    compose_manifest(&manifest, path, &text)
}

/// Composes a parsed manifest. `path` is the manifest's path (dependency paths are
/// relative to its directory) and `text` its source, for error locations.
pub fn compose_manifest(
    manifest: &Manifest,
    path: &Path,
    text: &str,
) -> Result<Composition, ComposeError> {
    Composer::new(manifest, path, text).run()
}

struct Composer<'m> {
    manifest: &'m Manifest,
    path: &'m Path,
    text: &'m str,
    base: PathBuf,
    graph: CompositionGraph,
    /// Loaded dependencies by name.
    packages: HashMap<String, PackageId>,
    /// Instances by name: explicit ones, then implicit ones for dependencies.
    instances: IndexMap<String, (NodeId, PackageId)>,
    /// Imports whose source is a served export, with where the manifest says so.
    remotes: Vec<(String, PlannedRemote, Box<Location>)>,
}

impl<'m> Composer<'m> {
    fn new(manifest: &'m Manifest, path: &'m Path, text: &'m str) -> Self {
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Composer {
            manifest,
            path,
            text,
            base,
            graph: CompositionGraph::new(),
            packages: HashMap::new(),
            instances: IndexMap::new(),
            remotes: Vec::new(),
        }
    }

    fn at<T>(&self, spanned: &Spanned<T>) -> Box<Location> {
        Box::new(Location::from_span(
            self.path.display().to_string(),
            self.text,
            spanned.span(),
        ))
    }

    fn dependency_names(&self) -> Vec<String> {
        self.manifest
            .component
            .dependencies
            .keys()
            .map(|k| k.get_ref().clone())
            .collect()
    }

    /// Loads dependency `name` (once).
    fn package(&mut self, name: &str) -> Result<Option<PackageId>, ComposeError> {
        if let Some(id) = self.packages.get(name) {
            return Ok(Some(*id));
        }
        let Some(dep) = self.manifest.component.dependencies.get(name) else {
            return Ok(None);
        };
        let path = self.base.join(dep.path.get_ref());
        let bytes = component::read_wasm(&path).map_err(|source| ComposeError::ReadDependency {
            name: name.to_string(),
            path: path.clone(),
            source,
        })?;
        if !wasmparser::Parser::is_component(&bytes) {
            return Err(ComposeError::NotAComponent {
                name: name.to_string(),
                path,
                found: component::describe_binary(&bytes),
            });
        }
        let package =
            Package::from_bytes(name, None, bytes, self.graph.types_mut()).map_err(|source| {
                ComposeError::InvalidDependency {
                    name: name.to_string(),
                    path: path.clone(),
                    source,
                }
            })?;
        let id = self
            .graph
            .register_package(package)
            .map_err(|e| ComposeError::Graph { source: e.into() })?;
        self.packages.insert(name.to_string(), id);
        Ok(Some(id))
    }

    fn run(mut self) -> Result<Composition, ComposeError> {
        let exported = self.build()?;
        if let Some((instance, remote, location)) = self.remotes.drain(..).next() {
            return Err(ComposeError::RemoteSource {
                location,
                instance,
                import: remote.import,
                url: remote.url,
            });
        }
        // 4. Encode; validation is ours, with wasmtime's wasm-tools family.
        let bytes = self
            .graph
            .encode(EncodeOptions {
                define_components: true,
                validate: false,
                processor: Some(crate::PROCESSOR),
            })
            .map_err(|e| self.encode_error(e))?;
        let bytes = match &self.manifest.component.name {
            Some(name) => set_name(&bytes, name)?,
            None => bytes,
        };
        Ok(component::validate(bytes, self.warnings(exported))?)
    }

    /// The plan for linking the manifest at run time, from the same checked graph.
    fn plan(mut self) -> Result<LinkPlan, ComposeError> {
        let exported = self.build()?;
        let mut members = link_plan::plan(&self.graph).map_err(|e| match e {
            PlanError::Cycle { instance } => ComposeError::Cycle { instance },
            other => ComposeError::Plan(other),
        })?;
        for member in &mut members {
            member.source = self
                .manifest
                .component
                .dependencies
                .get(member.package.as_str())
                .map(|dep| self.base.join(dep.path.get_ref()));
            member.remotes = self
                .remotes
                .iter()
                .filter(|(instance, _, _)| *instance == member.name)
                .map(|(_, remote, _)| remote.clone())
                .collect();
        }
        Ok(LinkPlan {
            members,
            warnings: self.warnings(exported),
        })
    }

    /// Unused dependencies, and a result without exports.
    fn warnings(&self, exported: usize) -> Vec<Warning> {
        let mut warnings = Vec::new();
        for (name, dep) in &self.manifest.component.dependencies {
            if !self.packages.contains_key(name.get_ref()) {
                warnings.push(Warning::UnusedDependency {
                    name: name.get_ref().clone(),
                    path: dep.path.get_ref().clone(),
                });
            }
        }
        if exported == 0 {
            warnings.push(Warning::NoExports);
        }
        warnings
    }

    /// Builds and checks the graph (instances, arguments, exports); answers how many
    /// exports the result has.
    fn build(&mut self) -> Result<usize, ComposeError> {
        let manifest = self.manifest;
        let instantiations = &manifest.component.instantiate.0;
        if instantiations.is_empty() {
            return Err(ComposeError::NoInstantiations {
                path: self.path.to_path_buf(),
            });
        }

        // 1. Explicit instances, in manifest order.
        for inst in instantiations {
            let component = inst.component.get_ref();
            let Some(package) = self.package(component)? else {
                let known = self.dependency_names();
                return Err(ComposeError::UnknownComponent {
                    location: self.at(&inst.component),
                    name: component.clone(),
                    suggestion: closest(component, known.iter().map(String::as_str))
                        .map(str::to_string),
                    known,
                });
            };
            let name = inst.instance_name();
            if self.instances.contains_key(name.get_ref()) {
                return Err(ComposeError::DuplicateInstance {
                    location: self.at(name),
                    name: name.get_ref().clone(),
                });
            }
            let node = self.graph.instantiate(package);
            self.graph.set_node_name(node, name.get_ref().clone());
            self.instances
                .insert(name.get_ref().clone(), (node, package));
        }

        // 2. Arguments.
        let mut consumed = HashSet::new();
        for inst in instantiations {
            let (node, package) = self.instances[inst.instance_name().get_ref()];
            for (key, source) in &inst.dependencies {
                let import = self.resolve_import(inst.component.get_ref(), package, key)?;
                let source_name = match source.get_ref() {
                    Source::Remote(url) => {
                        if !url.starts_with("nats://") {
                            return Err(ComposeError::UnknownScheme {
                                location: self.at(source),
                                url: url.clone(),
                            });
                        }
                        // Left open in the graph: the runtime binds it to the server.
                        let remote = PlannedRemote {
                            import,
                            url: url.clone(),
                        };
                        let instance = inst.instance_name().get_ref().clone();
                        self.remotes.push((instance, remote, self.at(source)));
                        continue;
                    }
                    Source::Instance(name) | Source::Export { instance: name, .. } => name,
                };
                let (source_name, source_node, source_package) =
                    self.source_instance(source, source_name)?;
                consumed.insert(source_name.clone());
                let export = self.resolve_export(&import, &source_name, source_package, source)?;
                let alias = self
                    .graph
                    .alias_instance_export(source_node, &export)
                    .map_err(|e| ComposeError::Graph { source: e.into() })?;
                match self.graph.set_instantiation_argument(node, &import, alias) {
                    Ok(()) => {}
                    Err(InstantiationArgumentError::ArgumentTypeMismatch {
                        source: reason,
                        ..
                    }) => {
                        let mismatch = TypeMismatch::describe(
                            &import,
                            format!("instance `{}`", inst.instance_name().get_ref()),
                            self.graph[package].bytes(),
                            &export,
                            format!("instance `{source_name}`"),
                            self.graph[source_package].bytes(),
                            &reason,
                        );
                        return Err(ComposeError::TypeMismatch {
                            location: self.at(source),
                            mismatch: Box::new(mismatch),
                        });
                    }
                    Err(e) => return Err(ComposeError::Graph { source: e.into() }),
                }
            }
        }

        // 3. Exports of the result.
        let mut exported: HashMap<String, String> = HashMap::new();
        for inst in instantiations {
            let name = inst.instance_name().get_ref();
            let (node, package) = self.instances[name];
            let all = self.export_names(package);
            let selected: Vec<String> = match inst.exports.as_ref().map(Spanned::get_ref) {
                None if consumed.contains(name) => Vec::new(),
                None | Some(Exports::All(true)) => all,
                Some(Exports::All(false)) => Vec::new(),
                Some(Exports::Names(names)) => {
                    let spanned = inst.exports.as_ref().expect("exports are set");
                    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
                    let mut chosen = Vec::new();
                    for wanted in names {
                        match match_name(wanted, &refs) {
                            Match::One(found) => chosen.push(found.to_string()),
                            Match::Many(candidates) => {
                                return Err(ComposeError::Ambiguous {
                                    location: self.at(spanned),
                                    name: wanted.clone(),
                                    candidates: candidates.iter().map(|c| c.to_string()).collect(),
                                });
                            }
                            Match::None => {
                                return Err(ComposeError::UnknownExport {
                                    location: self.at(spanned),
                                    instance: name.clone(),
                                    export: wanted.clone(),
                                    suggestion: closest(wanted, refs.iter().copied())
                                        .map(str::to_string),
                                    exports: all.clone(),
                                });
                            }
                        }
                    }
                    chosen
                }
            };
            for export in selected {
                let alias = self
                    .graph
                    .alias_instance_export(node, &export)
                    .map_err(|e| ComposeError::Graph { source: e.into() })?;
                match self.graph.export(alias, export.clone()) {
                    Ok(()) => {
                        exported.insert(export, name.clone());
                    }
                    Err(ExportError::ExportAlreadyExists { name: export, .. }) => {
                        return Err(ComposeError::ExportConflict {
                            first: exported[&export].clone(),
                            second: name.clone(),
                            name: export,
                        });
                    }
                    Err(e) => return Err(ComposeError::Graph { source: e.into() }),
                }
            }
        }

        Ok(exported.len())
    }

    fn export_names(&self, package: PackageId) -> Vec<String> {
        let ty = self.graph[package].ty();
        self.graph.types()[ty].exports.keys().cloned().collect()
    }

    fn import_names(&self, package: PackageId) -> Vec<String> {
        let ty = self.graph[package].ty();
        self.graph.types()[ty].imports.keys().cloned().collect()
    }

    fn resolve_import(
        &self,
        component: &str,
        package: PackageId,
        key: &Spanned<String>,
    ) -> Result<String, ComposeError> {
        let imports = self.import_names(package);
        let refs: Vec<&str> = imports.iter().map(String::as_str).collect();
        match match_name(key.get_ref(), &refs) {
            Match::One(name) => Ok(name.to_string()),
            Match::Many(candidates) => Err(ComposeError::Ambiguous {
                location: self.at(key),
                name: key.get_ref().clone(),
                candidates: candidates.iter().map(|c| c.to_string()).collect(),
            }),
            Match::None => Err(ComposeError::UnknownImport {
                location: self.at(key),
                component: component.to_string(),
                import: key.get_ref().clone(),
                suggestion: closest(key.get_ref(), refs.iter().copied())
                    .or_else(|| {
                        refs.iter()
                            .copied()
                            .find(|n| closest(key.get_ref(), [short(n)]).is_some())
                    })
                    .map(str::to_string),
                available: imports.clone(),
            }),
        }
    }

    /// The instance an argument comes from: an explicit instance, or the implicit
    /// instance of a dependency (created on first use).
    fn source_instance(
        &mut self,
        source: &Spanned<Source>,
        name: &str,
    ) -> Result<(String, NodeId, PackageId), ComposeError> {
        if let Some((node, package)) = self.instances.get(name) {
            return Ok((name.to_string(), *node, *package));
        }
        match self.package(name)? {
            Some(package) => {
                let node = self.graph.instantiate(package);
                self.graph.set_node_name(node, name);
                self.instances.insert(name.to_string(), (node, package));
                Ok((name.to_string(), node, package))
            }
            None => {
                let mut known: Vec<String> = self.instances.keys().cloned().collect();
                for dep in self.dependency_names() {
                    if !known.contains(&dep) {
                        known.push(dep);
                    }
                }
                Err(ComposeError::UnknownInstance {
                    location: self.at(source),
                    name: name.to_string(),
                    suggestion: closest(name, known.iter().map(String::as_str)).map(str::to_string),
                    known,
                })
            }
        }
    }

    fn resolve_export(
        &self,
        import: &str,
        instance: &str,
        package: PackageId,
        source: &Spanned<Source>,
    ) -> Result<String, ComposeError> {
        let exports = self.export_names(package);
        let refs: Vec<&str> = exports.iter().map(String::as_str).collect();
        let (wanted, found) = match source.get_ref() {
            Source::Export { export, .. } => (export.as_str(), match_name(export, &refs)),
            Source::Instance(_) | Source::Remote(_) => (import, match_export(import, &refs)),
        };
        match found {
            Match::One(name) => Ok(name.to_string()),
            Match::Many(candidates) => Err(ComposeError::Ambiguous {
                location: self.at(source),
                name: wanted.to_string(),
                candidates: candidates.iter().map(|c| c.to_string()).collect(),
            }),
            Match::None => match source.get_ref() {
                Source::Instance(_) | Source::Remote(_) => Err(ComposeError::NoMatchingExport {
                    location: self.at(source),
                    import: import.to_string(),
                    instance: instance.to_string(),
                    exports,
                }),
                Source::Export { export, .. } => Err(ComposeError::UnknownExport {
                    location: self.at(source),
                    instance: instance.to_string(),
                    export: export.clone(),
                    suggestion: closest(export, refs.iter().copied()).map(str::to_string),
                    exports: exports.clone(),
                }),
            },
        }
    }

    fn node_name(&self, node: NodeId) -> String {
        self.instances
            .iter()
            .find(|(_, (n, _))| *n == node)
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| format!("#{node}"))
    }

    fn encode_error(&self, error: EncodeError) -> ComposeError {
        match error {
            EncodeError::GraphContainsCycle { node } => {
                let node = self
                    .graph
                    .get_alias_source(node)
                    .map_or(node, |(source, _)| source);
                ComposeError::Cycle {
                    instance: self.node_name(node),
                }
            }
            EncodeError::ImportTypeMergeConflict {
                import,
                first,
                second,
                source,
            } => ComposeError::OpenImportConflict {
                import,
                first: self.node_name(first),
                second: self.node_name(second),
                source,
            },
            other => ComposeError::Graph {
                source: other.into(),
            },
        }
    }
}

/// Writes `name` into the component's name section.
fn set_name(bytes: &[u8], name: &str) -> Result<Vec<u8>, ComposeError> {
    let mut add = wasm_metadata::AddMetadata::default();
    add.name = wasm_metadata::AddMetadataField::Set(name.to_string());
    add.to_wasm(bytes).map_err(|source| ComposeError::Graph {
        source: source.context(format!("failed to write the name `{name}` into the result")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(m: Match<'_>) -> Option<&str> {
        match m {
            Match::One(s) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn import_keys_match_full_unversioned_and_short_names() {
        let names = [
            "example:greeter/logging@1.0.0",
            "wasi:cli/stdout@0.2.3",
            "run",
        ];
        for key in [
            "example:greeter/logging@1.0.0",
            "example:greeter/logging",
            "logging",
        ] {
            assert_eq!(one(match_name(key, &names)), Some(names[0]), "{key}");
        }
        assert_eq!(one(match_name("run", &names)), Some("run"));
        assert!(matches!(match_name("nope", &names), Match::None));
        let twice = ["a:b/log@1.0.0", "c:d/log@1.0.0"];
        assert!(matches!(match_name("log", &twice), Match::Many(_)));
    }

    #[test]
    fn exports_match_semver_compatible_versions() {
        let exports = [
            "example:greeter/logging@1.2.0",
            "example:greeter/other@1.0.0",
        ];
        assert_eq!(
            one(match_export("example:greeter/logging@1.0.0", &exports)),
            Some(exports[0])
        );
        assert_eq!(
            one(match_export(
                "legacy:storage/storage-v1",
                &["legacy:storage/storage-v1"]
            )),
            Some("legacy:storage/storage-v1")
        );
    }
}

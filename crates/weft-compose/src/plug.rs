//! `weft plug`: the exports of plug components satisfy the matching imports of a socket
//! component, as `wac plug` does, but a same-named export of the wrong type is an error
//! that shows both types rather than a silent skip.
//!
//! An export matches an import of the same name, or of a semver-compatible version
//! (`a:b/c@0.2.1` for `a:b/c@0.2.0`). The result exports what the socket exports; imports
//! no plug satisfies, and the plugs' own imports, stay imports of the result.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wac_graph::types::{Package, are_semver_compatible};
use wac_graph::{CompositionGraph, EncodeOptions, InstantiationArgumentError, PackageId};

use crate::component::{self, Composition, ValidationError, Warning};
use crate::mismatch::TypeMismatch;
use crate::source::list;

/// Why plugging failed.
#[derive(Debug, thiserror::Error)]
pub enum PlugError {
    /// An input could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O or WAT error.
        #[source]
        source: component::ReadError,
    },
    /// An input is not a component.
    #[error("`{}` is {found}, not a component; turn a core module into a component with `weft new`", path.display())]
    NotAComponent {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        found: &'static str,
    },
    /// An input is a component wac cannot read.
    #[error("`{}` is not a valid component", path.display())]
    InvalidInput {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: anyhow::Error,
    },
    /// A plug's export has the import's name but another type.
    #[error("{0}")]
    TypeMismatch(Box<TypeMismatch>),
    /// Two plugs export the same import.
    #[error("import `{import}` of the socket is exported by both `{}` and `{}`; pass only one of them, or compose with a manifest to choose", first.display(), second.display())]
    PluggedTwice {
        /// The import.
        import: String,
        /// The first plug.
        first: PathBuf,
        /// The second plug.
        second: PathBuf,
    },
    /// No plug export matches any socket import.
    #[error("no plug exports anything the socket `{}` imports; the socket imports {}{}", socket.display(), list(imports), plugs_exports(plugs))]
    NothingPlugged {
        /// The socket.
        socket: PathBuf,
        /// Its imports.
        imports: Vec<String>,
        /// Each plug's exports.
        plugs: Vec<(PathBuf, Vec<String>)>,
    },
    /// wac-graph refused the composition.
    #[error("wac-graph could not build the composition")]
    Graph {
        /// wac-graph's error.
        #[source]
        source: anyhow::Error,
    },
    /// The result is invalid (a bug).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

fn plugs_exports(plugs: &[(PathBuf, Vec<String>)]) -> String {
    plugs
        .iter()
        .map(|(path, exports)| format!("; `{}` exports {}", path.display(), list(exports)))
        .collect()
}

struct Input {
    path: PathBuf,
    package: PackageId,
}

fn load(
    graph: &mut CompositionGraph,
    path: &Path,
    names: &mut HashMap<String, usize>,
) -> Result<Input, PlugError> {
    let bytes = component::read_wasm(path).map_err(|source| PlugError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !wasmparser::Parser::is_component(&bytes) {
        return Err(PlugError::NotAComponent {
            path: path.to_path_buf(),
            found: component::describe_binary(&bytes),
        });
    }
    // Package names only label the graph; keep them unique and readable.
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("component")
        .to_string();
    let n = names.entry(stem.clone()).or_insert(0);
    *n += 1;
    let name = if *n == 1 { stem } else { format!("{stem}{n}") };
    let package = Package::from_bytes(&name, None, bytes, graph.types_mut()).map_err(|source| {
        PlugError::InvalidInput {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let package = graph
        .register_package(package)
        .map_err(|e| PlugError::Graph { source: e.into() })?;
    Ok(Input {
        path: path.to_path_buf(),
        package,
    })
}

/// Plugs the exports of `plugs` into the imports of `socket` and returns the result.
pub fn plug(socket: &Path, plugs: &[PathBuf]) -> Result<Composition, PlugError> {
    let mut graph = CompositionGraph::new();
    let mut names = HashMap::new();
    let socket = load(&mut graph, socket, &mut names)?;
    let plugs = plugs
        .iter()
        .map(|p| load(&mut graph, p, &mut names))
        .collect::<Result<Vec<_>, _>>()?;

    let socket_node = graph.instantiate(socket.package);
    graph.set_node_name(socket_node, graph[socket.package].name().to_string());
    let socket_ty = graph[socket.package].ty();
    let socket_imports: Vec<String> = graph.types()[socket_ty].imports.keys().cloned().collect();

    let mut satisfied: HashMap<String, PathBuf> = HashMap::new();
    let mut warnings = Vec::new();
    for plug in &plugs {
        let ty = graph[plug.package].ty();
        let exports: Vec<String> = graph.types()[ty].exports.keys().cloned().collect();
        let mut node = None;
        for export in exports {
            let Some(import) = socket_imports.iter().find(|i| **i == export).or_else(|| {
                socket_imports
                    .iter()
                    .find(|i| are_semver_compatible(&export, i))
            }) else {
                continue;
            };
            if let Some(first) = satisfied.get(import) {
                return Err(PlugError::PluggedTwice {
                    import: import.clone(),
                    first: first.clone(),
                    second: plug.path.clone(),
                });
            }
            let node = *node.get_or_insert_with(|| {
                let node = graph.instantiate(plug.package);
                graph.set_node_name(node, graph[plug.package].name().to_string());
                node
            });
            let alias = graph
                .alias_instance_export(node, &export)
                .map_err(|e| PlugError::Graph { source: e.into() })?;
            match graph.set_instantiation_argument(socket_node, import, alias) {
                Ok(()) => {
                    satisfied.insert(import.clone(), plug.path.clone());
                }
                Err(InstantiationArgumentError::ArgumentTypeMismatch { source, .. }) => {
                    return Err(PlugError::TypeMismatch(Box::new(TypeMismatch::describe(
                        import,
                        format!("socket `{}`", socket.path.display()),
                        graph[socket.package].bytes(),
                        &export,
                        format!("plug `{}`", plug.path.display()),
                        graph[plug.package].bytes(),
                        &source,
                    ))));
                }
                Err(e) => return Err(PlugError::Graph { source: e.into() }),
            }
        }
        if node.is_none() {
            warnings.push(Warning::UnusedPlug {
                path: plug.path.clone(),
            });
        }
    }

    if satisfied.is_empty() {
        return Err(PlugError::NothingPlugged {
            socket: socket.path,
            imports: socket_imports,
            plugs: plugs
                .iter()
                .map(|p| {
                    let ty = graph[p.package].ty();
                    let exports = graph.types()[ty].exports.keys().cloned().collect();
                    (p.path.clone(), exports)
                })
                .collect(),
        });
    }

    let socket_exports: Vec<String> = graph.types()[socket_ty].exports.keys().cloned().collect();
    for name in socket_exports {
        let alias = graph
            .alias_instance_export(socket_node, &name)
            .map_err(|e| PlugError::Graph { source: e.into() })?;
        graph
            .export(alias, name)
            .map_err(|e| PlugError::Graph { source: e.into() })?;
    }

    let bytes = graph
        .encode(EncodeOptions {
            define_components: true,
            validate: false,
            processor: Some(crate::PROCESSOR),
        })
        .map_err(|e| PlugError::Graph { source: e.into() })?;
    let mut composition = component::validate(bytes, warnings)?;
    if composition.exports.is_empty() {
        composition.warnings.push(Warning::NoExports);
    }
    Ok(composition)
}

//! A composition as a plan for linking at run time: the same graph `weft compose`
//! encodes (so every name and type is checked the same way), read back as instances,
//! the export each satisfied import comes from, and what the result exports.
//!
//! The runtime (`weft-runtime`'s `App`) instantiates the members in the plan's order
//! and links each import to its provider's export through the host, with no composed
//! binary.

use std::collections::HashMap;
use std::path::PathBuf;

use wac_graph::{CompositionGraph, NodeId, NodeKind};

use crate::component::Warning;

/// What to instantiate and link, in instantiation order (providers first).
#[derive(Debug, Clone)]
pub struct LinkPlan {
    /// The instances.
    pub members: Vec<PlannedMember>,
    /// What the manifest asked for that is left out (unused dependencies, no exports).
    pub warnings: Vec<Warning>,
}

/// One instance of a plan.
#[derive(Debug, Clone)]
pub struct PlannedMember {
    /// The instance's name (`greeter`, or `app#2` for an unnamed WAC instance).
    pub name: String,
    /// The package it instantiates (the manifest's dependency name, or the WAC package).
    pub package: String,
    /// The component's binary.
    pub bytes: Vec<u8>,
    /// The file it was read from, when the composition names one (a manifest's
    /// dependency; a WAC document's packages are found by its resolver).
    pub source: Option<PathBuf>,
    /// Imports satisfied by earlier members; the others are left to the host.
    pub links: Vec<PlannedLink>,
    /// Imports the manifest binds to exports served on NATS (left to the host, which
    /// calls the server).
    pub remotes: Vec<PlannedRemote>,
    /// Its top-level exports that the composition exports.
    pub exposes: Vec<String>,
}

/// An import satisfied by another member's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLink {
    /// The import's full name in the consumer.
    pub import: String,
    /// The providing member's name.
    pub provider: String,
    /// The provider's top-level export.
    pub export: String,
}

/// An import the manifest binds to an export served elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRemote {
    /// The import's full name in the consumer.
    pub import: String,
    /// Where it is served: `nats://HOST:PORT[/PREFIX]`.
    pub url: String,
}

/// A composition that can be encoded but not linked at run time.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// The instances depend on each other in a cycle.
    #[error(
        "instantiations form a cycle through instance `{instance}`; an instance cannot (indirectly) consume its own exports"
    )]
    Cycle {
        /// An instance on the cycle.
        instance: String,
    },
    /// Something static composition can say that runtime linking cannot.
    #[error(
        "{what} cannot be linked at run time; compose it with `weft compose` and run the result instead"
    )]
    Unsupported {
        /// What it is.
        what: String,
    },
}

/// Reads the plan out of a checked composition graph.
pub(crate) fn plan(graph: &CompositionGraph) -> Result<Vec<PlannedMember>, PlanError> {
    let nodes: Vec<NodeId> = graph
        .node_ids()
        .filter(|id| matches!(graph[*id].kind(), NodeKind::Instantiation(_)))
        .collect();
    let mut names: HashMap<NodeId, String> = HashMap::new();
    for (i, id) in nodes.iter().enumerate() {
        let node = &graph[*id];
        let package = node.package().map(|p| graph[p].name().to_string());
        let name = node
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}#{i}", package.as_deref().unwrap_or("instance")));
        names.insert(*id, name);
    }
    let mut members: Vec<(NodeId, PlannedMember)> = Vec::new();
    for id in &nodes {
        let node = &graph[*id];
        let package = node.package().expect("an instantiation has a package");
        let name = names[id].clone();
        let mut links = Vec::new();
        for (import, source) in graph.get_instantiation_arguments(*id) {
            let source_node = &graph[source];
            match source_node.kind() {
                NodeKind::Import(imported) if imported == import => {}
                NodeKind::Import(imported) => {
                    return Err(PlanError::Unsupported {
                        what: format!(
                            "import `{import}` of instance `{name}`, given the document's import `{imported}` under another name"
                        ),
                    });
                }
                NodeKind::Alias => {
                    let (provider, export) = graph
                        .get_alias_source(source)
                        .expect("an alias node has a source");
                    match names.get(&provider) {
                        Some(provider) => links.push(PlannedLink {
                            import: import.to_string(),
                            provider: provider.clone(),
                            export: export.to_string(),
                        }),
                        None => {
                            return Err(PlanError::Unsupported {
                                what: format!(
                                    "import `{import}` of instance `{name}`, given `{export}` of an imported instance"
                                ),
                            });
                        }
                    }
                }
                _ => {
                    return Err(PlanError::Unsupported {
                        what: format!(
                            "import `{import}` of instance `{name}`, given a whole instance or a type"
                        ),
                    });
                }
            }
        }
        members.push((
            *id,
            PlannedMember {
                name,
                package: graph[package].name().to_string(),
                bytes: graph[package].bytes().to_vec(),
                source: None,
                links,
                remotes: Vec::new(),
                exposes: Vec::new(),
            },
        ));
    }
    for id in graph.node_ids() {
        let node = &graph[id];
        let Some(exported) = node.export_name() else {
            continue;
        };
        let source = match node.kind() {
            NodeKind::Alias => graph.get_alias_source(id),
            NodeKind::Definition => continue,
            _ => None,
        };
        let Some((instance, export)) = source.filter(|(i, _)| names.contains_key(i)) else {
            return Err(PlanError::Unsupported {
                what: format!("the export `{exported}`, which is not an export of an instance"),
            });
        };
        if export != exported {
            return Err(PlanError::Unsupported {
                what: format!("the export `{export}` renamed to `{exported}`"),
            });
        }
        let member = members
            .iter_mut()
            .find(|(n, _)| *n == instance)
            .expect("every instantiation is a member");
        member.1.exposes.push(export.to_string());
    }
    order(members.into_iter().map(|(_, m)| m).collect())
}

/// Sorts members so that every provider comes before its consumers, keeping the given
/// order where the links allow.
fn order(mut pending: Vec<PlannedMember>) -> Result<Vec<PlannedMember>, PlanError> {
    let mut sorted: Vec<PlannedMember> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|m| {
            m.links
                .iter()
                .all(|l| sorted.iter().any(|s| s.name == l.provider))
        });
        match ready {
            Some(i) => sorted.push(pending.remove(i)),
            None => {
                return Err(PlanError::Cycle {
                    instance: pending[0].name.clone(),
                });
            }
        }
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, providers: &[&str]) -> PlannedMember {
        PlannedMember {
            name: name.to_string(),
            package: name.to_string(),
            bytes: Vec::new(),
            source: None,
            links: providers
                .iter()
                .map(|p| PlannedLink {
                    import: format!("{p}-import"),
                    provider: p.to_string(),
                    export: "e".to_string(),
                })
                .collect(),
            remotes: Vec::new(),
            exposes: Vec::new(),
        }
    }

    #[test]
    fn providers_come_first() {
        let sorted = order(vec![
            member("app", &["adapter"]),
            member("adapter", &["store"]),
            member("store", &[]),
        ])
        .unwrap();
        let names: Vec<&str> = sorted.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["store", "adapter", "app"]);
    }

    #[test]
    fn a_cycle_is_named() {
        let error = order(vec![member("a", &["b"]), member("b", &["a"])]).unwrap_err();
        assert!(matches!(error, PlanError::Cycle { instance } if instance == "a"));
    }
}

//! Which plugins fit this host: the versioned `example:plugin-system` worlds.
//!
//! The host speaks `example:plugin-system@1.1.0` (built in from
//! `wit/plugin-system-1.1`). A plugin built for any 1.x is accepted, as semver says a
//! 1.x provider satisfies a 1.y consumer of what both versions have: 1.1.0 only added the
//! optional `event-filter` interface. A plugin's fit is checked by `weft targets`' checker
//! (wit-component's verdict, with a readable diff) against the host's world written at
//! the plugin's own version, so the export names match and only the shapes are judged.

use semver::Version;
use wasmparser::{Parser, Payload};
use weft_compose::{TargetsError, targets_world};
use wit_parser::Resolve;

/// The `example:plugin-system` WIT this host is built against.
const HOST_WIT: &str = include_str!("../../../wit/plugin-system-1.1/plugin-system.wit");
/// The version [`HOST_WIT`] declares.
const HOST_VERSION: &str = "1.1.0";
/// The package plugins export from.
const PACKAGE: &str = "example:plugin-system";

/// The version of `example:plugin-system` this host speaks.
pub fn host_version() -> Version {
    Version::parse(HOST_VERSION).expect("a valid version")
}

/// How a plugin fits the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// The world it was checked against, e.g. `example:plugin-system/plugin-impl@1.0.0`.
    pub world: String,
    /// The package version the plugin was built for.
    pub version: Version,
    /// Whether it exports `event-filter` (1.1.0), so the host asks it which events it wants.
    pub filters_events: bool,
}

/// Why a plugin does not fit the host.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The plugin was built for another major version of the package.
    #[error(
        "the plugin is built for {PACKAGE}@{found}, and this host speaks {PACKAGE} {}.x ({HOST_VERSION}); rebuild the plugin against a {}.x release of the package",
        host.major, host.major
    )]
    Major {
        /// The plugin's version.
        found: Version,
        /// The host's.
        host: Version,
    },
    /// The plugin does not fit the world (the diff `weft targets` prints).
    #[error(transparent)]
    World(#[from] TargetsError),
}

/// Checks that `component` fits the host's plugin world.
pub fn check(component: &[u8]) -> Result<Fit, FitError> {
    let host = host_version();
    let exports = top_level_exports(component);
    let version_of = |interface: &str| {
        let prefix = format!("{PACKAGE}/{interface}@");
        exports
            .iter()
            .find_map(|name| name.strip_prefix(&prefix))
            .and_then(|v| Version::parse(v).ok())
    };
    let filters_events = version_of("event-filter").is_some();
    // A component without the plugin export is judged against the host's own version, so
    // the diff shows the export it lacks.
    let version = version_of("plugin").unwrap_or_else(|| host.clone());
    if version.major != host.major {
        return Err(FitError::Major {
            found: version,
            host,
        });
    }
    let world = if filters_events {
        "filtered-plugin-impl"
    } else {
        "plugin-impl"
    };
    let mut resolve = Resolve::default();
    let text = HOST_WIT.replacen(
        &format!("package {PACKAGE}@{HOST_VERSION};"),
        &format!("package {PACKAGE}@{version};"),
        1,
    );
    let package = resolve
        .push_str("plugin-system.wit", &text)
        .expect("the built-in plugin-system WIT parses at any 1.x version");
    let world_id = resolve
        .select_world(&[package], Some(world))
        .expect("the built-in WIT has both plugin worlds");
    let world = targets_world(component, &resolve, world_id, true)?;
    Ok(Fit {
        world,
        version,
        filters_events,
    })
}

/// The names a component exports at its top level; none when it does not parse (the
/// checker then says what it is).
fn top_level_exports(component: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        let Ok(payload) = payload else { break };
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section.into_iter().flatten() {
                    names.push(export.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_wit_is_the_host_version() {
        assert!(HOST_WIT.contains(&format!("package {PACKAGE}@{HOST_VERSION};")));
        assert_eq!(host_version(), Version::new(1, 1, 0));
    }
}

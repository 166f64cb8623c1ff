//! The Rust names `wit_bindgen::generate!` (0.63) gives WIT items, and the short module
//! aliases the generated `src/lib.rs` imports them by.
//!
//! The rules are wit-bindgen's own (`wit-bindgen-rust`'s `to_rust_ident`,
//! `compute_module_path` and `wit-bindgen-core`'s `name_package_module`): snake_case
//! identifiers with keywords suffixed by `_`, UpperCamelCase types with `guest` renamed
//! `Guest_`, and an interface at `exports::<ns>::<pkg>::<iface>` when exported (without
//! `exports::` when imported), the package carrying its version only when the resolve
//! holds two versions of it.

use std::collections::{HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use wit_parser::{InterfaceId, PackageId, Resolve, WorldId, WorldItem, WorldKey};

/// wit-bindgen's `to_rust_ident`: snake_case, Rust keywords suffixed with `_`.
pub fn ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_snake_case()
    }
}

/// wit-bindgen's type names: UpperCamelCase, `guest` (which would shadow the `Guest`
/// traits) as `Guest_`.
pub fn camel(name: &str) -> String {
    match name {
        "guest" => "Guest_".to_string(),
        s => s.to_upper_camel_case(),
    }
}

/// wit-bindgen-core's `name_package_module`.
fn package_module(resolve: &Resolve, id: PackageId) -> String {
    let pkg = &resolve.packages[id].name;
    let versions = resolve
        .packages
        .iter()
        .filter(|(_, p)| p.name.namespace == pkg.namespace && p.name.name == pkg.name)
        .count();
    let base = pkg.name.to_snake_case();
    match &pkg.version {
        Some(v) if versions > 1 => {
            let v = v.to_string().replace(['.', '-', '+'], "_").to_snake_case();
            format!("{base}{v}")
        }
        _ => base,
    }
}

/// Where each interface of a world lives in the generated bindings, and its alias.
pub struct Modules {
    by_interface: HashMap<InterfaceId, Module>,
}

/// One interface's module.
pub struct Module {
    /// The path from the crate root, e.g. `bindings::exports::example::greeter::greeting`.
    pub path: String,
    /// The name `src/lib.rs` imports it as, e.g. `greeting`.
    pub alias: String,
}

impl Modules {
    /// The modules of every interface `world` imports or exports. Exports are named
    /// first, so that they get the short aliases when names collide.
    pub fn new(resolve: &Resolve, world: WorldId) -> Modules {
        let w = &resolve.worlds[world];
        let mut taken: HashSet<String> = ["bindings", "std", "core", "alloc"]
            .into_iter()
            .map(String::from)
            .collect();
        let mut by_interface = HashMap::new();
        let items = w
            .exports
            .iter()
            .map(|i| (true, i))
            .chain(w.imports.iter().map(|i| (false, i)));
        for (export, (key, item)) in items {
            let WorldItem::Interface { id, .. } = item else {
                continue;
            };
            if by_interface.contains_key(id) {
                continue;
            }
            let mut segments = Vec::new();
            if export {
                segments.push("exports".to_string());
            }
            let candidates = match key {
                WorldKey::Name(name) => {
                    segments.push(ident(name));
                    vec![ident(name)]
                }
                WorldKey::Interface(i) => {
                    let iface = &resolve.interfaces[*i];
                    let Some(pkg) = iface.package else {
                        continue;
                    };
                    let ns = ident(&resolve.packages[pkg].name.namespace);
                    let pkg_mod = package_module(resolve, pkg);
                    let name = ident(iface.name.as_deref().unwrap_or_default());
                    segments.extend([ns.clone(), pkg_mod.clone(), name.clone()]);
                    vec![
                        name.clone(),
                        format!("{pkg_mod}_{name}"),
                        format!("{ns}_{pkg_mod}_{name}"),
                    ]
                }
            };
            // Numbered past the longest candidate when all are taken.
            let base = candidates.last().cloned().unwrap_or_default();
            let alias = candidates
                .into_iter()
                .chain((2..).map(|n| format!("{base}_{n}")))
                .find(|c| !taken.contains(c))
                .unwrap_or(base);
            taken.insert(alias.clone());
            by_interface.insert(
                *id,
                Module {
                    path: format!("bindings::{}", segments.join("::")),
                    alias,
                },
            );
        }
        Modules { by_interface }
    }

    /// The module of `iface`, if the world imports or exports it.
    pub fn get(&self, iface: InterfaceId) -> Option<&Module> {
        self.by_interface.get(&iface)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_wit_bindgen() {
        assert_eq!(ident("on-event"), "on_event");
        assert_eq!(ident("type"), "type_");
        assert_eq!(camel("hook-result"), "HookResult");
        assert_eq!(camel("guest"), "Guest_");
    }
}

//! What the component's own WIT says about its exports: doc comments and the
//! declarations of its named types, for `:exports` and `:type`.

use std::collections::BTreeMap;

use wit_parser::{Resolve, WorldItem};

/// The docs and type declarations decoded from a component's `component-type` section.
#[derive(Default)]
pub struct WitIndex {
    /// Each exported function's WIT declaration with its docs, by `(interface, name)`
    /// as the export catalog names them.
    functions: BTreeMap<(Option<String>, String), String>,
    /// Each named type's declaration with its docs, by type name.
    types: BTreeMap<String, String>,
}

impl WitIndex {
    /// The index of the component `bytes`; empty when its WIT cannot be decoded (a
    /// composition linked at run time has no single WIT).
    pub fn of_component(bytes: &[u8]) -> WitIndex {
        match wit_component::decode(bytes) {
            Ok(wit_component::DecodedWasm::Component(resolve, world)) => {
                WitIndex::of_world(&resolve, world)
            }
            _ => WitIndex::default(),
        }
    }

    fn of_world(resolve: &Resolve, world: wit_parser::WorldId) -> WitIndex {
        let mut index = WitIndex::default();
        let world = &resolve.worlds[world];
        for item in world.imports.values().chain(world.exports.values()) {
            if let WorldItem::Type { id, .. } = item {
                index.add_type(resolve, *id);
            }
            if let WorldItem::Interface { id, .. } = item {
                for ty in resolve.interfaces[*id].types.values() {
                    index.add_type(resolve, *ty);
                }
            }
        }
        for item in world.exports.values() {
            match item {
                WorldItem::Function(f) => {
                    let decl = weft_wit::documented_function(resolve, f);
                    index.functions.insert((None, f.name.clone()), decl);
                }
                WorldItem::Interface { id, .. } => {
                    let interface = resolve.id_of(*id);
                    for f in resolve.interfaces[*id].functions.values() {
                        let decl = weft_wit::documented_function(resolve, f);
                        index
                            .functions
                            .insert((interface.clone(), f.name.clone()), decl);
                    }
                }
                WorldItem::Type { .. } => {}
            }
        }
        index
    }

    fn add_type(&mut self, resolve: &Resolve, id: wit_parser::TypeId) {
        if let Some(name) = &resolve.types[id].name {
            self.types
                .entry(name.clone())
                .or_insert_with(|| weft_wit::documented_typedef(resolve, id));
        }
    }

    /// The WIT declaration, with docs, of the export `name` in `interface`.
    pub fn function(&self, interface: Option<&str>, name: &str) -> Option<&str> {
        self.functions
            .get(&(interface.map(str::to_string), name.to_string()))
            .map(String::as_str)
    }

    /// The declaration, with docs, of the type named `name`.
    pub fn type_decl(&self, name: &str) -> Option<&str> {
        self.types.get(name).map(String::as_str)
    }

    /// The names of every type the index knows.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }
}

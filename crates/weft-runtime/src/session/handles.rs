//! The resource handles a session holds, by name.
//!
//! Handles returned by calls are given names (`counter-1`, or the name of a `let`), so
//! later calls can pass them in text or JSON.

use std::collections::{BTreeMap, HashMap};

use wasmtime::component::{ResourceAny, ResourceType};

/// A resource handle the session holds.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub(crate) resource: ResourceAny,
    pub(crate) type_name: String,
    pub(crate) interface: Option<String>,
}

/// The live handles: looked up by name (calls), listed in name order (messages).
#[derive(Debug, Default)]
pub(crate) struct HandleTable {
    by_name: BTreeMap<String, Handle>,
    /// The next number to try per resource type, for generated names.
    next_id: HashMap<String, usize>,
}

impl HandleTable {
    pub(crate) fn get(&self, name: &str) -> Option<&Handle> {
        self.by_name.get(name)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<Handle> {
        self.by_name.remove(name)
    }

    pub(crate) fn take_all(&mut self) -> BTreeMap<String, Handle> {
        std::mem::take(&mut self.by_name)
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.by_name.keys().cloned().collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &Handle)> {
        self.by_name.iter()
    }

    /// The name of `resource`, if the session holds it.
    pub(crate) fn name_of(&self, resource: &ResourceAny) -> Option<&str> {
        // `ResourceAny` has no hash; a session holds few handles, so a scan is cheap.
        self.by_name
            .iter()
            .find(|(_, h)| h.resource == *resource)
            .map(|(n, _)| n.as_str())
    }

    /// Adds `handle` under `name`, or under a fresh `type-N` name; returns the name.
    /// A handle already held keeps its name (or is renamed to `name` when given).
    pub(crate) fn insert(&mut self, handle: Handle, name: Option<&str>) -> Option<String> {
        if let Some(existing) = self.name_of(&handle.resource).map(str::to_string) {
            let wanted = name?;
            let held = self.by_name.remove(&existing)?;
            self.by_name.insert(wanted.to_string(), held);
            return None;
        }
        let name = match name {
            Some(name) => name.to_string(),
            None => {
                let counter = self.next_id.entry(handle.type_name.clone()).or_insert(0);
                loop {
                    *counter += 1;
                    let candidate = format!("{}-{counter}", handle.type_name);
                    if !self.by_name.contains_key(&candidate) {
                        break candidate;
                    }
                }
            }
        };
        self.by_name.insert(name.clone(), handle);
        Some(name)
    }
}

/// The exported resource types of one instance, with their names.
#[derive(Debug, Default)]
pub(crate) struct ResourceNames(pub(crate) Vec<(ResourceType, String, Option<String>)>);

impl ResourceNames {
    pub(crate) fn find(&self, ty: &ResourceType) -> Option<(&str, Option<&str>)> {
        self.0
            .iter()
            .find(|(t, _, _)| t == ty)
            .map(|(_, n, i)| (n.as_str(), i.as_deref()))
    }
}

//! Vendoring the world's WIT into the project: its package as `wit/<name>.wit` and each
//! package it depends on, transitively, as `wit/deps/<namespace>-<name>[-<version>]/`.
//!
//! The packages are printed with `wit-component`'s printer rather than copied: the
//! source may be one file with nested `package x:y { .. }` blocks, a component, or a
//! directory whose `deps/` holds packages the world does not use, and printing gives
//! the deps-directory layout `wit_bindgen::generate!`, jco and componentize-py all read,
//! with only what the world needs. Doc comments survive; `//` comments do not.

use std::collections::BTreeSet;

use wit_component::WitPrinter;
use wit_parser::{PackageId, Resolve};

use crate::error::InitError;

/// One vendored WIT file: its path under the project's `wit/`, and its text.
pub struct WitFile {
    /// Relative to the project's `wit/` directory.
    pub path: String,
    /// The printed package.
    pub text: String,
}

/// The files for `package` and everything it depends on.
pub fn vendor(resolve: &Resolve, package: PackageId) -> Result<Vec<WitFile>, InitError> {
    let mut deps = BTreeSet::new();
    let mut todo = vec![package];
    while let Some(p) = todo.pop() {
        for dep in resolve.package_direct_deps(p) {
            if dep != package && deps.insert(dep) {
                todo.push(dep);
            }
        }
    }
    let mut files = vec![WitFile {
        path: format!("{}.wit", resolve.packages[package].name.name),
        text: print(resolve, package)?,
    }];
    let mut deps: Vec<(String, PackageId)> = deps
        .into_iter()
        .map(|d| (dir_name(resolve, d), d))
        .collect();
    deps.sort();
    for (dir, dep) in deps {
        files.push(WitFile {
            path: format!("deps/{dir}/package.wit"),
            text: print(resolve, dep)?,
        });
    }
    Ok(files)
}

fn dir_name(resolve: &Resolve, package: PackageId) -> String {
    let name = &resolve.packages[package].name;
    match &name.version {
        Some(v) => format!("{}-{}-{v}", name.namespace, name.name),
        None => format!("{}-{}", name.namespace, name.name),
    }
}

fn print(resolve: &Resolve, package: PackageId) -> Result<String, InitError> {
    let mut printer = WitPrinter::default();
    printer
        .print(resolve, package, &[])
        .map_err(|source| InitError::Print {
            package: resolve.packages[package].name.to_string(),
            source,
        })?;
    Ok(printer.output.to_string())
}

//! Canonical WIT text of a loaded input, through `wit-component`'s printer, so
//! that a directory, a file and a component print the same way.

use wit_component::WitPrinter;

use crate::load::{InputKind, Loaded};

/// Why [`print`] failed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// `wit-component`'s printer refused the package.
    #[error("failed to print the WIT of `{path}`")]
    Printer {
        /// The input that was printed.
        path: std::path::PathBuf,
        /// The printer's error.
        #[source]
        source: anyhow::Error,
    },
}

/// Prints the main package of `loaded` and its nested packages as WIT text.
///
/// Doc comments are kept. For a component this is what
/// `wasm-tools component wit` prints: its decoded world, in the
/// `root:component` package `wit-component` synthesizes, followed by every
/// package the world refers to as a nested `package x:y { .. }` block, so
/// the text is self-contained and loads again as one file.
pub fn print(loaded: &Loaded) -> Result<String, PrintError> {
    let nested = match loaded.kind {
        // wasm-tools prints every other package of the decoded resolve, in
        // the resolve's order; a component's resolve holds only the packages
        // its world uses.
        InputKind::Component => loaded
            .resolve
            .packages
            .iter()
            .map(|(id, _)| id)
            .filter(|&id| id != loaded.main)
            .collect(),
        _ => loaded.nested.clone(),
    };
    let mut printer = WitPrinter::default();
    printer
        .print(&loaded.resolve, loaded.main, &nested)
        .map_err(|source| PrintError::Printer {
            path: loaded.path.clone(),
            source,
        })?;
    Ok(printer.output.to_string())
}

/// Prints the resolved packages of `loaded` as JSON (`wit-parser`'s serde
/// form of the whole `Resolve`, dependencies included).
pub fn print_json(loaded: &Loaded) -> Result<String, PrintError> {
    serde_json::to_string_pretty(&loaded.resolve).map_err(|e| PrintError::Printer {
        path: loaded.path.clone(),
        source: e.into(),
    })
}

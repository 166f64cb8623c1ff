//! What `weft_init::init` writes, without building it (the CLI's `tests/init.rs` builds
//! every project): the vendored WIT loads again and holds the world, the names follow
//! each toolchain's bindings, and what cannot be generated is refused with a reason.

use std::path::{Path, PathBuf};

use weft_init::{InitError, InitOptions, Lang};

fn seed(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../wit")
        .join(path)
        .display()
        .to_string()
}

fn kitchen() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wit/kitchen")
        .display()
        .to_string()
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fails, showing `text`, unless it contains every one of `expected`.
fn assert_contains(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in\n{text}");
    }
}

fn init(dir: &Path, world: &str, lang: Lang) -> Result<weft_init::Project, InitError> {
    weft_init::init(&InitOptions {
        dir: dir.to_path_buf(),
        world: world.to_string(),
        wit_root: PathBuf::from("wit"),
        lang,
        force: false,
    })
}

#[test]
fn every_world_in_every_language_vendors_wit_that_loads_again() {
    let tmp = tempfile::tempdir().unwrap();
    let worlds = [
        (seed("greeter"), "example:greeter/greeter@1.0.0"),
        (
            format!("{}:plugin-impl", seed("plugin-system")),
            "example:plugin-system/plugin-impl@1.0.0",
        ),
        (
            seed("pipeline"),
            "example:pipeline/transform-component@1.0.0",
        ),
        (
            seed("database"),
            "example:database/database-component@1.0.0",
        ),
        (kitchen(), "weft:kitchen/kitchen@0.1.0"),
    ];
    for lang in [Lang::Rust, Lang::Js, Lang::Python] {
        for (i, (world, qualified)) in worlds.iter().enumerate() {
            let dir = tmp.path().join(format!("{}{i}", lang.name()));
            let project = init(&dir, world, lang).unwrap();
            assert_eq!(project.world, *qualified);
            assert!(project.files.iter().any(|f| f == Path::new("README.md")));
            let loaded = weft_wit::load(&dir.join("wit")).unwrap();
            let found = loaded
                .resolve
                .select_world(&[loaded.main], Some(qualified))
                .is_ok();
            assert!(found, "{qualified} in {}", dir.display());
        }
    }
    // The kitchen's dependency package is vendored under deps/.
    assert!(
        tmp.path()
            .join("rust4/wit/deps/weft-shared-0.1.0/package.wit")
            .is_file()
    );
}

#[test]
fn rust_sources_use_wit_bindgen_names_and_placeholders() {
    let tmp = tempfile::tempdir().unwrap();
    init(&tmp.path().join("k"), &kitchen(), Lang::Rust).unwrap();
    let lib = read(tmp.path().join("k/src/lib.rs"));
    assert_contains(
        &lib,
        &[
            "use bindings::exports::weft::kitchen::catalog;",
            "impl bindings::Guest for Component {",
            "impl catalog::Guest for Component {",
            "type Counter = MyCounter;",
            "impl catalog::GuestCounter for MyCounter {",
            "fn new(_start: u64) -> Self {",
            "fn increment(&self, _by: u32) -> u64 {",
            "catalog::CounterBorrow<'_>",
            "fn size(_s: &catalog::Store) -> u32 {",
            "Err(catalog::FindError::NotFound(String::new()))",
            "Err(\"not implemented: write `put` in src/lib.rs\".to_string())",
            "(catalog::Color::Red, catalog::Permissions::empty())",
            "catalog::Counter::new(MyCounter {})",
            "todo!(\"write `default_store` in src/lib.rs\")",
            "bindings::export!(Component with_types_in bindings);",
        ],
    );
    let cargo = read(tmp.path().join("k/Cargo.toml"));
    assert_contains(
        &cargo,
        &[
            "crate-type = [\"cdylib\"]",
            "wit-bindgen = \"0.63\"",
            "opt-level = \"s\"",
            "lto = true",
            "codegen-units = 1",
            "strip = true",
            "panic = \"abort\"",
            "\n[workspace]\n",
        ],
    );
}

#[test]
fn js_and_python_sources_follow_their_bindings() {
    let tmp = tempfile::tempdir().unwrap();
    init(&tmp.path().join("j"), &kitchen(), Lang::Js).unwrap();
    let app = read(tmp.path().join("j/app.js"));
    assert_contains(
        &app,
        &[
            "export function hello(name) {",
            "export const catalog = {",
            "class Counter {",
            "  static merge(a, b) {",
            "  byColor(color) {",
            "throw { tag: \"not-found\", val: \"\" };",
            "return 0n;",
            "  Counter,\n};",
        ],
    );
    init(&tmp.path().join("p"), &kitchen(), Lang::Python).unwrap();
    let app = read(tmp.path().join("p/app.py"));
    let resources = read(tmp.path().join("p/catalog.py"));
    assert_contains(
        &app,
        &[
            "class WitWorld(wit_world.WitWorld):",
            "class Catalog(wit_world.exports.Catalog):",
            "raise Err(wit_world.imports.types.FindError_NotFound(\"\"))",
            "return catalog.Counter(0)",
        ],
    );
    assert_contains(
        &resources,
        &[
            "class Counter(wit_world.exports.catalog.Counter):",
            "    @classmethod\n    def live(cls):",
        ],
    );
}

#[test]
fn what_cannot_be_generated_is_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let wit = tmp.path().join("a.wit");
    std::fs::write(
        &wit,
        "package a:b;\ninterface i {\n  wait: async func(ms: u32);\n}\nworld w { export i; }\n",
    )
    .unwrap();
    let err = init(&tmp.path().join("x"), wit.to_str().unwrap(), Lang::Rust).unwrap_err();
    assert_eq!(
        err.to_string().lines().next().unwrap(),
        "world `a:b/w`: `wait` uses an async function, which `weft init --lang rust` does not generate yet"
    );
    assert!(
        !tmp.path().join("x").exists(),
        "nothing is written on error"
    );
}

//! `check`, `print` and `diff` on real components. Each test builds its
//! components from WIT with wit-component, as a toolchain would: a dummy core
//! module for the world, the world embedded as `component-type` metadata, then
//! `ComponentEncoder`. The component is written to a file and loaded from its
//! path, like a user's input.

use std::path::{Path, PathBuf};

use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::{ManglingAndAbi, Resolve, WorldItem};

/// A greeter that imports a clock from a second package and logging from its own.
const GREETER_V1: &str = r#"
package example:greeter@1.0.0;

/// Greetings for a person.
interface greeting {
  /// Someone to greet.
  record person {
    name: string,
    title: option<string>,
  }
  /// Returns a welcome message.
  greet: func(who: person) -> string;
}

interface logging {
  log: func(level: u8, message: string);
}

world greeter {
  import logging;
  import example:clock/time@0.1.0;
  export greeting;
}

package example:clock@0.1.0 {
  interface time {
    now: func() -> u64;
  }
}
"#;

/// Builds a component targeting `world` of the WIT `text` and writes it to `dir/name.wasm`.
fn component(dir: &Path, name: &str, text: &str, world: &str) -> PathBuf {
    let mut resolve = Resolve::new();
    let pkg = resolve
        .push_str(format!("{name}.wit"), text)
        .expect("test WIT parses");
    let world = resolve
        .select_world(&[pkg], Some(world))
        .expect("the world exists");
    let mut module = wit_component::dummy_module(&resolve, world, ManglingAndAbi::Standard32);
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
        .expect("metadata embeds");
    let bytes = ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .expect("the module is accepted")
        .encode()
        .expect("the component encodes");
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every `namespace:name@version` a world's imports and exports refer to.
fn referenced_packages(resolve: &Resolve, world: wit_parser::WorldId) -> Vec<String> {
    let w = &resolve.worlds[world];
    let mut out: Vec<String> = w
        .imports
        .values()
        .chain(w.exports.values())
        .filter_map(|item| match item {
            WorldItem::Interface { id, .. } => resolve.interfaces[*id].package,
            _ => None,
        })
        .map(|p| resolve.packages[p].name.to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn check_reads_the_world_of_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let path = component(dir.path(), "greeter", GREETER_V1, "greeter");
    let loaded = weft_wit::load(&path).unwrap();
    assert_eq!(loaded.kind, weft_wit::InputKind::Component);
    let world = loaded.world.expect("a component has a world");
    assert_eq!(
        referenced_packages(&loaded.resolve, world),
        ["example:clock@0.1.0", "example:greeter@1.0.0"]
    );
    let summary = weft_wit::summarize(&loaded);
    let c = summary.component.as_ref().unwrap();
    assert_eq!((c.imports, c.exports), (2, 1), "{summary}");
    // Three interfaces (greeting, logging, time), one record, three functions.
    assert_eq!(
        summary.to_string(),
        format!(
            "component world `{}`: 2 imports, 1 export; from `example:greeter@1.0.0`, `example:clock@0.1.0`: \
             3 interfaces, 1 world, 1 type, 3 functions",
            c.world
        )
    );
}

#[test]
fn print_of_a_component_shows_the_world_and_the_packages_it_uses() {
    let dir = tempfile::tempdir().unwrap();
    let path = component(dir.path(), "greeter", GREETER_V1, "greeter");
    let loaded = weft_wit::load(&path).unwrap();
    let printed = weft_wit::print(&loaded).unwrap();

    let mut snapshot = weft_snapshots::Snapshots::default();
    snapshot.check(Path::new("tests/ui/print/component.wit.out"), &printed);
    snapshot.assert_passed();

    // The world in `root:component`, then each package it uses as a nested block.
    assert!(
        printed.starts_with("package root:component;\n"),
        "{printed}"
    );
    for needle in [
        "import example:greeter/logging@1.0.0;",
        "import example:clock/time@0.1.0;",
        "export example:greeter/greeting@1.0.0;",
        "package example:greeter@1.0.0 {",
        "package example:clock@0.1.0 {",
        "record person {",
        "now: func() -> u64;",
    ] {
        assert!(
            printed.contains(needle),
            "missing `{needle}` in:\n{printed}"
        );
    }

    // Self-contained: the text loads as one file, defines the same world, and
    // prints again identically.
    let again = weft_wit::load_str("printed.wit", &printed)
        .unwrap_or_else(|e| panic!("printed component WIT does not load: {e}\n{printed}"));
    let world = *again.resolve.packages[again.main]
        .worlds
        .values()
        .next()
        .expect("the printed package has the world");
    assert_eq!(
        referenced_packages(&again.resolve, world),
        referenced_packages(&loaded.resolve, loaded.world.unwrap())
    );
    assert_eq!(weft_wit::print(&again).unwrap(), printed);
}

#[test]
fn diff_of_components_judges_the_world_they_target() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = component(dir.path(), "v1", GREETER_V1, "greeter");

    // The same world built again: no changes, and wit-component agrees.
    let same = component(dir.path(), "same", GREETER_V1, "greeter");
    let r = weft_wit::diff(
        &weft_wit::load(&v1).unwrap(),
        &weft_wit::load(&same).unwrap(),
    )
    .unwrap();
    assert!(r.changes.is_empty(), "{}", r.render());
    assert_eq!(r.verdict.required, weft_wit::Bump::None);
    assert_eq!(r.semver_check.len(), 1, "{}", r.render());
    assert_eq!(r.semver_check[0].compatible, Some(true), "{}", r.render());
    assert_eq!(r.semver_check[0].agrees(), Some(true), "{}", r.render());

    // v2 also imports a timer interface: an added import is an addition for
    // the world (a component built for v1 needs none of it).
    let more_imports = GREETER_V1
        .replace(
            "  import example:clock/time@0.1.0;\n",
            "  import example:clock/time@0.1.0;\n  import example:clock/timer@0.1.0;\n",
        )
        .replace(
            "    now: func() -> u64;\n  }\n",
            "    now: func() -> u64;\n  }\n  interface timer {\n    sleep: func(ms: u64);\n  }\n",
        );
    let v2 = component(dir.path(), "v2", &more_imports, "greeter");
    let r = weft_wit::diff(&weft_wit::load(&v1).unwrap(), &weft_wit::load(&v2).unwrap()).unwrap();
    assert_eq!(r.verdict.required, weft_wit::Bump::Minor, "{}", r.render());
    assert!(
        r.changes
            .iter()
            .any(|c| c.kind == weft_wit::ChangeKind::Added
                && c.item == "import `example:clock/timer` of world `root`"),
        "{}",
        r.render()
    );
    let sc = &r.semver_check[0];
    assert_eq!(sc.compatible, Some(true), "{}", r.render());
    assert_eq!(sc.agrees(), Some(true), "{}", r.render());

    // v3 no longer imports the clock: a removed import is breaking for the
    // world (a component built for v1 may need it).
    let fewer_imports = GREETER_V1.replace("  import example:clock/time@0.1.0;\n", "");
    let v3 = component(dir.path(), "v3", &fewer_imports, "greeter");
    let r = weft_wit::diff(&weft_wit::load(&v1).unwrap(), &weft_wit::load(&v3).unwrap()).unwrap();
    assert_eq!(r.verdict.required, weft_wit::Bump::Major, "{}", r.render());
    assert!(
        r.changes
            .iter()
            .any(|c| c.kind == weft_wit::ChangeKind::Removed
                && c.item == "import `example:clock/time` of world `root`"),
        "{}",
        r.render()
    );
    let sc = &r.semver_check[0];
    assert_eq!(sc.compatible, Some(false), "{}", r.render());
    assert_eq!(sc.agrees(), Some(true), "{}", r.render());

    // v4 drops a parameter from the exported function: breaking, both say so.
    let changed = GREETER_V1.replace(
        "greet: func(who: person) -> string;",
        "greet: func() -> string;",
    );
    let v4 = component(dir.path(), "v4", &changed, "greeter");
    let r = weft_wit::diff(&weft_wit::load(&v1).unwrap(), &weft_wit::load(&v4).unwrap()).unwrap();
    assert_eq!(r.verdict.required, weft_wit::Bump::Major, "{}", r.render());
    assert!(
        r.changes
            .iter()
            .any(|c| c.item == "function `greeting.greet`" && c.bump == weft_wit::Bump::Major),
        "{}",
        r.render()
    );
    let sc = &r.semver_check[0];
    assert_eq!(sc.compatible, Some(false), "{}", r.render());
    assert!(!sc.weft_compatible, "{}", r.render());
    assert_eq!(sc.agrees(), Some(true), "{}", r.render());
}

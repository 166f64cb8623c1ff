//! What changed between two versions of a WIT package, what each change does
//! to the components on either side of an interface, and whether the declared
//! version bump says so.
//!
//! # The rules
//!
//! An interface has two kinds of users: components that *import* it (they call
//! its functions) and components that *export* it (they implement it). A change
//! is judged for each side:
//!
//! | change                         | importers | exporters |
//! |--------------------------------|-----------|-----------|
//! | interface added                | minor     | minor     |
//! | function or type added         | minor     | **major** (must now provide it) |
//! | function removed               | **major** | minor (may keep it) |
//! | type removed                   | **major** | minor     |
//! | function signature changed     | **major** | **major** |
//! | type shape changed             | **major** | **major** |
//! | interface removed              | **major** | **major** |
//! | docs changed                   | patch     | patch     |
//!
//! Which side counts comes from the worlds of the package and of the input's
//! main package (for a component, its world): an interface that a world
//! exports is judged by the exporter column, one that a world imports by the
//! importer column, one used both ways by the larger of the two. An
//! interface no such world uses is judged as its callers see it (the
//! importer column), which is the convention of WASI's releases.
//!
//! World items follow from the component that targets the world: an added
//! import is minor (the component need not use it), a removed import major; an
//! added export is major (the component must now provide it), a removed export
//! minor. These are exactly the rules of `wit_component::semver_check`, which
//! [`diff`] runs on every world present in both versions as a cross-check
//! (see [`SemverCheck`] for what that check cannot see).

use std::collections::BTreeMap;
use std::fmt;

use semver::Version;
use serde::Serialize;
use wit_parser::{InterfaceId, PackageId, Resolve, WorldId, WorldItem};

use crate::load::{InputKind, Loaded};
use crate::render;

/// How large a change is, in semantic-versioning terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// No change.
    None,
    /// Documentation only.
    Patch,
    /// Additive: existing users keep working.
    Minor,
    /// Breaking: some existing user stops working.
    Major,
}

impl Bump {
    fn adjective(self) -> &'static str {
        match self {
            Bump::Major => "breaking",
            Bump::Minor => "an addition",
            Bump::Patch => "a documentation change",
            Bump::None => "no change",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// Whether an item appeared, disappeared or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, different.
    Changed,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        })
    }
}

/// One difference between the old and the new package.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What changed, e.g. "function `storage-v1.load`".
    pub item: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The item's WIT in the old version.
    pub before: Option<String>,
    /// The item's WIT in the new version.
    pub after: Option<String>,
    /// The classification that counts for the package.
    pub bump: Bump,
    /// For interface members: what the change is for components importing the interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importers: Option<Bump>,
    /// For interface members: what the change is for components exporting the interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exporters: Option<Bump>,
    /// The interface the item belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// The world the item belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<String>,
    /// The change in a few words, e.g. "removing `load`".
    pub what: String,
    /// Why it has this classification.
    pub reason: String,
    /// `true` when only the version of a referenced package changed (the
    /// shape is the same); wit-component's semver check cannot see these.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub version_only: bool,
}

/// The verdict on the declared versions.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `false` when the declared bump is smaller than the changes need.
    pub ok: bool,
    /// The smallest bump the changes need.
    pub required: Bump,
    /// The bump the versions declare, when both are present.
    pub declared: Option<Bump>,
    /// The smallest version that would be right, when the old one is known.
    pub needed_version: Option<String>,
    /// The verdict in one sentence.
    pub message: String,
}

/// The result of `wit_component::semver_check` on one world, next to weft's own.
#[derive(Debug, Clone, Serialize)]
pub struct SemverCheck {
    /// The world checked.
    pub world: String,
    /// `Some(true)` when wit-component finds the new world compatible,
    /// `Some(false)` when not, `None` when the check did not run (see `detail`).
    pub compatible: Option<bool>,
    /// weft's own answer: no change relevant to this world is major, changes
    /// of a dependency's version included.
    pub weft_compatible: bool,
    /// weft's answer leaving out what wit-component's check cannot see: the
    /// changes of a dependency's version only (it clears all versions) and
    /// removed types (the components it builds import only the types their
    /// functions use, so a type no function uses is invisible to it; removing
    /// one that a function uses changes that function, which still counts).
    /// The answer to compare with `compatible`.
    pub weft_compatible_like_wit_component: bool,
    /// wit-component's error, or why the check did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl SemverCheck {
    /// Whether wit-component's answer and weft's (both ignoring versions) are
    /// the same: `None` when wit-component's check did not run, so there is
    /// nothing to agree with.
    pub fn agrees(&self) -> Option<bool> {
        self.compatible
            .map(|c| c == self.weft_compatible_like_wit_component)
    }
}

/// Everything `weft wit diff` reports.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// The old main package, with its version.
    pub old: String,
    /// The new main package, with its version.
    pub new: String,
    /// Every change, grouped by package, interface and world in source order.
    pub changes: Vec<Change>,
    /// The verdict on the declared versions.
    pub verdict: Verdict,
    /// wit-component's semver check for each world in both versions.
    pub semver_check: Vec<SemverCheck>,
}

/// Why [`diff`] failed.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// One side has no package to compare.
    #[error("`{path}` defines no package to compare")]
    NoPackage {
        /// The input without a package.
        path: std::path::PathBuf,
    },
}

/// Which sides of an interface the package's worlds use.
#[derive(Debug, Default, Clone)]
struct Roles {
    imported_by: Vec<String>,
    exported_by: Vec<String>,
}

struct Side<'a> {
    resolve: &'a Resolve,
    /// The package being compared.
    pkg: PackageId,
    /// The input's main package, whose worlds also say how the interfaces of
    /// `pkg` are used (for a component, its world uses the interfaces of
    /// every other package).
    main: PackageId,
}

/// Compares `old` with `new`.
pub fn diff(old: &Loaded, new: &Loaded) -> Result<DiffReport, DiffError> {
    let mut changes = Vec::new();
    let pairs = package_pairs(old, new);
    // Which new package each change belongs to, by ranges of `changes`.
    let mut owners = Vec::new();
    for &(op, np) in &pairs {
        let o = Side {
            resolve: &old.resolve,
            pkg: op,
            main: old.main,
        };
        let n = Side {
            resolve: &new.resolve,
            pkg: np,
            main: new.main,
        };
        let start = changes.len();
        diff_package(&o, &n, &mut changes);
        owners.push((np, start..changes.len()));
    }
    let old_name = &old.resolve.packages[old.main].name;
    let new_name = &new.resolve.packages[new.main].name;
    let verdict = verdict(
        old_name.version.as_ref(),
        new_name.version.as_ref(),
        &changes,
    );
    let semver_check = cross_check(old, new, &changes, &owners);
    Ok(DiffReport {
        old: old_name.to_string(),
        new: new_name.to_string(),
        changes,
        verdict,
        semver_check,
    })
}

fn base_name(resolve: &Resolve, pkg: PackageId) -> String {
    let n = &resolve.packages[pkg].name;
    format!("{}:{}", n.namespace, n.name)
}

/// The packages to compare: the two main packages (whatever their names),
/// then the others of interest matched by name.
fn package_pairs(old: &Loaded, new: &Loaded) -> Vec<(PackageId, PackageId)> {
    let mut pairs = vec![(old.main, new.main)];
    let others = |l: &Loaded| -> Vec<PackageId> {
        match l.kind {
            // A component's interfaces live in the packages it refers to.
            InputKind::Component => l
                .resolve
                .packages
                .iter()
                .map(|(id, _)| id)
                .filter(|id| *id != l.main)
                .collect(),
            _ => l.nested.clone(),
        }
    };
    let new_others = others(new);
    for op in others(old) {
        let name = base_name(&old.resolve, op);
        if let Some(&np) = new_others
            .iter()
            .find(|&&np| base_name(&new.resolve, np) == name)
        {
            pairs.push((op, np));
        }
    }
    pairs
}

fn roles(side: &Side<'_>) -> BTreeMap<String, Roles> {
    let mut out: BTreeMap<String, Roles> = BTreeMap::new();
    let r = side.resolve;
    let mut worlds: Vec<(&String, &WorldId)> = r.packages[side.pkg].worlds.iter().collect();
    if side.main != side.pkg {
        worlds.extend(&r.packages[side.main].worlds);
    }
    for (wname, &wid) in worlds {
        let w = &side.resolve.worlds[wid];
        for (items, exported) in [(&w.imports, false), (&w.exports, true)] {
            for item in items.values() {
                if let WorldItem::Interface { id, .. } = item {
                    let iface = &side.resolve.interfaces[*id];
                    if iface.package != Some(side.pkg) {
                        continue;
                    }
                    let Some(name) = &iface.name else { continue };
                    let r = out.entry(name.clone()).or_default();
                    let list = if exported {
                        &mut r.exported_by
                    } else {
                        &mut r.imported_by
                    };
                    if !list.contains(wname) {
                        list.push(wname.clone());
                    }
                }
            }
        }
    }
    out
}

fn merge_roles(a: BTreeMap<String, Roles>, b: BTreeMap<String, Roles>) -> BTreeMap<String, Roles> {
    let mut out = a;
    for (k, r) in b {
        let e = out.entry(k).or_default();
        for w in r.imported_by {
            if !e.imported_by.contains(&w) {
                e.imported_by.push(w);
            }
        }
        for w in r.exported_by {
            if !e.exported_by.contains(&w) {
                e.exported_by.push(w);
            }
        }
    }
    out
}

fn worlds_list(ws: &[String]) -> String {
    ws.iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bump that counts for an interface member change, and the reason.
fn by_role(roles: Option<&Roles>, imp: Bump, exp: Bump) -> (Bump, String) {
    let r = roles.cloned().unwrap_or_default();
    let imported = !r.imported_by.is_empty();
    let exported = !r.exported_by.is_empty();
    let side = |b: Bump, who: &str, ws: &[String]| {
        let s = if ws.is_empty() {
            who.to_string()
        } else {
            format!("{who} (world {})", worlds_list(ws))
        };
        format!("{} for {s}", b.adjective())
    };
    if exported && imported {
        (
            imp.max(exp),
            format!(
                "{}; {}",
                side(imp, "components that import it", &r.imported_by),
                side(exp, "components that export it", &r.exported_by)
            ),
        )
    } else if exported {
        (
            exp,
            format!(
                "{} ({} for callers)",
                side(exp, "components that export it", &r.exported_by),
                imp.adjective()
            ),
        )
    } else if imported {
        (imp, side(imp, "components that import it", &r.imported_by))
    } else {
        (
            imp,
            format!(
                "{} for callers ({} for implementations); no world of the package uses the interface",
                imp.adjective(),
                exp.adjective()
            ),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn push_member(
    out: &mut Vec<Change>,
    roles: &BTreeMap<String, Roles>,
    iface: &str,
    item: String,
    kind: ChangeKind,
    before: Option<String>,
    after: Option<String>,
    imp: Bump,
    exp: Bump,
    what: String,
) {
    let (bump, reason) = by_role(roles.get(iface), imp, exp);
    out.push(Change {
        item,
        kind,
        before,
        after,
        bump,
        importers: Some(imp),
        exporters: Some(exp),
        interface: Some(iface.to_string()),
        world: None,
        what,
        reason,
        version_only: false,
    });
}

fn diff_package(o: &Side<'_>, n: &Side<'_>, out: &mut Vec<Change>) {
    let (or, nr) = (o.resolve, n.resolve);
    let (op, np) = (&or.packages[o.pkg], &nr.packages[n.pkg]);
    let (oname, nname) = (base_name(or, o.pkg), base_name(nr, n.pkg));
    if oname != nname {
        out.push(Change {
            item: format!("package `{oname}`"),
            kind: ChangeKind::Changed,
            before: Some(format!("package {};", op.name)),
            after: Some(format!("package {};", np.name)),
            bump: Bump::Major,
            importers: None,
            exporters: None,
            interface: None,
            world: None,
            what: format!("renaming the package `{oname}` to `{nname}`"),
            reason: "every import and export name of its interfaces changes".into(),
            version_only: false,
        });
    }
    if render::docs(&op.docs) != render::docs(&np.docs) {
        let mut c = doc_change(format!("package `{nname}`"), None, None);
        c.item = format!("docs of package `{nname}`");
        out.push(c);
    }
    let roles = merge_roles(roles(o), roles(n));

    for (name, &oid) in &op.interfaces {
        match np.interfaces.get(name) {
            None => out.push(Change {
                item: format!("interface `{name}`"),
                kind: ChangeKind::Removed,
                before: Some(interface_text(o, oid, name)),
                after: None,
                bump: Bump::Major,
                importers: Some(Bump::Major),
                exporters: Some(Bump::Major),
                interface: Some(name.clone()),
                world: None,
                what: format!("removing interface `{name}`"),
                reason: "components that import or export it no longer match the package".into(),
                version_only: false,
            }),
            Some(&nid) => diff_interface(o, n, name, oid, nid, &roles, out),
        }
    }
    for (name, &nid) in np
        .interfaces
        .iter()
        .filter(|(k, _)| !op.interfaces.contains_key(*k))
    {
        out.push(Change {
            item: format!("interface `{name}`"),
            kind: ChangeKind::Added,
            before: None,
            after: Some(interface_text(n, nid, name)),
            bump: Bump::Minor,
            importers: Some(Bump::Minor),
            exporters: Some(Bump::Minor),
            interface: Some(name.clone()),
            world: None,
            what: format!("adding interface `{name}`"),
            reason: "no existing component uses it".into(),
            version_only: false,
        });
    }

    for (name, &ow) in &op.worlds {
        match np.worlds.get(name) {
            None => out.push(Change {
                item: format!("world `{name}`"),
                kind: ChangeKind::Removed,
                before: Some(world_text(o, ow, name)),
                after: None,
                bump: Bump::Major,
                importers: None,
                exporters: None,
                interface: None,
                world: Some(name.clone()),
                what: format!("removing world `{name}`"),
                reason: "components targeting it have nothing to target".into(),
                version_only: false,
            }),
            Some(&nw) => diff_world(o, n, name, ow, nw, out),
        }
    }
    for (name, &nw) in np
        .worlds
        .iter()
        .filter(|(k, _)| !op.worlds.contains_key(*k))
    {
        out.push(Change {
            item: format!("world `{name}`"),
            kind: ChangeKind::Added,
            before: None,
            after: Some(world_text(n, nw, name)),
            bump: Bump::Minor,
            importers: None,
            exporters: None,
            interface: None,
            world: Some(name.clone()),
            what: format!("adding world `{name}`"),
            reason: "no existing component targets it".into(),
            version_only: false,
        });
    }
}

/// An interface as WIT: its types (resources with their methods), then its
/// functions.
fn interface_text(side: &Side<'_>, id: InterfaceId, name: &str) -> String {
    use wit_parser::FunctionKind as K;
    let r = side.resolve;
    let iface = &r.interfaces[id];
    let owner = |f: &wit_parser::Function| match f.kind {
        K::Method(t) | K::AsyncMethod(t) | K::Static(t) | K::AsyncStatic(t) | K::Constructor(t) => {
            Some(t)
        }
        K::Freestanding | K::AsyncFreestanding => None,
    };
    let mut s = format!("interface {name} {{\n");
    for (tname, &t) in &iface.types {
        let methods: Vec<_> = iface
            .functions
            .values()
            .filter(|f| owner(f) == Some(t))
            .collect();
        if methods.is_empty() {
            for l in render::typedef(r, t, tname, Some(side.pkg)).lines() {
                s.push_str(&format!("  {l}\n"));
            }
        } else {
            s.push_str(&format!("  resource {tname} {{\n"));
            for f in methods {
                s.push_str(&format!("    {}\n", render::function(r, f)));
            }
            s.push_str("  }\n");
        }
    }
    for f in iface.functions.values().filter(|f| owner(f).is_none()) {
        s.push_str(&format!("  {}\n", render::function(r, f)));
    }
    s.push('}');
    s
}

/// A world as WIT: its imports, then its exports.
fn world_text(side: &Side<'_>, id: WorldId, name: &str) -> String {
    let w = &side.resolve.worlds[id];
    let mut s = format!("world {name} {{\n");
    for (dir, items) in [("import", &w.imports), ("export", &w.exports)] {
        for (k, item) in items {
            for l in render::world_item(side.resolve, dir, k, item, Some(side.pkg)).lines() {
                s.push_str(&format!("  {l}\n"));
            }
        }
    }
    s.push('}');
    s
}

fn doc_change(item: String, interface: Option<String>, world: Option<String>) -> Change {
    Change {
        what: format!("editing the docs of {item}"),
        item,
        kind: ChangeKind::Changed,
        before: None,
        after: None,
        bump: Bump::Patch,
        importers: Some(Bump::Patch),
        exporters: Some(Bump::Patch),
        interface,
        world,
        reason: "documentation only".into(),
        version_only: false,
    }
}

fn with_docs(docs: &str, decl: String) -> String {
    if docs.is_empty() {
        return decl;
    }
    let mut s = String::new();
    for l in docs.lines() {
        s.push_str("/// ");
        s.push_str(l);
        s.push('\n');
    }
    s + &decl
}

fn diff_interface(
    o: &Side<'_>,
    n: &Side<'_>,
    iname: &str,
    oid: InterfaceId,
    nid: InterfaceId,
    roles: &BTreeMap<String, Roles>,
    out: &mut Vec<Change>,
) {
    let (or, nr) = (o.resolve, n.resolve);
    let (oi, ni) = (&or.interfaces[oid], &nr.interfaces[nid]);
    if render::docs(&oi.docs) != render::docs(&ni.docs) {
        out.push(doc_change(
            format!("interface `{iname}`"),
            Some(iname.to_string()),
            None,
        ));
    }
    // Types.
    for (tname, &ot) in &oi.types {
        let before = render::typedef(or, ot, tname, Some(o.pkg));
        match ni.types.get(tname) {
            None => push_member(
                out,
                roles,
                iname,
                format!("type `{iname}.{tname}`"),
                ChangeKind::Removed,
                Some(before),
                None,
                Bump::Major,
                Bump::Minor,
                format!("removing type `{tname}`"),
            ),
            Some(&nt) => {
                let after = render::typedef(nr, nt, tname, Some(n.pkg));
                if before != after {
                    let version_only = render::is_use(or, ot)
                        && render::is_use(nr, nt)
                        && strip_versions(&before) == strip_versions(&after);
                    let (imp, what) = if version_only
                        && compatible_versions(
                            version_in(&before).as_ref(),
                            version_in(&after).as_ref(),
                        ) {
                        (
                            Bump::Minor,
                            format!("upgrading the dependency of `{tname}`"),
                        )
                    } else if version_only {
                        (
                            Bump::Major,
                            format!(
                                "moving `{tname}` to an incompatible version of its dependency"
                            ),
                        )
                    } else {
                        (Bump::Major, format!("changing type `{tname}`"))
                    };
                    push_member(
                        out,
                        roles,
                        iname,
                        format!("type `{iname}.{tname}`"),
                        ChangeKind::Changed,
                        Some(before),
                        Some(after),
                        imp,
                        imp,
                        what,
                    );
                    if let Some(c) = out.last_mut() {
                        c.version_only = version_only;
                    }
                } else if render::typedef_docs(or, ot) != render::typedef_docs(nr, nt) {
                    out.push(doc_change(
                        format!("type `{iname}.{tname}`"),
                        Some(iname.to_string()),
                        None,
                    ));
                }
            }
        }
    }
    for (tname, &nt) in ni.types.iter().filter(|(k, _)| !oi.types.contains_key(*k)) {
        push_member(
            out,
            roles,
            iname,
            format!("type `{iname}.{tname}`"),
            ChangeKind::Added,
            None,
            Some(render::typedef(nr, nt, tname, Some(n.pkg))),
            Bump::Minor,
            Bump::Major,
            format!("adding type `{tname}`"),
        );
    }
    // Functions.
    for (fname, of) in &oi.functions {
        let label = render::function_label(of);
        let before = render::function(or, of);
        match ni.functions.get(fname) {
            None => push_member(
                out,
                roles,
                iname,
                format!("function `{iname}.{label}`"),
                ChangeKind::Removed,
                Some(with_docs(&render::docs(&of.docs), before)),
                None,
                Bump::Major,
                Bump::Minor,
                format!("removing `{label}`"),
            ),
            Some(nf) => {
                let after = render::function(nr, nf);
                if before != after {
                    push_member(
                        out,
                        roles,
                        iname,
                        format!("function `{iname}.{label}`"),
                        ChangeKind::Changed,
                        Some(before),
                        Some(after),
                        Bump::Major,
                        Bump::Major,
                        signature_change(or, of, nr, nf),
                    );
                } else if render::docs(&of.docs) != render::docs(&nf.docs) {
                    let mut c = doc_change(
                        format!("function `{iname}.{label}`"),
                        Some(iname.to_string()),
                        None,
                    );
                    c.before = Some(with_docs(&render::docs(&of.docs), before));
                    c.after = Some(with_docs(&render::docs(&nf.docs), after));
                    out.push(c);
                }
            }
        }
    }
    for nf in ni
        .functions
        .iter()
        .filter(|(k, _)| !oi.functions.contains_key(*k))
        .map(|(_, f)| f)
    {
        let label = render::function_label(nf);
        push_member(
            out,
            roles,
            iname,
            format!("function `{iname}.{label}`"),
            ChangeKind::Added,
            None,
            Some(with_docs(&render::docs(&nf.docs), render::function(nr, nf))),
            Bump::Minor,
            Bump::Major,
            format!("adding `{label}`"),
        );
    }
}

/// What a changed signature is, for the verdict: a function made async (or sync), one
/// stream or future payload changed, or the signature in general.
fn signature_change(
    or: &wit_parser::Resolve,
    of: &wit_parser::Function,
    nr: &wit_parser::Resolve,
    nf: &wit_parser::Function,
) -> String {
    let label = render::function_label(of);
    // Each parameter's and the result's place and type, as written.
    let slots = |r: &wit_parser::Resolve, f: &wit_parser::Function| {
        let mut slots: Vec<(String, String)> = f
            .params
            .iter()
            .map(|p| {
                (
                    format!("parameter `{}`", p.name),
                    render::type_name(r, &p.ty),
                )
            })
            .collect();
        if let Some(t) = &f.result {
            slots.push(("result".to_string(), render::type_name(r, t)));
        }
        slots
    };
    let (before, after) = (slots(or, of), slots(nr, nf));
    if before == after && of.kind.is_async() != nf.kind.is_async() {
        return if nf.kind.is_async() {
            format!("making `{label}` async (callers now await it, implementations lift it async)")
        } else {
            format!("making `{label}` sync (callers no longer await it)")
        };
    }
    let differing: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    if of.kind.is_async() == nf.kind.is_async()
        && before.len() == after.len()
        && let [((place, was), (place_now, now))] = differing.as_slice()
        && place == place_now
    {
        for kind in ["stream", "future"] {
            let payload = |t: &str| {
                t.strip_prefix(kind)
                    .and_then(|t| t.strip_prefix('<'))
                    .and_then(|t| t.strip_suffix('>'))
                    .map(str::to_string)
            };
            if let (Some(was), Some(now)) = (payload(was), payload(now)) {
                return format!(
                    "changing the {kind} payload of `{label}`'s {place} from `{was}` to `{now}`"
                );
            }
        }
    }
    format!("changing the signature of `{label}`")
}

/// Whether `what` came from [`signature_change`] naming more than "the signature".
fn is_specific_signature_change(what: &str) -> bool {
    what.starts_with("making `")
        || what.starts_with("changing the stream payload")
        || what.starts_with("changing the future payload")
}

fn strip_versions(s: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in s.chars() {
        if c == '@' {
            skip = true;
            continue;
        }
        if skip && (c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+') {
            continue;
        }
        skip = false;
        out.push(c);
    }
    out
}

/// The first `@version` in a rendered item, if any.
fn version_in(s: &str) -> Option<Version> {
    let rest = &s[s.find('@')? + 1..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
        .unwrap_or(rest.len());
    Version::parse(rest[..end].trim_end_matches('.')).ok()
}

/// Whether moving a dependency from `a` to `b` keeps it semver-compatible in
/// the Component Model's sense (same major, or same minor for `0.x`).
fn compatible_versions(a: Option<&Version>, b: Option<&Version>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.major == b.major && (a.major != 0 || a.minor == b.minor) && b >= a,
        (None, None) => true,
        _ => false,
    }
}

fn diff_world(
    o: &Side<'_>,
    n: &Side<'_>,
    wname: &str,
    ow: WorldId,
    nw: WorldId,
    out: &mut Vec<Change>,
) {
    let (or, nr) = (o.resolve, n.resolve);
    let (owd, nwd) = (&or.worlds[ow], &nr.worlds[nw]);
    if render::docs(&owd.docs) != render::docs(&nwd.docs) {
        out.push(doc_change(
            format!("world `{wname}`"),
            None,
            Some(wname.to_string()),
        ));
    }
    for (dir, oitems, nitems) in [
        ("import", &owd.imports, &nwd.imports),
        ("export", &owd.exports, &nwd.exports),
    ] {
        let keyed =
            |r: &Resolve,
             pkg: PackageId,
             items: &wit_parser::IndexMap<wit_parser::WorldKey, WorldItem>| {
                items
                    .iter()
                    .map(|(k, v)| (render::world_key(r, k, Some(pkg)), (k.clone(), v.clone())))
                    .collect::<Vec<_>>()
            };
        let ok = keyed(or, o.pkg, oitems);
        let nk = keyed(nr, n.pkg, nitems);
        let is_export = dir == "export";
        let mk = |kind: ChangeKind,
                  key: &str,
                  before: Option<String>,
                  after: Option<String>,
                  bump: Bump,
                  what: String,
                  reason: String| Change {
            item: format!("{dir} `{key}` of world `{wname}`"),
            kind,
            before,
            after,
            bump,
            importers: None,
            exporters: None,
            interface: None,
            world: Some(wname.to_string()),
            what,
            reason,
            version_only: false,
        };
        for (key, (okey, oitem)) in &ok {
            let before = render::world_item(or, dir, okey, oitem, Some(o.pkg));
            match nk.iter().find(|(k, _)| k == key) {
                None => {
                    let (bump, reason) = if is_export {
                        (
                            Bump::Minor,
                            format!(
                                "hosts of `{wname}` stop calling it; components that still export it keep working"
                            ),
                        )
                    } else {
                        (
                            Bump::Major,
                            format!(
                                "components targeting `{wname}` that use it can no longer get it"
                            ),
                        )
                    };
                    out.push(mk(
                        ChangeKind::Removed,
                        key,
                        Some(before),
                        None,
                        bump,
                        format!("removing the {dir} `{key}`"),
                        reason,
                    ));
                }
                Some((_, (nkey, nitem))) => {
                    let after = render::world_item(nr, dir, nkey, nitem, Some(n.pkg));
                    if before == after {
                        continue;
                    }
                    let (ov, nv) = (
                        render::world_key_version(or, okey),
                        render::world_key_version(nr, nkey),
                    );
                    let same_shape = strip_versions(&before) == strip_versions(&after);
                    let (bump, what, reason) = if same_shape
                        && compatible_versions(ov.as_ref(), nv.as_ref())
                    {
                        (
                            Bump::Minor,
                            format!("upgrading the {dir} `{key}`"),
                            "a semver-compatible version of the same interface".to_string(),
                        )
                    } else if same_shape {
                        (
                            Bump::Major,
                            format!("moving the {dir} `{key}` to an incompatible version"),
                            "the interface's version changes in a breaking way".to_string(),
                        )
                    } else {
                        (
                            Bump::Major,
                            format!("changing the {dir} `{key}`"),
                            format!("components targeting `{wname}` were built for the old shape"),
                        )
                    };
                    let mut c = mk(
                        ChangeKind::Changed,
                        key,
                        Some(before),
                        Some(after),
                        bump,
                        what,
                        reason,
                    );
                    c.version_only = same_shape;
                    out.push(c);
                }
            }
        }
        for (key, (nkey, nitem)) in nk.iter().filter(|(k, _)| !ok.iter().any(|(o, _)| o == k)) {
            let after = render::world_item(nr, dir, nkey, nitem, Some(n.pkg));
            let (bump, reason) = if is_export {
                (
                    Bump::Major,
                    format!("components targeting `{wname}` must now provide it"),
                )
            } else {
                (
                    Bump::Minor,
                    format!("components targeting `{wname}` need not use it"),
                )
            };
            out.push(mk(
                ChangeKind::Added,
                key,
                None,
                Some(after),
                bump,
                format!("adding the {dir} `{key}`"),
                reason,
            ));
        }
    }
}

/// The bump between two declared versions, or `None` when the version went down.
pub fn declared_bump(old: &Version, new: &Version) -> Option<Bump> {
    if new < old {
        return None;
    }
    if !old.pre.is_empty() {
        // A pre-release promises nothing to its users.
        return Some(if new == old { Bump::None } else { Bump::Major });
    }
    let b = if old.major == 0 && new.major == 0 {
        if new.minor > old.minor {
            Bump::Major
        } else if new.patch > old.patch {
            Bump::Minor
        } else if new != old {
            Bump::Patch
        } else {
            Bump::None
        }
    } else if new.major > old.major {
        Bump::Major
    } else if new.minor > old.minor {
        Bump::Minor
    } else if new.patch > old.patch || new != old {
        Bump::Patch
    } else {
        Bump::None
    };
    Some(b)
}

/// The smallest version after `old` that allows a change of size `bump`.
pub fn next_version(old: &Version, bump: Bump) -> Version {
    let (ma, mi, pa) = (old.major, old.minor, old.patch);
    match (bump, ma) {
        (Bump::None, _) => old.clone(),
        (Bump::Major, 0) => Version::new(0, mi + 1, 0),
        (Bump::Major, _) => Version::new(ma + 1, 0, 0),
        (Bump::Minor, 0) => Version::new(0, mi, pa + 1),
        (Bump::Minor, _) => Version::new(ma, mi + 1, 0),
        (Bump::Patch, _) => Version::new(ma, mi, pa + 1),
    }
}

fn verdict(old: Option<&Version>, new: Option<&Version>, changes: &[Change]) -> Verdict {
    // The first of the largest changes names the verdict.
    let worst = changes.iter().rev().max_by_key(|c| c.bump);
    let required = worst.map_or(Bump::None, |c| c.bump);
    let what = worst.map(|c| c.what.clone()).unwrap_or_default();
    match (old, new) {
        (Some(o), Some(n)) => {
            let declared = declared_bump(o, n);
            let needed = next_version(o, required);
            match declared {
                None => Verdict {
                    ok: false,
                    required,
                    declared: None,
                    needed_version: Some(needed.to_string()),
                    message: format!("declared {o} -> {n}: the version goes down"),
                },
                Some(d) if d >= required => Verdict {
                    ok: true,
                    required,
                    declared: Some(d),
                    needed_version: Some(needed.to_string()),
                    message: if required == Bump::None {
                        format!("declared {o} -> {n}; no changes")
                    } else {
                        format!(
                            "declared {o} -> {n} covers the changes: the largest, {what}, is {} ({required})",
                            required.adjective()
                        )
                    },
                },
                Some(d) => Verdict {
                    ok: false,
                    required,
                    declared: Some(d),
                    needed_version: Some(needed.to_string()),
                    message: format!(
                        "declared {o} -> {n}, but {what} is {}: this needs {needed}",
                        required.adjective()
                    ),
                },
            }
        }
        _ => Verdict {
            ok: true,
            required,
            declared: None,
            needed_version: None,
            message: if required == Bump::None {
                "no changes".to_string()
            } else {
                format!(
                    "no versions declared to compare; the changes need a {required} release ({what} is {})",
                    required.adjective()
                )
            },
        },
    }
}

/// weft's answer for one world: is every change relevant to it below major?
/// `owners` says which new package each change belongs to (ranges of
/// `changes`). With `like_wit_component`, the changes wit-component's check
/// cannot see are left out (see [`SemverCheck::weft_compatible_like_wit_component`]),
/// to compare like with like.
fn weft_world_compatible(
    resolve: &Resolve,
    world: WorldId,
    wname: &str,
    changes: &[Change],
    owners: &[(PackageId, std::ops::Range<usize>)],
    like_wit_component: bool,
) -> bool {
    let w = &resolve.worlds[world];
    let iface_side = |pkg: PackageId, name: &str| -> (bool, bool) {
        let mut imp = false;
        let mut exp = false;
        for (items, is_exp) in [(&w.imports, false), (&w.exports, true)] {
            for item in items.values() {
                if let WorldItem::Interface { id, .. } = item {
                    let i = &resolve.interfaces[*id];
                    if i.package == Some(pkg) && i.name.as_deref() == Some(name) {
                        if is_exp {
                            exp = true;
                        } else {
                            imp = true;
                        }
                    }
                }
            }
        }
        (imp, exp)
    };
    let uses_package = |pkg: PackageId| {
        w.imports.values().chain(w.exports.values()).any(|item| {
            matches!(item, WorldItem::Interface { id, .. }
                if resolve.interfaces[*id].package == Some(pkg))
        })
    };
    owners.iter().all(|(pkg, range)| {
        changes[range.clone()]
            .iter()
            .filter(|c| !(like_wit_component && unseen_by_semver_check(c)))
            .all(|c| {
                if c.world.as_deref() == Some(wname) {
                    return c.bump < Bump::Major;
                }
                match (&c.interface, c.importers, c.exporters) {
                    (Some(i), Some(ib), Some(eb)) => {
                        let (imp, exp) = iface_side(*pkg, i);
                        !(imp && ib == Bump::Major || exp && eb == Bump::Major)
                    }
                    // A renamed package renames every interface of it the
                    // world imports or exports.
                    _ if c.item.starts_with("package `") && c.bump == Bump::Major => {
                        !uses_package(*pkg)
                    }
                    _ => true,
                }
            })
    })
}

/// Whether wit-component's semver check cannot see `c`: a change of a
/// dependency's version only, or a removed type.
fn unseen_by_semver_check(c: &Change) -> bool {
    // `diff_interface` names types `type `iface.name``.
    c.version_only || (c.kind == ChangeKind::Removed && c.item.starts_with("type `"))
}

fn cross_check(
    old: &Loaded,
    new: &Loaded,
    changes: &[Change],
    owners: &[(PackageId, std::ops::Range<usize>)],
) -> Vec<SemverCheck> {
    let mut out = Vec::new();
    let (or, nr) = (&old.resolve, &new.resolve);
    let op = &or.packages[old.main];
    let np = &nr.packages[new.main];
    let same_name = base_name(or, old.main) == base_name(nr, new.main);
    for (wname, &nw) in &np.worlds {
        let Some(&ow) = op.worlds.get(wname) else {
            continue;
        };
        let weft_compatible = weft_world_compatible(nr, nw, wname, changes, owners, false);
        let weft_compatible_like_wit_component =
            weft_world_compatible(nr, nw, wname, changes, owners, true);
        let (compatible, detail) = if !same_name {
            (None, Some("not applicable: the package was renamed".into()))
        } else {
            match run_semver_check(old, new, ow, nw) {
                Ok(()) => (Some(true), None),
                Err(Outcome::Incompatible(e)) => (Some(false), Some(e)),
                Err(Outcome::CouldNotRun(e)) => (None, Some(format!("could not run: {e}"))),
            }
        };
        out.push(SemverCheck {
            world: wname.clone(),
            compatible,
            weft_compatible,
            weft_compatible_like_wit_component,
            detail,
        });
    }
    out
}

enum Outcome {
    Incompatible(String),
    CouldNotRun(String),
}

fn run_semver_check(old: &Loaded, new: &Loaded, ow: WorldId, nw: WorldId) -> Result<(), Outcome> {
    let mut merged = new.resolve.clone();
    let mut old_resolve = old.resolve.clone();
    // Give every old package a version of its own so the merge keeps them
    // apart from the new ones, even a dependency that changed shape under the
    // same version (as a component's packages do); semver_check ignores
    // versions.
    let all: Vec<PackageId> = old_resolve.packages.iter().map(|(id, _)| id).collect();
    for (i, pkg) in all.into_iter().enumerate() {
        let key = old_resolve.packages[pkg].name.clone();
        old_resolve.package_names.shift_remove(&key);
        let mut name = key;
        let mut v = Version::new(0, 0, 0);
        v.pre = semver::Prerelease::new(&format!("weft-old.{i}"))
            .map_err(|e| Outcome::CouldNotRun(e.to_string()))?;
        name.version = Some(v);
        old_resolve.packages[pkg].name = name.clone();
        old_resolve.package_names.insert(name, pkg);
    }
    let remap = merged
        .merge(old_resolve)
        .map_err(|e| Outcome::CouldNotRun(format!("{e:#}")))?;
    let ow = remap
        .worlds
        .get(ow.index())
        .copied()
        .flatten()
        .ok_or_else(|| Outcome::CouldNotRun("the old world was lost in the merge".into()))?;
    // `semver_check` may panic on unusual inputs in encoders; keep weft alive.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wit_component::semver_check(merged, ow, nw)
    }));
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Outcome::Incompatible(
            format!("{e:#}").lines().next().unwrap_or("").to_string(),
        )),
        Err(_) => Err(Outcome::CouldNotRun("wit-component panicked".into())),
    }
}

fn compatibility(compatible: bool) -> &'static str {
    if compatible {
        "compatible"
    } else {
        "incompatible"
    }
}

impl SemverCheck {
    /// The check as one line of text. A check that did not run says so, and
    /// that weft's answer is then not cross-checked.
    pub fn render(&self) -> String {
        let world = &self.world;
        let ours = compatibility(self.weft_compatible_like_wit_component);
        let mut s = match (self.compatible, self.agrees()) {
            (Some(theirs), Some(agrees)) => format!(
                "semver check of world `{world}` (versions ignored): wit-component says {}, weft says {ours} ({})",
                compatibility(theirs),
                if agrees {
                    "agrees"
                } else {
                    "DISAGREES; please report"
                }
            ),
            _ => format!(
                "semver check of world `{world}`: not run, so weft's answer ({ours}) is not cross-checked"
            ),
        };
        if self.weft_compatible != self.weft_compatible_like_wit_component {
            s.push_str(&format!(
                "; counting what wit-component cannot see (dependency versions, removed types), weft says {}",
                compatibility(self.weft_compatible)
            ));
        }
        if let Some(d) = &self.detail {
            s.push_str(&format!(": {d}"));
        }
        s
    }
}

impl DiffReport {
    /// The report as text: one block per change, then the cross-check and the verdict.
    pub fn render(&self) -> String {
        let mut s = format!("comparing `{}` with `{}`\n", self.old, self.new);
        if self.changes.is_empty() {
            s.push_str("\nno changes\n");
        }
        for c in &self.changes {
            s.push_str(&format!(
                "\n{} {}: {}, {}\n",
                c.kind, c.item, c.bump, c.reason
            ));
            if let Some(b) = &c.before {
                for l in b.lines() {
                    s.push_str(&format!("  - {l}\n"));
                }
            }
            if let Some(a) = &c.after {
                for l in a.lines() {
                    s.push_str(&format!("  + {l}\n"));
                }
            }
            // Name the kind of a signature change the lines alone leave to the reader.
            if c.kind == ChangeKind::Changed && is_specific_signature_change(&c.what) {
                s.push_str(&format!("  = {}\n", c.what));
            }
        }
        if !self.semver_check.is_empty() {
            s.push('\n');
        }
        for sc in &self.semver_check {
            s.push_str(&sc.render());
            s.push('\n');
        }
        s.push_str(&format!(
            "\n{}: {}\n",
            if self.verdict.ok { "ok" } else { "error" },
            self.verdict.message
        ));
        s
    }

    /// [`DiffReport::render`] without the final verdict line (for callers that
    /// report the verdict themselves, e.g. as the command's error).
    pub fn render_changes(&self) -> String {
        let full = self.render();
        let cut = full.trim_end_matches('\n').rfind('\n').unwrap_or(0);
        full[..cut].trim_end_matches('\n').to_string() + "\n"
    }
}

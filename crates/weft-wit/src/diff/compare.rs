//! Comparing two versions item by item: packages, interfaces (types and functions,
//! judged for importers and exporters) and worlds, into the list of changes.

use std::collections::BTreeMap;

use semver::Version;
use wit_parser::{InterfaceId, PackageId, Resolve, WorldId, WorldItem};

use super::{Bump, Change, ChangeKind, Roles, Side, base_name, merge_roles, roles};
use crate::render;

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

/// A change to a member (type or function) of an interface, before its bump is chosen
/// by who imports and who exports the interface.
struct MemberChange {
    item: String,
    kind: ChangeKind,
    before: Option<String>,
    after: Option<String>,
    /// The bump for components that import the interface.
    importers: Bump,
    /// The bump for components that export it.
    exporters: Bump,
    what: String,
}

/// Records `change` to a member of interface `iface`, with the bump `roles` make count.
fn push_member(
    out: &mut Vec<Change>,
    roles: &BTreeMap<String, Roles>,
    iface: &str,
    change: MemberChange,
) {
    let (bump, reason) = by_role(roles.get(iface), change.importers, change.exporters);
    out.push(Change {
        item: change.item,
        kind: change.kind,
        before: change.before,
        after: change.after,
        bump,
        importers: Some(change.importers),
        exporters: Some(change.exporters),
        interface: Some(iface.to_string()),
        world: None,
        what: change.what,
        reason,
        version_only: false,
    });
}

pub(super) fn diff_package(o: &Side<'_>, n: &Side<'_>, out: &mut Vec<Change>) {
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
                MemberChange {
                    item: format!("type `{iname}.{tname}`"),
                    kind: ChangeKind::Removed,
                    before: Some(before),
                    after: None,
                    importers: Bump::Major,
                    exporters: Bump::Minor,
                    what: format!("removing type `{tname}`"),
                },
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
                        MemberChange {
                            item: format!("type `{iname}.{tname}`"),
                            kind: ChangeKind::Changed,
                            before: Some(before),
                            after: Some(after),
                            importers: imp,
                            exporters: imp,
                            what,
                        },
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
            MemberChange {
                item: format!("type `{iname}.{tname}`"),
                kind: ChangeKind::Added,
                before: None,
                after: Some(render::typedef(nr, nt, tname, Some(n.pkg))),
                importers: Bump::Minor,
                exporters: Bump::Major,
                what: format!("adding type `{tname}`"),
            },
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
                MemberChange {
                    item: format!("function `{iname}.{label}`"),
                    kind: ChangeKind::Removed,
                    before: Some(with_docs(&render::docs(&of.docs), before)),
                    after: None,
                    importers: Bump::Major,
                    exporters: Bump::Minor,
                    what: format!("removing `{label}`"),
                },
            ),
            Some(nf) => {
                let after = render::function(nr, nf);
                if before != after {
                    push_member(
                        out,
                        roles,
                        iname,
                        MemberChange {
                            item: format!("function `{iname}.{label}`"),
                            kind: ChangeKind::Changed,
                            before: Some(before),
                            after: Some(after),
                            importers: Bump::Major,
                            exporters: Bump::Major,
                            what: signature_change(or, of, nr, nf),
                        },
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
            MemberChange {
                item: format!("function `{iname}.{label}`"),
                kind: ChangeKind::Added,
                before: None,
                after: Some(with_docs(&render::docs(&nf.docs), render::function(nr, nf))),
                importers: Bump::Minor,
                exporters: Bump::Major,
                what: format!("adding `{label}`"),
            },
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
pub(super) fn is_specific_signature_change(what: &str) -> bool {
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

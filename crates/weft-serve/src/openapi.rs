//! The gateway's OpenAPI 3.1 document, generated from the component's WIT: a JSON Schema
//! per WIT type in the JSON mapping of `docs/values.md`, and the WIT docs as descriptions.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};
use weft_runtime::{ExportCatalog, ExportFunc, FuncKind};
use wit_parser::{
    Function, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldItem,
};

/// Why the document could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the component's WIT for the OpenAPI document: {0}")]
pub struct OpenApiError(String);

/// The gateway's view of one export: what the page and the routes need.
#[derive(Debug, Clone)]
pub struct ExportEntry {
    /// Whether it passes no handle in or out, so one fresh instance can serve it.
    pub stateless: bool,
    /// Where the instance exports it, whatever name a request uses for it.
    pub index: wasmtime::component::ComponentExportIndex,
}

/// WIT docs by item, taken from a WIT source (component binaries rarely carry docs).
/// Keys: `ns:pkg/iface`, `ns:pkg/iface/item`, `ns:pkg/iface/item/member`.
#[derive(Debug, Default, Clone)]
pub struct Docs(HashMap<String, String>);

impl Docs {
    /// The docs of every interface, function, type, field and case in `resolve`.
    pub fn from_resolve(resolve: &Resolve) -> Docs {
        let mut docs = HashMap::new();
        let mut put = |key: String, text: &Option<String>| {
            if let Some(text) = text {
                docs.insert(key, text.trim().to_string());
            }
        };
        for (id, iface) in &resolve.interfaces {
            let Some(base) = interface_key(resolve, id) else {
                continue;
            };
            put(base.clone(), &iface.docs.contents);
            for (name, func) in &iface.functions {
                put(format!("{base}/{name}"), &func.docs.contents);
            }
            for (name, &ty) in &iface.types {
                let def = &resolve.types[ty];
                let key = format!("{base}/{name}");
                put(key.clone(), &def.docs.contents);
                let members: Vec<(&str, &Option<String>)> = match &def.kind {
                    TypeDefKind::Record(r) => r
                        .fields
                        .iter()
                        .map(|f| (f.name.as_str(), &f.docs.contents))
                        .collect(),
                    TypeDefKind::Variant(v) => v
                        .cases
                        .iter()
                        .map(|c| (c.name.as_str(), &c.docs.contents))
                        .collect(),
                    TypeDefKind::Enum(e) => e
                        .cases
                        .iter()
                        .map(|c| (c.name.as_str(), &c.docs.contents))
                        .collect(),
                    TypeDefKind::Flags(f) => f
                        .flags
                        .iter()
                        .map(|c| (c.name.as_str(), &c.docs.contents))
                        .collect(),
                    _ => Vec::new(),
                };
                for (member, text) in members {
                    put(format!("{key}/{member}"), text);
                }
            }
        }
        Docs(docs)
    }

    /// The docs of the WIT package at `path` (a `.wit` file or a directory with `deps/`).
    pub fn from_wit_path(path: &std::path::Path) -> Result<Docs, OpenApiError> {
        let mut resolve = Resolve::new();
        resolve
            .push_path(path)
            .map_err(|e| OpenApiError(format!("`{}`: {e:#}", path.display())))?;
        Ok(Docs::from_resolve(&resolve))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// `ns:pkg/iface`, without the version, so docs from a WIT source match any build.
fn interface_key(resolve: &Resolve, id: InterfaceId) -> Option<String> {
    let iface = &resolve.interfaces[id];
    let package = &resolve.packages[iface.package?].name;
    Some(format!(
        "{}:{}/{}",
        package.namespace,
        package.name,
        iface.name.as_ref()?
    ))
}

/// The document and the export entries, for the component `bytes` whose exports are
/// `catalog`, titled `title`, with `docs` from a WIT source when given.
pub fn document(
    bytes: &[u8],
    catalog: &ExportCatalog,
    title: &str,
    docs: &Docs,
) -> Result<(Value, Vec<ExportEntry>), OpenApiError> {
    let (resolve, world) = match wit_component::decode(bytes) {
        Ok(wit_component::DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(_) => return Err(OpenApiError("it is a WIT package, not a component".into())),
        Err(e) => return Err(OpenApiError(format!("{e:#}"))),
    };
    let mut builder = Builder {
        resolve: &resolve,
        docs,
        schemas: BTreeMap::new(),
    };
    let mut paths = Map::new();
    let mut exports = Vec::new();
    let mut entries = Vec::new();
    let world_docs = resolve.worlds[world].docs.contents.clone();
    for item in resolve.worlds[world].exports.values() {
        let (interface, funcs): (Option<InterfaceId>, Vec<&Function>) = match item {
            WorldItem::Function(f) => (None, vec![f]),
            WorldItem::Interface { id, .. } => (
                Some(*id),
                resolve.interfaces[*id].functions.values().collect(),
            ),
            WorldItem::Type { .. } => continue,
        };
        let qualified = interface.and_then(|id| resolve.id_of(id));
        for func in funcs {
            let Some(export) = catalog
                .funcs()
                .iter()
                .find(|e| e.name == func.name && e.interface.as_deref() == qualified.as_deref())
            else {
                continue;
            };
            let name = route_name(catalog, export);
            let docs_key = interface
                .and_then(|id| interface_key(&resolve, id))
                .map(|base| format!("{base}/{}", func.name));
            let description = docs_key
                .as_deref()
                .and_then(|k| builder.docs.get(k))
                .map(str::to_string)
                .or_else(|| func.docs.contents.clone());
            let params: Vec<(String, Value)> = func
                .params
                .iter()
                .map(|p| (p.name.clone(), builder.schema(&p.ty)))
                .collect();
            let result = func.result.as_ref().map(|t| builder.schema(t));
            let stateless = !func
                .params
                .iter()
                .map(|p| &p.ty)
                .chain(func.result.as_ref())
                .any(|t| builder.has_handle(t))
                && matches!(export.kind, FuncKind::Plain);
            let signature = catalog.signature(export);
            let kind = match export.kind {
                FuncKind::Plain => "func",
                FuncKind::Constructor { .. } => "constructor",
                FuncKind::Method { .. } => "method",
                FuncKind::Static { .. } => "static",
            };
            let resource = match &export.kind {
                FuncKind::Plain => Value::Null,
                FuncKind::Constructor { resource }
                | FuncKind::Method { resource, .. }
                | FuncKind::Static { resource, .. } => Value::String(resource.clone()),
            };
            exports.push(json!({
                "name": name,
                "kind": kind,
                "resource": resource,
                "signature": signature,
                "docs": description,
                "stateless": stateless,
                "params": params.iter().map(|(n, s)| json!({"name": n, "schema": s})).collect::<Vec<_>>(),
                "result": result,
            }));
            if stateless {
                paths.insert(
                    format!("/call/{}", path_segment(&name)),
                    call_operation(
                        &name,
                        &signature,
                        description.as_deref(),
                        &params,
                        result.as_ref(),
                    ),
                );
            }
            entries.push(ExportEntry {
                stateless,
                index: export.index,
            });
        }
    }
    paths.extend(session_paths());
    let mut schemas: Map<String, Value> = builder.schemas.into_iter().collect();
    schemas.insert("Problem".into(), problem_schema());
    let mut info = json!({"title": title, "version": "0.0.0"});
    if let Some(text) = world_docs {
        info["description"] = Value::String(text);
    }
    let doc = json!({
        "openapi": "3.1.0",
        "info": info,
        "paths": paths,
        "components": {"schemas": schemas},
        "x-weft-exports": exports,
    });
    Ok((doc, entries))
}

/// The name a route uses for `export`: its short name when that is unambiguous, else
/// its qualified one.
fn route_name(catalog: &ExportCatalog, export: &ExportFunc) -> String {
    let short = export.short_name();
    match catalog.resolve(&short) {
        Ok(found) if found.index == export.index => short,
        _ => export.qualified_name(),
    }
}

/// `name` as one path segment: the characters of qualified names that URLs reserve,
/// percent-encoded.
pub fn path_segment(name: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b'/')
        .add(b'#')
        .add(b'@')
        .add(b':')
        .add(b'%')
        .add(b'?')
        .add(b' ');
    percent_encoding::utf8_percent_encode(name, RESERVED).to_string()
}

fn problem_ref() -> Value {
    json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}})
}

fn call_operation(
    name: &str,
    signature: &str,
    description: Option<&str>,
    params: &[(String, Value)],
    result: Option<&Value>,
) -> Value {
    let mut required = Vec::new();
    let mut properties = Map::new();
    for (param, schema) in params {
        if !is_option(schema) {
            required.push(Value::String(param.clone()));
        }
        properties.insert(param.clone(), schema.clone());
    }
    let by_name = json!({
        "type": "object", "title": "arguments by name",
        "properties": properties, "required": required, "additionalProperties": false,
    });
    let in_order = json!({
        "type": "array", "title": "arguments in order",
        "prefixItems": params.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
        "maxItems": params.len(),
    });
    let mut op = json!({
        "operationId": name,
        "summary": signature,
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [by_name, in_order]}}}},
        "responses": {
            "200": {"description": "The result, in weft's JSON mapping (`null` for a function without result).",
                    "content": {"application/json": {"schema": result.cloned().unwrap_or(json!({"type": "null"}))}}},
            "400": {"description": "An argument does not fit its WIT type, or the body is not JSON.", "content": problem_ref()},
            "404": {"description": "No such export.", "content": problem_ref()},
            "422": {"description": "The function returned `err(...)`: the body is the result, `{\"tag\": \"err\", ...}`; the status follows the rule in docs/serve.md (also 400-409, 413, 429, 500-504)."},
            "500": {"description": "The guest trapped or hit a limit.", "content": problem_ref()},
            "504": {"description": "The call took longer than the timeout.", "content": problem_ref()},
        },
    });
    if let Some(text) = description {
        op["description"] = Value::String(text.to_string());
    }
    json!({ "post": op })
}

fn session_paths() -> Map<String, Value> {
    let id = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let call_json = json!({
        "type": "object", "required": ["export"], "additionalProperties": false,
        "properties": {"export": {"type": "string"},
                       "args": {"oneOf": [{"type": "array"}, {"type": "object"}]}},
    });
    let mut paths = Map::new();
    paths.insert("/sessions".into(), json!({"post": {
        "operationId": "open-session",
        "summary": "Opens a session: an instance whose handles live across requests until it is deleted or idle too long.",
        "responses": {"201": {"description": "The session.", "content": {"application/json": {"schema": {
            "type": "object", "required": ["id", "idle_timeout_ms"],
            "properties": {"id": {"type": "string"}, "idle_timeout_ms": {"type": "integer"}}}}}},
            "503": {"description": "Too many sessions are open.", "content": problem_ref()}},
    }}));
    paths.insert("/sessions/{id}".into(), json!({
        "get": {"operationId": "get-session", "parameters": id,
            "responses": {"200": {"description": "The session's live handles.", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"id": {"type": "string"}, "handles": {"type": "array", "items": {
                    "type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string"}}}}}}}}},
                "404": {"description": "No such session (or it expired).", "content": problem_ref()}}},
        "delete": {"operationId": "end-session", "parameters": id,
            "responses": {"200": {"description": "The session ended; its handles were dropped and their destructors ran.",
                "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "created": {"type": "integer"}, "dropped": {"type": "integer"},
                    "dropped_at_end": {"type": "array", "items": {"type": "string"}},
                    "leaked": {"type": "array", "items": {"type": "string"}}}}}}},
                "404": {"description": "No such session (or it expired).", "content": problem_ref()}}},
    }));
    paths.insert("/sessions/{id}/call".into(), json!({"post": {
        "operationId": "call-in-session", "parameters": id,
        "summary": "Calls an export inside the session: JSON `{export, args}`, or `weft call` statements as text, one per line.",
        "requestBody": {"required": true, "content": {
            "application/json": {"schema": call_json},
            "text/plain": {"schema": {"type": "string"}}}},
        "responses": {
            "200": {"description": "`{\"value\": ...}` for JSON; `{\"results\": [...]}` for statements.",
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"description": "A bad argument or statement.", "content": problem_ref()},
            "404": {"description": "No such session or export.", "content": problem_ref()},
            "410": {"description": "An earlier call trapped; the session is gone.", "content": problem_ref()},
            "500": {"description": "The guest trapped or hit a limit.", "content": problem_ref()}},
    }}));
    paths
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "An RFC 9457 problem report.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "instance": {"type": "string"},
            "path": {"type": "string", "description": "Where in the arguments the bad value is."},
            "expected": {"type": "string", "description": "The WIT type expected there."},
            "found": {"type": "string", "description": "What was found instead."},
        },
    })
}

fn is_option(schema: &Value) -> bool {
    schema.get("x-wit-option").is_some()
}

/// Turns WIT types into JSON Schemas, collecting named types into `schemas`.
struct Builder<'a> {
    resolve: &'a Resolve,
    docs: &'a Docs,
    schemas: BTreeMap<String, Value>,
}

impl Builder<'_> {
    fn schema(&mut self, ty: &Type) -> Value {
        match ty {
            Type::Bool => json!({"type": "boolean"}),
            Type::U8 => int("u8", 0, u8::MAX as i64),
            Type::U16 => int("u16", 0, u16::MAX as i64),
            Type::U32 => int("u32", 0, u32::MAX as i64),
            Type::S8 => int("s8", i8::MIN as i64, i8::MAX as i64),
            Type::S16 => int("s16", i16::MIN as i64, i16::MAX as i64),
            Type::S32 => int("s32", i32::MIN as i64, i32::MAX as i64),
            Type::U64 => json!({"x-wit-type": "u64", "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": u64::MAX},
                {"type": "string", "pattern": "^[0-9]+$"}]}),
            Type::S64 => json!({"x-wit-type": "s64", "anyOf": [
                {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX},
                {"type": "string", "pattern": "^-?[0-9]+$"}]}),
            Type::F32 => float("f32"),
            Type::F64 => float("f64"),
            Type::Char => {
                json!({"type": "string", "minLength": 1, "maxLength": 1, "x-wit-type": "char"})
            }
            Type::String => json!({"type": "string"}),
            Type::ErrorContext => {
                json!({"x-wit-type": "error-context", "description": "an error context (read-only)"})
            }
            Type::Id(id) => self.named(*id),
        }
    }

    /// A `$ref` for a named type (its schema recorded once), or the inline schema.
    fn named(&mut self, id: TypeId) -> Value {
        let def = &self.resolve.types[id];
        if let TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) = &def.kind {
            return self.handle(*r);
        }
        let (Some(name), false) = (&def.name, matches!(def.kind, TypeDefKind::Resource)) else {
            return self.kind(id);
        };
        let (key, docs_key) = match def.owner {
            TypeOwner::Interface(iface) => {
                let iface_name = self.resolve.interfaces[iface]
                    .name
                    .clone()
                    .unwrap_or_default();
                (
                    format!("{iface_name}.{name}"),
                    interface_key(self.resolve, iface).map(|b| format!("{b}/{name}")),
                )
            }
            _ => (name.clone(), None),
        };
        if !self.schemas.contains_key(&key) {
            // Recursion is impossible in WIT, but the entry must exist before its members.
            self.schemas.insert(key.clone(), Value::Null);
            let mut schema = self.kind(id);
            schema["title"] = Value::String(name.clone());
            let docs = docs_key
                .as_deref()
                .and_then(|k| self.docs.get(k))
                .map(str::to_string)
                .or_else(|| def.docs.contents.clone());
            if let Some(text) = docs {
                schema["description"] = Value::String(text);
            }
            if let Some(k) = &docs_key {
                self.member_docs(&mut schema, k);
            }
            self.schemas.insert(key.clone(), schema);
        }
        json!({"$ref": format!("#/components/schemas/{key}")})
    }

    /// Field and case docs from the WIT source, where the schema has a place for them.
    fn member_docs(&self, schema: &mut Value, key: &str) {
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (member, prop) in props.iter_mut() {
                if let Some(text) = self.docs.get(&format!("{key}/{member}")) {
                    set_description(prop, text);
                }
            }
        }
        if let Some(cases) = schema.get_mut("oneOf").and_then(Value::as_array_mut) {
            for case in cases {
                let title = case
                    .get("title")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(text) = title.and_then(|t| self.docs.get(&format!("{key}/{t}"))) {
                    case["description"] = Value::String(text.to_string());
                }
            }
        }
    }

    fn handle(&self, resource: TypeId) -> Value {
        let resource = self.resource_name(resource);
        json!({
            "type": "string",
            "x-wit-handle": resource,
            "description": format!("a handle to a `{resource}`, as the session names it (e.g. \"{resource}-1\")"),
        })
    }

    fn resource_name(&self, mut id: TypeId) -> String {
        // A `use`d resource is an alias of the one that defines it.
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        self.resolve.types[id]
            .name
            .clone()
            .unwrap_or_else(|| "resource".into())
    }

    fn kind(&mut self, id: TypeId) -> Value {
        let def = &self.resolve.types[id];
        match &def.kind {
            TypeDefKind::Record(record) => {
                let mut properties = Map::new();
                let mut required = Vec::new();
                for field in &record.fields {
                    let mut schema = self.schema(&field.ty);
                    if let Some(text) = &field.docs.contents {
                        set_description(&mut schema, text.trim());
                    }
                    if !self.is_option_type(&field.ty) {
                        required.push(Value::String(field.name.clone()));
                    }
                    properties.insert(field.name.clone(), schema);
                }
                json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
            }
            TypeDefKind::Variant(variant) => {
                let cases: Vec<Value> = variant
                    .cases
                    .iter()
                    .map(|case| {
                        let payload = case.ty.as_ref().map(|t| self.schema(t));
                        tagged(&case.name, payload)
                    })
                    .collect();
                json!({"oneOf": cases})
            }
            TypeDefKind::Enum(e) => {
                json!({"type": "string", "enum": e.cases.iter().map(|c| c.name.clone()).collect::<Vec<_>>()})
            }
            TypeDefKind::Flags(flags) => {
                let properties: Map<String, Value> = flags
                    .flags
                    .iter()
                    .map(|f| (f.name.clone(), json!({"type": "boolean"})))
                    .collect();
                json!({"type": "object", "x-wit-flags": true, "properties": properties, "additionalProperties": false})
            }
            TypeDefKind::Tuple(tuple) => {
                let items: Vec<Value> = tuple.types.iter().map(|t| self.schema(t)).collect();
                let n = items.len();
                json!({"type": "array", "prefixItems": items, "minItems": n, "maxItems": n})
            }
            TypeDefKind::Option(inner) => {
                let inner_schema = self.schema(inner);
                if self.is_option_type(inner) {
                    // `option<option<T>>`: `some(none)` must differ from `none`.
                    json!({"x-wit-option": true, "anyOf": [{"type": "null"}, tagged("some", Some(inner_schema))]})
                } else {
                    json!({"x-wit-option": true, "anyOf": [inner_schema, {"type": "null"}]})
                }
            }
            TypeDefKind::Result(result) => {
                let ok = result.ok.as_ref().map(|t| self.schema(t));
                let err = result.err.as_ref().map(|t| self.schema(t));
                json!({"x-wit-result": true, "oneOf": [tagged("ok", ok), tagged("err", err)]})
            }
            TypeDefKind::List(item) => json!({"type": "array", "items": self.schema(item)}),
            TypeDefKind::FixedLengthList(item, n) => {
                json!({"type": "array", "items": self.schema(item), "minItems": n, "maxItems": n})
            }
            TypeDefKind::Map(key, value) => {
                let pair = json!({"type": "array", "prefixItems": [self.schema(key), self.schema(value)], "minItems": 2, "maxItems": 2});
                json!({"type": "array", "items": pair, "description": "a map, as [key, value] pairs"})
            }
            TypeDefKind::Type(t) => self.schema(t),
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => self.handle(*r),
            TypeDefKind::Future(_) => {
                json!({"const": "<future>", "description": "a future (read-only)"})
            }
            TypeDefKind::Stream(_) => {
                json!({"const": "<stream>", "description": "a stream (read-only)"})
            }
            TypeDefKind::Resource | TypeDefKind::Unknown => json!({}),
        }
    }

    fn is_option_type(&self, ty: &Type) -> bool {
        let mut ty = *ty;
        while let Type::Id(id) = ty {
            match &self.resolve.types[id].kind {
                TypeDefKind::Option(_) => return true,
                TypeDefKind::Type(next) => ty = *next,
                _ => return false,
            }
        }
        false
    }

    fn has_handle(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else { return false };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Handle(_) | TypeDefKind::Resource => true,
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.has_handle(&f.ty)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.ty.as_ref())
                .any(|t| self.has_handle(t)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.has_handle(t)),
            TypeDefKind::Option(t)
            | TypeDefKind::List(t)
            | TypeDefKind::Type(t)
            | TypeDefKind::FixedLengthList(t, _) => self.has_handle(t),
            TypeDefKind::Result(r) => r.ok.iter().chain(r.err.iter()).any(|t| self.has_handle(t)),
            TypeDefKind::Map(k, v) => self.has_handle(k) || self.has_handle(v),
            // Futures and streams are handles too: they cannot outlive the instance.
            TypeDefKind::Future(_) | TypeDefKind::Stream(_) => true,
            TypeDefKind::Flags(_) | TypeDefKind::Enum(_) | TypeDefKind::Unknown => false,
        }
    }
}

fn set_description(schema: &mut Value, text: &str) {
    if schema.get("$ref").is_some() {
        // JSON Schema 2020-12 allows siblings of `$ref`; the description is the field's.
        schema["description"] = Value::String(text.to_string());
    } else if schema.is_object() {
        schema["description"] = Value::String(text.to_string());
    }
}

fn int(wit: &str, min: i64, max: i64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max, "x-wit-type": wit})
}

fn float(wit: &str) -> Value {
    json!({"x-wit-type": wit, "anyOf": [{"type": "number"},
        {"enum": ["nan", "inf", "-inf", "NaN", "Infinity", "-Infinity"]}]})
}

/// `{"tag": NAME, "val": ...}`, the JSON form of a variant case, result side or `some`.
fn tagged(name: &str, payload: Option<Value>) -> Value {
    let mut properties = Map::new();
    properties.insert("tag".into(), json!({"const": name}));
    let mut required = vec![json!("tag")];
    if let Some(payload) = payload {
        properties.insert("val".into(), payload);
        required.push(json!("val"));
    }
    json!({"type": "object", "title": name, "properties": properties, "required": required, "additionalProperties": false})
}

// The page of `weft serve`: reads the gateway's OpenAPI document, lists every export
// (`x-weft-exports`) and renders a form for each from its parameters' JSON Schemas,
// which follow weft's JSON mapping of WIT values (docs/values.md). Plain ES2020, no
// build step; the server's CSP allows nothing but this file and page.css.

let schemas = {}; // components.schemas, for $ref
let nextId = 0;
const session = { id: null, handles: [] };

// --- DOM helpers -------------------------------------------------------------------

// h("label", {for: id}, "text", child): attributes are set as given (`true` as an
// empty attribute, null/false left out), "on*" functions become listeners.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) if (child != null && child !== false) el.append(child);
  return el;
}
const uid = (prefix) => `${prefix}-${++nextId}`;

// WIT docs use `code` spans; show them as <code>, everything else as text.
function docText(text) {
  return String(text).split("`").map((part, i) => (i % 2 ? h("code", {}, part) : part));
}

// --- Schemas -------------------------------------------------------------------------

// Follows $ref to components.schemas; a description beside the $ref (a record field's
// docs) wins over the type's own.
function deref(schema) {
  let s = schema || {};
  for (let hops = 0; s.$ref && hops < 32; hops++) {
    const key = s.$ref.replace(/^#\/components\/schemas\//, "").replace(/~1/g, "/").replace(/~0/g, "~");
    if (!(key in schemas)) throw new Error(`the document has no schema ${s.$ref}`);
    s = schemas[key];
  }
  return schema && schema.description && schema.$ref ? { ...s, description: schema.description } : s;
}

// `{"tag": {"const": NAME}, "val": ...}`: a variant case, a result side, or `some`.
const isTagged = (s) => s && s.type === "object" && s.properties && s.properties.tag && "const" in s.properties.tag;
const cases = (s) => s.oneOf.map((c) => ({ name: c.properties.tag.const, payload: c.properties.val, docs: c.description }));

// The payload of an option, and whether it is written tagged (`option<option<T>>`).
function optionInner(s) {
  const inner = s.anyOf.find((x) => x.type !== "null");
  const d = deref(inner);
  if (isTagged(d) && d.properties.tag.const === "some") return { inner: d.properties.val, tagged: true };
  return { inner, tagged: false };
}

// Which control a schema gets; the x-wit-* marks come first, as they are exact.
function kindOf(s) {
  const wit = s["x-wit-type"];
  if (s["x-wit-handle"]) return "handle";
  if (s["x-wit-option"]) return "option";
  if (s["x-wit-result"]) return "result";
  if (s["x-wit-flags"]) return "flags";
  if (wit === "u64" || wit === "s64") return "bigint";
  if (wit === "f32" || wit === "f64") return "float";
  if (wit === "char") return "char";
  if (Array.isArray(s.oneOf) && s.oneOf.every(isTagged)) return "variant";
  if (s.type === "string" && Array.isArray(s.enum)) return "enum";
  if (s.type === "boolean") return "bool";
  if (s.type === "integer") return "int";
  if (s.type === "string") return "string";
  if (s.type === "array") return s.prefixItems ? "tuple" : "list";
  if (s.type === "object") return "record";
  if ("const" in s) return "const";
  return "json"; // anything else is written as raw JSON
}

// A short WIT spelling of a schema's type, for the hints beside the controls.
function typeName(schema) {
  const s = deref(schema);
  const kind = kindOf(s);
  switch (kind) {
    case "handle": return s["x-wit-handle"];
    case "option": return `option<${typeName(optionInner(s).inner)}>`;
    case "result": {
      const [ok, err] = cases(s).map((c) => (c.payload ? typeName(c.payload) : "_"));
      return err !== "_" ? `result<${ok}, ${err}>` : ok !== "_" ? `result<${ok}>` : "result";
    }
    case "list": return `list<${typeName(s.items)}>`;
    case "tuple": return `tuple<${s.prefixItems.map(typeName).join(", ")}>`;
    case "int": case "bigint": case "float": case "char": return s["x-wit-type"] || "integer";
    case "const": return JSON.stringify(s.const);
    default: return s.title || kind;
  }
}

// --- Fields --------------------------------------------------------------------------
// A field is {el, get(), rename(path)}: `get` reads its value in the JSON mapping (or
// throws an InputError), `rename` gives its controls their value path as `name`
// (`person.title`, `x[0].tags[1]`, `x.circle`), the way weft's errors spell paths.

class InputError extends Error {
  constructor(control, message) {
    super(message);
    this.control = control;
  }
}

function field(schema, label) {
  const s = deref(schema);
  return builders[kindOf(s)](s, label, typeName(schema));
}

// One labelled control with its type hint and docs.
function row(label, type, docs, control, reader) {
  const id = uid("f");
  const docsId = docs ? uid("d") : null;
  control.id = id;
  if (docsId) control.setAttribute("aria-describedby", docsId);
  const el = h("div", { class: "field" },
    h("label", { for: id }, label), control, h("span", { class: "type" }, type),
    docs && h("p", { class: "docs", id: docsId }, docText(docs)));
  return { el, get: () => reader(control), rename(path) { control.name = path; } };
}

function text(s, label, type, attrs, reader) {
  return row(label, type, s.description, h("input", { type: "text", autocomplete: "off", ...attrs }), reader);
}

// A fieldset for an aggregate: its legend names it, its children are fields.
function group(label, type, docs, ...children) {
  return h("fieldset", {}, h("legend", {}, label, " ", h("span", { class: "type" }, type)),
    docs && h("p", { class: "docs" }, docText(docs)), ...children);
}

const builders = {
  bool: (s, label, type) => row(label, type, s.description, h("input", { type: "checkbox" }), (c) => c.checked),

  int: (s, label, type) => row(label, type, s.description,
    h("input", { type: "number", step: 1, min: s.minimum, max: s.maximum, inputmode: "numeric" }), (c) => {
      const n = Number(c.value.trim());
      if (c.value.trim() === "" || !Number.isInteger(n)) throw new InputError(c, `${label}: write a whole number`);
      if (n < s.minimum || n > s.maximum) throw new InputError(c, `${label}: ${n} is out of range for ${type} (${s.minimum} to ${s.maximum})`);
      return n;
    }),

  // A number input would round past 2^53, so a text input: a number when JavaScript can
  // hold it exactly, else the decimal string the schema allows.
  bigint: (s, label, type) => text(s, label, type, { inputmode: "numeric", placeholder: "whole number" }, (c) => {
    const v = c.value.trim();
    if (!/^-?[0-9]+$/.test(v)) throw new InputError(c, `${label}: write a whole number`);
    return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }),

  // Text, so that `nan`, `inf` and `-inf` can be written too.
  float: (s, label, type) => {
    const words = (s.anyOf || []).flatMap((x) => x.enum || []);
    return text(s, label, type, { inputmode: "decimal", placeholder: "number, nan, inf or -inf" }, (c) => {
      const v = c.value.trim();
      if (words.includes(v)) return v;
      if (v === "" || !Number.isFinite(Number(v))) throw new InputError(c, `${label}: write a number, or nan, inf, -inf`);
      return Number(v);
    });
  },

  // Not maxlength=1: that counts UTF-16 units, and a char may be two (😀).
  char: (s, label, type) => text(s, label, type, { size: 4 }, (c) => {
    if ([...c.value].length !== 1) throw new InputError(c, `${label}: write exactly one character`);
    return c.value;
  }),

  string: (s, label, type) => text(s, label, type, {}, (c) => c.value),

  // Free text, with the session's live handles of this resource offered as suggestions.
  handle: (s, label, type) => text(s, label, type, { list: datalist(s["x-wit-handle"]), placeholder: `e.g. ${type}-1` }, (c) => {
    if (c.value.trim() === "") throw new InputError(c, `${label}: name a handle, e.g. ${type}-1 (a constructor's result)`);
    return c.value.trim();
  }),

  enum: (s, label, type) => row(label, type, s.description,
    h("select", {}, s.enum.map((v) => h("option", { value: v }, v))), (c) => c.value),

  // Read-only values (futures, streams) have one possible value.
  const: (s, label, type) => row(label, type, s.description, h("input", { type: "text", readonly: true, value: s.const }), () => s.const),

  json: (s, label, type) => row(label, "JSON", s.description, h("textarea", { rows: 2, placeholder: "null" }), (c) => {
    try {
      return JSON.parse(c.value.trim() || "null");
    } catch (e) {
      throw new InputError(c, `${label}: not JSON (${e.message})`);
    }
  }),

  record: (s, label, type) => {
    const fields = Object.entries(s.properties || {}).map(([key, sub]) => [key, field(sub, key)]);
    return {
      el: group(label, type, s.description, fields.map(([, f]) => f.el)),
      get: () => Object.fromEntries(fields.map(([key, f]) => [key, f.get()])),
      rename(path) { for (const [key, f] of fields) f.rename(`${path}.${key}`); },
    };
  },

  // One checkbox per flag; the value holds the flags that are set.
  flags: (s, label, type) => {
    const boxes = Object.keys(s.properties || {}).map((flag) => [flag, h("input", { type: "checkbox" })]);
    const el = group(label, type, s.description, h("div", { class: "flags" },
      boxes.map(([flag, box]) => h("label", {}, box, ` ${flag}`))));
    return {
      el,
      get: () => Object.fromEntries(boxes.filter(([, box]) => box.checked).map(([flag]) => [flag, true])),
      rename(path) { for (const [flag, box] of boxes) box.name = `${path}.${flag}`; },
    };
  },

  tuple: (s, label, type) => {
    const items = s.prefixItems.map((sub, i) => field(sub, `[${i}]`));
    return {
      el: group(label, type, s.description, items.map((f) => f.el)),
      get: () => items.map((f) => f.get()),
      rename(path) { items.forEach((f, i) => f.rename(`${path}[${i}]`)); },
    };
  },

  // Items in an <ol> (numbered from 0 by CSS, so removing one renumbers them) with
  // "Add item" and per-item "Remove" buttons; a fixed-length list starts full.
  list: (s, label, type) => {
    const items = [];
    const min = s.minItems || 0;
    const max = s.maxItems ?? Infinity;
    const ol = h("ol", { class: "items" });
    const add = h("button", { type: "button", class: "add" }, "Add item");
    let path = label;
    const sync = () => {
      items.forEach((it, i) => {
        it.field.rename(`${path}[${i}]`);
        it.remove.disabled = items.length <= min;
        it.remove.setAttribute("aria-label", `Remove ${path}[${i}]`);
      });
      add.disabled = items.length >= max;
    };
    const push = () => {
      const it = { field: field(s.items, "item") };
      it.remove = h("button", { type: "button", class: "remove", onclick: () => {
        items.splice(items.indexOf(it), 1);
        it.li.remove();
        sync();
      } }, "Remove");
      it.li = h("li", {}, it.field.el, it.remove);
      items.push(it);
      ol.append(it.li);
      sync();
    };
    add.addEventListener("click", () => {
      push();
      const first = items[items.length - 1].li.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    while (items.length < min) push();
    return {
      el: group(label, type, s.description, ol, add),
      get: () => items.map((it) => it.field.get()),
      rename(p) { path = p; sync(); },
    };
  },

  // A select of the cases, then the chosen case's payload form. Every payload form is
  // built up front (WIT types are finite) and only the chosen one is shown.
  variant: (s, label, type) => tagged(s, label, type, cases(s)),
  result: (s, label, type) => tagged(s, label, type, cases(s)),

  // A "some" checkbox that reveals the payload's form; unchecked is `none` (null).
  option: (s, label, type) => {
    const { inner, tagged: isTaggedSome } = optionInner(s);
    const box = h("input", { type: "checkbox" });
    const payload = field(inner, label);
    const wrap = h("div", { class: "payload", hidden: true }, payload.el);
    box.addEventListener("change", () => { wrap.hidden = !box.checked; });
    const el = h("div", { class: "option" },
      h("label", { class: "some" }, box, " ", h("span", { class: "name" }, label), " is some ", h("span", { class: "type" }, type)),
      s.description && h("p", { class: "docs" }, docText(s.description)), wrap);
    return {
      el,
      get() {
        if (!box.checked) return null;
        return isTaggedSome ? { tag: "some", val: payload.get() } : payload.get();
      },
      // `title?` is the checkbox; the payload keeps the option's path (or `.some`).
      rename(path) {
        box.name = `${path}?`;
        payload.rename(isTaggedSome ? `${path}.some` : path);
      },
    };
  },
};

function tagged(s, label, type, all) {
  const select = h("select", {}, all.map((c) => h("option", { value: c.name }, c.name)));
  const forms = all.map((c) => {
    const f = c.payload ? field(c.payload, c.name) : null;
    const wrap = h("div", { class: "payload", hidden: true }, f && f.el, c.docs && h("p", { class: "docs" }, docText(c.docs)));
    return { ...c, field: f, wrap };
  });
  const show = () => forms.forEach((c) => { c.wrap.hidden = c.name !== select.value; });
  select.addEventListener("change", show);
  const head = row(label, type, s.description, select, () => null);
  show();
  return {
    el: h("div", { class: "tagged" }, head.el, forms.map((c) => c.wrap)),
    get() {
      const c = forms.find((x) => x.name === select.value);
      return c.field ? { tag: c.name, val: c.field.get() } : { tag: c.name };
    },
    rename(path) {
      select.name = path;
      for (const c of forms) if (c.field) c.field.rename(`${path}.${c.name}`);
    },
  };
}

// One <datalist> per resource, refreshed from the session's handles.
function datalist(resource) {
  const id = `handles-${resource}`.replace(/[^A-Za-z0-9_-]/g, "_");
  if (!document.getElementById(id)) document.getElementById("datalists").append(h("datalist", { id, "data-resource": resource }));
  return id;
}

// --- Calls ---------------------------------------------------------------------------

// The body as JSON (or text), and whether it is an RFC 9457 problem report.
async function read(response) {
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch (_) { /* left as text */ }
  const type = response.headers.get("content-type") || "";
  return { status: response.status, body, problem: type.includes("problem+json") || (!response.ok && typeof body !== "object") };
}

async function post(url, body) {
  return read(await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
}

async function ensureSession() {
  if (session.id) return;
  const r = await read(await fetch("sessions", { method: "POST" }));
  if (r.problem || r.status !== 201) throw Object.assign(new Error("cannot open a session"), { reply: r });
  session.id = r.body.id;
  session.idle = r.body.idle_timeout_ms;
  await refreshSession();
}

async function refreshSession() {
  if (session.id) {
    const r = await read(await fetch(`sessions/${encodeURIComponent(session.id)}`));
    if (r.problem) forgetSession("The session expired or ended; the next call opens a new one.");
    else session.handles = r.body.handles || [];
  }
  renderSession();
}

function forgetSession(message) {
  session.id = null;
  session.handles = [];
  session.note = message;
}

function renderSession() {
  const state = document.getElementById("session-state");
  const list = document.getElementById("session-handles");
  document.getElementById("session-end").hidden = !session.id;
  if (session.id) {
    const idle = session.idle ? `; it ends after ${Math.round(session.idle / 1000)} s idle` : "";
    state.textContent = `Session ${session.id} is open${idle}. ${session.handles.length} live handle(s).`;
  } else {
    state.textContent = session.note || "No session is open. Calls to constructors, methods and functions that take or return handles open one.";
  }
  list.replaceChildren(...session.handles.map((x) => h("li", {}, h("code", {}, x.name), ` (${x.type})`)));
  for (const dl of document.querySelectorAll("#datalists datalist")) {
    const names = session.handles.filter((x) => x.type === dl.dataset.resource).map((x) => x.name);
    dl.replaceChildren(...names.map((name) => h("option", { value: name })));
  }
}

async function endSession() {
  if (!session.id) return;
  const out = document.getElementById("session-report");
  const r = await read(await fetch(`sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" }));
  forgetSession(r.problem ? "The session had already ended." : "The session ended; the next call opens a new one.");
  out.hidden = false;
  if (r.problem) showProblem(out, r);
  else showValue(out, r.body, r.status);
  renderSession();
}

// --- Results ---------------------------------------------------------------------------

// The output's text is the pretty JSON; data-value holds the raw JSON text.
function showValue(out, value, status) {
  out.dataset.state = status >= 400 ? "err" : "ok";
  out.dataset.status = status;
  out.dataset.value = JSON.stringify(value === undefined ? null : value);
  out.replaceChildren(JSON.stringify(value === undefined ? null : value, null, 2));
}

function showProblem(out, reply) {
  const p = typeof reply.body === "object" && reply.body ? reply.body : { title: "Error", detail: String(reply.body) };
  out.dataset.state = "error";
  out.dataset.status = reply.status;
  delete out.dataset.value;
  const extra = ["path", "expected", "found"].filter((k) => p[k] != null);
  out.replaceChildren(
    h("strong", { class: "title" }, p.title || "Error", reply.status ? ` (HTTP ${reply.status})` : ""),
    p.detail && h("pre", { class: "detail" }, p.detail),
    extra.length > 0 && h("dl", {}, extra.map((k) => [h("dt", {}, k), h("dd", {}, h("code", {}, String(p[k])))])),
  );
}

// Marks the control a bad-argument path names (or its closest enclosing one).
function markInvalid(form, path) {
  for (let p = path, up; p; p = up) {
    const control = [...form.elements].find((c) => c.name === p || c.name === `${p}?`);
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.focus();
      return;
    }
    up = p.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
    if (up === p) return;
  }
}

async function call(exp, form, fields, out, button) {
  for (const c of form.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
  let args;
  try {
    args = Object.fromEntries(fields.map(([name, f]) => [name, f.get()]));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    showProblem(out, { status: 0, body: { title: "Not a valid value", detail: e.message, path: e.control.name } });
    e.control.setAttribute("aria-invalid", "true");
    e.control.focus();
    return;
  }
  out.dataset.state = "pending";
  delete out.dataset.value;
  out.replaceChildren("Calling…");
  button.disabled = true;
  try {
    let reply;
    if (exp.stateless) {
      reply = await post(`call/${encodeURIComponent(exp.name)}`, args);
    } else {
      await ensureSession();
      reply = await post(`sessions/${encodeURIComponent(session.id)}/call`, { export: exp.name, args });
      if (!reply.problem) reply.body = reply.body && reply.body.value;
    }
    if (reply.problem) {
      showProblem(out, reply);
      if (reply.body && reply.body.path) markInvalid(form, reply.body.path);
    } else {
      showValue(out, reply.body, reply.status);
    }
    if (!exp.stateless) await refreshSession();
  } catch (e) {
    showProblem(out, e.reply || { status: 0, body: { title: "The request failed", detail: String(e.message || e) } });
  } finally {
    button.disabled = false;
  }
}

// --- The page --------------------------------------------------------------------------

function renderExport(exp) {
  const params = exp.params.map((p) => {
    const f = field(p.schema, p.name);
    f.rename(p.name);
    return [p.name, f];
  });
  const button = h("button", { type: "submit" }, "Call");
  const out = h("output", { "data-result-for": exp.name, "aria-live": "polite", "data-state": "empty" });
  const form = h("form", { "data-export": exp.name, novalidate: true, "aria-label": exp.name },
    params.length ? params.map(([, f]) => f.el) : h("p", { class: "docs" }, "No parameters."), h("div", { class: "actions" }, button));
  const ids = [...form.querySelectorAll("input[id], select[id], textarea[id]")].map((c) => c.id);
  if (ids.length) out.setAttribute("for", ids.join(" "));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    call(exp, form, params, out, button);
  });
  const route = exp.stateless ? `POST /call/${exp.name}` : "in the session";
  return h("section", { class: "export", id: `export-${exp.name}` },
    h("h3", {}, h("code", {}, exp.name), " ", h("span", { class: "kind" }, exp.kind), " ", h("span", { class: "route" }, route)),
    exp.signature && h("pre", { class: "signature" }, exp.signature),
    exp.docs && h("p", { class: "docs" }, docText(exp.docs)),
    h("div", { class: "call" }, form, h("div", { class: "result" }, h("h4", {}, "Result"), out)));
}

async function main() {
  const status = document.getElementById("status");
  let doc;
  try {
    const response = await fetch("openapi.json");
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    doc = await response.json();
  } catch (e) {
    status.textContent = `Cannot load the OpenAPI document: ${e.message}`;
    return;
  }
  schemas = (doc.components && doc.components.schemas) || {};
  const info = doc.info || {};
  document.title = `${info.title || "component"} · weft serve`;
  document.getElementById("title").textContent = info.title || "weft serve";
  document.getElementById("description").replaceChildren(...(info.description ? docText(info.description) : []));
  const exports = doc["x-weft-exports"] || [];

  // Plain functions first, then each resource with its constructor, methods and statics.
  const groups = new Map([[null, []]]);
  for (const exp of exports) {
    if (!groups.has(exp.resource)) groups.set(exp.resource, []);
    groups.get(exp.resource).push(exp);
  }
  const container = document.getElementById("exports");
  const toc = document.getElementById("toc");
  for (const [resource, list] of groups) {
    if (list.length === 0) continue;
    const heading = resource ? ["resource ", h("code", {}, resource)] : "Functions";
    const sections = [];
    for (const exp of list) {
      try {
        sections.push(renderExport(exp));
      } catch (e) {
        sections.push(h("section", { class: "export" }, h("h3", {}, h("code", {}, exp.name)),
          h("pre", { class: "signature" }, exp.signature), h("p", { class: "docs" }, `No form: ${e.message}`)));
      }
    }
    container.append(h("section", { class: "group" }, h("h2", {}, heading), sections));
    toc.append(h("h2", {}, heading), h("ul", {}, list.map((exp) =>
      h("li", {}, h("a", { href: `#export-${exp.name}` }, exp.name), h("span", { class: "type" }, (exp.signature || "").replace(/^[^:]*:\s*/, ""))))));
  }
  toc.hidden = exports.length === 0;
  document.getElementById("session").hidden = exports.every((exp) => exp.stateless);
  document.getElementById("session-end").addEventListener("click", endSession);
  status.textContent = exports.length ? `${exports.length} export(s).` : "The component exports no functions.";
  renderSession();
}

main();

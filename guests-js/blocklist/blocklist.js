// A blocklist plugin for example:plugin-system@1.0.0 in JavaScript, so hosts can chain plugins
// whatever language built them: the same `plugin-impl` contract as the Rust ones in guests/
// (see wit/blocklist.wit and scripts/build-js-guests.sh).
//
// componentize-js maps the WIT by convention: resource `handler` is the class `Handler` on the
// exported `plugin` object, record fields are camelCase, `option` is undefined, `list<u8>` is a
// Uint8Array, and `result<T, string>` is T returned or a string THROWN; a thrown Error would
// trap, which is why every failure below becomes a string.
//
// Config: empty, or `{"blocked": ["id1", ...], "key-header": "x-client-id"}`. The constructor
// cannot fail, so a bad config is kept and reported as the `err` of every http.request event
// (other event types pass, as in the Rust plugins).

const DEFAULT_KEY_HEADER = "x-client-id";

/** The parsed config, or throws a string naming what is wrong. */
function parseConfig(text) {
  const config = { blocked: new Set(), keyHeader: DEFAULT_KEY_HEADER };
  if (text.trim() === "") {
    return config;
  }
  let object;
  try {
    object = JSON.parse(text);
  } catch (e) {
    throw `config is not a valid JSON object: ${e.message}`;
  }
  if (!isPlainObject(object)) {
    throw `config is not a valid JSON object: got ${describe(object)}`;
  }
  for (const [key, value] of Object.entries(object)) {
    switch (key) {
      case "blocked":
        if (!Array.isArray(value) || !value.every((id) => typeof id === "string")) {
          throw "`blocked` must be a list of strings";
        }
        config.blocked = new Set(value);
        break;
      case "key-header":
        if (typeof value !== "string" || value === "") {
          throw "`key-header` must be a non-empty string";
        }
        // HTTP header names are case-insensitive; compare them lowercased.
        config.keyHeader = value.toLowerCase();
        break;
      default:
        throw `unknown config key \`${key}\`: expected blocked or key-header`;
    }
  }
  return config;
}

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value) {
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** The request headers in an http.request payload, or throws a string. */
function parseHeaders(payload) {
  let headers;
  try {
    headers = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch (e) {
    throw `payload is not a JSON object of headers: ${e.message}`;
  }
  if (!isPlainObject(headers)) {
    throw `payload is not a JSON object of headers: got ${describe(headers)}`;
  }
  return headers;
}

/** The event passes on to later plugins and the host as it was. */
function pass() {
  return { handled: false, modifiedPayload: undefined, response: undefined };
}

class Handler {
  #config;

  /** @param {string} config */
  constructor(config) {
    try {
      this.#config = { ok: parseConfig(config) };
    } catch (e) {
      this.#config = { err: `invalid blocklist config: ${e}` };
    }
  }

  onEvent(event) {
    if (event.eventType !== "http.request") {
      return pass();
    }
    if (this.#config.err !== undefined) {
      throw this.#config.err;
    }
    const { blocked, keyHeader } = this.#config.ok;
    // Every header whose name matches counts, not just the first: otherwise a blocked client
    // could get through by also sending the header in another case with an innocent value.
    for (const [name, value] of Object.entries(parseHeaders(event.payload))) {
      if (name.toLowerCase() !== keyHeader) {
        continue;
      }
      // A non-string value (e.g. a number) is compared as its JSON text, as rate-limit keys it.
      const id = typeof value === "string" ? value : JSON.stringify(value);
      if (blocked.has(id)) {
        return { handled: true, modifiedPayload: undefined, response: "403 Forbidden" };
      }
    }
    return pass();
  }

  metadata() {
    return {
      name: "blocklist",
      version: "1.0.0",
      author: "weft",
      description: "Refuses http.request events from blocked clients (JavaScript, componentize-js)",
    };
  }
}

export const plugin = { Handler };

// A rot13 transform for example:pipeline@1.0.0 in JavaScript, so the pipeline host's tests can
// chain a transform built by another language's toolchain (componentize-js) with the Rust ones
// in guests/transform-* (see wit/rot13.wit and scripts/build-js-guests.sh).
//
// componentize-js maps the WIT by convention: resource `processor` is the class `Processor` on
// the exported `transform` object, `list<u8>` is a Uint8Array, and `result<T, string>` is T
// returned or a string THROWN (a thrown Error would trap, so every failure is a string).
//
// rot13 maps each byte on its own (ASCII letters rotated by 13, every other byte unchanged), so
// the output of a chunk is as long as the chunk and nothing waits for the next one; the only
// state is the streaming protocol's: an empty chunk ends the input, and after that an empty
// chunk returns empty and a non-empty one is an err until `reset`.
//
// Config: the empty string only. The constructor cannot fail, so any other config is kept and
// reported as the err of every `process` call, as in the Rust transforms.

const A = 0x41, Z = 0x5a, a = 0x61, z = 0x7a;

/** rot13 of `input`'s ASCII letters, every other byte as it was. */
function rot13(input) {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    if (byte >= A && byte <= Z) {
      out[i] = A + ((byte - A + 13) % 26);
    } else if (byte >= a && byte <= z) {
      out[i] = a + ((byte - a + 13) % 26);
    } else {
      out[i] = byte;
    }
  }
  return out;
}

class Processor {
  /** The config error, or undefined when the config is valid. */
  #configError;
  /** End of input was seen (an empty chunk); cleared by reset. */
  #finished = false;

  /** @param {string} config */
  constructor(config) {
    if (config !== "") {
      this.#configError = `rot13 takes no config, got ${JSON.stringify(config)}`;
    }
  }

  /** @param {Uint8Array} input */
  process(input) {
    if (this.#configError !== undefined) {
      throw this.#configError;
    }
    if (input.length === 0) {
      this.#finished = true;
      return new Uint8Array(0);
    }
    if (this.#finished) {
      throw "the stream has ended; call reset to start a new one";
    }
    return rot13(input);
  }

  reset() {
    this.#finished = false;
  }
}

export const transform = { Processor };

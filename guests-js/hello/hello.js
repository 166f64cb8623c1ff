// The `hello` world's `greeting` export, in JavaScript: jco componentize turns this ES module
// into a component (see wit/hello.wit and scripts/build-js-guests.sh).

export const greeting = {
  /** @param {string} name */
  greet(name) {
    return `Hello, ${name}, from JavaScript!`;
  },

  /** s32 in and out: `| 0` wraps the sum to 32 bits, as the WIT type requires. */
  add(a, b) {
    return (a + b) | 0;
  },
};

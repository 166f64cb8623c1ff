// Drives the page of `weft serve` in headless Chromium over the greeter component:
// fills the `greet` form (person.name = Ada, person.title = some("Dr.")), submits it
// and prints the result on one line. Exits 1 with the reason on stderr on any failure.
//
//   node crates/weft-serve/tests/browser/greet.mjs http://127.0.0.1:PORT
//
// playwright-core comes from $WEFT_BROWSER_MODULES (default
// $HOME/.cache/weft/browser/node_modules, where scripts/setup-browser.sh installs it);
// NODE_PATH does not apply to ESM imports, so it is loaded with createRequire.

import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const TIMEOUT_MS = 30_000;
const modules = process.env.WEFT_BROWSER_MODULES || join(homedir(), ".cache", "weft", "browser", "node_modules");
const base = process.argv[2];
let context = null;
let profile = null;
let step = "starting";
let failed = false;
const pageErrors = [];

async function cleanUp() {
  // Closing can hang on a wedged browser; do not let it hold the exit.
  if (context) await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
  try {
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  } catch (_) { /* a leftover temp dir is not worth failing for */ }
}

async function fail(reason) {
  if (failed) return; // the timeout and the run it interrupts both end up here
  failed = true;
  const errors = pageErrors.length ? `\npage errors:\n  ${pageErrors.join("\n  ")}` : "";
  process.stderr.write(`greet.mjs: ${reason} (while ${step})${errors}\n`);
  await cleanUp();
  process.exit(1);
}

async function run() {
  if (!base) throw new Error("usage: greet.mjs BASE_URL (e.g. http://127.0.0.1:8080)");
  let chromium;
  try {
    ({ chromium } = createRequire(join(modules, "noop.js"))("playwright-core"));
  } catch (e) {
    throw new Error(`cannot load playwright-core from ${modules} (run scripts/setup-browser.sh): ${e.message}`);
  }
  step = "launching Chromium";
  profile = mkdtempSync(join(tmpdir(), "weft-browser-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") pageErrors.push(m.text()); });
  page.setDefaultTimeout(TIMEOUT_MS);

  step = "loading the page";
  const response = await page.goto(new URL("/", base).href);
  if (!response || !response.ok()) throw new Error(`GET / answered ${response ? response.status() : "nothing"}`);
  const form = page.locator('form[data-export="greet"]');
  step = 'waiting for form[data-export="greet"]';
  await form.waitFor();
  step = "filling the form";
  await form.locator('input[name="person.name"]').fill("Ada");
  // person.title is an option<string>: its "some" checkbox reveals the text input.
  await form.locator('input[name="person.title?"]').check();
  await form.locator('input[name="person.title"]').fill("Dr.");
  await form.locator('button[type="submit"]').click();

  const output = page.locator('output[data-result-for="greet"]:is([data-state="ok"], [data-state="err"], [data-state="error"])');
  step = 'waiting for output[data-result-for="greet"]';
  await output.waitFor();
  const state = await output.getAttribute("data-state");
  const shown = (await output.innerText()).replace(/\s+/g, " ").trim();
  if (state !== "ok") throw new Error(`the call failed (${state}, HTTP ${await output.getAttribute("data-status")}): ${shown}`);
  // A string result shows as JSON ("..."); print the string itself.
  const raw = await output.getAttribute("data-value");
  const value = raw == null ? shown : JSON.parse(raw);
  process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value)}\n`);
}

const timer = setTimeout(() => fail(`timed out after ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
run().then(
  async () => {
    clearTimeout(timer);
    await cleanUp();
    process.exit(0);
  },
  (e) => fail(e && e.message ? e.message : String(e)),
);

#!/usr/bin/env bash
# Sets weft up, builds it and the bundled guest components, and runs weft's main job
# on them: calling exports with typed values, resources across calls, async exports with
# streams and futures, the REPL, `weft init` and `weft optimize`,
# composition, runtime linking of the same manifests, a Rust program that embeds the runtime as a host, a plugin chain (Rust
# and JavaScript plugins) through the plugin host, a streaming pipeline, and `weft serve`
# (a wasi:http handler, a composed component as a JSON gateway, a session with resources),
# and `weft test` (components against mocked imports, a recorded session replayed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The bundled examples refer to the guests where a plain build puts them.
unset WEFT_GUESTS_TARGET_DIR
cargo build -p weft-cli -p weft-test-guests -p weft-embed-example
# The JavaScript guests where the bundled examples expect them (the plugin chain's blocklist,
# the greeter the demo runs the greeter's tests on).
WEFT_JS_GUESTS_DIR=guests-js/target bash scripts/build-js-guests.sh >/dev/null
weft="${CARGO_TARGET_DIR:-target}/debug/weft"
guests="guests/target/wasm32-wasip2/release"
run() { printf '\n$ weft %s\n' "$*"; "$weft" "$@"; }

run call "$guests/greeter.wasm" 'greet({name: "Ada", title: some("Dr.")})'
run call "$guests/types.wasm" 'let c = counter("clicks")' 'c.increment(2)' 'c.increment(40)' 'echo-record({name: "Ada", age: 36, tags: ["math"]})' 'echo-nested-option(some(none))'
run call "$guests/types.wasm" --json 'echo-variant(polygon([{x: 0, y: 0}, {x: 4, y: 0}, {x: 4, y: 3}]))' 'area(polygon([{x: 0, y: 0}, {x: 4, y: 0}, {x: 4, y: 3}]))'
run call "$guests/async_exports.wasm" 'double(21)'
# Streams and futures through async exports: results read to their end, and a file
# streamed through a base64 transform to stdout as it arrives.
run call "$guests/async_streams.wasm" 'range(1, 3)' 'split-lines("one\ntwo")' 'resolve-later("soon")' 'await-future(41)'
run call "$guests/async_streams.wasm" --stream-in README.md --stream 'encode-base64()' | head -c 60; echo
run inspect "$guests/greeter.wasm" | sed -n '1,12p'
# The author's tools: statements piped into the REPL (interactive in a terminal, with Tab
# completion from the WIT), a guest project started from a world, a component shrunk.
printf '$ printf ... | weft repl types.wasm\n'
printf 'let c = counter("clicks")\nc.increment(5)\n:type color\n' | "$weft" repl "$guests/types.wasm" --no-history
tmp="$(mktemp -d)"
run init "$tmp/my-plugin" --world wit/plugin-system:plugin-impl | sed -n '1,8p'
bash scripts/setup-binaryen.sh >/dev/null
run optimize "$guests/greeter.wasm" -o "$tmp/greeter.opt.wasm" | head -1
run call "$tmp/greeter.opt.wasm" 'greet({name: "Ada", title: some("Dr.")})'
rm -rf "$tmp"
tmp="$(mktemp -d)"
run compose examples/compose/compose.toml -o "$tmp/app.wasm"
run call "$tmp/app.wasm" 'greet({name: "Ada", title: none})'
run compose examples/compose/legacy-app.toml -o "$tmp/legacy.wasm"
run call "$tmp/legacy.wasm" 'round-trip("motd", "hello")' 'get("motd")'
rm -rf "$tmp"
# The same manifests linked at run time, with no composed binary; a notebook holds a
# sqldb connection (a resource of one component kept by another).
run call examples/compose/legacy-app.toml 'round-trip("motd", "hello")' 'get("motd")'
run call examples/compose/notes-on-sqldb.toml 'let book = notebook(":memory:")' 'book.add("buy milk")' 'book.find("milk")'
# weft-runtime embedded in a program of its own: its own state and host interface, a mock,
# 8 threads calling one prepared greeter, and a hot swap while they run.
printf '\n$ embed greeter.wasm legacy-app.wasm\n'
"${CARGO_TARGET_DIR:-target}/debug/embed" "$guests/greeter.wasm" "$guests/legacy_app.wasm"
# weft test: components alone against mocked imports (the storage adapter over a mocked
# storage-v2, the greeter over a mocked logger, a notebook over a mocked database
# resource), the greeter's tests on its JavaScript twin, and a recorded session replayed.
run test examples/tests/
run test examples/tests/greeter.toml --component guests-js/target/greeter.wasm
tmp="$(mktemp -d)"
run call "$guests/greeter.wasm" --record "$tmp/trace.json" 'greet({name: "Ada"})'
run test --replay "$tmp/trace.json" "$guests/greeter.wasm"
rm -rf "$tmp"
# The plugin host: auth (JWT), a JavaScript blocklist and rate-limit in one chain, each
# event answered as a JSON line with what every plugin did.
run plugins check examples/plugins/plugins.toml
run plugins run examples/plugins/plugins.toml --stats <examples/plugins/events.jsonl
# A streaming pipeline: gzip then base64 with every stage at once, and back, byte for byte.
tmp="$(mktemp -d)"
run pipeline examples/pipeline/pipeline.toml -i README.md -o "$tmp/readme.b64" --stats
run pipeline "$guests/transform_base64_decode.wasm" "$guests/transform_gunzip.wasm" -i "$tmp/readme.b64" -o "$tmp/readme.md"
cmp README.md "$tmp/readme.md" && echo "README.md came back byte for byte"
rm -rf "$tmp"
# weft serve: a wasi:http handler, then the composed greeter + logger as a JSON gateway,
# each on a free loopback port, talked to with curl and stopped with SIGTERM.
serve() {
    local log
    log="$(mktemp)"
    "$weft" serve "$@" --addr 127.0.0.1:0 >"$log" 2>&1 &
    server=$!
    until grep -q 'http://' "$log"; do sleep 0.1; done
    base="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
    printf '\n$ weft serve %s   # %s\n' "$*" "$base"
}
stop() { kill -TERM "$server"; wait "$server" || true; }
serve "$guests/http_hello.wasm" --no-access-log
printf '$ curl %s/\n' "$base"; curl -s "$base/"
stop
# WASI 0.3's wasi:http/service (an async handler, bodies as streams), experimental in wasmtime 48.
serve "$guests/http_service.wasm" --experimental-p3 --no-access-log
printf "\$ curl -d 'streamed back' %s/echo\n" "$base"; curl -s -d 'streamed back' "$base/echo"; echo
stop
tmp="$(mktemp -d)"
"$weft" compose examples/compose/compose.toml -o "$tmp/app.wasm" >/dev/null
serve "$tmp/app.wasm" --wit wit/greeter --no-access-log
printf "\$ curl -d '{\"person\": {\"name\": \"Ada\"}}' %s/call/greet\n" "$base"
curl -s -d '{"person": {"name": "Ada"}}' "$base/call/greet"; echo
printf "\$ curl -d '{\"person\": {\"name\": 3}}' %s/call/greet\n" "$base"
curl -s -d '{"person": {"name": 3}}' "$base/call/greet"; echo
printf '$ curl %s/openapi.json | head -c 300\n' "$base"
curl -s "$base/openapi.json" | head -c 300; echo " ..."
stop
serve "$guests/sqldb.wasm" --no-access-log
id="$(curl -s -X POST "$base/sessions" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')"
printf '$ curl -X POST %s/sessions, then statements inside session %s\n' "$base" "$id"
printf 'let db = db(":memory:")\ndb.execute("create table t (name text)", [])\ndb.execute("insert into t values (?1)", ["Ada"])\ndb.query("select name from t", [])\n' \
    | curl -s -H 'content-type: text/plain' --data-binary @- "$base/sessions/$id/call"; echo
stop
# A composition served straight from its manifest, linked at run time.
serve examples/compose/compose.toml --no-access-log
printf "\$ curl -d '{\"person\": {\"name\": \"Ada\"}}' %s/call/greet\n" "$base"
curl -s -d '{"person": {"name": "Ada"}}' "$base/call/greet"; echo
stop
rm -rf "$tmp"

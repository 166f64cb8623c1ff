;; RUN: new % --wit tests/cli/compose/new-app.wit -o %tmp/app.wasm
;; FAIL[no-wit]: new % -o %tmp/app.wasm
;; A core module calling WASI preview1, as a wasm32-wasip1 build would be.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (call $random_get (i32.const 0) (i32.const 8)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (i32.const 1024)))

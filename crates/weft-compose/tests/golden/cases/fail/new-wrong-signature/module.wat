;; A core module that calls WASI preview1 (`random_get`) and exports `run`, as a
;; `wasm32-wasip1` build would; `weft new` adds the reactor adapter.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (call $random_get (i32.const 0) (i32.const 8)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (i32.const 1024)))

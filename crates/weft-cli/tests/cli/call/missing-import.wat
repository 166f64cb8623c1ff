;; Imports weft does not provide are all listed, unless trapped.
;; FAIL[listed]: call % 'run()'
;; FAIL[trapped]: call % --trap-unknown-imports 'run()'
(component
  (import "acme:kv/store@1.0.0" (instance $kv
    (export "get" (func (param "key" u32) (result u32)))))
  (import "acme:log/sink" (instance (export "write" (func (param "level" u8)))))
  (core func $get (canon lower (func $kv "get")))
  (core module $m
    (import "kv" "get" (func $get (param i32) (result i32)))
    (func (export "run") (result i32) (call $get (i32.const 7))))
  (core instance $i (instantiate $m (with "kv" (instance (export "get" (func $get))))))
  (func (export "run") (result u32) (canon lift (core func $i "run")))
)

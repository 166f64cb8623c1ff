;; A core module that calls WASI preview1 (`random_get`) and exports `run`, as a
;; `wasm32-wasip1` build would; `weft new` adds the reactor adapter. `run` fills 8 bytes
;; at address 0 with random data and returns 1 when the call succeeded (errno 0) and the
;; bytes are no longer all zero. `cabi_realloc` is a bump allocator that grows memory:
;; the adapter allocates its state through it.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (func (export "run") (result i32)
    (i32.and
      (i32.eqz (call $random_get (i32.const 0) (i32.const 8)))
      (i32.eqz (i64.eqz (i64.load (i32.const 0))))))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local $end i32)
    ;; Round up to `align` (a power of two), take `size` bytes, grow memory to fit.
    (local.set $ptr
      (i32.and
        (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u
                  (i32.add
                    (i32.sub (local.get $end) (i32.shl (memory.size) (i32.const 16)))
                    (i32.const 65535))
                  (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $next (local.get $end))
    (local.get $ptr)))

(component
  (import "example:echo/echo" (instance $next
    (export "ping" (func (param "n" u32) (result u32)))))
  (core func $next (canon lower (func $next "ping")))
  (core module $m
    (import "next" "ping" (func $next (param i32) (result i32)))
    (func (export "ping") (param i32) (result i32)
      (i32.add (call $next (local.get 0)) (i32.const 1))))
  (core instance $host (export "ping" (func $next)))
  (core instance $i (instantiate $m (with "next" (instance $host))))
  (func $ping (param "n" u32) (result u32) (canon lift (core func $i "ping")))
  (instance $echo (export "ping" (func $ping)))
  (export "example:echo/echo" (instance $echo))
)

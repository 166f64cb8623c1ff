(component
  (core module $m
    (func (export "ping") (param i32) (result i32)
      (i32.mul (local.get 0) (i32.const 10))))
  (core instance $i (instantiate $m))
  (func $ping (param "n" u32) (result u32) (canon lift (core func $i "ping")))
  (instance $echo (export "ping" (func $ping)))
  (export "example:echo/echo" (instance $echo))
)

(component
  (import "example:greeter/logging@1.0.0" (instance $logging
    (export "log" (func (param "level" u8)))))
  (core func $log (canon lower (func $logging "log")))
  (core module $m
    (import "host" "log" (func $log (param i32)))
    (func (export "greet") (result i32) (call $log (i32.const 2)) (i32.const 42)))
  (core instance $host (export "log" (func $log)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $greet (result u32) (canon lift (core func $i "greet")))
  (instance $greeting (export "greet" (func $greet)))
  (export "example:greeter/greeting@1.0.0" (instance $greeting))
)

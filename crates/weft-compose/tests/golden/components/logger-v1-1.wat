(component
  (core module $m
    (func (export "log") (param i32)))
  (core instance $i (instantiate $m))
  (func $log (param "level" u8) (canon lift (core func $i "log")))
  (instance $logging (export "log" (func $log)))
  (export "example:greeter/logging@1.1.0" (instance $logging))
)

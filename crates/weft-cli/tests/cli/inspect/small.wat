;; A small component with a core module, a producers section and a custom section.
;; RUN[text]: inspect %
;; RUN[json]: inspect --json %
(component
  (core module $m
    (func (export "answer") (result i32) i32.const 42)
    (@producers (language "wat" "1.0"))
    (@custom "notes" "hello"))
  (core instance $i (instantiate $m))
  (func (export "answer") (result u32) (canon lift (core func $i "answer")))
)

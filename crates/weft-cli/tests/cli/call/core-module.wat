;; A core module is not a component: the error says so and how to convert it.
;; FAIL: call % 'f()'
(module (func (export "f")))

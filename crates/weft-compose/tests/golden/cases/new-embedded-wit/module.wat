;; A core module whose WIT the test embeds first (see embed.txt), as wit-bindgen leaves
;; it in a `component-type` custom section; `new.txt` gives no WIT, so `weft new` must
;; find the world in the module.
(module
  (func (export "example:calc/adder@1.0.0#add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))

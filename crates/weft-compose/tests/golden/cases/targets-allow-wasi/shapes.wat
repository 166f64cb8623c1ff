;; Imports WASI (`wasi:random/random@0.2.3`), which the world does not list, and the
;; world's `shapes` interface as the world defines it: with `--allow-wasi`, it fits.
(component
  (import "wasi:random/random@0.2.3" (instance
    (export "get-random-u64" (func (result u64)))))
  (import "example:shapes/shapes@1.0.0" (instance
    (type $point-def (record (field "x" u32) (field "y" u32)))
    (export "point" (type $point (eq $point-def)))
    (export "area" (func (param "p" $point) (result u32)))))
)

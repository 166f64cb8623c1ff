;; Imports WASI, and `shapes` with a `point` that lacks the world's field `y`. The item
;; comparison sees only a line missing from an import (a component may import less), so
;; only wit-component's verdict catches it: `--allow-wasi` must not accept this.
(component
  (import "wasi:random/random@0.2.3" (instance
    (export "get-random-u64" (func (result u64)))))
  (import "example:shapes/shapes@1.0.0" (instance
    (type $point-def (record (field "x" u32)))
    (export "point" (type $point (eq $point-def)))
    (export "area" (func (param "p" $point) (result u32)))))
)

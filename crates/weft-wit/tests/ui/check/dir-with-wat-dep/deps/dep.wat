;; `package dep:pkg; interface iface { type id = u64; hello: func() -> string; }`,
;; as wit-component encodes a WIT package.
(component
  (type (;0;)
    (component
      (type (;0;)
        (instance
          (type (;0;) u64)
          (export (;1;) "id" (type (eq 0)))
          (type (;2;) (func (result string)))
          (export (;0;) "hello" (func (type 2)))
        )
      )
      (export (;0;) "dep:pkg/iface" (instance (type 0)))
    )
  )
  (export (;1;) "iface" (type 0))
)

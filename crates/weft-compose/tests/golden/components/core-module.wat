(module
  (func (export "run")))

//! Gives the guest a 16 MiB data stack (in linear memory; Rust's default is 1 MiB), so that
//! deep recursion exhausts wasmtime's native wasm stack first and `recurse` always ends in
//! wasmtime's own stack-overflow trap, which is what the sandbox test pins down.

fn main() {
    println!("cargo:rustc-link-arg-cdylib=-zstack-size=16777216");
}

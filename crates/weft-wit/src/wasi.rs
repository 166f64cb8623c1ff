//! Which imports are WASI 0.2 (and 0.3): the one definition `weft targets --allow-wasi` and the
//! runtime's linker share.

/// The interfaces of the WASI 0.2 release that a component may import: those of the
/// `wasi:cli/command` and `wasi:http/proxy` worlds (wasmtime-wasi's and
/// wasmtime-wasi-http's linkers define exactly these).
pub const WASI_P2: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/insecure-seed",
    "wasi:random/insecure",
    "wasi:random/random",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/ip-name-lookup",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:http/types",
    "wasi:http/outgoing-handler",
];

/// Is `name` (`wasi:io/streams@0.2.3`) an interface of [`WASI_P2`] at some 0.2 version?
/// Hosts match 0.2.x imports with their own 0.2 release by semver, so any 0.2 counts.
///
/// ```
/// assert!(weft_wit::is_wasi_p2("wasi:io/streams@0.2.6"));
/// assert!(!weft_wit::is_wasi_p2("wasi:io/streams@0.3.0"));
/// assert!(!weft_wit::is_wasi_p2("wasi:http/incoming-handler@0.2.0"));
/// ```
pub fn is_wasi_p2(name: &str) -> bool {
    name.split_once('@')
        .is_some_and(|(base, version)| WASI_P2.contains(&base) && version.starts_with("0.2."))
}

/// The interfaces of WASI 0.3 that wasmtime 48's `p3` linkers define (`wasmtime_wasi::p3`
/// and `wasmtime_wasi_http::p3`, without their unstable ones): the `wasi:cli/command` and
/// `wasi:http/service` imports. Experimental in wasmtime 48.
pub const WASI_P3: &[&str] = &[
    "wasi:cli/types",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/types",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/system-clock",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:random/insecure-seed",
    "wasi:random/insecure",
    "wasi:random/random",
    "wasi:sockets/types",
    "wasi:sockets/ip-name-lookup",
    "wasi:http/types",
    "wasi:http/client",
];

/// Is `name` (`wasi:http/types@0.3.0`) an interface of [`WASI_P3`] at a 0.3 version?
///
/// ```
/// assert!(weft_wit::is_wasi_p3("wasi:http/types@0.3.0"));
/// assert!(!weft_wit::is_wasi_p3("wasi:http/types@0.2.6"));
/// assert!(!weft_wit::is_wasi_p3("wasi:http/handler@0.3.0"));
/// ```
pub fn is_wasi_p3(name: &str) -> bool {
    name.split_once('@')
        .is_some_and(|(base, version)| WASI_P3.contains(&base) && version.starts_with("0.3."))
}

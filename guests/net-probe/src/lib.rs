//! The net-probe test component (`weft:net-probe@0.1.0`): `read-line` opens a TCP
//! connection with Rust's `std::net` (WASI 0.2 sockets underneath) and reads one line.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:net-probe/net-probe@0.1.0",
    });
}

use bindings::exports::weft::net_probe::probe::Guest;

/// The component's export implementation.
struct NetProbe;

impl Guest for NetProbe {
    fn read_line(address: String) -> Result<String, String> {
        let stream =
            TcpStream::connect(&address).map_err(|e| format!("connect to {address}: {e}"))?;
        let mut line = String::new();
        BufReader::new(stream)
            .read_line(&mut line)
            .map_err(|e| format!("read from {address}: {e}"))?;
        Ok(line.trim_end().to_string())
    }
}

bindings::export!(NetProbe with_types_in bindings);

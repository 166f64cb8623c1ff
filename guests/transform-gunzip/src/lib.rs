//! A gzip decompressor (`example:pipeline@1.0.0`, world `transform-component`).
//!
//! Config: empty. Decodes every member of a (possibly multi-member) gzip stream, checking
//! each member's CRC and size; end of input (an empty chunk) fails when the stream stops
//! inside a member. An input with no bytes at all decodes to nothing.

transform_common::export_transform!(Gunzip);

use transform_common::Transform;

/// Decompression state: the decoder writes into a `Vec` that each call drains.
pub struct Gunzip {
    decoder: flate2::write::MultiGzDecoder<Vec<u8>>,
    /// Whether any input arrived; an empty stream is empty output, not a truncated member.
    started: bool,
}

impl Transform for Gunzip {
    fn from_config(config: &str) -> Result<Self, String> {
        if !config.trim().is_empty() {
            return Err("gunzip takes no config".to_owned());
        }
        Ok(Gunzip {
            decoder: flate2::write::MultiGzDecoder::new(Vec::new()),
            started: false,
        })
    }

    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        use std::io::Write;
        self.started = true;
        self.decoder
            .write_all(input)
            .map_err(|e| format!("gunzip: {e}"))?;
        // The decoder keeps decoded bytes in its own buffer until flushed.
        self.decoder.flush().map_err(|e| format!("gunzip: {e}"))?;
        out.append(self.decoder.get_mut());
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        if !self.started {
            return Ok(());
        }
        self.decoder.try_finish().map_err(|e| {
            format!("gunzip: the input ended inside a gzip member (truncated or corrupt): {e}")
        })?;
        out.append(self.decoder.get_mut());
        Ok(())
    }
}

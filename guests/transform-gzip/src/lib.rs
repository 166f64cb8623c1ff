//! A gzip compressor (`example:pipeline@1.0.0`, world `transform-component`).
//!
//! Config: empty for the default level (6), a level `0`..=`9`, `fast` (1) or `best` (9).
//! The output is one gzip member (RFC 1952) written by flate2; end of input (an empty
//! chunk) writes the last deflate block and the CRC/size trailer.

transform_common::export_transform!(Gzip);

use transform_common::Transform;

/// Compression state: the encoder writes into a `Vec` that each call drains.
pub struct Gzip {
    encoder: flate2::write::GzEncoder<Vec<u8>>,
}

impl Transform for Gzip {
    fn from_config(config: &str) -> Result<Self, String> {
        let level = match config.trim() {
            "" | "default" => flate2::Compression::default(),
            "fast" => flate2::Compression::fast(),
            "best" => flate2::Compression::best(),
            digits => match digits.parse::<u32>() {
                Ok(level) if level <= 9 => flate2::Compression::new(level),
                _ => return Err("expected a level 0-9, `fast`, `best` or nothing".to_owned()),
            },
        };
        Ok(Gzip {
            encoder: flate2::write::GzEncoder::new(Vec::new(), level),
        })
    }

    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        use std::io::Write;
        // No flush here: a flush would force a sync block and change the compressed stream.
        self.encoder
            .write_all(input)
            .map_err(|e| format!("gzip: {e}"))?;
        out.append(self.encoder.get_mut());
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        self.encoder
            .try_finish()
            .map_err(|e| format!("gzip: {e}"))?;
        out.append(self.encoder.get_mut());
        Ok(())
    }
}

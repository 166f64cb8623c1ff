//! A base64 encoder (`example:pipeline@1.0.0`, world `transform-component`).
//!
//! Config: the alphabet, `standard` (the default, padded), `standard-no-pad`, `url-safe` or
//! `url-safe-no-pad`. Input is encoded three bytes at a time, so up to two bytes wait for
//! the next chunk; end of input encodes them (with padding where the alphabet pads). The
//! output has no line breaks.

transform_common::export_transform!(Base64Encode);

use transform_common::Transform;

use base64::Engine as _;
use base64::engine::{GeneralPurpose, general_purpose};

/// The base64 engine named by a config string (the alphabets of RFC 4648).
fn engine_for(config: &str) -> Result<GeneralPurpose, String> {
    Ok(match config.trim() {
        "" | "standard" => general_purpose::STANDARD,
        "standard-no-pad" => general_purpose::STANDARD_NO_PAD,
        "url-safe" => general_purpose::URL_SAFE,
        "url-safe-no-pad" => general_purpose::URL_SAFE_NO_PAD,
        other => {
            return Err(format!(
                "unknown alphabet `{other}`: expected standard, standard-no-pad, url-safe or url-safe-no-pad"
            ));
        }
    })
}

/// Encoding state: bytes that do not yet fill a 3-byte group.
pub struct Base64Encode {
    engine: GeneralPurpose,
    pending: Vec<u8>,
}

impl Transform for Base64Encode {
    fn from_config(config: &str) -> Result<Self, String> {
        Ok(Base64Encode {
            engine: engine_for(config)?,
            pending: Vec::with_capacity(3),
        })
    }

    fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        if !self.pending.is_empty() {
            let take = (3 - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() < 3 {
                return Ok(());
            }
            encode_into(&self.engine, &self.pending, out);
            self.pending.clear();
        }
        let whole = input.len() / 3 * 3;
        encode_into(&self.engine, &input[..whole], out);
        self.pending.extend_from_slice(&input[whole..]);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        encode_into(&self.engine, &self.pending, out);
        self.pending.clear();
        Ok(())
    }
}

/// Appends the encoding of `bytes` to `out`.
fn encode_into(engine: &GeneralPurpose, bytes: &[u8], out: &mut Vec<u8>) {
    if bytes.is_empty() {
        return;
    }
    let start = out.len();
    // Encoded length of n bytes is at most 4 * ceil(n / 3).
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let written = engine
        .encode_slice(bytes, &mut out[start..])
        .expect("the buffer was sized for the encoding");
    out.truncate(start + written);
}

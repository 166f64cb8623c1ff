//! A base64 decoder (`example:pipeline@1.0.0`, world `transform-component`).
//!
//! Config: the alphabet, as for `transform-base64-encode`. ASCII whitespace (line breaks
//! included) is skipped anywhere; everything else must be in the alphabet. Characters are
//! decoded four at a time; end of input decodes the last group, which must be padded when
//! the alphabet pads. Data after padding is an error, as for a one-shot decode.

transform_common::export_transform!(Base64Decode);

use transform_common::Transform;

use base64::engine::{GeneralPurpose, general_purpose};
use base64::{DecodeError, Engine as _};

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

/// Decoding state.
pub struct Base64Decode {
    engine: GeneralPurpose,
    /// Characters (whitespace removed) that do not yet fill a 4-character group.
    pending: Vec<u8>,
    /// Characters decoded so far, to give error positions in the whole input.
    decoded: u64,
    /// A group with padding was decoded: the data has ended.
    padded: bool,
}

impl Transform for Base64Decode {
    fn from_config(config: &str) -> Result<Self, String> {
        Ok(Base64Decode {
            engine: engine_for(config)?,
            pending: Vec::with_capacity(4),
            decoded: 0,
            padded: false,
        })
    }

    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        self.pending
            .extend(input.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        self.check_not_after_padding()?;
        let whole = self.pending.len() / 4 * 4;
        if whole > 0 {
            self.decode_into(whole, out)?;
            self.padded = self.pending[whole - 1] == b'=';
            self.pending.drain(..whole);
            self.check_not_after_padding()?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        let len = self.pending.len();
        if len > 0 {
            self.decode_into(len, out)?;
            self.pending.clear();
        }
        Ok(())
    }
}

impl Base64Decode {
    /// Padding ends base64 data; anything after it is an error, as in a one-shot decode.
    fn check_not_after_padding(&self) -> Result<(), String> {
        if self.padded && !self.pending.is_empty() {
            return Err(format!(
                "base64: data after the padding that ended the input, at character {}",
                self.decoded
            ));
        }
        Ok(())
    }

    /// Decodes `pending[..len]` (whole groups, or the final group) onto `out`.
    fn decode_into(&mut self, len: usize, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        out.resize(start + len.div_ceil(4) * 3, 0);
        match self
            .engine
            .decode_slice(&self.pending[..len], &mut out[start..])
        {
            Ok(written) => {
                out.truncate(start + written);
                self.decoded += len as u64;
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(self.describe(e))
            }
        }
    }

    /// An error message with positions counted in the whole input (whitespace skipped).
    fn describe(&self, error: base64::DecodeSliceError) -> String {
        let at = |offset: usize| self.decoded + offset as u64;
        match error {
            base64::DecodeSliceError::DecodeError(DecodeError::InvalidByte(offset, byte)) => {
                format!(
                    "base64: invalid byte {:?} at character {} (whitespace not counted)",
                    char::from(byte),
                    at(offset)
                )
            }
            base64::DecodeSliceError::DecodeError(DecodeError::InvalidLastSymbol(offset, byte)) => {
                format!(
                    "base64: invalid last symbol {:?} at character {}: its unused bits are not zero",
                    char::from(byte),
                    at(offset)
                )
            }
            other => format!("base64: {other}"),
        }
    }
}

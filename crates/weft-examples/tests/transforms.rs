//! The five `example:pipeline` transforms (`guests/transform-*`): each fed its input whole,
//! one byte at a time and in random chunkings, and compared with the native crate it wraps
//! (flate2, byte for byte, base64, regex), plus the end-of-input protocol and `reset`.

mod common;

use std::io::{Read, Write};

use anyhow::Result;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use common::{Rng, bytes_json, call, err, handle, json_bytes, ok, session};
use serde_json::json;
use weft_runtime::Session;

/// A processor with `config` in `session`.
fn processor(session: &mut Session, config: &str) -> Result<String> {
    handle(call(session, "processor", json!([config]))?)
}

fn process(session: &mut Session, processor: &str, chunk: &[u8]) -> Result<Vec<u8>> {
    json_bytes(&ok(call(
        session,
        &format!("{processor}.process"),
        json!([bytes_json(chunk)]),
    )?)?)
}

/// Feeds `chunks` then the empty end-of-input chunk; returns all output.
fn stream(session: &mut Session, processor: &str, chunks: &[&[u8]]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(process(session, processor, chunk)?);
    }
    out.extend(process(session, processor, &[])?);
    Ok(out)
}

/// Runs `input` through a fresh processor in several random chunkings, checking that
/// every chunking gives what `check` accepts.
fn each_chunking(
    session: &mut Session,
    config: &str,
    input: &[u8],
    seed: u64,
    check: impl Fn(&[u8]),
) -> Result<()> {
    let mut rng = Rng::new(seed);
    // Whole, then one byte at a time over all of it (every boundary a transform has).
    let mut chunkings = vec![vec![input], input.chunks(1).collect::<Vec<_>>()];
    for max in [7, 100, 4096] {
        chunkings.push(rng.chunks(input, max));
    }
    for chunks in chunkings {
        let p = processor(session, config)?;
        let out = stream(session, &p, &chunks)?;
        check(&out);
        session.drop_handle(&p)?;
    }
    Ok(())
}

/// Text with some structure (compressible, with lines) and some random bytes.
fn sample(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut data = Vec::new();
    for i in 0..400 {
        let word = ["alpha", "beta", "gamma", "delta", "ERROR", "warn"][rng.below(6)];
        data.extend(format!("{i:04} {word} line with some text {}\n", rng.below(1000)).bytes());
    }
    data.extend(rng.bytes(3000));
    data.extend(b"last line without a newline ERROR");
    data
}

fn native_gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("the component's output is valid gzip");
    out
}

fn native_gzip(bytes: &[u8]) -> Vec<u8> {
    native_gzip_at(bytes, flate2::Compression::default())
}

/// What flate2 itself writes for `bytes` at `level`, with the settings `transform-gzip`
/// uses: `GzEncoder::new` (default header: no name, mtime 0, OS 255) in one write.
fn native_gzip_at(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

#[test]
fn gzip_matches_flate2_byte_for_byte() -> Result<()> {
    use flate2::Compression;
    let mut session = session(weft_test_guests::TRANSFORM_GZIP)?;
    let input = sample(1);
    // The component's config and the level transform-gzip maps it to.
    for (config, level) in [
        ("", Compression::default()),
        ("0", Compression::none()),
        ("1", Compression::new(1)),
        ("9", Compression::new(9)),
        ("best", Compression::best()),
        ("fast", Compression::fast()),
    ] {
        let expected = native_gzip_at(&input, level);
        assert_eq!(native_gunzip(&expected), input);
        // However the input is cut, the stream is the one flate2 writes in one go.
        each_chunking(&mut session, config, &input, 10, |out| {
            assert!(
                out == expected,
                "config {config:?}: {} bytes differ from flate2's {}",
                out.len(),
                expected.len()
            );
        })?;
    }
    // The levels differ, so the comparison above tells them apart.
    assert_ne!(
        native_gzip_at(&input, Compression::new(1)),
        native_gzip_at(&input, Compression::new(9))
    );
    // Level 9 compresses the text part well below its size.
    let p = processor(&mut session, "9")?;
    let compressed = stream(&mut session, &p, &[&input])?;
    assert!(
        compressed.len() < input.len() / 2,
        "{} of {}",
        compressed.len(),
        input.len()
    );
    // An empty stream is flate2's empty gzip member.
    let p = processor(&mut session, "")?;
    assert_eq!(stream(&mut session, &p, &[])?, native_gzip(b""));
    let p = processor(&mut session, "10")?;
    let message = err(call(&mut session, &format!("{p}.process"), json!([[1]]))?)?;
    assert!(message.contains("invalid config \"10\""), "{message}");
    Ok(())
}

#[test]
fn gunzip_matches_flate2() -> Result<()> {
    let mut session = session(weft_test_guests::TRANSFORM_GUNZIP)?;
    let first = sample(2);
    let second = b"a second member".to_vec();
    let mut members = native_gzip(&first);
    members.extend(native_gzip(&second));
    let expected = [first.clone(), second].concat();
    each_chunking(&mut session, "", &members, 20, |out| {
        assert_eq!(out, expected)
    })?;
    let p = processor(&mut session, "")?;
    assert_eq!(
        stream(&mut session, &p, &[])?,
        b"",
        "no input decodes to nothing"
    );

    // A truncated stream fails at end of input; garbage fails when it arrives.
    let whole = native_gzip(&first);
    let p = processor(&mut session, "")?;
    process(&mut session, &p, &whole[..whole.len() - 5])?;
    let message = err(call(&mut session, &format!("{p}.process"), json!([[]]))?)?;
    assert!(message.contains("truncated"), "{message}");
    let p = processor(&mut session, "")?;
    let message = err(call(
        &mut session,
        &format!("{p}.process"),
        json!([bytes_json(b"plain text, not gzip")]),
    )?)?;
    assert!(message.starts_with("gunzip:"), "{message}");
    Ok(())
}

#[test]
fn base64_encode_matches_the_base64_crate() -> Result<()> {
    let mut session = session(weft_test_guests::TRANSFORM_BASE64_ENCODE)?;
    let input = sample(3);
    for (config, engine) in [
        ("", STANDARD),
        ("standard-no-pad", STANDARD_NO_PAD),
        ("url-safe", URL_SAFE),
        ("url-safe-no-pad", URL_SAFE_NO_PAD),
    ] {
        let expected = engine.encode(&input);
        each_chunking(&mut session, config, &input, 30, |out| {
            assert_eq!(String::from_utf8_lossy(out), expected, "config {config:?}");
        })?;
        // Every length modulo 3, each split everywhere.
        for len in 0..=7 {
            let short = &input[..len];
            for split in 0..=len {
                let p = processor(&mut session, config)?;
                let (a, b) = short.split_at(split);
                let chunks: Vec<&[u8]> = [a, b].into_iter().filter(|c| !c.is_empty()).collect();
                let out = stream(&mut session, &p, &chunks)?;
                assert_eq!(
                    String::from_utf8(out)?,
                    engine.encode(short),
                    "{config:?} {len} {split}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn base64_decode_matches_the_base64_crate() -> Result<()> {
    let mut session = session(weft_test_guests::TRANSFORM_BASE64_DECODE)?;
    let input = sample(4);
    for (config, engine) in [("", STANDARD), ("url-safe-no-pad", URL_SAFE_NO_PAD)] {
        // MIME-style lines of 76 characters: whitespace is skipped.
        let encoded = engine.encode(&input);
        let wrapped: Vec<u8> = encoded
            .as_bytes()
            .chunks(76)
            .flat_map(|line| [line, b"\r\n"].concat())
            .collect();
        each_chunking(&mut session, config, &wrapped, 40, |out| {
            assert_eq!(out, input)
        })?;
    }

    let failures: [(&[u8], &str); 4] = [
        (b"QUJD!EVG", "invalid byte '!' at character 4"),
        (b"QQ==QUJD", "data after the padding"),
        (b"QUJDRA", "base64:"),
        (b"QUJDR", "base64:"),
    ];
    for (text, expected) in failures {
        assert!(
            STANDARD.decode(text).is_err(),
            "the native decoder refuses {text:?} too"
        );
        let p = processor(&mut session, "")?;
        let mut message = None;
        for chunk in text.chunks(3).chain([&[][..]]) {
            let result = call(
                &mut session,
                &format!("{p}.process"),
                json!([bytes_json(chunk)]),
            )?;
            if result["tag"] == json!("err") {
                message = Some(err(result)?);
                break;
            }
        }
        let message = message.unwrap_or_else(|| panic!("{text:?} decoded"));
        assert!(message.contains(expected), "{text:?}: {message}");
    }
    Ok(())
}

/// What `grep` keeps: every line (with its `\n`) that the regex matches, on the line
/// without its `\n`.
fn native_grep(input: &[u8], regex: &regex::bytes::Regex, invert: bool) -> Vec<u8> {
    input
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| regex.is_match(line.strip_suffix(b"\n").unwrap_or(line)) != invert)
        .flatten()
        .copied()
        .collect()
}

#[test]
fn grep_matches_the_regex_crate() -> Result<()> {
    let mut session = session(weft_test_guests::TRANSFORM_GREP)?;
    let input = sample(5);
    let cases = [
        ("ERROR", regex::bytes::Regex::new("ERROR")?, false),
        (
            r"^\d{3}[02468] (alpha|beta)",
            regex::bytes::Regex::new(r"^\d{3}[02468] (alpha|beta)")?,
            false,
        ),
        (
            r#"{"pattern": "error|WARN", "ignore-case": true, "invert": true}"#,
            regex::bytes::RegexBuilder::new("error|WARN")
                .case_insensitive(true)
                .build()?,
            true,
        ),
        // `$` must match at the end of the last line, which has no `\n`.
        ("ERROR$", regex::bytes::Regex::new("ERROR$")?, false),
    ];
    for (config, regex, invert) in cases {
        let expected = native_grep(&input, &regex, invert);
        assert!(
            !expected.is_empty(),
            "{config}: the sample should have matches"
        );
        each_chunking(&mut session, config, &input, 50, |out| {
            assert_eq!(out, expected, "config {config}");
        })?;
    }
    let p = processor(&mut session, "(unclosed")?;
    let message = err(call(&mut session, &format!("{p}.process"), json!([[10]]))?)?;
    assert!(message.contains("unclosed group"), "{message}");
    Ok(())
}

#[test]
fn end_of_input_and_reset_follow_the_protocol() -> Result<()> {
    let mut session = session(weft_test_guests::TRANSFORM_GZIP)?;
    let p = processor(&mut session, "")?;
    let first = stream(&mut session, &p, &[b"hello"])?;
    assert_eq!(native_gunzip(&first), b"hello");
    // Ended: an empty chunk returns nothing, data is refused until reset.
    assert_eq!(process(&mut session, &p, &[])?, b"");
    let message = err(call(&mut session, &format!("{p}.process"), json!([[1]]))?)?;
    assert!(message.contains("call reset"), "{message}");
    call(&mut session, &format!("{p}.reset"), json!([]))?;
    let second = stream(&mut session, &p, &[b"hel", b"lo"])?;
    assert_eq!(native_gunzip(&second), b"hello");

    // Reset mid-stream discards the half-done stream.
    let mut session = common::session(weft_test_guests::TRANSFORM_GREP)?;
    let p = processor(&mut session, "keep")?;
    assert_eq!(process(&mut session, &p, b"keep this but ")?, b"");
    call(&mut session, &format!("{p}.reset"), json!([]))?;
    assert_eq!(stream(&mut session, &p, &[b"drop\nkeep\n"])?, b"keep\n");
    let report = session.finish();
    assert!(report.leaked.is_empty(), "{report:?}");
    Ok(())
}

//! `guests/image-filters` (world `example:image-processor/image-processor`): each filter
//! against a reference computed here in floating point, plus the error cases.

mod common;

use anyhow::Result;
use common::{Rng, call, err, ok, session};
use serde_json::{Value, json};

/// An RGBA pixel as the test keeps it.
type Px = [u8; 4];

fn pixels_json(pixels: &[Px]) -> Value {
    pixels
        .iter()
        .map(|[r, g, b, a]| json!({"r": r, "g": g, "b": b, "a": a}))
        .collect()
}

fn json_pixels(value: &Value) -> Vec<Px> {
    value
        .as_array()
        .expect("a list of pixels")
        .iter()
        .map(|p| {
            let channel = |name: &str| p[name].as_u64().expect("a channel") as u8;
            [channel("r"), channel("g"), channel("b"), channel("a")]
        })
        .collect()
}

fn random_image(rng: &mut Rng, len: usize) -> Vec<Px> {
    (0..len)
        .map(|_| [rng.byte(), rng.byte(), rng.byte(), rng.byte()])
        .collect()
}

/// Rounds half away from zero and clamps to a channel, as the WIT documents.
fn channel(value: f64) -> u8 {
    value.round().clamp(0.0, 255.0) as u8
}

fn reference_grayscale(p: Px) -> Px {
    // Dividing the exact integer sum by 1000 makes every .5 exact in f64.
    let luma = channel(
        f64::from(299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000.0,
    );
    [luma, luma, luma, p[3]]
}

fn reference_sepia(p: Px) -> Px {
    let [r, g, b] = [p[0], p[1], p[2]].map(u32::from);
    let weigh = |wr: u32, wg: u32, wb: u32| channel(f64::from(wr * r + wg * g + wb * b) / 1000.0);
    [
        weigh(393, 769, 189),
        weigh(349, 686, 168),
        weigh(272, 534, 131),
        p[3],
    ]
}

/// A 3x3 convolution with clamp-to-edge sampling, written independently of the guest.
fn reference_convolve(image: &[Px], width: usize, kernel: [[f64; 3]; 3], divisor: f64) -> Vec<Px> {
    let height = image.len() / width;
    let at = |x: isize, y: isize| {
        let x = x.clamp(0, width as isize - 1) as usize;
        let y = y.clamp(0, height as isize - 1) as usize;
        image[y * width + x]
    };
    let mut out = Vec::new();
    for y in 0..height as isize {
        for x in 0..width as isize {
            let mut sum = [0.0f64; 3];
            for dy in -1..=1isize {
                for dx in -1..=1isize {
                    let weight = kernel[(dy + 1) as usize][(dx + 1) as usize];
                    let p = at(x + dx, y + dy);
                    for c in 0..3 {
                        sum[c] += weight * f64::from(p[c]);
                    }
                }
            }
            let centre = at(x, y);
            out.push([
                channel(sum[0] / divisor),
                channel(sum[1] / divisor),
                channel(sum[2] / divisor),
                centre[3],
            ]);
        }
    }
    out
}

const BLUR: [[f64; 3]; 3] = [[1.0; 3]; 3];
const SHARPEN: [[f64; 3]; 3] = [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]];

#[test]
fn point_filters_match_the_reference_on_random_pixels() -> Result<()> {
    let mut session = session(weft_test_guests::IMAGE_FILTERS)?;
    let mut rng = Rng::new(1);
    // 1000 pixels: not a square, which point filters do not care about.
    let image = random_image(&mut rng, 1000);
    let gray = ok(call(
        &mut session,
        "apply-filter",
        json!([pixels_json(&image), "grayscale"]),
    )?)?;
    let expected: Vec<Px> = image.iter().map(|&p| reference_grayscale(p)).collect();
    assert_eq!(json_pixels(&gray), expected);
    let sepia = ok(call(
        &mut session,
        "apply-filter",
        json!([pixels_json(&image), "sepia"]),
    )?)?;
    let expected: Vec<Px> = image.iter().map(|&p| reference_sepia(p)).collect();
    assert_eq!(json_pixels(&sepia), expected);
    Ok(())
}

#[test]
fn known_values() -> Result<()> {
    let mut session = session(weft_test_guests::IMAGE_FILTERS)?;
    // Pure red: luma 0.299 * 255 = 76.245; white through sepia: blue 0.937 * 255 = 238.935.
    let text = session.call_wave("apply-filter([{r: 255, g: 0, b: 0, a: 7}], grayscale)")?;
    assert_eq!(text, "ok([{r: 76, g: 76, b: 76, a: 7}])");
    let text = session.call_wave("apply-filter([{r: 255, g: 255, b: 255, a: 255}], sepia)")?;
    assert_eq!(text, "ok([{r: 255, g: 255, b: 239, a: 255}])");
    // A single dark pixel in a white 3x3 image: the blur spreads it evenly to all.
    let mut image = vec![[255, 255, 255, 255]; 9];
    image[4] = [0, 0, 0, 10];
    let blurred = json_pixels(&ok(call(
        &mut session,
        "apply-filter",
        json!([pixels_json(&image), "blur"]),
    )?)?);
    // Corner (0,0) sees the centre once among 9 samples: 8 * 255 / 9 = 226.67.
    assert_eq!(blurred[0], [227, 227, 227, 255]);
    // The centre sees itself once too, and keeps its own alpha.
    assert_eq!(blurred[4], [227, 227, 227, 10]);
    Ok(())
}

#[test]
fn convolutions_match_the_reference_with_edges_clamped() -> Result<()> {
    let mut session = session(weft_test_guests::IMAGE_FILTERS)?;
    let mut rng = Rng::new(2);
    for (width, height) in [(7, 5), (1, 6), (6, 1), (1, 1), (2, 2), (16, 9)] {
        let image = random_image(&mut rng, width * height);
        for (name, kernel, divisor) in [("blur", BLUR, 9.0), ("sharpen", SHARPEN, 1.0)] {
            let out = ok(call(
                &mut session,
                "apply-filter-sized",
                json!([pixels_json(&image), width, name]),
            )?)?;
            assert_eq!(
                json_pixels(&out),
                reference_convolve(&image, width, kernel, divisor),
                "{name} on {width}x{height}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_square_image_needs_no_width() -> Result<()> {
    let mut session = session(weft_test_guests::IMAGE_FILTERS)?;
    let image = random_image(&mut Rng::new(3), 36);
    for name in ["blur", "sharpen"] {
        let inferred = ok(call(
            &mut session,
            "apply-filter",
            json!([pixels_json(&image), name]),
        )?)?;
        let sized = ok(call(
            &mut session,
            "apply-filter-sized",
            json!([pixels_json(&image), 6, name]),
        )?)?;
        assert_eq!(inferred, sized, "{name}");
    }
    Ok(())
}

#[test]
fn a_uniform_image_is_unchanged_by_convolutions() -> Result<()> {
    let mut session = session(weft_test_guests::IMAGE_FILTERS)?;
    let image = vec![[12, 200, 99, 128]; 20];
    for name in ["blur", "sharpen"] {
        let out = ok(call(
            &mut session,
            "apply-filter-sized",
            json!([pixels_json(&image), 5, name]),
        )?)?;
        assert_eq!(json_pixels(&out), image, "{name}");
    }
    Ok(())
}

#[test]
fn bad_input_is_an_error() -> Result<()> {
    let mut session = session(weft_test_guests::IMAGE_FILTERS)?;
    let image = pixels_json(&random_image(&mut Rng::new(4), 10));
    for filter in ["grayscale", "sepia", "blur", "sharpen"] {
        let message = err(call(&mut session, "apply-filter", json!([[], filter]))?)?;
        assert!(message.contains("empty"), "{message}");
        let message = err(call(
            &mut session,
            "apply-filter-sized",
            json!([[], 1, filter]),
        )?)?;
        assert!(message.contains("empty"), "{message}");
    }
    // 10 pixels are not a square: convolutions need the width.
    let message = err(call(
        &mut session,
        "apply-filter",
        json!([image.clone(), "blur"]),
    )?)?;
    assert!(message.contains("apply-filter-sized"), "{message}");
    let message = err(call(
        &mut session,
        "apply-filter-sized",
        json!([image.clone(), 0, "sharpen"]),
    )?)?;
    assert!(message.contains("width"), "{message}");
    let message = err(call(
        &mut session,
        "apply-filter-sized",
        json!([image.clone(), 3, "blur"]),
    )?)?;
    assert!(message.contains("width 3"), "{message}");
    // Point filters accept any length.
    ok(call(&mut session, "apply-filter", json!([image, "sepia"]))?)?;
    Ok(())
}

//! The seed's image filters (`example:image-processor@1.0.0`, world `image-processor`).
//!
//! Images are row-major lists of RGBA pixels. Point filters (grayscale, sepia) work on any
//! non-empty list; the 3x3 convolutions (blur, sharpen) need the width, which
//! `apply-filter` infers for square images and `apply-filter-sized` takes explicitly.
//! Every filter keeps alpha; convolutions repeat the edge rows and columns outside the
//! image ("clamp to edge"), so the output has the input's size.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/image-processor",
        world: "example:image-processor/image-processor@1.0.0",
    });
}

use bindings::exports::example::image_processor::filters::{FilterType, Guest, Pixel};

/// The component's export implementation.
struct ImageFilters;

impl Guest for ImageFilters {
    fn apply_filter(pixels: Vec<Pixel>, filter: FilterType) -> Result<Vec<Pixel>, String> {
        if pixels.is_empty() {
            return Err("the image is empty: give at least one pixel".to_owned());
        }
        let width = match filter {
            FilterType::Grayscale | FilterType::Sepia => pixels.len(),
            FilterType::Blur | FilterType::Sharpen => {
                square_side(pixels.len()).ok_or_else(|| {
                    format!(
                        "{} needs the image width, and {} pixels do not form a square image; \
                     call apply-filter-sized with the width",
                        filter_name(filter),
                        pixels.len()
                    )
                })?
            }
        };
        filter_image(&pixels, width, filter)
    }

    fn apply_filter_sized(
        pixels: Vec<Pixel>,
        width: u32,
        filter: FilterType,
    ) -> Result<Vec<Pixel>, String> {
        if pixels.is_empty() {
            return Err("the image is empty: give at least one pixel".to_owned());
        }
        let width = usize::try_from(width).map_err(|_| "width does not fit in memory")?;
        if width == 0 {
            return Err("width must be at least 1".to_owned());
        }
        if !pixels.len().is_multiple_of(width) {
            return Err(format!(
                "{} pixels do not form rows of width {width} ({} pixels are left over)",
                pixels.len(),
                pixels.len() % width
            ));
        }
        filter_image(&pixels, width, filter)
    }
}

/// The side of a square image of `len` pixels, if `len` is a perfect square.
fn square_side(len: usize) -> Option<usize> {
    // The float root is exact for every perfect square below 2^52; check around it anyway.
    let guess = (len as f64).sqrt() as usize;
    (guess.saturating_sub(1)..=guess + 1).find(|side| side.checked_mul(*side) == Some(len))
}

/// The filter's WIT name, for messages.
fn filter_name(filter: FilterType) -> &'static str {
    match filter {
        FilterType::Grayscale => "grayscale",
        FilterType::Sepia => "sepia",
        FilterType::Blur => "blur",
        FilterType::Sharpen => "sharpen",
    }
}

/// Applies `filter` to a validated image of `width` columns (`pixels.len() % width == 0`).
fn filter_image(pixels: &[Pixel], width: usize, filter: FilterType) -> Result<Vec<Pixel>, String> {
    Ok(match filter {
        FilterType::Grayscale => pixels.iter().map(|&p| grayscale(p)).collect(),
        FilterType::Sepia => pixels.iter().map(|&p| sepia(p)).collect(),
        FilterType::Blur => convolve(pixels, width, &BLUR),
        FilterType::Sharpen => convolve(pixels, width, &SHARPEN),
    })
}

/// `numerator / denominator` rounded half away from zero, clamped to a channel value.
/// `denominator` is positive.
fn round_div_clamp(numerator: i64, denominator: i64) -> u8 {
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    rounded.clamp(0, 255) as u8
}

/// BT.601 luma in thousandths, exact in integers so results do not depend on float rounding.
fn grayscale(p: Pixel) -> Pixel {
    let luma = round_div_clamp(
        299 * i64::from(p.r) + 587 * i64::from(p.g) + 114 * i64::from(p.b),
        1000,
    );
    Pixel {
        r: luma,
        g: luma,
        b: luma,
        a: p.a,
    }
}

/// The common sepia matrix (as in Microsoft's and most image editors' sepia), in thousandths.
const SEPIA: [[i64; 3]; 3] = [[393, 769, 189], [349, 686, 168], [272, 534, 131]];

fn sepia(p: Pixel) -> Pixel {
    let rgb = [i64::from(p.r), i64::from(p.g), i64::from(p.b)];
    let channel =
        |row: [i64; 3]| round_div_clamp(row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2], 1000);
    Pixel {
        r: channel(SEPIA[0]),
        g: channel(SEPIA[1]),
        b: channel(SEPIA[2]),
        a: p.a,
    }
}

/// A 3x3 integer kernel and the divisor its weighted sum is divided by.
struct Kernel {
    weights: [[i64; 3]; 3],
    divisor: i64,
}

/// Box blur: the mean of the 3x3 neighbourhood.
const BLUR: Kernel = Kernel {
    weights: [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
    divisor: 9,
};

/// Sharpen: the pixel plus its difference from its four direct neighbours.
const SHARPEN: Kernel = Kernel {
    weights: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    divisor: 1,
};

/// Convolves r, g and b with `kernel`, clamping coordinates to the image (edge pixels repeat)
/// and keeping each pixel's alpha.
fn convolve(pixels: &[Pixel], width: usize, kernel: &Kernel) -> Vec<Pixel> {
    let height = pixels.len() / width;
    let mut out = Vec::with_capacity(pixels.len());
    for y in 0..height {
        for x in 0..width {
            let mut sum = [0i64; 3];
            for (ky, row) in kernel.weights.iter().enumerate() {
                // ky/kx are 0..3, so y + ky - 1 never underflows after saturating_sub.
                let sy = (y + ky).saturating_sub(1).min(height - 1);
                for (kx, &weight) in row.iter().enumerate() {
                    if weight == 0 {
                        continue;
                    }
                    let sx = (x + kx).saturating_sub(1).min(width - 1);
                    let p = pixels[sy * width + sx];
                    sum[0] += weight * i64::from(p.r);
                    sum[1] += weight * i64::from(p.g);
                    sum[2] += weight * i64::from(p.b);
                }
            }
            out.push(Pixel {
                r: round_div_clamp(sum[0], kernel.divisor),
                g: round_div_clamp(sum[1], kernel.divisor),
                b: round_div_clamp(sum[2], kernel.divisor),
                a: pixels[y * width + x].a,
            });
        }
    }
    out
}

bindings::export!(ImageFilters with_types_in bindings);

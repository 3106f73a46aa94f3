//! The logo a sponsor sends to be printed on its passes: a PNG or a JPEG,
//! checked by its content (not its name), capped in size, and made ready
//! for a PDF (a JPEG as it is, a PNG decoded and laid on white).

pub use crate::domain::order_way::MAX_LOGO_BYTES;
/// The most pixels on a side: a logo is printed a few centimetres wide.
const MAX_SIDE: u32 = 4_000;

/// A logo ready to be drawn in a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    pub pixels: Pixels,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pixels {
    /// The JPEG file itself (PDF readers decode it), and its colour
    /// components (1 grey, 3 RGB, 4 CMYK).
    Jpeg { bytes: Vec<u8>, components: u8 },
    /// RGB, 8 bits a component, zlib-deflated.
    Rgb { deflated: Vec<u8> },
}

/// The logo's type as stored: `image/png` or `image/jpeg`.
pub fn content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Reads a logo, or says in French why it cannot be printed.
pub fn read_logo(bytes: &[u8]) -> Result<Logo, String> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!("Le logo pèse plus de {} Ko : réduisez-le.", MAX_LOGO_BYTES / 1024));
    }
    let unreadable = || "Le logo n'a pas pu être lu : envoyez une image PNG ou JPEG.".to_owned();
    let logo = match content_type(bytes) {
        Some("image/png") => read_png(bytes).ok_or_else(unreadable)?,
        Some(_) => read_jpeg(bytes).ok_or_else(unreadable)?,
        None => return Err("Le logo doit être une image PNG ou JPEG.".into()),
    };
    if logo.width == 0 || logo.height == 0 || logo.width > MAX_SIDE || logo.height > MAX_SIDE {
        return Err(format!("Le logo doit mesurer au plus {MAX_SIDE} pixels de côté."));
    }
    Ok(logo)
}

/// A PNG of any colour type and depth, as 8-bit RGB on white.
fn read_png(bytes: &[u8]) -> Option<Logo> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_SIDE || height > MAX_SIDE {
        return Some(Logo { width, height, pixels: Pixels::Rgb { deflated: Vec::new() } });
    }
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).ok()?;
    let data = &buffer[..frame.buffer_size()];
    let on_white = |value: u8, alpha: u8| {
        let (v, a) = (u16::from(value), u16::from(alpha));
        u8::try_from((v * a + 255 * (255 - a)) / 255).unwrap_or(u8::MAX)
    };
    let pixels = usize::try_from(u64::from(width) * u64::from(height)).ok()?;
    let mut rgb = Vec::with_capacity(pixels * 3);
    match frame.color_type {
        png::ColorType::Rgb => rgb.extend_from_slice(data),
        png::ColorType::Rgba => {
            for p in data.chunks_exact(4) {
                rgb.extend([on_white(p[0], p[3]), on_white(p[1], p[3]), on_white(p[2], p[3])]);
            }
        }
        png::ColorType::Grayscale => data.iter().for_each(|&g| rgb.extend([g, g, g])),
        png::ColorType::GrayscaleAlpha => {
            for p in data.chunks_exact(2) {
                let g = on_white(p[0], p[1]);
                rgb.extend([g, g, g]);
            }
        }
        png::ColorType::Indexed => return None,
    }
    if rgb.len() != pixels * 3 {
        return None;
    }
    Some(Logo { width, height, pixels: Pixels::Rgb { deflated: miniz_oxide::deflate::compress_to_vec_zlib(&rgb, 6) } })
}

/// A baseline or progressive JPEG's size and components, from its frame
/// header; the bytes are kept as they are.
fn read_jpeg(bytes: &[u8]) -> Option<Logo> {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // Start of frame: baseline, extended, progressive (not lossless or arithmetic).
        if matches!(marker, 0xC0..=0xC2) {
            let header = bytes.get(at + 4..at + 2 + length)?;
            let height = u32::from(u16::from_be_bytes([*header.get(1)?, *header.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*header.get(3)?, *header.get(4)?]));
            let components = *header.get(5)?;
            if !matches!(components, 1 | 3 | 4) {
                return None;
            }
            return Some(Logo { width, height, pixels: Pixels::Jpeg { bytes: bytes.to_vec(), components } });
        }
        if marker == 0xDA || length < 2 {
            return None;
        }
        at += 2 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn a_transparent_png_is_laid_on_white() {
        // One opaque red pixel, one fully transparent one.
        let bytes = png_of(2, 1, png::ColorType::Rgba, &[255, 0, 0, 255, 0, 0, 0, 0]);
        assert_eq!(content_type(&bytes), Some("image/png"));
        let logo = read_logo(&bytes).unwrap();
        assert_eq!((logo.width, logo.height), (2, 1));
        let Pixels::Rgb { deflated } = logo.pixels else { panic!("a PNG becomes RGB") };
        let rgb = miniz_oxide::inflate::decompress_to_vec_zlib(&deflated).unwrap();
        assert_eq!(rgb, [255, 0, 0, 255, 255, 255]);
    }

    #[test]
    fn a_jpeg_keeps_its_bytes_and_tells_its_size() {
        // SOI, an APP0 segment, then a baseline frame header of 40 × 30, 3 components.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 30, 0x00, 40, 0x03]);
        jpeg.extend([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        let logo = read_logo(&jpeg).unwrap();
        assert_eq!((logo.width, logo.height), (40, 30));
        assert!(matches!(logo.pixels, Pixels::Jpeg { components: 3, .. }));
    }

    #[test]
    fn anything_else_is_refused_in_french() {
        assert_eq!(read_logo(b"GIF89a....").unwrap_err(), "Le logo doit être une image PNG ou JPEG.");
        assert!(read_logo(b"\x89PNG\r\n\x1a\nbroken").unwrap_err().contains("n'a pas pu être lu"));
        let big = vec![0xFF; MAX_LOGO_BYTES + 1];
        assert!(read_logo(&big).unwrap_err().contains("Ko"));
    }
}

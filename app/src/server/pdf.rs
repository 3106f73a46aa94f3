//! Documents the server writes as PDF: A4 pages of text in Helvetica (one of
//! the fonts every PDF reader has, so nothing is embedded), WinAnsi-encoded
//! so that French reads as French.

// Page geometry is in PostScript points (floats by nature); no amount of
// money is ever computed here: amounts arrive as text.
#![allow(clippy::float_arithmetic)]

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

const A4: (f32, f32) = (595.0, 842.0);
pub const MARGIN: f32 = 40.0;
/// zlib's fast level: most of the gain for little of the time (a month's
/// statements are thousands of PDFs written in one run).
const DEFLATE_LEVEL: u8 = 1;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// One piece of text on a page.
#[derive(Debug, Clone)]
pub struct Text {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub text: String,
    /// Drawn so that it ends at `x` (amounts in a column).
    pub right_aligned: bool,
}

/// A page being laid out, top to bottom.
#[derive(Debug, Default)]
pub struct Page {
    pub texts: Vec<Text>,
    /// Horizontal rules: x1, x2, y.
    pub rules: Vec<(f32, f32, f32)>,
    /// Filled black rectangles (a QR code's modules): x, y, width, height.
    pub fills: Vec<[f32; 4]>,
    /// Outlined rectangles, in thin dashes (where to cut): x, y, width, height.
    pub frames: Vec<[f32; 4]>,
    /// Thin solid lines from (x1, y1) to (x2, y2): a sheet's crop marks.
    pub lines: Vec<[f32; 4]>,
    /// Images of the document (their index in `render_with`'s list) drawn
    /// in a box: x, y, width, height.
    pub images: Vec<(usize, [f32; 4])>,
    /// A word printed large and grey across the page (« BAT — ne pas imprimer »).
    pub watermark: Option<String>,
}

impl Page {
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: impl Into<String>) {
        self.texts.push(Text { x, y, size, bold: false, text: text.into(), right_aligned: false });
    }

    pub fn bold(&mut self, x: f32, y: f32, size: f32, text: impl Into<String>) {
        self.texts.push(Text { x, y, size, bold: true, text: text.into(), right_aligned: false });
    }

    pub fn right(&mut self, x: f32, y: f32, size: f32, bold: bool, text: impl Into<String>) {
        self.texts.push(Text { x, y, size, bold, text: text.into(), right_aligned: true });
    }

    pub fn rule(&mut self, y: f32) {
        self.rules.push((MARGIN, A4.0 - MARGIN, y));
    }

    /// A QR code of `side` points whose bottom-left corner is at (x, y):
    /// each row's runs of dark modules as one rectangle.
    pub fn qr(&mut self, x: f32, y: f32, side: f32, qr: &crate::server::codes::QrMatrix) {
        let module = side / qr.width as f32;
        for row in 0..qr.width {
            let top = y + side - (row + 1) as f32 * module;
            let mut column = 0;
            while column < qr.width {
                if !qr.dark(row, column) {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < qr.width && qr.dark(row, column) {
                    column += 1;
                }
                self.fills.push([x + start as f32 * module, top, (column - start) as f32 * module, module]);
            }
        }
    }
}

/// A4's width and height, in points.
pub const PAGE_SIZE: (f32, f32) = A4;

/// The top of the writable area, and its bottom.
pub const TOP: f32 = A4.1 - MARGIN;
pub const BOTTOM: f32 = MARGIN + 20.0;

/// A document written top to bottom: lines of text, a table of priced
/// lines that breaks across pages, and a column of totals (the order's
/// summary, the invoices to sponsors).
pub struct Flow {
    pages: Vec<Page>,
    page: Page,
    y: f32,
}

/// The priced lines' columns: designation, quantity, unit price, VAT, amount.
const COLUMNS: [f32; 5] = [MARGIN, 360.0, 440.0, 500.0, A4.0 - MARGIN];
const ROW: f32 = 14.0;

impl Default for Flow {
    fn default() -> Self {
        Flow { pages: Vec::new(), page: Page::default(), y: TOP }
    }
}

impl Flow {
    pub fn title(&mut self, text: impl Into<String>) {
        self.page.bold(MARGIN, self.y, 16.0, text);
        self.y -= 24.0;
    }

    pub fn line(&mut self, size: f32, text: impl Into<String>) {
        self.page.text(MARGIN, self.y, size, text);
        self.y -= size + 4.0;
    }

    pub fn bold_line(&mut self, size: f32, text: impl Into<String>) {
        self.page.bold(MARGIN, self.y, size, text);
        self.y -= size + 4.0;
    }

    /// A sentence too long for one line, split at spaces.
    pub fn paragraph(&mut self, size: f32, text: &str) {
        let width = (110.0 * 8.0 / size) as usize;
        let mut current = String::new();
        for word in text.split_whitespace() {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                self.line(size, std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        if !current.is_empty() {
            self.line(size, current);
        }
    }

    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// Priced lines under their header: each row's designation, quantity,
    /// unit price, VAT and amount, as text; a new page when the page is
    /// full, keeping room below for the totals.
    pub fn priced_lines(&mut self, rows: impl IntoIterator<Item = [String; 5]>) {
        let c = COLUMNS;
        self.page.bold(c[0], self.y, 8.0, "Désignation");
        for (x, head) in [(c[1], "Quantité"), (c[2], "Prix unitaire HT"), (c[3], "TVA"), (c[4], "Montant HT")] {
            self.page.right(x, self.y, 8.0, true, head);
        }
        self.page.rule(self.y - 4.0);
        self.y -= ROW + 2.0;
        for [label, quantity, unit, vat, net] in rows {
            if self.y < BOTTOM + 12.0 * ROW {
                self.pages.push(std::mem::take(&mut self.page));
                self.y = TOP;
            }
            self.page.text(c[0], self.y, 8.0, clip(&label, 60));
            for (x, text) in [(c[1], quantity), (c[2], unit), (c[3], vat), (c[4], net)] {
                self.page.right(x, self.y, 8.0, false, text);
            }
            self.y -= ROW;
        }
        self.page.rule(self.y + 6.0);
        self.y -= 6.0;
    }

    /// Totals right-aligned under the table: label, amount, bold.
    pub fn totals(&mut self, rows: impl IntoIterator<Item = (String, String, bool)>) {
        for (label, amount, bold) in rows {
            self.page.right(COLUMNS[3], self.y, 9.0, bold, label);
            self.page.right(COLUMNS[4], self.y, 9.0, bold, amount);
            self.y -= ROW;
        }
    }

    pub fn finish(self, title: &str) -> Vec<u8> {
        render(title, &self.into_pages())
    }

    /// The pages laid out so far, to add others before rendering.
    pub fn into_pages(mut self) -> Vec<Page> {
        self.pages.push(self.page);
        self.pages
    }
}

/// Writes the pages, each with "page n / N" at its foot, and a title in the
/// document's information.
pub fn render(title: &str, pages: &[Page]) -> Vec<u8> {
    render_with(title, pages, &[])
}

/// Like `render`, with images the pages draw (`Page::images` index them).
pub fn render_with(title: &str, pages: &[Page], images: &[crate::server::images::Logo]) -> Vec<u8> {
    use crate::server::images::Pixels;
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(pdf_writer::TextStr(title)).producer(pdf_writer::TextStr("bons"));
    let first_image = first_page + 2 * pages.len() as i32;
    let image_names: Vec<String> = (0..images.len()).map(|i| format!("Im{i}")).collect();
    for (i, image) in images.iter().enumerate() {
        let id = Ref::new(first_image + i as i32);
        let (width, height) = (image.width as i32, image.height as i32);
        match &image.pixels {
            Pixels::Jpeg { bytes, components } => {
                let mut x = pdf.image_xobject(id, bytes);
                x.filter(Filter::DctDecode);
                x.width(width).height(height).bits_per_component(8);
                match components {
                    1 => x.color_space().device_gray(),
                    4 => x.color_space().device_cmyk(),
                    _ => x.color_space().device_rgb(),
                };
            }
            Pixels::Rgb { deflated } => {
                let mut x = pdf.image_xobject(id, deflated);
                x.filter(Filter::FlateDecode);
                x.width(width).height(height).bits_per_component(8);
                x.color_space().device_rgb();
            }
        }
    }

    for (i, page) in pages.iter().enumerate() {
        let id = page_ids[i];
        let contents = Ref::new(id.get() + 1);
        let mut p = pdf.page(id);
        p.media_box(Rect::new(0.0, 0.0, A4.0, A4.1)).parent(tree).contents(contents);
        let mut resources = p.resources();
        resources.fonts().pair(REGULAR, regular).pair(BOLD, bold);
        if !page.images.is_empty() {
            let mut objects = resources.x_objects();
            for (i, name) in image_names.iter().enumerate() {
                if page.images.iter().any(|&(index, _)| index == i) {
                    objects.pair(Name(name.as_bytes()), Ref::new(first_image + i as i32));
                }
            }
        }
        resources.finish();
        p.finish();

        let mut content = Content::new();
        content.set_line_width(0.5);
        for &(x1, x2, y) in &page.rules {
            content.move_to(x1, y).line_to(x2, y).stroke();
        }
        if !page.lines.is_empty() {
            content.save_state().set_line_width(0.25);
            for &[x1, y1, x2, y2] in &page.lines {
                content.move_to(x1, y1).line_to(x2, y2);
            }
            content.stroke().restore_state();
        }
        if !page.frames.is_empty() {
            content.save_state().set_dash_pattern([3.0, 3.0], 0.0);
            for &[x, y, w, h] in &page.frames {
                content.rect(x, y, w, h).stroke();
            }
            content.restore_state();
        }
        for &[x, y, w, h] in &page.fills {
            content.rect(x, y, w, h);
        }
        if !page.fills.is_empty() {
            content.fill_nonzero();
        }
        for &(index, [x, y, w, h]) in page.images.iter().filter(|(index, _)| *index < images.len()) {
            content.save_state().transform([w, 0.0, 0.0, h, x, y]).x_object(Name(image_names[index].as_bytes()));
            content.restore_state();
        }
        if let Some(mark) = &page.watermark {
            // Grey, turned 35°, across the middle of the page.
            let (sin, cos) = 35f32.to_radians().sin_cos();
            content.save_state().set_fill_gray(0.8);
            content.begin_text().set_font(BOLD, 44.0).set_text_matrix([cos, sin, -sin, cos, 110.0, 250.0]);
            content.show(Str(&win_ansi(mark))).end_text();
            content.restore_state();
        }
        let footer = format!("Page {} / {}", i + 1, pages.len());
        let footer =
            Text { x: A4.0 - MARGIN, y: MARGIN - 10.0, size: 8.0, bold: false, text: footer, right_aligned: true };
        for t in page.texts.iter().chain(std::iter::once(&footer)) {
            let x = if t.right_aligned { t.x - width(&t.text, t.size, t.bold) } else { t.x };
            content
                .begin_text()
                .set_font(if t.bold { BOLD } else { REGULAR }, t.size)
                .next_line(x, t.y)
                .show(Str(&win_ansi(&t.text)))
                .end_text();
        }
        // Deflated, as PDF writers do: a page of text operators shrinks to a
        // quarter, and statements are kept, emailed and downloaded.
        let deflated = miniz_oxide::deflate::compress_to_vec_zlib(&content.finish(), DEFLATE_LEVEL);
        pdf.stream(contents, &deflated).filter(Filter::FlateDecode);
    }
    pdf.finish()
}

/// The most one stream of an uploaded PDF may inflate to while it is read:
/// far above an invoice's, far below what would strain the server.
const MAX_INFLATED_STREAM: usize = 32 * 1024 * 1024;

/// Is `bytes` a PDF that readers open? It starts with `%PDF-`, ends with
/// `%%EOF` (within its last kilobyte, as writers leave it), and a PDF
/// library reads its structure (cross-reference, trailer, objects) down to
/// at least one page. A file that only starts like a PDF (HTML behind the
/// header, say) is not one.
pub fn is_readable_pdf(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"%PDF-") {
        return false;
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return false;
    }
    let options = lopdf::LoadOptions { max_decompressed_size: Some(MAX_INFLATED_STREAM), ..Default::default() };
    // The file is the sender's: a reader's panic on it is a refusal, not a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lopdf::Document::load_mem_with_options(bytes, options).is_ok_and(|doc| !doc.get_pages().is_empty())
    }))
    .unwrap_or(false)
}

/// The text in Windows-1252, the encoding the standard fonts read: Latin-1
/// as it is, the euro sign and typographic marks at their places; narrow
/// spaces become plain non-breaking ones; anything else a question mark.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{202f}' | '\u{2009}' => 0xa0,
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'œ' => 0x9c,
            'Œ' => 0x8c,
            '…' => 0x85,
            _ => b'?',
        })
        .collect()
}

/// The text cut to `max` characters, with an ellipsis when it was longer.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Width of a line of text in points, from Helvetica's metrics for the
/// characters of amounts and dates; other characters count as an average.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            '0'..='9' | '€' => 556,
            ' ' | '\u{a0}' | '\u{202f}' | ',' | '.' | '/' => 278,
            '-' => 333,
            _ if bold => 611,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_breaks_at_spaces_within_the_page() {
        let mut flow = Flow::default();
        let sentence = "mot ".repeat(60);
        flow.paragraph(8.0, &sentence);
        let lines: Vec<&str> = flow.page.texts.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 110 && !l.starts_with(' ') && !l.ends_with(' ')));
        assert_eq!(lines.join(" "), sentence.trim());
    }

    #[test]
    fn french_text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("Relevé : 42\u{a0}€"), b"Relev\xe9 : 42\xa0\x80".to_vec());
        assert_eq!(win_ansi("« Œuvre » — ✓"), b"\xab \x8cuvre \xbb \x97 ?".to_vec());
    }

    #[test]
    fn long_text_is_clipped_with_an_ellipsis() {
        assert_eq!(clip("Matériaux de l'Ouest", 40), "Matériaux de l'Ouest");
        assert_eq!(clip("Matériaux de l'Ouest", 9), "Matériau…");
    }

    #[test]
    fn a_document_has_its_pages_and_text() {
        let mut page = Page::default();
        page.bold(MARGIN, TOP, 16.0, "Relevé");
        page.right(300.0, TOP - 20.0, 10.0, false, "1 234,50\u{a0}€");
        let pdf = render("Essai", &[page, Page::default()]);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 2"), "two pages");
        assert!(text.contains("/FlateDecode"), "page contents are deflated");
        let contents = inflated_streams(&pdf);
        assert_eq!(contents.len(), 2, "one content stream per page");
        // "Relevé" in WinAnsi, written as a hex string (é is not ASCII).
        assert!(contents[0].contains("<52656C6576E9>"), "{}", contents[0]);
        assert!(contents[1].contains("(Page 2 / 2)"), "{}", contents[1]);
    }

    #[test]
    fn only_a_readable_pdf_passes_for_one() {
        let mut page = Page::default();
        page.text(MARGIN, TOP, 12.0, "Facture F-1");
        let real = render("Facture", &[page]);
        assert!(is_readable_pdf(&real));
        let html = b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n";
        assert!(!is_readable_pdf(html), "a header and an end do not make a PDF");
        let mut cut = real.clone();
        cut.truncate(real.len() / 2);
        assert!(!is_readable_pdf(&cut), "a file cut short has no %%EOF");
        let mut garbled = real.clone();
        garbled.splice(9..real.len() - 6, std::iter::repeat_n(b'x', 200));
        assert!(!is_readable_pdf(&garbled), "nothing readable between header and end");
        assert!(!is_readable_pdf(b"%PDF-"), "nothing at all");
        assert!(!is_readable_pdf(&[b'['; 4096]), "no header");
        let mut nested = b"%PDF-1.4\n1 0 obj\n".to_vec();
        nested.extend(std::iter::repeat_n(b'[', 200_000));
        nested.extend_from_slice(b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        assert!(!is_readable_pdf(&nested), "deep nesting is refused, not a stack overflow");
    }

    /// The PDF's streams, inflated, as text.
    fn inflated_streams(pdf: &[u8]) -> Vec<String> {
        let text = pdf.iter().map(|&b| b as char).collect::<String>();
        text.match_indices("stream\n")
            .filter(|(at, _)| !text[..*at].ends_with("end"))
            .map(|(at, _)| {
                let start = at + "stream\n".len();
                let end = start + text[start..].find("\nendstream").expect("end of stream");
                let bytes: Vec<u8> = text[start..end].chars().map(|c| c as u8).collect();
                let inflated = miniz_oxide::inflate::decompress_to_vec_zlib(&bytes).expect("a zlib stream");
                String::from_utf8_lossy(&inflated).into_owned()
            })
            .collect()
    }
}

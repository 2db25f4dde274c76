//! The PDF's fonts, and text drawn with them.
//!
//! DejaVu Sans (regular and bold) is compiled into the binary from
//! `crates/review/fonts/` (licence beside it), so a statement lays out the
//! same everywhere and offline; it covers Latin, Greek, Cyrillic, ₹ and many
//! symbols. Characters it lacks (emoji) are drawn with the system's colour
//! emoji font when one is installed (Noto Color Emoji on Linux, Apple Color
//! Emoji, Segoe UI Emoji); otherwise they show as DejaVu's missing-glyph box.
//! krilla shapes each run (rustybuzz) and embeds a subset of each font used.
//!
//! Widths are measured from the fonts' advances, for truncating cells with
//! an ellipsis and for right-aligning amounts.

use std::sync::OnceLock;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use ttf_parser::Face;

static REGULAR: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSans-Bold.ttf");

/// Where colour emoji fonts live on the three desktop systems.
const EMOJI_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf",
    "/System/Library/Fonts/Apple Color Emoji.ttc",
    "C:\\Windows\\Fonts\\seguiemj.ttf",
];

/// One font: what krilla draws with and what we measure with.
pub struct Face2 {
    pub font: Font,
    face: Face<'static>,
}

impl Face2 {
    fn new(data: &'static [u8]) -> Option<Face2> {
        Some(Face2 { font: Font::new(data.into(), 0)?, face: Face::parse(data, 0).ok()? })
    }

    fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    fn advance(&self, c: char) -> f32 {
        let gid = self.face.glyph_index(c).unwrap_or_default();
        f32::from(self.face.glyph_hor_advance(gid).unwrap_or(0)) / f32::from(self.face.units_per_em())
    }
}

/// The fonts of one document.
pub struct Fonts {
    pub regular: Face2,
    pub bold: Face2,
    emoji: Option<Face2>,
}

/// The system emoji font's bytes, read once per process (it is large).
fn system_emoji() -> Option<&'static [u8]> {
    static EMOJI: OnceLock<Option<&'static [u8]>> = OnceLock::new();
    *EMOJI.get_or_init(|| {
        let bytes = EMOJI_PATHS.iter().find_map(|p| std::fs::read(p).ok())?;
        Some(Box::leak(bytes.into_boxed_slice()))
    })
}

/// Which font draws a run of text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Main,
    Emoji,
}

impl Fonts {
    /// The embedded fonts, and the system emoji font if there is one.
    pub fn load() -> Fonts {
        // The embedded fonts are valid TrueType: checked by this crate's tests.
        let regular = Face2::new(REGULAR).unwrap_or_else(|| unreachable!("embedded DejaVu Sans"));
        let bold = Face2::new(BOLD).unwrap_or_else(|| unreachable!("embedded DejaVu Sans Bold"));
        Fonts { regular, bold, emoji: system_emoji().and_then(Face2::new) }
    }

    /// Whether colour emoji can be drawn here.
    pub fn has_emoji(&self) -> bool {
        self.emoji.is_some()
    }

    /// Split `text` into runs by the font that has each character; joiners
    /// and variation selectors stay with the run before them.
    fn runs<'t>(&self, text: &'t str, main: &Face2, emoji: Option<&Face2>) -> Vec<(Which, &'t str)> {
        let mut runs: Vec<(Which, &str)> = Vec::new();
        let mut start = 0;
        let mut current = Which::Main;
        for (i, c) in text.char_indices() {
            let joiner = matches!(c, '\u{200d}' | '\u{fe0f}' | '\u{fe0e}' | '\u{1f3fb}'..='\u{1f3ff}');
            let which = if joiner {
                current
            } else if main.has(c) {
                Which::Main
            } else if emoji.is_some_and(|e| e.has(c)) {
                Which::Emoji
            } else {
                Which::Main
            };
            if which != current && i > start {
                runs.push((current, &text[start..i]));
                start = i;
            }
            current = which;
        }
        if start < text.len() {
            runs.push((current, &text[start..]));
        }
        runs
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let main = if bold { &self.bold } else { &self.regular };
        let emoji = self.emoji.as_ref();
        let em: f32 = text
            .chars()
            .map(|c| match emoji {
                Some(e) if !main.has(c) && e.has(c) => e.advance(c),
                _ if matches!(c, '\u{200d}' | '\u{fe0f}' | '\u{fe0e}') => 0.0,
                _ => main.advance(c),
            })
            .sum();
        em * size
    }

    /// `text` cut to fit `max` points, with `…` when cut; line breaks become
    /// spaces (a cell is one line).
    pub fn fit(&self, text: &str, size: f32, bold: bool, max: f32) -> String {
        let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        if self.width(&one_line, size, bold) <= max {
            return one_line;
        }
        let budget = max - self.width("…", size, bold);
        let mut out = String::new();
        let mut used = 0.0;
        for c in one_line.chars() {
            let w = self.width(c.encode_utf8(&mut [0; 4]), size, bold);
            if used + w > budget {
                break;
            }
            used += w;
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Draw `text` with its left end at `x` and its baseline at `y`.
    pub fn draw(&self, surface: &mut Surface<'_>, x: f32, y: f32, text: &str, size: f32, bold: bool) {
        let main = if bold { &self.bold } else { &self.regular };
        let emoji = self.emoji.as_ref();
        let mut at = x;
        for (which, run) in self.runs(text, main, emoji) {
            let face = match (which, emoji) {
                (Which::Emoji, Some(e)) => e,
                _ => main,
            };
            surface.draw_text(Point::from_xy(at, y), face.font.clone(), size, run, false, TextDirection::LeftToRight);
            at += self.width(run, size, bold);
        }
    }

    /// Draw `text` with its right end at `right`.
    pub fn draw_right(&self, surface: &mut Surface<'_>, right: f32, y: f32, text: &str, size: f32, bold: bool) {
        let w = self.width(text, size, bold);
        self.draw(surface, right - w, y, text, size, bold);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fonts_cover_accents_and_the_rupee() {
        let fonts = Fonts::load();
        for c in ['é', 'ü', '₹', '€', '…', '−'] {
            assert!(fonts.regular.has(c) && fonts.bold.has(c), "{c}");
        }
        assert!(fonts.width("€ 12.50", 10.0, false) > 20.0);
    }

    #[test]
    fn long_text_is_cut_to_fit() {
        let fonts = Fonts::load();
        let cut = fonts.fit("A very long description\nwith a line break", 8.0, false, 60.0);
        assert!(cut.ends_with('…') && !cut.contains('\n'));
        assert!(fonts.width(&cut, 8.0, false) <= 60.0);
    }
}

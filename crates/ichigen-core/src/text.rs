//! Text folding for comparisons: NFKC, whitespace removed, hyphen-like characters
//! unified. The customer-identity module builds its normalizers on top of this.
//!
//! ```
//! use ichigen_core::text::fold;
//! assert_eq!(fold("山田　太郎"), fold("山田 太郎"));
//! assert_eq!(fold("ＡＢＣ１２３"), "abc123");
//! assert_eq!(fold("1ー2－3"), "1-2-3");
//! ```

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Characters that stand for a hyphen in Japanese input, which NFKC leaves alone.
const HYPHENS: &[char] = &[
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{30FC}',
    '\u{FF0D}', '\u{FF70}', '\u{FE63}', '\u{2043}',
];

/// Folds text for equality tests: NFKC, lower case, all whitespace and zero-width
/// characters removed, hyphen-like characters turned into `-`.
///
/// The long-vowel mark ー is folded only between digits (in `1ー2`), so that katakana
/// words keep it.
pub fn fold(s: &str) -> String {
    if let Some(out) = fold_plain(s) {
        return out;
    }
    // Removing a space can bring a combining mark next to a letter, and lower-casing
    // can produce new compositions; repeat until nothing changes so that
    // fold(fold(x)) == fold(x). One round suffices whenever its result is already in
    // NFKC, which a quick check tells without normalizing again.
    fold_nfkc(s)
}

/// [`fold`] the long way, through NFKC (what [`fold_plain`] must agree with).
fn fold_nfkc(s: &str) -> String {
    let mut current = fold_once(s);
    for _ in 0..4 {
        if is_nfkc_quick(current.chars()) == IsNormalized::Yes {
            break;
        }
        let next = fold_once(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn fold_once(s: &str) -> String {
    let chars: Vec<char> = if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        s.chars()
            .filter(|c| !c.is_whitespace() && !is_zero_width(*c))
            .collect()
    } else {
        s.nfkc()
            .filter(|c| !c.is_whitespace() && !is_zero_width(*c))
            .collect()
    };
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if HYPHENS.contains(&c) {
            let is_choon = c == '\u{30FC}' || c == '\u{FF70}';
            let between_digits = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if !is_choon || between_digits {
                out.push('-');
                continue;
            }
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Characters NFKC leaves alone and that compose with nothing: printable ASCII,
/// the ideographic space, hiragana, katakana (with ・ and ー), 々, CJK unified
/// ideographs, and the hyphen-like characters other than the half-width ｰ.
fn is_plain(c: char) -> bool {
    matches!(
        c,
        ' '..='~'
            | '\u{3000}'
            | '\u{3005}'
            | '\u{3041}'..='\u{3096}'
            | '\u{309D}'..='\u{309E}'
            | '\u{30A1}'..='\u{30FE}'
            | '\u{4E00}'..='\u{9FFF}'
    ) || (c != '\u{FF70}' && HYPHENS.contains(&c))
}

/// Whether every character of `s` is one NFKC leaves alone and that composes with
/// nothing (so that normalizing `s` again cannot change it).
pub(crate) fn is_plain_text(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii() || is_plain(c))
}

/// A full-width ASCII form (`Ａ`, `１`, `－`, U+FF01–FF5E) as the ASCII
/// character NFKC makes of it; `None` for anything else.
fn full_width_ascii(c: char) -> Option<char> {
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        char::from_u32(c as u32 - 0xFEE0)
    } else {
        None
    }
}

/// [`fold`] for text made only of [`is_plain`] characters and full-width ASCII
/// forms (most names, phones, e-mails and addresses, also as typed on a Japanese
/// keyboard), in one pass without NFKC; `None` otherwise. A full-width form becomes
/// its ASCII character, as NFKC makes it; none of these characters composes with
/// a neighbour, so nothing else changes.
fn fold_plain(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let ascii_digit = |c: &char| c.is_ascii_digit() || ('０'..='９').contains(c);
    // Whitespace goes before the neighbours of ー are looked at, as in fold_once.
    let mut chars = s.chars().filter(|c| !c.is_whitespace()).peekable();
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        let c = full_width_ascii(c).unwrap_or(c);
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if !is_plain(c) {
            return None;
        } else if HYPHENS.contains(&c) {
            let between_digits =
                prev.is_some_and(|p| p.is_ascii_digit()) && chars.peek().is_some_and(ascii_digit);
            if c != '\u{30FC}' || between_digits {
                out.push('-');
            } else {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    Some(out)
}

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The ASCII digits of `s` after NFKC (for postal codes and phones).
///
/// ```
/// use ichigen_core::text::digits;
/// assert_eq!(digits("〒１００－０００１"), "1000001");
/// ```
pub fn digits(s: &str) -> String {
    if s.is_ascii() {
        return s.chars().filter(char::is_ascii_digit).collect();
    }
    s.nfkc().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }
    }

    proptest! {
        /// The one-pass fold agrees with the NFKC fold wherever it answers; the
        /// strings mix ASCII, full-width forms, kana, kanji, hyphens and spaces.
        #[test]
        fn the_plain_fold_is_the_nfkc_fold(
            s in "[a-zA-Z0-9 \\-ａ-ｚＡ-Ｚ０-９－～（）　ー‐−あ-んア-ン一-龥丁目番地号]{0,30}",
        ) {
            if let Some(fast) = fold_plain(&s) {
                prop_assert_eq!(fast, fold_nfkc(&s));
            }
        }
    }

    #[test]
    fn full_width_forms_fold_without_nfkc() {
        assert_eq!(
            fold_plain("東京都港区１－２－３　Ａビル"),
            Some("東京都港区1-2-3aビル".to_owned())
        );
        assert_eq!(fold_plain("１ー２"), Some("1-2".to_owned()));
        assert_eq!(fold_plain("ｶﾞ"), None);
    }

    #[test]
    fn katakana_long_vowel_is_kept() {
        assert_eq!(fold("コーヒー"), "コーヒー");
    }
}

//! Normalizers for the fields customers are matched on.
//!
//! Every normalizer is total (any Unicode input, no panic) and idempotent: feeding
//! its output back in gives the same output. The ones that can reject their input
//! (phone, e-mail, postal code) return a [`NormalizeError`] with a stable code and a
//! message that never quotes the input.
//!
//! ```
//! use ichigen_core::identity::normalize::*;
//! assert_eq!(name("髙橋　太郎"), "高橋太郎");
//! assert_eq!(kana("ﾀｶﾊｼ たろう"), "タカハシタロウ");
//! let p = phone("０９０ー１２３４ー５６７８").unwrap();
//! assert_eq!(p.e164, "+819012345678");
//! assert_eq!(p.kind, PhoneKind::Mobile);
//! let e = email(" Taro＠Example。co。jp ", &default_relays()).unwrap();
//! assert_eq!(e.address, "taro@example.co.jp");
//! assert_eq!(postal_code("〒100－0001").unwrap(), "1000001");
//! ```

use serde::{Deserialize, Serialize};

use crate::order::Channel;
use crate::shipdate::prefecture::{self, Prefecture};
use crate::text::fold;

/// A value a normalizer cannot make sense of: a stable code and a sentence that
/// says what was expected (never the value itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeError {
    /// `IDENTITY_PHONE_INVALID`, `IDENTITY_PHONE_LENGTH`, `IDENTITY_PHONE_PLACEHOLDER`,
    /// `IDENTITY_EMAIL_INVALID`, `IDENTITY_POSTAL_INVALID`,
    /// `IDENTITY_PREFECTURE_UNKNOWN` or `IDENTITY_PREFECTURE_MISMATCH`.
    pub code: &'static str,
    /// What was expected.
    pub message: &'static str,
}

impl std::fmt::Display for NormalizeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for NormalizeError {}

const fn err(code: &'static str, message: &'static str) -> NormalizeError {
    NormalizeError { code, message }
}

/// Variant kanji written in names and the form they are compared in (異体字). The
/// left column is what appears in orders (older or rarer forms, IBM extensions
/// that NFKC leaves alone); the right column is the common form. Both forms of a
/// pair are treated as the same name: a shop would rather see 髙橋 and 高橋 as one
/// customer than two.
pub const VARIANT_KANJI: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('碕', '崎'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('澤', '沢'),
    ('濱', '浜'),
    ('濵', '浜'),
    ('櫻', '桜'),
    ('國', '国'),
    ('廣', '広'),
    ('德', '徳'),
    ('冨', '富'),
    ('槇', '槙'),
    ('瀨', '瀬'),
    ('眞', '真'),
    ('實', '実'),
    ('惠', '恵'),
    ('藏', '蔵'),
    ('桒', '桑'),
    ('舘', '館'),
    ('𠮷', '吉'),
];

fn variant(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    VARIANT_KANJI
        .iter()
        .find(|(from, _)| *from == c)
        .map_or(c, |(_, to)| *to)
}

/// Applies `step` until its output stops changing (at most a few rounds): a step
/// that removes a character can bring a combining mark next to a letter, which a
/// second NFKC composes. Output made only of characters NFKC leaves alone (the
/// usual case) is final at once: the steps are idempotent on it.
fn fixed_point(s: &str, step: impl Fn(&str) -> String) -> String {
    let current = step(s);
    if crate::text::is_plain_text(&current) {
        return current;
    }
    settle(current, step)
}

/// Applies `step` until its output stops changing (at most five rounds), without
/// [`fixed_point`]'s shortcut: removing a hyphen can put a number right before a
/// block marker (`1-丁目` → `1丁目` → `1`).
fn until_stable(s: &str, step: impl Fn(&str) -> String) -> String {
    settle(step(s), step)
}

/// Applies `step` to `current` until it stops changing (at most four more rounds).
fn settle(mut current: String, step: impl Fn(&str) -> String) -> String {
    for _ in 0..4 {
        let next = step(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// A name as compared: NFKC, every space (U+3000 and zero-width characters too) and
/// the middle dot removed, variant kanji unified ([`VARIANT_KANJI`]), romaji
/// lower-cased, and a trailing honorific 様 dropped (`山田太郎様`).
///
/// ```
/// use ichigen_core::identity::normalize::name;
/// assert_eq!(name("渡邊 純一"), name("渡辺　純一"));
/// assert_eq!(name("John  SMITH"), "johnsmith");
/// assert_eq!(name("山田太郎様"), "山田太郎");
/// ```
pub fn name(s: &str) -> String {
    fixed_point(s, |s| {
        // The dot goes first, so that fold sees the neighbours that remain.
        let dotless = without_dots(s);
        let mut out = fold(&dotless);
        if out.chars().any(|c| variant(c) != c) {
            out = out.chars().map(variant).collect();
        }
        strip_honorific(&mut out);
        out
    })
}

/// The text without middle dots (・ and the half-width ･).
fn without_dots(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['・', '･']) {
        std::borrow::Cow::Owned(s.chars().filter(|c| !matches!(c, '・' | '･')).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn strip_honorific(s: &mut String) {
    if let Some(rest) = s.strip_suffix('様') {
        // `山田様様` keeps both: stripping only when what is left does not end in
        // 様 keeps the function idempotent.
        if rest.chars().count() >= 2 && !rest.ends_with('様') {
            s.truncate(rest.len());
        }
    }
}

/// A reading (フリガナ) as compared: NFKC (half-width katakana become full-width),
/// hiragana turned into katakana, spaces and the middle dot removed, romaji
/// lower-cased.
///
/// ```
/// use ichigen_core::identity::normalize::kana;
/// assert_eq!(kana("やまだ　たろう"), "ヤマダタロウ");
/// assert_eq!(kana("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダタロウ");
/// ```
pub fn kana(s: &str) -> String {
    fixed_point(s, |s| {
        let dotless = without_dots(s);
        fold(&dotless)
            .chars()
            .map(|c| match c {
                // ぁ..ゖ and ゝゞ sit 0x60 below their katakana.
                '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
                    char::from_u32(u32::from(c) + 0x60).unwrap_or(c)
                }
                _ => c,
            })
            .collect()
    })
}

/// What kind of number a phone number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// 070, 080, 090.
    Mobile,
    /// A fixed line (市外局番 0X–0XXXX).
    Landline,
    /// 0120, 0800 (フリーダイヤル).
    TollFree,
    /// 050 (IP phone).
    Ip,
    /// 0570 (ナビダイヤル) and other shared-cost numbers.
    SharedCost,
    /// 020 (M2M, pagers).
    M2m,
    /// A number outside Japan, given with its `+` country code.
    International,
}

impl PhoneKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Landline => "landline",
            PhoneKind::TollFree => "toll_free",
            PhoneKind::Ip => "ip",
            PhoneKind::SharedCost => "shared_cost",
            PhoneKind::M2m => "m2m",
            PhoneKind::International => "international",
        }
    }
}

/// A phone number in E.164 form with its kind.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// `+819012345678`.
    pub e164: String,
    /// Mobile, landline, toll-free…
    pub kind: PhoneKind,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A phone number is personal data: Debug shows only its kind.
        f.debug_struct("Phone")
            .field("e164", &"<redacted>")
            .field("kind", &self.kind)
            .finish()
    }
}

/// Normalizes a phone number to E.164. Japanese numbers are accepted in every
/// common form: `090-1234-5678`, `09012345678`, `+81 90-1234-5678`,
/// `+81 (0)90…`, `(03)1234-5678`, full-width digits and every hyphen-like
/// character (ー－‐−―ｰ), and a mobile number whose leading 0 a spreadsheet dropped
/// (`9012345678`). A number with another country code is kept as given
/// (`International`).
///
/// Errors: `IDENTITY_PHONE_INVALID` (letters, or no digits), `IDENTITY_PHONE_LENGTH`
/// (too few or too many digits for its prefix), `IDENTITY_PHONE_PLACEHOLDER` (a
/// subscriber number of one repeated digit, such as `000-0000-0000` or
/// `090-0000-0000`).
///
/// ```
/// use ichigen_core::identity::normalize::{phone, PhoneKind};
/// assert_eq!(phone("(03)1234-5678").unwrap().e164, "+81312345678");
/// assert_eq!(phone("0120-123-456").unwrap().kind, PhoneKind::TollFree);
/// assert_eq!(phone("000-0000-0000").unwrap_err().code, "IDENTITY_PHONE_PLACEHOLDER");
/// ```
pub fn phone(s: &str) -> Result<Phone, NormalizeError> {
    let folded = fold(s);
    let body = folded.strip_prefix("tel:").unwrap_or(&folded);
    let mut digits = String::with_capacity(body.len());
    let mut plus = false;
    for (i, c) in body.char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            '-' | '(' | ')' | '.' | '/' => {}
            _ => {
                return Err(err(
                    "IDENTITY_PHONE_INVALID",
                    "expected digits with optional +, hyphens, spaces and parentheses",
                ));
            }
        }
    }
    if digits.is_empty() {
        return Err(err("IDENTITY_PHONE_INVALID", "expected a phone number"));
    }
    let national = if plus {
        match digits.strip_prefix("81") {
            // `+81 (0)90…`: the trunk 0 written in parentheses.
            Some(rest) => format!("0{}", rest.strip_prefix('0').unwrap_or(rest)),
            None => {
                if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
                    return Err(err(
                        "IDENTITY_PHONE_LENGTH",
                        "expected 8 to 15 digits after the + country code",
                    ));
                }
                return Ok(Phone {
                    e164: format!("+{digits}"),
                    kind: PhoneKind::International,
                });
            }
        }
    } else if digits.len() == 10 && matches!(&digits[..2], "70" | "80" | "90") {
        format!("0{digits}")
    } else {
        digits
    };
    if national.len() >= 8 {
        let subscriber = &national.as_bytes()[national.len() - 8..];
        if subscriber.iter().all(|&b| b == subscriber[0]) {
            return Err(err(
                "IDENTITY_PHONE_PLACEHOLDER",
                "the number is a placeholder (one digit repeated)",
            ));
        }
    }
    let (kind, len) = japanese_kind(&national)?;
    if national.len() != len {
        return Err(err(
            "IDENTITY_PHONE_LENGTH",
            "expected 10 digits (landline, 0120, 0570) or 11 digits (070/080/090, 050, 020, 0800) with the leading 0",
        ));
    }
    Ok(Phone {
        e164: format!("+81{}", &national[1..]),
        kind,
    })
}

fn japanese_kind(national: &str) -> Result<(PhoneKind, usize), NormalizeError> {
    let b = national.as_bytes();
    if b.len() < 3 || b[0] != b'0' || b[1] == b'0' {
        return Err(err(
            "IDENTITY_PHONE_INVALID",
            "expected a Japanese number starting with 0 (not 00), or + and a country code",
        ));
    }
    Ok(match national {
        n if n.starts_with("070") || n.starts_with("080") || n.starts_with("090") => {
            (PhoneKind::Mobile, 11)
        }
        n if n.starts_with("050") => (PhoneKind::Ip, 11),
        n if n.starts_with("020") => (PhoneKind::M2m, 11),
        n if n.starts_with("0120") => (PhoneKind::TollFree, 10),
        n if n.starts_with("0800") => (PhoneKind::TollFree, 11),
        n if n.starts_with("0570") || n.starts_with("0990") => (PhoneKind::SharedCost, 10),
        _ => (PhoneKind::Landline, 10),
    })
}

/// What an e-mail address is, for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// The buyer's own address: matches across channels.
    Ordinary,
    /// A Rakuten relay address (`…@pc.fw.rakuten.ne.jp`): the same buyer has another
    /// one at another shop, so it matches only within one channel and store.
    RakutenRelay,
    /// An Amazon anonymized address (`…@marketplace.amazon.co.jp`): one per buyer
    /// and seller; matches only within one channel and store.
    AmazonAnonymized,
    /// Another relay (Sign in with Apple's private relay, a shop's own list):
    /// matches only within one channel and store.
    Relay,
}

impl EmailKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Ordinary => "ordinary",
            EmailKind::RakutenRelay => "rakuten_relay",
            EmailKind::AmazonAnonymized => "amazon_anonymized",
            EmailKind::Relay => "relay",
        }
    }

    /// Whether addresses of this kind identify a buyer only within one channel and
    /// store.
    pub fn is_scoped(self) -> bool {
        self != EmailKind::Ordinary
    }
}

/// A relay domain: addresses at it (or at any of its subdomains) are of `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayDomain {
    /// The domain, lower case: `fw.rakuten.ne.jp` covers `pc.fw.rakuten.ne.jp`.
    pub domain: String,
    /// What addresses there are (never `ordinary`).
    pub kind: EmailKind,
    /// The channel that hands these addresses out, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

/// The relay domains ichigen knows: Rakuten's relay (`fw.rakuten.ne.jp`), Amazon's
/// anonymized addresses (`marketplace.amazon.co.jp`, `marketplace.amazon.com`) and
/// Sign in with Apple's private relay (`privaterelay.appleid.com`).
pub fn default_relays() -> Vec<RelayDomain> {
    let d = |domain: &str, kind, channel| RelayDomain {
        domain: domain.to_owned(),
        kind,
        channel,
    };
    vec![
        d(
            "fw.rakuten.ne.jp",
            EmailKind::RakutenRelay,
            Some(Channel::Rakuten),
        ),
        d(
            "marketplace.amazon.co.jp",
            EmailKind::AmazonAnonymized,
            Some(Channel::Amazon),
        ),
        d(
            "marketplace.amazon.com",
            EmailKind::AmazonAnonymized,
            Some(Channel::Amazon),
        ),
        d("privaterelay.appleid.com", EmailKind::Relay, None),
    ]
}

/// A normalized e-mail address and its kind.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Lower case, trimmed, full-width characters and 。 fixed.
    pub address: String,
    /// Ordinary or a relay.
    pub kind: EmailKind,
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("address", &"<redacted>")
            .field("kind", &self.kind)
            .finish()
    }
}

/// Normalizes an e-mail address: NFKC (full-width letters and ＠ become ASCII), 。
/// and ． become `.`, spaces removed, lower-cased, a `mailto:` prefix dropped; then
/// classified by `relays`.
///
/// Errors: `IDENTITY_EMAIL_INVALID` when the result is not `local@domain.tld` in
/// printable ASCII.
///
/// ```
/// use ichigen_core::identity::normalize::{email, default_relays, EmailKind};
/// let e = email("abc123@pc.fw.rakuten.ne.jp", &default_relays()).unwrap();
/// assert_eq!(e.kind, EmailKind::RakutenRelay);
/// assert!(email("taro@", &default_relays()).is_err());
/// ```
pub fn email(s: &str, relays: &[RelayDomain]) -> Result<Email, NormalizeError> {
    let mut folded = fold(s);
    if folded.contains(['。', '．']) {
        folded = folded.replace(['。', '．'], ".");
    }
    let address = folded.strip_prefix("mailto:").unwrap_or(&folded).to_owned();
    let invalid = || err("IDENTITY_EMAIL_INVALID", "expected local@domain.tld");
    let (local, domain) = address.split_once('@').ok_or_else(invalid)?;
    let printable = |t: &str| t.bytes().all(|b| b.is_ascii_graphic() && b != b'@');
    if local.is_empty()
        || !printable(local)
        || !printable(domain)
        || !domain.contains('.')
        || domain.split('.').any(str::is_empty)
    {
        return Err(invalid());
    }
    let kind = relays
        .iter()
        .find(|r| {
            domain == r.domain
                || domain
                    .strip_suffix(r.domain.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        })
        .map_or(EmailKind::Ordinary, |r| r.kind);
    Ok(Email { address, kind })
}

/// A postal code (郵便番号) as seven ASCII digits. Accepts `123-4567`, `1234567`,
/// `〒123-4567`, full-width digits and hyphen-like characters.
///
/// Errors: `IDENTITY_POSTAL_INVALID` when seven digits do not remain.
pub fn postal_code(s: &str) -> Result<String, NormalizeError> {
    let folded = fold(s);
    let body = folded.trim_start_matches('〒');
    let digits: String = body.chars().filter(|c| *c != '-').collect();
    if digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(err(
            "IDENTITY_POSTAL_INVALID",
            "expected a 7-digit postal code such as 123-4567",
        ))
    }
}

/// An address as compared.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// Seven digits, when a postal code was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The prefecture, given or found at the start of the street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    /// JIS code of the prefecture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefecture_code: Option<u8>,
    /// City, town and street number without the prefecture, numbers in `1-2-3` form.
    pub street: String,
    /// Building and room, folded (kept: it tells flats apart).
    pub building: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Address")
            .field("prefecture_code", &self.prefecture_code)
            .finish_non_exhaustive()
    }
}

/// Normalizes an address: the postal code to seven digits, the prefecture from its
/// field or from the start of `address1` (and removed from the street), the street
/// folded with its block numbers unified (`一丁目２番地３号` and `1-2-3` both become
/// `1-2-3`; `2番地の3` becomes `2-3`; small ヶ/ヵ become ケ), the building folded.
///
/// Errors: `IDENTITY_POSTAL_INVALID`, `IDENTITY_PREFECTURE_UNKNOWN` (a prefecture
/// field that names none of the 47), `IDENTITY_PREFECTURE_MISMATCH` (the street
/// starts with another prefecture than the field names).
///
/// ```
/// use ichigen_core::identity::normalize::address;
/// let a = address(Some("106-0032"), None, "東京都港区六本木一丁目２番地３号", "森ビル 101").unwrap();
/// assert_eq!(a.street, "港区六本木1-2-3");
/// assert_eq!(a.prefecture_code, Some(13));
/// assert_eq!(a.building, "森ビル101");
/// ```
pub fn address(
    postal: Option<&str>,
    prefecture_field: Option<&str>,
    address1: &str,
    address2: &str,
) -> Result<Address, NormalizeError> {
    let postal_code = match postal.filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(postal_code(p)?),
        None => None,
    };
    let given = match prefecture_field.map(fold).filter(|p| !p.is_empty()) {
        Some(p) => Some(prefecture::find(&p).ok_or(err(
            "IDENTITY_PREFECTURE_UNKNOWN",
            "expected one of the 47 prefectures",
        ))?),
        None => None,
    };
    let street = fold(&digits_apart(address1));
    let (found, rest) = match leading_prefecture(&street) {
        Some((p, rest)) => (Some(p), rest),
        None => (None, street.as_str()),
    };
    if let (Some(g), Some(f)) = (given, found) {
        if g.code != f.code {
            return Err(err(
                "IDENTITY_PREFECTURE_MISMATCH",
                "the address starts with another prefecture than the prefecture field",
            ));
        }
    }
    let pref = given.or(found);
    Ok(Address {
        postal_code,
        prefecture: pref.map(|p| p.name.to_owned()),
        prefecture_code: pref.map(|p| p.code),
        street: until_stable(rest, |s| block_numbers(&fold(s))),
        building: fixed_point(&digits_apart(address2), |s| {
            fold(s).chars().map(small_ke).collect()
        }),
    })
}

/// A space between two numbers separates them (`2-8-1 3号館`): it becomes a hyphen
/// before spaces are removed, so that the numbers do not run together.
fn digits_apart(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(char::is_whitespace) {
        return std::borrow::Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let between =
                start > 0 && digit(chars[start - 1]) && chars.get(i).is_some_and(|&c| digit(c));
            if between {
                out.push('-');
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

fn leading_prefecture(street: &str) -> Option<(&'static Prefecture, &str)> {
    // Every prefecture name starts with a kanji (three bytes in UTF-8): compare
    // those first, and the whole name only for the one or two that share it.
    let head = street.as_bytes().get(..3)?;
    prefecture::PREFECTURES
        .iter()
        .filter(|p| p.name.as_bytes().get(..3) == Some(head))
        .find_map(|p| street.strip_prefix(p.name).map(|rest| (p, rest)))
}

fn small_ke(c: char) -> char {
    match c {
        'ヶ' | 'ヵ' | 'ゖ' | 'ゕ' => 'ケ',
        _ => c,
    }
}

const KANJI_DIGITS: &str = "〇一二三四五六七八九";

fn kanji_numeral(c: char) -> bool {
    KANJI_DIGITS.contains(c) || matches!(c, '十' | '百' | '千')
}

/// The value of a run of kanji numerals (`二十三` → 23, `一〇五` → 105).
fn kanji_value(run: &[char]) -> u32 {
    if run.iter().any(|c| matches!(c, '十' | '百' | '千')) {
        let mut total = 0u32;
        let mut digit = 0u32;
        for &c in run {
            let unit = match c {
                '十' => 10,
                '百' => 100,
                '千' => 1000,
                _ => {
                    digit = KANJI_DIGITS.chars().position(|k| k == c).unwrap_or(0) as u32;
                    continue;
                }
            };
            total += digit.max(1) * unit;
            digit = 0;
        }
        total + digit
    } else {
        run.iter().fold(0u32, |acc, &c| {
            acc.saturating_mul(10)
                .saturating_add(KANJI_DIGITS.chars().position(|k| k == c).unwrap_or(0) as u32)
        })
    }
}

/// The block-number markers and whether a number before them becomes `N-`.
fn marker_at(chars: &[char], i: usize) -> Option<(usize, bool)> {
    let at = |k: usize| chars.get(i + k).copied();
    match at(0)? {
        '丁' if at(1) == Some('目') => Some((2, true)),
        '番' if at(1) == Some('地') => Some((2, true)),
        // 一番町 is a place name, not block 1.
        '番' if at(1) != Some('町') => Some((1, true)),
        '号' if !matches!(at(1), Some('館' | '棟' | '室')) => Some((1, false)),
        'の' if at(1).is_some_and(|c| c.is_ascii_digit() || kanji_numeral(c)) => Some((1, true)),
        _ => None,
    }
}

/// One pass of block-number unification over a folded street.
fn block_numbers(s: &str) -> String {
    // Most streets are already `1-2-3`: nothing to convert, and no hyphen to tidy
    // unless one is doubled or ends the street.
    let has_marker = s.contains(['丁', '番', '号', 'の', 'ヶ', 'ヵ', 'ゖ', 'ゕ']);
    if !has_marker {
        if !s.contains("--") && !s.contains('-') {
            return s.to_owned();
        }
        return tidy_hyphens(s);
    }
    let chars: Vec<char> = s.chars().map(small_ke).collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let number = if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            Some(chars[start..i].iter().collect::<String>())
        } else if kanji_numeral(c) {
            let mut j = i;
            while j < chars.len() && kanji_numeral(chars[j]) {
                j += 1;
            }
            // Kanji numerals are numbers only right before a block marker
            // (四日市, 八王子 and 三条 stay as they are).
            if marker_at(&chars, j).is_some() {
                i = j;
                Some(kanji_value(&chars[start..j]).to_string())
            } else {
                None
            }
        } else {
            None
        };
        let Some(number) = number else {
            // `2番地の3`: the の after a block marker joins two numbers.
            let joins = c == 'の'
                && out.ends_with('-')
                && chars
                    .get(i + 1)
                    .is_some_and(|&n| n.is_ascii_digit() || kanji_numeral(n));
            if !joins {
                out.push(c);
            }
            i += 1;
            continue;
        };
        out.push_str(&number);
        if let Some((len, hyphen)) = marker_at(&chars, i) {
            i += len;
            if hyphen {
                out.push('-');
            }
        }
    }
    tidy_hyphens(&out)
}

/// Collapses repeated hyphens and drops a hyphen after a number that no number
/// follows (`1丁目` → `1-` → `1`).
fn tidy_hyphens(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' {
            let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
            let next = chars.get(i + 1).copied();
            if next == Some('-') || (prev_digit && !next.is_some_and(|n| n.is_ascii_digit())) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

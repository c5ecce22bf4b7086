//! Generated orders for the shipment-planning benchmarks (伝票分割・メール便判定・同梱):
//! a catalog with item specs, a million unshipped orders, and plain reference
//! answers that the measured results are checked against.
//!
//! What the data looks like:
//!
//! - **Catalog** ([`catalog`]): `skus` products in eight families. Tea (8% tax,
//!   1/3, 1/2 or 1/1 of a mail packet, 40–400 g), small goods (tenugui, incense,
//!   stationery: 1/6, 1/4, 1/3 or 1/2) and towels (1/2 or 1/1) can go by mail
//!   packet; about 5% of them are too thick for one (31–45 mm). Boxed sweets and
//!   tableware cannot. Chilled sweets and frozen food travel cool. About 1% are
//!   furniture with their own shipping method (`large`, freight). Popularity is
//!   Zipf-like within each family.
//! - **Orders** ([`ShipmentData::generate`]), by kind:
//!   - 15% mail-packet orders: class `mail_packet`, method `nekopos`, 1–3 lines
//!     of mailable items, 1–3 units each; 3% of them with one item that is not
//!     mailable, 4% paid cash on delivery;
//!   - 55% ambient parcels (`takkyubin`, `hikyaku`, `yu_pack`), 1–4 lines of any
//!     ambient item; 1% with a furniture line (its own method: two shipments);
//!   - 8% chilled and 7% frozen only (`takkyubin_cool`);
//!   - 15% mixed zones (ambient + chilled, ambient + frozen, chilled + frozen, all
//!     three): two or three shipments.
//!
//!   So about 70% are ambient and of one zone. Payment by card, COD (about 8%
//!   overall), bank transfer, convenience store, deferred, wallet; Amazon orders
//!   pay through the marketplace. A time slot on 15% of the parcel and cool
//!   orders, a desired date on 10%; shipping fee, COD fee, a coupon on 10% and
//!   points on 8% (so a split shares money out); 3% of the orders (the own
//!   site's B2B store) priced without tax. Phases: 70% new, 27% triaged, 3% printed or shipped
//!   (those never merge).
//! - **People.** About 790,000 buyers for a million orders: 80% order once, 20%
//!   two or three times (70/30). A repeat order keeps its first order's shape
//!   (store, kind and zones, method, payment, time slot, date, gift, recipient) in
//!   75% of cases, so it may ship with it (同梱); the others differ in something.
//!   Every order writes the buyer and recipient afresh, in another form: names
//!   with no space, an ASCII space or U+3000 between family and given name (3%
//!   romaji names, in ASCII or full-width letters, any case); phones as
//!   `090-1234-5678`, `09012345678`, full-width, with spaces, parentheses or
//!   U+2212; postal codes with or without a hyphen, `〒`, full-width; street
//!   numbers ASCII or full-width, with `-`, `－` or `−`, a space or U+3000 before
//!   them; buildings with half-width katakana or full-width room numbers. All of
//!   those normalize to one form (NFKC, no spaces, hyphen-likes as `-`), so
//!   merging finds them only through normalization. Addresses: 24 towns, 48,000
//!   postal codes (2,000 per town), 4,500 street numbers per town, a building and
//!   room for 45% of the people. 6% are gifts to someone else
//!   (half of them with noshi), 3% go to another person without being gifts, 0.5%
//!   of the parcels with two or more lines have two recipients, 3% of Amazon
//!   orders are masked (no name, no street). In all, 57% of the orders have a
//!   full-width or half-width form somewhere in the fields merging normalizes.
//!
//! Orders are in order time (3 days, evenly spaced), a buyer's orders spread
//! over the whole batch. Everything comes from SplitMix64 streams seeded by the
//! caller: the same `(n, seed)` gives the same orders.
//!
//! [`ShipmentData::merge_truth`] holds, per order, a hash of the parts of its merge
//! key in the generator's own terms (person and address indices, not text), so
//! [`reference_merge_groups`] finds the groups without any normalization;
//! [`reference_split_mail`] counts shipments and mail verdicts from the catalog by
//! a plain loop.
//!
//! ```
//! use ichigen_benches::shipment_data::{
//!     ShipmentData, merge_groups, reference_merge_groups, reference_split_mail, split_mail_counts,
//! };
//! let data = ShipmentData::generate(2_000, 7);
//! for o in &data.orders {
//!     assert!(ichigen_core::validate::validate_order(o).is_empty());
//! }
//! let planner = data.planner()?;
//! assert_eq!(split_mail_counts(&planner, &data.orders), reference_split_mail(&data, &data.orders));
//! let found = planner.merge_candidates(&data.orders, &[]);
//! let (groups, excluded) = reference_merge_groups(&data.merge_truth);
//! assert_eq!(merge_groups(&found), groups);
//! assert_eq!(found.excluded.len(), excluded);
//! assert!(groups.len() > 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use ichigen_core::ids::{
    CarrierCode, ChannelOrderNumber, ListingCode, OrderId, ShippingMethodCode, Sku, StoreId,
};
use ichigen_core::lifecycle::{OrderState, Phase};
use ichigen_core::money::{Amount, Currency};
use ichigen_core::order::{
    Channel, Discounts, FreeText, Instructions, LineOptions, Order, OrderLine, Party, Payment,
    PaymentMethod, PaymentStatus, Pricing, ShippingClass, StatedTax, StatedTotals, TaxMode,
    TemperatureZone, TimeSlot,
};
use ichigen_core::shipment::{
    ItemSpec, MailFraction, MailOutcome, MergeCandidates, Planner, ShipmentPolicy,
};
use ichigen_core::validate::compute_totals;
use ichigen_testkit::generate::SplitMix64;

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

/// A product family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Tea (8% tax), mailable.
    Tea,
    /// Tenugui, incense, stationery (10% tax), mailable.
    Goods,
    /// Towels (10% tax), mailable.
    Towel,
    /// Boxed sweets (8% tax), ambient, not mailable.
    Sweets,
    /// Tableware (10% tax), ambient, not mailable.
    Tableware,
    /// Chilled sweets (8% tax).
    Chilled,
    /// Frozen food (8% tax).
    Frozen,
    /// Furniture (10% tax), shipped by freight with its own method.
    Furniture,
}

/// How a family's products are drawn.
struct FamilySpec {
    family: Family,
    prefix: &'static str,
    /// Share of the catalog, per mille.
    share: u64,
    zone: TemperatureZone,
    /// Tax rate, %.
    rate: u8,
    /// Tax-inclusive price range, yen.
    price: (u64, u64),
    /// Weight range, grams.
    weight: (u64, u64),
}

const fn spec(
    family: Family,
    prefix: &'static str,
    share: u64,
    zone: TemperatureZone,
    rate: u8,
    price: (u64, u64),
    weight: (u64, u64),
) -> FamilySpec {
    FamilySpec {
        family,
        prefix,
        share,
        zone,
        rate,
        price,
        weight,
    }
}

#[rustfmt::skip]
const FAMILIES: [FamilySpec; 8] = [
    spec(Family::Tea, "TEA", 200, TemperatureZone::Ambient, 8, (540, 3240), (40, 400)),
    spec(Family::Goods, "GDS", 150, TemperatureZone::Ambient, 10, (550, 2750), (20, 150)),
    spec(Family::Towel, "TWL", 100, TemperatureZone::Ambient, 10, (1100, 4950), (80, 400)),
    spec(Family::Sweets, "SWT", 150, TemperatureZone::Ambient, 8, (1080, 3240), (300, 900)),
    spec(Family::Tableware, "CUP", 190, TemperatureZone::Ambient, 10, (1650, 8800), (200, 800)),
    spec(Family::Chilled, "CHL", 100, TemperatureZone::Chilled, 8, (2160, 4860), (400, 1200)),
    spec(Family::Frozen, "FRZ", 100, TemperatureZone::Frozen, 8, (3000, 6980), (500, 1500)),
    spec(Family::Furniture, "FRN", 10, TemperatureZone::Ambient, 10, (12800, 39800), (5000, 15000)),
];

/// One product of the generated shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// The master SKU (`TEA-00001`); its listing code is the same in lower case.
    pub sku: String,
    /// Its family.
    pub family: Family,
    /// Its temperature zone.
    pub zone: TemperatureZone,
    /// Tax-inclusive price in yen.
    pub price: i64,
    /// 8 or 10 (%).
    pub rate: u8,
    /// Packed weight of one unit.
    pub weight_g: u32,
    /// Mail-packet fraction (numerator, denominator), for mailable products.
    pub mail: Option<(u32, u32)>,
    /// Length, width and thickness, packed, in millimetres.
    pub dims: (u32, u32, u32),
    /// Ships by freight with its own method (`large`).
    pub freight: bool,
}

/// Cumulative Zipf-like weights `2^32 / (rank + 5)`.
fn zipf(len: usize) -> Vec<u64> {
    let mut total = 0;
    (0..len as u64)
        .map(|r| {
            total += (1u64 << 32) / (r + 5);
            total
        })
        .collect()
}

fn draw(g: &mut SplitMix64, cumulative: &[u64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1);
    let x = g.below(total);
    cumulative.partition_point(|&c| c <= x)
}

/// `skus` products (at least one per family), from `seed`.
pub fn catalog(skus: usize, seed: u64) -> Vec<Product> {
    let mut g = SplitMix64::new(seed ^ 0x5348_4950_4341_5400);
    let mut out = Vec::with_capacity(skus);
    for f in &FAMILIES {
        let (family, prefix, share, zone, rate) = (f.family, f.prefix, f.share, f.zone, f.rate);
        let ((p0, p1), (w0, w1)) = (f.price, f.weight);
        let count = (skus as u64 * share / 1000).max(1);
        for i in 0..count {
            let mail = match family {
                Family::Tea => Some(*g.pick(&[(1, 3), (1, 3), (1, 3), (1, 2), (1, 2), (1, 1)])),
                Family::Goods => Some(*g.pick(&[(1, 6), (1, 4), (1, 4), (1, 3), (1, 3), (1, 2)])),
                Family::Towel => Some(*g.pick(&[(1, 2), (1, 2), (1, 1)])),
                _ => None,
            };
            let thickness = match mail {
                // 5% of the mailable items are too thick for a 30 mm packet.
                Some(_) if g.chance(50) => g.range(31, 45) as u32,
                Some((_, d)) => (30 / d).max(5) + g.below(4) as u32,
                None => g.range(40, 200) as u32,
            };
            let (length, width) = match mail {
                Some(_) => (g.range(150, 300) as u32, g.range(100, 220) as u32),
                None => (g.range(150, 600) as u32, g.range(100, 400) as u32),
            };
            // Prices in steps of 10 yen.
            let price = (g.range(p0, p1) / 10 * 10) as i64;
            out.push(Product {
                sku: format!("{prefix}-{:05}", i + 1),
                family,
                zone,
                price,
                rate,
                weight_g: g.range(w0, w1) as u32,
                mail,
                dims: (length, width, thickness),
                freight: family == Family::Furniture,
            });
        }
    }
    out
}

/// The item specs of the catalog, for a [`ShipmentPolicy`].
pub fn item_specs(products: &[Product]) -> Vec<ItemSpec> {
    products
        .iter()
        .map(|p| ItemSpec {
            sku: p.sku.clone(),
            weight_g: Some(p.weight_g),
            mail_fraction: p.mail.and_then(|(n, d)| MailFraction::new(n, d)),
            length_mm: Some(p.dims.0),
            width_mm: Some(p.dims.1),
            thickness_mm: Some(p.dims.2),
            shipping_method: p.freight.then(|| ShippingMethodCode::new("large")),
            shipping_class: p.freight.then_some(ShippingClass::Freight),
        })
        .collect()
}

/// The policy the benchmarks plan with: the default split keys (temperature zone
/// and shipping method), the catalog's item specs, the built-in profiles (mail
/// packets judged as `nekopos`), up to two mail packets per order, and one thread
/// for the merge-candidate search.
pub fn policy(products: &[Product]) -> ShipmentPolicy {
    ShipmentPolicy {
        items: item_specs(products),
        max_packets: 2,
        // One core: the targets are per core.
        threads: Some(1),
        ..ShipmentPolicy::default()
    }
}

// ---------------------------------------------------------------------------
// People and places
// ---------------------------------------------------------------------------

/// (kanji, romaji) family names.
const SURNAMES: [(&str, &str); 30] = [
    ("佐藤", "Sato"),
    ("鈴木", "Suzuki"),
    ("高橋", "Takahashi"),
    ("田中", "Tanaka"),
    ("伊藤", "Ito"),
    ("渡辺", "Watanabe"),
    ("山本", "Yamamoto"),
    ("中村", "Nakamura"),
    ("小林", "Kobayashi"),
    ("加藤", "Kato"),
    ("吉田", "Yoshida"),
    ("山田", "Yamada"),
    ("佐々木", "Sasaki"),
    ("山口", "Yamaguchi"),
    ("松本", "Matsumoto"),
    ("井上", "Inoue"),
    ("木村", "Kimura"),
    ("林", "Hayashi"),
    ("斎藤", "Saito"),
    ("清水", "Shimizu"),
    ("山崎", "Yamazaki"),
    ("森", "Mori"),
    ("池田", "Ikeda"),
    ("橋本", "Hashimoto"),
    ("阿部", "Abe"),
    ("石川", "Ishikawa"),
    ("前田", "Maeda"),
    ("藤田", "Fujita"),
    ("後藤", "Goto"),
    ("岡田", "Okada"),
];

/// (kanji, romaji) given names.
const GIVEN: [(&str, &str); 30] = [
    ("太郎", "Taro"),
    ("花子", "Hanako"),
    ("翔太", "Shota"),
    ("美咲", "Misaki"),
    ("健一", "Kenichi"),
    ("陽子", "Yoko"),
    ("大輔", "Daisuke"),
    ("由美", "Yumi"),
    ("誠", "Makoto"),
    ("恵子", "Keiko"),
    ("拓也", "Takuya"),
    ("さくら", "Sakura"),
    ("浩二", "Koji"),
    ("真由美", "Mayumi"),
    ("蓮", "Ren"),
    ("結衣", "Yui"),
    ("大翔", "Hiroto"),
    ("陽菜", "Hina"),
    ("直樹", "Naoki"),
    ("裕子", "Yuko"),
    ("和也", "Kazuya"),
    ("明美", "Akemi"),
    ("悠真", "Yuma"),
    ("愛", "Ai"),
    ("隆", "Takashi"),
    ("智子", "Tomoko"),
    ("剛", "Tsuyoshi"),
    ("奈々", "Nana"),
    ("修", "Osamu"),
    ("舞", "Mai"),
];

/// (prefecture, city and town, the first three digits of its postal codes).
const LOCALITIES: [(&str, &str, u32); 24] = [
    ("東京都", "渋谷区神宮前", 150),
    ("東京都", "世田谷区三軒茶屋", 154),
    ("東京都", "練馬区豊玉北", 176),
    ("神奈川県", "横浜市港北区日吉", 223),
    ("神奈川県", "川崎市中原区小杉町", 211),
    ("大阪府", "大阪市北区梅田", 530),
    ("大阪府", "堺市堺区南瓦町", 590),
    ("愛知県", "名古屋市中区栄", 460),
    ("埼玉県", "さいたま市浦和区高砂", 330),
    ("千葉県", "千葉市中央区富士見", 260),
    ("兵庫県", "神戸市中央区三宮町", 650),
    ("北海道", "札幌市中央区大通西", 60),
    ("福岡県", "福岡市中央区天神", 810),
    ("静岡県", "静岡市葵区呉服町", 420),
    ("茨城県", "水戸市南町", 310),
    ("広島県", "広島市中区紙屋町", 730),
    ("京都府", "京都市下京区四条通", 600),
    ("宮城県", "仙台市青葉区中央", 980),
    ("新潟県", "新潟市中央区古町通", 951),
    ("長野県", "長野市大門町", 380),
    ("岡山県", "岡山市北区表町", 700),
    ("熊本県", "熊本市中央区上通町", 860),
    ("鹿児島県", "鹿児島市東千石町", 892),
    ("沖縄県", "那覇市久茂地", 900),
];

const BUILDINGS: [&str; 8] = [
    "サンプルマンション",
    "メゾン若葉",
    "コーポ桜",
    "グランドハイツ",
    "パークサイド",
    "ロイヤルコート",
    "シティタワー",
    "エスポワール",
];

const NOSHI: [&str; 4] = [
    "御歳暮 外のし 名入れなし",
    "御礼 内のし",
    "内祝 外のし 名入れあり",
    "御年賀 外のし",
];

/// Half-width forms of U+30A1 ァ ..= U+30F6 ヶ.
const HALF_WIDTH: [&str; 86] = [
    "ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ", "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ",
    "ｺﾞ", "ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ",
    "ﾃﾞ", "ﾄ", "ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ",
    "ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ", "ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ",
    "ﾛ", "ﾜ", "ﾜ", "ｲ", "ｴ", "ｦ", "ﾝ", "ｳﾞ", "ｶ", "ｹ",
];

/// An address in the generator's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Address {
    locality: u8,
    /// The last four digits of the postal code (2,000 codes per locality, 48,000
    /// in all).
    postal: u16,
    chome: u8,
    ban: u8,
    go: u8,
    /// Building and room.
    building: Option<(u8, u16)>,
}

/// A person in the generator's terms: the name and address as indices, the phone
/// as its subscriber number (distinct per person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Person {
    surname: u8,
    given: u8,
    romaji: bool,
    /// 070, 080 or 090.
    mobile: u8,
    subscriber: u32,
    address: Address,
}

fn new_person(g: &mut SplitMix64, index: u64) -> Person {
    let locality = g.below(LOCALITIES.len() as u64) as u8;
    Person {
        surname: g.below(SURNAMES.len() as u64) as u8,
        given: g.below(GIVEN.len() as u64) as u8,
        romaji: g.chance(30),
        mobile: g.below(3) as u8,
        // A bijection of 0..90,000,000: distinct persons, distinct numbers.
        subscriber: (10_000_000 + (index * 37_419_431 + 12_345_679) % 90_000_000) as u32,
        address: Address {
            locality,
            postal: (g.below(2_000) * 5) as u16,
            chome: g.range(1, 5) as u8,
            ban: g.range(1, 30) as u8,
            go: g.range(1, 30) as u8,
            building: g.chance(450).then(|| {
                (
                    g.below(BUILDINGS.len() as u64) as u8,
                    g.range(101, 1210) as u16,
                )
            }),
        },
    }
}

fn full_width(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                out.push(char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c))
            }
            '-' => out.push('－'),
            ' ' => out.push('\u{3000}'),
            _ => out.push(c),
        }
    }
}

fn half_width_kana(out: &mut String, s: &str) {
    for c in s.chars() {
        let code = c as u32;
        if (0x30A1..=0x30F6).contains(&code) {
            out.push_str(HALF_WIDTH[(code - 0x30A1) as usize]);
        } else if c == 'ー' {
            out.push('ｰ');
        } else {
            out.push(c);
        }
    }
}

fn name_text(g: &mut SplitMix64, p: &Person) -> String {
    let mut out = String::with_capacity(24);
    if p.romaji {
        let (_, family) = SURNAMES[p.surname as usize];
        let (_, given) = GIVEN[p.given as usize];
        let plain = format!("{given} {family}");
        match g.below(4) {
            0 => out.push_str(&plain),
            1 => out.push_str(&plain.to_uppercase()),
            2 => out.push_str(&plain.to_lowercase()),
            _ => full_width(&mut out, &plain),
        }
    } else {
        out.push_str(SURNAMES[p.surname as usize].0);
        const SEPARATORS: [&str; 6] = ["", " ", " ", "\u{3000}", "\u{3000}", "  "];
        let sep = *g.pick::<&str>(&SEPARATORS);
        out.push_str(sep);
        out.push_str(GIVEN[p.given as usize].0);
    }
    out
}

fn phone_text(g: &mut SplitMix64, p: &Person) -> String {
    let head = ["070", "080", "090"][p.mobile as usize];
    let (a, b) = (p.subscriber / 10_000, p.subscriber % 10_000);
    let plain = format!("{head}-{a:04}-{b:04}");
    match g.below(20) {
        0..10 => plain,
        10..15 => format!("{head}{a:04}{b:04}"),
        15..17 => {
            let mut out = String::with_capacity(40);
            full_width(&mut out, &plain);
            out
        }
        17 => format!("{head} {a:04} {b:04}"),
        18 => format!("({head}){a:04}-{b:04}"),
        _ => format!("{head}\u{2212}{a:04}\u{2212}{b:04}"),
    }
}

fn postal_digits(a: &Address) -> String {
    let (_, _, head) = LOCALITIES[a.locality as usize];
    format!("{head:03}{:04}", a.postal)
}

fn postal_text(g: &mut SplitMix64, a: &Address) -> String {
    let d = postal_digits(a);
    let (head, tail) = d.split_at(3);
    match g.below(100) {
        0..60 => format!("{head}-{tail}"),
        60..85 => d,
        85..93 => format!("〒{head}-{tail}"),
        _ => {
            let mut out = String::with_capacity(30);
            full_width(&mut out, &format!("{head}-{tail}"));
            out
        }
    }
}

fn address1_text(g: &mut SplitMix64, a: &Address) -> String {
    let (_, town, _) = LOCALITIES[a.locality as usize];
    let mut out = String::with_capacity(64);
    out.push_str(town);
    const BEFORE: [&str; 10] = ["", "", "", "", "", "", "", " ", "\u{3000}", "\u{3000}"];
    let before = *g.pick::<&str>(&BEFORE);
    out.push_str(before);
    let (c, b, n) = (a.chome, a.ban, a.go);
    match g.below(10) {
        0..6 => {
            let _ = write!(out, "{c}-{b}-{n}");
        }
        6 | 7 => full_width(&mut out, &format!("{c}-{b}-{n}")),
        8 => {
            let _ = write!(out, "{c}\u{2212}{b}\u{2212}{n}");
        }
        _ => {
            full_width(&mut out, &c.to_string());
            out.push('-');
            full_width(&mut out, &format!("{b}-{n}"));
        }
    }
    out
}

fn address2_text(g: &mut SplitMix64, a: &Address) -> Option<String> {
    let (building, room) = a.building?;
    let name = BUILDINGS[building as usize];
    let mut out = String::with_capacity(64);
    if g.chance(100) {
        half_width_kana(&mut out, name);
    } else {
        out.push_str(name);
    }
    match g.below(10) {
        0..4 => {
            let _ = write!(out, " {room}");
        }
        4..6 => {
            let _ = write!(out, "{room}");
        }
        6..8 => {
            let _ = write!(out, "\u{3000}{room}");
        }
        _ => {
            out.push('\u{3000}');
            full_width(&mut out, &room.to_string());
        }
    }
    Some(out)
}

fn party(g: &mut SplitMix64, p: &Person) -> Party {
    let (prefecture, ..) = LOCALITIES[p.address.locality as usize];
    Party {
        name: name_text(g, p),
        phone: Some(phone_text(g, p)),
        postal_code: Some(postal_text(g, &p.address)),
        prefecture: Some(prefecture.to_owned()),
        address1: Some(address1_text(g, &p.address)),
        address2: address2_text(g, &p.address),
        ..Party::default()
    }
}

// ---------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------

/// (channel, store, weight).
const STORES: [(Channel, &str, u64); 7] = [
    (Channel::Rakuten, "rakuten-main", 32),
    (Channel::Rakuten, "rakuten-outlet", 8),
    (Channel::Amazon, "amazon-jp", 20),
    (Channel::Yahoo, "yahoo-main", 15),
    (Channel::Shopify, "shopify-main", 10),
    (Channel::OwnSite, "own-site", 12),
    (Channel::OwnSite, "own-site-b2b", 3),
];
const AMAZON: u8 = 2;
const B2B: u8 = 6;

/// (method, carrier, class).
const METHODS: [(&str, &str, ShippingClass); 6] = [
    ("nekopos", "yamato", ShippingClass::MailPacket),
    ("takkyubin", "yamato", ShippingClass::Parcel),
    ("hikyaku", "sagawa", ShippingClass::Parcel),
    ("yu_pack", "japan_post", ShippingClass::Parcel),
    ("takkyubin_cool", "yamato", ShippingClass::Parcel),
    ("yu_pack_chilled", "japan_post", ShippingClass::Parcel),
];

const SLOTS: [TimeSlot; 6] = [
    TimeSlot::Morning,
    TimeSlot::Noon,
    TimeSlot::Afternoon14,
    TimeSlot::Afternoon16,
    TimeSlot::Evening18,
    TimeSlot::Evening19,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Mail,
    Parcel,
    /// Chilled, frozen or mixed: `zones` says which.
    Cool,
}

/// Who receives an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Recipient {
    Buyer,
    Other(Person),
}

/// What a repeat order may share with the buyer's first: everything that decides
/// whether they ship together, except the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    store: u8,
    kind: Kind,
    /// Bit per zone the lines cover (ambient 1, chilled 2, frozen 4).
    zones: u8,
    method: u8,
    payment: PaymentMethod,
    slot: Option<u8>,
    desired: Option<u8>,
    gift: bool,
    noshi: Option<u8>,
    recipient: Recipient,
    /// Two recipients (never merged).
    split_recipients: bool,
}

/// A buyer and the shape of their first order.
#[derive(Debug, Clone, Copy)]
struct Buyer {
    person: Person,
    first: Option<Shape>,
}

/// The pools of product indices, each with its Zipf weights.
struct Pools {
    mailable: (Vec<u32>, Vec<u64>),
    ambient: (Vec<u32>, Vec<u64>),
    not_mailable: (Vec<u32>, Vec<u64>),
    chilled: (Vec<u32>, Vec<u64>),
    frozen: (Vec<u32>, Vec<u64>),
    furniture: (Vec<u32>, Vec<u64>),
}

impl Pools {
    fn new(products: &[Product], seed: u64) -> Pools {
        let mut g = SplitMix64::new(seed ^ 0x706f_6f6c);
        let mut pool = |f: &dyn Fn(&Product) -> bool| {
            let mut v: Vec<u32> = (0..products.len() as u32)
                .filter(|&i| f(&products[i as usize]))
                .collect();
            // Scramble the ranks so that popularity is not by SKU number.
            for i in (1..v.len()).rev() {
                let j = g.below(i as u64 + 1) as usize;
                v.swap(i, j);
            }
            let w = zipf(v.len());
            (v, w)
        };
        Pools {
            mailable: pool(&|p| p.mail.is_some()),
            ambient: pool(&|p| p.zone == TemperatureZone::Ambient && !p.freight),
            not_mailable: pool(&|p| {
                p.zone == TemperatureZone::Ambient && p.mail.is_none() && !p.freight
            }),
            chilled: pool(&|p| p.zone == TemperatureZone::Chilled),
            frozen: pool(&|p| p.zone == TemperatureZone::Frozen),
            furniture: pool(&|p| p.freight),
        }
    }

    fn zone(&self, bit: u8) -> &(Vec<u32>, Vec<u64>) {
        match bit {
            2 => &self.chilled,
            4 => &self.frozen,
            _ => &self.ambient,
        }
    }
}

fn pick_from(g: &mut SplitMix64, pool: &(Vec<u32>, Vec<u64>)) -> u32 {
    pool.0[draw(g, &pool.1)]
}

/// The generated catalog and orders, with the truth about merging.
#[derive(Debug, Clone)]
pub struct ShipmentData {
    /// The catalog.
    pub products: Vec<Product>,
    /// The orders, in order time.
    pub orders: Vec<Order>,
    /// Per order, a hash of its merge key in the generator's terms (store, the
    /// buyer's name and phone, the recipient's name and address as indices,
    /// method, payment, slot, date, zones, gift), or `None` when the order cannot
    /// merge (masked, closed, two recipients).
    pub merge_truth: Vec<Option<u64>>,
}

fn new_shape(g: &mut SplitMix64, persons: &mut u64) -> Shape {
    let store = {
        let w: Vec<(u8, u64)> = STORES
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u8, s.2))
            .collect();
        g.weighted(&w)
    };
    let (kind, zones) = match g.below(1000) {
        0..150 => (Kind::Mail, 1),
        150..700 => (Kind::Parcel, 1),
        700..780 => (Kind::Cool, 2),
        780..850 => (Kind::Cool, 4),
        850..910 => (Kind::Cool, 1 | 2),
        910..960 => (Kind::Cool, 1 | 4),
        960..985 => (Kind::Cool, 2 | 4),
        _ => (Kind::Cool, 1 | 2 | 4),
    };
    let method = match kind {
        Kind::Mail => 0,
        Kind::Parcel => g.weighted(&[(1u8, 60), (2, 25), (3, 15)]),
        Kind::Cool => g.weighted(&[(4u8, 85), (5, 15)]),
    };
    let payment = if store == AMAZON {
        let cod = if kind == Kind::Mail { 40 } else { 120 };
        if g.chance(cod) {
            PaymentMethod::Cod
        } else {
            PaymentMethod::Marketplace
        }
    } else if store == B2B {
        g.weighted(&[
            (PaymentMethod::BankTransfer, 70),
            (PaymentMethod::CreditCard, 30),
        ])
    } else {
        let cod = if kind == Kind::Mail { 4 } else { 9 };
        g.weighted(&[
            (PaymentMethod::CreditCard, 58),
            (PaymentMethod::Cod, cod),
            (PaymentMethod::BankTransfer, 8),
            (PaymentMethod::ConvenienceStore, 8),
            (PaymentMethod::Deferred, 7),
            (PaymentMethod::Wallet, 7),
            (PaymentMethod::CarrierBilling, 3),
        ])
    };
    let parcel = kind != Kind::Mail;
    let slot = (parcel && g.chance(150)).then(|| g.below(SLOTS.len() as u64) as u8);
    let desired = (parcel && g.chance(100)).then(|| g.range(2, 10) as u8);
    let gift = g.chance(60);
    let noshi = (gift && g.chance(500)).then(|| g.below(NOSHI.len() as u64) as u8);
    let recipient = if gift || g.chance(30) {
        *persons += 1;
        Recipient::Other(new_person(g, *persons))
    } else {
        Recipient::Buyer
    };
    Shape {
        store,
        kind,
        zones,
        method,
        payment,
        slot,
        desired,
        gift,
        noshi,
        recipient,
        split_recipients: kind == Kind::Parcel && g.chance(5),
    }
}

impl ShipmentData {
    /// `n` orders over a catalog of 3,000 products, from `seed`.
    pub fn generate(n: usize, seed: u64) -> ShipmentData {
        ShipmentData::generate_with(n, 3_000, seed)
    }

    /// `n` orders over a catalog of `skus` products, from `seed`.
    pub fn generate_with(n: usize, skus: usize, seed: u64) -> ShipmentData {
        let products = catalog(skus, seed);
        let pools = Pools::new(&products, seed);
        let mut g = SplitMix64::new(seed ^ 0x6f72_6465_7273);

        // Who places each order: buyers with 1 (80%), 2 or 3 orders, shuffled.
        let mut slots: Vec<u32> = Vec::with_capacity(n + 3);
        let mut buyers: Vec<Buyer> = Vec::with_capacity(n);
        let mut persons: u64 = 0;
        while slots.len() < n {
            let k = if g.chance(800) {
                1
            } else if g.chance(700) {
                2
            } else {
                3
            };
            let b = buyers.len() as u32;
            persons += 1;
            buyers.push(Buyer {
                person: new_person(&mut g, persons),
                first: None,
            });
            slots.extend(std::iter::repeat_n(b, k));
        }
        slots.truncate(n);
        for i in (1..slots.len()).rev() {
            let j = g.below(i as u64 + 1) as usize;
            slots.swap(i, j);
        }

        // Over the three days before noon of 2026-11-23 in Tokyo.
        let start = DateTime::<Utc>::from_timestamp(1_795_575_600, 0).unwrap_or_default();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        let span_ms: i64 = 3 * 24 * 3600 * 1000;
        let mut orders = Vec::with_capacity(n);
        let mut truth = Vec::with_capacity(n);
        for (i, &b) in slots.iter().enumerate() {
            let buyer = buyers[b as usize];
            let shape = match buyer.first {
                Some(s) if g.chance(750) => s,
                Some(_) => new_shape(&mut g, &mut persons),
                None => {
                    let s = new_shape(&mut g, &mut persons);
                    buyers[b as usize].first = Some(s);
                    s
                }
            };
            let at = start + TimeDelta::milliseconds(i as i64 * span_ms / n.max(1) as i64);
            let (order, key) = build_order(
                &mut g,
                &products,
                &pools,
                &buyer.person,
                &shape,
                i,
                seed,
                at,
                today,
                &mut persons,
            );
            orders.push(order);
            truth.push(key);
        }
        ShipmentData {
            products,
            orders,
            merge_truth: truth,
        }
    }

    /// The benchmarks' policy ([`policy`]) for this catalog.
    pub fn policy(&self) -> ShipmentPolicy {
        policy(&self.products)
    }

    /// A planner for [`ShipmentData::policy`].
    pub fn planner(&self) -> Result<Planner, ichigen_core::Error> {
        Planner::new(self.policy())
    }

    /// Writes the orders for `benches/compare/shipment.sh`: `orders.jsonl` (one
    /// order per line, as ichigen reads them), `orders.csv` (one row per order:
    /// `order,id,ordered_at,store,channel,phase,recipients,buyer_name,buyer_phone,
    /// name,postal_code,prefecture,address1,address2,shipping_method,shipping_class,
    /// ship_date,desired_date,time_slot,gift,payment_method`, the recipient's fields
    /// from the first recipient), `lines.csv` (`order,line,sku,quantity,temperature,
    /// noshi,wrapping`) and `policy.json`.
    pub fn write_files(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let file = |name: &str| -> std::io::Result<std::io::BufWriter<std::fs::File>> {
            Ok(std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(dir.join(name))?,
            ))
        };
        let mut jsonl = file("orders.jsonl")?;
        for o in &self.orders {
            serde_json::to_writer(&mut jsonl, o)?;
            jsonl.write_all(b"\n")?;
        }
        jsonl.flush()?;

        let mut w = csv::Writer::from_writer(file("orders.csv")?);
        w.write_record([
            "order",
            "id",
            "ordered_at",
            "store",
            "channel",
            "phase",
            "recipients",
            "buyer_name",
            "buyer_phone",
            "name",
            "postal_code",
            "prefecture",
            "address1",
            "address2",
            "shipping_method",
            "shipping_class",
            "ship_date",
            "desired_date",
            "time_slot",
            "gift",
            "payment_method",
        ])?;
        let json_name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        for (i, o) in self.orders.iter().enumerate() {
            let r = &o.recipients[0];
            let opt = |s: &Option<String>| s.clone().unwrap_or_default();
            w.write_record([
                i.to_string(),
                o.id.to_string(),
                o.ordered_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                o.store.to_string(),
                o.channel.as_str().to_owned(),
                json_name(serde_json::to_value(o.state.phase).unwrap_or_default()),
                o.recipients.len().to_string(),
                o.buyer.name.clone(),
                opt(&o.buyer.phone),
                r.name.clone(),
                opt(&r.postal_code),
                opt(&r.prefecture),
                opt(&r.address1),
                opt(&r.address2),
                o.shipping
                    .method
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                json_name(serde_json::to_value(o.shipping.class).unwrap_or_default()),
                o.instructions
                    .ship_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                o.shipping
                    .desired_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                o.shipping
                    .time_slot
                    .map(|s| json_name(serde_json::to_value(s).unwrap_or_default()))
                    .unwrap_or_default(),
                o.gift.to_string(),
                json_name(serde_json::to_value(o.payment.method).unwrap_or_default()),
            ])?;
        }
        w.flush()?;

        let mut w = csv::Writer::from_writer(file("lines.csv")?);
        w.write_record([
            "order",
            "line",
            "sku",
            "quantity",
            "temperature",
            "noshi",
            "wrapping",
        ])?;
        for (i, o) in self.orders.iter().enumerate() {
            for (j, l) in o.lines.iter().enumerate() {
                w.write_record([
                    i.to_string(),
                    j.to_string(),
                    l.sku.as_ref().map(|s| s.to_string()).unwrap_or_default(),
                    l.quantity.to_string(),
                    json_name(serde_json::to_value(l.temperature).unwrap_or_default()),
                    l.options
                        .noshi
                        .as_ref()
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default(),
                    l.options
                        .wrapping
                        .as_ref()
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default(),
                ])?;
            }
        }
        w.flush()?;
        let policy = serde_json::to_string_pretty(&self.policy())?;
        std::fs::write(dir.join("policy.json"), policy)?;
        Ok(())
    }
}

/// Builds one order and its merge truth.
#[allow(clippy::too_many_arguments)]
fn build_order(
    g: &mut SplitMix64,
    products: &[Product],
    pools: &Pools,
    buyer: &Person,
    shape: &Shape,
    i: usize,
    seed: u64,
    ordered_at: DateTime<Utc>,
    today: NaiveDate,
    persons: &mut u64,
) -> (Order, Option<u64>) {
    let (channel, store, _) = STORES[shape.store as usize];
    let b2b = shape.store == B2B;

    // Lines: at least one per zone of the shape, no SKU twice.
    let zone_bits: Vec<u8> = [1u8, 2, 4]
        .into_iter()
        .filter(|b| shape.zones & b != 0)
        .collect();
    let mut n_lines = match shape.kind {
        Kind::Mail => g.weighted(&[(1usize, 60), (2, 30), (3, 10)]),
        _ => g.weighted(&[(1usize, 45), (2, 30), (3, 15), (4, 10)]),
    };
    n_lines = n_lines.max(zone_bits.len());
    let mut chosen: Vec<u32> = Vec::with_capacity(n_lines + 1);
    let mut add = |g: &mut SplitMix64, pool: &(Vec<u32>, Vec<u64>)| {
        for _ in 0..8 {
            let p = pick_from(g, pool);
            if !chosen.contains(&p) {
                chosen.push(p);
                return;
            }
        }
    };
    for k in 0..n_lines {
        match shape.kind {
            Kind::Mail => add(g, &pools.mailable),
            Kind::Parcel => add(g, &pools.ambient),
            Kind::Cool => {
                let bit = zone_bits
                    .get(k)
                    .copied()
                    .unwrap_or_else(|| *g.pick(&zone_bits));
                add(g, pools.zone(bit));
            }
        }
    }
    if shape.kind == Kind::Mail && g.chance(30) {
        // Picked mail at the cart with something that does not fit a letterbox.
        add(g, &pools.not_mailable);
    }
    if shape.kind == Kind::Parcel && g.chance(10) {
        add(g, &pools.furniture);
    }
    let mut options = LineOptions::default();
    if let Some(k) = shape.noshi {
        options.noshi = Some(FreeText::from(NOSHI[k as usize]));
    }
    let mut lines: Vec<OrderLine> = Vec::with_capacity(chosen.len());
    let mut merchandise: i64 = 0;
    for (k, &p) in chosen.iter().enumerate() {
        let prod = &products[p as usize];
        let quantity = match shape.kind {
            Kind::Mail => g.weighted(&[(1u32, 80), (2, 15), (3, 5)]),
            _ => g.weighted(&[(1u32, 78), (2, 15), (3, 5), (4, 1), (6, 1)]),
        };
        merchandise += i64::from(quantity) * prod.price;
        let unit_price = if b2b {
            prod.price * 100 / (100 + i64::from(prod.rate))
        } else {
            prod.price
        };
        lines.push(OrderLine {
            listing_code: ListingCode::new(prod.sku.to_lowercase()),
            sku: Some(Sku::new(prod.sku.as_str())),
            name: format!("{} {}", prod.sku, family_name(prod.family)),
            quantity,
            unit_price: Amount::from(unit_price),
            tax_rate: Amount::new(i64::from(prod.rate), 2),
            temperature: prod.zone,
            options: options.clone(),
            release_date: None,
            made_to_order: false,
            needs_confirmation: false,
            product_group: None,
            recipient: (k % 2) as u32,
        });
    }

    // People: written afresh for every order.
    let masked = shape.store == AMAZON && g.chance(30);
    let mut buyer_party = party(g, buyer);
    let recipient_person = match shape.recipient {
        Recipient::Buyer => *buyer,
        Recipient::Other(p) => p,
    };
    let mut recipient = match shape.recipient {
        Recipient::Buyer => Party {
            name: buyer_party.name.clone(),
            phone: buyer_party.phone.clone(),
            postal_code: Some(postal_text(g, &buyer.address)),
            prefecture: buyer_party.prefecture.clone(),
            address1: Some(address1_text(g, &buyer.address)),
            address2: address2_text(g, &buyer.address),
            ..Party::default()
        },
        Recipient::Other(p) => party(g, &p),
    };
    if shape.store == AMAZON {
        // Amazon gives the buyer's name only.
        buyer_party = Party {
            name: buyer_party.name,
            ..Party::default()
        };
    }
    if masked {
        buyer_party.name.clear();
        recipient.name.clear();
        recipient.address1 = Some(String::new());
        recipient.address2 = None;
        recipient.phone = None;
    }
    let two_recipients = shape.split_recipients && lines.len() >= 2;
    let mut recipients = vec![recipient];
    if two_recipients {
        *persons += 1;
        let other = new_person(g, *persons);
        recipients.push(party(g, &other));
    } else {
        for l in &mut lines {
            l.recipient = 0;
        }
    }

    // Shipping.
    let (method, carrier, class) = METHODS[shape.method as usize];
    let shipping = ichigen_core::order::Shipping {
        method: Some(ShippingMethodCode::new(method)),
        class,
        carrier: Some(CarrierCode::new(carrier)),
        desired_date: shape
            .desired
            .and_then(|d| today.checked_add_days(Days::new(u64::from(d)))),
        time_slot: shape.slot.map(|s| SLOTS[s as usize]),
    };

    // Money, in list-price (tax-inclusive) terms.
    let cool = shape.zones & 0b110 != 0;
    let mut fee: i64 = match class {
        ShippingClass::MailPacket if merchandise >= 3980 => 0,
        ShippingClass::MailPacket => 250,
        _ if merchandise >= 5000 => 0,
        _ => 650,
    };
    if cool {
        fee += 330;
    }
    let cod_fee: i64 = match (shape.payment, merchandise) {
        (PaymentMethod::Cod, m) if m < 10_000 => 330,
        (PaymentMethod::Cod, m) if m < 30_000 => 440,
        (PaymentMethod::Cod, _) => 660,
        _ => 0,
    };
    let (fee, cod_fee) = if b2b {
        (fee * 10 / 11, cod_fee * 10 / 11)
    } else {
        (fee, cod_fee)
    };
    let mut discounts = Discounts::default();
    if !b2b && g.chance(100) {
        let coupon = *g.pick(&[100i64, 200, 300, 500]);
        if coupon * 2 <= merchandise {
            discounts.coupon = Amount::from(coupon);
        }
    }
    if !b2b && shape.store != AMAZON && g.chance(80) {
        discounts.points = Amount::from(g.range(1, (merchandise / 4).clamp(1, 2000) as u64) as i64);
    }
    let status = match shape.payment {
        PaymentMethod::CreditCard | PaymentMethod::CarrierBilling => PaymentStatus::Authorized,
        PaymentMethod::Wallet => PaymentStatus::Paid,
        PaymentMethod::Marketplace | PaymentMethod::Deferred => PaymentStatus::Authorized,
        _ => PaymentStatus::Unpaid,
    };
    let phase = match g.below(100) {
        0..70 => Phase::New,
        70..97 => Phase::Triaged,
        97 | 98 => Phase::Printed,
        _ => Phase::Shipped,
    };
    let mut order = Order {
        id: OrderId::new(format!("shp-{seed}-{i:08}")),
        channel,
        store: StoreId::new(store),
        channel_order_number: ChannelOrderNumber::new(format!("{store}-{:08}", 10_000_000 + i)),
        ordered_at,
        shop_zone: chrono_tz::Asia::Tokyo,
        currency: Currency::JPY,
        pricing: Pricing {
            tax_mode: if b2b {
                TaxMode::Exclusive
            } else {
                TaxMode::Inclusive
            },
            ..Pricing::default()
        },
        buyer: buyer_party,
        recipients,
        lines,
        payment: Payment {
            method: shape.payment,
            status,
        },
        shipping,
        remarks: None,
        gift: shape.gift,
        discounts,
        shipping_fee: Amount::from(fee),
        cod_fee: Amount::from(cod_fee),
        stated: StatedTotals::default(),
        marketplace_tags: Vec::new(),
        instructions: Instructions::default(),
        state: OrderState {
            phase,
            ..OrderState::default()
        },
    };
    let totals = compute_totals(&order);
    order.stated.total = Some(totals.total);
    order.stated.tax = totals
        .tax
        .iter()
        .map(|t| StatedTax {
            rate: t.rate,
            tax: t.tax,
        })
        .collect();

    let closed = matches!(phase, Phase::Printed | Phase::Shipped);
    let truth = (!(masked || closed || two_recipients)).then(|| {
        let mut h = DefaultHasher::new();
        shape.store.hash(&mut h);
        (buyer.surname, buyer.given, buyer.romaji).hash(&mut h);
        // Amazon gives no phone.
        (shape.store != AMAZON)
            .then_some((buyer.mobile, buyer.subscriber))
            .hash(&mut h);
        let r = recipient_person;
        (r.surname, r.given, r.romaji, r.address).hash(&mut h);
        (
            shape.method,
            shape.payment,
            shape.slot,
            shape.desired,
            shape.zones_of(&order),
            shape.gift,
            shape.noshi,
        )
            .hash(&mut h);
        h.finish()
    });
    (order, truth)
}

impl Shape {
    /// The zones the order's lines actually cover (a mail order with a
    /// non-mailable ambient item still covers only ambient).
    fn zones_of(&self, order: &Order) -> u8 {
        order
            .lines
            .iter()
            .fold(0, |m, l| m | 1 << (l.temperature as u8))
    }
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Tea => "煎茶",
        Family::Goods => "手ぬぐい",
        Family::Towel => "今治タオル",
        Family::Sweets => "和菓子詰め合わせ",
        Family::Tableware => "有田焼 湯呑み",
        Family::Chilled => "生菓子",
        Family::Frozen => "冷凍惣菜",
        Family::Furniture => "座卓",
    }
}

// ---------------------------------------------------------------------------
// Measured loops and their references
// ---------------------------------------------------------------------------

/// What splitting and judging a batch found, summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SplitMailCounts {
    /// Orders planned.
    pub orders: u64,
    /// Shipments over all plans.
    pub shipments: u64,
    /// Orders split into more than one shipment.
    pub split: u64,
    /// Σ of the shipments' totals, in yen (equal to Σ of the orders' totals).
    pub total_yen: i64,
    /// Orders eligible for mail packets.
    pub eligible: u64,
    /// Verdicts: one packet, several packets, a box.
    pub outcomes: [u64; 3],
    /// Σ of the packets needed.
    pub packets: u64,
    /// Orders `split` refused.
    pub errors: u64,
}

fn outcome_index(o: MailOutcome) -> usize {
    match o {
        MailOutcome::MailPacket => 0,
        MailOutcome::Packets => 1,
        MailOutcome::Box => 2,
    }
}

fn yen(a: Amount) -> i64 {
    i64::try_from(a.trunc().mantissa() / 10i128.pow(a.trunc().scale())).unwrap_or(i64::MAX)
}

/// The measured hot path: `split(order, &[])` then `mail(order)` for each order,
/// one at a time, counting what they found.
pub fn split_mail_counts(planner: &Planner, orders: &[Order]) -> SplitMailCounts {
    let mut c = SplitMailCounts::default();
    for order in orders {
        split_mail_one(planner, order, &mut c);
    }
    c
}

/// [`split_mail_counts`] for one order.
#[inline]
pub fn split_mail_one(planner: &Planner, order: &Order, c: &mut SplitMailCounts) {
    c.orders += 1;
    match planner.split(order, &[]) {
        Ok(plan) => {
            let n = plan.shipments.len() as u64;
            c.shipments += n;
            c.split += u64::from(n > 1);
            for s in &plan.shipments {
                c.total_yen += yen(s.money.total);
            }
        }
        Err(_) => c.errors += 1,
    }
    let v = planner.mail(order);
    c.eligible += u64::from(v.eligible);
    c.outcomes[outcome_index(v.outcome)] += 1;
    c.packets += u64::from(v.packets);
}

/// The nekopos limits: 312 × 228 mm, 30 mm thick, 1 kg.
const NEKOPOS: (u32, u32, u32, u32) = (312, 228, 30, 1000);

/// The same counts by a plain loop over the catalog: shipments are the distinct
/// (zone, method) pairs of the lines (a furniture line has its own method);
/// the mail verdict is worked out unit by unit in twelfths of a packet, first
/// fit by decreasing size, against the nekopos limits.
pub fn reference_split_mail(data: &ShipmentData, orders: &[Order]) -> SplitMailCounts {
    let by_sku: HashMap<&str, &Product> =
        data.products.iter().map(|p| (p.sku.as_str(), p)).collect();
    let mut c = SplitMailCounts::default();
    for o in orders {
        c.orders += 1;
        let mut groups: Vec<(TemperatureZone, bool, u32)> = Vec::new();
        let mut units: Vec<(u32, u32)> = Vec::new();
        let mut eligible = o.payment.method != PaymentMethod::Cod && o.shipping.time_slot.is_none();
        for l in &o.lines {
            let p = by_sku[l.sku.as_ref().map(|s| s.as_str()).unwrap_or("")];
            let key = (p.zone, p.freight, l.recipient);
            if !groups.contains(&key) {
                groups.push(key);
            }
            if p.zone != TemperatureZone::Ambient {
                eligible = false;
            }
            let Some((num, den)) = p.mail else {
                eligible = false;
                continue;
            };
            let (mut a, mut b) = (p.dims.0, p.dims.1);
            if a < b {
                std::mem::swap(&mut a, &mut b);
            }
            if a > NEKOPOS.0 || b > NEKOPOS.1 || p.dims.2 > NEKOPOS.2 || p.weight_g > NEKOPOS.3 {
                eligible = false;
            }
            for _ in 0..l.quantity {
                units.push((12 * num / den, p.weight_g));
            }
        }
        c.shipments += groups.len() as u64;
        c.split += u64::from(groups.len() > 1);
        c.total_yen += yen(compute_totals(o).total);
        units.sort_by(|x, y| y.cmp(x));
        let mut bins: Vec<(u32, u32)> = Vec::new();
        for &(f, w) in &units {
            match bins
                .iter_mut()
                .find(|b| b.0 + f <= 12 && b.1 + w <= NEKOPOS.3)
            {
                Some(b) => {
                    b.0 += f;
                    b.1 += w;
                }
                None => bins.push((f, w)),
            }
        }
        let packets = bins.len() as u64;
        let outcome = if !eligible || packets > 2 {
            2
        } else if packets <= 1 {
            0
        } else {
            1
        };
        c.eligible += u64::from(eligible);
        c.outcomes[outcome] += 1;
        c.packets += packets;
    }
    c
}

/// The groups found, each as its sorted order indices, sorted.
pub fn merge_groups(found: &MergeCandidates) -> Vec<Vec<u32>> {
    let mut groups: Vec<Vec<u32>> = found
        .groups
        .iter()
        .map(|g| {
            let mut v = g.orders.clone();
            v.sort_unstable();
            v
        })
        .collect();
    groups.sort_unstable();
    groups
}

/// The groups [`ShipmentData::merge_truth`] says there are (orders with equal
/// truth, two or more), in the form of [`merge_groups`], and the number of
/// orders that cannot merge.
pub fn reference_merge_groups(truth: &[Option<u64>]) -> (Vec<Vec<u32>>, usize) {
    let mut by: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut excluded = 0;
    for (i, t) in truth.iter().enumerate() {
        match t {
            Some(k) => by.entry(*k).or_default().push(i as u32),
            None => excluded += 1,
        }
    }
    let mut groups: Vec<Vec<u32>> = by.into_values().filter(|v| v.len() > 1).collect();
    groups.sort_unstable();
    (groups, excluded)
}

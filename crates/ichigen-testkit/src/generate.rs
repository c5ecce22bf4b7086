//! Deterministic generation of realistic orders, triage contexts and a large rule
//! set, for benchmarks, property tests and fuzz seeds.
//!
//! Everything here is a pure function of a seed: a small hand-written PRNG
//! ([`SplitMix64`]) drives every choice, and the calendar is fixed ([`TODAY`]), so
//! the same seed gives the same orders on every machine, run after run.
//!
//! The orders look like what a Japanese shop selling tea, sweets, tableware and
//! gifts on Rakuten, Amazon, Yahoo!, Shopify and its own site receives: one to five
//! lines at the 10 % and 8 % rates, ambient, chilled and frozen goods, remarks on
//! about one order in ten, gifts shipped to someone else, pre-orders, bank transfer,
//! convenience-store, COD, deferred and card payments, mail packets, designated
//! delivery dates and marketplace tags. Stated totals are computed with the core's
//! own [`compute_totals`], so every generated order validates.
//!
//! ```
//! use ichigen_core::validate::validate_order;
//! use ichigen_testkit::generate::{OrderGenerator, rule_set};
//! use ichigen_core::rules::MatchMode;
//!
//! let mut generator = OrderGenerator::new(7);
//! let generated = generator.next_generated();
//! assert!(validate_order(&generated.order).is_empty());
//!
//! let rules = rule_set(MatchMode::AllMatching)?;
//! assert_eq!(rules.definition().rules.len(), 80);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{Days, NaiveDate, TimeDelta};
use ichigen_core::clock::FixedClock;
use ichigen_core::ids::*;
use ichigen_core::lifecycle::OrderState;
use ichigen_core::money::Currency;
use ichigen_core::order::*;
use ichigen_core::rules::{
    CustomerFacts, EXAMPLE_RULE_SET_JSON, MatchMode, RuleSet, TriageContext,
};
use ichigen_core::validate::compute_totals;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The calendar day the generated orders lead up to, in the shop's zone (Asia/Tokyo).
pub const TODAY: &str = "2026-11-23";

/// The instant to triage generated orders at: noon of [`TODAY`] in Tokyo.
pub const NOW: &str = "2026-11-23T03:00:00Z";

/// The number of rules in [`rule_set_json`]: the 8 example rules and 72 more.
pub const RULE_COUNT: usize = 80;

/// [`TODAY`] as a date.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
}

/// A clock stopped at [`NOW`].
pub fn clock() -> FixedClock {
    FixedClock(today().and_hms_opt(3, 0, 0).unwrap_or_default().and_utc())
}

/// SplitMix64: a tiny, fast, well-mixed generator; plenty for test data and
/// reproducible everywhere (no clock, no OS randomness).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0), by multiply-shift (bias below 2⁻³²).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One value by weight; the weights must not all be zero.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < *w {
                return *item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }
}

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

/// One product of the generated shop.
#[derive(Debug, Clone, Copy)]
struct Product {
    sku: &'static str,
    /// The listing code on Rakuten and Yahoo! (item management number).
    listing: &'static str,
    name: &'static str,
    /// Tax-inclusive price in yen.
    price: i64,
    /// 8 (food) or 10 (everything else).
    rate: u8,
    zone: TemperatureZone,
    group: &'static str,
    /// Fits a mail packet.
    small: bool,
    /// Days from today to the release date (negative: released).
    release_in: Option<i64>,
    made_to_order: bool,
    needs_confirmation: bool,
    weight: u64,
}

const fn p(
    sku: &'static str,
    listing: &'static str,
    name: &'static str,
    price: i64,
    rate: u8,
    group: &'static str,
    weight: u64,
) -> Product {
    Product {
        sku,
        listing,
        name,
        price,
        rate,
        zone: TemperatureZone::Ambient,
        group,
        small: false,
        release_in: None,
        made_to_order: false,
        needs_confirmation: false,
        weight,
    }
}

const fn small(mut x: Product) -> Product {
    x.small = true;
    x
}

const fn zone(mut x: Product, z: TemperatureZone) -> Product {
    x.zone = z;
    x
}

const fn release(mut x: Product, days: i64) -> Product {
    x.release_in = Some(days);
    x
}

const fn engraved(mut x: Product) -> Product {
    x.made_to_order = true;
    x
}

const fn confirm(mut x: Product) -> Product {
    x.needs_confirmation = true;
    x
}

use TemperatureZone::{Chilled, Frozen};

#[rustfmt::skip]
const CATALOG: &[Product] = &[
    // Tea (8 %).
    small(p("TEA-SEN-100", "sencha-yabukita-100", "煎茶 やぶきた 100g", 1080, 8, "tea", 90)),
    small(p("TEA-GYO-50", "gyokuro-50", "玉露 50g", 2160, 8, "tea", 40)),
    small(p("TEA-HOJ-200", "hojicha-200", "ほうじ茶 200g", 864, 8, "tea", 60)),
    small(p("TEA-MAT-30", "matcha-can-30", "抹茶 30g缶", 1620, 8, "tea", 45)),
    small(p("TEA-GEN-TB20", "genmaicha-tb20", "玄米茶 ティーバッグ 20包", 648, 8, "tea", 50)),
    p("TEA-SET-A", "tea-set-a", "煎茶ギフトセット", 3240, 8, "gift_set", 45),
    p("TEA-SET-B", "tea-set-b", "玉露・煎茶詰め合わせ", 5400, 8, "gift_set", 25),
    // Sweets (8 %).
    p("SWT-YOK-01", "yokan-hon", "本練り羊羹", 1296, 8, "sweets", 35),
    p("SWT-DOR-10", "dorayaki-10", "どら焼き 10個入", 1944, 8, "sweets", 35),
    p("SWT-MAN-12", "onsen-manju-12", "温泉まんじゅう 12個入", 1620, 8, "sweets", 25),
    zone(p("SWT-DAI-08", "ichigo-daifuku-8", "いちご大福 8個入", 2160, 8, "chilled_sweets", 20), Chilled),
    zone(p("SWT-CHE-01", "matcha-cheesecake", "抹茶チーズケーキ", 2800, 8, "chilled_sweets", 15), Chilled),
    zone(p("ICE-MAT-06", "matcha-ice-6", "抹茶アイス 6個入", 3240, 8, "frozen_sweets", 18), Frozen),
    zone(p("ICE-ASS-12", "wafu-ice-12", "和風アイス 詰め合わせ 12個", 4860, 8, "frozen_sweets", 10), Frozen),
    // Food (8 %).
    p("FD-UME-500", "nanko-ume-500", "紀州南高梅 500g", 2980, 8, "food", 25),
    small(p("FD-NOR-10", "yakinori-10", "焼海苔 10枚", 980, 8, "food", 30)),
    p("FD-SOB-03", "shinshu-soba-3", "信州そば 3人前", 1380, 8, "food", 20),
    zone(p("FD-GYO-50", "frozen-gyoza-50", "冷凍餃子 50個", 3000, 8, "food", 15), Frozen),
    zone(p("FD-SAK-05", "shiozake-5", "塩鮭 切身 5切", 3980, 8, "seafood", 10), Frozen),
    zone(p("FD-HOT-1K", "hotate-1kg", "オホーツク産 ホタテ 1kg", 6980, 8, "seafood", 8), Frozen),
    // Tableware (10 %).
    p("CUP-YUN-01", "arita-yunomi", "有田焼 湯呑み", 1650, 10, "tableware", 35),
    p("CUP-YUN-PAIR", "arita-yunomi-pair", "有田焼 夫婦湯呑み", 4400, 10, "tableware", 20),
    p("POT-KYU-01", "tokoname-kyusu", "常滑焼 急須", 5500, 10, "tableware", 15),
    p("BWL-CHA-01", "mino-chawan", "美濃焼 茶碗", 2200, 10, "tableware", 20),
    engraved(p("CHP-NUR-PAIR", "meoto-bashi-name", "名入れ 夫婦箸", 3300, 10, "engraving", 12)),
    engraved(p("GLS-NAM-01", "name-glass", "名入れ 江戸切子グラス", 8800, 10, "engraving", 6)),
    // Goods (10 %).
    small(p("TWL-IMA-01", "imabari-face", "今治タオル フェイスタオル", 1320, 10, "towel", 30)),
    p("TWL-IMA-SET", "imabari-gift", "今治タオル ギフトセット", 4950, 10, "towel", 18),
    small(p("FUR-FUR-01", "furoshiki-2haba", "風呂敷 二巾", 2750, 10, "textile", 10)),
    small(p("TEN-CHU-01", "tenugui-chusen", "注染 手ぬぐい", 1100, 10, "textile", 20)),
    small(p("INC-BYA-01", "kou-byakudan", "お香 白檀", 1980, 10, "incense", 10)),
    p("FRN-ZAB-05", "zabuton-5", "座布団 5枚組", 12800, 10, "furniture", 3),
    // Pre-orders and released items.
    small(release(p("PRE-CAL-2027", "cal-2027", "2027年 茶の湯カレンダー (予約)", 2200, 10, "calendar", 10), 20)),
    zone(release(p("PRE-OSE-2027", "osechi-3dan", "おせち 三段重 (予約)", 21600, 8, "osechi", 6), 37), Frozen),
    small(release(p("PRE-SHI-2027", "shincha-2027", "新茶 2027 (予約)", 2700, 8, "tea_pre_order", 5), 155)),
    small(release(p("TEC-2026", "techo-2026", "2026年版 手帳", 1500, 10, "stationery", 6), -30)),
    // Needs confirmation (age checks, blades).
    confirm(p("KNF-SAN-01", "santoku-knife", "三徳包丁", 8800, 10, "cutlery", 6)),
    confirm(p("ALC-SAK-720", "junmai-ginjo-720", "純米吟醸 720ml", 2750, 10, "alcohol", 12)),
    confirm(p("ALC-UME-500", "umeshu-500", "梅酒 500ml", 1980, 10, "alcohol", 8)),
];

/// The SKUs of the generated shop's catalog, for rules and tests.
pub fn catalog_skus() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|p| p.sku)
}

/// An Amazon-style ASIN derived from the SKU (deterministic, `B0` + 8 characters).
fn asin(sku: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut s = String::from("B0");
    for _ in 0..8 {
        s.push(char::from(ALPHABET[(h % ALPHABET.len() as u64) as usize]));
        h /= ALPHABET.len() as u64;
    }
    s
}

// ---------------------------------------------------------------------------
// People and places
// ---------------------------------------------------------------------------

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
];

const GIVEN_NAMES: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("翔太", "ショウタ"),
    ("美咲", "ミサキ"),
    ("健一", "ケンイチ"),
    ("陽子", "ヨウコ"),
    ("大輔", "ダイスケ"),
    ("由美", "ユミ"),
    ("誠", "マコト"),
    ("恵子", "ケイコ"),
    ("拓也", "タクヤ"),
    ("さくら", "サクラ"),
    ("浩二", "コウジ"),
    ("真由美", "マユミ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
];

/// A prefecture with population weight, postal prefixes, a town, and transit days
/// from a warehouse in Shizuoka.
struct Prefecture {
    name: &'static str,
    weight: u64,
    postal: &'static [&'static str],
    town: &'static str,
    transit: u32,
}

#[rustfmt::skip]
const PREFECTURES: &[Prefecture] = &[
    Prefecture { name: "東京都", weight: 140, postal: &["100", "104", "106", "113", "135", "150", "154", "160", "170", "181"], town: "渋谷区神宮前", transit: 1 },
    Prefecture { name: "神奈川県", weight: 90, postal: &["210", "220", "231", "244", "252"], town: "横浜市港北区日吉", transit: 1 },
    Prefecture { name: "大阪府", weight: 70, postal: &["530", "540", "556", "564", "590"], town: "大阪市北区梅田", transit: 1 },
    Prefecture { name: "愛知県", weight: 60, postal: &["444", "450", "460", "464"], town: "名古屋市中区栄", transit: 1 },
    Prefecture { name: "埼玉県", weight: 60, postal: &["330", "336", "343", "350"], town: "さいたま市浦和区高砂", transit: 1 },
    Prefecture { name: "千葉県", weight: 50, postal: &["260", "270", "272", "279"], town: "千葉市中央区富士見", transit: 1 },
    Prefecture { name: "兵庫県", weight: 40, postal: &["650", "660", "670"], town: "神戸市中央区三宮町", transit: 1 },
    Prefecture { name: "北海道", weight: 40, postal: &["040", "060", "080", "090"], town: "札幌市中央区大通西", transit: 2 },
    Prefecture { name: "福岡県", weight: 40, postal: &["802", "810", "812"], town: "福岡市中央区天神", transit: 2 },
    Prefecture { name: "静岡県", weight: 30, postal: &["410", "420", "430"], town: "静岡市葵区呉服町", transit: 1 },
    Prefecture { name: "茨城県", weight: 20, postal: &["300", "310"], town: "水戸市南町", transit: 1 },
    Prefecture { name: "広島県", weight: 20, postal: &["720", "730"], town: "広島市中区紙屋町", transit: 1 },
    Prefecture { name: "京都府", weight: 20, postal: &["600", "604", "612"], town: "京都市下京区四条通", transit: 1 },
    Prefecture { name: "宮城県", weight: 20, postal: &["980", "981"], town: "仙台市青葉区一番町", transit: 1 },
    Prefecture { name: "新潟県", weight: 20, postal: &["940", "950"], town: "新潟市中央区古町通", transit: 1 },
    Prefecture { name: "長野県", weight: 20, postal: &["380", "390"], town: "長野市大門町", transit: 1 },
    Prefecture { name: "岐阜県", weight: 20, postal: &["500"], town: "岐阜市長住町", transit: 1 },
    Prefecture { name: "栃木県", weight: 20, postal: &["320"], town: "宇都宮市馬場通り", transit: 1 },
    Prefecture { name: "群馬県", weight: 20, postal: &["370"], town: "高崎市八島町", transit: 1 },
    Prefecture { name: "岡山県", weight: 15, postal: &["700"], town: "岡山市北区表町", transit: 1 },
    Prefecture { name: "熊本県", weight: 15, postal: &["860"], town: "熊本市中央区上通町", transit: 2 },
    Prefecture { name: "鹿児島県", weight: 15, postal: &["890"], town: "鹿児島市東千石町", transit: 2 },
    Prefecture { name: "石川県", weight: 10, postal: &["920"], town: "金沢市香林坊", transit: 1 },
    Prefecture { name: "愛媛県", weight: 10, postal: &["790"], town: "松山市大街道", transit: 2 },
    Prefecture { name: "青森県", weight: 10, postal: &["030"], town: "青森市新町", transit: 2 },
    Prefecture { name: "沖縄県", weight: 15, postal: &["900", "901", "904"], town: "那覇市久茂地", transit: 3 },
];

const BUILDINGS: &[&str] = &[
    "サンプルマンション",
    "メゾン若葉",
    "コーポ桜",
    "グランドハイツ",
    "パークサイド",
    "第二山田ビル",
];

const REMARKS: &[&str] = &[
    "のし紙をお願いします。表書きは御歳暮で。",
    "配達前に電話ください",
    "領収書を同封してください（宛名：株式会社サンプル）",
    "急ぎでお願いします",
    "置き配希望です",
    "12月20日までに届くようにお願いします",
    "ギフト包装をお願いします",
    "不在がちなので宅配ボックスへお願いします",
    "前回と同じ住所でお願いします",
    "至急発送希望",
    "納品書は不要です",
    "熨斗の名入れは「山田」でお願いします",
    "ポイント利用について確認したいです",
    "　",
];

const NOSHI: &[&str] = &[
    "御歳暮 外のし 名入れなし",
    "御礼 内のし",
    "内祝 外のし 名入れあり",
    "御年賀 外のし",
];

const WRAPPING: &[&str] = &["包装紙（和柄）", "簡易包装", "風呂敷包み"];

// ---------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------

/// One generated order with the context facts a caller would know about it.
#[derive(Debug, Clone)]
pub struct GeneratedOrder {
    /// The order (valid: [`validate_order`](ichigen_core::validate::validate_order) finds nothing).
    pub order: Order,
    /// Customer facts, transit days, merge candidate … consistent with the order.
    pub context: TriageContext,
}

/// A batch of orders with one context per order, ready for
/// [`dry_run`](ichigen_core::rules::dry_run).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The orders.
    pub orders: Vec<Order>,
    /// One context per order, same index.
    pub contexts: Vec<TriageContext>,
}

/// A seeded generator of orders; also an iterator of [`GeneratedOrder`]s.
#[derive(Debug, Clone)]
pub struct OrderGenerator {
    rng: SplitMix64,
    seed: u64,
    seq: u64,
    today: NaiveDate,
}

impl OrderGenerator {
    /// A generator for `seed`, with orders placed in the three days up to [`TODAY`].
    pub fn new(seed: u64) -> Self {
        OrderGenerator {
            rng: SplitMix64::new(seed ^ 0x1c61_9e4e_0000_0000),
            seed,
            seq: 0,
            today: today(),
        }
    }

    /// The day the orders lead up to.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The next order alone (its context is drawn and dropped, so that
    /// `next_order` and [`next_generated`](Self::next_generated) stay in step).
    pub fn next_order(&mut self) -> Order {
        self.next_generated().order
    }

    /// The next order with its context.
    pub fn next_generated(&mut self) -> GeneratedOrder {
        self.seq += 1;
        let order = self.order();
        let context = self.context(&order);
        GeneratedOrder { order, context }
    }

    fn order(&mut self) -> Order {
        let r = &mut self.rng;
        let seq = self.seq;
        let channel = r.weighted(&[
            (Channel::Rakuten, 40),
            (Channel::Amazon, 25),
            (Channel::Yahoo, 15),
            (Channel::Shopify, 10),
            (Channel::OwnSite, 10),
        ]);
        let store = match channel {
            Channel::Rakuten if r.chance(250) => "rakuten-outlet",
            Channel::Rakuten => "rakuten-main",
            Channel::Amazon => "amazon-jp",
            Channel::Yahoo if r.chance(300) => "yahoo-gift",
            Channel::Yahoo => "yahoo-main",
            Channel::Shopify => "shopify-main",
            _ if r.chance(150) => "own-site-b2b",
            _ => "own-site",
        };
        let b2b = store == "own-site-b2b";

        // When: in the 72 hours before noon of today, Tokyo time.
        let now = clock().0;
        let ordered_at = now - TimeDelta::seconds(r.range(60, 72 * 3600) as i64);
        let order_day = ordered_at
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .date_naive();

        // Lines.
        let n_lines = r.weighted(&[(1usize, 40), (2, 28), (3, 17), (4, 9), (5, 6)]);
        let mut chosen: Vec<&'static Product> = Vec::with_capacity(n_lines);
        let weights: Vec<(usize, u64)> = CATALOG
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.weight))
            .collect();
        while chosen.len() < n_lines {
            let product = &CATALOG[r.weighted(&weights)];
            if !chosen.iter().any(|c| c.sku == product.sku) {
                chosen.push(product);
            }
        }
        let gift = r.chance(if store == "yahoo-gift" { 600 } else { 80 });
        let mut lines = Vec::with_capacity(n_lines);
        for product in &chosen {
            let quantity = r.weighted(&[(1u32, 750), (2, 170), (3, 50), (4, 15), (6, 10), (12, 5)]);
            let listing = match channel {
                Channel::Amazon => asin(product.sku),
                Channel::Shopify => format!(
                    "{}",
                    4_470_000_000_000u64 + (asin_num(product.sku) % 1_000_000)
                ),
                Channel::OwnSite => product.sku.to_owned(),
                _ => product.listing.to_owned(),
            };
            let unit_price = if b2b {
                // Tax-exclusive price, as a B2B price list shows it.
                product.price * 100 / (100 + i64::from(product.rate))
            } else {
                product.price
            };
            let mut options = LineOptions::default();
            if gift && r.chance(500) {
                options.noshi = Some(FreeText::from(*r.pick(NOSHI)));
            }
            if gift && r.chance(400) {
                options.wrapping = Some(FreeText::from(*r.pick(WRAPPING)));
            }
            if product.made_to_order {
                let (_, kana) = r.pick(SURNAMES);
                options
                    .other
                    .insert("名入れ".to_owned(), FreeText::from(*kana));
            }
            lines.push(OrderLine {
                listing_code: ListingCode::new(listing),
                sku: Some(Sku::new(product.sku)),
                name: product.name.to_owned(),
                quantity,
                unit_price: Decimal::from(unit_price),
                tax_rate: Decimal::new(i64::from(product.rate), 2),
                temperature: product.zone,
                options,
                release_date: product
                    .release_in
                    .and_then(|d| self.today.checked_add_signed(TimeDelta::days(d))),
                made_to_order: product.made_to_order,
                needs_confirmation: product.needs_confirmation,
                product_group: Some(ProductGroup::new(product.group)),
                recipient: 0,
            });
        }
        // In list-price (tax-inclusive) terms, for the free-shipping threshold.
        let merchandise: i64 = lines
            .iter()
            .zip(&chosen)
            .map(|(l, p)| i64::from(l.quantity) * p.price)
            .sum();

        // Payment.
        let method = if channel == Channel::Amazon {
            r.weighted(&[
                (PaymentMethod::Marketplace, 820),
                (PaymentMethod::Cod, 100),
                (PaymentMethod::ConvenienceStore, 80),
            ])
        } else if b2b {
            r.weighted(&[
                (PaymentMethod::BankTransfer, 700),
                (PaymentMethod::CreditCard, 300),
            ])
        } else {
            r.weighted(&[
                (PaymentMethod::CreditCard, 560),
                (PaymentMethod::BankTransfer, 90),
                (PaymentMethod::ConvenienceStore, 80),
                (PaymentMethod::Cod, 100),
                (PaymentMethod::Deferred, 70),
                (PaymentMethod::Wallet, 70),
                (PaymentMethod::CarrierBilling, 30),
            ])
        };
        let status = match method {
            PaymentMethod::CreditCard | PaymentMethod::CarrierBilling => {
                if r.chance(25) {
                    PaymentStatus::AuthorizationFailed
                } else {
                    PaymentStatus::Authorized
                }
            }
            PaymentMethod::BankTransfer | PaymentMethod::ConvenienceStore => {
                if r.chance(200) {
                    PaymentStatus::Paid
                } else {
                    PaymentStatus::Unpaid
                }
            }
            PaymentMethod::Deferred => r.weighted(&[
                (PaymentStatus::Authorized, 750),
                (PaymentStatus::Screening, 200),
                (PaymentStatus::ScreeningFailed, 50),
            ]),
            PaymentMethod::Wallet => PaymentStatus::Paid,
            PaymentMethod::Marketplace => PaymentStatus::Authorized,
            _ => PaymentStatus::Unpaid,
        };

        // People.
        let pref = &PREFECTURES[r.weighted(
            &PREFECTURES
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.weight))
                .collect::<Vec<_>>(),
        )];
        let mut buyer = person(r, pref);
        if b2b {
            buyer.company = Some("株式会社サンプル商事".to_owned());
        }
        buyer.email = Some(format!("customer{}@example.jp", r.below(500_000)));
        if matches!(channel, Channel::Rakuten | Channel::Yahoo) && r.chance(700) {
            buyer.member_id = Some(MemberId::new(format!("m{:09}", r.below(1_000_000_000))));
        }
        let mut recipient = buyer.clone();
        recipient.kana = None;
        recipient.email = None;
        recipient.member_id = None;
        if (gift && r.chance(850)) || r.chance(60) {
            // Someone else, often elsewhere: parents, friends.
            let other = &PREFECTURES[r.below(PREFECTURES.len() as u64) as usize];
            recipient = person(r, other);
            recipient.kana = None;
        } else if r.chance(30) {
            // The buyer, at the office.
            recipient.postal_code = Some(postal(r, pref));
            recipient.address1 = Some(format!(
                "{}{}-{}-{}",
                pref.town,
                r.range(1, 5),
                r.range(1, 20),
                r.range(1, 30)
            ));
            recipient.address2 = Some(format!("{}ビル{}F", r.pick(SURNAMES).0, r.range(2, 9)));
            recipient.company = Some("株式会社サンプル".to_owned());
        }
        let recipient_pref = recipient.prefecture.clone();
        let mut recipients = vec![recipient];
        if lines.len() >= 2 && r.chance(15) {
            let other = &PREFECTURES[r.below(PREFECTURES.len() as u64) as usize];
            let mut second = person(r, other);
            second.kana = None;
            recipients.push(second);
            for (i, line) in lines.iter_mut().enumerate() {
                line.recipient = (i % 2) as u32;
            }
        }
        if channel == Channel::Amazon {
            // Amazon gives the buyer's name and a relay address only.
            buyer = Party {
                name: buyer.name,
                email: Some(format!(
                    "{}@marketplace.amazon.co.jp",
                    asin(&format!("{seq}")).to_lowercase()
                )),
                ..Party::default()
            };
        }

        // Shipping.
        let zones = lines.iter().fold(0u8, |m, l| m | 1 << l.temperature as u8);
        let cool = zones & 0b110 != 0;
        let all_small =
            chosen.iter().all(|p| p.small) && lines.iter().map(|l| l.quantity).sum::<u32>() <= 2;
        let freight = chosen.iter().any(|p| p.group == "furniture");
        let mut shipping = Shipping::default();
        if freight {
            shipping.method = Some(ShippingMethodCode::new("large"));
            shipping.class = ShippingClass::Freight;
            shipping.carrier = Some(CarrierCode::new("sagawa"));
        } else if cool && !r.chance(30) {
            shipping.method = Some(ShippingMethodCode::new("takkyubin_cool"));
            shipping.carrier = Some(CarrierCode::new("yamato"));
        } else if (all_small && method != PaymentMethod::Cod && r.chance(600))
            || (method == PaymentMethod::Cod && r.chance(40))
            || cool
        {
            // A mail packet; now and then with COD or a cool item, the impossible
            // pairs a buyer can still pick on some carts.
            let (m, c) = *r.pick(&[
                ("nekopos", "yamato"),
                ("yu_packet", "japan_post"),
                ("clickpost", "japan_post"),
            ]);
            shipping.method = Some(ShippingMethodCode::new(m));
            shipping.class = ShippingClass::MailPacket;
            shipping.carrier = Some(CarrierCode::new(c));
        } else {
            let (m, c) = r.weighted(&[
                (("takkyubin", "yamato"), 600),
                (("hikyaku", "sagawa"), 250),
                (("yu_pack", "japan_post"), 150),
            ]);
            shipping.method = Some(ShippingMethodCode::new(m));
            shipping.carrier = Some(CarrierCode::new(c));
        }
        if shipping.class != ShippingClass::MailPacket && r.chance(150) {
            let days = r.weighted(&[
                (0u64, 20),
                (1, 100),
                (2, 150),
                (3, 150),
                (5, 150),
                (7, 200),
                (10, 130),
                (14, 100),
            ]);
            shipping.desired_date = self.today.checked_add_days(Days::new(days));
        }
        if shipping.class == ShippingClass::Parcel
            && r.chance(if shipping.desired_date.is_some() {
                500
            } else {
                100
            })
        {
            shipping.time_slot = Some(*r.pick(&[
                TimeSlot::Morning,
                TimeSlot::Noon,
                TimeSlot::Afternoon14,
                TimeSlot::Afternoon16,
                TimeSlot::Evening18,
                TimeSlot::Evening19,
            ]));
        }

        // Fees and discounts (in the price list's terms: inclusive except B2B).
        let far = matches!(recipient_pref.as_deref(), Some("北海道" | "沖縄県"));
        let mut fee: i64 = match shipping.class {
            ShippingClass::Freight => 2200,
            ShippingClass::MailPacket if merchandise >= 3980 => 0,
            ShippingClass::MailPacket => 250,
            _ if merchandise >= 3980 => 0,
            _ => 650,
        };
        if cool {
            fee += 330;
        }
        if far && shipping.class != ShippingClass::MailPacket {
            fee += 1100;
        }
        let cod_fee: i64 = match (method, merchandise) {
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
        if !b2b && r.chance(120) {
            let coupon = *r.pick(&[100i64, 200, 300, 500, 1000]);
            if coupon * 2 <= merchandise {
                discounts.coupon = Decimal::from(coupon);
            }
        }
        if !b2b && channel != Channel::Amazon && r.chance(100) {
            discounts.points =
                Decimal::from(r.range(1, (merchandise / 4).clamp(1, 3000) as u64) as i64);
        }

        // Free text, tags.
        let remarks = if r.chance(if gift { 250 } else { 90 }) {
            Some(Remarks(r.pick(REMARKS).to_string()))
        } else {
            None
        };
        let mut tags: Vec<Tag> = Vec::new();
        let mut tag = |r: &mut SplitMix64, per_mille: u64, name: &str| {
            if r.chance(per_mille) {
                tags.push(Tag::new(name));
            }
        };
        match channel {
            Channel::Rakuten => {
                tag(r, 120, "super_sale");
                tag(r, 5, "fraud_suspected");
            }
            Channel::Amazon => {
                tag(r, 350, "prime");
                tag(r, 40, "business_order");
            }
            Channel::Yahoo => {
                tag(r, 100, "paypay_bonus");
                tag(r, 5, "fraud_suspected");
            }
            Channel::Shopify => tag(r, 10, "fraud_suspected"),
            _ => {}
        }

        let channel_order_number = match channel {
            Channel::Rakuten => format!(
                "{}-{}-{:010}",
                if store == "rakuten-main" {
                    312_845
                } else {
                    398_112
                },
                order_day.format("%Y%m%d"),
                seq
            ),
            Channel::Amazon => format!("503-{:07}-{:07}", r.below(10_000_000), seq % 10_000_000),
            Channel::Yahoo => format!("{store}-{:08}", 10_000_000 + seq % 90_000_000),
            Channel::Shopify => format!("#{}", 1000 + seq),
            _ => format!("OS{}{:06}", order_day.format("%y%m%d"), seq % 1_000_000),
        };

        let mut order = Order {
            id: OrderId::new(format!("gen-{}-{:08}", self.seed, seq)),
            channel,
            store: StoreId::new(store),
            channel_order_number: ChannelOrderNumber::new(channel_order_number),
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
            buyer,
            recipients,
            lines,
            payment: Payment { method, status },
            shipping,
            remarks,
            gift,
            discounts,
            shipping_fee: Decimal::from(fee),
            cod_fee: Decimal::from(cod_fee),
            stated: StatedTotals::default(),
            marketplace_tags: tags,
            instructions: Instructions::default(),
            state: OrderState::default(),
        };
        // The channel states what it charged; Amazon states no tax breakdown.
        let totals = compute_totals(&order);
        order.stated.total = Some(totals.total);
        if channel != Channel::Amazon {
            order.stated.tax = totals
                .tax
                .iter()
                .map(|t| StatedTax {
                    rate: t.rate,
                    tax: t.tax,
                })
                .collect();
        }
        order
    }

    fn context(&mut self, order: &Order) -> TriageContext {
        let r = &mut self.rng;
        let customer = if r.chance(920) {
            let purchase_count = if r.chance(450) {
                1
            } else {
                r.weighted(&[
                    (2u32, 300),
                    (3, 200),
                    (4, 120),
                    (6, 120),
                    (9, 100),
                    (15, 80),
                    (30, 50),
                    (80, 30),
                ])
            };
            Some(CustomerFacts {
                caution: r.chance(15),
                vip: purchase_count >= 6 && r.chance(250),
                purchase_count,
            })
        } else {
            None
        };
        let transit = order
            .recipients
            .iter()
            .map(|p| {
                PREFECTURES
                    .iter()
                    .find(|x| Some(x.name) == p.prefecture.as_deref())
                    .map_or(2, |x| x.transit)
            })
            .max()
            .unwrap_or(1);
        let remote_island = r.chance(10);
        let transit_days = if remote_island { transit + 2 } else { transit };
        let infeasible = order.shipping.desired_date.map(|d| {
            // Ship tomorrow at the earliest, then the transit days.
            d < self.today + Days::new(1 + u64::from(transit_days))
        });
        TriageContext {
            customer,
            merge_candidate: Some(r.chance(50)),
            designated_date_infeasible: Some(infeasible.unwrap_or(false)),
            transit_days: if r.chance(970) {
                Some(transit_days)
            } else {
                None
            },
            remote_island: Some(remote_island),
            address_invalid: Some(r.chance(5)),
            awaiting_ship_date: Some(false),
            // Stock facts come from a book; the generated orders have none.
            all_lines_reservable: None,
            awaiting_stock: None,
            // Mail facts come from a planner with item specs; none here.
            mail_packet_fits: None,
            mail_packets_needed: None,
        }
    }
}

impl Iterator for OrderGenerator {
    type Item = GeneratedOrder;

    fn next(&mut self) -> Option<GeneratedOrder> {
        Some(self.next_generated())
    }
}

fn asin_num(sku: &str) -> u64 {
    sku.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn postal(r: &mut SplitMix64, pref: &Prefecture) -> String {
    let prefix = r.pick(pref.postal);
    let rest = r.below(10_000);
    if r.chance(300) {
        format!("{prefix}{rest:04}")
    } else {
        format!("{prefix}-{rest:04}")
    }
}

fn person(r: &mut SplitMix64, pref: &Prefecture) -> Party {
    let (surname, surname_kana) = *r.pick(SURNAMES);
    let (given, given_kana) = *r.pick(GIVEN_NAMES);
    let address2 = if r.chance(500) {
        Some(format!("{}{}", r.pick(BUILDINGS), r.range(101, 1205)))
    } else {
        None
    };
    Party {
        name: format!("{surname} {given}"),
        kana: Some(format!("{surname_kana} {given_kana}")),
        phone: Some(format!(
            "0{}0-{:04}-{:04}",
            r.range(7, 9),
            r.below(10_000),
            r.below(10_000)
        )),
        postal_code: Some(postal(r, pref)),
        prefecture: Some(pref.name.to_owned()),
        address1: Some(format!(
            "{}{}-{}-{}",
            pref.town,
            r.range(1, 5),
            r.range(1, 20),
            r.range(1, 30)
        )),
        address2,
        ..Party::default()
    }
}

/// `n` orders with their contexts, from `seed`.
pub fn batch(seed: u64, n: usize) -> Batch {
    let mut out = Batch {
        orders: Vec::with_capacity(n),
        contexts: Vec::with_capacity(n),
    };
    for g in OrderGenerator::new(seed).take(n) {
        out.orders.push(g.order);
        out.contexts.push(g.context);
    }
    out
}

/// `n` orders from `seed` (the same orders as [`batch`] gives).
pub fn orders(seed: u64, n: usize) -> Vec<Order> {
    OrderGenerator::new(seed).take(n).map(|g| g.order).collect()
}

// ---------------------------------------------------------------------------
// Rule set
// ---------------------------------------------------------------------------

/// The 72 rules added to the example set: SKU lists, product groups, prefectures,
/// postal codes, stores, channels, amounts, marketplace tags, context facts,
/// remarks keywords and patterns, tags set by earlier rules, and `all` / `any` /
/// `not` groups. Written as JSON, one rule a line, the way a shop writes a rule set.
pub const EXTRA_RULES_JSON: &str = r#"[
  {"id": "fraud-tag", "name": "不正注文の疑い → 確認待ち", "when": {"marketplace_tag": ["fraud_suspected"]}, "then": [{"add_hold": {"reason": "needs_check", "message": "不正注文の疑い"}}, {"add_tags": ["不正疑い"]}]},
  {"id": "deferred-screening", "name": "後払い与信審査中 → 入金待ち", "when": {"payment_method": ["deferred"], "payment_status": ["screening"]}, "then": [{"add_hold": {"reason": "awaiting_payment", "message": "与信審査中"}}]},
  {"id": "cod-high", "name": "高額代引き → 確認待ち", "when": {"payment_method": ["cod"], "total": {"min": "30000"}}, "then": [{"add_hold": {"reason": "needs_check", "message": "高額代引き"}}]},
  {"id": "first-high", "name": "初回購入で高額 → 確認待ち", "when": {"first_purchase": true, "total": {"min": "20000"}}, "then": [{"add_hold": {"reason": "needs_check", "message": "初回高額注文"}}]},
  {"id": "caution-cod", "name": "要注意顧客の代引き", "when": {"all": [{"customer_caution": true}, {"payment_method": ["cod"]}]}, "then": [{"add_tags": ["要注意代引き"]}]},
  {"id": "prepaid-paid", "name": "前払い入金済み", "when": {"payment_method": ["bank_transfer", "convenience_store"], "payment_status": ["paid"]}, "then": [{"add_tags": ["入金済"]}]},
  {"id": "card-high", "name": "カード高額", "when": {"payment_status": ["authorized"], "total": {"min": "50000"}}, "then": [{"add_tags": ["高額"]}, {"set_sub_status": "高額確認"}]},
  {"id": "amazon-cod", "name": "Amazon 代引き", "when": {"channel": ["amazon"], "payment_method": ["cod"]}, "then": [{"set_mail_template": "amazon-cod"}]},
  {"id": "vip", "name": "VIP顧客", "when": {"customer_vip": true}, "then": [{"add_tags": ["VIP"]}, {"set_mail_template": "vip-thanks"}]},
  {"id": "first-purchase", "name": "初回購入 → カタログ同梱", "when": {"first_purchase": true}, "then": [{"add_tags": ["初回購入"]}, {"add_line": {"listing_code": "catalog-2026", "sku": "CAT-2026", "name": "総合カタログ 2026", "unit_price": "0"}}]},
  {"id": "repeat", "name": "リピーター (2〜5回目)", "when": {"purchase_count": {"min": 2, "max": 5}}, "then": [{"add_tags": ["リピーター"]}]},
  {"id": "regular", "name": "常連 (10回以上)", "when": {"purchase_count": {"min": 10}}, "then": [{"add_tags": ["常連"]}, {"set_mail_template": "regular-thanks"}]},
  {"id": "caution-gift", "name": "要注意顧客のギフト", "when": {"all": [{"customer_caution": true}, {"gift": true}]}, "then": [{"set_sub_status": "要注意ギフト"}]},
  {"id": "vip-safe", "name": "VIP (要注意でない) → 優先出荷", "when": {"customer_vip": true, "not": {"customer_caution": true}}, "then": [{"add_tags": ["優先出荷"]}]},
  {"id": "knife", "name": "刃物 → 年齢確認", "when": {"sku": ["KNF-SAN-01"]}, "then": [{"add_hold": {"reason": "needs_check", "message": "刃物: 年齢確認"}}, {"add_tags": ["刃物"]}]},
  {"id": "alcohol", "name": "酒類", "when": {"product_group": ["alcohol"]}, "then": [{"add_tags": ["酒類"]}]},
  {"id": "needs-confirmation", "name": "要確認商品 → 確認待ち", "when": {"contains_needs_confirmation": true}, "then": [{"add_hold": {"reason": "needs_check", "message": "要確認商品"}}]},
  {"id": "made-to-order", "name": "名入れ → 出荷日+5日", "when": {"contains_made_to_order": true}, "then": [{"add_tags": ["名入れ"]}, {"set_ship_date": {"days_from_today": 5}}]},
  {"id": "engraving-date", "name": "名入れ × 日付指定 → 確認待ち", "when": {"product_group": ["engraving"], "designated_date": true}, "then": [{"add_hold": {"reason": "needs_check", "message": "名入れの納期と指定日"}}]},
  {"id": "frozen", "name": "冷凍品 → クール便", "when": {"temperature_zone": ["frozen"]}, "then": [{"set_shipping_method": {"method": "takkyubin_cool", "class": "parcel"}}, {"add_tags": ["冷凍"]}]},
  {"id": "chilled", "name": "冷蔵品", "when": {"temperature_zone": ["chilled"]}, "then": [{"add_tags": ["冷蔵"]}]},
  {"id": "multi-zone", "name": "温度帯混在 → 分割", "when": {"multiple_temperature_zones": true}, "then": [{"request_split": ["temperature_zone"]}, {"add_tags": ["温度帯混在"]}]},
  {"id": "osechi", "name": "おせち → 12/28 出荷", "when": {"sku": ["PRE-OSE-2027"]}, "then": [{"set_ship_date": "2026-12-28"}, {"add_tags": ["おせち"]}]},
  {"id": "shincha", "name": "新茶予約", "when": {"sku": ["PRE-SHI-2027"]}, "then": [{"add_tags": ["新茶予約"]}]},
  {"id": "pre-order-mixed", "name": "予約品と在庫品 → 分割", "when": {"contains_pre_order": true, "product_group": ["tea", "sweets", "tableware", "food", "towel"]}, "then": [{"request_split": ["release_date"]}]},
  {"id": "gift-set", "name": "ギフトセット", "when": {"product_group": ["gift_set"]}, "then": [{"add_tags": ["ギフトセット"]}]},
  {"id": "gift-noshi", "name": "ギフト × 茶 → のし案内", "when": {"all": [{"gift": true}, {"product_group": ["gift_set", "tea"]}]}, "then": [{"set_mail_template": "gift-noshi"}]},
  {"id": "furniture", "name": "大型商品 → 佐川 大型便", "when": {"product_group": ["furniture"]}, "then": [{"set_shipping_method": {"method": "large", "class": "freight"}}, {"set_carrier": "sagawa"}]},
  {"id": "staple-tea", "name": "定番茶", "when": {"listing_code": ["sencha-yabukita-100", "hojicha-200", "genmaicha-tb20"]}, "then": [{"add_tags": ["定番茶"]}]},
  {"id": "big-line", "name": "大口明細 → 確認待ち", "when": {"line_amount": {"min": "20000"}}, "then": [{"add_hold": {"reason": "needs_check", "message": "大口明細"}}]},
  {"id": "seafood-far", "name": "生鮮 × 離島・沖縄 → 確認待ち", "when": {"product_group": ["seafood"], "any": [{"remote_island": true}, {"prefecture": ["沖縄県"]}]}, "then": [{"add_hold": {"reason": "needs_check", "message": "生鮮: 配送可否"}}]},
  {"id": "cool-mail-packet", "name": "クール品 × メール便 → 宅急便クール", "when": {"temperature_zone": ["frozen", "chilled"], "shipping_class": ["mail_packet"]}, "then": [{"set_shipping_method": {"method": "takkyubin_cool", "class": "parcel"}}]},
  {"id": "tableware-fragile", "name": "陶器 → 割れ物", "when": {"product_group": ["tableware"]}, "then": [{"add_tags": ["割れ物"]}]},
  {"id": "stationery", "name": "手帳", "when": {"sku": ["TEC-2026", "PRE-CAL-2027"]}, "then": [{"add_tags": ["文具"]}]},
  {"id": "okinawa", "name": "沖縄", "when": {"prefecture": ["沖縄県"]}, "then": [{"add_tags": ["沖縄"]}]},
  {"id": "hokkaido-frozen", "name": "北海道 × 冷凍", "when": {"prefecture": ["北海道"], "temperature_zone": ["frozen"]}, "then": [{"add_tags": ["北海道冷凍"]}]},
  {"id": "kyushu", "name": "九州", "when": {"prefecture": ["福岡県", "熊本県", "鹿児島県"]}, "then": [{"set_carrier": "sagawa"}]},
  {"id": "remote-island", "name": "離島 → 確認待ち", "when": {"remote_island": true}, "then": [{"add_hold": {"reason": "needs_check", "message": "離島: 送料確認"}}]},
  {"id": "address-invalid", "name": "住所不備 → 確認待ち", "when": {"address_invalid": true}, "then": [{"add_hold": {"reason": "needs_check", "message": "住所不備"}}]},
  {"id": "tokyo-23", "name": "東京23区", "when": {"postal_code_prefix": ["100", "104", "106", "113", "135", "150", "154", "160", "170"]}, "then": [{"add_tags": ["東京23区"]}]},
  {"id": "far-designated", "name": "遠方 × 日付指定", "when": {"transit_days": {"min": 2}, "designated_date": true}, "then": [{"add_tags": ["遠方日付指定"]}]},
  {"id": "designated-infeasible", "name": "指定日に間に合わない → 確認待ち", "when": {"designated_date_infeasible": true}, "then": [{"add_hold": {"reason": "needs_check", "message": "指定日に間に合わない"}}]},
  {"id": "designated-soon", "name": "指定日が今日・明日 → 至急", "when": {"designated_date_in": ["today", "tomorrow"]}, "then": [{"add_tags": ["至急"]}, {"set_sub_status": "至急出荷"}]},
  {"id": "designated-later", "name": "指定日が先 → 印刷日待ち", "when": {"designated_date": true, "not": {"designated_date_in": ["today", "tomorrow", "day_after_tomorrow"]}}, "then": [{"add_hold": {"reason": "awaiting_ship_date", "message": "指定日に合わせて出荷"}}]},
  {"id": "nekopos", "name": "ネコポス案内", "when": {"shipping_method": ["nekopos"]}, "then": [{"set_mail_template": "nekopos-notice"}]},
  {"id": "mail-packet-high", "name": "メール便で高額 → 宅急便", "when": {"shipping_class": ["mail_packet"], "total": {"min": "8000"}}, "then": [{"set_shipping_method": {"method": "takkyubin", "class": "parcel"}}, {"set_carrier": "yamato"}]},
  {"id": "sagawa", "name": "佐川", "when": {"carrier": ["sagawa"]}, "then": [{"add_tags": ["佐川"]}]},
  {"id": "merge", "name": "同梱候補 → 確認待ち", "when": {"merge_candidate": true}, "then": [{"add_hold": {"reason": "needs_check", "message": "同梱候補あり"}}, {"add_tags": ["同梱候補"]}]},
  {"id": "other-address", "name": "別住所 (ギフト以外)", "when": {"recipient_differs": ["address"], "gift": false}, "then": [{"add_tags": ["別住所"]}]},
  {"id": "other-phone", "name": "送り先電話相違", "when": {"all": [{"recipient_differs": ["phone"]}, {"not": {"gift": true}}]}, "then": [{"add_tags": ["送り先電話相違"]}]},
  {"id": "remarks-noshi", "name": "備考: のし", "when": {"remarks_contains": ["のし", "熨斗"]}, "then": [{"add_tags": ["のし"]}, {"set_sub_status": "熨斗対応"}]},
  {"id": "remarks-receipt", "name": "備考: 領収書", "when": {"remarks_contains": ["領収書"]}, "then": [{"add_tags": ["領収書"]}]},
  {"id": "remarks-call", "name": "備考: 要連絡", "when": {"remarks_matches": ["(電話|連絡).*(ください|下さい)"]}, "then": [{"add_tags": ["要連絡"]}]},
  {"id": "remarks-rush", "name": "備考: 急ぎ", "when": {"remarks_contains": ["急ぎ", "至急"]}, "then": [{"add_tags": ["急ぎ"]}]},
  {"id": "remarks-okihai", "name": "備考: 置き配", "when": {"remarks_contains": ["置き配", "宅配ボックス"]}, "then": [{"add_tags": ["置き配"]}]},
  {"id": "remarks-date", "name": "備考に日付 → 確認待ち", "when": {"remarks_matches": ["[0-9０-９]+月[0-9０-９]+日"]}, "then": [{"add_hold": {"reason": "needs_check", "message": "備考に日付"}}]},
  {"id": "amazon-prime", "name": "Amazon Prime → 当日出荷", "when": {"channel": ["amazon"], "marketplace_tag": ["prime"]}, "then": [{"add_tags": ["Prime"]}, {"set_ship_date": {"days_from_today": 0}}]},
  {"id": "amazon-business", "name": "Amazonビジネス", "when": {"marketplace_tag": ["business_order"]}, "then": [{"add_tags": ["法人"]}, {"set_mail_template": "business"}]},
  {"id": "super-sale", "name": "楽天スーパーSALE", "when": {"channel": ["rakuten"], "marketplace_tag": ["super_sale"]}, "then": [{"add_tags": ["SS"]}]},
  {"id": "outlet", "name": "アウトレット店", "when": {"store": ["rakuten-outlet"]}, "then": [{"set_mail_template": "outlet"}, {"add_tags": ["アウトレット"]}]},
  {"id": "yahoo-gift-store", "name": "Yahoo!ギフト店 → 金額非表示", "when": {"store": ["yahoo-gift"]}, "then": [{"hide_prices": true}]},
  {"id": "shopify", "name": "Shopify", "when": {"channel": ["shopify"]}, "then": [{"set_mail_template": "shopify-default"}]},
  {"id": "b2b", "name": "法人向け", "when": {"store": ["own-site-b2b"]}, "then": [{"add_tags": ["B2B"]}, {"set_sub_status": "請求書同封"}]},
  {"id": "own-bank", "name": "自社サイト銀行振込", "when": {"channel": ["own_site"], "payment_method": ["bank_transfer"]}, "then": [{"set_mail_template": "own-bank-guide"}]},
  {"id": "yahoo-cvs", "name": "Yahoo! コンビニ決済", "when": {"channel": ["yahoo"], "payment_method": ["convenience_store"]}, "then": [{"add_tags": ["Yahooコンビニ"]}]},
  {"id": "market-gift", "name": "モールのギフト", "when": {"channel": ["rakuten", "yahoo"], "gift": true}, "then": [{"set_mail_template": "gift-market"}]},
  {"id": "own-card", "name": "自社決済カード", "when": {"not": {"channel": ["rakuten", "amazon", "yahoo"]}, "payment_method": ["credit_card"]}, "then": [{"add_tags": ["自社決済"]}]},
  {"id": "novelty", "name": "5,000〜9,999円 → ノベルティ", "when": {"total": {"min": "5000", "max": "9999"}, "channel": ["own_site", "shopify"]}, "then": [{"add_line": {"listing_code": "novelty-tea-bag", "sku": "NOV-TB-01", "name": "ノベルティ ティーバッグ", "unit_price": "0", "tax_rate": "0.08"}}]},
  {"id": "small-order", "name": "少額注文", "when": {"total": {"max": "1000"}}, "then": [{"add_tags": ["少額"]}]},
  {"id": "wrapping", "name": "自社ギフト → ラッピング代", "when": {"gift": true, "channel": ["own_site"]}, "then": [{"add_line": {"listing_code": "wrapping", "name": "ギフトラッピング", "unit_price": "330"}}]},
  {"id": "gift-remarks", "name": "ギフト × 備考", "when": {"tag": ["ギフト"], "remarks_present": true}, "then": [{"set_sub_status": "ギフト備考"}]},
  {"id": "same-day", "name": "当日出荷", "when": {"any": [{"designated_date_in": ["today"]}, {"marketplace_tag": ["prime"]}, {"tag": ["至急"]}]}, "then": [{"set_sub_status": "当日出荷"}]}
]"#;

/// The example rule set extended to [`RULE_COUNT`] rules, as JSON, in `mode`.
///
/// The example's first seven rules come first (its awaiting-stock rule is left
/// out: generated orders carry no stock facts), then 72 more, then the example's
/// catch-all (`everything-else` → ready), so that the set also makes sense in
/// first-match mode.
pub fn rule_set_json(mode: MatchMode) -> String {
    let mut set: Value = serde_json::from_str(EXAMPLE_RULE_SET_JSON).unwrap_or(Value::Null);
    let mode_name = match mode {
        MatchMode::FirstMatch => "first_match",
        MatchMode::AllMatching => "all_matching",
    };
    if let Some(obj) = set.as_object_mut() {
        obj.insert(
            "name".into(),
            json!(format!("generated-{RULE_COUNT}-{mode_name}")),
        );
        obj.insert("mode".into(), json!(mode_name));
        obj.insert(
            "description".into(),
            json!("The example rule set with 72 more rules, for benchmarks."),
        );
        if let Some(rules) = obj.get_mut("rules").and_then(Value::as_array_mut) {
            // Generated orders carry no stock facts, so the example's awaiting-stock
            // rule could only be unknown; the benchmarks' set stays at 80 rules.
            rules.retain(|r| r["id"] != "awaiting-stock");
            let catch_all = rules.pop();
            let extra: Value = serde_json::from_str(EXTRA_RULES_JSON).unwrap_or(Value::Null);
            rules.extend(extra.as_array().into_iter().flatten().cloned());
            rules.extend(catch_all);
        }
    }
    serde_json::to_string_pretty(&set).unwrap_or_default()
}

/// [`rule_set_json`], loaded.
pub fn rule_set(mode: MatchMode) -> Result<RuleSet, ichigen_core::Error> {
    RuleSet::from_json(&rule_set_json(mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ichigen_core::rules::dry_run;
    use ichigen_core::validate::{parse_order_json, validate_order};

    #[test]
    fn every_generated_order_validates() {
        for g in OrderGenerator::new(1).take(3000) {
            let issues = validate_order(&g.order);
            assert!(issues.is_empty(), "{}: {issues:?}", g.order.id);
        }
    }

    #[test]
    fn generated_orders_survive_json() {
        for order in orders(2, 300) {
            let text = serde_json::to_string(&order).unwrap();
            let back = parse_order_json(&text).unwrap();
            assert_eq!(back, order);
        }
    }

    #[test]
    fn same_seed_same_orders() {
        let a = batch(42, 200);
        let b = batch(42, 200);
        assert_eq!(a.orders, b.orders);
        assert_eq!(a.contexts, b.contexts);
        assert_eq!(orders(42, 200), a.orders);
        assert_ne!(orders(43, 20), orders(42, 20));
    }

    #[test]
    fn the_mix_is_realistic() {
        let orders = orders(3, 5000);
        let count = |f: &dyn Fn(&Order) -> bool| orders.iter().filter(|o| f(o)).count();
        let remarks = count(&|o| o.remarks.is_some());
        assert!(
            (300..=800).contains(&remarks),
            "remarks on {remarks} of 5000"
        );
        for channel in [
            Channel::Rakuten,
            Channel::Amazon,
            Channel::Yahoo,
            Channel::Shopify,
            Channel::OwnSite,
        ] {
            assert!(count(&|o| o.channel == channel) > 250, "{channel:?}");
        }
        for method in [
            PaymentMethod::BankTransfer,
            PaymentMethod::ConvenienceStore,
            PaymentMethod::Cod,
            PaymentMethod::CreditCard,
        ] {
            assert!(count(&|o| o.payment.method == method) > 100, "{method:?}");
        }
        assert!(count(&|o| o.gift) > 100);
        assert!(count(&|o| o.shipping.class == ShippingClass::MailPacket) > 100);
        assert!(count(&|o| o.shipping.desired_date.is_some()) > 300);
        assert!(count(&|o| !o.marketplace_tags.is_empty()) > 300);
        assert!(
            count(&|o| o
                .lines
                .iter()
                .any(|l| l.release_date.is_some_and(|d| d > today())))
                > 50
        );
        assert!(count(&|o| o.buyer.name != o.recipients[0].name) > 200);
        assert!(count(&|o| o.lines.len() == 5) > 100);
        assert!(count(&|o| o.lines.iter().any(|l| l.tax_rate == Decimal::new(8, 2))) > 1000);
    }

    #[test]
    fn the_rule_set_loads_in_both_modes() {
        for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
            let set = rule_set(mode).unwrap();
            assert_eq!(set.definition().rules.len(), RULE_COUNT);
            assert_eq!(set.mode(), mode);
            let last = set.definition().rules.last().unwrap();
            assert_eq!(last.id.as_str(), "everything-else");
        }
    }

    #[test]
    fn nearly_every_rule_fires_on_generated_orders() {
        let set = rule_set(MatchMode::AllMatching).unwrap();
        let batch = batch(4, 10_000);
        let mut hits = vec![0u32; RULE_COUNT];
        for (order, ctx) in batch.orders.iter().zip(&batch.contexts) {
            for i in set.matching_rules(order, ctx, today()) {
                hits[i] += 1;
            }
        }
        let never: Vec<&str> = set
            .definition()
            .rules
            .iter()
            .zip(&hits)
            .filter(|(_, h)| **h == 0)
            .map(|(r, _)| r.id.as_str())
            .collect();
        // Only rules that read tags set by earlier rules' actions cannot match an
        // untouched order.
        assert_eq!(never, ["gift-remarks"], "rules that never matched");
    }

    #[test]
    fn triage_refuses_no_generated_order() {
        let batch = batch(5, 2000);
        for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
            let set = rule_set(mode).unwrap();
            let report = dry_run(&set, &batch.orders, &batch.contexts, &clock()).unwrap();
            assert_eq!(report.totals.errors, 0);
            assert_eq!(report.totals.orders, 2000);
        }
    }

    #[test]
    fn the_clock_is_noon_of_today_in_tokyo() {
        assert_eq!(clock(), FixedClock::parse(NOW).unwrap());
        assert_eq!(today().to_string(), TODAY);
    }
}

//! Generated stock for the stock benchmarks (在庫管理): a catalog, stock levels, an
//! allocation policy for ten channels, a stream of orders to reserve, and a plain
//! reference allocation that the measured results are checked against.
//!
//! What the data looks like:
//!
//! - `skus` master SKUs (`TEA-0000001`, `CUP-0000002`…), and 3% as many sets of 2–3
//!   distinct components (1 or 2 units each): the first drawn by popularity, the
//!   others uniformly among the 10% most popular SKUs. Every
//!   SKU and every set is listed on every channel with that channel's own code
//!   (a Rakuten 商品管理番号 `tea-0000001`, an ASIN-like `B0…`, a JAN-like
//!   `49…` on the POS, the master SKU itself on Shopify…), so the catalog has
//!   `(skus + sets) × channels` listings;
//! - up to 8 locations with their prefectures (千葉, 大阪, 福岡, 北海道, 宮城, 愛知,
//!   広島, 沖縄), the first the main warehouse;
//! - SKU popularity Zipf-like (weight `1 / (rank + 10)`, ranks scrambled over the
//!   SKUs), and stock that follows it: a "season's demand" of about 22 units per
//!   SKU on average is spread by popularity, each SKU holds 60–300% of its share
//!   plus 0–5 units, 3% hold nothing at all, 1% hold a large lot (500–5,000 more).
//!   So most SKUs hold a few units and a few hold thousands. The main warehouse
//!   always stocks a SKU, each other location with probability 35%; 3% of cells
//!   with 5 or more units keep a buffer of 1–2; in snapshots (not in books) 10% of
//!   stocked cells have 1..=on hand units reserved;
//! - the allocation policy ([`policy_specs`]): ten channels mixing `uniform`,
//!   `percent` (`"33.3"`, `"50"` with a cap, `"25"` with a zero-below threshold),
//!   `fixed` with caps and thresholds, one `exclusive` fixed channel (tmall) and
//!   one channel (pos) bound to the first two locations;
//! - orders ([`OrderGen`]): channels weighted like a Japanese shop's (Rakuten
//!   35%, Amazon 25%, Yahoo! 12%…), 1–4 lines (60/25/10/5%), 4% of lines a set,
//!   the other SKUs by popularity, 1 unit (85%), 2 (10%) or 3–5, destinations over
//!   the 47 prefectures weighted by population; POS orders may only be served by
//!   the POS channel's two locations.
//!
//! Everything comes from SplitMix64 streams seeded by the caller.
//!
//! ```
//! use ichigen_benches::stock_data::{OrderGen, Shape, StockData, policy_specs, reference_quantities};
//! use ichigen_core::stock::{Allocator, ReservationPolicy};
//! let data = StockData::generate(Shape::new(2_000), 7);
//! let catalog = data.catalog();
//! assert_eq!(catalog.listing_count(), data.item_count() * 10);
//! let specs = policy_specs(10, 5);
//! let mut book = data.book(catalog.clone(), ReservationPolicy::default());
//! let mut alloc = Allocator::new(catalog, data.policy(&specs))?;
//! alloc.recompute(&book);
//! let expected = reference_quantities(&data, &specs, &data.free_cells(false));
//! let got: Vec<i64> = alloc.quantities().iter().map(|q| q.quantity).collect();
//! assert_eq!(got, expected.concat());
//! for req in OrderGen::new(&data, 1).take(100) {
//!     book.reserve(&req)?;
//! }
//! assert!(book.reconcile().ok);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use ichigen_core::ids::{ListingCode, LocationId, Sku};
use ichigen_core::order::Channel;
use ichigen_core::shipdate::prefecture::PREFECTURES;
use ichigen_core::stock::{
    AllocationPolicy, Catalog, CatalogDef, Component, ListingDef, Location, ReservationPolicy,
    ReserveRequest, SkuInfo, StockBook, StockLevel,
};
use ichigen_testkit::generate::SplitMix64;
use serde_json::{Value, json};

/// The ten channels, in policy order.
pub const CHANNELS: [Channel; 10] = [
    Channel::Rakuten,
    Channel::Amazon,
    Channel::Yahoo,
    Channel::AuPay,
    Channel::Qoo10,
    Channel::Shopify,
    Channel::OwnSite,
    Channel::Pos,
    Channel::Tmall,
    Channel::Other,
];

/// Locations (id, prefecture), the main warehouse first.
pub const LOCATIONS: [(&str, &str); 8] = [
    ("wh-chiba", "千葉県"),
    ("wh-osaka", "大阪府"),
    ("wh-fukuoka", "福岡県"),
    ("wh-sapporo", "北海道"),
    ("wh-sendai", "宮城県"),
    ("wh-nagoya", "愛知県"),
    ("wh-hiroshima", "広島県"),
    ("wh-okinawa", "沖縄県"),
];

/// Population of each prefecture in ten thousands (about 2020), by JIS code − 1:
/// the weights of order destinations.
const POPULATION: [u64; 47] = [
    522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103, 113, 77, 81,
    205, 198, 363, 754, 177, 141, 258, 884, 547, 132, 92, 55, 67, 189, 280, 134, 72, 95, 133, 69,
    514, 81, 131, 174, 112, 107, 159, 147,
];

const FAMILIES: [&str; 6] = ["TEA", "CUP", "SWT", "GFT", "KIT", "BAG"];

/// How big the generated data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Master SKUs.
    pub skus: usize,
    /// Locations, 1–8.
    pub locations: usize,
    /// Channels, 1–10 (the first of [`CHANNELS`]).
    pub channels: usize,
    /// Sets per thousand SKUs.
    pub sets_permille: u64,
}

impl Shape {
    /// `skus` SKUs, 5 locations, 10 channels, 30 sets per thousand SKUs.
    pub fn new(skus: usize) -> Shape {
        Shape {
            skus,
            locations: 5,
            channels: 10,
            sets_permille: 30,
        }
    }
}

/// What a listing sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// One master SKU (index).
    Sku(u32),
    /// A set (index into [`StockData::sets`]).
    Set(u32),
}

/// A generated catalog with its stock.
#[derive(Debug, Clone)]
pub struct StockData {
    /// The shape it was made with.
    pub shape: Shape,
    /// Master SKU codes.
    pub skus: Vec<String>,
    /// Each set's components: (SKU index, units).
    pub sets: Vec<Vec<(u32, u32)>>,
    /// On hand per cell (`sku × locations + location`).
    pub on_hand: Vec<i64>,
    /// Reserved per cell, for snapshots (a book starts with none).
    pub reserved: Vec<i64>,
    /// Buffer per cell.
    pub buffer: Vec<i64>,
    sku_weights: Vec<u64>,
    set_weights: Vec<u64>,
    rank: Affine,
    set_rank: Affine,
}

/// `x -> (a x + b) mod m`, a bijection of `0..m` (a coprime with m).
#[derive(Debug, Clone, Copy)]
struct Affine {
    a: u64,
    b: u64,
    m: u64,
}

impl Affine {
    fn new(m: usize, a: u64, b: u64) -> Affine {
        let m = m.max(1) as u64;
        let mut a = a % m;
        while gcd(a, m) != 1 {
            a += 1;
        }
        Affine { a, b: b % m, m }
    }

    fn apply(self, x: u64) -> u64 {
        ((u128::from(x) * u128::from(self.a) + u128::from(self.b)) % u128::from(self.m)) as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Cumulative Zipf-like weights `2^40 / (rank + 10)`.
fn zipf(len: usize) -> Vec<u64> {
    let mut total = 0;
    (0..len as u64)
        .map(|r| {
            total += (1u64 << 40) / (r + 10);
            total
        })
        .collect()
}

fn weight(cumulative: &[u64], rank: usize) -> u64 {
    cumulative[rank] - if rank == 0 { 0 } else { cumulative[rank - 1] }
}

fn draw(g: &mut SplitMix64, cumulative: &[u64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1);
    let x = g.below(total);
    cumulative.partition_point(|&c| c <= x)
}

fn base36(mut x: u64, width: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(x % 36) as usize];
        x /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

impl StockData {
    /// Generates SKUs, sets and levels.
    pub fn generate(shape: Shape, seed: u64) -> StockData {
        let n = shape.skus.max(1);
        let locs = shape.locations.clamp(1, LOCATIONS.len());
        let shape = Shape {
            skus: n,
            locations: locs,
            channels: shape.channels.clamp(1, CHANNELS.len()),
            ..shape
        };
        let mut g = SplitMix64::new(seed);
        let skus: Vec<String> = (0..n)
            .map(|i| format!("{}-{:07}", FAMILIES[i % FAMILIES.len()], i + 1))
            .collect();
        let sku_weights = zipf(n);
        let rank = Affine::new(n, 2_654_435_761, seed.wrapping_mul(31));
        let set_count = (n as u64 * shape.sets_permille / 1000) as usize;
        let mut sets = Vec::with_capacity(set_count);
        for _ in 0..set_count {
            let k = if n >= 3 && g.chance(400) { 3 } else { 2.min(n) };
            let mut comps: Vec<(u32, u32)> = Vec::with_capacity(k);
            while comps.len() < k {
                // The first component by popularity; the others among the 10% most
                // popular SKUs, uniformly (a gift set pairs a best seller with
                // other good sellers).
                let r = if comps.is_empty() {
                    draw(&mut g, &sku_weights) as u64
                } else {
                    g.below((n as u64 / 10).max(1))
                };
                let s = rank.apply(r) as u32;
                if comps.iter().all(|c| c.0 != s) {
                    comps.push((s, if g.chance(250) { 2 } else { 1 }));
                }
            }
            sets.push(comps);
        }
        let set_weights = zipf(set_count);
        let set_rank = Affine::new(set_count, 40_503, seed.wrapping_mul(17));

        let cells = n * locs;
        let mut on_hand = vec![0i64; cells];
        let mut reserved = vec![0i64; cells];
        let mut buffer = vec![0i64; cells];
        let total_weight = u128::from(sku_weights.last().copied().unwrap_or(1));
        let season = 22 * n as u128;
        let mut weights = vec![0u64; locs];
        for r in 0..n {
            let s = rank.apply(r as u64) as usize;
            let demand = (season * u128::from(weight(&sku_weights, r)) / total_weight) as u64;
            let class = g.below(1000);
            let total = if class < 30 {
                0
            } else if class < 40 {
                demand * 2 + g.range(500, 5_000)
            } else {
                demand * g.range(60, 300) / 100 + g.below(6)
            };
            weights[0] = g.range(2, 4);
            for w in weights.iter_mut().skip(1) {
                *w = if g.chance(350) { g.range(1, 3) } else { 0 };
            }
            let sum: u64 = weights.iter().sum();
            let mut given = 0;
            for l in (0..locs).rev() {
                let q = if l == 0 {
                    total - given
                } else {
                    total * weights[l] / sum
                };
                given += q;
                let c = s * locs + l;
                on_hand[c] = q as i64;
                if q >= 5 && g.chance(30) {
                    buffer[c] = g.range(1, 2) as i64;
                }
                if q > 0 && g.chance(100) {
                    reserved[c] = g.range(1, q) as i64;
                }
            }
        }
        StockData {
            shape,
            skus,
            sets,
            on_hand,
            reserved,
            buffer,
            sku_weights,
            set_weights,
            rank,
            set_rank,
        }
    }

    /// The channels in use.
    pub fn channels(&self) -> &'static [Channel] {
        &CHANNELS[..self.shape.channels]
    }

    /// The locations in use: (id, prefecture).
    pub fn locations(&self) -> &'static [(&'static str, &'static str)] {
        &LOCATIONS[..self.shape.locations]
    }

    /// SKUs plus sets: the listings per channel.
    pub fn item_count(&self) -> usize {
        self.skus.len() + self.sets.len()
    }

    /// Item `k` of a channel's listings: the SKUs first, then the sets.
    pub fn item(&self, k: usize) -> Item {
        if k < self.skus.len() {
            Item::Sku(k as u32)
        } else {
            Item::Set((k - self.skus.len()) as u32)
        }
    }

    /// The listing code of item `k` on the channel at position `ch` of [`CHANNELS`]:
    /// unique per channel.
    pub fn code(&self, ch: usize, k: usize) -> String {
        let m = self.item_count() as u64;
        let scrambled =
            Affine::new(m as usize, 7_919 + 104_729 * ch as u64, 12_345).apply(k as u64);
        match (CHANNELS[ch], self.item(k)) {
            (Channel::Rakuten, Item::Sku(s)) => self.skus[s as usize].to_ascii_lowercase(),
            (Channel::Rakuten, Item::Set(j)) => format!("gift-set-{:06}", j + 1),
            (Channel::Amazon, _) => format!("B0{}", base36(scrambled, 8)),
            (Channel::Yahoo, _) => format!("y{:08}", scrambled),
            (Channel::AuPay, _) => format!("au-{:09}", scrambled * 7 + 3),
            (Channel::Qoo10, _) => format!("{}", 1_000_000_000 + scrambled),
            (Channel::Shopify, Item::Sku(s)) => self.skus[s as usize].clone(),
            (Channel::Shopify, Item::Set(j)) => format!("SET-{:06}", j + 1),
            (Channel::OwnSite, _) => format!("os{:07}", k + 1),
            (Channel::Pos, _) => format!("49{:011}", scrambled),
            (Channel::Tmall, _) => format!("tm{}", 600_000_000_000 + scrambled),
            _ => format!("ot-{k}"),
        }
    }

    /// The components of item `k`: (SKU index, units).
    pub fn components(&self, k: usize) -> Vec<(u32, u32)> {
        match self.item(k) {
            Item::Sku(s) => vec![(s, 1)],
            Item::Set(j) => self.sets[j as usize].clone(),
        }
    }

    /// The catalog definition: SKUs, locations, then per channel (in [`CHANNELS`]
    /// order) every SKU's listing and then every set's.
    pub fn catalog_def(&self) -> CatalogDef {
        let skus = self
            .skus
            .iter()
            .map(|s| SkuInfo {
                sku: Sku::new(s.as_str()),
                variant: Default::default(),
                temperature: Default::default(),
                handling_days: None,
                release_date: None,
                mail_fraction: None,
                supplier: None,
                drop_ship: false,
                lot: None,
                reorder_point: None,
                target_level: None,
                lead_time_days: None,
            })
            .collect();
        let locations = self
            .locations()
            .iter()
            .map(|(id, pref)| Location {
                id: LocationId::new(*id),
                prefecture: Some((*pref).to_owned()),
            })
            .collect();
        let mut listings = Vec::with_capacity(self.item_count() * self.shape.channels);
        for (ch, &channel) in self.channels().iter().enumerate() {
            for k in 0..self.item_count() {
                let code = ListingCode::new(self.code(ch, k));
                listings.push(match self.item(k) {
                    Item::Sku(s) => ListingDef {
                        channel,
                        store: None,
                        code,
                        sku: Some(Sku::new(self.skus[s as usize].as_str())),
                        components: None,
                    },
                    Item::Set(j) => ListingDef {
                        channel,
                        store: None,
                        code,
                        sku: None,
                        components: Some(
                            self.sets[j as usize]
                                .iter()
                                .map(|&(s, q)| Component {
                                    sku: Sku::new(self.skus[s as usize].as_str()),
                                    quantity: q,
                                })
                                .collect(),
                        ),
                    },
                });
            }
        }
        CatalogDef {
            skus,
            locations,
            listings,
        }
    }

    /// The validated catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::new(Catalog::new(self.catalog_def()).expect("the generated catalog is valid"))
    }

    /// A book over `catalog` (built from [`catalog_def`](Self::catalog_def)) with
    /// every stocked cell's on hand and buffer, and nothing reserved. The movement
    /// log is off while loading, then on again.
    pub fn book(&self, catalog: Arc<Catalog>, policy: ReservationPolicy) -> StockBook {
        let mut book = StockBook::new(catalog, policy);
        book.set_record_movements(false);
        let locs = self.shape.locations;
        for (c, &on_hand) in self.on_hand.iter().enumerate() {
            if on_hand == 0 && self.buffer[c] == 0 {
                continue;
            }
            let level = StockLevel {
                sku: Sku::new(self.skus[c / locs].as_str()),
                location: LocationId::new(LOCATIONS[c % locs].0),
                on_hand,
                incoming: 0,
                buffer: self.buffer[c],
            };
            book.set_level(&level)
                .expect("the generated level is valid");
        }
        book.take_dirty();
        book.set_record_movements(true);
        book
    }

    /// Free stock per cell: on hand − buffer (− reserved, for the snapshot), never
    /// below zero.
    pub fn free_cells(&self, with_reserved: bool) -> Vec<i64> {
        (0..self.on_hand.len())
            .map(|c| {
                let r = if with_reserved { self.reserved[c] } else { 0 };
                (self.on_hand[c] - r - self.buffer[c]).max(0)
            })
            .collect()
    }

    /// The allocation policy of `specs` as ichigen reads it.
    pub fn policy(&self, specs: &[ChannelSpec]) -> AllocationPolicy {
        AllocationPolicy::from_json(policy_json(specs)).expect("the generated policy is valid")
    }

    /// Writes `skus.csv`, `locations.csv`, `listings.csv` (`listing,channel,code,
    /// sku,quantity`: one row per component, a set's rows together, `listing`
    /// numbering the listings in catalog order), `levels.csv` (`sku,location,
    /// on_hand,reserved,buffer`, the cells with anything in them) and `policy.json`
    /// into `dir`.
    pub fn write_files(&self, dir: &Path, specs: &[ChannelSpec]) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let open = |name: &str| -> std::io::Result<std::io::BufWriter<std::fs::File>> {
            Ok(std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(dir.join(name))?,
            ))
        };
        let mut w = open("skus.csv")?;
        writeln!(w, "sku")?;
        for s in &self.skus {
            writeln!(w, "{s}")?;
        }
        w.flush()?;
        let mut w = open("locations.csv")?;
        writeln!(w, "location,prefecture")?;
        for (id, pref) in self.locations() {
            writeln!(w, "{id},{pref}")?;
        }
        w.flush()?;
        let mut w = open("listings.csv")?;
        writeln!(w, "listing,channel,code,sku,quantity")?;
        let mut listing = 0usize;
        for (ch, channel) in self.channels().iter().enumerate() {
            for k in 0..self.item_count() {
                let code = self.code(ch, k);
                for (s, q) in self.components(k) {
                    writeln!(
                        w,
                        "{listing},{},{code},{},{q}",
                        channel.as_str(),
                        self.skus[s as usize]
                    )?;
                }
                listing += 1;
            }
        }
        w.flush()?;
        let mut w = open("levels.csv")?;
        writeln!(w, "sku,location,on_hand,reserved,buffer")?;
        let locs = self.shape.locations;
        for c in 0..self.on_hand.len() {
            let (o, r, b) = (self.on_hand[c], self.reserved[c], self.buffer[c]);
            if o != 0 || r != 0 || b != 0 {
                writeln!(
                    w,
                    "{},{},{o},{r},{b}",
                    self.skus[c / locs],
                    LOCATIONS[c % locs].0
                )?;
            }
        }
        w.flush()?;
        let mut w = open("policy.json")?;
        serde_json::to_writer_pretty(&mut w, &policy_json(specs))?;
        writeln!(w)?;
        w.flush()
    }
}

/// How a channel shows stock, in the benchmark's own terms (independent of the
/// core's types, for [`reference_quantities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecMode {
    /// All free stock.
    Uniform,
    /// floor(free × num / den); the text is the percentage as written.
    Percent(&'static str, i64, i64),
    /// min(quantity, free).
    Fixed(i64),
}

/// One channel's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    /// The channel.
    pub channel: Channel,
    /// The mode.
    pub mode: SpecMode,
    /// Never show more.
    pub cap: Option<i64>,
    /// Show 0 when the free stock seen is at most this.
    pub zero_below: Option<i64>,
    /// The locations (indices) it sees; all when `None`.
    pub locations: Option<Vec<usize>>,
    /// Carve its fixed quantity out of the free stock first.
    pub exclusive: bool,
}

impl ChannelSpec {
    fn apply(&self, v: i64) -> i64 {
        if self.zero_below.is_some_and(|t| v <= t) {
            return 0;
        }
        let q = match self.mode {
            SpecMode::Uniform => v,
            SpecMode::Percent(_, num, den) => v * num / den,
            SpecMode::Fixed(q) => q.min(v),
        };
        self.cap.map_or(q, |c| q.min(c)).max(0)
    }

    fn sees(&self, locations: usize) -> Vec<usize> {
        match &self.locations {
            Some(ls) => ls.clone(),
            None => (0..locations).collect(),
        }
    }
}

/// The benchmark's policy for the first `channels` of [`CHANNELS`] over
/// `locations` locations:
///
/// | channel | rule |
/// | --- | --- |
/// | rakuten | uniform |
/// | amazon | percent 33.3 |
/// | yahoo | percent 50, cap 20 |
/// | au_pay | fixed 5, zero below 2 |
/// | qoo10 | percent 25, zero below 3 |
/// | shopify | uniform, cap 50 |
/// | own_site | uniform, zero below 1 |
/// | pos | uniform, the first two locations only |
/// | tmall | fixed 2, exclusive |
/// | other | fixed 40, cap 25, zero below 5 |
pub fn policy_specs(channels: usize, locations: usize) -> Vec<ChannelSpec> {
    let spec = |channel, mode, cap, zero_below| ChannelSpec {
        channel,
        mode,
        cap,
        zero_below,
        locations: None,
        exclusive: false,
    };
    let mut v = vec![
        spec(Channel::Rakuten, SpecMode::Uniform, None, None),
        spec(
            Channel::Amazon,
            SpecMode::Percent("33.3", 333, 1000),
            None,
            None,
        ),
        spec(
            Channel::Yahoo,
            SpecMode::Percent("50", 50, 100),
            Some(20),
            None,
        ),
        spec(Channel::AuPay, SpecMode::Fixed(5), None, Some(2)),
        spec(
            Channel::Qoo10,
            SpecMode::Percent("25", 25, 100),
            None,
            Some(3),
        ),
        spec(Channel::Shopify, SpecMode::Uniform, Some(50), None),
        spec(Channel::OwnSite, SpecMode::Uniform, None, Some(1)),
        ChannelSpec {
            locations: Some((0..locations.clamp(1, 2)).collect()),
            ..spec(Channel::Pos, SpecMode::Uniform, None, None)
        },
        ChannelSpec {
            exclusive: true,
            ..spec(Channel::Tmall, SpecMode::Fixed(2), None, None)
        },
        spec(Channel::Other, SpecMode::Fixed(40), Some(25), Some(5)),
    ];
    v.truncate(channels.clamp(1, CHANNELS.len()));
    v
}

/// The same rules with no exclusive channel (the exclusive one becomes a plain
/// fixed channel): what the dataframe comparison computes.
pub fn without_exclusive(specs: &[ChannelSpec]) -> Vec<ChannelSpec> {
    specs
        .iter()
        .map(|s| ChannelSpec {
            exclusive: false,
            ..s.clone()
        })
        .collect()
}

/// The policy as JSON (ichigen's format).
pub fn policy_json(specs: &[ChannelSpec]) -> Value {
    let channels: Vec<Value> = specs
        .iter()
        .map(|s| {
            let mut rule = json!({"channel": s.channel.as_str()});
            match s.mode {
                SpecMode::Uniform => rule["mode"] = json!("uniform"),
                SpecMode::Percent(text, _, _) => {
                    rule["mode"] = json!("percent");
                    rule["percent"] = json!(text);
                }
                SpecMode::Fixed(q) => {
                    rule["mode"] = json!("fixed");
                    rule["quantity"] = json!(q);
                }
            }
            if let Some(c) = s.cap {
                rule["cap"] = json!(c);
            }
            if let Some(z) = s.zero_below {
                rule["zero_below"] = json!(z);
            }
            if let Some(ls) = &s.locations {
                rule["locations"] = json!(ls.iter().map(|&l| LOCATIONS[l].0).collect::<Vec<_>>());
            }
            if s.exclusive {
                rule["exclusive"] = json!(true);
            }
            rule
        })
        .collect();
    json!({ "channels": channels })
}

/// Every channel's quantity for every item, computed the plain way from free stock
/// per cell: exclusive channels first (in policy order, item order), each taking
/// its quantity out of the pool from its locations in order; then every other
/// channel from what remains, a set showing the minimum over its components of
/// floor(free / units). Indexed `[spec][item]`.
pub fn reference_quantities(
    data: &StockData,
    specs: &[ChannelSpec],
    free: &[i64],
) -> Vec<Vec<i64>> {
    let locs = data.shape.locations;
    let mut pool: Vec<i64> = free.iter().map(|&f| f.max(0)).collect();
    let visible = |pool: &[i64], k: usize, seen: &[usize]| -> i64 {
        data.components(k)
            .iter()
            .map(|&(s, q)| {
                let sum: i64 = seen.iter().map(|&l| pool[s as usize * locs + l]).sum();
                sum / i64::from(q)
            })
            .min()
            .unwrap_or(0)
    };
    let mut out = vec![Vec::new(); specs.len()];
    for (t, spec) in specs.iter().enumerate() {
        if !spec.exclusive {
            continue;
        }
        let seen = spec.sees(locs);
        for k in 0..data.item_count() {
            let q = spec.apply(visible(&pool, k, &seen));
            out[t].push(q);
            for (s, per) in data.components(k) {
                let mut need = q * i64::from(per);
                for &l in &seen {
                    let cell = &mut pool[s as usize * locs + l];
                    let take = (*cell).min(need);
                    *cell -= take;
                    need -= take;
                }
            }
        }
    }
    for (t, spec) in specs.iter().enumerate() {
        if spec.exclusive {
            continue;
        }
        let seen = spec.sees(locs);
        out[t] = (0..data.item_count())
            .map(|k| spec.apply(visible(&pool, k, &seen)))
            .collect();
    }
    out
}

/// Channel weights of orders (per mille), in [`CHANNELS`] order.
const CHANNEL_WEIGHTS: [u64; 10] = [350, 250, 120, 40, 40, 50, 80, 30, 20, 20];

/// A stream of reservation requests over a [`StockData`] catalog: listing codes of
/// the order's channel, a destination prefecture (its name, as orders carry it),
/// and for POS orders the POS channel's two locations.
#[derive(Debug)]
pub struct OrderGen<'a> {
    data: &'a StockData,
    g: SplitMix64,
    n: u64,
    channels: Vec<u64>,
    prefectures: Vec<u64>,
    bound: Vec<LocationId>,
}

impl<'a> OrderGen<'a> {
    /// A stream seeded by `seed`.
    pub fn new(data: &'a StockData, seed: u64) -> OrderGen<'a> {
        let mut total = 0;
        let channels = CHANNEL_WEIGHTS[..data.shape.channels]
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        let mut total = 0;
        let prefectures = POPULATION
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        let bound = (0..data.shape.locations.clamp(1, 2))
            .map(|l| LocationId::new(LOCATIONS[l].0))
            .collect();
        OrderGen {
            data,
            g: SplitMix64::new(seed),
            n: 0,
            channels,
            prefectures,
            bound,
        }
    }

    /// The next item (index into a channel's listings) an order line asks for.
    pub fn next_item(&mut self) -> usize {
        let d = self.data;
        if !d.sets.is_empty() && self.g.chance(40) {
            let r = draw(&mut self.g, &d.set_weights);
            d.skus.len() + d.set_rank.apply(r as u64) as usize
        } else {
            d.rank.apply(draw(&mut self.g, &d.sku_weights) as u64) as usize
        }
    }
}

impl Iterator for OrderGen<'_> {
    type Item = ReserveRequest;

    fn next(&mut self) -> Option<ReserveRequest> {
        self.n += 1;
        let ch = draw(&mut self.g, &self.channels);
        let channel = CHANNELS[ch];
        let id = format!("{}-{:09}", &channel.as_str()[..2], self.n);
        let mut req = ReserveRequest::new(&id, channel);
        let lines = match self.g.below(100) {
            0..60 => 1,
            60..85 => 2,
            85..95 => 3,
            _ => 4,
        };
        for _ in 0..lines {
            let k = self.next_item();
            let quantity = match self.g.below(100) {
                0..85 => 1,
                85..95 => 2,
                _ => self.g.range(3, 5) as u32,
            };
            req = req.line(&self.data.code(ch, k), quantity);
        }
        let pref = draw(&mut self.g, &self.prefectures);
        req.destination = Some(PREFECTURES[pref].name.to_owned());
        if channel == Channel::Pos {
            req.locations = Some(self.bound.clone());
        }
        Some(req)
    }
}

/// `n` requests from `seed`.
pub fn orders(data: &StockData, n: usize, seed: u64) -> Vec<ReserveRequest> {
    OrderGen::new(data, seed).take(n).collect()
}

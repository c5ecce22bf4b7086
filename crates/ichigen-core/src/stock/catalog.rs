//! The catalog: master SKUs (アシストID) with their attributes, the locations that
//! hold them, and each channel's listing codes mapped to one SKU or to a set.
//!
//! ```
//! use ichigen_core::order::Channel;
//! use ichigen_core::stock::Catalog;
//! let catalog = Catalog::from_json(serde_json::json!({
//!     "skus": [{"sku": "TEA-100"}, {"sku": "CUP-1"}],
//!     "locations": [{"id": "tokyo", "prefecture": "東京都"}],
//!     "listings": [
//!         {"channel": "rakuten", "code": "tea", "sku": "TEA-100"},
//!         {"channel": "rakuten", "code": "gift-set",
//!          "components": [{"sku": "TEA-100", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}]}
//!     ]
//! })).unwrap();
//! let set = catalog.listing(Channel::Rakuten, None, "gift-set").unwrap();
//! assert_eq!(catalog.components(set).len(), 2);
//! assert!(catalog.listing(Channel::Amazon, None, "tea").is_none());
//! ```

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use chrono::NaiveDate;
use hashbrown::HashTable;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Issue};
use crate::ids::{ListingCode, LocationId, Sku, StoreId, SupplierId};
use crate::order::{Channel, TemperatureZone};
use crate::shipdate::prefecture;

/// Index of a SKU in its catalog.
pub type SkuIdx = u32;
/// Index of a location in its catalog.
pub type LocIdx = u32;
/// Index of a listing in its catalog.
pub type ListingIdx = u32;

pub(crate) fn hash_bytes(parts: &[&[u8]]) -> u64 {
    let state = foldhash::fast::FixedState::with_seed(0x7374_6f63_6b31);
    let mut h = 0u64;
    for p in parts {
        h = (h ^ state.hash_one(p)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h
}

/// How much of a mail packet (メール便) one unit fills: `1/3` means three units fit
/// in one envelope; `0/1` means the item never counts (Next Engine's `[M便 0]`).
///
/// ```
/// use ichigen_core::stock::MailFraction;
/// assert_eq!(MailFraction::parse("[M便 1/3]").unwrap(), MailFraction::new(1, 3).unwrap());
/// assert_eq!(MailFraction::parse("1/2").unwrap().to_string(), "1/2");
/// assert_eq!(MailFraction::parse("0").unwrap(), MailFraction::new(0, 1).unwrap());
/// assert!(MailFraction::parse("1/0").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MailFraction {
    num: u32,
    den: u32,
}

impl MailFraction {
    /// `num/den`; `None` when `den` is zero.
    pub fn new(num: u32, den: u32) -> Option<MailFraction> {
        (den > 0).then_some(MailFraction { num, den })
    }

    /// Numerator.
    pub fn num(self) -> u32 {
        self.num
    }

    /// Denominator.
    pub fn den(self) -> u32 {
        self.den
    }

    /// Reads `n/d`, `n` (a whole number), or the Next Engine notation `[M便 n/d]`
    /// (the brackets, `M便`/`Ｍ便` and spaces are optional; full-width digits are read).
    pub fn parse(text: &str) -> Option<MailFraction> {
        let folded: String = text
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '／' => '/',
                '［' => '[',
                '］' => ']',
                '　' => ' ',
                _ => c,
            })
            .collect();
        let mut t = folded.trim();
        if let Some(inner) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            t = inner.trim();
        }
        for prefix in ["M便", "Ｍ便", "m便"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                t = rest.trim();
            }
        }
        let digits = |s: &str| -> Option<u32> {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        match t.split_once('/') {
            Some((n, d)) => MailFraction::new(digits(n)?, digits(d)?),
            None => MailFraction::new(digits(t)?, 1),
        }
    }
}

impl std::fmt::Display for MailFraction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl Serialize for MailFraction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MailFraction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        MailFraction::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(
                "invalid value: expected a mail-packet fraction such as \"1/3\" or \"[M便 1/3]\"",
            )
        })
    }
}

/// A master SKU and what the back office needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuInfo {
    /// The master SKU (アシストID, 商品コード).
    pub sku: Sku,
    /// Variant axes and their values (`{"color": "red", "size": "M"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variant: BTreeMap<String, String>,
    /// The temperature it travels at.
    #[serde(default)]
    pub temperature: TemperatureZone,
    /// Working days to prepare it before shipping (発送目安).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_days: Option<u32>,
    /// Release date of a pre-order item (発売日).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<NaiveDate>,
    /// The share of a mail packet one unit fills (`1/3`, `[M便 1/3]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_fraction: Option<MailFraction>,
    /// The supplier purchase orders go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<SupplierId>,
    /// Shipped by the supplier (直送): never stocked, totalled per supplier.
    #[serde(default, skip_serializing_if = "is_false")]
    pub drop_ship: bool,
    /// Purchase lot (発注ロット): orders are whole multiples of it. At least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<u32>,
    /// Reorder point (発注点): reorder when the stock position is at or below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_point: Option<i64>,
    /// Target level (在庫定数): order up to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_level: Option<i64>,
    /// Days from purchase order to arrival, for demand-based suggestions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time_days: Option<u32>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A warehouse or store that holds stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Its id.
    pub id: LocationId,
    /// Its prefecture (`東京都`, `Tokyo`, `13`), for the nearest-location strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
}

/// One SKU and how many units of it one unit of a listing takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The SKU.
    pub sku: Sku,
    /// Units of it per listing unit (at least 1).
    pub quantity: u32,
}

/// A channel's listing code mapped to one SKU or to a set (セット商品).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingDef {
    /// The channel.
    pub channel: Channel,
    /// The store on that channel, when the shop runs several and their codes differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreId>,
    /// The channel's listing code (商品管理番号, ASIN/SKU, 商品コード).
    pub code: ListingCode,
    /// The SKU, for a listing of one SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// The components, for a set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<Component>>,
}

/// The catalog as JSON holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogDef {
    /// Master SKUs.
    #[serde(default)]
    pub skus: Vec<SkuInfo>,
    /// Locations, in priority order (the first is the default warehouse).
    #[serde(default)]
    pub locations: Vec<Location>,
    /// Channel listings.
    #[serde(default)]
    pub listings: Vec<ListingDef>,
}

#[derive(Debug, Clone)]
pub(crate) struct ListingRow {
    pub channel: Channel,
    pub store: Option<StoreId>,
    pub code: ListingCode,
}

/// A validated catalog with its lookup tables.
#[derive(Debug, Clone)]
pub struct Catalog {
    skus: Vec<SkuInfo>,
    sku_index: HashTable<SkuIdx>,
    locations: Vec<Location>,
    location_prefecture: Vec<Option<u8>>,
    listings: Vec<ListingRow>,
    /// (start, len) of each listing's components in `parts`: kept apart from the
    /// rows so that the allocation loop reads 8 bytes a listing.
    spans: Vec<(u32, u32)>,
    listing_index: HashTable<ListingIdx>,
    parts: Vec<(SkuIdx, u32)>,
    /// Listings of SKU `s`: `by_sku[by_sku_start[s]..by_sku_start[s + 1]]`.
    by_sku: Vec<ListingIdx>,
    by_sku_start: Vec<u32>,
    /// Whether any listing names a store (otherwise a lookup never tries one).
    store_listings: bool,
}

fn listing_hash(channel: Channel, store: Option<&str>, code: &str) -> u64 {
    hash_bytes(&[
        &[channel as u8],
        store.unwrap_or("").as_bytes(),
        code.as_bytes(),
    ])
}

impl Catalog {
    /// Validates a catalog from JSON; every problem is reported with its path.
    pub fn from_json(value: Value) -> Result<Catalog, Error> {
        let def: CatalogDef = super::decode(value, "$")?;
        Catalog::new(def)
    }

    /// Validates a catalog: SKU, location and listing keys unique, every component
    /// a known SKU with a quantity of at least 1, a listing either one SKU or a set,
    /// lots of at least 1, reorder point ≤ target level, a known prefecture.
    pub fn new(def: CatalogDef) -> Result<Catalog, Error> {
        let mut issues = Vec::new();
        let mut sku_index = HashTable::new();
        for (i, s) in def.skus.iter().enumerate() {
            let h = hash_bytes(&[s.sku.as_str().as_bytes()]);
            let skus = &def.skus;
            if sku_index
                .find(h, |&j: &SkuIdx| skus[j as usize].sku == s.sku)
                .is_some()
            {
                issues.push(Issue::new(
                    "STOCK_DUPLICATE_SKU",
                    format!("$.skus[{i}].sku"),
                    "this SKU is listed twice",
                ));
                continue;
            }
            sku_index.insert_unique(h, i as SkuIdx, |&j| {
                hash_bytes(&[skus[j as usize].sku.as_str().as_bytes()])
            });
            if s.sku.as_str().trim().is_empty() {
                issues.push(Issue::new(
                    "STOCK_EMPTY_SKU",
                    format!("$.skus[{i}].sku"),
                    "a SKU must not be blank",
                ));
            }
            if s.lot == Some(0) {
                issues.push(Issue::new(
                    "STOCK_BAD_LOT",
                    format!("$.skus[{i}].lot"),
                    "a purchase lot must be at least 1",
                ));
            }
            if let (Some(p), Some(t)) = (s.reorder_point, s.target_level)
                && p > t
            {
                issues.push(Issue::new(
                    "STOCK_POINT_ABOVE_TARGET",
                    format!("$.skus[{i}].reorder_point"),
                    "the reorder point must not exceed the target level",
                ));
            }
            if s.reorder_point.is_some() != s.target_level.is_some() {
                issues.push(Issue::new(
                    "STOCK_REORDER_INCOMPLETE",
                    format!("$.skus[{i}]"),
                    "give both reorder_point and target_level, or neither",
                ));
            }
            if s.reorder_point.is_some_and(|p| p < 0) || s.target_level.is_some_and(|t| t < 0) {
                issues.push(Issue::new(
                    "STOCK_NEGATIVE",
                    format!("$.skus[{i}]"),
                    "reorder point and target level must not be negative",
                ));
            }
        }
        let mut location_prefecture = Vec::with_capacity(def.locations.len());
        for (i, l) in def.locations.iter().enumerate() {
            if def.locations[..i].iter().any(|o| o.id == l.id) {
                issues.push(Issue::new(
                    "STOCK_DUPLICATE_LOCATION",
                    format!("$.locations[{i}].id"),
                    "this location is listed twice",
                ));
            }
            let pref = match &l.prefecture {
                None => None,
                Some(p) => match prefecture::find(p) {
                    Some(found) => Some(found.code),
                    None => {
                        issues.push(Issue::new(
                            "STOCK_UNKNOWN_PREFECTURE",
                            format!("$.locations[{i}].prefecture"),
                            "not a Japanese prefecture (東京都, Tokyo, 13)",
                        ));
                        None
                    }
                },
            };
            location_prefecture.push(pref);
        }
        if def.locations.is_empty() {
            issues.push(Issue::new(
                "STOCK_NO_LOCATIONS",
                "$.locations",
                "a catalog needs at least one location",
            ));
        }
        let CatalogDef {
            skus,
            locations,
            listings: defs,
        } = def;
        let find_sku = |sku: &Sku| -> Option<SkuIdx> {
            let h = hash_bytes(&[sku.as_str().as_bytes()]);
            sku_index
                .find(h, |&j: &SkuIdx| skus[j as usize].sku == *sku)
                .copied()
        };
        let mut listings: Vec<ListingRow> = Vec::with_capacity(defs.len());
        let mut spans: Vec<(u32, u32)> = Vec::with_capacity(defs.len());
        let mut listing_index: HashTable<ListingIdx> = HashTable::with_capacity(defs.len());
        let mut parts = Vec::with_capacity(defs.len());
        let mut counts = vec![0u32; skus.len()];
        let mut mine: Vec<(SkuIdx, u32)> = Vec::new();
        // Paths are written only for problems: a catalog of millions of listings
        // builds none.
        for (i, l) in defs.into_iter().enumerate() {
            let store = l.store.as_ref().map(StoreId::as_str);
            let h = listing_hash(l.channel, store, l.code.as_str());
            let dup = listing_index
                .find(h, |&j: &ListingIdx| {
                    let r: &ListingRow = &listings[j as usize];
                    r.channel == l.channel && r.store == l.store && r.code == l.code
                })
                .is_some();
            if dup {
                issues.push(Issue::new(
                    "STOCK_DUPLICATE_LISTING",
                    format!("$.listings[{i}].code"),
                    "this listing code is mapped twice on its channel and store",
                ));
                continue;
            }
            let single;
            let comps: &[Component] = match (&l.sku, &l.components) {
                (Some(sku), None) => {
                    single = [Component {
                        sku: sku.clone(),
                        quantity: 1,
                    }];
                    &single
                }
                (None, Some(cs)) if !cs.is_empty() => cs,
                _ => {
                    issues.push(Issue::new(
                        "STOCK_LISTING_TARGET",
                        format!("$.listings[{i}]"),
                        "a listing needs either `sku` or a non-empty `components`",
                    ));
                    continue;
                }
            };
            let cpath = |k: usize| {
                if l.sku.is_some() {
                    format!("$.listings[{i}].sku")
                } else {
                    format!("$.listings[{i}].components[{k}].sku")
                }
            };
            let mut ok = true;
            mine.clear();
            for (k, c) in comps.iter().enumerate() {
                if c.quantity == 0 {
                    issues.push(Issue::new(
                        "STOCK_ZERO_QUANTITY",
                        format!("$.listings[{i}].components[{k}].quantity"),
                        "a set component needs a quantity of at least 1",
                    ));
                    ok = false;
                }
                match find_sku(&c.sku) {
                    // The same SKU twice in one set: sum it (demand is summed per SKU).
                    Some(s) => match mine.iter_mut().find(|e| e.0 == s) {
                        Some(e) => e.1 += c.quantity,
                        None => mine.push((s, c.quantity)),
                    },
                    None => {
                        issues.push(Issue::new(
                            "STOCK_UNKNOWN_SKU",
                            cpath(k),
                            "this SKU is not in the catalog",
                        ));
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
            let idx = listings.len() as ListingIdx;
            let start = parts.len() as u32;
            for &(s, _) in &mine {
                counts[s as usize] += 1;
            }
            parts.extend_from_slice(&mine);
            spans.push((start, mine.len() as u32));
            listings.push(ListingRow {
                channel: l.channel,
                store: l.store,
                code: l.code,
            });
            listing_index.insert_unique(h, idx, |&j| {
                let r = &listings[j as usize];
                listing_hash(
                    r.channel,
                    r.store.as_ref().map(StoreId::as_str),
                    r.code.as_str(),
                )
            });
        }
        // Listings per SKU, as one array indexed by offsets.
        let mut by_sku_start = Vec::with_capacity(skus.len() + 1);
        let mut total = 0u32;
        for &c in &counts {
            by_sku_start.push(total);
            total += c;
        }
        by_sku_start.push(total);
        let mut fill = by_sku_start.clone();
        let mut by_sku = vec![0 as ListingIdx; total as usize];
        for (idx, &(start, len)) in spans.iter().enumerate() {
            for &(s, _) in &parts[start as usize..(start + len) as usize] {
                by_sku[fill[s as usize] as usize] = idx as ListingIdx;
                fill[s as usize] += 1;
            }
        }
        if !issues.is_empty() {
            return Err(Error::InvalidStock(issues));
        }
        let store_listings = listings.iter().any(|r| r.store.is_some());
        Ok(Catalog {
            store_listings,
            skus,
            sku_index,
            locations,
            location_prefecture,
            listings,
            spans,
            listing_index,
            parts,
            by_sku,
            by_sku_start,
        })
    }

    /// The catalog back as its definition.
    pub fn to_def(&self) -> CatalogDef {
        CatalogDef {
            skus: self.skus.clone(),
            locations: self.locations.clone(),
            listings: (0..self.listings.len() as ListingIdx)
                .map(|l| {
                    let r = &self.listings[l as usize];
                    let comps = self.components(l);
                    let single = comps.len() == 1 && comps[0].1 == 1;
                    ListingDef {
                        channel: r.channel,
                        store: r.store.clone(),
                        code: r.code.clone(),
                        sku: single.then(|| self.skus[comps[0].0 as usize].sku.clone()),
                        components: (!single).then(|| {
                            comps
                                .iter()
                                .map(|&(s, q)| Component {
                                    sku: self.skus[s as usize].sku.clone(),
                                    quantity: q,
                                })
                                .collect()
                        }),
                    }
                })
                .collect(),
        }
    }

    /// The SKUs, in catalog order.
    pub fn skus(&self) -> &[SkuInfo] {
        &self.skus
    }

    /// The locations, in priority order.
    pub fn locations(&self) -> &[Location] {
        &self.locations
    }

    /// The JIS code of a location's prefecture, when known.
    pub fn location_prefecture(&self, loc: LocIdx) -> Option<u8> {
        self.location_prefecture
            .get(loc as usize)
            .copied()
            .flatten()
    }

    /// The number of listings.
    pub fn listing_count(&self) -> usize {
        self.listings.len()
    }

    /// The index of a SKU.
    pub fn sku(&self, sku: &str) -> Option<SkuIdx> {
        let h = hash_bytes(&[sku.as_bytes()]);
        self.sku_index
            .find(h, |&j| self.skus[j as usize].sku.as_str() == sku)
            .copied()
    }

    /// The index of a location.
    pub fn location(&self, id: &str) -> Option<LocIdx> {
        self.locations
            .iter()
            .position(|l| l.id.as_str() == id)
            .map(|i| i as LocIdx)
    }

    /// Finds a listing: the store's own mapping first, then the channel-wide one.
    pub fn listing(&self, channel: Channel, store: Option<&str>, code: &str) -> Option<ListingIdx> {
        let find = |store: Option<&str>| {
            let h = listing_hash(channel, store, code);
            self.listing_index
                .find(h, |&j| {
                    let r = &self.listings[j as usize];
                    r.channel == channel
                        && r.store.as_ref().map(StoreId::as_str) == store
                        && r.code.as_str() == code
                })
                .copied()
        };
        match store {
            Some(s) if self.store_listings => find(Some(s)).or_else(|| find(None)),
            _ => find(None),
        }
    }

    /// A listing's components: (SKU index, units per listing unit).
    #[inline]
    pub fn components(&self, listing: ListingIdx) -> &[(SkuIdx, u32)] {
        let (start, len) = self.spans[listing as usize];
        &self.parts[start as usize..(start + len) as usize]
    }

    /// A listing's channel, store and code.
    pub fn listing_key(&self, listing: ListingIdx) -> (Channel, Option<&StoreId>, &ListingCode) {
        let r = &self.listings[listing as usize];
        (r.channel, r.store.as_ref(), &r.code)
    }

    /// The listings a SKU is part of.
    pub fn listings_of(&self, sku: SkuIdx) -> &[ListingIdx] {
        let s = sku as usize;
        &self.by_sku[self.by_sku_start[s] as usize..self.by_sku_start[s + 1] as usize]
    }

    pub(crate) fn listing_rows(&self) -> &[ListingRow] {
        &self.listings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_fraction_reads_next_engine_notation_in_every_width() {
        let third = MailFraction::new(1, 3).unwrap();
        for text in [
            "1/3",
            "[M便 1/3]",
            "[M便1/3]",
            "［Ｍ便 １／３］",
            "Ｍ便 1/3",
            " 1 / 3 ",
        ] {
            assert_eq!(MailFraction::parse(text), Some(third), "{text}");
        }
        assert_eq!(MailFraction::parse("[M便 0]"), MailFraction::new(0, 1));
        assert_eq!(MailFraction::parse("2"), MailFraction::new(2, 1));
        for bad in ["", "1/", "/3", "a/3", "-1/3", "1/0", "[M便]", "1.5"] {
            assert_eq!(MailFraction::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn set_with_one_sku_twice_sums_its_quantity() {
        let c = Catalog::from_json(serde_json::json!({
            "skus": [{"sku": "A"}],
            "locations": [{"id": "x"}],
            "listings": [{"channel": "rakuten", "code": "aa",
                "components": [{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 2}]}]
        }))
        .unwrap();
        let l = c.listing(Channel::Rakuten, None, "aa").unwrap();
        assert_eq!(c.components(l), &[(0, 3)]);
        assert_eq!(c.listings_of(0), &[l]);
    }

    #[test]
    fn definition_round_trips() {
        let def = serde_json::json!({
            "skus": [
                {"sku": "A", "mail_fraction": "1/4", "variant": {"size": "M"}, "temperature": "chilled"},
                {"sku": "B", "temperature": "ambient", "drop_ship": true, "supplier": "s1"}
            ],
            "locations": [{"id": "x", "prefecture": "東京都"}],
            "listings": [
                {"channel": "rakuten", "code": "a", "sku": "A"},
                {"channel": "amazon", "store": "jp", "code": "ab",
                 "components": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]}
            ]
        });
        let c = Catalog::from_json(def.clone()).unwrap();
        assert_eq!(serde_json::to_value(c.to_def()).unwrap(), def);
    }
}

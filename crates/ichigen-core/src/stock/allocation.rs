//! Channel allocation (在庫連携): how many units each channel's listing shows, and
//! the sync deltas, only what changed since the last push.
//!
//! Per channel (and store), and optionally per SKU or listing, a mode:
//!
//! - `uniform` (全店舗一律): all the free stock it may see;
//! - `percent`: floor(free × p / 100); percentages need not sum to 100;
//! - `fixed`: min(quantity, free);
//!
//! then a `cap` (上限在庫数), then a zero-below threshold (`zero_below`: when the free
//! stock it sees is at most this, it shows 0). A channel bound to `locations` (拠点)
//! sees only their stock. A fixed channel marked `exclusive` gets its units carved
//! out of the free stock, in policy order, so that exclusive channels never promise
//! more than there is together; the other channels share what remains. A set
//! listing sees min over its components of floor(free / quantity).
//!
//! A rule naming a store covers that store's own listings and the channel-wide
//! listings it does not override; a rule without a store covers the channel-wide
//! listings.
//!
//! ```
//! use std::sync::Arc;
//! use ichigen_core::stock::{AllocationPolicy, Allocator, Catalog, ReservationPolicy, ReserveRequest, StockBook, StockLevel};
//! use ichigen_core::order::Channel;
//! let catalog = Arc::new(Catalog::from_json(serde_json::json!({
//!     "skus": [{"sku": "TEA"}],
//!     "locations": [{"id": "tokyo"}],
//!     "listings": [
//!         {"channel": "rakuten", "code": "tea", "sku": "TEA"},
//!         {"channel": "amazon", "code": "B0TEA", "sku": "TEA"}
//!     ]
//! })).unwrap());
//! let policy = AllocationPolicy::from_json(serde_json::json!({"channels": [
//!     {"channel": "rakuten", "mode": "uniform"},
//!     {"channel": "amazon", "mode": "percent", "percent": "50", "cap": 30}
//! ]})).unwrap();
//! let mut book = StockBook::new(catalog.clone(), ReservationPolicy::default());
//! book.set_level(&StockLevel::new("TEA", "tokyo", 101)).unwrap();
//! let mut alloc = Allocator::new(catalog, policy).unwrap();
//! let first = alloc.sync(&mut book);
//! assert_eq!(first.len(), 2);                  // everything, the first time
//! assert_eq!(first[1].quantity, 30);           // floor(101 × 50%) = 50, capped at 30
//! book.reserve(&ReserveRequest::new("o1", Channel::Rakuten).line("tea", 1)).unwrap();
//! let next = alloc.sync(&mut book);            // only what changed
//! assert_eq!(next.len(), 1);
//! assert_eq!((next[0].listing.as_str(), next[0].quantity, next[0].previous), ("tea", 100, Some(101)));
//! ```

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::book::StockBook;
use super::catalog::{Catalog, ListingIdx, LocIdx, SkuIdx};
use crate::error::{Error, Issue};
use crate::ids::{ListingCode, LocationId, Sku, StoreId};
use crate::order::Channel;

/// How a channel's quantity follows the free stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeName {
    /// All free stock (全店舗一律).
    Uniform,
    /// floor(free × percent / 100).
    Percent,
    /// min(quantity, free).
    Fixed,
}

/// An override of a channel's rule for one SKU or one listing code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideDef {
    /// The SKU whose single-SKU listings it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// The listing code it applies to (sets too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingCode>,
    /// The mode; the channel's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ModeName>,
    /// For `percent`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::amount_serde::option"
    )]
    pub percent: Option<Decimal>,
    /// For `fixed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// The cap; the channel's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<i64>,
    /// The zero-below threshold; the channel's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_below: Option<i64>,
}

/// One channel's (or store's) allocation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRuleDef {
    /// The channel.
    pub channel: Channel,
    /// The store; absent: the rule covers every listing of the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreId>,
    /// The mode.
    pub mode: ModeName,
    /// For `percent`: 0 to 100, decimals allowed (`"33.3"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::amount_serde::option"
    )]
    pub percent: Option<Decimal>,
    /// For `fixed`: the quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// 上限在庫数: never show more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<i64>,
    /// Show 0 when the free stock this channel sees is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_below: Option<i64>,
    /// The locations whose stock this channel sees (拠点); all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<LocationId>>,
    /// Carve this channel's fixed quantities out of the free stock (fixed mode only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    /// Per-SKU or per-listing overrides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<OverrideDef>,
}

/// The allocation policy as JSON holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationPolicy {
    /// One rule per channel or store, in priority order (exclusive carve-outs go in
    /// this order).
    pub channels: Vec<ChannelRuleDef>,
}

impl AllocationPolicy {
    /// Reads a policy from JSON. Its consistency is checked against a catalog by
    /// [`Allocator::new`].
    pub fn from_json(value: Value) -> Result<AllocationPolicy, Error> {
        super::decode(value, "$")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Uniform,
    /// floor(v × num / den).
    Percent {
        num: i128,
        den: i128,
    },
    Fixed(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Param {
    mode: Mode,
    cap: Option<i64>,
    zero_below: Option<i64>,
}

impl Param {
    #[inline]
    fn apply(self, v: i64) -> i64 {
        if self.zero_below.is_some_and(|t| v <= t) {
            return 0;
        }
        let q = match self.mode {
            Mode::Uniform => v,
            Mode::Percent { num, den } => (i128::from(v) * num / den) as i64,
            Mode::Fixed(q) => q.min(v),
        };
        match self.cap {
            Some(c) => q.min(c),
            None => q,
        }
        .max(0)
    }
}

#[derive(Debug, Clone)]
struct Target {
    channel: Channel,
    store: Option<StoreId>,
    locations: Vec<LocIdx>,
    group: usize,
    exclusive: bool,
    params: Vec<Param>,
    /// Listings this target shows, ascending.
    listings: Vec<ListingIdx>,
    /// Index into `params` per listing (0: the channel's rule).
    listing_param: Vec<u16>,
    /// Per listing: its SKU when it is one unit of one SKU, else `SET`; the
    /// recompute loop then reads 4 bytes instead of the listing's components.
    single: Vec<u32>,
}

const SET: u32 = u32::MAX;

/// A quantity to push: a channel's listing and its new quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDelta {
    /// The channel.
    pub channel: Channel,
    /// The store of the rule, when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreId>,
    /// The listing code on that channel.
    pub listing: ListingCode,
    /// The quantity to show now.
    pub quantity: i64,
    /// The quantity last pushed; absent the first time.
    pub previous: Option<i64>,
}

/// One row of the allocation table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingQuantity {
    /// The channel.
    pub channel: Channel,
    /// The store of the rule, when the rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreId>,
    /// The listing code.
    pub listing: ListingCode,
    /// The quantity to show.
    pub quantity: i64,
}

const NEVER: i64 = -1;

/// One row of a stock snapshot: a SKU at a location with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRow {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// Units there.
    pub on_hand: i64,
    /// Units reserved.
    #[serde(default)]
    pub reserved: i64,
    /// Units kept back (予備在庫).
    #[serde(default)]
    pub buffer: i64,
}

/// Free stock per cell (`sku × locations + location`, catalog order) from snapshot
/// rows: on hand − reserved − buffer, never below zero. A row with an unknown SKU
/// or location, a negative count, or a cell given twice is reported at `$[i]` and
/// left out; the other rows count.
pub fn free_cells<'a>(
    catalog: &Catalog,
    rows: impl IntoIterator<Item = (&'a str, &'a str, i64, i64, i64)>,
) -> (Vec<i64>, Vec<Issue>) {
    let locs = catalog.locations().len();
    let mut free = vec![0i64; catalog.skus().len() * locs];
    let mut seen = vec![false; free.len()];
    let mut issues = Vec::new();
    for (i, (sku, loc, on_hand, reserved, buffer)) in rows.into_iter().enumerate() {
        let Some(s) = catalog.sku(sku) else {
            issues.push(Issue::new(
                "STOCK_UNKNOWN_SKU",
                format!("$[{i}].sku"),
                "this SKU is not in the catalog",
            ));
            continue;
        };
        let Some(l) = catalog.location(loc) else {
            issues.push(Issue::new(
                "STOCK_UNKNOWN_LOCATION",
                format!("$[{i}].location"),
                "this location is not in the catalog",
            ));
            continue;
        };
        if on_hand < 0 || reserved < 0 || buffer < 0 {
            issues.push(Issue::new(
                "STOCK_NEGATIVE",
                format!("$[{i}]"),
                "stock counts must not be negative",
            ));
            continue;
        }
        let c = s as usize * locs + l as usize;
        if seen[c] {
            issues.push(Issue::new(
                "STOCK_DUPLICATE_ROW",
                format!("$[{i}]"),
                "this SKU and location were given in an earlier row",
            ));
            continue;
        }
        seen[c] = true;
        free[c] = (on_hand - reserved - buffer).max(0);
    }
    (free, issues)
}

/// The allocation table from a snapshot: every channel's quantity per listing, and
/// the rows that were reported and left out.
pub fn allocate_snapshot(
    catalog: Arc<Catalog>,
    policy: AllocationPolicy,
    rows: &[SnapshotRow],
) -> Result<(Vec<ListingQuantity>, Vec<Issue>), Error> {
    let (free, issues) = free_cells(
        &catalog,
        rows.iter().map(|r| {
            (
                r.sku.as_str(),
                r.location.as_str(),
                r.on_hand,
                r.reserved,
                r.buffer,
            )
        }),
    );
    let mut alloc = Allocator::new(catalog, policy)?;
    alloc.recompute_free(&free)?;
    Ok((alloc.quantities(), issues))
}

/// Computes channel quantities from a [`StockBook`] and remembers what was pushed.
#[derive(Debug, Clone)]
pub struct Allocator {
    catalog: Arc<Catalog>,
    policy: AllocationPolicy,
    locs: usize,
    targets: Vec<Target>,
    /// Location sets the targets see; `groups[g]`.
    groups: Vec<Vec<LocIdx>>,
    /// Free stock per cell after exclusive carve-outs.
    pool: Vec<i64>,
    /// Per group, per SKU: the pool summed over the group's locations.
    gsum: Vec<Vec<i64>>,
    current: Vec<Vec<i64>>,
    pushed: Vec<Vec<i64>>,
    /// Per exclusive rule and position: the units its carve-out took, per component
    /// and location, so that a sync can replay one carve-out without the others.
    carved: Vec<Vec<Vec<(SkuIdx, LocIdx, i64)>>>,
    /// The (rule, position) pairs that show each listing:
    /// `shown_by[shown_start[l]..shown_start[l + 1]]`.
    shown_start: Vec<u32>,
    shown_by: Vec<(u32, u32)>,
    computed: bool,
    /// Nothing pushed yet, or forgotten: the next sync compares every listing.
    full_pending: bool,
    any_exclusive: bool,
}

fn mode_of(
    mode: ModeName,
    percent: Option<Decimal>,
    quantity: Option<i64>,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Mode {
    match mode {
        ModeName::Uniform => Mode::Uniform,
        ModeName::Percent => match percent {
            Some(p) if p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED => {
                let scale = p.scale();
                Mode::Percent {
                    num: p.mantissa(),
                    den: 100 * 10i128.pow(scale),
                }
            }
            Some(_) => {
                issues.push(Issue::new(
                    "STOCK_BAD_PERCENT",
                    format!("{path}.percent"),
                    "a percentage is between 0 and 100",
                ));
                Mode::Uniform
            }
            None => {
                issues.push(Issue::new(
                    "STOCK_MODE_PARAMETER",
                    format!("{path}.percent"),
                    "percent mode needs `percent`",
                ));
                Mode::Uniform
            }
        },
        ModeName::Fixed => match quantity {
            Some(q) if q >= 0 => Mode::Fixed(q),
            Some(_) => {
                issues.push(Issue::new(
                    "STOCK_NEGATIVE",
                    format!("{path}.quantity"),
                    "a fixed quantity must not be negative",
                ));
                Mode::Uniform
            }
            None => {
                issues.push(Issue::new(
                    "STOCK_MODE_PARAMETER",
                    format!("{path}.quantity"),
                    "fixed mode needs `quantity`",
                ));
                Mode::Uniform
            }
        },
    }
}

fn check_limits(cap: Option<i64>, zero: Option<i64>, path: &str, issues: &mut Vec<Issue>) {
    if cap.is_some_and(|c| c < 0) {
        issues.push(Issue::new(
            "STOCK_NEGATIVE",
            format!("{path}.cap"),
            "a cap must not be negative",
        ));
    }
    if zero.is_some_and(|z| z < 0) {
        issues.push(Issue::new(
            "STOCK_NEGATIVE",
            format!("{path}.zero_below"),
            "a threshold must not be negative",
        ));
    }
}

impl Allocator {
    /// Checks a policy against a catalog: known locations, each mode with its
    /// parameter, percentages within 0–100, `exclusive` only with `fixed`, overrides
    /// naming a SKU or listing of the catalog. Every problem is reported by path.
    pub fn new(catalog: Arc<Catalog>, policy: AllocationPolicy) -> Result<Allocator, Error> {
        let mut issues = Vec::new();
        let mut targets = Vec::with_capacity(policy.channels.len());
        let mut groups: Vec<Vec<LocIdx>> = Vec::new();
        let all: Vec<LocIdx> = (0..catalog.locations().len() as LocIdx).collect();
        for (ti, rule) in policy.channels.iter().enumerate() {
            let path = format!("$.channels[{ti}]");
            if policy.channels[..ti]
                .iter()
                .any(|o| o.channel == rule.channel && o.store == rule.store)
            {
                issues.push(Issue::new(
                    "STOCK_DUPLICATE_CHANNEL",
                    format!("{path}.channel"),
                    "this channel and store already have a rule",
                ));
            }
            let base_mode = mode_of(rule.mode, rule.percent, rule.quantity, &path, &mut issues);
            check_limits(rule.cap, rule.zero_below, &path, &mut issues);
            if rule.exclusive && rule.mode != ModeName::Fixed {
                issues.push(Issue::new(
                    "STOCK_EXCLUSIVE_MODE",
                    format!("{path}.exclusive"),
                    "only a fixed quantity can be exclusive",
                ));
            }
            let locations = match &rule.locations {
                None => all.clone(),
                Some(ls) => {
                    let mut v = Vec::new();
                    for (k, l) in ls.iter().enumerate() {
                        match catalog.location(l.as_str()) {
                            Some(x) if !v.contains(&x) => v.push(x),
                            Some(_) => {}
                            None => issues.push(Issue::new(
                                "STOCK_UNKNOWN_LOCATION",
                                format!("{path}.locations[{k}]"),
                                "this location is not in the catalog",
                            )),
                        }
                    }
                    if ls.is_empty() {
                        issues.push(Issue::new(
                            "STOCK_NO_LOCATIONS",
                            format!("{path}.locations"),
                            "a channel bound to locations needs at least one",
                        ));
                    }
                    v
                }
            };
            let mut key = locations.clone();
            key.sort_unstable();
            let group = match groups.iter().position(|g| *g == key) {
                Some(g) => g,
                None => {
                    groups.push(key);
                    groups.len() - 1
                }
            };
            let base = Param {
                mode: base_mode,
                cap: rule.cap,
                zero_below: rule.zero_below,
            };
            // A store's rule shows its own listings and the channel-wide ones it does
            // not override; a channel-wide rule shows the channel-wide listings.
            let rows = catalog.listing_rows();
            let listings: Vec<ListingIdx> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.channel == rule.channel
                        && match (&rule.store, &r.store) {
                            (None, None) => true,
                            (None, Some(_)) => false,
                            (Some(s), Some(rs)) => s == rs,
                            // Not overridden: the store's lookup finds this very row.
                            (Some(s), None) => catalog
                                .listing(r.channel, Some(s.as_str()), r.code.as_str())
                                .is_some_and(|l| rows[l as usize].store.is_none()),
                        }
                })
                .map(|(i, _)| i as ListingIdx)
                .collect();
            let mut params = vec![base];
            let mut listing_param = vec![0u16; listings.len()];
            for (oi, o) in rule.overrides.iter().enumerate() {
                let opath = format!("{path}.overrides[{oi}]");
                let mode = match o.mode {
                    Some(m) => mode_of(m, o.percent, o.quantity, &opath, &mut issues),
                    None => match (base_mode, o.percent, o.quantity) {
                        (Mode::Percent { .. }, Some(p), _) => {
                            mode_of(ModeName::Percent, Some(p), None, &opath, &mut issues)
                        }
                        (Mode::Fixed(_), _, Some(q)) => {
                            mode_of(ModeName::Fixed, None, Some(q), &opath, &mut issues)
                        }
                        _ => base_mode,
                    },
                };
                if rule.exclusive && !matches!(mode, Mode::Fixed(_)) {
                    issues.push(Issue::new(
                        "STOCK_EXCLUSIVE_MODE",
                        format!("{opath}.mode"),
                        "an exclusive channel's overrides must stay fixed",
                    ));
                }
                check_limits(o.cap, o.zero_below, &opath, &mut issues);
                let p = Param {
                    mode,
                    cap: o.cap.or(rule.cap),
                    zero_below: o.zero_below.or(rule.zero_below),
                };
                let pi = params.len() as u16;
                params.push(p);
                let matched: Vec<usize> = match (&o.sku, &o.listing) {
                    (Some(s), None) => match catalog.sku(s.as_str()) {
                        Some(si) => catalog
                            .listings_of(si)
                            .iter()
                            .filter(|&&l| {
                                let c = catalog.components(l);
                                c.len() == 1 && c[0].0 == si
                            })
                            .filter_map(|l| listings.binary_search(l).ok())
                            .collect(),
                        None => {
                            issues.push(Issue::new(
                                "STOCK_UNKNOWN_SKU",
                                format!("{opath}.sku"),
                                "this SKU is not in the catalog",
                            ));
                            continue;
                        }
                    },
                    (None, Some(code)) => {
                        let store = rule.store.as_ref().map(StoreId::as_str);
                        let m: Vec<usize> = catalog
                            .listing(rule.channel, store, code.as_str())
                            .and_then(|l| listings.binary_search(&l).ok())
                            .into_iter()
                            .collect();
                        if m.is_empty() {
                            issues.push(Issue::new(
                                "STOCK_UNKNOWN_LISTING",
                                format!("{opath}.listing"),
                                format!(
                                    "listing code `{}` is not mapped on {}",
                                    code.as_str().chars().take(64).collect::<String>(),
                                    rule.channel.as_str()
                                ),
                            ));
                        }
                        m
                    }
                    _ => {
                        issues.push(Issue::new(
                            "STOCK_OVERRIDE_TARGET",
                            opath,
                            "an override names either `sku` or `listing`",
                        ));
                        continue;
                    }
                };
                for k in matched {
                    listing_param[k] = pi;
                }
            }
            let single = listings
                .iter()
                .map(|&l| match catalog.components(l) {
                    [(s, 1)] => *s,
                    _ => SET,
                })
                .collect();
            targets.push(Target {
                single,
                channel: rule.channel,
                store: rule.store.clone(),
                locations,
                group,
                exclusive: rule.exclusive,
                params,
                listings,
                listing_param,
            });
        }
        if !issues.is_empty() {
            return Err(Error::InvalidStock(issues));
        }
        let skus = catalog.skus().len();
        let locs = catalog.locations().len();
        let current: Vec<Vec<i64>> = targets.iter().map(|t| vec![0; t.listings.len()]).collect();
        let pushed: Vec<Vec<i64>> = targets
            .iter()
            .map(|t| vec![NEVER; t.listings.len()])
            .collect();
        let any_exclusive = targets.iter().any(|t| t.exclusive);
        let carved = targets
            .iter()
            .map(|t| {
                if t.exclusive {
                    vec![Vec::new(); t.listings.len()]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let listing_count = catalog.listing_count();
        let mut counts = vec![0u32; listing_count + 1];
        for t in &targets {
            for &l in &t.listings {
                counts[l as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let shown_start = counts.clone();
        let mut shown_by = vec![(0u32, 0u32); counts[listing_count] as usize];
        for (ti, t) in targets.iter().enumerate() {
            for (k, &l) in t.listings.iter().enumerate() {
                shown_by[counts[l as usize] as usize] = (ti as u32, k as u32);
                counts[l as usize] += 1;
            }
        }
        Ok(Allocator {
            catalog,
            policy,
            locs,
            gsum: vec![vec![0; skus]; groups.len()],
            groups,
            targets,
            pool: vec![0; skus * locs],
            current,
            pushed,
            carved,
            shown_start,
            shown_by,
            computed: false,
            full_pending: true,
            any_exclusive,
        })
    }

    /// The policy.
    pub fn policy(&self) -> &AllocationPolicy {
        &self.policy
    }

    #[inline]
    fn visible(&self, t: &Target, listing: ListingIdx) -> i64 {
        let g = &self.gsum[t.group];
        let comps = self.catalog.components(listing);
        if let [(s, 1)] = comps {
            return g[*s as usize];
        }
        comps
            .iter()
            .map(|&(s, q)| g[s as usize] / i64::from(q))
            .min()
            .unwrap_or(0)
    }

    fn visible_pool(&self, t: &Target, listing: ListingIdx) -> i64 {
        self.catalog
            .components(listing)
            .iter()
            .map(|&(s, q)| {
                let base = s as usize * self.locs;
                let sum: i64 = t
                    .locations
                    .iter()
                    .map(|&l| self.pool[base + l as usize])
                    .sum();
                sum / i64::from(q)
            })
            .min()
            .unwrap_or(0)
    }

    /// Takes `n` listing units from the pool, from the target's locations in order.
    /// Takes `n` listing units from the pool, from the target's locations in order,
    /// and records what it took.
    fn carve(&mut self, ti: usize, k: usize, listing: ListingIdx, n: i64) {
        let mut took = std::mem::take(&mut self.carved[ti][k]);
        took.clear();
        let catalog = Arc::clone(&self.catalog);
        let locs = self.locs;
        let targets = &self.targets;
        let pool = &mut self.pool;
        carve_into(
            catalog.components(listing),
            &targets[ti].locations,
            n,
            &mut took,
            |s, l, need| {
                let cell = &mut pool[s as usize * locs + l as usize];
                let take = (*cell).min(need).max(0);
                *cell -= take;
                take
            },
        );
        self.carved[ti][k] = took;
    }

    fn fill_pool(&mut self, book: &StockBook, sku: SkuIdx) {
        let base = sku as usize * self.locs;
        for l in 0..self.locs {
            self.pool[base + l] = book.free_at(sku, l as LocIdx);
        }
    }

    fn fill_gsum(&mut self, sku: SkuIdx) {
        let base = sku as usize * self.locs;
        for (g, locs) in self.groups.iter().enumerate() {
            self.gsum[g][sku as usize] = locs.iter().map(|&l| self.pool[base + l as usize]).sum();
        }
    }

    /// Recomputes every channel's quantity for every listing from the book.
    pub fn recompute(&mut self, book: &StockBook) {
        let skus = self.catalog.skus().len();
        for s in 0..skus as SkuIdx {
            self.fill_pool(book, s);
        }
        self.recompute_pool();
    }

    /// Recomputes every quantity from free stock per cell, `free[sku × locations +
    /// location]` in catalog order (see [`free_cells`]): a snapshot from elsewhere
    /// rather than a book. Refused (`STOCK_BAD_COLUMNS`) when the length is not
    /// SKUs × locations.
    pub fn recompute_free(&mut self, free: &[i64]) -> Result<(), Error> {
        if free.len() != self.pool.len() {
            return Err(Error::InvalidStock(vec![Issue::new(
                "STOCK_BAD_COLUMNS",
                "$",
                "free stock needs one value per SKU and location",
            )]));
        }
        for (p, &f) in self.pool.iter_mut().zip(free) {
            *p = f.max(0);
        }
        self.recompute_pool();
        Ok(())
    }

    fn recompute_pool(&mut self) {
        let skus = self.catalog.skus().len();
        if self.any_exclusive {
            for ti in 0..self.targets.len() {
                if !self.targets[ti].exclusive {
                    continue;
                }
                for k in 0..self.targets[ti].listings.len() {
                    self.exclusive_one(ti, k);
                }
            }
        }
        if self.locs == 1 && self.groups.len() == 1 {
            self.gsum[0].copy_from_slice(&self.pool);
        } else {
            for s in 0..skus as SkuIdx {
                self.fill_gsum(s);
            }
        }
        for ti in 0..self.targets.len() {
            if self.targets[ti].exclusive {
                continue;
            }
            let t = &self.targets[ti];
            let mut cur = std::mem::take(&mut self.current[ti]);
            let g = &self.gsum[t.group];
            if t.params.len() == 1 {
                let p = t.params[0];
                for (k, &sku) in t.single.iter().enumerate() {
                    let v = if sku != SET {
                        g[sku as usize]
                    } else {
                        self.visible(t, t.listings[k])
                    };
                    cur[k] = p.apply(v);
                }
            } else {
                for (k, (&sku, &p)) in t.single.iter().zip(&t.listing_param).enumerate() {
                    let v = if sku != SET {
                        g[sku as usize]
                    } else {
                        self.visible(t, t.listings[k])
                    };
                    cur[k] = t.params[p as usize].apply(v);
                }
            }
            self.current[ti] = cur;
        }
        self.computed = true;
    }

    fn exclusive_one(&mut self, ti: usize, k: usize) {
        let t = &self.targets[ti];
        let l = t.listings[k];
        let p = t.params[t.listing_param[k] as usize];
        let q = p.apply(self.visible_pool(t, l));
        self.current[ti][k] = q;
        self.carve(ti, k, l, q);
    }

    /// The exclusive (rule, position) pairs that show listings of a SKU.
    fn exclusive_of(&self, s: SkuIdx) -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = self
            .catalog
            .listings_of(s)
            .iter()
            .flat_map(|&l| self.shown(l).iter().copied())
            .filter(|&(t, _)| self.targets[t as usize].exclusive)
            .collect();
        v.sort_unstable();
        v
    }

    /// Replays the exclusive carve-outs a change affects, in policy order, and
    /// returns the SKUs whose pool changed. A SKU's pool is rebuilt from the
    /// records; a carve-out that takes what it took before changes nothing after
    /// it, so the replay stops there instead of walking every SKU a set links.
    fn propagate(
        &mut self,
        book: &StockBook,
        dirty: &[SkuIdx],
        touched: &mut Vec<(u32, u32)>,
    ) -> Vec<SkuIdx> {
        use std::cmp::Reverse;
        use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
        let locs = self.locs;
        // Working pool per active SKU: its pool just before the position being replayed.
        let mut work: BTreeMap<SkuIdx, Vec<i64>> = BTreeMap::new();
        let mut changed: BTreeSet<SkuIdx> = BTreeSet::new();
        let mut heap: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
        let mut seen: BTreeSet<(u32, u32)> = BTreeSet::new();
        for &s in dirty {
            work.insert(s, (0..locs).map(|l| book.free_at(s, l as LocIdx)).collect());
            changed.insert(s);
            for e in self.exclusive_of(s) {
                if seen.insert(e) {
                    heap.push(Reverse(e));
                }
            }
        }
        let catalog = Arc::clone(&self.catalog);
        while let Some(Reverse((ti, k))) = heap.pop() {
            let (tiu, ku) = (ti as usize, k as usize);
            let l = self.targets[tiu].listings[ku];
            let comps = catalog.components(l);
            // Components not being replayed: their pool before this position is the
            // final pool plus what this and every later carve-out took.
            let mut tentative = Vec::new();
            for &(c, _) in comps {
                if work.contains_key(&c) {
                    continue;
                }
                let base = c as usize * locs;
                let mut w: Vec<i64> = self.pool[base..base + locs].to_vec();
                for (t2, k2) in self.exclusive_of(c) {
                    if (t2, k2) >= (ti, k) {
                        for &(s2, l2, q2) in &self.carved[t2 as usize][k2 as usize] {
                            if s2 == c {
                                w[l2 as usize] += q2;
                            }
                        }
                    }
                }
                work.insert(c, w);
                tentative.push(c);
            }
            let t = &self.targets[tiu];
            let v = comps
                .iter()
                .map(|&(c, q)| {
                    let w = &work[&c];
                    t.locations.iter().map(|&x| w[x as usize]).sum::<i64>() / i64::from(q)
                })
                .min()
                .unwrap_or(0);
            let qty = t.params[t.listing_param[ku] as usize].apply(v);
            self.current[tiu][ku] = qty;
            let mut took = Vec::new();
            carve_into(comps, &t.locations, qty, &mut took, |c, x, need| {
                // Every component of this listing is in `work` (added above).
                let Some(cell) = work.get_mut(&c).map(|w| &mut w[x as usize]) else {
                    return 0;
                };
                let take = (*cell).min(need).max(0);
                *cell -= take;
                take
            });
            let before = std::mem::replace(&mut self.carved[tiu][ku], took);
            touched.push((ti, k));
            for &(c, _) in comps {
                let same = before
                    .iter()
                    .filter(|e| e.0 == c)
                    .eq(self.carved[tiu][ku].iter().filter(|e| e.0 == c));
                if same && tentative.contains(&c) {
                    // Took what it took before: nothing after this position changes.
                    work.remove(&c);
                } else if !same && !changed.contains(&c) {
                    changed.insert(c);
                    for e in self.exclusive_of(c) {
                        if e > (ti, k) && seen.insert(e) {
                            heap.push(Reverse(e));
                        }
                    }
                }
            }
        }
        for (&c, w) in &work {
            let base = c as usize * locs;
            self.pool[base..base + locs].copy_from_slice(w);
        }
        changed.into_iter().collect()
    }

    /// The quantities as rows, in policy order then listing order.
    pub fn quantities(&self) -> Vec<ListingQuantity> {
        let mut v = Vec::new();
        for (ti, t) in self.targets.iter().enumerate() {
            for (k, &l) in t.listings.iter().enumerate() {
                v.push(ListingQuantity {
                    channel: t.channel,
                    store: t.store.clone(),
                    listing: self.catalog.listing_key(l).2.clone(),
                    quantity: self.current[ti][k],
                });
            }
        }
        v
    }

    /// The current quantity of one listing under one rule.
    pub fn quantity(&self, channel: Channel, store: Option<&str>, listing: &str) -> Option<i64> {
        let ti = self
            .targets
            .iter()
            .position(|t| t.channel == channel && t.store.as_ref().map(StoreId::as_str) == store)?;
        let t = &self.targets[ti];
        let k = t
            .listings
            .iter()
            .position(|&l| self.catalog.listing_key(l).2.as_str() == listing)?;
        Some(self.current[ti][k])
    }

    fn delta(&mut self, ti: usize, k: usize, out: &mut Vec<SyncDelta>) {
        let q = self.current[ti][k];
        let prev = self.pushed[ti][k];
        if prev != q {
            let t = &self.targets[ti];
            out.push(SyncDelta {
                channel: t.channel,
                store: t.store.clone(),
                listing: self.catalog.listing_key(t.listings[k]).2.clone(),
                quantity: q,
                previous: (prev != NEVER).then_some(prev),
            });
            self.pushed[ti][k] = q;
        }
    }

    /// Every quantity that differs from what was last pushed (everything the first
    /// time), marked as pushed.
    pub fn deltas(&mut self) -> Vec<SyncDelta> {
        let mut out = Vec::new();
        for ti in 0..self.targets.len() {
            for k in 0..self.targets[ti].listings.len() {
                self.delta(ti, k, &mut out);
            }
        }
        out
    }

    /// Forgets what was pushed, so that the next sync returns every quantity (after
    /// a failed push, or to resend everything).
    pub fn forget_pushed(&mut self) {
        for p in &mut self.pushed {
            p.fill(NEVER);
        }
        // The next sync compares everything, so nothing is left out.
        self.full_pending = true;
    }

    /// Recomputes what the book's changes since the last sync affect and returns the
    /// quantities that differ from what was last pushed, marked as pushed. The
    /// first call computes everything.
    pub fn sync(&mut self, book: &mut StockBook) -> Vec<SyncDelta> {
        let dirty = book.take_dirty();
        if self.full_pending || !self.computed {
            self.recompute(book);
            self.full_pending = false;
            return self.deltas();
        }
        if dirty.is_empty() {
            return Vec::new();
        }
        let mut replayed = Vec::new();
        let skus = if self.any_exclusive {
            self.propagate(book, &dirty, &mut replayed)
        } else {
            for &s in &dirty {
                self.fill_pool(book, s);
            }
            dirty
        };
        // Listings touched, per target, ascending.
        let mut touched: Vec<Vec<usize>> = vec![Vec::new(); self.targets.len()];
        for &s in &skus {
            for &l in self.catalog.listings_of(s) {
                for &(ti, k) in self.shown(l) {
                    if !self.targets[ti as usize].exclusive {
                        touched[ti as usize].push(k as usize);
                    }
                }
            }
        }
        for (ti, k) in replayed {
            touched[ti as usize].push(k as usize);
        }
        for v in &mut touched {
            v.sort_unstable();
            v.dedup();
        }
        for &s in &skus {
            self.fill_gsum(s);
        }
        let mut out = Vec::new();
        for (ti, ks) in touched.iter().enumerate() {
            if !self.targets[ti].exclusive {
                for &k in ks {
                    let t = &self.targets[ti];
                    let l = t.listings[k];
                    self.current[ti][k] =
                        t.params[t.listing_param[k] as usize].apply(self.visible(t, l));
                }
            }
            for &k in ks {
                self.delta(ti, k, &mut out);
            }
        }
        out
    }

    /// The rules (and positions in them) that show a listing.
    #[inline]
    fn shown(&self, l: ListingIdx) -> &[(u32, u32)] {
        let l = l as usize;
        &self.shown_by[self.shown_start[l] as usize..self.shown_start[l + 1] as usize]
    }
}

/// Takes `n` units of a listing (× each component's quantity), from `locations` in
/// order (`take_at(sku, location, need)` takes up to `need` and says how many), and
/// records what it took per component and location.
fn carve_into(
    comps: &[(SkuIdx, u32)],
    locations: &[LocIdx],
    n: i64,
    took: &mut Vec<(SkuIdx, LocIdx, i64)>,
    mut take_at: impl FnMut(SkuIdx, LocIdx, i64) -> i64,
) {
    if n <= 0 {
        return;
    }
    for &(s, q) in comps {
        let mut need = n * i64::from(q);
        for &l in locations {
            let take = take_at(s, l, need);
            need -= take;
            if take > 0 {
                took.push((s, l, take));
            }
            if need == 0 {
                break;
            }
        }
    }
}

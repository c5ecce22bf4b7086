//! Transit days (配送リードタイム) by origin prefecture, destination prefecture,
//! carrier and temperature service, and remote-island extra days by postal code.
//!
//! ichigen ships a region-based **estimate** for Japan ([`TransitTable::japan_estimate`]);
//! a shop replaces it with its carrier's published table loaded from CSV
//! ([`TransitTable::from_csv`]):
//!
//! ```text
//! origin,destination,carrier,service,days
//! 東京都,北海道,yamato,*,2
//! 13,47,yamato,frozen,3
//! tokyo,osaka,*,*,1
//! ```
//!
//! `origin` and `destination` are prefecture codes, names or romaji; `carrier` is a
//! carrier code or `*` (any carrier); `service` is `ambient`, `chilled`, `frozen` or
//! `*`. A lookup takes the most specific row: the carrier's row for the service, then
//! the carrier's `*` row, then `*` for the service, then `*` `*`. No row at all is a
//! missing entry, reported by the plan, never guessed.
//!
//! ```
//! use ichigen_core::order::TemperatureZone;
//! use ichigen_core::shipdate::transit::TransitTable;
//! let (table, issues) = TransitTable::from_csv(
//!     "origin,destination,carrier,service,days\n東京都,北海道,yamato,*,2\n東京都,大阪府,yamato,*,1\n",
//!     "transit.csv",
//! );
//! assert!(issues.is_empty());
//! assert_eq!(table.days(13, 1, "yamato", TemperatureZone::Frozen), Some(2));
//! assert_eq!(table.days(13, 47, "yamato", TemperatureZone::Ambient), None);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::prefecture::{self, PREFECTURES};
use crate::error::Issue;
use crate::order::TemperatureZone;

/// "No entry" in the dense tables.
pub const MISSING: u8 = u8::MAX;

/// The largest transit a table accepts (days).
pub const MAX_TRANSIT_DAYS: u8 = 30;

/// Service slot: 0 ambient, 1 chilled, 2 frozen, 3 any.
fn service_slot(s: Option<TemperatureZone>) -> usize {
    match s {
        Some(TemperatureZone::Ambient) => 0,
        Some(TemperatureZone::Chilled) => 1,
        Some(TemperatureZone::Frozen) => 2,
        None => 3,
    }
}

/// The region-to-region days of the built-in estimate (rows and columns in
/// [`Region::ALL`] order): same or neighbouring region 1 day, farther 2,
/// Hokkaido ↔ western Japan 3, Okinawa 3 from everywhere but Kyushu (2).
const REGION_DAYS: [[u8; 12]; 12] = [
    // HKD NTH STH KNT SNE HKR CHB KNS CGK SKK KYS OKN
    [1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3], // Hokkaido
    [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3], // North Tohoku
    [2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3], // South Tohoku
    [2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3], // Kanto
    [2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3], // Shinetsu
    [2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3], // Hokuriku
    [2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3], // Chubu
    [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3], // Kansai
    [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 3], // Chugoku
    [3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3], // Shikoku
    [3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 2], // Kyushu
    [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1], // Okinawa
];

/// Transit days for (origin, destination, carrier, service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitTable {
    /// Carrier codes; index 0 is `*`.
    carriers: Vec<String>,
    /// `days[((carrier * 4 + service) * 48 + origin) * 48 + destination]`.
    days: Vec<u8>,
    /// Whether this is the built-in estimate.
    estimate: bool,
}

/// Where a transit figure came from, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitBasis {
    /// The built-in region estimate.
    Estimate,
    /// A table the shop loaded.
    Table,
}

impl TransitTable {
    fn empty(estimate: bool) -> TransitTable {
        TransitTable {
            carriers: vec!["*".to_owned()],
            days: vec![MISSING; 4 * 48 * 48],
            estimate,
        }
    }

    fn carrier_slot(&mut self, carrier: &str) -> usize {
        if let Some(i) = self.carriers.iter().position(|c| c == carrier) {
            return i;
        }
        self.carriers.push(carrier.to_owned());
        self.days.extend(std::iter::repeat_n(MISSING, 4 * 48 * 48));
        self.carriers.len() - 1
    }

    fn at(carrier: usize, service: usize, origin: u8, dest: u8) -> usize {
        ((carrier * 4 + service) * 48 + usize::from(origin)) * 48 + usize::from(dest)
    }

    /// The built-in region-based estimate for every carrier and service. It is an
    /// estimate, not any carrier's timetable: load the carrier's table for real
    /// promises.
    pub fn japan_estimate() -> TransitTable {
        let mut t = TransitTable::empty(true);
        for o in &PREFECTURES {
            for d in &PREFECTURES {
                let days = REGION_DAYS[o.region.index()][d.region.index()];
                t.days[Self::at(0, 3, o.code, d.code)] = days;
            }
        }
        t
    }

    /// Whether this is the built-in estimate.
    pub fn is_estimate(&self) -> bool {
        self.estimate
    }

    /// The carriers named by rows (without `*`).
    pub fn carriers(&self) -> &[String] {
        &self.carriers[1..]
    }

    /// Sets one entry (`carrier` `None` = any carrier, `service` `None` = any service).
    pub fn set(
        &mut self,
        origin: u8,
        destination: u8,
        carrier: Option<&str>,
        service: Option<TemperatureZone>,
        days: u8,
    ) {
        let c = match carrier {
            Some(name) => self.carrier_slot(name),
            None => 0,
        };
        self.days[Self::at(c, service_slot(service), origin, destination)] = days;
    }

    /// Parses the CSV format (module docs). Good rows are loaded; each bad row is
    /// reported as `name:line:column` and skipped. A row repeating an earlier key
    /// is reported (`SHIPDATE_DUPLICATE_ROW`) and the first one kept.
    pub fn from_csv(text: &str, name: &str) -> (TransitTable, Vec<Issue>) {
        let mut table = TransitTable::empty(false);
        let mut issues = Vec::new();
        let Some(csv) = crate::csv_text::read(
            text,
            name,
            "SHIPDATE_BAD_CSV",
            &["origin", "destination", "carrier", "service", "days"],
            &[],
            &mut issues,
        ) else {
            return (table, issues);
        };
        let [Some(oc), Some(dc), Some(cc), Some(sc), Some(yc)] = csv.columns[..] else {
            return (table, issues);
        };
        let mut seen: BTreeMap<(u8, u8, String, usize), u64> = BTreeMap::new();
        for (line, record) in csv.rows {
            let get = |i: usize| record.get(i).unwrap_or("");
            let mut bad = |column: &str, code: &str, message: &str| {
                issues.push(Issue::new(code, format!("{name}:{line}:{column}"), message));
            };
            let origin = prefecture::find(get(oc));
            if origin.is_none() {
                bad(
                    "origin",
                    "SHIPDATE_UNKNOWN_PREFECTURE",
                    "expected a prefecture code or name",
                );
            }
            let dest = prefecture::find(get(dc));
            if dest.is_none() {
                bad(
                    "destination",
                    "SHIPDATE_UNKNOWN_PREFECTURE",
                    "expected a prefecture code or name",
                );
            }
            let carrier = get(cc);
            if carrier.is_empty() {
                bad(
                    "carrier",
                    "SHIPDATE_MISSING_FIELD",
                    "expected a carrier code or *",
                );
            }
            let service = match get(sc) {
                "*" | "" => Some(None),
                "ambient" => Some(Some(TemperatureZone::Ambient)),
                "chilled" => Some(Some(TemperatureZone::Chilled)),
                "frozen" => Some(Some(TemperatureZone::Frozen)),
                _ => None,
            };
            if service.is_none() {
                bad(
                    "service",
                    "SHIPDATE_BAD_VALUE",
                    "expected ambient, chilled, frozen or *",
                );
            }
            let days = get(yc)
                .parse::<u8>()
                .ok()
                .filter(|d| *d <= MAX_TRANSIT_DAYS);
            if days.is_none() {
                bad(
                    "days",
                    "SHIPDATE_BAD_VALUE",
                    "expected whole days from 0 to 30",
                );
            }
            if let (Some(o), Some(d), false, Some(s), Some(days)) =
                (origin, dest, carrier.is_empty(), service, days)
            {
                let key = (o.code, d.code, carrier.to_owned(), service_slot(s));
                if let Some(first) = seen.get(&key) {
                    bad(
                        "origin",
                        "SHIPDATE_DUPLICATE_ROW",
                        &format!("the same route, carrier and service as line {first}"),
                    );
                    continue;
                }
                seen.insert(key, line);
                let c = (carrier != "*").then_some(carrier);
                table.set(o.code, d.code, c, s, days);
            }
        }
        (table, issues)
    }

    /// Transit days, most specific row first; `None` when no row covers the route.
    pub fn days(
        &self,
        origin: u8,
        destination: u8,
        carrier: &str,
        service: TemperatureZone,
    ) -> Option<u8> {
        if !(1..=47).contains(&origin) || !(1..=47).contains(&destination) {
            return None;
        }
        let c = self.carriers.iter().position(|x| x == carrier);
        let s = service_slot(Some(service));
        let mut candidates = [(c, s), (c, 3), (Some(0), s), (Some(0), 3)];
        if c == Some(0) {
            candidates = [(Some(0), s), (Some(0), 3), (None, 0), (None, 0)];
        }
        candidates.iter().find_map(|&(c, s)| {
            let v = self.days[Self::at(c?, s, origin, destination)];
            (v != MISSING).then_some(v)
        })
    }

    /// The days from one origin as a dense table with the fallbacks applied, for
    /// batch planning: `resolved[(carrier_index * 3 + service) * 48 + destination]`,
    /// where `carrier_index` is the position in `carriers` (a carrier the table does
    /// not name uses the `*` rows), service is 0 ambient, 1 chilled, 2 frozen, and
    /// [`MISSING`] marks a route without an entry (and destination 0).
    pub fn resolve(&self, origin: u8, carriers: &[&str]) -> Vec<u8> {
        let mut out = vec![MISSING; carriers.len().max(1) * 3 * 48];
        for (ci, carrier) in carriers.iter().enumerate() {
            for (si, service) in [
                TemperatureZone::Ambient,
                TemperatureZone::Chilled,
                TemperatureZone::Frozen,
            ]
            .into_iter()
            .enumerate()
            {
                for d in 1..=47u8 {
                    if let Some(v) = self.days(origin, d, carrier, service) {
                        out[(ci * 3 + si) * 48 + usize::from(d)] = v;
                    }
                }
            }
        }
        out
    }
}

/// Extra transit days for remote islands (離島), by postal-code prefix.
///
/// The CSV format: `postal_prefix,extra_days,note`, prefixes of 3 to 7 digits (a
/// hyphen is ignored); the longest matching prefix wins. ichigen ships a small
/// documented example (`REMOTE_ISLANDS_EXAMPLE_CSV`), not a complete list: a shop
/// loads its carrier's list.
///
/// ```
/// use ichigen_core::shipdate::transit::RemoteIslands;
/// let (islands, issues) = RemoteIslands::from_csv("postal_prefix,extra_days,note\n100-21,3,小笠原\n100,0,東京都千代田区\n", "islands.csv");
/// assert!(issues.is_empty());
/// assert_eq!(islands.extra_days("100-2101").map(|m| m.0), Some(3));
/// assert_eq!(islands.extra_days("1000001").map(|m| m.0), Some(0));
/// assert_eq!(islands.extra_days("5300001"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteIslands {
    prefixes: BTreeMap<String, (u8, String)>,
}

/// A small example list of remote-island postal prefixes (documented in
/// `docs/calendars.md`; not complete).
pub const REMOTE_ISLANDS_EXAMPLE_CSV: &str = include_str!("../../data/remote_islands_example.csv");

fn postal_digits(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect()
}

impl RemoteIslands {
    /// Parses the CSV format; bad rows are reported and skipped.
    pub fn from_csv(text: &str, name: &str) -> (RemoteIslands, Vec<Issue>) {
        let mut out = RemoteIslands::default();
        let mut issues = Vec::new();
        let Some(csv) = crate::csv_text::read(
            text,
            name,
            "SHIPDATE_BAD_CSV",
            &["postal_prefix", "extra_days"],
            &["note"],
            &mut issues,
        ) else {
            return (out, issues);
        };
        let [Some(pc), Some(ec), nc] = csv.columns[..] else {
            return (out, issues);
        };
        for (line, record) in csv.rows {
            let raw = record.get(pc).unwrap_or("");
            let prefix = postal_digits(raw);
            let valid_chars = raw.chars().all(|c| c.is_ascii_digit() || c == '-');
            if !(3..=7).contains(&prefix.len()) || !valid_chars {
                issues.push(Issue::new(
                    "SHIPDATE_BAD_VALUE",
                    format!("{name}:{line}:postal_prefix"),
                    "expected 3 to 7 digits of a postal code",
                ));
                continue;
            }
            let Some(extra) = record
                .get(ec)
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|d| *d <= MAX_TRANSIT_DAYS)
            else {
                issues.push(Issue::new(
                    "SHIPDATE_BAD_VALUE",
                    format!("{name}:{line}:extra_days"),
                    "expected whole days from 0 to 30",
                ));
                continue;
            };
            let note = nc.and_then(|i| record.get(i)).unwrap_or("").to_owned();
            if out.prefixes.contains_key(&prefix) {
                issues.push(Issue::new(
                    "SHIPDATE_DUPLICATE_ROW",
                    format!("{name}:{line}:postal_prefix"),
                    "the prefix is listed twice; the first row is kept",
                ));
                continue;
            }
            out.prefixes.insert(prefix, (extra, note));
        }
        (out, issues)
    }

    /// The extra days and note for a postal code (longest prefix), if listed.
    pub fn extra_days(&self, postal_code: &str) -> Option<(u8, &str)> {
        if self.prefixes.is_empty() {
            return None;
        }
        let digits = postal_digits(postal_code);
        (3..=digits.len().min(7)).rev().find_map(|n| {
            self.prefixes
                .get(&digits[..n])
                .map(|(d, note)| (*d, note.as_str()))
        })
    }

    /// Number of prefixes listed.
    pub fn len(&self) -> usize {
        self.prefixes.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::prefecture::Region;
    use super::*;

    #[test]
    fn estimate_is_symmetric_and_covers_every_route() {
        let t = TransitTable::japan_estimate();
        for o in 1..=47u8 {
            for d in 1..=47u8 {
                let a = t.days(o, d, "any", TemperatureZone::Ambient).unwrap();
                let b = t.days(d, o, "yamato", TemperatureZone::Frozen).unwrap();
                assert_eq!(a, b);
                assert!((1..=3).contains(&a));
            }
        }
        // DOMAIN §3: Kanto → Hokkaido and Kyushu 2, Okinawa 3 (2 + 1), same region 1.
        assert_eq!(t.days(13, 1, "x", TemperatureZone::Ambient), Some(2));
        assert_eq!(t.days(13, 40, "x", TemperatureZone::Ambient), Some(2));
        assert_eq!(t.days(13, 47, "x", TemperatureZone::Ambient), Some(3));
        assert_eq!(t.days(13, 14, "x", TemperatureZone::Ambient), Some(1));
        assert!(t.is_estimate());
        for r in Region::ALL {
            assert_eq!(REGION_DAYS[r.index()][r.index()], 1);
        }
    }

    #[test]
    fn csv_precedence_and_errors() {
        let text = "origin,destination,carrier,service,days\n\
                    13,1,*,*,2\n\
                    13,1,yamato,*,3\n\
                    13,1,yamato,frozen,4\n\
                    13,1,*,chilled,5\n\
                    東京府,1,*,*,2\n\
                    13,1,sagawa,warm,2\n\
                    13,1,sagawa,*,31\n\
                    13,1,yamato,*,1\n";
        let (t, issues) = TransitTable::from_csv(text, "t.csv");
        assert_eq!(t.days(13, 1, "yamato", TemperatureZone::Frozen), Some(4));
        assert_eq!(t.days(13, 1, "yamato", TemperatureZone::Chilled), Some(3));
        assert_eq!(t.days(13, 1, "sagawa", TemperatureZone::Chilled), Some(5));
        assert_eq!(t.days(13, 1, "sagawa", TemperatureZone::Ambient), Some(2));
        assert_eq!(t.days(1, 13, "sagawa", TemperatureZone::Ambient), None);
        let codes: Vec<_> = issues
            .iter()
            .map(|i| (i.code.as_str(), i.path.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("SHIPDATE_UNKNOWN_PREFECTURE", "t.csv:6:origin"),
                ("SHIPDATE_BAD_VALUE", "t.csv:7:service"),
                ("SHIPDATE_BAD_VALUE", "t.csv:8:days"),
                ("SHIPDATE_DUPLICATE_ROW", "t.csv:9:origin"),
            ]
        );
        let resolved = t.resolve(13, &["yamato", "unknown"]);
        let at = |c: usize, s: usize| resolved[(c * 3 + s) * 48 + 1];
        assert_eq!((at(0, 2), at(0, 0), at(1, 1), at(1, 0)), (4, 3, 5, 2));
    }

    #[test]
    fn bad_headers_are_reported() {
        let (_, issues) = TransitTable::from_csv("a,b\n1,2\n", "t.csv");
        assert_eq!(issues[0].code, "SHIPDATE_BAD_CSV");
        let (_, issues) = RemoteIslands::from_csv("", "i.csv");
        assert_eq!(issues[0].code, "SHIPDATE_BAD_CSV");
    }

    #[test]
    fn islands_longest_prefix_and_bad_rows() {
        let (islands, issues) = RemoteIslands::from_csv(
            "postal_prefix,extra_days,note\n907,1,八重山\n907-1,2,与那国\n12,1,short\n9071,x,bad\n907,1,dup\n",
            "i.csv",
        );
        assert_eq!(islands.len(), 2);
        assert_eq!(islands.extra_days("９０７－１８０１").map(|m| m.0), Some(2));
        assert_eq!(islands.extra_days("907-0001").map(|m| m.0), Some(1));
        assert_eq!(islands.extra_days("90"), None);
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "i.csv:4:postal_prefix",
                "i.csv:5:extra_days",
                "i.csv:6:postal_prefix"
            ]
        );
        let (example, issues) = RemoteIslands::from_csv(REMOTE_ISLANDS_EXAMPLE_CSV, "example");
        assert!(issues.is_empty(), "{issues:?}");
        assert!(example.len() >= 10);
    }
}

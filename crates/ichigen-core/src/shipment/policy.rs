//! What the shop configures: the split keys, package capacity, where fees and
//! discounts go, item specs (weight, size, mail-packet fraction, shipping method)
//! and carrier profiles; and the [`Planner`] built from them.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::invalid;
use crate::error::{Error, Issue};
use crate::ids::{CarrierCode, LocationId, OrderId, ShippingMethodCode};
use crate::money::{Amount, amount_serde};
use crate::order::{OrderLine, ShippingClass, SplitKey};
use crate::stock::MailFraction;

/// Where one of the order-level amounts goes when an order becomes several shipments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeRule {
    /// All of it on the first shipment (Next Engine's default). A discount larger
    /// than what the first shipment is worth spills to the next ones.
    #[default]
    First,
    /// Shared in proportion to each shipment's merchandise, by largest remainder.
    Proportional,
    /// Shared in proportion to what the carrier charges for each shipment (the
    /// profile's `fee`, plus `cool_fee` for a chilled or frozen shipment). Fees only.
    Carrier,
}

/// Where the shipping fee, the COD fee, the coupon and the points go.
///
/// In JSON either one rule for all four (`"proportional"`) or an object naming
/// each (`{"shipping_fee": "carrier", "points": "proportional"}`; the rest `first`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FeePolicy {
    /// The shipping fee (送料).
    pub shipping_fee: FeeRule,
    /// The COD fee (代引手数料).
    pub cod_fee: FeeRule,
    /// The coupon discount.
    pub coupon: FeeRule,
    /// The points used.
    pub points: FeeRule,
}

impl FeePolicy {
    /// The same rule for all four amounts (`carrier` applies to the fees; the
    /// discounts then go proportionally).
    pub fn all(rule: FeeRule) -> FeePolicy {
        let discount = if rule == FeeRule::Carrier {
            FeeRule::Proportional
        } else {
            rule
        };
        FeePolicy {
            shipping_fee: rule,
            cod_fee: rule,
            coupon: discount,
            points: discount,
        }
    }
}

impl<'de> Deserialize<'de> for FeePolicy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Each {
            #[serde(default)]
            shipping_fee: FeeRule,
            #[serde(default)]
            cod_fee: FeeRule,
            #[serde(default)]
            coupon: FeeRule,
            #[serde(default)]
            points: FeeRule,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            All(FeeRule),
            Each(Each),
        }
        match Form::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "invalid value: expected \"first\", \"proportional\", \"carrier\" or an object \
                 with shipping_fee, cod_fee, coupon and points",
            )
        })? {
            Form::All(rule) => Ok(FeePolicy::all(rule)),
            Form::Each(e) => Ok(FeePolicy {
                shipping_fee: e.shipping_fee,
                cod_fee: e.cod_fee,
                coupon: e.coupon,
                points: e.points,
            }),
        }
    }
}

/// The most one package may hold; a group of lines over it becomes several
/// packages. Mail-packet shipments are also limited by their profile (the sum of
/// fractions ≤ 1, the profile's weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Units per package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units: Option<u32>,
    /// Grams per package (items without a weight count as 0 g).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weight_g: Option<u32>,
}

/// What shipping needs to know about one SKU (or listing code, for a line without
/// a SKU).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// The master SKU; a line is matched by its `sku`, or by its listing code when
    /// it has none.
    pub sku: String,
    /// Weight of one unit, packed, in grams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_g: Option<u32>,
    /// Share of a mail packet one unit fills (`1/3`, `[M便 1/3]`); absent: the item
    /// cannot go by mail packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_fraction: Option<MailFraction>,
    /// Longest side of one unit, packed, in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_mm: Option<u32>,
    /// Second side, in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_mm: Option<u32>,
    /// Thickness, in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thickness_mm: Option<u32>,
    /// A shipping method this item always uses (a large item by freight), instead
    /// of the order's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<ShippingMethodCode>,
    /// The class of that method (default: parcel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_class: Option<ShippingClass>,
}

/// A carrier service and its limits: what fits, what it can carry, what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierProfile {
    /// The shop's code of the method (`nekopos`), as orders and items name it.
    pub code: ShippingMethodCode,
    /// The carrier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<CarrierCode>,
    /// The class of the method.
    #[serde(default)]
    pub class: ShippingClass,
    /// Longest side of the package, in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length_mm: Option<u32>,
    /// Second side, in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_width_mm: Option<u32>,
    /// Thickness, in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_thickness_mm: Option<u32>,
    /// Sum of the three sides, in millimetres (ゆうパケット: 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_three_sides_mm: Option<u32>,
    /// Weight of one package, in grams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weight_g: Option<u32>,
    /// Whether it collects cash on delivery.
    #[serde(default)]
    pub cod: bool,
    /// Whether it carries chilled and frozen goods (クール便).
    #[serde(default)]
    pub cool: bool,
    /// Whether it honours a delivery time slot.
    #[serde(default)]
    pub time_slot: bool,
    /// What the carrier charges the shop per package, for the `carrier` fee rule.
    #[serde(
        default,
        with = "amount_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub fee: Option<Amount>,
    /// The surcharge for a chilled or frozen package.
    #[serde(
        default,
        with = "amount_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cool_fee: Option<Amount>,
}

impl CarrierProfile {
    fn mail(code: &str, carrier: &str, l: u32, w: u32, t: u32, sides: Option<u32>) -> Self {
        CarrierProfile {
            code: code.into(),
            carrier: Some(carrier.into()),
            class: ShippingClass::MailPacket,
            max_length_mm: Some(l),
            max_width_mm: Some(w),
            max_thickness_mm: Some(t),
            max_three_sides_mm: sides,
            max_weight_g: Some(1000),
            cod: false,
            cool: false,
            time_slot: false,
            fee: None,
            cool_fee: None,
        }
    }
}

/// The mail-packet services ichigen knows without configuration; a profile the
/// shop gives with the same code replaces the built-in one.
///
/// | code | service | limits |
/// | --- | --- | --- |
/// | `nekopos` | ネコポス (Yamato) | 312 × 228 mm, 30 mm thick, 1 kg |
/// | `yu_packet` | ゆうパケット (Japan Post) | longest side 340 mm, three sides 600 mm, 30 mm thick, 1 kg |
/// | `click_post` | クリックポスト (Japan Post) | 340 × 250 mm, 30 mm thick, 1 kg |
/// | `dm_bin` | クロネコDM便 (Yamato) | 340 × 250 mm, 20 mm thick, 1 kg |
///
/// None of them collects cash on delivery, carries cool goods or honours a time
/// slot. Their fees depend on the shop's contract, so none is given.
///
/// ```
/// let profiles = ichigen_core::shipment::builtin_profiles();
/// assert_eq!(profiles[0].code.as_str(), "nekopos");
/// assert_eq!(profiles[0].max_thickness_mm, Some(30));
/// ```
pub fn builtin_profiles() -> Vec<CarrierProfile> {
    vec![
        CarrierProfile::mail("nekopos", "yamato", 312, 228, 30, None),
        CarrierProfile::mail("yu_packet", "japan_post", 340, 340, 30, Some(600)),
        CarrierProfile::mail("click_post", "japan_post", 340, 250, 30, None),
        CarrierProfile::mail("dm_bin", "yamato", 340, 250, 20, None),
    ]
}

/// Stock reserved for one order line at one location, in units of the line (the
/// stock book's reservations have this shape; `sku` is accepted and ignored).
/// Units of a line that no reservation covers are backordered, once any
/// reservation of that order is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    /// The order; may be left out when a single order is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderId>,
    /// Index of the line in the order.
    pub line: u32,
    /// Where the units are reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationId>,
    /// Units reserved.
    pub quantity: u32,
    /// Ignored (the stock book names the SKU it reserved).
    #[serde(default, skip_serializing)]
    pub sku: Option<String>,
}

impl Reservation {
    /// An order's reservations in units of its lines, from the stock book's
    /// (which count units of each SKU: a set line has one per component). Per line
    /// and location, the line units reserved there are the fewest whole sets its
    /// components make there; a component's units per line unit are what was
    /// reserved and what waits, over the line's quantity. Units a location cannot
    /// make whole stay backordered.
    ///
    /// ```
    /// use ichigen_core::shipment::Reservation;
    /// use ichigen_core::stock;
    /// let order = ichigen_core::sample::order(); // line 0: 2 × tea-set-a
    /// let r = |sku: &str, q| stock::Reservation {
    ///     order: "ord-0001".into(), line: 0, sku: sku.into(), location: "tokyo".into(), quantity: q,
    /// };
    /// // A set of 2 tea + 1 cup per unit: 4 tea and 1 cup reserved make one whole set.
    /// let waiting = [stock::Backorder { order: "ord-0001".into(), line: 0, sku: "CUP".into(), quantity: 1 }];
    /// let lines = Reservation::from_stock(&[r("TEA", 4), r("CUP", 1)], &waiting, &order);
    /// assert_eq!((lines[0].line, lines[0].quantity), (0, 1));
    /// ```
    pub fn from_stock(
        reserved: &[crate::stock::Reservation],
        backordered: &[crate::stock::Backorder],
        order: &crate::order::Order,
    ) -> Vec<Reservation> {
        let mut out = Vec::new();
        for (li, line) in order.lines.iter().enumerate() {
            let li = li as u32;
            let mine = |r: &&crate::stock::Reservation| r.order == order.id && r.line == li;
            let waits = |b: &&crate::stock::Backorder| b.order == order.id && b.line == li;
            // Units of each component per line unit.
            let mut skus: Vec<(&str, i64)> = Vec::new();
            for (sku, q) in reserved
                .iter()
                .filter(mine)
                .map(|r| (r.sku.as_str(), r.quantity))
                .chain(
                    backordered
                        .iter()
                        .filter(waits)
                        .map(|b| (b.sku.as_str(), b.quantity)),
                )
            {
                match skus.iter_mut().find(|s| s.0 == sku) {
                    Some(s) => s.1 += q,
                    None => skus.push((sku, q)),
                }
            }
            if skus.is_empty() || line.quantity == 0 {
                continue;
            }
            let mut locations: Vec<&LocationId> = Vec::new();
            for r in reserved.iter().filter(mine) {
                if !locations.contains(&&r.location) {
                    locations.push(&r.location);
                }
            }
            let mut left = line.quantity;
            for loc in locations {
                let whole = skus
                    .iter()
                    .map(|&(sku, need)| {
                        let per = (need / i64::from(line.quantity)).max(1);
                        let here: i64 = reserved
                            .iter()
                            .filter(mine)
                            .filter(|r| r.sku.as_str() == sku && &r.location == loc)
                            .map(|r| r.quantity)
                            .sum();
                        here / per
                    })
                    .min()
                    .unwrap_or(0)
                    .clamp(0, i64::from(left)) as u32;
                if whole > 0 {
                    out.push(Reservation {
                        order: Some(order.id.clone()),
                        line: li,
                        location: Some(loc.clone()),
                        quantity: whole,
                        sku: None,
                    });
                    left -= whole;
                }
            }
            if left == line.quantity && out.iter().all(|r| r.line != li) {
                // Nothing of the line is whole anywhere: it waits (an entry of 0
                // units says the order's stock is known).
                out.push(Reservation {
                    order: Some(order.id.clone()),
                    line: li,
                    location: None,
                    quantity: 0,
                    sku: None,
                });
            }
        }
        out
    }
}

/// Facts about an order that come from other steps, for merging.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderFacts {
    /// The ship date planned for it (the ship-date plan's), when not in its instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_date: Option<NaiveDate>,
    /// The location it ships from (its reservations').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationId>,
    /// The resolved customer (名寄せ), which then stands for the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Its personal data is masked or encrypted (Amazon): it never merges.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
}

fn default_keys() -> Vec<SplitKey> {
    vec![SplitKey::TemperatureZone, SplitKey::ShippingMethod]
}

fn default_packets() -> u32 {
    1
}

/// A shop's shipment policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentPolicy {
    /// The keys that split an order (default: temperature zone and shipping
    /// method, which no box can mix). An order's `instructions.split_by` (a rule's
    /// `request_split`) adds to them.
    #[serde(default = "default_keys")]
    pub split_by: Vec<SplitKey>,
    /// Package capacity, applied with the `capacity` key.
    #[serde(default)]
    pub capacity: Capacity,
    /// Where fees and discounts go.
    #[serde(default)]
    pub fees: FeePolicy,
    /// Item specs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemSpec>,
    /// Carrier profiles, added to (and replacing by code) [`builtin_profiles`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<CarrierProfile>,
    /// The profile that judges mail packets when the order's method is not a
    /// mail-packet profile (default `nekopos`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_profile: Option<ShippingMethodCode>,
    /// How many mail packets one order may use before it goes in a box instead.
    #[serde(default = "default_packets")]
    pub max_packets: u32,
    /// Merge candidates are merged without asking a person.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_merge: bool,
    /// Threads the merge-candidate search may use to normalize names and
    /// addresses (default: the machine's cores, at most 8; `1` for none). The
    /// result does not depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<u32>,
}

impl Default for ShipmentPolicy {
    fn default() -> Self {
        ShipmentPolicy {
            split_by: default_keys(),
            capacity: Capacity::default(),
            fees: FeePolicy::default(),
            items: Vec::new(),
            profiles: Vec::new(),
            mail_profile: None,
            max_packets: 1,
            auto_merge: false,
            threads: None,
        }
    }
}

type Index = hashbrown::HashMap<Box<str>, u32, foldhash::fast::FixedState>;

fn index() -> Index {
    Index::with_hasher(foldhash::fast::FixedState::with_seed(0x7368_6970))
}

/// A checked [`ShipmentPolicy`] with its lookups built: the object every shipment
/// operation runs on. Build it once and reuse it for a batch.
#[derive(Debug, Clone)]
pub struct Planner {
    pub(crate) policy: ShipmentPolicy,
    items: Index,
    pub(crate) profiles: Vec<CarrierProfile>,
    profile_index: Index,
    pub(crate) mail_profile: u32,
    /// Some item names its own shipping method (else a line's method is the order's).
    pub(crate) item_methods: bool,
}

impl Planner {
    /// Checks the policy and builds the planner.
    ///
    /// Errors (`SHIPMENT_INVALID`): `SHIPMENT_DUPLICATE_ITEM`,
    /// `SHIPMENT_DUPLICATE_PROFILE`, `SHIPMENT_CAPACITY_ZERO`,
    /// `SHIPMENT_MAX_PACKETS_ZERO`, `SHIPMENT_UNKNOWN_PROFILE` (the mail profile),
    /// `SHIPMENT_NOT_MAIL_PROFILE`, `SHIPMENT_FEE_RULE` (`carrier` for a discount),
    /// each at its path below `$`.
    pub fn new(policy: ShipmentPolicy) -> Result<Planner, Error> {
        let mut issues = Vec::new();
        let mut items = index();
        for (i, item) in policy.items.iter().enumerate() {
            if items.insert(item.sku.as_str().into(), i as u32).is_some() {
                issues.push(Issue::new(
                    "SHIPMENT_DUPLICATE_ITEM",
                    format!("$.items[{i}].sku"),
                    "the SKU is already described by an earlier item",
                ));
            }
        }
        let mut profiles = builtin_profiles();
        let mut profile_index = index();
        for (i, p) in profiles.iter().enumerate() {
            profile_index.insert(p.code.as_str().into(), i as u32);
        }
        let builtin = profiles.len();
        for (i, p) in policy.profiles.iter().enumerate() {
            match profile_index.get(p.code.as_str()).copied() {
                Some(at) if (at as usize) < builtin => profiles[at as usize] = p.clone(),
                Some(_) => issues.push(Issue::new(
                    "SHIPMENT_DUPLICATE_PROFILE",
                    format!("$.profiles[{i}].code"),
                    "the code is already used by an earlier profile",
                )),
                None => {
                    profile_index.insert(p.code.as_str().into(), profiles.len() as u32);
                    profiles.push(p.clone());
                }
            }
        }
        if policy.capacity.max_units == Some(0) {
            issues.push(Issue::new(
                "SHIPMENT_CAPACITY_ZERO",
                "$.capacity.max_units",
                "a package must hold at least one unit",
            ));
        }
        if policy.capacity.max_weight_g == Some(0) {
            issues.push(Issue::new(
                "SHIPMENT_CAPACITY_ZERO",
                "$.capacity.max_weight_g",
                "a package must hold more than 0 g",
            ));
        }
        if policy.threads == Some(0) {
            issues.push(Issue::new(
                "SHIPMENT_THREADS_ZERO",
                "$.threads",
                "at least one thread is needed",
            ));
        }
        if policy.max_packets == 0 {
            issues.push(Issue::new(
                "SHIPMENT_MAX_PACKETS_ZERO",
                "$.max_packets",
                "at least one packet must be allowed",
            ));
        }
        for (field, rule) in [
            ("coupon", policy.fees.coupon),
            ("points", policy.fees.points),
        ] {
            if rule == FeeRule::Carrier {
                issues.push(Issue::new(
                    "SHIPMENT_FEE_RULE",
                    format!("$.fees.{field}"),
                    "a discount goes first or proportional; carrier applies to fees only",
                ));
            }
        }
        let mail_code = policy
            .mail_profile
            .as_ref()
            .map(|c| c.as_str())
            .unwrap_or("nekopos");
        let mail_profile = match profile_index.get(mail_code) {
            Some(&i) if profiles[i as usize].class == ShippingClass::MailPacket => i,
            Some(&i) => {
                issues.push(Issue::new(
                    "SHIPMENT_NOT_MAIL_PROFILE",
                    "$.mail_profile",
                    "the profile named is not of the mail_packet class",
                ));
                i
            }
            None => {
                issues.push(Issue::new(
                    "SHIPMENT_UNKNOWN_PROFILE",
                    "$.mail_profile",
                    "no built-in or given profile has this code",
                ));
                0
            }
        };
        if !issues.is_empty() {
            return Err(Error::InvalidShipment(issues));
        }
        let item_methods = policy.items.iter().any(|i| i.shipping_method.is_some());
        Ok(Planner {
            item_methods,
            policy,
            items,
            profiles,
            profile_index,
            mail_profile,
        })
    }

    /// The policy the planner was built from.
    pub fn policy(&self) -> &ShipmentPolicy {
        &self.policy
    }

    /// The item spec of a line: by its SKU, else by its listing code.
    pub fn item(&self, line: &OrderLine) -> Option<&ItemSpec> {
        let key = match &line.sku {
            Some(s) => s.as_str(),
            None => line.listing_code.as_str(),
        };
        self.items.get(key).map(|&i| &self.policy.items[i as usize])
    }

    /// The profile with this code, built-in or given.
    pub fn profile(&self, code: &str) -> Option<&CarrierProfile> {
        self.profile_index
            .get(code)
            .map(|&i| &self.profiles[i as usize])
    }

    /// Every profile: the built-in ones (as replaced) then the shop's.
    pub fn profiles(&self) -> &[CarrierProfile] {
        &self.profiles
    }

    pub(crate) fn refuse(code: &str, path: impl Into<String>, message: &str) -> Error {
        invalid(code, path, message)
    }
}

//! Splitting orders into shipments, packing them into packages, and sharing out
//! the money.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::allocate::{cap_and_spill, from_minor, largest_remainder, minor};
use super::policy::{FeeRule, Planner, Reservation};
use crate::error::{Error, Issue};
use crate::ids::{LocationId, OrderId, ShippingMethodCode};
use crate::money::{Amount, Currency, amount_serde};
use crate::order::{Order, ShippingClass, SplitKey, TemperatureZone};
use crate::validate::{TaxLine, Totals, compute_totals};

/// Whether a shipment's units are reserved or wait for stock (引当済 / 引当待ち).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    /// Reserved: can ship.
    Reserved,
    /// Backordered: waits for stock.
    Backordered,
}

/// Which package of its group a shipment is (`1 of 3`, counted from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// 1-based number of the package.
    pub number: u32,
    /// Packages in the group.
    pub of: u32,
}

/// Units of one order line in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    /// Index of the order in [`ShipmentPlan::orders`].
    pub order: u32,
    /// Index of the line in that order.
    pub line: u32,
    /// Units in this shipment.
    pub quantity: u32,
    /// quantity × unit price.
    #[serde(with = "amount_serde")]
    pub amount: Amount,
}

/// The money of a shipment (or of one order's part of it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShipmentMoney {
    /// Σ line amounts, as priced.
    #[serde(with = "amount_serde")]
    pub merchandise: Amount,
    /// Shipping fee.
    #[serde(with = "amount_serde")]
    pub shipping_fee: Amount,
    /// COD fee.
    #[serde(with = "amount_serde")]
    pub cod_fee: Amount,
    /// Coupon discount.
    #[serde(with = "amount_serde")]
    pub coupon: Amount,
    /// Points used.
    #[serde(with = "amount_serde")]
    pub points: Amount,
    /// Tax added on top (exclusive pricing).
    #[serde(with = "amount_serde")]
    pub tax_added: Amount,
    /// What the buyer pays for this shipment (the amount to collect on COD).
    #[serde(with = "amount_serde")]
    pub total: Amount,
    /// Taxable amount and tax per rate, ascending by rate.
    pub tax: Vec<TaxLine>,
}

impl ShipmentMoney {
    fn from_totals(t: Totals, coupon: Amount, points: Amount) -> ShipmentMoney {
        ShipmentMoney {
            merchandise: t.merchandise,
            shipping_fee: t.shipping_fee,
            cod_fee: t.cod_fee,
            coupon,
            points,
            tax_added: t.tax_added,
            total: t.total,
            tax: t.tax,
        }
    }

    /// Adds another money into this one, rate by rate.
    pub fn add(&mut self, other: &ShipmentMoney) {
        self.merchandise += other.merchandise;
        self.shipping_fee += other.shipping_fee;
        self.cod_fee += other.cod_fee;
        self.coupon += other.coupon;
        self.points += other.points;
        self.tax_added += other.tax_added;
        self.total += other.total;
        for t in &other.tax {
            match self
                .tax
                .iter_mut()
                .find(|x| x.rate.normalize() == t.rate.normalize())
            {
                Some(x) => {
                    x.taxable += t.taxable;
                    x.tax += t.tax;
                }
                None => self.tax.push(t.clone()),
            }
        }
        self.tax.sort_by_key(|t| t.rate);
    }
}

/// One order's part of a shipment that holds several orders (a merge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentPart {
    /// Index of the order in [`ShipmentPlan::orders`].
    pub order: u32,
    /// That order's money in this shipment.
    pub money: ShipmentMoney,
}

/// One box (or envelope) that leaves the warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// The units it holds.
    pub lines: Vec<ShipmentLine>,
    /// Its temperature zone (the lines' zone when the key splits by it, else the
    /// coldest of its lines).
    pub temperature: TemperatureZone,
    /// Its shipping method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<ShippingMethodCode>,
    /// The class of that method.
    pub shipping_class: ShippingClass,
    /// Reserved or backordered, when the `stock` key splits and stock was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockState>,
    /// Release date of its pre-order lines, when the `release_date` key splits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_date: Option<NaiveDate>,
    /// Where it ships from, when the `location` key splits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationId>,
    /// Index of the recipient in its orders.
    pub recipient: u32,
    /// Which package of its group it is.
    pub package: Package,
    /// The keys that made this order more than one shipment, for this shipment:
    /// each key on which the shipments' values differ, and `capacity` when its
    /// group needed several packages.
    pub caused_by: Vec<SplitKey>,
    /// A single unit in it is over the package's capacity on its own.
    pub over_capacity: bool,
    /// Its money.
    pub money: ShipmentMoney,
    /// Per order, when the plan holds several orders (a merge); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<ShipmentPart>,
}

/// The shipments of one order, or of several merged orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentPlan {
    /// The orders, in the order given (the merge parent first).
    pub orders: Vec<OrderId>,
    /// The currency of every amount.
    pub currency: Currency,
    /// The shipments, the first one first: reserved before backordered, earlier
    /// release dates first, then by temperature zone, recipient, location and
    /// method in the order they appear.
    pub shipments: Vec<Shipment>,
}

impl ShipmentPlan {
    /// Σ of the shipments' money.
    pub fn total(&self) -> ShipmentMoney {
        let mut m = ShipmentMoney::default();
        for s in &self.shipments {
            m.add(&s.money);
        }
        m
    }
}

/// A checked reservation: (order, line, location, quantity).
type Held<'a> = (u32, u32, Option<&'a LocationId>, u32);

/// The value of each split key for a group of units, in shipment order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey {
    stock: u8,
    release: Option<NaiveDate>,
    temperature: TemperatureZone,
    recipient: u32,
    location: u32,
    method: u32,
}

#[derive(Debug, Clone, Copy)]
struct Piece {
    order: u32,
    line: u32,
    quantity: u32,
}

const NONE: u32 = u32::MAX;

/// The most packages one group may be packed into.
pub(crate) const MAX_PACKAGES: usize = 10_000;

struct Group {
    key: GroupKey,
    pieces: Vec<Piece>,
    coldest: TemperatureZone,
    method: u32,
    class: ShippingClass,
}

#[derive(Default)]
struct Keys {
    temperature: bool,
    method: bool,
    stock: bool,
    release: bool,
    location: bool,
    capacity: bool,
}

impl Keys {
    fn add(&mut self, k: SplitKey) {
        match k {
            SplitKey::TemperatureZone => self.temperature = true,
            SplitKey::ShippingMethod => self.method = true,
            SplitKey::Stock => self.stock = true,
            SplitKey::ReleaseDate => self.release = true,
            SplitKey::Location => self.location = true,
            SplitKey::Capacity => self.capacity = true,
            SplitKey::Recipient => {}
        }
    }
}

impl Planner {
    /// Splits one order into shipments. `stock` holds its reservations (may be
    /// empty: then nothing is split by stock or location).
    ///
    /// Errors: `SHIPMENT_INVALID` with `SHIPMENT_RESERVATION_LINE` (a line the
    /// order does not have), `SHIPMENT_RESERVATION_EXCEEDS` (more reserved than
    /// ordered), `SHIPMENT_RESERVATION_ORDER` (another order's reservation),
    /// `SHIPMENT_CARRIER_FEE_MISSING` (the `carrier` rule without a profile fee).
    pub fn split(&self, order: &Order, stock: &[Reservation]) -> Result<ShipmentPlan, Error> {
        self.plan(&[order], stock)
    }

    /// Plans the shipments of several orders that ship together (a merge; see
    /// [`Planner::merge`], which checks first that they may). Each order's money
    /// is shared over the shipments that hold its lines, and the shipments' money
    /// is the sum of the orders' parts.
    pub fn plan(&self, orders: &[&Order], stock: &[Reservation]) -> Result<ShipmentPlan, Error> {
        let Some(first) = orders.first() else {
            return Err(Planner::refuse(
                "SHIPMENT_NO_ORDERS",
                "$.orders",
                "at least one order is needed",
            ));
        };
        let currency = first.currency;
        let mut keys = Keys::default();
        for &k in &self.policy.split_by {
            keys.add(k);
        }
        for (i, o) in orders.iter().enumerate() {
            for &k in &o.instructions.split_by {
                keys.add(k);
            }
            if o.currency != currency {
                return Err(Planner::refuse(
                    "SHIPMENT_CURRENCY_MISMATCH",
                    format!("$.orders[{i}].currency"),
                    "orders planned together must share a currency",
                ));
            }
        }
        if orders.len() == 1 && !keys.capacity && stock.is_empty() {
            if let Some(plan) = self.single(orders[0], &keys) {
                return Ok(plan);
            }
        }
        let reserved = self.reservations(orders, stock)?;

        let mut locations: Vec<&LocationId> = Vec::new();
        let mut methods: Vec<Option<&ShippingMethodCode>> = Vec::new();
        let mut groups: Vec<Group> = Vec::with_capacity(2);
        for (oi, order) in orders.iter().enumerate() {
            let has_stock = reserved.iter().any(|r| r.0 == oi as u32);
            for (li, line) in order.lines.iter().enumerate() {
                let item = if self.item_methods {
                    self.item(line)
                } else {
                    None
                };
                let (method, class) = match item.and_then(|i| i.shipping_method.as_ref()) {
                    Some(m) => (
                        Some(m),
                        item.and_then(|i| i.shipping_class)
                            .unwrap_or(ShippingClass::Parcel),
                    ),
                    None => (order.shipping.method.as_ref(), order.shipping.class),
                };
                let method_ix = match methods.iter().position(|m| *m == method) {
                    Some(p) => p as u32,
                    None => {
                        methods.push(method);
                        (methods.len() - 1) as u32
                    }
                };
                let mut key = GroupKey {
                    stock: 1,
                    release: if keys.release {
                        line.release_date
                    } else {
                        None
                    },
                    temperature: if keys.temperature {
                        line.temperature
                    } else {
                        TemperatureZone::Ambient
                    },
                    recipient: line.recipient,
                    location: NONE,
                    method: if keys.method { method_ix } else { 0 },
                };
                let mut left = line.quantity;
                if has_stock && (keys.stock || keys.location) {
                    for r in reserved
                        .iter()
                        .filter(|r| r.0 == oi as u32 && r.1 == li as u32)
                    {
                        let q = r.3.min(left);
                        if q == 0 {
                            continue;
                        }
                        left -= q;
                        let mut k = key;
                        if keys.stock {
                            k.stock = 0;
                        }
                        if keys.location {
                            k.location = match r.2 {
                                Some(loc) => match locations.iter().position(|l| *l == loc) {
                                    Some(p) => p as u32,
                                    None => {
                                        locations.push(loc);
                                        (locations.len() - 1) as u32
                                    }
                                },
                                None => NONE,
                            };
                        }
                        push_piece(
                            &mut groups,
                            k,
                            oi,
                            li,
                            q,
                            line.temperature,
                            method_ix,
                            class,
                        );
                    }
                    if keys.stock {
                        key.stock = 2;
                    }
                }
                if left > 0 {
                    push_piece(
                        &mut groups,
                        key,
                        oi,
                        li,
                        left,
                        line.temperature,
                        method_ix,
                        class,
                    );
                }
            }
        }
        if groups.len() > 1 {
            groups.sort_by_key(|g| g.key);
        }

        // Which keys have more than one value among the groups.
        let mut caused: Vec<SplitKey> = Vec::new();
        if groups.len() > 1 {
            let g0 = &groups[0].key;
            let differs = |f: &dyn Fn(&GroupKey) -> bool| groups.iter().any(|g| f(&g.key));
            if differs(&|k| k.temperature != g0.temperature) {
                caused.push(SplitKey::TemperatureZone);
            }
            if differs(&|k| k.method != g0.method) {
                caused.push(SplitKey::ShippingMethod);
            }
            if differs(&|k| k.stock != g0.stock) {
                caused.push(SplitKey::Stock);
            }
            if differs(&|k| k.release != g0.release) {
                caused.push(SplitKey::ReleaseDate);
            }
            if differs(&|k| k.location != g0.location) {
                caused.push(SplitKey::Location);
            }
            if differs(&|k| k.recipient != g0.recipient) {
                caused.push(SplitKey::Recipient);
            }
        }

        let mut shipments = Vec::with_capacity(groups.len());
        for g in &groups {
            let packages = if keys.capacity {
                self.pack(orders, g)?
            } else {
                vec![(g.pieces.clone(), false)]
            };
            let of = packages.len() as u32;
            for (n, (pieces, over)) in packages.into_iter().enumerate() {
                let mut caused_by = caused.clone();
                if of > 1 {
                    caused_by.push(SplitKey::Capacity);
                }
                let lines: Vec<ShipmentLine> = pieces
                    .iter()
                    .map(|p| {
                        let line = &orders[p.order as usize].lines[p.line as usize];
                        ShipmentLine {
                            order: p.order,
                            line: p.line,
                            quantity: p.quantity,
                            amount: line.unit_price * Decimal::from(p.quantity),
                        }
                    })
                    .collect();
                let method = methods[g.method as usize].cloned();
                shipments.push(Shipment {
                    lines,
                    temperature: if keys.temperature {
                        g.key.temperature
                    } else {
                        g.coldest
                    },
                    shipping_method: method,
                    shipping_class: g.class,
                    stock: match g.key.stock {
                        0 => Some(StockState::Reserved),
                        2 => Some(StockState::Backordered),
                        _ => None,
                    },
                    release_date: g.key.release,
                    location: (g.key.location != NONE)
                        .then(|| locations[g.key.location as usize].clone()),
                    recipient: g.key.recipient,
                    package: Package {
                        number: n as u32 + 1,
                        of,
                    },
                    caused_by,
                    over_capacity: over,
                    money: ShipmentMoney::default(),
                    parts: Vec::new(),
                });
            }
        }
        self.share_money(orders, &mut shipments)?;
        Ok(ShipmentPlan {
            orders: orders.iter().map(|o| o.id.clone()).collect(),
            currency,
            shipments,
        })
    }

    /// The plan of an order whose lines all share one key: one shipment carrying
    /// the order's own money, built without grouping. `None` when the lines differ.
    fn single(&self, order: &Order, keys: &Keys) -> Option<ShipmentPlan> {
        let method_of = |line: &crate::order::OrderLine| {
            let item = if self.item_methods {
                self.item(line)
            } else {
                None
            };
            match item.and_then(|i| i.shipping_method.as_ref()) {
                Some(m) => (
                    Some(m),
                    item.and_then(|i| i.shipping_class)
                        .unwrap_or(ShippingClass::Parcel),
                ),
                None => (order.shipping.method.as_ref(), order.shipping.class),
            }
        };
        let first = order.lines.first()?;
        let (method, class) = method_of(first);
        let mut coldest = first.temperature;
        for line in &order.lines[1..] {
            if line.recipient != first.recipient
                || (keys.temperature && line.temperature != first.temperature)
                || (keys.release && line.release_date != first.release_date)
                || (keys.method && method_of(line).0 != method)
            {
                return None;
            }
            coldest = coldest.max(line.temperature);
        }
        let totals = compute_totals(order);
        let lines = order
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| ShipmentLine {
                order: 0,
                line: i as u32,
                quantity: l.quantity,
                amount: l.amount(),
            })
            .collect();
        Some(ShipmentPlan {
            orders: vec![order.id.clone()],
            currency: order.currency,
            shipments: vec![Shipment {
                lines,
                temperature: coldest,
                shipping_method: method.cloned(),
                shipping_class: class,
                stock: None,
                release_date: if keys.release {
                    first.release_date
                } else {
                    None
                },
                location: None,
                recipient: first.recipient,
                package: Package { number: 1, of: 1 },
                caused_by: Vec::new(),
                over_capacity: false,
                money: ShipmentMoney::from_totals(
                    totals,
                    order.discounts.coupon,
                    order.discounts.points,
                ),
                parts: Vec::new(),
            }],
        })
    }

    /// The reservations as (order, line, location, quantity), checked.
    fn reservations<'a>(
        &self,
        orders: &[&Order],
        stock: &'a [Reservation],
    ) -> Result<Vec<Held<'a>>, Error> {
        let mut out = Vec::with_capacity(stock.len());
        let mut issues = Vec::new();
        for (i, r) in stock.iter().enumerate() {
            let oi = match &r.order {
                Some(id) => orders.iter().position(|o| &o.id == id),
                None if orders.len() == 1 => Some(0),
                None => None,
            };
            let Some(oi) = oi else {
                issues.push(Issue::new(
                    "SHIPMENT_RESERVATION_ORDER",
                    format!("$.stock[{i}].order"),
                    "the reservation names none of the orders planned (name the order when several are)",
                ));
                continue;
            };
            if r.line as usize >= orders[oi].lines.len() {
                issues.push(Issue::new(
                    "SHIPMENT_RESERVATION_LINE",
                    format!("$.stock[{i}].line"),
                    "the order has no line with this index",
                ));
                continue;
            }
            out.push((oi as u32, r.line, r.location.as_ref(), r.quantity));
        }
        // More reserved than ordered on a line.
        for (i, r) in out.iter().enumerate() {
            if out[..i].iter().any(|x| x.0 == r.0 && x.1 == r.1) {
                continue;
            }
            let sum: u64 = out
                .iter()
                .filter(|x| x.0 == r.0 && x.1 == r.1)
                .map(|x| x.3 as u64)
                .sum();
            if sum > orders[r.0 as usize].lines[r.1 as usize].quantity as u64 {
                let at = stock.iter().rposition(|s| s.line == r.1).unwrap_or(0);
                issues.push(Issue::new(
                    "SHIPMENT_RESERVATION_EXCEEDS",
                    format!("$.stock[{at}].quantity"),
                    "more units are reserved for the line than it orders",
                ));
            }
        }
        if issues.is_empty() {
            Ok(out)
        } else {
            Err(Error::InvalidShipment(issues))
        }
    }

    /// Packs a group into packages: first-fit by decreasing size (mail fraction,
    /// then weight), a line split by quantity over packages as needed.
    #[allow(clippy::type_complexity)]
    fn pack(&self, orders: &[&Order], g: &Group) -> Result<Vec<(Vec<Piece>, bool)>, Error> {
        let cap = self.policy.capacity;
        let mail = g.class == ShippingClass::MailPacket;
        let profile = if mail {
            let code = g_method(orders, g, self);
            match code.and_then(|c| self.profile(c)) {
                Some(p) if p.class == ShippingClass::MailPacket => Some(p),
                _ => Some(&self.profiles[self.mail_profile as usize]),
            }
        } else {
            None
        };
        let max_units = cap.max_units.map(u64::from);
        let max_weight = match (cap.max_weight_g, profile.and_then(|p| p.max_weight_g)) {
            (Some(a), Some(b)) => Some(a.min(b) as u64),
            (a, b) => a.or(b).map(u64::from),
        };
        // Mail fractions on a common denominator.
        let mut scale: u64 = 1;
        let mut sizes = Vec::with_capacity(g.pieces.len());
        for p in &g.pieces {
            let line = &orders[p.order as usize].lines[p.line as usize];
            let item = self.item(line);
            let weight = item.and_then(|i| i.weight_g).unwrap_or(0) as u64;
            let frac = if mail {
                Some(
                    item.and_then(|i| i.mail_fraction)
                        .map(|f| (f.num() as u64, f.den() as u64))
                        .unwrap_or((1, 1)),
                )
            } else {
                None
            };
            if let Some((n, d)) = frac {
                if n > 0 {
                    scale = lcm(scale, d).ok_or_else(|| {
                        Planner::refuse(
                            "SHIPMENT_FRACTIONS_TOO_FINE",
                            "$.items",
                            "the mail fractions of one package have no common denominator below 2^63",
                        )
                    })?;
                }
            }
            sizes.push((weight, frac));
        }
        let mut units: Vec<(usize, u64, u64)> = sizes
            .iter()
            .enumerate()
            .map(|(i, &(w, f))| {
                let fu = match f {
                    Some((n, d)) if n > 0 => n.saturating_mul(scale / d),
                    _ => 0,
                };
                (i, w, fu)
            })
            .collect();
        if mail || max_weight.is_some() {
            units.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
        }
        let frac_cap = if mail { Some(scale) } else { None };
        struct Pkg {
            units: u64,
            weight: u64,
            frac: u64,
            pieces: Vec<Piece>,
            over: bool,
        }
        let fits = |pk: &Pkg, w: u64, f: u64| -> u64 {
            let mut n = u64::MAX;
            if let Some(m) = max_units {
                n = n.min(m.saturating_sub(pk.units));
            }
            if let (Some(m), true) = (max_weight, w > 0) {
                n = n.min(m.saturating_sub(pk.weight) / w);
            }
            if let (Some(m), true) = (frac_cap, f > 0) {
                n = n.min(m.saturating_sub(pk.frac) / f);
            }
            n
        };
        let mut pkgs: Vec<Pkg> = Vec::new();
        for &(i, w, f) in &units {
            let piece = g.pieces[i];
            let mut left = piece.quantity as u64;
            let put = |pk: &mut Pkg, n: u64| {
                pk.units += n;
                pk.weight = pk.weight.saturating_add(w.saturating_mul(n));
                pk.frac = pk.frac.saturating_add(f.saturating_mul(n));
                match pk
                    .pieces
                    .iter_mut()
                    .find(|p| p.order == piece.order && p.line == piece.line)
                {
                    Some(p) => p.quantity += n as u32,
                    None => pk.pieces.push(Piece {
                        quantity: n as u32,
                        ..piece
                    }),
                }
            };
            // A package holding a unit over capacity on its own takes nothing more.
            for pk in pkgs.iter_mut().filter(|p| !p.over) {
                if left == 0 {
                    break;
                }
                let n = fits(pk, w, f).min(left);
                if n > 0 {
                    put(pk, n);
                    left -= n;
                }
            }
            while left > 0 {
                if pkgs.len() >= MAX_PACKAGES {
                    return Err(Planner::refuse(
                        "SHIPMENT_TOO_MANY_PACKAGES",
                        "$.capacity",
                        "the order would need more than 10000 packages; check the capacity and the quantities",
                    ));
                }
                let mut pk = Pkg {
                    units: 0,
                    weight: 0,
                    frac: 0,
                    pieces: Vec::new(),
                    over: false,
                };
                let n = fits(&pk, w, f).min(left);
                if n == 0 {
                    // One unit is over the capacity on its own: it goes alone.
                    put(&mut pk, 1);
                    pk.over = true;
                    left -= 1;
                } else {
                    put(&mut pk, n);
                    left -= n;
                }
                pkgs.push(pk);
            }
        }
        // Lines in line order within each package.
        Ok(pkgs
            .into_iter()
            .map(|mut p| {
                p.pieces.sort_by_key(|x| (x.order, x.line));
                (p.pieces, p.over)
            })
            .collect())
    }

    fn share_money(&self, orders: &[&Order], shipments: &mut [Shipment]) -> Result<(), Error> {
        let multi = orders.len() > 1;
        for (oi, order) in orders.iter().enumerate() {
            let oi = oi as u32;
            let totals = compute_totals(order);
            let mine: Vec<usize> = shipments
                .iter()
                .enumerate()
                .filter(|(_, s)| s.lines.iter().any(|l| l.order == oi))
                .map(|(i, _)| i)
                .collect();
            let parts: Vec<ShipmentMoney> = if mine.len() == 1 {
                vec![ShipmentMoney::from_totals(
                    totals,
                    order.discounts.coupon,
                    order.discounts.points,
                )]
            } else {
                self.allocate(order, &totals, oi, &mine, shipments)?
            };
            for (&si, money) in mine.iter().zip(parts) {
                let s = &mut shipments[si];
                if multi {
                    s.money.add(&money);
                    s.parts.push(ShipmentPart { order: oi, money });
                } else {
                    s.money = money;
                }
            }
        }
        Ok(())
    }

    /// One order's money over the shipments `mine` (in shipment order).
    fn allocate(
        &self,
        order: &Order,
        totals: &Totals,
        oi: u32,
        mine: &[usize],
        shipments: &[Shipment],
    ) -> Result<Vec<ShipmentMoney>, Error> {
        let d = order.currency.minor_units();
        let n = mine.len();
        let merch: Vec<i128> = mine
            .iter()
            .map(|&si| {
                shipments[si]
                    .lines
                    .iter()
                    .filter(|l| l.order == oi)
                    .map(|l| minor(l.amount, d))
                    .sum()
            })
            .collect();
        let carrier_weights = || -> Result<Vec<i128>, Error> {
            mine.iter()
                .map(|&si| {
                    let s = &shipments[si];
                    let p = s
                        .shipping_method
                        .as_ref()
                        .or(order.shipping.method.as_ref())
                        .and_then(|m| self.profile(m.as_str()));
                    let fee = p.and_then(|p| p.fee).ok_or_else(|| {
                        Planner::refuse(
                            "SHIPMENT_CARRIER_FEE_MISSING",
                            "$.profiles",
                            "the carrier rule needs a profile with a fee for every shipment's method",
                        )
                    })?;
                    let cool = if s.temperature == TemperatureZone::Ambient {
                        Decimal::ZERO
                    } else {
                        p.and_then(|p| p.cool_fee).unwrap_or_default()
                    };
                    Ok(minor(fee + cool, d))
                })
                .collect()
        };
        let share = |amount: Amount, rule: FeeRule| -> Result<Vec<i128>, Error> {
            let total = minor(amount, d);
            Ok(match rule {
                FeeRule::First => {
                    let mut v = vec![0; n];
                    v[0] = total;
                    v
                }
                FeeRule::Proportional => largest_remainder(total, &merch),
                FeeRule::Carrier => {
                    if total == 0 {
                        vec![0; n]
                    } else {
                        largest_remainder(total, &carrier_weights()?)
                    }
                }
            })
        };
        let fees = &self.policy.fees;
        let ship = share(order.shipping_fee, fees.shipping_fee)?;
        let cod = share(order.cod_fee, fees.cod_fee)?;

        // Tax: the order's tax per rate, shared by each shipment's taxable amount
        // at that rate.
        let fee_rate = order.pricing.fee_tax_rate.normalize();
        let mut taxes: Vec<Vec<TaxLine>> = vec![Vec::with_capacity(totals.tax.len()); n];
        let mut added = vec![0i128; n];
        let exclusive = order.pricing.tax_mode == crate::order::TaxMode::Exclusive;
        for t in &totals.tax {
            let rate = t.rate.normalize();
            let taxable: Vec<i128> = mine
                .iter()
                .enumerate()
                .map(|(k, &si)| {
                    let lines: i128 = shipments[si]
                        .lines
                        .iter()
                        .filter(|l| {
                            l.order == oi
                                && order.lines[l.line as usize].tax_rate.normalize() == rate
                        })
                        .map(|l| minor(l.amount, d))
                        .sum();
                    lines
                        + if rate == fee_rate {
                            ship[k] + cod[k]
                        } else {
                            0
                        }
                })
                .collect();
            let tax = largest_remainder(minor(t.tax, d), &taxable);
            for k in 0..n {
                if taxable[k] != 0 || tax[k] != 0 {
                    taxes[k].push(TaxLine {
                        rate: t.rate,
                        taxable: from_minor(taxable[k], d),
                        tax: from_minor(tax[k], d),
                    });
                }
                if exclusive {
                    added[k] += tax[k];
                }
            }
        }

        // Discounts: by their rule, then capped at what each shipment is worth.
        let gross: Vec<i128> = (0..n)
            .map(|k| merch[k] + ship[k] + cod[k] + added[k])
            .collect();
        let mut coupon = share(order.discounts.coupon, fees.coupon)?;
        cap_and_spill(&mut coupon, &gross);
        let room: Vec<i128> = (0..n).map(|k| gross[k] - coupon[k]).collect();
        let mut points = share(order.discounts.points, fees.points)?;
        cap_and_spill(&mut points, &room);

        Ok((0..n)
            .zip(taxes)
            .map(|(k, tax)| ShipmentMoney {
                merchandise: from_minor(merch[k], d),
                shipping_fee: from_minor(ship[k], d),
                cod_fee: from_minor(cod[k], d),
                coupon: from_minor(coupon[k], d),
                points: from_minor(points[k], d),
                tax_added: from_minor(added[k], d),
                total: from_minor(gross[k] - coupon[k] - points[k], d),
                tax,
            })
            .collect())
    }
}

fn g_method<'a>(orders: &[&'a Order], g: &Group, planner: &'a Planner) -> Option<&'a str> {
    let p = g.pieces.first()?;
    let order = orders[p.order as usize];
    let line = &order.lines[p.line as usize];
    match planner.item(line).and_then(|i| i.shipping_method.as_ref()) {
        Some(m) => Some(m.as_str()),
        None => order.shipping.method.as_ref().map(|m| m.as_str()),
    }
}

#[allow(clippy::too_many_arguments)]
fn push_piece(
    groups: &mut Vec<Group>,
    key: GroupKey,
    order: usize,
    line: usize,
    quantity: u32,
    temperature: TemperatureZone,
    method: u32,
    class: ShippingClass,
) {
    let piece = Piece {
        order: order as u32,
        line: line as u32,
        quantity,
    };
    match groups.iter_mut().find(|g| g.key == key) {
        Some(g) => {
            g.pieces.push(piece);
            g.coldest = g.coldest.max(temperature);
        }
        None => groups.push(Group {
            key,
            pieces: vec![piece],
            coldest: temperature,
            method,
            class,
        }),
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn lcm(a: u64, b: u64) -> Option<u64> {
    let v = (a / gcd(a, b)).checked_mul(b)?;
    (v < 1 << 63).then_some(v)
}

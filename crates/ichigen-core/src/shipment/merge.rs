//! Merging orders into one shipment (同梱).

use chrono::NaiveDate;
use serde::Serialize;

use super::policy::{OrderFacts, Planner, Reservation};
use super::split::{ShipmentMoney, ShipmentPlan};
use crate::error::{Error, Issue};
use crate::identity::normalize;
use crate::lifecycle::Phase;
use crate::order::{Channel, Order, PaymentMethod, ShippingClass, TimeSlot};
use crate::text::fold;
use crate::validate::grand_total;

/// What must be equal for two orders to ship together, after normalization.
///
/// `Debug` shows no personal data: the buyer and recipient parts are redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MergeKey {
    store: String,
    location: Option<String>,
    buyer: String,
    recipient_name: String,
    recipient_address: String,
    shipping_method: Option<String>,
    shipping_class: ShippingClass,
    ship_date: Option<NaiveDate>,
    delivery_date: Option<NaiveDate>,
    time_slot: Option<TimeSlot>,
    temperature: u8,
    gift: String,
    payment: PaymentMethod,
}

impl std::fmt::Debug for MergeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergeKey")
            .field("store", &self.store)
            .field("location", &self.location)
            .field("buyer", &"<redacted>")
            .field("recipient_name", &"<redacted>")
            .field("recipient_address", &"<redacted>")
            .field("shipping_method", &self.shipping_method)
            .field("ship_date", &self.ship_date)
            .field("delivery_date", &self.delivery_date)
            .field("time_slot", &self.time_slot)
            .field("temperature", &self.temperature)
            .field("gift", &"<redacted>")
            .field("payment", &self.payment)
            .finish()
    }
}

/// The parts of a [`MergeKey`], by the name a refusal gives them, with the JSON
/// path (below the order) of the field each comes from.
pub(crate) const KEY_PARTS: [(&str, &str); 12] = [
    ("store", "store"),
    ("location", "location"),
    ("buyer", "buyer"),
    ("recipient_name", "recipients[0].name"),
    ("recipient_address", "recipients[0]"),
    ("shipping_method", "shipping.method"),
    ("ship_date", "instructions.ship_date"),
    ("delivery_date", "shipping.desired_date"),
    ("time_slot", "shipping.time_slot"),
    ("temperature_zone", "lines"),
    ("gift_options", "gift"),
    ("payment_method", "payment.method"),
];

impl MergeKey {
    /// The names of the parts in which two keys differ, in [`KEY_PARTS`] order.
    pub fn differences(&self, other: &MergeKey) -> Vec<&'static str> {
        let same = [
            self.store == other.store,
            self.location == other.location,
            self.buyer == other.buyer,
            self.recipient_name == other.recipient_name,
            self.recipient_address == other.recipient_address,
            self.shipping_method == other.shipping_method
                && self.shipping_class == other.shipping_class,
            self.ship_date == other.ship_date,
            self.delivery_date == other.delivery_date,
            self.time_slot == other.time_slot,
            self.temperature == other.temperature,
            self.gift == other.gift,
            self.payment == other.payment,
        ];
        KEY_PARTS
            .iter()
            .zip(same)
            .filter(|(_, s)| !s)
            .map(|(p, _)| p.0)
            .collect()
    }
}

/// Why an order is left out of merging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeExclusion {
    /// Index of the order.
    pub order: u32,
    /// `masked` (personal data masked or encrypted), `several_recipients`,
    /// `no_address` (no recipient name or street), `address_invalid` (the
    /// address does not normalize), `closed` (printed, shipped or ended),
    /// `zero_yen_group` (every order of its group costs 0 yen: none may be the parent).
    pub reason: &'static str,
}

/// Orders that may ship together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeGroup {
    /// Index of the parent (親受注): the earliest order that is not 0 yen.
    pub parent: u32,
    /// Every order of the group, the parent first, then by order time.
    pub orders: Vec<u32>,
}

/// The result of a merge-candidate search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MergeCandidates {
    /// Groups of two or more orders, by their parent's order time.
    pub groups: Vec<MergeGroup>,
    /// Orders that cannot be merged, and why.
    pub excluded: Vec<MergeExclusion>,
}

impl MergeCandidates {
    /// Whether the order (by index) is in a group: the triage context's
    /// `merge_candidate`. It looks through the groups; for every order of a batch
    /// use [`MergeCandidates::flags`].
    pub fn is_candidate(&self, order: u32) -> bool {
        self.groups.iter().any(|g| g.orders.contains(&order))
    }

    /// `merge_candidate` for each of `n` orders, by index, in one pass.
    pub fn flags(&self, n: usize) -> Vec<bool> {
        let mut out = vec![false; n];
        for g in &self.groups {
            for &i in &g.orders {
                if let Some(f) = out.get_mut(i as usize) {
                    *f = true;
                }
            }
        }
        out
    }
}

impl Planner {
    /// Why an order cannot merge at all (every reason but an address that does
    /// not normalize), else a hash of the parts of its merge key that need no
    /// normalization, plus its postal code: orders whose merge keys are equal have
    /// equal hashes, so only orders sharing a hash need their names and addresses
    /// normalized.
    fn screen(&self, order: &Order, facts: &OrderFacts) -> Result<u64, &'static str> {
        excluded(order, facts)?;
        let r = &order.recipients[0];
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = foldhash::fast::FixedState::with_seed(0x636f_6172).build_hasher();
        order.store.as_str().hash(&mut h);
        facts.location.as_ref().map(|l| l.as_str()).hash(&mut h);
        facts.customer.hash(&mut h);
        order
            .shipping
            .method
            .as_ref()
            .map(|m| m.as_str())
            .hash(&mut h);
        (order.shipping.class as u8).hash(&mut h);
        facts
            .ship_date
            .or(order.instructions.ship_date)
            .hash(&mut h);
        order.shipping.desired_date.hash(&mut h);
        order.shipping.time_slot.map(|t| t as u8).hash(&mut h);
        let mut temperature = 0u8;
        let mut options = false;
        for l in &order.lines {
            temperature |= 1 << (l.temperature as u8);
            options |= !l.options.is_empty();
        }
        (temperature, options, order.gift, order.payment.method as u8).hash(&mut h);
        match r.postal_code.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(p) => postal_digits(p).hash(&mut h),
            None => 0u8.hash(&mut h),
        }
        Ok(h.finish())
    }

    /// The merge key of an order, or why it has none.
    pub fn merge_key(&self, order: &Order, facts: &OrderFacts) -> Result<MergeKey, &'static str> {
        excluded(order, facts)?;
        let r = &order.recipients[0];
        let street = r.address1.as_deref().unwrap_or("");
        let address = normalize::address(
            r.postal_code.as_deref(),
            r.prefecture.as_deref(),
            street,
            r.address2.as_deref().unwrap_or(""),
        )
        .map_err(|_| "address_invalid")?;
        let buyer = match &facts.customer {
            Some(c) => format!("c\u{1f}{c}"),
            None => {
                let phone = match order.buyer.phone.as_deref() {
                    Some(p) => match normalize::phone(p) {
                        Ok(p) => p.e164,
                        Err(_) => fold(p),
                    },
                    None => String::new(),
                };
                format!("b\u{1f}{}\u{1f}{phone}", normalize::name(&order.buyer.name))
            }
        };
        let mut temperature = 0u8;
        let mut options: Vec<String> = Vec::new();
        for l in &order.lines {
            temperature |= 1 << (l.temperature as u8);
            if !l.options.is_empty() {
                let mut o = String::new();
                if let Some(w) = &l.options.wrapping {
                    o.push_str("w:");
                    o.push_str(&fold(w.as_str()));
                }
                if let Some(n) = &l.options.noshi {
                    o.push_str("\u{1f}n:");
                    o.push_str(&fold(n.as_str()));
                }
                for (k, v) in &l.options.other {
                    o.push('\u{1f}');
                    o.push_str(k);
                    o.push('=');
                    o.push_str(&fold(v.as_str()));
                }
                options.push(o);
            }
        }
        options.sort();
        options.dedup();
        let mut gift = String::from(if order.gift { "g" } else { "-" });
        for o in options {
            gift.push('\u{1e}');
            gift.push_str(&o);
        }
        Ok(MergeKey {
            store: order.store.as_str().to_owned(),
            location: facts.location.as_ref().map(|l| l.as_str().to_owned()),
            buyer,
            recipient_name: normalize::name(&r.name),
            recipient_address: format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                address.postal_code.unwrap_or_default(),
                address.prefecture_code.unwrap_or(0),
                address.street,
                address.building
            ),
            shipping_method: order
                .shipping
                .method
                .as_ref()
                .map(|m| m.as_str().to_owned()),
            shipping_class: order.shipping.class,
            ship_date: facts.ship_date.or(order.instructions.ship_date),
            delivery_date: order.shipping.desired_date,
            time_slot: order.shipping.time_slot,
            temperature,
            gift,
            payment: order.payment.method,
        })
    }

    /// Finds the groups of orders that may ship together. `facts` is empty or has
    /// one entry per order.
    ///
    /// ```
    /// use ichigen_core::shipment::{Planner, ShipmentPolicy};
    /// let a = ichigen_core::sample::order();
    /// let mut b = a.clone();
    /// b.id = "ord-0002".into();
    /// b.recipients[0].name = "山田　太郎".into(); // a full-width space: the same person
    /// let mut c = a.clone();
    /// c.id = "ord-0003".into();
    /// c.shipping.time_slot = Some(ichigen_core::order::TimeSlot::Evening18);
    /// let planner = Planner::new(ShipmentPolicy::default())?;
    /// let found = planner.merge_candidates(&[a, b, c], &[]);
    /// assert_eq!(found.groups.len(), 1);
    /// assert_eq!(found.groups[0].orders, vec![0, 1]);
    /// # Ok::<(), ichigen_core::Error>(())
    /// ```
    pub fn merge_candidates(&self, orders: &[Order], facts: &[OrderFacts]) -> MergeCandidates {
        let none = OrderFacts::default();
        let fact = |i: usize| facts.get(i).unwrap_or(&none);
        let mut excluded = Vec::new();
        let hasher = || foldhash::fast::FixedState::with_seed(0x6d65_7267);
        // Screen every order; count the hashes.
        let mut screened: Vec<u64> = Vec::with_capacity(orders.len());
        let mut counts: hashbrown::HashMap<u64, u32, foldhash::fast::FixedState> =
            hashbrown::HashMap::with_capacity_and_hasher(orders.len(), hasher());
        let all: Vec<u32> = (0..orders.len() as u32).collect();
        let screens = self.on_threads(&all, &|&i: &u32| {
            self.screen(&orders[i as usize], fact(i as usize))
        });
        for (i, s) in screens.into_iter().enumerate() {
            match s {
                Ok(h) => {
                    *counts.entry(h).or_default() += 1;
                    screened.push(h);
                }
                Err(reason) => {
                    excluded.push(MergeExclusion {
                        order: i as u32,
                        reason,
                    });
                    screened.push(0);
                }
            }
        }
        // Only orders that share a hash with another can merge: normalize those.
        let mut need: Vec<u32> = Vec::new();
        let mut e = excluded.iter().peekable();
        for (i, h) in screened.iter().enumerate() {
            if e.peek().is_some_and(|x| x.order as usize == i) {
                e.next();
                continue;
            }
            if counts.get(h).is_some_and(|&c| c > 1) {
                need.push(i as u32);
            }
        }
        drop(counts);
        let keys = self.keys_of(orders, &need, &fact);
        let mut by_key: hashbrown::HashMap<MergeKey, u32, foldhash::fast::FixedState> =
            hashbrown::HashMap::with_capacity_and_hasher(need.len(), hasher());
        let mut members: Vec<Vec<u32>> = Vec::new();
        for (&i, key) in need.iter().zip(keys) {
            match key {
                Ok(key) => match by_key.get(&key) {
                    Some(&g) => members[g as usize].push(i),
                    None => {
                        by_key.insert(key, members.len() as u32);
                        members.push(vec![i]);
                    }
                },
                Err(reason) => excluded.push(MergeExclusion { order: i, reason }),
            }
        }
        drop(by_key);
        let mut groups = Vec::new();
        for mut m in members.into_iter().filter(|m| m.len() > 1) {
            m.sort_by(|&a, &b| {
                let (a, b) = (&orders[a as usize], &orders[b as usize]);
                a.ordered_at.cmp(&b.ordered_at).then(a.id.cmp(&b.id))
            });
            match m
                .iter()
                .position(|&i| !grand_total(&orders[i as usize]).is_zero())
            {
                Some(p) => {
                    let parent = m.remove(p);
                    m.insert(0, parent);
                    groups.push(MergeGroup { parent, orders: m });
                }
                None => excluded.extend(m.into_iter().map(|order| MergeExclusion {
                    order,
                    reason: "zero_yen_group",
                })),
            }
        }
        groups.sort_by(|a, b| {
            let (x, y) = (&orders[a.parent as usize], &orders[b.parent as usize]);
            x.ordered_at.cmp(&y.ordered_at).then(x.id.cmp(&y.id))
        });
        excluded.sort_by_key(|e| e.order);
        MergeCandidates { groups, excluded }
    }

    /// The merge keys of the orders at `need`, on several threads when there are
    /// many (see [`Planner::on_threads`]).
    fn keys_of<'f>(
        &self,
        orders: &[Order],
        need: &[u32],
        fact: &(dyn Fn(usize) -> &'f OrderFacts + Sync),
    ) -> Vec<Result<MergeKey, &'static str>> {
        self.on_threads(need, &|&i: &u32| {
            self.merge_key(&orders[i as usize], fact(i as usize))
        })
    }

    /// `f` of every item, in order, on several threads when there are at least
    /// 20000 items (the policy's `threads`, else the machine's cores, at most 8);
    /// the result is the same whatever the number.
    fn on_threads<T: Send>(&self, need: &[u32], f: &(dyn Fn(&u32) -> T + Sync)) -> Vec<T> {
        let threads = self
            .policy
            .threads
            .map(|t| t as usize)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, 8);
        if threads == 1 || need.len() < 20_000 {
            return need.iter().map(f).collect();
        }
        let chunk = need.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = need
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    }

    /// Whether two orders may ship together, and if not, every reason: the key
    /// parts that differ and each order's exclusion.
    pub fn merge_check(
        &self,
        a: &Order,
        b: &Order,
        facts: [&OrderFacts; 2],
    ) -> (bool, Vec<&'static str>) {
        match (self.merge_key(a, facts[0]), self.merge_key(b, facts[1])) {
            (Ok(x), Ok(y)) => {
                let d = x.differences(&y);
                (d.is_empty(), d)
            }
            (x, y) => {
                let mut why = Vec::new();
                if let Err(r) = x {
                    why.push(r);
                }
                if let Err(r) = y {
                    if !why.contains(&r) {
                        why.push(r);
                    }
                }
                (false, why)
            }
        }
    }

    /// Merges orders into one consignment and plans its shipments (the merged
    /// orders' lines together, split again only by the policy's keys). The orders
    /// are checked first: every difference from the parent is an issue at its
    /// path (`SHIPMENT_MERGE_TIME_SLOT` at `$.orders[1].shipping.time_slot`), an
    /// excluded order is `SHIPMENT_MERGE_MASKED` (and so on) at `$.orders[i]`, a
    /// group of 0-yen orders is `SHIPMENT_MERGE_ZERO_YEN`. The plan lists the
    /// parent first; each shipment keeps every order's part of its money.
    pub fn merge(
        &self,
        orders: &[&Order],
        facts: &[OrderFacts],
        stock: &[Reservation],
    ) -> Result<ShipmentPlan, Error> {
        if orders.len() < 2 {
            return Err(Planner::refuse(
                "SHIPMENT_MERGE_TOO_FEW",
                "$.orders",
                "a merge needs at least two orders",
            ));
        }
        let none = OrderFacts::default();
        let mut issues = Vec::new();
        let mut keys = Vec::with_capacity(orders.len());
        for (i, o) in orders.iter().enumerate() {
            match self.merge_key(o, facts.get(i).unwrap_or(&none)) {
                Ok(k) => keys.push(Some(k)),
                Err(reason) => {
                    issues.push(Issue::new(
                        &format!("SHIPMENT_MERGE_{}", reason.to_uppercase()),
                        format!("$.orders[{i}]"),
                        "this order cannot be merged",
                    ));
                    keys.push(None);
                }
            }
            if orders[..i].iter().any(|x| x.id == o.id) {
                issues.push(Issue::new(
                    "SHIPMENT_MERGE_DUPLICATE",
                    format!("$.orders[{i}].id"),
                    "the order is given twice",
                ));
            }
        }
        let mut idx: Vec<usize> = (0..orders.len()).collect();
        idx.sort_by(|&a, &b| {
            orders[a]
                .ordered_at
                .cmp(&orders[b].ordered_at)
                .then(orders[a].id.cmp(&orders[b].id))
        });
        let parent = idx.iter().position(|&i| !grand_total(orders[i]).is_zero());
        match parent {
            Some(p) => {
                let pi = idx.remove(p);
                idx.insert(0, pi);
            }
            None => issues.push(Issue::new(
                "SHIPMENT_MERGE_ZERO_YEN",
                "$.orders",
                "every order costs 0 yen: none may be the parent",
            )),
        }
        if let Some(Some(pk)) = keys.get(idx[0]) {
            for (i, k) in keys.iter().enumerate() {
                if let Some(k) = k {
                    for part in pk.differences(k) {
                        let path = KEY_PARTS
                            .iter()
                            .find(|p| p.0 == part)
                            .map(|p| p.1)
                            .unwrap_or(part);
                        issues.push(Issue::new(
                            &format!("SHIPMENT_MERGE_{}", part.to_uppercase()),
                            format!("$.orders[{i}].{path}"),
                            "differs from the parent order",
                        ));
                    }
                }
            }
        }
        if !issues.is_empty() {
            return Err(Error::InvalidShipment(issues));
        }
        let ordered: Vec<&Order> = idx.iter().map(|&i| orders[i]).collect();
        self.plan(&ordered, stock)
    }

    /// Undoes a merge: checks that `orders` are exactly the merged plan's orders
    /// (`merged_orders`, the plan's [`ShipmentPlan::orders`]) and plans each on its
    /// own. The plans' money must add up to the merged plan's ([`ShipmentPlan::total`]);
    /// if it does not, the merged plan was changed since, and the answer is
    /// `SHIPMENT_UNMERGE_MISMATCH`.
    pub fn unmerge(
        &self,
        merged_orders: &[crate::ids::OrderId],
        merged_total: &ShipmentMoney,
        orders: &[&Order],
        stock: &[Reservation],
    ) -> Result<Vec<ShipmentPlan>, Error> {
        let mut want: Vec<&str> = merged_orders.iter().map(|o| o.as_str()).collect();
        let mut have: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
        want.sort_unstable();
        have.sort_unstable();
        if want != have {
            return Err(Planner::refuse(
                "SHIPMENT_UNMERGE_MISMATCH",
                "$.orders",
                "the orders given are not the merged shipments' orders",
            ));
        }
        let mut plans = Vec::with_capacity(merged_orders.len());
        let mut sum = ShipmentMoney::default();
        for id in merged_orders {
            let Some(o) = orders.iter().find(|o| &o.id == id) else {
                continue;
            };
            let own: Vec<Reservation> = stock
                .iter()
                .filter(|r| r.order.as_ref() == Some(id))
                .cloned()
                .map(|mut r| {
                    r.order = None;
                    r
                })
                .collect();
            let plan = self.split(o, &own)?;
            sum.add(&plan.total());
            plans.push(plan);
        }
        if !same_money(&sum, merged_total) {
            return Err(Planner::refuse(
                "SHIPMENT_UNMERGE_MISMATCH",
                "$.merged",
                "the merged shipments' money does not add up to the orders'",
            ));
        }
        Ok(plans)
    }
}

/// Why an order cannot merge at all: masked, closed, several recipients, or no
/// recipient name, street or buyer (every reason but an address that does not
/// normalize).
fn excluded(order: &Order, facts: &OrderFacts) -> Result<(), &'static str> {
    if facts.masked {
        return Err("masked");
    }
    if matches!(
        order.state.phase,
        Phase::Printed | Phase::Shipped | Phase::Completed | Phase::Cancelled | Phase::Returned
    ) {
        return Err("closed");
    }
    let [r] = order.recipients.as_slice() else {
        return Err("several_recipients");
    };
    let street = r.address1.as_deref().unwrap_or("");
    let masked_channel = order.channel == Channel::Amazon;
    if r.name.trim().is_empty() || street.trim().is_empty() {
        return Err(if masked_channel {
            "masked"
        } else {
            "no_address"
        });
    }
    if facts.customer.is_none() && order.buyer.name.trim().is_empty() {
        return Err(if masked_channel {
            "masked"
        } else {
            "no_address"
        });
    }
    Ok(())
}

/// The postal code as [`normalize::postal_code`] gives it (`None` when that
/// refuses it), without folding the common forms: ASCII or full-width digits,
/// hyphens and spaces, a leading 〒. Anything else goes through the normalizer.
fn postal_digits(p: &str) -> Option<String> {
    let body = p.trim_start().strip_prefix('〒').unwrap_or(p);
    let mut out = String::with_capacity(7);
    for c in body.chars() {
        match c {
            '0'..='9' => out.push(c),
            '０'..='９' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            '-' | '－' | '‐' | '−' | ' ' | '\u{3000}' => {}
            _ => return normalize::postal_code(p).ok(),
        }
    }
    (out.len() == 7).then_some(out)
}

/// Equal amounts, rate by rate (a rate with nothing taxable and no tax counts as absent).
pub(crate) fn same_money(a: &ShipmentMoney, b: &ShipmentMoney) -> bool {
    let rates = |m: &ShipmentMoney| {
        let mut v: Vec<_> = m
            .tax
            .iter()
            .filter(|t| !t.taxable.is_zero() || !t.tax.is_zero())
            .map(|t| (t.rate.normalize(), t.taxable, t.tax))
            .collect();
        v.sort();
        v
    };
    a.merchandise == b.merchandise
        && a.shipping_fee == b.shipping_fee
        && a.cod_fee == b.cod_fee
        && a.coupon == b.coupon
        && a.points == b.points
        && a.tax_added == b.tax_added
        && a.total == b.total
        && rates(a) == rates(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The screen's postal code is the normalizer's, whatever is typed.
        #[test]
        fn postal_digits_are_the_normalized_postal_code(
            p in "〒?[0-9０-９]{0,4}[\\-－‐− 　ー]?[0-9０-９]{0,4}[\\-ー ]?|\\PC{0,9}",
        ) {
            prop_assert_eq!(postal_digits(&p), normalize::postal_code(&p).ok());
        }
    }

    #[test]
    fn flags_mark_every_member_once() {
        let c = MergeCandidates {
            groups: vec![MergeGroup {
                parent: 2,
                orders: vec![2, 0],
            }],
            excluded: Vec::new(),
        };
        assert_eq!(c.flags(4), vec![true, false, true, false]);
        assert!(c.is_candidate(0) && !c.is_candidate(1));
    }
}

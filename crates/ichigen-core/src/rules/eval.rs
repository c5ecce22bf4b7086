//! Compiled conditions and their three-valued evaluation.

use std::cell::OnceCell;

use chrono::NaiveDate;
use regex::RegexSet;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{AmountRange, Condition, CountRange, PartyField, RelativeDay, Rule, TriageContext};
use crate::ids::*;
use crate::order::{Order, Party, PaymentMethod, ShippingClass};
use crate::text::{digits, fold};

/// The value of a condition: true, false, or unknown because the context lacks a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided: a context fact is missing.
    Unknown,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// Receives the names of context facts that were needed but missing.
pub(crate) trait UnknownSink {
    fn missing(&mut self, fact: &'static str);
}

/// Discards missing facts (the matching-only hot path).
pub(crate) struct NoUnknowns;

impl UnknownSink for NoUnknowns {
    fn missing(&mut self, _fact: &'static str) {}
}

impl UnknownSink for Vec<&'static str> {
    fn missing(&mut self, fact: &'static str) {
        if !self.contains(&fact) {
            self.push(fact);
        }
    }
}

/// An order plus its context and lazily derived facts, shared by all rules: text is
/// folded and totals computed at most once per order, however many rules ask.
pub(crate) struct OrderView<'a> {
    order: &'a Order,
    ctx: &'a TriageContext,
    today: NaiveDate,
    remarks_folded: OnceCell<String>,
    total: OnceCell<Decimal>,
    prefectures: OnceCell<Vec<String>>,
    postal_digits: OnceCell<Vec<String>>,
    differs: [OnceCell<bool>; 3],
}

impl<'a> OrderView<'a> {
    pub(crate) fn new(order: &'a Order, ctx: &'a TriageContext, today: NaiveDate) -> Self {
        OrderView {
            order,
            ctx,
            today,
            remarks_folded: OnceCell::new(),
            total: OnceCell::new(),
            prefectures: OnceCell::new(),
            postal_digits: OnceCell::new(),
            differs: [OnceCell::new(), OnceCell::new(), OnceCell::new()],
        }
    }

    fn remarks_folded(&self) -> &str {
        self.remarks_folded.get_or_init(|| {
            self.order
                .remarks
                .as_ref()
                .map(|r| fold(r.as_str()))
                .unwrap_or_default()
        })
    }

    fn total(&self) -> Decimal {
        *self
            .total
            .get_or_init(|| crate::validate::grand_total(self.order))
    }

    /// Each recipient's prefecture, folded (empty when absent).
    fn prefectures(&self) -> &[String] {
        self.prefectures.get_or_init(|| {
            self.order
                .recipients
                .iter()
                .map(|r| r.prefecture.as_deref().map(fold).unwrap_or_default())
                .collect()
        })
    }

    /// Each recipient's postal code digits.
    fn postal_digits(&self) -> &[String] {
        self.postal_digits.get_or_init(|| {
            self.order
                .recipients
                .iter()
                .map(|r| digits(r.postal_code.as_deref().unwrap_or("")))
                .collect()
        })
    }

    /// Whether some recipient differs from the buyer in `field`.
    fn differs(&self, field: PartyField) -> bool {
        let slot = match field {
            PartyField::Name => &self.differs[0],
            PartyField::Address => &self.differs[1],
            PartyField::Phone => &self.differs[2],
        };
        *slot.get_or_init(|| {
            self.order
                .recipients
                .iter()
                .any(|r| party_differs(&self.order.buyer, r, field))
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pred {
    RemarksPresent(bool),
    RemarksContains(Vec<String>),
    RemarksMatches(Box<RegexSet>),
    PaymentMethod(u64),
    PaymentStatus(u64),
    Total(AmountRange),
    LineAmount(AmountRange),
    CodWithMailPacket(bool),
    Gift(bool),
    RecipientDiffers(Vec<PartyField>),
    PreOrder(bool),
    MadeToOrder(bool),
    NeedsConfirmation(bool),
    Sku(Vec<Sku>),
    Listing(Vec<ListingCode>),
    Group(Vec<ProductGroup>),
    Temperature(u64),
    MultiZone(bool),
    Caution(bool),
    Vip(bool),
    FirstPurchase(bool),
    PurchaseCount(CountRange),
    Prefecture(Vec<String>),
    PostalPrefix(Vec<String>),
    RemoteIsland(bool),
    AddressInvalid(bool),
    Transit(CountRange),
    Designated(bool),
    Infeasible(bool),
    AwaitingShip(bool),
    DesignatedIn(u64),
    Channel(u64),
    Store(Vec<StoreId>),
    MarketTag(Vec<Tag>),
    Tag(Vec<Tag>),
    MergeCandidate(bool),
    MailFits(bool),
    MailPackets(CountRange),
    Reservable(bool),
    AwaitingStock(bool),
    Method(Vec<ShippingMethodCode>),
    Class(u64),
    Carrier(Vec<CarrierCode>),
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Not(Box<Pred>),
}

fn mask<T: Copy>(values: &[T], bit: impl Fn(T) -> u32) -> u64 {
    values.iter().fold(0u64, |m, v| m | (1u64 << bit(*v)))
}

fn has(mask: u64, bit: u32) -> bool {
    mask & (1u64 << bit) != 0
}

/// Compiles a validated condition. Regular expressions were checked by the loader.
pub(crate) fn compile(c: &Condition) -> Result<Pred, regex::Error> {
    let mut p = Vec::new();
    macro_rules! push {
        ($field:ident, $make:expr) => {
            if let Some(v) = &c.$field {
                #[allow(clippy::redundant_closure_call)]
                p.push(($make)(v));
            }
        };
    }
    push!(remarks_present, |v: &bool| Pred::RemarksPresent(*v));
    push!(remarks_contains, |v: &Vec<String>| Pred::RemarksContains(
        v.iter().map(|k| fold(k)).collect()
    ));
    if let Some(patterns) = &c.remarks_matches {
        p.push(Pred::RemarksMatches(Box::new(build_regex_set(patterns)?)));
    }
    push!(
        payment_method,
        |v: &Vec<PaymentMethod>| Pred::PaymentMethod(mask(v, |m| m as u32))
    );
    push!(payment_status, |v: &Vec<_>| Pred::PaymentStatus(mask(
        v,
        |m| m as u32
    )));
    push!(total, |v: &AmountRange| Pred::Total(v.clone()));
    push!(line_amount, |v: &AmountRange| Pred::LineAmount(v.clone()));
    push!(cod_with_mail_packet, |v: &bool| Pred::CodWithMailPacket(*v));
    push!(gift, |v: &bool| Pred::Gift(*v));
    push!(recipient_differs, |v: &Vec<PartyField>| {
        Pred::RecipientDiffers(v.clone())
    });
    push!(contains_pre_order, |v: &bool| Pred::PreOrder(*v));
    push!(contains_made_to_order, |v: &bool| Pred::MadeToOrder(*v));
    push!(contains_needs_confirmation, |v: &bool| {
        Pred::NeedsConfirmation(*v)
    });
    push!(sku, |v: &Vec<Sku>| Pred::Sku(v.clone()));
    push!(listing_code, |v: &Vec<ListingCode>| Pred::Listing(
        v.clone()
    ));
    push!(product_group, |v: &Vec<ProductGroup>| Pred::Group(
        v.clone()
    ));
    push!(temperature_zone, |v: &Vec<_>| Pred::Temperature(mask(
        v,
        |z| z as u32
    )));
    push!(multiple_temperature_zones, |v: &bool| Pred::MultiZone(*v));
    push!(customer_caution, |v: &bool| Pred::Caution(*v));
    push!(customer_vip, |v: &bool| Pred::Vip(*v));
    push!(first_purchase, |v: &bool| Pred::FirstPurchase(*v));
    push!(purchase_count, |v: &CountRange| Pred::PurchaseCount(
        v.clone()
    ));
    push!(prefecture, |v: &Vec<String>| Pred::Prefecture(
        v.iter().map(|s| fold(s)).collect()
    ));
    push!(postal_code_prefix, |v: &Vec<String>| Pred::PostalPrefix(
        v.iter().map(|s| digits(s)).collect()
    ));
    push!(remote_island, |v: &bool| Pred::RemoteIsland(*v));
    push!(address_invalid, |v: &bool| Pred::AddressInvalid(*v));
    push!(transit_days, |v: &CountRange| Pred::Transit(v.clone()));
    push!(designated_date, |v: &bool| Pred::Designated(*v));
    push!(designated_date_infeasible, |v: &bool| Pred::Infeasible(*v));
    push!(awaiting_ship_date, |v: &bool| Pred::AwaitingShip(*v));
    push!(designated_date_in, |v: &Vec<RelativeDay>| {
        Pred::DesignatedIn(mask(v, |d| d as u32))
    });
    push!(channel, |v: &Vec<_>| Pred::Channel(mask(v, |ch| ch as u32)));
    push!(store, |v: &Vec<StoreId>| Pred::Store(v.clone()));
    push!(marketplace_tag, |v: &Vec<Tag>| Pred::MarketTag(v.clone()));
    push!(tag, |v: &Vec<Tag>| Pred::Tag(v.clone()));
    push!(merge_candidate, |v: &bool| Pred::MergeCandidate(*v));
    push!(all_lines_reservable, |v: &bool| Pred::Reservable(*v));
    push!(awaiting_stock, |v: &bool| Pred::AwaitingStock(*v));
    push!(mail_packet_fits, |v: &bool| Pred::MailFits(*v));
    push!(mail_packets_needed, |v: &CountRange| Pred::MailPackets(
        v.clone()
    ));
    push!(shipping_method, |v: &Vec<ShippingMethodCode>| Pred::Method(
        v.clone()
    ));
    push!(shipping_class, |v: &Vec<ShippingClass>| Pred::Class(mask(
        v,
        |c| c as u32
    )));
    push!(carrier, |v: &Vec<CarrierCode>| Pred::Carrier(v.clone()));
    if let Some(all) = &c.all {
        p.push(Pred::All(
            all.iter().map(compile).collect::<Result<_, _>>()?,
        ));
    }
    if let Some(any) = &c.any {
        p.push(Pred::Any(
            any.iter().map(compile).collect::<Result<_, _>>()?,
        ));
    }
    if let Some(not) = &c.not {
        p.push(Pred::Not(Box::new(compile(not)?)));
    }
    Ok(if p.len() == 1 {
        p.pop().unwrap_or(Pred::All(Vec::new()))
    } else {
        Pred::All(p)
    })
}

/// Builds a regex set with limits, so that a rule set cannot blow up memory.
pub(crate) fn build_regex_set(patterns: &[String]) -> Result<RegexSet, regex::Error> {
    regex::RegexSetBuilder::new(patterns)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .nest_limit(64)
        .build()
}

fn in_range(v: Decimal, r: &AmountRange) -> bool {
    r.min.is_none_or(|m| v >= m) && r.max.is_none_or(|m| v <= m)
}

fn in_count(v: u32, r: &CountRange) -> bool {
    r.min.is_none_or(|m| v >= m) && r.max.is_none_or(|m| v <= m)
}

fn ctx_bool(v: Option<bool>, want: bool, fact: &'static str, sink: &mut dyn UnknownSink) -> Truth {
    match v {
        Some(b) => Truth::from_bool(b == want),
        None => {
            sink.missing(fact);
            Truth::Unknown
        }
    }
}

fn party_differs(buyer: &Party, r: &Party, field: PartyField) -> bool {
    // Equal raw text folds to equal keys: the usual order (buyer = recipient) needs no folding.
    match field {
        PartyField::Name => buyer.name != r.name && fold(&buyer.name) != fold(&r.name),
        PartyField::Phone => {
            buyer.phone != r.phone
                && digits(buyer.phone.as_deref().unwrap_or(""))
                    != digits(r.phone.as_deref().unwrap_or(""))
        }
        PartyField::Address => {
            let same_raw = buyer.postal_code == r.postal_code
                && buyer.prefecture == r.prefecture
                && buyer.address1 == r.address1
                && buyer.address2 == r.address2;
            !same_raw && address_key(buyer) != address_key(r)
        }
    }
}

fn address_key(p: &Party) -> String {
    let mut s = digits(p.postal_code.as_deref().unwrap_or(""));
    for part in [&p.prefecture, &p.address1, &p.address2] {
        s.push('|');
        s.push_str(&fold(part.as_deref().unwrap_or("")));
    }
    s
}

impl Pred {
    pub(crate) fn eval(&self, v: &OrderView<'_>, sink: &mut dyn UnknownSink) -> Truth {
        let o = v.order;
        let ctx = v.ctx;
        let b = Truth::from_bool;
        match self {
            Pred::RemarksPresent(want) => b(o.has_remarks() == *want),
            Pred::RemarksContains(keys) => {
                let r = v.remarks_folded();
                b(keys.iter().any(|k| r.contains(k.as_str())))
            }
            Pred::RemarksMatches(set) => {
                b(o.remarks.as_ref().is_some_and(|r| set.is_match(r.as_str())))
            }
            Pred::PaymentMethod(m) => b(has(*m, o.payment.method as u32)),
            Pred::PaymentStatus(m) => b(has(*m, o.payment.status as u32)),
            Pred::Total(r) => b(in_range(v.total(), r)),
            Pred::LineAmount(r) => b(o.lines.iter().any(|l| in_range(l.amount(), r))),
            Pred::CodWithMailPacket(want) => b((o.payment.method == PaymentMethod::Cod
                && o.shipping.class == ShippingClass::MailPacket)
                == *want),
            Pred::Gift(want) => b(o.gift == *want),
            Pred::RecipientDiffers(fields) => b(fields.iter().any(|f| v.differs(*f))),
            Pred::PreOrder(want) => b(o
                .lines
                .iter()
                .any(|l| l.release_date.is_some_and(|d| d > v.today))
                == *want),
            Pred::MadeToOrder(want) => b(o.lines.iter().any(|l| l.made_to_order) == *want),
            Pred::NeedsConfirmation(want) => {
                b(o.lines.iter().any(|l| l.needs_confirmation) == *want)
            }
            Pred::Sku(list) => b(o
                .lines
                .iter()
                .any(|l| l.sku.as_ref().is_some_and(|s| list.contains(s)))),
            Pred::Listing(list) => b(o.lines.iter().any(|l| list.contains(&l.listing_code))),
            Pred::Group(list) => b(o
                .lines
                .iter()
                .any(|l| l.product_group.as_ref().is_some_and(|g| list.contains(g)))),
            Pred::Temperature(m) => b(o.lines.iter().any(|l| has(*m, l.temperature as u32))),
            Pred::MultiZone(want) => {
                let zones = o
                    .lines
                    .iter()
                    .fold(0u8, |m, l| m | (1 << l.temperature as u8));
                b((zones.count_ones() > 1) == *want)
            }
            Pred::Caution(want) => ctx_bool(
                ctx.customer.as_ref().map(|c| c.caution),
                *want,
                "customer",
                sink,
            ),
            Pred::Vip(want) => ctx_bool(
                ctx.customer.as_ref().map(|c| c.vip),
                *want,
                "customer",
                sink,
            ),
            Pred::FirstPurchase(want) => ctx_bool(
                ctx.customer.as_ref().map(|c| c.purchase_count <= 1),
                *want,
                "customer",
                sink,
            ),
            Pred::PurchaseCount(r) => match &ctx.customer {
                Some(c) => b(in_count(c.purchase_count, r)),
                None => {
                    sink.missing("customer");
                    Truth::Unknown
                }
            },
            Pred::Prefecture(list) => b(v
                .prefectures()
                .iter()
                .any(|p| !p.is_empty() && list.contains(p))),
            Pred::PostalPrefix(list) => b(v
                .postal_digits()
                .iter()
                .any(|d| list.iter().any(|x| d.starts_with(x.as_str())))),
            Pred::RemoteIsland(want) => ctx_bool(ctx.remote_island, *want, "remote_island", sink),
            Pred::AddressInvalid(want) => {
                ctx_bool(ctx.address_invalid, *want, "address_invalid", sink)
            }
            Pred::Transit(r) => match ctx.transit_days {
                Some(d) => b(in_count(d, r)),
                None => {
                    sink.missing("transit_days");
                    Truth::Unknown
                }
            },
            Pred::Designated(want) => b(o.shipping.desired_date.is_some() == *want),
            Pred::Infeasible(want) => ctx_bool(
                ctx.designated_date_infeasible,
                *want,
                "designated_date_infeasible",
                sink,
            ),
            Pred::AwaitingShip(want) => {
                ctx_bool(ctx.awaiting_ship_date, *want, "awaiting_ship_date", sink)
            }
            Pred::DesignatedIn(m) => b(o.shipping.desired_date.is_some_and(|d| {
                let days = (d - v.today).num_days();
                (0..=2).contains(&days) && has(*m, days as u32)
            })),
            Pred::Channel(m) => b(has(*m, o.channel as u32)),
            Pred::Store(list) => b(list.contains(&o.store)),
            Pred::MarketTag(list) => b(o.marketplace_tags.iter().any(|t| list.contains(t))),
            Pred::Tag(list) => b(list.iter().any(|t| o.state.tags.contains(t))),
            Pred::Reservable(want) => ctx_bool(
                ctx.all_lines_reservable,
                *want,
                "all_lines_reservable",
                sink,
            ),
            Pred::AwaitingStock(want) => {
                ctx_bool(ctx.awaiting_stock, *want, "awaiting_stock", sink)
            }
            Pred::MergeCandidate(want) => {
                ctx_bool(ctx.merge_candidate, *want, "merge_candidate", sink)
            }
            Pred::MailFits(want) => ctx_bool(ctx.mail_packet_fits, *want, "mail_packet_fits", sink),
            Pred::MailPackets(r) => match ctx.mail_packets_needed {
                Some(n) => b(in_count(n, r)),
                None => {
                    sink.missing("mail_packets_needed");
                    Truth::Unknown
                }
            },
            Pred::Method(list) => b(o.shipping.method.as_ref().is_some_and(|m| list.contains(m))),
            Pred::Class(m) => b(has(*m, o.shipping.class as u32)),
            Pred::Carrier(list) => b(o
                .shipping
                .carrier
                .as_ref()
                .is_some_and(|c| list.contains(c))),
            Pred::All(ps) => {
                let mut acc = Truth::True;
                for p in ps {
                    match p.eval(v, sink) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => acc = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                acc
            }
            Pred::Any(ps) => {
                let mut acc = Truth::False;
                for p in ps {
                    match p.eval(v, sink) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => acc = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                acc
            }
            Pred::Not(p) => p.eval(v, sink).not(),
        }
    }
}

/// A rule with its compiled condition.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub(crate) enabled: bool,
    pub(crate) pred: Pred,
}

impl CompiledRule {
    pub(crate) fn new(rule: &Rule) -> Result<CompiledRule, regex::Error> {
        Ok(CompiledRule {
            enabled: rule.enabled,
            pred: compile(&rule.when)?,
        })
    }

    pub(crate) fn evaluate(&self, v: &OrderView<'_>, sink: &mut dyn UnknownSink) -> Truth {
        if !self.enabled {
            return Truth::False;
        }
        self.pred.eval(v, sink)
    }
}

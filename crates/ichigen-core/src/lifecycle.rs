//! The order lifecycle: statuses, holding reasons, tags, sub-statuses, legal
//! transitions and the history of every change (DOMAIN.md §1).
//!
//! An order's state is a [`Phase`] (new, triaged, printed, shipped, or one of the
//! terminal phases) plus the set of open [`HoldReason`]s. The [`Status`] a person sees
//! is derived: a terminal or later phase shows itself; otherwise the first open hold
//! in the table's order (needs check before awaiting stock before awaiting payment …);
//! otherwise `ready` once triaged, or `new`.
//!
//! Every change goes through [`apply`], which checks the transition, stamps the
//! change with the actor and the injected [`Clock`]'s time, and appends a
//! [`HistoryEntry`]. A refused change returns a [`LifecycleError`] with a code and
//! leaves the order exactly as it was.
//!
//! ```
//! use ichigen_core::clock::FixedClock;
//! use ichigen_core::lifecycle::{apply, Actor, HoldReason, OrderEvent, Status};
//! # let order = ichigen_core::sample::order();
//! let clock = FixedClock::parse("2026-11-23T01:00:00Z")?;
//! let by = Actor::user("staff-1");
//! let mut order = order;
//! apply(&mut order, &OrderEvent::AddHold { reason: HoldReason::AwaitingPayment, message: None }, &by, &clock)?;
//! apply(&mut order, &OrderEvent::MarkTriaged, &by, &clock)?;
//! assert_eq!(order.state.status(), Status::AwaitingPayment);
//!
//! // Printing an order on hold is refused, and nothing changes.
//! let before = order.clone();
//! let err = apply(&mut order, &OrderEvent::Print, &by, &clock).unwrap_err();
//! assert_eq!(err.code(), "LIFECYCLE_ON_HOLD");
//! assert_eq!(order, before);
//!
//! apply(&mut order, &OrderEvent::PaymentReceived, &by, &clock)?;
//! assert_eq!(order.state.status(), Status::Ready);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::ids::{CarrierCode, MailTemplateId, RuleId, ShippingMethodCode, SubStatus, Tag};
use crate::order::{
    FreeText, Order, OrderLine, PaymentStatus, ShippingClass, SplitKey, StatedTax, StatedTotals,
};
use crate::validate::{Totals, compute_totals};

/// The status a person sees (the table in DOMAIN.md §1), in display precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 新規受付: imported, not yet triaged.
    New,
    /// 確認待ち: a person must look.
    NeedsCheck,
    /// 引当待ち: not all lines reserved.
    AwaitingStock,
    /// 入金待ち: payment not yet received.
    AwaitingPayment,
    /// 発売日待ち: contains a pre-order item.
    AwaitingRelease,
    /// 印刷日待ち: the delivery date is far ahead.
    AwaitingShipDate,
    /// 印刷待ち: ready to print and ship.
    Ready,
    /// 印刷済み: documents printed.
    Printed,
    /// 出荷済み: shipped.
    Shipped,
    /// 完了: done.
    Completed,
    /// キャンセル.
    Cancelled,
    /// 返品.
    Returned,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 12] = [
        Status::New,
        Status::NeedsCheck,
        Status::AwaitingStock,
        Status::AwaitingPayment,
        Status::AwaitingRelease,
        Status::AwaitingShipDate,
        Status::Ready,
        Status::Printed,
        Status::Shipped,
        Status::Completed,
        Status::Cancelled,
        Status::Returned,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::NeedsCheck => "needs_check",
            Status::AwaitingStock => "awaiting_stock",
            Status::AwaitingPayment => "awaiting_payment",
            Status::AwaitingRelease => "awaiting_release",
            Status::AwaitingShipDate => "awaiting_ship_date",
            Status::Ready => "ready",
            Status::Printed => "printed",
            Status::Shipped => "shipped",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::Returned => "returned",
        }
    }

    /// The Japanese name shops use.
    pub fn japanese(self) -> &'static str {
        match self {
            Status::New => "新規受付",
            Status::NeedsCheck => "確認待ち",
            Status::AwaitingStock => "引当待ち",
            Status::AwaitingPayment => "入金待ち",
            Status::AwaitingRelease => "発売日待ち",
            Status::AwaitingShipDate => "印刷日待ち",
            Status::Ready => "印刷待ち",
            Status::Printed => "印刷済み",
            Status::Shipped => "出荷済み",
            Status::Completed => "完了",
            Status::Cancelled => "キャンセル",
            Status::Returned => "返品",
        }
    }

    /// The hold reason behind a holding status, if this is one.
    pub fn hold_reason(self) -> Option<HoldReason> {
        match self {
            Status::NeedsCheck => Some(HoldReason::NeedsCheck),
            Status::AwaitingStock => Some(HoldReason::AwaitingStock),
            Status::AwaitingPayment => Some(HoldReason::AwaitingPayment),
            Status::AwaitingRelease => Some(HoldReason::AwaitingRelease),
            Status::AwaitingShipDate => Some(HoldReason::AwaitingShipDate),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reason that holds an order back; several can be open at once.
/// The order of the variants is the display precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// 確認待ち.
    NeedsCheck,
    /// 引当待ち.
    AwaitingStock,
    /// 入金待ち.
    AwaitingPayment,
    /// 発売日待ち.
    AwaitingRelease,
    /// 印刷日待ち.
    AwaitingShipDate,
}

impl HoldReason {
    /// The status this reason shows as.
    pub fn status(self) -> Status {
        match self {
            HoldReason::NeedsCheck => Status::NeedsCheck,
            HoldReason::AwaitingStock => Status::AwaitingStock,
            HoldReason::AwaitingPayment => Status::AwaitingPayment,
            HoldReason::AwaitingRelease => Status::AwaitingRelease,
            HoldReason::AwaitingShipDate => Status::AwaitingShipDate,
        }
    }
}

/// Where an order is in its life, apart from its holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Imported, not triaged.
    #[default]
    New,
    /// Triaged: ready unless a hold is open.
    Triaged,
    /// Documents printed.
    Printed,
    /// Shipped.
    Shipped,
    /// Completed (terminal).
    Completed,
    /// Cancelled (terminal).
    Cancelled,
    /// Returned (terminal).
    Returned,
}

impl Phase {
    /// Whether nothing but tags and sub-statuses may change any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, Phase::Completed | Phase::Cancelled | Phase::Returned)
    }
}

/// An open hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    /// Why the order is held.
    pub reason: HoldReason,
    /// A note for the person who will look (no personal data, please).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<FreeText>,
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Actor {
    /// ichigen itself (an import, a scheduled release).
    System,
    /// A triage rule.
    Rule {
        /// The rule set's name.
        rule_set: String,
        /// The rule's id.
        rule: RuleId,
    },
    /// A person, by the shop's user id.
    User {
        /// The user id.
        id: String,
    },
    /// The marketplace (a cancellation from the channel).
    Channel,
}

impl Actor {
    /// A person.
    pub fn user(id: impl Into<String>) -> Actor {
        Actor::User { id: id.into() }
    }
}

/// Something that happens to an order. Every change to an order's state or
/// instructions is one of these, applied with [`apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum OrderEvent {
    /// Triage finished: new → triaged.
    MarkTriaged,
    /// Open a hold (no change if it is already open).
    AddHold {
        /// The reason.
        reason: HoldReason,
        /// A note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<FreeText>,
    },
    /// Close an open hold.
    ReleaseHold {
        /// The reason.
        reason: HoldReason,
    },
    /// Payment arrived: payment status becomes paid and the awaiting-payment hold closes.
    PaymentReceived,
    /// Documents printed: ready → printed.
    Print,
    /// Printing undone (印刷済み戻し): printed → triaged.
    RevertPrint,
    /// Shipped (from printed, or from ready without printing here).
    Ship {
        /// The tracking number (伝票番号).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tracking_number: Option<String>,
    },
    /// Delivered and done: shipped → completed.
    Complete,
    /// Cancelled before shipping.
    Cancel {
        /// The cancel reason (for analytics).
        reason: FreeText,
    },
    /// Returned after shipping.
    Return {
        /// The return reason.
        reason: FreeText,
    },
    /// Add a tag (no change if present).
    AddTag {
        /// The tag.
        tag: Tag,
    },
    /// Remove a tag (no change if absent).
    RemoveTag {
        /// The tag.
        tag: Tag,
    },
    /// Set or clear the shop-defined sub-status.
    SetSubStatus {
        /// The new sub-status, or none.
        #[serde(default)]
        sub_status: Option<SubStatus>,
    },
    /// Change the shipping method.
    SetShippingMethod {
        /// The method code.
        method: ShippingMethodCode,
        /// Its class, when it changes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<ShippingClass>,
    },
    /// Change the carrier.
    SetCarrier {
        /// The carrier code.
        carrier: CarrierCode,
    },
    /// Hide or show prices on the delivery note.
    SetHidePrices {
        /// Whether prices are hidden.
        hide: bool,
    },
    /// Add a line (a wrapping fee). The stated total and the stated tax at the line's
    /// rate move by what the line adds, so that a consistent order stays consistent.
    AddLine {
        /// The line.
        line: Box<OrderLine>,
    },
    /// Set the ship date.
    SetShipDate {
        /// The date.
        date: NaiveDate,
    },
    /// Choose the mail template.
    SetMailTemplate {
        /// The template id.
        template: MailTemplateId,
    },
    /// Ask shipment planning to split by these keys.
    RequestSplit {
        /// The keys.
        by: Vec<SplitKey>,
    },
}

impl OrderEvent {
    /// The snake_case name of the event.
    pub fn kind(&self) -> &'static str {
        match self {
            OrderEvent::MarkTriaged => "mark_triaged",
            OrderEvent::AddHold { .. } => "add_hold",
            OrderEvent::ReleaseHold { .. } => "release_hold",
            OrderEvent::PaymentReceived => "payment_received",
            OrderEvent::Print => "print",
            OrderEvent::RevertPrint => "revert_print",
            OrderEvent::Ship { .. } => "ship",
            OrderEvent::Complete => "complete",
            OrderEvent::Cancel { .. } => "cancel",
            OrderEvent::Return { .. } => "return",
            OrderEvent::AddTag { .. } => "add_tag",
            OrderEvent::RemoveTag { .. } => "remove_tag",
            OrderEvent::SetSubStatus { .. } => "set_sub_status",
            OrderEvent::SetShippingMethod { .. } => "set_shipping_method",
            OrderEvent::SetCarrier { .. } => "set_carrier",
            OrderEvent::SetHidePrices { .. } => "set_hide_prices",
            OrderEvent::AddLine { .. } => "add_line",
            OrderEvent::SetShipDate { .. } => "set_ship_date",
            OrderEvent::SetMailTemplate { .. } => "set_mail_template",
            OrderEvent::RequestSplit { .. } => "request_split",
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// 1-based position in the order's history.
    pub seq: u32,
    /// When, from the injected clock.
    pub at: DateTime<Utc>,
    /// Who or which rule.
    pub actor: Actor,
    /// What happened.
    pub event: OrderEvent,
    /// The status before.
    pub from: Status,
    /// The status after.
    pub to: Status,
}

/// The lifecycle part of an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderState {
    /// The phase.
    #[serde(default)]
    pub phase: Phase,
    /// Open holds, at most one per reason, in precedence order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<Hold>,
    /// Tags (受注タグ).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<Tag>,
    /// The shop-defined sub-status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_status: Option<SubStatus>,
    /// The tracking number once shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// The cancel or return reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_reason: Option<FreeText>,
    /// Every change, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
}

impl OrderState {
    /// The status shown, derived from the phase and the open holds.
    pub fn status(&self) -> Status {
        match self.phase {
            Phase::New => self.first_hold().unwrap_or(Status::New),
            Phase::Triaged => self.first_hold().unwrap_or(Status::Ready),
            Phase::Printed => Status::Printed,
            Phase::Shipped => Status::Shipped,
            Phase::Completed => Status::Completed,
            Phase::Cancelled => Status::Cancelled,
            Phase::Returned => Status::Returned,
        }
    }

    fn first_hold(&self) -> Option<Status> {
        self.holds
            .iter()
            .map(|h| h.reason)
            .min()
            .map(HoldReason::status)
    }

    /// Whether a hold for `reason` is open.
    pub fn is_held(&self, reason: HoldReason) -> bool {
        self.holds.iter().any(|h| h.reason == reason)
    }

    /// The open hold reasons, in precedence order.
    pub fn hold_reasons(&self) -> Vec<HoldReason> {
        let mut v: Vec<HoldReason> = self.holds.iter().map(|h| h.reason).collect();
        v.sort();
        v
    }
}

/// A refused lifecycle change. The order is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: cannot {event} an order in status {status}: {reason}")]
pub struct LifecycleError {
    code: &'static str,
    event: &'static str,
    status: Status,
    reason: &'static str,
}

impl LifecycleError {
    /// The stable code: `LIFECYCLE_ILLEGAL_TRANSITION`, `LIFECYCLE_TERMINAL`,
    /// `LIFECYCLE_ON_HOLD`, `LIFECYCLE_NOT_TRIAGED`, `LIFECYCLE_ALREADY_TRIAGED`,
    /// `LIFECYCLE_ALREADY_SHIPPED`, `LIFECYCLE_HOLD_NOT_OPEN`, `LIFECYCLE_EMPTY_VALUE`
    /// `LIFECYCLE_INVALID_LINE` or `LIFECYCLE_DATE_OUT_OF_RANGE`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The event that was refused.
    pub fn event(&self) -> &'static str {
        self.event
    }

    /// The status the order was (and still is) in.
    pub fn status(&self) -> Status {
        self.status
    }

    pub(crate) fn new(
        code: &'static str,
        event: &OrderEvent,
        status: Status,
        reason: &'static str,
    ) -> Self {
        LifecycleError {
            code,
            event: event.kind(),
            status,
            reason,
        }
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The order changed and a history entry was added.
    Changed,
    /// The event asked for what already held (a tag already present); nothing recorded.
    Unchanged,
}

/// Applies `event` to `order` on behalf of `actor` at `clock.now()`.
///
/// On success the change is recorded in `order.state.history` (unless it changed
/// nothing). On error the order is left exactly as it was.
pub fn apply(
    order: &mut Order,
    event: &OrderEvent,
    actor: &Actor,
    clock: &dyn Clock,
) -> Result<Applied, LifecycleError> {
    let from = order.state.status();
    let changed = check_and_mutate(order, event, from)?;
    if !changed {
        return Ok(Applied::Unchanged);
    }
    let seq = u32::try_from(order.state.history.len() + 1).unwrap_or(u32::MAX);
    order.state.history.push(HistoryEntry {
        seq,
        at: clock.now(),
        actor: actor.clone(),
        event: event.clone(),
        from,
        to: order.state.status(),
    });
    Ok(Applied::Changed)
}

/// Moves the channel's stated totals by what a change to the order moved the computed
/// ones: the stated total by the change of the total (the line's amount, plus its tax
/// when prices exclude tax), and each stated tax by the change of the tax at its rate.
/// A rate that gains tax and was not stated gets a row, when the channel stated taxes
/// at all. An order whose stated totals agreed with the computed ones still agrees.
fn restate(stated: &mut StatedTotals, before: &Totals, after: &Totals) {
    if let Some(total) = stated.total.as_mut() {
        *total += after.total - before.total;
    }
    if stated.tax.is_empty() {
        return;
    }
    let tax_at = |t: &Totals, rate| {
        t.tax
            .iter()
            .find(|l| l.rate == rate)
            .map_or(rust_decimal::Decimal::ZERO, |l| l.tax)
    };
    for line in &after.tax {
        let delta = line.tax - tax_at(before, line.rate);
        if delta.is_zero() {
            continue;
        }
        match stated.tax.iter_mut().find(|s| s.rate == line.rate) {
            Some(s) => s.tax += delta,
            None => stated.tax.push(StatedTax {
                rate: line.rate,
                tax: delta,
            }),
        }
    }
}

/// Checks the event against the current state; mutates only once it is known to be legal.
fn check_and_mutate(
    order: &mut Order,
    event: &OrderEvent,
    from: Status,
) -> Result<bool, LifecycleError> {
    use OrderEvent as E;
    let phase = order.state.phase;
    let err = |code, reason| Err(LifecycleError::new(code, event, from, reason));
    let is_open = matches!(phase, Phase::New | Phase::Triaged);

    // Events that change the flow are refused in terminal phases; tags and
    // sub-statuses stay editable so that a shop can label closed orders.
    let flow_event = !matches!(
        event,
        E::AddTag { .. } | E::RemoveTag { .. } | E::SetSubStatus { .. }
    );
    if flow_event && phase.is_terminal() {
        return err("LIFECYCLE_TERMINAL", "the order is closed");
    }

    let state = &mut order.state;
    match event {
        E::MarkTriaged => match phase {
            Phase::New => state.phase = Phase::Triaged,
            _ => {
                return err(
                    "LIFECYCLE_ALREADY_TRIAGED",
                    "only a new order can be triaged",
                );
            }
        },
        E::AddHold { reason, message } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "holds apply only before printing",
                );
            }
            if state.is_held(*reason) {
                return Ok(false);
            }
            state.holds.push(Hold {
                reason: *reason,
                message: message.clone(),
            });
            state.holds.sort_by_key(|h| h.reason);
        }
        E::ReleaseHold { reason } => {
            if !state.is_held(*reason) {
                return err("LIFECYCLE_HOLD_NOT_OPEN", "that hold is not open");
            }
            state.holds.retain(|h| h.reason != *reason);
        }
        E::PaymentReceived => {
            if order.payment.status == PaymentStatus::Paid {
                return Ok(false);
            }
            order.payment.status = PaymentStatus::Paid;
            state
                .holds
                .retain(|h| h.reason != HoldReason::AwaitingPayment);
        }
        E::Print => match phase {
            Phase::Triaged if state.holds.is_empty() => state.phase = Phase::Printed,
            Phase::Triaged | Phase::New if !state.holds.is_empty() => {
                return err("LIFECYCLE_ON_HOLD", "a hold is open");
            }
            Phase::New => return err("LIFECYCLE_NOT_TRIAGED", "the order is not triaged yet"),
            _ => {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "only a ready order can be printed",
                );
            }
        },
        E::RevertPrint => match phase {
            Phase::Printed => state.phase = Phase::Triaged,
            _ => {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "only a printed order can be reverted",
                );
            }
        },
        E::Ship { .. } => match phase {
            Phase::Printed => {}
            Phase::Triaged if state.holds.is_empty() => {}
            Phase::Triaged | Phase::New if !state.holds.is_empty() => {
                return err("LIFECYCLE_ON_HOLD", "a hold is open");
            }
            Phase::New => return err("LIFECYCLE_NOT_TRIAGED", "the order is not triaged yet"),
            Phase::Shipped => {
                return err("LIFECYCLE_ALREADY_SHIPPED", "the order is already shipped");
            }
            _ => {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "the order cannot be shipped",
                );
            }
        },
        E::Complete => match phase {
            Phase::Shipped => state.phase = Phase::Completed,
            _ => {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "only a shipped order can be completed",
                );
            }
        },
        E::Cancel { reason } => match phase {
            Phase::New | Phase::Triaged | Phase::Printed if reason.is_blank() => {
                return err("LIFECYCLE_EMPTY_VALUE", "a cancel reason is required");
            }
            Phase::New | Phase::Triaged | Phase::Printed => {
                state.phase = Phase::Cancelled;
                state.closing_reason = Some(reason.clone());
                // Holds exist only while an order is open: a cancelled order waits
                // for nothing, and must not count as awaiting payment or stock.
                state.holds.clear();
            }
            Phase::Shipped => {
                return err(
                    "LIFECYCLE_ALREADY_SHIPPED",
                    "a shipped order is returned, not cancelled",
                );
            }
            _ => {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "the order cannot be cancelled",
                );
            }
        },
        E::Return { reason } => match phase {
            Phase::Shipped if reason.is_blank() => {
                return err("LIFECYCLE_EMPTY_VALUE", "a return reason is required");
            }
            Phase::Shipped => {
                state.phase = Phase::Returned;
                state.closing_reason = Some(reason.clone());
            }
            _ => {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "only a shipped order can be returned",
                );
            }
        },
        E::AddTag { tag } => {
            if tag.as_str().trim().is_empty() {
                return err("LIFECYCLE_EMPTY_VALUE", "a tag cannot be empty");
            }
            return Ok(state.tags.insert(tag.clone()));
        }
        E::RemoveTag { tag } => return Ok(state.tags.remove(tag)),
        E::SetSubStatus { sub_status } => {
            if sub_status
                .as_ref()
                .is_some_and(|s| s.as_str().trim().is_empty())
            {
                return err(
                    "LIFECYCLE_EMPTY_VALUE",
                    "a sub-status cannot be empty; send null to clear",
                );
            }
            if state.sub_status == *sub_status {
                return Ok(false);
            }
            state.sub_status = sub_status.clone();
        }
        E::SetShippingMethod { method, class } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "shipping changes only before printing",
                );
            }
            let class = class.unwrap_or(order.shipping.class);
            if order.shipping.method.as_ref() == Some(method) && order.shipping.class == class {
                return Ok(false);
            }
            order.shipping.method = Some(method.clone());
            order.shipping.class = class;
        }
        E::SetCarrier { carrier } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "shipping changes only before printing",
                );
            }
            if order.shipping.carrier.as_ref() == Some(carrier) {
                return Ok(false);
            }
            order.shipping.carrier = Some(carrier.clone());
        }
        E::SetHidePrices { hide } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "document options change only before printing",
                );
            }
            if order.instructions.hide_prices == *hide {
                return Ok(false);
            }
            order.instructions.hide_prices = *hide;
        }
        E::AddLine { line } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "lines change only before printing",
                );
            }
            if line.quantity == 0 || line.unit_price.is_sign_negative() {
                return err(
                    "LIFECYCLE_INVALID_LINE",
                    "a line needs a quantity and a non-negative price",
                );
            }
            if !order.currency.fits(line.unit_price) {
                return err(
                    "LIFECYCLE_INVALID_LINE",
                    "the price has more decimals than the currency",
                );
            }
            if line.recipient as usize >= order.recipients.len().max(1) {
                return err(
                    "LIFECYCLE_INVALID_LINE",
                    "the line points at a recipient that does not exist",
                );
            }
            if line.tax_rate.is_sign_negative() || line.tax_rate >= rust_decimal::Decimal::ONE {
                return err(
                    "LIFECYCLE_INVALID_LINE",
                    "a tax rate is a fraction from 0 up to 1, such as 0.10",
                );
            }
            if line.listing_code.as_str().trim().is_empty() {
                return err("LIFECYCLE_INVALID_LINE", "a line needs a listing code");
            }
            let before = compute_totals(order);
            order.lines.push((**line).clone());
            let after = compute_totals(order);
            restate(&mut order.stated, &before, &after);
        }
        E::SetShipDate { date } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "the ship date changes only before printing",
                );
            }
            if order.instructions.ship_date == Some(*date) {
                return Ok(false);
            }
            order.instructions.ship_date = Some(*date);
        }
        E::SetMailTemplate { template } => {
            if order.instructions.mail_template.as_ref() == Some(template) {
                return Ok(false);
            }
            order.instructions.mail_template = Some(template.clone());
        }
        E::RequestSplit { by } => {
            if !is_open {
                return err(
                    "LIFECYCLE_ILLEGAL_TRANSITION",
                    "splits are requested only before printing",
                );
            }
            let before = order.instructions.split_by.len();
            for key in by {
                if !order.instructions.split_by.contains(key) {
                    order.instructions.split_by.push(*key);
                }
            }
            order.instructions.split_by.sort();
            return Ok(order.instructions.split_by.len() != before);
        }
    }
    // Ship records its tracking number only after the checks above passed.
    if let E::Ship { tracking_number } = event {
        order.state.phase = Phase::Shipped;
        order.state.tracking_number = tracking_number.clone();
    }
    Ok(true)
}

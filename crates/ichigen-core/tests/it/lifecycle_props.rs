//! Any sequence of events leaves an order in a legal state, and a refused event
//! changes nothing.

use chrono::NaiveDate;
use ichigen_core::clock::FixedClock;
use ichigen_core::ids::{
    CarrierCode, ListingCode, MailTemplateId, ShippingMethodCode, SubStatus, Tag,
};
use ichigen_core::lifecycle::{Actor, Applied, HoldReason, OrderEvent, Phase, Status, apply};
use ichigen_core::order::{
    LineOptions, Order, OrderLine, PaymentMethod, PaymentStatus, ShippingClass, SplitKey, TaxMode,
    TemperatureZone,
};
use ichigen_core::validate::validate_order;
use proptest::prelude::*;
use rust_decimal::Decimal;

const REASONS: [HoldReason; 5] = [
    HoldReason::NeedsCheck,
    HoldReason::AwaitingStock,
    HoldReason::AwaitingPayment,
    HoldReason::AwaitingRelease,
    HoldReason::AwaitingShipDate,
];

fn reason() -> impl Strategy<Value = HoldReason> {
    (0..REASONS.len()).prop_map(|i| REASONS[i])
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "VIP", "ギフト", "お客様都合", "1234-5678"])
        .prop_map(String::from)
}

fn line() -> impl Strategy<Value = OrderLine> {
    (
        prop::sample::select(vec!["", "wrap", "noshi"]),
        0u32..3,
        prop_oneof![
            (0i64..2000).prop_map(|p| Decimal::new(p, 0)),
            (0i64..2000).prop_map(|p| Decimal::new(p, 1))
        ],
        prop::sample::select(vec![
            Decimal::ZERO,
            Decimal::new(8, 2),
            Decimal::new(10, 2),
            Decimal::new(15, 1),
            Decimal::new(-8, 2),
        ]),
        0u32..3,
    )
        .prop_map(
            |(code, quantity, unit_price, tax_rate, recipient)| OrderLine {
                listing_code: ListingCode::new(code),
                sku: None,
                name: "ラッピング".into(),
                quantity,
                unit_price,
                tax_rate,
                temperature: TemperatureZone::Ambient,
                options: LineOptions::default(),
                release_date: None,
                made_to_order: false,
                needs_confirmation: false,
                product_group: None,
                recipient,
            },
        )
}

fn event() -> impl Strategy<Value = OrderEvent> {
    prop_oneof![
        Just(OrderEvent::MarkTriaged),
        (reason(), prop::option::of(text())).prop_map(|(reason, message)| OrderEvent::AddHold {
            reason,
            message: message.map(Into::into)
        }),
        reason().prop_map(|reason| OrderEvent::ReleaseHold { reason }),
        Just(OrderEvent::PaymentReceived),
        Just(OrderEvent::Print),
        Just(OrderEvent::RevertPrint),
        prop::option::of(text()).prop_map(|tracking_number| OrderEvent::Ship { tracking_number }),
        Just(OrderEvent::Complete),
        text().prop_map(|reason| OrderEvent::Cancel {
            reason: reason.into()
        }),
        text().prop_map(|reason| OrderEvent::Return {
            reason: reason.into()
        }),
        text().prop_map(|t| OrderEvent::AddTag { tag: Tag::new(t) }),
        text().prop_map(|t| OrderEvent::RemoveTag { tag: Tag::new(t) }),
        prop::option::of(text()).prop_map(|s| OrderEvent::SetSubStatus {
            sub_status: s.map(SubStatus::new)
        }),
        (
            text(),
            prop::option::of(prop::sample::select(vec![
                ShippingClass::Parcel,
                ShippingClass::MailPacket
            ]))
        )
            .prop_map(|(m, class)| OrderEvent::SetShippingMethod {
                method: ShippingMethodCode::new(m),
                class
            }),
        text().prop_map(|c| OrderEvent::SetCarrier {
            carrier: CarrierCode::new(c)
        }),
        any::<bool>().prop_map(|hide| OrderEvent::SetHidePrices { hide }),
        line().prop_map(|l| OrderEvent::AddLine { line: Box::new(l) }),
        (0u32..5).prop_map(|d| OrderEvent::SetShipDate {
            date: NaiveDate::from_ymd_opt(2026, 11, 23 + d).unwrap_or_default()
        }),
        text().prop_map(|t| OrderEvent::SetMailTemplate {
            template: MailTemplateId::new(t)
        }),
        prop::collection::vec(
            prop::sample::select(vec![
                SplitKey::Stock,
                SplitKey::TemperatureZone,
                SplitKey::Location
            ]),
            0..3
        )
        .prop_map(|by| OrderEvent::RequestSplit { by }),
    ]
}

/// A valid starting order: the sample, with a random payment and tax mode.
fn start() -> impl Strategy<Value = Order> {
    (
        prop::sample::select(vec![
            PaymentMethod::CreditCard,
            PaymentMethod::BankTransfer,
            PaymentMethod::Cod,
        ]),
        prop::sample::select(vec![
            PaymentStatus::Unpaid,
            PaymentStatus::Authorized,
            PaymentStatus::Paid,
        ]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(method, status, exclusive, keep_stated)| {
            let mut o = ichigen_core::sample::order();
            o.payment.method = method;
            o.payment.status = status;
            if exclusive {
                o.pricing.tax_mode = TaxMode::Exclusive;
                let t = ichigen_core::validate::compute_totals(&o);
                o.stated.total = Some(t.total);
                for st in &mut o.stated.tax {
                    st.tax = t
                        .tax
                        .iter()
                        .find(|l| l.rate == st.rate)
                        .map(|l| l.tax)
                        .unwrap_or_default();
                }
            }
            if !keep_stated {
                o.stated = Default::default();
            }
            o
        })
}

/// Every invariant of a legal order state; returns the first broken one.
fn check_legal(o: &Order, start_status: Status) -> Result<(), String> {
    let s = &o.state;
    let open = matches!(s.phase, Phase::New | Phase::Triaged);
    if !s.holds.is_empty() && !open {
        return Err(format!(
            "holds {:?} open in phase {:?}",
            s.hold_reasons(),
            s.phase
        ));
    }
    let reasons: Vec<HoldReason> = s.holds.iter().map(|h| h.reason).collect();
    let mut sorted = reasons.clone();
    sorted.sort();
    sorted.dedup();
    if sorted != reasons {
        return Err(format!(
            "holds not one per reason in precedence order: {reasons:?}"
        ));
    }
    let status = s.status();
    let expected = match s.phase {
        Phase::New => reasons.first().map_or(Status::New, |r| r.status()),
        Phase::Triaged => reasons.first().map_or(Status::Ready, |r| r.status()),
        Phase::Printed => Status::Printed,
        Phase::Shipped => Status::Shipped,
        Phase::Completed => Status::Completed,
        Phase::Cancelled => Status::Cancelled,
        Phase::Returned => Status::Returned,
    };
    if status != expected {
        return Err(format!(
            "status {status:?} in phase {:?} with holds {reasons:?}",
            s.phase
        ));
    }
    let closed = matches!(s.phase, Phase::Cancelled | Phase::Returned);
    if s.closing_reason.is_some() != closed {
        return Err(format!(
            "closing reason {:?} in phase {:?}",
            s.closing_reason.is_some(),
            s.phase
        ));
    }
    if s.closing_reason.as_ref().is_some_and(|r| r.is_blank()) {
        return Err("blank closing reason".into());
    }
    if s.tracking_number.is_some()
        && !matches!(s.phase, Phase::Shipped | Phase::Completed | Phase::Returned)
    {
        return Err(format!("tracking number in phase {:?}", s.phase));
    }
    if s.tags.iter().any(|t| t.as_str().trim().is_empty()) {
        return Err("blank tag".into());
    }
    let mut prev = start_status;
    for (i, h) in s.history.iter().enumerate() {
        if h.seq as usize != i + 1 {
            return Err(format!("history seq {} at position {}", h.seq, i + 1));
        }
        if h.from != prev {
            return Err(format!(
                "history entry {} goes from {:?} but the previous ended at {prev:?}",
                h.seq, h.from
            ));
        }
        prev = h.to;
    }
    if prev != status {
        return Err(format!(
            "history ends at {prev:?} but the status is {status:?}"
        ));
    }
    let issues = validate_order(o);
    if !issues.is_empty() {
        return Err(format!("the order no longer validates: {issues:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_event_sequence_leaves_a_legal_order(mut order in start(), events in prop::collection::vec(event(), 0..40)) {
        let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
        let actor = Actor::user("prop");
        let start_status = order.state.status();
        prop_assert_eq!(check_legal(&order, start_status), Ok(()));
        for (i, e) in events.iter().enumerate() {
            let before = order.clone();
            match apply(&mut order, e, &actor, &clock) {
                Err(err) => {
                    prop_assert_eq!(&order, &before, "refused event {} ({}) changed the order", i, err.code());
                    prop_assert_eq!(err.status(), before.state.status());
                    prop_assert!(err.code().starts_with("LIFECYCLE_"));
                }
                Ok(Applied::Unchanged) => prop_assert_eq!(&order, &before, "an unchanged event {:?} changed the order", e),
                Ok(Applied::Changed) => {
                    prop_assert_eq!(order.state.history.len(), before.state.history.len() + 1);
                    let last = order.state.history.last().unwrap();
                    prop_assert_eq!(&last.event, e);
                    prop_assert_eq!(&last.actor, &actor);
                    prop_assert_eq!(last.at, clock.0);
                }
            }
            let legal = check_legal(&order, start_status);
            prop_assert!(legal.is_ok(), "after event {} {:?}: {}", i, e, legal.unwrap_err());
        }
    }

    #[test]
    fn terminal_orders_take_only_tags_and_sub_statuses(events in prop::collection::vec(event(), 1..20), phase in prop::sample::select(vec![Phase::Completed, Phase::Cancelled, Phase::Returned])) {
        let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
        let mut order = ichigen_core::sample::order();
        order.state.phase = phase;
        order.state.closing_reason = matches!(phase, Phase::Cancelled | Phase::Returned).then(|| "x".into());
        for e in &events {
            let before = order.clone();
            let label = matches!(e, OrderEvent::AddTag { .. } | OrderEvent::RemoveTag { .. } | OrderEvent::SetSubStatus { .. });
            match apply(&mut order, e, &Actor::System, &clock) {
                Err(err) if !label => prop_assert_eq!(err.code(), "LIFECYCLE_TERMINAL"),
                Err(err) => prop_assert_eq!(err.code(), "LIFECYCLE_EMPTY_VALUE"),
                Ok(_) => {
                    prop_assert!(label, "{:?} was accepted on a closed order", e);
                    prop_assert_eq!(order.state.phase, before.state.phase);
                }
            }
        }
    }
}

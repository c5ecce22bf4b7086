//! The quickstart: triage a file of orders with a rule set and print the dry-run.
//!
//! ```text
//! cargo run --release --example quickstart [ORDERS.json] [RULES.toml|RULES.json] [SHIPPING.json] [STOCK.json] [SHIPMENTS.json]
//! ```
//!
//! By default it reads `examples/data/orders.json` (eleven sample orders from
//! Rakuten, Amazon, Yahoo!, Shopify and an own site; one is deliberately invalid),
//! `examples/data/rules.toml` (the example rule set) and `examples/data/shipping.json`
//! (a shipping policy: cut-off, handling days, store and warehouse calendars) and
//! `examples/data/stock.json` (a catalog, stock counts, the reservation strategy and
//! the channel allocation) and `examples/data/shipments.json` (the shipment policy:
//! split keys, fees, item weights and mail fractions, carrier profiles). Invalid
//! orders are reported with the path of every problem; the valid ones are reserved
//! in arrival order (what cannot be reserved waits: 引当待ち), get a ship-date plan,
//! merge candidates (同梱候補) are found among them, and they are triaged with the
//! facts of all three. Each order's boxes are planned from its reservations (and
//! judged for a mail packet when it ships by one). Then it prints the quantities
//! each channel should now show, and the orders' sales by channel and the CPM
//! segments of their customers, resolved by 名寄せ. Nothing is saved:
//! this is the dry-run (シミュレーション) a shop runs before switching a rule set on.
#![allow(clippy::print_stdout, reason = "an example prints its result")]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ichigen::clock::Clock;
use ichigen::clock::FixedClock;
use ichigen::rules::{DryRunReport, RuleSet, TriageContext, dry_run};
use ichigen::shipdate::{ShipPlan, ShippingPolicy};
use ichigen::shipment::{Planner, Reservation, ShipmentPlan};
use ichigen::stock::{
    AllocationPolicy, Allocator, Catalog, ReservationOutcome, ReservationPolicy, ReserveRequest,
    StockBook, StockLevel,
};
use ichigen::validate::parse_order_value;
use serde::Deserialize;

/// The sample file: the instant to run at, and orders with optional context.
#[derive(Deserialize)]
struct Batch {
    /// The clock the dry-run uses, so that the output does not change with the day.
    as_of: String,
    orders: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    order: serde_json::Value,
    #[serde(default)]
    context: Option<TriageContext>,
}

/// The stock file: catalog, counts, reservation policy, channel allocation.
#[derive(Deserialize)]
struct StockFile {
    catalog: serde_json::Value,
    #[serde(default)]
    levels: Vec<StockLevel>,
    #[serde(default)]
    policy: Option<ReservationPolicy>,
    allocation: AllocationPolicy,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let orders_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir().join("orders.json"));
    let rules_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir().join("rules.toml"));

    let rules_text = std::fs::read_to_string(&rules_path)?;
    let rules = if rules_path.extension().is_some_and(|e| e == "toml") {
        RuleSet::from_toml(&rules_text)?
    } else {
        RuleSet::from_json(&rules_text)?
    };
    let shipping_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir().join("shipping.json"));
    let policy = ShippingPolicy::from_value(serde_json::from_str(&std::fs::read_to_string(
        &shipping_path,
    )?)?)?;
    let stock_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir().join("stock.json"));
    let stock: StockFile = serde_json::from_str(&std::fs::read_to_string(&stock_path)?)?;
    let catalog = std::sync::Arc::new(Catalog::from_json(stock.catalog)?);
    let mut book = StockBook::new(catalog.clone(), stock.policy.unwrap_or_default());
    for level in &stock.levels {
        book.set_level(level)?;
    }
    let mut allocator = Allocator::new(catalog, stock.allocation)?;
    // What the channels show before these orders: the baseline the deltas compare to.
    let before = allocator.sync(&mut book).len();
    let shipments_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir().join("shipments.json"));
    let planner = Planner::new(serde_json::from_str(&std::fs::read_to_string(
        &shipments_path,
    )?)?)?;
    let batch: Batch = serde_json::from_str(&std::fs::read_to_string(&orders_path)?)?;
    let clock = FixedClock::parse(&batch.as_of)?;

    // Good orders go on; bad ones are reported with every problem and its path.
    let mut orders = Vec::new();
    let mut contexts = Vec::new();
    let mut plans = Vec::new();
    let mut reservations = Vec::new();
    let mut rejected = Vec::new();
    for (i, entry) in batch.orders.into_iter().enumerate() {
        let id = entry
            .order
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_owned();
        match parse_order_value(entry.order) {
            Ok(order) => {
                // The ship-date plan's facts (transit days, a designated date that
                // cannot be met or makes the order wait) join the triage context.
                let mut context = entry.context.unwrap_or_default();
                let plan = policy.plan_order(&order, clock.today_in(order.shop_zone))?;
                plan.triage_facts(&mut context);
                // Reserved in arrival order; whether it waits for stock joins the
                // context (the awaiting-stock rule holds it: 引当待ち).
                let reserved = book.reserve(&ReserveRequest::from_order(&order))?;
                reserved.facts().apply_to(&mut context);
                reservations.push(reserved);
                plans.push(plan);
                orders.push(order);
                contexts.push(context);
            }
            Err(e) => rejected.push((i, id, e)),
        }
    }
    // Orders that may ship together (同梱) are flagged for triage.
    let candidates = planner.merge_candidates(&orders, &[]);
    for (context, flag) in contexts.iter_mut().zip(candidates.flags(orders.len())) {
        context.merge_candidate = Some(flag);
    }
    // Each order's boxes, from its reservations in line units.
    let mut boxes = Vec::new();
    for (order, reserved) in orders.iter().zip(&reservations) {
        let stock = Reservation::from_stock(&reserved.reserved, &reserved.backordered, order);
        boxes.push(planner.split(order, &stock)?);
    }
    let report = dry_run(&rules, &orders, &contexts, &clock)?;

    let mode = serde_json::to_value(rules.mode())?;
    let shown = std::fs::canonicalize(&orders_path).unwrap_or(orders_path.clone());
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = shown
        .strip_prefix(&cwd)
        .unwrap_or(&shown)
        .display()
        .to_string();
    println!(
        "ichigen quickstart: rule set `{}` ({}) over {shown}",
        rules.name(),
        mode.as_str().unwrap_or("?")
    );
    println!(
        "as of {} · {} orders read, {} valid, {} rejected\n",
        batch.as_of,
        orders.len() + rejected.len(),
        orders.len(),
        rejected.len()
    );
    print_table(&report, &orders, &plans, &reservations, &boxes, &planner);
    if candidates.groups.is_empty() {
        println!("\nmerge candidates (同梱候補): none");
    } else {
        println!("\nmerge candidates (同梱候補), held for a person:");
        for g in &candidates.groups {
            let ids: Vec<&str> = g
                .orders
                .iter()
                .map(|&i| orders[i as usize].id.as_str())
                .collect();
            println!("  {}", ids.join(" + "));
        }
    }
    print_totals(&report);
    let deltas = allocator.sync(&mut book);
    println!(
        "\nstock to push ({} listings on {} channels shown before; {} changed by these orders):",
        before,
        allocator.policy().channels.len(),
        deltas.len()
    );
    for d in &deltas {
        println!(
            "  {:<9} {:<12} {:>3} → {:>3}",
            d.channel.as_str(),
            d.listing.as_str(),
            d.previous.unwrap_or(0),
            d.quantity
        );
    }
    print_analytics(&orders, &clock)?;
    if !rejected.is_empty() {
        println!("\nrejected orders (not triaged):");
        for (i, id, e) in &rejected {
            for issue in e.issues() {
                let path = issue.path.replacen('$', &format!("$.orders[{i}].order"), 1);
                println!("  {id:<10} {:<28} {path}  {}", issue.code, issue.message);
            }
        }
    }
    Ok(())
}

fn print_table(
    report: &DryRunReport,
    orders: &[ichigen::order::Order],
    plans: &[ShipPlan],
    reservations: &[ReservationOutcome],
    boxes: &[ShipmentPlan],
    planner: &Planner,
) {
    let header = [
        "order",
        "channel",
        "stock",
        "boxes",
        "ships",
        "arrives",
        "status",
        "holds",
        "tags",
        "matched rules",
    ];
    let mut rows = vec![header.map(String::from).to_vec()];
    for ((((item, order), plan), reserved), shipments) in report
        .items
        .iter()
        .zip(orders)
        .zip(plans)
        .zip(reservations)
        .zip(boxes)
    {
        let stock = if reserved.all_reserved() {
            let mut at: Vec<&str> = reserved
                .reserved
                .iter()
                .map(|r| r.location.as_str())
                .collect();
            at.dedup();
            at.join("+")
        } else {
            let short: Vec<String> = reserved
                .backordered
                .iter()
                .map(|b| format!("{}×{}", b.sku, b.quantity))
                .collect();
            format!("waits {}", short.join(" "))
        };
        // How many boxes and why; a mail-packet order says whether it fits one.
        let mut parcels = shipments.shipments.len().to_string();
        let mut causes: Vec<String> = Vec::new();
        if let Some(first) = shipments.shipments.first() {
            for k in &first.caused_by {
                causes.push(
                    serde_json::to_value(k)
                        .map_or_else(|_| "?".to_owned(), |v| v.as_str().unwrap_or("?").to_owned()),
                );
            }
        }
        if !causes.is_empty() {
            parcels = format!("{parcels} by {}", causes.join("+"));
        }
        if order.shipping.class == ichigen::order::ShippingClass::MailPacket {
            let verdict = planner.mail(order);
            parcels = if verdict.eligible && verdict.packets <= 1 {
                format!("{parcels} mail {}", verdict.load)
            } else {
                let why: Vec<String> = verdict
                    .reasons
                    .iter()
                    .map(|r| {
                        serde_json::to_value(r)
                            .ok()
                            .and_then(|v| v["code"].as_str().map(str::to_owned))
                            .unwrap_or_default()
                    })
                    .collect();
                format!("{parcels} no mail: {}", why.join(","))
            };
        }
        let mut row = vec![
            item.order_id.to_string(),
            order.channel.as_str().to_owned(),
            stock,
            parcels,
            plan.ship_date.format("%m/%d").to_string(),
            plan.delivery_date
                .map_or_else(|| "?".to_owned(), |d| d.format("%m/%d").to_string()),
        ];
        match (&item.outcome, &item.error) {
            (Some(o), _) => {
                row.push(format!("{} {}", o.status.japanese(), o.status));
                row.push(
                    o.holds
                        .iter()
                        .map(|h| h.status().as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                );
                row.push(
                    o.tags
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                );
                row.push(
                    o.matched
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            (None, Some(e)) => row.extend([
                format!("error {}", e.code),
                String::new(),
                String::new(),
                String::new(),
            ]),
            (None, None) => {
                row.extend([String::new(), String::new(), String::new(), String::new()])
            }
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| display_width(&r[c])).max().unwrap_or(0))
        .collect();
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| pad(cell, *w))
            .collect();
        println!("{}", cells.join("  ").trim_end());
        if n == 0 {
            println!(
                "{}",
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  ")
            );
        }
    }
}

/// The orders' customers resolved (名寄せ), then sales by channel and the CPM
/// segments of those customers as of the batch's day.
fn print_analytics(
    orders: &[ichigen::order::Order],
    clock: &FixedClock,
) -> Result<(), Box<dyn std::error::Error>> {
    use ichigen::analytics::{Axis, CpmConfig, OrderHistory, SalesQuery, Segment};
    use ichigen::identity::{IdentityConfig, IdentityRecord, Resolver};
    let records: Vec<IdentityRecord> = orders.iter().map(IdentityRecord::from_order).collect();
    let config = IdentityConfig::from_json(serde_json::json!({}))?;
    let (mut resolver, _) =
        Resolver::resolve(config, records.iter().map(IdentityRecord::view), &[]);
    let ids: Vec<String> = orders
        .iter()
        .map(|o| format!("C{}", resolver.customer_of(o.id.as_str()).unwrap_or(0)))
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let history = OrderHistory::from_orders(orders, &refs)?;
    let query = SalesQuery {
        group_by: vec![Axis::Channel],
        ..SalesQuery::default()
    };
    let sales = history.sales(&query)?;
    println!(
        "\nsales by channel ({} orders, {} customers after 名寄せ):",
        orders.len(),
        history.customer_ids().len()
    );
    for row in sales.rows_json(None) {
        println!(
            "  {:<9} {:>2} orders  ¥{:>7}  {} customers",
            row["channel"].as_str().unwrap_or("-"),
            row["orders"],
            row["revenue"].as_str().unwrap_or("?"),
            row["customers"]
        );
    }
    let today = clock.today_in(history.zone());
    let cpm = history.cpm(&CpmConfig::new(today))?;
    let counts = cpm.counts();
    let shown: Vec<String> = Segment::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{} {n}", s.label()))
        .collect();
    println!(
        "customers by CPM segment as of {today}: {}",
        shown.join(", ")
    );
    Ok(())
}

fn print_totals(report: &DryRunReport) {
    let t = &report.totals;
    println!("\nby status:");
    for (status, n) in &t.by_status {
        println!(
            "  {} {n:>4}",
            pad(&format!("{} {}", status.japanese(), status), 30)
        );
    }
    println!("by rule:");
    for rc in &t.by_rule {
        println!("  {} {:>4}", pad(rc.rule.as_str(), 26), rc.matched);
    }
    println!("unmatched {}, refused {}", t.unmatched, t.errors);
    for (fact, n) in &t.missing_facts {
        println!("  context fact `{fact}` missing for {n} orders (rules needing it did not fire)");
    }
}

/// Terminal width: East Asian wide characters take two columns.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.push_str(&" ".repeat(width.saturating_sub(display_width(s))));
    out
}

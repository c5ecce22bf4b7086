//! Measures what criterion does not: throughput over a million generated orders,
//! the wall time and memory of a one-million-order dry-run with traces, and the
//! in-memory size of a typical order.
//!
//! ```text
//! cargo run --release -p ichigen-benches --bin measure            # 1,000,000 orders
//! cargo run --release -p ichigen-benches --bin measure -- 100000  # fewer
//! cargo run --release -p ichigen-benches --bin measure -- shipdate           # 10,000,000 rows
//! cargo run --release -p ichigen-benches --bin measure -- shipdate 1000000   # fewer
//! ```
//!
//! `shipdate` plans generated rows with `BatchPlanner` (five store policies, three
//! carriers) on one thread and on two, and checks a sample against single plans.
//!
//! ```text
//! cargo run --release -p ichigen-benches --bin measure -- stock                  # 500k SKUs; 1M orders
//! cargo run --release -p ichigen-benches --bin measure -- stock --skus 100000 --orders 200000
//! cargo run --release -p ichigen-benches --bin measure -- stock-data --skus 500000 target/stock
//! cargo run --release -p ichigen-benches --bin measure -- stock-alloc target/stock --out q.csv
//! ```
//!
//! `stock` times `Allocator::recompute` on `--skus` SKUs × 10 channels × 5
//! locations (checked against the plain reference of `stock_data`), a reservation
//! followed by `Allocator::sync`, and `StockBook::reserve` of `--orders` generated
//! orders against `--order-skus` SKUs (priority and nearest), then cancels and
//! receipts that serve the backorder queue. `stock-data` writes the generated data
//! as CSV for `benches/compare/stock.sh`; `stock-alloc` reads it back and times
//! ichigen's allocation of it.
//!
//! Memory comes from two sources: the process's peak resident set (`VmHWM` in
//! `/proc/self/status`, reset before each phase through `/proc/self/clear_refs`),
//! and a counting global allocator that tracks bytes allocated, live and at peak.
//! The counting costs two relaxed atomic operations per allocation, and is active
//! during the throughput phases too.

// A global allocator is an unsafe trait; this one only forwards to `System` and
// counts, and lives in this measuring binary, never in a library.
#![allow(unsafe_code)]
// Printing the measurements is this binary's job.
#![allow(clippy::print_stdout)]
// Rates and megabytes for people to read.
#![allow(clippy::float_arithmetic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use ichigen_benches::{Fixture, match_counts, mode_name, reference_match_counts, triage_counts};
use ichigen_core::order::Order;
use ichigen_core::rules::{MatchMode, dry_run};

struct Counting;

/// Bytes ever allocated (growth by `realloc` included).
static ALLOCATED: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated and not yet freed.
static LIVE: AtomicU64 = AtomicU64::new(0);
/// The highest `LIVE` since the last reset.
static PEAK: AtomicU64 = AtomicU64::new(0);

fn grew(bytes: usize) {
    let bytes = bytes as u64;
    ALLOCATED.fetch_add(bytes, Relaxed);
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes as u64, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged
// and only updates counters.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counters at one moment.
#[derive(Clone, Copy)]
struct Mark {
    at: Instant,
    allocated: u64,
    live: u64,
}

impl Mark {
    /// Takes a mark and restarts the peak counters (allocator and `VmHWM`).
    fn start() -> Mark {
        reset_vm_hwm();
        PEAK.store(LIVE.load(Relaxed), Relaxed);
        Mark::now()
    }

    fn now() -> Mark {
        Mark {
            at: Instant::now(),
            allocated: ALLOCATED.load(Relaxed),
            live: LIVE.load(Relaxed),
        }
    }

    fn elapsed(&self) -> Duration {
        self.at.elapsed()
    }

    fn allocated_since(&self) -> u64 {
        ALLOCATED.load(Relaxed) - self.allocated
    }

    fn live_since(&self) -> i64 {
        LIVE.load(Relaxed) as i64 - self.live as i64
    }

    fn peak_above(&self) -> u64 {
        PEAK.load(Relaxed).saturating_sub(self.live)
    }
}

/// `VmHWM` (peak resident set) in kB, if the kernel shows it.
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `VmRSS` (current resident set) in kB.
fn vm_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0: write 5 to `clear_refs`).
fn reset_vm_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn kb_mib(kb: Option<u64>) -> String {
    kb.map_or_else(|| "n/a".to_owned(), |kb| mib(kb * 1024))
}

fn per_second(n: usize, d: Duration) -> String {
    rate(n, d, "orders")
}

fn rate(n: usize, d: Duration, what: &str) -> String {
    let rate = n as f64 / d.as_secs_f64();
    if rate >= 1e6 {
        format!("{:.2} M {what}/s", rate / 1e6)
    } else {
        format!("{:.0} k {what}/s", rate / 1e3)
    }
}

fn count_arg(arg: Option<String>, default: usize) -> usize {
    arg.and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("identity-data") {
        args.next();
        let n = count_arg(args.next(), 1_000_000);
        let out = args.next().unwrap_or_else(|| "target/identity.csv".into());
        identity_data(n, &out);
        return;
    }
    if args.peek().map(String::as_str) == Some("identity") {
        args.next();
        identity(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("stock") {
        args.next();
        stock(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("stock-data") {
        args.next();
        stock_data(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("stock-alloc") {
        args.next();
        stock_alloc(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("shipment") {
        args.next();
        shipment(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("shipment-data") {
        args.next();
        shipment_data(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("shipment-loop") {
        args.next();
        shipment_loop(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("shipment-merge") {
        args.next();
        shipment_merge(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("analytics") {
        args.next();
        analytics(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("analytics-data") {
        args.next();
        analytics_data_cmd(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("analytics-loop") {
        args.next();
        analytics_loop(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("clv") {
        args.next();
        clv(args.collect());
        return;
    }
    if args.peek().map(String::as_str) == Some("shipdate") {
        args.next();
        shipdate(count_arg(args.next(), 10_000_000));
        return;
    }
    let n = count_arg(args.next(), 1_000_000);
    println!("# ichigen measure: {n} generated orders, 80-rule set, one thread");
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |c| c.get())
    );
    println!();

    typical_order_size();

    // Generation.
    let mark = Mark::start();
    let f = Fixture::new(2026, n).expect("the generated rule sets load");
    let took = mark.elapsed();
    let retained = mark.live_since().max(0) as u64;
    println!("## generation");
    println!(
        "- {n} orders with contexts: {:.2} s ({}); retained {} ({} bytes per order with its context); VmHWM {}",
        took.as_secs_f64(),
        per_second(n, took),
        mib(retained),
        retained / n.max(1) as u64,
        kb_mib(vm_hwm_kb()),
    );
    println!();

    evaluation(&f, n);
    triage_one_at_a_time(&f, n.min(100_000));
    dry_run_batch(&f, n);
}

/// The typical 3-line sample order: `size_of::<Order>()` plus the heap it owns
/// (counted while cloning it), and what parsing it from JSON allocates.
fn typical_order_size() {
    let mark = Mark::start();
    let parsed = ichigen_core::sample::order();
    let parse_allocated = mark.allocated_since();
    let mark = Mark::start();
    let clone: Order = black_box(parsed.clone());
    let heap = mark.allocated_since();
    let inline = std::mem::size_of::<Order>();
    println!("## typical order (ichigen_core::sample::order, 3 lines)");
    println!(
        "- size_of::<Order>() = {inline} bytes; heap owned = {heap} bytes; total {} bytes",
        inline as u64 + heap
    );
    println!(
        "- parsing it from JSON allocates {parse_allocated} bytes in all (transient JSON values included)"
    );
    println!();
    drop(clone);
}

fn evaluation(f: &Fixture, n: usize) {
    println!("## evaluation: RuleSet::matching_rules, {n} orders");
    for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
        let rules = f.rules(mode);
        let (orders, contexts) = (&f.batch.orders, &f.batch.contexts);
        // The answer must be right before its speed means anything.
        let check = n.min(20_000);
        let expected = reference_match_counts(rules, &orders[..check], &contexts[..check], f.today)
            .expect("every rule loads alone");
        assert_eq!(
            match_counts(rules, &orders[..check], &contexts[..check], f.today),
            expected
        );
        let mut best = Duration::MAX;
        let mut matches = 0u64;
        for _ in 0..2 {
            let mark = Mark::start();
            let counts = match_counts(rules, black_box(orders), contexts, f.today);
            best = best.min(mark.elapsed());
            matches = counts.iter().sum();
        }
        println!(
            "- {}: {} (best of 2 passes, {:.3} s per pass; {:.1} matches per order)",
            mode_name(mode),
            per_second(n, best),
            best.as_secs_f64(),
            matches as f64 / n as f64,
        );
    }
    println!();
}

fn triage_one_at_a_time(f: &Fixture, n: usize) {
    println!("## triage one order at a time (actions and trace), {n} orders");
    for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
        let rules = f.rules(mode);
        let mark = Mark::start();
        let counts = triage_counts(
            rules,
            &f.batch.orders[..n],
            &f.batch.contexts[..n],
            &f.clock,
        );
        let took = mark.elapsed();
        assert_eq!(counts.errors, 0);
        println!(
            "- {}: {} ({:.2} s; {:.1} actions per order; {} allocated per order)",
            mode_name(mode),
            per_second(n, took),
            took.as_secs_f64(),
            counts.actions as f64 / n as f64,
            mark.allocated_since() / n as u64,
        );
    }
    println!();
}

fn dry_run_batch(f: &Fixture, n: usize) {
    println!("## dry-run of {n} orders with traces");
    println!("(the orders and contexts themselves were already in memory: see generation)");
    for mode in [MatchMode::AllMatching, MatchMode::FirstMatch] {
        let rules = f.rules(mode);
        let rss_before = vm_rss_kb();
        let mark = Mark::start();
        let report =
            dry_run(rules, &f.batch.orders, &f.batch.contexts, &f.clock).expect("contexts match");
        let took = mark.elapsed();
        let hwm = vm_hwm_kb();
        let peak = mark.peak_above();
        let retained = mark.live_since().max(0) as u64;
        let allocated = mark.allocated_since();
        assert_eq!(report.totals.orders, n as u64);
        assert_eq!(report.totals.errors, 0);
        let drop_mark = Mark::now();
        drop(report);
        let drop_took = drop_mark.elapsed();
        println!(
            "- {}: {:.2} s ({}); VmHWM {} (RSS before {}); allocator peak {} above the batch, report {} ({} bytes per order); {} allocated in all; dropping the report {:.2} s",
            mode_name(mode),
            took.as_secs_f64(),
            per_second(n, took),
            kb_mib(hwm),
            kb_mib(rss_before),
            mib(peak),
            mib(retained),
            retained / n.max(1) as u64,
            mib(allocated),
            drop_took.as_secs_f64(),
        );
    }
}

/// `measure shipdate`: generation, then `BatchPlanner::plan` on one thread and on
/// two (best of three runs each), the status counts, and a sample of rows checked
/// against `ShippingPolicy::plan`.
fn shipdate(n: usize) {
    use ichigen_benches::shipdate::{Rows, Setup, check_rows, describe_counts, status_counts};
    use ichigen_core::shipdate::batch::{NO_DATE, Output};

    println!("# ichigen measure shipdate: {n} generated rows, 5 store policies, 3 carriers");
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |c| c.get())
    );
    println!();
    let mark = Mark::start();
    let setup = Setup::load().expect("the bench policies build");
    let planner = setup.planner().expect("the planner prepares");
    println!(
        "- policies built and planner prepared: {:.1} ms",
        mark.elapsed().as_secs_f64() * 1e3
    );
    let mark = Mark::start();
    let rows = Rows::generate(2026, n);
    let took = mark.elapsed();
    println!(
        "- generation: {:.2} s ({}); {} in columns ({} bytes per row)",
        took.as_secs_f64(),
        rate(n, took, "rows"),
        mib(mark.live_since().max(0) as u64),
        mark.live_since().max(0) as u64 / n.max(1) as u64,
    );
    // The floor: reading every input column once.
    let mut floor = Duration::MAX;
    for _ in 0..3 {
        let mark = Mark::now();
        let sum = rows.ordered_at.iter().map(|&x| x as u64).sum::<u64>()
            ^ rows.policy.iter().map(|&x| u64::from(x)).sum::<u64>()
            ^ rows.destination.iter().map(|&x| u64::from(x)).sum::<u64>()
            ^ rows.carrier.iter().map(|&x| u64::from(x)).sum::<u64>()
            ^ rows.service.iter().map(|&x| u64::from(x)).sum::<u64>()
            ^ rows
                .handling_days
                .iter()
                .map(|&x| u64::from(x))
                .sum::<u64>()
            ^ rows.designated.iter().map(|&x| x as u64).sum::<u64>();
        black_box(sum);
        floor = floor.min(mark.elapsed());
    }
    println!(
        "- reading every input column once (a sum): {:.3} s ({:.1} GB/s)",
        floor.as_secs_f64(),
        26.0 * n as f64 / floor.as_secs_f64() / 1e9,
    );
    // What the planner's own output allocation costs: five columns, filled.
    let mark = Mark::now();
    let blank = Output {
        status: vec![0; n],
        ship_date: vec![NO_DATE; n],
        delivery_date: vec![NO_DATE; n],
        latest_ship_date: vec![NO_DATE; n],
        transit_days: vec![u8::MAX; n],
    };
    black_box(&blank);
    println!(
        "- allocating and filling the output columns alone: {:.3} s ({} bytes per row)",
        mark.elapsed().as_secs_f64(),
        mark.allocated_since() / n.max(1) as u64,
    );
    drop(blank);
    println!();

    let mut reference: Option<Output> = None;
    for threads in [1, 2] {
        println!("## BatchPlanner::plan_on_threads, {threads} thread(s)");
        let mut runs = Vec::new();
        for _ in 0..3 {
            let mark = Mark::start();
            let out = planner
                .plan_on_threads(&black_box(&rows).columns(), setup.today, threads)
                .expect("the columns have one length");
            runs.push(mark.elapsed());
            match &reference {
                None => reference = Some(out),
                Some(r) => assert!(*r == out, "runs disagree"),
            }
        }
        let best = runs.iter().copied().min().unwrap_or_default();
        println!(
            "- best of 3: {:.4} s ({}); runs {}",
            best.as_secs_f64(),
            rate(n, best, "rows"),
            runs.iter()
                .map(|d| format!("{:.4} s", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", "),
        );
        println!();
    }
    let out = &reference.expect("one run");
    sketch(&setup, &rows, out);
    println!("## answers");
    println!("- status counts: {}", describe_counts(&status_counts(out)));
    let step = (n / 20_000).max(1);
    let mark = Mark::now();
    let checked = check_rows(&setup, &rows, out, step);
    println!(
        "- every {step}th row against ShippingPolicy::plan: {} rows, {} mismatches ({:.2} s)",
        checked.rows,
        checked.mismatches,
        mark.elapsed().as_secs_f64(),
    );
    for e in &checked.examples {
        println!("  {e}");
    }
    assert_eq!(checked.mismatches, 0, "batch rows differ from single plans");
}

/// The branch-light experiment of `ichigen_benches::sketch` on the same rows:
/// every row must equal the planner's; timed into reused output columns (no page
/// faults) and into fresh ones.
fn sketch(
    setup: &ichigen_benches::shipdate::Setup,
    rows: &ichigen_benches::shipdate::Rows,
    reference: &ichigen_core::shipdate::batch::Output,
) {
    use ichigen_benches::sketch::Sketch;
    let n = rows.len();
    let Some(sketch) = Sketch::new(setup) else {
        println!("(the sketch needs a zone with one offset over 2026)");
        return;
    };
    println!("## experiment: the same rows, branch-light (benches/src/sketch.rs)");
    let mut out = Sketch::output(n);
    let mut reused = Duration::MAX;
    for _ in 0..3 {
        let mark = Mark::now();
        sketch.plan_into(black_box(rows), setup.today, &mut out);
        reused = reused.min(mark.elapsed());
    }
    assert!(out == *reference, "the sketch disagrees with BatchPlanner");
    let mut two = Duration::MAX;
    for _ in 0..3 {
        out.status.fill(u8::MAX);
        let mark = Mark::now();
        sketch.plan_into_threads(black_box(rows), setup.today, &mut out, 2);
        two = two.min(mark.elapsed());
    }
    assert!(out == *reference, "the sketch on two threads disagrees");
    drop(out);
    let mut fresh = Duration::MAX;
    for _ in 0..3 {
        let mark = Mark::now();
        let mut out = Sketch::output(n);
        sketch.plan_into(black_box(rows), setup.today, &mut out);
        fresh = fresh.min(mark.elapsed());
        black_box(&out);
    }
    println!(
        "- into reused output columns: {:.4} s ({}); into fresh ones: {:.4} s ({}); every row equal to BatchPlanner's",
        reused.as_secs_f64(),
        rate(n, reused, "rows"),
        fresh.as_secs_f64(),
        rate(n, fresh, "rows"),
    );
    println!(
        "- 2 threads into reused output columns: {:.4} s ({})",
        two.as_secs_f64(),
        rate(n, two, "rows"),
    );
    println!();
}

/// Writes `n` generated identity records to a CSV file (for benches/compare).
fn identity_data(n: usize, out: &str) {
    let records = ichigen_benches::identity_data::generate(n, 2026);
    let file = std::fs::File::create(out).expect("the output file can be created");
    ichigen_benches::identity_data::write_csv(&records, std::io::BufWriter::new(file))
        .expect("the CSV is written");
    println!("wrote {n} records to {out}");
}

/// Records read from the generator's CSV (`id,channel,store,name,kana,phone,email,
/// postal_code,prefecture,address1,address2,member_id,truth`).
struct IdentityRows {
    cols: Vec<Vec<Option<String>>>,
    channels: Vec<ichigen_core::order::Channel>,
    truth: Vec<u64>,
}

impl IdentityRows {
    fn generated(n: usize) -> IdentityRows {
        let recs = ichigen_benches::identity_data::generate(n, 2026);
        let mut buf = Vec::new();
        ichigen_benches::identity_data::write_csv(&recs, &mut buf).expect("in memory");
        IdentityRows::read(&buf[..])
    }

    fn read(input: impl std::io::Read) -> IdentityRows {
        use ichigen_core::order::Channel;
        let mut reader = csv::Reader::from_reader(input);
        let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); 11];
        let mut channels = Vec::new();
        let mut truth = Vec::new();
        for row in reader.records() {
            let row = row.expect("a CSV row");
            for (k, col) in cols.iter_mut().enumerate() {
                let field = if k == 0 { 0 } else { k + 1 };
                let v = row.get(field).unwrap_or("");
                col.push((!v.is_empty()).then(|| v.to_owned()));
            }
            let channel = row.get(1).unwrap_or("");
            channels.push(Channel::from_name(channel).expect("a known channel in the CSV"));
            truth.push(row.get(12).and_then(|t| t.parse().ok()).unwrap_or(0));
        }
        IdentityRows {
            cols,
            channels,
            truth,
        }
    }

    fn len(&self) -> usize {
        self.truth.len()
    }

    fn view(&self, i: usize) -> ichigen_core::identity::RecordRef<'_> {
        let c = |k: usize| self.cols[k][i].as_deref();
        ichigen_core::identity::RecordRef {
            id: c(0).unwrap_or(""),
            channel: self.channels[i],
            store: c(1).unwrap_or(""),
            name: c(2),
            kana: c(3),
            phone: c(4),
            email: c(5),
            postal_code: c(6),
            prefecture: c(7),
            address1: c(8),
            address2: c(9),
            member_id: c(10),
            customer_id: None,
            masked: false,
        }
    }
}

/// Pairwise precision and recall of `found` against `truth` (pairs of records in
/// one cluster), from the contingency counts.
fn pairwise(found: &[u64], truth: &[u64]) -> (f64, f64, u64, u64, u64) {
    use std::collections::BTreeMap;
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let count = |keys: &mut dyn Iterator<Item = (u64, u64)>| {
        let mut m: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        for k in keys {
            *m.entry(k).or_default() += 1;
        }
        m.values().map(|&n| pairs(n)).sum::<u64>()
    };
    let found_pairs = count(&mut found.iter().map(|&f| (f, 0)));
    let true_pairs = count(&mut truth.iter().map(|&t| (t, 0)));
    let both = count(&mut found.iter().zip(truth).map(|(&f, &t)| (f, t)));
    let p = if found_pairs == 0 {
        1.0
    } else {
        both as f64 / found_pairs as f64
    };
    let r = if true_pairs == 0 {
        1.0
    } else {
        both as f64 / true_pairs as f64
    };
    (p, r, both, found_pairs, true_pairs)
}

/// Batch and incremental resolution of generated (or given) records: time, memory,
/// and pairwise quality against the generator's ground truth.
fn identity(args: Vec<String>) {
    use ichigen_core::identity::{IdentityConfig, Resolver};
    let mut n = 1_000_000;
    let mut csv_in = None;
    let mut out = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--csv" => csv_in = it.next(),
            "--out" => out = it.next(),
            other => n = count_arg(Some(other.to_owned()), n),
        }
    }
    let rows = match &csv_in {
        Some(path) => IdentityRows::read(std::fs::File::open(path).expect("the CSV opens")),
        None => IdentityRows::generated(n),
    };
    let n = rows.len();
    println!("# ichigen measure identity: {n} records, default rules, one thread");
    {
        use ichigen_core::identity::normalize as nz;
        let relays = nz::default_relays();
        let time = |label: &str, f: &dyn Fn(usize) -> usize| {
            let mark = Mark::now();
            let mut total = 0;
            for i in 0..n {
                total += f(i);
            }
            black_box(total);
            let took = mark.elapsed();
            println!(
                "- normalize {label}: {:.0} ns per record",
                took.as_secs_f64() * 1e9 / n.max(1) as f64
            );
        };
        let v = |i: usize| rows.view(i);
        time("name", &|i| v(i).name.map_or(0, |s| nz::name(s).len()));
        time("phone", &|i| {
            v(i).phone
                .map_or(0, |s| nz::phone(s).map_or(0, |p| p.e164.len()))
        });
        time("email", &|i| {
            v(i).email
                .map_or(0, |s| nz::email(s, &relays).map_or(0, |e| e.address.len()))
        });
        time("address", &|i| {
            let r = v(i);
            nz::address(
                r.postal_code,
                r.prefecture,
                r.address1.unwrap_or(""),
                r.address2.unwrap_or(""),
            )
            .map_or(0, |a| a.street.len())
        });
    }
    let mut best = Duration::MAX;
    let mut resolver = None;
    let mut peak = 0;
    let mut hwm = None;
    for _ in 0..3 {
        drop(resolver.take());
        let mark = Mark::start();
        let (r, issues) =
            Resolver::resolve(IdentityConfig::default(), (0..n).map(|i| rows.view(i)), &[]);
        let took = mark.elapsed();
        black_box(issues.len());
        if took < best {
            best = took;
            peak = mark.peak_above();
            hwm = vm_hwm_kb();
        }
        resolver = Some(r);
    }
    let mut resolver = resolver.expect("resolved");
    println!(
        "- batch resolve (normalize + index + cluster): {:.3} s ({}); allocator peak {}; VmHWM {}",
        best.as_secs_f64(),
        rate(n, best, "records"),
        mib(peak),
        kb_mib(hwm),
    );
    let mut recompute = Duration::MAX;
    for _ in 0..3 {
        let mark = Mark::now();
        resolver.recompute();
        recompute = recompute.min(mark.elapsed());
    }
    println!(
        "- recompute from stored keys (index + cluster + ids): {:.3} s",
        recompute.as_secs_f64()
    );
    let ids = resolver.customer_ids();
    let customers = {
        let mut s = ids.clone();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let persons = {
        let mut s = rows.truth.clone();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let (p, r, both, found, truth) = pairwise(&ids, &rows.truth);
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    println!(
        "- quality: {customers} customers for {persons} persons; pairwise precision {p:.5}, recall {r:.5}, F1 {f1:.5} ({both} of {found} found pairs true, {truth} true pairs)"
    );
    println!(
        "- giant keys: {}; fuzzy candidates: {}",
        resolver.giant_keys().len(),
        ichigen_core::identity::candidates(&mut resolver).len()
    );
    let mut inc = Resolver::new(IdentityConfig::default());
    let mark = Mark::start();
    for i in 0..n {
        black_box(inc.insert_ref(&rows.view(i)).expect("inserts"));
    }
    let took = mark.elapsed();
    println!(
        "- incremental insert, one record at a time: {:.3} s, {:.2} µs per record",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / n.max(1) as f64
    );
    // The same customers (ids may differ: an id absorbed by a merge is an alias).
    let same = {
        use std::collections::BTreeMap;
        let (mut ab, mut ba) = (BTreeMap::new(), BTreeMap::new());
        inc.customer_ids()
            .iter()
            .zip(&ids)
            .all(|(&x, &y)| *ab.entry(x).or_insert(y) == y && *ba.entry(y).or_insert(x) == x)
    };
    println!("- incremental gives the batch's customers: {same}");
    if let Some(out) = out {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&out).expect("the output opens"));
        use std::io::Write as _;
        writeln!(w, "id,customer_id").expect("written");
        for (i, id) in ids.iter().enumerate() {
            writeln!(w, "{},{id}", rows.view(i).id).expect("written");
        }
        println!("- assignment written to {out}");
    }
    println!("ichigen_seconds: {:.6}", best.as_secs_f64());
}

/// Minimum, median and maximum of some runs, in milliseconds.
fn ms_summary(runs: &[Duration]) -> String {
    let mut v: Vec<f64> = runs.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return "no runs".to_owned();
    }
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms ({} runs)",
        v[0],
        v[v.len() / 2],
        v[v.len() - 1],
        v.len()
    )
}

/// The `p`th percentile (0–100) of sorted nanoseconds, in µs.
fn pct_us(sorted: &[u64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted[i] as f64 / 1e3
}

fn us_summary(mut ns: Vec<u64>) -> String {
    ns.sort_unstable();
    format!(
        "median {:.2} µs, p90 {:.2} µs, p99 {:.2} µs, min {:.2} µs",
        pct_us(&ns, 50),
        pct_us(&ns, 90),
        pct_us(&ns, 99),
        pct_us(&ns, 0),
    )
}

struct StockArgs {
    skus: usize,
    order_skus: usize,
    orders: usize,
    runs: usize,
    cycles: usize,
    exclusive_cycles: usize,
    dir: Option<String>,
    out: Option<String>,
}

fn stock_args(args: Vec<String>) -> StockArgs {
    let mut a = StockArgs {
        skus: 500_000,
        order_skus: 100_000,
        orders: 1_000_000,
        runs: 7,
        cycles: 20_000,
        exclusive_cycles: 100,
        dir: None,
        out: None,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--skus" => a.skus = count_arg(it.next(), a.skus),
            "--order-skus" => a.order_skus = count_arg(it.next(), a.order_skus),
            "--orders" => a.orders = count_arg(it.next(), a.orders),
            "--runs" | "--repeat" => a.runs = count_arg(it.next(), a.runs).max(1),
            "--cycles" => a.cycles = count_arg(it.next(), a.cycles).max(1),
            "--exclusive-cycles" => {
                a.exclusive_cycles = count_arg(it.next(), a.exclusive_cycles).max(1)
            }
            "--out" => a.out = it.next(),
            other => a.dir = Some(other.to_owned()),
        }
    }
    a
}

/// `measure stock`: allocation recompute and sync at `--skus` SKUs × 10 channels,
/// then reservations of `--orders` orders against `--order-skus` SKUs.
fn stock(args: Vec<String>) {
    let a = stock_args(args);
    println!(
        "# ichigen measure stock: allocation {} SKUs × 10 channels × 5 locations; {} orders against {} SKUs × 5 locations; one thread",
        a.skus, a.orders, a.order_skus
    );
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |c| c.get())
    );
    println!();
    stock_allocation(&a);
    stock_reservations(&a);
}

fn stock_allocation(a: &StockArgs) {
    use ichigen_benches::stock_data::{
        ChannelSpec, Shape, SpecMode, StockData, orders, policy_specs, reference_quantities,
        without_exclusive,
    };
    use ichigen_core::stock::{Allocator, Catalog, ReservationPolicy};
    use std::sync::Arc;

    println!("## allocation: {} SKUs × 10 channels × 5 locations", a.skus);
    let mark = Mark::start();
    let data = StockData::generate(Shape::new(a.skus), 2026);
    println!(
        "- generated {} SKUs and {} sets: {:.2} s",
        data.skus.len(),
        data.sets.len(),
        mark.elapsed().as_secs_f64()
    );
    let mark = Mark::start();
    let def = data.catalog_def();
    let def_took = mark.elapsed();
    let mark = Mark::start();
    let catalog = Arc::new(Catalog::new(def).expect("the generated catalog is valid"));
    let took = mark.elapsed();
    let listings = catalog.listing_count();
    println!(
        "- catalog: {listings} listings; definition built in {:.2} s, `Catalog::new` {:.2} s; allocator peak {} above the definition; VmHWM {}",
        def_took.as_secs_f64(),
        took.as_secs_f64(),
        mib(mark.peak_above()),
        kb_mib(vm_hwm_kb()),
    );
    let mark = Mark::start();
    let mut book = data.book(catalog.clone(), ReservationPolicy::default());
    println!(
        "- book: levels of {} cells set in {:.2} s; {} retained",
        data.on_hand.iter().filter(|&&q| q > 0).count(),
        mark.elapsed().as_secs_f64(),
        mib(mark.live_since().max(0) as u64),
    );
    let specs = policy_specs(10, 5);
    let mark = Mark::start();
    let mut alloc =
        Allocator::new(catalog.clone(), data.policy(&specs)).expect("the policy fits the catalog");
    println!(
        "- `Allocator::new`: {:.2} s; {} retained ({} bytes per listing)",
        mark.elapsed().as_secs_f64(),
        mib(mark.live_since().max(0) as u64),
        mark.live_since().max(0) as u64 / listings.max(1) as u64,
    );

    // The answer first.
    let free = data.free_cells(false);
    let mark = Mark::now();
    let expected = reference_quantities(&data, &specs, &free).concat();
    let reference_took = mark.elapsed();
    alloc.recompute(&book);
    let got: Vec<i64> = alloc.quantities().iter().map(|q| q.quantity).collect();
    assert!(got == expected, "recompute differs from the reference");
    let shown = got.iter().filter(|&&q| q > 0).count();
    println!(
        "- checked: every quantity equals the plain reference ({:.0} ms for the reference loop); {:.1}% of listing quantities above 0",
        reference_took.as_secs_f64() * 1e3,
        shown as f64 * 100.0 / got.len().max(1) as f64,
    );
    drop(got);

    let time_runs = |alloc: &mut Allocator, f: &dyn Fn(&mut Allocator)| -> Vec<Duration> {
        (0..a.runs)
            .map(|_| {
                let mark = Mark::now();
                f(alloc);
                mark.elapsed()
            })
            .collect()
    };
    let runs = time_runs(&mut alloc, &|al| al.recompute(black_box(&book)));
    println!(
        "- **`Allocator::recompute`**: {} (target ≤ 100 ms)",
        ms_summary(&runs)
    );
    let runs = time_runs(&mut alloc, &|al| {
        al.recompute_free(black_box(&free))
            .expect("one value per cell")
    });
    println!(
        "- `recompute_free` (the same, free stock given, the book not read): {}",
        ms_summary(&runs)
    );
    let variants: [(&str, Vec<ChannelSpec>); 3] = [
        ("without the exclusive channel", without_exclusive(&specs)),
        (
            "10 uniform channels, no exclusive, no binding",
            specs
                .iter()
                .map(|s| ChannelSpec {
                    mode: SpecMode::Uniform,
                    cap: None,
                    zero_below: None,
                    locations: None,
                    exclusive: false,
                    channel: s.channel,
                })
                .collect(),
        ),
        (
            "the policy with percent channels made uniform",
            specs
                .iter()
                .map(|s| ChannelSpec {
                    mode: match s.mode {
                        SpecMode::Percent(..) => SpecMode::Uniform,
                        m => m,
                    },
                    ..s.clone()
                })
                .collect(),
        ),
    ];
    for (label, v) in variants {
        let mut other =
            Allocator::new(catalog.clone(), data.policy(&v)).expect("the policy fits the catalog");
        let runs = time_runs(&mut other, &|al| al.recompute(black_box(&book)));
        let check = reference_quantities(&data, &v, &free).concat();
        let got: Vec<i64> = other.quantities().iter().map(|q| q.quantity).collect();
        assert!(
            got == check,
            "{label}: recompute differs from the reference"
        );
        println!("- recompute, {label}: {}", ms_summary(&runs));
    }

    // Sync after one reservation.
    let mark = Mark::now();
    let first = alloc.sync(&mut book);
    println!(
        "- first `sync` (everything, {} deltas): {:.0} ms",
        first.len(),
        mark.elapsed().as_secs_f64() * 1e3
    );
    drop(first);
    let reqs = orders(&data, a.cycles, 99);
    let mut plain = Allocator::new(catalog.clone(), data.policy(&without_exclusive(&specs)))
        .expect("the policy fits the catalog");
    exclusive_closure(&data, &reqs);
    let passes = [
        (
            "without the exclusive channel, movement log on (the default)",
            true,
            true,
        ),
        (
            "without the exclusive channel, movement log off",
            false,
            true,
        ),
        ("the policy (exclusive tmall), movement log on", true, false),
    ];
    for (label, movements, use_plain) in passes {
        let al = if use_plain { &mut plain } else { &mut alloc };
        // With the exclusive channel a sync can take milliseconds: fewer cycles.
        let reqs = if use_plain {
            &reqs[..]
        } else {
            &reqs[..reqs.len().min(a.exclusive_cycles)]
        };
        let pass = Instant::now();
        book.set_record_movements(movements);
        // A full first sync takes whatever the book marked before.
        black_box(al.sync(&mut book));
        let (mut reserve_ns, mut sync_ns, mut both_ns) = (Vec::new(), Vec::new(), Vec::new());
        let mut deltas = 0usize;
        for req in reqs {
            let t0 = Instant::now();
            let out = book.reserve(black_box(req)).expect("the request is valid");
            let t1 = Instant::now();
            let d = al.sync(&mut book);
            let t2 = Instant::now();
            deltas += d.len();
            reserve_ns.push((t1 - t0).as_nanos() as u64);
            sync_ns.push((t2 - t1).as_nanos() as u64);
            both_ns.push((t2 - t0).as_nanos() as u64);
            drop((out, d));
            // Put the stock back (untimed), so every cycle starts from the same levels.
            book.cancel(req.order.as_str(), None)
                .expect("the order is live");
            black_box(al.sync(&mut book));
            drop(book.take_movements());
        }
        println!(
            "- {} reservations, each followed by `sync`; {label}: {:.1} deltas per sync ({:.1} s for the pass, with the untimed cancels)",
            reqs.len(),
            deltas as f64 / reqs.len() as f64,
            pass.elapsed().as_secs_f64(),
        );
        println!(
            "  - **reserve + sync**: {} (target ≤ 5 µs)",
            us_summary(both_ns)
        );
        println!("  - reserve alone: {}", us_summary(reserve_ns));
        println!("  - sync alone: {}", us_summary(sync_ns));
    }
    let got: Vec<i64> = plain.quantities().iter().map(|q| q.quantity).collect();
    let check = reference_quantities(&data, &without_exclusive(&specs), &free).concat();
    assert!(
        got == check,
        "after the cycles, sync (no exclusive channel) differs"
    );
    drop((got, check, plain));
    // Every order was cancelled again: the quantities must be the first ones.
    let got: Vec<i64> = alloc.quantities().iter().map(|q| q.quantity).collect();
    assert!(
        got == expected,
        "after reserving and cancelling, sync left quantities that differ"
    );
    assert!(book.reconcile().ok);
    println!("- after the cycles every quantity is the reference's again; the book reconciles");
    println!();
}

/// How many SKUs `Allocator::sync` recomputes after one reservation when every set
/// is listed on the exclusive channel: the SKUs linked to the order's SKUs through
/// sets, transitively (connected components of the SKU–set graph).
fn exclusive_closure(
    data: &ichigen_benches::stock_data::StockData,
    reqs: &[ichigen_core::stock::ReserveRequest],
) {
    let n = data.skus.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    for set in &data.sets {
        let a = root(&mut parent, set[0].0);
        for &(s, _) in &set[1..] {
            let b = root(&mut parent, s);
            parent[b as usize] = a;
        }
    }
    let mut size = vec![0u32; n];
    for s in 0..n as u32 {
        let r = root(&mut parent, s);
        size[r as usize] += 1;
    }
    let largest = size.iter().copied().max().unwrap_or(0);
    let in_sets = {
        let mut seen = vec![false; n];
        for set in &data.sets {
            for &(s, _) in set {
                seen[s as usize] = true;
            }
        }
        seen.iter().filter(|&&b| b).count()
    };
    // The closure of each request, from the codes of its channel (Rakuten codes
    // are the SKUs in lower case; the other channels' codes are mapped back
    // through the data's code function).
    let catalog_codes: std::collections::HashMap<(usize, String), usize> = (0..data.item_count())
        .flat_map(|k| (0..data.shape.channels).map(move |ch| (ch, k)))
        .map(|(ch, k)| ((ch, data.code(ch, k)), k))
        .collect();
    let mut sizes: Vec<u64> = reqs
        .iter()
        .map(|r| {
            let ch = ichigen_benches::stock_data::CHANNELS
                .iter()
                .position(|&c| c == r.channel)
                .unwrap_or(0);
            let mut roots: Vec<u32> = Vec::new();
            for l in &r.lines {
                let code = l.listing_code.as_ref().map_or("", |c| c.as_str());
                if let Some(&k) = catalog_codes.get(&(ch, code.to_owned())) {
                    for (s, _) in data.components(k) {
                        let x = root(&mut parent, s);
                        if !roots.contains(&x) {
                            roots.push(x);
                        }
                    }
                }
            }
            roots.iter().map(|&x| u64::from(size[x as usize])).sum()
        })
        .collect();
    sizes.sort_unstable();
    let at = |p: usize| {
        sizes
            .get((sizes.len() * p / 100).min(sizes.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "- why sync is slow with the exclusive channel: {in_sets} SKUs are in sets (all listed on it); the largest group linked through sets has {largest} SKUs; a reservation's closure: median {} SKUs, p90 {}, max {} (each recomputed for 10 channels)",
        at(50),
        at(90),
        sizes.last().copied().unwrap_or(0),
    );
}

fn stock_reservations(a: &StockArgs) {
    use ichigen_benches::stock_data::{Shape, StockData, orders};
    use ichigen_core::stock::{ReservationPolicy, StockBook, Strategy};

    let n = a.orders;
    println!(
        "## reservations: {n} orders against {} SKUs × 5 locations",
        a.order_skus
    );
    let data = StockData::generate(Shape::new(a.order_skus), 2027);
    let catalog = data.catalog();
    let mark = Mark::start();
    let reqs = orders(&data, n, 2026);
    let took = mark.elapsed();
    let lines: usize = reqs.iter().map(|r| r.lines.len()).sum();
    println!(
        "- {n} requests generated in {:.2} s ({:.2} lines per order; {} of requests in memory)",
        took.as_secs_f64(),
        lines as f64 / n.max(1) as f64,
        mib(mark.live_since().max(0) as u64),
    );
    let demand: i64 = reqs
        .iter()
        .flat_map(|r| r.lines.iter())
        .map(|l| i64::from(l.quantity))
        .sum();
    let stock: i64 = data.free_cells(false).iter().sum();
    println!(
        "- units ordered (lines × quantity, sets counted once): {demand}; free units in stock: {stock}"
    );
    let policies = [
        (
            "priority (the default policy)",
            ReservationPolicy::default(),
        ),
        (
            "nearest (destinations given)",
            ReservationPolicy {
                strategy: Strategy::Nearest,
                ..ReservationPolicy::default()
            },
        ),
    ];
    let mut last: Option<StockBook> = None;
    for (label, policy) in policies {
        let mut runs = Vec::new();
        let mut summary = String::new();
        for run in 0..a.runs.clamp(1, 3) {
            drop(last.take());
            let mut book = data.book(catalog.clone(), policy);
            book.set_record_movements(false);
            let rss_before = vm_rss_kb();
            let mark = Mark::start();
            let (mut backordered, mut bo_units, mut units) = (0usize, 0i64, 0i64);
            for req in &reqs {
                let out = book.reserve(black_box(req)).expect("the request is valid");
                if !out.backordered.is_empty() {
                    backordered += 1;
                    bo_units += out.backordered_units();
                }
                units += out.reserved_units();
            }
            let took = mark.elapsed();
            runs.push(took);
            if run == 0 {
                summary = format!(
                    "{:.2}% of orders end with a backorder ({backordered}); {:.2}% of units backordered ({bo_units} of {}); book {} above the levels ({} bytes per order); allocator peak {}; VmHWM {} (RSS before {})",
                    backordered as f64 * 100.0 / n.max(1) as f64,
                    bo_units as f64 * 100.0 / (bo_units + units).max(1) as f64,
                    bo_units + units,
                    mib(mark.live_since().max(0) as u64),
                    mark.live_since().max(0) as u64 / n.max(1) as u64,
                    mib(mark.peak_above()),
                    kb_mib(vm_hwm_kb()),
                    kb_mib(rss_before),
                );
            }
            last = Some(book);
        }
        let mut sorted = runs.clone();
        sorted.sort();
        println!(
            "- **{label}**: {} to {} (runs {})",
            rate(n, sorted[sorted.len() - 1], "orders"),
            rate(n, sorted[0], "orders"),
            runs.iter()
                .map(|d| format!("{:.2} s", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", "),
        );
        println!("  - {summary}");
        let book = last.as_ref().expect("a run");
        let mark = Mark::now();
        let rec = book.reconcile();
        assert!(rec.ok, "{:?}", rec.problems.first());
        println!(
            "  - reconcile: ok, {} reservations, {} units waiting ({:.0} ms)",
            rec.reservations,
            rec.backordered_units,
            mark.elapsed().as_secs_f64() * 1e3
        );
    }
    // The default policy once more with the movement log on.
    {
        drop(last.take());
        let mut book = data.book(catalog.clone(), ReservationPolicy::default());
        let mark = Mark::start();
        for req in &reqs {
            black_box(book.reserve(req).expect("the request is valid"));
        }
        let took = mark.elapsed();
        let movements = book.take_movements();
        println!(
            "- priority with the movement log on (the default): {} ({:.2} s); {} movements ({:.1} per order); allocator peak {}",
            rate(n, took, "orders"),
            took.as_secs_f64(),
            movements.len(),
            movements.len() as f64 / n.max(1) as f64,
            mib(mark.peak_above()),
        );
        drop(movements);
        book.set_record_movements(false);
        last = Some(book);
    }
    let mut book = last.expect("a book");
    // Cancels: every 10th order; released units serve the queue.
    let mark = Mark::now();
    let (mut cancels, mut completed) = (0usize, 0usize);
    for req in reqs.iter().step_by(10) {
        let out = book
            .cancel(black_box(req.order.as_str()), None)
            .expect("the order is live");
        cancels += 1;
        completed += out.completed_orders.len();
    }
    let took = mark.elapsed();
    println!(
        "- cancel every 10th order: {cancels} cancels, {} ({:.2} µs each); {completed} waiting orders completed from the queue",
        rate(cancels, took, "cancels"),
        took.as_secs_f64() * 1e6 / cancels.max(1) as f64,
    );
    // Receipts: every SKU still waiting gets what it waits for at the main warehouse.
    let skus: Vec<(String, i64)> = (0..data.skus.len())
        .filter_map(|s| {
            let w = book.backordered(s as u32);
            (w > 0).then(|| (data.skus[s].clone(), w))
        })
        .collect();
    let mark = Mark::now();
    let mut completed = 0usize;
    for (sku, w) in &skus {
        let out = book
            .receive(sku, "wh-chiba", *w, false)
            .expect("a valid receipt");
        completed += out.completed_orders.len();
    }
    let took = mark.elapsed();
    let waiting: i64 = (0..data.skus.len())
        .map(|s| book.backordered(s as u32))
        .sum();
    println!(
        "- receive what each waiting SKU waits for: {} receipts, {} ({:.2} µs each); {completed} orders completed; {waiting} units still waiting",
        skus.len(),
        rate(skus.len(), took, "receipts"),
        took.as_secs_f64() * 1e6 / skus.len().max(1) as f64,
    );
    // A count below what is reserved: the release looks for the holders.
    let locs = data.shape.locations;
    let cells: Vec<usize> = (0..data.skus.len() * locs)
        .filter(|&c| {
            let v = book.cell_view((c / locs) as u32, (c % locs) as u32);
            v.reserved > 0 && v.free == 0
        })
        .take(20)
        .collect();
    let mark = Mark::now();
    for &c in &cells {
        book.adjust(
            &data.skus[c / locs],
            ichigen_benches::stock_data::LOCATIONS[c % locs].0,
            -1,
        )
        .expect("on hand stays at least 0");
    }
    let took = mark.elapsed();
    println!(
        "- adjust on hand down by 1 where everything is reserved (releases the newest holder): {:.2} ms per call ({} calls, {} orders in the book)",
        took.as_secs_f64() * 1e3 / cells.len().max(1) as f64,
        cells.len(),
        n,
    );
    let rec = book.reconcile();
    assert!(rec.ok, "{:?}", rec.problems.first());
    println!("- the book reconciles after cancels, receipts and counts");
}

/// `measure stock-data [--skus N] DIR`: the generated catalog, levels and policy
/// (without the exclusive carve-out) as CSV and JSON, for benches/compare.
fn stock_data(args: Vec<String>) {
    use ichigen_benches::stock_data::{Shape, StockData, policy_specs, without_exclusive};
    let a = stock_args(args);
    let dir = a.dir.unwrap_or_else(|| "target/stock".into());
    let data = StockData::generate(Shape::new(a.skus), 2026);
    let specs = without_exclusive(&policy_specs(10, 5));
    data.write_files(std::path::Path::new(&dir), &specs)
        .expect("the files are written");
    println!(
        "wrote {} SKUs, {} sets, {} listings to {dir}",
        data.skus.len(),
        data.sets.len(),
        data.item_count() * 10
    );
}

/// `measure stock-alloc DIR [--out OUT] [--repeat R]`: reads what `stock-data`
/// wrote, allocates it with ichigen, writes `channel,listing,quantity`, and prints
/// `ichigen_seconds: S` (best `recompute_free`) and `ichigen_snapshot_seconds: S`
/// (best of `free_cells` from the rows + `Allocator::new` + `recompute_free`).
fn stock_alloc(args: Vec<String>) {
    use ichigen_core::ids::{ListingCode, LocationId, Sku};
    use ichigen_core::order::Channel;
    use ichigen_core::stock::{
        AllocationPolicy, Allocator, Catalog, CatalogDef, Component, ListingDef, Location, SkuInfo,
        free_cells,
    };
    use std::io::Write as _;
    use std::path::Path;
    use std::sync::Arc;

    let a = stock_args(args);
    let dir = a.dir.unwrap_or_else(|| "target/stock".into());
    let dir = Path::new(&dir);
    let reader = |name: &str| csv::Reader::from_path(dir.join(name)).expect("the CSV opens");
    let mark = Mark::start();
    let skus: Vec<SkuInfo> = reader("skus.csv")
        .records()
        .map(|r| {
            let r = r.expect("a row");
            serde_json::from_value(serde_json::json!({"sku": &r[0]})).expect("a SKU")
        })
        .collect();
    let locations: Vec<Location> = reader("locations.csv")
        .records()
        .map(|r| {
            let r = r.expect("a row");
            Location {
                id: LocationId::new(&r[0]),
                prefecture: Some(r[1].to_owned()),
            }
        })
        .collect();
    let mut listings: Vec<ListingDef> = Vec::new();
    let mut last_id = u64::MAX;
    for r in reader("listings.csv").records() {
        let r = r.expect("a row");
        let id: u64 = r[0].parse().expect("a listing number");
        let comp = Component {
            sku: Sku::new(&r[3]),
            quantity: r[4].parse().expect("a quantity"),
        };
        if id == last_id {
            let l = listings.last_mut().expect("a listing");
            let first = l.sku.take().map(|sku| Component { sku, quantity: 1 });
            let comps = l.components.get_or_insert_with(Vec::new);
            comps.extend(first);
            comps.push(comp);
        } else {
            last_id = id;
            let channel = Channel::from_name(&r[1]).expect("a known channel");
            let single = comp.quantity == 1;
            listings.push(ListingDef {
                channel,
                store: None,
                code: ListingCode::new(&r[2]),
                sku: single.then(|| comp.sku.clone()),
                components: (!single).then(|| vec![comp]),
            });
        }
    }
    let mut rows: Vec<(String, String, i64, i64, i64)> = Vec::new();
    for r in reader("levels.csv").records() {
        let r = r.expect("a row");
        let num = |i: usize| -> i64 { r[i].parse().expect("a count") };
        rows.push((r[0].to_owned(), r[1].to_owned(), num(2), num(3), num(4)));
    }
    let policy_text = std::fs::read_to_string(dir.join("policy.json")).expect("policy.json");
    let policy = AllocationPolicy::from_json(
        serde_json::from_str(&policy_text).expect("policy.json is JSON"),
    )
    .expect("a valid policy");
    println!(
        "- read {} SKUs, {} listings, {} level rows: {:.2} s",
        skus.len(),
        listings.len(),
        rows.len(),
        mark.elapsed().as_secs_f64()
    );
    let mark = Mark::now();
    let catalog = Arc::new(
        Catalog::new(CatalogDef {
            skus,
            locations,
            listings,
        })
        .expect("a valid catalog"),
    );
    println!("- `Catalog::new`: {:.2} s", mark.elapsed().as_secs_f64());
    let row_refs = || {
        rows.iter()
            .map(|(s, l, o, r, b)| (s.as_str(), l.as_str(), *o, *r, *b))
    };
    let mut best_recompute = Duration::MAX;
    let mut best_snapshot = Duration::MAX;
    let mut alloc = None;
    for _ in 0..a.runs.min(5) {
        drop(alloc.take());
        let mark = Mark::now();
        let (free, issues) = free_cells(&catalog, row_refs());
        assert!(issues.is_empty(), "{:?}", issues.first());
        let mut al = Allocator::new(catalog.clone(), policy.clone()).expect("the policy fits");
        let start = Instant::now();
        al.recompute_free(black_box(&free))
            .expect("one value per cell");
        best_recompute = best_recompute.min(start.elapsed());
        best_snapshot = best_snapshot.min(mark.elapsed());
        alloc = Some(al);
    }
    let alloc = alloc.expect("one run");
    println!(
        "- free stock from the rows + `Allocator::new` + `recompute_free`: {:.3} s (best of {}); `recompute_free` alone {:.3} s",
        best_snapshot.as_secs_f64(),
        a.runs.min(5),
        best_recompute.as_secs_f64()
    );
    if let Some(out) = a.out {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&out).expect("the output opens"));
        writeln!(w, "channel,listing,quantity").expect("written");
        for q in alloc.quantities() {
            writeln!(
                w,
                "{},{},{}",
                q.channel.as_str(),
                q.listing.as_str(),
                q.quantity
            )
            .expect("written");
        }
        w.flush().expect("written");
        println!("- quantities written to {out}");
    }
    println!("ichigen_seconds: {:.6}", best_recompute.as_secs_f64());
    println!(
        "ichigen_snapshot_seconds: {:.6}",
        best_snapshot.as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// Shipments
// ---------------------------------------------------------------------------

struct ShipmentArgs {
    orders: usize,
    json_orders: Vec<usize>,
    skus: usize,
    runs: usize,
    dir: Option<String>,
    out: Option<String>,
}

fn shipment_args(args: Vec<String>) -> ShipmentArgs {
    let mut a = ShipmentArgs {
        orders: 1_000_000,
        json_orders: Vec::new(),
        skus: 3_000,
        runs: 3,
        dir: None,
        out: None,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--orders" => a.orders = count_arg(it.next(), a.orders),
            "--skus" => a.skus = count_arg(it.next(), a.skus),
            "--runs" | "--repeat" => a.runs = count_arg(it.next(), a.runs).max(1),
            "--out" => a.out = it.next(),
            "--json" => a.json_orders.push(count_arg(it.next(), 10_000)),
            other if other.chars().all(|c| c.is_ascii_digit() || c == '_') => {
                a.orders = count_arg(Some(other.to_owned()), a.orders)
            }
            other => a.dir = Some(other.to_owned()),
        }
    }
    a
}

/// Share of `n` in `of`, in percent.
fn pct(n: u64, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

/// `measure shipment [N] [--skus K] [--runs R]`: split + mail judgement of N
/// generated orders one at a time, and the merge-candidate search over all of them,
/// each checked against the plain references of `shipment_data`.
fn shipment(args: Vec<String>) {
    use ichigen_benches::shipment_data::{
        ShipmentData, SplitMailCounts, merge_groups, reference_merge_groups, reference_split_mail,
        split_mail_counts,
    };
    use ichigen_core::shipment::OrderFacts;

    let a = shipment_args(args);
    let n = a.orders;
    println!(
        "# ichigen measure shipment: {n} generated orders, {} products; one thread",
        a.skus
    );
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |c| c.get())
    );
    println!();

    let mark = Mark::start();
    let data = ShipmentData::generate_with(n, a.skus, 2026);
    let took = mark.elapsed();
    let retained = mark.live_since().max(0) as u64;
    let planner = data.planner().expect("the generated policy is valid");
    println!("## generation");
    println!(
        "- {n} orders: {:.2} s ({}); retained {} ({} bytes per order); VmHWM {}",
        took.as_secs_f64(),
        per_second(n, took),
        mib(retained),
        retained / n.max(1) as u64,
        kb_mib(vm_hwm_kb()),
    );
    let lines: usize = data.orders.iter().map(|o| o.lines.len()).sum();
    let mail_class = data
        .orders
        .iter()
        .filter(|o| o.shipping.class == ichigen_core::order::ShippingClass::MailPacket)
        .count();
    let cod = data
        .orders
        .iter()
        .filter(|o| o.payment.method == ichigen_core::order::PaymentMethod::Cod)
        .count();
    let single_ambient = data
        .orders
        .iter()
        .filter(|o| {
            o.lines
                .iter()
                .all(|l| l.temperature == ichigen_core::order::TemperatureZone::Ambient)
        })
        .count();
    println!(
        "- {:.2} lines per order; {:.1}% all ambient; {:.1}% class mail_packet; {:.1}% COD",
        lines as f64 / n.max(1) as f64,
        pct(single_ambient as u64, n),
        pct(mail_class as u64, n),
        pct(cod as u64, n),
    );
    println!();

    // The reference first: a fast wrong answer must fail.
    let mark = Mark::start();
    let expected: SplitMailCounts = reference_split_mail(&data, &data.orders);
    println!("## split + mail judgement, one order at a time");
    println!(
        "- reference loop (plain, over the catalog): {:.2} s",
        mark.elapsed().as_secs_f64()
    );
    println!(
        "- answer: {:.3} shipments per order; {:.1}% of orders split; mail: {:.1}% eligible, {} one packet, {} two packets, {} box; {:.3} packets per order; Σ totals ¥{}",
        expected.shipments as f64 / n.max(1) as f64,
        pct(expected.split, n),
        pct(expected.eligible, n),
        expected.outcomes[0],
        expected.outcomes[1],
        expected.outcomes[2],
        expected.packets as f64 / n.max(1) as f64,
        expected.total_yen,
    );
    let mut best = Duration::MAX;
    let mut allocated = 0;
    for _ in 0..a.runs {
        let mark = Mark::start();
        let got = split_mail_counts(&planner, black_box(&data.orders));
        let t = mark.elapsed();
        allocated = mark.allocated_since();
        assert_eq!(got, expected, "split + mail differ from the reference");
        best = best.min(t);
    }
    println!(
        "- `split(&order, &[])` + `mail(&order)`: **{}** ({:.0} ns per order; best of {}, {:.3} s per pass); {} bytes allocated per order",
        per_second(n, best),
        best.as_nanos() as f64 / n.max(1) as f64,
        a.runs,
        best.as_secs_f64(),
        allocated / n.max(1) as u64,
    );
    // Each half alone, to see where the time goes.
    let mut best_split = Duration::MAX;
    let mut best_mail = Duration::MAX;
    let mut split_alloc = 0;
    let mut mail_alloc = 0;
    for _ in 0..a.runs {
        let mark = Mark::start();
        let mut shipments = 0usize;
        for o in &data.orders {
            shipments += planner
                .split(black_box(o), &[])
                .map_or(0, |p| p.shipments.len());
        }
        best_split = best_split.min(mark.elapsed());
        split_alloc = mark.allocated_since();
        assert_eq!(shipments as u64, expected.shipments);
        let mark = Mark::start();
        let mut packets = 0u64;
        for o in &data.orders {
            packets += u64::from(planner.mail(black_box(o)).packets);
        }
        best_mail = best_mail.min(mark.elapsed());
        mail_alloc = mark.allocated_since();
        assert_eq!(packets, expected.packets);
    }
    println!(
        "- `split` alone: {} ({:.0} ns per order, {} bytes allocated per order); `mail` alone: {} ({:.0} ns per order, {} bytes allocated per order)",
        per_second(n, best_split),
        best_split.as_nanos() as f64 / n.max(1) as f64,
        split_alloc / n.max(1) as u64,
        per_second(n, best_mail),
        best_mail.as_nanos() as f64 / n.max(1) as f64,
        mail_alloc / n.max(1) as u64,
    );
    let mark = Mark::start();
    let mut found = 0usize;
    for o in &data.orders {
        for l in &o.lines {
            found += usize::from(planner.item(black_box(l)).is_some());
        }
    }
    println!(
        "- for scale: `Planner::item` (the item spec of a line, looked up by SKU), which `split` calls once per line and `mail` once more: {:.0} ns per line",
        mark.elapsed().as_nanos() as f64 / found.max(1) as f64
    );
    let mark = Mark::start();
    let mut touched = 0usize;
    for o in &data.orders {
        let o = black_box(o);
        let method = o.shipping.method.as_ref().map_or("", |m| m.as_str());
        touched += usize::from(planner.profile(method).is_some());
        let mut sum = ichigen_core::money::Amount::ZERO;
        for l in &o.lines {
            touched += usize::from(planner.item(l).is_some());
            sum += l.unit_price * ichigen_core::money::Amount::from(l.quantity);
        }
        touched += usize::from(sum.is_zero());
    }
    black_box(touched);
    println!(
        "- floor: what split + mail must at least read (the method's profile, each line's item spec, Σ quantity × price), once: {:.0} ns per order",
        mark.elapsed().as_nanos() as f64 / n.max(1) as f64
    );
    let mark = Mark::start();
    let mut totals = 0i64;
    for o in &data.orders {
        totals += black_box(ichigen_core::validate::compute_totals(black_box(o)))
            .total
            .mantissa() as i64;
    }
    black_box(totals);
    println!(
        "- for scale: `validate::compute_totals` alone (which `split` calls once per order): {:.0} ns per order",
        mark.elapsed().as_nanos() as f64 / n.max(1) as f64
    );
    println!();

    println!("## merge candidates over {n} orders");
    let (groups, excluded) = reference_merge_groups(&data.merge_truth);
    let in_groups: usize = groups.iter().map(Vec::len).sum();
    println!(
        "- answer: {} groups holding {} orders ({:.1}%); {} orders excluded",
        groups.len(),
        in_groups,
        pct(in_groups as u64, n),
        excluded
    );
    let mut runs = Vec::new();
    let mut peak = 0;
    let mut hwm = None;
    for _ in 0..a.runs {
        let mark = Mark::start();
        let found = planner.merge_candidates(black_box(&data.orders), &[]);
        runs.push(mark.elapsed());
        peak = peak.max(mark.peak_above());
        hwm = hwm.max(vm_hwm_kb());
        assert_eq!(
            merge_groups(&found),
            groups,
            "merge groups differ from the truth"
        );
        assert_eq!(found.excluded.len(), excluded);
    }
    let best = runs.iter().copied().min().unwrap_or_default();
    println!(
        "- `merge_candidates(&orders, &[])`: **{:.3} s** (best of {}: {}; {:.0} ns per order); allocator peak {} above the orders; VmHWM {}",
        best.as_secs_f64(),
        a.runs,
        runs.iter()
            .map(|r| format!("{:.3}", r.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        best.as_nanos() as f64 / n.max(1) as f64,
        mib(peak),
        kb_mib(hwm),
    );
    // The default policy uses the machine's cores to normalize.
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    if cores > 1 {
        let mut policy = data.policy();
        policy.threads = None;
        let threaded = ichigen_core::shipment::Planner::new(policy).expect("a valid policy");
        let mut best = Duration::MAX;
        for _ in 0..a.runs {
            let start = Instant::now();
            let found = threaded.merge_candidates(black_box(&data.orders), &[]);
            best = best.min(start.elapsed());
            assert_eq!(merge_groups(&found), groups);
        }
        println!(
            "- the same with `threads` left to the default ({cores} cores here): {:.3} s (best of {})",
            best.as_secs_f64(),
            a.runs
        );
    }
    // Where the time goes: the keys alone.
    let none = OrderFacts::default();
    let mark = Mark::start();
    let mut ok = 0usize;
    for o in &data.orders {
        ok += usize::from(black_box(planner.merge_key(black_box(o), &none)).is_ok());
    }
    let keys = mark.elapsed();
    println!(
        "- `merge_key` of every order alone (built and dropped): {:.3} s ({:.0} ns per order, {} bytes allocated per order)",
        keys.as_secs_f64(),
        keys.as_nanos() as f64 / n.max(1) as f64,
        mark.allocated_since() / n.max(1) as u64
    );
    assert_eq!(ok, n - excluded);
    merge_key_parts(&data.orders);
    merge_screen_share(&data.orders);
    merge_floor(&data.orders);
    println!();
}

/// What the normalizers inside `merge_key` cost on these orders, each alone.
fn merge_key_parts(orders: &[Order]) {
    use ichigen_core::identity::normalize as nz;
    let n = orders.len().max(1);
    let wide = |s: &str| {
        s.chars()
            .any(|c| ('\u{FF00}'..='\u{FFEF}').contains(&c) || c == '\u{2212}')
    };
    let with_wide = orders
        .iter()
        .filter(|o| {
            let r = &o.recipients[0];
            wide(&o.buyer.name)
                || o.buyer.phone.as_deref().is_some_and(wide)
                || wide(&r.name)
                || r.postal_code.as_deref().is_some_and(wide)
                || r.address1.as_deref().is_some_and(wide)
                || r.address2.as_deref().is_some_and(wide)
        })
        .count();
    println!(
        "- {:.1}% of the orders have a full-width or half-width form (or U+2212) in the fields merge_key normalizes",
        pct(with_wide as u64, n)
    );
    let time = |what: &str, f: &dyn Fn(&Order) -> usize| {
        let mark = Mark::start();
        let mut k = 0usize;
        for o in orders {
            k += f(black_box(o));
        }
        black_box(k);
        println!(
            "  - {what}: {:.0} ns per order, {} bytes allocated per order",
            mark.elapsed().as_nanos() as f64 / n as f64,
            mark.allocated_since() / n as u64
        );
    };
    println!("- the normalizers `merge_key` calls, each alone over every order:");
    time("`normalize::address` of the recipient", &|o| {
        let r = &o.recipients[0];
        nz::address(
            r.postal_code.as_deref(),
            r.prefecture.as_deref(),
            r.address1.as_deref().unwrap_or(""),
            r.address2.as_deref().unwrap_or(""),
        )
        .map_or(0, |a| a.street.len())
    });
    time(
        "`normalize::name` of the buyer and of the recipient",
        &|o| nz::name(&o.buyer.name).len() + nz::name(&o.recipients[0].name).len(),
    );
    time("`normalize::phone` of the buyer", &|o| {
        o.buyer
            .phone
            .as_deref()
            .map_or(0, |p| nz::phone(p).map_or(0, |p| p.e164.len()))
    });
    time(
        "`text::fold` of the recipient's address1 (one NFKC fold)",
        &|o| ichigen_core::text::fold(o.recipients[0].address1.as_deref().unwrap_or("")).len(),
    );
}

/// `measure shipment-data [N] DIR`: the generated orders as JSON lines and CSV,
/// for benches/compare/shipment.sh.
fn shipment_data(args: Vec<String>) {
    use ichigen_benches::shipment_data::ShipmentData;
    let a = shipment_args(args);
    let dir = a.dir.unwrap_or_else(|| "target/shipment".into());
    let mark = Mark::start();
    let data = ShipmentData::generate_with(a.orders, a.skus, 2026);
    data.write_files(std::path::Path::new(&dir))
        .expect("the files are written");
    println!(
        "wrote {} orders ({} products) to {dir} in {:.1} s",
        data.orders.len(),
        data.products.len(),
        mark.elapsed().as_secs_f64()
    );
}

/// `measure shipment-merge DIR [--out OUT] [--runs R] [--json K]…`: reads the
/// orders that `shipment-data` wrote (orders.jsonl, parsed and validated as the
/// JSON face does), times `Planner::merge_candidates` over them, writes
/// `group,order,parent` (order indices) to OUT, and prints `ichigen_seconds: S`
/// (best of R). With `--json K`, also times `shipment::json::merge_candidates` (what
/// the bindings call: decoding and checking each order, the search, the result as
/// JSON) on the first K orders.
fn shipment_merge(args: Vec<String>) {
    use ichigen_core::shipment::{Planner, ShipmentPolicy};
    use std::io::{BufRead as _, Write as _};

    let a = shipment_args(args);
    let dir = a.dir.unwrap_or_else(|| "target/shipment".into());
    let dir = std::path::Path::new(&dir);
    let mark = Mark::start();
    let file = std::fs::File::open(dir.join("orders.jsonl")).expect("orders.jsonl opens");
    let mut orders = Vec::new();
    for line in std::io::BufReader::with_capacity(1 << 20, file).lines() {
        let line = line.expect("a line");
        let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        orders.push(ichigen_core::validate::parse_order_value(value).expect("a valid order"));
    }
    let policy: ShipmentPolicy = serde_json::from_str(
        &std::fs::read_to_string(dir.join("policy.json")).expect("policy.json"),
    )
    .expect("a policy");
    let planner = Planner::new(policy).expect("a valid policy");
    println!(
        "- read and validated {} orders: {:.2} s",
        orders.len(),
        mark.elapsed().as_secs_f64()
    );
    let mut best = Duration::MAX;
    let mut found = None;
    for _ in 0..a.runs.max(1) {
        drop(found.take());
        let start = Instant::now();
        let f = planner.merge_candidates(black_box(&orders), &[]);
        best = best.min(start.elapsed());
        found = Some(f);
    }
    let found = found.expect("one run");
    println!(
        "- `merge_candidates`: {:.3} s (best of {}); {} groups, {} orders excluded",
        best.as_secs_f64(),
        a.runs.max(1),
        found.groups.len(),
        found.excluded.len()
    );
    if let Some(out) = a.out {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&out).expect("the output opens"));
        writeln!(w, "group,order,parent").expect("written");
        for (k, g) in found.groups.iter().enumerate() {
            for &o in &g.orders {
                writeln!(w, "{k},{o},{}", g.parent).expect("written");
            }
        }
        w.flush().expect("written");
        println!("- groups written to {out}");
    }
    println!("ichigen_seconds: {:.6}", best.as_secs_f64());
    // The JSON face the bindings call, on the first K orders (`--json K`, repeatable).
    for &k in &a.json_orders {
        let file = std::fs::File::open(dir.join("orders.jsonl")).expect("orders.jsonl opens");
        let values: Vec<serde_json::Value> = std::io::BufReader::new(file)
            .lines()
            .take(k)
            .map(|l| serde_json::from_str(&l.expect("a line")).expect("JSON"))
            .collect();
        let k = values.len();
        let start = Instant::now();
        let out = ichigen_core::shipment::json::merge_candidates(
            &planner,
            serde_json::Value::Array(values),
            serde_json::Value::Null,
        )
        .expect("the orders are valid");
        let took = start.elapsed();
        println!(
            "- `shipment::json::merge_candidates` (the bindings' call) over the first {k} orders as JSON values: {:.3} s ({:.1} µs per order; {} groups)",
            took.as_secs_f64(),
            took.as_nanos() as f64 / 1e3 / k.max(1) as f64,
            out["groups"].as_array().map_or(0, Vec::len)
        );
    }
}

/// `measure shipment-loop WHAT [N] [--runs PASSES]`: generates N orders (default
/// 100,000) and runs one operation over them PASSES times (default 10), for a
/// profiler: `split`, `mail`, `split-mail`, `merge` (merge_candidates) or `keys`
/// (merge_key of every order). Prints the time per order.
fn shipment_loop(mut args: Vec<String>) {
    use ichigen_benches::shipment_data::{ShipmentData, split_mail_counts};
    use ichigen_core::shipment::OrderFacts;
    let what = if args.is_empty() {
        String::from("split-mail")
    } else {
        args.remove(0)
    };
    let mut a = shipment_args(args);
    if a.orders == 1_000_000 {
        a.orders = 100_000;
    }
    if a.runs == 3 {
        a.runs = 10;
    }
    let data = ShipmentData::generate_with(a.orders, a.skus, 2026);
    let planner = data.planner().expect("a valid policy");
    let none = OrderFacts::default();
    let start = Instant::now();
    for _ in 0..a.runs {
        match what.as_str() {
            "split" => {
                for o in &data.orders {
                    black_box(planner.split(black_box(o), &[]).is_ok());
                }
            }
            "mail" => {
                for o in &data.orders {
                    black_box(planner.mail(black_box(o)));
                }
            }
            "merge" => {
                black_box(planner.merge_candidates(black_box(&data.orders), &[]));
            }
            "keys" => {
                for o in &data.orders {
                    black_box(planner.merge_key(black_box(o), &none).is_ok());
                }
            }
            _ => {
                black_box(split_mail_counts(&planner, black_box(&data.orders)));
            }
        }
    }
    let took = start.elapsed();
    println!(
        "{what}: {:.0} ns per order ({} orders × {} passes, {:.2} s)",
        took.as_nanos() as f64 / (a.orders * a.runs).max(1) as f64,
        a.orders,
        a.runs,
        took.as_secs_f64()
    );
}

/// A word-at-a-time hasher (FxHash's mixing), for the floor below.
#[derive(Default)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A floor for `merge_candidates`: every order's key fields hashed as they are
/// (no normalization, no key built) and the orders grouped by that hash. What a
/// search costs at this size for touching each order's strings once and grouping.
fn merge_floor(orders: &[Order]) {
    use std::hash::{Hash, Hasher};
    let mark = Mark::start();
    let mut by: std::collections::HashMap<u64, u32, std::hash::BuildHasherDefault<Fx>> =
        std::collections::HashMap::with_capacity_and_hasher(orders.len(), Default::default());
    let mut next = vec![u32::MAX; orders.len()];
    for (i, o) in orders.iter().enumerate() {
        let r = &o.recipients[0];
        let mut h = Fx::default();
        o.store.as_str().hash(&mut h);
        o.buyer.name.hash(&mut h);
        o.buyer.phone.hash(&mut h);
        r.name.hash(&mut h);
        r.postal_code.hash(&mut h);
        r.prefecture.hash(&mut h);
        r.address1.hash(&mut h);
        r.address2.hash(&mut h);
        o.shipping.method.hash(&mut h);
        o.shipping.class.hash(&mut h);
        o.shipping.desired_date.hash(&mut h);
        o.shipping.time_slot.hash(&mut h);
        o.gift.hash(&mut h);
        o.payment.method.hash(&mut h);
        let zones = o
            .lines
            .iter()
            .fold(0u8, |m, l| m | 1 << (l.temperature as u8));
        zones.hash(&mut h);
        // Chain the orders of one hash (a linked list through `next`).
        let head = by.entry(h.finish()).or_insert(u32::MAX);
        next[i] = *head;
        *head = i as u32;
    }
    let groups = by
        .values()
        .filter(|&&h| next[h as usize] != u32::MAX)
        .count();
    println!(
        "- floor: every order's key fields hashed raw (no normalization, no key built) and grouped: {:.3} s ({:.0} ns per order; {} groups of equal raw text)",
        mark.elapsed().as_secs_f64(),
        mark.elapsed().as_nanos() as f64 / orders.len().max(1) as f64,
        groups
    );
}

/// How many orders share with another order everything of the merge key that
/// needs no normalization but the postal code's digits (store, method, class,
/// dates, slot, zones, gift, payment, postal code): the orders a search must
/// normalize at least when it screens by those first.
fn merge_screen_share(orders: &[Order]) {
    use std::hash::{Hash, Hasher};
    let mut counts: std::collections::HashMap<u64, u32> =
        std::collections::HashMap::with_capacity(orders.len());
    let hashes: Vec<u64> = orders
        .iter()
        .map(|o| {
            let mut h = Fx::default();
            o.store.as_str().hash(&mut h);
            o.shipping.method.hash(&mut h);
            o.shipping.class.hash(&mut h);
            o.instructions.ship_date.hash(&mut h);
            o.shipping.desired_date.hash(&mut h);
            o.shipping.time_slot.hash(&mut h);
            o.lines
                .iter()
                .fold(0u8, |m, l| m | 1 << (l.temperature as u8))
                .hash(&mut h);
            o.gift.hash(&mut h);
            o.payment.method.hash(&mut h);
            o.recipients[0]
                .postal_code
                .as_deref()
                .map(|p| ichigen_core::identity::normalize::postal_code(p).ok())
                .hash(&mut h);
            let k = h.finish();
            *counts.entry(k).or_default() += 1;
            k
        })
        .collect();
    let shared = hashes.iter().filter(|k| counts[k] > 1).count();
    println!(
        "- {:.1}% of the orders share store, method, class, dates, slot, zones, gift, payment and postal code with another order (the ones any screen by those must still normalize)",
        pct(shared as u64, orders.len())
    );
}

// ---------------------------------------------------------------------------
// Analytics
// ---------------------------------------------------------------------------

struct AnalyticsArgs {
    orders: usize,
    customers: usize,
    runs: usize,
    dir: Option<String>,
    json: Option<String>,
}

fn analytics_args(
    args: Vec<String>,
    orders: usize,
    customers: usize,
    runs: usize,
) -> AnalyticsArgs {
    let mut a = AnalyticsArgs {
        orders,
        customers,
        runs,
        dir: None,
        json: None,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--orders" => a.orders = count_arg(it.next(), a.orders),
            "--customers" => a.customers = count_arg(it.next(), a.customers),
            "--runs" | "--repeat" => a.runs = count_arg(it.next(), a.runs).max(1),
            "--json" => a.json = it.next(),
            other if other.chars().all(|c| c.is_ascii_digit() || c == '_') => {
                a.orders = count_arg(Some(other.to_owned()), a.orders)
            }
            other => a.dir = Some(other.to_owned()),
        }
    }
    a
}

/// Runs `f` `runs` times; the durations sorted, and the last answer.
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let out = black_box(f());
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    (times, last.expect("at least one run"))
}

/// [`timed`] on a fresh copy of the history each run (copied outside the timing):
/// a history keeps the last customer facts it computed, and a run must not find
/// the previous run's.
fn timed_fresh<T>(
    runs: usize,
    h: &ichigen_core::analytics::OrderHistory,
    f: impl FnMut(&ichigen_core::analytics::OrderHistory) -> T,
) -> (Vec<Duration>, T) {
    timed_fresh_after(runs, h, |_| (), f)
}

/// [`timed_fresh`], with `prepare` run on each copy before the timing starts.
fn timed_fresh_after<T>(
    runs: usize,
    h: &ichigen_core::analytics::OrderHistory,
    mut prepare: impl FnMut(&ichigen_core::analytics::OrderHistory),
    mut f: impl FnMut(&ichigen_core::analytics::OrderHistory) -> T,
) -> (Vec<Duration>, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let fresh = h.clone();
        prepare(&fresh);
        let start = Instant::now();
        let out = black_box(f(&fresh));
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    (times, last.expect("at least one run"))
}

fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// "median M (min m, max x; R runs)".
fn spread(times: &[Duration]) -> String {
    format!(
        "median {} (min {}, max {}; {} runs)",
        ms(median(times)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

fn write_json(path: &Option<String>, value: &serde_json::Value) {
    if let Some(path) = path {
        std::fs::write(path, serde_json::to_string_pretty(value).expect("json"))
            .expect("the JSON file is written");
        println!("- written to {path}");
    }
}

/// `measure analytics [N] [--runs R] [--json OUT]`: N generated orders (10,000,000
/// by default, about N/10 customers); the history built (timed apart), then RFM
/// with quantile scores and CPM with the defaults as of the last day, on one
/// thread, each checked against the plain reference of `analytics_data`; the
/// median of R runs. Sales by year-month and channel, the balance sheet and the
/// CLV summary are timed too.
fn analytics(args: Vec<String>) {
    use ichigen_benches::analytics_data::{
        AS_OF, as_of, generate_orders, history, reference, score_counts,
    };
    use ichigen_core::analytics::clv::SummaryConfig;
    use ichigen_core::analytics::{Axis, BalanceConfig, CpmConfig, RfmConfig, SalesQuery, Segment};

    let a = analytics_args(args, 10_000_000, 0, 5);
    let n = a.orders;
    println!("# ichigen measure analytics: {n} generated orders, as of {AS_OF}; one thread");
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |c| c.get())
    );
    println!();

    let mark = Mark::start();
    let orders = generate_orders(n, 2026);
    let took = mark.elapsed();
    let customers = orders.customer.values.len();
    let cancelled = orders.cancelled.iter().filter(|&&c| c).count();
    println!("## generation");
    println!(
        "- {n} orders of {customers} customers ({:.2} orders each), {:.1}% cancelled: {:.2} s; columns {}",
        n as f64 / customers.max(1) as f64,
        pct(cancelled as u64, n),
        took.as_secs_f64(),
        mib(mark.live_since().max(0) as u64),
    );
    let mark = Mark::start();
    let expected = reference(&orders, as_of());
    println!(
        "- plain reference (chrono days, sorting): {:.2} s; {} customers with a purchase",
        mark.elapsed().as_secs_f64(),
        expected.customers
    );
    println!();

    println!("## the history (OrderHistory::new: checks, Tokyo days)");
    let mut build = Vec::new();
    let mut kept = None;
    for _ in 0..a.runs {
        let copy = orders.clone();
        let mark = Mark::start();
        let h = history(copy).expect("the generated history is valid");
        build.push(mark.elapsed());
        kept = Some(h);
    }
    build.sort();
    let h = kept.expect("built");
    drop(orders);
    println!("- build: {}", spread(&build));
    println!();

    let rfm_config: RfmConfig =
        serde_json::from_value(serde_json::json!({"as_of": AS_OF})).expect("config");
    let cpm_config = CpmConfig::new(as_of());
    println!("## RFM (quantiles) and CPM (defaults), as of {AS_OF}");
    // Each run on a fresh copy: the history keeps the last facts it computed
    // (RFM then CPM as of one day read the rows once), and a run must do the work.
    let (rfm_times, rfm) = timed_fresh(a.runs, &h, |h| h.rfm(&rfm_config).expect("rfm"));
    let (cpm_times, cpm) = timed_fresh(a.runs, &h, |h| h.cpm(&cpm_config).expect("cpm"));
    let (both_times, _) = timed_fresh(a.runs, &h, |h| {
        (
            h.rfm(&rfm_config).expect("rfm"),
            h.cpm(&cpm_config).expect("cpm"),
        )
    });
    // A history that already ran an analysis as of another day keeps its
    // buffers: the same work without first-touch page faults.
    let day_before = CpmConfig::new(as_of().pred_opt().expect("a day before"));
    let (warm_times, _) = timed_fresh_after(
        a.runs,
        &h,
        |h| drop(h.cpm(&day_before).expect("cpm")),
        |h| {
            (
                h.rfm(&rfm_config).expect("rfm"),
                h.cpm(&cpm_config).expect("cpm"),
            )
        },
    );
    let _ = h.rfm(&rfm_config).expect("rfm");
    let (cached_times, _) = timed(a.runs, || h.cpm(&cpm_config).expect("cpm"));
    let scores = score_counts(&rfm.r, &rfm.f, &rfm.m);
    let segments = cpm.counts().map(|c| c as u64);
    assert_eq!(rfm.len() as u64, expected.customers, "RFM customers");
    assert_eq!(
        scores, expected.scores,
        "RFM scores differ from the reference"
    );
    assert_eq!(
        segments, expected.segments,
        "CPM segments differ from the reference"
    );
    println!("- rfm: {}", spread(&rfm_times));
    println!("- cpm: {}", spread(&cpm_times));
    println!(
        "- **rfm + cpm: {}** ({}); target 0.35 s",
        spread(&both_times),
        rate(n, median(&both_times), "orders")
    );
    println!(
        "- rfm + cpm on a history that ran an analysis as of the day before (buffers kept): {}",
        spread(&warm_times)
    );
    println!(
        "- cpm when the history already holds the facts as of the day (after rfm): {}",
        spread(&cached_times)
    );
    println!(
        "- build + rfm + cpm (medians): {}",
        ms(median(&build) + median(&both_times))
    );
    println!(
        "- checked: {} customers, 125 score triples and 10 segment counts equal the plain reference",
        rfm.len()
    );
    let (table_times, _) = timed(a.runs, || (rfm.table(&h), cpm.table(&h)));
    println!(
        "- rfm.table + cpm.table (the result tables every binding converts): {}",
        spread(&table_times)
    );
    let marginal = |k: usize| -> Vec<u64> {
        (0..5)
            .map(|s| {
                (0..125)
                    .filter(|i| [i / 25, i / 5 % 5, i % 5][k] == s)
                    .map(|i| scores[i])
                    .sum()
            })
            .collect()
    };
    println!(
        "- scores 1..5: r {:?}, f {:?}, m {:?}",
        marginal(0),
        marginal(1),
        marginal(2)
    );
    println!("- segments:");
    for s in Segment::ALL {
        println!("  - {} ({}): {}", s.code(), s.label(), segments[s as usize]);
    }
    println!();

    println!("## other analyses (one thread)");
    let sales_query = SalesQuery {
        group_by: vec![Axis::YearMonth, Axis::Channel],
        ..SalesQuery::default()
    };
    let (t, sales) = timed(a.runs, || h.sales(&sales_query).expect("sales"));
    println!(
        "- sales by [year_month, channel] ({} rows): {}",
        sales.rows(),
        spread(&t)
    );
    let (t, _) = timed_fresh(a.runs, &h, |h| {
        h.balance_sheet(&BalanceConfig::new(as_of())).expect("bs")
    });
    println!("- balance_sheet: {}", spread(&t));
    let summary_config = SummaryConfig {
        observation_end: as_of(),
        period_days: 1.0,
    };
    let (t, s) = timed(a.runs.min(3), || {
        h.clv_summary(&summary_config).expect("summary")
    });
    println!(
        "- clv_summary (days): {} for {} customers",
        spread(&t),
        s.len()
    );
    println!();

    let secs = |t: &[Duration]| median(t).as_secs_f64();
    write_json(
        &a.json,
        &serde_json::json!({
            "orders": n,
            "customers": expected.customers,
            "runs": a.runs,
            "build_seconds": secs(&build),
            "rfm_seconds": secs(&rfm_times),
            "cpm_seconds": secs(&cpm_times),
            "rfm_cpm_seconds": secs(&both_times),
            "rfm_cpm_min_seconds": both_times[0].as_secs_f64(),
            "rfm_cpm_warm_seconds": secs(&warm_times),
            "tables_seconds": secs(&table_times),
            "segments": Segment::ALL.iter().map(|s| (s.code().to_owned(), serde_json::json!(segments[*s as usize]))).collect::<serde_json::Map<_, _>>(),
            "scores": scores,
        }),
    );
}

/// `measure analytics-data [N] DIR [--customers M]`: writes N generated orders
/// (`orders.arrow`), M synthetic CLV summaries (`clv_synthetic.arrow`, 1,000,000
/// by default) and what the plain reference finds in the orders
/// (`expected.json`) for `benches/compare/analytics.sh`.
fn analytics_data_cmd(args: Vec<String>) {
    use ichigen_benches::analytics_data::{
        AS_OF, as_of, clv_synthetic, generate_orders, reference, write_clv_ipc, write_orders_ipc,
    };
    let a = analytics_args(args, 10_000_000, 1_000_000, 1);
    let dir = std::path::PathBuf::from(a.dir.unwrap_or_else(|| "target/analytics".into()));
    std::fs::create_dir_all(&dir).expect("the folder is created");
    let mark = Mark::start();
    let orders = generate_orders(a.orders, 2026);
    println!(
        "- {} orders of {} customers generated: {:.2} s",
        a.orders,
        orders.customer.values.len(),
        mark.elapsed().as_secs_f64()
    );
    let mark = Mark::start();
    write_orders_ipc(&orders, &dir.join("orders.arrow")).expect("orders.arrow is written");
    println!(
        "- orders.arrow written: {:.2} s",
        mark.elapsed().as_secs_f64()
    );
    let expected = reference(&orders, as_of());
    let doc = serde_json::json!({
        "as_of": AS_OF,
        "orders": a.orders,
        "customers": expected.customers,
        "segments": expected.segments,
        "scores": expected.scores,
        "spend": expected.spend.to_string(),
    });
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_string_pretty(&doc).expect("json"),
    )
    .expect("expected.json is written");
    println!("- expected.json written ({} customers)", expected.customers);
    drop(orders);
    if a.customers > 0 {
        let mark = Mark::start();
        let s = clv_synthetic(a.customers, 2026);
        write_clv_ipc(&s, &dir.join("clv_synthetic.arrow")).expect("clv_synthetic.arrow");
        println!(
            "- clv_synthetic.arrow: {} customers, {:.2} s",
            s.len(),
            mark.elapsed().as_secs_f64()
        );
    }
}

/// Predictions for every customer by the core's batch `clv::Predictor` (two
/// threads from 50,000 customers): expected purchases in `periods`, P(alive),
/// the expected value per purchase, and the CLV over `months` at 1% a month
/// (none when `months` is 0). Returns the sum of each.
fn clv_predict(
    bg: &ichigen_core::analytics::clv::BgNbd,
    gg: &ichigen_core::analytics::clv::GammaGamma,
    s: (&[f64], &[f64], &[f64], &[f64]),
    periods: f64,
    months: u32,
    period_days: f64,
) -> [f64; 4] {
    use ichigen_core::analytics::clv::Predictor;
    let (x, tx, t, m) = s;
    let p = Predictor {
        periods,
        months,
        period_days,
        ..Predictor::new(*bg, Some(*gg))
    };
    let out = p.predict(x, tx, t, Some(m)).expect("predictions");
    let sum = |v: &[Option<f64>]| v.iter().map(|x| x.unwrap_or(f64::NAN)).sum::<f64>();
    [
        sum(&out.expected_purchases),
        out.probability_alive.iter().sum(),
        sum(&out.expected_average_value),
        sum(&out.clv),
    ]
}

/// `measure clv [--customers M] [--runs R] [--json OUT]`: the CDNOW calibration
/// summary (2,357 customers, weeks, to 1997-09-30) built from the fixture's
/// transactions, fitted (BG/NBD, Gamma-Gamma) and predicted for every customer;
/// then M synthetic customers (1,000,000 by default) drawn from known
/// parameters, fitted and predicted.
fn clv(args: Vec<String>) {
    use ichigen_benches::analytics_data::{
        TRUE_BGNBD, TRUE_GAMMA_GAMMA, cdnow_history, cdnow_summary_config, clv_synthetic,
    };
    use ichigen_core::analytics::clv::{BgNbd, FitOptions, GammaGamma};

    let a = analytics_args(args, 0, 1_000_000, 5);
    let options = FitOptions::default();
    println!(
        "# ichigen measure clv: CDNOW and {} synthetic customers",
        a.customers
    );
    println!();

    println!("## CDNOW (tests/fixtures/cdnow, 39 weeks to 1997-09-30)");
    let h = cdnow_history().expect("the CDNOW fixture reads");
    let config = cdnow_summary_config();
    let cdnow_runs = (a.runs * 10).max(20);
    let (summary_times, s) = timed(cdnow_runs, || h.clv_summary(&config).expect("summary"));
    println!(
        "- clv_summary from {} transactions → {} customers: {}",
        h.len(),
        s.len(),
        spread(&summary_times)
    );
    let cols = (&s.frequency[..], &s.recency[..], &s.t[..], &s.monetary[..]);
    let (bg_times, bg) = timed(cdnow_runs, || {
        BgNbd::fit(&s.frequency, &s.recency, &s.t, None, &options).expect("fit")
    });
    let (gg_times, gg) = timed(cdnow_runs, || {
        GammaGamma::fit(&s.frequency, &s.monetary, None, &options).expect("fit")
    });
    let (bgm, ggm) = (bg.model, gg.model);
    let (predict_times, sums) = timed(cdnow_runs, || clv_predict(&bgm, &ggm, cols, 39.0, 0, 7.0));
    let (clv_times, clv_sums) = timed(cdnow_runs, || clv_predict(&bgm, &ggm, cols, 39.0, 12, 7.0));
    let (all_times, _) = timed(cdnow_runs, || {
        let bg = BgNbd::fit(&s.frequency, &s.recency, &s.t, None, &options).expect("fit");
        let gg = GammaGamma::fit(&s.frequency, &s.monetary, None, &options).expect("fit");
        clv_predict(&bg.model, &gg.model, cols, 39.0, 0, 7.0)
    });
    println!(
        "- BgNbd::fit: {}; r {:.4}, alpha {:.4}, a {:.4}, b {:.4}; LL {:.1}; {} iterations, {} distinct rows",
        spread(&bg_times),
        bgm.r,
        bgm.alpha,
        bgm.a,
        bgm.b,
        bg.diagnostics.log_likelihood,
        bg.diagnostics.iterations,
        bg.diagnostics.distinct_rows
    );
    println!(
        "- GammaGamma::fit: {}; p {:.4}, q {:.4}, v {:.4}; {} iterations",
        spread(&gg_times),
        ggm.p,
        ggm.q,
        ggm.v,
        gg.diagnostics.iterations
    );
    println!(
        "- predictions for {} customers (clv::Predictor: expected purchases in 39 weeks, P(alive), expected value; CLV over 0 months): {}; sums {:.3} / {:.3} / {:.3}",
        s.len(),
        spread(&predict_times),
        sums[0],
        sums[1],
        sums[2],
    );
    println!(
        "- with CLV over 12 months at 1% a month too: {} (CLV sum ${:.2})",
        spread(&clv_times),
        clv_sums[3]
    );
    println!(
        "- **fit + predict (without CLV): {}**; target 10 ms",
        spread(&all_times)
    );
    println!();
    let secs = |t: &[Duration]| median(t).as_secs_f64();
    let cdnow_json = serde_json::json!({
        "customers": s.len(),
        "summary_seconds": secs(&summary_times),
        "bgnbd_seconds": secs(&bg_times),
        "gamma_gamma_seconds": secs(&gg_times),
        "predict_seconds": secs(&predict_times),
        "clv_seconds": secs(&clv_times),
        "fit_predict_seconds": secs(&all_times),
        "bgnbd": {"r": bgm.r, "alpha": bgm.alpha, "a": bgm.a, "b": bgm.b},
        "gamma_gamma": {"p": ggm.p, "q": ggm.q, "v": ggm.v},
    });

    println!("## synthetic: {} customers, days", a.customers);
    let mark = Mark::start();
    let syn = clv_synthetic(a.customers, 2026);
    println!(
        "- drawn from r {}, alpha {}, a {}, b {}; p {}, q {}, v {}: {:.2} s; {:.1}% with repeat purchases",
        TRUE_BGNBD.r,
        TRUE_BGNBD.alpha,
        TRUE_BGNBD.a,
        TRUE_BGNBD.b,
        TRUE_GAMMA_GAMMA.p,
        TRUE_GAMMA_GAMMA.q,
        TRUE_GAMMA_GAMMA.v,
        mark.elapsed().as_secs_f64(),
        pct(
            syn.frequency.iter().filter(|&&x| x > 0.0).count() as u64,
            syn.len()
        )
    );
    let runs = a.runs.min(3);
    let (bg_times, bg) = timed(runs, || {
        BgNbd::fit(&syn.frequency, &syn.recency, &syn.t, None, &options).expect("fit")
    });
    let (gg_times, gg) = timed(runs, || {
        GammaGamma::fit(&syn.frequency, &syn.monetary, None, &options).expect("fit")
    });
    let (bgm, ggm) = (bg.model, gg.model);
    let cols = (
        &syn.frequency[..],
        &syn.recency[..],
        &syn.t[..],
        &syn.monetary[..],
    );
    let (predict_times, sums) = timed(runs, || clv_predict(&bgm, &ggm, cols, 30.0, 0, 1.0));
    let (clv_times, clv_sums) = timed(1, || clv_predict(&bgm, &ggm, cols, 30.0, 12, 1.0));
    let (all_times, _) = timed(runs, || {
        let bg = BgNbd::fit(&syn.frequency, &syn.recency, &syn.t, None, &options).expect("fit");
        let gg = GammaGamma::fit(&syn.frequency, &syn.monetary, None, &options).expect("fit");
        clv_predict(&bg.model, &gg.model, cols, 30.0, 0, 1.0)
    });
    println!(
        "- BgNbd::fit: {}; r {:.4}, alpha {:.3}, a {:.4}, b {:.4}; {} iterations, {} evaluations; {} distinct rows",
        spread(&bg_times),
        bgm.r,
        bgm.alpha,
        bgm.a,
        bgm.b,
        bg.diagnostics.iterations,
        bg.diagnostics.evaluations,
        bg.diagnostics.distinct_rows
    );
    println!(
        "- GammaGamma::fit: {}; p {:.4}, q {:.4}, v {:.1}; {} iterations, {} evaluations; {} distinct rows",
        spread(&gg_times),
        ggm.p,
        ggm.q,
        ggm.v,
        gg.diagnostics.iterations,
        gg.diagnostics.evaluations,
        gg.diagnostics.distinct_rows
    );
    println!(
        "- predictions (clv::Predictor, two threads: expected purchases in 30 days, P(alive), expected value; CLV over 0 months): {}; sums {:.1} / {:.1} / {:.0}",
        spread(&predict_times),
        sums[0],
        sums[1],
        sums[2]
    );
    println!(
        "- with CLV over 12 months at 1% a month too: {} (CLV sum ¥{:.0})",
        spread(&clv_times),
        clv_sums[3]
    );
    println!(
        "- **fit + predict (without CLV): {}**; target 1 s",
        spread(&all_times)
    );
    println!();

    write_json(
        &a.json,
        &serde_json::json!({
            "cdnow": cdnow_json,
            "synthetic": {
                "customers": syn.len(),
                "bgnbd_seconds": secs(&bg_times),
                "gamma_gamma_seconds": secs(&gg_times),
                "predict_seconds": secs(&predict_times),
                "clv_seconds": secs(&clv_times),
                "fit_predict_seconds": secs(&all_times),
                "bgnbd": {"r": bgm.r, "alpha": bgm.alpha, "a": bgm.a, "b": bgm.b},
                "gamma_gamma": {"p": ggm.p, "q": ggm.q, "v": ggm.v},
            },
        }),
    );
}

/// `measure analytics-loop WHAT [N] [--runs R]`: one analysis of N generated
/// orders (10,000,000 by default) in a loop, for `perf`. WHAT is `build`, `rfm`,
/// `cpm`, `rfm-cpm`, `sales` or `balance`; each run on a fresh copy of the
/// history (the copy is made in the loop too, so look at the analysis' symbols).
fn analytics_loop(mut args: Vec<String>) {
    use ichigen_benches::analytics_data::{AS_OF, as_of, generate_orders, history};
    use ichigen_core::analytics::{Axis, BalanceConfig, CpmConfig, RfmConfig, SalesQuery};

    let what = if args.is_empty() {
        "rfm-cpm".to_owned()
    } else {
        args.remove(0)
    };
    let a = analytics_args(args, 10_000_000, 0, 10);
    let orders = generate_orders(a.orders, 2026);
    let h = history(orders.clone()).expect("valid");
    let rfm_config: RfmConfig =
        serde_json::from_value(serde_json::json!({"as_of": AS_OF})).expect("config");
    let cpm_config = CpmConfig::new(as_of());
    let sales_query = SalesQuery {
        group_by: vec![Axis::YearMonth, Axis::Channel],
        ..SalesQuery::default()
    };
    let (times, _) = timed_fresh(a.runs, &h, |h| match what.as_str() {
        "build" => black_box(history(orders.clone()).expect("valid")).len(),
        "rfm" => h.rfm(&rfm_config).expect("rfm").len(),
        "cpm" => h.cpm(&cpm_config).expect("cpm").len(),
        "rfm-cpm" => {
            h.rfm(&rfm_config).expect("rfm").len() + h.cpm(&cpm_config).expect("cpm").len()
        }
        "sales" => h.sales(&sales_query).expect("sales").rows(),
        "balance" => h
            .balance_sheet(&BalanceConfig::new(as_of()))
            .expect("bs")
            .classes
            .rows(),
        other => panic!("unknown analysis {other}: build, rfm, cpm, rfm-cpm, sales, balance"),
    });
    println!("- {what}: {}", spread(&times));
}

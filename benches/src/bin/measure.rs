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

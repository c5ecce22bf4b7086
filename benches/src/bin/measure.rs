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

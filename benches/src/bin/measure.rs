//! Measures what criterion does not: throughput over a million generated orders,
//! the wall time and memory of a one-million-order dry-run with traces, and the
//! in-memory size of a typical order.
//!
//! ```text
//! cargo run --release -p ichigen-benches --bin measure            # 1,000,000 orders
//! cargo run --release -p ichigen-benches --bin measure -- 100000  # fewer
//! ```
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
    let rate = n as f64 / d.as_secs_f64();
    if rate >= 1e6 {
        format!("{:.2} M orders/s", rate / 1e6)
    } else {
        format!("{:.0} k orders/s", rate / 1e3)
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
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

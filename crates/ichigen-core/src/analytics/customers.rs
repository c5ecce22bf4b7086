//! Per-customer facts over a history: first and last purchase day, purchase
//! count and spend, counting orders that are not cancelled, up to a day.

use super::history::OrderHistory;

/// Facts of one customer (`count == 0`: no purchase in range). One record per
/// customer keeps a row's update to one cache line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fact {
    pub spend: i128,
    pub first: i32,
    pub last: i32,
    pub count: u32,
}

impl Default for Fact {
    fn default() -> Fact {
        Fact {
            spend: 0,
            first: i32::MAX,
            last: i32::MIN,
            count: 0,
        }
    }
}

/// Rows of one partition: customer code, day, amount.
type Scratch = Vec<(u32, i32, i64)>;

/// The last facts computed up to a day, shared by the analyses that follow,
/// and the partition buffer of [`OrderHistory::facts_between`].
#[derive(Default)]
pub(crate) struct FactsCache(
    std::sync::Mutex<Option<(i32, std::sync::Arc<Vec<Fact>>)>>,
    std::sync::Mutex<Scratch>,
);

impl FactsCache {
    fn take_scratch(&self) -> Scratch {
        self.1
            .lock()
            .map(|mut g| std::mem::take(&mut *g))
            .unwrap_or_default()
    }

    fn keep_scratch(&self, rows: Scratch) {
        if let Ok(mut g) = self.1.lock() {
            *g = rows;
        }
    }

    fn get(&self, to: i32) -> Option<std::sync::Arc<Vec<Fact>>> {
        let guard = self.0.lock().ok()?;
        guard
            .as_ref()
            .filter(|(t, _)| *t == to)
            .map(|(_, f)| f.clone())
    }

    fn put(&self, to: i32, facts: std::sync::Arc<Vec<Fact>>) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = Some((to, facts));
        }
    }
}

impl Clone for FactsCache {
    fn clone(&self) -> FactsCache {
        FactsCache::default()
    }
}

impl std::fmt::Debug for FactsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FactsCache")
    }
}

/// Above this many customers the facts no longer fit a core's cache, and rows
/// are first partitioned by customer so that each partition's facts do.
const CACHE_CUSTOMERS: usize = 1 << 14;

impl OrderHistory {
    /// Facts of purchases (not cancelled) on days `from..=to`, by customer code.
    ///
    /// With many customers, updating one customer's record per row in row
    /// order misses the cache on nearly every row. The rows kept are then
    /// first copied into partitions of customers whose records fit the cache
    /// (sequential writes to a few hundred streams), and each partition is
    /// summed on its own.
    pub(crate) fn facts_between(&self, from: i32, to: i32) -> Vec<Fact> {
        let customers = self.customer_ids.len();
        let mut f = vec![Fact::default(); customers];
        let keep = |i: usize| {
            let d = self.day[i];
            d >= from && d <= to && !self.cancelled[i]
        };
        let add = |x: &mut Fact, d: i32, amount: i64| {
            x.count += 1;
            x.spend += i128::from(amount);
            x.first = x.first.min(d);
            x.last = x.last.max(d);
        };
        if customers <= CACHE_CUSTOMERS || self.len() < 4 * customers {
            for i in 0..self.len() {
                if keep(i) {
                    add(
                        &mut f[self.customer.codes[i] as usize],
                        self.day[i],
                        self.amount[i],
                    );
                }
            }
            return f;
        }
        let shift = (usize::BITS - (CACHE_CUSTOMERS - 1).leading_zeros()) as usize;
        let parts = (customers >> shift) + 1;
        let mut start = vec![0usize; parts + 1];
        for i in 0..self.len() {
            if keep(i) {
                start[(self.customer.codes[i] as usize >> shift) + 1] += 1;
            }
        }
        for p in 0..parts {
            start[p + 1] += start[p];
        }
        let mut at = start.clone();
        // The partition buffer is kept between calls: allocating it anew costs
        // more in page faults than filling it.
        let mut rows = self.facts_cache.take_scratch();
        rows.clear();
        rows.resize(start[parts], (0, 0, 0));
        for i in 0..self.len() {
            if keep(i) {
                let c = self.customer.codes[i];
                let slot = &mut at[c as usize >> shift];
                rows[*slot] = (c, self.day[i], self.amount[i]);
                *slot += 1;
            }
        }
        for &(c, d, amount) in &rows {
            add(&mut f[c as usize], d, amount);
        }
        self.facts_cache.keep_scratch(rows);
        f
    }

    /// Facts of purchases (not cancelled) up to day `to`, inclusive. The last
    /// answer is kept, so RFM and CPM as of one date read the rows once.
    pub(crate) fn facts_until(&self, to: i32) -> std::sync::Arc<Vec<Fact>> {
        if let Some(f) = self.facts_cache.get(to) {
            return f;
        }
        let f = std::sync::Arc::new(self.facts_between(i32::MIN, to));
        self.facts_cache.put(to, f.clone());
        f
    }
}

/// For each value, how many values are strictly smaller; equal values get the
/// same count whatever their order.
pub(crate) fn count_smaller<T: Ord + Copy>(values: &[T]) -> Vec<u32> {
    let mut idx: Vec<(T, u32)> = values.iter().copied().zip(0u32..).collect();
    idx.sort_unstable();
    let mut out = vec![0u32; values.len()];
    let mut start = 0usize;
    for k in 0..idx.len() {
        if k > 0 && idx[k].0 != idx[k - 1].0 {
            start = k;
        }
        out[idx[k].1 as usize] = start as u32;
    }
    out
}

/// [`count_smaller`] for amounts: a radix sort when every value fits 64 bits
/// (always, in practice), a comparison sort otherwise.
pub(crate) fn count_smaller_money(values: &[i128]) -> Vec<u32> {
    let Ok(keys) = values
        .iter()
        .map(|&v| i64::try_from(v).map(|v| (v as u64) ^ (1 << 63)))
        .collect::<Result<Vec<u64>, _>>()
    else {
        return count_smaller(values);
    };
    count_smaller_keys(&keys)
}

/// [`count_smaller`] for unsigned keys by a least-significant-digit radix sort
/// (11-bit digits; a digit all keys share is skipped).
fn count_smaller_keys(keys: &[u64]) -> Vec<u32> {
    const BITS: u32 = 11;
    const SIZE: usize = 1 << BITS;
    let n = keys.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut scratch = vec![0u32; n];
    let (or, and) = keys
        .iter()
        .fold((0u64, u64::MAX), |(o, a), &k| (o | k, a & k));
    let varying = or ^ and;
    let mut shift = 0;
    while shift < 64 {
        if (varying >> shift) & (SIZE as u64 - 1) != 0 {
            let digit = |k: u64| ((k >> shift) as usize) & (SIZE - 1);
            let mut count = vec![0usize; SIZE + 1];
            for &k in keys {
                count[digit(k) + 1] += 1;
            }
            for d in 0..SIZE {
                count[d + 1] += count[d];
            }
            for &i in &order {
                let d = digit(keys[i as usize]);
                scratch[count[d]] = i;
                count[d] += 1;
            }
            std::mem::swap(&mut order, &mut scratch);
        }
        shift += BITS;
    }
    let mut out = vec![0u32; n];
    let mut start = 0usize;
    for k in 0..n {
        if k > 0 && keys[order[k] as usize] != keys[order[k - 1] as usize] {
            start = k;
        }
        out[order[k] as usize] = start as u32;
    }
    out
}

/// [`count_smaller`] for small non-negative integers, by counting.
pub(crate) fn count_smaller_small(values: &[u32]) -> Vec<u32> {
    let max = values.iter().copied().max().unwrap_or(0) as usize;
    if max > 4 * values.len() + 1024 {
        return count_smaller(values);
    }
    let mut hist = vec![0u32; max + 2];
    for &v in values {
        hist[v as usize + 1] += 1;
    }
    for i in 1..hist.len() {
        hist[i] += hist[i - 1];
    }
    values.iter().map(|&v| hist[v as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn partitioned_facts_equal_the_plain_sum() {
        use crate::analytics::{Coded, OrderColumns};
        // Enough customers and rows to take the partitioned path.
        let customers = 3 * CACHE_CUSTOMERS as u64;
        let n = 5 * customers as usize;
        let mut s = 7u64;
        let mut next = || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            s >> 33
        };
        let mut codes = Vec::with_capacity(n);
        let (mut at, mut amount, mut cancelled) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            codes.push((next() % customers) as u32);
            at.push(1_700_000_000 + (next() % 50_000_000) as i64);
            amount.push((next() % 10_000) as i64 - 100);
            cancelled.push(next() % 10 == 0);
        }
        let values = (0..customers).map(|c| c.to_string()).collect();
        let h = OrderHistory::new(
            chrono_tz::Asia::Tokyo,
            crate::money::Currency::JPY,
            OrderColumns {
                customer: Coded { codes, values },
                ordered_at: at,
                amount,
                cancelled,
                ..OrderColumns::default()
            },
            None,
        )
        .unwrap();
        let (from, to) = (h.day[0] - 100, h.day[0] + 200);
        let fast = h.facts_between(from, to);
        let mut slow = vec![Fact::default(); customers as usize];
        for i in 0..h.len() {
            let d = h.day[i];
            if d >= from && d <= to && !h.cancelled[i] {
                let x = &mut slow[h.customer.codes[i] as usize];
                x.count += 1;
                x.spend += i128::from(h.amount[i]);
                x.first = x.first.min(d);
                x.last = x.last.max(d);
            }
        }
        for (a, b) in fast.iter().zip(&slow) {
            assert_eq!(
                (a.count, a.spend, a.first, a.last),
                (b.count, b.spend, b.first, b.last)
            );
        }
        assert!(fast.iter().filter(|x| x.count > 0).count() > CACHE_CUSTOMERS);
    }

    proptest! {
        #[test]
        fn counting_agrees_with_sorting(v in proptest::collection::vec(0u32..50, 0..200)) {
            let slow: Vec<u32> = v.iter().map(|x| v.iter().filter(|y| *y < x).count() as u32).collect();
            prop_assert_eq!(count_smaller(&v), slow.clone());
            prop_assert_eq!(count_smaller_small(&v), slow.clone());
            let wide: Vec<i128> = v.iter().map(|&x| i128::from(x) * 1_000_003 - 7_000_000).collect();
            prop_assert_eq!(count_smaller_money(&wide), slow);
        }
    }
}

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

impl OrderHistory {
    /// Facts of purchases (not cancelled) on days `from..=to`, by customer code.
    pub(crate) fn facts_between(&self, from: i32, to: i32) -> Vec<Fact> {
        let mut f = vec![Fact::default(); self.customer_ids.len()];
        for i in 0..self.len() {
            let d = self.day[i];
            if d > to || d < from || self.cancelled[i] {
                continue;
            }
            let x = &mut f[self.customer.codes[i] as usize];
            x.count += 1;
            x.spend += i128::from(self.amount[i]);
            x.first = x.first.min(d);
            x.last = x.last.max(d);
        }
        f
    }

    /// Facts of purchases (not cancelled) up to day `to`, inclusive.
    pub(crate) fn facts_until(&self, to: i32) -> Vec<Fact> {
        self.facts_between(i32::MIN, to)
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

    proptest! {
        #[test]
        fn counting_agrees_with_sorting(v in proptest::collection::vec(0u32..50, 0..200)) {
            let slow: Vec<u32> = v.iter().map(|x| v.iter().filter(|y| *y < x).count() as u32).collect();
            prop_assert_eq!(count_smaller(&v), slow.clone());
            prop_assert_eq!(count_smaller_small(&v), slow);
        }
    }
}

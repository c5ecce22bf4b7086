//! Customer identity on 100,000 generated records (Japanese names, phones in
//! varied forms, ~25% repeat buyers across Rakuten, Amazon and the shop's own
//! site): each normalizer per record, a batch resolve (normalize, index, cluster),
//! a recomputation from the stored keys, and incremental inserts. Throughput is in
//! records. The batch result is checked against the incremental one (the same
//! customers) before measuring.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ichigen_benches::identity_data::{GenRecord, generate};
use ichigen_core::identity::normalize as nz;
use ichigen_core::identity::{IdentityConfig, RecordRef, Resolver};
use ichigen_core::order::Channel;

const RECORDS: usize = 100_000;

fn view(r: &GenRecord) -> RecordRef<'_> {
    RecordRef {
        id: &r.id,
        channel: match r.channel {
            "rakuten" => Channel::Rakuten,
            "amazon" => Channel::Amazon,
            _ => Channel::OwnSite,
        },
        store: r.store,
        name: Some(&r.name),
        kana: Some(&r.kana).filter(|k| !k.is_empty()).map(|k| k.as_str()),
        phone: r.phone.as_deref(),
        email: r.email.as_deref(),
        postal_code: r.postal_code.as_deref(),
        prefecture: r.prefecture.as_deref(),
        address1: r.address1.as_deref(),
        address2: r.address2.as_deref(),
        member_id: r.member_id.as_deref(),
        customer_id: None,
        masked: false,
    }
}

fn partition(r: &mut Resolver) -> Vec<Vec<String>> {
    let mut p: Vec<Vec<String>> = r.clusters().into_iter().map(|c| c.records).collect();
    p.sort();
    p
}

fn identity(c: &mut Criterion) {
    let records = generate(RECORDS, 2026);
    let (mut batch, _) =
        Resolver::resolve(IdentityConfig::default(), records.iter().map(view), &[]);
    let mut one = Resolver::new(IdentityConfig::default());
    for r in &records {
        one.insert_ref(&view(r)).expect("inserts");
    }
    assert_eq!(partition(&mut batch), partition(&mut one));

    let mut g = c.benchmark_group("identity");
    g.measurement_time(Duration::from_secs(8)).sample_size(10);
    g.throughput(Throughput::Elements(RECORDS as u64));
    let relays = nz::default_relays();
    g.bench_function("normalize_name", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| nz::name(black_box(&r.name)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("normalize_phone", |b| {
        b.iter(|| {
            records
                .iter()
                .filter_map(|r| r.phone.as_deref())
                .map(|p| nz::phone(black_box(p)).map_or(0, |p| p.e164.len()))
                .sum::<usize>()
        })
    });
    g.bench_function("normalize_email", |b| {
        b.iter(|| {
            records
                .iter()
                .filter_map(|r| r.email.as_deref())
                .map(|e| nz::email(black_box(e), &relays).map_or(0, |e| e.address.len()))
                .sum::<usize>()
        })
    });
    g.bench_function("normalize_address", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| {
                    nz::address(
                        r.postal_code.as_deref(),
                        r.prefecture.as_deref(),
                        r.address1.as_deref().unwrap_or(""),
                        r.address2.as_deref().unwrap_or(""),
                    )
                    .map_or(0, |a| a.street.len())
                })
                .sum::<usize>()
        })
    });
    g.bench_function("batch_resolve", |b| {
        b.iter(|| {
            let (r, _) =
                Resolver::resolve(IdentityConfig::default(), records.iter().map(view), &[]);
            black_box(r.len())
        })
    });
    g.bench_function("recompute", |b| b.iter(|| batch.recompute()));
    g.bench_function("incremental_insert", |b| {
        b.iter_batched(
            || Resolver::new(IdentityConfig::default()),
            |mut r| {
                for rec in &records {
                    black_box(r.insert_ref(&view(rec)).expect("inserts").customer_id);
                }
                r
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, identity);
criterion_main!(benches);

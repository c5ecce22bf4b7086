//! Identity: normalizers are total and idempotent on any input; the resolver gives
//! the same customers whether records come one at a time or in a batch, in any
//! order; every link's evidence is true of the records it joins.

use ichigen_core::identity::normalize::{self, default_relays};
use ichigen_core::identity::{
    Decision, Field, IdentityConfig, IdentityRecord, RecordRef, Resolver,
};
use ichigen_core::order::Channel;
use proptest::prelude::*;

/// Text mixing what orders contain: kana of both widths, variant kanji, every
/// hyphen-like character, full-width digits, spaces of every kind, combining marks,
/// and arbitrary characters.
fn messy_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("山田".to_owned()),
        Just("髙橋".to_owned()),
        Just("﨑".to_owned()),
        Just("渡邊".to_owned()),
        Just("ﾔﾏﾀﾞ".to_owned()),
        Just("やまだ".to_owned()),
        Just("ー".to_owned()),
        Just("－".to_owned()),
        Just("‐".to_owned()),
        Just("−".to_owned()),
        Just("―".to_owned()),
        Just("ｰ".to_owned()),
        Just("０９０".to_owned()),
        Just("1234".to_owned()),
        Just("\u{3000}".to_owned()),
        Just(" ".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("\u{0301}".to_owned()),
        Just("\u{3099}".to_owned()),
        Just("・".to_owned()),
        Just("様".to_owned()),
        Just("丁目".to_owned()),
        Just("番地".to_owned()),
        Just("の".to_owned()),
        Just("一二三十".to_owned()),
        Just("＠".to_owned()),
        Just("。".to_owned()),
        Just("+81".to_owned()),
        Just("(".to_owned()),
        Just("ヶ".to_owned()),
        any::<char>().prop_map(String::from),
        "[A-Za-z]{1,3}",
    ];
    proptest::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn names_and_readings_are_idempotent(s in messy_text()) {
        let n = normalize::name(&s);
        prop_assert_eq!(normalize::name(&n), n.clone());
        let k = normalize::kana(&s);
        prop_assert_eq!(normalize::kana(&k), k);
    }

    #[test]
    fn phones_emails_postal_codes_are_idempotent(s in messy_text()) {
        if let Ok(p) = normalize::phone(&s) {
            prop_assert_eq!(normalize::phone(&p.e164).map(|q| q.e164), Ok(p.e164));
        }
        let relays = default_relays();
        if let Ok(e) = normalize::email(&s, &relays) {
            let again = normalize::email(&e.address, &relays).map(|f| (f.address, f.kind));
            prop_assert_eq!(again, Ok((e.address, e.kind)));
        }
        if let Ok(p) = normalize::postal_code(&s) {
            prop_assert_eq!(normalize::postal_code(&p), Ok(p));
        }
    }

    #[test]
    fn addresses_are_idempotent(street in messy_text(), building in messy_text()) {
        if let Ok(a) = normalize::address(None, None, &street, &building) {
            let b = normalize::address(None, None, &a.street, &a.building).unwrap();
            prop_assert_eq!(b.street, a.street);
            prop_assert_eq!(b.building, a.building);
        }
    }

    #[test]
    fn normalizers_take_any_unicode(s in any::<String>()) {
        let _ = normalize::name(&s);
        let _ = normalize::kana(&s);
        let _ = normalize::phone(&s);
        let _ = normalize::email(&s, &default_relays());
        let _ = normalize::postal_code(&s);
        let _ = normalize::address(Some(&s), Some(&s), &s, &s);
    }
}

const NAMES: [&str; 5] = ["山田 太郎", "山田太郎", "髙橋 一", "高橋一", "佐藤 花子"];
const PHONES: [&str; 5] = [
    "090-1234-5678",
    "09012345678",
    "+81 90 1234 5678",
    "03-1111-2222",
    "080-3333-4444",
];
const EMAILS: [&str; 4] = [
    "taro@example.jp",
    "TARO@example.jp",
    "k1@pc.fw.rakuten.ne.jp",
    "q9@marketplace.amazon.co.jp",
];
const CHANNELS: [Channel; 4] = [
    Channel::Rakuten,
    Channel::Amazon,
    Channel::Yahoo,
    Channel::OwnSite,
];

prop_compose! {
    fn records()(
        rows in proptest::collection::vec(
            (0usize..5, 0usize..6, 0usize..5, 0usize..4, 0usize..3, any::<bool>()),
            0..40,
        )
    ) -> Vec<IdentityRecord> {
        rows.into_iter().enumerate().map(|(i, (n, p, e, c, m, store))| IdentityRecord {
            id: format!("r{i}"),
            channel: Some(CHANNELS[c]),
            store: Some(if store { "a" } else { "b" }.into()),
            name: Some(NAMES[n].into()),
            phone: PHONES.get(p).map(|s| (*s).into()),
            email: EMAILS.get(e).map(|s| (*s).into()),
            member_id: (m > 0).then(|| format!("m{m}")),
            ..Default::default()
        }).collect()
    }
}

fn config(guard: u32, fuzzy: bool) -> IdentityConfig {
    IdentityConfig::from_json(serde_json::json!({
        "max_key_records": guard,
        "fuzzy": if fuzzy { serde_json::json!({"auto_merge_at": 0.85}) } else { serde_json::json!({}) },
    }))
    .unwrap()
}

/// The partition as sorted lists of record ids.
fn partition(resolver: &mut Resolver) -> Vec<Vec<String>> {
    let mut p: Vec<Vec<String>> = resolver.clusters().into_iter().map(|c| c.records).collect();
    for c in &mut p {
        c.sort();
    }
    p.sort();
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn incremental_equals_batch(
        recs in records(),
        guard in 2u32..6,
        fuzzy in any::<bool>(),
        decisions in proptest::collection::vec((0usize..40, 0usize..40, any::<bool>()), 0..4),
    ) {
        let mut one = Resolver::new(config(guard, fuzzy));
        for r in &recs {
            one.insert(r).unwrap();
        }
        let mut applied = Vec::new();
        for (a, b, merge) in decisions {
            if a >= recs.len() || b >= recs.len() || a == b {
                continue;
            }
            let (x, y) = (recs[a].id.clone(), recs[b].id.clone());
            if merge {
                if one.merge(&x, &y).is_err() {
                    // Refused by an earlier unmerge: still recorded, as the batch will.
                }
                applied.push(Decision::Merge([x, y]));
            } else {
                one.unmerge(&x, &y).unwrap();
                applied.push(Decision::Unmerge([x, y]));
            }
        }
        let (mut batch, issues) = Resolver::resolve(
            config(guard, fuzzy),
            recs.iter().map(IdentityRecord::view),
            &applied,
        );
        prop_assert!(issues.is_empty());
        prop_assert_eq!(partition(&mut one), partition(&mut batch));
        // Recomputing the incremental resolver changes no customer id.
        let before = one.customer_ids();
        one.recompute();
        prop_assert_eq!(one.customer_ids(), before);
    }

    #[test]
    fn batch_order_does_not_matter(recs in records(), guard in 2u32..6, seed in any::<u64>()) {
        let mut shuffled = recs.clone();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let (mut a, _) = Resolver::resolve(config(guard, false), recs.iter().map(IdentityRecord::view), &[]);
        let (mut b, _) = Resolver::resolve(config(guard, false), shuffled.iter().map(IdentityRecord::view), &[]);
        prop_assert_eq!(partition(&mut a), partition(&mut b));
    }

    #[test]
    fn every_link_is_true_of_its_records(recs in records()) {
        let (resolver, _) = Resolver::resolve(IdentityConfig::default(), recs.iter().map(IdentityRecord::view), &[]);
        let by_id = |id: &str| recs.iter().find(|r| r.id == id).unwrap();
        for link in resolver.links() {
            let (a, b) = (by_id(&link.records[0]), by_id(&link.records[1]));
            for f in &link.fields {
                match f {
                    Field::Name => prop_assert_eq!(
                        normalize::name(a.name.as_deref().unwrap()),
                        normalize::name(b.name.as_deref().unwrap())
                    ),
                    Field::Phone => {
                        prop_assert!(a.channel != Some(Channel::Amazon) && b.channel != Some(Channel::Amazon));
                        prop_assert_eq!(
                            normalize::phone(a.phone.as_deref().unwrap()).unwrap().e164,
                            normalize::phone(b.phone.as_deref().unwrap()).unwrap().e164
                        );
                    }
                    Field::Email => {
                        let relays = default_relays();
                        let (ea, eb) = (
                            normalize::email(a.email.as_deref().unwrap(), &relays).unwrap(),
                            normalize::email(b.email.as_deref().unwrap(), &relays).unwrap(),
                        );
                        prop_assert_eq!(&ea.address, &eb.address);
                        if ea.kind.is_scoped() {
                            prop_assert_eq!((a.channel, &a.store), (b.channel, &b.store));
                        }
                    }
                    Field::MemberId => {
                        prop_assert_eq!(a.channel, b.channel);
                        prop_assert_eq!(&a.member_id, &b.member_id);
                    }
                    other => prop_assert!(false, "unexpected field {:?}", other),
                }
            }
        }
    }
}

#[test]
fn record_refs_and_owned_records_resolve_alike() {
    let owned = IdentityRecord {
        id: "r1".into(),
        channel: Some(Channel::Rakuten),
        name: Some("山田 太郎".into()),
        phone: Some("090-1234-5678".into()),
        ..Default::default()
    };
    let borrowed = RecordRef {
        id: "y1",
        channel: Channel::Yahoo,
        store: "",
        name: Some("山田太郎"),
        kana: None,
        phone: Some("09012345678"),
        email: None,
        postal_code: None,
        prefecture: None,
        address1: None,
        address2: None,
        member_id: None,
        customer_id: None,
        masked: false,
    };
    let (mut r, issues) =
        Resolver::resolve(IdentityConfig::default(), [owned.view(), borrowed], &[]);
    assert!(issues.is_empty());
    assert_eq!(r.customer_ids(), vec![1, 1]);
}

#[test]
fn a_refused_merge_is_not_recorded() {
    let rec = |id: &str, phone: &str| IdentityRecord {
        id: id.into(),
        channel: Some(Channel::OwnSite),
        name: Some("岡田 光".into()),
        phone: Some(phone.into()),
        ..Default::default()
    };
    let mut r = Resolver::new(IdentityConfig::default());
    for (id, phone) in [
        ("a", "090-1000-2000"),
        ("b", "090-3000-4000"),
        ("c", "090-5000-6000"),
    ] {
        r.insert(&rec(id, phone)).unwrap();
    }
    r.unmerge("a", "b").unwrap();
    r.merge("c", "a").unwrap();
    let err = r.merge("c", "b").unwrap_err();
    assert_eq!(err.issues()[0].code, "IDENTITY_MERGE_REFUSED");
    assert_eq!(r.decisions().len(), 2, "the refused merge is dropped");
    r.recompute();
    assert_eq!(r.customer_of("c"), r.customer_of("a"));
    assert_ne!(r.customer_of("c"), r.customer_of("b"));
}

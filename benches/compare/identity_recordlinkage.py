"""Customer identity (名寄せ): recordlinkage (and splink) against ichigen's resolver.

Reads the generated records (``measure identity-data N OUT.csv``: columns ``id,
channel,store,name,kana,phone,email,postal_code,prefecture,address1,address2,
member_id,truth``; ``truth`` is the person), and ichigen's assignment of the same
file (``measure identity --csv IN --out OUT``: ``id,customer_id``) with the
seconds ichigen took. Runs the same deterministic rules through the
``recordlinkage`` package (and through ``splink`` on DuckDB when it is installed),
then prints, for each tool, the seconds, the ratio to ichigen, and pairwise
precision, recall and F1 against ``truth`` (a pair is two records in the same
cluster; counted from cluster sizes, never by listing pairs).

The rules (DOMAIN.md §5, docs/identity.md; the same as ichigen's default
configuration on this data, where both give the same clusters):

- normalization: NFKC; every whitespace (U+3000 too) and zero-width character
  removed; hyphen-like characters (‐ ‑ ‒ – — ― − － ﹣ ⁃) turned into ``-``, and
  the long-vowel mark ー (ｰ) too when it stands between digits; lower case;
  variant kanji folded (髙→高, 﨑→崎, 邊/邉→辺, 齋→斎, 澤→沢, … the table of
  ichigen_core::identity::normalize::VARIANT_KANJI); phones to E.164 (+81…; the
  placeholder 000-0000-0000 and anything not 10 or 11 national digits dropped);
  e-mails NFKC, trimmed, lower case, 。→.; postal codes to 7 digits; block numbers
  in addresses (一丁目２番３号, 1丁目2番3号, １－２－３) to ``1-2-3``;
- a pair of records is the same customer when one criterion matches exactly:
  member id (within the channel); name + phone; name + e-mail (a Rakuten relay or
  Amazon anonymized address only within the same channel and store); name +
  postal code + prefecture + address (address1 and address2);
- a key shared by more than 50 records is skipped (the giant-cluster guard);
- clusters are the connected components of the matching pairs.

recordlinkage: ``Index().block(key)`` per criterion gives candidate pairs,
``Compare().exact`` on the criterion's fields keeps the pairs where all agree,
scipy's ``connected_components`` makes clusters. Its seconds run from the
DataFrame in memory (the CSV read is timed apart, as ichigen's figure excludes
parsing its CSV) through normalization to the clusters. splink gets the same
normalized columns and blocking rules (``deterministic_link`` and
``cluster_pairwise_predictions_at_threshold``); its seconds are the shared
normalization plus its own.

Run it with ``benches/compare/identity.sh`` (builds and runs ichigen, installs
the Python packages); alone, e.g.::

    python identity_recordlinkage.py target/identity.csv \\
        --ichigen target/identity_ichigen.csv --ichigen-log target/identity_ichigen.log
"""

import argparse
import json
import pathlib
import re
import sys
import time

import numpy as np
import pandas as pd

# ichigen_core::identity::normalize::VARIANT_KANJI: variant form -> common form.
VARIANT_KANJI = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "碕": "崎", "邊": "辺", "邉": "辺", "齋": "斎",
    "齊": "斉", "澤": "沢", "濱": "浜", "濵": "浜", "櫻": "桜", "國": "国", "廣": "広",
    "德": "徳", "冨": "富", "槇": "槙", "瀨": "瀬", "眞": "真", "實": "実", "惠": "恵",
    "藏": "蔵", "桒": "桑", "舘": "館", "𠮷": "吉",
}
VARIANTS = str.maketrans(VARIANT_KANJI)
# ichigen_core::text's HYPHENS less ー and ｰ (NFKC makes ｰ into ー; ー is a hyphen
# only between digits, so katakana words keep it), and less the ones NFKC already
# makes '-' (－ U+FF0D, ﹣ U+FE63).
HYPHENS = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043"})
SPACE = r"[\s\u200b\u200c\u200d\u2060\ufeff]+"
CHOON_BETWEEN_DIGITS = r"(?<=[0-9])\u30fc(?=[0-9])"
BLOCK_NUMBER = r"([〇一二三四五六七八九十]+|[0-9]+)(丁目|番地|番|号)"
SMALL_KE = str.maketrans({"ヶ": "ケ", "ヵ": "ケ"})
KANJI_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
RELAY = r"@(?:[^@]+\.)?(?:fw\.rakuten\.ne\.jp|marketplace\.amazon\.co\.jp)$"
GUARD = 50  # keys shared by more records than this are skipped

CRITERIA = {
    # criterion: the normalized fields that must all be equal
    "member_id": ["channel", "member_id_n"],
    "name+phone": ["name_n", "phone_n"],
    "name+email": ["name_n", "email_n", "email_scope"],
    "name+postal+address": ["name_n", "postal_n", "prefecture_n", "address_n"],
}


# --------------------------------------------------------------------------
# Normalization (pandas)
# --------------------------------------------------------------------------

def fold(s):
    """NFKC, no whitespace, hyphens unified, lower case (ichigen_core::text::fold)."""
    return (s.str.normalize("NFKC")
             .str.replace(SPACE, "", regex=True)
             .str.translate(HYPHENS)
             .str.replace(CHOON_BETWEEN_DIGITS, "-", regex=True)
             .str.lower())


def _block_number(m):
    text, unit = m.group(1), m.group(2)
    if text.isdigit():
        number = text
    elif "十" not in text:
        number = str(int("".join(str(KANJI_DIGIT[c]) for c in text)))
    else:
        tens, _, ones = text.partition("十")
        number = str((KANJI_DIGIT[tens] if tens else 1) * 10
                     + (KANJI_DIGIT[ones] if ones else 0))
    return number if unit == "号" else number + "-"


def per_unique(func):
    """Applies a Series -> Series normalizer to the distinct values only, then
    spreads the results back (names, postal codes, prefectures and addresses
    repeat a lot; this is how one would write it in pandas for speed)."""
    def run(s):
        codes, uniques = pd.factorize(s)
        done = func(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
        out = np.where(codes >= 0, done[np.maximum(codes, 0)], np.nan)
        return pd.Series(out, index=s.index, dtype=object)
    run.__doc__ = func.__doc__
    return run


def name(s):
    """Folded, variant kanji in their common form, no ・ and no trailing 様."""
    n = fold(s).str.translate(VARIANTS).str.replace("・", "", regex=False)
    return n.str.replace(r"様$", "", regex=True).replace("", np.nan)


def address(s):
    """Folded, with 一丁目２番３号 / 1丁目2番地3 / １－２－３ all as ``1-2-3``, 2番地の3
    as ``2-3``, a space between two numbers as ``-``, small ヶ/ヵ as ケ."""
    s = s.str.normalize("NFKC").str.replace(r"(?<=[0-9])\s+(?=[0-9])", "-", regex=True)
    s = fold(s).str.replace(BLOCK_NUMBER, _block_number, regex=True)
    s = s.str.replace(r"(?<=[0-9])-の(?=[0-9])", "-", regex=True)
    return s.str.translate(SMALL_KE).str.rstrip("-")


def phone(s):
    """E.164 (+81…), or missing for a placeholder (a subscriber number of one
    repeated digit, 000-0000-0000) or a wrong length. ``+81 (0)90…`` and a mobile
    number that lost its leading 0 in a spreadsheet are accepted."""
    t = s.str.normalize("NFKC").str.strip()
    digits = t.str.replace(r"[^0-9]", "", regex=True)
    international = t.str.startswith("+") & digits.str.startswith("81")
    national = digits.where(~international, "0" + digits.str[2:].str.lstrip("0"))
    dropped_zero = national.str.fullmatch(r"[789]0[0-9]{8}") == True  # noqa: E712
    national = national.where(~dropped_zero, "0" + national)
    valid = national.str.fullmatch(r"0[1-9][0-9]{8,9}") == True  # noqa: E712 (NaN)
    placeholder = national.str.fullmatch(r"[0-9]*?([0-9])\1{7}") == True  # noqa: E712
    return ("+81" + national.str[1:]).where(valid & ~placeholder)


def email(s):
    e = (s.str.normalize("NFKC").str.replace(SPACE, "", regex=True)
          .str.replace("。", ".", regex=False).str.lower()
          .str.replace(r"^mailto:", "", regex=True))
    return e.where(e.str.fullmatch(r"[^@]+@[^@]+\.[^@]+") == True)  # noqa: E712


def postal(s):
    d = s.str.normalize("NFKC").str.replace(r"[^0-9]", "", regex=True)
    return d.where(d.str.len() == 7)


def normalize(df):
    """The normalized comparison columns, one per field, NaN where absent."""
    out = pd.DataFrame(index=df.index)
    out["channel"] = df["channel"]
    out["name_n"] = per_unique(name)(df["name"])
    out["phone_n"] = per_unique(phone)(df["phone"])
    out["email_n"] = per_unique(email)(df["email"])
    relay = out["email_n"].str.contains(RELAY, regex=True) == True  # noqa: E712
    out["email_scope"] = np.where(relay, df["channel"] + "/" + df["store"], "*")
    out["postal_n"] = per_unique(postal)(df["postal_code"])
    out["prefecture_n"] = per_unique(fold)(df["prefecture"])
    out["address_n"] = (per_unique(address)(df["address1"]) + "|"
                        + per_unique(address)(df["address2"]).fillna(""))
    out["member_id_n"] = per_unique(fold)(df["member_id"]).replace("", np.nan)
    return out


def criterion_keys(norm):
    """One key column per criterion (fields joined by U+001F), NaN where a field is
    missing or where the key is shared by more than GUARD records."""
    keys = pd.DataFrame(index=norm.index)
    for criterion, fields in CRITERIA.items():
        key = norm[fields[0]].astype(object)
        for f in fields[1:]:
            key = key + "\x1f" + norm[f]
        counts = key.map(key.value_counts())
        keys[criterion] = key.where(counts <= GUARD)
    return keys


# --------------------------------------------------------------------------
# Clusters and scores
# --------------------------------------------------------------------------

def components(n, left, right):
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    graph = coo_matrix((np.ones(len(left), np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def pairs_in(sizes):
    sizes = np.asarray(sizes, dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pair_scores(pred, truth):
    """Pairwise precision, recall, F1 of cluster labels `pred` against `truth`."""
    pred = pd.factorize(pd.Series(pred))[0].astype(np.int64)
    truth = pd.factorize(pd.Series(truth))[0].astype(np.int64)
    both = pred * (int(truth.max()) + 1 if len(truth) else 1) + truth
    tp = pairs_in(np.unique(both, return_counts=True)[1])
    predicted = pairs_in(np.bincount(pred))
    actual = pairs_in(np.bincount(truth))
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp,
            "predicted_pairs": predicted, "true_pairs": actual,
            "clusters": int(pred.max()) + 1 if len(pred) else 0}


# --------------------------------------------------------------------------
# The tools
# --------------------------------------------------------------------------

def run_recordlinkage(df):
    import recordlinkage
    start = time.perf_counter()
    norm = normalize(df)
    keys = criterion_keys(norm)
    t_norm = time.perf_counter() - start
    table = pd.concat([norm, keys], axis=1)
    left, right, per = [], [], {}
    for criterion, fields in CRITERIA.items():
        indexer = recordlinkage.Index()
        indexer.block(criterion)
        candidates = indexer.index(table)
        compare = recordlinkage.Compare()
        for f in fields:
            compare.exact(f, f, label=f)
        features = compare.compute(candidates, table)
        matched = features.index[features.sum(axis=1) == len(fields)]
        per[criterion] = (len(candidates), len(matched))
        left.append(matched.get_level_values(0).to_numpy(np.int64))
        right.append(matched.get_level_values(1).to_numpy(np.int64))
    labels = components(len(df), np.concatenate(left), np.concatenate(right))
    seconds = time.perf_counter() - start
    return labels, seconds, t_norm, per, table


def run_splink(table, t_norm):
    """splink on DuckDB over the normalized columns recordlinkage built."""
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI
    start = time.perf_counter()
    data = table[list(CRITERIA)].copy()
    data.columns = [f"k{i}" for i in range(len(CRITERIA))]
    data.insert(0, "unique_id", np.arange(len(table), dtype=np.int64))
    db = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(c) for c in data.columns[1:]],
        comparisons=[],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(db.register(data), settings, log_level=None)  # no progress lines
    pairs = linker.inference.deterministic_link()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
    out = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").df()
    labels = np.empty(len(table), dtype=object)
    labels[out["unique_id"].to_numpy()] = out["cluster_id"].to_numpy()
    return labels, t_norm + time.perf_counter() - start


def ichigen_seconds(args):
    """The seconds ichigen printed: --ichigen-seconds, or from --ichigen-log the last
    line ``ichigen_seconds: 1.23`` (or ``seconds: 1.23``, or a JSON object with a
    "seconds" key)."""
    if args.ichigen_seconds is not None:
        return args.ichigen_seconds
    if not args.ichigen_log:
        return None
    found = None
    for line in pathlib.Path(args.ichigen_log).read_text().splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and "seconds" in obj:
                found = float(obj["seconds"])
                continue
        m = re.match(r"(?:ichigen_)?seconds\s*[:=]\s*([0-9]+(?:\.[0-9]+)?)", line)
        if m:
            found = float(m.group(1))
    return found


def read_records(path, nrows=None):
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                       nrows=nrows, engine="c")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", help="records from `measure identity-data`")
    ap.add_argument("--ichigen", help="ichigen's id,customer_id CSV")
    ap.add_argument("--ichigen-seconds", type=float, help="ichigen's resolve time")
    ap.add_argument("--ichigen-log", help="what `measure identity` printed")
    ap.add_argument("--rows", type=int, help="run recordlinkage/splink on the first ROWS rows only")
    ap.add_argument("--no-splink", action="store_true", help="skip splink")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each Python tool, the best counts (ichigen reports its best of 3)")
    args = ap.parse_args(argv)

    import recordlinkage
    start = time.perf_counter()
    df = read_records(args.csv, args.rows)
    t_read = time.perf_counter() - start
    n = len(df)
    print(f"records: {n:,} from {args.csv} (CSV read by pandas: {t_read:.2f} s, not counted)")
    print(f"recordlinkage {recordlinkage.__version__}, pandas {pd.__version__}, "
          f"numpy {np.__version__}, Python {sys.version.split()[0]}")

    rows = []  # (tool, records, seconds, scores)
    ig_seconds = ichigen_seconds(args)
    ig_n = None
    if args.ichigen:
        full = df if args.rows is None else read_records(args.csv)[["id", "truth"]]
        ig = pd.read_csv(args.ichigen, dtype=str, keep_default_na=False)
        assigned = full[["id", "truth"]].merge(ig[["id", "customer_id"]], on="id", how="left")
        missing = int(assigned["customer_id"].isna().sum())
        if missing:
            print(f"ichigen assigned no customer to {missing:,} records: each counts alone")
            alone = "(no customer) " + assigned["id"]
            assigned["customer_id"] = assigned["customer_id"].fillna(alone)
        ig_n = len(full)
        rows.append(("ichigen", ig_n, ig_seconds,
                     pair_scores(assigned["customer_id"].to_numpy(), assigned["truth"].to_numpy())))

    labels, seconds, t_norm, per, table = run_recordlinkage(df)
    for _ in range(args.repeat - 1):
        again = run_recordlinkage(df)
        if again[1] < seconds:
            _, seconds, t_norm, per, _ = again
    print(f"recordlinkage: normalization and keys {t_norm:.2f} s of {seconds:.2f} s; "
          + "; ".join(f"{k}: {c:,} candidate pairs, {m:,} matched" for k, (c, m) in per.items()))
    rows.append(("recordlinkage", n, seconds, pair_scores(labels, df["truth"].to_numpy())))

    if args.no_splink:
        print("splink: skipped (--no-splink)")
    else:
        try:
            import splink
            import duckdb
        except ImportError as e:
            print(f"splink: skipped, not installed ({e})")
        else:
            try:
                sp_labels, sp_seconds = run_splink(table, t_norm)
                for _ in range(args.repeat - 1):
                    sp_seconds = min(sp_seconds, run_splink(table, t_norm)[1])
            except Exception as e:  # a failure of the peer tool is reported, not fatal
                print(f"splink: skipped, it failed: {type(e).__name__}: {e}")
            else:
                print(f"splink {splink.__version__} on DuckDB {duckdb.__version__}: "
                      f"{sp_seconds:.2f} s including the shared normalization ({t_norm:.2f} s)")
                rows.append(("splink", n, sp_seconds, pair_scores(sp_labels, df["truth"].to_numpy())))

    truth = pair_scores(df["truth"].to_numpy(), df["truth"].to_numpy())
    print(f"truth on {n:,} records: {truth['clusters']:,} persons, {truth['true_pairs']:,} same-person pairs")
    print()
    print(f"{'tool':<14} {'records':>10} {'seconds':>9} {'vs ichigen':>10} "
          f"{'precision':>9} {'recall':>8} {'F1':>8} {'clusters':>10}")
    for tool, records, secs, s in rows:
        secs_s = f"{secs:9.3f}" if secs is not None else f"{'-':>9}"
        if secs is not None and ig_seconds and tool != "ichigen":
            ratio = f"{secs / ig_seconds:9.1f}x"
            if records != ig_n:
                ratio += "*"
        else:
            ratio = f"{'1.0x' if tool == 'ichigen' and secs else '-':>10}"
        print(f"{tool:<14} {records:>10,} {secs_s} {ratio:>10} "
              f"{s['precision']:9.5f} {s['recall']:8.5f} {s['f1']:8.5f} {s['clusters']:>10,}")
    if any(r[1] != ig_n for r in rows[1:]) and ig_n is not None:
        print("* ran on a different number of records than ichigen: the ratio compares unequal work")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Ship dates for millions of rows: numpy against ichigen's BatchPlanner.

Generates rows (seeded numpy generator), plans them with numpy only
(``numpy.busday_offset`` with a weekmask and a holiday array per calendar), then
with ``ichigen.BatchPlanner(...).plan(pyarrow_table, today=...)`` on the same
rows in the same run, checks that status, ship_date and delivery_date agree row
for row (latest_ship_date and transit_days too), and prints both times and their
ratio. Exits 1 on any mismatch.

Both sides read the five store policies of ``benches/data/shipdate_policies.json``
(the Rust benches read it too): numpy's calendars are built from the same
definitions, with the Japanese holidays taken from ``ichigen.holidays("japan",
year)``, and its transit table from ``ShippingPolicy.plan`` once per route.

Run it with ``benches/compare/run.sh`` (release build of the binding, numpy
installed into the project venv); ``--rows 1000000`` for a quicker run.
"""

import argparse
import datetime as dt
import json
import os
import pathlib
import sys
import time

import numpy as np
import pyarrow as pa

import ichigen

HERE = pathlib.Path(__file__).resolve().parent
SETUP = HERE.parent / "data" / "shipdate_policies.json"

# 2026-01-01 00:00 JST and 2027-01-01 00:00 JST, as in benches/src/shipdate.rs.
FIRST_INSTANT = 1_767_193_200
END_INSTANT = 1_798_729_200
JST = 9 * 3600
# Holidays and closures are listed for these years (orders in 2026; ship,
# delivery and designated dates reach into January 2027).
YEARS = range(2025, 2029)

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
STATUS = ["ok", "awaiting_ship_date", "designated_infeasible", "transit_missing",
          "out_of_range", "bad_input"]
SERVICES = ["ambient", "chilled", "frozen"]
NAT_DAYS = np.iinfo(np.int64).min  # datetime64('NaT') as int64
NO_DATE = np.iinfo(np.int32).min


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------

def generate(n, seed):
    """The same kind of rows as benches/src/shipdate.rs (not the same values)."""
    rng = np.random.default_rng(seed)
    ordered_at = rng.integers(FIRST_INSTANT, END_INSTANT, n, dtype=np.int64)
    policy = rng.integers(0, 5, n, dtype=np.uint32)
    destination = rng.integers(1, 48, n, dtype=np.uint8)
    carrier = rng.choice(np.array([0, 1, 2], np.uint32), n, p=[0.5, 0.3, 0.2])
    service = rng.choice(np.array([0, 1, 2], np.uint8), n, p=[0.85, 0.10, 0.05])
    handling = rng.integers(0, 4, n, dtype=np.uint32)
    local_day = (ordered_at + JST) // 86400
    has_designated = rng.random(n) < 0.3
    designated = np.where(
        has_designated, local_day + rng.integers(0, 15, n), NAT_DAYS
    ).view("datetime64[D]")
    return {
        "ordered_at": ordered_at,
        "policy": policy,
        "destination": destination,
        "carrier": carrier,
        "service": service,
        "handling_days": handling,
        "designated": designated,
    }


def arrow_table(rows):
    designated = rows["designated"]
    missing = np.isnat(designated)
    days = designated.view(np.int64).astype(np.int32)
    days[missing] = 0
    return pa.table({
        "ordered_at": pa.array(rows["ordered_at"], pa.timestamp("s", tz="UTC")),
        "destination": pa.array(rows["destination"]),
        "policy": pa.array(rows["policy"]),
        "carrier": pa.array(rows["carrier"]),
        "service": pa.array(rows["service"]),
        "handling_days": pa.array(rows["handling_days"]),
        "designated": pa.array(days, pa.date32(), mask=missing),
    })


# --------------------------------------------------------------------------
# Calendars as numpy busdaycalendars
# --------------------------------------------------------------------------

def _dates(first, last):
    return np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)


def _annual(spec):
    """Dates of an annual closure (MM-DD to MM-DD, possibly over the year end)."""
    fm, fd = (int(x) for x in spec["from"].split("-"))
    tm, td = (int(x) for x in spec.get("to", spec["from"]).split("-"))
    out = []
    for y in YEARS:
        first = dt.date(y, fm, fd)
        last = dt.date(y if (tm, td) >= (fm, fd) else y + 1, tm, td)
        out.append(_dates(first, last))
    return np.concatenate(out)


def closed_days(cal):
    """(open weekdays mask, closed dates) of one calendar definition.

    numpy closes days by weekmask and holidays only: a special open day must
    fall on a day the weekmask leaves open (it is then removed from the
    holidays); anything else is refused rather than planned wrongly."""
    closed_weekdays = cal.get("closed_weekdays", ["sat", "sun"])
    weekmask = [w not in closed_weekdays for w in WEEKDAYS]
    days = []
    for source in cal.get("holidays", ["japan"]):
        if source == "japan":
            for y in YEARS:
                days += [h["date"] for h in ichigen.holidays("japan", y)["holidays"]]
        elif isinstance(source, dict) and "list" in source:
            days += [dt.date.fromisoformat(h["date"]) for h in source["list"]]
        else:
            raise SystemExit(f"calendar {cal['name']}: holiday source {source!r} "
                             "is not supported by this comparison")
    days = np.array(days, dtype="datetime64[D]")
    parts = [days]
    for r in cal.get("closed", []):
        parts.append(_dates(r.get("from", r.get("date")), r.get("to", r.get("from"))))
    for r in cal.get("annual_closed", []):
        parts.append(_annual(r))
    closed = np.unique(np.concatenate(parts)) if parts else days
    for r in cal.get("open", []):
        first = r.get("from", r.get("date"))
        opened = _dates(first, r.get("to", first))
        on_weekly_closed = [d for d in opened.tolist() if not weekmask[d.weekday()]]
        if on_weekly_closed:
            raise SystemExit(f"calendar {cal['name']}: special open days on weekly "
                             f"closed days {on_weekly_closed} cannot be a numpy weekmask")
        closed = np.setdiff1d(closed, opened)
    return np.array(weekmask, dtype=bool), closed


def busdaycalendar(cals):
    """The busdaycalendar of days open in every one of `cals`."""
    weekmask = np.ones(7, dtype=bool)
    holidays = []
    for cal in cals:
        w, c = closed_days(cal)
        weekmask &= w
        holidays.append(c)
    holidays = np.unique(np.concatenate(holidays)) if holidays else None
    return np.busdaycalendar(weekmask=weekmask, holidays=holidays)


EVERY_DAY = {"name": "every-day", "closed_weekdays": [], "holidays": []}


class NumpySetup:
    """Per policy its shipping calendar and cut-off; per (policy, carrier) the
    carrier calendar's slot (identical calendars share one); the transit table."""

    def __init__(self, setup):
        self.policies = setup["policies"]
        self.carriers = setup["carriers"]
        self.today = np.datetime64(setup["today"], "D")
        self.ship = []
        self.cutoff = []
        for p in self.policies:
            self.ship.append(busdaycalendar(p.get("calendars") or
                                            [{"name": "store"}]))
            h, m = (int(x) for x in p.get("cutoff", "12:00").split(":")[:2])
            self.cutoff.append(h * 3600 + m * 60)
        keys = {}
        self.carrier_cals = []
        self.carrier_slot = np.zeros((len(self.policies), len(self.carriers)), np.int64)
        for pi, p in enumerate(self.policies):
            by_name = {c["name"]: c for c in p.get("carrier_calendars", [])}
            for ci, name in enumerate(self.carriers):
                cal = by_name.get(name, EVERY_DAY)
                key = json.dumps({k: v for k, v in cal.items() if k != "name"},
                                 sort_keys=True)
                if key not in keys:
                    keys[key] = len(self.carrier_cals)
                    self.carrier_cals.append(busdaycalendar([cal]))
                self.carrier_slot[pi, ci] = keys[key]
        self.transit = self._transit_table()

    def _transit_table(self):
        """transit[policy, carrier, service, destination], 255 = missing: asked of
        ichigen once per route (the policy's table: here the region estimate)."""
        t = np.full((len(self.policies), len(self.carriers), 3, 48), 255, np.uint8)
        for pi, p in enumerate(self.policies):
            policy = ichigen.ShippingPolicy(p)
            for ci, carrier in enumerate(self.carriers):
                for si, service in enumerate(SERVICES):
                    for dest in range(1, 48):
                        plan = policy.plan({
                            "ordered_at": "2026-03-02T01:00:00Z",
                            "destination": str(dest),
                            "carrier": carrier,
                            "service": service,
                            "handling_days": 0,
                        }, now="2026-03-02T01:00:00Z")
                        if plan["transit_days"] is not None:
                            t[pi, ci, si, dest] = plan["transit_days"]
        return t


# --------------------------------------------------------------------------
# The numpy plan
# --------------------------------------------------------------------------

def plan_numpy(s, rows):
    """Mirrors crates/ichigen-core/src/shipdate/batch.rs `row` with numpy only."""
    n = len(rows["ordered_at"])
    local = rows["ordered_at"] + JST  # Asia/Tokyo: no daylight saving
    day = (local // 86400).view("datetime64[D]")
    after_cutoff = np.zeros(n, dtype=bool)
    tod = local % 86400
    policy = rows["policy"]
    handling = rows["handling_days"]
    designated = rows["designated"]
    earliest = np.empty(n, dtype="datetime64[D]")
    groups = [np.flatnonzero(policy == p) for p in range(len(s.policies))]
    # 1–2. Start (the order day if open and before the cut-off, else the next
    # business day) plus handling days: one busday_offset per shipping calendar.
    for p, idx in enumerate(groups):
        after_cutoff[idx] = tod[idx] >= s.cutoff[p]
        earliest[idx] = np.busday_offset(
            day[idx] + after_cutoff[idx].astype(np.int64), handling[idx],
            roll="forward", busdaycal=s.ship[p])
    # 3. Transit from the table; delivery on the carrier calendar.
    transit = s.transit[policy, rows["carrier"], rows["service"], rows["destination"]]
    missing = transit == 255
    t = np.where(missing, 0, transit).astype(np.int64)
    slot = s.carrier_slot[policy, rows["carrier"]]
    earliest_delivery = np.empty(n, dtype="datetime64[D]")
    raw = np.empty(n, dtype="datetime64[D]")
    has_d = ~np.isnat(designated)
    for c, cal in enumerate(s.carrier_cals):
        idx = np.flatnonzero(slot == c)
        ti, ei = t[idx], earliest[idx]
        # transit > 0: the transit-th carrier business day after the ship date;
        # transit 0: the ship date rolled forward.
        delivered = np.busday_offset(ei, ti, roll="backward", busdaycal=cal)
        zero = ti == 0
        if zero.any():
            delivered[zero] = np.busday_offset(ei[zero], 0, roll="forward", busdaycal=cal)
        earliest_delivery[idx] = delivered
        # 4. Designated date D: the transit-th carrier business day before D
        # (transit 0: D itself).
        di = idx[has_d[idx]]
        dd, td = designated[di], t[di]
        before = np.busday_offset(dd, -td, roll="forward", busdaycal=cal)
        zero = td == 0
        before[zero] = dd[zero]
        raw[di] = before
    latest = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for p, idx in enumerate(groups):
        di = idx[has_d[idx]]
        latest[di] = np.busday_offset(raw[di], 0, roll="backward", busdaycal=s.ship[p])
    with np.errstate(invalid="ignore"):
        infeasible = has_d & ((latest < earliest) | (designated < earliest_delivery))
        feasible = has_d & ~infeasible
        awaiting = feasible & (latest > s.today) & (latest > earliest)
    status = np.zeros(n, dtype=np.int8)
    status[awaiting] = 1
    status[infeasible] = 2
    ship = np.where(feasible, latest, earliest)
    delivery = np.where(feasible, designated, earliest_delivery)
    # No transit entry: only the ship date.
    status[missing] = 3
    delivery[missing] = np.datetime64("NaT")
    latest[missing] = np.datetime64("NaT")
    transit_days = np.where(missing, 255, transit).astype(np.uint8)
    return {
        "status": status,
        "ship_date": ship,
        "delivery_date": delivery,
        "latest_ship_date": latest,
        "transit_days": transit_days,
    }


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def ichigen_columns(table):
    """The planner's output as numpy: status codes, dates as int32 (NO_DATE for null)."""
    status = table.column("status").combine_chunks()
    names = status.dictionary.to_pylist()
    codes = np.array([STATUS.index(x) for x in names], dtype=np.int8)
    out = {"status": codes[status.indices.to_numpy(zero_copy_only=False)]}
    for name in ("ship_date", "delivery_date", "latest_ship_date"):
        col = table.column(name).cast(pa.int32()).fill_null(NO_DATE)
        out[name] = col.to_numpy()
    out["transit_days"] = table.column("transit_days").fill_null(255).to_numpy()
    return out


def numpy_columns(res):
    out = {"status": res["status"], "transit_days": res["transit_days"]}
    for name in ("ship_date", "delivery_date", "latest_ship_date"):
        v = res[name]
        out[name] = np.where(np.isnat(v), NO_DATE, v.view(np.int64)).astype(np.int32)
    return out


def best_of(repeat, f):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side (best counts)")
    args = ap.parse_args(argv)

    setup = json.loads(SETUP.read_text(encoding="utf-8"))
    if setup["zone"] != "Asia/Tokyo":
        raise SystemExit("the numpy side reads instants at UTC+9 (Asia/Tokyo) only")
    n = args.rows
    print(f"rows: {n:,} (seed {args.seed}); {len(setup['policies'])} policies, "
          f"carriers {setup['carriers']}, today {setup['today']}")
    print(f"numpy {np.__version__}, pyarrow {pa.__version__}, "
          f"ichigen {ichigen.__version__} from {pathlib.Path(ichigen.__file__).parent}")

    start = time.perf_counter()
    rows = generate(n, args.seed)
    table = arrow_table(rows)
    print(f"generation: {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    s = NumpySetup(setup)
    print(f"numpy setup (busdaycalendars, transit table from ichigen): "
          f"{time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    planner = ichigen.BatchPlanner(setup["policies"], setup["carriers"], zone=setup["zone"])
    print(f"ichigen BatchPlanner(...): {time.perf_counter() - start:.3f} s")

    today = dt.date.fromisoformat(setup["today"])
    t_np, runs_np, res_np = best_of(args.repeat, lambda: plan_numpy(s, rows))
    t_ig, runs_ig, res_ig = best_of(
        args.repeat, lambda: planner.plan(table, today=today, threads=1))
    t_all, runs_all, res_all = best_of(
        args.repeat, lambda: planner.plan(table, today=today))
    fmt = lambda runs: ", ".join(f"{t:.3f}" for t in runs)
    print(f"numpy plan (one thread):      {t_np:8.3f} s  ({n / t_np / 1e6:6.2f} M rows/s; "
          f"runs {fmt(runs_np)})")
    print(f"ichigen plan, threads=1:      {t_ig:8.3f} s  ({n / t_ig / 1e6:6.2f} M rows/s; "
          f"runs {fmt(runs_ig)})")
    print(f"ichigen plan, every core ({os.cpu_count()}): {t_all:8.3f} s  "
          f"({n / t_all / 1e6:6.2f} M rows/s; runs {fmt(runs_all)})")
    print(f"ratio numpy / ichigen: {t_np / t_ig:.1f}x on one thread, "
          f"{t_np / t_all:.1f}x on every core (target >= 10x)")

    a, b = numpy_columns(res_np), ichigen_columns(res_ig)
    if len(b["status"]) != n:
        print(f"ichigen returned {len(b['status'])} rows for {n}")
        return 1
    if not res_all.equals(res_ig):
        print("ichigen's table on every core differs from its table on one thread")
        return 1
    counts = np.bincount(b["status"], minlength=len(STATUS))
    print("status counts (ichigen): " + " ".join(f"{k}={v}" for k, v in zip(STATUS, counts)))
    main_cols = ("status", "ship_date", "delivery_date")
    differ = np.zeros(n, dtype=bool)
    for name in main_cols:
        differ |= a[name] != b[name]
    extra = np.zeros(n, dtype=bool)
    for name in ("latest_ship_date", "transit_days"):
        extra |= a[name] != b[name]
    print(f"mismatches (status, ship_date, delivery_date): {int(differ.sum())}; "
          f"latest_ship_date or transit_days: {int(extra.sum())}")
    bad = np.flatnonzero(differ | extra)
    for i in bad[:5]:
        when = dt.datetime.fromtimestamp(int(rows["ordered_at"][i]), dt.timezone.utc)
        print(f"  row {i}: ordered {when.isoformat()} policy {rows['policy'][i]} "
              f"dest {rows['destination'][i]} carrier {rows['carrier'][i]} "
              f"service {rows['service'][i]} handling {rows['handling_days'][i]} "
              f"designated {rows['designated'][i]}")
        for name in main_cols + ("latest_ship_date", "transit_days"):
            print(f"    {name}: numpy {a[name][i]} ichigen {b[name][i]}")
    return 1 if len(bad) else 0


if __name__ == "__main__":
    sys.exit(main())

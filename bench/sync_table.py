#!/usr/bin/env python3
"""The table bench/sync.sh prints: sync_bench's RESULT lines (one JSON object each) side by side,
with the issue's targets marked. Usage: bench/sync_table.py results.jsonl"""
import json
import sys


def load(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    out[(r["phase"], r["label"])] = r
    except FileNotFoundError:
        pass
    return out


def mark(ok):
    return "✔" if ok else "✘"


def main():
    res = load(sys.argv[1])
    runs = [r for (phase, _), r in res.items() if phase == "run"]
    if runs:
        print("\n== engine runs (calls: what the bench's caller saw = the run's report = the sandbox's journal)")
        print("| Run | Read CC / table | To CC: created, updated, unsubscribed | To table: created, updated, unsubscribed "
              "| CC calls | Minimum | Ratio | Over | Engine CPU | Peak RSS | Wall (polls waited) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in runs:
            a, b = r["counts"]["a"], r["counts"]["b"]
            print(f"| {r['label']}{' (full read)' if r['full_read'] else ''} | {a['read']:,} / {b['read']:,} "
                  f"| {a['created']:,}, {a['updated']:,}, {a['unsubscribed']:,} "
                  f"| {b['created']:,}, {b['updated']:,}, {b['unsubscribed']:,} "
                  f"| {r['calls']} | {r['minimum']['total']} | {r['ratio']:.3f} | {r['over_minimum']:+d} "
                  f"| {r['cpu_s']:.2f} s | {r['max_rss_mb']:.0f} MB | {r['wall_s']:.1f} s ({r['waited_s']:.0f} s) |")
        print("\nCalls by kind, and the minimum's terms:")
        for r in runs:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items()))
            terms = ", ".join(f"{k} {v}" for k, v in r["minimum"].items() if k != "total")
            pad = " " * len(r["label"])
            print(f"  {r['label']}: {kinds}\n  {pad}  minimum: {terms}"
                  f" (imports {r['import_rows']:,} rows, {r['import_bytes'] / 1e6:.2f} MB)")
            if "cpu_by_part" in r:
                cpu = ", ".join(f"{k} {v:.2f}" for k, v in r["cpu_by_part"].items() if v >= 0.005)
                rss = ", ".join(f"{k} {v:.0f}" for k, v in r["rss_mb_after"].items())
                print(f"  {pad}  CPU s: {cpu}\n  {pad}  RSS MB after: {rss}")

    first = res.get(("run", "first"))
    strict = res.get(("run", "strict-first"))
    if strict:
        bound = strict["calls"] / 4
        print("\n== strict profile, first sync (real time; the bench paces 4 calls per sandbox-clock second)")
        print(f"  {strict['calls']} CC calls, wall {strict['wall_s']:.1f} s against the API-bound {bound:.1f} s "
              f"(calls / 4): {strict['wall_s'] / bound:.2f}x; of the wall time {strict['waited_s']:.0f} s polling "
              f"waits, {strict['cpu_s']:.2f} s engine CPU; 429 answers: {strict['throttled']}")

    pc_first = res.get(("baseline", "pc-first"))
    pc_next = res.get(("baseline", "pc-1pct"))
    after = res.get(("run", "after-1pct"))
    steady = res.get(("run", "steady-1pct"))
    if pc_first or pc_next:
        print("\n== per-contact baseline (one GET + one PUT/POST per row; pages + an UPDATE per CC contact)")
        for pc, engine, what in ((pc_first, first, "first sync"), (pc_next, after, "1 % changed")):
            if not pc:
                continue
            line = (f"  {what}: {pc['calls']:,} CC calls ({pc['rows_to_cc']:,} rows to CC, "
                    f"{pc['contacts_to_app']:,} contacts to the table), {pc['wall_s']:.0f} s here; at CC's 4/s "
                    f"{pc['calls'] / 4 / 3600:.2f} h and {pc['calls'] / 10000:.1f} days of the 10,000-call quota")
            if engine:
                line += f"; the engine: {engine['calls']} calls, ratio {pc['calls'] / engine['calls']:.0f}x"
            if what == "1 % changed" and steady:
                line += f" ({pc['calls'] / steady['calls']:.0f}x the steady-state 1 % run's {steady['calls']})"
            print(line)

    quiet = res.get(("run", "steady-quiet"))
    idle = res.get(("run", "idle"))
    daily = res.get(("run", "daily-full"))
    if idle:
        per_day = 24 * idle["calls"]
        line = (f"\n== steady state: an incremental run with nothing changed makes {idle['calls']} CC calls; "
                f"hourly, 24 x = {per_day}/day")
        if daily:
            line += (f"; with the daily complete read ({daily['calls']} calls) in place of one of them, "
                     f"{23 * idle['calls'] + daily['calls']}/day")
        if quiet:
            line += f" (the run after a 1 % run, which reads back that run's writes: {quiet['calls']})"
        print(line)
        if daily:
            # The hub keeps an account's catalogue 6 h (HubSyncSides::kCatalogueLife): its 3 calls
            # are made by 4 of the 24 runs; this bench opens the CC side afresh each run.
            passes = idle["calls"] - 3
            hub = 24 * passes + 4 * 3 + (daily["calls"] - 3) - passes
            print(f"   as the hub runs it (catalogue kept 6 h): 24 x {passes} + 4 x 3 catalogue calls, the daily "
                  f"read's {daily['calls'] - 3} pages in place of one run's {passes} = {hub}/day")

    if first:
        print("\n== targets")
        print(f"  first sync calls <= 1.05 x minimum: {first['ratio']:.3f} {mark(first['ratio'] <= 1.05)}")
        print(f"  engine CPU < 2 s: {first['cpu_s']:.2f} s {mark(first['cpu_s'] < 2)}")
        print(f"  peak RSS < 300 MB: {first['max_rss_mb']:.0f} MB {mark(first['max_rss_mb'] < 300)}")
        for r in (after, steady):
            if r:
                ok = r["over_minimum"] <= 2
                print(f"  {r['label']} <= minimum + 2: {r['calls']} vs {r['minimum']['total']} {mark(ok)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The arithmetic of bench/soak.sh: samples of the server while the soak runs, and the verdict.

Subcommands:
  sample  --pid P --metrics URL --auth U:P --pg-port N --pg-bin DIR --interval S --phase-file F --out F.jsonl
          every S seconds until SIGTERM: heap right after a full GC (jcmd GC.run, GC.heap_info), live threads,
          cloudpark_sip_application_sessions, parked_call rows by status (psql; null while the database is down)
  final   --pg-port N --pg-bin DIR --out F.json      park_history by tenant and resolution, parked_call rows left
  report  --run D [bounds]                           everything -> D/soak.json, the text on stdout; exit 1 when a
                                                     target is missed (0 lost, 0 stuck, 0 leaked, flat heap)
"""
import argparse
import csv
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import parse_metrics, sipp_log_lines, sipp_results  # noqa: E402  (run.sh's SIPp log readers)

TRANSIENT = ("HOLDING", "RETRIEVING", "RECALLING")


def psql(args, sql):
    """rows of a query as lists of strings; None when the database does not answer (it is being restarted)"""
    command = [os.path.join(args.pg_bin, "psql"), "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres",
               "-d", "cloudpark", "-tAF|", "-c", sql]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    return [line.split("|") for line in out.stdout.splitlines() if line]


def heap_after_gc_kib(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    g1 = re.search(r"garbage-first heap\s+total \d+K, used (\d+)K", info)
    if g1:
        return int(g1.group(1))
    used = re.findall(r"^\s*(?:def new generation|tenured generation|PSYoungGen|ParOldGen)\s+total \d+K, used (\d+)K",
                      info, re.M)
    return sum(int(u) for u in used) if used else None


def threads(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return None


def metrics(url, auth):
    request = urllib.request.Request(url)
    request.add_header("Authorization", "Basic " + __import__("base64").b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return parse_metrics(response.read().decode())
    except OSError:
        return {}


def one_sample(args):
    rows = psql(args, "select status, count(*) from parked_call group by status")
    m = metrics(args.metrics, args.auth)
    return {"time": time.time(), "heap_after_gc_kib": heap_after_gc_kib(args.pid), "threads": threads(args.pid),
            "sip_application_sessions": m.get("cloudpark_sip_application_sessions"),
            "parked_by_status": None if rows is None else {status: int(n) for status, n in rows}}


def cmd_sample(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(args.out, "a") as out:
        while not stop:
            started = time.time()
            sample = one_sample(args)
            sample["phase"] = open(args.phase_file).read().strip()
            out.write(json.dumps(sample) + "\n")
            out.flush()
            while not stop and time.time() < started + args.interval:
                time.sleep(0.2)


def cmd_final(args):
    history = psql(args, "select t.domain, h.resolution, h.ended_by, count(*) from park_history h "
                         "join tenant t on t.id = h.tenant_id group by 1, 2, 3")
    parked = psql(args, "select t.domain, p.status, count(*) from parked_call p join tenant t on t.id = p.tenant_id "
                        "group by 1, 2")
    failed = psql(args, "select t.domain, extract(epoch from h.ended_at) from park_history h "
                        "join tenant t on t.id = h.tenant_id where h.resolution = 'FAILED'")
    if history is None or parked is None or failed is None:
        sys.exit("the database does not answer")
    json.dump({"history": [{"domain": d, "resolution": r, "ended_by": e or None, "count": int(n)} for d, r, e, n in history],
               "failed_parks": [{"domain": d, "ended_at": float(t)} for d, t in failed],
               "parked": [{"domain": d, "status": s, "count": int(n)} for d, s, n in parked]},
              open(args.out, "w"), indent=2)


# ------------------------------------------------------------------------------------------------------- report
def slope_per_minute(points):
    """least-squares slope of (epoch seconds, value) points, per minute; None with fewer than 3 points"""
    points = [(t, v) for t, v in points if v is not None]
    if len(points) < 3:
        return None
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return 60 * sum((t - mt) * (v - mv) for t, v in points) / var if var else None


def failures_by_time(directory):
    """(time, failed calls in the period ending then) of a SIPp instance's -trace_stat file(s)"""
    out = []
    for path in glob.glob(os.path.join(directory, "*_.csv")):
        with open(path, errors="replace") as f:
            rows = list(csv.reader(f, delimiter=";"))
        if not rows:
            continue
        header = rows[0]
        at, failed = header.index("CurrentTime"), header.index("FailedCall(P)")
        for row in rows[1:]:
            if len(row) > failed:
                # CurrentTime: "2026-12-03\t12:00:00.123456\t1796299200.123456"
                out.append((float(row[at].split("\t")[-1]), int(row[failed])))
    return out


def in_windows(t, windows):
    return any(begin <= t <= end for begin, end in windows)


def cmd_report(args):
    run = args.run
    config = json.load(open(os.path.join(run, "soak-config.json")))
    samples = [json.loads(line) for line in open(os.path.join(run, "samples.jsonl")) if line.strip()]
    final = json.load(open(os.path.join(run, "final.json")))
    restarts = [json.loads(line) for line in open(os.path.join(run, "restarts.jsonl")) if line.strip()]
    dropped = json.load(open(os.path.join(run, "blackhole.json"))) if os.path.exists(os.path.join(run, "blackhole.json")) else {}
    # a call that fails because the database restarted ends within the SIPp receive timeout after it is back
    windows = [(r["begin"] - args.window_before_s, r["end"] + args.window_after_s) for r in restarts]

    lanes, lost, problems = {}, 0, []
    for lane in config["lanes"]:
        name, directory = lane["name"], os.path.join(run, "lanes", lane["name"])
        domains = set(lane["domains"])
        results = {}
        for role in lane["roles"]:
            results[role] = sipp_results(os.path.join(directory, role)).get(lane["roles"][role], {})
        caller = results["caller"]
        failed_in, failed_in_peers, failed_out = 0, 0, 0
        for role in lane["roles"]:
            for t, n in failures_by_time(os.path.join(directory, role)):
                if n and in_windows(t, windows):
                    # refused (503/480) or cut while the database was down: allowed, reported apart; a park among
                    # them that did not end properly still counts below (FAILED, stuck, or no expected resolution)
                    failed_in += n if role == "caller" else 0
                    failed_in_peers += 0 if role == "caller" else n
                elif n:
                    failed_out += n
                    problems.append("%s: %d %s call(s) failed at %s, outside the database restarts" % (
                        name, n, role, time.strftime("%H:%M:%S", time.gmtime(t))))
        unfinished = caller.get("created", 0) - caller.get("successful", 0) - caller.get("failed", 0)
        history = {}
        for h in final["history"]:
            if h["domain"] in domains:
                key = h["resolution"] + ("" if not h["ended_by"] else " (%s)" % h["ended_by"])
                history[key] = history.get(key, 0) + h["count"]
        expected = sum(n for k, n in history.items() if k.split(" ")[0] == lane["expected"])
        # a park the database's restart failed (the call went back to its parker) is allowed as a refused caller is
        failed_times = [f["ended_at"] for f in final["failed_parks"] if f["domain"] in domains]
        failed_in_restarts = sum(1 for t in failed_times if in_windows(t, windows))
        ended_failed = len(failed_times) - failed_in_restarts
        parks = sum(history.values())
        entry = {"expected_resolution": lane["expected"], "rate_cps": lane["rate_cps"],
                 "sipp": results, "caller_failed_during_db_restarts": failed_in,
                 "other_roles_failed_during_db_restarts": failed_in_peers,
                 "failed_outside_db_restarts": failed_out, "caller_unfinished": unfinished,
                 "parks_failed_during_db_restarts": failed_in_restarts,
                 "park_history": history, "parks_recorded": parks}
        lane_lost = failed_out + max(unfinished, 0) + ended_failed
        if expected < caller.get("successful", 0):
            problems.append("%s: %d successful cycles but only %d parks ended %s" % (
                name, caller.get("successful", 0), expected, lane["expected"]))
            lane_lost += caller.get("successful", 0) - expected
        if parks > caller.get("created", 0):
            problems.append("%s: %d parks recorded for %d calls started" % (name, parks, caller.get("created", 0)))
        if unfinished:
            problems.append("%s: %d calls still running when the lane ended" % (name, unfinished))
        if ended_failed:
            problems.append("%s: %d parks ended FAILED outside the database restarts" % (name, ended_failed))
        if "race" in lane:
            outcomes = [line[2] for line in sipp_log_lines(os.path.join(directory, "retriever*", "*_logs.log"))
                        if len(line) >= 3 and line[0] == "RACE"]
            entry["race"] = {"won": outcomes.count("won"), "lost": outcomes.count("lost")}
            if entry["race"]["won"] > expected:
                problems.append("%s: %d retrieves won for %d parks retrieved" % (name, entry["race"]["won"], expected))
        entry["lost"] = lane_lost
        lost += lane_lost
        lanes[name] = entry

    stuck_rows = [p for p in final["parked"]]
    stuck = sum(p["count"] for p in stuck_rows)
    transient_end = {s: sum(p["count"] for p in stuck_rows if p["status"] == s) for s in TRANSIENT}

    baseline = next((s for s in samples if s.get("phase") == "baseline"), samples[0])
    end = samples[-1]
    leaked = None
    if end.get("sip_application_sessions") is not None and baseline.get("sip_application_sessions") is not None:
        leaked = int(end["sip_application_sessions"] - baseline["sip_application_sessions"])

    traffic = [s for s in samples if s.get("phase") == "traffic"]
    second_half = traffic[len(traffic) // 2:]
    heap_slope = slope_per_minute([(s["time"], s["heap_after_gc_kib"]) for s in second_half])
    thread_slope = slope_per_minute([(s["time"], s["threads"]) for s in second_half])
    heap_flat = heap_slope is not None and heap_slope <= args.heap_slope_kib_per_min
    threads_flat = thread_slope is not None and thread_slope <= args.thread_slope_per_min
    threads_end_over_baseline = (end["threads"] or 0) - (baseline["threads"] or 0)

    verdict = {"lost": lost, "stuck": stuck, "leaked_sip_application_sessions": leaked,
               "heap_slope_second_half_kib_per_min": None if heap_slope is None else round(heap_slope, 1),
               "heap_slope_bound_kib_per_min": args.heap_slope_kib_per_min, "heap_flat": heap_flat,
               "threads_slope_second_half_per_min": None if thread_slope is None else round(thread_slope, 2),
               "threads_slope_bound_per_min": args.thread_slope_per_min, "threads_flat": threads_flat,
               "threads_end_minus_baseline": threads_end_over_baseline,
               "rows_in_transient_states_at_end": transient_end}
    log = os.path.join(run, "cloudpark", "server.log")
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    verdict["server_log"] = {"ERROR": len(re.findall(r"^\S+ \S+ ERROR ", text, re.M)),
                             "WARN": len(re.findall(r"^\S+ \S+ WARN ", text, re.M))}
    passed = lost == 0 and stuck == 0 and leaked == 0 and heap_flat and threads_flat
    verdict["passed"] = passed
    out = {"config": config, "restarts": restarts, "restart_windows": windows, "devices_that_never_answer": dropped,
           "lanes": lanes, "verdict": verdict, "problems": problems, "samples": samples}
    json.dump(out, open(os.path.join(run, "soak.json"), "w"), indent=2)

    print("soak %s: %s min at %s cycles/s, database restarted %d times" % (
        config["id"], config["minutes"], config["rate_cps"], len(restarts)))
    for r in restarts:
        print("  restart %d: database down %.1f s (%s)" % (r["n"], r["end"] - r["begin"], time.strftime("%H:%M:%S", time.gmtime(r["begin"]))))
    print("%-9s %6s %8s %8s %9s %9s %6s  %s" % ("lane", "cps", "started", "ok", "fail@db", "fail", "lost", "park history"))
    for name, e in lanes.items():
        c = e["sipp"]["caller"]
        print("%-9s %6.1f %8d %8d %9d %9d %6d  %s%s" % (
            name, e["rate_cps"], c.get("created", 0), c.get("successful", 0), e["caller_failed_during_db_restarts"],
            e["failed_outside_db_restarts"], e["lost"],
            ", ".join("%s %d" % kv for kv in sorted(e["park_history"].items())),
            "; race won %d lost %d" % (e["race"]["won"], e["race"]["lost"]) if "race" in e else ""))
    print("  fail@db: callers refused (503/480) or cut within a database restart window, allowed (other roles: %d);"
          " fail: any role's failures outside them, counted as lost" % sum(e["other_roles_failed_during_db_restarts"] for e in lanes.values()))
    print("  parks ended FAILED within a restart window (the call back to its parker), allowed: %d" % sum(
        e["parks_failed_during_db_restarts"] for e in lanes.values()))
    if dropped:
        print("devices that never answer dropped: %s" % ", ".join("%s %d" % kv for kv in sorted(dropped.items())))
    heaps = [s["heap_after_gc_kib"] for s in traffic if s["heap_after_gc_kib"]]
    ths = [s["threads"] for s in traffic if s["threads"]]
    if heaps:
        print("heap after full GC: baseline %.1f MiB, traffic min %.1f / max %.1f MiB, end %.1f MiB; second-half slope %s KiB/min (bound %s): %s" % (
            (baseline["heap_after_gc_kib"] or 0) / 1024, min(heaps) / 1024, max(heaps) / 1024,
            (end["heap_after_gc_kib"] or 0) / 1024, verdict["heap_slope_second_half_kib_per_min"],
            args.heap_slope_kib_per_min, "flat" if heap_flat else "GROWING"))
    if ths:
        print("live threads: baseline %d, traffic %d..%d, end %d; second-half slope %s/min (bound %s): %s" % (
            baseline["threads"] or 0, min(ths), max(ths), end["threads"] or 0,
            verdict["threads_slope_second_half_per_min"], args.thread_slope_per_min, "flat" if threads_flat else "GROWING"))
    print("SIP application sessions: baseline %s, end %s (after %s s idle): leaked %s" % (
        baseline.get("sip_application_sessions"), end.get("sip_application_sessions"), config["settle_seconds"], leaked))
    print("parked_call rows at the end: %d (transient: %s)" % (stuck, ", ".join("%s %d" % kv for kv in transient_end.items())))
    for p in problems:
        print("  problem: " + p)
    print("server log: %d ERROR, %d WARN lines" % (verdict["server_log"]["ERROR"], verdict["server_log"]["WARN"]))
    print("verdict: %s (lost %d, stuck %d, leaked %s, heap %s, threads %s)" % (
        "PASSED" if passed else "FAILED", lost, stuck, leaked, "flat" if heap_flat else "not flat",
        "flat" if threads_flat else "not flat"))
    sys.exit(0 if passed else 1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--metrics", required=True)
    s.add_argument("--auth", required=True)
    s.add_argument("--interval", type=float, default=10)
    s.add_argument("--out", required=True)
    s.add_argument("--once", action="store_true", help="one sample, then exit")
    s.add_argument("--phase", help="written into the sample (with --once)")
    s.add_argument("--phase-file", help="its content is written into each sample (without --once)")
    for s in (s, sub.add_parser("final")):
        s.add_argument("--pg-port", type=int, required=True)
        s.add_argument("--pg-bin", required=True)
        if s.prog.endswith("final"):
            s.add_argument("--out", required=True)
    s = sub.add_parser("report")
    s.add_argument("--run", required=True)
    s.add_argument("--heap-slope-kib-per-min", type=float, required=True)
    s.add_argument("--thread-slope-per-min", type=float, required=True)
    s.add_argument("--window-before-s", type=float, default=5)
    s.add_argument("--window-after-s", type=float, default=30)
    args = p.parse_args()
    if args.command == "sample" and args.once:
        sample = one_sample(args)
        sample["phase"] = args.phase
        with open(args.out, "a") as out:
            out.write(json.dumps(sample) + "\n")
        return
    {"sample": cmd_sample, "final": cmd_final, "report": cmd_report}[args.command](args)


if __name__ == "__main__":
    main()

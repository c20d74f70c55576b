#!/usr/bin/env python3
"""The arithmetic of bench/run.sh: snapshots of the server process, step verdicts, latencies from SIPp logs, the idle
window, the heap, and the final results.json and table. run.sh does the orchestration; this does the numbers.

Subcommands (run.sh calls each one; all paths are files or directories of one run):
  snapshot  --pid P [--metrics URL] --out F       process CPU ticks, machine CPU, load, server counters, time
  step      --dir D --server S --rate R --cycles N --bound-s B --before F --after F
                                                  verdict of one rate step -> D/step.json; exit 1 if it failed
  idle      --dir D --before F --after F          the idle window -> D/idle.json
  heap      --dir D --parked N                    heap before / with N calls parked -> D/heap.json
  report    --run D --out results.json            everything -> results.json, and the table on stdout
"""
import argparse
import glob
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------------------- helpers
def load(path):
    with open(path) as f:
        return json.load(f)


def dump(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")


def percentile(values, p):
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100.0 * len(ordered)) - 1)]


def distribution(values_ms):
    if not values_ms:
        return {"samples": 0}
    return {"samples": len(values_ms), "p50_ms": round(percentile(values_ms, 50), 3),
            "p90_ms": round(percentile(values_ms, 90), 3), "p99_ms": round(percentile(values_ms, 99), 3),
            "max_ms": round(max(values_ms), 3)}


def sipp_log_lines(pattern):
    """-trace_logs lines of SIPp <log> actions: fields separated by ';' (SIPp writes numbers as %f)."""
    lines = []
    for path in sorted(glob.glob(pattern)):
        with open(path, errors="replace") as f:
            for line in f.read().replace("\r", "").split("\n"):
                if line.strip():
                    lines.append(line.strip().split(";"))
    return lines


def stamp(seconds, micros):
    """seconds + microseconds of a <gettimeofday> pair; None when SIPp wrote a field empty (it does, rarely)"""
    try:
        return float(seconds) + float(micros) / 1e6
    except ValueError:
        return None


def sipp_results(directory):
    """Final 'Successful call' / 'Failed call' counters of every SIPp instance of a step, by scenario name."""
    out = {}
    for path in glob.glob(os.path.join(directory, "*_screen.log")):
        scenario = re.sub(r"_\d+_screen\.log$", "", os.path.basename(path))
        text = open(path, errors="replace").read()
        ok = re.findall(r"Successful call\s+\|\s+\d+\s+\|\s+(\d+)", text)
        failed = re.findall(r"Failed call\s+\|\s+\d+\s+\|\s+(\d+)", text)
        created = re.findall(r"Total Calls created\s+\|\s+\|\s+(\d+)", text)
        entry = out.setdefault(scenario, {"successful": 0, "failed": 0, "created": 0})
        entry["successful"] += int(ok[-1]) if ok else 0
        entry["failed"] += int(failed[-1]) if failed else 0
        entry["created"] += int(created[-1]) if created else 0
    return out


def parse_metrics(text):
    values = {}
    for line in (text or "").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                # the Prometheus text format allows a trailing comma in the labels (simpleclient writes one)
                values[name.replace(",}", "}")] = float(value)
            except ValueError:
                pass
    return values


def delta(before, after, name):
    return after.get("metrics", {}).get(name, 0) - before.get("metrics", {}).get(name, 0)


# ------------------------------------------------------------------------------------------------------- snapshot
def proc_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat, counted after the name)


def thread_ticks(pid):
    """CPU ticks of the server's threads by name, numbers folded ('C2 CompilerThre#', 'GC Thread#'): JFR's execution
    samples see only Java code; this also sees the JIT compilers and the garbage collector."""
    groups = {}
    for task in glob.glob("/proc/%d/task/*" % pid):
        try:
            name = open(task + "/comm").read().strip()
            with open(task + "/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        name = re.sub(r"\d+", "#", name)
        groups[name] = groups.get(name, 0) + int(fields[11]) + int(fields[12])
    return groups


def udp_drops_by_port(low, high):
    """Datagrams the kernel dropped per local UDP port (socket buffer full), from /proc/net/udp and udp6."""
    drops = {}
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            port = int(fields[1].rsplit(":", 1)[1], 16)
            if low <= port <= high:
                drops[str(port)] = drops.get(str(port), 0) + int(fields[-1])
    return drops


def machine_ticks():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return sum(cpu[:8]), idle


def cmd_snapshot(args):
    total, idle = machine_ticks()
    udp = [l.split() for l in open("/proc/net/snmp") if l.startswith("Udp:")]
    snap = {"time": time.time(), "process_ticks": proc_ticks(args.pid), "thread_ticks": thread_ticks(args.pid),
            "udp_receive_buffer_errors": int(udp[1][udp[0].index("RcvbufErrors")]),
            "udp_drops_by_port": udp_drops_by_port(args.ports[0], args.ports[1]) if args.ports else {},
            "clk_tck": CLK_TCK,
            "machine_ticks": total, "machine_idle_ticks": idle, "loadavg": open("/proc/loadavg").read().split()[:3]}
    if args.metrics:
        request = urllib.request.Request(args.metrics)
        request.add_header("Authorization", "Basic " + __import__("base64").b64encode(args.auth.encode()).decode())
        with urllib.request.urlopen(request, timeout=10) as response:
            snap["metrics"] = parse_metrics(response.read().decode())
    dump(snap, args.out)


# thread names as /proc shows them: cut to 15 characters, digits folded to '#'
THREAD_KINDS = [("JIT compiler", r"^C# Compiler"), ("garbage collector", r"^(GC Thread|G# |VM Thread)"),
                ("SIP message threads", r"UDPMe|TCPMe|MessageProcesso"),
                ("container timers and executors", r"^(DefaultSipTime|MSS-Executor|SipApplicationSe|Timer-)"),
                ("cloudpark timers", r"^cloudpark-time"), ("database", r"^(H#-|MVStore|HikariPool)"),
                ("profiler", r"^JFR"), ("HTTP", r"^http-")]


def cpu_by_kind(before, after, cycles):
    """Server CPU ms per cycle by kind of thread (threads that began and ended inside the window are missed)."""
    kinds = {}
    b = before.get("thread_ticks", {})
    for name, ticks in after.get("thread_ticks", {}).items():
        d = ticks - b.get(name, 0)
        if d <= 0:
            continue
        kind = next((k for k, pattern in THREAD_KINDS if re.search(pattern, name)), "other")
        kinds[kind] = kinds.get(kind, 0) + d
    return {k: round(v * 1000.0 / before["clk_tck"] / cycles, 2) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])}


def cpu_between(before, after):
    ticks = after["process_ticks"] - before["process_ticks"]
    wall = after["time"] - before["time"]
    machine = after["machine_ticks"] - before["machine_ticks"]
    machine_busy = machine - (after["machine_idle_ticks"] - before["machine_idle_ticks"])
    return {"server_cpu_ms": round(ticks * 1000.0 / before["clk_tck"], 1), "wall_s": round(wall, 2),
            "server_cores": round(ticks / before["clk_tck"] / wall, 2) if wall > 0 else None,
            "machine_busy_percent": round(100.0 * machine_busy / machine, 1) if machine else None,
            # datagrams the kernel dropped for a full socket buffer, anywhere on the machine (not only ours)
            "udp_receive_buffer_drops": after.get("udp_receive_buffer_errors", 0) - before.get("udp_receive_buffer_errors", 0),
            # the same, by our sockets: the server's SIP port, or one of the SIPp roles' ports
            "udp_drops_by_port": {p: n - before.get("udp_drops_by_port", {}).get(p, 0)
                                  for p, n in after.get("udp_drops_by_port", {}).items()
                                  if n - before.get("udp_drops_by_port", {}).get(p, 0) > 0},
            "loadavg_after": after["loadavg"][0]}


# ----------------------------------------------------------------------------------------------------------- step
def refer_to_notify_ms(directory):
    """REFER sent by the parker -> park-info NOTIFY (reason parked) received by the target's device.

    Two SIPp instances on one machine, one clock (gettimeofday). The NOTIFY names no REFER, so they are paired per
    tenant in time order: run.sh cycles through the tenants so that one tenant never has two parks in flight.
    """
    refers, notifies = {}, {}
    unpaired = 0
    for f in sipp_log_lines(os.path.join(directory, "parker_*_logs.log")):
        if f[0] == "REFER":
            t = stamp(f[2], f[3])
            if t is None:
                unpaired += 1
            else:
                refers.setdefault(f[1], []).append(t)
    for f in sipp_log_lines(os.path.join(directory, "park_target_*_logs.log")):
        if f[0] == "NOTIFY" and f[2] == "parked":
            t = stamp(f[3], f[4])
            if t is not None:
                notifies.setdefault(f[1], []).append(t)
    latencies = []
    for domain, sent in refers.items():
        received = sorted(notifies.get(domain, []))
        i = 0
        for t in sorted(sent):
            while i < len(received) and received[i] < t:
                i += 1
            if i == len(received):
                unpaired += 1
                continue
            latencies.append((received[i] - t) * 1000.0)
            i += 1
    return latencies, unpaired


def retrieve_ms(directory):
    out = []
    for f in sipp_log_lines(os.path.join(directory, "retriever_*_logs.log")):
        if f[0] == "RETRIEVE" and len(f) >= 6:
            sent, answered = stamp(f[2], f[3]), stamp(f[4], f[5])
            if sent is not None and answered is not None:
                out.append((answered - sent) * 1000.0)
    return out


def cmd_step(args):
    before, after = load(args.before), load(args.after)
    n = args.cycles
    sipp = sipp_results(args.dir)
    expected = {"caller": n, "parker": n, "park_target": 2 * n, "retriever": n}
    problems = []
    for scenario, count in expected.items():
        got = sipp.get(scenario, {"successful": 0, "failed": 0})
        if got["failed"]:
            problems.append("%s: %d failed calls" % (scenario, got["failed"]))
        if got["successful"] != count:
            problems.append("%s: %d of %d calls completed" % (scenario, got["successful"], count))
    if os.path.exists(os.path.join(args.dir, "leftover")):
        problems.append("SIPp instances still running at the step's time bound: " + open(os.path.join(args.dir, "leftover")).read().strip())
    cpu = cpu_between(before, after)
    server_drops = cpu["udp_drops_by_port"].get(str(args.server_port), 0)
    cpu["udp_drops_server_socket"] = server_drops
    cpu["udp_drops_sipp_sockets"] = sum(cpu["udp_drops_by_port"].values()) - server_drops
    if cpu["wall_s"] > args.bound_s:
        problems.append("took %.1f s, bound %.0f s" % (cpu["wall_s"], args.bound_s))
    server = {}
    if "metrics" in before:
        server = {"parks": delta(before, after, "cloudpark_parks_total"),
                  "retrieved": delta(before, after, 'cloudpark_park_resolutions_total{resolution="RETRIEVED"}'),
                  "park_info_notifies": delta(before, after, "cloudpark_park_info_notify_sent_total"),
                  "park_info_notify_failures": delta(before, after, "cloudpark_park_info_notify_failed_total"),
                  "retrieve_misses": delta(before, after, "cloudpark_retrieve_misses_total")}
        refusals = sum(after["metrics"].get(k, 0) - before["metrics"].get(k, 0)
                       for k in after["metrics"] if k.startswith("cloudpark_park_refusals_total"))
        server["park_refusals"] = refusals
        if server["parks"] != n or server["retrieved"] != n:
            problems.append("server counted %d parks, %d retrieved, of %d" % (server["parks"], server["retrieved"], n))
        if server["park_info_notify_failures"] or server["retrieve_misses"] or refusals:
            problems.append("server counted notify failures / retrieve misses / refusals")
    refer_notify, unpaired = refer_to_notify_ms(args.dir)
    step = {"server": args.server, "rate_cps": args.rate, "cycles": n, "passed": not problems, "problems": problems,
            "achieved_cps": round(n / cpu["wall_s"], 1) if cpu["wall_s"] else None,
            "cpu_ms_per_cycle": round(cpu["server_cpu_ms"] / n, 2), **cpu,
            "cpu_ms_per_cycle_by_thread_kind": cpu_by_kind(before, after, n),
            "refer_to_park_info_notify": {**distribution(refer_notify), "unpaired_refers": unpaired},
            "retrieve_invite_to_200": distribution(retrieve_ms(args.dir)),
            "sipp": sipp, "server_counters": server}
    dump(step, os.path.join(args.dir, "step.json"))
    rn, rt = step["refer_to_park_info_notify"], step["retrieve_invite_to_200"]
    print("  %-9s %4d cycles/s: %-4s  %5.2f ms CPU/cycle  REFER->NOTIFY p50 %s p99 %s ms  retrieve p50 %s p99 %s ms  "
          "machine %s%% busy, UDP drops %d at the server, %d at SIPp%s" % (
              args.server, args.rate, "ok" if not problems else "FAIL", step["cpu_ms_per_cycle"], rn.get("p50_ms"),
              rn.get("p99_ms"), rt.get("p50_ms"), rt.get("p99_ms"), cpu["machine_busy_percent"],
              cpu["udp_drops_server_socket"], cpu["udp_drops_sipp_sockets"],
                                   "" if not problems else "  (" + "; ".join(problems) + ")"))
    sys.exit(0 if not problems else 1)


def cmd_warm(args):
    """exit 0 once a warm-up round's CPU per cycle is within 15 % of the round before and the JIT compilers used
    less than 20 % of it (on cloudpark the share stays near 15 % for minutes: C2 keeps compiling Hibernate's and
    H2's long tail). The JIT share alone is not enough: a first round runs mostly interpreted, and its share can be
    low while its CPU per cycle is several times the warm figure."""
    step = load(os.path.join(args.dir, "step.json"))
    cpu = step["cpu_ms_per_cycle"]
    jit = step["cpu_ms_per_cycle_by_thread_kind"].get("JIT compiler", 0.0)
    share = jit / cpu if cpu else 1.0
    previous = load(os.path.join(args.previous, "step.json"))["cpu_ms_per_cycle"] if args.previous else None
    settled = previous is not None and cpu <= 1.15 * previous and cpu >= previous / 1.15
    print("  %s: %.2f ms CPU/cycle%s, %.0f %% of it JIT compiling%s" % (
        args.label, cpu, "" if previous is None else " (%.2f the round before)" % previous, 100 * share,
        "" if step["passed"] else " (had failures)"))
    sys.exit(0 if settled and share < 0.20 else 1)


def cmd_fanout(args):
    """REFER of each fan-out park -> the last park-info NOTIFY that told its state. One listening SIPp plays every
    device, on the same clock as the parker; each park bumps the park-info version (the parks are a second apart, so
    the i-th REFER made the i-th version), which is how a NOTIFY is told apart from the next park's when they overlap."""
    refers = sorted(t for t in (stamp(f[2], f[3]) for f in sipp_log_lines(os.path.join(args.dir, "parker_*_logs.log"))
                                if f[0] == "REFER") if t is not None)
    by_version = {}
    for f in sipp_log_lines(os.path.join(args.dir, "notify_sink_*_logs.log")):
        if f[0] == "NOTIFY" and f[2] == "parked" and len(f) >= 6 and f[5].isdigit():
            t = stamp(f[3], f[4])
            if t is not None:
                by_version.setdefault(int(f[5]), []).append(t)
    parks = []
    for t, version in zip(refers, sorted(by_version)):
        got = sorted(by_version[version])
        parks.append({"version": version, "notifies": len(got), "first_ms": round((got[0] - t) * 1000, 3),
                      "last_ms": round((got[-1] - t) * 1000, 3)})
    complete = [p["last_ms"] for p in parks if p["notifies"] == args.devices]
    out = {"devices": args.devices, "parks": parks, "parks_told_every_device": len(complete),
           "last_notify_p50_ms": round(percentile(complete, 50), 3) if complete else None,
           "last_notify_max_ms": round(max(complete), 3) if complete else None}
    dump(out, os.path.join(args.dir, "fanout.json"))
    print("  fan-out to %d devices: %d of %d parks told every device; REFER -> last NOTIFY median %s ms, max %s ms" % (
        args.devices, len(complete), len(parks), fmt(out["last_notify_p50_ms"]), fmt(out["last_notify_max_ms"])))


def cmd_expect(args):
    """exit 0 when the scenario's instance(s) in the directory completed exactly that many calls, none failed"""
    got = sipp_results(args.dir).get(args.scenario, {"successful": 0, "failed": 0})
    if got["successful"] != args.successful or got["failed"]:
        print("  %s: %d successful, %d failed, expected %d" % (args.scenario, got["successful"], got["failed"], args.successful))
        sys.exit(1)


# ----------------------------------------------------------------------------------------------------------- idle
def idle_second_half(directory, after):
    """CPU of the second half of the window: the first still pays for the registrations' transaction timers"""
    path = os.path.join(directory, "middle.json")
    if not os.path.exists(path):
        return None
    cpu = cpu_between(load(path), after)
    return round(cpu["server_cpu_ms"] / cpu["wall_s"], 2)


def cmd_idle(args):
    before, after = load(args.before), load(args.after)
    received = sent = 0
    by_method = {}
    for path in glob.glob(os.path.join(args.dir, "*_messages.log")):
        lines = open(path, errors="replace").read().splitlines()
        for i, line in enumerate(lines):
            if re.search(r"message received \[\d+\] bytes", line):
                received += 1
            elif re.search(r"message sent \(\d+ bytes\)", line):
                sent += 1
            else:
                continue
            first = next((l for l in lines[i + 1:i + 4] if l.strip()), "")
            by_method[first.split(" ")[0] if not first.startswith("SIP/2.0") else "response"] = \
                by_method.get(first.split(" ")[0] if not first.startswith("SIP/2.0") else "response", 0) + 1
    cpu = cpu_between(before, after)
    messages = received + sent
    per_hour = messages * 3600.0 / cpu["wall_s"]
    idle = {"window_s": cpu["wall_s"], "devices_listening": args.devices,
            "messages_to_devices": received, "messages_from_devices": sent, "by_first_word": by_method,
            "sip_messages_per_hour": round(per_hour, 1),
            "server_counters_delta": {k: delta(before, after, k) for k in (
                "cloudpark_park_info_notify_sent_total", "cloudpark_parks_total", "cloudpark_registrations_total")},
            "server_cpu_ms_per_s": round(cpu["server_cpu_ms"] / cpu["wall_s"], 2),
            "server_cpu_ms_per_s_second_half": idle_second_half(args.dir, after),
            "machine_busy_percent": cpu["machine_busy_percent"]}
    dump(idle, os.path.join(args.dir, "idle.json"))
    print("  idle %.0f s, %d devices: %d SIP messages (%.0f/h); server CPU %.1f ms/s (second half %s ms/s)" % (
        cpu["wall_s"], args.devices, messages, per_hour, idle["server_cpu_ms_per_s"],
        idle["server_cpu_ms_per_s_second_half"]))


# ----------------------------------------------------------------------------------------------------------- heap
def histogram(path):
    classes, total = {}, None
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            classes[m.group(3)] = (int(m.group(1)), int(m.group(2)))
        m = re.match(r"Total\s+(\d+)\s+(\d+)", line)
        if m:
            total = int(m.group(2))
    return classes, total


def heap_used(path):
    """Used heap from `jcmd GC.heap_info` (G1: 'garbage-first heap   total 123K, used 45K')."""
    text = open(path).read()
    m = re.search(r"heap\s+total\s+(\d+)K, used (\d+)K", text)
    return int(m.group(2)) * 1024 if m else None


def completed_cycles(server_dir):
    """Park cycles the caller completed in the warm-up and all rate steps of one server."""
    total = 0
    for path in glob.glob(os.path.join(server_dir, "warm-up", "*")) + glob.glob(os.path.join(server_dir, "steps", "*")):
        total += sipp_results(path).get("caller", {}).get("successful", 0)
    return total


def growth(d, before, after, per):
    """What stayed on the heap between two snapshots, per unit (registration, cycle, parked call)."""
    b_classes, b_live = histogram(os.path.join(d, before + "-histogram.txt"))
    a_classes, a_live = histogram(os.path.join(d, after + "-histogram.txt"))
    b_used, a_used = heap_used(os.path.join(d, before + "-heap.txt")), heap_used(os.path.join(d, after + "-heap.txt"))
    rows = []
    for name, (count, size) in a_classes.items():
        c0, s0 = b_classes.get(name, (0, 0))
        rows.append((size - s0, count - c0, name))
    rows.sort(reverse=True)
    return {"from": before, "to": after, "units": per,
            "used_after_full_gc_bytes": [b_used, a_used], "live_bytes": [b_live, a_live],
            "used_bytes_per_unit": round((a_used - b_used) / per) if per else None,
            "live_bytes_per_unit": round((a_live - b_live) / per) if per else None,
            "top_classes_per_unit": [{"class": n, "bytes": round(sz / per, 1), "instances": round(c / per, 3)}
                                     for sz, c, n in rows[:12]] if per else []}


def cmd_heap(args):
    d = os.path.join(args.server_dir, "heap")
    parks_done = sipp_results(os.path.join(d, "parking")).get("parker", {}).get("successful", 0)
    heap = {"parked_calls": args.parked, "parks_completed": parks_done}
    used = heap_used(os.path.join(d, "parked-heap.txt"))
    heap["used_after_full_gc_with_parked_bytes"] = used
    heap["per_parked_call"] = growth(d, "after-cycles", "parked", parks_done)
    cycles = completed_cycles(args.server_dir)
    if os.path.exists(os.path.join(d, "registered-histogram.txt")):
        heap["per_registration"] = growth(d, "provisioned", "registered", args.registrations)
        heap["per_completed_cycle"] = growth(d, "registered", "after-cycles", cycles)
    dump(heap, os.path.join(d, "heap.json"))
    print("  heap after full GC with %d calls parked: %.1f MiB; per parked call %s bytes%s" % (
        parks_done, used / 2**20, heap["per_parked_call"]["used_bytes_per_unit"],
        "; left behind per registration %s bytes, per completed cycle %s bytes (%d cycles)" % (
            heap["per_registration"]["live_bytes_per_unit"], heap["per_completed_cycle"]["live_bytes_per_unit"], cycles)
        if "per_registration" in heap else ""))


# --------------------------------------------------------------------------------------------------------- report
def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    sipp = subprocess.run(["sipp", "-v"], capture_output=True, text=True).stdout.strip().splitlines()
    return {"nproc": os.cpu_count(), "cpu_model": model, "memory_gib": round(mem / 2**20, 1),
            "jdk": java[1].strip() if len(java) > 1 else (java[0] if java else "?"),
            "kernel": platform.release(), "sipp": next((l.strip() for l in sipp if "SIPp" in l), "?")}


# the traditional park-spot model of the idle comparison, with its parameters
TRADITIONAL = {"tenants": 1000, "spots_per_tenant": 10, "spot_register_interval_s": 3600, "devices_per_tenant": 20,
               "blf_subscriptions_per_device": 10, "subscribe_refresh_s": 1800}


def idle_model(measured, target_devices):
    t = TRADITIONAL
    spots = t["tenants"] * t["spots_per_tenant"]
    subscriptions = t["tenants"] * t["devices_per_tenant"] * t["blf_subscriptions_per_device"]
    register_per_h = spots * (3600 / t["spot_register_interval_s"]) * 2        # REGISTER + 200
    blf_per_h = subscriptions * (3600 / t["subscribe_refresh_s"]) * 4           # SUBSCRIBE, 200, NOTIFY, 200
    watchers = t["devices_per_tenant"]                                          # every device watches every spot
    return {
        "parameters": t,
        "traditional": {
            "spot_registrations_per_h": register_per_h,
            "blf_refresh_per_h": blf_per_h,
            "idle_messages_per_h": register_per_h + blf_per_h,
            "per_park_cycle_messages": 2 * watchers * 2,                         # park + retrieve, NOTIFY + 200 each
            "formulas": {
                "spot_registrations_per_h": "tenants*spots * 3600/register_interval * 2 (REGISTER+200)",
                "blf_refresh_per_h": "tenants*devices*subscriptions * 3600/refresh * 4 (SUBSCRIBE+200, NOTIFY+200)",
                "per_park_cycle_messages": "2 changes (park, retrieve) * devices_per_tenant watchers * 2 (NOTIFY+200)"}},
        "cloudpark": {
            "idle_messages_per_h_measured": measured,
            "per_park_cycle_messages": 2 * target_devices * 2,
            "formulas": {"per_park_cycle_messages": "2 changes * devices of the target extension * 2 (NOTIFY+200)"}},
    }


def best_step(steps, rate):
    matching = [s for s in steps if s["rate_cps"] == rate]
    return matching[-1] if matching else None


def server_summary(steps):
    passed = [s["rate_cps"] for s in steps if s["passed"]]
    failed = [s["rate_cps"] for s in steps if not s["passed"]]
    # sustained = passed, and no lower rate failed (a pass after a failure is luck, not capacity)
    sustained = max([r for r in passed if not [f for f in failed if f <= r]], default=0)
    return sustained


# the targets, each a ratio to the floor in the same run (None: reported, no target)
P99_CAPACITY_MS = 50


def capacity_at_p99(steps, bound_ms=P99_CAPACITY_MS):
    """the highest rate of the unbroken run of steps from the bottom that passed (0 failures) with REFER -> NOTIFY
    p99 <= bound_ms: the capacity that counts latency"""
    best = 0
    for s in sorted(steps, key=lambda s: s["rate_cps"]):
        p99 = s["refer_to_park_info_notify"].get("p99_ms")
        if not s["passed"] or p99 is None or p99 > bound_ms:
            break
        best = s["rate_cps"]
    return best


def server_entry(d):
    steps = [load(p) for p in sorted(glob.glob(os.path.join(d, "steps", "*", "step.json")),
                                     key=lambda p: os.path.getmtime(p))]
    entry = {"steps": steps, "max_sustained_cps": server_summary(steps), "capacity_p99_cps": capacity_at_p99(steps)}
    for name, f in (("idle", "idle/idle.json"), ("heap", "heap/heap.json"), ("profile", "profile.json"),
                    ("fanout", "fan-out/fanout.json")):
        if os.path.exists(os.path.join(d, f)):
            entry[name] = load(os.path.join(d, f))
    settled = os.path.join(d, "warm-up", "settled")
    entry["jit_settled_before_steps"] = open(settled).read().strip() == "true" if os.path.exists(settled) else None
    entry["warm_up_rounds"] = [
        {k: s[k] for k in ("rate_cps", "cycles", "passed", "cpu_ms_per_cycle", "cpu_ms_per_cycle_by_thread_kind")}
        for s in (load(p) for p in sorted(glob.glob(os.path.join(d, "warm-up", "*", "step.json"))))]
    return entry


def cmd_report(args):
    run = args.run
    out = {"machine": machine(), "run": load(os.path.join(run, "run.json")), "servers": {}}
    for d in sorted(glob.glob(os.path.join(run, "cloudpark-*"))) + [os.path.join(run, "floor")]:
        if os.path.isdir(os.path.join(d, "steps")):   # (build_if_needed makes floor/classes either way)
            out["servers"][os.path.basename(d)] = server_entry(d)
    latency_rate = out["run"]["latency_rate_cps"]
    fl = out["servers"].get("floor", {})
    stores = [name for name in out["servers"] if name != "floor"]

    def at(entry, rate, *path):
        step = best_step(entry.get("steps", []), rate)
        for key in path:
            step = None if step is None else step.get(key)
        return step

    def ratio(a, b):
        return round(a / b, 2) if a is not None and b else None

    rows = []

    def row(name, unit, get, max_ratio=None, min_ratio=None, max_value=None):
        """one figure: the floor's, and per store cloudpark's, its ratio to the floor and whether the target is met"""
        r = {"figure": name, "unit": unit, "floor": get(fl) if fl else None, "stores": {}}
        r["target"] = ("<= %sx floor" % max_ratio if max_ratio else ">= %sx floor" % min_ratio if min_ratio
                       else "<= %s %s" % (max_value, unit) if max_value is not None else "-")
        for store in stores:
            value = get(out["servers"][store])
            q = ratio(value, r["floor"]) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            met = None
            if max_ratio is not None and q is not None:
                met = q <= max_ratio
            elif min_ratio is not None and q is not None:
                met = q >= min_ratio
            elif max_value is not None and value is not None:
                met = value <= max_value
            r["stores"][store] = {"value": value, "ratio_to_floor": q, "met": met}
        rows.append(r)

    row("REFER -> park-info NOTIFY p50 @%d/s" % latency_rate, "ms",
        lambda e: at(e, latency_rate, "refer_to_park_info_notify", "p50_ms"), max_ratio=1.2)
    row("REFER -> park-info NOTIFY p99 @%d/s" % latency_rate, "ms",
        lambda e: at(e, latency_rate, "refer_to_park_info_notify", "p99_ms"), max_ratio=2)
    row("retrieve INVITE -> 200 p50 @%d/s" % latency_rate, "ms",
        lambda e: at(e, latency_rate, "retrieve_invite_to_200", "p50_ms"))
    row("retrieve INVITE -> 200 p99 @%d/s" % latency_rate, "ms",
        lambda e: at(e, latency_rate, "retrieve_invite_to_200", "p99_ms"), max_ratio=2)
    for rate in (150, 200, 250):
        row("REFER -> park-info NOTIFY p99 @%d/s" % rate, "ms",
            lambda e, rate=rate: at(e, rate, "refer_to_park_info_notify", "p99_ms"))
    row("highest rate with REFER -> NOTIFY p99 <= %d ms, 0 failed" % P99_CAPACITY_MS, "cycles/s",
        lambda e: e.get("capacity_p99_cps"), min_ratio=0.9)
    row("highest rate with 0 failed cycles", "cycles/s", lambda e: e.get("max_sustained_cps"))
    row("server CPU per cycle @%d/s" % latency_rate, "ms", lambda e: at(e, latency_rate, "cpu_ms_per_cycle"),
        max_ratio=1.3)

    def without_jit(e):  # the JIT never settles on 2 busy cores (deoptimise, recompile): the path's own cost beside it
        cpu = at(e, latency_rate, "cpu_ms_per_cycle")
        jit = at(e, latency_rate, "cpu_ms_per_cycle_by_thread_kind", "JIT compiler")
        return round(cpu - (jit or 0.0), 2) if cpu is not None else None

    row("server CPU per cycle @%d/s, JIT compiler threads left out" % latency_rate, "ms", without_jit)

    def per_parked(e):
        value = e.get("heap", {}).get("per_parked_call", {}).get("used_bytes_per_unit")
        return round(value / 1000.0, 1) if value is not None else None

    row("heap per parked call (%s parked)" % out["run"]["parked_calls"], "KB", per_parked, max_ratio=1.3)

    def mib(e):
        value = e.get("heap", {}).get("used_after_full_gc_with_parked_bytes")
        return round(value / 2**20, 1) if value else None

    row("heap used with the calls parked (after full GC)", "MiB", mib)
    row("fan-out: REFER -> last park-info NOTIFY, %s devices of one park group (median of %s parks)" % (
        out["run"].get("fanout_devices", "?"), out["run"].get("fanout_parks", "?")), "ms",
        lambda e: e.get("fanout", {}).get("last_notify_p50_ms"), max_value=50)
    row("SIP messages per hour because of parking, idle", "msg/h", lambda e: e.get("idle", {}).get("sip_messages_per_hour"),
        max_value=0)
    row("JIT settled before the measured steps", "", lambda e: e.get("jit_settled_before_steps"))
    out["figures"] = rows
    idle = next((out["servers"][s]["idle"] for s in stores if "idle" in out["servers"][s]), {})
    out["idle_cost"] = idle_model(idle.get("sip_messages_per_hour"), target_devices=1)
    dump(out, args.out)
    print_table(out)


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return ("%.2f" % v).rstrip("0").rstrip(".") if abs(v) < 100 else "%.0f" % v
    return str(v)


def print_table(out):
    m = out["machine"]
    stores = [name for name in out["servers"] if name != "floor"]
    print("\ncloudpark benchmark, run %s, %s (%d cores, %s GiB, %s), %s s, load %s at the start, %s at the end" % (
        out["run"]["id"], m["cpu_model"], m["nproc"], m["memory_gib"], m["jdk"], out["run"].get("duration_s", "?"),
        out["run"].get("loadavg_at_start", "?"), out["run"].get("loadavg_at_end", "?")))
    print("| figure | floor | " + " | ".join("%s | ratio | met" % s for s in stores) + " | target |")
    print("|---|---|" + "---|---|---|" * len(stores) + "---|")
    for r in out["figures"]:
        cells = []
        for s in stores:
            c = r["stores"][s]
            cells.append("%s | %s | %s" % (fmt(c["value"]), fmt(c["ratio_to_floor"]), "-" if c["met"] is None else fmt(c["met"])))
        print("| %s%s | %s | %s | %s |" % (r["figure"], " (%s)" % r["unit"] if r["unit"] else "", fmt(r["floor"]),
                                          " | ".join(cells), r["target"]))
    print("\nrate steps (offered cycles/s: verdict, server CPU ms/cycle, REFER->NOTIFY p50/p99, retrieve p50/p99, "
          "machine busy, UDP datagrams dropped at the server's socket / at SIPp's):")
    for server, entry in out["servers"].items():
        for s in entry["steps"]:
            rn, rt = s["refer_to_park_info_notify"], s["retrieve_invite_to_200"]
            print("  %-9s %4d: %-4s %6s ms  %s/%s ms  %s/%s ms  %s%%  %s" % (
                server, s["rate_cps"], "ok" if s["passed"] else "FAIL", fmt(s["cpu_ms_per_cycle"]), fmt(rn.get("p50_ms")),
                fmt(rn.get("p99_ms")), fmt(rt.get("p50_ms")), fmt(rt.get("p99_ms")), fmt(s["machine_busy_percent"]),
                "%s/%s" % (s.get("udp_drops_server_socket", "-"), s.get("udp_drops_sipp_sockets", "-"))))
    ic = out["idle_cost"]
    tr = ic["traditional"]
    print("\nidle cost: cloudpark measured %s SIP messages/h with %s tenants x %s devices registered; the traditional "
          "model (1,000 tenants x 10 park spots, 20 devices x 10 BLF each) %s msg/h "
          "(spot REGISTER %s + BLF refresh %s); per park+retrieve: cloudpark %d messages per target device, "
          "traditional %d" % (fmt(ic["cloudpark"]["idle_messages_per_h_measured"]), out["run"]["tenants"],
                              out["run"]["devices_per_tenant"], "{:,.0f}".format(tr["idle_messages_per_h"]),
                              "{:,.0f}".format(tr["spot_registrations_per_h"]), "{:,.0f}".format(tr["blf_refresh_per_h"]),
                              ic["cloudpark"]["per_park_cycle_messages"], tr["per_park_cycle_messages"]))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--metrics")
    s.add_argument("--auth", default="admin:cloudpark-admin")
    s.add_argument("--ports", type=int, nargs=2, help="low high: per-port UDP drops of the bench's port range")
    s.add_argument("--out", required=True)
    s = sub.add_parser("step")
    s.add_argument("--dir", required=True)
    s.add_argument("--server", required=True)
    s.add_argument("--rate", type=int, required=True)
    s.add_argument("--cycles", type=int, required=True)
    s.add_argument("--server-port", type=int, required=True)
    s.add_argument("--bound-s", type=float, required=True)
    s.add_argument("--before", required=True)
    s.add_argument("--after", required=True)
    s = sub.add_parser("idle")
    s.add_argument("--dir", required=True)
    s.add_argument("--devices", type=int, required=True)
    s.add_argument("--before", required=True)
    s.add_argument("--after", required=True)
    s = sub.add_parser("heap")
    s.add_argument("--server-dir", required=True)
    s.add_argument("--parked", type=int, required=True)
    s.add_argument("--registrations", type=int, default=0)
    s = sub.add_parser("warm")
    s.add_argument("--dir", required=True)
    s.add_argument("--label", required=True)
    s.add_argument("--previous", help="the round before's directory")
    s = sub.add_parser("expect")
    s.add_argument("--dir", required=True)
    s.add_argument("--scenario", required=True)
    s.add_argument("--successful", type=int, required=True)
    s = sub.add_parser("fanout")
    s.add_argument("--dir", required=True)
    s.add_argument("--devices", type=int, required=True)
    s.add_argument("--parks", type=int, required=True)
    s = sub.add_parser("report")
    s.add_argument("--run", required=True)
    s.add_argument("--out", required=True)
    args = p.parse_args()
    {"snapshot": cmd_snapshot, "step": cmd_step, "idle": cmd_idle, "heap": cmd_heap, "report": cmd_report,
     "expect": cmd_expect, "warm": cmd_warm, "fanout": cmd_fanout}[args.command](args)


if __name__ == "__main__":
    main()

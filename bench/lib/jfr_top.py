#!/usr/bin/env python3
"""Summarises jdk.ExecutionSample events of a JFR recording: where the server's CPU goes.

Prints (and with --json writes) views of the same samples (also: "inclusive", the share of samples with a frame
of a component anywhere on the stack):
  self      the top frame of each sample (the method burning the CPU), by method;
  component the first frame, from the top, that belongs to a known component (cloudpark, H2, Hibernate, JAIN-SIP, ...),
            so library internals are charged to the component that called them;
  cloudpark the innermost io.cloudpark frame of each sample that has one (inclusive: what our code costs, with all
            it calls), by method.
Runs `jfr print --events jdk.ExecutionSample --stack-depth 64 <file>` and parses its text output.
"""
import argparse
import collections
import json
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+([\w$.<>/]+)\(.*\)\s+line:")

# first match wins, checked from the top frame down
COMPONENTS = [
    ("cloudpark", "io.cloudpark."),
    ("H2 database", "org.h2."),
    ("Hibernate/JPA", "org.hibernate."),
    ("HikariCP", "com.zaxxer."),
    ("Restcomm SIP Servlets", "org.mobicents."),
    ("JAIN-SIP stack", "gov.nist."),
    ("log4j", "org.apache.log4j."),
    ("Tomcat", "org.apache."),
]

# inclusive: share of samples with any frame of these (a sample can count in several)
INCLUSIVE = [
    ("cloudpark store (io.cloudpark.store: JPA, Hibernate, H2, Hikari under it)", "io.cloudpark.store."),
    ("H2 database", "org.h2."),
    ("Hibernate/JPA", "org.hibernate."),
    ("JAIN-SIP message parsing", "gov.nist.javax.sip.parser."),
    ("JAIN-SIP encoding (encode/encodeAsBytes)", "gov.nist.javax.sip.message.SIPMessage.encode"),
    ("log4j (level checks, logging)", "org.apache.log4j."),
    ("cloudpark digest authentication", "io.cloudpark.sip.DigestAuthenticator."),
    ("cloudpark park-info NOTIFY (render + send)", "io.cloudpark.sip.ParkInfoNotifier."),
]


def component(frames):
    for frame in frames:
        for name, prefix in COMPONENTS:
            if frame.startswith(prefix):
                return name
    return "JDK/other"


def samples(path):
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                         check=True, capture_output=True, text=True).stdout
    current, thread = None, ""
    for line in out.splitlines():
        if line.startswith("jdk.ExecutionSample"):
            current = []
        elif "sampledThread" in line:
            thread = line.split("=", 1)[1].strip().split(" (")[0].strip('"')
        elif current is not None:
            m = FRAME.match(line)
            if m:
                current.append(m.group(1))
            elif line.strip() == "]":
                yield thread, current
                current = None


def top(counter, total, n):
    return [{"name": k, "samples": v, "percent": round(100.0 * v / total, 1)} for k, v in counter.most_common(n)]


def gc_pauses(path):
    """every stop-the-world GC pause in the recording (jdk.GCPhasePause), in ms: what stalls every SIP thread at once"""
    out = subprocess.run(["jfr", "print", "--events", "jdk.GCPhasePause", path], capture_output=True, text=True).stdout
    pauses = []
    for value, unit in re.findall(r"duration = ([0-9.]+) (ms|s|us)", out):
        pauses.append(float(value) * {"ms": 1.0, "s": 1000.0, "us": 0.001}[unit])
    ordered = sorted(pauses)
    return {"count": len(pauses), "total_ms": round(sum(pauses), 1),
            "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else None,
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "over_50_ms": sum(1 for p in pauses if p > 50), "over_100_ms": sum(1 for p in pauses if p > 100)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("recording")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--json")
    args = p.parse_args()
    by_self, by_component, by_cloudpark, by_thread, inclusive = (collections.Counter() for _ in range(5))
    total = 0
    for thread, frames in samples(args.recording):
        if not frames:
            continue
        total += 1
        by_self[frames[0]] += 1
        by_component[component(frames)] += 1
        ours = next((f for f in frames if f.startswith("io.cloudpark.")), None)
        by_cloudpark[ours or "(no cloudpark frame)"] += 1
        by_thread[re.sub(r"-?\d+$", "-N", thread)] += 1
        for name, prefix in INCLUSIVE:
            if any(f.startswith(prefix) for f in frames):
                inclusive[name] += 1
    if total == 0:
        sys.exit("no execution samples in " + args.recording)
    summary = {"samples": total,
               "by_component": top(by_component, total, args.top),
               "inclusive": top(inclusive, total, len(INCLUSIVE)),
               "by_cloudpark_method_inclusive": top(by_cloudpark, total, args.top),
               "by_top_frame": top(by_self, total, args.top),
               "by_thread": top(by_thread, total, 8),
               "gc_pauses": gc_pauses(args.recording)}
    for title, key in [("component (first known frame from the top)", "by_component"),
                       ("what is on the stack (inclusive)", "inclusive"),
                       ("innermost cloudpark method (inclusive)", "by_cloudpark_method_inclusive"),
                       ("top frame (self time)", "by_top_frame"),
                       ("thread", "by_thread")]:
        print("%d samples by %s:" % (total, title))
        for row in summary[key]:
            print("  %5.1f%%  %6d  %s" % (row["percent"], row["samples"], row["name"]))
    g = summary["gc_pauses"]
    print("GC pauses: %d, %s ms in all, median %s ms, longest %s ms, %d over 50 ms, %d over 100 ms" % (
        g["count"], g["total_ms"], g["p50_ms"], g["max_ms"], g["over_50_ms"], g["over_100_ms"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# cloudpark soak: SOAK_MINUTES of mixed park traffic at half the sustained rate against the standalone server on
# PostgreSQL, which is restarted twice (at 1/3 and 2/3). Proves that no call is lost or stuck, no SIP application
# session is left behind, and heap and threads stay flat. Writes bench/out/soak-<date>-<time>/ (soak.json, soak.txt,
# every SIPp trace, the server and database logs); exits 1 when a target is missed. See bench/README.md.
#
# Lanes, each on tenants of its own (SIPp roles as in bench/run.sh; the rate is split between them):
#   retrieve 40 %  park, park-info NOTIFY, retrieve, talk, hang up; in one tenant 102 has a second device that drops
#                  every NOTIFY
#   race     15 %  the same, but two retrievers INVITE the same retrieve URI at once: one gets 200, the other 480
#   abandon  15 %  the parked caller hangs up while parked (ABANDONED)
#   recall   15 %  nobody retrieves; after parkTimeoutSeconds 2 the recall rings 104, which answers (RECALLED)
#   timeout  15 %  nobody retrieves; the recall rings 105, a device that drops every INVITE (TIMED_OUT after 2 s)
#
# Knobs (environment, defaults in brackets):
#   SOAK_MINUTES [30]   SOAK_RATE [20] cycles/s over all lanes: half of about 40/s, what the 2 shared cores take of
#                       this mix on PostgreSQL without refusing (README "Reliability")
#   SOAK_SAMPLE_SECONDS [10]  SOAK_SETTLE_SECONDS [120] idle time after the traffic before the end is measured
#                       (a transaction ends 32 s after its last message; a NOTIFY to a silent device is tried 3 times)
#   SOAK_TENANTS_PER_LANE [4]
#   SOAK_REPAIR_SECONDS [15] the server's CLOUDPARK_STUCK_PARK_REPAIR_SECONDS: a park stuck in a transient state
#                       ends FAILED (counted as lost) after two sweeps, within the settle time
#   SOAK_HEAP_SLOPE_KIB_PER_MIN [1024] bound of the least-squares slope of the heap after full GC over the second
#                       half of the traffic; SOAK_THREAD_SLOPE_PER_MIN [2] the same for live threads
#   SOAK_TMP_PREFIX [/tmp/cloudpark-soak] the PostgreSQL data directory is a fresh ${SOAK_TMP_PREFIX}.XXXXXX
#   BENCH_PORT_BASE [25000] ports BASE+32 (PostgreSQL), +60/+80 (cloudpark SIP/HTTP), +90..+91 (registering),
#                       +100..+149 (the lanes' SIPp roles and devices)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
SCENARIOS=$BENCH/sipp
LIB=$BENCH/lib

MINUTES=${SOAK_MINUTES:-30}
RATE=${SOAK_RATE:-20}
SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-10}
SETTLE_SECONDS=${SOAK_SETTLE_SECONDS:-120}
TENANTS_PER_LANE=${SOAK_TENANTS_PER_LANE:-4}
REPAIR_SECONDS=${SOAK_REPAIR_SECONDS:-15}
HEAP_SLOPE=${SOAK_HEAP_SLOPE_KIB_PER_MIN:-1024}
THREAD_SLOPE=${SOAK_THREAD_SLOPE_PER_MIN:-2}
PG_TMP_PREFIX=${SOAK_TMP_PREFIX:-/tmp/cloudpark-soak}
PORT_BASE=${BENCH_PORT_BASE:-25000}

HOST=127.0.0.1
ADMIN_PASSWORD=bench-admin-secret
SIP_PASSWORD=bench-sip-secret
TALK_MS=200          # a retrieved or recalled call talks this long before the caller hangs up
ABANDON_MS=1500      # an abandoning caller hangs up this long after it was put on hold
CALLER_EXT=103 PARKER_EXT=101 TARGET_EXT=102 RECALL_EXT=104 SILENT_EXT=105

PG_PORT=$((PORT_BASE + 32))
CLOUDPARK_SIP=$((PORT_BASE + 60)) CLOUDPARK_HTTP=$((PORT_BASE + 80))
REGISTRAR_CLIENT_PORT=$((PORT_BASE + 90))
SECONDS_TOTAL=$((MINUTES * 60))

RUN_ID=$(date +%Y%m%d-%H%M%S)
RUN=$BENCH/out/soak-$RUN_ID
STARTED=$(date +%s)

# shellcheck source=bench/lib/common.sh
. "$LIB/common.sh"

# ------------------------------------------------------------------------------------------------ PostgreSQL
PG_BIN=$(pg_bin) || die "PostgreSQL not found (Debian: apt-get install postgresql, or set BENCH_PG_BIN)"
restart_postgres() {  # restart_postgres N: a fast restart (every connection dropped), timed into restarts.jsonl
    local begin end
    log "restarting PostgreSQL ($1 of 2)"
    begin=$(date +%s.%N)
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -m fast -w -t 60 restart >/dev/null
    end=$(date +%s.%N)
    printf '{"n": %d, "begin": %s, "end": %s}\n' "$1" "$begin" "$end" >>"$RUN/restarts.jsonl"
}

SAMPLER_PID=
soak_cleanup() {
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
    cleanup
}
trap soak_cleanup EXIT

# ------------------------------------------------------------------------------------------------ lanes
# lane L: tenants L*TENANTS_PER_LANE+1 …, ports PORT_BASE+100+10L …: caller +0, parker +1, target +2, retrievers
# +3/+4, the recall group's device +5, the device that never answers +6, 3PCC +7..+9
LANES="retrieve race abandon recall timeout"
lane_index() { local i=0 l; for l in $LANES; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; }
lane_share() { case $1 in retrieve) echo 40 ;; *) echo 15 ;; esac; }
lane_port() { echo $((PORT_BASE + 100 + 10 * $(lane_index "$1") + $2)); }
lane_first_tenant() { echo $(($(lane_index "$1") * TENANTS_PER_LANE + 1)); }
lane_domains() { local t f; f=$(lane_first_tenant "$1"); for t in $(seq "$f" $((f + TENANTS_PER_LANE - 1))); do printf 't%04d.bench.test\n' "$t"; done; }
lane_calls() { echo $((RATE * $(lane_share "$1") * SECONDS_TOTAL / 100)); }

lane_settings() {
    case $1 in
        recall) echo '{"parkTimeoutSeconds":2,"recallPolicy":"GROUP_ONLY","recallGroup":["104"],"recallRingSeconds":10,"maxParkedPerExtension":100}' ;;
        timeout) echo '{"parkTimeoutSeconds":2,"recallPolicy":"GROUP_ONLY","recallGroup":["105"],"recallRingSeconds":2,"maxParkedPerExtension":100}' ;;
        *) echo '{"parkTimeoutSeconds":3600,"maxParkedPerExtension":100}' ;;
    esac
}

provision() {
    local lane
    for lane in $LANES; do
        python3 "$LIB/provision.py" --port "$CLOUDPARK_HTTP" --admin-password "$ADMIN_PASSWORD" \
            --first-tenant "$(lane_first_tenant "$lane")" --tenants "$TENANTS_PER_LANE" --first 101 --last 105 \
            --sip-password "$SIP_PASSWORD" --settings "$(lane_settings "$lane")" | sed "s/^/  $lane: /"
    done
}

# the devices each lane registers: "EXT PORT-OFFSET [TENANTS]" (only the lane's first TENANTS tenants); 102 of the
# retrieve lane's first tenant twice: its second device is silent (each NOTIFY to it is retransmitted for 32 s, 3 times)
lane_devices() {
    echo "$PARKER_EXT 1"
    echo "$TARGET_EXT 2"
    case $1 in
        retrieve) echo "$TARGET_EXT 6 1" ;;
        recall) echo "$RECALL_EXT 5" ;;
        timeout) echo "$SILENT_EXT 6" ;;
    esac
}

register_all() {
    local ext lane d off csv dir=$RUN/register
    mkdir -p "$dir"
    for ext in $PARKER_EXT $TARGET_EXT $RECALL_EXT $SILENT_EXT; do
        csv=$dir/$ext.csv
        echo SEQUENTIAL >"$csv"
        for lane in $LANES; do
            lane_devices "$lane" | while read -r e off only; do
                [ "$e" = "$ext" ] || continue
                for d in $(lane_domains "$lane" | head -n "${only:-$TENANTS_PER_LANE}"); do printf '%s;%s;%s;%s\n' "$d" "$ext" "$ext" "$(lane_port "$lane" "$off")"; done
            done
        done >>"$csv"
        mkdir -p "$dir/$ext"
        # shellcheck disable=SC2046
        sipp_bg "$dir/$ext" $(sipp_common "$CLOUDPARK_SIP") -p "$REGISTRAR_CLIENT_PORT" -sf "$SCENARIOS/register.xml" \
            -inf "$csv" -au "$ext" -ap "$SIP_PASSWORD" -r 100 -m $(($(wc -l <"$csv") - 1)) -l 100
        [ -z "$(wait_exit $(( $(date +%s) + 60 )) "$SIPP_PID")" ] || die "registrations of $ext did not finish"
        python3 "$LIB/analyze.py" expect --dir "$dir/$ext" --scenario register --successful $(($(wc -l <"$csv") - 1)) \
            || die "registrations of $ext failed, see $dir/$ext"
    done
}

CALLER_PIDS=() PEER_PIDS=()
# role LANE ROLE ARGS...: one SIPp instance of a lane in RUN/lanes/LANE/ROLE; a caller's pid goes to CALLER_PIDS
role() {
    local lane=$1 name=$2; shift 2
    local dir=$RUN/lanes/$lane/$name
    mkdir -p "$dir"
    # shellcheck disable=SC2046
    sipp_bg "$dir" $(sipp_common "$CLOUDPARK_SIP") -trace_stat -fd 5 "$@"
    if [ "$name" = caller ]; then CALLER_PIDS+=("$SIPP_PID"); else PEER_PIDS+=("$SIPP_PID"); fi
}

start_lane() {
    local lane=$1 csv d calls rate100 callee_args=() scenario=caller.xml
    csv=$RUN/lanes/$lane/cycles.csv
    mkdir -p "$RUN/lanes/$lane"
    { echo SEQUENTIAL; for d in $(lane_domains "$lane"); do printf '%s;%s;%s\n' "$d" "$CALLER_EXT" "$PARKER_EXT"; done; } >"$csv"
    printf 'park_target;%s:%s\nretriever;%s:%s\nretriever2;%s:%s\n' "$HOST" "$(lane_port "$lane" 7)" \
        "$HOST" "$(lane_port "$lane" 8)" "$HOST" "$(lane_port "$lane" 9)" >"$RUN/lanes/$lane/3pcc.cfg"
    case $lane in
        retrieve)
            role "$lane" retriever -p "$(lane_port "$lane" 3)" -sf "$SCENARIOS/retriever.xml" -s "$TARGET_EXT" \
                -au "$TARGET_EXT" -ap "$SIP_PASSWORD" -slave retriever -slave_cfg "$RUN/lanes/$lane/3pcc.cfg"
            wait_listening t "$(lane_port "$lane" 8)" 10
            role "$lane" target -p "$(lane_port "$lane" 2)" -sf "$SCENARIOS/park_target.xml" -master park_target \
                -slave_cfg "$RUN/lanes/$lane/3pcc.cfg" ;;
        race)
            role "$lane" retriever -p "$(lane_port "$lane" 3)" -sf "$SCENARIOS/retriever_race.xml" -s "$TARGET_EXT" \
                -au "$TARGET_EXT" -ap "$SIP_PASSWORD" -slave retriever -slave_cfg "$RUN/lanes/$lane/3pcc.cfg" -trace_logs
            role "$lane" retriever2 -p "$(lane_port "$lane" 4)" -sf "$SCENARIOS/retriever_race.xml" -s "$TARGET_EXT" \
                -au "$TARGET_EXT" -ap "$SIP_PASSWORD" -slave retriever2 -slave_cfg "$RUN/lanes/$lane/3pcc.cfg" -trace_logs
            wait_listening t "$(lane_port "$lane" 8)" 10
            wait_listening t "$(lane_port "$lane" 9)" 10
            role "$lane" target -p "$(lane_port "$lane" 2)" -sf "$SCENARIOS/park_target_race.xml" -master park_target \
                -slave_cfg "$RUN/lanes/$lane/3pcc.cfg" ;;
        *)
            role "$lane" target -p "$(lane_port "$lane" 2)" -sf "$SCENARIOS/notify_sink.xml" ;;
    esac
    case $lane in
        abandon) scenario=caller_park_only.xml callee_args=(-d "$ABANDON_MS") ;;
        recall)
            role "$lane" recall -p "$(lane_port "$lane" 5)" -sf "$SCENARIOS/recall_answer.xml"
            callee_args=(-d "$TALK_MS") ;;
        timeout) scenario=caller_timed_out.xml ;;
        *) callee_args=(-d "$TALK_MS") ;;
    esac
    role "$lane" parker -p "$(lane_port "$lane" 1)" -sf "$SCENARIOS/parker.xml" -s "$PARKER_EXT" -key target "$TARGET_EXT" -aa
    wait_listening u "$(lane_port "$lane" 1)" 10
    wait_listening u "$(lane_port "$lane" 2)" 10
    calls=$(lane_calls "$lane")
    rate100=$((RATE * $(lane_share "$lane")))   # calls per 100 s
    # a cold JVM cannot take the full rate at once: a quarter of it, then an eighth more every 5 s
    # the callers hang up themselves when a step times out (SIPp's BYE for an aborted call has From and To swapped)
    role "$lane" caller -p "$(lane_port "$lane" 0)" -sf "$SCENARIOS/$scenario" -inf "$csv" -au "$CALLER_EXT" \
        -ap "$SIP_PASSWORD" -r $((rate100 / 4)) -rate_increase $((rate100 / 8)) -rate_max "$rate100" -no_rate_quit \
        -rate_interval 5 -rp 100000 -default_behaviors all,-bye \
        -m "$calls" -l 2000 "${callee_args[@]}"
}

stop_peers() {  # the lanes' listening roles have no call count of their own: end them once every caller has ended
    local pid
    for pid in "${PEER_PIDS[@]}"; do kill -USR1 "$pid" 2>/dev/null || true; done   # SIPp: end calls, dump stats
    [ -z "$(wait_exit $(( $(date +%s) + 15 )) "${PEER_PIDS[@]}")" ] && return 0
    for pid in "${PEER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait_exit $(( $(date +%s) + 10 )) "${PEER_PIDS[@]}" >/dev/null
}

config_json() {
    python3 - "$@" <<'EOF'
import json, sys
run, rid, minutes, rate, settle, tpl, lanes = sys.argv[1:8]
roles = {"retrieve": {"retriever": "retriever", "target": "park_target"},
         "race": {"retriever": "retriever_race", "retriever2": "retriever_race", "target": "park_target_race"},
         "abandon": {"target": "notify_sink"}, "recall": {"target": "notify_sink", "recall": "recall_answer"},
         "timeout": {"target": "notify_sink"}}
callers = {"abandon": "caller_park_only", "timeout": "caller_timed_out"}
expected = {"retrieve": "RETRIEVED", "race": "RETRIEVED", "abandon": "ABANDONED", "recall": "RECALLED", "timeout": "TIMED_OUT"}
share = {"retrieve": 40}
out = {"id": rid, "command": "bench/soak.sh", "minutes": int(minutes), "rate_cps": int(rate), "settle_seconds": int(settle),
       "tenants_per_lane": int(tpl), "transport": "udp", "database": "PostgreSQL", "lanes": []}
for i, name in enumerate(lanes.split()):
    r = dict(roles[name], caller=callers.get(name, "caller"), parker="parker")
    lane = {"name": name, "expected": expected[name], "rate_cps": int(rate) * share.get(name, 15) / 100, "roles": r,
            "domains": ["t%04d.bench.test" % t for t in range(i * int(tpl) + 1, (i + 1) * int(tpl) + 1)]}
    if name == "race":
        lane["race"] = True
    out["lanes"].append(lane)
json.dump(out, open(run + "/soak-config.json", "w"), indent=2)
EOF
}

sample_once() { python3 "$LIB/soak.py" sample --once --phase "$1" --pid "$SERVER_PID" --metrics "http://$HOST:$CLOUDPARK_HTTP/metrics" \
    --auth "admin:$ADMIN_PASSWORD" --pg-port "$PG_PORT" --pg-bin "$PG_BIN" --out "$RUN/samples.jsonl"; }

# ------------------------------------------------------------------------------------------------ main
command -v sipp >/dev/null || die "sipp not found (Debian: apt-get install sip-tester)"
for tool in java jcmd python3 ss; do command -v $tool >/dev/null || die "$tool not found"; done
[ "$MINUTES" -ge 1 ] || die "SOAK_MINUTES must be at least 1"
mkdir -p "$RUN"
check_ports_free "$PG_PORT" "$CLOUDPARK_SIP" "$CLOUDPARK_HTTP" "$REGISTRAR_CLIENT_PORT" $(seq $((PORT_BASE + 100)) $((PORT_BASE + 149)))
log "soak $RUN_ID: $MINUTES min at $RATE cycles/s ($LANES), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); output in $RUN"
build_cloudpark_if_stale
: >"$RUN/restarts.jsonl"
config_json "$RUN" "$RUN_ID" "$MINUTES" "$RATE" "$SETTLE_SECONDS" "$TENANTS_PER_LANE" "$LANES"
start_postgres
CLOUDPARK_ENV=(CLOUDPARK_STUCK_PARK_REPAIR_SECONDS="$REPAIR_SECONDS")
check_ports_free "$CLOUDPARK_SIP" "$CLOUDPARK_HTTP"
mkdir -p "$RUN/cloudpark"
# every pause with its cause: the sampler's own full GCs included, so a stall can be told from a defect
JAVA_OPTS="$JAVA_OPTS -Xlog:gc,safepoint:file=$RUN/cloudpark/gc.log:time,uptime"
start_cloudpark postgresql "$RUN/cloudpark"
log "provisioning $TENANTS_PER_LANE tenants per lane"
provision
log "registering the lanes' devices"
register_all
python3 "$LIB/blackhole.py" --ports "$(lane_port retrieve 6)" "$(lane_port timeout 6)" --out "$RUN/blackhole.json" &
BLACKHOLE_PID=$!
STARTED_PIDS+=("$BLACKHOLE_PID")
sleep 35   # the registrations' transactions end (Timer J, 32 s): the baseline is the idle server
sample_once baseline
echo traffic >"$RUN/phase"
python3 "$LIB/soak.py" sample --pid "$SERVER_PID" --metrics "http://$HOST:$CLOUDPARK_HTTP/metrics" --auth "admin:$ADMIN_PASSWORD" \
    --pg-port "$PG_PORT" --pg-bin "$PG_BIN" --interval "$SAMPLE_SECONDS" --phase-file "$RUN/phase" --out "$RUN/samples.jsonl" &
SAMPLER_PID=$!
log "traffic: $MINUTES min; lanes $(for l in $LANES; do printf '%s %s/s, ' "$l" "$(python3 -c "print($RATE * $(lane_share "$l") / 100)")"; done)"
TRAFFIC_START=$(date +%s)
for lane in $LANES; do start_lane "$lane"; done
sleep_until() { local s=$(( $1 - $(date +%s) )); [ "$s" -le 0 ] || sleep "$s"; }
sleep_until $(( TRAFFIC_START + SECONDS_TOTAL / 3 ))
restart_postgres 1
sleep_until $(( TRAFFIC_START + 2 * SECONDS_TOTAL / 3 ))
restart_postgres 2
left=$(wait_exit $(( TRAFFIC_START + SECONDS_TOTAL + 60 )) "${CALLER_PIDS[@]}")
[ -z "$left" ] || { log "callers still running 60 s after the end: $left (stopped; their calls count as lost)"; kill -USR1 $left 2>/dev/null || true; wait_exit $(( $(date +%s) + 15 )) $left >/dev/null; }
stop_peers
echo settle >"$RUN/phase"
log "traffic over after $(( $(date +%s) - TRAFFIC_START )) s; $SETTLE_SECONDS s idle before the end is measured"
sleep "$SETTLE_SECONDS"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
sample_once end
kill "$BLACKHOLE_PID" 2>/dev/null || true
wait "$BLACKHOLE_PID" 2>/dev/null || true
python3 "$LIB/soak.py" final --pg-port "$PG_PORT" --pg-bin "$PG_BIN" --out "$RUN/final.json"
stop_server
set +e
python3 "$LIB/soak.py" report --run "$RUN" --heap-slope-kib-per-min "$HEAP_SLOPE" --thread-slope-per-min "$THREAD_SLOPE" \
    | tee "$RUN/soak.txt"
status=${PIPESTATUS[0]}
set -e
log "done in $(( $(date +%s) - STARTED )) s: $RUN/soak.json"
exit $status

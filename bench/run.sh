#!/usr/bin/env bash
# cloudpark benchmark: complete park cycles (call, blind-transfer park, park-info NOTIFY at the target's device,
# retrieve, hang-up) driven by SIPp at stepped rates against the standalone server on H2 and on PostgreSQL, the same
# against a trivial SIP servlet on the same container (the floor), the idle cost of parking with 1,000 tenants x 20
# devices registered, the heap with 10,000 calls parked, and the fan-out of one park to 1,000 devices of a park group.
# Writes bench/out/results.json and prints the table. See bench/README.md.
#
# Everything listens on and talks to 127.0.0.1 only. Knobs (environment, defaults in brackets):
#   BENCH_RATES ["50 75 100 125 150 200 250 300 400"] offered cycles/s, stepped up until a step fails
#   BENCH_STEP_SECONDS [12]  length of a step    BENCH_LATENCY_RATE [50] / BENCH_LATENCY_SECONDS [20]: the latency step
#   BENCH_TENANTS [1000]     BENCH_DEVICES [20] devices (extensions 101..) per tenant, registered for the idle window
#   BENCH_PARKED [10000]     calls parked at once for the heap figure     BENCH_IDLE_SECONDS [60]
#   BENCH_WARMUP_SECONDS [15] / BENCH_WARMUP_RATE [20] / BENCH_WARMUP_MAX_ROUNDS [5]: warm-up rounds before the
#                            steps until the CPU per cycle settles and the JIT uses < 20 % of it; not reported
#   BENCH_PORT_BASE [25000]
#   BENCH_SETTLE_SECONDS [40] quiet time before a heap measurement (transaction timers: 32 s)
#   BENCH_SERVERS ["cloudpark floor"]  BENCH_STORES ["h2 postgresql"]: cloudpark runs once per store
#   BENCH_FANOUT_DEVICES [1000] devices told of one park (20 extensions of one park group); BENCH_FANOUT_PARKS [5]
#   BENCH_JAVA_OPTS ["-XX:MaxGCPauseMillis=20"] JVM options of cloudpark and of the floor alike (README's command)
#   BENCH_PG_BIN [/usr/lib/postgresql/15/bin, else the newest there] PostgreSQL's initdb and pg_ctl
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
SCENARIOS=$BENCH/sipp
LIB=$BENCH/lib

RATES=${BENCH_RATES:-"50 75 100 125 150 200 250 300 400"}
STEP_SECONDS=${BENCH_STEP_SECONDS:-12}
LATENCY_RATE=${BENCH_LATENCY_RATE:-50}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-20}
TENANTS=${BENCH_TENANTS:-1000}
DEVICES=${BENCH_DEVICES:-20}
PARKED=${BENCH_PARKED:-10000}
IDLE_SECONDS=${BENCH_IDLE_SECONDS:-60}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-15}
WARMUP_RATE=${BENCH_WARMUP_RATE:-20}
WARMUP_MAX_ROUNDS=${BENCH_WARMUP_MAX_ROUNDS:-5}
SETTLE_SECONDS=${BENCH_SETTLE_SECONDS:-40}
PORT_BASE=${BENCH_PORT_BASE:-25000}
SERVERS=${BENCH_SERVERS:-"cloudpark floor"}
STORES=${BENCH_STORES:-"h2 postgresql"}
FANOUT_DEVICES=${BENCH_FANOUT_DEVICES:-1000}
FANOUT_PARKS=${BENCH_FANOUT_PARKS:-5}
FANOUT_EXTENSIONS=20

HOST=127.0.0.1
ADMIN_PASSWORD=bench-admin-secret
SIP_PASSWORD=bench-sip-secret
TALK_MS=200                 # the retrieved call talks this long before the caller hangs up
HOLD_MS=3600000             # parked calls of the heap step stay until the step kills their caller
REGISTER_RATE=1000
FIRST_EXT=101
LAST_EXT=$((FIRST_EXT + DEVICES - 1))
CALLER_EXT=103 PARKER_EXT=101 TARGET_EXT=102   # per tenant: 103 calls 101, 101 parks it at 102, 102 retrieves

# one port range of our own, nothing shared with other checkouts' tests (15060/18080) or the default 5060/8080
CLOUDPARK_SIP=$((PORT_BASE + 60)) CLOUDPARK_HTTP=$((PORT_BASE + 80))
FLOOR_SIP=$((PORT_BASE + 160)) FLOOR_HTTP=$((PORT_BASE + 180))
PARKER_PORT=$((PORT_BASE + 61)) TARGET_PORT=$((PORT_BASE + 62)) RETRIEVER_PORT=$((PORT_BASE + 63))
CALLER_PORT=$((PORT_BASE + 64)) IDLE_DEVICE_PORT=$((PORT_BASE + 65)) REGISTRAR_CLIENT_PORT=$((PORT_BASE + 69))
TARGET_3PCC_PORT=$((PORT_BASE + 72)) RETRIEVER_3PCC_PORT=$((PORT_BASE + 73))
FANOUT_PORT=$((PORT_BASE + 66)) PG_PORT=$((PORT_BASE + 432))

RUN_ID=$(date +%Y%m%d-%H%M%S)
RUN=$BENCH/out/run-$RUN_ID
STARTED=$(date +%s)

# shellcheck source=bench/lib/common.sh
. "$LIB/common.sh"

# ------------------------------------------------------------------------------------------------ build
build_if_needed() {
    build_cloudpark_if_stale
    # the floor servlet is compiled against the same container classes cloudpark runs on
    mkdir -p "$RUN/floor/classes"
    javac --release 17 -nowarn -cp "$ROOT/target/classes:$ROOT/target/lib/*" -d "$RUN/floor/classes" \
        "$BENCH"/floor/src/io/cloudpark/bench/floor/*.java || die "floor servlet does not compile"
}

start_floor() {
    local dir=$RUN/floor
    mkdir -p "$dir/conf"
    # cloudpark's own stack settings; the application router sends everything to the floor application
    cp "$ROOT/target/standalone/conf/sip-stack.properties" "$dir/conf/"
    sed 's/"cloudpark"/"floor"/' "$ROOT/target/standalone/conf/dar.properties" >"$dir/conf/dar.properties"
    log "starting the floor (trivial SIP servlet, same embedded container) in $dir"
    (cd "$dir" && exec env CLOUDPARK_BIND=$HOST CLOUDPARK_SIP_PORT=$FLOOR_SIP CLOUDPARK_HTTP_PORT=$FLOOR_HTTP \
        java $JAVA_OPTS --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
        --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
        --add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED \
        -cp "$dir/classes:$ROOT/target/classes:$ROOT/target/lib/*" io.cloudpark.bench.floor.FloorLauncher \
        "$dir/conf" "$BENCH/floor/webapp" >"$dir/server.log" 2>&1) &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    wait_ready "$dir/server.log" "floor ready"
}

snapshot() {  # snapshot SERVER OUT
    if [ "$1" != floor ]; then
        python3 "$LIB/analyze.py" snapshot --pid "$SERVER_PID" --metrics "http://$HOST:$CLOUDPARK_HTTP/metrics" \
            --auth "admin:$ADMIN_PASSWORD" --ports "$PORT_BASE" $((PORT_BASE + 999)) --out "$2"
    else
        python3 "$LIB/analyze.py" snapshot --pid "$SERVER_PID" --ports "$PORT_BASE" $((PORT_BASE + 999)) --out "$2"
    fi
}

# ------------------------------------------------------------------------------------------------ data
# tenants are t0001.bench.test … (provision.py names them the same way)
write_inputs() {
    local t
    mkdir -p "$RUN/inputs"
    { echo SEQUENTIAL; for t in $(seq 1 "$TENANTS"); do printf 't%04d.bench.test;%s;%s\n' "$t" "$CALLER_EXT" "$PARKER_EXT"; done; } \
        >"$RUN/inputs/cycles.csv"
}

contact_port() {
    case $1 in
        "$PARKER_EXT") echo "$PARKER_PORT" ;;
        "$TARGET_EXT") echo "$TARGET_PORT" ;;
        *) echo "$IDLE_DEVICE_PORT" ;;
    esac
}

# register_devices SIP_PORT DIR EXT...: one device per tenant and extension, contact at that role's SIPp port
register_devices() {
    local port=$1 dir=$2; shift 2
    local ext t csv contact pids=() exts=()
    for ext in "$@"; do
        mkdir -p "$dir/$ext"
        csv=$dir/$ext/register.csv
        contact=$(contact_port "$ext")
        { echo SEQUENTIAL; for t in $(seq 1 "$TENANTS"); do printf 't%04d.bench.test;%s;%s;%s\n' "$t" "$ext" "$ext" "$contact"; done; } >"$csv"
        # two extensions at a time, from two client ports: one SIPp alone leaves the server half idle
        # shellcheck disable=SC2046
        sipp_bg "$dir/$ext" $(sipp_common "$port") -p $((REGISTRAR_CLIENT_PORT + ${#pids[@]})) -sf "$SCENARIOS/register.xml" \
            -inf "$csv" -au "$ext" -ap "$SIP_PASSWORD" -r "$REGISTER_RATE" -m "$TENANTS" -l 200
        pids+=("$SIPP_PID")
        exts+=("$ext")
        if [ ${#pids[@]} -eq 2 ] || [ "$ext" = "${*: -1}" ]; then
            [ -z "$(wait_exit $(( $(date +%s) + TENANTS / 100 + 60 )) "${pids[@]}")" ] || die "registrations did not finish"
            for ext in "${exts[@]}"; do
                python3 "$LIB/analyze.py" expect --dir "$dir/$ext" --scenario register --successful "$TENANTS" \
                    || die "registrations of $ext failed, see $dir/$ext"
            done
            pids=() exts=()
        fi
    done
}

# ------------------------------------------------------------------------------------------------ one rate step
# run_cycles SERVER SIP_PORT DIR RATE CYCLES: the four SIPp roles of a park cycle; returns when all have ended or the
# step's time bound (in BOUND) passed; leftovers are then killed and named in DIR/leftover
BOUND=
run_cycles() {
    local server=$1 sip=$2 dir=$3 rate=$4 n=$5
    local common retriever target parker caller left
    mkdir -p "$dir"
    common=$(sipp_common "$sip")
    printf 'park_target;%s:%s\nretriever;%s:%s\n' "$HOST" "$TARGET_3PCC_PORT" "$HOST" "$RETRIEVER_3PCC_PORT" >"$dir/3pcc.cfg"
    # 3PCC: the target's device (master) tells the retriever (slave) which URI to retrieve; the slave listens first.
    # Twins end together: the master ends after its 2n calls (its last call waits 5 s for retransmissions, longer
    # than the slave's last call takes), and takes the slave with it; the slave gets no -m of its own.
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$RETRIEVER_PORT" -sf "$SCENARIOS/retriever.xml" -s "$TARGET_EXT" \
        -au "$TARGET_EXT" -ap "$SIP_PASSWORD" -slave retriever -slave_cfg "$dir/3pcc.cfg" -trace_logs
    retriever=$SIPP_PID
    wait_listening t "$RETRIEVER_3PCC_PORT" 10
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$TARGET_PORT" -sf "$SCENARIOS/park_target.xml" -master park_target \
        -slave_cfg "$dir/3pcc.cfg" -m $((2 * n)) -trace_logs
    target=$SIPP_PID
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$PARKER_PORT" -sf "$SCENARIOS/parker.xml" -s "$PARKER_EXT" \
        -key target "$TARGET_EXT" -m "$n" -aa -trace_logs
    parker=$SIPP_PID
    wait_listening u "$PARKER_PORT" 10
    wait_listening u "$TARGET_PORT" 10
    snapshot "$server" "$dir/before.json"
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$CALLER_PORT" -sf "$SCENARIOS/caller.xml" -inf "$RUN/inputs/cycles.csv" \
        -au "$CALLER_EXT" -ap "$SIP_PASSWORD" -r "$rate" -m "$n" -l 5000 -d "$TALK_MS"
    caller=$SIPP_PID
    BOUND=$(( n / rate + 12 ))
    left=$(wait_exit $(( $(date +%s) + BOUND )) "$caller")
    snapshot "$server" "$dir/after.json"
    left="$left $(wait_exit $(( $(date +%s) + 10 )) "$retriever" "$parker" "$target")"
    if [ -n "${left// /}" ]; then
        echo "$left" >"$dir/leftover"
        # shellcheck disable=SC2086
        kill $left 2>/dev/null || true
        sleep 1
    fi
}

# step SERVER SIP_PORT NAME RATE SECONDS: returns 1 if the step failed
step() {
    local server=$1 sip=$2 name=$3 rate=$4 seconds=$5
    local dir=$RUN/$server/steps/$name n=$(( $4 * $5 ))
    run_cycles "$server" "$sip" "$dir" "$rate" "$n"
    python3 "$LIB/analyze.py" step --dir "$dir" --server "$server" --server-port "$sip" --rate "$rate" --cycles "$n" \
        --bound-s "$BOUND" --before "$dir/before.json" --after "$dir/after.json"
}

# ------------------------------------------------------------------------------------------------ phases
warm_up() {  # rounds of cycles until the JIT compilers are done with the hot code; not reported
    local server=$1 sip=$2 round dir previous= rate
    for round in $(seq 1 "$WARMUP_MAX_ROUNDS"); do
        dir=$RUN/$server/warm-up/$round
        # a cold JVM costs ~75-130 ms of CPU per cycle: a faster first round overloads 2 cores and leaves failed calls
        rate=$WARMUP_RATE
        [ "$round" -eq 1 ] && [ "$rate" -gt 20 ] && rate=20
        run_cycles "$server" "$sip" "$dir" "$rate" $(( rate * WARMUP_SECONDS ))
        python3 "$LIB/analyze.py" step --dir "$dir" --server "$server" --server-port "$sip" --rate "$rate" \
            --cycles $(( rate * WARMUP_SECONDS )) --bound-s 1000 --before "$dir/before.json" \
            --after "$dir/after.json" >/dev/null || true
        if python3 "$LIB/analyze.py" warm --dir "$dir" --label "$server: warm-up round $round" \
            ${previous:+--previous "$previous"}; then
            echo true >"$RUN/$server/warm-up/settled"
            return 0
        fi
        previous=$dir
    done
    echo false >"$RUN/$server/warm-up/settled"   # the report says so next to every figure of this server
    log "$server: the JIT was still busy after $WARMUP_MAX_ROUNDS warm-up rounds; measuring anyway (reported as not settled)"
}

start_profiler() {  # JFR from the warm-up on: starting it recompiles hot code, which the warm-up then absorbs
    jcmd "$SERVER_PID" JFR.start name=bench settings=profile >/dev/null
}

rate_steps() {  # rate_steps SERVER SIP_PORT: steps up until one fails; the profile covers exactly the steps
    local server=$1 sip=$2 rate seconds begin
    begin=$(date +%H:%M:%S)
    log "$server: rate steps ($RATES cycles/s, ${STEP_SECONDS} s each, ${LATENCY_SECONDS} s at $LATENCY_RATE/s)"
    for rate in $RATES; do
        seconds=$STEP_SECONDS
        [ "$rate" -eq "$LATENCY_RATE" ] && seconds=$LATENCY_SECONDS
        step "$server" "$sip" "$(printf '%04d' "$rate")" "$rate" "$seconds" || break
    done
    jcmd "$SERVER_PID" JFR.dump name=bench begin="$begin" filename="$RUN/$server/steps.jfr" >/dev/null
    jcmd "$SERVER_PID" JFR.stop name=bench >/dev/null
    python3 "$LIB/jfr_top.py" "$RUN/$server/steps.jfr" --json "$RUN/$server/profile.json" >"$RUN/$server/profile.txt"
}

highest_passed() {  # the highest rate of an unbroken run of passed steps
    local server=$1 best=0 f
    for f in $(ls -d "$RUN/$server"/steps/*/ 2>/dev/null | sort); do
        python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["passed"] else 1)' "$f/step.json" || break
        best=$((10#$(basename "$f")))
    done
    echo "$best"
}

idle_window() {  # idle_window SERVER SIP_PORT: every device listens, nothing happens; count what reaches them
    local server=$1 sip=$2 dir=$RUN/$1/idle port pids=()
    mkdir -p "$dir"
    log "$server: idle window, $IDLE_SECONDS s, $TENANTS tenants x $DEVICES devices registered"
    for port in "$PARKER_PORT" "$TARGET_PORT" "$IDLE_DEVICE_PORT"; do
        mkdir -p "$dir/$port"
        # shellcheck disable=SC2046
        sipp_bg "$dir/$port" $(sipp_common "$sip") -p "$port" -sf "$SCENARIOS/notify_sink.xml" -trace_msg
        pids+=("$SIPP_PID")
    done
    snapshot "$server" "$dir/before.json"
    sleep $(( IDLE_SECONDS / 2 ))
    snapshot "$server" "$dir/middle.json"   # the first half still has the registrations' transaction timers
    sleep $(( IDLE_SECONDS - IDLE_SECONDS / 2 ))
    snapshot "$server" "$dir/after.json"
    kill "${pids[@]}" 2>/dev/null || true
    sleep 1
    cat "$dir"/*/notify_sink_*_messages.log >"$dir/all_messages.log" 2>/dev/null || : >"$dir/all_messages.log"
    python3 "$LIB/analyze.py" idle --dir "$dir" --devices $(( TENANTS * DEVICES )) --before "$dir/before.json" --after "$dir/after.json"
}

heap_snapshot() {  # heap_snapshot SERVER NAME: live objects and used heap, each right after a full GC
    local dir=$RUN/$1/heap
    mkdir -p "$dir"
    jcmd "$SERVER_PID" GC.class_histogram >"$dir/$2-histogram.txt"   # runs a full GC, then counts what is live
    jcmd "$SERVER_PID" GC.heap_info >"$dir/$2-heap.txt"               # used heap right after that GC
}

settle() {  # transactions, dialogs and their timers outlive the traffic by ~32 s (Timer J): let them go first
    log "$1: $SETTLE_SECONDS s without traffic before the heap is measured"
    sleep "$SETTLE_SECONDS"
}

park_and_hold() {  # park_and_hold SERVER SIP_PORT RATE: PARKED calls parked and kept; heap measured with them
    local server=$1 sip=$2 rate=$3 dir=$RUN/$1/heap/parking common sink parker caller left
    mkdir -p "$dir"
    log "$server: parking $PARKED calls over $TENANTS tenants at $rate/s and keeping them parked"
    common=$(sipp_common "$sip")
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$TARGET_PORT" -sf "$SCENARIOS/notify_sink.xml" -trace_logs
    sink=$SIPP_PID
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$PARKER_PORT" -sf "$SCENARIOS/parker.xml" -s "$PARKER_EXT" -key target "$TARGET_EXT" \
        -m "$PARKED" -aa
    parker=$SIPP_PID
    wait_listening u "$PARKER_PORT" 10
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$CALLER_PORT" -sf "$SCENARIOS/caller_park_only.xml" -inf "$RUN/inputs/cycles.csv" \
        -au "$CALLER_EXT" -ap "$SIP_PASSWORD" -r "$rate" -m "$PARKED" -l $((PARKED + 1000)) -d "$HOLD_MS"
    caller=$SIPP_PID
    # a park is complete when the parker has its NOTIFY 200 (then it hangs up): the parker ends after the last one
    left=$(wait_exit $(( $(date +%s) + PARKED / rate + 60 )) "$parker")
    [ -z "$left" ] || log "$server: not every park finished in time (see $dir)"
    settle "$server"
    heap_snapshot "$server" parked
    kill "$caller" "$sink" "$parker" 2>/dev/null || true
}

# fan_out SERVER SIP_PORT HTTP_PORT: one tenant whose park group (102..121, the target 102 and the caller 103 in it)
# has FANOUT_DEVICES devices, all at one listening SIPp; the parker 101 is outside it. FANOUT_PARKS parks one after
# another, each announced to every device: the figure is from the REFER to the last device's NOTIFY
fan_out() {
    local server=$1 sip=$2 http=$3 dir=$RUN/$1/fan-out domain=fanout.bench.test ext d t csv common sink parker caller
    local last=$((FIRST_EXT + FANOUT_EXTENSIONS)) per=$(( FANOUT_DEVICES / FANOUT_EXTENSIONS ))
    mkdir -p "$dir"
    log "$server: fan-out, $FANOUT_PARKS parks announced to $FANOUT_DEVICES devices of one park group"
    python3 "$LIB/provision.py" --port "$http" --admin-password "$ADMIN_PASSWORD" --tenants 1 --domain "$domain" \
        --first "$FIRST_EXT" --last "$last" --park-group all --group-first $((FIRST_EXT + 1)) --sip-password "$SIP_PASSWORD" \
        --settings "{\"parkTimeoutSeconds\":3600,\"maxParkedPerExtension\":$(( FANOUT_PARKS + 1 ))}" | sed 's/^/  /'
    common=$(sipp_common "$sip")
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$FANOUT_PORT" -sf "$SCENARIOS/notify_sink.xml" -trace_logs
    sink=$SIPP_PID
    wait_listening u "$FANOUT_PORT" 10
    for ext in $(seq $((FIRST_EXT + 1)) "$last"); do
        mkdir -p "$dir/register/$ext"
        csv=$dir/register/$ext/register.csv
        { echo SEQUENTIAL; for d in $(seq 1 "$per"); do printf '%s;%s;d%s-%04d;%s\n' "$domain" "$ext" "$ext" "$d" "$FANOUT_PORT"; done; } >"$csv"
        # shellcheck disable=SC2086
        sipp_bg "$dir/register/$ext" $common -p "$REGISTRAR_CLIENT_PORT" -sf "$SCENARIOS/register.xml" -inf "$csv" \
            -au "$ext" -ap "$SIP_PASSWORD" -r 200 -m "$per" -l 200   # each REGISTER refreshes 20 group members
        [ -z "$(wait_exit $(( $(date +%s) + 30 )) "$SIPP_PID")" ] || die "fan-out registrations did not finish"
    done
    mkdir -p "$dir/register/$PARKER_EXT"
    printf 'SEQUENTIAL\n%s;%s;%s;%s\n' "$domain" "$PARKER_EXT" "$PARKER_EXT" "$PARKER_PORT" >"$dir/register/$PARKER_EXT/register.csv"
    # shellcheck disable=SC2086
    sipp_bg "$dir/register/$PARKER_EXT" $common -p "$REGISTRAR_CLIENT_PORT" -sf "$SCENARIOS/register.xml" \
        -inf "$dir/register/$PARKER_EXT/register.csv" -au "$PARKER_EXT" -ap "$SIP_PASSWORD" -m 1
    [ -z "$(wait_exit $(( $(date +%s) + 30 )) "$SIPP_PID")" ] || die "the fan-out parker did not register"
    sleep 1   # the REGISTERs' answers are done (nothing parked yet: no refresh NOTIFY)
    printf 'SEQUENTIAL\n%s;%s;%s\n' "$domain" "$CALLER_EXT" "$PARKER_EXT" >"$dir/cycles.csv"
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$PARKER_PORT" -sf "$SCENARIOS/parker.xml" -s "$PARKER_EXT" -key target "$TARGET_EXT" \
        -m "$FANOUT_PARKS" -aa -trace_logs
    parker=$SIPP_PID
    wait_listening u "$PARKER_PORT" 10
    # one park a second: each fan-out is over long before the next park
    # shellcheck disable=SC2086
    sipp_bg "$dir" $common -p "$CALLER_PORT" -sf "$SCENARIOS/caller_park_only.xml" -inf "$dir/cycles.csv" \
        -au "$CALLER_EXT" -ap "$SIP_PASSWORD" -r 1 -m "$FANOUT_PARKS" -d "$HOLD_MS"
    caller=$SIPP_PID
    [ -z "$(wait_exit $(( $(date +%s) + FANOUT_PARKS + 30 )) "$parker")" ] || log "$server: not every fan-out park finished"
    sleep 2
    kill "$caller" "$sink" 2>/dev/null || true
    sleep 1
    python3 "$LIB/analyze.py" fanout --dir "$dir" --devices "$FANOUT_DEVICES" --parks "$FANOUT_PARKS"
}

run_cloudpark() {  # run_cloudpark STORE: the whole benchmark of cloudpark on that store
    local store=$1 server=cloudpark-$1
    check_ports_free "$CLOUDPARK_SIP" "$CLOUDPARK_HTTP"
    [ "$store" = postgresql ] && start_postgres
    start_cloudpark "$store"
    log "$server: provisioning $TENANTS tenants x $DEVICES extensions over the admin API"
    python3 "$LIB/provision.py" --port "$CLOUDPARK_HTTP" --admin-password "$ADMIN_PASSWORD" --tenants "$TENANTS" \
        --first "$FIRST_EXT" --last "$LAST_EXT" --sip-password "$SIP_PASSWORD" \
        --settings "{\"parkTimeoutSeconds\":3600,\"maxParkedPerExtension\":$(( PARKED / TENANTS + 10 ))}" | sed 's/^/  /'
    heap_snapshot "$server" provisioned
    log "$server: registering $(( TENANTS * DEVICES )) devices"
    register_devices "$CLOUDPARK_SIP" "$RUN/$server/register" $(seq "$FIRST_EXT" "$LAST_EXT")
    if [ "$store" = "${STORES%% *}" ]; then
        idle_window "$server" "$CLOUDPARK_SIP"    # the store sends nothing while idle: measured on the first only
    else
        settle "$server"                          # the registrations' transactions end
    fi
    heap_snapshot "$server" registered
    start_profiler
    warm_up "$server" "$CLOUDPARK_SIP"
    rate_steps "$server" "$CLOUDPARK_SIP"
    settle "$server"
    heap_snapshot "$server" after-cycles
    park_and_hold "$server" "$CLOUDPARK_SIP" "$(park_rate "$(highest_passed "$server")")"
    python3 "$LIB/analyze.py" heap --server-dir "$RUN/$server" --registrations $(( TENANTS * DEVICES )) --parked "$PARKED"
    fan_out "$server" "$CLOUDPARK_SIP" "$CLOUDPARK_HTTP"
    stop_server
    [ "$store" = postgresql ] && stop_postgres
    return 0
}

run_floor() {
    check_ports_free "$FLOOR_SIP" "$FLOOR_HTTP"
    start_floor
    log "floor: registering the parker's and the target's devices of $TENANTS tenants"
    register_devices "$FLOOR_SIP" "$RUN/floor/register" "$PARKER_EXT" "$TARGET_EXT"
    start_profiler
    warm_up floor "$FLOOR_SIP"
    rate_steps floor "$FLOOR_SIP"
    settle floor
    heap_snapshot floor after-cycles
    park_and_hold floor "$FLOOR_SIP" "$(park_rate "$(highest_passed floor)")"
    python3 "$LIB/analyze.py" heap --server-dir "$RUN/floor" --parked "$PARKED"
    stop_server
}

park_rate() {  # well inside what the server sustained, within 50..150/s: a park that times out is no parked call
    local r=$(( $1 * 2 / 3 ))
    [ "$r" -lt 50 ] && r=50
    [ "$r" -gt 150 ] && r=150
    echo "$r"
}

# ------------------------------------------------------------------------------------------------ main
[ "$DEVICES" -ge 3 ] || die "BENCH_DEVICES must be at least 3: extensions 101, 102 and 103 play the parker, the target and the caller"
command -v sipp >/dev/null || die "sipp not found (Debian: apt-get install sip-tester)"
for tool in java javac jcmd jfr python3 ss; do command -v $tool >/dev/null || die "$tool not found"; done
mkdir -p "$RUN"
check_ports_free "$PARKER_PORT" "$TARGET_PORT" "$RETRIEVER_PORT" "$CALLER_PORT" "$IDLE_DEVICE_PORT" \
    "$REGISTRAR_CLIENT_PORT" $((REGISTRAR_CLIENT_PORT + 1)) "$TARGET_3PCC_PORT" "$RETRIEVER_3PCC_PORT" "$FANOUT_PORT"
log "run $RUN_ID: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); output in $RUN"
build_if_needed
write_inputs
cat >"$RUN/run.json" <<EOF
{"id": "$RUN_ID", "command": "bench/run.sh", "commit": "$(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- src pom.xml webapp deployment bench || echo '+local changes')",
 "rates_cps": "$RATES", "step_seconds": $STEP_SECONDS, "latency_rate_cps": $LATENCY_RATE, "latency_seconds": $LATENCY_SECONDS,
 "tenants": $TENANTS, "devices_per_tenant": $DEVICES, "parked_calls": $PARKED, "idle_seconds": $IDLE_SECONDS,
 "stores": "$STORES", "fanout_devices": $FANOUT_DEVICES, "fanout_parks": $FANOUT_PARKS,
 "java_opts": "$JAVA_OPTS", "talk_ms": $TALK_MS, "transport": "udp", "loadavg_at_start": "$(cut -d' ' -f1-3 /proc/loadavg)"}
EOF
for server in $SERVERS; do
    if [ "$server" = cloudpark ]; then
        for store in $STORES; do run_cloudpark "$store"; done
    else
        "run_$server"
    fi
    log "$server done"
done
python3 - "$RUN/run.json" "$STARTED" <<'EOF'
import json, sys, time
run = json.load(open(sys.argv[1])); run["duration_s"] = round(time.time() - int(sys.argv[2]))
run["loadavg_at_end"] = " ".join(open("/proc/loadavg").read().split()[:3]); json.dump(run, open(sys.argv[1], "w"), indent=2)
EOF
python3 "$LIB/analyze.py" report --run "$RUN" --out "$RUN/results.json" | tee "$RUN/results.txt"
cp "$RUN/results.json" "$RUN/results.txt" "$BENCH/out/"
log "done in $(( $(date +%s) - STARTED )) s: $BENCH/out/results.json (this run: $RUN)"

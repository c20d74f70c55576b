# Shell shared by the benchmarks (bench/run.sh, bench/soak.sh): the processes they start and kill, SIPp in the
# background, the cloudpark standalone server. Sourced; expects ROOT, HOST, RUN and, for start_cloudpark,
# CLOUDPARK_SIP, CLOUDPARK_HTTP and ADMIN_PASSWORD. Extra server environment (e.g. the database): CLOUDPARK_ENV=(K=V …).

# ------------------------------------------------------------------------------------------------ processes
STARTED_PIDS=()   # everything this script started; killed by id on exit, nothing else

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED_PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*" >&2; exit 1; }

alive() { kill -0 "$1" 2>/dev/null; }

# waits until every given pid has exited or the deadline (epoch s) passes; prints the pids still running
wait_exit() {
    local deadline=$1; shift
    local pid left
    while :; do
        left=()
        for pid in "$@"; do alive "$pid" && left+=("$pid"); done
        [ ${#left[@]} -eq 0 ] && return 0
        [ "$(date +%s)" -ge "$deadline" ] && { echo "${left[*]}"; return 0; }
        sleep 0.2
    done
}

# sipp_bg DIR ARGS...: one SIPp instance in the background, its traces in DIR; its pid in SIPP_PID (a global, not
# output: in a $(...) subshell the pid would not reach STARTED_PIDS and the exit trap)
SIPP_PID=
sipp_bg() {
    local dir=$1; shift
    local out
    out=$(cd "$dir" && sipp "$@" -bg 2>&1) || true   # the launching sipp exits non-zero even when the child runs
    SIPP_PID=$(sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p' <<<"$out")
    [ -n "$SIPP_PID" ] || die "sipp did not start: $out"
    STARTED_PIDS+=("$SIPP_PID")
}

# 4 MiB socket buffers (the kernel's rmem_max here): a datagram the load generator drops is not the server's failure
sipp_common() { echo "$HOST:$1 -i $HOST -t u1 -buff_size 4194304 -trace_err -trace_screen -recv_timeout 10000"; }

wait_listening() {  # wait_listening PROTO(t|u) PORT SECONDS
    local i
    for i in $(seq 1 $(($3 * 10))); do
        [ -n "$(ss -Hln"$1" "sport = :$2" 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    die "nothing listens on $2/$1"
}

check_ports_free() {
    local port
    for port in "$@"; do
        [ -z "$(ss -Hlnu "sport = :$port")$(ss -Hlnt "sport = :$port")" ] || die "port $port is in use (set BENCH_PORT_BASE)"
    done
}

# ------------------------------------------------------------------------------------------------ build
build_cloudpark_if_stale() {
    local jar=$ROOT/target/cloudpark-standalone.jar
    if [ ! -f "$jar" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/webapp" "$ROOT/deployment" -newer "$jar" -type f | head -1)" ]; then
        log "building cloudpark (mvn -q -DskipTests package)"
        (cd "$ROOT" && mvn -q -DskipTests package) || die "build failed"
    fi
}

# ------------------------------------------------------------------------------------------------ servers
SERVER_PID=
CLOUDPARK_ENV=()

wait_ready() {  # wait_ready LOG PATTERN
    local i
    for i in $(seq 1 240); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        alive "$SERVER_PID" || die "server exited during start-up, see $1"
        sleep 0.5
    done
    die "server not ready after 120 s, see $1"
}

start_cloudpark() {
    local dir=$RUN/cloudpark
    mkdir -p "$dir"
    log "starting cloudpark as README does (java -jar target/cloudpark-standalone.jar) in $dir, fresh data"
    (cd "$dir" && exec env "${CLOUDPARK_ENV[@]}" CLOUDPARK_BIND=$HOST CLOUDPARK_SIP_PORT=$CLOUDPARK_SIP CLOUDPARK_HTTP_PORT=$CLOUDPARK_HTTP \
        CLOUDPARK_ADMIN_PASSWORD=$ADMIN_PASSWORD CLOUDPARK_DEMO_TENANT=false CLOUDPARK_NODE_ID=bench \
        java -jar "$ROOT/target/cloudpark-standalone.jar" >"$dir/server.log" 2>&1) &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    wait_ready "$dir/server.log" "cloudpark ready"
}


stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}


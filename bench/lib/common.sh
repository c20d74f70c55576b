# Shell shared by the benchmarks (bench/run.sh, bench/soak.sh): the processes they start and kill, SIPp in the
# background, a PostgreSQL of their own, the cloudpark standalone server. Sourced after the script has set ROOT, HOST,
# RUN, STARTED, PG_PORT, CLOUDPARK_SIP, CLOUDPARK_HTTP and ADMIN_PASSWORD. Optional: PG_TMP_PREFIX (where the
# database lives, default /tmp/cloudpark-bench-pg), CLOUDPARK_ENV=(K=V …) (extra server environment),
# BENCH_JAVA_OPTS, BENCH_PG_BIN.

# G1's default pause goal (200 ms) lets the young generation grow until its pauses take about that long: the p99
# plateau of earlier runs. README runs cloudpark with a 20 ms goal; the floor gets the same JVM.
JAVA_OPTS=${BENCH_JAVA_OPTS:-"-XX:MaxGCPauseMillis=20"}
PG_TMP_PREFIX=${PG_TMP_PREFIX:-/tmp/cloudpark-bench-pg}
PG_DIR=   # the PostgreSQL of this run (a temporary directory), stopped on exit
CLOUDPARK_ENV=(${CLOUDPARK_ENV[@]+"${CLOUDPARK_ENV[@]}"})

# ------------------------------------------------------------------------------------------------ processes
STARTED_PIDS=()   # everything this script started; killed by id on exit, nothing else

cleanup() {
    local pid
    stop_postgres
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

log() { printf '%s %s (+%ds)\n' "$(date +%H:%M:%S)" "$*" $(( $(date +%s) - STARTED )); }
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

wait_ready() {  # wait_ready LOG PATTERN
    local i
    for i in $(seq 1 240); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        alive "$SERVER_PID" || die "server exited during start-up, see $1"
        sleep 0.5
    done
    die "server not ready after 120 s, see $1"
}

# ------------------------------------------------------------------------------------------------ PostgreSQL
# a server of its own for this run: initdb into a temporary directory, loopback only, trust authentication
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_bin() {
    local dir
    for dir in "${BENCH_PG_BIN:-}" /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

start_postgres() {
    local bin
    bin=$(pg_bin) || die "PostgreSQL not found (Debian: apt-get install postgresql, or set BENCH_PG_BIN)"
    check_ports_free "$PG_PORT"
    PG_DIR=$(mktemp -d "$PG_TMP_PREFIX.XXXXXX")
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust >"$RUN/postgresql-initdb.log" 2>&1 || die "initdb failed, see $RUN/postgresql-initdb.log"
    # settings for a benchmark on one machine: the pool's connections, and no fsync wait per commit (H2 embedded
    # does not wait for the disk either: the two stores are compared on the same footing)
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 -o "-c listen_addresses=$HOST -p $PG_PORT \
        -k $PG_DIR -c max_connections=50 -c shared_buffers=128MB -c synchronous_commit=off" start >/dev/null \
        || die "PostgreSQL did not start, see $PG_DIR/postgres.log"
    as_pg "$bin/psql" -h "$HOST" -p "$PG_PORT" -U postgres -qc "create database cloudpark" >/dev/null
    log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $HOST:$PG_PORT in $PG_DIR"
}

stop_postgres() {
    [ -n "$PG_DIR" ] || return 0
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    cp "$PG_DIR/postgres.log" "$RUN/postgresql.log" 2>/dev/null || true
    rm -rf "$PG_DIR"
    PG_DIR=
}

# start_cloudpark STORE [DIR]: the standalone server on h2 (its own file in DIR) or on the PostgreSQL above; its log
# is DIR/server.log (DIR defaults to RUN/cloudpark-STORE); extra environment from CLOUDPARK_ENV
start_cloudpark() {
    local store=$1 dir=${2:-$RUN/cloudpark-$1} db=()
    mkdir -p "$dir"
    if [ "$store" = postgresql ]; then
        db=(CLOUDPARK_DB_URL="jdbc:postgresql://$HOST:$PG_PORT/cloudpark" CLOUDPARK_DB_USER=postgres CLOUDPARK_DB_PASSWORD=)
    fi
    log "starting cloudpark ($store) as README does (java -jar target/cloudpark-standalone.jar) in $dir, fresh data"
    # shellcheck disable=SC2086
    (cd "$dir" && exec env "${db[@]}" ${CLOUDPARK_ENV[@]+"${CLOUDPARK_ENV[@]}"} CLOUDPARK_BIND=$HOST \
        CLOUDPARK_SIP_PORT=$CLOUDPARK_SIP CLOUDPARK_HTTP_PORT=$CLOUDPARK_HTTP \
        CLOUDPARK_ADMIN_PASSWORD=$ADMIN_PASSWORD CLOUDPARK_DEMO_TENANT=false CLOUDPARK_NODE_ID=bench \
        java $JAVA_OPTS -jar "$ROOT/target/cloudpark-standalone.jar" >"$dir/server.log" 2>&1) &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    wait_ready "$dir/server.log" "cloudpark ready"
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

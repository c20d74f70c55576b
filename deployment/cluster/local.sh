#!/usr/bin/env bash
# A cloudpark cluster on this machine's loopback, for tests, benchmarks and trying it out:
# PostgreSQL, Kamailio in front (deployment/kamailio/kamailio.cfg) and N cloudpark JVMs.
#
#   local.sh up N     start PostgreSQL, Kamailio and nodes 1..N (builds nothing: run `mvn -DskipTests package` first)
#   local.sh ports    the SIP and HTTP port of every node, Kamailio's SIP and RPC ports, PostgreSQL's
#   local.sh kill I   kill -9 node I
#   local.sh start I  start node I again
#   local.sh down     stop everything it started (nothing is left running)
#
# Phones register with Kamailio at 127.0.0.1:$CLUSTER_SIP_PORT. Every setting is an environment variable:
#   CLUSTER_SIP_PORT        5060   Kamailio, udp+tcp
#   CLUSTER_RPC_PORT        5099   Kamailio JSON-RPC over HTTP (loopback), which the nodes' reaper calls
#   CLUSTER_NODE_SIP_BASE   5070   node I listens for SIP on BASE+I
#   CLUSTER_NODE_HTTP_BASE  8080   node I serves HTTP (API, /metrics) on BASE+I
#   CLUSTER_PG_PORT         5433   PostgreSQL (trust authentication, loopback only)
#   CLUSTER_ADMIN_PASSWORD  cloudpark-admin   the operator password of every node
#   CLUSTER_DEMO_TENANT     true   node 1 seeds the demo tenant into an empty database
#   CLUSTER_DIR             /tmp/cloudpark-cluster-$CLUSTER_SIP_PORT   state: data, logs, pids
#   CLUSTER_JAVA_OPTS       -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
SIP_PORT="${CLUSTER_SIP_PORT:-5060}"
RPC_PORT="${CLUSTER_RPC_PORT:-5099}"
NODE_SIP_BASE="${CLUSTER_NODE_SIP_BASE:-5070}"
NODE_HTTP_BASE="${CLUSTER_NODE_HTTP_BASE:-8080}"
PG_PORT="${CLUSTER_PG_PORT:-5433}"
ADMIN_PASSWORD="${CLUSTER_ADMIN_PASSWORD:-cloudpark-admin}"
DEMO_TENANT="${CLUSTER_DEMO_TENANT:-true}"
DIR="${CLUSTER_DIR:-/tmp/cloudpark-cluster-$SIP_PORT}"
JAVA_OPTS="${CLUSTER_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
JAR="$REPO/target/cloudpark-standalone.jar"

die() { echo "local.sh: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root: as root, run it as the postgres user
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
    command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
    return 1
}

install_missing() {
    local packages=()
    command -v kamailio >/dev/null || packages+=(kamailio)
    pg_bin >/dev/null || packages+=(postgresql)
    command -v curl >/dev/null || packages+=(curl)
    if [ ${#packages[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "missing ${packages[*]}: install them (apt-get install -y ${packages[*]})"
        echo "installing ${packages[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
        # the packages' own services are not ours: this cluster runs its own instances
        if command -v systemctl >/dev/null; then systemctl stop kamailio postgresql 2>/dev/null || true; fi
    fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

nodes() { cat "$DIR/nodes" 2>/dev/null || echo 0; }

wait_until() { # seconds, what, command...
    local seconds="$1" what="$2"; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "$what did not come up in ${seconds}s (logs in $DIR)"
        sleep 0.2
    done
}

start_postgres() {
    local bin; bin="$(pg_bin)"
    if [ ! -f "$DIR/pg/PG_VERSION" ]; then
        mkdir -p "$DIR/pg"
        [ "$(id -u)" = 0 ] && chown postgres: "$DIR/pg"
        as_pg "$bin/initdb" -D "$DIR/pg" -U postgres --auth=trust >/dev/null
    fi
    # its socket and log, in a directory the postgres user may write
    mkdir -p "$DIR/pg-run"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR/pg-run"
    as_pg "$bin/pg_ctl" -D "$DIR/pg" -l "$DIR/pg-run/postgres.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DIR/pg-run -c max_connections=100 -c shared_buffers=32MB" start >/dev/null
    if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname='cloudpark'" | grep -q 1; then
        as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database cloudpark" >/dev/null
    fi
}

start_kamailio() {
    local n="$1" i
    : >"$DIR/dispatcher.list"
    for i in $(seq 1 "$n"); do
        echo "1 sip:127.0.0.1:$((NODE_SIP_BASE + i)) 0 0 duid=node$i" >>"$DIR/dispatcher.list"
    done
    mkdir -p "$DIR/kamailio-run"
    kamailio -f "$REPO/deployment/kamailio/kamailio.cfg" -DD -E -Y "$DIR/kamailio-run" \
        -A "SIP_PORT=$SIP_PORT" -A "RPC_PORT=$RPC_PORT" -A "DS_LIST=\"$DIR/dispatcher.list\"" \
        >"$DIR/kamailio.log" 2>&1 &
    echo $! >"$DIR/kamailio.pid"
    wait_until 20 "Kamailio" curl -sf -X POST --data '{"jsonrpc":"2.0","method":"core.version","id":1}' \
        "http://127.0.0.1:$RPC_PORT/RPC"
}

start_node() {
    local i="$1"
    [ -f "$JAR" ] || die "no $JAR: build it first (mvn -B -q -DskipTests package)"
    alive "$DIR/node$i.pid" && die "node $i is running already"
    mkdir -p "$DIR/node$i"
    (
        cd "$DIR/node$i"
        CLOUDPARK_NODE_ID="node$i" \
        CLOUDPARK_BIND=127.0.0.1 \
        CLOUDPARK_SIP_PORT=$((NODE_SIP_BASE + i)) \
        CLOUDPARK_HTTP_PORT=$((NODE_HTTP_BASE + i)) \
        CLOUDPARK_NODE_SIP_URI="sip:127.0.0.1:$((NODE_SIP_BASE + i))" \
        CLOUDPARK_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/cloudpark" \
        CLOUDPARK_DB_USER=postgres \
        CLOUDPARK_DB_PASSWORD= \
        CLOUDPARK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
        CLOUDPARK_DIGEST_SECRET="$(cat "$DIR/digest-secret")" \
        CLOUDPARK_KAMAILIO_RPC="http://127.0.0.1:$RPC_PORT/RPC" \
        CLOUDPARK_DEMO_TENANT="$([ "$i" = 1 ] && echo "$DEMO_TENANT" || echo false)" \
        exec java $JAVA_OPTS -jar "$JAR" >"$DIR/node$i.log" 2>&1
    ) &
    echo $! >"$DIR/node$i.pid"
}

# Kamailio's dispatcher has the node active: its OPTIONS probe got a 200
dispatched() {
    curl -sf -X POST --data '{"jsonrpc":"2.0","method":"dispatcher.list","id":1}' "http://127.0.0.1:$RPC_PORT/RPC" \
        | tr -d ' \n\t' | grep -q "\"URI\":\"sip:127.0.0.1:$((NODE_SIP_BASE + $1))\",\"FLAGS\":\"AP\""
}

# up when it serves HTTP and Kamailio sends it calls
await_node() {
    local i="$1"
    wait_until 120 "node $i" sh -c "kill -0 $(cat "$DIR/node$i.pid") && curl -sf http://127.0.0.1:$((NODE_HTTP_BASE + i))/health"
    wait_until 20 "Kamailio's probe of node $i" dispatched "$i"
}

cmd_up() {
    local n="${1:-}"
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "usage: local.sh up N"
    alive "$DIR/kamailio.pid" && die "a cluster is running already in $DIR (local.sh down first)"
    install_missing
    mkdir -p "$DIR"
    echo "$n" >"$DIR/nodes"
    [ -f "$DIR/digest-secret" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/digest-secret")
    trap 'echo "local.sh: up failed; stopping what started" >&2; cmd_down' EXIT
    start_postgres
    start_kamailio "$n"
    # node 1 alone first: it migrates the schema and seeds the demo tenant; the others then start together
    start_node 1
    await_node 1
    local i
    for i in $(seq 2 "$n"); do start_node "$i"; done
    for i in $(seq 2 "$n"); do await_node "$i"; done
    trap - EXIT
    cmd_ports
}

cmd_ports() {
    echo "kamailio sip=127.0.0.1:$SIP_PORT rpc=http://127.0.0.1:$RPC_PORT/RPC $(alive "$DIR/kamailio.pid" && echo up || echo down)"
    echo "postgres 127.0.0.1:$PG_PORT database=cloudpark"
    local i
    for i in $(seq 1 "$(nodes)"); do
        echo "node$i sip=127.0.0.1:$((NODE_SIP_BASE + i)) http=127.0.0.1:$((NODE_HTTP_BASE + i)) $(alive "$DIR/node$i.pid" && echo up || echo down)"
    done
}

cmd_kill() {
    local i="${1:-}"
    [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge 1 ] && [ "$i" -le "$(nodes)" ] || die "usage: local.sh kill I (1..$(nodes))"
    alive "$DIR/node$i.pid" || die "node $i is not running"
    kill -9 "$(cat "$DIR/node$i.pid")"
    wait "$(cat "$DIR/node$i.pid")" 2>/dev/null || true
    rm -f "$DIR/node$i.pid"
    echo "node$i killed"
}

cmd_start() {
    local i="${1:-}"
    [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge 1 ] && [ "$i" -le "$(nodes)" ] || die "usage: local.sh start I (1..$(nodes))"
    start_node "$i"
    await_node "$i"
    echo "node$i up"
}

stop_pid() { # pidfile
    local pidfile="$1" pid
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 10))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

cmd_down() {
    local i
    for i in $(seq 1 "$(nodes)"); do stop_pid "$DIR/node$i.pid"; done
    stop_pid "$DIR/kamailio.pid"
    if [ -f "$DIR/pg/postmaster.pid" ]; then
        as_pg "$(pg_bin)/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true
    fi
    echo "cluster down (data and logs kept in $DIR)"
}

case "${1:-}" in
    up) cmd_up "${2:-}" ;;
    ports) cmd_ports ;;
    kill) cmd_kill "${2:-}" ;;
    start) cmd_start "${2:-}" ;;
    down) cmd_down ;;
    *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

# shellcheck shell=bash
# A throwaway 3-node Galera cluster (Debian's galera-4 and mariadb-server) on
# loopback, for tests, run as ordinary processes (never the system service).
# Source this file (it sources mariadb.sh from its own directory), then:
#
#   dir=$(mktemp -d /tmp/ocspgc.XXXXXX)
#   galera_start_cluster "$dir"        # or galera_start_cluster_background
#   ...
#   galera_stop_cluster "$dir"         # idempotent, never fails
#
# Layout: DIR/n1, DIR/n2, DIR/n3 are mariadb.sh server directories (socket,
# data, logs, port). DIR/ports holds one line per node: "N MYSQL_PORT
# GCOMM_PORT IST_PORT SST_PORT". The cluster has the test database and the
# test user of mariadb_start (ocsp / ocsp-test-pw, ocsp_test), created on the
# first node and replicated.
#
# galera_start_cluster DIR
#   Bootstraps node 1 (--wsrep-new-cluster), creates the test database and
#   user there, then starts nodes 2 and 3, which join by state transfer
#   (rsync). Returns once all three are Synced in a primary component of 3.
#   Failure detection is tuned for tests (a peer is suspected after 1.5 s of
#   silence), so that a hung or isolated node is noticed in seconds.
#
# galera_start_cluster_background DIR
#   The same in the background: DIR/ready appears when the cluster is up,
#   DIR/failed (with the reason in DIR/start.log) when it could not start.
#   galera_wait_ready DIR [SECONDS] waits for either (default 300 s).
#
# galera_start_node DIR N     start node N again (it rejoins the cluster)
# galera_stop_node DIR N      clean shutdown of node N (it leaves the cluster)
# galera_kill_node DIR N      kill -9 of node N
# galera_pause_node DIR N     SIGSTOP node N (hung: it neither answers nor
#                             leaves; its peers suspect it after ~1.5 s)
# galera_resume_node DIR N    SIGCONT node N
# galera_isolate_node DIR N   cut node N from its peers (gmcast.isolate=1):
#                             it stays up but is no longer in the primary
#                             component, and answers queries with error 1047
# galera_rejoin_node DIR N    undo galera_isolate_node (gmcast.isolate=0)
# galera_wait_synced DIR [SECONDS]
#                             wait until every running node is Synced in a
#                             primary component holding all running nodes
# galera_restore DIR          bring the cluster back to 3 Synced nodes from
#                             whatever a test left: resume paused nodes,
#                             rejoin isolated ones, start stopped ones
# galera_state DIR N          print "STATE STATUS SIZE" of node N
#                             (wsrep_local_state_comment,
#                             wsrep_cluster_status, wsrep_cluster_size)
#
# As root, the nodes run as the mysql user (the rsync state transfer's
# daemon will not run as root); their directories are made its own.

_galera_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/mariadb.sh
source "$_galera_lib_dir/mariadb.sh"

_galera_provider() {
    local p
    for p in /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so /usr/lib64/galera-4/libgalera_smm.so; do
        if [[ -r "$p" ]]; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    echo "galera.sh: libgalera_smm.so not found (install galera-4)" >&2
    return 1
}

# The user the nodes run as: mysql when we are root, else ourselves.
_galera_user() {
    if ((EUID == 0)); then
        if ! id -u mysql >/dev/null 2>&1; then
            echo "galera.sh: running as root needs the mysql user (installed with mariadb-server)" >&2
            return 1
        fi
        echo mysql
    else
        id -un
    fi
}

# Field F (2 mysql, 3 gcomm, 4 ist, 5 sst) of node N's line in DIR/ports.
_galera_port() {
    awk -v n="$2" -v f="$3" '$1 == n { print $f }' "$1/ports"
}

# The cluster address: every node's gcomm port.
_galera_address() {
    local n list=""
    for n in 1 2 3; do
        list+="${list:+,}127.0.0.1:$(_galera_port "$1" "$n" 3)"
    done
    printf 'gcomm://%s\n' "$list"
}

# The mariadbd options of node N. The evs timeouts are far below the
# defaults (5 s suspect, 15 s inactive) so that tests see a failure within
# seconds; they must stay ordered: keepalive <= check period <= suspect <=
# inactive, install <= inactive.
_galera_options() {
    local dir=$1 n=$2 provider gcomm ist sst
    provider=$(_galera_provider) || return 1
    gcomm=$(_galera_port "$dir" "$n" 3)
    ist=$(_galera_port "$dir" "$n" 4)
    sst=$(_galera_port "$dir" "$n" 5)
    printf '%s\n' \
        --wsrep-on=ON \
        "--wsrep-provider=$provider" \
        "--wsrep-cluster-address=$(_galera_address "$dir")" \
        --wsrep-cluster-name=ocsp-test \
        "--wsrep-node-name=node$n" \
        "--wsrep-node-address=127.0.0.1:$gcomm" \
        "--wsrep-node-incoming-address=127.0.0.1:$(_galera_port "$dir" "$n" 2)" \
        "--wsrep-sst-receive-address=127.0.0.1:$sst" \
        --wsrep-sst-method=rsync \
        "--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:$gcomm;ist.recv_addr=127.0.0.1:$ist;evs.keepalive_period=PT0.3S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT1.5S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S;pc.wait_prim_timeout=PT30S;gcache.size=64M" \
        --binlog-format=ROW \
        --default-storage-engine=InnoDB \
        --innodb-autoinc-lock-mode=2 \
        --innodb-buffer-pool-size=32M \
        --innodb-log-file-size=16M \
        --wsrep-slave-threads=2 \
        "--server-id=$((10 + n))"
}

# SQL as root on node N's socket, printed without column names.
_galera_root() {
    local dir=$1 n=$2
    shift 2
    mariadb --no-defaults --socket="$dir/n$n/mysqld.sock" -uroot --connect-timeout=3 \
        --batch --skip-column-names -e "$*"
}

galera_state() {
    local dir=$1 n=$2
    _galera_root "$dir" "$n" "SELECT
        (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'),
        (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATUS'),
        (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_SIZE')" 2>/dev/null |
        tr '\t' ' '
}

# Start node N (installing its data directory the first time); BOOTSTRAP=1
# makes it a new cluster of its own.
_galera_launch_node() {
    local dir=$1 n=$2 bootstrap=${3:-0} user options=()
    user=$(_galera_user) || return 1
    mkdir -p "$dir/n$n" || return 1
    _galera_port "$dir" "$n" 2 >"$dir/n$n/port"
    mapfile -t options < <(_galera_options "$dir" "$n") || return 1
    ((${#options[@]})) || return 1
    ((bootstrap)) && options+=(--wsrep-new-cluster)
    _MARIADB_SERVER_USER=$user _mariadb_launch galera "$dir/n$n" "${options[@]}"
}

# Wait up to SECONDS (default 60) until node N is Synced in a primary component of SIZE.
_galera_wait_node() {
    local dir=$1 n=$2 size=$3 seconds=${4:-60} i state=""
    for ((i = 0; i < seconds * 5; i++)); do
        state=$(galera_state "$dir" "$n")
        [[ "$state" == "Synced Primary $size" ]] && return 0
        sleep 0.2
    done
    echo "galera: node $n is not Synced in a primary component of $size after $seconds s (state: ${state:-no answer}); tail of $dir/n$n/mysqld.err:" >&2
    tail -n 30 "$dir/n$n/mysqld.err" >&2
    return 1
}

galera_start_cluster() {
    local dir n p ports=()
    dir=$(_mariadb_dir galera_start_cluster "${1:?usage: galera_start_cluster DIR}") || return 1
    _galera_provider >/dev/null || return 1
    command -v rsync >/dev/null 2>&1 || { echo "galera_start_cluster: rsync is needed for state transfers (install rsync)" >&2; return 1; }
    chmod 0711 "$dir" || return 1
    # Four ports per node, all free now: MySQL, group communication, IST, SST.
    : >"$dir/ports"
    for n in 1 2 3; do
        ports=()
        for p in 1 2 3 4; do
            ports+=("$(_mariadb_free_port)") || return 1
        done
        echo "$n ${ports[*]}" >>"$dir/ports"
    done

    _galera_launch_node "$dir" 1 1 || return 1
    _galera_wait_node "$dir" 1 1 30 || return 1
    _mariadb_create_test_user galera_start_cluster "$dir/n1/mysqld.sock" "$dir/setup.log" || return 1
    # Joiners one at a time: a donor serves one state transfer at once.
    for n in 2 3; do
        _galera_launch_node "$dir" "$n" || return 1
        _galera_wait_node "$dir" "$n" "$n" 60 || return 1
    done
    galera_wait_synced "$dir" 30
}

galera_start_cluster_background() {
    local dir
    dir=$(_mariadb_dir galera_start_cluster_background "${1:?usage: galera_start_cluster_background DIR}") || return 1
    rm -f "$dir/ready" "$dir/failed"
    (
        _mariadb_close_fds
        if galera_start_cluster "$dir"; then
            : >"$dir/ready"
        else
            : >"$dir/failed"
        fi
    ) </dev/null >"$dir/start.log" 2>&1 &
    echo "$!" >"$dir/starter.pid"
}

galera_wait_ready() {
    local dir=${1:?usage: galera_wait_ready DIR [SECONDS]} seconds=${2:-300} i
    for ((i = 0; i < seconds * 10; i++)); do
        [[ -e "$dir/ready" ]] && return 0
        if [[ -e "$dir/failed" ]]; then
            echo "galera: the cluster in $dir did not start:" >&2
            tail -n 40 "$dir/start.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "galera: the cluster in $dir is not up after $seconds s" >&2
    return 1
}

# True when node N's server process is alive (paused or not).
_galera_running() {
    mariadb_pid "$1/n$2" >/dev/null 2>&1
}

galera_start_node() {
    local dir=$1 n=$2
    _galera_running "$dir" "$n" && return 0
    _galera_launch_node "$dir" "$n" || return 1
}

galera_stop_node() { mariadb_stop "$1/n$2"; }

galera_kill_node() {
    local pid
    pid=$(mariadb_pid "$1/n$2") || return 1
    kill -KILL "$pid" || return 1
    while _mariadb_alive "$pid"; do sleep 0.05; done
    rm -f "$1/n$2/server.pid" "$1/n$2/mysqld.pid"
}

galera_pause_node() { mariadb_pause "$1/n$2"; }
galera_resume_node() { mariadb_resume "$1/n$2"; }

galera_isolate_node() {
    _galera_root "$1" "$2" "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'"
}

galera_rejoin_node() {
    _galera_root "$1" "$2" "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'"
}

galera_wait_synced() {
    local dir=$1 seconds=${2:-60} n running=() i ok state
    for n in 1 2 3; do
        _galera_running "$dir" "$n" && running+=("$n")
    done
    for ((i = 0; i < seconds * 5; i++)); do
        ok=1
        for n in "${running[@]}"; do
            state=$(galera_state "$dir" "$n")
            [[ "$state" == "Synced Primary ${#running[@]}" ]] || { ok=0; break; }
        done
        ((ok)) && return 0
        sleep 0.2
    done
    echo "galera_wait_synced: not every running node (${running[*]}) is Synced after $seconds s:" >&2
    for n in "${running[@]}"; do
        echo "  node $n: $(galera_state "$dir" "$n")" >&2
    done
    return 1
}

galera_restore() {
    local dir=$1 n
    for n in 1 2 3; do
        if _galera_running "$dir" "$n"; then
            mariadb_resume "$dir/n$n" 2>/dev/null || true
        fi
    done
    for n in 1 2 3; do
        if _galera_running "$dir" "$n"; then
            galera_rejoin_node "$dir" "$n" >/dev/null 2>&1 || true
        fi
    done
    for n in 1 2 3; do
        if ! _galera_running "$dir" "$n"; then
            galera_start_node "$dir" "$n" || return 1
        fi
    done
    galera_wait_synced "$dir" 90
}

galera_stop_cluster() {
    local dir=${1:-} n pid
    [[ -n "$dir" && -d "$dir" ]] || return 0
    if [[ -s "$dir/starter.pid" ]]; then
        pid=$(<"$dir/starter.pid")
        [[ "$pid" =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null || true
    fi
    # The last nodes first is not needed: each leaves the cluster cleanly.
    for n in 3 2 1; do
        mariadb_stop "$dir/n$n"
    done
    return 0
}

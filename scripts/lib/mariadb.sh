# shellcheck shell=bash
# Throwaway MariaDB for tests, run as an ordinary process (never the system
# service). Source this file, then:
#
#   dir=$(mktemp -d /tmp/ocspdb.XXXXXX)
#   mariadb_start "$dir"     # exports OCSP_TEST_MARIADB_* (see below)
#   ...
#   mariadb_stop "$dir"      # idempotent, never fails
#
# mariadb_start DIR [SERVER_OPTION...]
#   Installs a data directory in DIR/data unless one is there (so a stopped
#   DIR can be started again with its data), starts mariadbd on DIR/mysqld.sock
#   and 127.0.0.1, and creates the test database and user (idempotent). The
#   SERVER_OPTIONs go to mariadbd after ours, e.g. the binary log a primary of
#   mariadb_start_replica needs:
#     mariadb_start "$dir" --server-id=1 --log-bin=binlog --binlog-format=ROW
#   (do not override --datadir, --socket or --port: the functions rely on them).
#   DIR is made mode 0711, so that other local users (the service user the
#   tests run the responder as) can reach the socket (mode 0777) by its path;
#   DIR/data stays 0700. The TCP port is kept in DIR/port: a second start of
#   the same DIR listens on the same port again.
#
# mariadb_start_replica PRIMARY_DIR REPLICA_DIR [DELAY]
#   Starts a second mariadbd in REPLICA_DIR (server-id 2, read_only) that
#   replicates from the server running in PRIMARY_DIR (started with
#   --log-bin, a server-id other than 2) over TCP on 127.0.0.1, with GTID
#   (MASTER_USE_GTID=slave_pos) and MASTER_DELAY=DELAY seconds (default 0).
#   A fresh replica replicates the primary's binary log from its very start,
#   so it holds the primary's test database and users (SELECT works there as
#   the test user; writes do not: read_only); it first catches up with no
#   delay, then applies the delay, and returns once Slave_IO_Running and
#   Slave_SQL_Running are both Yes. Creates the replication user
#   ocsp_repl@127.0.0.1 on the primary (not binary-logged). Stop the replica
#   with mariadb_stop REPLICA_DIR, before the primary.
#
# mariadb_stop DIR
#   Stops the server of DIR (a primary or a replica); idempotent, never fails.
#   A paused server (mariadb_pause) is resumed first, so that it can shut down.
#
# mariadb_pid DIR
#   Prints the pid of the server running in DIR: DIR/mysqld.pid (the server's
#   own), else DIR/server.pid (the one mariadb_start launched); fails when no
#   server of DIR is alive.
#
# mariadb_pause DIR
#   SIGSTOPs the server of DIR and returns once it is stopped: a hung host.
#   Its sockets stay open and the kernel still accepts TCP connections, but
#   nothing answers (a client waits for its connect or read timeout).
#
# mariadb_resume DIR
#   SIGCONTs the server of DIR (paused or not); it answers again, and so do
#   the connections that waited on it.
#
# Exported by mariadb_start:
#   OCSP_TEST_MARIADB_SOCKET    absolute path of the unix socket
#   OCSP_TEST_MARIADB_HOST      127.0.0.1
#   OCSP_TEST_MARIADB_PORT      a TCP port that was free when we started
#   OCSP_TEST_MARIADB_USER      ocsp
#   OCSP_TEST_MARIADB_PASSWORD  ocsp-test-pw
#   OCSP_TEST_MARIADB_DB        ocsp_test
#   OCSP_TEST_MARIADB_DIR       DIR
#
# Exported by mariadb_start_replica (user, password and database are the
# primary's, replicated):
#   OCSP_TEST_MARIADB_REPLICA_SOCKET  absolute path of the replica's socket
#   OCSP_TEST_MARIADB_REPLICA_PORT    the replica's TCP port on 127.0.0.1
#   OCSP_TEST_MARIADB_REPLICA_DELAY   DELAY, in seconds
#   OCSP_TEST_MARIADB_REPLICA_DIR     REPLICA_DIR
#
# The functions do not rely on the caller's set -e: every step checks itself
# and the functions return non-zero, with a message on stderr, rather than exit.

# mariadbd lives in /usr/sbin, which an ordinary user's PATH may lack.
_mariadb_find_server() {
    local p
    for p in "$(command -v mariadbd 2>/dev/null || true)" /usr/sbin/mariadbd /usr/libexec/mariadbd; do
        if [[ -n "$p" && -x "$p" ]]; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    echo "mariadb.sh: mariadbd not found (install mariadb-server)" >&2
    return 1
}

# Print a TCP port on 127.0.0.1 that is free right now. The kernel picks it
# (bind to port 0); without python3, probe random ports in a high range.
_mariadb_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' && return 0
    fi
    local i p
    for ((i = 0; i < 100; i++)); do
        p=$((20000 + RANDOM % 30000))
        # A refused connection means nobody listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    echo "mariadb.sh: no free TCP port found" >&2
    return 1
}

# True while PID exists and is not a zombie (a zombie answers kill -0 until
# its parent reaps it, and the parent may well be the caller's shell).
_mariadb_alive() {
    local pid=$1 state
    [[ -r "/proc/$pid/stat" ]] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z ]]
}

# Print DIR as an absolute path, or fail if it is not a directory.
_mariadb_dir() {
    local dir
    dir=$(cd "$2" 2>/dev/null && pwd) || {
        echo "$1: $2 is not a directory" >&2
        return 1
    }
    printf '%s\n' "$dir"
}

# True when the server of socket SOCK answers root.
_mariadb_ping() {
    mariadb-admin --no-defaults --socket="$1" -uroot ping >/dev/null 2>&1
}

# Run SQL (the rest of the arguments, joined) as root over socket SOCK and
# print the result without column names.
_mariadb_root() {
    local sock=$1
    shift
    mariadb --no-defaults --socket="$sock" -uroot --batch --skip-column-names -e "$*"
}

# Close every file descriptor above 2 in the calling (sub)shell. A server
# started from a process that leaks descriptors into its children (Foundation's
# Process does: the pipes of a test's other, concurrent runs) would otherwise
# hold those pipes open for as long as it runs, and whoever reads them to the
# end would wait for the server to stop.
_mariadb_close_fds() {
    local fd
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        [[ "$fd" =~ ^[0-9]+$ ]] || continue
        ((fd > 2)) || continue
        # The glob's own directory descriptor is gone by now: ignore a failure.
        eval "exec $fd>&-" 2>/dev/null || true
    done
}

# _mariadb_launch CALLER DIR [SERVER_OPTION...]: install DIR/data unless it is
# there, start mariadbd on DIR/mysqld.sock and the port in DIR/port (a new
# free one the first time), and wait until it answers. CALLER names the
# public function in messages. DIR must be absolute.
_mariadb_launch() {
    local caller=$1 dir=$2
    shift 2
    local server port sock attempt waited pid user kept_port=""

    sock="$dir/mysqld.sock"
    # sun_path holds 108 bytes including the terminating NUL.
    if ((${#sock} > 107)); then
        echo "$caller: socket path too long (${#sock} bytes): $sock; use a short DIR, e.g. mktemp -d /tmp/ocspdb.XXXXXX" >&2
        return 1
    fi
    if _mariadb_ping "$sock"; then
        echo "$caller: a server already answers on $sock; mariadb_stop $dir first" >&2
        return 1
    fi
    server=$(_mariadb_find_server) || return 1
    # --user=root as root (mariadbd refuses to run as root otherwise); an
    # ordinary user can only run it as itself. _MARIADB_SERVER_USER (root
    # only) runs the server as another user, who then owns DIR: galera.sh's
    # nodes run as mysql, for the rsync state transfer.
    user=${_MARIADB_SERVER_USER:-$(id -un)} || return 1

    # Other users may pass through DIR to the socket (mariadbd makes it 0777)
    # but not list it; the data directory stays private to the server's user.
    if ! chmod 0711 "$dir"; then
        echo "$caller: cannot chmod 0711 $dir" >&2
        return 1
    fi

    # Skip the install when DIR already holds a data directory, so that the
    # same DIR can be started again after a stop.
    if [[ ! -d "$dir/data/mysql" ]]; then
        # --no-defaults keeps /etc/mysql's settings (system socket, log paths) out.
        if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$dir/install.log" 2>&1; then
            echo "$caller: mariadb-install-db failed; tail of $dir/install.log:" >&2
            tail -n 20 "$dir/install.log" >&2
            return 1
        fi
    fi
    if ! chmod 0700 "$dir/data"; then
        echo "$caller: cannot chmod 0700 $dir/data" >&2
        return 1
    fi
    if [[ "$user" != "$(id -un)" ]] && ! chown -R "$user:" "$dir"; then
        echo "$caller: cannot give $dir to $user" >&2
        return 1
    fi

    if [[ -s "$dir/port" ]]; then
        kept_port=$(<"$dir/port")
        if [[ ! "$kept_port" =~ ^[0-9]+$ ]]; then
            echo "$caller: $dir/port does not hold a port number" >&2
            return 1
        fi
    fi

    # A port picked as free can be taken before mariadbd binds it: if the
    # server then fails on "address in use", try again with another port (or,
    # for a port kept from an earlier start, the same one a little later).
    for attempt in 1 2 3; do
        if [[ -n "$kept_port" ]]; then
            port=$kept_port
        else
            port=$(_mariadb_free_port) || return 1
        fi
        rm -f "$dir/mysqld.pid"
        : >"$dir/mysqld.err"
        [[ "$user" != "$(id -un)" ]] && chown "$user:" "$dir/mysqld.err"
        # The character set flags are what Debian's 50-server.cnf sets (which
        # --no-defaults skips); compiled-in defaults would be latin1.
        # stdin/stdout/stderr redirected, and every other descriptor closed: a
        # server left holding the caller's pipes would keep e.g.
        # `scripts/test.sh | tee` from ever finishing. The subshell execs the
        # server, so $! is the server's pid.
        (
            _mariadb_close_fds
            exec "$server" --no-defaults --datadir="$dir/data" --socket="$sock" \
                --port="$port" --bind-address=127.0.0.1 --user="$user" \
                --pid-file="$dir/mysqld.pid" --log-error="$dir/mysqld.err" \
                --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
                "$@"
        ) </dev/null >"$dir/mysqld.out" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/server.pid"

        # Poll for readiness, up to ~30 s; give up early if the server died.
        for ((waited = 0; waited < 300; waited++)); do
            _mariadb_ping "$sock" && break
            _mariadb_alive "$pid" || break
            sleep 0.1
        done
        if _mariadb_ping "$sock"; then
            echo "$port" >"$dir/port"
            return 0
        fi
        if ! _mariadb_alive "$pid" && ((attempt < 3)) &&
            grep -qiE 'address already in use|another server running on port' "$dir/mysqld.err"; then
            wait "$pid" 2>/dev/null || true
            [[ -n "$kept_port" ]] && sleep 1
            continue
        fi
        break
    done
    if [[ -n "$kept_port" ]] && grep -qiE 'address already in use|another server running on port' "$dir/mysqld.err"; then
        echo "$caller: port $kept_port (kept in $dir/port from an earlier start) is in use by another process" >&2
    fi
    echo "$caller: mariadbd did not become ready; tail of $dir/mysqld.err:" >&2
    tail -n 30 "$dir/mysqld.err" >&2
    mariadb_stop "$dir"
    return 1
}

# _mariadb_create_test_user CALLER SOCK LOG: the test database and user on the
# server of socket SOCK (idempotent); the client's output goes to LOG.
_mariadb_create_test_user() {
    # Both host names: a TCP client from 127.0.0.1 matches 'ocsp'@'127.0.0.1'
    # (or 'localhost' after reverse resolution), a socket client 'localhost'.
    if ! mariadb --no-defaults --socket="$2" -uroot >"$3" 2>&1 <<'SQL'; then
CREATE DATABASE IF NOT EXISTS ocsp_test;
CREATE USER IF NOT EXISTS 'ocsp'@'localhost' IDENTIFIED BY 'ocsp-test-pw';
CREATE USER IF NOT EXISTS 'ocsp'@'127.0.0.1' IDENTIFIED BY 'ocsp-test-pw';
GRANT ALL PRIVILEGES ON ocsp_test.* TO 'ocsp'@'localhost';
GRANT ALL PRIVILEGES ON ocsp_test.* TO 'ocsp'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
        echo "$1: creating the test database and user failed:" >&2
        cat "$3" >&2
        return 1
    fi
}

mariadb_start() {
    local dir sock port
    dir=$(_mariadb_dir mariadb_start "${1:?usage: mariadb_start DIR [SERVER_OPTION...]}") || return 1
    shift
    sock="$dir/mysqld.sock"
    _mariadb_launch mariadb_start "$dir" "$@" || return 1

    if ! _mariadb_create_test_user mariadb_start "$sock" "$dir/setup.log"; then
        mariadb_stop "$dir"
        return 1
    fi

    port=$(<"$dir/port") || return 1
    export OCSP_TEST_MARIADB_SOCKET="$sock"
    export OCSP_TEST_MARIADB_HOST=127.0.0.1
    export OCSP_TEST_MARIADB_PORT="$port"
    export OCSP_TEST_MARIADB_USER=ocsp
    export OCSP_TEST_MARIADB_PASSWORD=ocsp-test-pw
    export OCSP_TEST_MARIADB_DB=ocsp_test
    export OCSP_TEST_MARIADB_DIR="$dir"
    return 0
}

# Print field NAME of the replica's SHOW SLAVE STATUS (empty if none).
_mariadb_slave_field() {
    # Not _mariadb_root: --skip-column-names drops the names from \G's output too.
    mariadb --no-defaults --socket="$1" -uroot -e 'SHOW SLAVE STATUS\G' 2>/dev/null |
        sed -n "s/^ *$2: //p" | head -n 1
}

# Wait up to ~30 s until the replica on socket SOCK has both threads running.
_mariadb_wait_slave_running() {
    local sock=$1 i io="" sql=""
    for ((i = 0; i < 300; i++)); do
        io=$(_mariadb_slave_field "$sock" Slave_IO_Running)
        sql=$(_mariadb_slave_field "$sock" Slave_SQL_Running)
        [[ "$io" == Yes && "$sql" == Yes ]] && return 0
        # The SQL thread stops on an error; it does not come back by itself.
        [[ "$sql" == No && -n "$(_mariadb_slave_field "$sock" Last_SQL_Error)" ]] && break
        sleep 0.1
    done
    echo "mariadb_start_replica: replication is not running" >&2
    _mariadb_slave_report "$sock"
    return 1
}

# What SHOW SLAVE STATUS says about the threads and their last errors, on stderr.
_mariadb_slave_report() {
    local field
    for field in Slave_IO_Running Slave_SQL_Running Last_IO_Error Last_SQL_Error; do
        echo "  $field: $(_mariadb_slave_field "$1" "$field")" >&2
    done
}

mariadb_start_replica() {
    local usage="usage: mariadb_start_replica PRIMARY_DIR REPLICA_DIR [DELAY]"
    local primary_dir replica_dir delay=${3:-0} primary_sock sock primary_port
    local log_bin server_id fresh=0 position="" waited reset="" out port
    primary_dir=$(_mariadb_dir mariadb_start_replica "${1:?$usage}") || return 1
    replica_dir=$(_mariadb_dir mariadb_start_replica "${2:?$usage}") || return 1
    if [[ ! "$delay" =~ ^[0-9]+$ ]]; then
        echo "mariadb_start_replica: DELAY must be a whole number of seconds, not '$delay'" >&2
        return 1
    fi
    if [[ "$primary_dir" == "$replica_dir" ]]; then
        echo "mariadb_start_replica: the replica needs a directory of its own, not the primary's $primary_dir" >&2
        return 1
    fi
    primary_sock="$primary_dir/mysqld.sock"
    sock="$replica_dir/mysqld.sock"

    if ! _mariadb_ping "$primary_sock"; then
        echo "mariadb_start_replica: no primary answers on $primary_sock (mariadb_start $primary_dir first)" >&2
        return 1
    fi
    if ! out=$(_mariadb_root "$primary_sock" 'SELECT @@log_bin, @@server_id, @@port' 2>&1); then
        echo "mariadb_start_replica: cannot query the primary: $out" >&2
        return 1
    fi
    read -r log_bin server_id primary_port <<<"$out"
    if [[ "$log_bin" != 1 ]]; then
        echo "mariadb_start_replica: the primary in $primary_dir has no binary log; start it with: mariadb_start $primary_dir --server-id=1 --log-bin=binlog --binlog-format=ROW" >&2
        return 1
    fi
    if [[ "$server_id" == 2 ]]; then
        echo "mariadb_start_replica: the primary has server-id 2, the replica's; start it with --server-id=1" >&2
        return 1
    fi

    # Not binary-logged: the replica has no use for the replication account.
    if ! out=$(_mariadb_root "$primary_sock" "SET SESSION sql_log_bin = 0;
        CREATE USER IF NOT EXISTS 'ocsp_repl'@'127.0.0.1' IDENTIFIED BY 'ocsp-repl-pw';
        GRANT REPLICATION SLAVE ON *.* TO 'ocsp_repl'@'127.0.0.1';" 2>&1); then
        echo "mariadb_start_replica: creating the replication user on the primary failed: $out" >&2
        return 1
    fi

    [[ -d "$replica_dir/data/mysql" ]] || fresh=1
    _mariadb_launch mariadb_start_replica "$replica_dir" --server-id=2 --read-only \
        --relay-log=relay-bin --skip-slave-start || return 1

    # A fresh replica starts from the primary's first event (an empty
    # gtid_slave_pos), so it gets the test database and users too. A replica
    # started again resumes from its own gtid_slave_pos.
    ((fresh)) && reset="SET GLOBAL gtid_slave_pos = '';"
    if ! out=$(_mariadb_root "$sock" "STOP SLAVE; $reset
        CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$primary_port,
            MASTER_USER='ocsp_repl', MASTER_PASSWORD='ocsp-repl-pw',
            MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_DELAY=0;
        START SLAVE;" 2>&1); then
        echo "mariadb_start_replica: setting up replication failed: $out" >&2
        mariadb_stop "$replica_dir"
        return 1
    fi

    # Catch up with no delay, so that what the primary holds now (the users)
    # is on the replica when we return, however long DELAY is.
    position=$(_mariadb_root "$primary_sock" 'SELECT @@gtid_binlog_pos' 2>/dev/null)
    if [[ -n "$position" ]]; then
        waited=$(_mariadb_root "$sock" "SELECT MASTER_GTID_WAIT('$position', 30)" 2>&1)
        if [[ "$waited" != 0 ]]; then
            echo "mariadb_start_replica: the replica did not reach the primary's GTID position $position within 30 s (${waited:-no answer})" >&2
            _mariadb_slave_report "$sock"
            mariadb_stop "$replica_dir"
            return 1
        fi
    fi
    if ((delay > 0)); then
        if ! out=$(_mariadb_root "$sock" "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=$delay; START SLAVE;" 2>&1); then
            echo "mariadb_start_replica: setting MASTER_DELAY=$delay failed: $out" >&2
            mariadb_stop "$replica_dir"
            return 1
        fi
    fi
    if ! _mariadb_wait_slave_running "$sock"; then
        mariadb_stop "$replica_dir"
        return 1
    fi

    port=$(<"$replica_dir/port") || return 1
    export OCSP_TEST_MARIADB_REPLICA_SOCKET="$sock"
    export OCSP_TEST_MARIADB_REPLICA_PORT="$port"
    export OCSP_TEST_MARIADB_REPLICA_DELAY="$delay"
    export OCSP_TEST_MARIADB_REPLICA_DIR="$replica_dir"
    return 0
}

# Print the pid DIR's files name (mysqld.pid, else server.pid), alive or not;
# nothing when neither holds a number.
_mariadb_recorded_pid() {
    local pid=""
    # The pid file disappears on a clean shutdown. Fall back on the pid we
    # launched, in case the server died before writing it.
    if [[ -s "$1/mysqld.pid" ]]; then
        pid=$(<"$1/mysqld.pid")
    elif [[ -s "$1/server.pid" ]]; then
        pid=$(<"$1/server.pid")
    fi
    [[ "$pid" =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
    return 0
}

mariadb_pid() {
    local dir pid
    dir=$(_mariadb_dir mariadb_pid "${1:?usage: mariadb_pid DIR}") || return 1
    pid=$(_mariadb_recorded_pid "$dir")
    if [[ -z "$pid" ]] || ! _mariadb_alive "$pid"; then
        echo "mariadb_pid: no server runs in $dir" >&2
        return 1
    fi
    printf '%s\n' "$pid"
}

mariadb_pause() {
    local pid i state
    pid=$(mariadb_pid "${1:?usage: mariadb_pause DIR}") || return 1
    if ! kill -STOP "$pid"; then
        echo "mariadb_pause: cannot SIGSTOP $pid" >&2
        return 1
    fi
    # The signal is delivered asynchronously: wait (up to ~5 s) for state T.
    for ((i = 0; i < 500; i++)); do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || state=""
        [[ "$state" == T ]] && return 0
        sleep 0.01
    done
    echo "mariadb_pause: $pid did not stop (state ${state:-gone})" >&2
    return 1
}

mariadb_resume() {
    local pid
    pid=$(mariadb_pid "${1:?usage: mariadb_resume DIR}") || return 1
    if ! kill -CONT "$pid"; then
        echo "mariadb_resume: cannot SIGCONT $pid" >&2
        return 1
    fi
}

mariadb_stop() {
    local dir=${1:-}
    local pid="" i
    [[ -n "$dir" && -d "$dir" ]] || return 0

    pid=$(_mariadb_recorded_pid "$dir")
    # A paused server would neither answer the shutdown nor act on TERM.
    if [[ -n "$pid" ]] && _mariadb_alive "$pid"; then
        kill -CONT "$pid" 2>/dev/null || true
    fi

    if [[ -S "$dir/mysqld.sock" ]] && { [[ -z "$pid" ]] || _mariadb_alive "$pid"; }; then
        timeout 20 mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot \
            shutdown >/dev/null 2>&1 || true
    fi

    if [[ -n "$pid" ]]; then
        # Up to ~10 s for the shutdown to finish, then TERM, then KILL.
        for ((i = 0; i < 100; i++)); do
            _mariadb_alive "$pid" || break
            if ((i == 50)); then kill -TERM "$pid" 2>/dev/null || true; fi
            sleep 0.1
        done
        if _mariadb_alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
        fi
        # Reap it if it is our child; harmless ("not a child") otherwise.
        wait "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/server.pid"
    return 0
}

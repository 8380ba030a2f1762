# shellcheck shell=bash
# Throwaway MariaDB for tests, run as an ordinary process (never the system
# service). Source this file, then:
#
#   dir=$(mktemp -d /tmp/ocspdb.XXXXXX)
#   mariadb_start "$dir"     # exports OCSP_TEST_MARIADB_* (see below)
#   ...
#   mariadb_stop "$dir"      # idempotent, never fails
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
# The functions do not rely on the caller's set -e: every step checks itself
# and the functions return non-zero rather than exit.

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

mariadb_start() {
    local dir=${1:?usage: mariadb_start DIR}
    local server port sock attempt waited pid user

    dir=$(cd "$dir" 2>/dev/null && pwd) || {
        echo "mariadb_start: $1 is not a directory" >&2
        return 1
    }
    sock="$dir/mysqld.sock"
    # sun_path holds 108 bytes including the terminating NUL.
    if ((${#sock} > 107)); then
        echo "mariadb_start: socket path too long (${#sock} bytes): $sock; use a short DIR, e.g. mktemp -d /tmp/ocspdb.XXXXXX" >&2
        return 1
    fi
    server=$(_mariadb_find_server) || return 1
    # --user=root as root (mariadbd refuses to run as root otherwise); an
    # ordinary user can only run it as itself.
    user=$(id -un) || return 1

    # Skip the install when DIR already holds a data directory, so that the
    # same DIR can be started again after a stop.
    if [[ ! -d "$dir/data/mysql" ]]; then
        # --no-defaults keeps /etc/mysql's settings (system socket, log paths) out.
        if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$dir/install.log" 2>&1; then
            echo "mariadb_start: mariadb-install-db failed; tail of $dir/install.log:" >&2
            tail -n 20 "$dir/install.log" >&2
            return 1
        fi
    fi

    # A port picked as free can be taken before mariadbd binds it: if the
    # server then fails on "address in use", try again with another port.
    for attempt in 1 2 3; do
        port=$(_mariadb_free_port) || return 1
        rm -f "$dir/mysqld.pid"
        : >"$dir/mysqld.err"
        # The character set flags are what Debian's 50-server.cnf sets (which
        # --no-defaults skips); compiled-in defaults would be latin1.
        # stdin/stdout/stderr redirected: a server left holding the caller's
        # pipes would keep e.g. `scripts/test.sh | tee` from ever finishing.
        "$server" --no-defaults --datadir="$dir/data" --socket="$sock" \
            --port="$port" --bind-address=127.0.0.1 --user="$user" \
            --pid-file="$dir/mysqld.pid" --log-error="$dir/mysqld.err" \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
            </dev/null >"$dir/mysqld.out" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/server.pid"

        # Poll for readiness, up to ~30 s; give up early if the server died.
        for ((waited = 0; waited < 300; waited++)); do
            if mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; then
                break
            fi
            _mariadb_alive "$pid" || break
            sleep 0.1
        done
        if mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; then
            break
        fi
        if ! _mariadb_alive "$pid" && ((attempt < 3)) &&
            grep -qiE 'address already in use|another server running on port' "$dir/mysqld.err"; then
            wait "$pid" 2>/dev/null || true
            continue
        fi
        echo "mariadb_start: mariadbd did not become ready; tail of $dir/mysqld.err:" >&2
        tail -n 30 "$dir/mysqld.err" >&2
        mariadb_stop "$dir"
        return 1
    done

    # Both host names: a TCP client from 127.0.0.1 matches 'ocsp'@'127.0.0.1'
    # (or 'localhost' after reverse resolution), a socket client 'localhost'.
    if ! mariadb --no-defaults --socket="$sock" -uroot >"$dir/setup.log" 2>&1 <<'SQL'; then
CREATE DATABASE IF NOT EXISTS ocsp_test;
CREATE USER IF NOT EXISTS 'ocsp'@'localhost' IDENTIFIED BY 'ocsp-test-pw';
CREATE USER IF NOT EXISTS 'ocsp'@'127.0.0.1' IDENTIFIED BY 'ocsp-test-pw';
GRANT ALL PRIVILEGES ON ocsp_test.* TO 'ocsp'@'localhost';
GRANT ALL PRIVILEGES ON ocsp_test.* TO 'ocsp'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
        echo "mariadb_start: creating the test database and user failed:" >&2
        cat "$dir/setup.log" >&2
        mariadb_stop "$dir"
        return 1
    fi

    export OCSP_TEST_MARIADB_SOCKET="$sock"
    export OCSP_TEST_MARIADB_HOST=127.0.0.1
    export OCSP_TEST_MARIADB_PORT="$port"
    export OCSP_TEST_MARIADB_USER=ocsp
    export OCSP_TEST_MARIADB_PASSWORD=ocsp-test-pw
    export OCSP_TEST_MARIADB_DB=ocsp_test
    export OCSP_TEST_MARIADB_DIR="$dir"
    return 0
}

mariadb_stop() {
    local dir=${1:-}
    local pid="" i
    [[ -n "$dir" && -d "$dir" ]] || return 0

    # The pid file disappears on a clean shutdown: read it first. Fall back on
    # the pid we launched, in case the server died before writing it.
    if [[ -s "$dir/mysqld.pid" ]]; then
        pid=$(<"$dir/mysqld.pid")
    elif [[ -s "$dir/server.pid" ]]; then
        pid=$(<"$dir/server.pid")
    fi
    [[ "$pid" =~ ^[0-9]+$ ]] || pid=""

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

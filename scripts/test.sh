#!/usr/bin/env bash
# Build and test ocsp-responder: installs missing prerequisites (as root),
# starts a throwaway MariaDB, runs `swift build` and `swift test`.
#
#   scripts/test.sh                  # all tests
#   scripts/test.sh --filter Foo     # extra arguments go to `swift test`
#   scripts/test.sh --sanitizers     # also under AddressSanitizer and ThreadSanitizer
#
# Exports for the tests: OCSP_TEST_MARIADB_* (see scripts/lib/mariadb.sh) for
# the primary and OCSP_TEST_MARIADB_REPLICA_* for its replica (GTID, read_only,
# MASTER_DELAY of OCSP_TEST_REPLICA_DELAY seconds, default 3),
# OCSP_TEST_GALERA_DIR for the Galera cluster (scripts/lib/galera.sh; see OCSP_TEST_GALERA below),
# OCSP_RESPONDER_BIN (the built executable) and OCSP_TEST_PYTHON (a python3
# that can import cryptography's OCSP module, for scripts/peer-verify.py).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

log() { printf 'test.sh: %s\n' "$*" >&2; }

# ---- prerequisites -------------------------------------------------------

# zlib1g-dev: libz.a for the fully static build (scripts/build-static.sh; Connector/C compresses with zlib).
# galera-4 and rsync: the 3-node Galera cluster of the failover tests (rsync is its state transfer).
# mandoc and groff: the man pages' lint and rendering; logrotate and systemd (systemd-analyze): the shipped
# config and units; python3-seccomp: serve under the units' system call filter (SystemdUnitTests).
apt_packages=(libssl-dev libmariadb-dev libsqlite3-dev zlib1g-dev mariadb-server openssl pkg-config sudo galera-4 rsync
    mandoc groff-base logrotate systemd python3-seccomp softhsm2 opensc)

# dpkg -s also succeeds for a removed package whose config files remain, so
# look at the status itself.
deb_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# The Python peers: cryptography (OCSP verification) and prometheus_client (the parser of /metrics).
have_crypto() { "$1" -c 'from cryptography.x509 import ocsp; from prometheus_client.parser import text_string_to_metric_families' >/dev/null 2>&1; }

missing_apt=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${apt_packages[@]}"; do
        deb_installed "$p" || missing_apt+=("$p")
    done
else
    # Not Debian: only check for the commands, and hope for the headers.
    for c in openssl pkg-config mariadb-install-db mariadb-admin; do
        command -v "$c" >/dev/null 2>&1 || missing_apt+=("$c")
    done
fi
missing_python=0
have_crypto python3 || missing_python=1

if ((${#missing_apt[@]} || missing_python)); then
    if ((EUID != 0)); then
        ((${#missing_apt[@]})) && log "missing packages: ${missing_apt[*]} (sudo apt-get install ${missing_apt[*]})"
        ((missing_python)) && log "python3 cannot import cryptography.x509.ocsp and prometheus_client (python3 -m pip install cryptography prometheus_client, or apt-get install python3-cryptography python3-prometheus-client)"
        log "not root: install the above, then run again"
        exit 1
    fi
    apt_updated=0
    apt_install() {
        if ((!apt_updated)); then
            apt-get update -q
            apt_updated=1
        fi
        apt-get install -y -q --no-install-recommends "$@"
    }
    if ((${#missing_apt[@]})); then
        log "installing ${missing_apt[*]}"
        apt_install "${missing_apt[@]}"
    fi
    if ((missing_python)); then
        log "installing Python's cryptography and prometheus_client"
        # pip fails on Debian's own python3 (PEP 668, externally managed);
        # the Debian packages are the fallback there.
        if ! python3 -m pip install -q cryptography prometheus_client || ! have_crypto python3; then
            apt_install python3-cryptography python3-prometheus-client
        fi
    fi
fi

command -v swift >/dev/null 2>&1 || { log "swift is not on PATH"; exit 1; }

# The python3 on PATH may be a pyenv one that the Debian package does not
# serve; then Debian's own interpreter is the one with cryptography.
if have_crypto python3; then
    OCSP_TEST_PYTHON=$(command -v python3)
elif have_crypto /usr/bin/python3; then
    OCSP_TEST_PYTHON=/usr/bin/python3
else
    log "no python3 can import cryptography.x509.ocsp and prometheus_client after installing them"
    exit 1
fi
export OCSP_TEST_PYTHON

# ---- throwaway MariaDB ---------------------------------------------------

# shellcheck source=scripts/lib/mariadb.sh
source scripts/lib/mariadb.sh

# Short directories: the socket paths must stay under 108 bytes.
db_dir=$(mktemp -d /tmp/ocspdb.XXXXXX)
replica_dir=""
galera_dir=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n "$galera_dir" ]]; then
        galera_stop_cluster "$galera_dir"
        rm -rf "$galera_dir"
    fi
    # The replica first: it would otherwise keep reconnecting to a stopped primary.
    if [[ -n "$replica_dir" ]]; then
        mariadb_stop "$replica_dir"
        rm -rf "$replica_dir"
    fi
    mariadb_stop "$db_dir"
    rm -rf "$db_dir"
    [[ -n "${sudoers_drop_in:-}" ]] && rm -f "$sudoers_drop_in"
    [[ -n "${sudo_dir:-}" ]] && rm -rf "$sudo_dir"
    # The accounts go with the last run that uses them: a run still holding the shared lock keeps them.
    local user
    if [[ -n "${accounts_lock:-}" ]] && flock -x 8 && flock -xn 9; then
        if [[ -s "$accounts_created" ]]; then
            while read -r user; do
                [[ "$user" =~ ^ocsp-test-[a-z]+$ ]] || continue
                pkill -KILL -u "$user" 2>/dev/null || true
                userdel "$user" 2>/dev/null || true
                if getent group "$user" >/dev/null; then groupdel "$user" 2>/dev/null || true; fi
            done <"$accounts_created"
        fi
        rm -f "$accounts_created"
    fi
    exit "$rc"
}
trap cleanup EXIT
# Turn signals into an ordinary exit, so that the EXIT trap stops the server.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

replica_delay=${OCSP_TEST_REPLICA_DELAY:-3}
log "starting MariaDB in $db_dir (primary: binary log, GTID)"
# The binary log from the first start, so that a fresh replica replicates everything, users included.
mariadb_start "$db_dir" --server-id=1 --log-bin=binlog --binlog-format=ROW
replica_dir=$(mktemp -d /tmp/ocspdb-r.XXXXXX)
log "starting its replica in $replica_dir (MASTER_DELAY=$replica_delay)"
mariadb_start_replica "$db_dir" "$replica_dir" "$replica_delay"

# The 3-node Galera cluster (scripts/lib/galera.sh) starts in the background while the suite builds;
# GaleraClusterTests waits for it. OCSP_TEST_GALERA=1 always starts it, 0 never; unset, it starts for a
# full run and for a --filter that names Galera.
want_galera=${OCSP_TEST_GALERA:-}
if [[ -z "$want_galera" ]]; then
    want_galera=1
    for arg in "$@"; do
        if [[ "$arg" == --filter || "$arg" == --filter=* ]]; then
            want_galera=0
            [[ "$*" == *Galera* ]] && want_galera=1
        fi
    done
fi
if [[ "$want_galera" == 1 ]]; then
    # shellcheck source=scripts/lib/galera.sh
    source scripts/lib/galera.sh
    galera_dir=$(mktemp -d /tmp/ocspgc.XXXXXX)
    log "starting a 3-node Galera cluster in $galera_dir (in the background)"
    galera_start_cluster_background "$galera_dir"
    export OCSP_TEST_GALERA_DIR=$galera_dir
fi

# ---- build and test ------------------------------------------------------

# No try!, force unwrap or fatalError reachable from a request, the table, a file or the network
# (issue 15): every one left is listed with its reason in scripts/traps-allowed.txt.
scripts/check-traps.sh

swift build
OCSP_RESPONDER_BIN="$(swift build --show-bin-path)/ocsp-responder"
export OCSP_RESPONDER_BIN

# The fully static respond program (scripts/build-static.sh, in .build-static) for StaticBuildTests, with
# OCSP_TEST_STATIC=1 only: a release build of that program alone takes 1-3 minutes on 2 cores from a cold
# .build-static, which CI's 15 minutes do not leave room for; it runs before the tests rather than beside
# them, so it takes no core from tests that time what they run.
test_static=${OCSP_TEST_STATIC:-0}
if [[ "$test_static" == 1 ]]; then
    log "building the fully static ocsp-responder (scripts/build-static.sh --product ocsp-responder)"
    OCSP_TEST_STATIC_BIN=$(bash scripts/build-static.sh --product ocsp-responder | tail -n 1)
    export OCSP_TEST_STATIC_BIN
fi

# ---- accounts: a service user and an untrusted caller, through real sudo ----
#
# The suite tests the privilege boundary as it is deployed: OCSP_TEST_SERVICE_USER owns the key and runs
# `serve`, `respond`, `resign` and `db`; OCSP_TEST_CALLER_USER (the socket app) reaches it only through
# sudo, with the drop-in below naming OCSP_TEST_SUDO_BINARY, a root-owned copy of the build. The service
# user is in the caller's group, so a 0660 request file of the caller's is readable and writable by it.
# Accounts a test run created (listed in $accounts_created) are removed by the last run that ends: every
# run holds a shared lock on $accounts_lock (fd 9) while it runs, and one that gets it exclusively at exit
# is alone. Creating and removing them happen under a second lock (fd 8), so that a run starting while
# another removes them waits, then creates them afresh. Accounts that were there before any run stay.
service_user=ocsp-test-svc
caller_user=ocsp-test-caller
sudo_dir="" sudoers_drop_in=""
accounts_lock="" accounts_created=/run/lock/ocsp-responder-test-accounts.created
if ((EUID == 0)); then
    # A session started by sudo passes its SUDO_* on; the suite's own processes must not inherit them.
    unset SUDO_UID SUDO_GID SUDO_USER SUDO_COMMAND
    mkdir -p /run/lock
    accounts_lock=/run/lock/ocsp-responder-test-accounts.lock
    exec 8>"$accounts_lock.create" 9>"$accounts_lock"
    flock -x 8
    if ! id -u "$caller_user" >/dev/null 2>&1; then
        useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$caller_user"
        echo "$caller_user" >>"$accounts_created"
    fi
    if ! id -u "$service_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$service_user"
        echo "$service_user" >>"$accounts_created"
    fi
    id -nG "$service_user" | tr ' ' '\n' | grep -qx "$caller_user" || usermod -a -G "$caller_user" "$service_user"
    flock -s 9
    flock -u 8
    sudo_dir=$(mktemp -d /tmp/ocsp-sudo.XXXXXX)
    chmod 0755 "$sudo_dir"
    install -m 0755 -o root -g root "$OCSP_RESPONDER_BIN" "$sudo_dir/ocsp-responder"
    # The other commands' program, which ocsp-responder runs from its own directory.
    install -m 0755 -o root -g root "$(dirname "$OCSP_RESPONDER_BIN")/ocsp-responder-commands" "$sudo_dir/ocsp-responder-commands"
    sudoers_drop_in=/etc/sudoers.d/ocsp-responder-test-$$
    # Any arguments: the tests try what a caller could pass, and the binary must hold on its own.
    # (scripts/setup.sh installs a narrower rule; SetupScriptTests checks that one.)
    printf '%s ALL=(%s) NOPASSWD: %s\n' "$caller_user" "$service_user" "$sudo_dir/ocsp-responder" >"$sudo_dir/sudoers"
    visudo -cqf "$sudo_dir/sudoers"
    install -m 0440 -o root -g root "$sudo_dir/sudoers" "$sudoers_drop_in"
    export OCSP_TEST_SERVICE_USER=$service_user OCSP_TEST_CALLER_USER=$caller_user
    export OCSP_TEST_SUDO_BINARY=$sudo_dir/ocsp-responder
    log "accounts: service $service_user, caller $caller_user (sudo drop-in $sudoers_drop_in)"
else
    log "not root: the privilege-boundary tests need root to create their accounts and will fail"
fi

# --sanitizers: the suite again under AddressSanitizer and ThreadSanitizer, each in a build folder of
# its own (.build-asan, .build-tsan) so the ordinary build is not thrown away.
sanitizers=0
args=()
for arg in "$@"; do
    if [[ "$arg" == --sanitizers ]]; then sanitizers=1; else args+=("$arg"); fi
done

status=0
swift test ${args[@]+"${args[@]}"} || status=$?
if ((status == 0 && sanitizers)); then
    for sanitizer in address thread; do
        log "swift test --sanitize=$sanitizer"
        LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0" \
            swift test --scratch-path ".build-${sanitizer:0:1}san" --sanitize="$sanitizer" ${args[@]+"${args[@]}"} || status=$?
    done
fi

# CI (CI=true) also fuzzes each target for 60 s (scripts/fuzz.sh: FuzzRequestParser, FuzzRespond,
# FuzzHTTPServer); OCSP_TEST_FUZZ_SECONDS overrides, 0 skips. A finding fails the run.
fuzz_seconds=${OCSP_TEST_FUZZ_SECONDS:-$([[ "${CI:-}" == true ]] && echo 60 || echo 0)}
if ((status == 0 && fuzz_seconds > 0)); then
    bash scripts/fuzz.sh --seconds "$fuzz_seconds" || status=$?
fi
exit "$status"

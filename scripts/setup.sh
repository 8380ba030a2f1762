#!/usr/bin/env bash
# Install ocsp-responder as a service the way OCSP_MySql's creation.sh meant to, as root:
# the binary, a service user, the config and the CA key (root-owned, group the service user, mode 0640:
# the service reads them and cannot change them; the config is never overwritten), the SQLite store,
# the cache directory and the log file with the right owners, and the sudoers rule for the calling app.
# Idempotent: a second run changes nothing and says so.
#
#   scripts/setup.sh [options]
#     --user NAME          service user (default pycert)
#     --caller-group GRP   also install a sudoers file letting %GRP run `respond FILE` as NAME
#     --sudoers-file FILE  where (default /etc/sudoers.d/ocsp-responder)
#     --ca-cert FILE       the CA certificate (PEM) to answer for, copied to the config directory
#     --ca-key FILE        its private key, copied with mode 0640 root:NAME's group
#     --binary FILE        install this binary, and ocsp-responder-commands beside it, instead of
#                          building them (CI reuses its build)
#     --prefix DIR         the binaries go to DIR/bin (default /usr/local)
#     --config-dir DIR     default /etc/ocsp-responder
#     --data-dir DIR       the SQLite store (default /var/lib/ocsp-responder)
#     --cache-dir DIR      default /var/cache/ocsp-responder
#     --log-file FILE      default /var/log/ocsp-responder/ocsp-responder.log (a directory of its own, so
#                          that logrotate can create the next file and the unit can keep the rest of /var/log read-only)
#   Running it for years (README, "Operating"):
#     --init MODE          how `resign` runs hourly and `serve` is installed: systemd (the units in
#                          etc/systemd, the resign timer enabled), cron (a line in --cron-file), none;
#                          default auto: systemd when it is PID 1, else cron
#     --systemd-dir DIR    where the units go (default /etc/systemd/system)
#     --cron-file FILE     default /etc/cron.d/ocsp-responder
#     --logrotate-file F   default /etc/logrotate.d/ocsp-responder
#     --man-dir DIR        the man pages from man/ (default PREFIX/share/man/man1)
#     --completion-dir D   bash, zsh and fish completions under D (default PREFIX/share)
#     -h, --help           this text
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

user=pycert caller_group="" ca_cert="" ca_key="" binary="" sudoers=/etc/sudoers.d/ocsp-responder
prefix=/usr/local config_dir=/etc/ocsp-responder data_dir=/var/lib/ocsp-responder
cache_dir=/var/cache/ocsp-responder log_file=/var/log/ocsp-responder/ocsp-responder.log
init=auto systemd_dir=/etc/systemd/system cron_file=/etc/cron.d/ocsp-responder
logrotate_file=/etc/logrotate.d/ocsp-responder man_dir="" completion_dir=""
# The comment block at the top of this file, without its first line.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while (($#)); do
    case "$1" in
        --user) user=${2:?}; shift 2 ;;
        --caller-group) caller_group=${2:?}; shift 2 ;;
        --sudoers-file) sudoers=${2:?}; shift 2 ;;
        --ca-cert) ca_cert=$(realpath "${2:?}"); shift 2 ;;
        --ca-key) ca_key=$(realpath "${2:?}"); shift 2 ;;
        --binary) binary=$(realpath "${2:?}"); shift 2 ;;
        --prefix) prefix=${2:?}; shift 2 ;;
        --config-dir) config_dir=${2:?}; shift 2 ;;
        --data-dir) data_dir=${2:?}; shift 2 ;;
        --cache-dir) cache_dir=${2:?}; shift 2 ;;
        --log-file) log_file=${2:?}; shift 2 ;;
        --init) init=${2:?}; shift 2 ;;
        --systemd-dir) systemd_dir=${2:?}; shift 2 ;;
        --cron-file) cron_file=${2:?}; shift 2 ;;
        --logrotate-file) logrotate_file=${2:?}; shift 2 ;;
        --man-dir) man_dir=${2:?}; shift 2 ;;
        --completion-dir) completion_dir=${2:?}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "setup: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
[[ "$init" =~ ^(auto|systemd|cron|none)$ ]] || { echo "setup: --init is auto, systemd, cron or none, not '$init'" >&2; exit 64; }
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || { echo "setup: '$user' is not a valid user name" >&2; exit 64; }
((EUID == 0)) || { echo "setup: run as root (it creates a user and installs into $prefix)" >&2; exit 77; }
[[ -z "$ca_key" || -n "$ca_cert" ]] || { echo "setup: --ca-key needs --ca-cert" >&2; exit 64; }

changes=0
did() { printf 'setup: %s\n' "$*"; changes=$((changes + 1)); }

# ---- packages ---------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in libssl3 libmariadb3 libsqlite3-0 sudo; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
done
if [[ -z "$binary" ]]; then
    for p in libssl-dev libmariadb-dev libsqlite3-dev pkg-config; do
        [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
    done
fi
if ((${#missing[@]})); then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    did "installed ${missing[*]}"
fi

# ---- the binary ---------------------------------------------------------------
if [[ -z "$binary" ]]; then
    command -v swift >/dev/null || { echo "setup: swift is not on PATH (or pass --binary FILE)" >&2; exit 69; }
    swift build -c release --static-swift-stdlib 2>&1 | tail -n 1 >&2
    binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/ocsp-responder"
fi
installed=$prefix/bin/ocsp-responder
# ocsp-responder answers `respond` itself and runs ocsp-responder-commands, from its own directory, for
# every other command.
for program in ocsp-responder ocsp-responder-commands; do
    source_file="$(dirname "$binary")/$program"
    [[ $program == ocsp-responder ]] && source_file=$binary
    [[ -f "$source_file" ]] || { echo "setup: $source_file is missing (build both programs: swift build)" >&2; exit 66; }
    if ! cmp -s "$source_file" "$prefix/bin/$program"; then
        install -D -m 0755 -o root -g root "$source_file" "$prefix/bin/$program"
        did "installed $prefix/bin/$program"
    fi
done

# ---- the service user -----------------------------------------------------------
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin "$user"
    did "created the system user $user"
fi
group=$(id -gn "$user")

# ensure PATH MODE OWNER:GROUP [dir|file]: create if missing, fix mode and owner if they differ.
ensure() {
    local path=$1 mode=$2 owner=$3 kind=$4
    if [[ ! -e "$path" ]]; then
        if [[ "$kind" == dir ]]; then mkdir -p "$path"; else mkdir -p "$(dirname "$path")"; : >"$path"; fi
        did "created $path"
    fi
    if [[ "$(stat -c '%a %U:%G' "$path")" != "${mode#0} $owner" ]]; then
        chmod "$mode" "$path"
        chown "$owner" "$path"
        did "set $path to $mode $owner"
    fi
}
ensure "$config_dir" 0750 "root:$group" dir
ensure "$data_dir" 0700 "$user:$group" dir
ensure "$cache_dir" 0700 "$user:$group" dir
log_group=adm
getent group adm >/dev/null || log_group=$group
# The log's own directory (the default) is the service's: logrotate creates the next file there, and the
# unit keeps the rest of /var/log read-only. One that already exists (/var/log itself, say) is left alone.
[[ -e "$(dirname "$log_file")" ]] || ensure "$(dirname "$log_file")" 0750 "$user:$log_group" dir
ensure "$log_file" 0640 "$user:$log_group" file

# ---- the CA's certificate and key -------------------------------------------------
install_if_changed() {   # SOURCE DEST MODE OWNER
    if ! cmp -s "$1" "$2"; then
        install -m "$3" -o "${4%%:*}" -g "${4##*:}" "$1" "$2"
        did "installed $2"
    elif [[ "$(stat -c '%a %U:%G' "$2")" != "${3#0} $4" ]]; then
        chmod "$3" "$2"; chown "$4" "$2"
        did "set $2 to $3 $4"
    fi
}
[[ -n "$ca_cert" ]] && install_if_changed "$ca_cert" "$config_dir/ca.pem" 0644 "root:$group"
# Root owns the key and the config, so a compromised service user cannot replace what it signs with.
[[ -n "$ca_key" ]] && install_if_changed "$ca_key" "$config_dir/ca.key" 0640 "root:$group"

# ---- the config -----------------------------------------------------------------
config=$config_dir/config.ini
if [[ ! -e "$config" ]]; then
    umask 077
    cat >"$config" <<INI
# ocsp-responder, installed by scripts/setup.sh. See etc/config.ini in the source for every key.
[db]
backend = sqlite
path = $data_dir/status.db

[ocsp]
cert = $config_dir/ca.pem
pkey = $config_dir/ca.key
producetime = 1d
cache = $cache_dir
timeout = 10
user = $user

[log]
file = $log_file
level = info
INI
    did "wrote $config (an existing one is never overwritten)"
fi
ensure "$config" 0640 "root:$group" file

# ---- the store ------------------------------------------------------------------
# As the service user, so that it owns the SQLite file (and its -wal and -shm files) it reads.
if [[ -e "$config_dir/ca.pem" ]]; then
    if [[ ! -e "$data_dir/status.db" ]] || ! runuser -u "$user" -- "$installed" db list --config "$config" --format csv >/dev/null 2>&1; then
        runuser -u "$user" -- "$installed" db init --config "$config" >/dev/null
        did "created the status table in $data_dir/status.db"
    fi
else
    echo "setup: no CA certificate yet: put it at $config_dir/ca.pem and its key at $config_dir/ca.key" \
        "(or run again with --ca-cert and --ca-key), then: sudo -u $user $installed db init --config $config" >&2
fi

# ---- sudoers ----------------------------------------------------------------------
# The narrowest rule that works: `ocsp-responder FILE` (OCSP_MySql's spelling) or `ocsp-responder respond
# FILE`, FILE one argument that is not an option (or `-` for a pipe). No --config, --out or other
# subcommand gets through sudo; the binary also refuses them under sudo on its own (README, "What a
# caller cannot do"). The regular expression needs sudo 1.9.10 or later (Debian 12 has 1.9.13).
# A config outside the default place is named in the rule, so the caller can give that --config and no other.
config_option=""
if [[ "$config" != /etc/ocsp-responder/config.ini ]]; then
    config_option="(--config $(printf '%s' "$config" | sed 's/[][\.^$*+?(){}|]/\\&/g') )?"
fi
rule="%${caller_group:-www-data} ALL=($user) NOPASSWD: $installed ^(respond )?$config_option(-|[^- ][^ ]*)\$"
if [[ -n "$caller_group" ]]; then
    wanted=$(printf '# The calling app may answer OCSP requests as %s (scripts/setup.sh).\nDefaults!%s env_reset\n%s\n' "$user" "$installed" "$rule")
    if [[ "$(cat "$sudoers" 2>/dev/null)" != "$wanted" ]]; then
        tmp=$(mktemp)
        printf '%s\n' "$wanted" >"$tmp"
        visudo -cqf "$tmp" || { rm -f "$tmp"; echo "setup: visudo refused the sudoers rule" >&2; exit 70; }
        install -m 0440 -o root -g root "$tmp" "$sudoers"
        rm -f "$tmp"
        did "installed $sudoers"
    fi
fi

# ---- running it for years: the units or a cron line, logrotate, man pages, completions ----------------
# They follow the installed config, which may predate this run or name other paths than these options.
ini_get() {   # SECTION KEY: the key's value in the installed config, or nothing
    awk -v section="[$1]" -v key="$2" '
        /^[ \t]*[#;]/ { next }
        /^[ \t]*\[/ { current = $0; gsub(/[ \t]/, "", current); next }
        current == section {
            line = $0; sub(/^[ \t]+/, "", line)
            if (index(line, key) != 1) next
            rest = substr(line, length(key) + 1)
            if (rest !~ /^[ \t]*[=:]/) next
            sub(/^[ \t]*[=:][ \t]*/, "", rest); sub(/[ \t]+$/, "", rest); print rest; exit
        }' "$config"
}
install_text() {   # TEXT DEST MODE: DEST (root's) holds TEXT
    local tmp
    tmp=$(mktemp)
    printf '%s\n' "$1" >"$tmp"
    mkdir -p "$(dirname "$2")"
    install_if_changed "$tmp" "$2" "$3" root:root
    rm -f "$tmp"
}
run_log=$(ini_get log file) run_cache=$(ini_get ocsp cache)
run_backend=$(ini_get db backend) run_store=$(ini_get db path)
# ProtectSystem=strict: what serve and resign write. The store's directory is optional ("-"): SQLite only.
writable=()
[[ -n "$run_cache" ]] && writable+=("$run_cache")
[[ "$run_backend" == sqlite && -n "$run_store" ]] && writable+=("-$(dirname "$run_store")")
[[ -n "$run_log" ]] && writable+=("$(dirname "$run_log")")
render_unit() {
    sed -e "s|/usr/local/bin/ocsp-responder|$installed|g" -e "s|/etc/ocsp-responder/config.ini|$config|g" \
        -e "s|^User=pycert\$|User=$user|" -e "s|^Group=pycert\$|Group=$group|" \
        -e "s|^ReadWritePaths=.*|ReadWritePaths=${writable[*]}|" "$repo/etc/systemd/$1"
}
systemd_running=0
[[ -d /run/systemd/system ]] && command -v systemctl >/dev/null && systemd_running=1
if [[ "$init" == auto ]]; then
    if ((systemd_running)); then init=systemd; else init=cron; fi
fi
units=(ocsp-responder.service ocsp-responder-resign.service ocsp-responder-resign.timer)
case "$init" in
    systemd)
        before=$changes
        for unit in "${units[@]}"; do
            install_text "$(render_unit "$unit")" "$systemd_dir/$unit" 0644
        done
        if ((systemd_running)); then
            ((changes > before)) && systemctl daemon-reload
            if ! systemctl --quiet is-enabled ocsp-responder-resign.timer 2>/dev/null; then
                systemctl --quiet enable --now ocsp-responder-resign.timer
                did "enabled ocsp-responder-resign.timer (resign, hourly)"
            fi
        else
            echo "setup: systemd is not running here; once it is: systemctl daemon-reload && systemctl enable --now ocsp-responder-resign.timer" >&2
        fi
        # A cron line an earlier run installed would re-sign a second time.
        if [[ -f "$cron_file" ]] && grep -q '^# ocsp-responder, installed by scripts/setup.sh' "$cron_file"; then
            rm -f "$cron_file"
            did "removed $cron_file (the timer re-signs now)"
        fi
        ;;
    cron)
        install_text "# ocsp-responder, installed by scripts/setup.sh: re-sign every response ahead of time (README, \"Bulk re-signing\").
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
0 * * * * $user $installed resign --config $config" "$cron_file" 0644
        ;;
esac

if [[ -n "$run_log" ]]; then
    rotation=$(sed -e "s|/var/log/ocsp-responder/ocsp-responder.log|$run_log|" \
        -e "s|su pycert adm|su $user $log_group|" -e "s|create 0640 pycert adm|create 0640 $user $log_group|" \
        "$repo/etc/logrotate.d/ocsp-responder")
    # A log directly in a directory of root's (/var/log) is rotated as root, which alone may rename there.
    if [[ "$(stat -c %U "$(dirname "$run_log")" 2>/dev/null)" == root ]]; then
        rotation=$(printf '%s\n' "$rotation" | sed -e '/^ *su /d' -e '/Rotated as the service user/d')
    fi
    install_text "$rotation" "$logrotate_file" 0644
fi

man_dir=${man_dir:-$prefix/share/man/man1}
for page in "$repo"/man/*.1; do
    mkdir -p "$man_dir"
    install_if_changed "$page" "$man_dir/$(basename "$page")" 0644 root:root
done
completion_dir=${completion_dir:-$prefix/share}
for shell in bash zsh fish; do
    case "$shell" in
        bash) target=$completion_dir/bash-completion/completions/ocsp-responder ;;
        zsh) target=$completion_dir/zsh/site-functions/_ocsp-responder ;;
        fish) target=$completion_dir/fish/vendor_completions.d/ocsp-responder.fish ;;
    esac
    install_text "$("$installed" completion "$shell")" "$target" 0644
done

if ((changes == 0)); then
    echo "setup: nothing to change; everything is in place"
else
    echo "setup: done ($changes changes)"
fi
cat <<EOT
  binary:  $installed
  config:  $config
  store:   $data_dir/status.db      (sudo -u $user ocsp-responder db add CERT.pem)
  cache:   $cache_dir
  log:     $log_file
  sudoers: $rule
  resign:  $(case "$init" in systemd) echo "$systemd_dir/ocsp-responder-resign.timer (hourly)" ;; cron) echo "$cron_file (hourly)" ;; *) echo "not scheduled (--init none)" ;; esac)
  serve:   $([[ "$init" == systemd ]] && echo "$systemd_dir/ocsp-responder.service (systemctl enable --now ocsp-responder)" || echo "no unit (no systemd)")
  logs:    ${run_log:-standard error}$([[ -n "$run_log" ]] && echo " (rotated by $logrotate_file)")
  manual:  $man_dir (man ocsp-responder), completions under $completion_dir
EOT

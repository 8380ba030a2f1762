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
#                          (/var/log/ocsp_py.log with --from)
#
#   The status store (default: SQLite in --data-dir):
#     --backend mariadb    the table in MariaDB; the responder reads with a read-only account, `db`
#                          writes with another one, named in a second, root-only config (admin.ini:
#                          `ocsp-responder db … --config CONFIG_DIR/admin.ini`). The accounts must
#                          exist; as the database's root:
#                            CREATE USER 'ocsp_reader'@'%' IDENTIFIED BY '…';
#                            GRANT SELECT ON ocsp.* TO 'ocsp_reader'@'%';
#                            CREATE USER 'ocsp_admin'@'%' IDENTIFIED BY '…';
#                            GRANT SELECT, INSERT, UPDATE, CREATE ON ocsp.* TO 'ocsp_admin'@'%';
#     --db-host LIST       host[:port], … (default localhost)
#     --db-name NAME       database (default ocsp)
#     --db-table NAME      table (default list_certs); created with the admin account if missing
#     --db-user NAME       the responder's read-only account (default ocsp_reader)
#     --db-password-file F a file whose first line is its password (never on the command line)
#     --admin-user NAME    the account `db` writes with (default ocsp_admin)
#     --admin-password-file F
#     --admin-host LIST    where `db` writes, e.g. the primary (default: --db-host)
#
#   The signer (default: the CA's own key, installed with --ca-key):
#     --delegate           issue a delegated OCSP responder certificate (id-kp-OCSPSigning,
#                          id-pkix-ocsp-nocheck) with --ca-key, read where it is and never copied, to
#                          a key made here: only the delegate's key lives on this host. A later run
#                          issues a new one (and a new key) once a third of its validity is left
#     --delegate-days N    the delegate's validity in days (default 30)
#
#   Taking over OCSP_MySql:
#     --from FILE          its config.ini (/etc/ocsp_py/config.ini): copied as the config, with
#                          [ocsp] user and [log] file added; its certificates, key, ocspresponse,
#                          cache and database stay where they are. Says what it changed.
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
cache_dir=/var/cache/ocsp-responder log_file="" backend=sqlite
db_host=localhost db_name=ocsp db_table=list_certs db_user=ocsp_reader db_password_file=""
admin_user=ocsp_admin admin_password_file="" admin_host="" delegate=0 delegate_days=30 from=""
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
        --backend) backend=${2:?}; shift 2 ;;
        --db-host) db_host=${2:?}; shift 2 ;;
        --db-name) db_name=${2:?}; shift 2 ;;
        --db-table) db_table=${2:?}; shift 2 ;;
        --db-user) db_user=${2:?}; shift 2 ;;
        --db-password-file) db_password_file=$(realpath "${2:?}"); shift 2 ;;
        --admin-user) admin_user=${2:?}; shift 2 ;;
        --admin-password-file) admin_password_file=$(realpath "${2:?}"); shift 2 ;;
        --admin-host) admin_host=${2:?}; shift 2 ;;
        --delegate) delegate=1; shift ;;
        --delegate-days) delegate_days=${2:?}; shift 2 ;;
        --from) from=$(realpath "${2:?}"); shift 2 ;;
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
fail() { echo "setup: $1" >&2; exit "${2:-64}"; }
[[ "$backend" == sqlite || "$backend" == mariadb ]] || fail "--backend is sqlite or mariadb, not '$backend'"
# Names that go into the config and SQL as they are: nothing but what MariaDB and the INI format take plainly.
for name in "$db_name" "$db_table" "$db_user" "$admin_user"; do
    [[ "$name" =~ ^[A-Za-z0-9_]{1,64}$ ]] || fail "'$name' is not a plain MariaDB name (letters, digits, _)"
done
[[ "$db_host" =~ ^[A-Za-z0-9_.:,\ -]+$ ]] || fail "--db-host '$db_host' is not a list of host[:port]"
[[ -z "$admin_host" || "$admin_host" =~ ^[A-Za-z0-9_.:,\ -]+$ ]] || fail "--admin-host '$admin_host' is not a list of host[:port]"
[[ "$delegate_days" =~ ^[1-9][0-9]{0,3}$ ]] || fail "--delegate-days is a number of days (1 to 9999), not '$delegate_days'"
if [[ "$backend" == mariadb ]]; then
    [[ -n "$db_password_file" && -n "$admin_password_file" ]] ||
        fail "--backend mariadb needs --db-password-file and --admin-password-file (the passwords never go on the command line)"
fi
if ((delegate)); then
    [[ -n "$ca_cert" && -n "$ca_key" ]] || fail "--delegate needs --ca-cert and --ca-key (the CA key is read, never installed)"
fi
if [[ -n "$from" ]]; then
    [[ -f "$from" ]] || fail "--from $from: no such file" 66
    ((!delegate)) && [[ "$backend" == sqlite && -z "$ca_cert" ]] ||
        fail "--from takes the store and the signer from OCSP_MySql's config: leave out --backend, --delegate and --ca-cert"
    [[ -n "$log_file" ]] || log_file=/var/log/ocsp_py.log
fi
[[ -n "$log_file" ]] || log_file=/var/log/ocsp-responder/ocsp-responder.log
# The first line of a password file, which must not be readable by others.
read_password() {
    [[ -r "$1" ]] || fail "cannot read $1" 66
    [[ "$(stat -c '%a' "$1")" =~ [0-7][0-7]0$ ]] || fail "$1 can be read by others: chmod o-rwx $1 first" 77
    local line
    IFS= read -r line <"$1" || [[ -n "$line" ]] || fail "$1 is empty" 65
    [[ "$line" != *[$'\n\r#']* && "$line" == "${line#[[:space:]]}" && "$line" == "${line%[[:space:]]}" ]] ||
        fail "$1: a password with '#', or starting or ending with a space, cannot go into an INI value" 65
    # configparser interpolation, which the config keeps (COMPAT.md): a % is written %%.
    printf '%s' "${line//%/%%}"
}

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
if ((!delegate)); then
    [[ -n "$ca_key" ]] && install_if_changed "$ca_key" "$config_dir/ca.key" 0640 "root:$group"
elif [[ -e "$config_dir/ca.key" ]]; then
    echo "setup: warning: $config_dir/ca.key is the CA's key on the online host; with --delegate it is not needed here: remove it (shred -u $config_dir/ca.key)" >&2
fi

# ---- the delegated responder (--delegate) ------------------------------------------
# A key made here, of the CA key's kind, and a certificate for it that the CA key signs once, read from
# where the operator keeps it (an offline medium): the CA key is never copied. Issued again, with a new
# key, once a third of its validity is left or when it is not the CA's.
delegate_cert=$config_dir/responder.pem delegate_key=$config_dir/responder.key
issue_delegate() {
    local tmp kind digest=() subject serial
    tmp=$(mktemp -d)
    # The key's kind and size from the CA certificate, so that no passphrase is asked for this.
    kind=$(openssl x509 -in "$ca_cert" -noout -text | sed -n 's/^ *Public Key Algorithm: //p' | head -n 1)
    case "$kind" in
        rsaEncryption)
            local bits
            bits=$(openssl x509 -in "$ca_cert" -noout -text | sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p' | head -n 1)
            openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${bits:-3072}" -out "$tmp/key.pem" 2>/dev/null
            digest=(-sha256) ;;
        id-ecPublicKey)
            local curve
            curve=$(openssl x509 -in "$ca_cert" -noout -text | sed -n 's/^ *ASN1 OID: //p' | head -n 1)
            openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${curve:-prime256v1}" -out "$tmp/key.pem" 2>/dev/null
            case "$curve" in secp384r1) digest=(-sha384) ;; secp521r1) digest=(-sha512) ;; *) digest=(-sha256) ;; esac ;;
        ED25519) openssl genpkey -algorithm ED25519 -out "$tmp/key.pem" 2>/dev/null ;;
        *) rm -rf "$tmp"; fail "--delegate: the CA's key is $kind, which this script cannot match" 65 ;;
    esac
    subject=$(openssl x509 -in "$ca_cert" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
    serial=$(openssl rand -hex 16)
    cat >"$tmp/ext.cnf" <<EXT
[delegate]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
# id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1): clients do not ask about the responder's own certificate.
1.3.6.1.5.5.7.48.1.5 = ASN1:NULL
EXT
    # The subject names the CA it answers for: "OCSP responder for <CA's CN>".
    local cn
    cn=$(openssl x509 -in "$ca_cert" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p' | head -n 1)
    if ! openssl req -new -key "$tmp/key.pem" -subj "/CN=OCSP responder for ${cn:-$subject}" -out "$tmp/req.pem" 2>"$tmp/err" ||
        ! openssl x509 -req -in "$tmp/req.pem" -CA "$ca_cert" -CAkey "$ca_key" -set_serial "0x${serial#0}" \
            -days "$delegate_days" "${digest[@]}" -extfile "$tmp/ext.cnf" -extensions delegate -out "$tmp/cert.pem" 2>"$tmp/err"; then
        cat "$tmp/err" >&2
        rm -rf "$tmp"
        fail "--delegate: openssl could not issue the delegate's certificate with $ca_key" 70
    fi
    install -m 0640 -o root -g "$group" "$tmp/key.pem" "$delegate_key"
    install -m 0644 -o root -g "$group" "$tmp/cert.pem" "$delegate_cert"
    rm -rf "$tmp"
    did "issued $delegate_cert (delegated OCSP responder, $delegate_days days, serial 0x$serial) with a new key $delegate_key"
}
if ((delegate)); then
    renew_within=$((delegate_days * 86400 / 3))
    if [[ ! -e "$delegate_cert" || ! -e "$delegate_key" ]] ||
        ! openssl x509 -in "$delegate_cert" -noout -checkend "$renew_within" >/dev/null 2>&1 ||
        ! openssl verify -partial_chain -CAfile "$ca_cert" -purpose ocsphelper "$delegate_cert" >/dev/null 2>&1 ||
        [[ "$(openssl x509 -in "$delegate_cert" -noout -pubkey 2>/dev/null)" != "$(openssl pkey -in "$delegate_key" -pubout 2>/dev/null)" ]]; then
        issue_delegate
    fi
fi

# ---- the config -----------------------------------------------------------------
config=$config_dir/config.ini
admin_config=$config_dir/admin.ini
db_section() {   # HOSTS USER PASSWORD_FILE
    printf '[db]\nbackend = mariadb\nhost = %s\ndb = %s\nusername = %s\npassword = %s\ntable = %s\n' \
        "$1" "$db_name" "$2" "$(read_password "$3")" "$db_table"
}
if [[ ! -e "$config" ]]; then
    umask 077
    if [[ -n "$from" ]]; then
        # OCSP_MySql's config as it is (ours reads its keys, configparser's %% included), plus the
        # service user and the log file; the changes are listed at the end.
        from_changes=()
        if grep -qE '^[[:space:]]*user[[:space:]]*[=:]' <(sed -n '/^\[ocsp\]/,/^\[/p' "$from"); then
            sed 's/\r$//' "$from" >"$config"
        else
            sed -e 's/\r$//' -e "/^\[ocsp\][[:space:]]*\$/a user = $user" "$from" >"$config"
            from_changes+=("[ocsp] user = $user added: only $user may answer, as ocsp.py required")
        fi
        if ! grep -q '^\[log\]' "$config"; then
            printf '\n[log]\nfile = %s\nlevel = info\n' "$log_file" >>"$config"
            from_changes+=("[log] file = $log_file added (OCSP_MySql's log file; same line format)")
        fi
        did "wrote $config from $from (an existing one is never overwritten)"
    else
        {
            echo "# ocsp-responder, installed by scripts/setup.sh. See etc/config.ini in the source for every key."
            if [[ "$backend" == mariadb ]]; then
                echo "# The responder's read-only account; db commands use $admin_config."
                db_section "$db_host" "$db_user" "$db_password_file"
            else
                printf '[db]\nbackend = sqlite\npath = %s\n' "$data_dir/status.db"
            fi
            echo
            echo "[ocsp]"
            if ((delegate)); then
                printf 'cert = %s\npkey = %s\nissuer = %s\n' "$delegate_cert" "$delegate_key" "$config_dir/ca.pem"
            else
                printf 'cert = %s\npkey = %s\n' "$config_dir/ca.pem" "$config_dir/ca.key"
            fi
            printf 'producetime = 1d\ncache = %s\ntimeout = 10\nuser = %s\n\n[log]\nfile = %s\nlevel = info\n' "$cache_dir" "$user" "$log_file"
        } >"$config"
        did "wrote $config (an existing one is never overwritten)"
    fi
fi
ensure "$config" 0640 "root:$group" file
if ((delegate)) && ! grep -q "^cert = $delegate_cert\$" "$config"; then
    echo "setup: warning: $config does not sign with the delegate: set cert = $delegate_cert, pkey = $delegate_key and issuer = $config_dir/ca.pem in [ocsp]" >&2
fi

# The admin config: the responder's config with a [db_admin] section for the account db writes with,
# readable by root alone, so that the service user (and whoever took it over) cannot write the table.
# Made again from config.ini whenever that changes: edit config.ini, then run setup.sh again.
if [[ "$backend" == mariadb ]]; then
    wanted_admin=$(
        echo "# Made by scripts/setup.sh from $config for db commands (root only): edit that one and run setup.sh again."
        grep -v '^# ocsp-responder, installed by' "$config"
        echo
        db_section "${admin_host:-$db_host}" "$admin_user" "$admin_password_file" | sed -e 's/^\[db\]$/[db_admin]/' -e '/^backend = /d' -e '/^db = /d' -e '/^table = /d'
    )
    if [[ "$(cat "$admin_config" 2>/dev/null)" != "$wanted_admin" ]]; then
        (umask 077 && printf '%s\n' "$wanted_admin" >"$admin_config")
        did "wrote $admin_config ([db_admin] as $admin_user)"
    fi
    ensure "$admin_config" 0600 "root:root" file
fi

# ---- the store ------------------------------------------------------------------
# As the service user, so that it owns the SQLite file (and its -wal and -shm files) it reads.
if [[ -n "$from" ]]; then
    :   # OCSP_MySql's table, as it is.
elif [[ "$backend" == mariadb ]]; then
    # The table with the admin account when the reader cannot see it yet; then the reader must read it.
    if ! runuser -u "$user" -- "$installed" db list --config "$config" --format csv >/dev/null 2>&1; then
        "$installed" db init --config "$admin_config" >/dev/null || fail "db init with $admin_config failed (is $admin_user allowed CREATE on $db_name?)" 69
        did "created the status table $db_name.$db_table"
        runuser -u "$user" -- "$installed" db list --config "$config" --format csv >/dev/null ||
            fail "$db_user cannot read $db_name.$db_table: GRANT SELECT ON $db_name.* TO '$db_user'@'…'" 69
    fi
elif [[ -e "$config_dir/ca.pem" ]]; then
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

# ---- the config loads --------------------------------------------------------------
# An empty request, answered as the calling app's request would be: 78 and the reason when the config,
# a certificate or the key does not load (a malformedRequest answer otherwise, which is thrown away).
if [[ -n "$from" || -e "$config_dir/ca.pem" ]]; then
    check_status=0
    check_out=$(runuser -u "$user" -- "$installed" respond --config "$config" - </dev/null 2>&1 >/dev/null) || check_status=$?
    ((check_status != 78)) || fail "the installed config does not load: $check_out" 78
fi

if ((changes == 0)); then
    echo "setup: nothing to change; everything is in place"
else
    echo "setup: done ($changes changes)"
fi
if [[ "$backend" == mariadb ]]; then
    store="$db_name.$db_table on $db_host   (ocsp-responder db add CERT.pem --config $admin_config)"
elif [[ -n "$from" ]]; then
    store="OCSP_MySql's table, as its [db] says"
else
    store="$data_dir/status.db      (sudo -u $user ocsp-responder db add CERT.pem)"
fi
cat <<EOT
  binary:  $installed
  config:  $config
  store:   $store
  cache:   $cache_dir
  log:     $log_file
  sudoers: $rule
  resign:  $(case "$init" in systemd) echo "$systemd_dir/ocsp-responder-resign.timer (hourly)" ;; cron) echo "$cron_file (hourly)" ;; *) echo "not scheduled (--init none)" ;; esac)
  serve:   $([[ "$init" == systemd ]] && echo "$systemd_dir/ocsp-responder.service (systemctl enable --now ocsp-responder)" || echo "no unit (no systemd)")
  logs:    ${run_log:-standard error}$([[ -n "$run_log" ]] && echo " (rotated by $logrotate_file)")
  manual:  $man_dir (man ocsp-responder), completions under $completion_dir
EOT
((delegate)) && echo "  signer:  $delegate_cert, valid until $(openssl x509 -in "$delegate_cert" -noout -enddate | sed 's/^notAfter=//'); run setup.sh --delegate again before then (a timer or cron: it renews once a third is left)"
if [[ -n "$from" ]]; then
    echo "setup: taken over from OCSP_MySql ($from):"
    for change in "${from_changes[@]+"${from_changes[@]}"}"; do echo "  - $change"; done
    echo "  - the calling app: replace 'sudo -u $user ocsp.py FILE' by 'sudo -u $user $installed FILE' (same file, same answer in place)"
    old_rules=$(grep -l 'ocsp\.py' /etc/sudoers /etc/sudoers.d/* 2>/dev/null || true)
    if [[ -n "$old_rules" ]]; then
        echo "  - OCSP_MySql's sudoers rule (ocsp.py*, which lets any argument through) is still in: $old_rules; remove it once the app calls ocsp-responder${caller_group:+ (ours is in $sudoers)}"
    fi
    echo "  - left as they were: its certificates, key, ocspresponse, cache directory and database"
fi

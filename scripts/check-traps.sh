#!/usr/bin/env bash
# Fails when a Swift file under Sources/ holds a trap that scripts/traps-allowed.txt does not list:
# `try!`, `as!`, a postfix force unwrap `x!`, `fatalError`, `precondition`, `preconditionFailure`,
# `assertionFailure`, `unsafelyUnwrapped`. A trap reachable from a request, the table, a file or the
# network kills `respond` after it read FILE (leaving the request there) or `serve` for every client:
# those become typed errors. The few left are listed, each with the reason it cannot fire.
#
#   scripts/check-traps.sh        # prints each unlisted trap as path:line: code; exit 1 if any
#
# Allow-list lines: `path: TEXT — reason`, where TEXT is a fixed string on the trap's line (blank
# lines and lines starting with # are ignored). An entry that matches no trap fails too, so that the
# list never outlives the code it excuses.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
allowed_file=scripts/traps-allowed.txt

# Comments and the contents of one-line string literals are no code: blank them before matching.
# (`//` counts as a comment only at a line's start or after a space, so a URL in a string stays.)
# shellcheck disable=SC2016 # the single quotes hold an awk program, not shell
hits=$(
    find Sources -name '*.swift' -print0 | sort -z | xargs -0 awk '
        {
            code = $0
            gsub(/"([^"\\]|\\.)*"/, "\"\"", code)
            sub(/^[ \t]*\/\/.*/, "", code)
            sub(/[ \t]\/\/.*/, "", code)
            if (code ~ /try!|as!|[])[:alnum:]_]!([^=]|$)|fatalError\(|preconditionFailure\(|precondition\(|assertionFailure\(|unsafelyUnwrapped/)
                printf "%s:%d:%s\n", FILENAME, FNR, $0
        }'
)

declare -a entry_paths=() entry_texts=() entry_used=()
if [[ -f "$allowed_file" ]]; then
    line_number=0
    while IFS= read -r line || [[ -n "$line" ]]; do
        line_number=$((line_number + 1))
        [[ -z "${line//[[:space:]]/}" || "$line" == \#* ]] && continue
        path=${line%%: *}
        rest=${line#*: }
        text=${rest%% — *}
        reason=${rest#* — }
        if [[ "$path" == "$line" || "$text" == "$rest" || -z "${reason//[[:space:]]/}" ]]; then
            printf 'check-traps: %s:%d: not "path: TEXT — reason": %s\n' "$allowed_file" "$line_number" "$line" >&2
            exit 1
        fi
        entry_paths+=("$path")
        entry_texts+=("$text")
        entry_used+=(0)
    done <"$allowed_file"
fi

failed=0
while IFS= read -r hit; do
    [[ -z "$hit" ]] && continue
    path=${hit%%:*}
    code=${hit#*:*:}
    listed=0
    for index in "${!entry_paths[@]}"; do
        if [[ "${entry_paths[$index]}" == "$path" && "$code" == *"${entry_texts[$index]}"* ]]; then
            listed=1
            entry_used[index]=1
        fi
    done
    if ((!listed)); then
        location=${hit%"$code"}
        printf 'check-traps: %s %s\n' "$location" "${code#"${code%%[![:space:]]*}"}" >&2
        failed=1
    fi
done <<<"$hits"

for index in "${!entry_paths[@]}"; do
    if ((!entry_used[index])); then
        printf 'check-traps: %s lists %s: %s, which matches no trap any more; remove the line\n' \
            "$allowed_file" "${entry_paths[$index]}" "${entry_texts[$index]}" >&2
        failed=1
    fi
done

if ((failed)); then
    printf 'check-traps: replace each trap above by a typed error, or list it in %s with the reason it cannot fire\n' "$allowed_file" >&2
    exit 1
fi
printf 'check-traps: no unlisted traps in Sources/ (%d allowed)\n' "${#entry_paths[@]}"

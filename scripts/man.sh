#!/usr/bin/env bash
# Regenerate man/ (one page per command, section 1) from the ArgumentParser definitions, with
# swift-argument-parser's own GenerateManual plugin, in a debug build (its default is a release build,
# which takes far longer here and makes the same pages).
#
#   scripts/man.sh          # after changing a command's options or help: then commit man/
#
# The pages are committed so that scripts/setup.sh installs them from a checkout or a tarball without
# building the generator (`--binary` installs need no Swift at all). ManualTests fails when a page is
# missing or lacks an option the command has, naming this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
outputs=.build/plugins/GenerateManual/outputs/ocsp-responder-commands
# The date of the last change to the commands, not today's: regenerating unchanged commands changes nothing.
date=$(git log -1 --format=%cs -- Sources/ocsp-responder-commands Sources/OCSPVersion 2>/dev/null || true)
[[ -n "$date" ]] || date=$(date -u +%F)
rm -rf "$outputs"
swift package generate-manual --configuration debug --multi-page --section 1 --date "$date" >&2
[[ -f "$outputs/ocsp-responder.1" ]] || { echo "man.sh: no ocsp-responder.1 in $outputs" >&2; exit 1; }
rm -f man/*.1
cp "$outputs"/*.1 man/
echo "man.sh: $(ls man/*.1 | wc -l) pages in man/ (dated $date)"

#!/bin/sh
# git-description.sh OUTPUT_DIR REPOSITORY: writes OUTPUT_DIR/GitDescription.swift for OCSPVersion with
# `git describe --tags --always --dirty` of REPOSITORY, or nil. Run by Plugins/GitDescription on every build.
#
# It never fails (exit 0 whatever happens): without a .git in REPOSITORY itself (a tarball, or a copy
# inside someone else's repository), without git, or when git refuses (another owner's checkout), the
# description is nil and the version is the plain number. The file is rewritten only when its text
# changes, so a build of an unchanged tree recompiles nothing.
out="$1/GitDescription.swift" repo="$2"
mkdir -p "$1" 2>/dev/null
desc=""
if [ -e "$repo/.git" ] && command -v git >/dev/null 2>&1; then
    # Only the characters a tag or a hash has, so the text is always a valid Swift literal.
    desc=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null | head -n 1 | tr -cd 'A-Za-z0-9._+/-')
fi
if [ -n "$desc" ]; then value="\"$desc\""; else value=nil; fi
text="// Generated at build time by Plugins/GitDescription/git-description.sh; not committed.
let generatedGitDescription: String? = $value"
if [ "$(cat "$out" 2>/dev/null)" != "$text" ]; then
    printf '%s\n' "$text" 2>/dev/null >"$out.tmp" && mv -f "$out.tmp" "$out" 2>/dev/null
fi
exit 0

#!/usr/bin/env bash
# The main job. Installs what is missing, builds the release preset, and
# decodes a sample of lane reads (EPC + TID pairs as a reader reports them)
# with the shipped example issuer table. (The simulated lane end to end, with
# crossings written to SQLite, replaces this once the lane daemon exists.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release garita
garita=build/release/daemon/garita
issuers=config/issuers.example.toml
out=${GARITA_DEMO_OUT:-build/demo}
mkdir -p "$out"
: > "$out/decoded.jsonl"

echo "garita demo: decoding the sample reads in data/samples/reads.csv"
echo "  issuer table: $issuers"
echo
n=0
while IFS=, read -r pc epc tid note; do
  case "$pc" in ''|\#*) continue ;; esac
  args=(decode epc "$epc" --pc "$pc" --issuers "$issuers")
  [ -n "$tid" ] && args+=(--tid "$tid")
  json=$("$garita" "${args[@]}")
  echo "$json" >> "$out/decoded.jsonl"
  n=$((n + 1))
  # One readable line per read; the full JSON is in the output file.
  printf '  %-26s %-46s %s\n' "$epc" \
    "$(sed -E 's/.*"tag_uri":"([^"]*)".*/\1/' <<<"$json")" \
    "$(sed -E 's/.*"document":\{"type":"([^"]*)".*/\1/' <<<"$json")  ($note)"
done < data/samples/reads.csv
echo
echo "decoded $n reads; full JSON, one object per line: $out/decoded.jsonl"
echo "try it yourself:  $garita decode epc 3074257BF7194E4000001A85"
echo "                  $garita decode tid E2801160200074CF085909AD"

#!/usr/bin/env bash
# The main job: a simulated port end to end. Installs what is missing, builds
# the release preset, starts the LLRP reader simulator (4 lanes, a seeded
# pedestrian flow with realistic misses, neighbour-lane bleed, lingerers and
# counter-flow walkers), runs garitad against it with a generated config,
# stops it cleanly, and shows what was stored and where to look.
#   GARITA_DEMO_SECONDS  simulated arrivals (default 40)
#   GARITA_DEMO_OUT      output folder (default build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scripts/build.sh release garita garitad garita-sim
bin=$repo/build/release
seconds=${GARITA_DEMO_SECONDS:-40}
out=${GARITA_DEMO_OUT:-$repo/build/demo}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/crossings.db "$out"/crossings.db-* "$out"/ready "$out"/*.log "$out"/truth.csv

sim_pid=""
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT

echo
echo "garita demo: 4 simulated lanes, ${seconds}s of travellers (seed 2026)"
"$bin/simulators/garita-sim" llrp --lanes 4 --port 0 --ready-file "$out/ready" \
  --seed 2026 --rate 12 --duration "$seconds" --truth "$out/truth.csv" --quiet \
  >"$out/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [ -s "$out/ready" ] && break; sleep 0.1; done
[ -s "$out/ready" ] || { echo "demo: the simulator did not start; see $out/sim.log"; exit 1; }

# One reader per lane, entry and exit antennas, the shipped example issuer table.
{
  echo "issuers_file = \"$repo/config/issuers.example.toml\""
  printf '[site]\nport_code = "SYS"\ntime_zone = "America/Tijuana"\n'
  printf '[database]\npath = "%s"\n' "$out/crossings.db"
  while read -r lane port; do
    printf '[[reader]]\nid = "r%s"\nuri = "llrp://127.0.0.1:%s"\n' "$lane" "$port"
  done < "$out/ready"
  while read -r lane port; do
    printf '[[lane]]\nid = "P%02d"\n' "$lane"
    printf '[[lane.antenna]]\nreader = "r%s"\nantenna = 1\nrole = "entry"\n' "$lane"
    printf '[[lane.antenna]]\nreader = "r%s"\nantenna = 2\nrole = "exit"\n' "$lane"
  done < "$out/ready"
} > "$out/garitad.toml"
"$bin/daemon/garita" config check "$out/garitad.toml" | sed 's/^/  /'

"$bin/daemon/garitad" --config "$out/garitad.toml" >"$out/garitad.log" 2>&1 &
daemon_pid=$!

start=$(date +%s)
while kill -0 "$sim_pid" 2>/dev/null; do
  sleep 5
  committed=$(grep -c 'crossing committed' "$out/garitad.log" || true)
  echo "  $(( $(date +%s) - start ))s: $committed crossings committed"
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo "demo: garitad exited early; last lines of $out/garitad.log:"; tail -20 "$out/garitad.log"; exit 1
  fi
done
sim_pid=""
sleep 3  # the last travellers' sessions close (gap 2 s)
kill -TERM "$daemon_pid"
wait "$daemon_pid" || { echo "demo: garitad did not stop cleanly; see $out/garitad.log"; exit 1; }
daemon_pid=""

stored=$("$bin/daemon/garita" crossings --db "$out/crossings.db" --count)
travellers=$(grep -vc '^#' "$out/truth.csv" || true)
echo
echo "stored $stored crossings in $out/crossings.db"
for lane in P01 P02 P03 P04; do
  printf '  %s: %s\n' "$lane" "$("$bin/daemon/garita" crossings --db "$out/crossings.db" --lane "$lane" --count)"
done
echo "  (the simulator's ground truth lists $((travellers - 1)) passes in $out/truth.csv)"
echo
echo "the first few:"
"$bin/daemon/garita" crossings --db "$out/crossings.db" --limit 5 | sed 's/^/  /'
echo
echo "look further:"
echo "  $bin/daemon/garita crossings --db $out/crossings.db --lane P01 --json"
echo "  sqlite3 $out/crossings.db 'select lane_id, sequence, document, epc_hex from crossings'"
echo "  daemon log: $out/garitad.log   config: $out/garitad.toml"

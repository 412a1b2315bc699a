#!/usr/bin/env bash
# The main job: a simulated port end to end. Installs what is missing, builds
# the release preset, starts the LLRP reader simulator (4 lanes, a seeded
# pedestrian flow with realistic misses, neighbour-lane bleed, lingerers and
# counter-flow walkers) and a fifth lane run by a lane controller
# (garita-lane on a simulated Mercury serial module, forwarding over mutual
# TLS), runs garitad against them with a generated config and a throwaway
# test PKI, asks garitad's API what it stored (as an audited officer), stops
# everything cleanly, and shows what was stored and where to look. Then the
# weekly exchange with the partner agency: exports the week's crossings
# (`garita batch export`), lets the simulated partner (`garita-sim partner`)
# answer with exit records (10 % of travellers unknown to it, 3 records that
# belong to nobody), imports the answer (`garita batch import`) and
# reconciles the counts on the database.
#   GARITA_DEMO_SECONDS  simulated arrivals (default 40)
#   GARITA_DEMO_OUT      output folder (default build/demo)
#   GARITA_DEMO_PRESET   build preset to run (default release; CI uses asan,
#                        the build its tests use, to keep to one build per preset)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
preset=${GARITA_DEMO_PRESET:-release}
scripts/build.sh "$preset" garita garitad garita-sim garita-lane
bin=$repo/build/$preset
seconds=${GARITA_DEMO_SECONDS:-40}
out=${GARITA_DEMO_OUT:-$repo/build/demo}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out"/*.db "$out"/*.db-* "$out"/ready* "$out"/*.log "$out"/truth*.csv "$out"/pki \
  "$out"/*.token "$out"/exchange

sim_pid=""
serial_pid=""
lane_pid=""
daemon_pid=""
cleanup() {
  for pid in "$lane_pid" "$daemon_pid" "$serial_pid" "$sim_pid"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# A free TCP port on loopback at or above $1 (nothing answers a connect).
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# The weekly exchange's period (ISO week, port time) when the run starts.
period_start=$(TZ=America/Tijuana date +%G-W%V)
echo
echo "garita demo: 4 simulated lanes, ${seconds}s of travellers (seed 2026)"
"$bin/simulators/garita-sim" llrp --lanes 4 --port 0 --ready-file "$out/ready" \
  --seed 2026 --rate 12 --duration "$seconds" --truth "$out/truth.csv" --quiet \
  >"$out/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [ -s "$out/ready" ] && break; sleep 0.1; done
[ -s "$out/ready" ] || { echo "demo: the simulator did not start; see $out/sim.log"; exit 1; }

# Lane L1: a lane board. A simulated Mercury module on a pty, garita-lane
# reading it and forwarding to garitad over mutual TLS 1.3 (docs/uplink.md),
# with certificates from a throwaway test PKI (never for a real site).
scripts/test-pki.sh "$out/pki" >/dev/null
uplink_port=$(free_port 18444)
api_port=$(free_port $((uplink_port + 1)))
"$bin/simulators/garita-sim" serial --lanes 1 --link "$out/ttyLANE1" --seed 2027 --rate 12 \
  --duration "$seconds" --truth "$out/truth-serial.csv" --ready-file "$out/ready-serial" --quiet \
  >"$out/sim-serial.log" 2>&1 &
serial_pid=$!
for _ in $(seq 100); do [ -s "$out/ready-serial" ] && break; sleep 0.1; done
[ -s "$out/ready-serial" ] || { echo "demo: the serial simulator did not start; see $out/sim-serial.log"; exit 1; }
cat > "$out/garita-lane.toml" <<EOT
[lane]
id = "L1"
port_code = "SYS"
time_zone = "America/Tijuana"
[[lane.antenna]]
antenna = 1
role = "entry"
[[lane.antenna]]
antenna = 2
role = "exit"
[reader]
uri = "serial://$out/ttyLANE1?region=NA&antennas=1,2"
[pipeline]
issuers_file = "$repo/config/issuers.example.toml"
[uplink]
url = "https://127.0.0.1:$uplink_port"
ca_file = "$out/pki/ca.pem"
cert_file = "$out/pki/L1.pem"
key_file = "$out/pki/L1.key"
[journal]
path = "$out/lane-L1-journal.db"
[light]
kind = "none"
EOT

# One reader per lane, entry and exit antennas, the shipped example issuer
# table; the lane controller's lane; the uplink and API listeners.
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
  printf '[[lane]]\nid = "L1"\ncontroller = true\n'
  printf '[uplink]\naddress = "127.0.0.1"\nport = %s\n' "$uplink_port"
  printf 'cert_file = "%s"\nkey_file = "%s"\nclient_ca_file = "%s"\n' \
    "$out/pki/server.pem" "$out/pki/server.key" "$out/pki/ca.pem"
  printf '[api]\naddress = "127.0.0.1"\nport = %s\n' "$api_port"
  printf 'cert_file = "%s"\nkey_file = "%s"\n' "$out/pki/server.pem" "$out/pki/server.key"
  printf '[security]\nsigning_key = "%s"\nsigning_cert = "%s"\n' \
    "$out/pki/signing.key" "$out/pki/signing.pem"
  # The weekly exchange (docs/batch-format.md): the workstation signs with
  # its key and encrypts to the partner; the partner's answers must be
  # signed under the partner CA. Test PKI only.
  printf '[exchange]\nkey_file = "%s"\ncert_file = "%s"\n' \
    "$out/pki/signing.key" "$out/pki/signing.pem"
  printf 'partner_certificate = "%s"\npartner_ca_file = "%s"\n' \
    "$out/pki/partner.pem" "$out/pki/partner-ca.pem"
} > "$out/garitad.toml"
"$bin/daemon/garita" config check "$out/garitad.toml" | sed 's/^/  /'

# API tokens for an officer and a technician (each shown once; kept in 0600
# files, never on a command line).
(umask 077
 "$bin/daemon/garita" user add demo-officer --role officer --expires-hours 1 \
   --config "$out/garitad.toml" | grep "^gar_" > "$out/officer.token"
 "$bin/daemon/garita" user add demo-technician --role technician --expires-hours 1 \
   --config "$out/garitad.toml" | grep "^gar_" > "$out/technician.token")

"$bin/daemon/garitad" --config "$out/garitad.toml" >"$out/garitad.log" 2>&1 &
daemon_pid=$!
"$bin/firmware/garita-lane" --config "$out/garita-lane.toml" >"$out/garita-lane.log" 2>&1 &
lane_pid=$!

start=$(date +%s)
status_shown=0
while kill -0 "$sim_pid" 2>/dev/null; do
  sleep 5
  committed=$(grep -c 'crossing committed' "$out/garitad.log" || true)
  elapsed=$(( $(date +%s) - start ))
  echo "  ${elapsed}s: $committed crossings committed"
  if [ "$status_shown" = 0 ] && [ "$elapsed" -ge $((seconds / 2)) ]; then
    status_shown=1
    echo "  garitad's API: lanes and readers as the technician sees them (card numbers masked)"
    "$bin/daemon/garita" status --url "https://127.0.0.1:$api_port" --ca "$out/pki/ca.pem" \
      --token-file "$out/technician.token" | sed 's/^/    /'
  fi
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo "demo: garitad exited early; last lines of $out/garitad.log:"; tail -20 "$out/garitad.log"; exit 1
  fi
  if ! kill -0 "$lane_pid" 2>/dev/null; then
    echo "demo: garita-lane exited early; last lines of $out/garita-lane.log:"; tail -20 "$out/garita-lane.log"; exit 1
  fi
done
sim_pid=""
wait "$serial_pid" 2>/dev/null || true
serial_pid=""
sleep 3  # the last travellers' sessions close (gap 2 s)
# The lane controller flushes its pipeline into its journal and sends the rest.
kill -TERM "$lane_pid"
wait "$lane_pid" || { echo "demo: garita-lane did not stop cleanly; see $out/garita-lane.log"; exit 1; }
lane_pid=""

echo
echo "garitad's API: the lane board's crossings as the officer (this search is in the audit log):"
"$bin/daemon/garita" search --url "https://127.0.0.1:$api_port" --ca "$out/pki/ca.pem" \
  --token-file "$out/officer.token" --lane L1 --limit 3 | sed 's/^/  /'
kill -TERM "$daemon_pid"
wait "$daemon_pid" || { echo "demo: garitad did not stop cleanly; see $out/garitad.log"; exit 1; }
daemon_pid=""
period_end=$(TZ=America/Tijuana date +%G-W%V)

stored=$("$bin/daemon/garita" crossings --db "$out/crossings.db" --count)
travellers=$(grep -vc '^#' "$out/truth.csv" || true)
echo
echo "stored $stored crossings in $out/crossings.db"
for lane in P01 P02 P03 P04 L1; do
  printf '  %s: %s\n' "$lane" "$("$bin/daemon/garita" crossings --db "$out/crossings.db" --lane "$lane" --count)"
done
serial_travellers=$(grep -vc '^#' "$out/truth-serial.csv" || true)
echo "  (the simulators' ground truth lists $((travellers - 1)) passes in $out/truth.csv"
echo "   and $((serial_travellers - 1)) on the lane board's lane in $out/truth-serial.csv)"
echo
echo "the first few:"
"$bin/daemon/garita" crossings --db "$out/crossings.db" --limit 5 | sed 's/^/  /'
echo
echo "look further:"
echo "  $bin/daemon/garita crossings --db $out/crossings.db --lane P01 --json"
echo "  sqlite3 $out/crossings.db 'select lane_id, sequence, document, epc_hex from crossings'"
echo "  daemon log: $out/garitad.log   config: $out/garitad.toml"
echo "  lane controller: $out/garita-lane.log   config: $out/garita-lane.toml   journal: $out/lane-L1-journal.db"
echo "  audit log: $bin/daemon/garita audit list --config $out/garitad.toml"
echo "  status page: start garitad again with $out/garitad.toml and open https://127.0.0.1:$api_port/"
echo "    (CA $out/pki/ca.pem; a token: $bin/daemon/garita user token demo-officer --config $out/garitad.toml)"

# The weekly exchange with the partner agency, on the crossings just stored
# (garitad is stopped: the export and import work on the database directly).
# Periods are ISO weeks in the port's time zone: the week the run started in
# and, if the run crossed Monday 00:00 there, the week it ended in.
exchange=$out/exchange
mkdir -p "$exchange"
periods=$period_start
[ "$period_end" != "$period_start" ] && periods="$periods $period_end"
answered=0; extra=0; in_error=0; exports=""
for period in $periods; do
  echo
  echo "weekly exchange with the partner agency (simulated CBP), period $period:"
  "$bin/daemon/garita" batch export --config "$out/garitad.toml" --period "$period" \
    --to "$exchange" > "$out/export-$period.log" \
    || { cat "$out/export-$period.log"; echo "demo: export failed"; exit 1; }
  sed 's/^/  /' "$out/export-$period.log"
  export_file=$(sed -n 's/^wrote \([^ ]*\.p7m\).*/\1/p' "$out/export-$period.log" | head -1)
  [ -n "$export_file" ] || continue  # nothing of that week (said above)
  exports="$exports $export_file"
  "$bin/simulators/garita-sim" partner --in "$export_file" --out "$exchange" \
    --key "$out/pki/partner.key" --cert "$out/pki/partner.pem" --ca "$out/pki/ca.pem" \
    --recipient "$out/pki/signing.pem" --seed 2026 --extra 3 --miss-rate 0.1 \
    > "$out/partner-$period.log" || { echo "demo: the partner simulator failed"; exit 1; }
  sed 's/^/  /' "$out/partner-$period.log"
  return_file=$(sed -n 's/^partner: wrote \([^ ]*\) .*/\1/p' "$out/partner-$period.log")
  answered=$((answered + $(sed -n 's/.* answered=\([0-9]*\) .*/\1/p' "$out/partner-$period.log")))
  extra=$((extra + $(sed -n 's/.* extra=\([0-9]*\)$/\1/p' "$out/partner-$period.log")))
  "$bin/daemon/garita" batch import --config "$out/garitad.toml" "$return_file" \
    > "$out/import-$period.log" || { cat "$out/import-$period.log"; echo "demo: import failed"; exit 1; }
  sed 's/^/  /' "$out/import-$period.log"
  in_error=$((in_error + $(sed -n 's/^ *received in error *\([0-9]*\).*/\1/p' "$out/import-$period.log")))
  # The import asks for the file to be wiped: it holds records received in error.
  rm -f "$return_file"
done
[ -n "$exports" ] || { echo "demo: the export wrote no batch"; exit 1; }

# Reconciliation on the database itself.
entry_records=$(sqlite3 "$out/crossings.db" 'select count(*) from entry_records')
stamped=$(sqlite3 "$out/crossings.db" \
  'select count(*) from crossings where exit_record_at_us is not null')
unexported=$(sqlite3 "$out/crossings.db" \
  "select count(*) from crossings where export_batch_id is null and direction <> 'counter_flow'")
echo
echo "reconciliation:"
echo "  partner answered $answered exported crossings; $entry_records entry records stored," \
  "$stamped crossings carry their exit record's date"
echo "  $in_error of the partner's $extra extra records matched nothing exported:" \
  "received in error, not stored"
echo "  $unexported entry crossings left unexported; the returned files were deleted after" \
  "import, as the import asks"
if [ "$entry_records" != "$answered" ] || [ "$stamped" != "$answered" ] \
  || [ "$in_error" != "$extra" ] || [ "$unexported" != 0 ]; then
  echo "demo: the weekly exchange does not reconcile"; exit 1
fi
echo
echo "look further (weekly exchange):"
echo "  batches: $bin/daemon/garita batch list --config $out/garitad.toml"
echo "  sqlite3 $out/crossings.db 'select source, batch_id, epc_hex, last_name, first_name, exit_port, entry_date, entry_time from entry_records'"
echo "  sqlite3 $out/crossings.db 'select lane_id, sequence, export_batch_id, exit_record_at_us from crossings'"
echo "  export batch(es):$exports"

// garita status page. No framework, no CDN: served by garitad itself.
// The token lives in sessionStorage (this tab only) and goes only in the
// Authorization header; the live feed gets a one-time ticket for its
// WebSocket URL instead (browsers cannot set headers on a WebSocket).
// Everything from the server is put in the page with textContent, never HTML.
"use strict";

const TOKEN_KEY = "garita.token";
const POLL_MS = 5000;
const LIVE_ROWS = 50;
const $ = (id) => document.getElementById(id);

let pollTimer = null;
let liveSocket = null;
let liveRetry = null;

function token() { return sessionStorage.getItem(TOKEN_KEY); }

function showLogin(message) {
  stop();
  $("board").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login-error").textContent = message || "";
}

function stop() {
  if (pollTimer) clearTimeout(pollTimer);
  pollTimer = null;
  if (liveRetry) clearTimeout(liveRetry);
  liveRetry = null;
  if (liveSocket) { liveSocket.onclose = null; liveSocket.close(); }
  liveSocket = null;
}

async function api(path, options = {}) {
  const headers = Object.assign({ "Authorization": "Bearer " + token() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers, cache: "no-store" }));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { status: response.status, body };
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "—" : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function time(iso) { return iso ? iso.replace("T", " ").replace("Z", "") : "—"; }

function offset(us) {
  if (us === null || us === undefined) return "—";
  return (us / 1e6).toFixed(3) + " s";
}

function renderStatus(s) {
  $("port").textContent = s.port_code || "";
  if (s.caller) $("who").textContent = s.caller.user + " (" + s.caller.role + ")";

  const alarms = $("alarms");
  alarms.replaceChildren();
  if (!s.alarms || s.alarms.length === 0) {
    const li = document.createElement("li");
    li.className = "ok";
    li.textContent = "none";
    alarms.appendChild(li);
  } else {
    for (const a of s.alarms) {
      const li = document.createElement("li");
      li.className = "bad";
      li.dataset.code = a.code;
      li.textContent = a.message;
      alarms.appendChild(li);
    }
  }

  const lanes = $("lanes").tBodies[0];
  lanes.replaceChildren();
  for (const l of s.lanes || []) {
    const tr = document.createElement("tr");
    tr.dataset.lane = l.id;
    cell(tr, l.id);
    cell(tr, l.reading ? "reading" : "NOT reading", l.reading ? "ok" : "bad");
    cell(tr, l.crossings_per_minute.toFixed(1), "num");
    cell(tr, l.crossings, "num");
    cell(tr, time(l.last_crossing_utc));
    cell(tr, l.controller ? l.uplink_backlog : "—", "num");
    lanes.appendChild(tr);
  }

  const readers = $("readers").tBodies[0];
  readers.replaceChildren();
  for (const r of s.readers || []) {
    const tr = document.createElement("tr");
    tr.dataset.reader = r.id;
    cell(tr, r.id);
    cell(tr, r.state, r.connected ? "ok" : "bad");
    cell(tr, (r.lanes || []).join(", "));
    cell(tr, r.reads_per_minute.toFixed(0), "num");
    cell(tr, offset(r.clock_offset_us), "num");
    cell(tr, time(r.last_message_utc));
    cell(tr, r.last_error || "");
    readers.appendChild(tr);
  }

  const host = $("host");
  host.replaceChildren();
  const fact = (k, v, cls) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    if (cls) dd.className = cls;
    host.append(dt, dd);
  };
  fact("Clock", s.host_clock_synchronized ? "NTP-synchronised" : "NOT synchronised",
       s.host_clock_synchronized ? "ok" : "bad");
  if (s.disk && s.disk.total_bytes > 0) {
    const used = 1 - s.disk.free_bytes / s.disk.total_bytes;
    fact("Database disk", (used * 100).toFixed(0) + " % used, " +
         (s.disk.free_bytes / 2 ** 30).toFixed(1) + " GiB free", used > 0.9 ? "bad" : "ok");
  }
  if (s.store) {
    fact("Stored since start", String(s.store.committed));
    fact("Store queue", s.store.queue_depth + " / " + s.store.queue_capacity);
  }
  $("updated").textContent = "Updated " + time(s.time_utc) + " UTC";
}

async function poll() {
  pollTimer = null;
  let r;
  try {
    r = await api("/v1/status");
  } catch (e) {
    $("updated").textContent = "garitad does not answer (" + e.message + "); retrying";
    pollTimer = setTimeout(poll, POLL_MS);
    return;
  }
  if (r.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin("The token was refused (expired, revoked or mistyped).");
    return;
  }
  if (r.status === 403) {
    // Officers see crossings, not equipment: keep the live feed only.
    $("updated").textContent = "This role does not see the lane status; live feed only.";
    return;
  }
  if (r.status === 200 && r.body) renderStatus(r.body);
  pollTimer = setTimeout(poll, POLL_MS);
}

function addCrossing(c) {
  const body = $("live").tBodies[0];
  const tr = document.createElement("tr");
  tr.className = "crossing";
  tr.dataset.lane = c.lane_id;
  cell(tr, time(c.first_seen_utc));
  cell(tr, c.lane_id);
  cell(tr, c.sequence, "num");
  cell(tr, c.document);
  cell(tr, c.epc_hex, "epc");
  cell(tr, c.read_count, "num");
  cell(tr, c.direction, c.direction === "counter_flow" ? "warn" : "");
  body.insertBefore(tr, body.firstChild);
  while (body.rows.length > LIVE_ROWS) body.deleteRow(body.rows.length - 1);
}

async function openLive() {
  liveRetry = null;
  let r;
  try {
    r = await api("/v1/live/ticket", { method: "POST" });
  } catch (e) {
    r = { status: 0 };
  }
  if (r.status !== 200 || !r.body || !r.body.ticket) {
    $("live-state").textContent = r.status === 403 ? "(not allowed for this role)"
                                                   : "(unavailable, retrying)";
    if (r.status !== 403 && r.status !== 401) liveRetry = setTimeout(openLive, POLL_MS);
    return;
  }
  const url = "wss://" + location.host + "/v1/live?ticket=" + encodeURIComponent(r.body.ticket);
  const ws = new WebSocket(url);
  liveSocket = ws;
  ws.onopen = () => {
    $("live-state").textContent = r.body.masked ? "(connected; card numbers masked)"
                                                : "(connected)";
  };
  ws.onmessage = (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.type === "crossing" && m.crossing) addCrossing(m.crossing);
  };
  ws.onclose = () => {
    liveSocket = null;
    $("live-state").textContent = "(disconnected, retrying)";
    liveRetry = setTimeout(openLive, POLL_MS);
  };
}

function start() {
  $("login").hidden = true;
  $("board").hidden = false;
  $("logout").hidden = false;
  poll();
  openLive();
}

$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const t = $("token").value.trim();
  $("token").value = "";
  if (!/^gar_[A-Za-z0-9_-]{43}$/.test(t)) {
    $("login-error").textContent = "That is not a garita token (gar_ and 43 characters).";
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, t);
  start();
});

$("logout").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin("");
});

// For the headless test: a token may be handed over in the URL fragment
// (#token=...), which never leaves the browser; it is moved to
// sessionStorage and wiped from the address bar at once.
if (location.hash.startsWith("#token=")) {
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(location.hash.slice(7)));
  history.replaceState(null, "", location.pathname);
}

if (token()) start(); else showLogin("");

// The Banyan web view: reads the view's event stream (/api/events) and
// draws totals, topics, connections, drops and the rate chart. Everything
// from the bus is shown through textContent, never parsed as HTML.
"use strict";

const state = {
  snap: null,            // the last event, merged
  topics: new Map(),     // topic -> {row data, last value}
  rows: new Map(),       // topic -> <tr>
  connRows: new Map(),   // role+remote -> <tr>
  format: "py",
  chosen: null,          // the charted topic
  total: [],             // msg/s per tick, oldest first
  topic: [],             // the chosen topic's
  history: 300,
  sort: { key: "topic", desc: false },
  filter: "",
  publishShown: false,
  loading: false,        // the chart's history is being fetched
  pending: [],           // ticks that arrived meanwhile
};

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function fmtNum(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + " G";
  if (n >= 1e6) return (n / 1e6).toFixed(2) + " M";
  if (n >= 1e4) return (n / 1e3).toFixed(1) + " k";
  return String(Math.round(n * 10) / 10);
}
function fmtBytes(n) {
  const u = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : Math.round(n)) + " " + u[i];
}
function ago(ms) {
  if (!ms) return "–";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 2) return "now";
  if (s < 120) return s + " s ago";
  if (s < 7200) return Math.round(s / 60) + " min ago";
  return new Date(ms).toLocaleTimeString();
}

// ---- the event stream -------------------------------------------------

function connect() {
  const es = new EventSource("/api/events");
  es.addEventListener("full", (e) => { apply(JSON.parse(e.data), true); live(true); });
  es.addEventListener("tick", (e) => { apply(JSON.parse(e.data), false); live(true); });
  es.onerror = () => live(false); // EventSource reconnects by itself
}

function live(up) {
  const s = $("#status");
  s.textContent = up ? "live" : "reconnecting…";
  s.className = "status " + (up ? "live" : "down");
}

function apply(snap, full) {
  const first = state.snap === null;
  state.snap = snap;
  state.history = snap.history || 300;
  if (full) {
    state.topics.clear();
    for (const [, tr] of state.rows) tr.remove();
    state.rows.clear();
  }
  for (const t of snap.topics) {
    const old = state.topics.get(t.topic + (t.other ? "\u0000" : ""));
    const last = t.last || (old && old.last) || null;
    state.topics.set(t.topic + (t.other ? "\u0000" : ""), Object.assign({}, t, { last }));
  }
  if (full) {
    loadHistory();
  } else {
    const t = state.chosen === null ? null : state.topics.get(state.chosen);
    const point = { time: snap.time, total: snap.totals.rate, topic: t ? t.rate : 0 };
    if (state.loading) state.pending.push(point);
    push(state.total, point.total);
    if (state.chosen !== null) push(state.topic, point.topic);
  }
  if (first) setup(snap);
  drawTotals(snap);
  drawTopics();
  if (snap.mode === "backplane") drawConnections(snap.connections || []);
  drawChart();
}

function push(arr, v) {
  arr.push(v);
  while (arr.length > state.history) arr.shift();
}

// fetchHistory returns a ring's points and the time of its last one.
async function fetchHistory(topic) {
  const url = topic === null ? "/api/history" : "/api/history?topic=" + encodeURIComponent(topic);
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) return { rate: [], end: 0 };
  const h = await r.json();
  return { rate: h.rate || [], end: h.end || 0 };
}

// loadHistory fills the chart from the server's rings, then adds the ticks
// that arrived while they were fetched and are newer than the rings.
async function loadHistory() {
  state.loading = true;
  state.pending = [];
  const total = await fetchHistory(null);
  const topic = state.chosen === null ? null : await fetchHistory(chosenName());
  const later = state.pending.filter((p) => p.time > total.end);
  state.total = total.rate.concat(later.map((p) => p.total)).slice(-state.history);
  if (topic) state.topic = topic.rate.concat(later.map((p) => p.topic)).slice(-state.history);
  state.loading = false;
  drawChart();
}

// chosenName is the history name of the charted topic ("" for other).
function chosenName() {
  const t = state.topics.get(state.chosen);
  return t && t.other ? "" : state.chosen;
}

// ---- page set-up ------------------------------------------------------

function setup(snap) {
  const name = snap.name ? snap.name + " — " : "";
  $("#title").textContent = name + "Banyan " + (snap.mode === "backplane" ? "backplane" : "bus");
  document.title = $("#title").textContent;
  $("#mode").textContent = snap.mode === "backplane" ? "backplane view" : "component view";
  for (const s of document.querySelectorAll(".backplane-only")) s.hidden = snap.mode !== "backplane";
  $("#format").addEventListener("change", (e) => { state.format = e.target.value; drawTopics(); });
  $("#filter").addEventListener("input", (e) => { state.filter = e.target.value; drawTopics(); });
  for (const th of document.querySelectorAll("#topics th[data-sort]")) {
    th.addEventListener("click", () => {
      const k = th.dataset.sort;
      state.sort = { key: k, desc: state.sort.key === k ? !state.sort.desc : k !== "topic" };
      drawTopics();
    });
  }
  $("#chart-clear").addEventListener("click", () => choose(null));
  window.addEventListener("resize", drawChart);
  if (snap.publish && !state.publishShown) {
    state.publishShown = true;
    const node = $("#publish-template").content.cloneNode(true);
    $("main").appendChild(node);
    $("#publish-form").addEventListener("submit", publish);
  }
}

// ---- totals -----------------------------------------------------------

function drawTotals(snap) {
  const cards = [
    ["msg/s", fmtNum(snap.totals.rate)],
    ["bytes/s", fmtBytes(snap.totals.byte_rate)],
    ["messages", fmtNum(snap.totals.messages)],
    ["topics", String(snap.totals.topics) + (snap.totals.topics >= snap.max_topics ? "+" : "")],
  ];
  const bp = snap.backplane;
  if (bp) {
    cards.push(["publishers", String(bp.publishers)], ["subscribers", String(bp.subscribers)],
      ["forwarded", fmtNum(bp.forwarded)], ["dropped", fmtNum(bp.dropped), bp.dropped > 0],
      ["bad input", fmtNum(bp.bad_input + bp.refused), bp.bad_input + bp.refused > 0]);
  }
  const box = $("#totals");
  box.replaceChildren(...cards.map(([k, v, bad]) => {
    const c = el("div", "card" + (bad ? " bad" : ""));
    c.dataset.total = k;
    c.append(el("div", "v", v), el("div", "k", k));
    return c;
  }));
}

// ---- topics -----------------------------------------------------------

function sortedTopics() {
  const list = [...state.topics.entries()].filter(([, t]) =>
    !state.filter || t.topic.toLowerCase().includes(state.filter.toLowerCase()));
  const { key, desc } = state.sort;
  list.sort(([, a], [, b]) => {
    if (a.other !== b.other) return a.other ? 1 : -1;
    const x = a[key] || 0, y = b[key] || 0;
    const c = key === "topic" ? String(a.topic).localeCompare(String(b.topic)) : x - y;
    return desc ? -c : c;
  });
  return list;
}

function topicRow(key, t) {
  let tr = state.rows.get(key);
  if (tr) return tr;
  tr = el("tr", t.other ? "other" : "");
  tr.setAttribute(t.other ? "data-other" : "data-topic", t.topic);
  for (const c of ["topic", "count num", "rate num", "brate num", "seen", "payload"]) tr.append(el("td", c));
  tr.addEventListener("click", () => choose(state.chosen === key ? null : key));
  state.rows.set(key, tr);
  return tr;
}

function drawTopics() {
  const tbody = $("#topics tbody");
  const list = sortedTopics();
  $("#no-topics").hidden = state.topics.size > 0;
  for (const th of document.querySelectorAll("#topics th[data-sort]")) th.classList.toggle("sorted", th.dataset.sort === state.sort.key);
  const want = [];
  for (const [key, t] of list) {
    const tr = topicRow(key, t);
    const td = tr.children;
    td[0].textContent = t.other ? "other topics (past the " + state.snap.max_topics + "-topic limit)" : t.topic;
    td[1].textContent = String(t.messages);
    td[2].textContent = fmtNum(t.rate);
    td[3].textContent = fmtBytes(t.byte_rate);
    td[4].textContent = ago(t.last_seen);
    const p = td[5];
    const lv = t.last;
    p.classList.remove("error");
    if (t.other) {
      p.textContent = "";
    } else if (!lv) {
      p.textContent = "";
    } else if (lv.error) {
      p.textContent = lv.error;
      p.classList.add("error");
    } else {
      p.textContent = state.format === "json" ? lv.json : lv.py;
      if (lv.truncated) p.append(el("span", "mark", "(truncated; " + fmtBytes(lv.size) + ")"));
    }
    tr.classList.toggle("chosen", key === state.chosen);
    want.push(tr);
  }
  // Reorder only when the order changed, so a selection is not lost.
  const cur = [...tbody.children];
  if (cur.length !== want.length || cur.some((tr, i) => tr !== want[i])) tbody.replaceChildren(...want);
}

async function choose(key) {
  state.chosen = key;
  $("#chart-clear").hidden = key === null;
  state.topic = [];
  if (key !== null) {
    const h = await fetchHistory(chosenName());
    // Ticks since the fetch went out keep the line's length in step with the total's.
    state.topic = h.rate.slice(-state.history);
  }
  drawTopics();
  drawChart();
}

// ---- connections and drops ---------------------------------------------

function drawConnections(conns) {
  const tbody = $("#connections tbody");
  const seen = new Set();
  const rows = [];
  for (const c of conns) {
    const key = c.role + " " + c.remote;
    seen.add(key);
    let tr = state.connRows.get(key);
    if (!tr) {
      tr = el("tr");
      tr.setAttribute("data-remote", c.remote);
      tr.setAttribute("data-role", c.role);
      for (const cls of ["role", "remote", "type", "zmtp", "since", "messages num", "rate num", "bytes num", "drops num", "queued num", "subs"]) tr.append(el("td", cls));
      state.connRows.set(key, tr);
    }
    const td = tr.children;
    td[0].textContent = c.role;
    td[1].textContent = c.remote;
    td[2].textContent = c.peer_type || "?";
    td[3].textContent = c.zmtp;
    td[4].textContent = new Date(c.since).toLocaleTimeString();
    td[5].textContent = String(c.messages);
    td[6].textContent = fmtNum(c.rate);
    td[7].textContent = fmtBytes(c.bytes);
    const sub = c.role === "subscriber";
    td[8].textContent = sub ? String(c.dropped) : "";
    td[8].classList.toggle("bad", sub && c.dropped > 0);
    td[9].textContent = sub ? c.queued + " (" + fmtBytes(c.queued_bytes) + ")" : "";
    td[10].replaceChildren();
    if (sub) {
      td[10].append(String(c.subscriptions) + " ");
      const shown = (c.prefixes || []).map((p) => (p === "" ? "(everything)" : JSON.stringify(p)));
      const more = c.subscriptions > shown.length ? " …" : "";
      td[10].append(el("span", "prefixes", shown.join(", ") + more));
    }
    rows.push(tr);
  }
  for (const k of [...state.connRows.keys()]) if (!seen.has(k)) state.connRows.delete(k);
  tbody.replaceChildren(...rows);

  const drops = conns.filter((c) => c.role === "subscriber" && c.dropped > 0).sort((a, b) => b.dropped - a.dropped);
  const ul = $("#drops");
  if (!drops.length) {
    ul.replaceChildren(el("li", "hint", "No subscriber has dropped a message."));
    return;
  }
  ul.replaceChildren(...drops.map((c) => {
    const li = el("li");
    li.setAttribute("data-remote", c.remote);
    li.append(el("span", "remote", c.remote + ": "), el("span", "bad", String(c.dropped) + " dropped"),
      " (" + fmtNum(c.drop_rate) + "/s now, " + c.queued + " queued)");
    return li;
  }));
}

// ---- the chart ----------------------------------------------------------

function drawChart() {
  const cv = $("#chart");
  const dpr = window.devicePixelRatio || 1;
  const w = cv.clientWidth, h = cv.clientHeight;
  if (!w || !h) return;
  cv.width = Math.round(w * dpr);
  cv.height = Math.round(h * dpr);
  const g = cv.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const padL = 56, padB = 20, padT = 8, padR = 8;
  const pw = w - padL - padR, ph = h - padT - padB;
  const n = state.history;
  const max = niceMax(Math.max(1, ...state.total, ...state.topic));
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#66708a";
  g.strokeStyle = "#dfe3ea";
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = padT + ph - (ph * i) / 4;
    g.beginPath(); g.moveTo(padL, y); g.lineTo(padL + pw, y); g.stroke();
    g.textAlign = "right"; g.textBaseline = "middle";
    g.fillText(fmtNum((max * i) / 4), padL - 6, y);
  }
  const secs = (n * ((state.snap && state.snap.interval_ms) || 1000)) / 1000;
  g.textAlign = "left"; g.textBaseline = "top";
  g.fillText("-" + Math.round(secs / 60) + " min", padL, padT + ph + 4);
  g.textAlign = "right";
  g.fillText("now", padL + pw, padT + ph + 4);
  const line = (arr, color) => {
    if (!arr.length) return;
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    arr.forEach((v, i) => {
      const x = padL + pw - ((arr.length - 1 - i) * pw) / Math.max(1, n - 1);
      const y = padT + ph - (Math.min(v, max) / max) * ph;
      if (i) g.lineTo(x, y); else g.moveTo(x, y);
    });
    g.stroke();
  };
  line(state.total, "#2a6fdb");
  if (state.chosen !== null) line(state.topic, "#d9822b");
  const lg = $("#chart-legend");
  lg.replaceChildren(el("span", "total", "total msg/s"));
  if (state.chosen !== null) {
    const t = state.topics.get(state.chosen);
    lg.append("  ", el("span", "topic", (t && t.other ? "other topics" : state.chosen) + " msg/s"));
  }
}

function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

// ---- publishing ----------------------------------------------------------

async function publish(e) {
  e.preventDefault();
  const out = $("#publish-result");
  const topic = $("#publish-topic").value;
  const text = $("#publish-payload").value.trim() || "{}";
  try { JSON.parse(text); } catch (err) {
    out.textContent = "not JSON: " + err.message;
    out.className = "err";
    return;
  }
  // The payload's text goes as it is, so key order and large integers
  // reach the server exactly.
  const body = '{"topic":' + JSON.stringify(topic) + ',"payload":' + text + "}";
  try {
    const r = await fetch("/api/publish", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    if (r.ok) {
      out.textContent = "published on " + topic;
      out.className = "ok";
    } else {
      out.textContent = (await r.text()).trim();
      out.className = "err";
    }
  } catch (err) {
    out.textContent = String(err);
    out.className = "err";
  }
}

setInterval(() => { if (state.snap) drawTopics(); }, 5000); // "last seen" ages between ticks
connect();

// riskgate dashboard: polls /api/state (with the operator's token), draws its own charts on canvas, and sends kill-switch
// and limit changes with the token the operator typed (kept in memory only, never stored).
// An ES module: reason names come from the generated contract (web/contract.js).
import { REASON_NAMES } from './contract.js';

const $ = (id) => document.getElementById(id);
const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n ?? ''));
const history = []; // throughput samples
let last = null;
let targetsFor = '';

function text(id, v) {
  const el = $(id);
  const s = fmt(v);
  if (el && el.textContent !== s) el.textContent = s;
}

function el(tag, cls, content) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}

/** A control's value as the API gives it (`old`, `new`, `value` in `unit`) for people: $400,000.00, 1,500 shares, on. */
function valueText(unit, v) {
  const t = String(v ?? '');
  if (!/^\d+(\.\d+)?$/.test(t)) return t;
  const [i, f] = t.split('.');
  const n = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  switch (unit) {
    case 'dollars': return `$${n}${f ? `.${f}` : ''}`;
    case 'shares': return `${n} shares`;
    case 'orders': return `${n} orders`;
    case 'basis points': return `${n} bps`;
    case 'nanoseconds': return `${n} ns`;
    case 'flag': return t === '1' ? 'on' : t === '0' ? 'off' : t;
    case 'none': return '-';
    default: return t;
  }
}

function status(msg, ok) {
  const s = $('status-line');
  s.textContent = msg;
  s.className = ok ? 'ok' : 'err';
}

async function send(path, body) {
  const token = $('token').value.trim();
  if (!token) {
    status('enter the API token first', false);
    return;
  }
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const who = $('operator').value.trim();
  if (/^[\w.@+-]{1,64}$/.test(who)) headers['x-riskgate-operator'] = who;
  try {
    const r = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    const j = await r.json().catch(() => ({}));
    if (r.status === 200 && j.control) {
      const c = j.control;
      status(`applied: ${c.what} ${c.targetName} ${valueText(c.unit, c.old)} → ${valueText(c.unit, c.new)} before seq ${c.seq}`, true);
    } else if (r.status === 202) {
      status(`queued: ${j.what} ${j.target} → ${valueText(j.unit, j.value)} (waiting for the next batch)`, true);
    } else {
      status(`refused (${r.status}): ${j.reason || r.statusText}`, false);
    }
    poll();
  } catch (e) {
    status(`request failed: ${e.message}`, false);
  }
}

function drawLine(canvas, values, color) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const max = Math.max(1, ...values);
  ctx.strokeStyle = '#26313d';
  ctx.fillStyle = '#8897a8';
  ctx.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = 10 + ((h - 30) * i) / 4;
    ctx.beginPath(); ctx.moveTo(40, y); ctx.lineTo(w - 5, y); ctx.stroke();
    ctx.fillText(fmt(Math.round(max * (1 - i / 4))), 2, y + 4);
  }
  if (values.length < 2) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = 40 + ((w - 45) * i) / (values.length - 1);
    const y = 10 + (h - 30) * (1 - v / max);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = '#8897a8';
  ctx.fillText(`last ${values.length / 2} s`, 45, h - 4);
}

function label(ns) {
  if (ns >= 1e6) return `${ns / 1e6}ms`;
  if (ns >= 1e3) return `${ns / 1e3}µs`;
  return `${ns}ns`;
}

function drawHistogram(canvas, bounds, counts) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  // Show the occupied range of buckets, at least 8 wide.
  let lo = counts.findIndex((c) => c > 0);
  let hi = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  if (lo < 0) { lo = 0; hi = 7; }
  lo = Math.max(0, lo - 1);
  hi = Math.min(counts.length - 1, Math.max(hi + 1, lo + 7));
  const shown = counts.slice(lo, hi + 1);
  const max = Math.max(1, ...shown);
  const bw = (w - 20) / shown.length;
  ctx.font = '10px sans-serif';
  shown.forEach((c, i) => {
    const bh = (h - 34) * (c / max);
    ctx.fillStyle = '#3fa7ff';
    ctx.fillRect(10 + i * bw + 2, h - 22 - bh, bw - 4, bh);
    ctx.fillStyle = '#8897a8';
    const b = lo + i < bounds.length ? `≤${label(bounds[lo + i])}` : '+Inf';
    ctx.fillText(b, 10 + i * bw + 2, h - 8);
    if (c > 0) ctx.fillText(fmt(c), 10 + i * bw + 2, h - 26 - bh);
  });
}

function bars(container, rows) {
  container.replaceChildren();
  const max = Math.max(1, ...rows.map((r) => r.n));
  for (const r of rows) {
    const row = el('div', 'bar-row');
    row.id = `reason-row-${r.name}`;
    row.append(el('span', '', r.name));
    const b = el('div', `bar ${r.cls}`);
    b.style.width = `${(100 * r.n) / max}%`;
    row.append(b);
    const n = el('span', 'n', fmt(r.n));
    n.id = `reason-${r.name}`;
    row.append(n);
    container.append(row);
  }
}

function money(s) {
  const n = Number(s);
  const c = el('td', n > 0 ? 'pos' : n < 0 ? 'neg' : '', s);
  return c;
}

/** What the server says about a changeable limit: its scope (symbol or account), unit, money or not. */
function limitOf(s, name) {
  return s.limits.changeable[name] ?? { scope: 'symbol', unit: '', money: false };
}

/** The limit menu, from the limits the server says can be changed. */
function limitMenu(s) {
  const sel = $('limit-name');
  if (sel.options.length > 0) return;
  for (const [name, l] of Object.entries(s.limits.changeable)) {
    const o = el('option', '', `${name} (${l.scope}, ${l.unit})`);
    o.value = name;
    sel.append(o);
  }
}

function render(s) {
  const r = s.run;
  $('run').textContent = `run ${r.id} · ${r.file} · ${r.status}${r.error ? ` (${r.error})` : ''} · backend ${r.backend}${r.standby ? ` + standby ${r.standby}` : ''} · speed ${r.speed}`;
  const c = s.counters;
  text('messages', c.messages);
  text('throughput', c.throughput);
  text('lastSeq', c.lastSeq);
  text('decisions', c.decisions);
  text('accepted', c.accepted);
  text('rejected', c.rejected);
  text('fills', c.fills);
  text('controls', c.controls);
  const killedSymbols = Object.entries(s.kill.symbols).filter(([, v]) => v).map(([k]) => k);
  const ks = $('kill-state');
  ks.textContent = s.kill.global ? 'KILL SWITCH ON (global)' : killedSymbols.length ? `kill: ${killedSymbols.join(', ')}` : 'trading enabled';
  ks.className = `badge ${s.kill.global || killedSymbols.length ? 'on' : 'off'}`;

  history.push(c.throughput);
  if (history.length > 240) history.shift();
  drawLine($('throughput-chart'), history, '#3fbf7f');
  drawHistogram($('latency-chart'), s.latency.bounds, s.latency.counts);
  const total = s.latency.counts.reduce((a, b) => a + b, 0);
  $('latency-note').textContent = `${fmt(total)} batches · ${s.latency.unit}`;

  const rows = [{ name: 'ACCEPTED', n: c.accepted, cls: 'acc' }];
  for (const k of REASON_NAMES) rows.push({ name: k, n: s.rejections[k] || 0, cls: k === 'KILL' ? 'kill' : 'rej' });
  bars($('reasons'), rows);

  const lim = new Map(s.limits.symbols.map((x) => [x.symbol, x]));
  const tb = $('positions').tBodies[0];
  tb.replaceChildren();
  for (const p of s.positions) {
    const tr = el('tr');
    const l = lim.get(p.symbol) || {};
    tr.append(el('td', '', p.symbol), el('td', '', p.account), el('td', p.position > 0 ? 'pos' : p.position < 0 ? 'neg' : '', fmt(p.position)),
      el('td', '', p.avgPrice), el('td', '', p.mark), money(p.realisedPnl), money(p.unrealisedPnl), el('td', '', p.fees), el('td', '', fmt(p.fills)),
      el('td', '', `${fmt(l.maxQty)} / $${l.maxNotional} / ${fmt(l.positionLimit)} / ${l.collarBps}bp`));
    const td = el('td');
    const on = s.kill.symbols[p.symbol];
    const b = el('button', `small${on ? ' on' : ''}`, on ? 'killed' : 'kill');
    b.type = 'button';
    b.id = `kill-${p.symbol}`;
    b.addEventListener('click', () => send('/api/kill', { symbol: p.symbol, on: !on }));
    td.append(b);
    tr.append(td);
    tb.append(tr);
  }

  const cb = $('clearing').tBodies[0];
  cb.replaceChildren();
  for (const w of s.clearing) {
    const tr = el('tr');
    tr.append(el('td', '', w.worker), el('td', '', fmt(w.lag)), el('td', '', fmt(w.cleared)));
    cb.append(tr);
  }
  if (s.clearing.length === 0) cb.append(el('tr', '', 'no clearing workers'));

  const eng = $('engines');
  eng.replaceChildren();
  for (const [k, v] of Object.entries(s.recordsBySource)) eng.append(el('div', '', `records from ${k}: ${fmt(v)}`));
  const f = s.failover;
  eng.append(el('div', '', `failovers: ${f.events.length}; shadow divergences: ${f.divergences}${f.standbyLost ? `; standby lost: ${f.standbyLost}` : ''}`));
  for (const e of f.events) eng.append(el('div', 'note', `${e.wallTime}: ${e.kind} in ${e.from} → ${e.to} at seq ${fmt(e.seq)}, ${(e.outageNs / 1e6).toFixed(2)} ms without decisions (${e.error})`));

  const ab = $('audit').tBodies[0];
  ab.replaceChildren();
  for (const a of [...s.controls].reverse()) {
    const tr = el('tr');
    tr.append(el('td', '', a.n), el('td', '', fmt(a.seq)), el('td', '', a.what), el('td', '', a.targetName), el('td', '', `${valueText(a.unit, a.old)} → ${valueText(a.unit, a.new)}`), el('td', '', `${a.who} (${a.via})`), el('td', '', a.wallTime));
    ab.append(tr);
  }

  renderOrderEntry(s);
  limitMenu(s);
  const scope = limitOf(s, $('limit-name').value).scope;
  if (targetsFor !== scope) {
    targetsFor = scope;
    const sel = $('limit-target');
    sel.replaceChildren();
    const names = scope === 'account' ? s.limits.accounts.map((a) => a.account) : s.limits.symbols.map((x) => x.symbol);
    for (const n of names) sel.append(el('option', '', n));
  }
  last = s;
}

/** The order-entry gateway's sessions and accounts (riskgate gateway --serve); hidden otherwise. */
function renderOrderEntry(s) {
  const oe = s.orderEntry;
  $('order-entry').hidden = !oe;
  if (!oe) return;
  const sb = $('oe-sessions').tBodies[0];
  sb.replaceChildren();
  for (const x of oe.sessions) {
    const tr = el('tr');
    const reasons = Object.entries(x.rejectedByReason).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || '-';
    const events = Object.entries(x.events).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || '-';
    tr.append(el('td', '', x.session), el('td', '', x.account), el('td', '', fmt(x.checked)), el('td', '', fmt(x.accepted)), el('td', '', fmt(x.rejected)),
      el('td', '', reasons), el('td', '', fmt(x.executed)), el('td', '', fmt(x.canceled)), el('td', '', events));
    sb.append(tr);
  }
  const ab = $('oe-accounts').tBodies[0];
  ab.replaceChildren();
  const lim = new Map(s.limits.accounts.map((a) => [a.account, a]));
  for (const a of oe.accounts) {
    const tr = el('tr');
    const killed = lim.get(a.account)?.kill === true;
    const b = el('button', `small${killed ? ' on' : ''}`, killed ? 'killed (release)' : 'kill');
    b.type = 'button';
    b.id = `kill-account-${a.account}`;
    b.addEventListener('click', () => send('/api/kill', { account: a.account, on: !killed }));
    const td = el('td');
    td.append(b);
    tr.append(el('td', '', a.account), el('td', '', fmt(a.openOrders)), el('td', '', `$${a.openNotional}`), td);
    ab.append(tr);
  }
  const m = oe.massCanceled;
  $('oe-note').textContent = `mass-canceled by a kill: ${fmt(m.global)} global, ${fmt(m.account)} account, ${fmt(m.symbol)} symbol${oe.unmatchedVenueAnswers ? ` · ${oe.unmatchedVenueAnswers} venue answers matched no order` : ''}`;
}

let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    // The state is not public: it is read with the token the operator typed, like the changes.
    const token = $('token').value.trim();
    if (!token) {
      $('run').textContent = 'enter the API token to see the live state';
      return;
    }
    const r = await fetch('/api/state', { cache: 'no-store', credentials: 'omit', headers: { authorization: `Bearer ${token}` } });
    if (r.ok) render(await r.json());
    else if (r.status === 401) $('run').textContent = 'the API token was refused';
  } catch (e) {
    $('run').textContent = `server unreachable (${e.message})`;
  } finally {
    polling = false;
  }
}

$('kill-global').addEventListener('click', () => send('/api/kill', { on: true }));
$('release-global').addEventListener('click', () => send('/api/kill', { on: false }));
$('limit-name').addEventListener('change', () => { targetsFor = ''; if (last) render(last); });
$('limit-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (!last) return;
  const limit = $('limit-name').value;
  const { scope, money } = limitOf(last, limit);
  const raw = $('limit-value').value.trim();
  const value = money ? raw : /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  send('/api/limit', { [scope]: $('limit-target').value, limit, value });
});
$('auth').addEventListener('submit', (ev) => ev.preventDefault());
poll();
setInterval(poll, 500);

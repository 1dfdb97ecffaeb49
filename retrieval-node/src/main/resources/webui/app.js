// vrn status page: plain JS, no dependencies. The API token comes from the URL fragment
// (#token=..., never sent to a server) or the form, and lives in sessionStorage only.
'use strict';

const KEY = 'vrn.apiToken';
let api = null;
let timer = null;

function takeTokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
}

async function rpc(method, ...params) {
  const res = await fetch(api + '/rpc/v0', {
    method: 'POST',
    headers: { 'Authorization': 'Bearer ' + sessionStorage.getItem(KEY), 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  if (res.status === 401) {
    throw Object.assign(new Error('the API refused the token'), { unauthorized: true });
  }
  const body = await res.json();
  if (body.error) {
    throw new Error(method + ': ' + body.error.message);
  }
  return body.result;
}

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (cls) td.className = cls;
  return td;
}

function fill(id, rows, emptyText) {
  const tbody = document.querySelector('#' + id + ' tbody');
  const cols = document.querySelectorAll('#' + id + ' thead th').length;
  tbody.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = cell(emptyText);
    td.colSpan = cols;
    tr.append(td);
    tbody.append(tr);
    return;
  }
  for (const r of rows) {
    const tr = document.createElement('tr');
    for (const c of r) tr.append(typeof c === 'number' ? cell(c.toLocaleString('en'), 'num') : cell(c));
    tbody.append(tr);
  }
}

async function refresh() {
  try {
    const [id, pieces, traffic, earnings, channels, peers, deals] = await Promise.all([
      rpc('VRN.ID'), rpc('VRN.PieceList'), rpc('VRN.Traffic'), rpc('VRN.Earnings'),
      rpc('VRN.PaychList'), rpc('VRN.NetPeers'), rpc('VRN.DealList')]);
    document.getElementById('node').textContent = id.peerId + '  ' + (id.gateway || '');
    const protocols = ['gateway', 'graphsync', 'bitswap'];
    fill('traffic', protocols.map(p => [p, traffic['vrn.served.bytes{' + p + '}'] || 0,
      traffic['vrn.served.requests{' + p + '}'] || 0]), '');
    document.getElementById('piece-count').textContent = pieces.length;
    fill('pieces', pieces.map(p => [p.pieceCid || ('#' + p.id), p.state, p.paddedSize, p.blocks, p.roots.join(' ')]), 'no pieces yet');
    document.getElementById('earnings').textContent = earnings.paymentsEnabled
      ? earnings.receivedAttoFil + ' attoFIL received on ' + earnings.channels + ' channel(s)'
      : 'payments are off (free node); 0 attoFIL received';
    fill('channels', channels.map(c => [c.channel, c.lanes.length, c.total]), 'no vouchers received');
    document.getElementById('peer-count').textContent = peers.length;
    fill('peers', peers.map(p => [p.peerId, p.addr, p.direction, p.agent]), 'no peers connected');
    fill('deals', deals.slice(-20).reverse().map(d => [d.client, d.payloadCid, d.state, d.bytesSent, d.funds]), 'no retrieval deals yet');
    document.getElementById('updated').textContent = new Date().toLocaleTimeString();
    document.getElementById('error').textContent = '';
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (e.unauthorized) {
      logout('the API refused the token');
    } else {
      document.getElementById('error').textContent = e.message;
    }
  }
}

function show() {
  const has = !!sessionStorage.getItem(KEY);
  document.getElementById('login').hidden = has;
  document.getElementById('status').hidden = !has;
  if (has) {
    refresh();
    timer = timer || setInterval(refresh, 5000);
  }
}

function logout(message) {
  sessionStorage.removeItem(KEY);
  clearInterval(timer);
  timer = null;
  document.getElementById('login-error').textContent = message || '';
  show();
}

async function main() {
  takeTokenFromFragment();
  api = (await (await fetch('config.json')).json()).api;
  document.getElementById('login').addEventListener('submit', ev => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById('token').value.trim());
    show();
  });
  document.getElementById('logout').addEventListener('click', () => logout(''));
  show();
}

main();

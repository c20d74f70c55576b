// Calls parked now, kept live from the tenant's event stream (GET /api/tenants/{d}/events): a "parked" event adds
// or updates a call, every other event ends it. The list is read again each time the stream (re)connects, so
// nothing missed while it was down stays on screen.
import { get, request, seg, url } from './api.js';
import { $, el, row, fill, clearTable, who, time, duration } from './dom.js';

const ENDING = ['retrieved', 'recalled', 'abandoned', 'timed-out', 'ended-by-operator', 'failed'];

let stream = null;
let ticker = null;
let calls = new Map();

export function clear() {
  if (stream) stream.close();
  stream = null;
  clearInterval(ticker);
  ticker = null;
  calls = new Map();
  clearTable($('parked'));
  $('live-state').textContent = '';
}

export function start(tenant) {
  clear();
  const table = $('parked');
  const render = () => {
    if (!tenant.live()) return;
    const sorted = [...calls.values()].sort((a, b) => a.parkedAt.localeCompare(b.parkedAt));
    fill(table, sorted.map(call => row(table, [
      call.extension, who(call.parked), who(call.parker),
      el('span', { class: 'since', dataset: { since: call.parkedAt } }, since(call.parkedAt)),
      time(call.recallAt), call.status || 'PARKED', hangUpButton(tenant, call, () => { calls.delete(call.id); render(); })],
      { dataset: { id: call.id } })), 'Nothing is parked.');
  };
  const reload = async () => {
    const list = await get('tenants/' + seg(tenant.domain) + '/parked-calls', tenant.signal);
    if (!tenant.live()) return;
    calls = new Map(list.map(call => [call.id, call]));
    render();
  };
  stream = new EventSource(url('tenants/' + seg(tenant.domain) + '/events'));
  stream.addEventListener('open', () => {
    $('live-state').textContent = 'live';
    reload().catch(error => tenant.fail(error));
  });
  stream.addEventListener('error', () => {
    if (stream && stream.readyState === EventSource.CLOSED) {
      // refused, not dropped: if the session is over, asking who we are signs the console out
      $('live-state').textContent = 'not live: reload the page';
      get('me').catch(() => {});
    } else {
      $('live-state').textContent = 'reconnecting…';
    }
  });
  stream.addEventListener('parked', event => {
    const call = JSON.parse(event.data);
    calls.set(call.id, call);
    render();
  });
  for (const name of ENDING) {
    stream.addEventListener(name, event => {
      calls.delete(JSON.parse(event.data).id);
      render();
    });
  }
  ticker = setInterval(() => {
    for (const span of table.querySelectorAll('.since')) span.textContent = since(span.dataset.since);
  }, 1000);
  $('live-state').textContent = 'connecting…';
  reload().catch(error => tenant.fail(error));
}

const since = parkedAt => duration((Date.now() - Date.parse(parkedAt)) / 1000);

function hangUpButton(tenant, call, ended) {
  return el('button', { type: 'button', class: 'danger', onclick: async event => {
    if (!confirm('Hang up ' + who(call.parked) + ', parked at ' + call.extension + '?')) return;
    event.target.disabled = true;
    try {
      await request('DELETE', 'tenants/' + seg(tenant.domain) + '/parked-calls/' + seg(call.id), undefined, tenant.signal);
      if (tenant.live()) ended();
    } catch (error) {
      event.target.disabled = false;
      tenant.fail(error);
    }
  } }, 'Hang up');
}

// The console's shell: signing in and out, who is signed in, the tenant picker, the tabs, and switching tenants.
// Switching clears every panel at once, before the new tenant is even asked for, so a failed switch never leaves
// the previous tenant's calls on screen under the new name.
import { get, request, seg, whenSignedOut } from './api.js';
import { $, el, onSubmit } from './dom.js';
import * as parked from './parked.js';
import { extensions, groups, settings, history as parkHistory, audit } from './views.js';

const panels = { extensions, groups, settings, history: parkHistory, audit };
let me = null;
let tenant = null; // the tenant shown now: {domain, live(), signal, fail(error)}
let tab = 'parked';

// ----- signing in and out

async function boot() {
  whenSignedOut(signedOut);
  onSubmit($('sign-in'), async form => {
    const { data } = await request('POST', 'session', { name: form.elements.name.value, password: form.elements.password.value });
    form.reset();
    signedIn(data);
  });
  $('sign-out').addEventListener('click', async () => {
    try { await request('DELETE', 'session'); } finally { signedOut(); }
  });
  for (const view of Object.values(panels)) view.bind(() => tenant);
  bindPicker();
  bindTabs();
  window.addEventListener('hashchange', () => { if (me) fromHash(); });
  try {
    signedIn(await get('me'));
  } catch {
    signedOut();
  }
}

function signedIn(account) {
  me = account;
  $('who-name').textContent = account.name + ' (' + (account.role === 'OPERATOR' ? 'operator' : 'admin of ' + account.tenant) + ')';
  $('who').hidden = false;
  $('sign-in').hidden = true;
  $('app').hidden = false;
  // a tenant admin has one tenant: no picker, that tenant at once
  $('picker').hidden = account.role !== 'OPERATOR';
  if (account.role === 'OPERATOR') search();
  if (!fromHash() && account.tenant) choose(account.tenant);
}

function signedOut() {
  me = null;
  leaveTenant();
  history.replaceState(null, '', location.pathname + location.search); // the next account starts afresh
  $('tenant-title').textContent = 'No tenant chosen';
  $('tenant-results').replaceChildren();
  $('tenant-search').value = '';
  $('who').hidden = true;
  $('app').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in').elements.name.focus();
}

// ----- the tenant picker: the server searches and pages (GET /api/tenants?q=&limit=&cursor=)

let searchNext = null;
let searchSeq = 0;

function bindPicker() {
  let timer = null;
  $('tenant-search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  $('tenant-search').addEventListener('keydown', event => {
    const first = $('tenant-results').querySelector('button');
    if (event.key === 'Enter' && first) {
      event.preventDefault();
      first.click();
    }
  });
  $('tenant-more').addEventListener('click', () => search(true));
}

async function search(more = false) {
  const seq = ++searchSeq;
  const q = $('tenant-search').value.trim();
  try {
    const { data, next } = await request('GET', more ? searchNext : 'tenants?limit=20' + (q ? '&q=' + seg(q) : ''));
    if (seq !== searchSeq) return; // a later search has been typed
    searchNext = next;
    const items = data.map(t => el('li', {}, el('button', { type: 'button', role: 'option', dataset: { domain: t.domain },
      onclick: () => { location.hash = '#/' + seg(t.domain) + '/' + tab; } }, t.domain, t.name && t.name !== t.domain ? el('small', {}, ' ' + t.name) : null)));
    if (more) $('tenant-results').append(...items);
    else $('tenant-results').replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, 'No tenant matches.')]));
    $('tenant-more').hidden = !next;
  } catch (error) {
    if (seq === searchSeq) $('tenant-results').replaceChildren(el('li', { class: 'form-error' }, error.message));
  }
}

// ----- tabs; the chosen tenant and tab live in the address: #/{domain}/{tab}

function bindTabs() {
  $('tabs').addEventListener('click', event => {
    const button = event.target.closest('button[data-tab]');
    if (button && tenant) location.hash = '#/' + seg(tenant.domain) + '/' + button.dataset.tab;
  });
}

function showTab(name) {
  tab = panels[name] || name === 'parked' ? name : 'parked';
  for (const button of $('tabs').querySelectorAll('button')) button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== 'panel-' + tab;
}

/** Shows what the address names; false when it names no tenant. */
function fromHash() {
  const [, domain, name] = /^#\/([^/]+)(?:\/([a-z]+))?$/.exec(location.hash) || [];
  if (!domain) return false;
  const wanted = decodeURIComponent(domain).toLowerCase();
  if (tenant && tenant.domain === wanted) {
    if (name !== tab) {
      showTab(name);
      if (panels[tab]) panels[tab].load(tenant).catch(tenant.fail);
    }
    return true;
  }
  showTab(name);
  choose(wanted);
  return true;
}

function leaveTenant() {
  if (tenant) tenant.abort();
  tenant = null;
  parked.clear();
  for (const view of Object.values(panels)) view.clear();
  $('tabs').hidden = true;
  $('tenant-error').textContent = '';
  for (const panel of document.querySelectorAll('.panel')) panel.hidden = true;
}

async function choose(domain) {
  leaveTenant(); // first, whatever follows: nothing of the previous tenant may stay on screen
  const controller = new AbortController();
  const current = {
    domain,
    signal: controller.signal,
    abort: () => controller.abort(),
    live: () => tenant === current,
    fail: error => { if (tenant === current && error.name !== 'AbortError') $('tenant-error').textContent = error.message; },
  };
  tenant = current;
  $('tenant-title').textContent = domain;
  if (!location.hash.startsWith('#/' + seg(domain))) history.replaceState(null, '', '#/' + seg(domain) + '/' + tab);
  try {
    const found = await get('tenants/' + seg(domain), current.signal);
    if (!current.live()) return;
    $('tenant-title').textContent = found.name && found.name !== found.domain ? found.name + ' (' + found.domain + ')' : found.domain;
  } catch (error) {
    current.fail(error);
    if (current.live() && me && me.tenant && domain !== me.tenant) {
      // a tenant admin has no picker: the way back to its own tenant
      $('tenant-error').append(' ', el('a', { href: '#/' + seg(me.tenant) + '/parked' }, 'Back to ' + me.tenant));
    }
    return;
  }
  $('tabs').hidden = false;
  showTab(tab);
  parked.start(current);
  if (panels[tab]) panels[tab].load(current).catch(current.fail);
}

boot();

// The tenant's other panels: extensions and their devices, park groups, settings, history and the audit log.
// Each has clear() (at once, when the tenant changes) and load(tenant); `tenant.live()` is false once another
// tenant has been chosen, and then nothing late is shown.
import { get, request, seg } from './api.js';
import { $, el, row, fill, clearTable, who, time, onSubmit, clearErrors, list } from './dom.js';

const base = tenant => 'tenants/' + seg(tenant.domain);

// ----- extensions and their registered devices

export const extensions = {
  clear() {
    clearTable($('extensions'));
    $('extension-form').reset();
    clearErrors($('extension-form'));
  },
  async load(tenant) {
    const table = $('extensions');
    const items = await get(base(tenant) + '/extensions', tenant.signal);
    if (!tenant.live()) return;
    const devices = new Map(items.map(e => [e.extension, el('span', { class: 'devices' }, '…')]));
    fill(table, items.map(e => row(table, [e.extension, e.displayName || '', e.parkInfoFormat, devices.get(e.extension),
      el('button', { type: 'button', onclick: () => edit(e) }, 'Edit')], { dataset: { extension: e.extension } })),
      'No extensions yet.');
    // a few at a time: a tenant may have hundreds of extensions
    const queue = [...items];
    const worker = async () => {
      for (let e = queue.shift(); e && tenant.live(); e = queue.shift()) {
        const bindings = await get(base(tenant) + '/extensions/' + seg(e.extension) + '/registrations', tenant.signal);
        if (!tenant.live()) return;
        devices.get(e.extension).replaceChildren(...(bindings.length === 0 ? ['none']
          : bindings.map(b => el('span', { class: 'device', title: 'until ' + time(b.expiresAt) }, (b.userAgent || 'device') + ' ' + b.contact))));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  },
  bind(current) {
    onSubmit($('extension-form'), async form => {
      const tenant = current();
      const number = form.elements.extension.value.trim();
      const body = { displayName: form.elements.displayName.value, parkInfoFormat: form.elements.parkInfoFormat.value };
      const password = form.elements.password.value;
      const exists = $('extensions').querySelector('tr[data-extension="' + CSS.escape(number) + '"]');
      if (password || !exists) body.password = password;
      if (!number) throw Object.assign(new Error('extension: required'), { field: 'extension' });
      // a new extension needs a password (PUT); an existing one changes only what is given (PATCH)
      await request(exists ? 'PATCH' : 'PUT', base(tenant) + '/extensions/' + seg(number), body, tenant.signal);
      if (!tenant.live()) return;
      form.reset();
      await extensions.load(tenant);
    });
  },
};

function edit(extension) {
  const form = $('extension-form');
  clearErrors(form);
  form.elements.extension.value = extension.extension;
  form.elements.displayName.value = extension.displayName || '';
  form.elements.parkInfoFormat.value = extension.parkInfoFormat;
  form.elements.password.value = '';
  form.elements.displayName.focus();
}

// ----- park groups

export const groups = {
  clear() {
    clearTable($('groups'));
    $('group-form').reset();
    clearErrors($('group-form'));
  },
  async load(tenant) {
    const table = $('groups');
    const items = await get(base(tenant) + '/park-groups', tenant.signal);
    if (!tenant.live()) return;
    fill(table, items.map(g => row(table, [g.name, g.members.join(', '), el('span', {},
      el('button', { type: 'button', onclick: () => {
        const form = $('group-form');
        form.elements.name.value = g.name;
        form.elements.members.value = g.members.join(', ');
      } }, 'Edit'),
      el('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm('Delete park group ' + g.name + '?')) return;
        try {
          await request('DELETE', base(tenant) + '/park-groups/' + seg(g.name), undefined, tenant.signal);
          if (tenant.live()) await groups.load(tenant);
        } catch (error) {
          tenant.fail(error);
        }
      } }, 'Delete'))], { dataset: { group: g.name } })), 'No park groups.');
  },
  bind(current) {
    onSubmit($('group-form'), async form => {
      const tenant = current();
      const name = form.elements.name.value.trim();
      const members = list(form.elements.members.value);
      const exists = $('groups').querySelector('tr[data-group="' + CSS.escape(name) + '"]');
      if (exists) await request('PUT', base(tenant) + '/park-groups/' + seg(name), { members }, tenant.signal);
      else await request('POST', base(tenant) + '/park-groups', { name, members }, tenant.signal);
      if (!tenant.live()) return;
      form.reset();
      await groups.load(tenant);
    });
  },
};

// ----- settings: only what was changed is sent (PATCH); the server is the one judge of a value

let shown = null;

function formValue(input) {
  const text = input.value.trim();
  switch (input.dataset.type) {
    case 'integer': return /^-?\d+$/.test(text) ? Number(text) : text; // not a number: the server names the field
    case 'list': return list(text);
    case 'optional': return text === '' ? null : text;
    default: return text;
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export const settings = {
  clear() {
    shown = null;
    const form = $('settings-form');
    form.reset();
    for (const input of form.elements) if (input.name) input.value = '';
    clearErrors(form);
  },
  async load(tenant) {
    const values = await get(base(tenant) + '/settings', tenant.signal);
    if (!tenant.live()) return;
    show(values);
  },
  bind(current) {
    onSubmit($('settings-form'), async form => {
      const tenant = current();
      const change = {};
      for (const input of form.elements) {
        if (!input.name) continue;
        const value = formValue(input);
        if (!shown || !same(value, shown[input.name])) change[input.name] = value;
      }
      if (Object.keys(change).length === 0) {
        form.querySelector('.form-ok').textContent = 'Nothing changed.';
        return;
      }
      const { data } = await request('PATCH', base(tenant) + '/settings', change, tenant.signal);
      if (!tenant.live()) return;
      show(data);
      form.querySelector('.form-ok').textContent = 'Saved.';
    });
  },
};

function show(values) {
  shown = values;
  const form = $('settings-form');
  for (const input of form.elements) {
    if (!input.name) continue;
    const value = values[input.name];
    input.value = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
  }
}

// ----- history, filtered and paged

let historyNext = null;

function historyQuery(form) {
  const query = new URLSearchParams();
  const extension = form.elements.extension.value.trim();
  if (extension) query.set('extension', extension);
  if (form.elements.resolution.value) query.set('resolution', form.elements.resolution.value);
  for (const name of ['since', 'until']) {
    // datetime-local is the browser's local time; the API takes instants
    if (form.elements[name].value) query.set(name, new Date(form.elements[name].value).toISOString());
  }
  query.set('limit', '50');
  return query;
}

export const history = {
  clear() {
    historyNext = null;
    clearTable($('history'));
    $('history-more').hidden = true;
    clearErrors($('history-form'));
  },
  async load(tenant, more = false) {
    const table = $('history');
    const path = more ? historyNext : base(tenant) + '/park-history?' + historyQuery($('history-form'));
    const { data, next } = await request('GET', path, undefined, tenant.signal);
    if (!tenant.live()) return;
    historyNext = next;
    const rows = data.map(h => row(table, [h.extension, who(h.parked), who(h.parker), time(h.parkedAt), time(h.endedAt),
      h.resolution, h.endedBy || ''], { dataset: { id: h.id } }));
    if (more) table.tBodies[0].append(...rows);
    else fill(table, rows, 'No ended parks match.');
    $('history-more').hidden = !next;
  },
  bind(current) {
    onSubmit($('history-form'), form => history.load(current()));
    $('history-more').addEventListener('click', () => history.load(current(), true).catch(e => current().fail(e)));
  },
};

// ----- the audit log of the tenant

let auditNext = null;

const summary = value => value === null || value === undefined ? '' : JSON.stringify(value);

export const audit = {
  clear() {
    auditNext = null;
    clearTable($('audit'));
    $('audit-more').hidden = true;
  },
  async load(tenant, more = false) {
    const table = $('audit');
    const path = more ? auditNext : 'audit?tenant=' + seg(tenant.domain) + '&limit=50';
    const { data, next } = await request('GET', path, undefined, tenant.signal);
    if (!tenant.live()) return;
    auditNext = next;
    const rows = data.map(a => row(table, [time(a.at), a.actor, a.action,
      el('details', {}, el('summary', {}, 'before / after'),
        el('pre', {}, 'before: ' + summary(a.before) + '\nafter:  ' + summary(a.after)))]));
    if (more) table.tBodies[0].append(...rows);
    else fill(table, rows, 'No changes recorded.');
    $('audit-more').hidden = !next;
  },
  bind(current) {
    $('audit-more').addEventListener('click', () => audit.load(current(), true).catch(e => current().fail(e)));
  },
};

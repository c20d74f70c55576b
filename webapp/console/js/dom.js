// Small DOM helpers: every text goes in as text, never as HTML.

export const $ = id => document.getElementById(id);

/** An element with attributes (on* are listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.flat().filter(c => c !== null && c !== undefined));
  return node;
}

/** A table row whose cells carry their column's name (the narrow layout shows it beside the value). */
export function row(table, cells, attrs = {}) {
  const heads = [...table.tHead.rows[0].cells].map(th => th.textContent);
  return el('tr', attrs, cells.map((cell, i) => el('td', { 'data-label': heads[i] || '' }, cell)));
}

/** Replaces a table's rows; an empty list shows `empty`. */
export function fill(table, rows, empty) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
  if (rows.length === 0 && empty) {
    body.append(el('tr', { class: 'empty' }, el('td', { colspan: table.tHead.rows[0].cells.length }, empty)));
  }
}

export const clearTable = table => table.tBodies[0].replaceChildren();

export const who = party => party ? (party.displayName ? party.displayName + ' ' : '') + '<' + party.uri + '>' : '';
export const time = iso => iso ? new Date(iso).toLocaleString() : '';

/** 75 s as "1:15", 3725 s as "1:02:05". */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const two = n => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  return h > 0 ? h + ':' + two(m) + ':' + two(s % 60) : m + ':' + two(s % 60);
}

/** Clears a form's messages: the one of each field and the form's own. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach(e => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
  form.querySelectorAll('.form-error, .form-ok').forEach(e => { e.textContent = ''; });
}

/** Shows an API error by the field it names, or for the whole form when it names none the form has. */
export function showError(form, error) {
  const input = error.field ? form.elements.namedItem(error.field) : null;
  if (input && input.closest) {
    input.setAttribute('aria-invalid', 'true');
    const message = el('span', { class: 'field-error', role: 'alert', dataset: { field: error.field } }, error.message);
    input.closest('label').append(message);
    input.focus();
  } else {
    form.querySelector('.form-error').textContent = error.message;
  }
}

/** Runs `submit` on the form's submit, with its messages cleared first and its errors shown by their fields. */
export function onSubmit(form, submit) {
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await submit(form);
    } catch (error) {
      if (error.name !== 'AbortError') showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
}

/** "201, 202" as ["201", "202"]. */
export const list = text => text.split(/[\s,]+/).filter(Boolean);

// Vigil review queue: lists the cases (GET /api/cases), opens one, assigns it and decides it. Shown only where the
// server has cases and the signed-in key may review them (role analyst or admin).
(() => {
  'use strict';

  const REFRESH_MS = 3000;
  const section = document.getElementById('review');
  const rows = document.getElementById('case-rows');
  const number = new Intl.NumberFormat('en-US');
  let selected = null;

  const $ = id => document.getElementById(id);
  // Event times come as 2018-04-07T08:20:23Z, wall times (the audit trail's) with fractions and an offset: both to the second.
  const when = iso => (iso || '').replace('T', ' ').replace(/(\.\d+)?(Z|[+-]00:00)$/, '');

  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
  }

  async function call(path, body) {
    const response = await fetch(path, body === undefined
      ? { credentials: 'same-origin', headers: { Accept: 'application/json' } }
      : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = await response.json().catch(() => ({}));
    return { status: response.status, json };
  }

  function query() {
    const params = new URLSearchParams({ status: $('case-status').value, sort: $('case-sort').value, limit: '50' });
    const assignee = $('case-assignee').value.trim();
    if (assignee) params.set('assignee', assignee);
    return `/api/cases?${params}`;
  }

  async function refresh() {
    let answer;
    try {
      answer = await call(query());
    } catch {
      return; // the server is gone (the run ended); the last view stays
    }

    if (answer.status === 404) { section.hidden = true; return; }
    section.hidden = false;
    if (answer.status === 401 || answer.status === 403) {
      $('review-note').textContent = 'reviewing cases needs a key with role analyst (or admin): sign in again with one at /login';
      rows.replaceChildren();
      return;
    }

    if (answer.status !== 200) { $('review-note').textContent = answer.json.error || `the queue answered ${answer.status}`; return; }
    show(answer.json);
  }

  function show(page) {
    $('cases-open').textContent = number.format(page.counts.open);
    $('cases-fraud').textContent = number.format(page.counts.fraud);
    $('cases-genuine').textContent = number.format(page.counts.genuine);
    $('cases-beyond').textContent = page.capacity == null ? '' : `capacity ${number.format(page.capacity)} a day · ${number.format(page.beyond_capacity)} beyond`;
    $('cases-shown').textContent = `${number.format(page.cases.length)} of ${number.format(page.matching)} shown`;
    rows.replaceChildren(...page.cases.map(c => {
      const row = document.createElement('tr');
      row.dataset.case = String(c.id);
      row.className = [c.status === 'open' ? '' : c.status, c.within_capacity === false ? 'beyond' : '', c.id === selected ? 'selected' : ''].join(' ').trim();
      if (c.within_capacity === false) row.title = 'beyond today\'s capacity: ranked below, not dropped';
      cell(row, `#${c.id}`);
      cell(row, c.card);
      cell(row, number.format(c.alerts), 'amount');
      cell(row, c.amount.toFixed(2), 'amount');
      cell(row, c.priority.toFixed(3), 'amount');
      cell(row, when(c.last_alert_at));
      cell(row, c.assignee || '–');
      cell(row, c.status === 'open' ? 'open' : `${c.status} (${c.decided_by})`, 'status');
      row.addEventListener('click', () => open(c.id));
      return row;
    }));
  }

  async function open(id) {
    selected = id;
    const answer = await call(`/api/cases/${id}`);
    if (answer.status !== 200) { message(answer.json.error || `case ${id}: ${answer.status}`, true); return; }
    const detail = answer.json;
    const c = detail.case;
    $('case').hidden = false;
    $('case-id').textContent = `#${c.id}`;
    $('case-card').textContent = c.card;
    $('case-state').textContent = c.status === 'open'
      ? `open since ${when(c.opened_at)}${c.assignee ? ` · assigned to ${c.assignee}` : ''}`
      : `decided ${c.status} by ${c.decided_by}${c.note ? `: ${c.note}` : ''}`;
    $('case-alerts').replaceChildren(...detail.alerts.map(a => {
      const row = document.createElement('tr');
      cell(row, when(a.at));
      cell(row, a.transaction_id ?? '?');
      cell(row, a.terminal ?? '?');
      cell(row, a.amount.toFixed(2), 'amount');
      cell(row, a.score.toFixed(3), 'amount');
      cell(row, a.reasons.map(r => r.text || r.code).join('; '), 'reasons');
      row.appendChild(features(a.record));
      return row;
    }));
    $('case-history').textContent = detail.card_history.length === 0
      ? 'the card has no other case'
      : `the card's other cases: ${detail.card_history.map(h => `#${h.id} ${h.status} (${h.alerts} alerts)`).join(', ')}`;
    $('case-audit').replaceChildren(...detail.audit.map(e => {
      const item = document.createElement('li');
      item.textContent = `${when(e.at)} · ${e.actor} · ${e.action}${e.before || e.after ? `: ${e.before ?? '–'} → ${e.after ?? '–'}` : ''}${e.note ? ` · ${e.note}` : ''}`;
      return item;
    }));
    for (const id of ['mark-fraud', 'mark-genuine']) $(id).disabled = c.status !== 'open';
    message('');
  }

  // The features the pipeline computed for the alert (the card's and the terminal's recent history in numbers), folded.
  function features(record) {
    const td = document.createElement('td');
    const values = record && typeof record === 'object' && record.features && typeof record.features === 'object' ? Object.entries(record.features) : [];
    if (values.length === 0) { td.textContent = '–'; return td; }
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = `${values.length} features`;
    const list = document.createElement('dl');
    for (const [name, value] of values) {
      const term = document.createElement('dt');
      term.textContent = name;
      const shown = document.createElement('dd');
      shown.textContent = typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(3) : String(value);
      list.append(term, shown);
    }

    details.append(summary, list);
    td.appendChild(details);
    return td;
  }

  function message(text, error) {
    $('case-message').textContent = text;
    $('case-message').className = error ? 'error' : '';
  }

  async function act(path, body, done) {
    if (selected === null) return;
    const answer = await call(`/api/cases/${selected}/${path}`, body);
    if (answer.status !== 200) { message(answer.json.error || `${answer.status}`, true); return; }
    await open(selected);
    message(done);
    await refresh();
  }

  $('mark-fraud').addEventListener('click', () => act('verdict', { verdict: 'fraud', note: $('case-note').value }, 'decided fraud: its transactions are labelled now'));
  $('mark-genuine').addEventListener('click', () => act('verdict', { verdict: 'genuine', note: $('case-note').value }, 'decided genuine'));
  $('assign').addEventListener('click', () => act('assign', { assignee: $('case-assign-to').value.trim() || null }, 'assigned'));
  for (const id of ['case-status', 'case-sort']) $(id).addEventListener('change', refresh);
  $('case-assignee').addEventListener('change', refresh);

  refresh();
  setInterval(refresh, REFRESH_MS);
})();

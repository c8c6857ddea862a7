// Vigil dashboard: reads the /events stream (Server-Sent Events) and shows transactions, totals and a chart.
(() => {
  'use strict';

  const MAX_ROWS = 100;
  const HISTORY_SECONDS = 120;
  const rows = document.getElementById('rows');
  const connection = document.getElementById('connection');
  const history = [];
  let fraudsPerSecond = 25;
  const number = new Intl.NumberFormat('en-US');

  const text = (id, value) => { document.getElementById(id).textContent = value; };

  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
  }

  function party(record, primary, secondary) {
    const value = record[primary] ?? record[secondary];
    return value === undefined || value === null ? '?' : String(value);
  }

  function addTransaction(topic, record) {
    const decision = record.vigil || {};
    const fraud = decision.fraud === true;
    const row = document.createElement('tr');
    row.className = fraud ? 'fraud' : 'legit';
    row.dataset.topic = topic;
    // Records with an event time (simulated, replayed) show it; the seed's records show when they arrived.
    const eventTime = typeof record.timestamp === 'string' ? record.timestamp.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : null;
    cell(row, eventTime ?? new Date().toLocaleTimeString());
    cell(row, fraud ? 'FRAUD' : 'LEGIT', 'badge');
    cell(row, `${party(record, 'source', 'customer_id')} → ${party(record, 'target', 'terminal_id')}`);
    cell(row, `${Number(record.amount).toFixed(2)} ${record.currency ?? ''}`.trim(), 'amount');
    cell(row, typeof decision.score === 'number' ? decision.score.toFixed(2) : '');
    cell(row, (decision.reasons || []).map(r => r.text || r.code).join('; '), 'reasons');
    rows.insertBefore(row, rows.firstChild);
    while (rows.childElementCount > MAX_ROWS) rows.removeChild(rows.lastChild);
  }

  function showStats(stats) {
    text('processed', number.format(stats.processed));
    text('rate', number.format(stats.rate));
    text('legit', number.format(stats.legit));
    text('fraud', number.format(stats.fraud));
    text('fraud-share', `${(stats.fraud_share * 100).toFixed(1)} %`);
    text('dead-letters', number.format(stats.dead_letters));
    // One unit for both, seconds once p99 reaches a second: four digits of milliseconds do not fit the card.
    const seconds = stats.latency_p99_ms >= 1000;
    const shown = v => (seconds ? (v / 1000).toFixed(2) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2));
    text('latency', `${shown(stats.latency_p50_ms)} / ${shown(stats.latency_p99_ms)}`);
    text('latency-unit', seconds ? 's' : 'ms');
    const frauds = stats.frauds_not_shown > 0
      ? `every fraud up to ${number.format(fraudsPerSecond)} a second (${number.format(stats.frauds_not_shown)} more not shown)`
      : 'every fraud';
    const legit = stats.sampled_every > 1 ? `1 legit in ${number.format(stats.sampled_every)}` : 'every legit';
    const dropped = stats.dropped > 0 ? ` · ${number.format(stats.dropped)} missed by this browser` : '';
    text('sampling', `newest first · ${frauds} · ${legit}${dropped}`);
    if (stats.rules_version) {
      text('versions', `rules ${stats.rules_version}` + (stats.model_version ? ` · model ${stats.model_version}` : ''));
    }
    if (stats.quality) showQuality(stats.quality, stats.event_time);
    if (stats.shadow) showShadow(stats.shadow);
    if (stats.retraining) showRetraining(stats.retraining);
    if (stats.instances) showInstances(stats.instances);
    history.push({ rate: stats.rate, share: stats.fraud_share * 100 });
    if (history.length > HISTORY_SECONDS) history.shift();
    drawChart();
  }

  // The smallest round step (1, 2 or 5 times a power of ten, at least minStep) with four steps reaching max.
  function niceStep(max, minStep) {
    const raw = Math.max(max / 4, minStep);
    const power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map(m => m * power).find(step => step >= raw);
  }

  const percent = value => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`);
  const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  function showQuality(quality, eventTime) {
    document.getElementById('quality').hidden = false;
    text('precision', percent(quality.precision));
    text('recall', percent(quality.recall));
    text('f1', quality.f1 === null ? '–' : quality.f1.toFixed(3));
    text('caught', money.format(quality.fraud_amount.caught));
    text('missed', money.format(quality.fraud_amount.missed));
    text('alert-rate', percent(quality.alert_rate));
    const m = quality.confusion_matrix;
    text('tp', number.format(m.true_positives));
    text('fn', number.format(m.false_negatives));
    text('fp', number.format(m.false_positives));
    text('tn', number.format(m.true_negatives));
    const waiting = `${number.format(quality.labelled)} labelled · ${number.format(quality.awaiting_label)} awaiting their label`;
    text('quality-note', eventTime ? `${waiting} · event time ${eventTime}` : waiting);
    const scenarios = document.getElementById('scenarios');
    scenarios.replaceChildren(...quality.scenarios.filter(s => s.scenario > 0).map(s => {
      const item = document.createElement('li');
      item.textContent = `scenario ${s.scenario}: ${number.format(s.caught)} of ${number.format(s.frauds)} caught (${percent(s.recall)})`;
      return item;
    }));
  }

  function showShadow(shadow) {
    document.getElementById('shadow').hidden = false;
    text('shadow-version', shadow.version);
    const f1 = shadow.f1 === null ? '–' : shadow.f1.toFixed(3);
    text('shadow-quality', `precision ${percent(shadow.precision)} · recall ${percent(shadow.recall)} · F1 ${f1} · ` +
      `would flag ${percent(shadow.alert_rate)} · fraud money it would catch ${money.format(shadow.fraud_amount.caught)}`);
  }

  const day = ms => (ms === null || ms === undefined ? '–' : new Date(ms).toISOString().slice(0, 10));

  // The models the pipeline trains: which decides, the challenger, label maturity, drift, quality per day, the list.
  function showRetraining(r) {
    document.getElementById('models').hidden = false;
    text('models-state', r.state);
    text('champion', r.champion ? r.champion.version : 'the rules');
    text('champion-since', r.champion ? `since ${day(r.champion.judged_at_ms)}` : '');
    text('challenger', r.challenger ? r.challenger.version : 'none');
    text('maturity', percent(r.label_maturity));
    const drift = r.score_drift;
    text('score-drift', typeof drift === 'number' ? drift.toFixed(3) : '–');
    // Read as usual for population stability: below 0.1 stable, to 0.25 a shift to watch, above a moved population.
    document.getElementById('drift-tile').className = `tile${drift >= 0.25 ? ' moved' : drift >= 0.1 ? ' shift' : ''}`;
    text('feature-drift', r.feature_drift.length === 0 ? '' :
      'inputs that moved most since the deciding model\'s training: ' + r.feature_drift.map(d => `${d.input} ${d.index.toFixed(3)}`).join(' · '));
    document.getElementById('model-rows').replaceChildren(...[...r.models].reverse().map(m => {
      const row = document.createElement('tr');
      row.className = m.state;
      cell(row, m.version);
      cell(row, day(m.trained_at_ms));
      cell(row, number.format(m.rows), 'amount');
      cell(row, number.format(m.frauds), 'amount');
      cell(row, m.threshold.toFixed(3), 'amount');
      cell(row, m.state === 'champion' ? 'deciding' : m.state === 'challenger' ? 'in shadow' : m.state === 'retired' ? `decided until ${day(m.retired_at_ms)}` : 'not promoted');
      cell(row, m.verdict ? `${m.verdict.reason} (${number.format(m.verdict.frauds)} frauds matured)` : 'waiting for labels', 'verdict');
      const action = document.createElement('td');
      if (m.state !== 'champion') {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Promote…';
        button.dataset.model = m.number;
        button.addEventListener('click', () => askPromotion(m));
        action.appendChild(button);
      }
      row.appendChild(action);
      return row;
    }));
    drawModelChart(r.history);
    drawTradeOff(r.trade_off, r.champion ? r.champion.threshold : null);
  }

  // Promoting a model by hand (POST /api/models/N/promote): needs a key with role analyst or admin; kept in the audit trail.
  let promoting = null;
  const promoteForm = document.getElementById('promote-form');

  function promoteMessage(message, error) {
    const line = document.getElementById('promote-message');
    line.textContent = message;
    line.className = error ? 'note error' : 'note';
  }

  function askPromotion(model) {
    promoting = model;
    text('promote-version', model.version);
    document.getElementById('promote-note').value = '';
    promoteForm.hidden = false;
    promoteMessage('', false);
  }

  document.getElementById('promote-cancel').addEventListener('click', () => { promoteForm.hidden = true; promoting = null; });
  document.getElementById('promote-confirm').addEventListener('click', async () => {
    if (!promoting) return;
    const model = promoting;
    let response, answer;
    try {
      response = await fetch(`/api/models/${model.number}/promote`, {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ note: document.getElementById('promote-note').value }),
      });
      answer = await response.json().catch(() => ({}));
    } catch {
      promoteMessage('the server did not answer (has the run ended?)', true);
      return;
    }

    if (response.status === 401 || response.status === 403) {
      promoteMessage('promoting a model needs a key with role analyst (or admin): sign in again with one at /login', true);
    } else if (!response.ok) {
      promoteMessage(answer.error || `the server answered ${response.status}`, true);
    } else {
      promoteForm.hidden = true;
      promoting = null;
      const replaced = answer.replaced ? `; ${answer.replaced.version} retired` : '';
      promoteMessage(`${answer.model.version} decides from now on${replaced}: ${answer.model.verdict.reason}`, false);
    }
  });

  // A small chart with a 0–1 axis on the left; points are [x, y] with x already in pixels.
  function plot(id, xLabels) {
    const canvas = document.getElementById(id);
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.font = '11px system-ui, sans-serif';
    const top = 8, bottom = height - 18, left = 36, right = width - 8;
    g.strokeStyle = '#e4e7ec';
    g.fillStyle = '#667085';
    g.beginPath();
    for (let i = 0; i <= 4; i++) {
      const y = bottom - (bottom - top) * i / 4;
      g.moveTo(left, y); g.lineTo(right, y);
      g.fillText(`${i * 25}%`, 2, y + 4);
    }
    g.stroke();
    const x = f => left + (right - left) * f;
    const y = v => bottom - (bottom - top) * v;
    xLabels.forEach(([f, label]) => g.fillText(label, Math.min(x(f), right - 60), height - 4));
    return { g, x, y, top, bottom };
  }

  function drawModelChart(points) {
    const chart = plot('model-chart', points.length === 0 ? [] : [[0, day(points[0].day_ms)], [1, day(points[points.length - 1].day_ms)]]);
    if (points.length === 0) return;
    const f = i => (points.length === 1 ? 0.5 : i / (points.length - 1));
    const { g, x, y } = chart;
    points.forEach((p, i) => {
      if (i > 0 && p.deciding !== points[i - 1].deciding) {
        g.strokeStyle = '#98a2b3';
        g.setLineDash([3, 3]);
        g.beginPath(); g.moveTo(x(f(i)), chart.top); g.lineTo(x(f(i)), chart.bottom); g.stroke();
        g.setLineDash([]);
      }
    });
    for (const [color, value] of [['#2f6fde', p => p.recall], ['#1e7b34', p => p.precision]]) {
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach((p, i) => (i === 0 ? g.moveTo(x(f(i)), y(value(p))) : g.lineTo(x(f(i)), y(value(p)))));
      g.stroke();
    }
  }

  function drawTradeOff(points, threshold) {
    const logs = points.map(p => Math.log10(Math.max(p.alerts_per_day, 1)));
    const low = Math.min(...logs, 0), high = Math.max(...logs, 1);
    const f = v => (high === low ? 0.5 : (v - low) / (high - low));
    const chart = plot('tradeoff-chart', points.length === 0 ? [] : [[0, `${number.format(10 ** low)} a day`], [1, `${number.format(Math.round(10 ** high))} a day`]]);
    const { g, x, y } = chart;
    for (const [color, value] of [['#2f6fde', p => p.recall], ['#1e7b34', p => p.precision]]) {
      g.strokeStyle = color;
      g.fillStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach((p, i) => (i === 0 ? g.moveTo(x(f(logs[i])), y(value(p))) : g.lineTo(x(f(logs[i])), y(value(p)))));
      g.stroke();
      // The deciding threshold: the point whose threshold is nearest it.
      if (threshold !== null && points.length > 0) {
        const at = points.reduce((best, p, i) => (Math.abs(p.threshold - threshold) < Math.abs(points[best].threshold - threshold) ? i : best), 0);
        g.beginPath(); g.arc(x(f(logs[at])), y(value(points[at])), 4, 0, 2 * Math.PI); g.fill();
      }
    }
  }

  // An instance silent for three of its 5 s reports is probably gone: its tasks move once its group notices.
  const SILENT_SECONDS = 15;

  function taskText(task) {
    if (task.phase === 'restoring') {
      return `${task.task} restoring` + (typeof task.restore_share === 'number' ? ` ${Math.round(task.restore_share * 100)} %` : '');
    }
    if (task.phase !== 'running') return `${task.task} ${task.phase}`;
    const restored = typeof task.restore_s === 'number' ? ` · restored in ${task.restore_s.toFixed(1)} s` : '';
    return `${task.task} · lag ${number.format(task.lag)}${restored}`;
  }

  function showInstances(instances) {
    document.getElementById('instances').hidden = instances.length === 0;
    document.getElementById('instance-rows').replaceChildren(...instances.map(instance => {
      const row = document.createElement('tr');
      const silent = instance.silent_s >= SILENT_SECONDS;
      row.className = instance.stopped ? 'stopped' : silent ? 'silent' : 'live';
      cell(row, instance.service);
      cell(row, instance.group);
      cell(row, instance.instance);
      cell(row, number.format(instance.processed), 'amount');
      const tasks = document.createElement('td');
      tasks.className = 'tasks';
      for (const task of instance.tasks) {
        const chip = document.createElement('span');
        chip.className = `task ${task.phase}`;
        chip.textContent = taskText(task);
        tasks.appendChild(chip);
      }
      if (instance.tasks.length === 0) tasks.textContent = instance.stopped ? 'none (handed over)' : 'none (waiting for its group)';
      row.appendChild(tasks);
      cell(row, instance.stopped ? 'stopped' : silent ? `silent for ${Math.round(instance.silent_s)} s` : `${Math.round(instance.silent_s)} s ago`);
      return row;
    }));
  }

  function drawChart() {
    const canvas = document.getElementById('chart');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.clearRect(0, 0, width, height);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#667085';
    const top = 12, bottom = height - 6, left = 60, right = width - 44;
    // Ticks are distinct round numbers whatever the data, none at all included.
    const rateStep = niceStep(Math.max(0, ...history.map(p => p.rate)), 1);
    const shareStep = niceStep(Math.max(0, ...history.map(p => p.share)), 0.1);
    const maxRate = rateStep * 4;
    const maxShare = shareStep * 4;
    g.strokeStyle = '#e4e7ec';
    g.beginPath();
    for (let i = 0; i <= 4; i++) {
      const y = bottom - (bottom - top) * i / 4;
      g.moveTo(left, y); g.lineTo(right, y);
      g.fillText(number.format(rateStep * i), 4, y + 4);
      g.fillText(`${(shareStep * i).toFixed(shareStep < 1 ? 1 : 0)}%`, right + 6, y + 4);
    }
    g.stroke();
    const x = i => right - (history.length - 1 - i) * (right - left) / (HISTORY_SECONDS - 1);
    const line = (color, value, max) => {
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      history.forEach((p, i) => {
        const y = bottom - (bottom - top) * value(p) / max;
        if (i === 0) g.moveTo(x(i), y); else g.lineTo(x(i), y);
      });
      g.stroke();
    };
    line('#2f6fde', p => p.rate, maxRate);
    line('#b3261e', p => p.share, maxShare);
  }

  function connect() {
    const events = new EventSource('/events');
    events.addEventListener('open', () => { connection.className = 'connection live'; connection.textContent = 'live'; });
    events.addEventListener('error', () => {
      connection.className = 'connection lost';
      connection.textContent = events.readyState === EventSource.CLOSED ? 'stopped' : 'reconnecting…';
    });
    events.addEventListener('transaction', e => {
      const message = JSON.parse(e.data);
      addTransaction(message.topic, message.record);
    });
    events.addEventListener('hello', e => { fraudsPerSecond = JSON.parse(e.data).frauds_per_second; });
    events.addEventListener('history', e => {
      // The last two minutes, so that the chart starts full rather than ramping from 0.
      history.splice(0, history.length, ...JSON.parse(e.data).points.map(p => ({ rate: p.rate, share: p.fraud_share * 100 })));
      drawChart();
    });
    events.addEventListener('stats', e => showStats(JSON.parse(e.data)));
  }

  window.addEventListener('resize', drawChart);
  connect();
})();

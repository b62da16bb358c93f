'use strict';
// The dashboard: polls /v1/stats every second and redraws the figures, the charts (uPlot) and the tables. Every
// name and message from the server goes in as text, never as HTML.
(() => {
  const $ = id => document.getElementById(id);
  const el = Hearth.el;
  const POLL_MILLIS = 1000;
  const charts = {};
  window.hearthCharts = charts;  // for the browser tests and the curious: the uPlot instances and their data
  let timer = null;
  let updates = 0;

  const number = v => v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en-US');
  const rate = v => v === null || v === undefined ? '–' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
  const percent = v => v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%';
  const millis = v => v === null || v === undefined ? '–' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(1) + ' ms';

  function bytes(v) {
    if (!v) {
      return '–';
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return v.toFixed(i === 0 ? 0 : 1) + ' ' + units[i];
  }

  function duration(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return 'up ' + (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
  }

  function makeChart(id, series) {
    const target = $(id);
    const options = {
      width: Math.max(300, target.clientWidth),
      height: 220,
      cursor: {drag: {x: false, y: false}},
      legend: {live: false},
      scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(1, max * 1.1)]}},
      axes: [
        {stroke: '#6b7280', grid: {stroke: '#f1f1f3'}, ticks: {stroke: '#e5e7eb'}},
        {stroke: '#6b7280', grid: {stroke: '#f1f1f3'}, ticks: {stroke: '#e5e7eb'}, size: 56},
      ],
      series: [{}].concat(series.map(s => ({label: s.label, stroke: s.color, width: 2,
        fill: s.fill, points: {show: false}}))),
    };
    const chart = new uPlot(options, [[], ...series.map(() => [])], target);
    charts[id] = chart;
    return chart;
  }

  function resize() {
    for (const [id, chart] of Object.entries(charts)) {
      chart.setSize({width: Math.max(300, $(id).clientWidth), height: 220});
    }
  }

  function row(cells) {
    const tr = el('tr');
    for (const c of cells) {
      const td = el('td', c.cls || null);
      if (c.node) {
        td.appendChild(c.node);
      } else {
        td.textContent = c.text === undefined || c.text === null ? '–' : String(c.text);
      }
      tr.appendChild(td);
    }
    return tr;
  }

  function fillTable(id, rows, emptyText, columns) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = el('tr', 'empty-row');
      const td = el('td', null, emptyText);
      td.colSpan = columns;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const r of rows) {
      body.appendChild(row(r));
    }
  }

  function bar(fraction, label) {
    const wrap = el('div', 'bar');
    const fill = el('div', 'bar-fill');
    fill.style.width = Math.max(0, Math.min(100, fraction * 100)).toFixed(1) + '%';
    wrap.appendChild(fill);
    const box = el('div', 'bar-box');
    box.append(wrap, el('span', 'bar-label', label));
    return box;
  }

  function kvBar(m) {
    const total = m.kv_blocks_total || 1;
    const wrap = el('div', 'bar stacked');
    const used = el('div', 'bar-fill');
    used.style.width = (m.kv_blocks_used / total * 100).toFixed(1) + '%';
    const cached = el('div', 'bar-fill cached');
    cached.style.width = (m.kv_blocks_cached / total * 100).toFixed(1) + '%';
    wrap.append(used, cached);
    const box = el('div', 'bar-box');
    box.append(wrap, el('span', 'bar-label', m.kv_blocks_used + ' / ' + m.kv_blocks_cached + ' / ' + m.kv_blocks_free));
    return box;
  }

  function circuit(state) {
    return el('span', 'pill ' + (state === 'closed' ? 'ok' : state === 'open' ? 'bad' : 'warn'), state);
  }

  function render(s) {
    const h = s.history;
    const last = h.time.length - 1;
    $('kpi-generated').textContent = last >= 0 ? rate(h.generated_tokens_per_second[last]) : '–';
    $('kpi-prompt').textContent = last >= 0 ? rate(h.prompt_tokens_per_second[last]) : '–';
    $('kpi-running').textContent = number(s.totals.running);
    $('kpi-waiting').textContent = number(s.totals.waiting) + ' waiting';
    $('kpi-kv').textContent = s.totals.kv_blocks_total ? percent(s.totals.kv_blocks_used / s.totals.kv_blocks_total) : '–';
    $('kpi-kv-detail').textContent = number(s.totals.kv_blocks_used) + ' of ' + number(s.totals.kv_blocks_total)
      + ' in use';
    $('kpi-hits').textContent = percent(s.totals.prefix_cache_hit_rate);
    $('kpi-hits-detail').textContent = number(s.totals.cached_prompt_tokens) + ' of '
      + number(s.totals.cached_prompt_tokens + s.totals.prompt_tokens) + ' tokens';
    $('kpi-total').textContent = number(s.totals.generated_tokens);
    $('kpi-uptime').textContent = duration(s.uptime_seconds);

    charts['chart-tokens'].setData([h.time, h.generated_tokens_per_second, h.prompt_tokens_per_second]);
    charts['chart-sequences'].setData([h.time, h.running, h.waiting]);

    fillTable('models-table', s.models.map(m => [
      {text: m.name, cls: 'strong'}, {text: m.architecture + ' ' + m.quantization}, {text: m.device},
      {text: bytes(m.weights_bytes), cls: 'num'}, {text: bytes(m.kv_bytes), cls: 'num'},
      {text: m.running + ' / ' + m.max_sequences, cls: 'num'}, {text: number(m.waiting), cls: 'num'},
      {node: kvBar(m)}, {text: percent(m.prefix_cache_hit_rate), cls: 'num'},
      {text: number(m.preemptions), cls: 'num'},
      {text: m.fairness_index === null ? '–' : m.fairness_index.toFixed(3), cls: 'num'},
    ]), 'No model loaded.', 11);

    const agents = s.agents;
    $('jain').textContent = "Jain's index " + (agents.jain_index === null ? '–' : agents.jain_index.toFixed(3));
    const byTokens = agents.data.slice().sort((a, b) => b.generated_tokens - a.generated_tokens
      || a.name.localeCompare(b.name));
    $('agent-count').textContent = byTokens.length ? byTokens.length + (byTokens.length === 1 ? ' agent' : ' agents') : '';
    fillTable('agents-table', byTokens.map(a => [
      {text: a.name, cls: 'strong'}, {text: a.priority || '–'}, {text: a.weight, cls: 'num'},
      {text: number(a.requests), cls: 'num'}, {text: number(a.errors), cls: 'num'},
      {text: number(a.rate_limited), cls: 'num'}, {text: number(a.prompt_tokens), cls: 'num'},
      {text: number(a.generated_tokens), cls: 'num'},
      {node: bar(a.share || 0, percent(a.share))},
    ]), agents.enabled ? 'No agent has called yet.' : 'Agents are off (--no-agents).', 9);

    const circuits = {};
    for (const b of s.backends) {
      b.circuits.forEach((state, i) => { circuits[b.circuits.length === 1 ? b.name : b.name + '.' + i] = state; });
    }
    fillTable('routes-table', s.routes.map(r => {
      const backend = r.target.split('/')[0];
      return [
        {text: r.target, cls: 'strong'}, {text: number(r.requests), cls: 'num'}, {text: number(r.errors), cls: 'num'},
        {text: number(r.fallbacks), cls: 'num'}, {text: millis(r.mean_first_byte_ms), cls: 'num'},
        {text: millis(r.mean_latency_ms), cls: 'num'},
        circuits[backend] ? {node: circuit(circuits[backend])} : {text: 'local'},
      ];
    }), 'No request routed yet.', 7);

    const list = $('errors');
    list.replaceChildren();
    const items = s.errors.map(e => ({time: e.time, head: e.status + ' ' + e.endpoint, text: e.message}))
      .concat(s.route_events.map(e => ({time: e.time, head: e.target, text: e.what})))
      .sort((a, b) => b.time - a.time).slice(0, 30);
    if (items.length === 0) {
      list.appendChild(el('li', 'muted', 'No errors.'));
    }
    for (const item of items) {
      const li = el('li');
      li.append(el('time', null, new Date(item.time * 1000).toLocaleTimeString()), el('span', 'event-head', item.head),
        el('span', 'event-text', item.text));
      list.appendChild(li);
    }
    updates++;
    document.body.dataset.updates = String(updates);
  }

  function setStatus(text, kind) {
    const status = $('status');
    status.textContent = text;
    status.className = 'pill ' + kind;
  }

  async function poll() {
    try {
      const stats = await Hearth.getJson('/v1/stats');
      $('key-panel').hidden = true;
      $('dashboard').hidden = false;
      render(stats);
      setStatus('live', 'ok');
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        askKey(e.status === 403 ? 'That key is not the admin key: the dashboard needs the admin key.'
          : 'This server has keys: the dashboard needs the admin key. It stays in this browser.');
        setStatus('locked', 'warn');
        return;  // polling resumes once a key is entered
      }
      setStatus(e.status ? 'error ' + e.status : 'server gone', 'bad');
    }
    timer = setTimeout(poll, POLL_MILLIS);
  }

  function askKey(reason) {
    $('key-reason').textContent = reason;
    $('key-panel').hidden = false;
    $('dashboard').hidden = true;
    $('admin-key').focus();
  }

  $('key-form').addEventListener('submit', e => {
    e.preventDefault();
    Hearth.setApiKey($('admin-key').value.trim());
    $('admin-key').value = '';
    clearTimeout(timer);
    poll();
  });
  $('key-button').addEventListener('click', () => {
    clearTimeout(timer);
    askKey('Enter the admin key (kept in this browser only).');
  });
  window.addEventListener('resize', resize);

  makeChart('chart-tokens', [
    {label: 'generated', color: '#c2410c', fill: 'rgba(194, 65, 12, 0.08)'},
    {label: 'prompt', color: '#2563eb', fill: 'rgba(37, 99, 235, 0.06)'},
  ]);
  makeChart('chart-sequences', [
    {label: 'running', color: '#059669', fill: 'rgba(5, 150, 105, 0.08)'},
    {label: 'waiting', color: '#d97706'},
  ]);
  poll();
})();

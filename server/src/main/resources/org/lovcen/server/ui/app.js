/*
 * Lovcen analyst UI. One page; the hash names the view (#/alerts?level=high). Every figure comes
 * from the public REST API under /api/v1 with the session cookie; requests that change something
 * carry the CSRF token (cookie lovcen_csrf) in X-CSRF-Token. Text from the server is always put
 * into the page as text (el(): textContent), never as HTML.
 */
'use strict';
(function () {
  const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'];
  const STATUSES = ['new', 'investigating', 'contained', 'resolved', 'false_positive'];
  const TITLES = { overview: 'Overview', alerts: 'Alerts', incidents: 'Incidents', incident: 'Incident',
    campaigns: 'Campaigns', campaign: 'Campaign', cases: 'Cases', case: 'Case',
    events: 'Event search', rules: 'Rules', websites: 'Websites', admin: 'Institutions & users' };
  /** Lists whose address with an id (#/cases/7) is the page of one item. */
  const DETAIL = { incidents: 'incident', campaigns: 'campaign', cases: 'case' };
  const state = { me: null, timer: null, rows: [], cur: -1, keys: null, chart: null, graph: null, institutions: [] };
  const $ = (sel, root) => (root || document).querySelector(sel);

  // ---- DOM ----

  /** An element: el('td.num', {title: 'x'}, 'text', child, ...). */
  function el(spec, attrs, ...kids) {
    const [tag, ...classes] = spec.split('.');
    const e = document.createElement(tag || 'div');
    if (classes.length) e.className = classes.join(' ');
    if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
      kids.unshift(attrs);
      attrs = null;
    }
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const k of kids.flat()) {
      if (k == null || k === false) continue;
      e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }

  const lvl = (l) => el('span.lvl.' + l, l || '');
  const chip = (t) => el('span.chip', t);
  const fmt = (t) => (t ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
  const num = (n) => (n == null ? '' : Number(n).toLocaleString('en'));

  // ---- API ----

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
      this.problems = (problem && problem.problems) || [];
    }
  }

  function cookie(name) {
    const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = cookie('lovcen_csrf') || '';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch('/api/v1' + path, { method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      if (res.status === 401 && path !== '/auth/login') showSignin();
      throw new ApiError(res.status, data);
    }
    return data;
  }
  const get = (path) => api('GET', path);

  function qs(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) p.append(k, v);
    const s = p.toString();
    return s ? '?' + s : '';
  }

  // ---- sign-in ----

  function showSignin() {
    stopTimer();
    $('#app').hidden = true;
    $('#signin').hidden = false;
    $('#signin-name').focus();
  }

  async function signin(ev) {
    ev.preventDefault();
    $('#signin-error').textContent = '';
    try {
      const r = await api('POST', '/auth/login', { name: $('#signin-name').value,
        password: $('#signin-password').value, cookie: true });
      $('#signin-password').value = '';
      state.me = r.user;
      start();
    } catch (e) {
      $('#signin-error').textContent = e.status === 401 ? 'Wrong name or password.' : e.message;
    }
  }

  async function signout() {
    try { await api('POST', '/auth/logout'); } catch (e) { /* signed out either way */ }
    state.me = null;
    showSignin();
  }

  function national() {
    return state.me && (state.me.role === 'admin' || state.me.role === 'national_analyst');
  }

  async function start() {
    $('#signin').hidden = true;
    $('#app').hidden = false;
    const m = state.me;
    $('#who').textContent = m.name + ' · ' + m.role.replace('_', ' ') + (m.institution ? ' · ' + m.institution : '');
    $('#nav-admin').hidden = m.role === 'partner';
    $('#nav-campaigns').hidden = m.role === 'partner';
    $('#nav-cases').hidden = m.role === 'partner';
    try {
      state.institutions = m.role === 'partner' ? [] : (await get('/institutions')).items;
    } catch (e) { state.institutions = []; }
    route();
  }

  // ---- routing ----

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '') || 'overview';
    const [path, query] = h.split('?');
    const parts = path.split('/');
    return { page: parts[0], id: parts[1], params: Object.fromEntries(new URLSearchParams(query || '')) };
  }

  function go(page, params) {
    location.hash = '#/' + page + qs(params || {});
  }

  function stopTimer() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    $('#live').hidden = true;
  }

  async function route() {
    if (!state.me) return;
    stopTimer();
    if (state.chart) { state.chart.destroy(); state.chart = null; }
    if (state.graph) { state.graph.dispose(); state.graph = null; }
    const r = parseHash();
    const page = r.id && DETAIL[r.page] ? DETAIL[r.page] : r.page;
    const view = VIEWS[page] || VIEWS.overview;
    document.querySelectorAll('.side a').forEach((a) =>
      a.classList.toggle('active', a.dataset.page === (r.id && DETAIL[r.page] ? r.page : page)));
    $('#title').textContent = TITLES[page] || 'Overview';
    document.title = 'Lovcen · ' + (TITLES[page] || 'Overview');
    const main = $('#main');
    main.replaceChildren(el('p.muted', 'Loading…'));
    state.rows = [];
    state.cur = -1;
    try {
      await view(main, r);
    } catch (e) {
      if (e.status === 401) return;
      main.replaceChildren(el('div.panel', el('p.error', e.status === 404 ? 'Not found.' : e.message)));
    }
    main.dataset.ready = page;
  }

  // ---- shared pieces ----

  function institutionSelect(value, name) {
    const s = el('select', { name: name || 'institution' }, el('option', { value: '' }, 'All institutions'),
      state.institutions.map((i) => el('option', { value: i.id, selected: i.id === value }, i.id + ' · ' + i.name)));
    return s;
  }

  function levelSelect(value) {
    return el('select', { name: 'level' }, el('option', { value: '' }, 'Any level'),
      LEVELS.map((l) => el('option', { value: l, selected: l === value }, l + '+')));
  }

  function field(label, input) {
    return el('label', label, input);
  }

  function formParams(form) {
    const out = {};
    new FormData(form).forEach((v, k) => { if (v !== '') out[k] = v; });
    return out;
  }

  /** Rows the keyboard moves through (j, k, Enter, x). */
  function navigable(rows, open) {
    state.rows = rows.map((tr) => ({ tr, open }));
    state.cur = -1;
    rows.forEach((tr, i) => tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a, input, button, select')) return;
      setCur(i);
      open(tr);
    }));
  }

  function setCur(i) {
    if (!state.rows.length) return;
    state.cur = Math.max(0, Math.min(state.rows.length - 1, i));
    state.rows.forEach((r, j) => r.tr.classList.toggle('cur', j === state.cur));
    state.rows[state.cur].tr.scrollIntoView({ block: 'nearest' });
  }

  function pager(page, params, pageName, cursors) {
    const bar = el('div.toolbar');
    const shown = page.items.length;
    bar.append(el('span.muted', num(page.total) + ' in total · ' + num(shown) + ' shown'));
    if (params.cursor) bar.append(el('button', { type: 'button', id: 'first-page', onclick: () => go(pageName, { ...params, cursor: '' }) }, '« First page'));
    if (page.next) bar.append(el('button', { type: 'button', id: 'next-page', onclick: () => go(pageName, { ...params, cursor: page.next }) }, 'Next page »'));
    return bar;
  }

  function kv(obj) {
    const dl = el('dl.kv');
    for (const [k, v] of Object.entries(obj || {})) {
      dl.append(el('dt', k), el('dd', v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)));
    }
    return dl;
  }

  function eventDetail(e) {
    return el('div.event-detail', el('h3', 'Event ' + e.id),
      kv({ time: e.time, institution: e.institution, host: e.host, channel: e.channel, provider: e.provider,
        event_id: e.event_id, source: e.source, record: e.record }),
      el('h3', 'Fields'), kv(e.fields));
  }

  function modal(title, body, buttons) {
    const box = el('div.modal-box', el('h2', title), body, el('div.toolbar', buttons));
    const m = el('div.modal', { role: 'dialog' }, box);
    m.addEventListener('click', (ev) => { if (ev.target === m) m.remove(); });
    document.body.append(m);
    const f = box.querySelector('input, textarea, select');
    if (f) f.focus();
    return m;
  }

  // ---- overview ----

  async function overview(main, r) {
    const inst = r.params.institution || '';
    const range = r.params.range || '12h';
    const form = el('form.filters', { id: 'overview-filter' },
      national() ? field('Institution', institutionSelect(inst)) : null,
      field('Range', el('select', { name: 'range' }, ['6h', '12h', '24h', '72h', '7d', '30d'].map((x) =>
        el('option', { value: x, selected: x === range }, 'last ' + x + ' of activity')))),
      el('button', { type: 'submit' }, 'Show'));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); go('overview', formParams(form)); });
    const body = el('div');
    main.replaceChildren(form, body);
    const draw = async () => {
      const hours = { '6h': 6, '12h': 12, '24h': 24, '72h': 72, '7d': 168, '30d': 720 }[range] || 24;
      const o = await get('/overview' + qs({ institution: inst, hours, buckets: 60 }));
      renderOverview(body, o, inst);
    };
    await draw();
    state.timer = setInterval(() => draw().catch(() => {}), 10000);
    $('#live').hidden = false;
  }

  function renderOverview(body, o, inst) {
    const open = o.open_incidents || {};
    const totalOpen = Object.values(open).reduce((a, b) => a + b, 0);
    const kpis = el('div.kpis',
      el('div.kpi', el('div.v', { id: 'kpi-alerts' }, num(o.alerts)), el('div.l', 'alerts ' + fmt(o.from) + ' – ' + fmt(o.to))),
      el('div.kpi', el('div.v', num(o.institutions.length)), el('div.l', 'institutions hit')),
      el('a.kpi', { href: '#/incidents?open=true' }, el('div.v', { id: 'kpi-open' }, num(totalOpen)), el('div.l', 'open incidents')),
      ['critical', 'high', 'medium', 'low'].map((l) => el('a.kpi.' + l, { href: '#/incidents' + qs({ open: 'true', level: l, institution: inst }) },
        el('div.v', num(open[l] || 0)), el('div.l', 'open ' + l))));
    const chartBox = el('div.chart', { id: 'chart' });
    const hit = el('table.grid', { id: 'institutions-hit' },
      el('thead', el('tr', el('th', 'Institution'), el('th.num', 'Alerts'), el('th', 'Since'), el('th', 'Latest'))),
      el('tbody', o.institutions.slice().sort((a, b) => b.total - a.total).map((s) => el('tr.click',
        { dataset: { institution: s.institution } },
        el('td', el('a', { href: '#/alerts' + qs({ institution: s.institution, from: o.from, to: o.to }) }, s.institution)),
        el('td.num', num(s.total)), el('td.nowrap.mono', fmt(s.first)), el('td.nowrap.mono', fmt(s.last))))));
    const rules = el('table.grid', { id: 'top-rules' },
      el('thead', el('tr', el('th', 'Rule'), el('th', 'Level'), el('th.num', 'Alerts'))),
      el('tbody', o.top_rules.map((x) => el('tr',
        el('td.clip', el('a', { href: '#/alerts' + qs({ rule: x.id, institution: inst, from: o.from, to: o.to }), title: x.title }, x.title)),
        el('td', lvl(x.level)), el('td.num', num(x.count))))));
    const maxT = Math.max(1, ...o.top_tactics.map((t) => t.count));
    const tactics = el('div', { id: 'top-tactics' }, o.top_tactics.length ? o.top_tactics.map((t) => el('a.bar',
      { href: '#/alerts' + qs({ tag: 'attack.' + t.tactic.replace(/-/g, '_'), institution: inst, from: o.from, to: o.to }) },
      el('span.name', t.tactic), el('span.track', el('span.fill', { style: 'display:block;width:' + (100 * t.count / maxT).toFixed(1) + '%' })),
      el('span.n', num(t.count)))) : el('p.muted', 'No ATT&CK tactics in this range.'));
    const sites = el('div', { id: 'sites-health' }, el('p.muted', 'Loading…'));
    body.replaceChildren(kpis,
      o.response && state.me.role !== 'partner' ? responseRow(o.response) : null,
      el('div.panel', el('h2', 'Alerts per institution'), chartBox),
      el('div.row',
        el('div.col', el('div.panel', el('h2', 'Institutions hit'), hit)),
        el('div.col', el('div.panel', el('h2', 'Top rules'), rules)),
        el('div.col', el('div.panel', el('h2', 'ATT&CK tactics'), tactics))),
      el('div.panel', el('h2', 'Websites'), sites));
    drawChart(chartBox, o);
    siteHealth(sites);
  }

  /** What is being done: active campaigns, open cases with their tasks, decisions in force per institution. */
  function responseRow(r) {
    const short = (t) => fmt(t).slice(5, 16); // MM-DD HH:MM
    const head = (href, x, title) => el('div.line', el('a', { href, title: x.title }, '#' + x.id), ' ', lvl(x.level), ' ',
      el('a', { href, title: x.title }, title || x.title));
    const camps = r.campaigns.items;
    const campaigns = camps.length ? el('div.items', { id: 'active-campaigns' }, camps.map((c) => el('div.item', { dataset: { id: c.id } },
      head('#/campaigns/' + c.id, c),
      el('div.sub', el('span', { class: 'named', title: num(c.institutions) + ' institutions' },
        c.named.length === c.institutions ? c.named.join(', ') : num(c.institutions) + ' institutions' + (c.named.length ? ' (yours: ' + c.named.join(', ') + ')' : '')),
      ' · ' + num(c.hosts) + ' hosts · ', el('span.mono', short(c.first) + ' – ' + short(c.last))))))
      : el('p.muted', 'No active campaign.');
    const cases = r.cases.items.length ? el('div.items', { id: 'open-cases' }, r.cases.items.map((c) => {
      const t = c.tasks;
      const counted = t.total - t.skipped;
      return el('div.item', { dataset: { id: c.id } }, head('#/cases/' + c.id, c),
        el('div.sub', el('span.progress', { title: t.done + ' done, ' + t.skipped + ' skipped, ' + t.total + ' tasks' },
          el('span.track', el('span.fill', { style: 'width:' + (counted ? (100 * t.done / counted).toFixed(0) : 0) + '%' })),
          ' ' + t.done + '/' + counted + ' tasks done'),
        c.overdue ? el('span.error', { class: 'overdue' }, ' · overdue' + (t.overdue ? ' (' + t.overdue + (t.overdue === 1 ? ' task)' : ' tasks)') : '')) : null,
        ' · ' + (c.institution || 'national CERT') + ' · ' + c.status.replace('_', ' ') + (c.assignee ? ' · ' + c.assignee : '')));
    })) : el('p.muted', 'No open case.');
    const decisions = r.decisions.length ? el('table.grid', { id: 'decisions-in-force' },
      el('thead', el('tr', el('th', 'Institution'), el('th.num', 'In force'), el('th.num', 'Bans'), el('th.num', 'By analysts'),
        el('th', 'Last ends'))),
      el('tbody', r.decisions.map((d) => el('tr', { dataset: { institution: d.institution }, title: 'proposed on ' + d.sites + ' site(s)' },
        el('td', el('a', { href: '#/websites' }, d.institution)), el('td.num', num(d.active)), el('td.num', num(d.bans)),
        el('td.num', num(d.by_analysts)), el('td.nowrap.mono', short(d.last_until))))))
      : el('p.muted', 'No decision in force.');
    return el('div.row', { id: 'response' },
      el('div.col', el('div.panel', el('h2', el('a', { href: '#/campaigns?status=active' }, 'Active campaigns'), ' (' + num(r.campaigns.active) + ')'), campaigns)),
      el('div.col', el('div.panel', el('h2', el('a', { href: '#/cases' }, 'Open cases'), ' (' + num(r.cases.open) + ', ' + num(r.cases.overdue) + ' overdue)'), cases)),
      el('div.col', el('div.panel', el('h2', el('a', { href: '#/websites' }, 'Decisions in force')), decisions)));
  }

  const PALETTE = ['#4f8ff7', '#ff8c42', '#4cc38a', '#f5c542', '#c678dd', '#ff4d6d', '#56b6c2', '#e5a07b', '#98c379', '#8b96a8'];

  function drawChart(box, o) {
    if (state.chart) { state.chart.destroy(); state.chart = null; }
    if (!window.uPlot) { box.append(el('p.muted', 'Chart library missing.')); return; }
    const xs = o.buckets.map((b) => Date.parse(b) / 1000);
    const data = [xs, ...o.institutions.map((s) => s.counts)];
    const styles = getComputedStyle(document.documentElement);
    const text = styles.getPropertyValue('--muted').trim();
    const grid = styles.getPropertyValue('--line').trim();
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const opts = {
      width: Math.max(300, box.clientWidth), height: 200, legend: { show: true },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 50 }],
      series: [{ label: 'time' }, ...o.institutions.map((s, i) => ({ label: s.institution, stroke: PALETTE[i % PALETTE.length],
        width: 1.5, fill: PALETTE[i % PALETTE.length] + '22', points: { show: false }, paths: uPlot.paths.stepped({ align: 1 }) }))],
    };
    if (!o.institutions.length) {
      box.append(el('p.muted', 'No alerts in this range.'));
      return;
    }
    state.chart = new uPlot(opts, data, box);
  }

  async function siteHealth(box) {
    try {
      const s = await get('/sites');
      const items = s.items || [];
      if (!items.length) { box.replaceChildren(el('p.muted', 'No website statistics yet.')); return; }
      box.replaceChildren(sitesTable(items));
    } catch (e) {
      box.replaceChildren(el('p.muted', e.status === 404 ? 'Website statistics are not served by this server.' : e.message));
    }
  }

  function sitesTable(items) {
    return el('table.grid', { id: 'sites' },
      el('thead', el('tr', el('th', 'Site'), el('th', 'Institution'), el('th.num', 'Requests/s'), el('th.num', 'Errors'),
        el('th.num', 'Active decisions'), el('th', { title: 'attacks whose last evidence is within the last ' + CURRENT_MINUTES +
          ' minutes of the site\'s own data' }, 'Attack under way'))),
      el('tbody', items.map((x) => el('tr', { dataset: { site: x.site, institution: x.institution || '' } },
        el('td', el('a', { href: '#/websites' + qs({ site: x.site }) }, x.site)), el('td', x.institution || ''),
        el('td.num', x.requests_per_second == null ? '' : Number(x.requests_per_second).toFixed(1)),
        el('td.num', x.error_share == null ? '' : (100 * x.error_share).toFixed(1) + '%'),
        el('td.num', num(x.active_decisions)),
        el('td.wrap.attacks', attacksCell(x))))));
  }

  /** Names of the website attacks (detectors; exploit: the Sigma webserver rules). */
  const ATTACK_KINDS = { source_flood: 'flood', distributed_flood: 'distributed flood', scan: 'scan', crawl: 'crawling',
    brute_force: 'brute force', ua_rotation: 'user-agent rotation', outage: 'outage', campaign: 'coordinated flood',
    exploit: 'exploit attempts' };
  const CURRENT_MINUTES = 10;
  const attackName = (k) => ATTACK_KINDS[k] || ATTACK_KINDS.exploit;

  /** A time as HH:MM (UTC), with the date when it is not the day of {@code ref}. */
  function hm(t, ref) {
    const f = fmt(t);
    return ref && f.slice(0, 10) === fmt(ref).slice(0, 10) ? f.slice(11, 16) : f.slice(0, 16);
  }

  /** A site's attacks under way (each kind: since when, how many sources, its alerts), else the last one and its end. */
  function attacksCell(x) {
    const kinds = x.current_attacks || [];
    if (kinds.length) {
      return kinds.map((k) => el('div.attack', { dataset: { kind: k.kind } },
        el('a.lvl.' + k.level, { href: '#/alerts' + qs({ kind: 'web', institution: x.institution, host: x.site,
          rule: k.kind === 'exploit' ? '' : k.kind, from: k.since }),
        title: k.title + ': ' + num(k.alerts) + ' alert(s) from ' + fmt(k.since) + ' to ' + fmt(k.last) }, attackName(k.kind)),
        ' since ', el('span.mono', { class: 'since' }, hm(k.since, x.last_minute)),
        ' · ', el('span', { class: 'sources' }, num(k.sources) + (k.sources === 1 ? ' source' : ' sources')),
        k.kind === 'exploit' && k.rules > 1 ? ' · ' + k.rules + ' rules' : null));
    }
    const a = x.last_attack;
    if (!a) return el('span.muted', 'none');
    const exploit = !ATTACK_KINDS[a.detector];
    return el('span.muted.ended', 'none · last: ', el('a', { href: '#/alerts' + qs({ kind: 'web', institution: x.institution,
      host: x.site, rule: exploit ? '' : a.detector, from: a.first }), title: a.title + ' from ' + fmt(a.first) + ' to ' + fmt(a.last) },
    attackName(a.detector)), ' ended ' + hm(a.last, x.last_minute));
  }

  // ---- alerts ----

  async function alerts(main, r) {
    const p = r.params;
    const form = el('form.filters', { id: 'alert-filter' },
      field('From', el('input', { name: 'from', value: p.from || '', placeholder: '2022-08-22T00:00:00Z' })),
      field('To', el('input', { name: 'to', value: p.to || '', placeholder: 'RFC 3339' })),
      national() ? field('Institution', institutionSelect(p.institution)) : null,
      field('Host', el('input', { name: 'host', value: p.host || '' })),
      field('Level', levelSelect(p.level)),
      field('Rule id', el('input.wide', { name: 'rule', value: p.rule || '' })),
      field('Tag', el('input', { name: 'tag', value: p.tag || '', placeholder: 'attack.t1003.001' })),
      field('Kind', el('select', { name: 'kind' }, el('option', { value: '' }, 'Any'),
        ['sigma', 'correlation', 'indicator', 'web'].map((k) => el('option', { value: k, selected: k === p.kind }, k)))),
      el('button.primary', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); go('alerts', formParams(form)); });
    const page = await get('/alerts' + qs({ ...p, limit: p.limit || 100 }));
    const detail = el('aside.detail', { id: 'alert-detail', hidden: true });
    const selected = new Set();
    const count = el('span.muted', { id: 'selected-count' }, '0 selected');
    const toolbar = el('div.toolbar',
      el('button', { type: 'button', id: 'assign', onclick: () => assignDialog([...selected]) }, 'Add selected to incident…'),
      count);
    const all = el('input', { type: 'checkbox', title: 'Select all on this page' });
    const trs = page.items.map((a) => {
      const box = el('input', { type: 'checkbox', class: 'pick', value: a.id });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(a.id); else selected.delete(a.id);
        count.textContent = selected.size + ' selected';
      });
      return el('tr.click', { dataset: { id: a.id }, tabindex: -1 },
        el('td', box), el('td.nowrap.mono', fmt(a.time)), el('td', lvl(a.level)), el('td', a.institution),
        el('td.mono.host', { title: a.host || '' }, a.host || ''), el('td.clip', { title: a.rule.title }, a.rule.title),
        el('td', a.tags.filter((t) => /^attack\.t\d/.test(t)).slice(0, 3).map((t) => chip(t.slice(7).toUpperCase()))),
        el('td', a.incident ? el('a', { href: '#/incidents/' + a.incident }, '#' + a.incident) : ''));
    });
    all.addEventListener('change', () => trs.forEach((tr) => {
      const b = tr.querySelector('.pick');
      if (b.checked !== all.checked) { b.checked = all.checked; b.dispatchEvent(new Event('change')); }
    }));
    const table = el('table.grid', { id: 'alerts' },
      el('thead', el('tr', el('th', all), el('th', 'Time'), el('th', 'Level'), el('th', 'Institution'), el('th', 'Host'),
        el('th', 'Rule'), el('th', 'ATT&CK'), el('th', 'Incident'))), el('tbody', trs));
    const split = el('div.split', el('div', toolbar, table, pager(page, p, 'alerts')), detail);
    main.replaceChildren(form, split);
    navigable(trs, (tr) => { split.classList.add('open'); showAlert(detail, Number(tr.dataset.id)); });
  }

  async function showAlert(detail, id) {
    detail.hidden = false;
    detail.replaceChildren(el('p.muted', 'Loading…'));
    const a = await get('/alerts/' + id);
    detail.replaceChildren(
      el('div.toolbar', el('h3', a.rule.title), el('span.grow'), el('button', { type: 'button', onclick: () => closeDetail() }, '✕')),
      el('div.toolbar', lvl(a.level), el('span.status', a.kind),
        a.incident ? el('a', { id: 'open-incident', href: '#/incidents/' + a.incident }, 'Incident #' + a.incident + ' →') : null,
        state.me.role !== 'partner' ? el('button.danger', { type: 'button', id: 'false-positive', onclick: () => falsePositive(a) }, 'False positive…') : null),
      kv({ id: a.id, time: a.time, last: a.last, institution: a.institution, host: a.host, rule: a.rule.id,
        author: a.rule.author, tags: a.tags.join(' '), fingerprint: a.fingerprint }),
      Object.keys(a.fields || {}).length ? el('div', el('h3', 'Key fields'), kv(a.fields)) : null,
      a.event ? eventDetail(a.event) : (a.evidence && a.evidence.length ? el('div', el('h3', 'Evidence'),
        el('ul', a.evidence.map((x) => el('li', el('a', { href: '#/events' + qs({ id: x.event }) }, 'event ' + x.event))))) : null));
  }

  function closeDetail() {
    const d = document.querySelector('.detail');
    if (d) { d.hidden = true; d.parentElement.classList.remove('open'); }
  }

  function assignDialog(ids) {
    if (!ids.length) { alert('Select alerts first (x or the check boxes).'); return; }
    const input = el('input', { id: 'assign-incident', type: 'number', min: 1, placeholder: 'incident id' });
    const msg = el('p.error');
    const m = modal('Add ' + ids.length + ' alert(s) to an incident', el('div', field('Incident', input), msg), [
      el('button.primary', { type: 'button', id: 'assign-ok', onclick: async () => {
        try {
          const inc = await api('POST', '/incidents/' + Number(input.value) + '/alerts', { alerts: ids });
          m.remove();
          go('incidents/' + inc.id);
        } catch (e) { msg.textContent = e.message; }
      } }, 'Add'),
      el('button', { type: 'button', onclick: () => m.remove() }, 'Cancel')]);
  }

  /** A Sigma filter that silences this rule for what made this alert (the host and its key fields). */
  function filterSuggestion(a) {
    const q = (v) => "'" + String(v).replace(/'/g, "''") + "'";
    const sel = [];
    if (a.host) sel.push('    Computer: ' + q(a.host));
    for (const k of ['Image', 'ParentImage', 'CommandLine', 'User', 'ServiceName', 'TargetFilename']) {
      const v = (a.fields || {})[k] || (a.event && a.event.fields && a.event.fields[k]);
      if (v && typeof v === 'string' && v.length < 300) sel.push('    ' + k + ': ' + q(v));
    }
    if (!sel.length) sel.push('    Computer: ' + q(a.host || ''));
    return ['title: false positive of ' + a.rule.title.replace(/[\r\n]/g, ' ') + ' on ' + (a.host || a.institution),
      'description: marked as false positive from alert ' + a.id + ' by ' + state.me.name,
      'logsource:', '  product: windows', 'filter:', '  rules:', '    - ' + a.rule.id, '  selection:', ...sel,
      '  condition: not selection', ''].join('\n');
  }

  function falsePositive(a) {
    const name = el('input.wide', { id: 'fp-name', value: 'false positive: ' + a.rule.title.slice(0, 80) });
    const yaml = el('textarea', { id: 'fp-yaml', rows: 14 }, filterSuggestion(a));
    const close = el('input', { type: 'checkbox', id: 'fp-close', checked: !!a.incident });
    const msg = el('p.error', { id: 'fp-error' });
    const m = modal('False positive: filter suggestion', el('div',
      el('p.muted', 'This filter keeps the rule from alerting on the same host and fields again in ' + a.institution + '. Edit it before saving.'),
      field('Name', name), yaml,
      a.incident ? el('label', close, ' also set incident #' + a.incident + ' to false positive') : null, msg), [
      el('button.primary', { type: 'button', id: 'fp-save', onclick: async () => {
        try {
          await api('POST', '/institutions/' + encodeURIComponent(a.institution) + '/filters', { name: name.value, yaml: yaml.value });
          if (a.incident && close.checked) await api('PATCH', '/incidents/' + a.incident, { status: 'false_positive' });
          m.remove();
          route();
        } catch (e) { msg.textContent = e.message; }
      } }, 'Save filter'),
      el('button', { type: 'button', onclick: () => m.remove() }, 'Cancel')]);
  }

  // ---- incidents ----

  async function incidents(main, r) {
    const p = r.params;
    const form = el('form.filters', { id: 'incident-filter' },
      national() ? field('Institution', institutionSelect(p.institution)) : null,
      field('Host', el('input', { name: 'host', value: p.host || '' })),
      field('Level', levelSelect(p.level)),
      field('Status', el('select', { name: 'status' }, el('option', { value: '' }, 'Any'),
        STATUSES.map((s) => el('option', { value: s, selected: s === p.status }, s)))),
      field('Open', el('select', { name: 'open' }, el('option', { value: '' }, 'Open and closed'),
        el('option', { value: 'true', selected: p.open === 'true' }, 'Open only'),
        el('option', { value: 'false', selected: p.open === 'false' }, 'Closed only'))),
      field('Assignee', el('input', { name: 'assignee', value: p.assignee || '' })),
      el('button.primary', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); go('incidents', formParams(form)); });
    const page = await get('/incidents' + qs({ ...p, limit: 100 }));
    const trs = page.items.map((i) => el('tr.click', { dataset: { id: i.id } },
      el('td.mono', el('a', { href: '#/incidents/' + i.id }, '#' + i.id)), el('td', lvl(i.level)),
      el('td', el('span.status', i.status)), el('td', i.institution), el('td.mono.host', { title: i.host }, i.host),
      el('td.clip', { title: i.title }, i.title), el('td.num', num(i.alerts)),
      el('td', i.techniques.slice(0, 4).map(chip)), el('td.nowrap.mono', fmt(i.first)), el('td.nowrap.mono', fmt(i.last)),
      el('td', i.assignee || '')));
    main.replaceChildren(form, el('table.grid', { id: 'incidents' }, el('thead', el('tr', el('th', 'Id'), el('th', 'Level'),
      el('th', 'Status'), el('th', 'Institution'), el('th', 'Host'), el('th', 'Title'), el('th.num', 'Alerts'),
      el('th', 'Techniques'), el('th', 'First'), el('th', 'Last'), el('th', 'Assignee'))), el('tbody', trs)),
      pager(page, p, 'incidents'));
    navigable(trs, (tr) => go('incidents/' + tr.dataset.id));
  }

  async function incident(main, r) {
    const id = Number(r.id);
    const i = await get('/incidents/' + id);
    const items = [];
    let cursor = null;
    do {
      const pg = await get('/incidents/' + id + '/alerts' + qs({ limit: 1000, cursor }));
      items.push(...pg.items);
      cursor = pg.next;
    } while (cursor && items.length < 5000);
    items.reverse();
    const hosts = [...new Set(items.map((a) => a.host).filter(Boolean))];
    const partner = state.me.role === 'partner';
    const status = el('select', { id: 'status', disabled: partner }, STATUSES.map((s) => el('option', { value: s, selected: s === i.status }, s)));
    const assignee = el('input', { id: 'assignee', value: i.assignee || '', placeholder: 'nobody', disabled: partner });
    const saved = el('span.muted', { id: 'saved' });
    const save = async () => {
      try {
        await api('PATCH', '/incidents/' + id, { status: status.value, assignee: assignee.value });
        saved.textContent = 'Saved.';
      } catch (e) { saved.textContent = e.message; }
    };
    const summary = el('div.panel', { id: 'incident-summary' },
      el('div.toolbar', el('h3', { style: 'margin:0' }, '#' + i.id + ' ' + i.title), lvl(i.level)),
      kv({ institution: i.institution, host: i.host, first: i.first, last: i.last, alerts: i.alerts,
        tactics: i.tactics.join(', '), rules: i.rules.length }),
      el('div.toolbar', field('Status', status), field('Assignee', assignee),
        partner ? null : el('button.primary', { type: 'button', id: 'save-incident', onclick: save }, 'Save'), saved),
      partner ? null : responseBar({ incident: id }, 'incidents', id));
    const affected = el('div.panel', el('h2', 'Affected hosts'), hosts.map((h) => el('a.chip.mono', { href: '#/events' + qs({ institution: i.institution, host: h, from: i.first }) }, h)),
      el('h2', { style: 'margin-top:10px' }, 'ATT&CK techniques'), i.techniques.map((t) =>
        el('a.chip', { href: '#/alerts' + qs({ tag: 'attack.' + t.toLowerCase(), institution: i.institution }) }, t)));
    const timeline = el('div.timeline', { id: 'timeline' }, items.map((a) => {
      const box = el('div');
      const item = el('div.tl-item.' + a.level, { dataset: { alert: a.id } },
        el('div.toolbar', el('span.mono.nowrap', fmt(a.time)), lvl(a.level), el('span.mono', a.host || ''),
          el('a', { href: '#', class: 'tl-open', onclick: async (ev) => {
            ev.preventDefault();
            if (box.childElementCount) { box.replaceChildren(); return; }
            const full = await get('/alerts/' + a.id);
            box.replaceChildren(el('div.tl-event', full.event ? eventDetail(full.event) : kv(full.fields)));
          } }, a.rule.title),
          a.tags.filter((t) => /^attack\.t\d/.test(t)).map((t) => chip(t.slice(7).toUpperCase()))), box);
      return item;
    }));
    const notes = el('div', { id: 'notes' });
    const noteText = el('textarea', { id: 'note-text', rows: 3, placeholder: 'What was found, what was done' });
    const loadNotes = async () => {
      if (partner) { notes.replaceChildren(el('p.muted', 'Notes are the CERT\'s own.')); return; }
      const n = await get('/incidents/' + id + '/notes');
      notes.replaceChildren(...(n.items.length ? n.items.map((x) => el('div.note', el('span.muted', fmt(x.created) + ' · ' + x.author + ': '), x.text))
        : [el('p.muted', 'No notes yet.')]));
    };
    main.replaceChildren(
      el('div.row', el('div.col', summary), el('div.col', affected)),
      el('div.row',
        el('div.col', { style: 'flex:2 1 520px' }, el('div.panel', el('h2', 'Timeline (' + items.length + ' alerts, oldest first)'), timeline)),
        el('div.col', el('div.panel', el('h2', 'Notes'), notes, partner ? null : el('div', noteText,
          el('button.primary', { type: 'button', id: 'add-note', onclick: async () => {
            if (!noteText.value.trim()) return;
            await api('POST', '/incidents/' + id + '/notes', { text: noteText.value });
            noteText.value = '';
            loadNotes();
          } }, 'Add note'))))));
    await loadNotes();
  }

  // ---- response: shared pieces ----

  /** Links to the HTML and PDF report of an incident, campaign or case ('incidents', 12). */
  function reportLinks(kind, id) {
    const base = '/api/v1/' + kind + '/' + id + '/report';
    return el('span.reports', 'Report ',
      el('a', { href: base + '?format=html', target: '_blank', rel: 'noopener', id: 'report-html', title: 'R' }, 'HTML'),
      ' · ', el('a', { href: base + '?format=pdf', id: 'report-pdf', download: kind.replace(/s$/, '') + '-' + id + '.pdf' }, 'PDF'));
  }

  /** Under an incident or campaign: its cases, a button that opens one, and the report links. */
  function responseBar(subject, kind, id) {
    const list = el('span', { id: 'subject-cases' });
    const mayOpen = !subject.campaign || national();
    const bar = el('div.toolbar',
      mayOpen ? el('button', { type: 'button', id: 'open-case', title: 'o', onclick: async (ev) => {
        ev.target.disabled = true;
        try { go('cases/' + (await api('POST', '/cases', subject)).id); } catch (e) { list.replaceChildren(el('span.error', e.message)); ev.target.disabled = false; }
      } }, 'Open a case') : null,
      list, el('span.grow'), reportLinks(kind, id));
    get('/cases' + qs({ ...subject, limit: 20 })).then((p) => list.replaceChildren(...p.items.map((c) =>
      el('a.chip', { href: '#/cases/' + c.id, title: c.title }, 'case #' + c.id + ' · ' + c.status.replace('_', ' ')))))
      .catch(() => {});
    return bar;
  }

  const isoInput = (t) => (t ? t.slice(0, 16) : '');
  const isoOutput = (v) => (v ? v + ':00Z' : '');

  // ---- campaigns ----

  async function campaigns(main, r) {
    const p = r.params;
    const form = el('form.filters', { id: 'campaign-filter' },
      national() ? field('Institution', institutionSelect(p.institution)) : null,
      field('Status', el('select', { name: 'status' }, el('option', { value: '' }, 'Active and closed'),
        ['active', 'closed'].map((x) => el('option', { value: x, selected: x === p.status }, x)))),
      field('From', el('input', { name: 'from', value: p.from || '', placeholder: '2022-08-22T00:00:00Z' })),
      field('To', el('input', { name: 'to', value: p.to || '' })),
      el('button.primary', { type: 'submit' }, 'Filter'),
      national() ? el('button', { type: 'button', id: 'link-now', title: 'Link the recent alerts into campaigns now',
        onclick: async () => { await api('POST', '/campaigns/link'); route(); } }, 'Link now') : null);
    form.addEventListener('submit', (ev) => { ev.preventDefault(); go('campaigns', formParams(form)); });
    const page = await get('/campaigns' + qs({ ...p, limit: 100 }));
    const trs = page.items.map((c) => el('tr.click', { dataset: { id: c.id } },
      el('td.mono', el('a', { href: '#/campaigns/' + c.id }, '#' + c.id)), el('td', lvl(c.level)),
      el('td', el('span.status', c.status)), el('td.clip', { title: c.title }, c.title),
      el('td.num', num(c.institutions)), el('td.num', num(c.hosts)),
      el('td.mono.host', c.patient_zero ? c.patient_zero.institution + ' / ' + c.patient_zero.host : '—'),
      el('td', c.techniques.slice(0, 3).map(chip), c.techniques.length > 3 ? el('span.muted', '+' + (c.techniques.length - 3)) : null),
      el('td.nowrap.mono', fmt(c.first)), el('td.nowrap.mono', fmt(c.last))));
    main.replaceChildren(form, page.items.length ? el('table.grid', { id: 'campaigns' }, el('thead', el('tr', el('th', 'Id'),
      el('th', 'Level'), el('th', 'Status'), el('th', 'Title'), el('th.num', 'Institutions'), el('th.num', 'Hosts'),
      el('th', 'Patient zero'), el('th', 'Techniques'), el('th', 'First seen'), el('th', 'Last seen'))), el('tbody', trs))
      : el('p.muted', 'No campaign: no hosts of different institutions share strong, rare evidence.'),
    pager(page, p, 'campaigns'));
    navigable(trs, (tr) => go('campaigns/' + tr.dataset.id));
  }

  async function campaign(main, r) {
    const id = Number(r.id);
    const c = await get('/campaigns/' + id);
    const tl = await get('/campaigns/' + id + '/timeline' + qs({ limit: 1000 }));
    const zero = c.patient_zero;
    const isZero = (h) => zero && h.institution === zero.institution && h.host === zero.host;
    const nat = national();
    const status = nat ? el('button', { type: 'button', id: 'campaign-status', onclick: async () => {
      await api('PATCH', '/campaigns/' + id, { status: c.status === 'active' ? 'closed' : 'active' }); route();
    } }, c.status === 'active' ? 'Close campaign' : 'Reopen campaign') : null;
    const summary = el('div.panel', { id: 'campaign-summary' },
      el('div.toolbar', el('h3', { style: 'margin:0' }, '#' + c.id + ' ' + c.title), lvl(c.level), el('span.status', c.status), status),
      kv({ 'first seen': c.first, 'last seen': c.last,
        'patient zero': zero ? zero.institution + ' / ' + zero.host + ' at ' + zero.time : 'at another institution',
        institutions: c.institutions + (nat ? '' : ' (only your own hosts are shown)'), hosts: c.hosts, score: c.score }),
      el('div', c.techniques.map((t) => el('a.chip', { href: '#/alerts' + qs({ tag: 'attack.' + t.toLowerCase() }) }, t))),
      responseBar({ campaign: id }, 'campaigns', id));
    const hosts = el('table.grid', { id: 'campaign-hosts' }, el('thead', el('tr', el('th', 'Institution'), el('th', 'Host'),
      el('th', 'First'), el('th', 'Last'), el('th.num', 'Alerts'), el('th', 'Techniques'), el('th', 'Incident'))),
    el('tbody', c.members.map((h) => {
      const inc = h.incident; // the host's incident: the campaign page's way into the incident and its events
      return el('tr', { dataset: { institution: h.institution, host: h.host } },
        el('td', h.institution, isZero(h) ? el('span.lvl.critical', { title: 'patient zero', style: 'margin-left:6px' }, 'zero') : null),
        el('td.mono.host', { title: h.host }, h.host),
        el('td.nowrap.mono', fmt(h.first)), el('td.nowrap.mono', fmt(h.last)), el('td.num', num(h.alerts)),
        el('td', h.techniques.slice(0, 6).map(chip)),
        el('td', inc ? el('a.host-incident', { href: '#/incidents/' + inc }, '#' + inc) : ''));
    })));
    const links = el('div', { id: 'campaign-links' }, c.links.length ? c.links.map((l) => el('div.link',
      el('div.toolbar', el('span.mono', endName(l.a)), el('span.muted', '↔'), el('span.mono', endName(l.b)),
        el('span.chip', 'score ' + Number(l.score).toFixed(2))),
      el('div.because', l.because),
      el('div', (l.evidence || []).slice(0, 6).map((e) => el('span.chip.ev', { title: e.kind + ' ' + e.value + ' · on ' + e.hosts + ' hosts of ' +
        e.institutions + ' institutions' }, e.kind + ' ', el('span.mono', short(String(e.value), 48)), ' · ' + Number(e.weight).toFixed(2))))))
      : el('p.muted', 'No links you may see.'));
    const timeline = el('div.timeline', { id: 'campaign-timeline' }, tl.items.map((x) => el('div.tl-item.' + x.level,
      el('div.toolbar', el('span.mono.nowrap', fmt(x.time)), lvl(x.level), el('span', x.institution), el('span.mono', x.host || ''),
        x.incident ? el('a', { href: '#/incidents/' + x.incident }, x.rule.title) : el('span', x.rule.title),
        (x.techniques || []).map(chip)))));
    const graphBox = el('div.graph', { id: 'campaign-graph' });
    main.replaceChildren(
      el('div.row', el('div.col', summary), el('div.col', { style: 'flex:2 1 560px' }, el('div.panel',
        el('h2', 'Institutions, hosts and the evidence that links them'), graphBox))),
      el('div.row', el('div.col', el('div.panel', el('h2', 'Hosts (' + c.members.length + ')'), hosts)),
        el('div.col', el('div.panel', el('h2', 'Links (' + c.links.length + ')'), links))),
      el('div.panel', el('h2', 'Timeline (' + num(tl.total) + ' alerts' + (tl.total > tl.items.length ? ', first ' + num(tl.items.length) : '') + ', oldest first)'), timeline));
    campaignGraph(graphBox, c);
  }

  const endName = (e) => (e.institution ? e.institution + ' / ' + e.host : 'another institution');
  const short = (v, n) => (v.length > n ? v.slice(0, n - 1) + '…' : v);

  /**
   * The campaign as a graph: institutions, their hosts, and the evidence values the links share
   * (each joined to the hosts it links, thicker for more weight). A link end of another institution
   * (an institution's analyst's view) is one "other institutions" node.
   */
  function campaignGraph(box, c) {
    if (!window.echarts) { box.append(el('p.muted', 'Graph library missing.')); return; }
    const css = getComputedStyle(document.documentElement);
    const v = (n) => css.getPropertyValue(n).trim();
    const nodes = new Map();
    const edges = [];
    const node = (id, name, category, size, extra) => {
      if (!nodes.has(id)) nodes.set(id, { id, name, category, symbolSize: size, ...extra });
      return id;
    };
    const zero = c.patient_zero;
    for (const h of c.members) {
      const i = node('i:' + h.institution, h.institution, 0, 34);
      const isZero = zero && zero.institution === h.institution && zero.host === h.host;
      node('h:' + h.institution + '/' + h.host, h.host.split('.')[0], 1, 12 + Math.min(14, Math.sqrt(h.alerts)),
        { tip: h.host + (isZero ? '\npatient zero' : '') + '\n' + h.alerts + ' alerts',
          ...(isZero ? { itemStyle: { borderColor: v('--critical'), borderWidth: 3 } } : {}) });
      edges.push({ source: i, target: 'h:' + h.institution + '/' + h.host, lineStyle: { width: 1, type: 'dashed' } });
    }
    const hostNode = (e) => (e.institution ? node('h:' + e.institution + '/' + e.host, e.host.split('.')[0], 1, 12) : node('other', 'other institutions', 3, 24));
    const evidence = [];
    c.links.forEach((l) => (l.evidence || []).slice(0, 3).forEach((e) => evidence.push({ l, e })));
    evidence.sort((x, y) => y.e.weight - x.e.weight);
    const seen = new Set();
    for (const { l, e } of evidence) {
      const id = 'e:' + e.kind + ':' + e.value;
      if (!nodes.has(id) && [...nodes.keys()].filter((k) => k.startsWith('e:')).length >= 40) continue;
      node(id, e.kind + ' ' + short(String(e.value), 28), 2, 8 + 14 * Math.min(1, e.weight),
        { label: { show: false }, tip: e.kind + ' ' + e.value + '\nweight ' + Number(e.weight).toFixed(2) + ', on ' + e.hosts + ' hosts of ' + e.institutions + ' institutions' });
      for (const end of [l.a, l.b]) {
        const h = hostNode(end);
        if (seen.has(id + '|' + h)) continue;
        seen.add(id + '|' + h);
        edges.push({ source: h, target: id, lineStyle: { width: 1 + 3 * Math.min(1, e.weight) } });
      }
    }
    box.dataset.nodes = [...nodes.values()].map((n) => n.id).join('\n');
    const chart = echarts.init(box, null, { renderer: 'canvas' });
    state.graph = chart;
    chart.setOption({
      animation: false,
      textStyle: { color: v('--text'), fontFamily: 'system-ui, sans-serif' },
      tooltip: { formatter: (x) => (x.dataType === 'node' ? (x.data.tip || x.data.name) : ''), extraCssText: 'white-space:pre' },
      legend: { data: ['institution', 'host', 'evidence', 'other institutions'], textStyle: { color: v('--muted') }, top: 0 },
      color: [v('--accent'), v('--ok'), v('--high'), v('--muted')],
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true, top: 40, bottom: 10,
        // a larger campaign is pulled tighter, so that it stays within the panel
        force: nodes.size > 40 ? { repulsion: 110, edgeLength: [25, 70], gravity: 0.3, layoutAnimation: false }
          : { repulsion: 240, edgeLength: [40, 110], gravity: 0.06, layoutAnimation: false },
        categories: [{ name: 'institution' }, { name: 'host' }, { name: 'evidence' }, { name: 'other institutions' }],
        label: { show: true, position: 'right', color: v('--text'), fontSize: 11 },
        lineStyle: { color: v('--line'), opacity: 0.9, curveness: 0.05 },
        emphasis: { focus: 'adjacency' },
        data: [...nodes.values()], links: edges,
      }],
    });
  }

  // ---- cases ----

  const CASE_STATUSES = ['open', 'in_progress', 'contained', 'closed'];
  const TASK_STATUSES = ['open', 'in_progress', 'done', 'skipped'];
  const ACTIONS = {
    block_sources: 'Block sources', share_indicators: 'Share indicators', retro_hunt: 'Retro-hunt', contain_host: 'Contain host',
  };

  async function cases(main, r) {
    const p = r.params;
    const form = el('form.filters', { id: 'case-filter' },
      national() ? field('Institution', institutionSelect(p.institution)) : null,
      field('Status', el('select', { name: 'status' }, el('option', { value: '' }, 'Any'),
        CASE_STATUSES.map((x) => el('option', { value: x, selected: x === p.status }, x.replace('_', ' '))))),
      field('Assignee', el('input', { name: 'assignee', value: p.assignee || '' })),
      el('button.primary', { type: 'submit' }, 'Filter'),
      el('button', { type: 'button', id: 'new-case', onclick: newCaseDialog }, 'New case…'));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); go('cases', formParams(form)); });
    const page = await get('/cases' + qs({ ...p, limit: 100 }));
    const trs = page.items.map((c) => el('tr.click', { dataset: { id: c.id } },
      el('td.mono', el('a', { href: '#/cases/' + c.id }, '#' + c.id)), el('td', lvl(c.level)),
      el('td', el('span.status', c.status.replace('_', ' '))), el('td.clip', { title: c.title }, c.title),
      el('td', c.institution || 'national CERT'),
      el('td', c.incident ? el('a', { href: '#/incidents/' + c.incident }, 'incident #' + c.incident)
        : c.campaign ? el('a', { href: '#/campaigns/' + c.campaign }, 'campaign #' + c.campaign) : ''),
      el('td', c.assignee || ''), el('td.nowrap.mono', fmt(c.due)), el('td.nowrap.mono', fmt(c.updated))));
    main.replaceChildren(form, page.items.length ? el('table.grid', { id: 'cases' }, el('thead', el('tr', el('th', 'Id'),
      el('th', 'Level'), el('th', 'Status'), el('th', 'Title'), el('th', 'Institution'), el('th', 'About'),
      el('th', 'Assignee'), el('th', 'Due'), el('th', 'Updated'))), el('tbody', trs))
      : el('p.muted', 'No cases. Open one from an incident or a campaign, or by hand (New case…).'), pager(page, p, 'cases'));
    navigable(trs, (tr) => go('cases/' + tr.dataset.id));
  }

  function newCaseDialog() {
    const title = el('input.wide', { id: 'new-case-title', placeholder: 'What the case is about' });
    const inst = national() ? institutionSelect('', 'institution') : null;
    if (inst) inst.options[0].textContent = 'National CERT (its own)';
    const techniques = el('input', { placeholder: 'T1003, T1021.002' });
    const msg = el('p.error');
    const m = modal('New case', el('div', field('Title', title), inst ? field('Institution', inst) : null,
      field('ATT&CK techniques (for the playbooks)', techniques), msg), [
      el('button.primary', { type: 'button', id: 'new-case-ok', onclick: async () => {
        try {
          const body = { title: title.value, techniques: techniques.value.split(/[\s,]+/).filter(Boolean).map((t) => t.toUpperCase()) };
          if (inst && inst.value) body.institution = inst.value;
          const c = await api('POST', '/cases', body);
          m.remove();
          go('cases/' + c.id);
        } catch (e) { msg.textContent = e.message; }
      } }, 'Open case'),
      el('button', { type: 'button', onclick: () => m.remove() }, 'Cancel')]);
  }

  async function casePage(main, r) {
    const id = Number(r.id);
    const c = await get('/cases/' + id);
    const base = '/cases/' + id;
    let users = [];
    try { users = (await get('/users')).items.map((u) => u.name); } catch (e) { users = []; }
    const people = el('datalist', { id: 'people' }, users.map((u) => el('option', { value: u })));
    const status = el('select', { id: 'case-status' }, CASE_STATUSES.map((x) => el('option', { value: x, selected: x === c.status }, x.replace('_', ' '))));
    const assignee = el('input', { id: 'case-assignee', value: c.assignee || '', placeholder: 'nobody', list: 'people' });
    const due = el('input', { id: 'case-due', type: 'datetime-local', value: isoInput(c.due) });
    const saved = el('span.muted', { id: 'case-saved' });
    const summary = el('div.panel', { id: 'case-summary' },
      el('div.toolbar', el('h3', { style: 'margin:0' }, '#' + c.id + ' ' + c.title), lvl(c.level)),
      kv({ institution: c.institution || 'national CERT (its own)', opened: fmt(c.created) + ' by ' + c.created_by,
        updated: fmt(c.updated), playbooks: c.playbooks.join(', ') || 'none', techniques: c.techniques.join(', ') }),
      el('div.toolbar',
        c.incident ? el('a', { href: '#/incidents/' + c.incident, id: 'case-incident' }, 'Incident #' + c.incident + ' →') : null,
        c.campaign ? el('a', { href: '#/campaigns/' + c.campaign, id: 'case-campaign' }, 'Campaign #' + c.campaign + ' →') : null,
        el('span.grow'), c.incident || c.campaign ? reportLinks('cases', id) : el('span.muted', 'no report: the case is about no incident or campaign')),
      el('div.toolbar', field('Status', status), field('Assignee', assignee), field('Due (UTC)', due),
        el('button.primary', { type: 'button', id: 'save-case', onclick: async () => {
          try {
            await api('PATCH', base, { status: status.value, assignee: assignee.value, due: isoOutput(due.value) });
            saved.textContent = 'Saved.';
            loadAudit();
          } catch (e) { saved.textContent = e.message; }
        } }, 'Save'), saved), people);
    const board = el('div.board', { id: 'task-board' });
    const actionResult = el('div', { id: 'action-result' });
    const actions = el('div.panel', { id: 'case-actions' }, el('h2', 'Response actions'),
      el('div.toolbar', Object.entries(ACTIONS).map(([a, label]) => el('button', { type: 'button', class: 'action', dataset: { action: a },
        disabled: (a === 'retro_hunt' || a === 'share_indicators') && !national(),
        title: (a === 'retro_hunt' || a === 'share_indicators') && !national() ? 'The national CERT\'s' : '',
        onclick: () => actionDialog(a, null) }, label))), actionResult);
    const comments = el('div', { id: 'comments' });
    const commentText = el('textarea', { id: 'comment-text', rows: 3, placeholder: 'What was found, what was decided (c)' });
    const evidence = el('div', { id: 'evidence' });
    const audit = el('div', { id: 'audit' });

    const loadTasks = async () => { drawBoard((await get(base + '/tasks')).items); };
    const loadComments = async () => {
      const n = (await get(base + '/comments')).items;
      comments.replaceChildren(...(n.length ? n.map((x) => el('div.note', el('span.muted', fmt(x.created) + ' · ' + x.author + ': '), x.text))
        : [el('p.muted', 'No comments yet.')]));
    };
    const loadEvidence = async () => {
      const n = (await get(base + '/evidence')).items;
      evidence.replaceChildren(n.length ? el('table.grid', { id: 'evidence-list' }, el('thead', el('tr', el('th', 'Kind'), el('th', 'What'),
        el('th', 'Note'), el('th', 'Added'))), el('tbody', n.map((x) => el('tr', el('td', x.kind), el('td.mono.clip', { title: x.sha256 ? 'SHA-256 ' + x.sha256 : x.ref }, evidenceRef(id, x)),
        el('td.clip', { title: x.note || '' }, x.note || ''), el('td.nowrap.muted', fmt(x.created) + ' · ' + x.added_by))))) : el('p.muted', 'No evidence attached.'));
    };
    const loadAudit = async () => {
      const n = (await get(base + '/audit')).items;
      audit.replaceChildren(el('table.grid', { id: 'audit-log' }, el('thead', el('tr', el('th', 'Time'), el('th', 'Who'), el('th', 'Action'),
        el('th', 'What'), el('th', 'Before'), el('th', 'After'))), el('tbody', n.slice().reverse().map((x) => el('tr',
        el('td.nowrap.mono', fmt(x.time)), el('td', x.actor), el('td.mono', x.action), el('td', x.target || ''),
        el('td.clip', { title: x.before || '' }, x.before || ''), el('td.clip', { title: x.after || '' }, x.after || ''))))));
    };
    const refresh = () => Promise.all([loadTasks(), loadAudit()]);

    function drawBoard(tasks) {
      board.replaceChildren(...TASK_STATUSES.map((st) => {
        const mine = tasks.filter((t) => t.status === st);
        const col = el('div.column', { dataset: { status: st } }, el('h2', st.replace('_', ' ') + ' (' + mine.length + ')'), mine.map(taskCard));
        col.addEventListener('dragover', (ev) => { ev.preventDefault(); col.classList.add('drop'); });
        col.addEventListener('dragleave', () => col.classList.remove('drop'));
        col.addEventListener('drop', (ev) => {
          ev.preventDefault();
          col.classList.remove('drop');
          const tid = ev.dataTransfer.getData('text/plain');
          if (tid) moveTask(Number(tid), st);
        });
        return col;
      }));
    }

    async function moveTask(tid, st, focus) {
      try {
        await api('PATCH', base + '/tasks/' + tid, { status: st });
        await refresh();
        if (focus) { const card = board.querySelector('.task[data-id="' + tid + '"]'); if (card) card.focus(); }
      } catch (e) { alert(e.message); }
    }

    function taskCard(t) {
      const i = TASK_STATUSES.indexOf(t.status);
      const who = el('input', { class: 'task-assignee', value: t.assignee || '', placeholder: 'assignee', list: 'people' });
      const when = el('input', { class: 'task-due', type: 'datetime-local', value: isoInput(t.due), title: 'due (UTC)' });
      const change = async (body) => { try { await api('PATCH', base + '/tasks/' + t.id, body); loadAudit(); } catch (e) { alert(e.message); } };
      who.addEventListener('change', () => change({ assignee: who.value }));
      when.addEventListener('change', () => change({ due: isoOutput(when.value) }));
      const card = el('div.task', { draggable: 'true', tabindex: 0, dataset: { id: t.id, status: t.status } },
        el('div.task-title', t.title),
        el('div.toolbar', t.playbook ? el('span.chip', t.playbook) : null, t.action ? el('span.chip.action', ACTIONS[t.action] || t.action) : null,
          t.due && Date.parse(t.due) < Date.now() && i < 2 ? el('span.error', 'overdue') : null),
        t.description ? el('div.muted.task-desc', t.description) : null,
        t.result ? el('div.task-result', el('span.muted', 'result: '), resultText(t.result)) : null,
        el('div.toolbar', who, when),
        el('div.toolbar',
          el('button', { type: 'button', class: 'move-left', title: 'h', disabled: i === 0, onclick: () => moveTask(t.id, TASK_STATUSES[i - 1], true) }, '◀'),
          el('button', { type: 'button', class: 'move-right', title: 'l', disabled: i === TASK_STATUSES.length - 1, onclick: () => moveTask(t.id, TASK_STATUSES[i + 1], true) }, '▶'),
          el('span.grow'),
          t.action && t.status !== 'done' ? el('button.primary', { type: 'button', class: 'run', onclick: () => actionDialog(t.action, t) }, 'Run') : null));
      card.addEventListener('dragstart', (ev) => { ev.dataTransfer.setData('text/plain', String(t.id)); card.classList.add('dragging'); });
      card.addEventListener('dragend', () => card.classList.remove('dragging'));
      card.addEventListener('move', (ev) => {
        const j = i + ev.detail;
        if (j >= 0 && j < TASK_STATUSES.length) moveTask(t.id, TASK_STATUSES[j], true);
      });
      return card;
    }

    /** Runs an action: the task given, else the case's first open task with it, else a new task for it. */
    async function actionDialog(action, task) {
      const inputs = {};
      const body = el('div');
      if (action === 'block_sources') {
        inputs.sources = el('input.wide', { id: 'action-sources', placeholder: 'the case\'s public addresses, or 203.0.113.7, 198.51.100.0/24' });
        inputs.duration = el('input', { id: 'action-duration', type: 'number', min: 1, placeholder: 'default' });
        body.append(field('Addresses or networks', inputs.sources), field('Minutes', inputs.duration));
      } else if (action === 'share_indicators') {
        inputs.collection = el('select', { id: 'action-collection' });
        body.append(field('TAXII collection', inputs.collection));
        get('/taxii/collections').then((x) => inputs.collection.replaceChildren(...(x.items || []).map((k) =>
          el('option', { value: k.id }, (k.alias || k.id) + ' · ' + (k.title || ''))))).catch((e) => body.append(el('p.error', e.message)));
      } else if (action === 'contain_host') {
        body.append(el('p.muted', 'Marks the open incidents of the case\'s hosts contained.'));
      } else {
        body.append(el('p.muted', 'Adds the case\'s indicators to the live indicators and hunts them over every institution\'s stored events.'));
      }
      const msg = el('p.error', { id: 'action-error' });
      body.append(msg);
      const m = modal((ACTIONS[action] || action) + (task ? ': ' + task.title : ''), body, [
        el('button.primary', { type: 'button', id: 'action-run', onclick: async () => {
          const params = {};
          if (inputs.sources && inputs.sources.value.trim()) params.sources = inputs.sources.value.split(/[\s,]+/).filter(Boolean);
          if (inputs.duration && inputs.duration.value) params.duration_minutes = Number(inputs.duration.value);
          if (inputs.collection) params.collection = inputs.collection.value;
          try {
            let t = task;
            if (!t) {
              t = (await get(base + '/tasks')).items.find((x) => x.action === action && x.status !== 'done' && x.status !== 'skipped');
              if (!t) t = await api('POST', base + '/tasks', { title: ACTIONS[action], action });
            }
            const done = await api('POST', base + '/tasks/' + t.id + '/run', params);
            m.remove();
            actionResult.replaceChildren(el('p.ok', (ACTIONS[action] || action) + ' done: '), resultText(done.result));
          } catch (e) { msg.textContent = e.message; }
          refresh();
        } }, 'Run'),
        el('button', { type: 'button', onclick: () => m.remove() }, 'Cancel')]);
      return m;
    }

    // evidence form
    const kind = el('select', { id: 'evidence-kind' }, ['note', 'host', 'indicator', 'event', 'alert', 'file'].map((k) => el('option', { value: k }, k)));
    const ref = el('input.wide', { id: 'evidence-ref', placeholder: 'host name, indicator value, event or alert id' });
    const file = el('input', { type: 'file', id: 'evidence-file', hidden: true });
    const note = el('input.wide', { id: 'evidence-note', placeholder: 'note' });
    const evMsg = el('p.error');
    kind.addEventListener('change', () => { file.hidden = kind.value !== 'file'; ref.hidden = kind.value === 'file'; });
    const attach = el('div.filters', field('Kind', kind), field('What', el('span', ref, file)), field('Note', note),
      el('button', { type: 'button', id: 'add-evidence', onclick: async () => {
        evMsg.textContent = '';
        const b = { kind: kind.value, note: note.value || undefined };
        try {
          if (kind.value === 'file') {
            const f = file.files[0];
            if (!f) { evMsg.textContent = 'Choose a file.'; return; }
            b.name = f.name;
            b.media_type = f.type || 'application/octet-stream';
            b.content_base64 = await base64(f);
          } else {
            b.ref = ref.value;
          }
          await api('POST', base + '/evidence', b);
          ref.value = ''; note.value = ''; file.value = '';
          loadEvidence(); loadAudit();
        } catch (e) { evMsg.textContent = e.message; }
      } }, 'Attach'));

    main.replaceChildren(
      el('div.row', el('div.col', summary), el('div.col', actions)),
      el('div.panel', el('h2', 'Tasks'), board, addTaskForm(base, refresh)),
      el('div.row',
        el('div.col', el('div.panel', el('h2', 'Comments'), comments, commentText,
          el('button.primary', { type: 'button', id: 'add-comment', onclick: async () => {
            if (!commentText.value.trim()) return;
            await api('POST', base + '/comments', { text: commentText.value });
            commentText.value = '';
            loadComments(); loadAudit();
          } }, 'Comment'))),
        el('div.col', el('div.panel', el('h2', 'Evidence'), evidence, attach, evMsg))),
      el('div.panel', el('h2', 'Audit log (newest first)'), audit));
    await Promise.all([loadTasks(), loadComments(), loadEvidence(), loadAudit()]);
  }

  function addTaskForm(base, refresh) {
    const title = el('input.wide', { id: 'task-title', placeholder: 'A task by hand' });
    const action = el('select', { id: 'task-action' }, el('option', { value: '' }, 'no action'),
      Object.entries(ACTIONS).map(([a, l]) => el('option', { value: a }, l)));
    const form = el('form.filters', { id: 'add-task' }, field('New task', title), field('Action', action),
      el('button', { type: 'submit' }, 'Add task'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!title.value.trim()) return;
      try {
        await api('POST', base + '/tasks', { title: title.value, action: action.value || undefined });
        title.value = '';
        refresh();
      } catch (e) { alert(e.message); }
    });
    return form;
  }

  function evidenceRef(caseId, x) {
    if (x.kind === 'event') return el('a', { href: '#/events' + qs({ id: x.ref }) }, 'event ' + x.ref);
    if (x.kind === 'alert') return el('a', { href: '#/alerts' }, 'alert ' + x.ref);
    if (x.kind === 'file') return el('a', { href: '/api/v1/cases/' + caseId + '/evidence/' + x.id, download: x.ref }, x.ref);
    return x.ref || '';
  }

  function resultText(r) {
    if (r == null) return '';
    const parts = [];
    for (const [k, v] of Object.entries(r)) {
      parts.push(k + ': ' + (Array.isArray(v) ? v.length + (v.length && typeof v[0] !== 'object' ? ' (' + v.slice(0, 5).join(', ') + (v.length > 5 ? ', …' : '') + ')' : '')
        : typeof v === 'object' && v ? JSON.stringify(v) : v));
    }
    return el('span.mono', parts.join(' · '));
  }

  function base64(file) {
    return new Promise((resolve, reject) => {
      const rd = new FileReader();
      rd.onload = () => resolve(String(rd.result).replace(/^data:[^,]*,/, ''));
      rd.onerror = () => reject(rd.error);
      rd.readAsDataURL(file);
    });
  }

  // ---- events ----

  async function events(main, r) {
    const p = r.params;
    const conds = Object.entries(p).filter(([k]) => k.startsWith('field.'));
    const condBox = el('div', { id: 'conditions' });
    const addCond = (name, value) => condBox.append(el('div.filters',
      field('Field', el('input', { class: 'cond-name', value: name || '', placeholder: 'CommandLine' })),
      field('Value (* any text)', el('input.wide', { class: 'cond-value', value: value || '', placeholder: '*sekurlsa*' }))));
    conds.forEach(([k, v]) => addCond(k.slice(6), v));
    if (!conds.length) addCond();
    const form = el('form', { id: 'event-filter' }, el('div.filters',
      field('From', el('input', { name: 'from', value: p.from || '', placeholder: '2022-08-22T00:00:00Z' })),
      field('To', el('input', { name: 'to', value: p.to || '' })),
      national() ? field('Institution', institutionSelect(p.institution)) : null,
      field('Host', el('input', { name: 'host', value: p.host || '' })),
      field('Text in any field', el('input.wide', { name: 'q', value: p.q || '' }))), condBox,
      el('div.toolbar', el('button', { type: 'button', onclick: () => addCond() }, '+ Field condition'),
        el('button.primary', { type: 'submit', id: 'event-search' }, 'Search')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const out = formParams(form);
      condBox.querySelectorAll('.filters').forEach((row) => {
        const n = row.querySelector('.cond-name').value.trim();
        const v = row.querySelector('.cond-value').value;
        if (n && v) out['field.' + n] = v;
      });
      go('events', out);
    });
    const detail = el('aside.detail', { id: 'event-detail', hidden: true });
    if (p.id) {
      main.replaceChildren(form, el('div.split.open', el('div'), detail));
      detail.hidden = false;
      detail.replaceChildren(eventDetail(await get('/events/' + Number(p.id))));
      return;
    }
    const searched = Object.keys(p).length > 0;
    if (!searched) {
      main.replaceChildren(form, el('p.muted', 'Give a time range, an institution, a host, text or field conditions, then search.'));
      return;
    }
    const page = await get('/events' + qs({ ...p, limit: 100 }));
    const summary = (e) => {
      const f = e.fields || {};
      return f.CommandLine || f.Image || f.TargetFilename || f.ServiceName || f.QueryName || f.message || f.Message ||
        Object.entries(f).slice(0, 3).map(([k, v]) => k + '=' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(' ');
    };
    const trs = page.items.map((e) => el('tr.click', { dataset: { id: e.id } },
      el('td.nowrap.mono', fmt(e.time)), el('td', e.institution), el('td.mono.host', { title: e.host || '' }, e.host || ''), el('td', e.channel || ''),
      el('td.num', e.event_id == null ? '' : e.event_id), el('td.clip.mono', String(summary(e) || ''))));
    const split = el('div.split', el('div', el('table.grid', { id: 'events' }, el('thead', el('tr', el('th', 'Time'),
      el('th', 'Institution'), el('th', 'Host'), el('th', 'Channel'), el('th.num', 'EventID'), el('th', 'Summary'))),
    el('tbody', trs)), pager(page, p, 'events')), detail);
    main.replaceChildren(form, split);
    const byId = new Map(page.items.map((e) => [String(e.id), e]));
    navigable(trs, (tr) => {
      split.classList.add('open');
      detail.hidden = false;
      detail.replaceChildren(el('div.toolbar', el('span.grow'), el('button', { type: 'button', onclick: closeDetail }, '✕')),
        eventDetail(byId.get(tr.dataset.id)));
    });
  }

  // ---- rules ----

  async function rules(main, r) {
    const report = await get('/rules');
    const inst = r.params.institution || (state.me.institution || (state.institutions[0] || {}).id || '');
    const tab = r.params.tab || 'errors';
    const lists = { errors: report.errors, unsupported: report.unsupported, waiting: report.waiting };
    const issues = el('table.grid', { id: 'rule-issues' }, el('thead', el('tr', el('th', 'Rule'), el('th', 'File'), el('th', 'Reason'))),
      el('tbody', (lists[tab] || []).slice(0, 2000).map((x) => el('tr', el('td.mono', x.id || ''), el('td.mono.clip', { title: x.path }, x.path),
        el('td.wrap', x.reason)))));
    const tabs = el('div.tabs', Object.keys(lists).map((k) => el('button', { type: 'button', class: k === tab ? 'on' : '',
      onclick: () => go('rules', { ...r.params, tab: k }) }, k + ' (' + lists[k].length + ')')));
    const head = el('div.kpis',
      el('div.kpi', { title: 'rules that run: from the rule folders, and uploaded through this page' },
        el('div.v', { id: 'rules-active' }, num(report.active + (report.uploaded_active || 0))),
        el('div.l', 'active rules: ', el('span', { id: 'rules-active-loaded' }, num(report.active)), ' from the folders + ',
          el('span', { id: 'rules-active-uploaded' }, num(report.uploaded_active || 0)), ' uploaded')),
      el('div.kpi', el('div.v', num(report.loaded)), el('div.l', 'loaded from ' + num(report.files) + ' files')),
      el('div.kpi', el('div.v', num(report.unsupported.length)), el('div.l', 'unsupported')),
      el('div.kpi', el('div.v', num(report.errors.length)), el('div.l', 'erroneous')),
      el('div.kpi', el('div.v', fmt(report.loaded_at).slice(0, 16)), el('div.l', 'loaded at')));
    const reload = state.me.role === 'admin' ? el('button', { type: 'button', id: 'reload', onclick: async () => {
      await api('POST', '/rules/reload'); route();
    } }, 'Reload rules') : null;
    // upload and check
    const yaml = el('textarea', { id: 'rule-yaml', rows: 10, placeholder: 'title: …\nlogsource: …\ndetection: …' });
    const file = el('input', { type: 'file', accept: '.yml,.yaml' });
    file.addEventListener('change', async () => { if (file.files[0]) yaml.value = await file.files[0].text(); });
    const result = el('div', { id: 'rule-check' });
    const ruleName = () => (file.files[0] ? file.files[0].name : 'uploaded.yml');
    const partner = state.me.role === 'partner';
    const target = el('select', { id: 'upload-institution', disabled: partner },
      national() ? el('option', { value: '' }, 'National: every institution') : null,
      state.institutions.filter((i) => national() || i.id === state.me.institution).map((i) => el('option', { value: i.id }, i.id + ' only')));
    const uploaded = el('div', { id: 'uploads' }, el('p.muted', 'Loading…'));
    const loadUploads = async (fresh) => {
      if (partner) { uploaded.replaceChildren(el('p.muted', 'Partners do not run rules.')); return; }
      if (fresh) { // an upload added or deleted: the active rules' figure follows
        const now = await get('/rules');
        $('#rules-active').textContent = num(now.active + now.uploaded_active);
        $('#rules-active-loaded').textContent = num(now.active);
        $('#rules-active-uploaded').textContent = num(now.uploaded_active);
      }
      const u = (await get('/rules/uploads')).items;
      uploaded.replaceChildren(u.length ? el('table.grid', { id: 'rule-uploads' }, el('thead', el('tr', el('th', 'Id'), el('th', 'File'),
        el('th', 'Runs for'), el('th', 'Rules'), el('th', 'Uploaded'), el('th', ''))), el('tbody', u.map((x) => el('tr', { dataset: { id: x.id } },
        el('td.mono', x.id), el('td.mono.clip', { title: x.name }, x.name), el('td', x.institution || 'every institution'),
        el('td.clip', { title: x.rules.map((r) => r.id + ' ' + r.title).join('\n') }, x.rules.map((r) => r.title).join(', ')),
        el('td.nowrap.muted', fmt(x.created) + ' · ' + x.created_by),
        el('td', national() || x.institution === state.me.institution ? el('button.danger', { type: 'button', class: 'delete-upload', onclick: async () => {
          if (!confirm('Stop running and delete ' + x.name + '?')) return;
          try { await api('DELETE', '/rules/uploads/' + x.id); loadUploads(true); } catch (e) { alert(e.message); }
        } }, 'Delete') : ''))))) : el('p.muted', 'No uploaded rules run.'));
    };
    const problemList = (problems) => el('ul', problems.map((x) => el('li.error', x)));
    const check = el('div.panel', el('h2', 'Upload a rule'), el('div.toolbar', file), yaml,
      el('div.toolbar', el('button', { type: 'button', id: 'check-rule', onclick: async () => {
        try {
          const c = await api('POST', '/rules/check', { name: ruleName(), yaml: yaml.value });
          result.replaceChildren(el(c.valid ? 'p.ok' : 'p.error', c.valid ? 'Valid: ' + c.rules.map((x) => x.title).join(', ') +
            '. Add it to run it.' : 'Not valid:'), problemList(c.problems));
        } catch (e) { result.replaceChildren(el('p.error', e.message)); }
      } }, 'Check'),
      partner ? null : field('Runs for', target),
      partner ? null : el('button.primary', { type: 'button', id: 'upload-rule', onclick: async () => {
        try {
          const u = await api('POST', '/rules/uploads', { name: ruleName(), yaml: yaml.value, institution: target.value || undefined });
          result.replaceChildren(el('p.ok', 'Running now for ' + (u.institution || 'every institution') + ': ' + u.rules.map((x) => x.title).join(', ') + '.'));
          loadUploads(true);
        } catch (e) {
          result.replaceChildren(el('p.error', e.problems.length ? 'Not added, the file has problems:' : e.message), problemList(e.problems));
        }
      } }, 'Add to the running rules'), reload), result);
    // switches per institution
    const switches = el('div.panel', el('h2', 'Rules per institution'));
    if (state.me.role !== 'partner' && inst) {
      const sel = el('select', { id: 'rule-institution' }, state.institutions.map((i) => el('option', { value: i.id, selected: i.id === inst }, i.id)));
      sel.addEventListener('change', () => go('rules', { ...r.params, institution: sel.value }));
      const search = el('input.wide', { id: 'rule-search', placeholder: 'title or id', value: r.params.q || '' });
      const list = (await get('/institutions/' + encodeURIComponent(inst) + '/rules')).items;
      const body = el('tbody');
      const draw = () => {
        const q = search.value.toLowerCase();
        const shown = list.filter((x) => !q || x.title.toLowerCase().includes(q) || x.id.includes(q)).slice(0, 300);
        body.replaceChildren(...shown.map((x) => {
          const box = el('input', { type: 'checkbox', checked: x.enabled, class: 'rule-switch', dataset: { rule: x.id } });
          box.addEventListener('change', async () => {
            try {
              await api('PUT', '/institutions/' + encodeURIComponent(inst) + '/rules/' + encodeURIComponent(x.id), { enabled: box.checked });
              x.enabled = box.checked;
            } catch (e) { box.checked = !box.checked; alert(e.message); }
          });
          return el('tr', el('td', box), el('td.clip', { title: x.title }, x.title), el('td', lvl(x.level)), el('td.mono', x.id));
        }));
      };
      search.addEventListener('input', draw);
      draw();
      const off = list.filter((x) => !x.enabled).length;
      switches.append(el('div.filters', field('Institution', sel), field('Search', search),
        el('span.muted', num(list.length) + ' rules, ' + num(off) + ' off here (first 300 matches shown)')),
      el('table.grid', { id: 'rule-switches' }, el('thead', el('tr', el('th', 'On'), el('th', 'Title'), el('th', 'Level'), el('th', 'Id'))), body));
    } else {
      switches.append(el('p.muted', 'Partners do not tune rules.'));
    }
    main.replaceChildren(head, el('div.row', el('div.col', el('div.panel', el('h2', 'Rules that do not run'), tabs, issues)),
      el('div.col', check)), el('div.panel', el('h2', 'Uploaded rules (they run beside the rule folders)'), uploaded), switches);
    await loadUploads();
  }

  // ---- websites ----

  async function websites(main, r) {
    const box = el('div');
    main.replaceChildren(box);
    let sites;
    try {
      sites = (await get('/sites')).items || [];
    } catch (e) {
      if (e.status !== 404) throw e;
      sites = null;
    }
    const parts = [];
    if (sites == null) {
      parts.push(el('div.panel', el('p.muted', 'Website statistics are not served by this server.')));
    } else {
      parts.push(el('div.panel', el('h2', 'Sites'), sitesTable(sites)));
      const site = r.params.site || (sites[0] || {}).site;
      if (site) {
        const chartBox = el('div.chart', { id: 'site-chart' });
        parts.push(el('div.panel', el('h2', 'Requests and errors: ' + site), chartBox));
        box.replaceChildren(...parts);
        try { siteChart(chartBox, await get('/sites/' + encodeURIComponent(site) + '/series')); } catch (e) { chartBox.append(el('p.error', e.message)); }
      }
    }
    const decisions = el('div.panel', el('h2', 'Decisions'), el('p.muted', 'Loading…'));
    parts.push(decisions);
    box.replaceChildren(...parts);
    try {
      const d = await get('/decisions' + qs({ site: r.params.site }));
      decisions.replaceChildren(el('h2', 'Decisions'), decisionsTable(d.items || []));
    } catch (e) {
      decisions.replaceChildren(el('h2', 'Decisions'), el('p.muted', e.status === 404 ? 'Decisions are not served by this server.' : e.message));
    }
  }

  function decisionsTable(items) {
    if (!items.length) return el('p.muted', 'No active decisions.');
    return el('table.grid', { id: 'decisions' }, el('thead', el('tr', el('th', 'Id'), el('th', 'Type'), el('th', 'Scope'),
      el('th', 'Value'), el('th', 'Site'), el('th', 'Reason'), el('th', 'Expires'), el('th', ''))),
    el('tbody', items.map((x) => el('tr', { dataset: { id: x.id } }, el('td.mono', x.id), el('td', x.type), el('td', x.scope || ''),
      el('td.mono', x.value), el('td', x.site || ''), el('td.clip', { title: x.reason || x.scenario || '' }, x.reason || x.scenario || ''),
      el('td.mono.nowrap', fmt(x.until)),
      el('td', !x.active ? el('span.muted', x.revoked_at ? 'revoked' : 'expired') : state.me.role === 'partner' ? '' : el('button.danger', { type: 'button', class: 'revoke',
        onclick: async () => { await api('POST', '/decisions/' + encodeURIComponent(x.id) + '/revoke'); route(); } }, 'Revoke'))))));
  }

  function siteChart(box, s) {
    const pts = s.points || [];
    if (!pts.length || !window.uPlot) { box.append(el('p.muted', 'No requests recorded.')); return; }
    const xs = pts.map((p) => Date.parse(p.time) / 1000);
    const styles = getComputedStyle(document.documentElement);
    const axis = { stroke: styles.getPropertyValue('--muted').trim(), grid: { stroke: styles.getPropertyValue('--line').trim() } };
    state.chart = new uPlot({ width: Math.max(300, box.clientWidth), height: 220, scales: { x: { time: true }, pct: { range: [0, 100] } },
      axes: [axis, { ...axis, label: 'requests/s' }, { ...axis, scale: 'pct', side: 1, label: 'server errors %', grid: { show: false } }],
      series: [{}, { label: 'requests/s', stroke: PALETTE[0], width: 1.5 }, { label: 'server errors %', stroke: PALETTE[5], scale: 'pct', width: 1.5 }] },
    [xs, pts.map((p) => p.requests_per_second), pts.map((p) => (p.requests ? 100 * (p.status_5xx || 0) / p.requests : 0))], box);
  }

  // ---- institutions and users ----

  async function admin(main) {
    const isAdmin = state.me.role === 'admin';
    const insts = (await get('/institutions')).items;
    state.institutions = insts;
    const users = (await get('/users')).items;
    const instTable = el('table.grid', { id: 'institution-list' }, el('thead', el('tr', el('th', 'Id'), el('th', 'Name'),
      el('th.num', 'Retention days'), el('th', 'Syslog sources'))), el('tbody', insts.map((i) => el('tr',
      el('td.mono', i.id), el('td', i.name), el('td.num', i.retention_days), el('td.mono', i.syslog_sources)))));
    const userTable = el('table.grid', { id: 'user-list' }, el('thead', el('tr', el('th', 'Name'), el('th', 'Role'),
      el('th', 'Institution'), el('th', 'Partner'), el('th', 'Disabled'))), el('tbody', users.map((u) => el('tr',
      el('td', u.name), el('td', u.role), el('td', u.institution || ''), el('td', u.partner || ''), el('td', u.disabled ? 'yes' : '')))));
    const parts = [el('div.row', el('div.col', el('div.panel', el('h2', 'Institutions'), instTable)),
      el('div.col', el('div.panel', el('h2', 'Users'), userTable)))];
    if (isAdmin) {
      const msg = el('p.error', { id: 'admin-error' });
      const fi = el('form.filters', { id: 'new-institution' },
        field('Id', el('input', { name: 'id', required: true, pattern: '[a-z0-9_-]{1,64}' })),
        field('Name', el('input.wide', { name: 'name', required: true })),
        field('Retention days', el('input', { name: 'retention_days', type: 'number', min: 1 })),
        el('button.primary', { type: 'submit' }, 'Create institution'));
      fi.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const b = formParams(fi);
        if (b.retention_days) b.retention_days = Number(b.retention_days);
        try { await api('POST', '/institutions', b); route(); } catch (e) { msg.textContent = e.message; }
      });
      const fu = el('form.filters', { id: 'new-user' },
        field('Name', el('input', { name: 'name', required: true })),
        field('Password (12+)', el('input', { name: 'password', type: 'password', required: true, minlength: 12 })),
        field('Role', el('select', { name: 'role' }, ['institution_analyst', 'national_analyst', 'admin', 'partner'].map((x) => el('option', { value: x }, x)))),
        field('Institution', institutionSelect('', 'institution')),
        field('Partner', el('input', { name: 'partner' })),
        el('button.primary', { type: 'submit' }, 'Create user'));
      fu.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try { await api('POST', '/users', formParams(fu)); route(); } catch (e) { msg.textContent = e.message; }
      });
      parts.push(el('div.panel', el('h2', 'New institution'), fi, el('h2', 'New user'), fu, msg));
    }
    main.replaceChildren(...parts);
  }

  const VIEWS = { overview, alerts, incidents, incident, campaigns, campaign, cases, case: casePage, events, rules,
    websites, admin };

  // ---- keyboard ----

  function keyboard(ev) {
    const t = ev.target;
    if (ev.key === 'Escape') {
      document.querySelectorAll('.modal').forEach((m) => (m.id === 'help' ? (m.hidden = true) : m.remove()));
      closeDetail();
      if (t.blur) t.blur();
      return;
    }
    if (t.closest && t.closest('input, textarea, select')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !state.me) return;
    const k = ev.key;
    if (state.keys === 'g') {
      state.keys = null;
      const page = { o: 'overview', a: 'alerts', i: 'incidents', c: 'campaigns', s: 'cases', e: 'events', r: 'rules',
        w: 'websites', d: 'admin' }[k];
      if (page) { ev.preventDefault(); go(page); }
      return;
    }
    if (k === 'g') { state.keys = 'g'; setTimeout(() => { state.keys = null; }, 1200); return; }
    if (k === '?') { $('#help').hidden = false; return; }
    if (k === 't') { toggleTheme(); return; }
    if (k === '/') {
      const f = $('#main form input, #main form select');
      if (f) { ev.preventDefault(); f.focus(); }
      return;
    }
    if (k === 'j' || k === 'ArrowDown') { if (state.rows.length) { ev.preventDefault(); setCur(state.cur + 1); } return; }
    if (k === 'k' || k === 'ArrowUp') { if (state.rows.length) { ev.preventDefault(); setCur(state.cur - 1); } return; }
    if (k === 'Enter' && state.cur >= 0) { const r = state.rows[state.cur]; r.open(r.tr); return; }
    if (k === 'x' && state.cur >= 0) {
      const b = state.rows[state.cur].tr.querySelector('.pick');
      if (b) { b.checked = !b.checked; b.dispatchEvent(new Event('change')); }
      return;
    }
    if (k === 'h' || k === 'l') {
      const card = t.closest && t.closest('.task');
      if (card) { ev.preventDefault(); card.dispatchEvent(new CustomEvent('move', { detail: k === 'h' ? -1 : 1 })); }
      return;
    }
    if (k === 'c') { const f = $('#comment-text') || $('#note-text'); if (f) { ev.preventDefault(); f.focus(); } return; }
    if (k === 'o') { const b = $('#open-case'); if (b) b.click(); return; }
    if (k === 'R') { const a = $('#report-html'); if (a) a.click(); return; }
    if (k === 'n') { const b = $('#next-page'); if (b) b.click(); return; }
    if (k === 'p') { const b = $('#first-page'); if (b) b.click(); }
  }

  function toggleTheme() {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem('lovcen-theme', next); } catch (e) { /* private mode */ }
    if (['overview', 'campaigns', 'websites'].includes(parseHash().page) && state.me) route(); // charts take the theme's colours
  }

  // ---- start ----

  document.addEventListener('DOMContentLoaded', async () => {
    let theme = null;
    try { theme = localStorage.getItem('lovcen-theme'); } catch (e) { /* private mode */ }
    if (!theme && window.matchMedia && matchMedia('(prefers-color-scheme: light)').matches) theme = 'light';
    document.documentElement.dataset.theme = theme || 'dark';
    $('#signin-form').addEventListener('submit', signin);
    $('#signout').addEventListener('click', signout);
    $('#theme').addEventListener('click', toggleTheme);
    $('#help [data-close]').addEventListener('click', () => { $('#help').hidden = true; });
    document.addEventListener('keydown', keyboard);
    window.addEventListener('hashchange', route);
    try {
      state.me = await get('/me');
      start();
    } catch (e) {
      showSignin();
    }
  });
}());

// Size history: per repository and stage, the image size across a branch's commits (oldest to
// newest) drawn with uPlot (npm `uplot`, loaded on first use), with the budget line when the
// stage's job spec sets budget.max_size_bytes. Hovering a point names its commit; a table below
// holds the same figures.
import { getJob, getRun, listImages, listRepos, listRuns } from './api.js';
import { clear, errorBlock, formatBytes, formatTime, h, replaceQuery } from './dom.js';

let uplotPromise = null;
function loadUplot() {
  if (!uplotPromise) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/static/vendor/uplot.css' }));
    uplotPromise = import('/static/vendor/uplot.js').then((m) => m.default);
  }
  return uplotPromise;
}

export async function render(root, _params, query) {
  const sel = { repo: query.get('repo') || '', stage: query.get('stage') || '', branch: query.get('branch') || '' };
  const repoSelect = h('select', { id: 'h-repo' }, h('option', { value: '' }, 'Choose…'));
  const stageInput = h('input', { id: 'h-stage', list: 'h-stages', value: sel.stage, required: true });
  const stageList = h('datalist', { id: 'h-stages' });
  const branchInput = h('input', { id: 'h-branch', type: 'search', value: sel.branch, placeholder: 'all branches' });
  const form = h('form', { class: 'filters', 'aria-label': 'Choose a stage' },
    h('label', { for: 'h-repo' }, 'Repository'), repoSelect,
    h('label', { for: 'h-stage' }, 'Stage'), stageInput, stageList,
    h('label', { for: 'h-branch' }, 'Branch'), branchInput,
    h('button', { type: 'submit', class: 'primary' }, 'Show'));
  const out = h('div', {});
  root.append(h('h1', {}, 'Size history'), form, out);

  let stopped = false;
  let chart = null;
  const { repos } = await listRepos().catch(() => ({ repos: [] }));
  for (const r of repos) repoSelect.append(h('option', { value: r.name, selected: r.name === sel.repo }, r.name));
  if (!sel.repo && repos.length === 1) { sel.repo = repos[0].name; repoSelect.value = sel.repo; }

  async function fillStages() {
    clear(stageList);
    if (!repoSelect.value) return;
    const { runs } = await listRuns({ repo: repoSelect.value, limit: 1 });
    if (!runs.length) return;
    const run = await getRun(runs[0].id);
    for (const j of run.jobs) stageList.append(h('option', { value: j.name }));
    if (!stageInput.value && run.jobs.length) stageInput.value = run.jobs[run.jobs.length - 1].name;
  }
  repoSelect.addEventListener('change', () => fillStages().catch(() => {}));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sel.repo = repoSelect.value;
    sel.stage = stageInput.value.trim();
    sel.branch = branchInput.value.trim();
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(sel)) if (v) q.set(k, v);
    replaceQuery(q);
    show().catch((err) => { clear(out); out.append(errorBlock(err)); });
  });

  async function show() {
    clear(out);
    if (chart) { chart.destroy(); chart = null; }
    if (!sel.repo || !sel.stage) { out.append(h('p', { class: 'muted' }, 'Choose a repository and a stage.')); return; }
    const [{ images }, uPlot] = await Promise.all([listImages(sel.repo, sel.stage, sel.branch), loadUplot()]);
    if (stopped) return;
    const points = [...images].sort((a, b) => a.created_at - b.created_at);
    if (!points.length) { out.append(h('p', { class: 'muted' }, 'No images recorded for this stage yet.')); return; }
    let budget = null;
    const latest = points[points.length - 1];
    if (latest.job_id) {
      const job = await getJob(latest.job_id).catch(() => null);
      budget = job?.spec?.budget?.max_size_bytes ?? null;
    }
    if (stopped) return;
    const caption = h('p', { id: 'history-point', class: 'point', 'aria-live': 'polite' }, 'Hover a point to see its commit.');
    const box = h('div', { class: 'chart', id: 'history-chart', role: 'img',
      'aria-label': `Image size of ${sel.stage} across ${points.length} commits${budget ? `, budget ${formatBytes(budget)}` : ''}` });
    out.append(h('h2', {}, `${sel.repo} · ${sel.stage}${sel.branch ? ` · ${sel.branch}` : ''}`),
      budget ? h('p', { id: 'budget' }, `Budget: ${formatBytes(budget)}`) : null, box, caption);
    const xs = points.map((_, i) => i);
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const series = [{ label: 'Commit', value: (u, i) => (points[i] ? points[i].sha.slice(0, 7) : '—') },
      { label: 'Size', stroke: color('--accent'), width: 2, points: { size: 7 }, value: (u, v) => formatBytes(v) },
      { label: 'Compressed', stroke: color('--muted'), width: 1.5, dash: [4, 3], value: (u, v) => formatBytes(v) }];
    const data = [xs, points.map((p) => p.size_bytes), points.map((p) => p.compressed_size_bytes ?? null)];
    if (budget) {
      series.push({ label: 'Budget', stroke: color('--danger'), width: 1.5, dash: [8, 4], points: { show: false },
        value: (u, v) => formatBytes(v) });
      data.push(points.map(() => budget));
    }
    const axis = { stroke: color('--fg'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') } };
    chart = new uPlot({
      width: Math.min(960, Math.max(320, out.clientWidth || 800)), height: 320,
      scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(max, budget || 0) * 1.1] } },
      axes: [{ ...axis, values: (u, splits) => splits.map((i) => (Number.isInteger(i) && points[i] ? points[i].sha.slice(0, 7) : '')) },
        { ...axis, size: 80, values: (u, splits) => splits.map((v) => formatBytes(v)) }],
      series,
      hooks: { setCursor: [(u) => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || !points[i]) return;
        const p = points[i];
        caption.textContent = `${p.sha.slice(0, 7)} on ${p.branch}: ${formatBytes(p.size_bytes)}`
          + (p.compressed_size_bytes ? ` (${formatBytes(p.compressed_size_bytes)} compressed)` : '')
          + ` — ${formatTime(p.created_at)}`;
      }] },
    }, data, box);
    out.append(h('div', { class: 'table-wrap' }, h('table', { class: 'history' },
      h('caption', { class: 'muted' }, 'Newest first'),
      h('thead', {}, h('tr', {}, ['Commit', 'Branch', 'Size', 'Compressed', 'Built'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, [...points].reverse().map((p) => h('tr', {},
        h('td', {}, p.job_id ? h('a', { href: `#/jobs/${p.job_id}/image` }, h('code', {}, p.sha.slice(0, 7))) : h('code', {}, p.sha.slice(0, 7))),
        h('td', {}, p.branch),
        h('td', { class: `num${budget && p.size_bytes > budget ? ' over' : ''}` }, formatBytes(p.size_bytes)),
        h('td', { class: 'num' }, formatBytes(p.compressed_size_bytes)),
        h('td', {}, formatTime(p.created_at))))))));
  }

  const onTheme = () => show().catch(() => {});
  window.addEventListener('themechange', onTheme);
  await fillStages().catch(() => {});
  try { await show(); } catch (err) { out.append(errorBlock(err)); }
  return () => { stopped = true; window.removeEventListener('themechange', onTheme); if (chart) chart.destroy(); };
}

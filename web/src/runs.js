// Runs: the latest runs, filtered by repo, branch and status, a page at a time; new runs and
// status changes arrive over /api/v1/events and refresh the page in place.
import { followEvents, listRepos, listRuns } from './api.js';
import { clear, elapsed, errorBlock, focusKeeper, formatDuration, formatTime, h, setLive, statusBadge } from './dom.js';

const PAGE = 50;
const STATUSES = ['', 'pending', 'running', 'success', 'failure', 'canceled', 'error', 'skipped'];

export async function render(root, _params, query) {
  const filter = {
    repo: query.get('repo') || '', branch: query.get('branch') || '',
    status: query.get('status') || '', before: query.get('before') || '', after: query.get('after') || '',
  };
  const repoSelect = h('select', { id: 'f-repo', name: 'repo' }, h('option', { value: '' }, 'All repositories'));
  if (filter.repo) repoSelect.append(h('option', { value: filter.repo, selected: true }, filter.repo));
  const branchInput = h('input', { id: 'f-branch', name: 'branch', type: 'search', value: filter.branch, placeholder: 'any' });
  const statusSelect = h('select', { id: 'f-status', name: 'status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === filter.status }, s || 'Any status')));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    h('label', { for: 'f-repo' }, 'Repository'), repoSelect,
    h('label', { for: 'f-branch' }, 'Branch'), branchInput,
    h('label', { for: 'f-status' }, 'Status'), statusSelect,
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (repoSelect.value) q.set('repo', repoSelect.value);
    if (branchInput.value.trim()) q.set('branch', branchInput.value.trim());
    if (statusSelect.value) q.set('status', statusSelect.value);
    location.hash = `#/runs${q.toString() ? `?${q}` : ''}`;
  });
  repoSelect.addEventListener('change', () => form.requestSubmit());
  statusSelect.addEventListener('change', () => form.requestSubmit());

  const tbody = h('tbody', { id: 'runs-body' });
  const table = h('table', { class: 'runs', 'aria-describedby': 'runs-title' },
    h('thead', {}, h('tr', {},
      ['Run', 'Status', 'Repository', 'Branch', 'Commit', 'Message', 'Trigger', 'Duration', 'Created']
        .map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  root.append(h('h1', { id: 'runs-title' }, 'Runs'), form, status, h('div', { class: 'table-wrap' }, table), pager);

  let stopped = false;
  async function load() {
    const page = await listRuns({ ...filter, limit: PAGE });
    if (stopped) return;
    const restoreFocus = focusKeeper(root);
    clear(tbody);
    const now = Date.now();
    for (const run of page.runs) tbody.append(row(run, now));
    status.textContent = page.runs.length ? '' : 'No runs match.';
    clear(pager);
    const base = new URLSearchParams();
    for (const k of ['repo', 'branch', 'status']) if (filter[k]) base.set(k, filter[k]);
    if (filter.before || filter.after) pager.append(h('a', { href: `#/runs${base.toString() ? `?${base}` : ''}` }, '⇤ Newest'));
    if (page.prev_after) {
      const newer = new URLSearchParams(base);
      newer.set('after', page.prev_after);
      pager.append(h('a', { href: `#/runs?${newer}`, rel: 'prev' }, '← Newer'));
    }
    if (page.next_before) {
      const older = new URLSearchParams(base);
      older.set('before', page.next_before);
      pager.append(h('a', { href: `#/runs?${older}`, rel: 'next' }, 'Older →'));
    }
    restoreFocus();
  }

  try {
    await load();
    performance.mark('slipway:runs-rendered');
  } catch (err) {
    root.append(errorBlock(err));
  }
  listRepos().then((r) => {
    if (stopped) return;
    for (const repo of r.repos) {
      if (repo.name !== filter.repo) repoSelect.append(h('option', { value: repo.name }, repo.name));
    }
  }).catch(() => {});

  // A burst of events (a push creates a run, then jobs start) causes one reload.
  let timer = null;
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((err) => { status.textContent = `Refresh failed: ${err.message}`; }), 150);
  };
  const stop = followEvents({
    run: reload,
    open: (reconnected) => { setLive(true); if (reconnected) reload(); },
    error: () => setLive(false),
  });
  return () => { stopped = true; clearTimeout(timer); stop(); };
}

function row(run, now) {
  const link = `#/runs/${run.id}`;
  return h('tr', { dataset: { runId: run.id, status: run.status } },
    h('td', {}, h('a', { href: link }, `#${run.number ?? run.id}`)),
    h('td', {}, statusBadge(run.status)),
    h('td', {}, run.repo),
    h('td', {}, h('code', {}, run.branch)),
    h('td', {}, h('code', { title: run.sha }, run.short_sha)),
    h('td', { class: 'message' }, (run.message || '').split('\n')[0]),
    h('td', {}, run.trigger),
    h('td', { class: 'num' }, formatDuration(elapsed(run, now))),
    h('td', {}, h('time', { datetime: new Date(run.created_at).toISOString() }, formatTime(run.created_at))));
}

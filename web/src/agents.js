// Agents: each agent with its labels, capacity, running jobs (the API's running_jobs) and the age
// of its last heartbeat. The view refreshes on job events and every few seconds (heartbeat ages).
import { followEvents, listAgents } from './api.js';
import { clear, errorBlock, focusKeeper, formatAge, formatDuration, h, setLive } from './dom.js';

const STALE_MS = 60000;

export async function render(root) {
  const body = h('div', {});
  root.append(h('h1', {}, 'Agents'), body);
  let stopped = false;

  async function load() {
    const { agents } = await listAgents();
    if (stopped) return;
    const restoreFocus = focusKeeper(body);
    clear(body);
    if (!agents.length) { body.append(h('p', { class: 'muted' }, 'No agent has connected yet.')); return; }
    body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'agents' },
      h('thead', {}, h('tr', {}, ['Agent', 'Labels', 'Capacity', 'Running jobs', 'Last heartbeat', 'Version']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, agents.map(agentRow)))));
    restoreFocus();
  }

  try { await load(); } catch (err) { root.append(errorBlock(err)); }
  let timer = null;
  const reload = () => { clearTimeout(timer); timer = setTimeout(() => load().catch(() => {}), 200); };
  const stop = followEvents({ job: reload, open: (r) => { setLive(true); if (r) reload(); }, error: () => setLive(false) });
  const ticker = setInterval(reload, 5000);
  return () => { stopped = true; clearTimeout(timer); clearInterval(ticker); stop(); };
}

function agentRow(a) {
  const jobs = a.running_jobs || [];
  const stale = a.last_seen_age_ms > STALE_MS;
  // The server's clock at the answer, so build times do not depend on this machine's clock.
  const serverNow = a.last_seen_at + a.last_seen_age_ms;
  return h('tr', { dataset: { agent: a.name } },
    h('th', { scope: 'row' }, a.name),
    h('td', {}, Object.entries(a.labels || {}).map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`))),
    h('td', { class: 'num' }, `${jobs.length} / ${a.capacity}`),
    h('td', {}, jobs.length ? h('ul', { class: 'plain' }, jobs.map((j) =>
      h('li', {}, h('a', { href: `#/jobs/${j.job_id}` }, `${j.repo} ${j.name}`),
        h('span', { class: 'muted' }, ` for ${formatDuration(serverNow - j.started_at)}`)))) : '—'),
    h('td', { class: stale ? 'heartbeat warn' : 'heartbeat', dataset: { ageMs: a.last_seen_age_ms } },
      formatAge(a.last_seen_age_ms), stale ? ' (stale)' : ''),
    h('td', {}, a.version || '—'));
}

// Agents: each agent with its labels, capacity, running jobs and the age of its last heartbeat.
// Running jobs come from the running runs' job lists; the view refreshes on job events and every
// few seconds (heartbeat ages).
import { followEvents, getRun, listAgents, listRuns } from './api.js';
import { clear, errorBlock, formatAge, h, setLive } from './dom.js';

export async function render(root) {
  const body = h('div', {});
  root.append(h('h1', {}, 'Agents'), body);
  let stopped = false;

  async function load() {
    const [{ agents }, { runs }] = await Promise.all([listAgents(), listRuns({ status: 'running', limit: 50 })]);
    const details = await Promise.all(runs.map((r) => getRun(r.id).catch(() => null)));
    if (stopped) return;
    const running = new Map();
    for (const run of details.filter(Boolean)) {
      for (const job of run.jobs) {
        if (job.status !== 'running' || !job.agent) continue;
        if (!running.has(job.agent)) running.set(job.agent, []);
        running.get(job.agent).push({ run, job });
      }
    }
    clear(body);
    if (!agents.length) { body.append(h('p', { class: 'muted' }, 'No agent has connected yet.')); return; }
    body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'agents' },
      h('thead', {}, h('tr', {}, ['Agent', 'Labels', 'Capacity', 'Running jobs', 'Last heartbeat', 'Version']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, agents.map((a) => {
        const jobs = running.get(a.name) || [];
        const stale = a.last_seen_age_ms > 60000;
        return h('tr', { dataset: { agent: a.name } },
          h('th', { scope: 'row' }, a.name),
          h('td', {}, Object.entries(a.labels || {}).map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`))),
          h('td', { class: 'num' }, `${jobs.length} / ${a.capacity}`),
          h('td', {}, jobs.length ? h('ul', { class: 'plain' }, jobs.map(({ run, job }) =>
            h('li', {}, h('a', { href: `#/jobs/${job.id}` }, `${run.repo} #${run.number ?? run.id} ${job.name}`)))) : '—'),
          h('td', { class: stale ? 'warn' : '' }, formatAge(a.last_seen_age_ms)),
          h('td', {}, a.version || '—'));
      })))));
  }

  try { await load(); } catch (err) { root.append(errorBlock(err)); }
  let timer = null;
  const reload = () => { clearTimeout(timer); timer = setTimeout(() => load().catch(() => {}), 200); };
  const stop = followEvents({ job: reload, open: (r) => { setLive(true); if (r) reload(); }, error: () => setLive(false) });
  const ticker = setInterval(reload, 5000);
  return () => { stopped = true; clearTimeout(timer); clearInterval(ticker); stop(); };
}

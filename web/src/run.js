// A run: the commit and trigger, the stage graph (live while it runs), a table of stages with
// image sizes and cache shares, the stages' sizes side by side with the Dockerfile advice, and the actions: rerun all, rerun failed, rerun one stage, cancel.
import { cancelRun, followEvents, getRun, rerunRun } from './api.js';
import {
  FINAL, clear, elapsed, errorBlock, focusKeeper, formatBytes, formatDuration, formatTime, h, setLive, statusBadge, toast,
} from './dom.js';
import { cachedShare, drawGraph } from './graph.js';
import { adviceList, sizeComparison } from './run_sizes.js';

export async function render(root, [id]) {
  const runId = Number(id);
  const head = h('div', { class: 'run-head' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Run actions' });
  const graphBox = h('figure', { class: 'graph-box' });
  const stages = h('div', { class: 'table-wrap' });
  const lesson = h('div', { class: 'run-lesson' });
  root.append(head, actions, h('h2', {}, 'Stages'), graphBox, stages, lesson);

  let run = null;
  let stopped = false;
  let busy = false;

  async function act(label, fn) {
    if (busy) return;
    busy = true;
    try {
      await fn();
    } catch (err) {
      toast(`${label} failed: ${err.message}`, 'error');
    } finally {
      busy = false;
    }
  }
  const rerun = (jobs, label) => act(label, async () => {
    const fresh = await rerunRun(runId, jobs);
    toast(`Started run #${fresh.number ?? fresh.id}`);
    location.hash = `#/runs/${fresh.id}`;
  });
  const cancel = () => act('Cancel', async () => {
    await cancelRun(runId);
    toast('Cancelling…');
    await load();
  });

  async function load() {
    const fresh = await getRun(runId);
    if (stopped) return;
    run = fresh;
    const restoreFocus = focusKeeper(root);
    clear(head);
    head.append(
      h('h1', {}, `${run.repo} `, h('span', { class: 'muted' }, `#${run.number ?? run.id}`), ' ', statusBadge(run.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Commit'), h('dd', {}, h('code', { title: run.sha }, run.short_sha), ' ', (run.message || '').split('\n')[0]),
        h('dt', {}, 'Branch'), h('dd', {}, h('code', {}, run.branch)),
        h('dt', {}, 'Author'), h('dd', {}, run.author || '—'),
        h('dt', {}, 'Trigger'), h('dd', {}, run.trigger, run.parent_run_id ? [' of ', h('a', { href: `#/runs/${run.parent_run_id}` }, `run ${run.parent_run_id}`)] : null),
        h('dt', {}, 'Created'), h('dd', {}, formatTime(run.created_at)),
        h('dt', {}, 'Duration'), h('dd', {}, formatDuration(elapsed(run)))),
      ...(run.error ? [h('p', { class: 'error', role: 'alert' }, run.error)] : []));
    clear(actions);
    const final = FINAL.has(run.status);
    const anyFailed = run.jobs.some((j) => ['failure', 'error', 'canceled', 'skipped'].includes(j.status));
    actions.append(
      h('button', { type: 'button', id: 'rerun-all', onclick: () => rerun('all', 'Rerun'), disabled: !final }, 'Rerun all'),
      h('button', { type: 'button', id: 'rerun-failed', onclick: () => rerun('failed', 'Rerun'), disabled: !final || !anyFailed }, 'Rerun failed'),
      h('button', { type: 'button', id: 'cancel-run', class: 'danger', onclick: cancel, disabled: final }, 'Cancel'));

    const svg = await drawGraph(run.jobs);
    if (stopped) return;
    clear(graphBox);
    graphBox.append(svg, h('figcaption', { class: 'muted' }, 'Each stage with its status, duration, image size and cached-step share.'));

    clear(stages);
    const now = Date.now();
    stages.append(h('table', { class: 'stages' },
      h('thead', {}, h('tr', {}, ['Stage', 'Status', 'Needs', 'Duration', 'Image size', 'Compressed', 'Cached steps', 'Agent', '']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, run.jobs.map((job) => {
        const share = cachedShare(job);
        const histQ = new URLSearchParams({ repo: run.repo, stage: job.name, branch: run.branch });
        return h('tr', { dataset: { job: job.name, status: job.status } },
          h('th', { scope: 'row' }, h('a', { href: `#/jobs/${job.id}` }, job.name)),
          h('td', {}, statusBadge(job.status), job.failed_step ? h('div', { class: 'error small' }, job.failed_step) : null),
          h('td', {}, (job.needs || []).join(', ') || '—'),
          h('td', { class: 'num' }, formatDuration(elapsed(job, now))),
          h('td', { class: 'num size' }, job.image ? h('a', { href: `#/jobs/${job.id}/image` }, formatBytes(job.image.size_bytes)) : '—'),
          h('td', { class: 'num' }, job.image ? formatBytes(job.image.compressed_size_bytes) : '—'),
          h('td', { class: 'num' }, share ? `${share.cached}/${share.steps} (${share.pct}%)` : '—'),
          h('td', {}, job.agent || '—'),
          h('td', { class: 'row-actions' },
            h('a', { href: `#/history?${histQ}` }, 'History'), ' ',
            h('button', { type: 'button', class: 'small', disabled: !final, 'aria-label': `Rerun stage ${job.name}`,
              onclick: () => rerun([job.name], 'Rerun') }, 'Rerun')));
      }))));
    clear(lesson);
    lesson.append(...[sizeComparison(run.jobs), adviceList(run.diagnostics)].filter(Boolean));
    root.dataset.runStatus = run.status;
    restoreFocus();
  }

  try {
    await load();
  } catch (err) {
    root.append(errorBlock(err));
    return null;
  }
  let timer = null;
  const reload = (e) => {
    if (e && e.run_id !== runId) return;
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => {}), 120);
  };
  const stop = followEvents({
    run: reload, job: reload,
    open: (reconnected) => { setLive(true); if (reconnected) reload(); },
    error: () => setLive(false),
  });
  // Running durations tick without waiting for an event.
  const ticker = setInterval(() => { if (run && !FINAL.has(run.status)) reload(); }, 5000);
  return () => { stopped = true; clearTimeout(timer); clearInterval(ticker); stop(); };
}

// A run: the commit and trigger, the stage graph (live while it runs), a table of stages with
// image sizes and cache shares, the stages' sizes side by side with the Dockerfile advice, and the actions: rerun all, rerun failed, rerun one stage, cancel,
// approve (a fork's pull request held for approval). Links go to the commit, the compare view and the pull request on the forge.
import { approveRun, cancelRun, followEvents, getRun, rerunRun } from './api.js';
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
  const approve = () => act('Approve', async () => {
    await approveRun(runId);
    toast('Approved: planning');
    await load();
  });

  // A link to the forge, or the plain text when the forge's address is unknown.
  const forgeLink = (url, text) => (url ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text) : text);
  function origin(r) {
    const pr = r.pull_request;
    const links = r.links || {};
    const facts = [];
    if (pr) {
      facts.push(h('dt', {}, 'Pull request'), h('dd', { id: 'run-pr' },
        forgeLink(links.pull_request, `#${pr.number}`), ' ', pr.title, ' ',
        h('span', { class: 'muted' }, `${pr.source_repo && pr.fork ? `${pr.source_repo}:` : ''}${pr.source_branch} → ${pr.target_branch}`),
        pr.fork ? [' ', h('span', { class: 'badge' }, 'fork: no secrets, no push')] : null));
    }
    if (r.tag) facts.push(h('dt', {}, 'Tag'), h('dd', {}, h('code', {}, r.tag)));
    if (links.compare) facts.push(h('dt', {}, 'Changes'), h('dd', {}, forgeLink(links.compare, 'compare on the forge')));
    return facts;
  }

  async function load() {
    const fresh = await getRun(runId);
    if (stopped) return;
    run = fresh;
    const restoreFocus = focusKeeper(root);
    clear(head);
    head.append(
      h('h1', {}, `${run.repo} `, h('span', { class: 'muted' }, `#${run.number ?? run.id}`), ' ', statusBadge(run.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Commit'), h('dd', {}, forgeLink(run.links?.commit, h('code', { title: run.sha }, run.short_sha)), ' ',
          (run.message || '').split('\n')[0]),
        ...(run.branch ? [h('dt', {}, 'Branch'), h('dd', {}, h('code', {}, run.branch))] : []),
        ...origin(run),
        h('dt', {}, 'Author'), h('dd', {}, run.author || '—'),
        h('dt', {}, 'Trigger'), h('dd', {}, run.trigger, run.parent_run_id ? [' of ', h('a', { href: `#/runs/${run.parent_run_id}` }, `run ${run.parent_run_id}`)] : null),
        h('dt', {}, 'Created'), h('dd', {}, formatTime(run.created_at)),
        h('dt', {}, 'Duration'), h('dd', {}, formatDuration(elapsed(run)))),
      ...(run.approval === 'awaiting' ? [h('p', { class: 'notice', role: 'status' },
        'Held: a pull request from a fork waits for an admin to approve it. It builds without secrets and pushes nothing.')] : []),
      ...(run.error ? [h('p', { class: 'error', role: 'alert' }, run.error)] : []));
    clear(actions);
    const final = FINAL.has(run.status);
    const anyFailed = run.jobs.some((j) => ['failure', 'error', 'canceled', 'skipped'].includes(j.status));
    actions.append(
      h('button', { type: 'button', id: 'rerun-all', onclick: () => rerun('all', 'Rerun'), disabled: !final }, 'Rerun all'),
      h('button', { type: 'button', id: 'rerun-failed', onclick: () => rerun('failed', 'Rerun'), disabled: !final || !anyFailed }, 'Rerun failed'),
      h('button', { type: 'button', id: 'cancel-run', class: 'danger', onclick: cancel, disabled: final }, 'Cancel'),
      ...(run.approval === 'awaiting' && !final
        ? [h('button', { type: 'button', id: 'approve-run', onclick: approve }, 'Approve')] : []));

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

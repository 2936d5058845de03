// A job's log, followed live over SSE: one foldable section per BuildKit vertex ("#5 [build 2/3]
// RUN ..."), matched to the job's steps for the CACHED badge and duration; ANSI colours; the
// failing step opened with its error lines marked; every line linkable (#/jobs/ID?line=N).
import { followJobLog, getJob } from './api.js';
import { appendAnsi, stripAnsi } from './ansi.js';
import { FINAL, errorBlock, formatDuration, h, replaceQuery } from './dom.js';
import { jobHeader } from './job_tabs.js';

const VERTEX = /^#(\d+) (.*)$/;

export async function render(root, [id], query) {
  const jobId = Number(id);
  let job;
  try {
    job = await getJob(jobId);
  } catch (err) {
    root.append(errorBlock(err));
    return null;
  }
  const headBox = h('div', {});
  headBox.append(jobHeader(job, 'log'));
  const follow = h('input', { type: 'checkbox', id: 'follow', checked: true });
  const toolbar = h('div', { class: 'log-toolbar' },
    h('label', {}, follow, ' Follow output'),
    h('button', { type: 'button', class: 'small', onclick: () => setAll(true) }, 'Expand all'),
    h('button', { type: 'button', class: 'small', onclick: () => setAll(false) }, 'Collapse all'),
    h('span', { class: 'muted', id: 'log-state', 'aria-live': 'polite' }, FINAL.has(job.status) ? '' : 'following…'));
  const log = h('div', { class: 'log', id: 'log', role: 'log', 'aria-label': `Log of ${job.name}` });
  root.append(headBox, toolbar, log);

  const wanted = Number(query.get('line')) || 0;
  let lineNo = 0;
  let pending = '';
  let lastSeq = -1;
  let attempt = null;
  let steps = job.steps || [];
  const sections = new Map();  // vertex id -> section
  let loose = null;  // the current section for lines without a vertex prefix

  function setAll(open) { for (const s of log.querySelectorAll('details')) s.open = open; }

  function stepFor(name) { return steps.find((s) => s.name === name); }

  function section(key, title) {
    const badges = h('span', { class: 'badges' });
    const summary = h('summary', {}, h('span', { class: 'step-name' }, title), badges);
    const body = h('div', { class: 'lines' });
    const details = h('details', { class: 'step', open: true, dataset: { vertex: key } }, summary, body);
    log.append(details);
    const s = { key, title, details, body, badges, done: false, failed: false };
    sections.set(key, s);
    decorate(s);
    return s;
  }

  function decorate(s) {
    const step = stepFor(s.title);
    s.badges.replaceChildren();
    if (step?.cached || s.cached) s.badges.append(h('span', { class: 'badge cached' }, 'CACHED'));
    if (step?.error || s.failed) s.badges.append(h('span', { class: 'badge status-failure' }, 'failed'));
    const running = !s.done && step && !step.completed_ms && !step.cached && !step.error;
    const ms = step?.duration_ms ?? (s.seconds === undefined ? undefined : s.seconds * 1000);
    if (running) s.badges.append(h('span', { class: 'duration' }, 'running…'));
    else if (ms !== undefined && ms !== null) s.badges.append(h('span', { class: 'duration' }, formatDuration(ms)));
    s.details.dataset.cached = String(Boolean(step?.cached || s.cached));
  }

  function addLine(raw) {
    const text = stripAnsi(raw);
    let target;
    const m = text.match(VERTEX);
    if (m) {
      const key = m[1];
      target = sections.get(key) || section(key, m[2]);
      loose = null;
      const rest = m[2];
      if (rest === 'CACHED') { target.cached = true; target.done = true; }
      else if (/^DONE (\d+(\.\d+)?)s$/.test(rest)) { target.seconds = Number(rest.slice(5, -1)); target.done = true; }
      else if (rest.startsWith('ERROR')) { target.failed = true; target.done = true; }
      if (target.done && !target.failed && follow.checked) target.details.open = false;
      decorate(target);
    } else {
      loose ??= section(`out${lineNo}`, 'Output');
      target = loose;
    }
    lineNo += 1;
    const n = lineNo;
    const isError = /(^|\s)ERROR[:\s]|^#\d+ ERROR|error: /i.test(text) && !/^#\d+ \[/.test(text);
    const link = h('a', { class: 'ln', href: `#/jobs/${jobId}?line=${n}`, 'aria-label': `Line ${n}`,
      onclick: (e) => { e.preventDefault(); select(n); } }, String(n));
    const content = h('span', { class: 'text' });
    appendAnsi(content, raw);
    const line = h('div', { class: `line${isError ? ' error-line' : ''}`, id: `L${n}` }, link, content);
    target.body.append(line);
    if (isError) { target.failed = true; decorate(target); }
    if (n === wanted) requestAnimationFrame(() => select(n));
  }

  function select(n) {
    for (const el of log.querySelectorAll('.line.selected')) el.classList.remove('selected');
    const el = document.getElementById(`L${n}`);
    if (!el) return;
    el.classList.add('selected');
    el.closest('details').open = true;
    follow.checked = false;
    el.scrollIntoView({ block: 'center' });
    const q = new URLSearchParams(query);
    q.set('line', String(n));
    replaceQuery(q);
  }

  function feed(data) {
    pending += data;
    const parts = pending.split('\n');
    pending = parts.pop();
    for (const p of parts) addLine(p.replace(/\r$/, ''));
    if (follow.checked) window.scrollTo(0, document.body.scrollHeight);
  }

  function finish(finalJob) {
    if (pending) { addLine(pending); pending = ''; }
    job = finalJob;
    steps = finalJob.steps || steps;
    headBox.replaceChildren(jobHeader(finalJob, 'log'));
    for (const s of sections.values()) decorate(s);
    document.getElementById('log-state').textContent = `finished: ${finalJob.status}`;
    // A successful log folds; a failed one opens its failing step (the Dockerfile step named by
    // the job when there is one, else any vertex that reported an error) and marks its error lines.
    if (finalJob.status === 'success') {
      for (const s of sections.values()) s.details.open = false;
    } else {
      const failedName = finalJob.failed_step || (steps.find((s) => s.error)?.name ?? '');
      const all = [...sections.values()];
      const first = all.find((s) => failedName && s.title === failedName) || all.find((s) => s.failed);
      for (const s of all) s.details.open = s === first;
      if (first) {
        first.failed = true;
        decorate(first);
        first.details.classList.add('failed-step');
        for (const l of first.body.querySelectorAll('.line')) {
          if (/error|exit code|did not complete/i.test(l.textContent)) l.classList.add('error-line');
        }
        if (!wanted) first.details.scrollIntoView({ block: 'start' });
      }
    }
    if (wanted) select(wanted);
    log.dataset.ended = finalJob.status;
  }

  let ended = false;
  const stop = followJobLog(jobId, {
    log: (e) => {
      if (attempt !== null && e.attempt !== attempt) return;
      attempt = e.attempt;
      if (e.seq <= lastSeq) return;  // a replay after a reconnect
      lastSeq = e.seq;
      feed(e.data.endsWith('\n') ? e.data : `${e.data}\n`);
    },
    steps: (e) => {
      steps = e.steps;
      for (const s of sections.values()) decorate(s);
    },
    end: async () => {
      if (ended) return;
      ended = true;
      stop();
      try { finish(await getJob(jobId)); } catch (err) { root.append(errorBlock(err)); }
    },
  });
  return () => stop();
}

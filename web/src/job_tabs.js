// The header shared by a job's pages: its name, status and run, and tabs for log and image.
import { elapsed, formatDuration, h, statusBadge } from './dom.js';

export function jobHeader(job, current) {
  const tab = (href, label, key) => h('a', { href, role: 'tab', 'aria-selected': String(key === current),
    'aria-current': key === current ? 'page' : null }, label);
  return h('div', { class: 'job-head' },
    h('p', { class: 'crumbs' }, h('a', { href: `#/runs/${job.run_id}` }, `← Run ${job.run_id}`)),
    h('h1', {}, `${job.name} `, statusBadge(job.status)),
    h('p', { class: 'muted' }, `attempt ${job.attempt} of ${job.max_attempts} · `,
      job.agent ? `agent ${job.agent} · ` : '', formatDuration(elapsed(job))),
    h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Job' },
      tab(`#/jobs/${job.id}`, 'Log', 'log'), tab(`#/jobs/${job.id}/image`, 'Image', 'image')));
}

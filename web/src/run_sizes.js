// What a run's stages weigh, side by side: a bar per stage scaled to the largest image, with its
// compressed size, packages and vulnerabilities, and what the last stage keeps of the largest
// ("runtime is 21% of build"). Also the Dockerfile advice the plan found, with line and column.
import { formatBytes, h } from './dom.js';
import { severityBadges } from './image_insight.js';

/** A bar per stage that has an image; null when none has. */
export function sizeComparison(jobs) {
  const sized = jobs.filter((j) => j.image?.size_bytes > 0);
  if (!sized.length) return null;
  const largest = sized.reduce((a, b) => (b.image.size_bytes > a.image.size_bytes ? b : a));
  const last = sized[sized.length - 1];
  const pct = (job) => Math.round((100 * job.image.size_bytes) / largest.image.size_bytes);
  return h('section', { id: 'stage-sizes', 'aria-labelledby': 'stage-sizes-title' },
    h('h2', { id: 'stage-sizes-title' }, 'Sizes'),
    last !== largest ? h('p', { id: 'size-lesson' },
      `${last.name} is ${pct(last)}% of ${largest.name} (${formatBytes(largest.image.size_bytes)} → ${formatBytes(last.image.size_bytes)})`) : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stage-sizes' },
      h('thead', {}, h('tr', {}, ['Stage', 'Size', '', 'Compressed', 'Packages', 'Vulnerabilities']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, sized.map((job) => h('tr', { dataset: { job: job.name } },
        h('th', { scope: 'row' }, job.name),
        h('td', { class: 'num' }, formatBytes(job.image.size_bytes)),
        h('td', { class: 'bar-cell' }, h('span', {
          class: 'bar', role: 'img', style: `width: ${Math.max(pct(job), 1)}%`,
          'aria-label': `${job.name}: ${pct(job)}% of ${largest.name}` })),
        h('td', { class: 'num' }, job.image.compressed_size_bytes ? formatBytes(job.image.compressed_size_bytes) : '—'),
        h('td', { class: 'num' }, String(job.insight?.packages ?? '—')),
        h('td', { class: 'vulnerabilities' }, job.insight ? severityBadges(job.insight) : '—')))))));
}

/** The plan's Dockerfile and pipeline diagnostics, each at file:line:column; null when none. */
export function adviceList(diagnostics) {
  if (!diagnostics?.length) return null;
  return h('section', { id: 'advice', 'aria-labelledby': 'advice-title' },
    h('h2', { id: 'advice-title' }, `Advice (${diagnostics.length})`),
    h('ul', { class: 'advice' }, diagnostics.map((d) => h('li', { dataset: { code: d.code } },
      h('code', {}, `${d.file}:${d.line}:${d.column}`), ' ',
      h('span', { class: `badge severity-${d.severity === 'error' ? 'high' : 'low'}` }, d.severity), ' ',
      d.message, ' ', h('span', { class: 'muted' }, `[${d.code}]`)))));
}

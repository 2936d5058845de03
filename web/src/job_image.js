// A job's image: the digest (with a copy button), uncompressed and compressed sizes, each layer
// with its size and the instruction that made it, the base images it was built from (with the
// digests a base-update check compares), and the image's insight (image_insight.js).
import { getJob } from './api.js';
import { errorBlock, formatBytes, h, toast } from './dom.js';
import { analysisSection, reviewSection } from './image_insight.js';
import { jobHeader } from './job_tabs.js';

export async function render(root, [id]) {
  let job;
  try {
    job = await getJob(Number(id));
  } catch (err) {
    root.append(errorBlock(err));
    return null;
  }
  root.append(jobHeader(job, 'image'));
  const image = job.image;
  if (!image) {
    root.append(h('p', { class: 'muted' }, 'This job has no image (yet).'));
    return null;
  }
  const digest = h('code', { id: 'digest', class: 'digest' }, image.digest);
  const copy = h('button', { type: 'button', id: 'copy-digest', class: 'small', 'aria-label': 'Copy the digest', onclick: async () => {
    try {
      await navigator.clipboard.writeText(image.digest);
      toast('Digest copied');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(digest);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      toast('Digest selected: press Ctrl+C to copy');
    }
  } }, 'Copy');
  const layers = image.layers || [];
  const largest = Math.max(1, ...layers.map((l) => l.size_bytes || 0));
  root.append(
    h('dl', { class: 'facts' },
      h('dt', {}, 'Digest'), h('dd', {}, digest, ' ', copy),
      image.ref ? [h('dt', {}, 'Reference'), h('dd', {}, h('code', {}, image.ref))] : null,
      h('dt', {}, 'Size'), h('dd', { id: 'image-size' }, formatBytes(image.size_bytes)),
      h('dt', {}, 'Compressed'), h('dd', { id: 'image-compressed' }, formatBytes(image.compressed_size_bytes)),
      job.bases?.length ? [h('dt', {}, 'Built from'), h('dd', { id: 'image-bases' }, h('ul', { class: 'plain' },
        job.bases.map((b) => h('li', {}, h('code', {}, b.ref), ' ', h('code', { class: 'muted', title: b.digest }, b.digest.slice(0, 19))))))]
        : null),
    reviewSection(job.insight),
    h('h2', {}, `Layers (${layers.length})`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'layers' },
      h('thead', {}, h('tr', {}, ['#', 'Size', 'Compressed', '', 'Instruction'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, layers.map((l, i) => h('tr', {},
        h('td', { class: 'num' }, String(i + 1)),
        h('td', { class: 'num' }, formatBytes(l.size_bytes)),
        h('td', { class: 'num' }, formatBytes(l.compressed_size_bytes)),
        h('td', { class: 'bar-cell', 'aria-hidden': 'true' },
          h('span', { class: 'bar', style: `width:${Math.max(1, Math.round((100 * (l.size_bytes || 0)) / largest))}%` })),
        h('td', {}, h('code', { class: 'instruction' }, l.instruction || '—'))))))));
  if (image.digest) root.append(await analysisSection(image.digest));
  return null;
}

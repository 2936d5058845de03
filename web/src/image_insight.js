// A job image's insight: the build's review (efficiency, waste, vulnerabilities by severity, the
// comparison with the previous builds, budget and scan-gate verdicts) from the job's `insight`,
// and the image's whole analysis from GET /images/{digest} (wasted paths, largest files,
// vulnerabilities, packages, SBOM link).
import { getImage, sbomUrl } from './api.js';
import { errorBlock, formatBytes, h } from './dom.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'];

const percent = (fraction) => `${(100 * fraction).toFixed(1)}%`;
const signedBytes = (n) => `${n >= 0 ? '+' : '−'}${formatBytes(Math.abs(n))}`;

/** Severity counts of a review (job.insight), or "not scanned" and why when no scanner answered. */
export function severityBadges(insight) {
  if (insight?.not_scanned) return h('span', { class: 'muted', title: insight.not_scanned }, `not scanned (${insight.not_scanned})`);
  const counts = insight?.vulnerabilities;
  const present = SEVERITIES.filter((s) => (counts?.[s] || 0) > 0);
  if (present.length === 0) return h('span', { class: 'muted' }, 'none found');
  return present.map((s) => [h('span', { class: `badge severity-${s}` }, `${counts[s]} ${s}`), ' ']);
}

function comparison(title, previous) {
  if (!previous) return null;
  const rows = (previous.layers || []).map((l) => h('tr', {},
    h('td', {}, l.change),
    h('td', { class: 'num' }, formatBytes(l.before_bytes)),
    h('td', { class: 'num' }, formatBytes(l.after_bytes)),
    h('td', {}, h('code', { class: 'instruction' }, l.created_by || '—'))));
  return h('section', { class: 'comparison', 'aria-label': title },
    h('h3', {}, title, ' ', h('code', {}, (previous.sha || '').slice(0, 8))),
    previous.size_delta_bytes === undefined
      ? h('p', { class: 'muted' }, previous.note || 'No analysis to compare with.')
      : h('p', { class: 'size-delta' }, `Size ${signedBytes(previous.size_delta_bytes)} (${previous.size_delta_percent.toFixed(1)}%)`),
    rows.length ? h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Layer', 'Before', 'After', 'Instruction'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))) : null);
}

function pathTable(caption, rows, columns) {
  if (!rows?.length) return null;
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row))))))));
}

/** The review summary of one build (job.insight). */
export function reviewSection(insight) {
  if (!insight) return h('p', { class: 'muted' }, 'This image has not been analysed.');
  const failures = insight.failures || [];
  const budget = insight.budget;
  const gate = insight.scan_gate;
  return h('section', { id: 'insight', 'aria-labelledby': 'insight-title' },
    h('h2', { id: 'insight-title' }, 'Insight'),
    failures.length ? h('div', { class: 'failures', role: 'alert' },
      h('strong', {}, 'Failed the job:'), h('ul', {}, failures.map((f) => h('li', {}, f)))) : null,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Efficiency'), h('dd', { id: 'insight-efficiency' }, percent(insight.efficiency)),
      h('dt', {}, 'Wasted'), h('dd', { id: 'insight-wasted' }, formatBytes(insight.wasted_bytes)),
      h('dt', {}, 'OS'), h('dd', {}, insight.os || '—'),
      h('dt', {}, 'Packages'), h('dd', {}, String(insight.packages ?? '—')),
      h('dt', {}, 'Vulnerabilities'), h('dd', { id: 'insight-vulnerabilities' }, severityBadges(insight)),
      insight.new_findings?.length ? [h('dt', {}, 'New'), h('dd', {}, insight.new_findings.join(', '))] : null,
      insight.fixed_findings?.length ? [h('dt', {}, 'Fixed'), h('dd', {}, insight.fixed_findings.join(', '))] : null,
      budget ? [h('dt', {}, 'Budget'), h('dd', {}, [
        budget.max_size_bytes !== undefined ? `max size ${formatBytes(budget.max_size_bytes)}` : null,
        budget.max_growth_percent !== undefined ? `max growth ${budget.max_growth_percent}%` : null,
        budget.min_efficiency !== undefined ? `min efficiency ${percent(budget.min_efficiency)}` : null,
      ].filter(Boolean).join(', '), budget.broken?.length ? ' — broken' : ' — kept')] : null,
      gate ? [h('dt', {}, 'Scan gate'), h('dd', {}, `fail on ${gate.fail_on}: `,
        gate.blocking.length ? `${gate.blocking.length} blocking` : 'passed',
        gate.ignored.length ? `, ${gate.ignored.length} ignored` : '')] : null,
      (insight.warnings || []).map((w) => [h('dt', {}, 'Note'), h('dd', { class: 'muted' }, w)])),
    comparison('Compared with the previous build on this branch', insight.previous?.branch),
    comparison('Compared with the default branch', insight.previous?.default_branch));
}

/** The image's stored analysis, loaded by digest. */
export async function analysisSection(digest) {
  let image;
  try {
    image = await getImage(digest);
  } catch (err) {
    return errorBlock(err);
  }
  const analysis = image.analysis;
  const vulns = image.vulnerabilities || [];
  return h('section', { id: 'analysis', 'aria-label': 'Image analysis' },
    h('h2', {}, `Vulnerabilities (${vulns.length})`),
    vulns.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'vulnerabilities' },
      h('thead', {}, h('tr', {}, ['Advisory', 'Package', 'Installed', 'Fixed in', 'Severity', 'Found by']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, vulns.map((v) => h('tr', {},
        h('td', {}, h('code', {}, v.id)), h('td', {}, v.package), h('td', {}, h('code', {}, v.installed_version)),
        h('td', {}, v.fixed_version ? h('code', {}, v.fixed_version) : h('span', { class: 'muted' }, 'no fix yet')),
        h('td', {}, h('span', { class: `badge severity-${v.severity}` }, v.severity)), h('td', {}, v.source))))))
      : h('p', { class: 'muted' }, image.scans?.length ? 'No known vulnerabilities.'
        : `Not scanned${image.insight?.not_scanned ? ` (${image.insight.not_scanned})` : ''}.`),
    analysis ? [
      h('h2', {}, 'Waste'),
      pathTable('Paths in more than one layer, or removed later', analysis.wasted, [
        ['Path', (w) => h('code', {}, w.path)], ['Layers', (w) => String(w.occurrences)], ['Wasted', (w) => formatBytes(w.wasted_bytes)]])
        || h('p', { class: 'muted' }, 'No wasted space.'),
      h('h2', {}, 'Largest files'),
      pathTable('In the final filesystem', analysis.largest_files, [
        ['Path', (f) => h('code', {}, f.path)], ['Size', (f) => formatBytes(f.size_bytes)]]),
      h('details', {},
        h('summary', {}, `Packages (${analysis.packages?.length || 0})`),
        pathTable('Installed packages', analysis.packages, [
          ['Type', (p) => p.type], ['Name', (p) => p.name], ['Version', (p) => h('code', {}, p.version)]])),
      h('p', {}, h('a', { href: sbomUrl(digest), download: `sbom-${digest.replace(':', '-')}.json` }, 'Download the SBOM (CycloneDX 1.5)')),
    ] : null);
}

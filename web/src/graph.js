// The stage graph: jobs as nodes, `needs` as edges, laid out left to right by dagre (npm
// @dagrejs/dagre, loaded on first use) and drawn as SVG. Each node links to its job's log.
// Without the library (not installed) a simple layering by longest path is used instead.
import { elapsed, formatBytes, formatDuration, h } from './dom.js';

const NODE_W = 210;
const NODE_H = 84;

let dagrePromise = null;
function loadDagre() {
  dagrePromise ??= import('/static/vendor/dagre.js').then((m) => m.default ?? m).catch(() => null);
  return dagrePromise;
}

function fallbackLayout(jobs) {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const rank = new Map();
  const rankOf = (j, seen = new Set()) => {
    if (rank.has(j.name)) return rank.get(j.name);
    if (seen.has(j.name)) return 0;
    seen.add(j.name);
    const r = Math.max(-1, ...(j.needs || []).filter((n) => byName.has(n)).map((n) => rankOf(byName.get(n), seen))) + 1;
    rank.set(j.name, r);
    return r;
  };
  const rows = new Map();
  const nodes = new Map();
  for (const j of jobs) {
    const r = rankOf(j);
    const i = rows.get(r) || 0;
    rows.set(r, i + 1);
    nodes.set(j.name, { x: 20 + NODE_W / 2 + r * (NODE_W + 60), y: 20 + NODE_H / 2 + i * (NODE_H + 30) });
  }
  const edges = [];
  for (const j of jobs) {
    for (const n of j.needs || []) {
      if (!nodes.has(n)) continue;
      const a = nodes.get(n);
      const b = nodes.get(j.name);
      edges.push([{ x: a.x + NODE_W / 2, y: a.y }, { x: b.x - NODE_W / 2, y: b.y }]);
    }
  }
  return { nodes, edges };
}

function dagreLayout(dagre, jobs) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 64, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const j of jobs) g.setNode(j.name, { width: NODE_W, height: NODE_H });
  for (const j of jobs) for (const n of j.needs || []) if (g.hasNode(n)) g.setEdge(n, j.name);
  dagre.layout(g);
  const nodes = new Map(jobs.map((j) => [j.name, g.node(j.name)]));
  const edges = g.edges().map((e) => g.edge(e).points);
  return { nodes, edges };
}

export function cachedShare(job) {
  const c = job.cache;
  if (!c || !c.steps) return null;
  return { cached: c.cached, steps: c.steps, pct: Math.round((100 * c.cached) / c.steps) };
}

/** Returns an <svg> drawing of the jobs' graph (role=img with a text alternative; the stage table carries the data). */
export async function drawGraph(jobs) {
  const dagre = await loadDagre();
  const { nodes, edges } = dagre ? dagreLayout(dagre, jobs) : fallbackLayout(jobs);
  let width = 0;
  let height = 0;
  for (const n of nodes.values()) {
    width = Math.max(width, n.x + NODE_W / 2 + 20);
    height = Math.max(height, n.y + NODE_H / 2 + 20);
  }
  const svg = h('svg:svg', {
    class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': 'Stage graph',
    'data-layout': dagre ? 'dagre' : 'fallback',
  });
  svg.append(h('svg:defs', {}, h('svg:marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, h('svg:path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))));
  for (const points of edges) {
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    svg.append(h('svg:path', { d, class: 'edge', 'marker-end': 'url(#arrow)' }));
  }
  const now = Date.now();
  for (const job of jobs) {
    const n = nodes.get(job.name);
    const x = n.x - NODE_W / 2;
    const y = n.y - NODE_H / 2;
    const share = cachedShare(job);
    const size = job.image?.size_bytes;
    const facts = [formatDuration(elapsed(job, now)), size !== undefined ? formatBytes(size) : null,
      share ? `${share.pct}% cached` : null].filter(Boolean).join(' · ');
    const label = `${job.name}: ${job.status}, ${facts}`;
    svg.append(h('svg:a', { href: `#/jobs/${job.id}`, class: `node status-${job.status}`, 'aria-label': label,
      dataset: { job: job.name, status: job.status } },
      h('svg:title', {}, label),
      h('svg:rect', { x, y, width: NODE_W, height: NODE_H, rx: 8 }),
      h('svg:text', { x: x + 12, y: y + 24, class: 'node-name' }, job.name),
      h('svg:text', { x: x + 12, y: y + 46, class: 'node-status' }, job.status),
      h('svg:text', { x: x + 12, y: y + 68, class: 'node-facts', 'data-size': size ?? '' }, facts)));
  }
  return svg;
}

// Dashboard benchmark: the runs page's time to first render in headless Chromium, and the API calls
// behind it, over a store of 10,000 runs, each figure beside a baseline measured in turn with it
// (same moment, same load on the machine): the page against a second slipwayd with an empty store,
// and each API call against GET /healthz. Run through bench/run-dashboard-bench.
//
//   node dashboard_bench.mjs --source <repo root> --build <build dir>
//        [--runs 10000] [--cold 8] [--loads 15] [--calls 50] [--chromium /usr/bin/chromium]
//
// p95s are nearest-rank: with fewer than 20 samples, the p95 is their maximum.
//
// The runs go straight into slipwayd's SQLite store (with the sqlite3 tool) while slipwayd is
// stopped, after slipwayd itself created the schema and the repositories; all are finished, so
// the restarted server has nothing to schedule.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const source = path.resolve(args.source || '.');
const build = path.resolve(args.build || path.join(source, 'build'));
const runCount = Number(args.runs || 10000);
const coldLoads = Number(args.cold || 8);
const warmLoads = Number(args.loads || 15);
const callCount = Number(args.calls || 50);
const { chromium } = createRequire(path.join(source, 'web', 'package.json'))('playwright-core');
const ADMIN = 'bench-admin';
const REPOS = ['bench/api', 'bench/web', 'bench/worker'];
const TARGET_MS = 300;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-'));

function startServer(dataDir) {
  const child = spawn(path.join(build, 'orchestrator/slipwayd'),
    ['--listen', '127.0.0.1:0', '--data', dataDir, '--admin-token', ADMIN, '--agent-token', 'bench-agent', '--public-read'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 15000;
    const poll = () => {
      const m = out.match(/msg=listening host=\S+ port=(\d+)/);
      if (m) return resolve({ child, url: `http://127.0.0.1:${m[1]}` });
      if (Date.now() > deadline) { child.kill(); return reject(new Error(`slipwayd did not start:\n${out}`)); }
      setTimeout(poll, 25);
    };
    poll();
  });
}
const stop = (child) => new Promise((r) => { if (child.exitCode !== null) r(); else { child.once('exit', r); child.kill('SIGTERM'); } });

// A store with the three repositories, made by slipwayd itself (then stopped).
async function makeStore(dataDir) {
  const server = await startServer(dataDir);
  try {
    for (const name of REPOS) {
      const r = await fetch(`${server.url}/api/v1/repos`, {
        method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, clone_url: `/nonexistent/${name}.git`, secret: 's', forge: 'github' }),
      });
      if (r.status !== 201) throw new Error(`repo ${name}: ${r.status} ${await r.text()}`);
    }
  } finally {
    await stop(server.child);
  }
}

function fillRuns(dataDir) {
  const sql = `
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${runCount})
INSERT INTO runs (repo_id, number, branch, sha, message, author, trigger, status, created_at, started_at, finished_at)
SELECT (SELECT min(id) FROM repos) + (i % 3), i,
       CASE i % 5 WHEN 0 THEN 'release/1.' || (i % 7) WHEN 1 THEN 'feature/f' || (i % 40) ELSE 'main' END,
       lower(hex(randomblob(20))), 'Change number ' || i || char(10) || char(10) || 'Body of the commit message.',
       'Dev ' || (i % 9), CASE WHEN i % 11 = 0 THEN 'rerun' WHEN i % 13 = 0 THEN 'manual' ELSE 'push' END,
       CASE WHEN i % 17 = 0 THEN 'failure' WHEN i % 29 = 0 THEN 'canceled' ELSE 'success' END,
       1764000000000 + i * 60000, 1764000000000 + i * 60000 + 500, 1764000000000 + i * 60000 + 500 + (i % 300) * 1000
FROM n;
COMMIT;
SELECT count(*) FROM runs;`;
  return execFileSync('sqlite3', [path.join(dataDir, 'slipway.db')], { input: sql, encoding: 'utf8' }).trim().split('\n').pop();
}

// Median and p95 (nearest rank) of the finite samples (a load may have no paint entry).
const stats = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return { n: 0, median: NaN, p95: NaN };
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p95: q(0.95) };
};
const W = 54;  // the label column
const ms = (v) => `${v.toFixed(1).padStart(7)} ms`;
const pair = (st) => `${ms(st.median)} ${ms(st.p95)}`;
const header = (a, b) => {
  console.log(`  ${''.padEnd(W)} ${a.padEnd(21)}   ${b.padEnd(21)}   difference`);
  console.log(`  ${''.padEnd(W)} ${'median'.padStart(10)} ${'p95'.padStart(10)}   ${'median'.padStart(10)} ${'p95'.padStart(10)}   of medians`);
};
// Prints a's and b's median and p95 side by side, and the difference of their medians.
const line = (label, a, b, extra = '') => {
  const sa = stats(a);
  const sb = stats(b);
  console.log(`  ${label.padEnd(W)} ${pair(sa)}   ${pair(sb)}   ${ms(sa.median - sb.median)}${extra}`);
  return sa;
};

async function timeGet(url) {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  const elapsed = performance.now() - t;
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body}`);
  return { elapsed, bytes: body.length };
}

// Each call and GET /healthz in turn, so both see the same load: 5 warm-up rounds, then `callCount`.
async function benchApi(base) {
  const calls = {
    'GET /api/v1/runs?limit=50 (the page\'s call)': '/api/v1/runs?limit=50',
    'GET /api/v1/runs?repo=bench/web&limit=50': '/api/v1/runs?repo=bench%2Fweb&limit=50',
    'GET /api/v1/runs?branch=main&status=failure&limit=50': '/api/v1/runs?branch=main&status=failure&limit=50',
    'GET /api/v1/runs?limit=50&before=200 (page 196)': '/api/v1/runs?limit=50&before=200',
    'GET /api/v1/repos (the page\'s call)': '/api/v1/repos',
  };
  console.log(`\nAPI calls, sequential, each in turn with GET /healthz (${callCount} samples after 5 warm-up rounds):`);
  header('call', 'GET /healthz');
  for (const [label, p] of Object.entries(calls)) {
    const call = [];
    const healthz = [];
    let bytes = 0;
    for (let i = 0; i < callCount + 5; i++) {
      const c = await timeGet(base + p);
      const h = await timeGet(`${base}/healthz`);
      if (i < 5) continue;
      call.push(c.elapsed);
      healthz.push(h.elapsed);
      bytes = c.bytes;
    }
    line(label, call, healthz, `   ${(bytes / 1024).toFixed(1)} KiB`);
  }
}

// One load of the runs page: from navigation start to the table drawn (the view's performance mark).
async function loadRunsPage(page, base) {
  await page.goto('about:blank');  // a real load each time, not a same-document hash change
  await page.goto(`${base}/#/runs`, { waitUntil: 'commit' });
  await page.waitForFunction(() => performance.getEntriesByName('slipway:runs-rendered').length > 0, null, { timeout: 10000 });
  return page.evaluate(() => {
    const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/runs?'));
    return {
      rendered: performance.getEntriesByName('slipway:runs-rendered')[0].startTime,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      rows: document.querySelectorAll('#runs-body tr').length,
      api: api ? api.duration : NaN,
    };
  });
}

async function benchPage(full, empty, count) {
  const browser = await chromium.launch({
    executablePath: args.chromium || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-quic', '--disable-sync'],
  });
  const viewport = { width: 1280, height: 900 };
  const samples = { full: { cold: [], warm: [] }, empty: { cold: [], warm: [] } };
  try {
    // Cold: a new browser context (empty cache) for every load.
    for (let i = 0; i < coldLoads; i++) {
      for (const [key, base] of [['full', full], ['empty', empty]]) {
        const context = await browser.newContext({ viewport });
        samples[key].cold.push(await loadRunsPage(await context.newPage(), base));
        await context.close();
      }
    }
    // Warm: one context per server, its files revalidated (304) on each load.
    const pages = {};
    for (const key of ['full', 'empty']) pages[key] = await (await browser.newContext({ viewport })).newPage();
    await loadRunsPage(pages.full, full);
    await loadRunsPage(pages.empty, empty);
    for (let i = 0; i < warmLoads; i++) {
      samples.full.warm.push(await loadRunsPage(pages.full, full));
      samples.empty.warm.push(await loadRunsPage(pages.empty, empty));
    }
  } finally {
    await browser.close();
  }
  const rows = new Set(samples.full.warm.concat(samples.full.cold).map((s) => s.rows));
  if (rows.size !== 1 || !rows.has(50)) throw new Error(`the runs page showed ${[...rows].join(', ')} rows, not 50`);

  console.log(`\nRuns page in headless Chromium, time from navigation start; loads of the two servers in turn:`);
  header(`${count} runs (50 rows)`, 'empty store (baseline)');
  const pick = (xs, k) => xs.map((s) => s[k]);
  const cold = line(`cold cache (${coldLoads} loads): table rendered`, pick(samples.full.cold, 'rendered'), pick(samples.empty.cold, 'rendered'));
  line('  first contentful paint', pick(samples.full.cold, 'fcp'), pick(samples.empty.cold, 'fcp'));
  line('  runs call as seen by the page', pick(samples.full.cold, 'api'), pick(samples.empty.cold, 'api'));
  const warm = line(`warm, 304s (${warmLoads} loads): table rendered`, pick(samples.full.warm, 'rendered'), pick(samples.empty.warm, 'rendered'));
  line('  first contentful paint', pick(samples.full.warm, 'fcp'), pick(samples.empty.warm, 'fcp'));
  line('  runs call as seen by the page', pick(samples.full.warm, 'api'), pick(samples.empty.warm, 'api'));
  const worst = Math.max(cold.p95, warm.p95);
  console.log(`\ntarget: first render under ${TARGET_MS} ms with ${count} runs -> ${worst < TARGET_MS ? 'met' : 'NOT met'} (p95, cold ${cold.p95.toFixed(1)} ms, warm ${warm.p95.toFixed(1)} ms)`);
}

async function main() {
  const fullDir = path.join(tmp, 'full');
  const emptyDir = path.join(tmp, 'empty');
  await makeStore(fullDir);
  await makeStore(emptyDir);
  const t0 = performance.now();
  const count = fillRuns(fullDir);
  console.log(`store: ${count} runs inserted in ${(performance.now() - t0).toFixed(0)} ms; baseline store: 0 runs`);
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min)`);

  const full = await startServer(fullDir);
  const empty = await startServer(emptyDir);
  try {
    await benchApi(full.url);
    await benchPage(full.url, empty.url, count);
    console.log(`machine afterwards: load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await stop(full.child);
    await stop(empty.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

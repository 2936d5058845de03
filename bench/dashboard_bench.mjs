// Dashboard benchmark: a store with 10,000 runs, then the runs page's time to first render in
// headless Chromium and the API calls behind it. Run through bench/run-dashboard-bench.
//
//   node dashboard_bench.mjs --source <repo root> --build <build dir> [--runs 10000] [--loads 15]
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
const loads = Number(args.loads || 15);
const { chromium } = createRequire(path.join(source, 'web', 'package.json'))('playwright-core');
const ADMIN = 'bench-admin';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-'));
const dataDir = path.join(tmp, 'data');

function startServer() {
  const child = spawn(path.join(build, 'orchestrator/slipwayd'),
    ['--listen', '127.0.0.1:0', '--data', dataDir, '--admin-token', ADMIN, '--agent-token', 'bench-agent'],
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
const stop = (child) => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
};
const fmt = (st) => `median ${st.median.toFixed(1)} ms, p95 ${st.p95.toFixed(1)} ms (min ${st.min.toFixed(1)}, max ${st.max.toFixed(1)})`;

async function main() {
  let server = await startServer();
  const repos = ['bench/api', 'bench/web', 'bench/worker'];
  for (const name of repos) {
    const r = await fetch(`${server.url}/api/v1/repos`, {
      method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, clone_url: `/nonexistent/${name}.git`, secret: 's', forge: 'github' }),
    });
    if (r.status !== 201) throw new Error(`repo ${name}: ${r.status} ${await r.text()}`);
  }
  await stop(server.child);

  const t0 = performance.now();
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
  const count = execFileSync('sqlite3', [path.join(dataDir, 'slipway.db')], { input: sql, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(`store: ${count} runs inserted in ${(performance.now() - t0).toFixed(0)} ms`);

  server = await startServer();
  const base = server.url;
  try {
    // The API calls behind the page: the first page, filtered pages and a deep page.
    const calls = {
      'GET /api/v1/runs?limit=50': '/api/v1/runs?limit=50',
      'GET /api/v1/runs?repo=bench/web&limit=50': '/api/v1/runs?repo=bench%2Fweb&limit=50',
      'GET /api/v1/runs?branch=main&status=failure&limit=50': '/api/v1/runs?branch=main&status=failure&limit=50',
      'GET /api/v1/runs?limit=50&before=200 (page 196)': '/api/v1/runs?limit=50&before=200',
      'GET /api/v1/repos': '/api/v1/repos',
    };
    console.log('\nAPI (sequential, 50 calls each, after 5 warm-up calls):');
    for (const [label, p] of Object.entries(calls)) {
      const times = [];
      let bytes = 0;
      for (let i = 0; i < 55; i++) {
        const t = performance.now();
        const res = await fetch(base + p);
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${label}: ${res.status} ${body}`);
        if (i >= 5) times.push(performance.now() - t);
        bytes = body.length;
      }
      console.log(`  ${label.padEnd(52)} ${fmt(stats(times))}, ${(bytes / 1024).toFixed(1)} KiB`);
    }

    const context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
      executablePath: args.chromium || '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--no-first-run', '--disable-quic', '--disable-sync'],
    });
    const page = context.pages()[0] || await context.newPage();
    const measure = async () => {
      await page.goto('about:blank');  // a real load each time, not a same-document hash change
      await page.goto(`${base}/#/runs`, { waitUntil: 'commit' });
      await page.waitForFunction(() => performance.getEntriesByName('slipway:runs-rendered').length > 0, null, { timeout: 10000 });
      return page.evaluate(() => {
        const mark = performance.getEntriesByName('slipway:runs-rendered')[0].startTime;
        const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
        const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/runs?'));
        return { mark, fcp, rows: document.querySelectorAll('#runs-body tr').length, api: api ? api.duration : NaN };
      });
    };
    const cold = await measure();
    const warm = [];
    for (let i = 0; i < loads; i++) warm.push(await measure());
    await context.close();
    console.log(`\nRuns page in headless Chromium (${cold.rows} rows of ${count} runs; time from navigation start):`);
    console.log(`  cold profile: table rendered at ${cold.mark.toFixed(1)} ms (first contentful paint ${cold.fcp.toFixed(1)} ms, runs call ${cold.api.toFixed(1)} ms)`);
    console.log(`  warm (${loads} reloads, 304 revalidation): table rendered ${fmt(stats(warm.map((w) => w.mark)))}`);
    console.log(`  warm runs call as seen by the page: ${fmt(stats(warm.map((w) => w.api)))}`);
    const worst = Math.max(cold.mark, stats(warm.map((w) => w.mark)).p95);
    console.log(`\ntarget: first render under 300 ms -> ${worst < 300 ? 'met' : 'NOT met'} (worst of cold and warm p95: ${worst.toFixed(1)} ms)`);
  } finally {
    await stop(server.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });

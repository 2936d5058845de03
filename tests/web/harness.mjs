// What the browser tests share: their command line, checks and a summary, processes started and
// stopped by their own handle (never by name), slipwayd on a free port, the REST API as a client,
// git, and headless Chromium through playwright-core (installed in web/node_modules).
//
//   node <test>.mjs --source <repo root> --build <build dir> [--out <screenshot dir>] [--chromium <path>]
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
export const source = path.resolve(args.source || '.');
export const build = path.resolve(args.build || path.join(source, 'build'));
export const shots = path.resolve(args.out || path.join(build, 'web-screenshots'));
const chromiumPath = args.chromium || '/usr/bin/chromium';
const { chromium } = createRequire(path.join(source, 'web', 'package.json'))('playwright-core');

export const ADMIN = 'web-admin-token';
export const AGENT = 'web-agent-token';
export const FINAL = ['success', 'failure', 'canceled', 'error', 'skipped'];
export const unique = `${process.pid}-${Date.now().toString(36)}`;
export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-web-'));
const started = Date.now();
const results = [];
const procs = [];

export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export function check(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} - ${name}${!ok && detail ? `: ${detail}` : ''}`);
  return ok;
}

/** Runs one group of checks; an exception fails the group (and is printed) instead of the test. */
export async function step(name, fn) {
  try {
    await fn();
    return true;
  } catch (err) {
    check(name, false, err.stack || String(err));
    return false;
  }
}

/** Starts a process whose stderr is kept, to print when a check fails. */
export function start(argv, name) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const proc = { child, output: () => output, name, exited };
  procs.push(proc);
  return proc;
}

export async function waitFor(what, fn, timeoutMs = 60000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function git(cwd, ...argv) {
  return execFileSync('git', argv, {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_AUTHOR_NAME: 'Web Test', GIT_AUTHOR_EMAIL: 'web@example.invalid',
      GIT_COMMITTER_NAME: 'Web Test', GIT_COMMITTER_EMAIL: 'web@example.invalid' },
  });
}

/**
 * slipwayd from the build directory on a free loopback port: {base, api(method, path, body), runState, waitRun, proc}.
 * Reads are public (--public-read) unless extraArgs is given; api() always sends the admin token.
 */
export async function startServer(extraArgs = ['--public-read']) {
  const proc = start([path.join(build, 'orchestrator/slipwayd'), '--listen', '127.0.0.1:0', '--data', path.join(tmp, 'data'),
    '--admin-token', ADMIN, '--agent-token', AGENT, ...extraArgs], 'slipwayd');
  const port = await waitFor('slipwayd to listen', () => proc.output().match(/msg=listening host=\S+ port=(\d+)/)?.[1], 15000, 50);
  const base = `http://127.0.0.1:${port}`;
  async function api(method, p, body) {
    const res = await fetch(base + p, {
      method, headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* text */ }
    return { status: res.status, json, text, headers: res.headers };
  }
  const runState = async (id) => (await api('GET', `/api/v1/runs/${id}`)).json;
  const waitRun = (id, pred, timeoutMs = 240000) =>
    waitFor(`run ${id}`, async () => { const r = await runState(id); return pred(r) ? r : null; }, timeoutMs, 250);
  return { base, api, runState, waitRun, proc };
}

/** Headless Chromium with its own profile: {context, page, pageErrors, shot(name)}. */
export async function openBrowser(contextOptions = {}) {
  fs.mkdirSync(shots, { recursive: true });
  const context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: chromiumPath, headless: true, viewport: { width: 1280, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-quic', '--disable-sync'],
    ...contextOptions,
  });
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  return { context, page, pageErrors, shot };
}

/** Runs main, stops every process started, prints the summary and exits non-zero on any failure. */
export async function run(testName, main) {
  try {
    await main();
  } catch (err) {
    check(testName, false, err.stack || String(err));
  }
  // Each process stops on SIGTERM, the servers with browsers still following their streams: a clean
  // exit (code 0) is checked, since a crash at shutdown would otherwise go unseen.
  for (const p of [...procs].reverse()) {
    p.child.kill('SIGTERM');
    const end = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r({ code: null, signal: 'timeout' }), 10000))]);
    if (p.name.startsWith('slipwayd')) check(`${p.name} exits cleanly on SIGTERM`, end.code === 0, JSON.stringify(end));
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    for (const p of procs) console.log(`\n--- ${p.name} output (tail) ---\n${p.output().split('\n').slice(-30).join('\n')}`);
  }
  console.log(`\n${testName}: ${results.length - failed.length}/${results.length} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(failed.length ? 1 : 0);
}

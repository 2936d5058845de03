// Browser tests of the dashboard: a real slipwayd and slipway-agent from the build directory, a
// bare git repository with examples/git-hooks/post-receive, real builds of examples/hello on the
// Docker engine, and Debian's Chromium driven headless by playwright-core.
//
//   node dashboard_test.mjs --source <repo root> --build <build dir> [--out <screenshot dir>]
//
// Prints one line per check and a summary; exits non-zero when any check fails. Screenshots of
// every view are written to --out (default <build>/web-screenshots). Shared parts: harness.mjs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  AGENT, ADMIN, FINAL, build, check, git, openBrowser, run, same, source, start, startServer, step, tmp, unique,
} from './harness.mjs';

const SECRET = 'web-hook-secret';
const repoName = `web/hello-${unique}`;

// A commit of the example with `extra` Dockerfile lines in its build stage.
function commit(work, message, extra = '') {
  const dockerfile = fs.readFileSync(path.join(source, 'examples/hello/Dockerfile'), 'utf8')
    .replace('COPY greet.sh .\n', `COPY greet.sh .\n${extra}`);
  fs.writeFileSync(path.join(work, 'Dockerfile'), dockerfile);
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '--allow-empty', '-m', message);
}
// git push writes the hook's output on stderr: collect both.
function push(work) {
  const r = execFileSync('sh', ['-c', 'git push origin HEAD:refs/heads/main 2>&1'], { cwd: work, encoding: 'utf8' });
  const m = r.match(/"run_id":(\d+)/);
  if (!m) throw new Error(`no run id in the push output: ${r}`);
  return Number(m[1]);
}

async function main() {
  const { base, api, runState, waitRun } = await startServer();

  // The server side of the dashboard: types, caching, 404s, no way out of the embedded files.
  await step('static files', async () => {
    const index = await fetch(`${base}/`);
    const html = await index.text();
    check('GET / serves the dashboard as HTML', index.status === 200 && index.headers.get('content-type').startsWith('text/html') && html.includes('/static/app.js'));
    const js = await fetch(`${base}/static/app.js`);
    check('modules are served as JavaScript', js.status === 200 && js.headers.get('content-type').startsWith('text/javascript'));
    const etag = js.headers.get('etag');
    const again = await fetch(`${base}/static/app.js`, { headers: { 'If-None-Match': etag } });
    check('a known ETag is answered 304 with no-cache revalidation', Boolean(etag) && again.status === 304 && js.headers.get('cache-control') === 'no-cache');
    const vendor = await fetch(`${base}/static/vendor/dagre.js`);
    check('the graph library is embedded from node_modules', vendor.status === 200 && (await vendor.text()).includes('export'));
    const missing = await fetch(`${base}/static/nope.js`);
    check('an unknown file is 404', missing.status === 404);
    for (const p of ['/static/..%2F..%2Fetc%2Fpasswd', '/static/../../etc/passwd', '/static/vendor/..%2F..%2Fmain.cc']) {
      const r = await fetch(base + p);
      const t = await r.text();
      check(`no path traversal (${p})`, r.status === 404 && !t.includes('root:'));
    }
  });

  // A repository served from a bare git repo whose hook sends signed webhooks.
  const bare = path.join(tmp, 'repo.git');
  const work = path.join(tmp, 'work');
  git(tmp, 'init', '-q', '--bare', '-b', 'main', bare);
  fs.copyFileSync(path.join(source, 'examples/git-hooks/post-receive'), path.join(bare, 'hooks/post-receive'));
  fs.chmodSync(path.join(bare, 'hooks/post-receive'), 0o755);
  git(bare, 'config', 'slipway.url', base);
  git(bare, 'config', 'slipway.repo', repoName);
  git(bare, 'config', 'slipway.secret', SECRET);
  git(tmp, 'init', '-q', '-b', 'main', work);
  git(work, 'remote', 'add', 'origin', bare);
  fs.cpSync(path.join(source, 'examples/hello'), work, { recursive: true });
  const pipeline = fs.readFileSync(path.join(work, '.slipway.yml'), 'utf8')
    .replace('127.0.0.1:5000/examples/hello', `127.0.0.1:5000/web-test/hello-${unique}`)
    .replace('    push: true\n', '    push: true\n    budget: {max_size: 20MB}\n');
  fs.writeFileSync(path.join(work, '.slipway.yml'), pipeline);
  const added = await api('POST', '/api/v1/repos', { name: repoName, clone_url: bare, secret: SECRET, forge: 'github' });
  if (!check('the repository is registered', added.status === 201, added.text)) return;

  const agentName = `web-agent-${process.pid}`;
  start([path.join(build, 'agents/slipway-agent'), '--server', base, '--token', AGENT, '--name', agentName,
    '--workdir', path.join(tmp, 'agent'), '--capacity', '2'], 'agent');

  // Clipboard permissions, so the image page's Copy button can be checked by reading the clipboard.
  const { context, page, pageErrors, shot } = await openBrowser({ permissions: ['clipboard-read', 'clipboard-write'] });

  try {
    let run1 = 0;
    const listed = await step('runs list', async () => {
      await page.goto(`${base}/#/runs`);
      await page.waitForSelector('#runs-body', { state: 'attached' });
      await page.evaluate(() => { window.__noReload = true; });
      // A package install that never runs (`true ||`) but that the Dockerfile rules advise on.
      commit(work, 'Greet the web\n\nFirst commit of the dashboard test.', 'RUN true || apt-get install -y curl\n');
      run1 = push(work);
      await page.waitForSelector(`#runs-body tr[data-run-id="${run1}"]`, { timeout: 15000 });
      check('a push appears in the runs list without a reload', await page.evaluate(() => window.__noReload === true));
      const rowText = await page.textContent(`#runs-body tr[data-run-id="${run1}"]`);
      check('the row names repo, branch and commit message', rowText.includes(repoName) && rowText.includes('main') && rowText.includes('Greet the web'));
      await page.waitForSelector(`#runs-body tr[data-run-id="${run1}"][data-status="running"], #runs-body tr[data-run-id="${run1}"][data-status="success"]`, { timeout: 60000 });
      check('its status changes live', true);
      await shot('01-runs');
    });

    if (!listed) return;
    const shown = await step('run page', async () => {
      await page.click(`#runs-body tr[data-run-id="${run1}"] a`);
      await page.waitForSelector('svg.graph');
      const done = await waitRun(run1, (x) => FINAL.includes(x.status));
      if (done.status !== 'success') throw new Error(`run ${run1} ended ${done.status}: ${JSON.stringify(done.jobs.map((j) => [j.name, j.status, j.error]))}`);
      await page.waitForSelector('main[data-run-status="success"]', { timeout: 15000 });
      await page.waitForFunction(() => document.querySelectorAll('table.stages td.size a').length === 3, null, { timeout: 10000 });
      const nodes = await page.$$eval('svg.graph a.node', (els) => els.map((e) => [e.dataset.job, e.dataset.status, e.querySelector('.node-facts').textContent]));
      check('the graph shows the three stages', nodes.map((n) => n[0]).sort().join(',') === 'build,runtime,test', JSON.stringify(nodes));
      check('every stage in the graph is successful with a size', nodes.every((n) => n[1] === 'success' && /\d+(\.\d+)? (B|KB|MB)/.test(n[2])), JSON.stringify(nodes));
      const edges = await page.$$eval('svg.graph path.edge', (els) => els.length);
      check('the graph draws the needs as edges (build→test→runtime)', edges === 2, `edges=${edges}`);
      check('the graph is laid out by dagre', await page.$eval('svg.graph', (s) => s.dataset.layout) === 'dagre');
      const sizes = await page.$$eval('table.stages td.size', (els) => els.map((e) => e.textContent));
      check("each stage's image size is in the stage table", sizes.length === 3 && sizes.every((s) => /\d (B|KB|MB)$/.test(s)), sizes.join('|'));
      // The stages side by side: a bar each, scaled to the largest, and what the runtime keeps of it.
      const bars = await page.$$eval('#stage-sizes tbody tr', (rows) => rows.map((r) => [r.dataset.job, parseFloat(r.querySelector('.bar').style.width)]));
      check('a size bar per stage, the largest full width', bars.length === 3 && bars.some(([, w]) => w === 100) && bars.every(([, w]) => w > 0 && w <= 100), JSON.stringify(bars));
      const lessonLine = await page.textContent('#size-lesson');
      check('the runtime is compared with the largest stage', /^runtime is \d+% of (build|test) \(.+ → .+\)$/.test(lessonLine), lessonLine);
      const vulnCells = await page.$$eval('#stage-sizes td.vulnerabilities', (els) => els.map((e) => e.textContent));
      check('stages with no scanner say "not scanned", never "none found"', vulnCells.length === 3 && vulnCells.every((t) => t.startsWith('not scanned (no scanner configured')), vulnCells.join('|'));
      // The Dockerfile advice of the plan, each at file:line:column.
      const advice = await page.$$eval('#advice li', (els) => els.map((e) => [e.dataset.code, e.querySelector('code').textContent]));
      check('the Dockerfile advice is listed with line and column',
        advice.some(([code, at]) => code === 'apt-recommends' && /^Dockerfile:5:\d+$/.test(at)), JSON.stringify(advice));
      await shot('02-run');
    });

    if (!shown) return;
    const run = await runState(run1);
    const buildJob = run.jobs.find((j) => j.name === 'build');
    const runtimeJob = run.jobs.find((j) => j.name === 'runtime');

    await step('finished log', async () => {
      await page.goto(`${base}/#/jobs/${buildJob.id}`);
      await page.waitForSelector('#log[data-ended="success"]', { timeout: 15000 });
      const sections = await page.$$eval('#log details.step', (els) => els.map((e) => e.querySelector('.step-name').textContent));
      check('the log has one foldable section per step', sections.some((s) => s.includes('RUN sh -n greet.sh')) && sections.some((s) => s.includes('COPY greet.sh')), sections.join('|'));
      check('a successful log is folded', await page.$$eval('#log details.step[open]', (els) => els.length) === 0);
      await page.click('#log details.step:nth-of-type(2) > summary');
      const lineHref = await page.$eval('#log details.step:nth-of-type(2) .line a.ln', (a) => a.getAttribute('href'));
      check('each line has its own link', /^#\/jobs\/\d+\?line=\d+$/.test(lineHref), lineHref);
      await page.goto(`${base}/${lineHref}`);
      await page.reload();
      const n = lineHref.split('=')[1];
      await page.waitForSelector(`#L${n}.selected`, { timeout: 10000 });
      check('a line link opens its section and marks the line', await page.$eval(`#L${n}`, (el) => el.closest('details').open));
      await shot('03-log');
    });

    await step('image', async () => {
      await page.goto(`${base}/#/jobs/${runtimeJob.id}/image`);
      await page.waitForSelector('#digest');
      const digest = await page.textContent('#digest');
      check('the image page shows the digest', digest === runtimeJob.image.digest, digest);
      const layers = await page.$$eval('table.layers tbody tr', (els) => els.map((e) => e.textContent));
      check('the layers are listed with the instruction that made them', layers.length === runtimeJob.image.layers.length && layers.some((l) => l.includes('COPY')), layers.join('|'));
      check('uncompressed and compressed sizes are shown', /\d/.test(await page.textContent('#image-size')) && /\d/.test(await page.textContent('#image-compressed')));
      await page.evaluate(() => navigator.clipboard.writeText('not the digest'));
      await page.click('#copy-digest');
      await page.waitForSelector('#toast.show', { timeout: 5000 });
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      check('Copy puts the digest on the clipboard', copied === runtimeJob.image.digest, copied);
      const bases = await page.textContent('#image-bases');
      check('the base images it was built from are listed with their digests',
        runtimeJob.bases?.length === 1 && bases.includes('busybox:1.36') && bases.includes(runtimeJob.bases[0].digest.slice(0, 19)), bases);
      // The image's insight: the build's review from the job, the analysis loaded by digest.
      const insight = runtimeJob.insight;
      if (check('the job carries its image review', insight && typeof insight.efficiency === 'number', JSON.stringify(insight))) {
        const efficiency = await page.textContent('#insight-efficiency');
        check('the efficiency is shown as a percentage', efficiency === `${(100 * insight.efficiency).toFixed(1)}%`, efficiency);
        const budget = await page.textContent('#insight');
        check('the budget is shown, kept', budget.includes('max size 20.0 MB') && budget.includes('kept'), budget);
      }
      await page.waitForSelector('#analysis');
      const analysis = await page.textContent('#analysis');
      check('the analysis lists vulnerabilities (none: this server scans nothing) and the largest files',
        analysis.includes('Vulnerabilities (0)') && analysis.includes('Not scanned') && analysis.includes('/usr/local/bin/greet'), analysis.slice(0, 300));
      const sbomHref = await page.getAttribute('#analysis a[download]', 'href');
      const sbom = await (await fetch(base + sbomHref)).json();
      check('the SBOM link serves CycloneDX 1.5 for this image',
        sbom.bomFormat === 'CycloneDX' && sbom.specVersion === '1.5' && sbom.metadata.component.version === runtimeJob.image.config_digest,
        JSON.stringify(sbom.metadata));
      await shot('04-image');
    });

    // A build whose RUN prints a line a second: the log view must show lines while it runs.
    let run2 = 0;
    await step('live log', async () => {
      commit(work, 'Count slowly', `RUN for i in $(seq 1 20); do echo "tick $i of 20 ${unique}"; sleep 1; done\n`);
      run2 = push(work);
      const r = await waitRun(run2, (x) => x.jobs?.some((j) => j.name === 'build' && j.status === 'running'), 60000);
      const job = r.jobs.find((j) => j.name === 'build');
      await page.goto(`${base}/#/jobs/${job.id}`);
      await page.waitForFunction(() => document.querySelectorAll('#log .line').length > 0, null, { timeout: 30000 });
      await page.evaluate(() => { window.__noReload = true; });
      const early = await page.textContent('#log');
      const now = (await api('GET', `/api/v1/jobs/${job.id}`)).json;
      const slow = (now.steps || []).find((st) => st.name.includes('tick'));
      const stepRunning = now.status === 'running' && (!slow || !slow.completed_ms);
      check('the log page opens on a running build, before its slow step ends', stepRunning && !early.includes('tick 20 of 20'),
        `job ${now.status}, slow step ${JSON.stringify(slow || null)}`);
      await page.waitForFunction(() => /tick [1-9] of 20/.test(document.getElementById('log')?.textContent || ''), null, { timeout: 60000 });
      await shot('05-log-live');
      await page.waitForSelector('#log[data-ended]', { timeout: 120000 });
      const text = await page.textContent('#log');
      check('the followed log reaches the end of the build without a reload',
        text.includes('tick 20 of 20') && await page.evaluate(() => window.__noReload === true));
      const ticks = (text.match(/tick \d+ of 20/g) || []).length;
      check('no line is shown twice', ticks === 20, `ticks=${ticks}`);
    });

    await step('size history', async () => {
      await waitRun(run2, (x) => FINAL.includes(x.status));
      await page.goto(`${base}/#/history?repo=${encodeURIComponent(repoName)}&stage=runtime&branch=main`);
      await page.waitForSelector('#history-chart canvas', { timeout: 15000 });
      check('the size history chart is drawn with the budget line', (await page.textContent('#budget')).includes('20'));
      const rows = await page.$$eval('table.history tbody tr', (els) => els.length);
      check('the history lists one point per built commit', rows >= 1, `rows=${rows}`);
      const box = await page.$eval('#history-chart .u-over', (el) => { const b = el.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; });
      await page.mouse.move(box.x + box.w - 2, box.y + box.h / 2);
      const caption = await page.textContent('#history-point');
      check('hovering a point names its commit', /^[0-9a-f]{7} on main/.test(caption), caption);
      await shot('06-history');
    });

    await step('rerun from the page', async () => {
      await page.goto(`${base}/#/runs/${run1}`);
      await page.waitForSelector('#rerun-all:not([disabled])');
      await page.click('#rerun-all');
      await page.waitForSelector('#token-dialog[open]');
      check('the admin token is asked for', true);
      await page.fill('#token-input', ADMIN);
      await shot('08-token');
      await page.click('#token-dialog button[type=submit]');
      await page.waitForFunction((old) => /^#\/runs\/\d+$/.test(location.hash) && location.hash !== `#/runs/${old}`, run1, { timeout: 15000 });
      const newId = Number((await page.evaluate(() => location.hash)).split('/')[2]);
      const fresh = await runState(newId);
      check('rerun all starts a new run from the page', fresh.trigger === 'rerun' && fresh.parent_run_id === run1, JSON.stringify({ trigger: fresh.trigger, parent: fresh.parent_run_id }));
      const rerunDone = await waitRun(newId, (x) => FINAL.includes(x.status));
      check('the rerun succeeds', rerunDone.status === 'success', rerunDone.status);
      await page.waitForSelector(`main[data-run-status="${rerunDone.status}"]`, { timeout: 15000 });
      // One stage, with the kept token.
      await page.click('table.stages tr[data-job="test"] button');
      await page.waitForFunction((old) => location.hash !== `#/runs/${old}`, newId, { timeout: 15000 });
      check('the token is kept: no second prompt', !(await page.$('#token-dialog[open]')));
      const single = await runState(Number((await page.evaluate(() => location.hash)).split('/')[2]));
      check('rerunning one stage starts a new run', single.trigger === 'rerun' && single.parent_run_id === newId);
      await waitRun(single.id, (x) => FINAL.includes(x.status));
    });

    // A failing build: the log opens the failing step and marks its error line; rerun failed.
    await step('failing log', async () => {
      commit(work, 'Break the build', `RUN echo "about to fail ${unique}" && exit 3\n`);
      const failing = push(work);
      const r = await waitRun(failing, (x) => FINAL.includes(x.status), 120000);
      check('a failing build fails the run', r.status === 'failure', r.status);
      const job = r.jobs.find((j) => j.name === 'build');
      await page.goto(`${base}/#/jobs/${job.id}`);
      await page.waitForSelector('#log[data-ended="failure"]', { timeout: 15000 });
      const open = await page.$$eval('#log details.step[open]', (els) => els.map((e) => e.querySelector('.step-name').textContent));
      check('only the failing step is opened', open.length === 1 && open[0].includes('exit 3'), open.join('|'));
      const marked = await page.$$eval('#log details.failed-step .line.error-line', (els) => els.map((e) => e.textContent));
      check('its error line is marked', marked.some((t) => /exit code: 3|ERROR/.test(t)), marked.join('|'));
      await shot('07-log-failed');
      await page.goto(`${base}/#/runs/${failing}`);
      await page.waitForSelector('#rerun-failed:not([disabled])');
      await page.click('#rerun-failed');
      await page.waitForFunction((old) => /^#\/runs\/\d+$/.test(location.hash) && location.hash !== `#/runs/${old}`, failing, { timeout: 15000 });
      const again = await runState(Number((await page.evaluate(() => location.hash)).split('/')[2]));
      check('rerun failed starts a new run', again.trigger === 'rerun' && again.parent_run_id === failing);
      await waitRun(again.id, (x) => FINAL.includes(x.status), 120000);
    });

    await step('cancel', async () => {
      commit(work, 'Count slowly again', `RUN for i in $(seq 1 60); do echo "slow $i ${unique}"; sleep 1; done\n`);
      const run3 = push(work);
      const busy = await waitRun(run3, (x) => x.jobs?.some((j) => j.status === 'running'), 60000);
      const busyJob = busy.jobs.find((j) => j.status === 'running');
      await page.goto(`${base}/#/agents`);
      const agentRow = `tr[data-agent="${agentName}"]`;
      await page.waitForSelector(`${agentRow} a[href="#/jobs/${busyJob.id}"]`, { timeout: 15000 });
      const busyText = await page.textContent(agentRow);
      check("the agents view lists the agent's running job with its repository and stage",
        busyText.includes('1 / 2') && busyText.includes(`${repoName} ${busyJob.name}`), busyText);
      // The agent's free slot keeps long-polling for work, and each poll is a heartbeat (at most 30 s apart).
      const heartbeat = await page.$eval(`${agentRow} td.heartbeat`, (td) => ({ ms: Number(td.dataset.ageMs), text: td.textContent }));
      check('the agents view shows a recent heartbeat age', heartbeat.ms >= 0 && heartbeat.ms < 35000 && /^(just now|\d+(\.\d)?s ago)$/.test(heartbeat.text),
        JSON.stringify(heartbeat));
      await shot('09-agents-busy');
      await page.goto(`${base}/#/runs/${run3}`);
      await page.waitForSelector('svg.graph');
      await page.waitForSelector('svg.graph a.node[data-status="running"]', { timeout: 15000 });
      await shot('10-run-running');
      // The page redraws itself while the run goes on (every 5 s at most): the focus stays put.
      const node = `svg.graph a.node[data-job="${busyJob.name}"]`;
      await page.focus(node);
      await page.$eval(node, (a) => { a.dataset.drawn = 'before'; });
      await page.waitForSelector(`${node}:not([data-drawn])`, { timeout: 15000 });
      const focused = await page.evaluate(() => ({ job: document.activeElement.dataset?.job, old: document.activeElement.dataset?.drawn }));
      check('a redraw keeps the focus on the same graph node', focused.job === busyJob.name && focused.old === undefined, JSON.stringify(focused));
      await page.click('#cancel-run');
      await page.waitForSelector('main[data-run-status="canceled"]', { timeout: 60000 });
      const after = await runState(run3);
      check('cancel from the page stops the run', after.status === 'canceled' && after.jobs.every((j) => FINAL.includes(j.status)), after.status);
      // Headless Chromium prefers the light scheme: the toggle picks dark, and the choice is kept.
      const theme = () => page.evaluate(() => ({ theme: document.documentElement.dataset.theme || '',
        button: document.getElementById('theme-toggle').textContent, bg: getComputedStyle(document.body).backgroundColor }));
      await page.click('#theme-toggle');
      await page.reload();
      await page.waitForSelector('main[data-run-status="canceled"]');
      const dark = await theme();
      check('the theme toggle turns the dark theme on, kept across a reload', same(dark, { theme: 'dark', button: 'Use light theme', bg: 'rgb(13, 17, 23)' }),
        JSON.stringify(dark));
      await shot('11-run-canceled-dark');
      await page.click('#theme-toggle');
      const light = await theme();
      check('and off again', same(light, { theme: 'light', button: 'Use dark theme', bg: 'rgb(255, 255, 255)' }), JSON.stringify(light));
    });

    await step('agents', async () => {
      await page.goto(`${base}/#/agents`);
      await page.waitForSelector(`tr[data-agent="${agentName}"]`);
      const text = await page.textContent(`tr[data-agent="${agentName}"]`);
      check('the agents view lists the agent with capacity and heartbeat age', text.includes('/ 2') && /ago|just now/.test(text), text);
      await shot('12-agents');
    });

    await step('keyboard', async () => {
      await page.goto(`${base}/#/runs`);
      await page.reload();
      await page.waitForSelector('#runs-body tr');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement.className);
      check('the first Tab reaches the skip link', first === 'skip');
      await page.keyboard.press('Enter');
      const skipped = await page.evaluate(() => ({ focus: document.activeElement.id, hash: location.hash, rows: document.querySelectorAll('#runs-body tr').length }));
      check('the skip link moves the focus to the content and keeps the view', skipped.focus === 'main' && skipped.hash === '#/runs' && skipped.rows > 0,
        JSON.stringify(skipped));
    });
    await step('ansi', async () => {
      const html = await page.evaluate(async () => {
        const { appendAnsi } = await import('/static/ansi.js');
        const div = document.createElement('div');
        appendAnsi(div, '\x1b[1;31mred bold\x1b[0m plain \x1b[32m<b>green</b>\x1b[K');
        return div.innerHTML;
      });
      check('ANSI colours become classed spans and text stays text',
        html === '<span class="ansi-bold ansi-fg1">red bold</span> plain <span class="ansi-fg2">&lt;b&gt;green&lt;/b&gt;</span>', html);
    });
    check('no script errors in the page', pageErrors.length === 0, pageErrors.join('\n'));
  } finally {
    await context.close();
  }
}

await run('web_dashboard', main);

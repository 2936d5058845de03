// Browser test of a slipwayd that does not read publicly (no --public-read): the dashboard asks
// for a token when the API answers 401, keeps it in localStorage, reads with it, follows the
// live events with it (EventSource, ?access_token=), and the token never reaches slipwayd's log.
// No agent, no engine: the runs end in planning.
//
//   node token_test.mjs --source <repo root> --build <build dir> [--out <screenshot dir>]
//
// Shared parts: harness.mjs.
import crypto from 'node:crypto';
import path from 'node:path';
import { check, openBrowser, run, startServer, step, tmp, unique } from './harness.mjs';

const repo = `web/token-${unique}`;

async function main() {
  const { base, api, waitRun, proc } = await startServer([]);
  const anonymous = await fetch(`${base}/api/v1/runs`);
  check('a read without a token is 401', anonymous.status === 401, String(anonymous.status));
  const made = await api('POST', '/api/v1/tokens', { name: `viewer-${unique}`, role: 'viewer' });
  if (!check('a viewer token is made', made.status === 201, made.text)) return;
  const viewer = made.json.token;
  const added = await api('POST', '/api/v1/repos', { name: repo, clone_url: path.join(tmp, 'absent.git'), secret: 's', forge: 'github' });
  if (!check('the repository is registered', added.status === 201, added.text)) return;
  // Manual runs at made-up commits of a repository that cannot be fetched: each ends in error.
  const trigger = () => api('POST', '/api/v1/runs', { repo, branch: 'main', sha: crypto.randomBytes(20).toString('hex') });
  const first = await trigger();
  if (!check('a run is started', first.status === 201, first.text)) return;
  await waitRun(first.json.id, (r) => r.status === 'error', 60000);

  const { page, pageErrors, shot } = await openBrowser();
  await step('the dashboard asks for a token and reads with it', async () => {
    await page.goto(`${base}/#/runs`);
    await page.waitForSelector('#token-dialog[open]', { timeout: 15000 });
    check('the dialog asks for an access token', (await page.textContent('#token-title')) === 'Access token');
    await page.fill('#token-input', viewer);
    await shot('token-01-asked');
    await page.click('#token-dialog button[type=submit]');
    await page.waitForSelector(`#runs-body tr[data-run-id="${first.json.id}"]`, { timeout: 15000 });
    check('the runs are shown with the viewer token', true);
    check('the token is kept in this browser', (await page.evaluate(() => localStorage.getItem('slipway.adminToken'))) === viewer);
  });
  await step('live events arrive over the token-carrying stream', async () => {
    const second = await trigger();
    await page.waitForSelector(`#runs-body tr[data-run-id="${second.json.id}"]`, { timeout: 20000 });
    check('a new run appears without a reload', true);
    await shot('token-02-live');
  });
  await step('a reload reads with the kept token, without asking', async () => {
    await page.reload();
    await page.waitForSelector(`#runs-body tr[data-run-id="${first.json.id}"]`, { timeout: 15000 });
    check('no second prompt', !(await page.$('#token-dialog[open]')));
  });
  // The browser logs each refused request (401) as a console error: those are expected here.
  const unexpected = pageErrors.filter((e) => !e.includes('401'));
  check('no page errors', unexpected.length === 0, unexpected.join('\n'));
  check("the token never reaches slipwayd's log", !proc.output().includes(viewer));
}

run('token_test', main);

// Browser tests that need no build: the runs list's filters and paging, the themes (the system's
// preference followed live, every ANSI colour of a log readable in both). A real slipwayd with no
// agent, so runs stay where they are put: 60 manual runs of a repository that cannot be fetched
// (they end in error, on main and dev), and two runs of a real repository whose jobs wait for an
// agent (one canceled). Debian's Chromium is driven headless by playwright-core.
//
//   node runs_and_themes_test.mjs --source <repo root> --build <build dir> [--out <screenshot dir>]
//
// Shared parts: harness.mjs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ADMIN, check, git, openBrowser, run, same, source, startServer, step, tmp, unique, waitFor,
} from './harness.mjs';

const PAGE = 50;  // runs.js shows this many runs a page
const broken = `web/broken-${unique}`;
const real = `web/real-${unique}`;

const rowIds = (page) => page.$$eval('#runs-body tr', (trs) => trs.map((tr) => Number(tr.dataset.runId)));
// Waits (up to 10 s) for the table to show exactly `expected`, and returns what it shows.
async function rowsBecome(page, expected) {
  await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#runs-body tr')]
    .map((tr) => Number(tr.dataset.runId))) === want, JSON.stringify(expected), { timeout: 10000 }).catch(() => {});
  return rowIds(page);
}
const urlQuery = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || '')));

async function main() {
  const { base, api, runState, waitRun } = await startServer();
  const ids = async (query) => (await api('GET', `/api/v1/runs?${query}`)).json.runs.map((r) => r.id);

  for (const [name, cloneUrl] of [[broken, path.join(tmp, 'absent.git')], [real, path.join(tmp, 'real.git')]]) {
    const added = await api('POST', '/api/v1/repos', { name, clone_url: cloneUrl, secret: 's', forge: 'github' });
    if (!check(`repository ${name} is registered`, added.status === 201, added.text)) return;
  }
  // The real repository's runs first, so that they sit among the oldest: a page of the broken
  // repository's runs that lost its filter would show them.
  const bare = path.join(tmp, 'real.git');
  const work = path.join(tmp, 'work');
  git(tmp, 'init', '-q', '--bare', '-b', 'main', bare);
  git(tmp, 'init', '-q', '-b', 'main', work);
  fs.cpSync(path.join(source, 'examples/hello'), work, { recursive: true });
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'Hello');
  git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
  const planned = [];
  for (let i = 0; i < 2; i++) {
    const r = await api('POST', '/api/v1/runs', { repo: real, branch: 'main' });
    if (r.status !== 201) throw new Error(`manual run of ${real}: ${r.status} ${r.text}`);
    planned.push(await waitRun(r.json.id, (x) => x.jobs?.length > 0, 60000));
  }
  const canceled = planned[1].id;
  const cancel = await api('POST', `/api/v1/runs/${canceled}/cancel`, {});
  if (cancel.status !== 202) throw new Error(`cancel: ${cancel.status} ${cancel.text}`);
  await waitRun(canceled, (x) => x.status === 'canceled', 30000);
  const waiting = await runState(planned[0].id);
  check('the real repository has one run waiting for an agent and one canceled', !['canceled', 'error'].includes(waiting.status), waiting.status);

  // 60 runs at made-up commits: planning cannot fetch them, so each ends in error. Every third is on dev.
  for (let i = 0; i < 60; i++) {
    const r = await api('POST', '/api/v1/runs', { repo: broken, branch: i % 3 === 0 ? 'dev' : 'main', sha: crypto.randomBytes(20).toString('hex') });
    if (r.status !== 201) throw new Error(`manual run ${i}: ${r.status} ${r.text}`);
  }
  await waitFor('the broken runs to end in error', async () => (await ids(`repo=${encodeURIComponent(broken)}&status=error&limit=100`)).length === 60, 120000, 250);

  const { context, page, pageErrors, shot } = await openBrowser();
  try {
    await step('filters', async () => {
      await page.goto(`${base}/#/runs`);
      await rowsBecome(page, await ids(`limit=${PAGE}`));
      await page.selectOption('#f-repo', real);
      const realRuns = await rowsBecome(page, [canceled, planned[0].id]);
      check('choosing a repository lists only its runs', same(realRuns, [canceled, planned[0].id]), JSON.stringify(realRuns));
      check('the repository is in the URL', same(await urlQuery(page), { repo: real }), JSON.stringify(await urlQuery(page)));

      await page.selectOption('#f-status', 'canceled');
      const canceledRuns = await rowsBecome(page, [canceled]);
      check('choosing a status narrows the list to it', same(canceledRuns, [canceled]), JSON.stringify(canceledRuns));
      check('repository and status are in the URL', same(await urlQuery(page), { repo: real, status: 'canceled' }), JSON.stringify(await urlQuery(page)));
      await page.reload();
      const reloaded = await rowsBecome(page, [canceled]);
      const controls = await page.evaluate(() => [document.getElementById('f-repo').value, document.getElementById('f-status').value]);
      check('a reload keeps the filters, in the list and in the form', same(reloaded, [canceled]) && same(controls, [real, 'canceled']),
        JSON.stringify({ reloaded, controls }));

      await page.selectOption('#f-repo', broken);
      await page.waitForSelector('text=No runs match.', { timeout: 10000 });
      check('a filter that matches nothing says so', (await rowIds(page)).length === 0);
      await page.selectOption('#f-status', '');
      // The view is drawn again for the new URL: type into the new form, not the old one.
      await rowsBecome(page, await ids(`repo=${encodeURIComponent(broken)}&limit=${PAGE}`));
      await page.fill('#f-branch', 'dev');
      await page.press('#f-branch', 'Enter');
      const devIds = await ids(`repo=${encodeURIComponent(broken)}&branch=dev&limit=${PAGE}`);
      const devRows = await rowsBecome(page, devIds);
      const branches = await page.$$eval('#runs-body tr td:nth-child(4)', (tds) => [...new Set(tds.map((td) => td.textContent))]);
      check('a branch typed and entered lists only that branch', devRows.length === 20 && same(devRows, devIds) && same(branches, ['dev']),
        JSON.stringify({ devRows, branches }));
      check('repository and branch are in the URL', same(await urlQuery(page), { repo: broken, branch: 'dev' }), JSON.stringify(await urlQuery(page)));
      await page.reload();
      const again = await rowsBecome(page, devIds);
      check('a reload keeps the branch', same(again, devIds) && await page.inputValue('#f-branch') === 'dev');
      await shot('13-runs-filtered');
    });

    await step('paging', async () => {
      const all = (await api('GET', '/api/v1/runs?limit=100')).json.runs.map((r) => r.id);
      const newest = all.slice(0, PAGE);
      await page.goto(`${base}/#/runs`);
      const first = await rowsBecome(page, newest);
      check(`the first page shows the newest ${PAGE} runs`, same(first, newest), `${first.length} rows`);
      await page.click('.pager a[rel=next]');
      const older = await rowsBecome(page, all.slice(PAGE));
      check('Older shows the rest, with no run twice', same(older, all.slice(PAGE)) && older.length === all.length - PAGE,
        JSON.stringify(older));
      check('the page is in the URL', same(await urlQuery(page), { before: String(newest[PAGE - 1]) }), JSON.stringify(await urlQuery(page)));
      check('the last page has no Older link', !(await page.$('.pager a[rel=next]')));
      await page.click('.pager a[rel=prev]');
      check('Newer returns to the page before', same(await rowsBecome(page, newest), newest));
      check('the newer page is in the URL by its cursor', (await urlQuery(page)).after === String(older[0]), JSON.stringify(await urlQuery(page)));
      await page.goBack();
      await rowsBecome(page, older);
      await page.goBack();
      check('Back returns to the newer page', same(await rowsBecome(page, newest), newest));
      await page.goForward();
      check('Forward to the older page again', same(await rowsBecome(page, older), older));

      // Filtered paging keeps the filter in its links.
      const brokenAll = (await api('GET', `/api/v1/runs?repo=${encodeURIComponent(broken)}&limit=100`)).json.runs.map((r) => r.id);
      await page.goto(`${base}/#/runs?repo=${encodeURIComponent(broken)}`);
      check('a filtered first page', same(await rowsBecome(page, brokenAll.slice(0, PAGE)), brokenAll.slice(0, PAGE)));
      await page.click('.pager a[rel=next]');
      const rest = await rowsBecome(page, brokenAll.slice(PAGE));
      check('Older keeps the filter', rest.length === 10 && same(rest, brokenAll.slice(PAGE)), JSON.stringify(rest));
      check('filter and page are both in the URL', same(await urlQuery(page), { repo: broken, before: String(brokenAll[PAGE - 1]) }),
        JSON.stringify(await urlQuery(page)));
      await page.reload();
      check('a reload stays on the page', same(await rowsBecome(page, rest), rest));
      await shot('14-runs-page-2');
      await page.click('.pager a:not([rel=next])');
      check('Newest returns to the first page of the filter', same(await rowsBecome(page, brokenAll.slice(0, PAGE)), brokenAll.slice(0, PAGE)));
      check('and the URL drops the page', same(await urlQuery(page), { repo: broken }), JSON.stringify(await urlQuery(page)));
    });
    await step('log colours', async () => {
      // Every ANSI colour a build log can use, measured against the log's background in each theme.
      const worst = await page.evaluate(async () => {
        const { appendAnsi } = await import('/static/ansi.js');
        const lum = (rgb) => {
          const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((c) => {
            const v = Number(c) / 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const codes = [30, 31, 32, 33, 34, 35, 36, 37, 90, 91, 92, 93, 94, 95, 96, 97];
        const out = {};
        for (const theme of ['light', 'dark']) {
          document.documentElement.dataset.theme = theme;
          const log = document.createElement('div');
          log.className = 'log';
          document.body.append(log);
          appendAnsi(log, codes.map((c) => `\x1b[${c}mx\x1b[0m`).join(''));
          const bg = getComputedStyle(log).backgroundColor;
          out[theme] = Math.min(...[...log.children].map((span) => ratio(getComputedStyle(span).color, bg)));
          log.replaceChildren();
          appendAnsi(log, codes.map((c) => `\x1b[${c + 10}mx\x1b[0m`).join(''));
          out[`${theme} backgrounds`] = Math.min(...[...log.children].map((span) => {
            const style = getComputedStyle(span);
            return ratio(style.color, style.backgroundColor === 'rgba(0, 0, 0, 0)' ? bg : style.backgroundColor);
          }));
          log.remove();
        }
        delete document.documentElement.dataset.theme;
        return out;
      });
      check('every ANSI colour in a log reads at 4.5:1 or more, in both themes', Object.values(worst).every((r) => r >= 4.5), JSON.stringify(worst));
    });

    await step('system theme', async () => {
      // No theme chosen in this profile: the page follows the system's preference as it changes.
      const look = () => page.evaluate(() => [document.getElementById('theme-toggle').textContent, getComputedStyle(document.body).backgroundColor]);
      await page.emulateMedia({ colorScheme: 'light' });
      const light = await look();
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.waitForFunction(() => document.getElementById('theme-toggle').textContent === 'Use light theme', null, { timeout: 5000 }).catch(() => {});
      const dark = await look();
      check('the theme follows the system preference while the page is open',
        same(light, ['Use dark theme', 'rgb(255, 255, 255)']) && same(dark, ['Use light theme', 'rgb(13, 17, 23)']), JSON.stringify({ light, dark }));
      await shot('15-runs-dark');
    });
    await step('a fork\'s pull request held for approval', async () => {
      // The forge keeps the request's head under refs/pull/5/head; its webhook names a fork.
      git(work, 'push', '-q', bare, 'HEAD:refs/pull/5/head');
      const sha = git(work, 'rev-parse', 'HEAD').trim();
      const body = JSON.stringify({
        action: 'opened', number: 5,
        pull_request: { number: 5, title: 'Greet louder', user: { login: 'mallory' },
          head: { ref: 'louder', sha, repo: { full_name: 'mallory/hello' } }, base: { ref: 'main', sha, repo: { full_name: real } } },
        repository: { full_name: real, html_url: `https://forge.example/${real}` },
      });
      const res = await fetch(`${base}/hooks/github`, {
        method: 'POST', body,
        headers: { 'X-GitHub-Event': 'pull_request', 'X-GitHub-Delivery': `pr-${unique}`,
          'X-Hub-Signature-256': `sha256=${crypto.createHmac('sha256', 's').update(body).digest('hex')}` },
      });
      const answer = await res.json();
      if (!check('the fork\'s pull request is held', res.status === 202 && answer.approval === 'awaiting', JSON.stringify(answer))) return;
      await page.goto(`${base}/#/runs/${answer.run_id}`);
      await page.waitForSelector('#approve-run', { timeout: 10000 });
      const shown = await page.evaluate(() => ({
        pr: document.getElementById('run-pr')?.textContent,
        link: document.querySelector('#run-pr a')?.getAttribute('href'),
        notice: document.querySelector('.notice')?.textContent,
      }));
      check('the run page names the pull request, links it on the forge and says it is held',
        shown.pr?.includes('#5') && shown.pr.includes('Greet louder') && shown.pr.includes('mallory/hello:louder → main') &&
        shown.link === `https://forge.example/${real}/pull/5` && shown.notice?.startsWith('Held: a pull request from a fork'),
        JSON.stringify(shown));
      await shot('16-run-awaiting-approval');
      await page.click('#approve-run');
      await page.waitForSelector('#token-dialog[open]');  // the admin token, asked for the first change
      await page.fill('#token-input', ADMIN);
      await page.click('#token-dialog button[type=submit]');
      const approved = await waitRun(answer.run_id, (x) => x.approval === 'approved', 10000);
      check('Approve releases the run', approved.approval === 'approved' && approved.approved_at > 0, JSON.stringify(approved));
      await page.waitForSelector('#approve-run', { state: 'detached', timeout: 10000 }).catch(() => {});
      check('the Approve button is gone once approved', !(await page.$('#approve-run')));
    });
    check('no script errors in the page', pageErrors.length === 0, pageErrors.join('\n'));
  } finally {
    await context.close();
  }
}

await run('web_runs_and_themes', main);

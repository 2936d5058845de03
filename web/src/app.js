// The dashboard's shell: a hash router (#/runs, #/runs/12, #/jobs/34, #/jobs/34/image,
// #/history?repo=..&stage=.., #/agents) so every view has its own URL; the theme toggle; the
// admin-token dialog. Each view module exports render(root, params, query) and may return a
// cleanup function, called when the user leaves the view (it closes the view's streams).
import { setTokenProvider } from './api.js';
import { clear, errorBlock } from './dom.js';
import * as runs from './runs.js';

const routes = [
  { pattern: /^\/?$/, nav: 'runs', load: async () => runs },
  { pattern: /^\/runs$/, nav: 'runs', load: async () => runs },
  { pattern: /^\/runs\/(\d+)$/, nav: 'runs', load: () => import('./run.js') },
  { pattern: /^\/jobs\/(\d+)$/, nav: 'runs', load: () => import('./job_log.js') },
  { pattern: /^\/jobs\/(\d+)\/image$/, nav: 'runs', load: () => import('./job_image.js') },
  { pattern: /^\/history$/, nav: 'history', load: () => import('./history.js') },
  { pattern: /^\/agents$/, nav: 'agents', load: () => import('./agents.js') },
];

const main = document.getElementById('main');
let cleanup = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/runs';
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

async function route() {
  const { path, query } = parseHash();
  const mine = ++generation;
  if (cleanup) { try { cleanup(); } catch { /* the old view is gone anyway */ } cleanup = null; }
  const match = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (match && a.dataset.nav === match.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    clear(main);
    main.append(errorBlock(`no such page: ${path}`));
    return;
  }
  try {
    const view = await match.r.load();
    if (mine !== generation) return;
    clear(main);
    cleanup = (await view.render(main, match.m.slice(1), query)) || null;
    if (mine !== generation && cleanup) { cleanup(); cleanup = null; }
  } catch (err) {
    if (mine !== generation) return;
    clear(main);
    main.append(errorBlock(err));
  }
}

// Themes: the system's preference unless the user picked one; the choice is kept.
const THEME_KEY = 'slipway.theme';
function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  // The button says what it does; its name is its text (no aria-label that would differ from it).
  document.getElementById('theme-toggle').textContent = dark ? 'Use light theme' : 'Use dark theme';
}
document.getElementById('theme-toggle').addEventListener('click', () => {
  const current = document.documentElement.dataset.theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const next = current === 'dark' ? 'light' : 'dark';
  localStorage.setItem(THEME_KEY, next);
  applyTheme(next);
  window.dispatchEvent(new Event('themechange'));
});
applyTheme(localStorage.getItem(THEME_KEY));
// Without a choice of the user's, the theme follows the system's as it changes.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  if (localStorage.getItem(THEME_KEY)) return;
  applyTheme(null);
  window.dispatchEvent(new Event('themechange'));
});

// The token dialog: resolves the token, or null when cancelled. purpose: 'read' (the server wants
// a viewer token to show anything) or 'write' (an admin action).
setTokenProvider((purpose) => new Promise((resolve) => {
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const reading = purpose === 'read';
  document.getElementById('token-title').textContent = reading ? 'Access token' : 'Admin token';
  document.getElementById('token-why').textContent = reading
    ? 'This server shows its builds only to holders of a viewer or admin token. It is kept in this browser only.'
    : "This action needs the server's admin token. It is kept in this browser only.";
  input.value = '';
  const done = (value) => {
    form.removeEventListener('submit', onSubmit);
    document.getElementById('token-cancel').removeEventListener('click', onCancel);
    dialog.removeEventListener('cancel', onCancel);
    if (dialog.open) dialog.close();
    resolve(value);
  };
  const onSubmit = (e) => { e.preventDefault(); done(input.value.trim() || null); };
  const onCancel = (e) => { e.preventDefault(); done(null); };
  form.addEventListener('submit', onSubmit);
  document.getElementById('token-cancel').addEventListener('click', onCancel);
  dialog.addEventListener('cancel', onCancel);
  dialog.showModal();
  input.focus();
}));

// The skip link moves the focus to the content; following its href would change the route.
document.querySelector('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', route);
route();

// Small helpers shared by the views: element creation (text is always set as text, never parsed
// as HTML), formatting of sizes, durations and ages, and status badges.

/** h('a', {href: '#/x', class: 'y'}, 'text', child) — attributes starting with "on" become listeners. */
export function h(tag, attrs, ...children) {
  const el = tag.includes(':')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.split(':')[1])
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

export function formatBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function formatAge(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1500) return 'just now';
  return `${formatDuration(ms).replace(/ (ms|s|m|h)\b/g, '$1')} ago`;
}

/** 2026-11-28 14:05 in local time. Not toLocaleString: its first call sets up ICU, 20-60 ms of a cold page. */
export function formatTime(epochMs) {
  if (!epochMs) return '—';
  const d = new Date(epochMs);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A run or job's duration: finished-started, or the time so far while it runs. */
export function elapsed(item, now = Date.now()) {
  if (item.duration_ms !== null && item.duration_ms !== undefined) return item.duration_ms;
  if (item.started_at && !item.finished_at) return now - item.started_at;
  return null;
}

export const FINAL = new Set(['success', 'failure', 'canceled', 'error', 'skipped']);

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, status);
}

export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `show ${kind}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = ''; }, 4000);
}

export function errorBlock(err) {
  return h('p', { class: 'error', role: 'alert' }, `Could not load: ${err.message || err}`);
}

/** Changes the query part of the current #/path?query URL without re-rendering the view. */
export function replaceQuery(query) {
  const raw = location.hash.replace(/^#/, '');
  const path = raw.split('?')[0];
  const s = query.toString();
  history.replaceState(null, '', `#${path}${s ? `?${s}` : ''}`);
}

/**
 * For views that redraw themselves while they are read: call it before replacing elements inside
 * root; the function it returns gives the focus back to the same control among the new elements
 * (found by id, link target, label or text) when the redraw took the focus away.
 */
export function focusKeeper(root) {
  const before = document.activeElement;
  const key = before && before !== root && root.contains(before) ? focusKey(before) : null;
  return () => {
    if (!key || (document.activeElement && document.activeElement !== document.body)) return;
    const again = [...root.querySelectorAll('a, button, input, select, [tabindex]')].find((el) => focusKey(el) === key);
    if (again) again.focus();
  };
}

function focusKey(el) {
  return `${el.tagName}|${el.id || el.getAttribute('href') || el.getAttribute('aria-label') || el.textContent}`;
}

/** Marks the header's live indicator as connected or not. */
export function setLive(connected) {
  const el = document.getElementById('live');
  if (!el) return;
  el.classList.toggle('on', connected);
  el.title = connected ? 'Live updates on' : 'Live updates reconnecting';
}

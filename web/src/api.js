// The one module that talks to slipwayd: REST calls under /api/v1 and its SSE streams. Views call
// these functions and never fetch() themselves. Mutating calls carry the admin token, asked for
// once through the provider app.js registers and kept in localStorage; a 401 forgets it and asks
// again (once per call).

const BASE = '/api/v1';
const TOKEN_KEY = 'slipway.adminToken';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_error';
  }
}

let tokenProvider = async () => null;

/** Registers the function that asks the user for the admin token (resolves null on cancel). */
export function setTokenProvider(fn) { tokenProvider = fn; }
export function storedToken() { return localStorage.getItem(TOKEN_KEY) || ''; }
export function forgetToken() { localStorage.removeItem(TOKEN_KEY); }

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function errorFrom(res) {
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body && body.error) { code = body.error.code; message = body.error.message; }
  } catch { /* not JSON */ }
  return new ApiError(res.status, code, message);
}

async function getJson(path) {
  // No extra headers, so the first page of runs can come from the preload in index.html.
  const res = await fetch(BASE + path);
  if (!res.ok) throw await errorFrom(res);
  return res.json();
}

async function token(askEvenIfStored) {
  let t = askEvenIfStored ? '' : storedToken();
  if (!t) {
    t = await tokenProvider();
    if (!t) throw new ApiError(401, 'unauthenticated', 'An admin token is needed for this action.');
    localStorage.setItem(TOKEN_KEY, t);
  }
  return t;
}

async function postJson(path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const t = await token(attempt > 0);
    const res = await fetch(BASE + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t}` },
      body: JSON.stringify(body ?? {}),
    });
    if (res.status === 401) { forgetToken(); if (attempt === 0) continue; }
    if (!res.ok) throw await errorFrom(res);
    return res.json();
  }
  throw new ApiError(401, 'unauthenticated', 'The admin token was refused.');
}

/** {runs:[...], next_before?, prev_after?} — filter: {repo, branch, status, limit, before, after}. */
export const listRuns = (filter) => getJson(`/runs${query(filter)}`);
export const getRun = (id) => getJson(`/runs/${encodeURIComponent(id)}`);
/** jobs: "all" | "failed" | ["stage", ...]; resolves to the new run. */
export const rerunRun = (id, jobs) => postJson(`/runs/${encodeURIComponent(id)}/rerun`, { jobs });
export const cancelRun = (id) => postJson(`/runs/${encodeURIComponent(id)}/cancel`, {});
/** A run held for approval (a fork's pull request) is released and planned. */
export const approveRun = (id) => postJson(`/runs/${encodeURIComponent(id)}/approve`, {});
export const getJob = (id) => getJson(`/jobs/${encodeURIComponent(id)}`);
export const listAgents = () => getJson('/agents');
export const listRepos = () => getJson('/repos');
/** Size history, newest first: {images:[{digest, sha, branch, size_bytes, ...}]}. */
export const listImages = (repo, stage, branch) => getJson(`/images${query({ repo, stage, branch })}`);
export const getImage = (digest) => getJson(`/images/${encodeURIComponent(digest)}`);
/** Where the browser downloads an image's SBOM (a link, not a call). */
export const sbomUrl = (digest) => `/api/v1/images/${encodeURIComponent(digest)}/sbom`;

export async function getJobLog(id) {
  const res = await fetch(`${BASE}/jobs/${encodeURIComponent(id)}/log`);
  if (!res.ok) throw await errorFrom(res);
  return res.text();
}

function stream(path, handlers) {
  const es = new EventSource(BASE + path);
  let opened = false;
  for (const [name, fn] of Object.entries(handlers)) {
    if (name === 'open' || name === 'error') continue;
    es.addEventListener(name, (e) => {
      let data = null;
      try { data = JSON.parse(e.data); } catch { return; }
      fn(data);
    });
  }
  es.onopen = () => { handlers.open?.(opened); opened = true; };
  es.onerror = () => handlers.error?.(es.readyState);
  return () => es.close();
}

/** Follows every run and job status change: handlers {run, job, open(reconnected), error}. Returns a stop function. */
export const followEvents = (handlers) => stream('/events', handlers);
/** Follows a job's log: handlers {log {seq, attempt, data}, steps {steps}, end {status}}. Returns a stop function. */
export const followJobLog = (id, handlers) => stream(`/jobs/${encodeURIComponent(id)}/log?follow=1`, handlers);

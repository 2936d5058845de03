// The one module that talks to slipwayd: REST calls under /api/v1 and its SSE streams. Views call
// these functions and never fetch() themselves. A token, asked for through the provider app.js
// registers and kept in localStorage, goes with every call as "Authorization: Bearer": reads ask
// for one only when the server answers 401 (it reads publicly otherwise), writes always need one
// (an admin token); a refused token (401, or 403 on a write) is forgotten and asked again once.
// SSE streams (EventSource, which cannot send headers) and the SBOM link carry the token as
// ?access_token=, which slipwayd accepts on GETs only and never logs.

const BASE = '/api/v1';
const TOKEN_KEY = 'slipway.adminToken';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_error';
  }
}

let tokenProvider = async (/* purpose: 'read' | 'write' */) => null;

/** Registers the function that asks the user for a token, given what for (resolves null on cancel). */
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

let asking = null;  // the dialog open now: calls refused at once share one answer
const onNewToken = new Set();  // streams refused for want of a token, opened again when one comes

async function token(askEvenIfStored, purpose) {
  let t = askEvenIfStored ? '' : storedToken();
  if (!t) {
    if (!asking) asking = tokenProvider(purpose).finally(() => { asking = null; });
    t = await asking;
    if (!t) {
      throw new ApiError(401, 'unauthenticated',
        purpose === 'read' ? 'A viewer or admin token is needed to see this.' : 'An admin token is needed for this action.');
    }
    localStorage.setItem(TOKEN_KEY, t);
    for (const reopen of onNewToken) reopen();
    onNewToken.clear();
  }
  return t;
}

/** A GET with the stored token, if any; on 401 asks for a token and tries once more. */
async function getResponse(path) {
  let t = storedToken();
  for (let attempt = 0; ; attempt++) {
    // Without a token no extra headers, so the first page of runs can come from the preload in index.html.
    const res = await fetch(BASE + path, t ? { headers: { Authorization: `Bearer ${t}` } } : undefined);
    if (res.status !== 401 || attempt === 2) {
      if (!res.ok) throw await errorFrom(res);
      return res;
    }
    // The preload, made before any token, answers the first request for its URL whatever it
    // carries: a kept token is tried once more before it is forgotten.
    if (attempt === 0 && t) continue;
    forgetToken();
    t = await token(true, 'read');
  }
}

async function getJson(path) {
  return (await getResponse(path)).json();
}

async function postJson(path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const t = await token(attempt > 0, 'write');
    const res = await fetch(BASE + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${t}` },
      body: JSON.stringify(body ?? {}),
    });
    if (res.status === 401 || res.status === 403) { forgetToken(); if (attempt === 0) continue; }
    if (!res.ok) throw await errorFrom(res);
    return res.json();
  }
  throw new ApiError(401, 'unauthenticated', 'The admin token was refused.');
}

/** path with the stored token as ?access_token= (for EventSource and links), or as it is. */
function withToken(path) {
  const t = storedToken();
  if (!t) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(t)}`;
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
export const sbomUrl = (digest) => withToken(`/api/v1/images/${encodeURIComponent(digest)}/sbom`);

export async function getJobLog(id) {
  return (await getResponse(`/jobs/${encodeURIComponent(id)}/log`)).text();
}

function stream(path, handlers) {
  let es = null;
  let opened = false;
  let stopped = false;
  const open = () => {
    if (stopped) return;
    const used = storedToken();
    es = new EventSource(withToken(BASE + path));
    for (const [name, fn] of Object.entries(handlers)) {
      if (name === 'open' || name === 'error') continue;
      es.addEventListener(name, (e) => {
        let data = null;
        try { data = JSON.parse(e.data); } catch { return; }
        fn(data);
      });
    }
    es.onopen = () => { handlers.open?.(opened); opened = true; };
    es.onerror = () => {
      // Closed for good (EventSource gives up on a 401): opened again with a token given since, or
      // once the user gives one.
      if (es.readyState === EventSource.CLOSED) {
        if (storedToken() !== used) { setTimeout(open, 0); return; }
        onNewToken.add(open);
      }
      handlers.error?.(es.readyState);
    };
  };
  open();
  return () => { stopped = true; onNewToken.delete(open); es.close(); };
}

/** Follows every run and job status change: handlers {run, job, open(reconnected), error}. Returns a stop function. */
export const followEvents = (handlers) => stream('/events', handlers);
/** Follows a job's log: handlers {log {seq, attempt, data}, steps {steps}, end {status}}. Returns a stop function. */
export const followJobLog = (id, handlers) => stream(`/jobs/${encodeURIComponent(id)}/log?follow=1`, handlers);

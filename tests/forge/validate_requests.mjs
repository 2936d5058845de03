// Checks every request body Slipway sends to a forge (printed by forge_request_dump) against the
// forge's own description of the operation: GitHub's official OpenAPI description
// (@octokit/openapi, api.github.com), and for Gitea and GitLab the fixtures in
// tests/data/forges/, written from their published API documentation. Each body must validate
// against its operation's requestBody schema, with no field the operation does not name; GitHub
// status descriptions must fit its 140 characters. A known-bad body must fail, so the check can.
//
//   node validate_requests.mjs --dump BIN --modules DIR --data DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'));
const Ajv = require('ajv');
const ajv = new Ajv({ strict: false, allErrors: true });

const requests = JSON.parse(execFileSync(args.dump, { encoding: 'utf8' }));
let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.error(`FAIL ${what}`);
  }
}

// No field beyond those the operation names (the forges ignore or refuse unknown ones).
function closed(schema) {
  if (schema && schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}

function templateRegex(template) {
  return new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$');
}

// operations: [{method, path (a template), schema}]
function validateAll(forge, operations, extra) {
  const used = new Set();
  for (const r of requests[forge]) {
    const matches = operations.filter((o) => o.method === r.method && templateRegex(o.path).test(r.path));
    check(matches.length === 1, `${forge} ${r.method} ${r.path}: ${matches.length} operations match`);
    if (matches.length !== 1) continue;
    used.add(matches[0].method + ' ' + matches[0].path);
    const validate = ajv.compile(closed(matches[0].schema));
    check(validate(r.body), `${forge} ${r.method} ${matches[0].path}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(r.body).slice(0, 200)}`);
    if (extra) extra(r, matches[0]);
  }
  for (const o of operations) check(used.has(o.method + ' ' + o.path), `${forge} ${o.method} ${o.path} never sent`);
  return operations;
}

// GitHub: the operations Slipway uses, from the official description.
const spec = JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.deref.json'), 'utf8'));
const githubOps = [
  ['POST', '/repos/{owner}/{repo}/statuses/{sha}'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
].map(([method, p]) => ({
  method, path: p,
  schema: spec.paths[p][method.toLowerCase()].requestBody.content['application/json'].schema,
}));
validateAll('github', githubOps, (r, op) => {
  if (op.path.endsWith('/statuses/{sha}')) {
    check([...(r.body.description || '')].length <= 140, `github status description over 140 characters`);
  }
});
const statusSchema = ajv.compile(closed(githubOps[0].schema));
check(!statusSchema({ state: 'running', context: 'slipway' }), 'github: a state GitHub does not know is refused');
check(!statusSchema({ state: 'success', name: 'slipway' }), 'github: a field GitHub does not name is refused');

for (const forge of ['gitea', 'gitlab']) {
  const fixture = JSON.parse(readFileSync(path.join(args.data, `${forge}-requests.json`), 'utf8'));
  check(typeof fixture.attribution === 'string' && fixture.attribution.includes('https://'), `${forge} fixture names its source`);
  validateAll(forge, fixture.operations);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

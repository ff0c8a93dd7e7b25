// Collects the results of one scan run (scripts/security-scan.sh) into summary.json, copies the
// raw reports with the session secrets removed, and rewrites that database's results section of
// docs/security/scans.md.
//
// Exit status 1 means a failure: sqlmap confirmed an injection, wapiti reported a high or critical
// finding not assessed as a false positive, the server returned a 5xx, or the audit chain failed
// to verify. Otherwise 2 means the scan proves nothing: a sqlmap run without a conclusion, a
// wapiti crash, or a session lost during the run. Otherwise the status is 0.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseSqlmapLog } from './parse-sqlmap.mjs';
import { normalizeText, parseWapitiReport } from './parse-wapiti.mjs';
import { renderResults, replaceSection } from './render-report.mjs';

const { values: options } = parseArgs({
  options: {
    work: { type: 'string' },
    output: { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    'sqlmap-version': { type: 'string', default: 'unknown' },
    'wapiti-version': { type: 'string', default: 'unknown' },
    'sqlmap-level': { type: 'string', default: '?' },
    'sqlmap-risk': { type: 'string', default: '?' },
    'wapiti-modules': { type: 'string', default: '' },
    docs: { type: 'string', default: '' },
  },
});
if (!options.work || !options.output) {
  console.error('usage: node summarize.mjs --work DIR --output DIR [--database NAME] [--docs scans.md] …');
  process.exit(2);
}

const work = options.work;
const reports = path.join(work, 'reports');
const readText = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const targets = JSON.parse(readText(path.join(work, 'targets', 'targets.json')));
const base = targets.base;

/** Reads a scope proxy log: the forwarded count and every rejected destination. */
function readProxyLog(file, run) {
  const entries = readText(file).split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const forwarded = entries.find((entry) => entry.kind === 'summary')?.forwarded ?? 0;
  const rejected = entries.filter((entry) => entry.kind !== 'summary').map((entry) => ({ run, kind: entry.kind, destination: entry.destination }));
  return { forwarded, rejected };
}

const blocked = [];
let forwardedTotal = 0;

// sqlmap: one run per target.
const sqlmap = targets.sqlmap.map((target) => {
  const proxy = readProxyLog(path.join(reports, `proxy-sqlmap-${target.name}.jsonl`), `sqlmap ${target.name}`);
  blocked.push(...proxy.rejected);
  forwardedTotal += proxy.forwarded;
  return { name: target.name, description: target.description, parameters: target.parameters, requests: proxy.forwarded, ...parseSqlmapLog(readText(path.join(reports, `sqlmap-${target.name}.log`))) };
});

// wapiti: one run per account.
const wapiti = targets.wapiti.map((scan) => {
  const proxy = readProxyLog(path.join(reports, `proxy-wapiti-${scan.account}.jsonl`), `wapiti ${scan.account}`);
  blocked.push(...proxy.rejected);
  forwardedTotal += proxy.forwarded;
  const reportFile = path.join(reports, `wapiti-${scan.account}.json`);
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
  const crashed = !report || /Traceback \(most recent call last\)/.test(readText(path.join(reports, `wapiti-${scan.account}.log`)));
  return { account: scan.account, startUrls: scan.startUrls.map((url) => normalizeText(url, base)), requests: proxy.forwarded, crashed, findings: report ? parseWapitiReport(report, base) : [] };
});

// Findings of both tools, each with its recorded assessment where one exists.
const assessments = JSON.parse(readFileSync(new URL('./assessments.json', import.meta.url), 'utf8'));
const findAssessment = (finding) => assessments.find((entry) => entry.tool === finding.tool && entry.category === finding.category && entry.info === finding.info);
const findings = [];
for (const target of sqlmap) {
  for (const point of target.injectionPoints) {
    findings.push({ tool: 'sqlmap', kind: 'injection', category: 'SQL injection', level: 4, severity: 'critical', where: target.description, info: `${point.parameter}: ${point.types.join(', ')}` });
  }
}
for (const scan of wapiti) {
  for (const finding of scan.findings) {
    findings.push({ ...finding, where: `${finding.method} ${finding.path}${finding.parameter ? ` (${finding.parameter})` : ''}, as ${scan.account}` });
  }
}
// The same finding on several runs (a header of every response) is listed once.
const uniqueFindings = [];
for (const finding of findings) {
  const known = uniqueFindings.find((other) => other.tool === finding.tool && other.category === finding.category && other.info === finding.info && other.path === finding.path);
  if (known) {
    if (!known.where.includes(finding.where)) known.where += `; ${finding.where}`;
    continue;
  }
  const assessment = findAssessment(finding);
  uniqueFindings.push(assessment ? { ...finding, assessment: { verdict: assessment.verdict, reason: assessment.reason } } : finding);
}

// Responses as the server logged them: one line each, with the route pattern and status.
const statusClasses = {};
const serverErrors = [];
for (const line of readText(path.join(reports, 'server.log')).split('\n')) {
  if (!line.startsWith('{')) continue;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    continue;
  }
  if (entry.msg !== 'request' || typeof entry.status !== 'number') continue;
  const statusClass = `${Math.floor(entry.status / 100)}xx`;
  statusClasses[statusClass] = (statusClasses[statusClass] ?? 0) + 1;
  if (entry.status >= 500) serverErrors.push({ method: entry.method, route: entry.route ?? '(no route)', status: entry.status });
}
const auditVerifyLog = readText(path.join(reports, 'audit-verify.log')).trim().split('\n').filter(Boolean);
const auditVerify = { status: Number(readText(path.join(reports, 'audit-verify.status')).trim() || '-1'), summary: auditVerifyLog.at(-1) ?? '' };
const sessionsAfter = JSON.parse(readText(path.join(reports, 'sessions-after.json')) || '{}');

// Verdict.
const failures = [];
const invalid = [];
for (const target of sqlmap) {
  if (target.outcome === 'injectable') failures.push(`sqlmap confirmed an injection in ${target.description}`);
  if (target.outcome === 'inconclusive') invalid.push(`sqlmap reached no conclusion on ${target.name}`);
  if (target.requests === 0) invalid.push(`sqlmap sent no request for ${target.name}`);
}
for (const scan of wapiti) {
  if (scan.crashed) invalid.push(`wapiti (${scan.account}) crashed or wrote no report`);
  if (scan.requests === 0) invalid.push(`wapiti (${scan.account}) sent no request`);
}
for (const finding of uniqueFindings) {
  if (finding.tool === 'wapiti' && finding.level >= 3 && finding.assessment?.verdict !== 'false positive') {
    failures.push(`wapiti ${finding.severity}: ${finding.category}: ${finding.info}`);
  }
}
if (serverErrors.length > 0) failures.push(`the server returned a 5xx status for ${serverErrors.length} request(s)`);
if (auditVerify.status !== 0) failures.push(`audit verify exited with status ${auditVerify.status}`);
for (const [username, state] of Object.entries(sessionsAfter)) {
  if (!state.signedIn) invalid.push(`the session of ${username} ended during the run`);
}
if (Object.keys(sessionsAfter).length === 0) invalid.push('the sessions were not checked after the run');

let verdict = { status: 'pass', reasons: ['no confirmed injection, no high or critical finding, no 5xx, audit chain verified'] };
if (failures.length > 0) verdict = { status: 'fail', reasons: failures };
else if (invalid.length > 0) verdict = { status: 'invalid', reasons: invalid };

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

const durations = Object.fromEntries(
  readText(path.join(work, 'timings.txt'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .map(([tool, seconds]) => [tool, Number(seconds)]),
);

const summary = {
  run: {
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    commit: gitCommit(),
    database: options.database === 'postgres' ? 'PostgreSQL' : 'SQLite',
    databaseKey: options.database === 'postgres' ? 'postgres' : 'sqlite',
    machine: `${os.type()} ${os.arch()}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`,
    sqlmapVersion: options['sqlmap-version'],
    sqlmapLevel: options['sqlmap-level'],
    sqlmapRisk: options['sqlmap-risk'],
    wapitiVersion: options['wapiti-version'],
    wapitiModules: options['wapiti-modules'],
    durations,
  },
  verdict,
  sqlmap,
  wapiti: wapiti.map(({ findings: _findings, ...scan }) => ({ ...scan, findings: _findings.length })),
  findings: uniqueFindings,
  server: { statusClasses, serverErrors, auditVerify, sessionsAfter },
  proxy: { forwarded: forwardedTotal },
  blocked,
  // Record ids differ on every run; the commands keep their shape.
  commands: readText(path.join(work, 'commands.txt'))
    .split('\n')
    .filter(Boolean)
    .map((line) => normalizeText(line, base)),
};

// Raw reports go out with the session cookies and CSRF tokens replaced.
const { sessions } = JSON.parse(readText(path.join(work, 'sessions.json')));
const secrets = Object.values(sessions).flatMap((session) => [session.sessionCookie, session.csrfToken, ...session.cookie.split(';').map((pair) => pair.split('=').slice(1).join('='))]).filter((secret) => secret && secret.length >= 16);
const redact = (text) => secrets.reduce((result, secret) => result.split(secret).join('<redacted>'), text);
for (const file of readdirSync(reports)) {
  writeFileSync(path.join(options.output, file), redact(readFileSync(path.join(reports, file), 'utf8')));
}
writeFileSync(path.join(options.output, 'summary.json'), `${redact(JSON.stringify(summary, null, 2))}\n`);

if (options.docs) {
  const document = existsSync(options.docs) ? readFileSync(options.docs, 'utf8') : '# Security scans\n';
  writeFileSync(options.docs, replaceSection(document, summary.run.databaseKey, redact(renderResults({ ...summary, wapiti }))));
}

console.log(`verdict: ${verdict.status}${verdict.reasons.length > 0 ? ` (${verdict.reasons.join('; ')})` : ''}`);
console.log(`summary: ${path.join(options.output, 'summary.json')}`);
const EXIT_STATUS = { pass: 0, fail: 1, invalid: 2 };
process.exit(EXIT_STATUS[verdict.status]);

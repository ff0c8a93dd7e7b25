// Renders a scan summary as a generated section of docs/security/scans.md, one per database.

/** Comment lines that delimit the generated section of one database (`sqlite` or `postgres`). */
export function sectionMarkers(database) {
  return { start: `<!-- scan-results:${database}:start -->`, end: `<!-- scan-results:${database}:end -->` };
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

function describeCodes(codes) {
  const entries = Object.entries(codes);
  return entries.length === 0 ? 'none' : entries.map(([code, count]) => `${code} × ${count}`).join(', ');
}

function describeSqlmapResult(run) {
  if (run.outcome === 'injectable') return `**injectable**: ${run.injectionPoints.map((point) => `${point.parameter} (${point.types.join(', ')})`).join('; ')}`;
  if (run.outcome === 'not-injectable') {
    const names = run.cleanParameters.map((parameter) => `${parameter.name} (${parameter.place})`).join(', ');
    const candidates = run.rejectedCandidates.length > 0 ? `; sqlmap dropped ${run.rejectedCandidates.length} candidate(s) as false positives` : '';
    return `not injectable: ${names}${candidates}`;
  }
  return '**inconclusive**: the log has no conclusion (see the raw log)';
}

function describeAssessment(finding) {
  if (!finding.assessment) return '**not assessed yet**: review it and add it to scripts/security-scan/assessments.json';
  return `${finding.assessment.verdict}: ${finding.assessment.reason}`;
}

export function renderResults(summary) {
  const { run, sqlmap, wapiti, findings, server, blocked, verdict } = summary;
  const markers = sectionMarkers(run.databaseKey);
  const lines = [markers.start, '', `## Latest run on ${run.database}`, '', 'Written by `npm run test:scan`, which replaces everything between this section\'s markers.', ''];

  lines.push(
    table(
      ['', ''],
      [
        ['date (UTC)', run.date],
        ['commit', run.commit],
        ['database', run.database],
        ['machine', run.machine],
        ['sqlmap', `${run.sqlmapVersion}, level ${run.sqlmapLevel}, risk ${run.sqlmapRisk}, ${run.durations.sqlmap ?? '?'} s`],
        ['wapiti', `${run.wapitiVersion}, modules ${run.wapitiModules.split(',').join(', ')}, ${run.durations.wapiti ?? '?'} s`],
        ['scope', `the demo server at http://127.0.0.1:PORT/ (a free port each run), reached only through the scope proxy: ${summary.proxy.forwarded} requests forwarded, ${blocked.length} rejected`],
        ['verdict', `**${verdict.status}**${verdict.reasons.length > 0 ? `: ${verdict.reasons.join('; ')}` : ''}`],
      ],
    ),
  );

  lines.push('', '### sqlmap', '');
  lines.push(table(['target', 'tested points', 'requests', 'HTTP errors seen', 'result'], sqlmap.map((target) => [target.description, target.parameters.join(', '), target.requests, describeCodes(target.httpCodes), describeSqlmapResult(target)])));

  lines.push('', '### wapiti', '');
  lines.push(
    table(
      ['account', 'start URLs', 'requests', 'findings', 'run'],
      wapiti.map((scan) => [scan.account, scan.startUrls.length, scan.requests, scan.findings.length, scan.crashed ? '**crashed or wrote no report** (see the raw log)' : 'completed']),
    ),
  );
  lines.push('', 'Start URLs:', '');
  for (const scan of wapiti) {
    lines.push(`- ${scan.account}: ${scan.startUrls.map((url) => `\`${url}\``).join(', ')}`);
  }

  lines.push('', '### Findings', '');
  if (findings.length === 0) {
    lines.push('None.');
  } else {
    lines.push(table(['tool', 'where', 'finding', 'severity', 'assessment'], findings.map((finding) => [finding.tool, finding.where, `${finding.category}: ${finding.info}`, finding.severity, describeAssessment(finding)])));
  }

  lines.push('', '### Server and data after the scans', '');
  lines.push(`- Responses logged by the server: ${Object.entries(server.statusClasses).map(([statusClass, count]) => `${statusClass} ${count}`).join(', ') || 'none'}.`);
  const errorCounts = new Map();
  for (const error of server.serverErrors) {
    const key = `${error.method} ${error.route} → ${error.status}`;
    errorCounts.set(key, (errorCounts.get(key) ?? 0) + 1);
  }
  const errorList = [...errorCounts].map(([key, count]) => `${key} (${count}×)`).join(', ');
  lines.push(`- 5xx responses: ${errorList || 'none'}.`);
  lines.push(`- \`ledgerguard audit verify\` after the server stopped: exit status ${server.auditVerify.status}${server.auditVerify.summary ? ` (${server.auditVerify.summary})` : ''}.`);
  lines.push(`- Sessions at the end: ${Object.entries(server.sessionsAfter).map(([username, state]) => `${username} ${state.signedIn ? 'signed in' : `signed out (HTTP ${state.status})`}`).join(', ')}.`);

  lines.push('', '### Outbound attempts rejected by the scope proxy', '');
  lines.push(blocked.length === 0 ? 'None.' : table(['tool run', 'kind', 'destination'], blocked.map((attempt) => [attempt.run, attempt.kind, attempt.destination])));

  lines.push('', '### Commands', '', 'Placeholders: `<server>` is the server URL, `<scope-proxy>` the proxy, `<work>` the temporary folder, `<csrf-token>` the session\'s CSRF token, `<id>` a record id.', '', '```sh', ...summary.commands, '```', '', markers.end);
  return `${lines.join('\n')}\n`;
}

/** Replaces one database's generated section of a document, or appends it when its markers are missing. */
export function replaceSection(document, database, section) {
  const markers = sectionMarkers(database);
  const start = document.indexOf(markers.start);
  const end = document.indexOf(markers.end);
  if (start < 0 || end < start) {
    return `${document.trimEnd()}\n\n${section}`;
  }
  return `${document.slice(0, start)}${section}${document.slice(end + markers.end.length).replace(/^\n/, '')}`;
}

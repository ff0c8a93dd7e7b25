// Reads one wapiti 3.0.4 JSON report (-f json) into a flat list of findings. The report groups
// entries by category under `vulnerabilities` and `anomalies`; each entry has a level from
// wapitiCore/language/vulnerability.py: 1 low, 2 medium, 3 high, 4 critical.

const LEVEL_NAMES = { 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' };

/** Replaces what changes from run to run (the server's port, record ids) so findings compare across runs. */
export function normalizeText(text, base) {
  return String(text)
    .split(base)
    .join('<server>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');
}

export function parseWapitiReport(report, base) {
  const findings = [];
  for (const kind of ['vulnerabilities', 'anomalies']) {
    for (const [category, entries] of Object.entries(report[kind] ?? {})) {
      for (const entry of entries) {
        const level = Number(entry.level);
        findings.push({
          tool: 'wapiti',
          kind: kind === 'vulnerabilities' ? 'vulnerability' : 'anomaly',
          category,
          level,
          severity: LEVEL_NAMES[level] ?? `level ${entry.level}`,
          method: entry.method,
          path: normalizeText(entry.path, base),
          parameter: entry.parameter ?? '',
          info: normalizeText(entry.info, base),
        });
      }
    }
  }
  return findings;
}

// Reads the console log of one sqlmap 1.7 run (-v 1, --batch) into a result. sqlmap prints its
// conclusions as fixed English sentences; the patterns below match those of sqlmap 1.7.2.

const INJECTION_BLOCK = /identified the following injection point\(s\)[^\n]*\n---\n([\s\S]*?)\n---/;
const NOT_INJECTABLE = /\[WARNING\] (.+?) parameter '([^']+)' does not seem to be injectable/g;
const CANDIDATE = /\[INFO\] (.+?) parameter '([^']+)' appears to be '([^']+)' injectable/g;
const FALSE_POSITIVE = /false positive or unexploitable injection point detected/;
const ALL_CLEAN = /all tested parameters do not appear to be injectable/;
const HTTP_CODES = /HTTP error codes detected during run:\n((?:\d{3} \([^)]*\) - \d+ times,?\s*)+)/;

/**
 * Parses a sqlmap log. `outcome` is `injectable` when sqlmap confirmed an injection point,
 * `not-injectable` when it concluded that no tested parameter is injectable, and `inconclusive`
 * when the log has neither conclusion (a crash, a lost connection, an interrupted run).
 */
export function parseSqlmapLog(text) {
  const injection = INJECTION_BLOCK.exec(text);
  const injectionPoints = injection ? parseInjectionPoints(injection[1]) : [];

  const cleanParameters = [...text.matchAll(NOT_INJECTABLE)].map((match) => ({ place: match[1], name: match[2] }));
  const candidates = [...text.matchAll(CANDIDATE)].map((match) => ({ place: match[1], name: match[2], technique: match[3] }));

  const httpCodes = {};
  const codes = HTTP_CODES.exec(text);
  if (codes) {
    for (const line of codes[1].matchAll(/(\d{3}) \(([^)]*)\) - (\d+) times/g)) {
      httpCodes[line[1]] = Number(line[3]);
    }
  }

  let outcome = 'inconclusive';
  if (injectionPoints.length > 0) outcome = 'injectable';
  else if (ALL_CLEAN.test(text)) outcome = 'not-injectable';

  return {
    outcome,
    injectionPoints,
    cleanParameters,
    // A candidate that sqlmap then rejected as a false positive is listed, so a reader sees it was considered.
    rejectedCandidates: outcome === 'injectable' ? [] : candidates,
    falsePositiveReported: FALSE_POSITIVE.test(text),
    httpCodes,
  };
}

/** Splits sqlmap's "Parameter: … Type: … Payload: …" block into one entry per parameter. */
function parseInjectionPoints(block) {
  const points = [];
  for (const section of block.split(/\n(?=Parameter: )/)) {
    const parameter = /^Parameter: (.+)$/m.exec(section)?.[1];
    if (!parameter) continue;
    const types = [...section.matchAll(/^\s+Type: (.+)$/gm)].map((match) => match[1]);
    const titles = [...section.matchAll(/^\s+Title: (.+)$/gm)].map((match) => match[1]);
    points.push({ parameter, types, titles });
  }
  return points;
}

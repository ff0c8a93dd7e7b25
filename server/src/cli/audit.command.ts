import { rename, rm, writeFile } from 'node:fs/promises';
import { type IntegrityVerification, RetentionPeriodError } from '../audit/index.js';
import { describeProblem } from '../audit/problem-text.js';
import type { Application } from '../main/compose.js';
import { withApplication } from './with-application.js';

export const AUDIT_USAGE = `  audit verify [--checkpoints FILE] [--archives]
                         校验审计日志哈希链、签名检查点（可加导出的检查点文件）和归档段；完好时退出码为 0
                         / verify the audit hash chain, the signed checkpoints (also from an exported file)
                         and, with --archives, the archive segment files; exit status 0 when intact
  audit checkpoints export FILE
                         把公钥和全部签名检查点导出为 JSON Lines 文件，请在系统外妥善保存
                         / export the public keys and every signed checkpoint as JSON Lines, to keep outside the system
  audit archive [--before YYYY-MM-DD]
                         把早于保留期（AUDIT_RETENTION_DAYS）或早于 --before 日期（UTC，不得晚于保留期起点）的事件移入签名的归档段文件
                         / move events older than the retention period (AUDIT_RETENTION_DAYS), or older than the --before date
                         (UTC, no later than the start of the retention period), into a signed archive segment`;

const USAGE_LINE = '用法 / Usage: ledgerguard audit verify [--checkpoints FILE] [--archives] | audit checkpoints export FILE | audit archive [--before YYYY-MM-DD]';

/** Runs `ledgerguard audit …` and returns the exit status (2 for a usage error). */
export async function runAuditCommand(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const parsed = parseOptions(rest);
  if (!parsed) {
    console.error(USAGE_LINE);
    return 2;
  }

  if (command === 'verify' && parsed.positional.length === 0) {
    return withApplication((application) => verify(application, parsed.options));
  }
  if (command === 'checkpoints' && parsed.positional[0] === 'export' && parsed.positional[1] && parsed.positional.length === 2) {
    const file = parsed.positional[1];
    return withApplication((application) => exportCheckpoints(application, file));
  }
  if (command === 'archive' && parsed.positional.length === 0) {
    const before = parsed.options.before === undefined ? undefined : new Date(parsed.options.before);
    if (before && Number.isNaN(before.getTime())) {
      console.error(`日期无效 / invalid date for --before: ${parsed.options.before}`);
      return 2;
    }
    return withApplication((application) => archive(application, before));
  }
  console.error(USAGE_LINE);
  return 2;
}

interface AuditOptions {
  checkpoints?: string;
  archives?: boolean;
  before?: string;
}

/** Splits `--name value` and `--flag` options from positional arguments. Returns `undefined` for an unknown option. */
function parseOptions(args: string[]): { positional: string[]; options: AuditOptions } | undefined {
  const positional: string[] = [];
  const options: AuditOptions = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--archives') options.archives = true;
    else if (arg === '--checkpoints' || arg === '--before') {
      const value = args[index + 1];
      if (value === undefined) return undefined;
      options[arg === '--checkpoints' ? 'checkpoints' : 'before'] = value;
      index += 1;
    } else if (arg.startsWith('--')) return undefined;
    else positional.push(arg);
  }
  return { positional, options };
}

async function verify(application: Application, options: AuditOptions): Promise<number> {
  const result = await application.auditIntegrity.verifyAndRecord({ trigger: 'cli', requester: { actor: null }, now: new Date(), checkpointFile: options.checkpoints, withArchives: options.archives === true });
  const fileRejected = result.checkpointFile?.genuine === false;
  if (fileRejected) console.error(describeRejectedFile(options.checkpoints ?? '', result.checkpointFile?.invalidSignatures ?? 0));

  if (!result.intact) {
    console.error(describeBroken(result));
    return 1;
  }
  // The log verified without the rejected file, but the check the caller asked for did not run.
  if (fileRejected) {
    console.error(describeIntact(result));
    return 2;
  }
  console.log(describeIntact(result));
  return 0;
}

function describeRejectedFile(file: string, invalidSignatures: number): string {
  return [
    `检查点文件 ${file} 不是本系统签发的原件：${invalidSignatures} 个检查点的签名无效，已忽略整个文件。这说明文件被改动过，不说明审计日志被篡改；请改用妥善保存的原始导出文件。`,
    `checkpoint file ${file} is not genuine: ${invalidSignatures} checkpoints have an invalid signature, so the whole file was ignored. This shows the file was changed, not the audit log; use the original export kept in safekeeping.`,
  ].join('\n');
}

function describeIntact(result: IntegrityVerification): string {
  const { checked, lastSeq } = result.checkpoints;
  const last = lastSeq === null ? '' : `，最后一个在第 ${lastSeq} 条`;
  const lastEnglish = lastSeq === null ? '' : `, the last at event ${lastSeq}`;
  return `审计日志完好：已校验 ${result.checked} 条事件和 ${checked} 个签名检查点${last}\naudit log intact: ${result.checked} events and ${checked} signed checkpoints verified${lastEnglish}`;
}

/**
 * Names the first untrustworthy event and the events a signed checkpoint still confirms. The
 * count of events walked is left out: a rehashed chain walks past the change before a
 * checkpoint shows it, so that count says nothing about which events are sound.
 */
function describeBroken(result: IntegrityVerification): string {
  const seq = result.firstBrokenSeq ?? 1;
  const problem = result.problem ?? 'hash_mismatch';
  const lastSeq = result.checkpoints.lastSeq;
  // A checkpoint at or after the break matched only because the break was found elsewhere, such as a forged checkpoint row.
  const confirmedThrough = lastSeq !== null && lastSeq < seq ? lastSeq : null;
  const confirmed = confirmedThrough === null ? '没有已签名的检查点能确认此前的事件。' : `第 1–${confirmedThrough} 条事件与已签名的检查点一致，可以信任。`;
  const confirmedEnglish = confirmedThrough === null ? 'No signed checkpoint confirms the events before it.' : `Events 1–${confirmedThrough} match a signed checkpoint and can be trusted.`;
  return [
    `审计日志已被篡改：自第 ${seq} 条事件起不可信（${problem}）：${describeProblem(problem, 'zh-CN')}。${confirmed}`,
    `audit log broken at event ${seq} (${problem}): ${describeProblem(problem, 'en-US')}; events from ${seq} on cannot be trusted. ${confirmedEnglish}`,
  ].join('\n');
}

/** Writes to a temporary file beside the target and renames it, so a failed export leaves no partial file. */
async function writeWhole(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function exportCheckpoints(application: Application, file: string): Promise<number> {
  let count: number;
  try {
    ({ count } = await application.auditIntegrity.exportCheckpoints({ requester: { actor: null }, now: new Date(), via: 'cli', write: (content) => writeWhole(file, content) }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENOSPC'].includes(code)) throw error;
    console.error(`无法写入输出文件 ${file}（${code}）：请确认目录存在且可写 / cannot write the output file ${file} (${code}): check that its folder exists and is writable`);
    return 1;
  }
  console.log(`已导出 ${count} 个签名检查点及公钥到 ${file}，请在系统外妥善保存\nexported ${count} signed checkpoints and the public keys to ${file}; keep it outside the system`);
  return 0;
}

async function archive(application: Application, before: Date | undefined): Promise<number> {
  try {
    const result = await application.auditIntegrity.archive({ now: new Date(), before });
    if (!('manifest' in result)) {
      console.log('没有早于截止时间的事件，无需归档 / nothing to archive: no event occurred before the cut-off');
      return 0;
    }
    const { firstSeq, lastSeq, fileName } = result.manifest;
    console.log(`已归档第 ${firstSeq}–${lastSeq} 条事件（共 ${result.archived} 条）到 ${fileName}\narchived events ${firstSeq}–${lastSeq} (${result.archived} events) to ${fileName}`);
    return 0;
  } catch (error) {
    if (!(error instanceof RetentionPeriodError)) throw error;
    console.error(`拒绝归档：保留期为 ${application.auditIntegrity.retentionDays} 天，不能归档保留期内的事件 / archive rejected: ${error.message}`);
    return 1;
  }
}

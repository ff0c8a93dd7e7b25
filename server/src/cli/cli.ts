import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config.js';
import { translate } from '../i18n/index.js';
import { PlainHttpExposureError } from '../http/transport-policy.js';
import { composeApplication } from '../main/compose.js';
import { buildRejectionWorkbook, rejectionMessage } from '../roster/index.js';
import { AUDIT_USAGE, runAuditCommand } from './audit.command.js';
import { KEYS_USAGE, runKeysCommand } from './keys.command.js';
import { BACKUP_USAGE, runBackupCommand } from './backup.command.js';
import { RETENTION_USAGE, runRetentionCommand } from './retention.command.js';
import { holdServerLock, releaseServerLock } from './server-lock.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const webRoot = path.join(projectRoot, 'dist', 'web');

const USAGE = `用法 / Usage: ledgerguard <command>

  start                  启动服务器和网页端 / start the server and the web app
  init                   打印创建首个系统管理员的一次性链接 / print the one-time set-up link for the first system administrator
  import FILE [--report OUT.xlsx]
                         导入客户花名册（.xlsx 或 .csv）/ import a client roster (.xlsx or .csv)
  demo [--reset]         在数据目录中准备演示事务所 / prepare the demo firm in the data folder
${AUDIT_USAGE}
${KEYS_USAGE}
${BACKUP_USAGE}
${RETENTION_USAGE}

环境变量 / Environment: HOST, PORT, DATA_DIR, DATABASE_URL, DATABASE_CA_FILE, LOG_LEVEL,
  TLS_CERT_FILE, TLS_KEY_FILE, BEHIND_TLS_PROXY, TRUST_PROXY,
  AUDIT_SIGNING_ALGORITHM, AUDIT_CHECKPOINT_EVERY_EVENTS, AUDIT_CHECKPOINT_MINUTES, AUDIT_RETENTION_DAYS,
  BACKUP_DIR, BACKUP_SCHEDULE, BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY, BACKUP_KEEP_MONTHLY, RETENTION_YEARS`;

/** Runs one command; failures a person can fix are printed as a message, not a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await runCommand(argv);
  } catch (error) {
    console.error(describeFailure(error));
    return 1;
  }
}

function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return `文件不存在 / file not found: ${(error as NodeJS.ErrnoException).path ?? message}`;
  if (code === 'EADDRINUSE') return `端口已被占用，请用 PORT 指定其他端口 / the port is in use; choose another with PORT: ${message}`;
  if (code === 'EACCES') return `没有权限 / permission denied: ${message}`;
  if (message.startsWith('Invalid configuration')) return `配置无效 / ${message}`;
  // Its message is bilingual already and tells the operator which setting to change.
  if (error instanceof PlainHttpExposureError) return message;
  return `失败 / failed: ${message}`;
}

async function runCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'init':
      return init();
    case 'import':
      return importRoster(rest);
    case 'audit':
      return runAuditCommand(rest);
    case 'keys':
      return runKeysCommand(rest);
    case 'backup':
      return runBackupCommand(rest);
    case 'retention':
      return runRetentionCommand(rest);
    case 'demo': {
      const { runDemo } = await import('../demo/demo.setup.js');
      return runDemo(loadConfig(process.env), { reset: rest.includes('--reset') });
    }
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

function setupLink(publicUrl: string, token: string): string {
  // The token travels in the fragment, which browsers never send to the server or in Referer.
  return `${publicUrl}/setup#token=${token}`;
}

async function start(): Promise<number> {
  const config = loadConfig(process.env);
  const application = await composeApplication(config, { webRoot });

  const shutdown = async (signal: string) => {
    application.logger.info({ signal }, 'LedgerGuard stopping');
    await application.close();
    await releaseServerLock(config.dataDir);
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  await application.app.listen({ host: config.host, port: config.port });
  await holdServerLock(config.dataDir);
  application.background.start();
  const address = application.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const publicUrl = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  application.logger.info({ host: config.host, port, database: application.database.dialect }, 'LedgerGuard started');
  console.log(`LedgerGuard 账安: ${publicUrl}`);

  const token = await application.auth.createSetupToken();
  if (token) {
    console.log(`${translate('zh-CN', 'setup.link')}\n${translate('en-US', 'setup.link')}\n  ${setupLink(publicUrl, token)}`);
  }
  return 0;
}

async function init(): Promise<number> {
  const config = { ...loadConfig(process.env), serveWeb: false };
  const application = await composeApplication(config);
  try {
    const token = await application.auth.createSetupToken();
    if (!token) {
      console.error('系统已有账号，无需初始化。/ Accounts exist already; nothing to set up.');
      return 1;
    }
    console.log(`${translate('zh-CN', 'setup.link')}\n${translate('en-US', 'setup.link')}\n  ${setupLink(config.publicUrl, token)}`);
    return 0;
  } finally {
    await application.close();
  }
}

async function importRoster(args: string[]): Promise<number> {
  const file = args.find((arg) => !arg.startsWith('--'));
  const reportIndex = args.indexOf('--report');
  const reportFile = reportIndex >= 0 ? args[reportIndex + 1] : undefined;
  if (!file) {
    console.error('请指定花名册文件。/ Name the roster file: ledgerguard import FILE.xlsx');
    return 2;
  }

  const config = { ...loadConfig(process.env), serveWeb: false };
  const application = await composeApplication(config);
  try {
    const content = await readFile(file);
    let lastLine = '';
    const job = await application.imports.run({
      content,
      fileName: path.basename(file),
      importer: { subject: undefined },
      onProgress: (progress) => {
        const percent = progress.total === 0 ? 0 : Math.floor((progress.processed / progress.total) * 100);
        const line = `导入 import: ${progress.phase} ${progress.processed}/${progress.total} (${percent}%)`;
        if (line !== lastLine) {
          process.stderr.write(`${line}\n`);
          lastLine = line;
        }
      },
    });

    if (job.status === 'failed') {
      console.error(`导入失败 / import failed: ${job.errorCode}`);
      return 1;
    }
    console.log(`完成 / done: 数据行 rows ${job.total}, 新增 created ${job.created}, 已存在 already present ${job.duplicates}, 拒绝 rejected ${job.rejected}`);
    for (const rejection of job.rejections.slice(0, 20)) {
      console.log(`  第 ${rejection.row} 行 row ${rejection.row} [${rejection.column || rejection.field}] ${rejection.code}: ${rejectionMessage(rejection, 'zh-CN')}`);
    }
    if (job.rejections.length > 20) {
      console.log(`  …… 另有 ${job.rejections.length - 20} 条 / ${job.rejections.length - 20} more`);
    }
    if (reportFile) {
      await writeFile(reportFile, await buildRejectionWorkbook(job, 'zh-CN'));
      console.log(`报告 / report: ${reportFile}`);
    }
    return 0;
  } finally {
    await application.close();
  }
}

import { loadOrCreateSigningKeys, signingKeyFile } from '../audit/index.js';
import { type BackupProgress, backupSigningKeyFile, restoreBackup } from '../backup/index.js';
import { loadConfig } from '../config/config.js';
import { loadKeyring } from '../crypto/index.js';
import { findRunningServer } from './server-lock.js';
import { withApplication } from './with-application.js';

export const BACKUP_USAGE = `  backup create          备份数据库、客户文件和密钥元数据（加密并签名，不含 KEK）/ back up the database, documents and key metadata (encrypted and signed; never the KEK)
  backup list            列出备份：时间、大小、最近一次校验结果 / list backups with time, size and last verification
  backup verify [FILE]   校验签名和校验和，恢复到临时位置并检查全部数据可解密、审计链完整；默认最新备份
                         / check signature and checksum, restore into a scratch place, check every value decrypts and the audit chain holds; newest backup by default
  backup restore FILE    停止服务器后，用备份替换数据库和客户文件；PostgreSQL 只恢复到空的 schema（DATABASE_SCHEMA）
                         / with the server stopped, replace the database and documents with the backup; on PostgreSQL only into an empty schema (DATABASE_SCHEMA)`;

const USAGE_LINE = '用法 / Usage: ledgerguard backup create | list | verify [FILE] | restore FILE';

/** Runs `ledgerguard backup …` and returns the exit status (2 for a usage error). */
export async function runBackupCommand(args: string[]): Promise<number> {
  const [command, file] = args;

  if (command === 'create' && args.length === 1) {
    return withApplication(async (application) => {
      const backup = await application.backups.create({ trigger: 'manual', onProgress: printProgress });
      console.log(`完成 / done: ${backup.fileName} (${backup.sizeBytes} bytes) in ${application.backups.directory}`);
      return 0;
    });
  }
  if (command === 'list' && args.length === 1) {
    return withApplication(async (application) => {
      for (const item of await application.backups.list()) {
        const verification = item.verification ? `${item.verification}${item.verificationProblem ? ` (${item.verificationProblem})` : ''} @ ${item.verifiedAt}` : '未校验 not verified';
        console.log(`${item.createdAt}  ${item.status.padEnd(7)}  ${String(item.sizeBytes ?? '-').padStart(12)} B  ${item.trigger.padEnd(8)}  ${verification}  ${item.fileName}`);
      }
      return 0;
    });
  }
  if (command === 'verify' && args.length <= 2) {
    return withApplication(async (application) => {
      const result = await application.backups.verify(file);
      if (!result.ok) {
        console.error(`校验失败 / verification failed: ${result.problem} (${result.file})`);
        return 1;
      }
      const check = result.check!;
      console.log(`校验通过 / verified: 行 rows ${check.rows}, 加密值 encrypted values ${check.encryptedValues}, 文件 documents ${check.documents}, 审计事件 audit events ${check.auditEvents}`);
      return 0;
    });
  }
  if (command === 'restore' && file && args.length === 2) {
    return restore(file);
  }
  console.error(USAGE_LINE);
  return 2;
}

// Runs without the application, whose open database the restore replaces.
async function restore(file: string): Promise<number> {
  const config = loadConfig(process.env);
  const keyring = await loadKeyring(config.keys.source);
  const result = await restoreBackup({
    file,
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    databaseSchema: config.databaseSchema,
    postgresCaFile: config.databaseCaFile,
    keyring,
    signingKeys: loadOrCreateSigningKeys(backupSigningKeyFile(config.dataDir), 'ed25519'),
    auditKeys: loadOrCreateSigningKeys(signingKeyFile(config.dataDir), config.auditIntegrity.signingAlgorithm),
    runningServerPid: await findRunningServer(config.dataDir),
  });
  console.log(`已恢复 / restored backup ${result.backupId}: 行 rows ${result.rows}, 文件 documents ${result.documents}`);
  for (const aside of result.keptAside) console.log(`  原文件保留于 / previous copy kept at ${aside}`);
  return 0;
}

function printProgress(progress: BackupProgress): void {
  process.stderr.write(`备份 backup: ${progress.phase} ${progress.done}/${progress.total} ${progress.item}\n`);
}

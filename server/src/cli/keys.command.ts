import { KeyStillInUseError, type KeyStatus } from '../crypto/index.js';
import type { Application } from '../main/compose.js';
import { withApplication } from './with-application.js';

export const KEYS_USAGE = `  keys rotate --kek | --data | --reencrypt | --index | --reindex
                         --kek：新建密钥加密密钥（KEK）版本并一次性重新包装全部数据密钥；--data：为每个客户新建数据密钥版本并启动后台重新加密任务；
                         --reencrypt：不建新版本，重新扫描全部加密列；--index：新建盲索引密钥版本并启动后台重算盲索引任务，期间检索同时匹配新旧版本；
                         --reindex：不建新版本，重新扫描全部盲索引列
                         / --kek: add a key-encryption key (KEK) version and rewrap every data key at once; --data: add a data key
                         version per client and start the background re-encryption job; --reencrypt: walk every encrypted column again;
                         --index: add a blind-index key version and start the background job that recomputes every blind index, while
                         searches match both versions; --reindex: walk every blind-index column again
  keys status [--scan]   显示密钥版本和重新加密进度；--scan 另统计仍在旧版本下的数据 / show key versions and re-encryption progress;
                         --scan also counts values still under old versions
  keys retire --kek VERSION | --data | --index
                         停用不再使用的旧 KEK 版本、旧数据密钥版本或旧盲索引密钥版本；仍在使用时拒绝，退出码为 1
                         / retire an old KEK version, the old data key versions or the old blind-index key versions; rejected with
                         exit status 1 while still in use`;

const USAGE_LINE = '用法 / Usage: ledgerguard keys rotate --kek|--data|--reencrypt|--index|--reindex | keys status [--scan] | keys retire --kek VERSION|--data|--index';

/** Runs `ledgerguard keys …` and returns the exit status (2 for a usage error). */
export async function runKeysCommand(args: string[]): Promise<number> {
  const [command, option, value] = args;

  if (command === 'rotate' && args.length === 2 && (option === '--kek' || option === '--data' || option === '--reencrypt')) {
    return withApplication((application) => rotate(application, option));
  }
  if (command === 'rotate' && args.length === 2 && (option === '--index' || option === '--reindex')) {
    return withApplication((application) => rotateBlindIndexes(application, option));
  }
  if (command === 'status' && (args.length === 1 || (args.length === 2 && option === '--scan'))) {
    return withApplication(async (application) => {
      printStatus(await application.keyRotation.status({ scan: option === '--scan' }));
      return 0;
    });
  }
  if (command === 'retire' && ((option === '--kek' && value && /^\d+$/.test(value) && args.length === 3) || (option === '--data' && args.length === 2))) {
    return withApplication((application) => retire(application, option === '--kek' ? Number(value) : undefined));
  }
  if (command === 'retire' && option === '--index' && args.length === 2) {
    return withApplication((application) => retireBlindIndexVersions(application));
  }
  console.error(USAGE_LINE);
  return 2;
}

async function rotate(application: Application, option: '--kek' | '--data' | '--reencrypt'): Promise<number> {
  if (option === '--kek') {
    const { kekVersion, rewrapped } = await application.keyRotation.rotateKek();
    console.log(`KEK 版本 ${kekVersion}，已重新包装 ${rewrapped} 个数据密钥 / KEK version ${kekVersion}; rewrapped ${rewrapped} data keys`);
    return 0;
  }

  const jobId = option === '--data' ? (await application.keyRotation.rotateDataKeys()).jobId : await application.keyRotation.restartReencryption();
  console.log(`重新加密任务 ${jobId} 已开始，运行中的服务器会在后台完成；此命令也会继续执行直到完成 / re-encryption job ${jobId} started; a running server continues it in the background, and this command runs it to the end too`);
  const job = await application.keyRotation.runReencryptionToEnd();
  console.log(`完成 / finished: 已重新加密 rewritten ${job?.rewritten ?? 0}, 失败 failed ${job?.failed ?? 0}`);
  return job && job.failed > 0 ? 1 : 0;
}

async function rotateBlindIndexes(application: Application, option: '--index' | '--reindex'): Promise<number> {
  const blindIndexes = application.keyRotation.blindIndexes;
  if (option === '--index') {
    const { indexVersion, jobId } = await blindIndexes.rotate();
    console.log(`盲索引密钥版本 ${indexVersion}，重算任务 ${jobId} 已开始；完成并停用旧版本前，检索同时匹配新旧版本 / blind-index key version ${indexVersion}; job ${jobId} started; searches match both versions until the old one is retired`);
  } else {
    const jobId = await blindIndexes.restart();
    console.log(`盲索引重算任务 ${jobId} 已开始 / blind-index job ${jobId} started`);
  }

  const job = await blindIndexes.runToEnd();
  console.log(`完成 / finished: 已重算 recomputed ${job?.rewritten ?? 0}, 失败 failed ${job?.failed ?? 0}`);
  return job && job.failed > 0 ? 1 : 0;
}

async function retireBlindIndexVersions(application: Application): Promise<number> {
  try {
    const { retired } = await application.keyRotation.blindIndexes.retireOldVersions();
    console.log(`已停用 ${retired} 个旧盲索引密钥版本 / retired ${retired} old blind-index key versions`);
    return 0;
  } catch (error) {
    if (!(error instanceof KeyStillInUseError)) throw error;
    console.error(`拒绝停用：仍在使用 / rejected: ${error.message}`);
    return 1;
  }
}

async function retire(application: Application, kekVersion: number | undefined): Promise<number> {
  try {
    if (kekVersion !== undefined) {
      await application.keyRotation.retireKek(kekVersion);
      console.log(`KEK 版本 ${kekVersion} 已停用 / KEK version ${kekVersion} retired`);
    } else {
      const { retired } = await application.keyRotation.retireOldDataKeys();
      console.log(`已停用 ${retired} 个旧数据密钥 / retired ${retired} old data keys`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof KeyStillInUseError)) throw error;
    console.error(`拒绝停用：仍在使用 / rejected: ${error.message}`);
    return 1;
  }
}

function printStatus(status: KeyStatus): void {
  const byVersion = Object.entries(status.kek.dataKeysByVersion).map(([version, count]) => `v${version}: ${count}`).join(', ') || '-';
  console.log(`KEK: 来源 source ${status.kek.source}, 当前版本 current version ${status.kek.currentVersion}, 各版本包装的数据密钥 data keys by version ${byVersion}`);
  console.log(`数据密钥 data keys: 所有者 owners ${status.dataKeys.owners}, 当前 current ${status.dataKeys.current}, 旧版本 old ${status.dataKeys.old}`);
  if (status.job) {
    const { job } = status;
    const column = Math.min(job.column_index, job.columns);
    console.log(`重新加密任务 re-encryption job ${job.id}: ${job.status}, 列 columns ${column}/${job.columns}, 已重新加密 rewritten ${job.rewritten}, 失败 failed ${job.failed}, 更新于 updated ${job.updated_at}`);
  }
  if (status.valuesOnOldKeys !== undefined) {
    console.log(`仍在旧数据密钥下的数据 values under old data keys: ${status.valuesOnOldKeys}`);
  }

  const index = status.blindIndex;
  console.log(`盲索引密钥 blind-index keys: 当前版本 current version ${index.currentVersion}, 检索使用的版本 versions searched ${index.activeVersions.map((version) => `v${version}`).join(', ')}`);
  if (index.job) {
    const { job } = index;
    const column = Math.min(job.column_index, job.columns);
    console.log(`盲索引重算任务 blind-index job ${job.id}: ${job.status}, 列 columns ${column}/${job.columns}, 已重算 recomputed ${job.rewritten}, 失败 failed ${job.failed}, 更新于 updated ${job.updated_at}`);
  }
  if (index.valuesOnOldVersions !== undefined) {
    console.log(`仍在旧盲索引密钥下的索引值 index values under old versions: ${index.valuesOnOldVersions}`);
  }
}


import type { RetentionRunReport } from '../retention/index.js';
import { withApplication } from './with-application.js';

export const RETENTION_USAGE = `  retention run [--dry-run]
                         销毁保管期限已满的已归档客户资料（删除密钥）；--dry-run 只列出将销毁的内容 / destroy the records of archived
                         clients whose retention periods have ended (by deleting their keys); --dry-run lists them and destroys nothing`;

/** Runs `ledgerguard retention run [--dry-run]` and returns the exit status (2 for a usage error). */
export async function runRetentionCommand(args: string[]): Promise<number> {
  const [command, option] = args;
  const valid = command === 'run' && (args.length === 1 || (args.length === 2 && option === '--dry-run'));
  if (!valid) {
    console.error('用法 / Usage: ledgerguard retention run [--dry-run]');
    return 2;
  }

  return withApplication(async (application) => {
    printReport(await application.retention.run({ now: new Date(), dryRun: option === '--dry-run' }));
    return 0;
  });
}

function printReport(report: RetentionRunReport): void {
  const verb = report.dryRun ? '将销毁 / would destroy' : '已销毁 / destroyed';
  for (const step of report.destructions) {
    console.log(`${verb}: ${step.kind} client=${step.clientId}${step.documentId ? ` document=${step.documentId}` : ''} rule=${step.rule} from=${step.destroyableFrom}`);
  }
  console.log(`${report.today}: ${report.destructions.length} ${report.dryRun ? '项待销毁（演练，未做更改）/ items due (dry run, nothing changed)' : '项已销毁 / items destroyed'}`);
}

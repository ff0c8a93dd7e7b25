import { useMutation } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Flex, Space, Tooltip } from 'antd';

import { describeError } from '../../app/describe-error.js';
import { useI18n } from '../../i18n/index.js';
import { isStepUpRequired, useStepUp } from '../auth/step-up.js';
import { downloadAuditExport, type AuditExportFormat } from './audit-export.js';
import type { AuditFilter } from './audit.api.js';

const FORMATS: readonly { format: AuditExportFormat; label: 'audit.export.xlsx' | 'audit.export.csv' }[] = [
  { format: 'xlsx', label: 'audit.export.xlsx' },
  { format: 'csv', label: 'audit.export.csv' },
];

/**
 * Exports the events that match the current filter. The server requires a fresh second factor
 * first, and `useStepUp()` shows the prompt and repeats the request once it is confirmed.
 */
export function AuditExportButtons({ filter }: { filter: AuditFilter }) {
  const { t, locale } = useI18n();
  const { message } = AntdApp.useApp();
  const runWithStepUp = useStepUp();

  const mutation = useMutation({
    mutationFn: (format: AuditExportFormat) => runWithStepUp(() => downloadAuditExport({ format, filters: filter, locale })),
    onSuccess: ({ rowCount, fileName }) => {
      void message.success(rowCount === null ? t('audit.export.savedFile', { fileName }) : t('audit.export.saved', { count: rowCount, fileName }));
    },
  });

  return (
    <Flex vertical gap={8} align="end">
      <Space wrap>
        {FORMATS.map(({ format, label }) => (
          <Tooltip key={format} title={t('audit.export.hint')}>
            <Button
              data-testid={`audit-export-${format}`}
              loading={mutation.isPending && mutation.variables === format}
              disabled={mutation.isPending && mutation.variables !== format}
              onClick={() => mutation.mutate(format)}
            >
              {mutation.isPending && mutation.variables === format ? t('audit.export.running') : t(label)}
            </Button>
          </Tooltip>
        ))}
      </Space>
      {/* A step-up cancelled in its prompt leaves `step_up_required`, which is a warning, not a failure. */}
      {mutation.isError && (
        <Alert
          type={isStepUpRequired(mutation.error) ? 'warning' : 'error'}
          showIcon
          closable={{ onClose: () => mutation.reset() }}
          title={isStepUpRequired(mutation.error) ? describeError(mutation.error, t) : t('audit.export.failed', { reason: describeError(mutation.error, t) })}
          data-testid="audit-export-error"
        />
      )}
    </Flex>
  );
}

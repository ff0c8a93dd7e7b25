import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';

import { describeError } from '../../app/describe-error.js';
import { formatFirmTime } from '../../app/firm-time.js';
import { isApiError } from '../../api/index.js';
import { useT, type Translate } from '../../i18n/index.js';
import { RuleEditDrawer } from './RuleEditDrawer.js';
import { formatParamValue } from './RuleParamField.js';
import { SeverityTag, useSecurityLabels } from './security-labels.js';
import { fetchRules, RULES_QUERY_KEY, saveRule, type Rule } from './security.api.js';

// The switch has no form to put field issues on, so their messages (break-glass cannot be switched off) are shown together.
function describeRuleError(error: unknown, t: Translate): string {
  if (isApiError(error) && error.issues.length > 0) return error.issues.map((issue) => issue.message).join(' ');
  return describeError(error, t);
}

/** 检测规则: every rule with its switch, severity, thresholds and automatic responses, edited in a drawer. */
export function RulesTab() {
  const t = useT();
  const labels = useSecurityLabels();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Rule | null>(null);
  const [errorText, setErrorText] = useState<string | null>(null);

  const rules = useQuery({ queryKey: RULES_QUERY_KEY, queryFn: fetchRules });

  // The switch in the list saves the rule's other settings unchanged.
  const toggle = useMutation({
    mutationFn: (rule: Rule) => saveRule(rule.key, { enabled: !rule.enabled, severity: rule.severity, params: rule.params, responses: rule.responses }),
    onMutate: () => setErrorText(null),
    onError: (error) => setErrorText(describeRuleError(error, t)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: RULES_QUERY_KEY }),
  });

  const columns: ColumnsType<Rule> = [
    {
      key: 'rule',
      title: t('security.alert.rule'),
      width: 260,
      render: (_, rule) => (
        <Flex vertical gap={2}>
          <Typography.Text strong>{labels.rule(rule.key)}</Typography.Text>
          {labels.ruleDescription(rule.key) !== undefined && <Typography.Text type="secondary">{labels.ruleDescription(rule.key)}</Typography.Text>}
        </Flex>
      ),
    },
    {
      key: 'enabled',
      title: t('security.rules.enabled'),
      width: 80,
      render: (_, rule) => (
        <Switch
          checked={rule.enabled}
          loading={toggle.isPending && toggle.variables.key === rule.key}
          aria-label={t('security.rules.enabledLabel', { rule: labels.rule(rule.key) })}
          data-testid={`rule-toggle-${rule.key}`}
          onChange={() => toggle.mutate(rule)}
        />
      ),
    },
    { key: 'severity', title: t('security.alert.severity'), width: 100, render: (_, rule) => <SeverityTag severity={rule.severity} /> },
    {
      key: 'params',
      title: t('security.rules.params'),
      render: (_, rule) =>
        rule.paramSpecs.length === 0 ? (
          <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>
        ) : (
          <Flex vertical gap={2}>
            {rule.paramSpecs.map((spec) => (
              <span key={spec.name}>
                <Typography.Text type="secondary">{labels.param(spec.name)}</Typography.Text> {formatParamValue(rule.params[spec.name], t)}
              </span>
            ))}
          </Flex>
        ),
    },
    {
      key: 'responses',
      title: t('security.rules.responses'),
      width: 200,
      render: (_, rule) =>
        rule.responses.length === 0 ? (
          <Typography.Text type="secondary">{t('security.rules.noResponses')}</Typography.Text>
        ) : (
          <Flex gap={4} wrap>
            {rule.responses.map((kind) => (
              <Tag key={kind} color="volcano" style={{ whiteSpace: 'normal', marginInlineEnd: 0 }}>
                {labels.response(kind)}
              </Tag>
            ))}
          </Flex>
        ),
    },
    {
      key: 'updated',
      title: t('security.rules.updated'),
      width: 170,
      render: (_, rule) =>
        rule.updatedAt === null ? (
          <Typography.Text type="secondary">{t('security.rules.defaultSettings')}</Typography.Text>
        ) : (
          <Flex vertical>
            <span>{formatFirmTime(rule.updatedAt)}</span>
            {rule.updatedBy !== null && <Typography.Text type="secondary">{rule.updatedBy}</Typography.Text>}
          </Flex>
        ),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 90,
      fixed: 'right',
      render: (_, rule) => (
        <Button size="small" data-testid={`rule-edit-${rule.key}`} aria-label={t('security.rules.editLabel', { rule: labels.rule(rule.key) })} onClick={() => setEditing(rule)}>
          {t('security.rules.edit')}
        </Button>
      ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Typography.Text type="secondary">{t('security.rules.intro')}</Typography.Text>
      {rules.isError && <Alert type="error" showIcon title={describeError(rules.error, t)} />}
      {errorText !== null && <Alert type="error" showIcon closable onClose={() => setErrorText(null)} title={errorText} />}
      <Table<Rule> data-testid="rules-table" rowKey="key" size="small" loading={rules.isPending} columns={columns} dataSource={rules.data?.items ?? []} pagination={false} scroll={{ x: 1100 }} />
      {editing !== null && <RuleEditDrawer rule={editing} onClose={() => setEditing(null)} />}
    </Flex>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Divider, Drawer, Flex, Form, Select, Switch, Typography } from 'antd';
import { useState } from 'react';

import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { RuleParamField, paramFieldName } from './RuleParamField.js';
import { severityLabelKey, useSecurityLabels } from './security-labels.js';
import { ALERT_SEVERITIES, RESPONSE_KINDS, RULES_QUERY_KEY, saveRule, type AlertSeverity, type ParamValue, type Rule, type RuleSettings } from './security.api.js';

/** Form values: the settings with each parameter in its own flat field named `params.<name>`. */
type RuleFormValues = { enabled: boolean; severity: AlertSeverity; responses: string[] } & Record<string, unknown>;

function toFormValues(rule: Rule, params: Record<string, ParamValue>): RuleFormValues {
  const values: RuleFormValues = { enabled: rule.enabled, severity: rule.severity, responses: rule.responses };
  for (const spec of rule.paramSpecs) values[paramFieldName(spec.name)] = params[spec.name];
  return values;
}

function toSettings(rule: Rule, values: RuleFormValues): RuleSettings {
  const params: Record<string, ParamValue> = {};
  for (const spec of rule.paramSpecs) params[spec.name] = values[paramFieldName(spec.name)] as ParamValue;
  return { enabled: values.enabled, severity: values.severity, responses: values.responses, params };
}

/** Edits one detection rule: on or off, severity, thresholds and the automatic responses it takes. */
export function RuleEditDrawer({ rule, onClose }: { rule: Rule; onClose: () => void }) {
  const t = useT();
  const labels = useSecurityLabels();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<RuleFormValues>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const fields = ['enabled', 'severity', 'responses', ...rule.paramSpecs.map((spec) => paramFieldName(spec.name))];

  const save = useMutation({
    mutationFn: (settings: RuleSettings) => saveRule(rule.key, settings),
    onMutate: () => setErrorText(null),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: RULES_QUERY_KEY });
      void message.success(t('security.rules.saved', { rule: labels.rule(rule.key) }));
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error, t, fields })),
  });

  const resetParams = () => form.setFieldsValue(toFormValues(rule, rule.defaults));
  const description = labels.ruleDescription(rule.key);

  return (
    <Drawer
      open
      onClose={onClose}
      size="large"
      title={t('security.rules.editTitle', { rule: labels.rule(rule.key) })}
      data-testid="rule-edit"
      footer={
        <Flex justify="space-between">
          <Button onClick={resetParams} data-testid="rule-reset">
            {t('security.rules.resetDefaults')}
          </Button>
          <Flex gap={8}>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="rule-save">
              {t('security.rules.save')}
            </Button>
          </Flex>
        </Flex>
      }
    >
      {description !== undefined && <Typography.Paragraph type="secondary">{description}</Typography.Paragraph>}
      <Form<RuleFormValues> form={form} layout="vertical" disabled={save.isPending} initialValues={toFormValues(rule, rule.params)} onFinish={(values) => save.mutate(toSettings(rule, values))}>
        <Form.Item name="enabled" label={t('security.rules.enabled')} valuePropName="checked">
          <Switch data-testid="rule-enabled" />
        </Form.Item>
        <Form.Item name="severity" label={t('security.alert.severity')} rules={[{ required: true }]}>
          <Select data-testid="rule-severity" style={{ width: 200 }} options={ALERT_SEVERITIES.map((severity) => ({ value: severity, label: t(severityLabelKey(severity)) }))} />
        </Form.Item>
        {rule.paramSpecs.length > 0 && <Divider titlePlacement="start">{t('security.rules.params')}</Divider>}
        {rule.paramSpecs.map((spec) => (
          <RuleParamField key={spec.name} spec={spec} defaultValue={rule.defaults[spec.name]} />
        ))}
        <Divider titlePlacement="start">{t('security.rules.responses')}</Divider>
        <Form.Item name="responses" extra={t('security.rules.responsesHint')}>
          <Select mode="multiple" allowClear data-testid="rule-responses" placeholder={t('security.rules.noResponses')} options={RESPONSE_KINDS.map((kind) => ({ value: kind, label: labels.response(kind) }))} />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="rule-error" />}
    </Drawer>
  );
}

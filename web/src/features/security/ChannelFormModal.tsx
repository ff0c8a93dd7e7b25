import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, Checkbox, Form, Input, Modal, Select, Switch } from 'antd';
import { useState } from 'react';

import { ApiError, isApiError } from '../../api/index.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { channelKindLabelKey, SECRET_HINTS, URL_HINTS } from './channel-labels.js';
import { severityLabelKey } from './security-labels.js';
import { ALERT_SEVERITIES, CHANNEL_KINDS, CHANNELS_QUERY_KEY, createChannel, updateChannel, type AlertSeverity, type Channel, type ChannelInput, type ChannelKind } from './security.api.js';

interface ChannelFormValues {
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  minSeverity: AlertSeverity;
  url?: string;
  secret?: string;
  /** Removes the stored secret of a robot that may go unsigned (DingTalk, Feishu). */
  clearSecret?: boolean;
  recipients?: string[];
}

const FORM_FIELDS = ['kind', 'name', 'enabled', 'minSeverity', 'url', 'secret', 'recipients'] as const;
// The server accepts channel names of 1 to 60 characters.
const MAX_NAME_LENGTH = 60;

type SignedKind = keyof typeof SECRET_HINTS;

// WeCom robots carry their key in the address and sign nothing, so they take no secret.
function isSignedKind(kind: ChannelKind): kind is SignedKind {
  return Object.hasOwn(SECRET_HINTS, kind);
}

// A rough check that catches typing slips; the server validates each address properly.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function toInput(values: ChannelFormValues): ChannelInput {
  const input: ChannelInput = { kind: values.kind, name: values.name.trim(), enabled: values.enabled, minSeverity: values.minSeverity };
  if (values.kind === 'email') return { ...input, recipients: values.recipients ?? [] };

  // Left out, the stored address and secret stay as they are; an empty secret removes the stored one.
  const url = values.url?.trim() ?? '';
  const secret = values.clearSecret === true ? '' : (values.secret ?? '');
  const sendsSecret = isSignedKind(values.kind) && (secret !== '' || values.clearSecret === true);
  return { ...input, ...(url === '' ? {} : { url }), ...(sendsSecret ? { secret } : {}) };
}

// The server names a wrong recipient by its position (`recipients.2`), and the form has one field for all of them.
function withFormPaths(error: unknown): unknown {
  if (!isApiError(error)) return error;
  const issues = error.issues.map((issue) => ({ ...issue, path: issue.path.startsWith('recipients.') ? 'recipients' : issue.path }));
  return new ApiError({ status: error.status, code: error.code, message: error.message, issues, methods: error.methods });
}

/** Creates a notification channel, or changes one. Stored addresses and secrets are never shown, only replaced. */
export function ChannelFormModal({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<ChannelFormValues>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? channel?.kind ?? 'dingtalk';
  const clearSecret = Form.useWatch('clearSecret', form) === true;
  const editing = channel !== null;

  const save = useMutation({
    mutationFn: (input: ChannelInput) => (channel === null ? createChannel(input) : updateChannel(channel.id, input)),
    onMutate: () => setErrorText(null),
    onSuccess: (saved) => {
      // The list refreshes behind the closed dialog; a slow refetch must not hold the dialog open.
      void queryClient.invalidateQueries({ queryKey: CHANNELS_QUERY_KEY });
      void message.success(t(editing ? 'security.channel.updated' : 'security.channel.created', { name: saved.name }));
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error: withFormPaths(error), t, fields: FORM_FIELDS })),
  });

  const initialValues: ChannelFormValues =
    channel === null ? { kind: 'dingtalk', name: '', enabled: true, minSeverity: 'high', recipients: [] } : { kind: channel.kind, name: channel.name, enabled: channel.enabled, minSeverity: channel.minSeverity, recipients: channel.recipients };

  const checkRecipients = async (_rule: unknown, value: string[] | undefined) => {
    const invalid = (value ?? []).filter((address) => !EMAIL_PATTERN.test(address));
    if (invalid.length > 0) throw new Error(t('security.channel.recipientsInvalid', { addresses: invalid.join(t('common.listSeparator')) }));
  };

  // On a change an empty secret keeps the stored one, and the placeholder shows which case applies.
  let secretPlaceholder: string | undefined;
  if (editing) secretPlaceholder = t(channel.hasSecret ? 'security.channel.secretUnchanged' : 'security.channel.secretNone');

  return (
    <Modal
      open
      title={t(editing ? 'security.channel.editTitle' : 'security.channel.newTitle')}
      onCancel={onClose}
      destroyOnHidden
      width={600}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={save.isPending} data-testid="channel-submit" onClick={() => form.submit()}>
          {t('security.channel.save')}
        </Button>,
      ]}
    >
      <Form<ChannelFormValues> form={form} layout="vertical" disabled={save.isPending} initialValues={initialValues} onFinish={(values) => save.mutate(toInput(values))}>
        <Form.Item name="kind" label={t('security.channel.kind')} extra={editing ? t('security.channel.kindFixed') : undefined}>
          <Select data-testid="channel-kind" disabled={editing} options={CHANNEL_KINDS.map((value) => ({ value, label: t(channelKindLabelKey(value)) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('security.channel.name')} rules={[{ required: true, whitespace: true, message: t('security.channel.nameRequired') }]}>
          <Input data-testid="channel-name" maxLength={MAX_NAME_LENGTH} />
        </Form.Item>
        {kind === 'email' ? (
          <Form.Item name="recipients" label={t('security.channel.recipients')} extra={t('security.channel.recipientsHint')} rules={[{ required: true, type: 'array', min: 1, message: t('security.channel.recipientsRequired') }, { validator: checkRecipients }]}>
            <Select data-testid="channel-recipients" mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', ';', '；', ' ']} />
          </Form.Item>
        ) : (
          <>
            <Form.Item
              name="url"
              label={t('security.channel.url')}
              extra={t(URL_HINTS[kind])}
              rules={[{ required: !editing, whitespace: true, message: t('security.channel.urlRequired') }]}
            >
              <Input data-testid="channel-url" autoComplete="off" placeholder={editing ? t('security.channel.urlUnchanged', { target: channel.target }) : undefined} />
            </Form.Item>
            {isSignedKind(kind) && (
              <Form.Item
                name="secret"
                label={t('security.channel.secret')}
                extra={t(SECRET_HINTS[kind])}
                rules={[{ required: kind === 'webhook' && !(editing && channel.hasSecret), whitespace: true, message: t('security.channel.secretRequired') }]}
              >
                <Input.Password data-testid="channel-secret" autoComplete="new-password" placeholder={secretPlaceholder} visibilityToggle={false} disabled={clearSecret} />
              </Form.Item>
            )}
            {/* A generic webhook is always signed, so only the robots may drop their secret. */}
            {editing && channel.hasSecret && (kind === 'dingtalk' || kind === 'feishu') && (
              <Form.Item name="clearSecret" valuePropName="checked" style={{ marginTop: -12 }}>
                <Checkbox data-testid="channel-clear-secret">{t('security.channel.clearSecret')}</Checkbox>
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="minSeverity" label={t('security.channel.minSeverity')} extra={t('security.channel.minSeverityHint')}>
          <Select data-testid="channel-min-severity" style={{ width: 200 }} options={ALERT_SEVERITIES.map((severity) => ({ value: severity, label: t(severityLabelKey(severity)) }))} />
        </Form.Item>
        <Form.Item name="enabled" label={t('security.channel.enabled')} valuePropName="checked">
          <Switch data-testid="channel-enabled" />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="channel-error" />}
    </Modal>
  );
}

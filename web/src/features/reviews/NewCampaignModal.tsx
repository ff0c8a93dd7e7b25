import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, DatePicker, Form, Input, Modal, Radio, Select, TreeSelect } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';

import { ApiError, isApiError } from '../../api/index.js';
import { firmNowForPicker, firmPickerValueToInstant } from '../../app/firm-time.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import { useT } from '../../i18n/index.js';
import { ROLE_KEYS } from '../access/access.api.js';
import { useRoleLabel } from '../access/request-labels.js';
import { DEPARTMENTS_QUERY_KEY, fetchDepartments, toTreeOptions } from '../org/departments.api.js';
import { DEADLINE_RULE_LABELS } from './review-labels.js';
import { REVIEWS_QUERY_KEY, startCampaign, type DeadlineRule, type NewCampaign, type Population } from './reviews.api.js';

interface CampaignForm {
  name: string;
  populationKind: Population['kind'];
  departmentId?: string;
  role?: string;
  deadline?: Dayjs;
  deadlineRule: DeadlineRule;
}

const FORM_FIELDS = ['name', 'populationKind', 'departmentId', 'role', 'deadline', 'deadlineRule'] as const;

// The server's issue paths follow its JSON body, but the form keeps the population fields flat.
const FORM_FIELD_OF_PATH: Readonly<Record<string, string>> = {
  population: 'populationKind',
  'population.kind': 'populationKind',
  'population.departmentId': 'departmentId',
  'population.role': 'role',
};

// Portal accounts are not staff and are never reviewed, so the server rejects this role.
const REVIEWABLE_ROLES = ROLE_KEYS.filter((role) => role !== 'client_contact');

const MAX_NAME_LENGTH = 100;

function withFormPaths(error: unknown): unknown {
  if (!isApiError(error)) return error;
  const issues = error.issues.map((issue) => ({ ...issue, path: FORM_FIELD_OF_PATH[issue.path] ?? issue.path }));
  return new ApiError({ status: error.status, code: error.code, message: error.message, issues, methods: error.methods });
}

function toPopulation(values: CampaignForm): Population {
  if (values.populationKind === 'department') return { kind: 'department', departmentId: values.departmentId ?? '' };
  if (values.populationKind === 'role') return { kind: 'role', role: values.role ?? '' };
  return { kind: 'all' };
}

/** Starts an access review campaign over all staff, one department tree, or holders of one role. */
export function NewCampaignModal({ onClose }: { onClose: () => void }) {
  const t = useT();
  const roleLabel = useRoleLabel();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<CampaignForm>();
  const [errorText, setErrorText] = useState<string | null>(null);
  const populationKind = Form.useWatch('populationKind', form);

  const departments = useQuery({ queryKey: DEPARTMENTS_QUERY_KEY, queryFn: fetchDepartments, enabled: populationKind === 'department', staleTime: 5 * 60_000 });

  const start = useMutation({
    mutationFn: (body: NewCampaign) => startCampaign(body),
    onMutate: () => setErrorText(null),
    onSuccess: async (campaign) => {
      await queryClient.invalidateQueries({ queryKey: REVIEWS_QUERY_KEY });
      void message.success(t('reviews.campaign.started', { name: campaign.name, count: campaign.itemCount ?? 0 }));
      onClose();
    },
    onError: (error) => setErrorText(showServerErrorAtFields({ form, error: withFormPaths(error), t, fields: FORM_FIELDS, fieldOfCode: {} })),
  });

  const submit = (values: CampaignForm) => {
    if (values.deadline === undefined) return;
    start.mutate({ name: values.name.trim(), population: toPopulation(values), deadline: firmPickerValueToInstant(values.deadline), deadlineRule: values.deadlineRule });
  };

  const disabledDate = (day: Dayjs) => day.isBefore(firmNowForPicker(), 'day');

  // The server checks this too, but a past deadline is easier to fix before the round trip.
  const checkDeadlineAhead = async (_rule: unknown, value: Dayjs | undefined) => {
    if (value !== undefined && !value.isAfter(firmNowForPicker())) throw new Error(t('reviews.campaign.deadlinePast'));
  };

  return (
    <Modal
      open
      title={t('reviews.campaign.newTitle')}
      onCancel={onClose}
      destroyOnHidden
      width={560}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={start.isPending} data-testid="campaign-submit" onClick={() => form.submit()}>
          {t('reviews.campaign.submit')}
        </Button>,
      ]}
    >
      <Form<CampaignForm> form={form} layout="vertical" disabled={start.isPending} initialValues={{ populationKind: 'all', deadlineRule: 'revoke' }} onFinish={submit}>
        <Form.Item name="name" label={t('reviews.campaign.name')} rules={[{ required: true, whitespace: true, message: t('reviews.campaign.nameRequired') }]}>
          <Input data-testid="campaign-name" maxLength={MAX_NAME_LENGTH} autoFocus />
        </Form.Item>
        <Form.Item name="populationKind" label={t('reviews.campaign.population')}>
          <Radio.Group
            data-testid="campaign-population"
            options={[
              { value: 'all', label: t('reviews.population.all') },
              { value: 'department', label: t('reviews.population.department') },
              { value: 'role', label: t('reviews.population.role') },
            ]}
          />
        </Form.Item>
        {populationKind === 'department' && (
          <Form.Item name="departmentId" label={t('reviews.population.department')} extra={t('reviews.campaign.departmentHint')} rules={[{ required: true, message: t('reviews.campaign.departmentRequired') }]}>
            <TreeSelect data-testid="campaign-department" treeData={toTreeOptions(departments.data?.items ?? [])} loading={departments.isPending} treeDefaultExpandAll showSearch treeNodeFilterProp="title" notFoundContent={departments.isError ? t('reviews.departmentsFailed') : undefined} />
          </Form.Item>
        )}
        {populationKind === 'role' && (
          <Form.Item name="role" label={t('reviews.population.role')} rules={[{ required: true, message: t('reviews.campaign.roleRequired') }]}>
            <Select data-testid="campaign-role" options={REVIEWABLE_ROLES.map((role) => ({ value: role, label: roleLabel(role) }))} />
          </Form.Item>
        )}
        <Form.Item
          name="deadline"
          label={t('reviews.campaign.deadline')}
          extra={t('reviews.campaign.deadlineHint')}
          rules={[
            { required: true, message: t('reviews.campaign.deadlineRequired') },
            { validator: checkDeadlineAhead },
          ]}
        >
          <DatePicker data-testid="campaign-deadline" showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" disabledDate={disabledDate} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="deadlineRule" label={t('reviews.campaign.deadlineRule')}>
          <Radio.Group data-testid="campaign-rule" options={(['revoke', 'escalate'] as const).map((rule) => ({ value: rule, label: t(DEADLINE_RULE_LABELS[rule]) }))} />
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="campaign-error" />}
    </Modal>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntdApp, Button, DatePicker, Flex, Form, Input, Radio, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';

import { isApiError } from '../../api/index.js';
import { describeError } from '../../app/describe-error.js';
import { useT, type MessageKey, type Translate } from '../../i18n/index.js';
import { weekdayLabel } from './RuleParamField.js';
import { CALENDAR_QUERY_KEY, fetchCalendar, saveCalendar, type CalendarDay, type CalendarDayKind } from './security.api.js';

const KIND_TAGS: Readonly<Record<CalendarDayKind, { label: MessageKey; color: string }>> = {
  holiday: { label: 'security.calendar.kind.holiday', color: 'green' },
  workday: { label: 'security.calendar.kind.workday', color: 'blue' },
};

const MAX_NAME_LENGTH = 50;

interface NewDay {
  date?: Dayjs;
  kind: CalendarDayKind;
  name?: string;
}

// ISO weekday: Monday 1 to Sunday 7, as the rule settings number them.
function isoWeekday(date: string): number {
  const day = dayjs(date).day();
  return day === 0 ? 7 : day;
}

function isWeekend(date: string): boolean {
  return isoWeekday(date) >= 6;
}

function byDate(left: CalendarDay, right: CalendarDay): number {
  return left.date.localeCompare(right.date);
}

// The server names a wrong day by its position in the saved list (`days.3.name`), so each message is prefixed with that day's date.
function describeCalendarError(error: unknown, saved: readonly CalendarDay[], t: Translate): string {
  if (!isApiError(error) || error.issues.length === 0) return describeError(error, t);

  return error.issues
    .map((issue) => {
      const index = Number(/^days\.(\d+)\./.exec(issue.path)?.[1]);
      const day = Number.isInteger(index) ? saved[index] : undefined;
      return day === undefined ? issue.message : t('security.calendar.dayIssue', { date: day.date, message: issue.message });
    })
    .join(' ');
}

/** 工作日历: the holidays on weekdays and the worked weekend days (调休) that the off-hours rule follows. */
export function CalendarTab() {
  const t = useT();
  const queryClient = useQueryClient();
  const { message } = AntdApp.useApp();
  const [form] = Form.useForm<NewDay>();
  const [draft, setDraft] = useState<CalendarDay[] | null>(null);
  const [errorText, setErrorText] = useState<string | null>(null);

  const calendar = useQuery({ queryKey: CALENDAR_QUERY_KEY, queryFn: fetchCalendar });
  const days = [...(draft ?? calendar.data?.days ?? [])].sort(byDate);

  const save = useMutation({
    mutationFn: (next: CalendarDay[]) => saveCalendar(next),
    onMutate: () => setErrorText(null),
    onSuccess: (saved) => {
      queryClient.setQueryData(CALENDAR_QUERY_KEY, saved);
      setDraft(null);
      void message.success(t('security.calendar.saved'));
    },
    onError: (error, saved) => setErrorText(describeCalendarError(error, saved, t)),
  });

  const add = (values: NewDay) => {
    if (values.date === undefined) return;
    const date = values.date.format('YYYY-MM-DD');
    if (days.some((day) => day.date === date)) {
      form.setFields([{ name: 'date', errors: [t('security.calendar.duplicate', { date })] }]);
      return;
    }

    setDraft([...days, { date, kind: values.kind, name: values.name?.trim() ?? '' }]);
    form.resetFields(['date', 'name']);
  };

  const remove = (date: string) => setDraft(days.filter((day) => day.date !== date));

  const columns: ColumnsType<CalendarDay> = [
    { key: 'date', title: t('security.calendar.date'), width: 130, render: (_, day) => day.date },
    { key: 'weekday', title: t('security.calendar.weekday'), width: 90, render: (_, day) => weekdayLabel(isoWeekday(day.date), t) },
    {
      key: 'kind',
      title: t('security.calendar.kind'),
      width: 130,
      render: (_, day) => {
        const tag = Object.hasOwn(KIND_TAGS, day.kind) ? KIND_TAGS[day.kind] : undefined;
        return <Tag color={tag?.color}>{tag === undefined ? day.kind : t(tag.label)}</Tag>;
      },
    },
    { key: 'name', title: t('security.calendar.name'), render: (_, day) => day.name },
    {
      key: 'check',
      title: t('security.calendar.check'),
      width: 320,
      render: (_, day) => {
        // A day off that is a weekend anyway, or a worked day that is a weekday anyway, changes nothing.
        if (day.kind === 'holiday' && isWeekend(day.date)) return <Typography.Text type="warning">{t('security.calendar.holidayOnWeekend')}</Typography.Text>;
        if (day.kind === 'workday' && !isWeekend(day.date)) return <Typography.Text type="warning">{t('security.calendar.workdayOnWeekday')}</Typography.Text>;
        return null;
      },
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 90,
      render: (_, day) => (
        <Button size="small" danger aria-label={t('security.calendar.removeLabel', { date: day.date })} onClick={() => remove(day.date)}>
          {t('security.calendar.remove')}
        </Button>
      ),
    },
  ];

  const dirty = draft !== null;

  return (
    <Flex vertical gap={16}>
      <Typography.Text type="secondary">{t('security.calendar.intro')}</Typography.Text>
      {calendar.isError && <Alert type="error" showIcon title={describeError(calendar.error, t)} />}
      <Form<NewDay> form={form} layout="inline" initialValues={{ kind: 'holiday' }} onFinish={add} style={{ rowGap: 12 }}>
        <Form.Item name="date" label={t('security.calendar.date')} rules={[{ required: true, message: t('security.calendar.dateRequired') }]}>
          <DatePicker data-testid="calendar-date" />
        </Form.Item>
        <Form.Item name="kind" label={t('security.calendar.kind')}>
          <Radio.Group options={(['holiday', 'workday'] as const).map((kind) => ({ value: kind, label: t(KIND_TAGS[kind].label) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('security.calendar.name')} rules={[{ required: true, whitespace: true, message: t('security.calendar.nameRequired') }]}>
          <Input maxLength={MAX_NAME_LENGTH} placeholder={t('security.calendar.namePlaceholder')} style={{ width: 180 }} data-testid="calendar-name" />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" data-testid="calendar-add">
            {t('security.calendar.add')}
          </Button>
        </Form.Item>
      </Form>
      {errorText !== null && <Alert type="error" showIcon title={errorText} data-testid="calendar-error" />}
      <Table<CalendarDay>
        data-testid="calendar-table"
        rowKey="date"
        size="small"
        loading={calendar.isPending}
        columns={columns}
        dataSource={days}
        locale={{ emptyText: t('security.calendar.empty') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (total) => t('security.calendar.total', { total }) }}
      />
      <Flex gap={8} align="center">
        <Button type="primary" disabled={!dirty} loading={save.isPending} onClick={() => save.mutate(days)} data-testid="calendar-save">
          {t('security.calendar.save')}
        </Button>
        <Button disabled={!dirty || save.isPending} onClick={() => setDraft(null)}>
          {t('security.calendar.discard')}
        </Button>
        {dirty && <Typography.Text type="warning">{t('security.calendar.unsaved')}</Typography.Text>}
      </Flex>
    </Flex>
  );
}

import { Checkbox, Form, InputNumber, Switch, TimePicker } from 'antd';
import type { Rule as FieldRule } from 'antd/es/form';
import dayjs, { type Dayjs } from 'dayjs';

import { useT, type MessageKey, type Translate } from '../../i18n/index.js';
import { useSecurityLabels } from './security-labels.js';
import type { ParamSpec, ParamValue } from './security.api.js';

/** Days of the week as ISO 8601 numbers them, Monday 1 to Sunday 7, in the order a Chinese calendar shows them. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

const WEEKDAY_LABELS: Readonly<Record<number, MessageKey>> = {
  1: 'security.weekday.1',
  2: 'security.weekday.2',
  3: 'security.weekday.3',
  4: 'security.weekday.4',
  5: 'security.weekday.5',
  6: 'security.weekday.6',
  7: 'security.weekday.7',
};

const TIME_FORMAT = 'HH:mm';

/** Returns the form field name of a parameter. It equals the `path` of the server's issues, so errors land on the field. */
export function paramFieldName(name: string): string {
  return `params.${name}`;
}

export function weekdayLabel(day: number, t: Translate): string {
  return Object.hasOwn(WEEKDAY_LABELS, day) ? t(WEEKDAY_LABELS[day]!) : String(day);
}

/** Writes a parameter value for a table cell: times as they are, weekdays by name, booleans as yes or no. */
export function formatParamValue(value: ParamValue | undefined, t: Translate): string {
  if (value === undefined) return t('common.empty');
  if (Array.isArray(value)) return value.length === 0 ? t('common.empty') : value.map((day) => weekdayLabel(day, t)).join(t('common.listSeparator'));
  if (typeof value === 'boolean') return t(value ? 'security.paramInput.yes' : 'security.paramInput.no');
  return String(value);
}

// `HH:mm` text in the form, a Dayjs in the picker. The date part is only there because Dayjs needs one.
function timeToPicker(value: unknown): { value: Dayjs | null } {
  if (typeof value !== 'string' || !/^\d{2}:\d{2}$/.test(value)) return { value: null };
  const [hours, minutes] = value.split(':').map(Number);
  return { value: dayjs().hour(hours!).minute(minutes!).second(0).millisecond(0) };
}

function pickerToTime(picked: Dayjs | null): string | undefined {
  return picked === null ? undefined : picked.format(TIME_FORMAT);
}

function rangeRules(spec: ParamSpec, t: Translate): FieldRule[] {
  const rules: FieldRule[] = [{ required: true, message: t('security.paramInput.required') }];
  if (spec.min !== undefined) rules.push({ type: 'number', min: spec.min, message: t('security.paramInput.min', { min: spec.min }) });
  if (spec.max !== undefined) rules.push({ type: 'number', max: spec.max, message: t('security.paramInput.max', { max: spec.max }) });
  return rules;
}

/** Renders the input for one rule parameter by its type: numbers with their range, a time, weekdays or a switch. */
export function RuleParamField({ spec, defaultValue }: { spec: ParamSpec; defaultValue: ParamValue | undefined }) {
  const t = useT();
  const labels = useSecurityLabels();
  const name = paramFieldName(spec.name);
  const hint = labels.paramHint(spec.name);
  const defaultText = t('security.paramInput.default', { value: formatParamValue(defaultValue, t) });
  const extra = hint === undefined ? defaultText : `${hint} ${defaultText}`;
  const common = { name, label: labels.param(spec.name), extra };

  switch (spec.type) {
    case 'integer':
    case 'number':
      return (
        <Form.Item {...common} rules={rangeRules(spec, t)}>
          {/* No min or max here: InputNumber would clamp an out-of-range entry silently, and the range rules show the error instead. */}
          <InputNumber precision={spec.type === 'integer' ? 0 : undefined} step={spec.type === 'integer' ? 1 : 0.1} style={{ width: 160 }} />
        </Form.Item>
      );

    case 'time':
      return (
        <Form.Item {...common} rules={[{ required: true, message: t('security.paramInput.required') }]} getValueProps={timeToPicker} normalize={pickerToTime}>
          <TimePicker format={TIME_FORMAT} minuteStep={5} needConfirm={false} allowClear={false} />
        </Form.Item>
      );

    case 'weekdays':
      return (
        <Form.Item {...common} rules={[{ required: true, type: 'array', min: 1, message: t('security.paramInput.weekdaysRequired') }]}>
          <Checkbox.Group options={WEEKDAYS.map((day) => ({ value: day, label: weekdayLabel(day, t) }))} />
        </Form.Item>
      );

    case 'boolean':
      return (
        <Form.Item {...common} valuePropName="checked">
          <Switch />
        </Form.Item>
      );

    default:
      // A parameter type this build does not know is shown but cannot be edited.
      return (
        <Form.Item {...common}>
          <InputNumber disabled />
        </Form.Item>
      );
  }
}

import { AppError, type IssueMessage } from '../errors/index.js';
import type { AlertSeverity } from '../notify/alert-notice.js';
import { type ParamSpec, type ParamValue, RULE_DEFINITIONS, type ResponseKind, type RuleKey, type RuleSettings } from './rule-catalog.js';
import { parseClockTime } from './zoned-time.js';

export interface RuleSettingsInput {
  readonly enabled: boolean;
  readonly severity: AlertSeverity;
  readonly params: Readonly<Record<string, unknown>>;
  readonly responses: readonly ResponseKind[];
}

type Issue = { path: string; message: IssueMessage };

const SEVERE: readonly AlertSeverity[] = ['high', 'critical'];
/** Rules that watch over the controls themselves, so nobody can silence them. */
const ALWAYS_ON_TEXT: Partial<Record<RuleKey, { off: IssueMessage; severity: IssueMessage }>> = {
  break_glass: {
    off: { 'zh-CN': '紧急访问告警不能关闭。', 'en-US': 'The break-glass rule cannot be switched off.' },
    severity: { 'zh-CN': '紧急访问告警的级别至少为“高”。', 'en-US': 'Break-glass alerts are at least high severity.' },
  },
  audit_chain_broken: {
    off: { 'zh-CN': '审计日志被篡改的告警不能关闭。', 'en-US': 'The broken audit chain rule cannot be switched off.' },
    severity: { 'zh-CN': '审计日志被篡改的告警级别至少为“高”。', 'en-US': 'Broken audit chain alerts are at least high severity.' },
  },
};

/**
 * Checks a rule's new settings against its parameter specs and returns them complete: a
 * parameter left out keeps its default. Throws `rule_settings_invalid` with one issue per
 * wrong field (`params.<name>`, `enabled`, `severity`).
 */
export function validateRuleSettingsOrThrow(key: RuleKey, input: RuleSettingsInput): RuleSettings {
  const definition = RULE_DEFINITIONS[key];
  const issues: Issue[] = [];
  const params: Record<string, ParamValue> = { ...definition.params };

  for (const name of Object.keys(input.params)) {
    if (!definition.paramSpecs.some((spec) => spec.name === name)) {
      issues.push({ path: `params.${name}`, message: { 'zh-CN': '此规则没有该参数。', 'en-US': 'This rule has no such parameter.' } });
    }
  }
  for (const spec of definition.paramSpecs) {
    if (!(spec.name in input.params)) continue;
    const checked = checkParam(spec, input.params[spec.name]);
    if ('message' in checked) issues.push({ path: `params.${spec.name}`, message: checked.message });
    else params[spec.name] = checked.value;
  }
  issues.push(...crossFieldIssues(key, params, issues));

  const alwaysOn = ALWAYS_ON_TEXT[key];
  if (alwaysOn && !input.enabled) issues.push({ path: 'enabled', message: alwaysOn.off });
  if (alwaysOn && !SEVERE.includes(input.severity)) issues.push({ path: 'severity', message: alwaysOn.severity });

  if (issues.length > 0) {
    throw new AppError('rule_settings_invalid', { detail: issues.map((issue) => issue.path).join(', ') }, issues);
  }
  return { key, enabled: input.enabled, severity: input.severity, params, responses: [...new Set(input.responses)] };
}

function checkParam(spec: ParamSpec, value: unknown): { value: ParamValue } | { message: IssueMessage } {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const whole = spec.type === 'integer';
      const valid = typeof value === 'number' && Number.isFinite(value) && (!whole || Number.isInteger(value)) && value >= (spec.min ?? -Infinity) && value <= (spec.max ?? Infinity);
      if (valid) return { value };
      const kind = whole ? { 'zh-CN': '整数', 'en-US': 'whole number' } : { 'zh-CN': '数值', 'en-US': 'number' };
      return { message: { 'zh-CN': `必须是 ${spec.min} 到 ${spec.max} 之间的${kind['zh-CN']}。`, 'en-US': `Must be a ${kind['en-US']} from ${spec.min} to ${spec.max}.` } };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { message: { 'zh-CN': '必须是“是”或“否”。', 'en-US': 'Must be true or false.' } };
    case 'time':
      return typeof value === 'string' && parseClockTime(value) !== undefined ? { value } : { message: { 'zh-CN': '必须是 HH:MM 格式的时间（00:00 至 23:59）。', 'en-US': 'Must be a time of day as HH:MM (00:00 to 23:59).' } };
    case 'weekdays': {
      const valid = Array.isArray(value) && value.length > 0 && value.length <= 7 && value.every((day) => Number.isInteger(day) && day >= 1 && day <= 7) && new Set(value).size === value.length;
      return valid ? { value: [...(value as number[])].sort((a, b) => a - b) } : { message: { 'zh-CN': '请选择至少一天，每天只能选一次（1 为周一，7 为周日）。', 'en-US': 'Choose at least one day, each once (1 is Monday, 7 is Sunday).' } };
    }
  }
}

/** Checks that depend on two parameters; skipped when either already has an issue. */
function crossFieldIssues(key: RuleKey, params: Record<string, ParamValue>, earlier: readonly Issue[]): Issue[] {
  const failed = new Set(earlier.map((issue) => issue.path));
  const issues: Issue[] = [];

  if (key === 'off_hours' && !failed.has('params.workStart') && !failed.has('params.workEnd')) {
    // Working hours that cross midnight are not supported: a night shift is off-hours activity here.
    if (parseClockTime(String(params.workStart))! >= parseClockTime(String(params.workEnd))!) {
      issues.push({ path: 'params.workEnd', message: { 'zh-CN': '下班时间必须晚于上班时间。', 'en-US': 'The end of working hours must be later than the start.' } });
    }
  }

  const history = params.minHistoryDays;
  const span = key === 'volume_anomaly' ? params.baselineDays : params.lookbackDays;
  if ((key === 'volume_anomaly' || key === 'unusual_department') && typeof history === 'number' && typeof span === 'number' && history > span && !failed.has('params.minHistoryDays')) {
    issues.push({ path: 'params.minHistoryDays', message: { 'zh-CN': '最少历史天数不能超过统计的天数。', 'en-US': 'The minimum history cannot exceed the days looked back on.' } });
  }
  return issues;
}

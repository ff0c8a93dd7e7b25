import type { AlertSeverity } from '../notify/alert-notice.js';

export const RULE_KEYS = [
  'failed_sign_ins',
  'credential_stuffing',
  'new_device',
  'off_hours',
  'volume_anomaly',
  'bulk_export',
  'probing',
  'dormant_account',
  'unusual_department',
  'break_glass',
  'audit_chain_broken',
] as const;

export type RuleKey = (typeof RULE_KEYS)[number];

export const RESPONSE_KINDS = ['lock_account', 'end_sessions', 'require_step_up', 'suspend_grant'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

export type ParamValue = number | string | boolean | number[];
export type RuleParams = Readonly<Record<string, ParamValue>>;

/** A parameter's type and range for editing and checks: `time` is `HH:MM`, `weekdays` a set of ISO weekdays (1 = Monday). */
export interface ParamSpec {
  readonly name: string;
  readonly type: 'integer' | 'number' | 'time' | 'weekdays' | 'boolean';
  readonly min?: number;
  readonly max?: number;
}

export interface RuleSettings {
  readonly key: RuleKey;
  readonly enabled: boolean;
  readonly severity: AlertSeverity;
  readonly params: RuleParams;
  readonly responses: readonly ResponseKind[];
}

interface RuleDefinition {
  readonly severity: AlertSeverity;
  readonly paramSpecs: readonly ParamSpec[];
  readonly params: RuleParams;
  readonly responses: readonly ResponseKind[];
}

const integer = (name: string, min: number, max: number): ParamSpec => ({ name, type: 'integer', min, max });
/** Repeats within this many minutes of the last one update the open alert instead of raising a new one. */
const groupMinutes = integer('groupMinutes', 1, 10_080);
const windowMinutes = integer('windowMinutes', 1, 1440);

function define(definition: RuleDefinition): RuleDefinition {
  return Object.freeze({ ...definition, paramSpecs: Object.freeze(definition.paramSpecs), params: Object.freeze(definition.params), responses: Object.freeze(definition.responses) });
}

/**
 * Every rule's defaults. The numbers are starting points for a firm of a few dozen staff, and the
 * security administrator tunes them. The demo firm's normal day stays below all of them.
 */
export const RULE_DEFINITIONS: Readonly<Record<RuleKey, RuleDefinition>> = Object.freeze({
  failed_sign_ins: define({
    severity: 'medium',
    paramSpecs: [integer('failures', 2, 1000), windowMinutes, groupMinutes],
    params: { failures: 5, windowMinutes: 15, groupMinutes: 60 },
    responses: [],
  }),
  credential_stuffing: define({
    severity: 'high',
    paramSpecs: [integer('accounts', 2, 1000), windowMinutes, groupMinutes],
    params: { accounts: 5, windowMinutes: 10, groupMinutes: 60 },
    responses: [],
  }),
  new_device: define({
    severity: 'low',
    paramSpecs: [integer('lookbackDays', 1, 365), { name: 'checkAddress', type: 'boolean' }, groupMinutes],
    params: { lookbackDays: 30, checkAddress: true, groupMinutes: 1440 },
    responses: [],
  }),
  off_hours: define({
    severity: 'low',
    paramSpecs: [{ name: 'workStart', type: 'time' }, { name: 'workEnd', type: 'time' }, { name: 'workDays', type: 'weekdays' }, groupMinutes],
    params: { workStart: '08:00', workEnd: '20:00', workDays: [1, 2, 3, 4, 5], groupMinutes: 240 },
    responses: [],
  }),
  volume_anomaly: define({
    severity: 'high',
    paramSpecs: [integer('baselineDays', 7, 90), { name: 'deviations', type: 'number', min: 0.5, max: 10 }, integer('minClients', 1, 100_000), integer('minReveals', 1, 100_000), integer('minHistoryDays', 1, 90), groupMinutes],
    params: { baselineDays: 30, deviations: 3, minClients: 20, minReveals: 10, minHistoryDays: 5, groupMinutes: 1440 },
    responses: ['require_step_up'],
  }),
  bulk_export: define({
    severity: 'high',
    paramSpecs: [integer('exports', 2, 1000), windowMinutes, integer('maxRows', 1, 1_000_000), groupMinutes],
    params: { exports: 5, windowMinutes: 60, maxRows: 5000, groupMinutes: 240 },
    responses: ['require_step_up'],
  }),
  probing: define({
    severity: 'medium',
    paramSpecs: [integer('denials', 2, 1000), windowMinutes, groupMinutes],
    params: { denials: 10, windowMinutes: 10, groupMinutes: 60 },
    responses: [],
  }),
  dormant_account: define({
    severity: 'medium',
    paramSpecs: [integer('dormantDays', 7, 3650), groupMinutes],
    params: { dormantDays: 60, groupMinutes: 1440 },
    responses: [],
  }),
  unusual_department: define({
    severity: 'medium',
    paramSpecs: [integer('lookbackDays', 1, 90), integer('minHistoryDays', 1, 90), groupMinutes],
    params: { lookbackDays: 30, minHistoryDays: 5, groupMinutes: 1440 },
    responses: [],
  }),
  // Break-glass is always at least high and cannot be switched off: it is the one way around
  // the approval flow, so every use must be seen.
  break_glass: define({
    severity: 'high',
    paramSpecs: [groupMinutes],
    params: { groupMinutes: 60 },
    responses: [],
  }),
  // A failed verification of the audit chain is critical and cannot be switched off: whoever
  // changed the log would otherwise switch off the one alert that reports it.
  audit_chain_broken: define({
    severity: 'critical',
    paramSpecs: [groupMinutes],
    params: { groupMinutes: 1440 },
    responses: [],
  }),
});

export function isRuleKey(value: string): value is RuleKey {
  return (RULE_KEYS as readonly string[]).includes(value);
}

export function defaultRuleSettings(key: RuleKey): RuleSettings {
  const definition = RULE_DEFINITIONS[key];
  return { key, enabled: true, severity: definition.severity, params: definition.params, responses: definition.responses };
}

/** Reads an integer or number parameter; settings are validated when saved, so a wrong type means a bug. */
export function numberParam(settings: RuleSettings, name: string): number {
  const value = settings.params[name] ?? RULE_DEFINITIONS[settings.key].params[name];
  if (typeof value !== 'number') throw new Error(`Rule ${settings.key} has no numeric parameter ${name}`);
  return value;
}

export function stringParam(settings: RuleSettings, name: string): string {
  const value = settings.params[name] ?? RULE_DEFINITIONS[settings.key].params[name];
  if (typeof value !== 'string') throw new Error(`Rule ${settings.key} has no text parameter ${name}`);
  return value;
}

export function booleanParam(settings: RuleSettings, name: string): boolean {
  const value = settings.params[name] ?? RULE_DEFINITIONS[settings.key].params[name];
  if (typeof value !== 'boolean') throw new Error(`Rule ${settings.key} has no boolean parameter ${name}`);
  return value;
}

export function weekdaysParam(settings: RuleSettings, name: string): readonly number[] {
  const value = settings.params[name] ?? RULE_DEFINITIONS[settings.key].params[name];
  if (!Array.isArray(value)) throw new Error(`Rule ${settings.key} has no weekday parameter ${name}`);
  return value;
}

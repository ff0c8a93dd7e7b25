import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { RULE_DEFINITIONS, RULE_KEYS } from './rule-catalog.js';
import { validateRuleSettingsOrThrow } from './rule-settings.js';

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'rule_settings_invalid') return error.issues.map((issue) => issue.path);
    throw error;
  }
  return [];
}

describe('rule defaults', () => {
  it('pass their own validation', () => {
    for (const key of RULE_KEYS) {
      const definition = RULE_DEFINITIONS[key];
      expect(issuesOf(() => validateRuleSettingsOrThrow(key, { enabled: true, severity: definition.severity, params: { ...definition.params }, responses: definition.responses })), key).toEqual([]);
    }
  });

  it('name a spec for every parameter', () => {
    for (const key of RULE_KEYS) {
      const definition = RULE_DEFINITIONS[key];
      expect(Object.keys(definition.params).sort(), key).toEqual(definition.paramSpecs.map((spec) => spec.name).sort());
    }
  });
});

describe('validateRuleSettingsOrThrow', () => {
  const base = { enabled: true, severity: 'medium' as const, responses: [] };

  it('fills parameters left out with their defaults', () => {
    const settings = validateRuleSettingsOrThrow('failed_sign_ins', { ...base, params: { failures: 8 } });

    expect(settings.params).toEqual({ failures: 8, windowMinutes: 15, groupMinutes: 60 });
  });

  it('names each wrong parameter', () => {
    const paths = issuesOf(() => validateRuleSettingsOrThrow('failed_sign_ins', { ...base, params: { failures: 1, windowMinutes: 2.5, extra: 3 } }));

    expect(paths.sort()).toEqual(['params.extra', 'params.failures', 'params.windowMinutes']);
  });

  it('checks times, weekdays and booleans by type', () => {
    expect(issuesOf(() => validateRuleSettingsOrThrow('off_hours', { ...base, params: { workStart: '25:00', workDays: [1, 1] } })).sort()).toEqual(['params.workDays', 'params.workStart']);
    expect(issuesOf(() => validateRuleSettingsOrThrow('off_hours', { ...base, params: { workDays: [] } }))).toEqual(['params.workDays']);
    expect(issuesOf(() => validateRuleSettingsOrThrow('new_device', { ...base, params: { checkAddress: 'yes' } }))).toEqual(['params.checkAddress']);
  });

  it('rejects working hours that end before they start', () => {
    expect(issuesOf(() => validateRuleSettingsOrThrow('off_hours', { ...base, params: { workStart: '18:00', workEnd: '09:00' } }))).toEqual(['params.workEnd']);
  });

  it('rejects a minimum history longer than the period looked back on', () => {
    expect(issuesOf(() => validateRuleSettingsOrThrow('volume_anomaly', { ...base, params: { baselineDays: 10, minHistoryDays: 20 } }))).toEqual(['params.minHistoryDays']);
  });

  it('keeps break-glass on and at least high', () => {
    expect(issuesOf(() => validateRuleSettingsOrThrow('break_glass', { enabled: false, severity: 'low', params: {}, responses: [] })).sort()).toEqual(['enabled', 'severity']);
    expect(validateRuleSettingsOrThrow('break_glass', { enabled: true, severity: 'critical', params: {}, responses: ['suspend_grant'] }).severity).toBe('critical');
    expect(issuesOf(() => validateRuleSettingsOrThrow('audit_chain_broken', { enabled: false, severity: 'medium', params: {}, responses: [] })).sort()).toEqual(['enabled', 'severity']);
  });

  it('drops repeated responses', () => {
    expect(validateRuleSettingsOrThrow('probing', { ...base, params: {}, responses: ['end_sessions', 'end_sessions'] }).responses).toEqual(['end_sessions']);
  });
});

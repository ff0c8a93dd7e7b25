import type { RuleKey } from '../rule-catalog.js';
import { auditChainBrokenRule, breakGlassRule, bulkExportRule, offHoursRule, probingRule } from './activity.rules.js';
import { unusualDepartmentRule, volumeAnomalyRule } from './baseline.rules.js';
import type { DetectionRule } from './rule.types.js';
import { credentialStuffingRule, dormantAccountRule, failedSignInsRule, newDeviceRule } from './sign-in.rules.js';

/** Every rule, in the order the detector evaluates them for an event. */
export const DETECTION_RULES: readonly DetectionRule[] = Object.freeze([
  failedSignInsRule,
  credentialStuffingRule,
  newDeviceRule,
  dormantAccountRule,
  offHoursRule,
  volumeAnomalyRule,
  unusualDepartmentRule,
  bulkExportRule,
  probingRule,
  breakGlassRule,
  auditChainBrokenRule,
]);

export function ruleByKey(key: RuleKey): DetectionRule {
  const rule = DETECTION_RULES.find((candidate) => candidate.key === key);
  if (!rule) throw new Error(`No detection rule ${key}`);
  return rule;
}

export { breakGlassFinding } from './activity.rules.js';
export type { AlertFacts, DetectionRule, Finding, RuleContext } from './rule.types.js';

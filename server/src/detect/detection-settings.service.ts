import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { AppError, type IssueMessage } from '../errors/index.js';
import { RULE_DEFINITIONS, RULE_KEYS, type RuleKey } from './rule-catalog.js';
import { type RuleSettingsInput, validateRuleSettingsOrThrow } from './rule-settings.js';
import { type CalendarDay, type StoredRuleSettings, loadCalendar, loadRuleSettings, replaceCalendar, saveRuleSettings } from './settings.repository.js';
import { isCalendarDate } from './zoned-time.js';

interface Actor {
  readonly id: string;
  readonly username: string;
}

interface Origin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

function presentRule(settings: StoredRuleSettings) {
  const definition = RULE_DEFINITIONS[settings.key];
  return {
    key: settings.key,
    enabled: settings.enabled,
    severity: settings.severity,
    params: settings.params,
    responses: [...settings.responses],
    paramSpecs: definition.paramSpecs,
    defaults: definition.params,
    updatedAt: settings.updatedAt,
    updatedBy: settings.updatedByUsername,
  };
}

/** Rule settings and the work calendar, as the security administrator tunes them; every change is audited. */
export class DetectionSettingsService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #now: () => Date;

  constructor({ db, audit, now = () => new Date() }: { db: Db; audit: AuditLog; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#now = now;
  }

  async listRules() {
    const settings = await loadRuleSettings(this.#db);
    return RULE_KEYS.map((key) => presentRule(settings.get(key)!));
  }

  async updateRule({ key, input, actor, origin }: { key: RuleKey; input: RuleSettingsInput; actor: Actor; origin: Origin }) {
    const validated = validateRuleSettingsOrThrow(key, input);

    await this.#db.transaction().execute(async (trx) => {
      const before = (await loadRuleSettings(trx)).get(key)!;
      await saveRuleSettings(trx, validated, { userId: actor.id, at: this.#now().toISOString() });
      await this.#audit.append(trx, {
        action: 'security.rule_changed',
        outcome: 'success',
        actor,
        targetType: 'detection_rule',
        targetId: key,
        ip: origin.ip,
        userAgent: origin.userAgent,
        details: { rule: key, before: settingsSummary(before), after: settingsSummary(validated) },
      });
    });

    return presentRule((await loadRuleSettings(this.#db)).get(key)!);
  }

  async calendar() {
    return { days: await loadCalendar(this.#db) };
  }

  /** Replaces the calendar; throws `validation_failed` naming each bad or repeated day. */
  async replaceCalendar({ days, actor, origin }: { days: readonly CalendarDay[]; actor: Actor; origin: Origin }) {
    const cleaned = days.map((day) => ({ date: day.date, kind: day.kind, name: day.name.trim() }));
    assertCalendarValidOrThrow(cleaned);

    await this.#db.transaction().execute(async (trx) => {
      const { added, removed } = await replaceCalendar(trx, cleaned);
      await this.#audit.append(trx, {
        action: 'security.calendar_changed',
        outcome: 'success',
        actor,
        targetType: 'work_calendar',
        ip: origin.ip,
        userAgent: origin.userAgent,
        details: { days: cleaned.length, holidays: cleaned.filter((day) => day.kind === 'holiday').length, workdays: cleaned.filter((day) => day.kind === 'workday').length, added, removed },
      });
    });
    return this.calendar();
  }
}

function settingsSummary(settings: { enabled: boolean; severity: string; params: unknown; responses: readonly string[] }) {
  return { enabled: settings.enabled, severity: settings.severity, params: settings.params, responses: [...settings.responses] };
}

function assertCalendarValidOrThrow(days: readonly CalendarDay[]): void {
  const issues: { path: string; message: IssueMessage }[] = [];
  const seen = new Set<string>();
  days.forEach((day, index) => {
    if (!isCalendarDate(day.date)) {
      issues.push({ path: `days.${index}.date`, message: { 'zh-CN': '日期无效，请使用 YYYY-MM-DD 格式。', 'en-US': 'Invalid date; use YYYY-MM-DD.' } });
    } else if (seen.has(day.date)) {
      issues.push({ path: `days.${index}.date`, message: { 'zh-CN': '同一天只能出现一次。', 'en-US': 'Each date may appear only once.' } });
    }
    seen.add(day.date);
    if (day.name.length === 0) {
      issues.push({ path: `days.${index}.name`, message: 'required' });
    }
  });
  if (issues.length > 0) throw new AppError('validation_failed', {}, issues);
}

import type { DbOrTrx } from '../db/index.js';
import { type ParamValue, RESPONSE_KINDS, RULE_KEYS, type ResponseKind, type RuleKey, type RuleSettings, defaultRuleSettings, isRuleKey } from './rule-catalog.js';

export interface StoredRuleSettings extends RuleSettings {
  readonly updatedAt: string | null;
  readonly updatedByUsername: string | null;
}

export interface CalendarDay {
  readonly date: string;
  readonly kind: 'holiday' | 'workday';
  readonly name: string;
}

/** Loads every rule's settings: the saved row where there is one, the defaults otherwise. */
export async function loadRuleSettings(db: DbOrTrx): Promise<Map<RuleKey, StoredRuleSettings>> {
  const rows = await db
    .selectFrom('detection_rules')
    .leftJoin('users', 'users.id', 'detection_rules.updated_by')
    .select(['detection_rules.key', 'detection_rules.enabled', 'detection_rules.severity', 'detection_rules.params', 'detection_rules.responses', 'detection_rules.updated_at', 'users.username'])
    .execute();
  const saved = new Map(rows.filter((row) => isRuleKey(row.key)).map((row) => [row.key as RuleKey, row]));

  const settings = new Map<RuleKey, StoredRuleSettings>();
  for (const key of RULE_KEYS) {
    const row = saved.get(key);
    const defaults = defaultRuleSettings(key);
    if (!row) {
      settings.set(key, { ...defaults, updatedAt: null, updatedByUsername: null });
      continue;
    }
    // Parameters added to a rule after its settings were saved take their defaults.
    const params = { ...defaults.params, ...(JSON.parse(row.params) as Record<string, ParamValue>) };
    const responses = (JSON.parse(row.responses) as string[]).filter((kind): kind is ResponseKind => (RESPONSE_KINDS as readonly string[]).includes(kind));
    settings.set(key, { key, enabled: Number(row.enabled) === 1, severity: row.severity, params, responses, updatedAt: row.updated_at, updatedByUsername: row.username ?? null });
  }
  return settings;
}

export async function saveRuleSettings(db: DbOrTrx, settings: RuleSettings, { userId, at }: { userId: string; at: string }): Promise<void> {
  const values = { enabled: settings.enabled ? 1 : 0, severity: settings.severity, params: JSON.stringify(settings.params), responses: JSON.stringify(settings.responses), updated_at: at, updated_by: userId };
  await db
    .insertInto('detection_rules')
    .values({ key: settings.key, ...values })
    .onConflict((conflict) => conflict.column('key').doUpdateSet(values))
    .execute();
}

export async function loadCalendar(db: DbOrTrx): Promise<CalendarDay[]> {
  const rows = await db.selectFrom('work_calendar').select(['date', 'kind', 'name']).orderBy('date').execute();
  return rows.map((row) => ({ date: row.date, kind: row.kind, name: row.name }));
}

/** Replaces the whole calendar with `days`; returns the dates added and removed. */
export async function replaceCalendar(db: DbOrTrx, days: readonly CalendarDay[]): Promise<{ added: number; removed: number }> {
  const before = new Set((await db.selectFrom('work_calendar').select('date').execute()).map((row) => row.date));
  await db.deleteFrom('work_calendar').execute();
  for (let start = 0; start < days.length; start += 200) {
    await db.insertInto('work_calendar').values(days.slice(start, start + 200).map((day) => ({ date: day.date, kind: day.kind, name: day.name }))).execute();
  }
  const after = new Set(days.map((day) => day.date));
  return { added: [...after].filter((date) => !before.has(date)).length, removed: [...before].filter((date) => !after.has(date)).length };
}

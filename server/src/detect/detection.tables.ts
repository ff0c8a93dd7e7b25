/** Row types of the tables for detectors, rules, baselines, alerts and automatic responses (migration 1300); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DetectionTables {}

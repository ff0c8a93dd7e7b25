import { describe, expect, it } from 'vitest';
import type { CalendarDay } from './settings.repository.js';
import { classifyLocalTime } from './working-hours.js';
import { toLocalTime } from './zoned-time.js';

const HOURS = { start: 8 * 60, end: 20 * 60, workDays: [1, 2, 3, 4, 5] };
const CALENDAR = new Map<string, CalendarDay>([
  ['2026-10-01', { date: '2026-10-01', kind: 'holiday', name: '国庆节' }],
  ['2026-10-10', { date: '2026-10-10', kind: 'workday', name: '国庆调休' }],
]);

/** Classifies a Shanghai wall-clock time given as `YYYY-MM-DDTHH:MM`. */
function classify(shanghai: string) {
  return classifyLocalTime(toLocalTime(`${shanghai}:00+08:00`, 'Asia/Shanghai'), HOURS, CALENDAR);
}

describe('classifyLocalTime', () => {
  it('treats a weekday inside the hours as working', () => {
    expect(classify('2026-12-02T09:00')).toEqual({ working: true });
  });

  it('marks the end of the day exclusive and the start inclusive', () => {
    expect(classify('2026-12-02T08:00')).toEqual({ working: true });
    expect(classify('2026-12-02T20:00')).toEqual({ working: false, dayKind: 'after_hours' });
    expect(classify('2026-12-02T07:59')).toEqual({ working: false, dayKind: 'after_hours' });
  });

  it('treats an ordinary Saturday as a weekend', () => {
    expect(classify('2026-12-05T10:00')).toEqual({ working: false, dayKind: 'weekend' });
  });

  it('treats a holiday on a weekday as off, with its name', () => {
    expect(classify('2026-10-01T10:00')).toEqual({ working: false, dayKind: 'holiday', holiday: '国庆节' });
  });

  it('treats a worked Saturday (调休) as a working day with the usual hours', () => {
    expect(classify('2026-10-10T10:00')).toEqual({ working: true });
    expect(classify('2026-10-10T21:00')).toEqual({ working: false, dayKind: 'after_hours' });
  });
});

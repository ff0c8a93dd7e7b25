import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isCalendarDate, parseClockTime, toLocalTime } from './zoned-time.js';

describe('toLocalTime', () => {
  it('shifts a UTC instant into Shanghai time, across midnight', () => {
    const local = toLocalTime('2026-12-04T17:30:00.000Z', 'Asia/Shanghai');

    expect(local).toEqual({ date: '2026-12-05', weekday: 6, minutes: 90, time: '01:30' });
  });

  it('reads midnight as 00:00, not 24:00', () => {
    expect(toLocalTime('2026-12-06T16:00:00.000Z', 'Asia/Shanghai').time).toBe('00:00');
  });

  it('follows daylight saving time where the zone has it', () => {
    expect(toLocalTime('2026-07-01T12:00:00.000Z', 'Europe/Berlin').time).toBe('14:00');
    expect(toLocalTime('2026-01-01T12:00:00.000Z', 'Europe/Berlin').time).toBe('13:00');
  });
});

describe('calendar dates', () => {
  it('adds days across month and leap-year ends', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('counts whole days between dates', () => {
    expect(daysBetween('2026-12-01', '2026-12-31')).toBe(30);
    expect(daysBetween('2026-12-31', '2026-12-01')).toBe(-30);
  });

  it('accepts only real dates', () => {
    expect(isCalendarDate('2026-10-01')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-1-1')).toBe(false);
  });

  it('parses clock times and rejects malformed ones', () => {
    expect(parseClockTime('08:30')).toBe(510);
    expect(parseClockTime('23:59')).toBe(1439);
    expect(parseClockTime('24:00')).toBeUndefined();
    expect(parseClockTime('8:30')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_POLICY,
  MAX_PASSWORD_LENGTH,
  PASSWORD_PROBLEM_CODES,
  PASSWORD_PROBLEM_MESSAGES,
  type PasswordPolicy,
  checkPassword,
  isPasswordExpired,
  passwordProblemMessage,
} from './password-policy.js';

const member = { username: 'lisi', displayName: '李四' };

function problemCodes(password: string, personal: Parameters<typeof checkPassword>[2] = member, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY) {
  return checkPassword(password, policy, personal).map((problem) => problem.code);
}

describe('checkPassword', () => {
  it.each(['Tq7#vR2m!xLp9@Wz', 'bQ4!xZ8#mW2$', 'vintage Cobalt 93 meadow', 'glacier-Umbra-7-tundra'])('accepts strong password %s', (password) => {
    expect(checkPassword(password, DEFAULT_PASSWORD_POLICY, member)).toEqual([]);
  });

  it('rejects short password with its minimum', () => {
    expect(checkPassword('Xq7#vR2m!', DEFAULT_PASSWORD_POLICY, member)).toEqual([{ code: 'too_short', params: { minLength: 12 } }]);
    expect(checkPassword('Tq7#vR2m!xLp9@Wz', { ...DEFAULT_PASSWORD_POLICY, minLength: 20 }, member)).toEqual([{ code: 'too_short', params: { minLength: 20 } }]);
  });

  it('counts code points for length', () => {
    // Eleven characters, of which two take two UTF-16 units each.
    expect(problemCodes('Tq7#vR2m!𝒳𝒴')).toContain('too_short');
  });

  it('rejects password over 128 characters', () => {
    const longest = `Tq7#${'vR2m!xLp9@Wz'.repeat(11)}`.slice(0, MAX_PASSWORD_LENGTH);

    expect(problemCodes(longest)).toEqual([]);
    expect(checkPassword(`${longest}k`, DEFAULT_PASSWORD_POLICY, member)).toEqual([{ code: 'too_long', params: { maxLength: 128 } }]);
  });

  it('rejects too few character classes', () => {
    expect(checkPassword('qmvtzkrwpxhdjfslbn', DEFAULT_PASSWORD_POLICY, member)).toEqual([{ code: 'too_few_classes', params: { minClasses: 3 } }]);
    expect(problemCodes('qmvtzkrwpx84djfslbn')).toEqual(['too_few_classes']);
    expect(problemCodes('qmvtzkrwpx84djfslbn', member, { ...DEFAULT_PASSWORD_POLICY, minClasses: 2 })).toEqual([]);
  });

  it('rejects common passwords', () => {
    expect(problemCodes('password1234')).toEqual(['too_few_classes', 'common_password']);
    expect(problemCodes('P@ssw0rd1234')).toEqual(['common_password']);
    expect(problemCodes('Qweasdzxc123!')).toEqual(['common_password']);
  });

  it('rejects a listed password under a lenient score', () => {
    const lenient: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, minLength: 8, minClasses: 1, minStrengthScore: 0 };

    expect(problemCodes('password1234', member, lenient)).toEqual([]);
    expect(problemCodes('iloveyou', member, lenient)).toEqual(['common_password']);
  });

  it('rejects guessable patterns as too weak', () => {
    expect(checkPassword('Aa1!Aa1!Aa1!', DEFAULT_PASSWORD_POLICY, member)).toEqual([{ code: 'too_weak', params: { score: 1, minStrengthScore: 3 } }]);
    expect(problemCodes('2026-01-01Ab!')).toEqual(['too_weak']);
  });

  it('scores name and year below a passphrase', () => {
    const zhangan = { username: 'zhangan', displayName: '张安' };

    expect(problemCodes('Zhangan2026!', zhangan)).toEqual(['contains_personal_info']);
    expect(problemCodes('vintage Cobalt 93 meadow', zhangan)).toEqual([]);
    // From anyone else it passes: zxcvbn's common lists have no pinyin names and score it 4.
    expect(problemCodes('Zhangan2026!', member)).toEqual([]);
  });

  it.each([
    ['another case', 'Blue#LISI-river42'],
    ['full-width letters', 'Blue#ＬｉＳｉ-river42'],
    ['the display name', 'Blue#李四-river42'],
  ])('rejects the username in %s', (_case, password) => {
    expect(problemCodes(password)).toContain('contains_personal_info');
    expect(problemCodes(password, { username: 'wangwu', displayName: '王五' })).not.toContain('contains_personal_info');
  });

  it('rejects a display name with its spaces removed', () => {
    expect(problemCodes('Tq7#ChenXiao!vR2m', { username: 'chenx', displayName: 'Chen Xiao' })).toContain('contains_personal_info');
  });

  it('rejects the username in l33t spelling by score', () => {
    expect(problemCodes('Zh4ngs4n2026!', { username: 'zhangsan' })).toEqual(['contains_personal_info']);
    expect(problemCodes('Zh4ngs4n2026!', member)).toEqual([]);
  });

  it.each([
    ['the last eight digits', 'Blue#Fox-12345678'],
    ['the whole number with separators', 'Blue#Fox+86 138-1234-5678'],
    ['full-width digits', 'Blue#Fox-１２３４５６７８'],
  ])('rejects the phone as %s', (_case, password) => {
    expect(problemCodes(password, { ...member, phone: '+86 13812345678' })).toContain('contains_personal_info');
    expect(problemCodes(password, { ...member, phone: '13987654321' })).not.toContain('contains_personal_info');
    expect(problemCodes(password, { ...member, phone: null })).not.toContain('contains_personal_info');
  });

  it('compares a short phone whole', () => {
    expect(problemCodes('Blue#Fox-5550123x', { ...member, phone: '555-0123' })).toContain('contains_personal_info');
  });
});

describe('password problem messages', () => {
  it('cover every code in both locales', () => {
    for (const code of PASSWORD_PROBLEM_CODES) {
      expect(PASSWORD_PROBLEM_MESSAGES[code]['zh-CN']).toMatch(/\S/);
      expect(PASSWORD_PROBLEM_MESSAGES[code]['en-US']).toMatch(/\S/);
    }
  });

  it('show the policy numbers', () => {
    const [problem] = checkPassword('Xq7#vR2m!', DEFAULT_PASSWORD_POLICY, member);

    expect(problem).toBeDefined();
    expect(passwordProblemMessage(problem!, 'zh-CN')).toBe('密码至少需要 12 个字符。');
    expect(passwordProblemMessage(problem!, 'en-US')).toBe('The password must have at least 12 characters.');
    expect(passwordProblemMessage({ code: 'too_few_classes', params: { minClasses: 4 } }, 'zh-CN')).toContain('至少 4 类');
    expect(passwordProblemMessage({ code: 'too_weak', params: { score: 1, minStrengthScore: 3 } }, 'zh-CN')).toContain('强度 1/4，至少需要 3');
  });

  it('leave no placeholder for found problems', () => {
    const problems = [
      ...checkPassword('Aa1!', DEFAULT_PASSWORD_POLICY, member),
      ...checkPassword('x'.repeat(129), DEFAULT_PASSWORD_POLICY, member),
      ...checkPassword('Lisi#River42x', DEFAULT_PASSWORD_POLICY, member),
      ...checkPassword('P@ssw0rd1234', DEFAULT_PASSWORD_POLICY, member),
      ...checkPassword('Aa1!Aa1!Aa1!', DEFAULT_PASSWORD_POLICY, member),
    ];

    expect(new Set(problems.map((problem) => problem.code))).toEqual(new Set(PASSWORD_PROBLEM_CODES));
    for (const problem of problems) {
      expect(passwordProblemMessage(problem, 'zh-CN')).not.toMatch(/[{}]/);
      expect(passwordProblemMessage(problem, 'en-US')).not.toMatch(/[{}]/);
    }
  });
});

describe('isPasswordExpired', () => {
  const changedAt = '2026-01-01T00:00:00.000Z';

  it('expires after the maximum age', () => {
    expect(isPasswordExpired(changedAt, DEFAULT_PASSWORD_POLICY, new Date('2026-06-29T00:00:00.000Z'))).toBe(false);
    expect(isPasswordExpired(changedAt, DEFAULT_PASSWORD_POLICY, new Date('2026-06-30T00:00:00.000Z'))).toBe(false);
    expect(isPasswordExpired(changedAt, DEFAULT_PASSWORD_POLICY, new Date('2026-06-30T00:00:00.001Z'))).toBe(true);
  });

  it('never expires with maximum age 0', () => {
    const noExpiry: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, maxAgeDays: 0 };

    expect(isPasswordExpired(changedAt, noExpiry, new Date('2036-01-01T00:00:00.000Z'))).toBe(false);
    expect(isPasswordExpired(null, noExpiry, new Date('2026-01-02T00:00:00.000Z'))).toBe(false);
  });

  it('treats unknown change time as expired', () => {
    expect(isPasswordExpired(null, DEFAULT_PASSWORD_POLICY, new Date('2026-01-02T00:00:00.000Z'))).toBe(true);
    expect(isPasswordExpired('not a date', DEFAULT_PASSWORD_POLICY, new Date('2026-01-02T00:00:00.000Z'))).toBe(true);
  });
});

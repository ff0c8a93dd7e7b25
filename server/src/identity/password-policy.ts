import { type MatchExtended, ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import type { Locale } from '../i18n/index.js';

export interface PasswordPolicy {
  minLength: number;
  /** How many of upper case, lower case, digits and symbols a password must use. */
  minClasses: number;
  /** zxcvbn-ts 4.2 score: 3 means about 10^8 estimated guesses or more, 4 about 10^10 or more. */
  minStrengthScore: 0 | 1 | 2 | 3 | 4;
  /** Earlier passwords that may not be reused, besides the current one. */
  historySize: number;
  /** 0 means passwords never expire. */
  maxAgeDays: number;
}

export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({ minLength: 12, minClasses: 3, minStrengthScore: 3, historySize: 5, maxAgeDays: 180 });

/** Fixed rather than configurable because it bounds the CPU time of the strength estimate. */
export const MAX_PASSWORD_LENGTH = 128;

export const PASSWORD_PROBLEM_CODES = ['too_short', 'too_long', 'too_few_classes', 'contains_personal_info', 'common_password', 'too_weak'] as const;
export type PasswordProblemCode = (typeof PASSWORD_PROBLEM_CODES)[number];

export interface PasswordProblem {
  code: PasswordProblemCode;
  /** Numbers the message shows, such as `{ minLength: 12 }`. */
  params: Readonly<Record<string, number>>;
}

export interface PersonalInfo {
  username: string;
  displayName?: string;
  /** The plain phone number, which the caller decrypts from `users.phone_enc`. */
  phone?: string | null;
}

/** Message templates per problem; `{name}` is filled from the problem's params. */
export const PASSWORD_PROBLEM_MESSAGES: Readonly<Record<PasswordProblemCode, Readonly<Record<Locale, string>>>> = Object.freeze({
  too_short: {
    'zh-CN': '密码至少需要 {minLength} 个字符。',
    'en-US': 'The password must have at least {minLength} characters.',
  },
  too_long: {
    'zh-CN': '密码不能超过 {maxLength} 个字符。',
    'en-US': 'The password must have at most {maxLength} characters.',
  },
  too_few_classes: {
    'zh-CN': '密码需包含大写字母、小写字母、数字和符号中的至少 {minClasses} 类。',
    'en-US': 'The password must use at least {minClasses} of: upper-case letters, lower-case letters, digits and symbols.',
  },
  contains_personal_info: {
    'zh-CN': '密码不能包含您的用户名、姓名或手机号。',
    'en-US': 'The password must not contain your username, name or phone number.',
  },
  common_password: {
    'zh-CN': '该密码是常见密码或以常见密码为主体，很容易被猜中，请换一个。',
    'en-US': 'This password is, or is built on, a commonly used password and is easy to guess. Choose another.',
  },
  too_weak: {
    'zh-CN': '密码太容易被猜中（强度 {score}/4，至少需要 {minStrengthScore}）。请使用更长的随机密码，或由几个不相关的词组成的短语。',
    'en-US': 'The password is too easy to guess (strength {score}/4, at least {minStrengthScore} required). Use a longer random password or a phrase of several unrelated words.',
  },
});

export function passwordProblemMessage(problem: PasswordProblem, locale: Locale): string {
  return PASSWORD_PROBLEM_MESSAGES[problem.code][locale].replace(/\{(\w+)\}/g, (placeholder, name: string) => String(problem.params[name] ?? placeholder));
}

/**
 * Checks a proposed password against the policy and returns every problem found, in the order
 * of `PASSWORD_PROBLEM_CODES`. An empty list means the password is acceptable.
 */
export function checkPassword(password: string, policy: PasswordPolicy, personal: PersonalInfo): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;

  if (length < policy.minLength) {
    problems.push({ code: 'too_short', params: { minLength: policy.minLength } });
  }
  if (length > MAX_PASSWORD_LENGTH) {
    problems.push({ code: 'too_long', params: { maxLength: MAX_PASSWORD_LENGTH } });
  }
  if (countCharacterClasses(password) < policy.minClasses) {
    problems.push({ code: 'too_few_classes', params: { minClasses: policy.minClasses } });
  }
  if (containsPersonalInfo(password, personal)) {
    problems.push({ code: 'contains_personal_info', params: {} });
  }

  // zxcvbn's matching grows faster than linearly with length, so an over-long input is not
  // estimated. At 128 l33t-heavy characters it already took about 0.2 s on a 2-core VM.
  if (length <= MAX_PASSWORD_LENGTH) {
    for (const problem of strengthProblems(password, policy, personal)) {
      if (!problems.some((found) => found.code === problem.code)) {
        problems.push(problem);
      }
    }
  }
  return problems.sort((a, b) => PASSWORD_PROBLEM_CODES.indexOf(a.code) - PASSWORD_PROBLEM_CODES.indexOf(b.code));
}

// The same four classes as web/src/features/auth/password-policy.ts, so non-ASCII letters count as symbols.
const CHARACTER_CLASSES = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/];

function countCharacterClasses(password: string): number {
  return CHARACTER_CLASSES.filter((pattern) => pattern.test(password)).length;
}

/** Folds full-width forms and case, so `ＺｈａｎｇＳａｎ` contains `zhangsan`. */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function containsText(password: string, needle: string): boolean {
  return password.toLowerCase().includes(needle.toLowerCase()) || fold(password).includes(fold(needle));
}

function containsPersonalInfo(password: string, { username, displayName, phone }: PersonalInfo): boolean {
  const names = [username.trim()];
  if (displayName) {
    names.push(displayName.trim(), displayName.replace(/\s+/g, ''));
  }
  // One-letter names would match most passwords, and the username pattern already requires two.
  if (names.some((name) => [...name].length >= 2 && containsText(password, name))) {
    return true;
  }

  const phoneNeedle = phoneDigits(phone).slice(-8);
  // Separators are dropped on both sides, so `138-1234-5678` in a password still matches.
  return phoneNeedle.length > 0 && fold(password).replace(/\D/g, '').includes(phoneNeedle);
}

function phoneDigits(phone: string | null | undefined): string {
  return (phone ?? '').normalize('NFKC').replace(/\D/g, '');
}

// Built on first use because ranking the dictionaries takes tens of milliseconds.
let estimator: ZxcvbnFactory | undefined;

function strengthEstimator(): ZxcvbnFactory {
  // NOTE: language-common's word lists are English-centric and have no pinyin names, so
  // `Zhangan2026!` gets the top score 4 unless it contains the member's own username.
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator;
}

const COMMON_DICTIONARY_NAMES: ReadonlySet<string> = new Set(Object.keys(dictionary));

function isDictionaryMatch(match: MatchExtended, names: (name: string) => boolean): boolean {
  return match.pattern === 'dictionary' && typeof match.dictionaryName === 'string' && names(match.dictionaryName);
}

/**
 * Runs zxcvbn and names the cause of a low score. A word from the common-password lists gives
 * `common_password`, and the member's own name or phone gives `contains_personal_info` (this also
 * catches l33t spellings, which the substring check misses). Anything else, such as a repeat, a
 * keyboard walk or a date, gives `too_weak`.
 */
function strengthProblems(password: string, policy: PasswordPolicy, personal: PersonalInfo): PasswordProblem[] {
  const userInputs = [personal.username, personal.displayName ?? '', phoneDigits(personal.phone)].filter((input) => input.length >= 2);
  const result = strengthEstimator().check(password, userInputs);

  const commonMatches = result.sequence.filter((match) => isDictionaryMatch(match, (name) => COMMON_DICTIONARY_NAMES.has(name)));
  const personalMatches = result.sequence.filter((match) => isDictionaryMatch(match, (name) => name === 'userInputs'));

  // A password that is itself on a common list is rejected even under a lenient minimum score.
  const isListedPassword = result.sequence.length === 1 && commonMatches.length === 1;
  if (result.score >= policy.minStrengthScore && !isListedPassword) {
    return [];
  }

  const problems: PasswordProblem[] = [];
  if (commonMatches.length > 0) {
    problems.push({ code: 'common_password', params: {} });
  }
  if (personalMatches.length > 0) {
    problems.push({ code: 'contains_personal_info', params: {} });
  }
  if (problems.length === 0) {
    problems.push({ code: 'too_weak', params: { score: result.score, minStrengthScore: policy.minStrengthScore } });
  }
  return problems;
}

/**
 * Tells whether a password set at `passwordChangedAt` is older than the policy's maximum age.
 * An unknown or unreadable change time counts as expired, because its age cannot be shown to be
 * within the limit.
 */
export function isPasswordExpired(passwordChangedAt: string | null, policy: PasswordPolicy, now: Date): boolean {
  if (policy.maxAgeDays <= 0) {
    return false;
  }

  const changedAt = passwordChangedAt === null ? Number.NaN : Date.parse(passwordChangedAt);
  if (Number.isNaN(changedAt)) {
    return true;
  }
  return now.getTime() - changedAt > policy.maxAgeDays * 24 * 60 * 60 * 1000;
}

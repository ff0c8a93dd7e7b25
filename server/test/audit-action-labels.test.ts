import { describe, expect, it } from 'vitest';
import { enUS } from '../../web/src/i18n/messages/en-US.js';
import { zhCN } from '../../web/src/i18n/messages/zh-CN.js';
import { AUDIT_ACTIONS } from '../src/audit/audit.types.js';

// The audit page shows an action without a label as its raw code, so a new action needs both labels.
describe('audit action labels', () => {
  it.each([
    ['zh-CN', zhCN as Record<string, string>],
    ['en-US', enUS as Record<string, string>],
  ])('names every action in %s', (_locale, messages) => {
    const missing = AUDIT_ACTIONS.filter((action) => !Object.hasOwn(messages, `audit.action.${action}`));

    expect(missing).toEqual([]);
  });
});

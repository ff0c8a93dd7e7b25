import type { Locale } from '../i18n/index.js';
import type { ChainProblem } from './chain.js';

/** Meaning of each verification problem, for people reading the command line's output. */
const PROBLEM_TEXT: Record<ChainProblem, Record<Locale, string>> = {
  hash_mismatch: { 'zh-CN': '事件内容与其哈希不符，内容已被改动', 'en-US': "the event's content does not match its hash, so it was changed" },
  link_broken: { 'zh-CN': '事件未链接到前一事件的哈希，有事件被插入、删除或调换', 'en-US': "the event does not link to the previous event's hash, so events were inserted, removed or reordered" },
  sequence_gap: { 'zh-CN': '事件序号缺失，有事件被删除', 'en-US': 'a sequence number is missing, so events were deleted' },
  head_mismatch: { 'zh-CN': '链头记录与最后一个事件不符', 'en-US': 'the recorded chain head does not match the last event' },
  checkpoint_mismatch: { 'zh-CN': '链哈希与已签名的检查点或归档清单不符', 'en-US': 'the chain hash differs from a signed checkpoint or archive manifest' },
  checkpoint_signature_invalid: { 'zh-CN': '检查点或归档清单的签名无效', 'en-US': 'a checkpoint or archive manifest has an invalid signature' },
  truncated: { 'zh-CN': '已签名检查点覆盖的末尾事件缺失，日志被截断', 'en-US': 'events at the end that a signed checkpoint covers are missing, so the log was truncated' },
};

export function describeProblem(problem: ChainProblem, locale: Locale): string {
  return PROBLEM_TEXT[problem][locale];
}

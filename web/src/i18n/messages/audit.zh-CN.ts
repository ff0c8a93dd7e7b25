/** Chinese text of the audit page's address filter, event hashes, export and chain verification. */
export const auditZhCN = {
  'audit.filter.ip': 'IP 地址',
  'audit.filter.ipHint': '输入完整的 IP 地址精确匹配，或以 * 结尾按前缀匹配，例如 10.0.3.*',
  'audit.filter.ipInvalid': '请输入 IP 地址或以 * 结尾的前缀',

  'audit.event.prevHash': '前一事件哈希',
  'audit.event.hash': '本事件哈希',

  'audit.export.xlsx': '导出 Excel',
  'audit.export.csv': '导出 CSV',
  'audit.export.running': '正在导出…',
  'audit.export.hint': '导出当前筛选条件下的全部事件（最多 100000 条）。导出前须再次验证身份，导出本身也会记入审计日志。',
  'audit.export.saved': '已导出 {count} 条事件：{fileName}',
  'audit.export.savedFile': '已导出：{fileName}',
  'audit.export.failed': '导出失败：{reason}',

  'audit.verify.run': '校验日志完整性',
  'audit.verify.running': '正在校验…',
  'audit.verify.intact': '审计日志完整：已校验 {checked} 条事件，未发现篡改。',
  'audit.verify.brokenAt': '审计日志已被篡改：第一个有问题的事件是 #{seq}（已校验 {checked} 条事件）。',
  'audit.verify.broken': '审计日志已被篡改（已校验 {checked} 条事件）。',
  'audit.verify.checkpoints': '已核对 {checked} 个签名检查点，最新检查点截至事件 #{lastSeq}。',
  'audit.verify.noCheckpoints': '尚无签名检查点。',
  'audit.verify.problem.hash_mismatch': '事件内容与其哈希值不符，事件被修改过',
  'audit.verify.problem.link_broken': '事件与前一事件的哈希链接断开，可能有事件被插入或调换',
  'audit.verify.problem.sequence_gap': '事件序号不连续，有事件被删除',
  'audit.verify.problem.head_mismatch': '链头与最后一条事件不符，日志末尾可能被截断',
  'audit.verify.problem.checkpoint_mismatch': '签名检查点记录的链哈希与日志不符',
  'audit.verify.problem.checkpoint_signature_invalid': '检查点的签名无效',
  'audit.verify.problem.truncated': '日志比已签名的检查点短，末尾事件被删除',

  'audit.action.audit.verified': '校验审计日志',
  'audit.action.audit.event_viewed': '查看审计事件详情',
  'audit.action.audit.exported': '导出审计日志',
  'audit.action.audit.checkpoint_signed': '签署检查点',
  'audit.action.audit.checkpoints_exported': '导出检查点',
  'audit.action.audit.archived': '归档审计事件',
} satisfies Record<string, string>;

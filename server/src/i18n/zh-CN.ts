import type { Messages } from './locale.js';

export const zhCN: Messages = {
  errors: {
    validation_failed: '输入内容有误，请检查标出的字段。',
    unauthenticated: '请先登录。',
    forbidden: '您没有执行此操作的权限。',
    not_found: '未找到该记录，或您无权访问。',
    csrf_invalid: '页面安全令牌已失效，请刷新页面后重试。',
    invalid_credentials: '用户名或密码错误。',
    account_locked: '账号因多次登录失败已被临时锁定，请稍后再试或联系系统管理员。',
    rate_limited: '请求过于频繁，请稍后再试。',
    reason_required: '查看敏感信息必须填写原因（至少 {min} 个字）。',
    field_not_revealable: '该字段不能显示明文。',
    setup_not_needed: '系统已完成初始化，无需再次设置。',
    setup_token_invalid: '初始化链接无效或已过期，请重新运行 npx ledgerguard init 获取新链接。',
    password_too_weak: '密码强度不足：至少 {min} 位，且包含大写字母、小写字母、数字和符号中的至少三类。',
    username_taken: '该用户名已被使用。',
    import_file_missing: '请上传 .xlsx 或 .csv 格式的客户花名册文件。',
    import_file_too_large: '文件过大，最大 {maxMb} MB。',
    roster_file_unsupported: '不支持的文件类型，请上传 .xlsx 或 .csv 文件。',
    roster_file_unreadable: '无法读取该文件，请确认文件未损坏且为 Excel 或 CSV 格式。',
    roster_file_empty: '文件中没有数据。',
    roster_header_not_found: '未找到表头行：表头中至少需要“客户名称”和“统一社会信用代码”两列。',
    import_failed: '导入失败，未写入任何客户数据。',
    internal_error: '服务器内部错误，请稍后再试。',
  },
  text: {
    'setup.link': '首次启动：请在 24 小时内打开以下链接，创建第一个系统管理员账号：',
  },
};

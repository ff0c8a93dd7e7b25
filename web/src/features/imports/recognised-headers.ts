import type { MessageKey } from '../../i18n/index.js';

export interface RecognisedHeader {
  field: MessageKey;
  required: boolean;
  /** Column titles as they appear in roster files. They are file content, so they stay the same in every UI language. */
  headers: readonly string[];
}

/**
 * The column titles the server's roster reader maps to each field, most common first. The server
 * also ignores spaces, `*`, colons and bracketed remarks, so `*客户名称（必填）` counts as 客户名称.
 * NOTE: this is a copy of the server's alias table for display. The server's table decides.
 */
export const RECOGNISED_HEADERS: readonly RecognisedHeader[] = [
  { field: 'clientField.name', required: true, headers: ['客户名称', '公司名称', '企业名称', '单位名称', '纳税人名称'] },
  { field: 'clientField.uscc', required: true, headers: ['统一社会信用代码', '纳税人识别号', '社会信用代码', '税号', '信用代码'] },
  { field: 'clientField.taxpayerType', required: false, headers: ['纳税人类型', '纳税人资格', '纳税性质'] },
  { field: 'clientField.registeredAddress', required: false, headers: ['注册地址', '地址', '经营地址'] },
  { field: 'clientField.registeredCapital', required: false, headers: ['注册资本'] },
  { field: 'clientField.legalRepName', required: false, headers: ['法定代表人', '法人', '法人代表', '负责人'] },
  { field: 'clientField.legalRepIdNumber', required: false, headers: ['法定代表人身份证号', '法人身份证号', '身份证号', '证件号码'] },
  { field: 'clientField.contactName', required: false, headers: ['联系人', '财务联系人', '办税人'] },
  { field: 'clientField.contactPhone', required: false, headers: ['联系电话', '手机', '手机号', '电话', '联系方式'] },
  { field: 'clientField.bankName', required: false, headers: ['开户银行', '开户行', '银行'] },
  { field: 'clientField.bankAccount', required: false, headers: ['银行账号', '开户账号', '基本户账号', '账号'] },
  { field: 'clientField.taxBureau', required: false, headers: ['主管税务机关', '税务机关', '主管税局', '税务局'] },
  { field: 'clientField.serviceStart', required: false, headers: ['服务开始日期', '合同开始日期', '开始日期'] },
  { field: 'clientField.serviceEnd', required: false, headers: ['服务结束日期', '合同到期日', '到期日期'] },
  { field: 'clientField.lastYearRevenue', required: false, headers: ['上年营业收入', '营业收入', '年收入'] },
  { field: 'clientField.notes', required: false, headers: ['备注', '说明'] },
  { field: 'clientField.confidentialNotes', required: false, headers: ['保密备注', '机密备注'] },
  { field: 'clientField.department', required: false, headers: ['所属部门', '部门', '负责部门'] },
  { field: 'clientField.assignee', required: false, headers: ['负责会计', '记账会计', '主办会计', '会计'] },
];

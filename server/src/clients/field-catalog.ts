/**
 * The field catalog of a client company: every field a bookkeeping roster carries, with its
 * classification. Category decides who may see a field at all; protection decides how it is
 * stored and shown. Personal information that GB/T 35273 treats as sensitive (resident ID
 * number, bank account, a natural person's phone number) is encrypted and masked even where its
 * category is `basic`.
 */

export type FieldCategory = 'basic' | 'financial' | 'sensitive';
export type FieldProtection = 'plain' | 'masked' | 'encrypted';
export type MaskRule = 'none' | 'id_number' | 'mobile' | 'bank_account' | 'person_name' | 'full';
export type FieldType = 'text' | 'date' | 'enum' | 'money';

export interface FieldDefinition {
  readonly key: ClientFieldKey;
  readonly column: string;
  readonly category: FieldCategory;
  readonly protection: FieldProtection;
  readonly mask: MaskRule;
  readonly type: FieldType;
  /** Exact-value search; encrypted fields get a keyed blind index instead of a plaintext column. */
  readonly searchable: boolean;
  readonly required: boolean;
  readonly label: { readonly 'zh-CN': string; readonly 'en-US': string };
}

export const CLIENT_FIELD_KEYS = [
  'name',
  'uscc',
  'taxpayerType',
  'registeredAddress',
  'registeredCapital',
  'legalRepName',
  'legalRepIdNumber',
  'contactName',
  'contactPhone',
  'bankName',
  'bankAccount',
  'taxBureau',
  'serviceStart',
  'serviceEnd',
  'lastYearRevenue',
  'notes',
  'confidentialNotes',
] as const;

export type ClientFieldKey = (typeof CLIENT_FIELD_KEYS)[number];

export const TAXPAYER_TYPES = ['一般纳税人', '小规模纳税人'] as const;
export type TaxpayerType = (typeof TAXPAYER_TYPES)[number];

function field(definition: FieldDefinition): FieldDefinition {
  return Object.freeze(definition);
}

export const CLIENT_FIELDS: readonly FieldDefinition[] = Object.freeze([
  field({ key: 'name', column: 'name', category: 'basic', protection: 'plain', mask: 'none', type: 'text', searchable: true, required: true, label: { 'zh-CN': '客户名称', 'en-US': 'Company name' } }),
  field({ key: 'uscc', column: 'uscc', category: 'basic', protection: 'plain', mask: 'none', type: 'text', searchable: true, required: true, label: { 'zh-CN': '统一社会信用代码', 'en-US': 'Unified social credit code' } }),
  field({ key: 'taxpayerType', column: 'taxpayer_type', category: 'basic', protection: 'plain', mask: 'none', type: 'enum', searchable: false, required: false, label: { 'zh-CN': '纳税人类型', 'en-US': 'Taxpayer type' } }),
  field({ key: 'registeredAddress', column: 'registered_address', category: 'basic', protection: 'plain', mask: 'none', type: 'text', searchable: false, required: false, label: { 'zh-CN': '注册地址', 'en-US': 'Registered address' } }),
  field({ key: 'registeredCapital', column: 'registered_capital', category: 'basic', protection: 'plain', mask: 'none', type: 'money', searchable: false, required: false, label: { 'zh-CN': '注册资本（万元）', 'en-US': 'Registered capital (10k CNY)' } }),
  field({ key: 'legalRepName', column: 'legal_rep_name', category: 'basic', protection: 'plain', mask: 'person_name', type: 'text', searchable: false, required: false, label: { 'zh-CN': '法定代表人', 'en-US': 'Legal representative' } }),
  field({ key: 'legalRepIdNumber', column: 'legal_rep_id_number', category: 'sensitive', protection: 'encrypted', mask: 'id_number', type: 'text', searchable: true, required: false, label: { 'zh-CN': '法定代表人身份证号', 'en-US': 'Legal representative ID number' } }),
  field({ key: 'contactName', column: 'contact_name', category: 'basic', protection: 'plain', mask: 'person_name', type: 'text', searchable: false, required: false, label: { 'zh-CN': '联系人', 'en-US': 'Contact person' } }),
  field({ key: 'contactPhone', column: 'contact_phone', category: 'basic', protection: 'encrypted', mask: 'mobile', type: 'text', searchable: true, required: false, label: { 'zh-CN': '联系电话', 'en-US': 'Contact phone' } }),
  field({ key: 'bankName', column: 'bank_name', category: 'financial', protection: 'plain', mask: 'none', type: 'text', searchable: false, required: false, label: { 'zh-CN': '开户银行', 'en-US': 'Bank' } }),
  field({ key: 'bankAccount', column: 'bank_account', category: 'financial', protection: 'encrypted', mask: 'bank_account', type: 'text', searchable: true, required: false, label: { 'zh-CN': '银行账号', 'en-US': 'Bank account number' } }),
  field({ key: 'taxBureau', column: 'tax_bureau', category: 'basic', protection: 'plain', mask: 'none', type: 'text', searchable: false, required: false, label: { 'zh-CN': '主管税务机关', 'en-US': 'Tax bureau' } }),
  field({ key: 'serviceStart', column: 'service_start', category: 'basic', protection: 'plain', mask: 'none', type: 'date', searchable: false, required: false, label: { 'zh-CN': '服务开始日期', 'en-US': 'Service start date' } }),
  field({ key: 'serviceEnd', column: 'service_end', category: 'basic', protection: 'plain', mask: 'none', type: 'date', searchable: false, required: false, label: { 'zh-CN': '服务结束日期', 'en-US': 'Service end date' } }),
  field({ key: 'lastYearRevenue', column: 'last_year_revenue', category: 'financial', protection: 'plain', mask: 'none', type: 'money', searchable: false, required: false, label: { 'zh-CN': '上年营业收入（万元）', 'en-US': 'Revenue last year (10k CNY)' } }),
  field({ key: 'notes', column: 'notes', category: 'basic', protection: 'plain', mask: 'none', type: 'text', searchable: false, required: false, label: { 'zh-CN': '备注', 'en-US': 'Notes' } }),
  field({ key: 'confidentialNotes', column: 'confidential_notes', category: 'sensitive', protection: 'encrypted', mask: 'full', type: 'text', searchable: false, required: false, label: { 'zh-CN': '保密备注', 'en-US': 'Confidential notes' } }),
]);

const byKey = new Map(CLIENT_FIELDS.map((definition) => [definition.key, definition]));

export function findClientField(key: string): FieldDefinition | undefined {
  return byKey.get(key as ClientFieldKey);
}

/** Plain values of one client company, after cleaning and validation; dates as YYYY-MM-DD. */
export type ClientInput = { name: string; uscc: string } & Partial<Record<Exclude<ClientFieldKey, 'name' | 'uscc'>, string>>;

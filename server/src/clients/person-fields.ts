import type { FieldCategory, FieldProtection, MaskRule } from './field-catalog.js';

/** Fields of a person linked to a client company (an officer, a tax filer, a shareholder). */
export interface PersonFieldDefinition {
  readonly key: PersonFieldKey;
  readonly column: string;
  readonly category: FieldCategory;
  readonly protection: FieldProtection;
  readonly mask: MaskRule;
  readonly label: { readonly 'zh-CN': string; readonly 'en-US': string };
}

export type PersonFieldKey = 'name' | 'idNumber' | 'phone';

export const PERSON_FIELDS: Readonly<Record<PersonFieldKey, PersonFieldDefinition>> = Object.freeze({
  name: { key: 'name', column: 'name', category: 'basic', protection: 'plain', mask: 'person_name', label: { 'zh-CN': '姓名', 'en-US': 'Name' } },
  idNumber: { key: 'idNumber', column: 'id_number', category: 'sensitive', protection: 'encrypted', mask: 'id_number', label: { 'zh-CN': '身份证号', 'en-US': 'ID number' } },
  phone: { key: 'phone', column: 'phone', category: 'basic', protection: 'encrypted', mask: 'mobile', label: { 'zh-CN': '手机号', 'en-US': 'Mobile' } },
});

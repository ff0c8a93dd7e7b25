import type { RosterField } from './roster.parse.js';
import type { RowErrorCode } from './roster.validate.js';

/** Row problems found while resolving a row against the database, beside the cell checks. */
export type ImportRowCode = RowErrorCode | 'duplicate_in_file' | 'department_unknown' | 'department_out_of_scope' | 'assignee_unknown' | 'assignee_not_eligible';

export interface Rejection {
  readonly row: number;
  readonly column: string;
  readonly field: RosterField | '';
  readonly code: ImportRowCode;
}

export type ImportPhase = 'parsing' | 'validating' | 'writing' | 'done';

export interface ImportJobState {
  id: string;
  fileName: string;
  status: 'running' | 'done' | 'failed';
  phase: ImportPhase;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
  total: number;
  processed: number;
  accepted: number;
  created: number;
  duplicates: number;
  rejected: number;
  errorCode: string | null;
  rejections: Rejection[];
}

export const IMPORT_ROW_MESSAGES: Readonly<Record<Exclude<ImportRowCode, RowErrorCode>, { 'zh-CN': string; 'en-US': string }>> = Object.freeze({
  duplicate_in_file: { 'zh-CN': '统一社会信用代码与文件中前面的行重复，本行未导入。', 'en-US': 'The unified social credit code repeats an earlier row of the file; this row was not imported.' },
  department_unknown: { 'zh-CN': '所属部门不存在，请先在系统中建立该部门或修改部门名称。', 'en-US': 'The department does not exist. Create it first or correct its name.' },
  department_out_of_scope: { 'zh-CN': '您只能向自己管理的部门导入客户。', 'en-US': 'You can import clients only into departments you manage.' },
  assignee_not_eligible: { 'zh-CN': '负责人员不能负责此客户：只能指定本部门内负责具体客户的员工（如记账会计、记账助理、工商专员）。', 'en-US': 'This staff member cannot be assigned: name staff of your departments who work on assigned clients (bookkeepers, assistants, registration agents).' },
  assignee_unknown: { 'zh-CN': '负责会计不是系统中的员工（请填写用户名或姓名）。', 'en-US': 'The assigned accountant is not a staff account (give a username or display name).' },
});

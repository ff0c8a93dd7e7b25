import type { RoleKey } from '../access/index.js';

/** The demo firm's department tree: the firm at the root, its six departments below. */
export const DEMO_FIRM = '上海账安财务咨询有限公司';
export const DEMO_DEPARTMENTS = ['记账一部', '记账二部', '税务部', '工商部', '客服部', '审计部'] as const;

/**
 * Demo-only password of every demo account. It is printed, listed in the README and written to
 * data/demo/accounts.json; a real firm never runs the demo on its production data folder.
 */
export const DEMO_PASSWORD = 'Zhangan-Demo-2026!';

export interface DemoAccount {
  username: string;
  displayName: string;
  roles: RoleKey[];
  /** Department name, or the firm for firm-wide roles. */
  department: string;
  /** Mobile number for SMS codes (demo numbers in the 170 virtual-operator range). */
  phone?: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'sysadmin', displayName: '孙建国', roles: ['system_admin'], department: DEMO_FIRM },
  { username: 'secadmin', displayName: '钱安宁', roles: ['security_admin'], department: DEMO_FIRM },
  { username: 'auditor', displayName: '周审之', roles: ['audit_admin'], department: '审计部' },
  { username: 'partner', displayName: '赵合伙', roles: ['partner'], department: DEMO_FIRM },
  { username: 'manager1', displayName: '李经理', roles: ['department_manager'], department: '记账一部' },
  { username: 'manager2', displayName: '吴经理', roles: ['department_manager'], department: '记账二部' },
  { username: 'bookkeeper1', displayName: '王会计', roles: ['bookkeeper'], department: '记账一部', phone: '17000000003' },
  { username: 'bookkeeper2', displayName: '张会计', roles: ['bookkeeper'], department: '记账一部' },
  { username: 'bookkeeper3', displayName: '刘会计', roles: ['bookkeeper'], department: '记账二部' },
  { username: 'bookkeeper4', displayName: '陈会计', roles: ['bookkeeper'], department: '记账二部' },
  { username: 'taxclerk', displayName: '黄税务', roles: ['bookkeeper'], department: '税务部' },
  { username: 'assistant1', displayName: '杨助理', roles: ['assistant'], department: '记账一部' },
  { username: 'assistant2', displayName: '朱助理', roles: ['assistant'], department: '记账二部' },
  { username: 'service1', displayName: '林客服', roles: ['customer_service'], department: '客服部', phone: '17000000001' },
  { username: 'registrar1', displayName: '何工商', roles: ['registration_agent'], department: '工商部', phone: '17000000002' },
  { username: 'contact1', displayName: '客户联系人演示', roles: ['client_contact'], department: DEMO_FIRM },
];

/** Usernames the roster names as 负责会计, per department. */
export const DEMO_ASSIGNEES: Readonly<Record<string, readonly string[]>> = {
  记账一部: ['bookkeeper1', 'bookkeeper2'],
  记账二部: ['bookkeeper3', 'bookkeeper4'],
  税务部: ['taxclerk'],
};

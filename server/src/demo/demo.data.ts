/**
 * Deterministic demo data: client companies of a Shanghai bookkeeping agency, with valid
 * identifiers, and a roster workbook of them as firms keep it (title above the header, messy
 * but valid cells). The same seed always gives the same clients.
 */
import ExcelJS from 'exceljs';
import type { ClientInput } from '../clients/field-catalog.js';
import { luhnCheckDigit, residentIdCheckChar, usccCheckChar } from '../clients/identifiers.js';

export interface GeneratedClient {
  client: ClientInput;
  department: string;
  assignees: string[];
}

export interface GenerateClientsOptions {
  count: number;
  seed: number;
  departments: readonly string[];
  /** Staff usernames or display names per department. Clients of a department without staff get none. */
  assigneesByDepartment: Readonly<Record<string, readonly string[]>>;
}

interface District {
  readonly name: string;
  readonly shortName: string;
  /** GB/T 2260 administrative division code. */
  readonly code: string;
  readonly roads: readonly string[];
}

const DISTRICTS: readonly District[] = [
  ['黄浦区', '黄浦', '310101', '南京东路 淮海中路 西藏中路 河南南路 复兴东路 中山南路'],
  ['徐汇区', '徐汇', '310104', '漕溪北路 肇嘉浜路 虹桥路 宜山路 田林路 龙华中路'],
  ['长宁区', '长宁', '310105', '延安西路 天山路 仙霞路 长宁路 娄山关路 遵义路'],
  ['静安区', '静安', '310106', '南京西路 江宁路 共和新路 北京西路 延长中路 万荣路'],
  ['普陀区', '普陀', '310107', '中山北路 曹杨路 真北路 武宁路 大渡河路 长寿路'],
  ['虹口区', '虹口', '310109', '四川北路 曲阳路 东大名路 海伦路 大连西路 西江湾路'],
  ['杨浦区', '杨浦', '310110', '国定路 控江路 黄兴路 长阳路 政立路 淞沪路'],
  ['闵行区', '闵行', '310112', '七莘路 沪闵路 吴中路 虹井路 都市路 莘松路'],
  ['宝山区', '宝山', '310113', '牡丹江路 友谊路 宝杨路 长江西路 蕰川路 沪太路'],
  ['嘉定区', '嘉定', '310114', '城中路 博乐路 嘉松北路 叶城路 曹安公路 墨玉南路'],
  ['浦东新区', '浦东', '310115', '张杨路 世纪大道 陆家嘴环路 浦东南路 张江路 碧波路 金桥路 川沙路'],
  ['金山区', '金山', '310116', '卫清西路 龙航路 蒙山路 金山大道 杭州湾大道'],
  ['松江区', '松江', '310117', '人民北路 中山中路 荣乐东路 新松江路 思贤路 文诚路'],
  ['青浦区', '青浦', '310118', '公园路 外青松公路 城中北路 盈港东路 崧泽大道'],
  ['奉贤区', '奉贤', '310120', '解放东路 望园路 金海公路 环城东路 育秀路 南桥路'],
  ['崇明区', '崇明', '310151', '八一路 东门路 陈海公路 北沿公路'],
].map(([name, shortName, code, roads]) => ({ name: name!, shortName: shortName!, code: code!, roads: roads!.split(' ') }));

// Birthplaces outside Shanghai, as GB/T 2260 codes, for legal representatives from elsewhere.
const OTHER_AREA_CODES = '110105 120101 320102 320583 330106 340104 350102 360102 370102 410105 420106 430104 510107'.split(' ');

const BRAND_CHARS = [...'恒信华鑫瑞达宏泰锦诚博润盛安嘉德丰海利联明启荣祥新兴旭耀永源远卓智中志众佳金凯康力隆美铭宁鹏奇晟天通万伟翔鸿辉晨创峰航谷'];
const INDUSTRIES = [
  '商贸', '信息科技', '电子科技', '餐饮管理', '建筑工程', '装饰工程', '广告', '物流', '企业管理咨询', '贸易',
  '文化传播', '国际货运代理', '机械设备', '网络科技', '生物科技', '实业', '服饰', '化工', '医疗器械', '供应链管理',
];
const SURNAMES = '王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 蒋 蔡 余 杜 叶 程 魏 苏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 方 白 邹 孟 熊 秦 邱 江 尹 薛 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 戴 莫 孔 汤 欧阳 上官'.split(' ');
const GIVEN_NAME_CHARS = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力鹏飞斌宇浩凯晨欣怡婷雪琳晓东海峰波俊杨雯佳子轩然梓涵一诺思远天佑嘉懿'];
const BANKS: readonly (readonly [string, string])[] = [
  ['中国工商银行', '622202'], ['中国建设银行', '621700'], ['中国农业银行', '622848'], ['中国银行', '621661'],
  ['交通银行', '622262'], ['招商银行', '622588'], ['上海浦东发展银行', '622521'], ['上海银行', '622892'],
  ['兴业银行', '622909'], ['中信银行', '622690'],
];
const MOBILE_PREFIXES = '130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 176 177 180 181 182 183 185 186 187 188 189 191 198 199'.split(' ');
const CAPITALS = [10, 30, 50, 100, 100, 100, 200, 300, 500, 1000, 2000];
const NOTES = ['按季申报', '需提供纸质凭证原件', '老板习惯微信沟通', '年报已完成', '每月10日前交票', '有出口退税业务', '账务由前任代账公司移交', '社保公积金代缴'];
const CONFIDENTIAL_NOTES = ['法定代表人涉及股权纠纷，勿对外透露', '拟于明年转让全部股权', '存在境外收入线索，待核实', '实际控制人与登记法定代表人不一致'];

/** Generates `count` client companies with unique names and credit codes. */
export function generateClients({ count, seed, departments, assigneesByDepartment }: GenerateClientsOptions): GeneratedClient[] {
  if (departments.length === 0) {
    throw new RangeError('generateClients needs at least one department');
  }

  const random = new SeededRandom(seed);
  const names = new Set<string>();
  const usccs = new Set<string>();
  const clients: GeneratedClient[] = [];

  for (let i = 0; i < count; i++) {
    const district = random.pick(DISTRICTS);
    const department = random.pick(departments);
    clients.push({
      client: generateClient(random, { index: i, district, names, usccs }),
      department,
      assignees: pickAssignees(random, assigneesByDepartment[department] ?? []),
    });
  }
  return clients;
}

function generateClient(
  random: SeededRandom,
  { index, district, names, usccs }: { index: number; district: District; names: Set<string>; usccs: Set<string> },
): ClientInput {
  const generalTaxpayer = random.chance(0.3);
  const road = random.pick(district.roads);
  const [bank, bin] = random.pick(BANKS);
  const branch = random.chance(0.5) ? district.shortName : road;
  const serviceStart = randomServiceStart(random);

  const client: ClientInput = {
    name: uniqueCompanyName(random, names),
    uscc: uniqueUscc(random, district, usccs),
    taxpayerType: generalTaxpayer ? '一般纳税人' : '小规模纳税人',
    registeredAddress: randomAddress(random, district, road),
    registeredCapital: String(random.pick(CAPITALS)),
    legalRepName: randomPersonName(random),
    // Every 37th legal representative gets an X check character, so even a small demo has some.
    legalRepIdNumber: randomResidentId(random, index % 37 === 0),
    contactName: randomPersonName(random),
    contactPhone: random.chance(0.85) ? randomMobile(random) : `021-${random.int(3, 6)}${random.digits(7)}`,
    bankName: `${bank}上海${branch}支行`,
    bankAccount: withLuhnDigit(bin + random.digits(12)),
    taxBureau: `国家税务总局上海市${district.name}税务局`,
    serviceStart,
  };

  if (random.chance(0.6)) {
    client.serviceEnd = addYearsMinusOneDay(serviceStart, random.int(1, 3));
  }
  if (random.chance(0.9)) {
    // Small-scale taxpayers stay under the 5 million CNY threshold of annual taxable sales.
    const revenue = generalTaxpayer ? random.int(30_000, 800_000) : random.int(500, 48_000);
    client.lastYearRevenue = String(revenue / 100);
  }
  if (random.chance(0.5)) {
    client.notes = random.pick(NOTES);
  }
  if (random.chance(0.04)) {
    client.confidentialNotes = random.pick(CONFIDENTIAL_NOTES);
  }
  return client;
}

function uniqueCompanyName(random: SeededRandom, taken: Set<string>): string {
  // Two-character brands give 60 × 59 × 20 names. Once most are taken, brands grow a character.
  for (let attempt = 0; ; attempt++) {
    const brandLength = attempt < 10 ? 2 : 3;
    const brand = randomBrand(random, brandLength);
    const name = `上海${brand}${random.pick(INDUSTRIES)}有限公司`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

const USCC_CODE_CHARS = [...'0123456789ABCDEFGHJKLMNPQRTUWXY'];

function randomBrand(random: SeededRandom, length: number): string {
  let brand = '';
  while (brand.length < length) {
    const char = random.pick(BRAND_CHARS);
    if (!brand.includes(char)) brand += char;
  }
  return brand;
}

function uniqueUscc(random: SeededRandom, district: District, taken: Set<string>): string {
  for (;;) {
    // 9 = registered by market regulation, 1 = enterprise. Companies founded since 2015 get
    // organisation codes beginning MA.
    const organisation = `MA${Array.from({ length: 7 }, () => random.pick(USCC_CODE_CHARS)).join('')}`;
    const first17 = `91${district.code}${organisation}`;
    const uscc = first17 + usccCheckChar(first17);
    if (!taken.has(uscc)) {
      taken.add(uscc);
      return uscc;
    }
  }
}

function randomAddress(random: SeededRandom, district: District, road: string): string {
  const base = `上海市${district.name}${road}${random.int(1, 1999)}号`;
  const roll = random.next();
  if (roll < 0.4) return `${base}${random.int(1, 12)}幢${random.int(1, 30)}${String(random.int(1, 20)).padStart(2, '0')}室`;
  if (roll < 0.7) return `${base}${random.int(2, 28)}楼`;
  return base;
}

function randomPersonName(random: SeededRandom): string {
  const givenLength = random.chance(0.7) ? 2 : 1;
  return random.pick(SURNAMES) + Array.from({ length: givenLength }, () => random.pick(GIVEN_NAME_CHARS)).join('');
}

function randomResidentId(random: SeededRandom, checkCharX: boolean): string {
  const area = random.chance(0.7) ? random.pick(DISTRICTS).code : random.pick(OTHER_AREA_CODES);
  const birth = formatDate(randomDay(random, Date.UTC(1960, 0, 1), Date.UTC(2000, 11, 31))).replaceAll('-', '');

  // The sequence number decides the check character, and about 1 in 11 ends in X by itself.
  let sequence = random.int(1, 999);
  while (checkCharX && residentIdCheckChar(`${area}${birth}${String(sequence).padStart(3, '0')}`) !== 'X') {
    sequence = (sequence % 999) + 1;
  }
  const first17 = `${area}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

function randomMobile(random: SeededRandom): string {
  return random.pick(MOBILE_PREFIXES) + random.digits(8);
}

function withLuhnDigit(payload: string): string {
  return payload + luhnCheckDigit(payload);
}

function randomServiceStart(random: SeededRandom): string {
  const day = randomDay(random, Date.UTC(2015, 0, 1), Date.UTC(2026, 11, 31));
  // Most bookkeeping contracts start on the first of a month.
  return random.chance(0.8) ? `${formatDate(day).slice(0, 8)}01` : formatDate(day);
}

function addYearsMinusOneDay(isoDate: string, years: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return formatDate(new Date(Date.UTC(year + years, month - 1, day - 1)));
}

function randomDay(random: SeededRandom, fromMs: number, toMs: number): Date {
  const days = Math.round((toMs - fromMs) / 86_400_000);
  return new Date(fromMs + random.int(0, days) * 86_400_000);
}

function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function pickAssignees(random: SeededRandom, staff: readonly string[]): string[] {
  if (staff.length === 0) return [];
  return random.distinct(staff, random.chance(0.8) || staff.length === 1 ? 1 : 2);
}

interface RosterColumnSpec {
  readonly header: string;
  readonly width: number;
  /** The cell as a firm would have typed it; `index` picks which rows get which messy form. */
  readonly cell: (row: GeneratedClient, index: number) => ExcelJS.CellValue;
}

const ROSTER_COLUMNS: readonly RosterColumnSpec[] = [
  { header: '客户名称', width: 36, cell: ({ client }, i) => (i % 13 === 7 ? `${client.name}\u3000` : client.name) },
  { header: '统一社会信用代码', width: 24, cell: ({ client }, i) => (i % 7 === 3 ? toFullWidth(client.uscc) : client.uscc) },
  { header: '纳税人类型', width: 12, cell: ({ client }, i) => (i % 9 === 2 ? client.taxpayerType?.replace('纳税人', '') : client.taxpayerType) },
  { header: '注册地址', width: 44, cell: ({ client }) => client.registeredAddress },
  { header: '注册资本（万元）', width: 14, cell: ({ client }, i) => moneyCell(client.registeredCapital, i % 6 === 5) },
  { header: '法定代表人', width: 10, cell: ({ client }) => client.legalRepName },
  { header: '法定代表人身份证号', width: 22, cell: ({ client }, i) => messyResidentId(client.legalRepIdNumber, i) },
  { header: '联系人', width: 10, cell: ({ client }) => client.contactName },
  { header: '联系电话', width: 18, cell: ({ client }, i) => messyPhone(client.contactPhone, i) },
  { header: '开户银行', width: 28, cell: ({ client }) => client.bankName },
  { header: '银行账号', width: 26, cell: ({ client }, i) => (i % 5 === 1 ? client.bankAccount?.replace(/(\d{4})(?=\d)/g, '$1 ') : client.bankAccount) },
  { header: '主管税务机关', width: 34, cell: ({ client }) => client.taxBureau },
  { header: '服务开始日期', width: 14, cell: ({ client }, i) => messyDate(client.serviceStart, i) },
  { header: '服务结束日期', width: 14, cell: ({ client }, i) => messyDate(client.serviceEnd, i + 1) },
  { header: '上年营业收入（万元）', width: 16, cell: ({ client }) => moneyCell(client.lastYearRevenue, false) },
  { header: '备注', width: 24, cell: ({ client }) => client.notes },
  { header: '保密备注', width: 30, cell: ({ client }) => client.confidentialNotes },
  { header: '所属部门', width: 12, cell: ({ department }) => department },
  { header: '负责会计', width: 16, cell: ({ assignees }, i) => assignees.join(i % 4 === 3 ? '，' : '、') },
];

/**
 * Writes `rows` as a roster workbook the way firms keep one, with a title row above the Chinese
 * header row. Some rows carry full-width digits, spaces in account numbers, a lower-case x,
 * 15-digit ID numbers or +86 prefixes. Dates are Excel serial numbers, Date cells or Chinese
 * text. Every cell still passes roster validation and reads back as the generated value.
 */
export async function writeRosterWorkbook(rows: readonly GeneratedClient[], filePath: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('客户花名册');
  sheet.columns = ROSTER_COLUMNS.map((column) => ({ width: column.width }));

  const exportDate = formatDate(new Date());
  const title = sheet.addRow([`客户花名册（导出日期 ${exportDate}）`]);
  title.font = { bold: true, size: 14 };
  sheet.mergeCells(1, 1, 1, ROSTER_COLUMNS.length);

  const header = sheet.addRow(ROSTER_COLUMNS.map((column) => column.header));
  header.font = { bold: true };

  rows.forEach((row, index) => {
    const added = sheet.addRow(ROSTER_COLUMNS.map((column) => column.cell(row, index) ?? null));
    added.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
    });
  });

  await workbook.xlsx.writeFile(filePath);
}

function toFullWidth(text: string): string {
  return text.replace(/[0-9A-Za-z]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));
}

function moneyCell(amount: string | undefined, withUnit: boolean): ExcelJS.CellValue {
  if (amount === undefined) return null;
  return withUnit ? `${amount}万元` : Number(amount);
}

function messyResidentId(id: string | undefined, index: number): string | undefined {
  if (id === undefined) return undefined;
  if (id.endsWith('X') && index % 2 === 0) return id.toLowerCase();

  // Born in the 1900s: the 15-digit number drops the century and the check character.
  if (index % 19 === 4 && id.slice(6, 8) === '19') return id.slice(0, 6) + id.slice(8, 17);
  if (index % 23 === 10) return `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`;
  return id;
}

function messyPhone(phone: string | undefined, index: number): string | undefined {
  if (phone === undefined || index % 11 !== 6 || phone.startsWith('0')) return phone;
  return `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
}

const CHINESE_DATE_FORMS = [
  (y: string, m: number, d: number) => `${y}年${m}月${d}日`,
  (y: string, m: number, d: number) => `${y}/${m}/${d}`,
  (y: string, m: number, d: number) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`,
];

function messyDate(isoDate: string | undefined, index: number): ExcelJS.CellValue {
  if (isoDate === undefined) return null;

  const [year, month, day] = isoDate.split('-') as [string, string, string];
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day));
  switch (index % 3) {
    case 0:
      // Excel serial of the 1900 date system: days since 1899-12-30 (valid after 1900-02-28).
      return utc / 86_400_000 + 25_569;
    case 1:
      return new Date(utc);
    default:
      return CHINESE_DATE_FORMS[Math.floor(index / 3) % CHINESE_DATE_FORMS.length]!(year, Number(month), Number(day));
  }
}

/** mulberry32: a 32-bit state generator, fast and good enough for demo data (not for secrets). */
class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(this.#state ^ (this.#state >>> 15), this.#state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Returns an integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks `count` different items, in random order. */
  distinct<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const picked: T[] = [];
    for (let i = 0; i < count && pool.length > 0; i++) {
      picked.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    }
    return picked;
  }

  digits(length: number): string {
    return Array.from({ length }, () => String(this.int(0, 9))).join('');
  }
}

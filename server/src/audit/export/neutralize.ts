/**
 * Characters that make a spreadsheet read a cell as a formula (`=`, `+`, `-`, `@`), or that some
 * spreadsheet programs skip before looking for one (tab, carriage return). A cell starting with
 * one of them could run `=HYPERLINK(...)` or a DDE command when an auditor opens the export.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * A signed decimal number and nothing else: `-12.5`, `+8613800138000` (a phone number in E.164
 * form), `-.5`. Spreadsheets read such a cell as a constant, never as a call or a reference, so
 * it keeps its value. A phone number written with spaces or hyphens (`+86 138-0013-8000`) is not
 * a plain number: Excel would compute the hyphens as subtraction, so it is neutralized.
 */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Returns the text to write into an exported cell. Text that a spreadsheet could take as a formula
 * gets a leading apostrophe, so it shows as text. Everything else is returned unchanged.
 */
export function neutralizeCell(text: string): string {
  const first = text.charAt(0);
  if (!FORMULA_TRIGGERS.has(first) || PLAIN_NUMBER.test(text)) {
    return text;
  }
  return `'${text}`;
}

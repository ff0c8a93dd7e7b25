/** One exported cell: a number stays a number, absent values are empty cells. */
export type ExportCell = string | number | null;

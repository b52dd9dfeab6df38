import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';

/**
 * Sends rows (the first one the header) as a CSV download: UTF-8 with a BOM, so that Excel on a Chinese PC
 * reads the Chinese, and a cell a spreadsheet would run as a formula (=, +, -, @) written as text. Every CSV
 * export of the API goes through here.
 */
export function sendCsv(res: Response, filename: string, rows: (string | number)[][]): void {
  const csv = stringify(rows, { bom: true, escape_formulas: true });
  res.type('text/csv; charset=utf-8').attachment(filename).send(csv);
}

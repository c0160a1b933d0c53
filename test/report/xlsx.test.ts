/** The workbook writer on its own: shared strings for repeating columns, and write failures. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { safeText } from '../../src/report/cells.js';
import type { SheetSpec } from '../../src/report/sheets.js';
import { writeXlsx } from '../../src/report/xlsx.js';
import { tempDir } from './helpers.js';

type Row = [string, string];

// Hostile and awkward text in a repeating column (shared strings) and a unique one (inline).
const VALUES = ['=HYPERLINK("http://x")', '@SUM(1)', '-1+2', 'ACTIVE', 'a\rb', 'line\nbreak', ' padded ', '_x0041_', '<b>&amp;</b>', 'Ünïcødé ✓'];

function sheet(rows: Row[]): SheetSpec<Row> {
  return {
    name: 'Sheet', slug: 'sheet', about: 'test',
    columns: [
      { header: 'Status', width: 12, type: 'text', repeats: true, value: (r) => r[0] },
      { header: 'Login', width: 20, type: 'text', value: (r) => r[1] },
    ],
    count: () => rows.length,
    rows: () => rows,
  };
}

function entries(file: string): string[] {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
}

const hasUnzip = ((): boolean => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('writeXlsx', () => {
  it('writes repeating columns once as shared strings, and every value reads back neutralised and intact', async () => {
    const tmp = tempDir();
    const file = tmp.file('book.xlsx');
    // Each status twice: the table holds it once.
    const rows: Row[] = [...VALUES, ...VALUES].map((v, i) => [v, `${v} #${i}`]);
    await writeXlsx(file, [sheet(rows) as SheetSpec]);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Sheet')!;
    const read = (cell: ExcelJS.Cell): string => String(cell.value ?? '');
    rows.forEach((r, i) => {
      const row = ws.getRow(i + 2);
      // A CR reads back as LF from XML text either way; everything else is exact. exceljs decodes
      // Excel's _xHHHH_ escapes in shared strings only, so inline text shows the escape we added.
      expect(read(row.getCell(1)).replace(/\n/g, '\r')).toBe(safeText(r[0]).replace(/\n/g, '\r'));
      expect(read(row.getCell(2)).replace(/\n/g, '\r')).toBe(safeText(r[1]).replace(/\n/g, '\r').replace('_x0041_', '_x005F_x0041_'));
    });
    expect(read(ws.getRow(2).getCell(1))).toBe(`'=HYPERLINK("http://x")`);
    if (hasUnzip) {
      expect(entries(file)).toContain('xl/sharedStrings.xml');
      const sst = execFileSync('unzip', ['-p', file, 'xl/sharedStrings.xml'], { encoding: 'utf8' });
      // Once each, and text with a CR stays inline (the table's writer would turn it into LF).
      expect(sst.split('<si>').length - 1).toBe(VALUES.length - 1);
      expect(sst).not.toContain('#');
    }
  });

  it('fails with the file system error when the disk is full, and leaves no worker running', async () => {
    if (!existsSync('/dev/full')) {
      process.stdout.write('skipped: this system has no /dev/full\n');
      return;
    }
    const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => ['ACTIVE', `user${i}@example.com`]);
    await expect(writeXlsx('/dev/full', [sheet(rows) as SheetSpec])).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('fails with the file system error when the folder does not exist', async () => {
    const file = join(tempDir().dir, 'missing', 'book.xlsx');
    await expect(writeXlsx(file, [sheet([['ACTIVE', 'a']]) as SheetSpec])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

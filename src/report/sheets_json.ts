/**
 * Any set of sheets as one JSON document: a header object, then each sheet's rows keyed by its
 * column headers, streamed a row at a time. As in the report's JSON, text is full and unchanged
 * (JSON escaping makes it safe); dates are ISO-8601 UTC.
 * @module
 */
import type { Writable } from 'node:stream';
import { TextSink } from './csv.js';
import type { CellValue } from './cells.js';
import type { SheetSpec } from './sheets.js';

function jsonValue(v: CellValue): unknown {
  return v instanceof Date ? v.toISOString() : v ?? null;
}

export async function writeSheetsJson(out: Writable, head: object, sheets: ReadonlyArray<SheetSpec>): Promise<void> {
  const sink = new TextSink(out);
  await sink.write(`${JSON.stringify(head).slice(0, -1)},"sheets":{`);
  for (const [k, sheet] of sheets.entries()) {
    await sink.write(`${k === 0 ? '' : ','}\n${JSON.stringify(sheet.slug)}:[`);
    let n = 0;
    for (const row of sheet.rows()) {
      const item = Object.fromEntries(sheet.columns.map((c) => [c.header, jsonValue(c.value(row))]));
      const wait = sink.write(`${n++ === 0 ? '\n' : ',\n'}${JSON.stringify(item)}`);
      if (wait) await wait;
    }
    await sink.write('\n]');
  }
  await sink.write('\n}}\n');
  await sink.end();
}

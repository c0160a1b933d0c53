import { EXCEL_MAX_CELL_CHARS, excelSerial, parseTimestamp, safeText, startsLikeFormula, toText, truncationMarker, xmlSafe } from '../../src/report/cells.js';
import { csvField } from '../../src/report/csv.js';
import { partName, partsFor } from '../../src/report/sheets.js';
import { cellText, columnLetters, xmlText } from '../../src/report/xlsx.js';

describe('safeText', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ['a=1', 'a=1'],
    [' =1', ' =1'],
    ['', ''],
    ['山田 مرحبا 👩‍💻', '山田 مرحبا 👩‍💻'],
  ])('%j -> %j', (input, output) => {
    expect(safeText(input)).toBe(output);
  });

  it('replaces characters XML 1.0 forbids, lone surrogates included, and keeps tab, LF, CR and pairs', () => {
    expect(xmlSafe('a\u0000b\u0008c\u000Bd\u000Ce\u001Ff\u007Fg\uFFFEh\uFFFFi')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh\uFFFDi');
    expect(xmlSafe('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(xmlSafe('\t\n\r😀')).toBe('\t\n\r😀');
    // A control character first hides no formula: the replacement is not a trigger.
    expect(safeText('\u0001=1')).toBe('\uFFFD=1');
  });

  it('caps text at 32,767 characters with a marker giving the original length', () => {
    expect(safeText('a'.repeat(EXCEL_MAX_CELL_CHARS))).toHaveLength(EXCEL_MAX_CELL_CHARS);
    const over = safeText('a'.repeat(EXCEL_MAX_CELL_CHARS + 1));
    expect(over).toHaveLength(EXCEL_MAX_CELL_CHARS);
    expect(over.endsWith(truncationMarker(EXCEL_MAX_CELL_CHARS + 1))).toBe(true);
    expect(truncationMarker(40_000)).toBe(' [… truncated by oie-audit: 40,000 characters in total]');
    // The apostrophe counts, and stays.
    const formula = safeText(`=${'b'.repeat(EXCEL_MAX_CELL_CHARS)}`);
    expect(formula).toHaveLength(EXCEL_MAX_CELL_CHARS);
    expect(formula.startsWith("'=bbb")).toBe(true);
    // Never half an emoji before the marker, whatever the cut position.
    for (const pad of [0, 1]) {
      const cut = safeText('x'.repeat(pad) + '😀'.repeat(20_000));
      expect(cut.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false);
    }
    expect(safeText('a'.repeat(100), 10 + truncationMarker(100).length)).toBe(`${'a'.repeat(10)}${truncationMarker(100)}`);
  });

  it('startsLikeFormula and toText', () => {
    expect(startsLikeFormula('@')).toBe(true);
    expect(startsLikeFormula('')).toBe(false);
    expect(toText(['a', 2, true, { k: 1 }])).toBe('a, 2, Yes, {"k":1}');
    expect(toText(null)).toBe('');
    expect(toText({ a: [1] })).toBe('{"a":[1]}');
    expect(toText({ okta_push: 'okta_verify', n: 2, none: null })).toBe('okta_push: okta_verify, n: 2, none: ');
  });
});

describe('timestamps', () => {
  it('reads ISO-8601 only, within Excel’s date range', () => {
    expect(parseTimestamp('2024-05-01T10:00:00.000Z')).toEqual(new Date(Date.UTC(2024, 4, 1, 10)));
    expect(parseTimestamp('2024-05-01T12:00:00+02:00')).toEqual(new Date(Date.UTC(2024, 4, 1, 10)));
    expect(parseTimestamp('2024-05-01')).toEqual(new Date(Date.UTC(2024, 4, 1)));
    // The fast path for Okta's own form agrees with Date.parse, leap days included.
    for (const ok of ['2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.000Z']) {
      expect(parseTimestamp(ok)?.getTime()).toBe(Date.parse(ok));
    }
    for (const bad of ['May 1 2024', '=1', '2024-13-45T00:00:00Z', '1899-01-01T00:00:00Z', '', '2024-05-01T10:00:00',
      '2023-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-05-01T10:00:00.00xZ', '1899-12-31T00:00:00.000Z']) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });

  it('converts to Excel serial days in UTC', () => {
    expect(excelSerial(new Date(Date.UTC(1970, 0, 1)))).toBe(25569);
    expect(excelSerial(new Date(Date.UTC(2024, 4, 1, 12)))).toBe(45413.5);
  });
});

describe('csvField', () => {
  it('quotes text, doubles quotes, neutralises, leaves our numbers bare and writes dates as ISO', () => {
    expect(csvField('a,b', 'text')).toBe('"a,b"');
    expect(csvField('say "hi"', 'text')).toBe('"say ""hi"""');
    expect(csvField('=1+1', 'text')).toBe('"\'=1+1"');
    expect(csvField('line1\r\nline2', 'text')).toBe('"line1\r\nline2"');
    expect(csvField(42, 'number')).toBe('42');
    expect(csvField(null, 'text')).toBe('');
    expect(csvField('2024-05-01T10:00:00Z', 'date')).toBe('2024-05-01T10:00:00.000Z');
    expect(csvField('not a date', 'date')).toBe('"not a date"');
    expect(csvField('-1', 'date')).toBe('"\'-1"');
    expect(csvField(new Date(Date.UTC(2026, 0, 2)), 'text')).toBe('2026-01-02T00:00:00.000Z');
  });
});

describe('sheet parts and column letters', () => {
  it('counts parts from data rows under a header', () => {
    expect(partsFor(0, 5)).toBe(1);
    expect(partsFor(4, 5)).toBe(1);
    expect(partsFor(5, 5)).toBe(2);
    expect(partsFor(1_048_575, 1_048_576)).toBe(1);
    expect(partsFor(3_000_000, 1_048_576)).toBe(3);
    expect(partName('Factors', 1)).toBe('Factors');
    expect(partName('Factors', 3)).toBe('Factors (3)');
  });

  it('names columns A…Z, AA…', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});

describe('workbook cell text', () => {
  it('the plain-ASCII fast path gives exactly what safeText then xmlText give', () => {
    const alphabet = ['a', 'Z', '0', ' ', '=', '+', '-', '@', '_', 'x', '0041', '_x0041_', '&', '<', '>', '"', "'", '\t', '\r', '\n', 'é', '😀', '\u0000'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      let v = '';
      const len = next(12);
      for (let k = 0; k < len; k++) v += alphabet[next(alphabet.length)];
      expect({ v, out: cellText(v) }).toEqual({ v, out: xmlText(safeText(v)) });
    }
    expect(cellText('=1&2')).toBe("'=1&amp;2");
    expect(cellText('a_x0041_b')).toBe('a_x005F_x0041_b');
    expect(cellText('x'.repeat(EXCEL_MAX_CELL_CHARS))).toBe(xmlText(safeText('x'.repeat(EXCEL_MAX_CELL_CHARS))));
    expect(cellText(`=${'x'.repeat(EXCEL_MAX_CELL_CHARS - 1)}`)).toHaveLength(EXCEL_MAX_CELL_CHARS);
  });
});

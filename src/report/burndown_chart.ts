/**
 * The burn-down as a small SVG line chart, written beside the workbook (exceljs cannot draw
 * charts): findings per snapshot, one line per severity and one for all. Every label is a number,
 * a date or a fixed word, so no Okta string reaches the file.
 * @module
 */
import { SEVERITIES, SEVERITY_WORD } from './sheets.js';
import type { BurnDownPoint } from './burndown.js';

const W = 760;
const H = 380;
const M = { left: 64, right: 150, top: 40, bottom: 64 };
/** Line colours: the workbook's severity fills, darkened where they are too light on white. */
const COLOUR: Record<string, string> = { critical: '#8b0000', high: '#d32f2f', medium: '#e69500', low: '#b8a000', info: '#5b8fc7', all: '#333333' };

/** A chart when at least two snapshots have had their rules run; none otherwise (nothing to show). */
export function burnDownSvg(points: readonly BurnDownPoint[], orgUrl: string): string | undefined {
  const shown = points.filter((p) => p.evaluated);
  if (shown.length < 2) return undefined;
  const top = Math.max(...shown.map((p) => p.total));
  const step = gridStep(top / 5);
  const max = Math.max(1, Math.ceil(top / step)) * step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (i: number) => M.left + (plotW * i) / (shown.length - 1);
  const y = (n: number) => M.top + plotH - (plotH * n) / max;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Arial, sans-serif" font-size="12">`,
    `<title>Findings per snapshot of ${escapeXml(orgUrl)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="24" font-size="15" font-weight="bold">Findings per snapshot (burn-down)</text>`,
  ];
  for (let n = 0; n <= max; n += step) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(n)}" y2="${y(n)}" stroke="#dddddd"/>`,
      `<text x="${M.left - 8}" y="${y(n) + 4}" text-anchor="end">${n.toLocaleString('en-US')}</text>`);
  }
  // At most about 12 x labels, so they do not overlap.
  const every = Math.ceil(shown.length / 12);
  shown.forEach((p, i) => {
    if (i % every !== 0 && i !== shown.length - 1) return;
    out.push(`<text x="${x(i)}" y="${M.top + plotH + 18}" text-anchor="middle">#${p.snapshotId}</text>`,
      `<text x="${x(i)}" y="${M.top + plotH + 34}" text-anchor="middle" fill="#666666">${p.startedAt.slice(0, 10)}</text>`);
  });
  // The upgrade: where the engine turns from Classic to Identity Engine.
  shown.forEach((p, i) => {
    if (i === 0 || shown[i - 1]!.pipeline !== 'v1' || p.pipeline !== 'idx') return;
    const ux = (x(i - 1) + x(i)) / 2;
    out.push(`<line x1="${ux}" x2="${ux}" y1="${M.top}" y2="${M.top + plotH}" stroke="#7a7a7a" stroke-dasharray="2 3"/>`,
      ux > M.left + plotW / 2
        ? `<text x="${ux - 4}" y="${M.top + 12}" text-anchor="end" fill="#555555">upgrade to Identity Engine</text>`
        : `<text x="${ux + 4}" y="${M.top + 12}" fill="#555555">upgrade to Identity Engine</text>`);
  });
  const series: Array<[string, string, (p: BurnDownPoint) => number]> = [
    ['all', 'All findings', (p) => p.total],
    ...SEVERITIES.map((s): [string, string, (p: BurnDownPoint) => number] => [s, SEVERITY_WORD[s], (p) => p.bySeverity[s] ?? 0]),
  ];
  series.forEach(([key, name, value], k) => {
    const pts = shown.map((p, i) => `${x(i).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${COLOUR[key]}" stroke-width="${key === 'all' ? 2.5 : 1.8}"${key === 'all' ? ' stroke-dasharray="6 3"' : ''}/>`,
      `<line x1="${W - M.right + 16}" x2="${W - M.right + 40}" y1="${M.top + 8 + k * 20}" y2="${M.top + 8 + k * 20}" stroke="${COLOUR[key]}" stroke-width="2.5"/>`,
      `<text x="${W - M.right + 46}" y="${M.top + 12 + k * 20}">${name}</text>`);
    if (key === 'all') for (const [i, p] of shown.entries()) out.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(value(p)).toFixed(1)}" r="3" fill="${COLOUR[key]}"/>`);
  });
  out.push(`<text x="${M.left}" y="${H - 12}" fill="#666666">Snapshot id and crawl date; snapshots whose rules never ran are left out.</text>`, '</svg>', '');
  return out.join('\n');
}

/** The gridline step: a whole 1, 2 or 5 times a power of ten, at least n. */
function gridStep(n: number): number {
  const p = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, n))));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n)!;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * The console's request log: one line per request (time, method, path,
 * status, duration, tenant), hints and lifecycle warnings indented below;
 * colours only on a terminal (and never with NO_COLOR).
 */
import { styleText } from 'node:util';
import type { LogMode } from '../config.js';
import type { RequestEvents } from '../http/events.js';
import type { Journal, JournalEntry } from './journal.js';

type Style = Parameters<typeof styleText>[0];

export interface ConsoleLogOptions {
  mode: LogMode;
  write: (line: string) => void;
  colors: boolean;
}

const statusStyle = (status: number): Style => (status >= 500 ? 'red' : status >= 400 ? 'yellow' : status >= 300 ? 'cyan' : 'green');

function line(
  paint: (style: Style, text: string) => string,
  at: Date,
  method: string,
  path: string,
  status: number,
  durationMs: number,
  tenant: string,
): string {
  const time = at.toISOString().slice(11, 23);
  return `${paint('gray', time)} ${method.padEnd(6)} ${path} ${paint(statusStyle(status), String(status))} ${durationMs.toFixed(1)}ms ${paint('gray', `[${tenant}]`)}`;
}

/**
 * Lines written to stdout together, once per turn of the event loop: a burst
 * of requests costs one write, not one per line. `flush` writes what waits
 * (on stop, before the process ends).
 */
export function batchedLines(out: (text: string) => void = (text) => void process.stdout.write(text)): { write: (line: string) => void; flush: () => void } {
  let waiting: string[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (waiting.length === 0) return;
    const text = `${waiting.join('\n')}\n`;
    waiting = [];
    out(text);
  };
  return {
    write(line) {
      waiting.push(line);
      scheduled ??= setImmediate(flush);
    },
    flush,
  };
}

/** Logs every journal entry with its hints, and every control-plane request in one line. */
export function logRequests(journal: Journal, events: RequestEvents, { mode, write, colors }: ConsoleLogOptions): void {
  if (mode === 'quiet') return;
  const paint = (style: Style, text: string) => (colors ? styleText(style, text) : text);

  journal.on('entry', (entry: JournalEntry) => {
    const lines = [line(paint, new Date(entry.at), entry.method, entry.path, entry.response.status, entry.durationMs, entry.tenant)];
    for (const hint of entry.hints) lines.push(`    ${paint('yellow', 'hint')} ${hint.message}`);
    for (const warning of entry.warnings) lines.push(`    ${paint('magenta', 'call')} ${warning.message}`);
    if (mode === 'debug') {
      lines.push(`    fields   ${JSON.stringify(entry.fields)}`);
      lines.push(`    answered ${JSON.stringify(entry.response.body)}`);
    }
    write(lines.join('\n'));
  });

  events.on('request:end', (end) => {
    if (end.api !== 'admin') return; // the journal's entries cover the others
    write(line(paint, end.at, end.method, end.path, end.status, end.durationMs, end.tenantId ?? '-'));
  });
}

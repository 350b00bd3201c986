/**
 * One instance per database: a lock file beside it holds the owner's pid. A
 * lock whose process is gone is stale and taken over; a folder where the lock
 * cannot be written is a folder where nothing can be saved, so the mock
 * refuses to start rather than lose every change.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks this process holds: its own pid in a lock file means held here, or stale from a process that had the same pid. */
const held = new Set<string>();

/** Takes the lock or throws one clear sentence; returns the release. */
export function lockDatabase(lockFile: string, database: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(lockFile);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(lockFile);
        try {
          unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
        throw new Error(`the database folder of ${database} is not writable (${code}); choose another with --db or PHONEBRIDGE_DB`);
      if (code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid ? held.has(lockFile) : alive(pid)))
        throw new Error(`another phonebridge-mock (pid ${pid}) is using ${database}; stop it, or choose another database with --db or PHONEBRIDGE_DB`);
      unlinkSync(lockFile); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

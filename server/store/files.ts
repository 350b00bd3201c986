/**
 * Where the store's files live: a folder on disk (each write to a temporary
 * file, then renamed over the old one, by lowdb's writer), or a map in memory.
 * Both go through the same store code, so what a test sees saved is what a
 * folder would hold. Names are plain file names inside one folder.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { TextFile } from 'lowdb/node';

export interface Files {
  /** The parsed file, or null when it does not exist; throws (naming it) when it is not valid JSON. */
  read<T>(name: string): Promise<T | null>;
  /** Compact JSON, atomically: a reader sees the old file or the new one, never a mix. Resolves to the bytes written. */
  write(name: string, data: unknown): Promise<number>;
  /** The file's text, or null when it does not exist. */
  readText(name: string): Promise<string | null>;
  /**
   * Adds text at the end (creating the file); resolves to the bytes written. Not atomic: readers drop a
   * torn last line. The file may stay open for the next append until `release`.
   */
  append(name: string, text: string): Promise<number>;
  /** Closes the files `append` kept open (the store calls it whenever it has nothing more to save). */
  release(): Promise<void>;
  remove(name: string): Promise<void>;
  list(): Promise<string[]>;
  /** The path a name stands for, for messages. */
  describe(name: string): string;
}

/** Parses a file's text, or says which file is not JSON and what to do. */
export function parseJson<T>(text: string, describe: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${describe} is not valid JSON (${(error as Error).message}); move it away to start afresh, or set PHONEBRIDGE_DB`);
  }
}

/** Logs a folder's files keep open at once (16 per org: a few busy tenants). */
const MAX_OPEN = 128;

export async function folderFiles(folder: string): Promise<Files> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file stands where a folder should be'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'not writable'
          : message;
    throw new Error(`cannot create the database folder ${folder} (${why}); choose another with --db or PHONEBRIDGE_DB`);
  }
  const describe = (name: string) => path.join(folder, name);
  // Logs kept open while saves follow one another (under load, each save appends to up to 16 of them), and
  // written synchronously: a line or two of JSON lands in the page cache in microseconds, so a save's appends
  // finish in the same turn of the event loop, with no open/close and no thread-pool round trip per append
  // (about a tenth of the CPU a busy mock spent). Closed when the store goes idle, so an idle mock holds no
  // file open (a disk can be remounted read-only under it); at most MAX_OPEN at once.
  const fds = new Map<string, number>();
  const closeFd = (name: string) => {
    const fd = fds.get(name);
    if (fd === undefined) return;
    fds.delete(name);
    try {
      closeSync(fd);
    } catch {
      // already gone
    }
  };
  const fdOf = (name: string): number => {
    let fd = fds.get(name);
    if (fd === undefined) {
      if (fds.size >= MAX_OPEN) closeFd(fds.keys().next().value!);
      fd = openSync(describe(name), 'a');
      fds.set(name, fd);
    }
    return fd;
  };
  const readText = async (name: string) => {
    try {
      return await readFile(describe(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  return {
    describe,
    readText,
    async read<T>(name: string) {
      const text = await readText(name);
      return text === null ? null : parseJson<T>(text, describe(name));
    },
    // Compact JSON: a save of a busy org writes a third of what pretty-printed JSON would.
    async write(name, data) {
      const text = JSON.stringify(data);
      await new TextFile(describe(name)).write(text);
      return Buffer.byteLength(text);
    },
    // Synchronous inside (see fdOf); async so that a failure is a rejection, as every other write's.
    // eslint-disable-next-line @typescript-eslint/require-await
    async append(name, text) {
      const buffer = Buffer.from(text);
      try {
        const fd = fdOf(name);
        for (let offset = 0; offset < buffer.length;) offset += writeSync(fd, buffer, offset);
      } catch (error) {
        closeFd(name); // reopened by the next append, if any
        throw error;
      }
      return buffer.length;
    },
    release() {
      for (const name of [...fds.keys()]) closeFd(name);
      return Promise.resolve();
    },
    async remove(name) {
      closeFd(name);
      await rm(path.join(folder, name), { force: true });
    },
    list: () => readdir(folder),
  };
}

/** Files kept as JSON text in a map: nothing touches the disk. */
export function memoryFiles(): Files {
  const texts = new Map<string, string>();
  return {
    describe: (name) => `:memory:/${name}`,
    read: <T>(name: string) => Promise.resolve(texts.has(name) ? (JSON.parse(texts.get(name)!) as T) : null),
    write(name, data) {
      const text = JSON.stringify(data);
      texts.set(name, text);
      return Promise.resolve(Buffer.byteLength(text));
    },
    readText: (name) => Promise.resolve(texts.get(name) ?? null),
    append(name, text) {
      texts.set(name, (texts.get(name) ?? '') + text);
      return Promise.resolve(Buffer.byteLength(text));
    },
    release: () => Promise.resolve(),
    remove: (name) => Promise.resolve(void texts.delete(name)),
    list: () => Promise.resolve([...texts.keys()]),
  };
}

/**
 * Where the store's files live: a folder on disk (each write to a temporary
 * file, then renamed over the old one, by lowdb's writer), or a map in memory.
 * Both go through the same store code, so what a test sees saved is what a
 * folder would hold. Names are plain file names inside one folder.
 */
import { appendFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { TextFile } from 'lowdb/node';

export interface Files {
  /** The parsed file, or null when it does not exist; throws (naming it) when it is not valid JSON. */
  read<T>(name: string): Promise<T | null>;
  /** Compact JSON, atomically: a reader sees the old file or the new one, never a mix. Resolves to the bytes written. */
  write(name: string, data: unknown): Promise<number>;
  /** The file's text, or null when it does not exist. */
  readText(name: string): Promise<string | null>;
  /** Adds text at the end (creating the file); resolves to the bytes written. Not atomic: readers drop a torn last line. */
  append(name: string, text: string): Promise<number>;
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
    async append(name, text) {
      await appendFile(describe(name), text);
      return Buffer.byteLength(text);
    },
    remove: (name) => rm(path.join(folder, name), { force: true }),
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
    remove: (name) => Promise.resolve(void texts.delete(name)),
    list: () => Promise.resolve([...texts.keys()]),
  };
}

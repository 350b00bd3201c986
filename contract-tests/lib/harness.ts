/**
 * The contract suite's own test harness: what the suite files use of a test
 * runner, and no more, so that the `phonebridge-contract` command runs them
 * in its own process, without vitest (and vite) at run time, and bundles
 * into one file.
 *
 * - `describe`, `it(name, fn(ctx))` and `afterAll` register while a suite
 *   file is imported (`collect`); `run` then runs its tests one at a time,
 *   in declaration order, each within a time limit.
 * - `ctx.skip(note)` ends the test as skipped with that note: it throws, so
 *   nothing after it runs (as vitest's `TestContext.skip(note)`).
 * - `expect` is vitest's own matchers (`@vitest/expect` on chai), with the
 *   same failure messages, without the runner.
 */
import { ASYMMETRIC_MATCHERS_OBJECT, GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState, type ExpectStatic } from '@vitest/expect';
import * as chai from 'chai';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** `expect(value, message?)` with vitest's matchers (toBe, toEqual, toContain, toHaveProperty, ...). */
export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as ExpectStatic;
Object.assign(expect, chai.expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;
setState(
  {
    assertionCalls: 0,
    isExpectingAssertions: false,
    isExpectingAssertionsError: null,
    expectedAssertionsNumber: null,
    expectedAssertionsNumberErrorGen: null,
  },
  expect,
);

/** What a test receives. */
export interface TestContext {
  /** Ends the test as skipped, with the note the summary groups skips by. Throws: code after it does not run. */
  skip(note?: string): never;
}

export type TestFunction = (ctx: TestContext) => unknown;

/** Thrown by `ctx.skip`; the harness turns it into a skipped result. */
class Skip extends Error {
  constructor(readonly note: string | undefined) {
    super(note ?? 'skipped');
  }
}

export interface ErrorResult {
  name: string;
  message: string;
  stack?: string;
}

export interface TestResult {
  /** The test's own name. */
  name: string;
  /** The describe blocks' names and the test's, joined with " > ". */
  fullName: string;
  state: 'passed' | 'failed' | 'skipped';
  /** A skipped test's note (ctx.skip's argument). */
  note?: string;
  errors: ErrorResult[];
  durationMs: number;
}

/** A describe block as it finishes: its name and every test in it (nested blocks' included). */
export interface SuiteResult {
  name: string;
  tests: TestResult[];
}

/** One suite file: its tests, and the errors outside any test (loading it, afterAll). */
export interface FileResult {
  file: string;
  tests: TestResult[];
  errors: ErrorResult[];
  durationMs: number;
}

export interface RunResult {
  files: FileResult[];
  /** Errors thrown or rejections left unhandled during the run, outside any test's await. */
  unhandled: ErrorResult[];
}

export interface Listener {
  /** A describe block finished (its tests and its afterAll hooks). */
  onSuiteEnd?(suite: SuiteResult): void;
  /** Every file ran. */
  onRunEnd?(result: RunResult): void | Promise<void>;
}

interface TestNode {
  kind: 'test';
  name: string;
  fn: TestFunction;
}

interface SuiteNode {
  kind: 'suite';
  name: string;
  children: (SuiteNode | TestNode)[];
  afterAll: (() => unknown)[];
}

/** The block `describe`, `it` and `afterAll` add to: set while a suite file is collected. */
let current: SuiteNode | undefined;

function collecting(what: string): SuiteNode {
  if (!current) throw new Error(`${what}() is called while a suite file is collected (phonebridge-contract runs the suite)`);
  return current;
}

export function describe(name: string, fn: () => void): void {
  const parent = collecting('describe');
  const suite: SuiteNode = { kind: 'suite', name, children: [], afterAll: [] };
  parent.children.push(suite);
  current = suite;
  try {
    const returned: unknown = fn();
    if (returned instanceof Promise) throw new Error(`describe('${name}'): the callback must be synchronous`);
  } finally {
    current = parent;
  }
}

export function it(name: string, fn: TestFunction): void {
  collecting('it').children.push({ kind: 'test', name, fn });
}

/** Runs once after every test of the enclosing block (or file) ran, even after failures; its error fails the run. */
export function afterAll(fn: () => unknown): void {
  collecting('afterAll').afterAll.push(fn);
}

export interface SuiteFile {
  /** The name reports give the file (its path in the package). */
  file: string;
  /** Imports the file, which registers its tests: a literal `import('./x.js')`, so a bundler follows it. */
  load: () => Promise<unknown>;
}

export interface RunOptions {
  /** Each test's time limit. */
  testTimeoutMs: number;
  listener?: Listener;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const toError = (error: unknown): ErrorResult =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) };

/**
 * Imports each file and runs its tests, one file after the other in the order given: a file is
 * imported only when the one before it has finished, as its module may read state at load time.
 */
export async function run(files: readonly SuiteFile[], options: RunOptions): Promise<RunResult> {
  const unhandled: ErrorResult[] = [];
  const onUnhandled = (error: unknown) => unhandled.push(toError(error));
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const results: FileResult[] = [];
  try {
    for (const file of files) results.push(await runFile(file, options));
    await nextTurn();
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  }
  const result = { files: results, unhandled };
  await options.listener?.onRunEnd?.(result);
  return result;
}

async function runFile(file: SuiteFile, options: RunOptions): Promise<FileResult> {
  const started = performance.now();
  const root: SuiteNode = { kind: 'suite', name: '', children: [], afterAll: [] };
  const result: FileResult = { file: file.file, tests: [], errors: [], durationMs: 0 };
  current = root;
  try {
    await file.load();
  } catch (error) {
    // A file that does not load runs none of its tests (those it registered before the error included).
    result.errors.push(toError(error));
    result.durationMs = performance.now() - started;
    return result;
  } finally {
    current = undefined;
  }
  await runSuite(root, [], result, options);
  result.durationMs = performance.now() - started;
  return result;
}

async function runSuite(suite: SuiteNode, path: string[], file: FileResult, options: RunOptions): Promise<TestResult[]> {
  const tests: TestResult[] = [];
  for (const child of suite.children) {
    if (child.kind === 'test') {
      const test = await runTest(child, path, options.testTimeoutMs);
      // A rejection the test left unhandled is reported by Node on a later turn: while the run still listens.
      await nextTurn();
      file.tests.push(test);
      tests.push(test);
    } else {
      tests.push(...(await runSuite(child, [...path, child.name], file, options)));
    }
  }
  // The last registered first, as vitest's default (hooks: 'stack').
  for (const hook of [...suite.afterAll].reverse()) {
    try {
      await hook();
    } catch (error) {
      file.errors.push(toError(error));
    }
  }
  if (path.length) options.listener?.onSuiteEnd?.({ name: suite.name, tests });
  return tests;
}

async function runTest(test: TestNode, path: string[], timeoutMs: number): Promise<TestResult> {
  const result: TestResult = { name: test.name, fullName: [...path, test.name].join(' > '), state: 'passed', errors: [], durationMs: 0 };
  const ctx: TestContext = {
    skip(note?: string): never {
      throw new Skip(note);
    },
  };
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => test.fn(ctx)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Test timed out in ${timeoutMs}ms.`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    if (error instanceof Skip) {
      result.state = 'skipped';
      result.note = error.note;
    } else {
      result.state = 'failed';
      result.errors.push(toError(error));
    }
  } finally {
    clearTimeout(timer);
  }
  result.durationMs = performance.now() - started;
  return result;
}

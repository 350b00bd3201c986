/**
 * A test skipped because something it needs is missing says why in the test report itself: vitest's default
 * reporter folds a skipped file into a count, so the reason also goes to stderr, which the report prints.
 */
export function skipReason(reason: string | undefined, file: string): string | undefined {
  if (reason) console.warn(`${file}: skipped: ${reason}`);
  return reason;
}

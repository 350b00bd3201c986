/**
 * The document coverage a run records, and what it lacks. Apart from the
 * client so the command's reporter reads it without loading the document.
 */
export interface PairResult {
  operationId: string;
  status: number;
  exercised: number;
  failed: number;
  /** The one-of group of alternative responses it belongs to, if any. */
  oneOf?: string;
}

/** Pairs left unexercised or failing; of a one-of group, one exercised pair is enough. */
export function coverageGaps(pairs: PairResult[]): string[] {
  const exercisedGroups = new Set(pairs.filter((p) => p.oneOf && p.exercised > 0).map((p) => `${p.operationId} ${p.oneOf}`));
  return pairs
    .filter((p) => p.failed > 0 || (p.exercised === 0 && !(p.oneOf && exercisedGroups.has(`${p.operationId} ${p.oneOf}`))))
    .map((p) => `${p.operationId} ${p.status}: ${p.failed > 0 ? `${p.failed} failed` : 'never exercised'}`);
}

/** An error code the document lists for a status, with what happened to it (whichever operation answered it). */
export interface CodeResult {
  status: number;
  code: string;
  exercised: number;
  failed: number;
}

/** Codes never answered as expected, or answered against the document. */
export function codeGaps(codes: CodeResult[]): string[] {
  return codes.filter((c) => c.failed > 0 || c.exercised === 0).map((c) => `${c.status} ${c.code}: ${c.failed > 0 ? `${c.failed} failed` : 'never exercised'}`);
}

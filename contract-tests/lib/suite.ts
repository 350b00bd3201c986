/**
 * What the contract files share: the personas and their options, the
 * read-only guard, the --operation narrowing (across the run's documents),
 * and the per-operation checks generated from a document. Each API's file
 * (phonebridge.contract.ts for v2, phonebridge-v3.contract.ts) gives its
 * document, its client and the codes its API answers with.
 */
import { describe, it, type TestContext } from './harness.js';
import { invalidValueFor, overLongValueFor, type PhoneBridgeClient } from './client.js';
import type { PairResult } from './coverage.js';
import { Contract, type Operation } from './document.js';
import { API_FILES, type Target } from './target.js';

export type Persona = keyof Target['personas'];

export const FLAGS: Record<Persona, string> = {
  user: '--user-token',
  free: '--free-token',
  unregistered: '--unregistered-token',
  otherpbx: '--otherpbx-token',
  expired: '--expired-token',
};

/** The codes an API answers with where v2 and v3 differ. */
export interface ApiCodes {
  /** The vendor the token was issued to is not registered: v2's PBX_NOT_REGISTERED, v3's PROVIDER_NOT_REGISTERED. */
  notRegistered: string;
}

export class ContractSuite {
  readonly operations: Operation[];
  /** The operations whose per-operation checks run: those named with --operation, else all. */
  readonly checked: Operation[];

  constructor(
    readonly target: Target,
    readonly contract: Contract,
    readonly pb: PhoneBridgeClient,
    readonly codes: ApiCodes,
  ) {
    this.operations = contract.operations();
    this.checked = this.checkedOperations();
  }

  /** The persona's token, or a skip that says which option would run the test. */
  persona(ctx: TestContext, name: Persona): string {
    const token = this.target.personas[name];
    if (!token) ctx.skip(`needs ${FLAGS[name]}`);
    return token;
  }

  /** Skips a request that would change data if the target is not in the state the test expects. */
  writesAllowed(ctx: TestContext, operationId: string): void {
    if (!this.pb.isReadOnly(operationId) && !this.target.allowWrites) ctx.skip(`${operationId} can change data on a real account: run with --allow-writes`);
  }

  /** A call id the run reports, tagged as the suite's. */
  callRef(name: string): string {
    return `contract-suite-${this.target.runId}-${name}`;
  }

  /**
   * The operations named with --operation that are in this document; a name in none of the run's
   * documents (--api) fails the run, listing the operations they have.
   */
  private checkedOperations(): Operation[] {
    const named = this.target.operations;
    if (!named) return this.operations;
    const apis = this.target.apis.includes(this.target.api) ? this.target.apis : [this.target.api, ...this.target.apis];
    const contracts = apis.map((api) => (api === this.target.api ? this.contract : Contract.load(API_FILES[api].document)));
    const known = contracts.flatMap((c) => c.operations().map((op) => op.operationId));
    const unknown = named.filter((id) => !known.includes(id));
    // Each file of the run says the same, naming every operation of the run's documents (the command prints it once).
    const where = contracts.length > 1 ? 'the documents (they have' : 'the document (it has';
    if (unknown.length) throw new Error(`--operation ${unknown.join(', ')}: not in ${where} ${known.join(', ')})`);
    return this.operations.filter((op) => named.includes(op.operationId));
  }

  /** The documented responses of the checked operations, with what happened to them, and any given beside. */
  demandedCoverage(beside: PairResult[] = []): PairResult[] {
    const ids = new Set(this.checked.map((op) => op.operationId));
    return [...this.pb.coverage().filter((pair) => ids.has(pair.operationId)), ...beside];
  }

  /**
   * The operation's checks, generated from the document: auth, each required field missing,
   * each field with a value its schema refuses, one over its maxLength (mock only), the
   * free-edition and unregistered personas, and the documented 500 and 429 (mock only).
   * `more` adds the operation's own checks at the end of its block.
   */
  operationChecks(op: Operation, more?: () => void): void {
    const { pb, target } = this;
    const id = op.operationId;
    const schema = this.contract.paramsSchema(id);
    const required = schema?.required ?? [];

    describe(id, () => {
      it(`${id} -> 401 INVALID_TOKEN without an Authorization header`, async () => {
        pb.expect(await pb.call(id, { token: null, params: pb.validParams(id) }), { status: 401, code: 'INVALID_TOKEN' });
      });

      it(`${id} -> 401 INVALID_TOKEN with a token nobody issued`, async () => {
        pb.expect(await pb.call(id, { token: `1000.contract-suite.${target.runId}`, params: pb.validParams(id) }), { status: 401, code: 'INVALID_TOKEN' });
      });

      it(`${id} -> 401 INVALID_TOKEN with an expired token`, async (ctx) => {
        pb.expect(await pb.call(id, { token: this.persona(ctx, 'expired'), params: pb.validParams(id) }), { status: 401, code: 'INVALID_TOKEN' });
      });

      for (const param of required) {
        it(`${id} -> 400 REQUIRED_PARAM_MISSING when ${param} is missing`, async () => {
          const params = pb.validParams(id);
          delete params[param];
          pb.expect(await pb.call(id, { params }), { status: 400, code: 'REQUIRED_PARAM_MISSING', param });
        });
      }

      for (const [param, fieldSchema] of Object.entries(schema?.properties ?? {})) {
        const bad = invalidValueFor(fieldSchema);
        if (bad === undefined) continue;
        it(`${id} -> 400 INVALID_DATA when ${param} is "${bad}"`, async (ctx) => {
          // A target that accepted the value would act on the request: only with --allow-writes on write operations.
          this.writesAllowed(ctx, id);
          pb.expect(await pb.call(id, { params: pb.validParams(id, { [param]: bad }) }), { status: 400, code: 'INVALID_DATA', param });
        });
      }

      // The limits are the mock's own (Zoho documents none): checked on the mock only, as the Prefer checks are.
      for (const [param, fieldSchema] of target.isMock ? Object.entries(schema?.properties ?? {}) : []) {
        const tooLong = overLongValueFor(fieldSchema);
        if (tooLong === undefined) continue;
        it(`${id} -> 400 INVALID_DATA when ${param} is ${tooLong.length} characters, one over its maxLength (mock only)`, async (ctx) => {
          this.writesAllowed(ctx, id);
          pb.expect(await pb.call(id, { params: pb.validParams(id, { [param]: tooLong }) }), { status: 400, code: 'INVALID_DATA', param });
        });
      }

      it(`${id} -> 403 NO_PERMISSION for an org whose edition lacks telephony`, async (ctx) => {
        const token = this.persona(ctx, 'free');
        this.writesAllowed(ctx, id);
        pb.expect(await pb.call(id, { token, params: pb.validParams(id) }), { status: 403, code: 'NO_PERMISSION' });
      });

      const notRegistered = this.codes.notRegistered;
      it(`${id} -> 400 ${notRegistered} for a vendor that is not registered`, async (ctx) => {
        const token = this.persona(ctx, 'unregistered');
        this.writesAllowed(ctx, id);
        pb.expect(await pb.call(id, { token, params: pb.validParams(id) }), { status: 400, code: notRegistered });
      });

      if (target.isMock) {
        it(`${id} -> the documented 500 INTERNAL_ERROR (Prefer: code=500, mock only)`, async () => {
          const ex = await pb.call(id, { params: pb.validParams(id), headers: { Prefer: 'code=500' } });
          pb.expect(ex, { status: 500, code: 'INTERNAL_ERROR' });
        });

        it(`${id} -> the documented 429 TOO_MANY_REQUESTS (Prefer: code=429, mock only; Zoho's API limits are off unless asked)`, async () => {
          const ex = await pb.call(id, { params: pb.validParams(id), headers: { Prefer: 'code=429' } });
          pb.expect(ex, { status: 429, code: 'TOO_MANY_REQUESTS' });
        });
      }

      more?.();
    });
  }
}

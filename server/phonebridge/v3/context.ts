/** What a PhoneBridge v3 handler receives: its operation's fields (typed from the document), the caller, the data, the time. */
import type { FieldsOf, Handler, OperationContext } from '../../openapi/types.js';
import type { Tenant } from '../../store/schema.js';
import type { Caller } from '../../zoho/auth.js';
import type { operations } from './document.gen.js';

export type OperationId = keyof operations;

/** The handler of one v3 operation. */
export type V3Handler<Id extends OperationId> = Handler<OperationContext<FieldsOf<operations[Id]>, Caller, Tenant>>;

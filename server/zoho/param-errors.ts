import type { ErrorObject } from 'ajv';
import type { ApiResponse } from '../openapi/types.js';
import { errorResponse } from './errors.js';

/**
 * A refused request's answer, as Zoho words it: the missing parameter first
 * (`REQUIRED_PARAM_MISSING`), else the first malformed one (`INVALID_DATA`:
 * any other keyword, a wrong type, enum, pattern or format, or a value over
 * its `maxLength`), named in `details.param`; an error inside a parameter's
 * value (a name/value object) names the parameter. Error paths are relative
 * to the operation's fields.
 */
export function paramError(errors: ErrorObject[]): ApiResponse {
  const missing = errors.find((e) => e.keyword === 'required');
  if (missing) {
    const base = missing.instancePath.replace(/^\//, '');
    const name = String(missing.params.missingProperty);
    // A missing field inside a parameter's object still names the top-level parameter.
    return errorResponse('REQUIRED_PARAM_MISSING', { param: base ? base.split('/')[0]! : name });
  }
  const first = errors.find((e) => e.instancePath.startsWith('/')) ?? errors[0];
  const param = first?.instancePath.slice(1).split('/')[0] || 'params';
  return errorResponse('INVALID_DATA', { param });
}

/**
 * One parameter object per request, as documented in openapi/phonebridge.yaml
 * ("Where parameters come from"): the query string merged with a form or JSON
 * body (a body field wins), and a field with an empty value treated as absent.
 */
export function mergeRequestParams(query: unknown, body: unknown): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const source of [query, body]) {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (value === '' || value === undefined || value === null) continue;
      // No PhoneBridge field is named like Object.prototype's members (__proto__, toString, ...);
      // such a key would replace the object's prototype or break code that converts it.
      if (key in Object.prototype) continue;
      merged[key] = value;
    }
  }
  return merged;
}

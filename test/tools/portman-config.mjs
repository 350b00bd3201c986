// Writes the Portman configuration for openapi/phonebridge.yaml to stdout, derived from the document: contract
// tests on every operation, and one "missing required field" variation per required field (the body's for a POST,
// each required query parameter for a GET), so no field list is written down twice.
// Usage: node test/tools/portman-config.mjs > portman.config.json
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { stdout } from 'node:process';
import { parse } from 'yaml';

const TOKEN = '1000.admin.mockpbx';
const doc = parse(readFileSync(new URL('../../openapi/phonebridge.yaml', import.meta.url), 'utf8'));
const resolve = (item) =>
  item?.$ref
    ? item.$ref
        .split('/')
        .slice(1)
        .reduce((node, key) => node[key], doc)
    : item;

const contract = (name) => ({ openApiOperation: '*::/*', [name]: { enabled: true } });
const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

/** The required fields of an operation, and which overwrite removes one: the body's, or the query string's. */
function requiredFields({ method, op }) {
  const body = resolve(resolve(op.requestBody)?.content?.['application/x-www-form-urlencoded']?.schema);
  if (body) return { fields: body.required ?? [], overwrite: 'overwriteRequestBody' };
  const query = (op.parameters ?? []).map(resolve).filter((p) => p.in === 'query' && p.required);
  return { fields: query.map((p) => p.name), overwrite: method === 'get' || method === 'delete' ? 'overwriteRequestQueryParams' : 'overwriteRequestBody' };
}

const variationTests = operations.flatMap((operation) => {
  const { fields, overwrite } = requiredFields(operation);
  if (fields.length === 0) return [];
  return [
    {
      openApiOperation: `${operation.method.toUpperCase()}::${operation.path}`,
      openApiResponse: '400',
      variations: fields.map((field) => ({
        name: `missing ${field}`,
        overwrites: [{ [overwrite]: [{ key: field, remove: true }] }],
        tests: {
          contractTests: [
            { statusCode: { enabled: true, code: 400 } },
            ...['contentType', 'jsonBody', 'schemaValidation'].map((name) => ({ [name]: { enabled: true } })),
          ],
          contentTests: [
            {
              responseBodyTests: [
                { key: 'code', value: 'REQUIRED_PARAM_MISSING' },
                { key: 'details.param', value: field },
              ],
            },
          ],
        },
      })),
    },
  ];
});

const config = {
  version: 1.0,
  tests: {
    contractTests: ['statusSuccess', 'contentType', 'jsonBody', 'schemaValidation'].map(contract),
    variationTests,
    extendTests: [
      {
        openApiOperation: 'DELETE::/crm/v2/phonebridge/integrate',
        tests: [
          '// Portman groups requests in one folder per tag, so DELETE /integrate runs right after POST /integrate, before the other folders.',
          '// Re-enable the integration so the later folders run against an integrated org.',
          `pm.sendRequest({url: pm.collectionVariables.get('baseUrl') + '/crm/v2/phonebridge/integrate', method: 'POST', header: {Authorization: 'Zoho-oauthtoken ${TOKEN}'}}, function (err, res) { pm.test('[restore] POST /integrate re-enables the integration', function () { pm.expect(err).to.equal(null); pm.expect(res.code).to.equal(200); }); });`,
        ],
        append: true,
      },
    ],
  },
  globals: {
    securityOverwrites: { apiKey: { value: `Zoho-oauthtoken ${TOKEN}` } },
    // Enable first; then the document's order, with the two DELETEs last.
    orderOfOperations: [...operations.filter(({ method }) => method !== 'delete'), ...operations.filter(({ method }) => method === 'delete').reverse()].map(
      ({ method, path }) => `${method.toUpperCase()}::${path}`,
    ),
  },
};
stdout.write(`${JSON.stringify(config, null, 2)}\n`);

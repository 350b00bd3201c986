// Dredd 14.1 hooks for openapi/phonebridge.yaml against phonebridge-mock (see test/tools/README.md).
// Each skip or change below is a Dredd limit, not a mock or document problem:
// - Dredd makes one transaction per declared response code but sends the same example
//   request for all of them, so only the 2xx transactions can be produced; the others are skipped.
// - Dredd builds no application/x-www-form-urlencoded body (it sends an empty body), so the
//   form variant of each POST is skipped; the application/json variant of the same POST runs.
// - GET /callerdetails 204 needs a number that matches nothing, and the document's example
//   number matches records (200), so it is skipped.
// - Dredd compares Content-Type literally: the mock (like Zoho) sends
//   `application/json;charset=utf-8` and the document declares `application/json`, so the
//   header is reduced to its media type before validation (the body is still validated).
// - Dredd runs the transactions in document order, so DELETE /integrate runs second and would
//   leave the org not integrated; after it, the integration is enabled again.
const hooks = require('hooks');
const http = require('http');

const TOKEN = 'Zoho-oauthtoken 1000.admin.mockpbx';

hooks.beforeEach((transaction, done) => {
  const status = Number(transaction.expected.statusCode);
  const ctype = transaction.request.headers['Content-Type'] || '';
  if (status < 200 || status > 299) {
    transaction.skip = true;
  } else if (ctype.startsWith('application/x-www-form-urlencoded')) {
    transaction.skip = true;
  } else if (status === 204 && transaction.request.uri.startsWith('/crm/v2/phonebridge/callerdetails')) {
    transaction.skip = true;
  }
  done();
});

hooks.beforeEachValidation((transaction, done) => {
  // DREDD_LITERAL_CONTENT_TYPE=1 keeps the header as sent, to show the literal comparison failing.
  if (process.env.DREDD_LITERAL_CONTENT_TYPE) {
    done();
    return;
  }
  const headers = transaction.real && transaction.real.headers;
  if (headers && typeof headers['content-type'] === 'string') {
    headers['content-type'] = headers['content-type'].split(';')[0].trim();
  }
  done();
});

hooks.afterEach((transaction, done) => {
  if (transaction.skip || transaction.request.method !== 'DELETE' || transaction.request.uri !== '/crm/v2/phonebridge/integrate') {
    done();
    return;
  }
  const req = http.request(
    { host: transaction.host, port: transaction.port, method: 'POST', path: '/crm/v2/phonebridge/integrate', headers: { Authorization: TOKEN } },
    (res) => {
      res.resume();
      res.on('end', () => {
        hooks.log(`re-enabled the integration: POST /crm/v2/phonebridge/integrate -> ${res.statusCode}`);
        done();
      });
    },
  );
  req.on('error', (err) => {
    hooks.log(`re-enabling the integration failed: ${err.message}`);
    done();
  });
  req.end();
});

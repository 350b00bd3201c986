/**
 * `phonebridge-mock click-to-call | call-control | outbox`: plays Zoho's side
 * through a running mock's control plane (/__admin/), printing each delivery.
 */
import { parseArgs } from 'node:util';

export const COMMANDS = ['click-to-call', 'call-control', 'outbox'] as const;

const USAGE = `usage:
  phonebridge-mock                                          start the mock
  phonebridge-mock click-to-call --user USERID (--to NUMBER | --record RECORDID)
  phonebridge-mock call-control --call CALLREFID --action answer|hangup|mute|unmute|hold|unhold|keypress [--digit D] [--user USERID]
  phonebridge-mock outbox [--clear]
options: --url BASE   the running mock (default http://HOST:PORT from the environment, else http://127.0.0.1:4010)
         --org ORGID  the org to act on (default: the user's org, else the licensed org 700000101)
PHONEBRIDGE_ADMIN_TOKEN in the environment: sent as "Authorization: Bearer <token>" (a mock that has one needs it)`;

export async function runCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (['--help', '-h', 'help'].includes(argv[0] ?? '')) {
    console.log(USAGE);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      user: { type: 'string' },
      to: { type: 'string' },
      record: { type: 'string' },
      call: { type: 'string' },
      action: { type: 'string' },
      digit: { type: 'string' },
      org: { type: 'string' },
      clear: { type: 'boolean', default: false },
    },
  });
  const base = (values.url ?? `http://${env.HOST && env.HOST !== '0.0.0.0' ? env.HOST : '127.0.0.1'}:${env.PORT || 4010}`).replace(/\/+$/, '');
  const fields = (entries: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));

  let request: { method: string; path: string; body?: Record<string, string> };
  switch (positionals[0]) {
    case 'click-to-call':
      request = {
        method: 'POST',
        path: '/__admin/click-to-call',
        body: fields({ userid: values.user, tonumber: values.to, recordid: values.record, orgid: values.org }),
      };
      break;
    case 'call-control':
      request = {
        method: 'POST',
        path: '/__admin/call-control',
        body: fields({ callrefid: values.call, action: values.action, digit: values.digit, userid: values.user, orgid: values.org }),
      };
      break;
    case 'outbox':
      request = { method: values.clear ? 'DELETE' : 'GET', path: `/__admin/outbox${values.org ? `?orgid=${encodeURIComponent(values.org)}` : ''}` };
      break;
    default:
      console.error(USAGE);
      return 2;
  }

  let res: Response;
  try {
    res = await fetch(base + request.path, {
      method: request.method,
      headers: {
        ...(request.body ? { 'Content-Type': 'application/json' } : {}),
        ...(env.PHONEBRIDGE_ADMIN_TOKEN ? { Authorization: `Bearer ${env.PHONEBRIDGE_ADMIN_TOKEN.trim()}` } : {}),
      },
      body: request.body ? JSON.stringify(request.body) : undefined,
    });
  } catch (error) {
    console.error(`phonebridge-mock: no mock answers at ${base} (${(error as Error).message}); start it, or pass --url`);
    return 2;
  }
  const body = (await res.json()) as { delivered?: boolean };
  console.log(JSON.stringify(body, null, 2));
  // A trigger succeeds when the vendor took the request; anything else is worth a non-zero exit in scripts.
  return res.ok && body.delivered !== false ? 0 : 1;
}

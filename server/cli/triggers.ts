/**
 * `phonebridge-mock click-to-call | call-control | outbox`: plays Zoho's side through a running mock's
 * control plane (/__admin/), printing what the mock answered (the delivery to the vendor, or why not).
 */

export interface ControlPlane {
  /** The running mock's base URL. */
  url?: string;
  /** The org to act on. */
  org?: string;
}

export interface Trigger {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, string | undefined>;
}

/** Where the mock runs: --url, else HOST and PORT as `npm start` would use them, else the default. */
export function mockUrl(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const host = env.HOST && env.HOST !== '0.0.0.0' && env.HOST !== '::' ? env.HOST : '127.0.0.1';
  return (given ?? `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT || 4010}`).replace(/\/+$/, '');
}

/** Sends one control-plane request and prints the answer; the exit code says whether the vendor took it. */
export async function send(trigger: Trigger, options: ControlPlane, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const base = mockUrl(options.url, env);
  const body = trigger.body && Object.fromEntries(Object.entries(trigger.body).filter((entry) => entry[1] !== undefined));
  let res: Response;
  try {
    res = await fetch(base + trigger.path, {
      method: trigger.method,
      headers: {
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(env.PHONEBRIDGE_ADMIN_TOKEN ? { Authorization: `Bearer ${env.PHONEBRIDGE_ADMIN_TOKEN.trim()}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    console.error(`phonebridge-mock: no mock answers at ${base} (${(error as Error).message}); start it, or pass --url`);
    return 2;
  }
  const text = await res.text();
  let answer: { delivered?: boolean } | undefined;
  try {
    answer = JSON.parse(text) as { delivered?: boolean };
    console.log(JSON.stringify(answer, null, 2));
  } catch {
    console.error(`phonebridge-mock: ${base} answered ${res.status} without JSON; is it a phonebridge-mock?`);
    return 2;
  }
  // A trigger succeeds when the vendor took the request; anything else is worth a non-zero exit in scripts.
  return res.ok && answer.delivered !== false ? 0 : 1;
}

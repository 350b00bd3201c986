import type { Org } from '../store/schema.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The consent page: every active user of every org, each with an Accept button that posts back the request. */
export function consentPage(clientName: string, scopes: string[], request: Record<string, string>, orgs: Org[]): string {
  const hidden = Object.entries(request)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('');
  const rows = orgs
    .map((org) => {
      const users = org.users
        .filter((u) => u.active)
        .map(
          (u) => `<li><form method="post" action="/oauth/v2/auth">${hidden}<input type="hidden" name="userid" value="${escape(u.id)}">
            <button type="submit" name="decision" value="allow" data-userid="${escape(u.id)}">Accept as ${escape(u.name)}</button>
            <span class="role">${u.role === 'admin' ? 'administrator' : 'standard user'} · ${escape(u.email)}</span></form></li>`,
        )
        .join('');
      return `<section><h2>${escape(org.name)} <small>(${escape(org.edition)} edition, org ${escape(org.id)})</small></h2><ul>${users}</ul></section>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize ${escape(clientName)} · phonebridge-mock</title>
<style>body{font:15px system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.4rem}
ul{list-style:none;padding:0}li{margin:.4rem 0}button{font:inherit;padding:.35rem .8rem;cursor:pointer}.role{color:#5a6270;margin-left:.6rem}
code{background:#eef1f5;padding:0 .3rem;border-radius:3px}form.deny{margin-top:1.5rem}</style></head>
<body><h1>${escape(clientName)} would like to access your Zoho CRM</h1>
<p>Scopes: ${scopes.map((s) => `<code>${escape(s)}</code>`).join(' ')}</p>
<p>Choose the CRM user who consents (phonebridge-mock: every org's active users are listed).</p>
${rows}
<form class="deny" method="post" action="/oauth/v2/auth">${hidden}<input type="hidden" name="userid" value="-"><button type="submit" name="decision" value="deny">Deny</button></form>
</body></html>`;
}

export function errorPage(title: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(detail)}</p></body></html>`;
}

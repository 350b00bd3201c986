/** Each org's integration as Zoho would show it: the PBX enabled, each user's click-to-call and call-control URLs, the custom parameters. */
import type { Tenant } from '../api.js';
import { Empty, TableRegion, time } from '../ui.js';
import { userName } from './calls.js';

const pairs = (list: { name: string; value: string }[]) => (list.length ? list.map((p) => `${p.name}=${p.value}`).join(', ') : 'none');

export function IntegrationView({ tenant }: { tenant: Tenant | undefined }) {
  if (!tenant) return <Empty>Loading the tenant…</Empty>;
  return (
    <section aria-labelledby="integration-title">
      <h2 id="integration-title">Integration</h2>
      <p class="muted">
        Tenant {tenant.id}
        {tenant.label ? ` (${tenant.label})` : ''}, seed {tenant.seed}, {tenant.crmSize} records per org, profile {tenant.profile} (where Zoho's documents and
        its live API disagree; PhoneBridge v3).
      </p>
      {tenant.orgs.map((org) => (
        <article class="org" key={org.id} aria-labelledby={`org-${org.id}`}>
          <h3 id={`org-${org.id}`}>
            {org.name}{' '}
            <span class="muted">
              ({org.id}, {org.kind}, {org.edition})
            </span>
          </h3>
          <p>
            PBX:{' '}
            {org.integration ? (
              <strong>
                {org.integration.vendor} enabled at {time(org.integration.enabledAt)}
              </strong>
            ) : (
              <span>not enabled{org.telephony ? '' : ' (the edition has no telephony)'}</span>
            )}
          </p>
          {org.registrations.length === 0 ? (
            <Empty>No user has registered click-to-call.</Empty>
          ) : (
            <TableRegion label={`Registrations of ${org.name}`}>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">API</th>
                  <th scope="col">Click-to-call URL</th>
                  <th scope="col">Call-control URLs</th>
                  <th scope="col">Authorization</th>
                  <th scope="col">Custom parameters</th>
                </tr>
              </thead>
              <tbody>
                {org.registrations.map((r) => (
                  <tr key={r.userId}>
                    <td>{userName(tenant, r.userId)}</td>
                    <td>{r.api}</td>
                    <td class="url">{r.clicktocallurl ?? 'none'}</td>
                    <td class="url">
                      {Object.entries(r.actionUrls).length
                        ? Object.entries(r.actionUrls).map(([field, url]) => (
                            <div key={field}>
                              {field}: {url}
                            </div>
                          ))
                        : 'none'}
                    </td>
                    <td>{r.authorizationparam ? `${r.authorizationparam.name}=${r.authorizationparam.value}` : 'none'}</td>
                    <td>
                      click-to-call: {pairs(r.clicktocallparam)}
                      <br />
                      call control: {pairs(r.callcontrolparam)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </TableRegion>
          )}
        </article>
      ))}
    </section>
  );
}

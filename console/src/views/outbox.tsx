/** Zoho's requests to the vendor's PBX: each delivery with its answer, latency and attempts; one can be sent again. */
import { useState } from 'preact/hooks';
import { api, describeError, type Delivery } from '../api.js';
import { Empty, Json, Status, TableRegion, time } from '../ui.js';

export function OutboxView({ deliveries, tenantId }: { deliveries: Delivery[]; tenantId: string }) {
  const [result, setResult] = useState<string>();
  const resend = async (delivery: Delivery) => {
    setResult(undefined);
    const answer = await api<Delivery>('POST', `/__admin/outbox/${delivery.id}/resend`, { tenant: tenantId });
    setResult(answer.status === 200 ? `Delivery ${delivery.id} sent again as ${answer.body.id}` : `Resend ${delivery.id}: ${describeError(answer)}`);
  };
  return (
    <section aria-labelledby="outbox-title">
      <h2 id="outbox-title">Outbox</h2>
      <p class="result" role="status">
        {result}
      </p>
      {deliveries.length === 0 ? <Empty>Nothing sent yet. Click to call, or press a button on a live call.</Empty> : null}
      <TableRegion label="Deliveries">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Request</th>
            <th scope="col">URL</th>
            <th scope="col">Answer</th>
            <th scope="col">Latency</th>
            <th scope="col">Attempts</th>
            <th scope="col">
              <span class="visually-hidden">Resend</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} class={d.delivered ? undefined : 'flagged'}>
              <td>{time(d.at)}</td>
              <td>
                <a href={`#/outbox/${d.id}`}>
                  {d.kind}
                  {d.callrefid ? ` ${d.callrefid}` : ''}
                </a>
              </td>
              <td class="url">{d.url}</td>
              <td>{d.error ? <span class="hint">{d.error}</span> : <Status code={d.response?.status} />}</td>
              <td>{d.latencyMs} ms</td>
              <td>{d.attempts}</td>
              <td>
                <button type="button" aria-label={`Resend delivery ${d.id}`} onClick={() => void resend(d)}>
                  Resend
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </TableRegion>
    </section>
  );
}

export function DeliveryDetailView({ delivery, id }: { delivery: Delivery | undefined; id: string }) {
  return (
    <section aria-labelledby="delivery-title">
      <p>
        <a href="#/outbox">← Outbox</a>
      </p>
      <h2 id="delivery-title">Delivery {id}</h2>
      {!delivery ? (
        <Empty>Not in the outbox.</Empty>
      ) : (
        <>
          <p>
            {delivery.kind} to <code>{delivery.url}</code>: {delivery.delivered ? 'delivered' : 'not delivered'} after {delivery.attempts} attempt(s),{' '}
            {delivery.latencyMs} ms{delivery.error ? ` (${delivery.error})` : ''}
          </p>
          <h3>Request</h3>
          <Json value={delivery.request.headers} label="Request headers" />
          <Json value={delivery.request.body} label="Request body" />
          <h3>The vendor's answer</h3>
          {delivery.response ? (
            <>
              <p>
                <Status code={delivery.response.status} />
              </p>
              <Json value={delivery.response.body} label="Response body" />
            </>
          ) : (
            <Empty>No answer.</Empty>
          )}
        </>
      )}
    </section>
  );
}

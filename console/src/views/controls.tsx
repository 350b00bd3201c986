/** The tenant's bad day and fresh start: reset, faults, Zoho's API limits, the clock (the control plane's own operations). */
import { useEffect, useState } from 'preact/hooks';
import { api, describeError, type Schemas } from '../api.js';
import { Empty, Json, TableRegion } from '../ui.js';

type Fault = Schemas['Fault'];
type Clock = Schemas['Clock'];

export function ControlsView({ tenantId, onReset }: { tenantId: string; onReset: () => void }) {
  const [result, setResult] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [faults, setFaults] = useState<Fault[]>([]);
  const [clock, setClock] = useState<Clock>();
  const [limits, setLimits] = useState<unknown>();
  const [generation, setGeneration] = useState(0);
  const [fault, setFault] = useState({ operationId: '', status: '', delayMs: '', times: '' });
  const [advance, setAdvance] = useState('3600');
  const [edition, setEdition] = useState('');
  const query = { tenant: tenantId };

  useEffect(() => {
    void api<{ faults: Fault[] }>('GET', '/__admin/faults', query).then((a) => setFaults(a.status === 200 ? a.body.faults : []));
    void api<Clock>('GET', '/__admin/clock', query).then((a) => a.status === 200 && setClock(a.body));
    void api<unknown>('GET', '/__admin/limits', query).then((a) => setLimits(a.body));
  }, [tenantId, generation]);

  /** Runs one operation, says how it went, and reloads what it may have changed. */
  const run = async (what: string, method: string, path: string, body?: Record<string, unknown>) => {
    const answer = await api<unknown>(method, path, body ? {} : query, body && { tenant: tenantId, ...body });
    setResult(answer.status < 300 ? `${what}: done` : `${what}: ${describeError(answer)}`);
    setGeneration((g) => g + 1);
    return answer.status < 300;
  };
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));

  return (
    <section aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      <p class="result" role="status">
        {result}
      </p>

      <h3>Start over</h3>
      <p>Reset the tenant to its seed: integrations, registrations, calls, activities, tokens minted by OAuth and the outbox go.</p>
      {confirming ? (
        <p>
          <button
            type="button"
            class="danger"
            onClick={() =>
              void run('Reset', 'POST', '/__admin/reset', {}).then((ok) => {
                setConfirming(false);
                if (ok) onReset();
              })
            }
          >
            Confirm reset
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Keep everything
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Reset tenant
        </button>
      )}

      <h3>Faults</h3>
      {faults.length === 0 ? (
        <Empty>No faults: every request is answered normally.</Empty>
      ) : (
        <TableRegion label="Faults">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Matches</th>
              <th scope="col">Effect</th>
              <th scope="col">Remaining</th>
              <th scope="col">Hits</th>
              <th scope="col">
                <span class="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {faults.map((f) => (
              <tr key={f.id}>
                <td>{f.id}</td>
                <td>{[f.match.operationId, f.match.method, f.match.path].filter(Boolean).join(' ')}</td>
                <td>{[f.effect.status, f.effect.delayMs !== undefined && `${f.effect.delayMs} ms`, f.effect.drop].filter(Boolean).join(', ')}</td>
                <td>{f.remaining ?? 'unlimited'}</td>
                <td>{f.hits}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove fault ${f.id}`}
                    onClick={() => void run(`Remove fault ${f.id}`, 'DELETE', `/__admin/faults/${f.id}`)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </TableRegion>
      )}
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void run('Add fault', 'POST', '/__admin/faults', {
            operationId: fault.operationId || undefined,
            status: number(fault.status),
            delayMs: number(fault.delayMs),
            times: number(fault.times),
          });
        }}
      >
        <label>
          Operation
          <input value={fault.operationId} placeholder="callHungUp" onInput={(e) => setFault({ ...fault, operationId: e.currentTarget.value })} />
        </label>
        <label>
          Status
          <input inputMode="numeric" value={fault.status} placeholder="500" onInput={(e) => setFault({ ...fault, status: e.currentTarget.value })} />
        </label>
        <label>
          Delay (ms)
          <input inputMode="numeric" value={fault.delayMs} onInput={(e) => setFault({ ...fault, delayMs: e.currentTarget.value })} />
        </label>
        <label>
          Times
          <input inputMode="numeric" value={fault.times} onInput={(e) => setFault({ ...fault, times: e.currentTarget.value })} />
        </label>
        <button type="submit">Add fault</button>
        {faults.length ? (
          <button type="button" onClick={() => void run('Clear faults', 'DELETE', '/__admin/faults')}>
            Clear faults
          </button>
        ) : null}
      </form>

      <h3>Clock</h3>
      <p>
        The tenant's time: {clock ? new Date(clock.now).toLocaleString() : '…'}
        {clock && clock.offsetSeconds !== 0 ? ` (${clock.offsetSeconds} s from real time)` : ' (real time)'}
      </p>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void run('Advance the clock', 'POST', '/__admin/clock', { advance });
        }}
      >
        <label>
          Advance by (seconds or ISO 8601 duration)
          <input value={advance} onInput={(e) => setAdvance(e.currentTarget.value)} />
        </label>
        <button type="submit">Advance clock</button>
        <button type="button" onClick={() => void run('Real time', 'DELETE', '/__admin/clock')}>
          Back to real time
        </button>
      </form>

      <h3>Zoho's API limits</h3>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void run('Set limits', 'POST', '/__admin/limits', { edition: edition || undefined });
        }}
      >
        <label>
          Edition
          <select value={edition} onChange={(e) => setEdition(e.currentTarget.value)}>
            <option value="">Each org's own</option>
            {['free', 'standard', 'professional', 'enterprise', 'ultimate'].map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply limits</button>
        <button type="button" onClick={() => void run('Clear limits', 'DELETE', '/__admin/limits')}>
          No limits
        </button>
      </form>
      {limits !== undefined ? <Json value={limits} label="Limits and use" /> : null}
    </section>
  );
}

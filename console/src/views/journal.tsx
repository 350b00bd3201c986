/**
 * The request journal, live: what the vendor sent, how the mock read it and
 * what it answered, with hints (what the vendor most likely did wrong) and
 * call lifecycle warnings highlighted. Filters by operation and status class.
 */
import { useState } from 'preact/hooks';
import type { JournalEntry } from '../api.js';
import { Empty, Json, Status, TableRegion, time } from '../ui.js';

const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'];
const NO_OPERATION = '(no operation)';

export function JournalView({ requests }: { requests: JournalEntry[] }) {
  const [operation, setOperation] = useState('');
  const [statusClass, setStatusClass] = useState('');
  const [flagged, setFlagged] = useState(false);
  const operations = [...new Set(requests.map((e) => e.operationId ?? NO_OPERATION))].sort();
  const shown = requests.filter(
    (e) =>
      (operation === '' || (e.operationId ?? NO_OPERATION) === operation) &&
      (statusClass === '' || `${Math.floor(e.response.status / 100)}xx` === statusClass) &&
      (!flagged || e.hints.length > 0 || e.warnings.length > 0),
  );
  return (
    <section aria-labelledby="journal-title">
      <h2 id="journal-title">Journal</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Operation
          <select value={operation} onChange={(event) => setOperation(event.currentTarget.value)}>
            <option value="">All</option>
            {operations.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={statusClass} onChange={(event) => setStatusClass(event.currentTarget.value)}>
            <option value="">All</option>
            {STATUS_CLASSES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={flagged} onChange={(event) => setFlagged(event.currentTarget.checked)} />
          Only with hints or warnings
        </label>
      </form>
      {shown.length === 0 ? <Empty>No request {requests.length ? 'matches these filters' : 'yet'}.</Empty> : null}
      <TableRegion label="Requests">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Request</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Operation</th>
            <th scope="col">Hints and warnings</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((entry) => (
            <tr key={entry.id} class={entry.hints.length || entry.warnings.length ? 'flagged' : undefined}>
              <td>{time(entry.at)}</td>
              <td>
                <a href={`#/journal/${entry.id}`}>
                  {entry.method} {entry.path}
                </a>
              </td>
              <td>
                <Status code={entry.response.status} />
              </td>
              <td>{entry.durationMs.toFixed(1)} ms</td>
              <td>{entry.operationId ?? NO_OPERATION}</td>
              <td>
                {[...entry.hints, ...entry.warnings].map((h, i) => (
                  <span class="hint" key={i}>
                    {h.message}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </TableRegion>
    </section>
  );
}

export function RequestDetailView({ entry, id }: { entry: JournalEntry | undefined; id: string }) {
  return (
    <section aria-labelledby="request-title">
      <p>
        <a href="#/journal">← Journal</a>
      </p>
      <h2 id="request-title">Request {id}</h2>
      {!entry ? (
        <Empty>Not in the journal (it keeps the latest requests of this tenant, in memory).</Empty>
      ) : (
        <>
          <p class="request-line">
            <code>
              {entry.method} {entry.path}
            </code>{' '}
            <Status code={entry.response.status} /> in {entry.durationMs.toFixed(1)} ms · {entry.operationId ?? NO_OPERATION} · validation {entry.validation}
            {entry.fault ? ` · fault ${entry.fault.id}` : ''}
          </p>
          {entry.hints.length || entry.warnings.length ? (
            <>
              <h3>Hints and warnings</h3>
              <ul class="hints">
                {entry.hints.map((h, i) => (
                  <li key={`h${i}`}>
                    <code>{h.code}</code> {h.message}
                  </li>
                ))}
                {entry.warnings.map((w, i) => (
                  <li key={`w${i}`}>
                    <code>{w.code}</code> {w.message}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Request as received</h3>
          <Json value={entry.headers} label="Request headers" />
          {Object.keys(entry.query).length ? <Json value={entry.query} label="Query" /> : null}
          <Json value={entry.body ?? ''} label="Request body" />
          {entry.bodyTruncated ? <p class="muted">The body was longer; the journal keeps its first 16 KB.</p> : null}
          <h3>Fields as the mock read them</h3>
          <Json value={entry.fields ?? {}} label="Fields" />
          <h3>Response</h3>
          <Json value={entry.response.headers} label="Response headers" />
          <Json value={entry.response.body ?? ''} label="Response body" />
        </>
      )}
    </section>
  );
}

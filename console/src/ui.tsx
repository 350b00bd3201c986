/** Small pieces every view uses: times, statuses, JSON, tables that scroll on a phone. */
import type { ComponentChildren } from 'preact';

export const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '');

/** A status code with its class (2xx, 4xx, 5xx) as colour and as text; 0 is a connection that got no answer. */
export function Status({ code }: { code: number | null | undefined }) {
  if (code === null || code === undefined || code === 0) return <span class="status status-none">no answer</span>;
  return <span class={`status status-${Math.floor(code / 100)}xx`}>{code}</span>;
}

export function Json({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre class="json" aria-label={label} tabIndex={0}>
      {text === '' || text === undefined ? '(empty)' : text}
    </pre>
  );
}

/** A table in a region that scrolls sideways on a narrow screen, reachable with the keyboard. */
export function TableRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-region" role="region" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </div>
  );
}

/** A link only to http(s) addresses: a vendor's recording URL must not become a script. */
export function SafeLink({ href, children }: { href: string; children: ComponentChildren }) {
  const safe = /^https?:\/\//i.test(href);
  return safe ? (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ) : (
    <span>{href}</span>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** How a receiver checks that a delivery comes from this server. */
export function SigningHelp() {
  return (
    <details className="card signing-help">
      <summary className="strong">How to verify deliveries</summary>
      <p>
        Every delivery is a POST carrying{' '}
        <code>Switchboard-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</code>: the HMAC-SHA256, under the
        webhook&apos;s secret, of the timestamp, a dot and the raw body (<code>{'<t>.<body>'}</code>).
      </p>
      <p>
        Compute it over the body exactly as received (not re-serialised JSON), compare in constant time, and
        refuse timestamps more than 5 minutes from your clock. In Node, <code>verifyWebhookSignature</code> of
        the server does all of this. <code>Switchboard-Event</code> names the event;{' '}
        <code>Switchboard-Delivery</code> is the same on every retry of a delivery, so ignore ids you have
        already processed.
      </p>
      <p className="hint">
        Failed deliveries (no answer, 408, 425, 429, 5xx) are retried 7 times over about ten hours. After a
        secret rotation, deliveries and their retries are signed with the new secret.
      </p>
    </details>
  );
}

import { useId } from 'react';
import { CopyButton } from '../ui/copy-button.js';
import { Dialog } from '../ui/dialog.js';

/** A webhook's secret, shown this once (after creation or a rotation): the server never shows it again. */
export function WebhookSecretDialog({
  name,
  secret,
  rotated,
  onClose,
}: {
  name: string;
  secret: string;
  rotated: boolean;
  onClose: () => void;
}) {
  const id = useId();
  return (
    <Dialog title={rotated ? `New secret of “${name}”` : `Webhook “${name}” created`} onClose={onClose}>
      <div className="dialog-body">
        <p>
          <strong>Copy the signing secret now: it is shown only this once.</strong> Your receiver verifies
          each delivery&apos;s <code>Switchboard-Signature</code> with it.
          {rotated && ' Deliveries from now on, retries included, are signed with this one.'}
        </p>
        <label htmlFor={id} className="visually-hidden">
          The signing secret
        </label>
        <input
          id={id}
          className="mono created-key"
          readOnly
          value={secret}
          onFocus={(e) => e.target.select()}
          data-testid="webhook-secret"
        />
        <CopyButton text={secret} label="Copy secret" />
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}

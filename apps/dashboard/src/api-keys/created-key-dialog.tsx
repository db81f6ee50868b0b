import { useId } from 'react';
import type { ApiKeyView } from '../api/api-types.js';
import { CopyButton } from '../ui/copy-button.js';
import { Dialog } from '../ui/dialog.js';

/** The new key, shown this once: the server keeps only its hash. */
export function CreatedKeyDialog({
  created,
  onClose,
}: {
  created: ApiKeyView & { key: string };
  onClose: () => void;
}) {
  const id = useId();
  return (
    <Dialog title={`Key “${created.name}” created`} onClose={onClose}>
      <div className="dialog-body">
        <p>
          <strong>Copy it now: it is shown only this once.</strong> The server keeps only its hash.
        </p>
        <label htmlFor={id} className="visually-hidden">
          The new key
        </label>
        <input
          id={id}
          className="mono created-key"
          readOnly
          value={created.key}
          onFocus={(e) => e.target.select()}
          data-testid="created-key"
        />
        <CopyButton text={created.key} label="Copy key" />
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}

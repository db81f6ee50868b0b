/**
 * The foot of a record's form: a delete button for a stored record, and the submit button, enabled
 * while creating or once something was edited.
 */
export function SaveBar({
  noun,
  deleteNoun = noun,
  creating,
  dirty,
  busy,
  onDelete,
}: {
  /** What the form edits, as the buttons say it: "alert rule", "webhook", "segment". */
  noun: string;
  /** What the delete button says, when shorter than `noun` ("rule"). */
  deleteNoun?: string;
  creating: boolean;
  dirty: boolean;
  busy: boolean;
  onDelete: () => void;
}) {
  return (
    <div className={dirty ? 'save-bar is-dirty' : 'save-bar'}>
      {!creating && (
        <button type="button" className="button button-quiet danger-text" onClick={onDelete}>
          Delete {deleteNoun}
        </button>
      )}
      <button type="submit" className="button button-primary" disabled={busy || (!creating && !dirty)}>
        {creating ? `Create ${noun}` : `Save ${noun}`}
      </button>
    </div>
  );
}

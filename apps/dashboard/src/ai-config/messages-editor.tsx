import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { type MessageDraft, newMessage } from './ai-config-draft.js';
import { MESSAGE_ROLES, type MessageRole } from './ai-config-rules.js';
import { moved } from './list-moves.js';
import { MoveButtons } from './move-buttons.js';
import { variablesOf } from './template-variables.js';

interface Props {
  messages: MessageDraft[];
  path: string;
  onChange: (messages: MessageDraft[]) => void;
}

function MessageRow({
  message,
  index,
  count,
  path,
  onChange,
  onMove,
  onRemove,
}: {
  message: MessageDraft;
  index: number;
  count: number;
  path: string;
  onChange: (m: MessageDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const at = `${path}.${index}`;
  const name = `message ${index + 1}`;
  const roleInvalid = useInvalidProps(`${at}.role`);
  const contentInvalid = useInvalidProps(`${at}.content`);
  return (
    <li className="ai-item" data-message-index={index}>
      <div className="field ai-role">
        <label htmlFor={`${id}-role`}>Role of {name}</label>
        <select
          id={`${id}-role`}
          value={message.role}
          onChange={(e) => onChange({ ...message, role: e.target.value as MessageRole })}
          {...roleInvalid}
        >
          {MESSAGE_ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
        <FieldError path={`${at}.role`} />
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-content`}>Content of {name}</label>
        <textarea
          id={`${id}-content`}
          rows={message.role === 'system' ? 4 : 2}
          value={message.content}
          onChange={(e) => onChange({ ...message, content: e.target.value })}
          {...contentInvalid}
        />
        <FieldError path={`${at}.content`} />
      </div>
      <MoveButtons name={name} index={index} count={count} onMove={onMove} onRemove={onRemove} />
    </li>
  );
}

/** The prompt: ordered messages, each a role and a template, and the `{{variables}}` they use. */
export function MessagesEditor({ messages, path, onChange }: Props) {
  const variables = variablesOf(messages);
  return (
    <div className="ai-messages">
      {messages.length === 0 ? (
        <p className="muted">No messages: the caller sends the whole prompt.</p>
      ) : (
        <ol className="ai-list">
          {messages.map((m, i) => (
            <MessageRow
              key={m.uid}
              message={m}
              index={i}
              count={messages.length}
              path={path}
              onChange={(next) => onChange(messages.map((x, j) => (j === i ? next : x)))}
              onMove={(to) => onChange(moved(messages, i, to))}
              onRemove={() => onChange(messages.filter((_, j) => j !== i))}
            />
          ))}
        </ol>
      )}
      <FieldError path={path} exact />
      <div className="ai-variables" data-testid="prompt-variables">
        <span className="label">Variables</span>{' '}
        {variables.length === 0 ? (
          <span className="muted">none — write {'{{name}}'} in a message to use one</span>
        ) : (
          <ul className="tags" aria-label="Variables the prompt uses">
            {variables.map((v) => (
              <li key={v} className="tag mono">
                {v}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...messages, newMessage(messages.length === 0 ? 'system' : 'user')])}
      >
        Add message
      </button>
    </div>
  );
}

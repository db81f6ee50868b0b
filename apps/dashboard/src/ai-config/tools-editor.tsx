import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { newTool, type ToolDraft } from './ai-config-draft.js';
import { TOOL_MODES, type ToolMode } from './ai-config-rules.js';
import { moved } from './list-moves.js';
import { MoveButtons } from './move-buttons.js';

const MODE_LABELS: Record<ToolMode, string> = {
  enabled: 'Enabled',
  observe: 'Observe (calls only logged)',
  off: 'Off (hidden from the model)',
};

function ToolRow({
  tool,
  index,
  count,
  path,
  onChange,
  onMove,
  onRemove,
}: {
  tool: ToolDraft;
  index: number;
  count: number;
  path: string;
  onChange: (t: ToolDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const at = `${path}.${index}`;
  const name = `tool ${index + 1}`;
  const nameInvalid = useInvalidProps(`${at}.name`);
  const modeInvalid = useInvalidProps(`${at}.mode`);
  const descriptionInvalid = useInvalidProps(`${at}.description`);
  const parametersInvalid = useInvalidProps(`${at}.parameters`);
  return (
    <li className="ai-item" data-tool-index={index}>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name of {name}</label>
        <input
          id={`${id}-name`}
          className="mono"
          value={tool.name}
          onChange={(e) => onChange({ ...tool, name: e.target.value })}
          {...nameInvalid}
        />
        <FieldError path={`${at}.name`} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-mode`}>Mode of {name}</label>
        <select
          id={`${id}-mode`}
          value={tool.mode}
          onChange={(e) => onChange({ ...tool, mode: e.target.value as ToolMode })}
          {...modeInvalid}
        >
          {TOOL_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {MODE_LABELS[mode]}
            </option>
          ))}
        </select>
        <FieldError path={`${at}.mode`} />
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-description`}>Description of {name} (optional)</label>
        <input
          id={`${id}-description`}
          value={tool.description}
          onChange={(e) => onChange({ ...tool, description: e.target.value })}
          {...descriptionInvalid}
        />
        <FieldError path={`${at}.description`} />
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-parameters`}>Parameters of {name} (JSON Schema, optional)</label>
        <textarea
          id={`${id}-parameters`}
          className="mono"
          rows={Math.min(12, Math.max(3, tool.parametersText.split('\n').length))}
          spellCheck={false}
          placeholder='{"type": "object", "properties": {}}'
          value={tool.parametersText}
          onChange={(e) => onChange({ ...tool, parametersText: e.target.value })}
          {...parametersInvalid}
        />
        <FieldError path={`${at}.parameters`} />
      </div>
      <MoveButtons name={name} index={index} count={count} onMove={onMove} onRemove={onRemove} />
    </li>
  );
}

/** The tools the config offers the model, each enabled, observed (calls only logged) or off. */
export function ToolsEditor({
  tools,
  path,
  onChange,
}: {
  tools: ToolDraft[];
  path: string;
  onChange: (tools: ToolDraft[]) => void;
}) {
  return (
    <div>
      {tools.length === 0 ? (
        <p className="muted">No tools.</p>
      ) : (
        <ol className="ai-list">
          {tools.map((t, i) => (
            <ToolRow
              key={t.uid}
              tool={t}
              index={i}
              count={tools.length}
              path={path}
              onChange={(next) => onChange(tools.map((x, j) => (j === i ? next : x)))}
              onMove={(to) => onChange(moved(tools, i, to))}
              onRemove={() => onChange(tools.filter((_, j) => j !== i))}
            />
          ))}
        </ol>
      )}
      <FieldError path={path} exact />
      <button type="button" className="button button-small" onClick={() => onChange([...tools, newTool()])}>
        Add tool
      </button>
    </div>
  );
}

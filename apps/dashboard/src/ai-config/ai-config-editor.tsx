import { useContext, useId, useState } from 'react';
import type { FieldProblem } from '../model/field-errors.js';
import { FieldError } from '../ui/field-error.js';
import { FieldProblemsContext, useInvalidProps } from '../ui/field-problems.js';
import type { AiConfigDraft } from './ai-config-draft.js';
import { type AiEditorState, switchView } from './ai-editor-state.js';
import { FallbackChain } from './fallback-chain.js';
import { MessagesEditor } from './messages-editor.js';
import { ParamsFields } from './params-fields.js';
import { PricingFields } from './pricing-fields.js';
import { ProviderModelFields } from './provider-model-fields.js';
import { ToolsEditor } from './tools-editor.js';
import './ai-config.css';

interface Props {
  state: AiEditorState;
  /** The value as JSON text: what the JSON view edits. */
  text: string;
  /** The value's field path (`body.variants.1.value`). */
  path: string;
  onChange: (state: AiEditorState, text: string) => void;
}

function AiConfigForm({
  form,
  path,
  onChange,
}: {
  form: AiConfigDraft;
  path: string;
  onChange: (form: AiConfigDraft) => void;
}) {
  const set = (patch: Partial<AiConfigDraft>) => onChange({ ...form, ...patch });
  return (
    <div className="ai-form">
      <div className="form-grid ai-model">
        <ProviderModelFields
          provider={form.provider}
          model={form.model}
          path={path}
          onChange={(next) => set(next)}
        />
      </div>
      <fieldset className="ai-section">
        <legend>Prompt</legend>
        <MessagesEditor
          messages={form.messages}
          path={`${path}.messages`}
          onChange={(messages) => set({ messages })}
        />
      </fieldset>
      <fieldset className="ai-section">
        <legend>Parameters</legend>
        <ParamsFields draft={form} path={`${path}.params`} onChange={(next) => set(next)} />
      </fieldset>
      <fieldset className="ai-section">
        <legend>Tools</legend>
        <ToolsEditor tools={form.tools} path={`${path}.tools`} onChange={(tools) => set({ tools })} />
      </fieldset>
      <fieldset className="ai-section">
        <legend>Fallback chain</legend>
        <FallbackChain
          fallbacks={form.fallbacks}
          path={`${path}.fallbacks`}
          onChange={(fallbacks) => set({ fallbacks })}
        />
      </fieldset>
      <fieldset className="ai-section">
        <legend>Pricing</legend>
        <PricingFields
          pricing={form.pricing}
          path={`${path}.pricing`}
          onChange={(pricing) => set({ pricing })}
        />
      </fieldset>
    </div>
  );
}

/**
 * An AI config variant's value: a form for provider, model, prompt, parameters, tools, fallbacks and
 * pricing, or its JSON for power users. Switching views never changes the value: the JSON the form
 * writes reads back into the same form, and JSON the form could not show exactly stays JSON.
 */
export function AiConfigEditor({ state, text, path, onChange }: Props) {
  const id = useId();
  const outer = useContext(FieldProblemsContext);
  // Problems found by a refused switch to JSON, shown until the next edit.
  const [own, setOwn] = useState<FieldProblem[]>([]);
  const jsonInvalid = useInvalidProps(path);
  const change = (next: AiEditorState, nextText: string) => {
    setOwn([]);
    onChange(next, nextText);
  };
  const show = (view: AiEditorState['view']) => {
    if (view === state.view) return;
    const switched = switchView(state, text, path);
    setOwn(switched.problems);
    onChange(switched.state, switched.text);
  };
  return (
    <FieldProblemsContext.Provider value={own.length === 0 ? outer : [...own, ...outer]}>
      <div className="ai-config" data-view={state.view}>
        <fieldset className="ai-view-switch">
          <legend className="visually-hidden">Edit the AI config as</legend>
          <button
            type="button"
            className="button button-small"
            aria-pressed={state.view === 'form'}
            onClick={() => show('form')}
          >
            Form
          </button>
          <button
            type="button"
            className="button button-small"
            aria-pressed={state.view === 'json'}
            onClick={() => show('json')}
          >
            JSON
          </button>
        </fieldset>
        {state.notice !== undefined && (
          <p className="banner banner-warning" role="status">
            {state.notice}
          </p>
        )}
        {state.view === 'form' ? (
          <>
            <FieldError path={path} exact />
            <AiConfigForm
              form={state.form}
              path={path}
              onChange={(form) => change({ view: 'form', form }, text)}
            />
          </>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-json`}>AI config (JSON)</label>
            <textarea
              id={`${id}-json`}
              className="mono"
              rows={14}
              spellCheck={false}
              value={text}
              onChange={(e) => change({ view: 'json', form: state.form }, e.target.value)}
              {...jsonInvalid}
            />
            <FieldError path={path} />
          </div>
        )}
      </div>
    </FieldProblemsContext.Provider>
  );
}

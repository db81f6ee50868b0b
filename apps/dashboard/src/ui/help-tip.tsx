import { type ReactNode, useId, useRef, useState } from 'react';

/**
 * A small "?" that explains a figure: shown while hovered or focused, or once tapped; Escape hides it.
 * On a phone the text is a sheet along the bottom of the screen, so it never widens the page.
 */
export function HelpTip({ label, children }: { label: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const [alignEnd, setAlignEnd] = useState(false);
  const ref = useRef<HTMLButtonElement>(null);
  const id = useId();
  const show = () => {
    const rect = ref.current?.getBoundingClientRect();
    // Opens toward the side with room: a tip near the right edge grows leftwards.
    setAlignEnd(rect !== undefined && rect.left > window.innerWidth / 2);
    setOpen(true);
  };
  const hide = () => setOpen(false);
  return (
    <span className="help">
      <button
        ref={ref}
        type="button"
        className="help-button"
        aria-label={`About ${label}`}
        aria-expanded={open}
        {...(open ? { 'aria-describedby': id } : {})}
        onClick={show}
        onFocus={show}
        onBlur={hide}
        onMouseEnter={show}
        onMouseLeave={hide}
        onKeyDown={(e) => {
          if (e.key === 'Escape') hide();
        }}
      >
        ?
      </button>
      {open && (
        <span role="tooltip" id={id} className={alignEnd ? 'help-text help-text-end' : 'help-text'}>
          {children}
        </span>
      )}
    </span>
  );
}

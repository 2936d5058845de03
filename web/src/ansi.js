// ANSI SGR colour codes in build output, turned into spans with classes (never into HTML text).
// Supports reset, bold, dim, italic, underline, the 8/16 foreground and background colours; other
// escape sequences are dropped.

const SGR = /\x1b\[([0-9;]*)m/g;
const OTHER = /\x1b\[[0-9;?]*[A-Za-ln-z]/g;

/** Appends `text` to `parent` as text nodes and styled spans. */
export function appendAnsi(parent, text) {
  const clean = text.replace(OTHER, '');
  let state = {};
  let last = 0;
  const flush = (s) => {
    if (!s) return;
    const classes = [];
    if (state.bold) classes.push('ansi-bold');
    if (state.dim) classes.push('ansi-dim');
    if (state.italic) classes.push('ansi-italic');
    if (state.underline) classes.push('ansi-underline');
    if (state.fg !== undefined) classes.push(`ansi-fg${state.fg}`);
    if (state.bg !== undefined) classes.push(`ansi-bg${state.bg}`);
    if (classes.length === 0) { parent.append(document.createTextNode(s)); return; }
    const span = document.createElement('span');
    span.className = classes.join(' ');
    span.textContent = s;
    parent.append(span);
  };
  for (const m of clean.matchAll(SGR)) {
    flush(clean.slice(last, m.index));
    last = m.index + m[0].length;
    const codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
    for (const c of codes) {
      if (c === 0) state = {};
      else if (c === 1) state.bold = true;
      else if (c === 2) state.dim = true;
      else if (c === 3) state.italic = true;
      else if (c === 4) state.underline = true;
      else if (c === 22) { state.bold = false; state.dim = false; }
      else if (c === 39) delete state.fg;
      else if (c === 49) delete state.bg;
      else if (c >= 30 && c <= 37) state.fg = c - 30;
      else if (c >= 90 && c <= 97) state.fg = c - 90 + 8;
      else if (c >= 40 && c <= 47) state.bg = c - 40;
      else if (c >= 100 && c <= 107) state.bg = c - 100 + 8;
    }
  }
  flush(clean.slice(last));
}

/** The text without escape sequences. */
export function stripAnsi(text) { return text.replace(SGR, '').replace(OTHER, ''); }

// The terminals' code editor (www/terminals.js): CodeMirror 6 with Python
// highlighting and line numbers. `./dev.sh setup` bundles this file with
// esbuild into editor.bundle.js (one ES module, not committed), which the
// terminals import lazily, so the workbench's first load never fetches it.
import { basicSetup, EditorView } from 'codemirror';
import { python } from '@codemirror/lang-python';

/** An editor in `parent` holding `doc`; `onChange(text)` after every edit. */
export function createEditor(parent, doc, onChange, label) {
  return new EditorView({
    doc,
    parent,
    extensions: [
      basicSetup,
      python(),
      // tabindex: the editable area is a Tab stop of its own, so the
      // scroller around it has focusable content (axe's
      // scrollable-region-focusable); Tab still leaves the editor (no
      // indentWithTab binding), so there is no keyboard trap.
      EditorView.contentAttributes.of({ 'aria-label': label || 'Python', tabindex: '0' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
}

/** The editor's text. */
export function editorText(view) {
  return view.state.doc.toString();
}

/** Replaces the editor's text. */
export function setEditorText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

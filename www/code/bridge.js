// Code mode's bridge between its views (Rust, src/code_mode/views.rs) and
// the editor (CodeMirror 6, bundled into static/code/editor.js) and CPython
// (Pyodide, in a Web Worker, static/code/worker.js). It is served as
// static/code/bridge.js beside them, and www/code-loader.js makes it the
// global `asyncioPlaygroundCode` the views call, before it loads them.
// Graph mode never downloads it.

function codeUrl(file) {
  return new URL(file, import.meta.url).href;
}

let editorModule = null;

// Mounts the editor in `parent` with `doc`; `onChange(text)` hears edits.
export async function mount_editor(parent, doc, label, onChange) {
  editorModule ??= await import(codeUrl("editor.js"));
  const editor = editorModule.createEditor(parent, {
    doc,
    ariaLabel: label,
    onChange: (text) => onChange(text),
  });
  // A long program scrolls inside the editor: from the keyboard too.
  parent.querySelector(".cm-scroller")?.setAttribute("tabindex", "0");
  return editor;
}

export function editor_set_doc(editor, doc) {
  if (editor.getDoc() !== doc) editor.setDoc(doc);
}

export function editor_mark_error(editor, line, message) {
  editor.markError(line, message);
}

export function editor_clear_error(editor) {
  editor.markError(null);
}

// marks: JSON, [{line, label}]
export function editor_mark_tasks(editor, marks) {
  editor.markTaskLines(JSON.parse(marks));
}

// Selects the whole program and focuses the editor: a paste replaces it.
export function editor_select_all(editor) {
  editor.selectAll();
}

export function editor_destroy(editor) {
  editor.destroy();
}

// Starts CPython in a worker; every message it posts goes to `onMessage`
// (an object with a `type`). Returns the worker.
export function start_python(onMessage) {
  const worker = new Worker(codeUrl("worker.js"), { type: "module" });
  worker.onmessage = (event) => onMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    onMessage({ type: "failed", message: event.message || "the worker failed to start" });
  };
  return worker;
}

// cancels: JSON, [[loop, iteration, taskName], ...]
export function python_run(worker, id, source, cancels) {
  worker.postMessage({ type: "run", id, source, cancels: JSON.parse(cancels) });
}

export function python_stop(worker) {
  worker.terminate();
}

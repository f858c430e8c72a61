// Code mode's editor: CodeMirror 6 for Python, bundled by build.mjs
// (esbuild, one minified ES module) to static/code/editor.js.
//
//   import { createEditor } from "./static/code/editor.js";
//   const editor = createEditor(parent, { doc, onChange(text) {}, ariaLabel });
//   editor.getDoc() / setDoc(text)      setDoc does not call onChange
//   editor.markError(line, message)     markError(null) clears
//   editor.markTaskLines([{ line, label }, ...])   replaces the previous marks
//   editor.focus() / selectAll() / destroy()   selectAll focuses too
//
// Lines are 1-based, as Python counts them; a line past the end of the
// text is ignored. Marks follow their lines while the text is edited.
//
// Only what code mode needs is imported (no autocompletion, search, lint
// or folding), so the bundle stays small.

import { EditorState, StateEffect, StateField, RangeSet, Annotation } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, drawSelection, highlightSpecialChars,
  highlightActiveLine, highlightActiveLineGutter, gutter, GutterMarker, Decoration, WidgetType,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  indentUnit, indentOnInput, bracketMatching, syntaxHighlighting, defaultHighlightStyle, LanguageSupport,
} from "@codemirror/language";
// The language alone: `python()` would also bring its completion sources
// (and @codemirror/autocomplete) into the bundle.
import { pythonLanguage } from "@codemirror/lang-python";

// ----- the error mark: the line, a gutter sign, the message below it -----

const setError = StateEffect.define();

class ErrorSign extends GutterMarker {
  constructor(message) {
    super();
    this.message = message;
  }
  eq(other) {
    return other.message === this.message;
  }
  toDOM() {
    const sign = document.createElement("span");
    sign.className = "cm-errorSign";
    sign.textContent = "!";
    sign.title = this.message;
    return sign;
  }
}

class ErrorMessage extends WidgetType {
  constructor(message) {
    super();
    this.message = message;
  }
  eq(other) {
    return other.message === this.message;
  }
  toDOM() {
    const box = document.createElement("div");
    box.className = "cm-errorMessage";
    box.setAttribute("role", "alert");
    box.textContent = this.message;
    return box;
  }
  ignoreEvent() {
    return false;
  }
}

// { line decorations and the message widget, gutter signs }
const errorField = StateField.define({
  create: () => ({ decorations: Decoration.none, signs: RangeSet.empty }),
  update(value, tr) {
    let { decorations, signs } = value;
    if (tr.docChanged) {
      decorations = decorations.map(tr.changes);
      signs = signs.map(tr.changes);
    }
    for (const effect of tr.effects) {
      if (!effect.is(setError)) continue;
      decorations = Decoration.none;
      signs = RangeSet.empty;
      const { line, message } = effect.value;
      if (line != null && line >= 1 && line <= tr.state.doc.lines) {
        const at = tr.state.doc.line(line);
        const text = message == null ? "" : String(message);
        decorations = Decoration.set([
          Decoration.line({ class: "cm-errorLine" }).range(at.from),
          Decoration.widget({ widget: new ErrorMessage(text), block: true, side: 1 }).range(at.to),
        ]);
        signs = RangeSet.of([new ErrorSign(text).range(at.from)]);
      }
    }
    return { decorations, signs };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => value.decorations),
});

// ----- the tasks' lines: a tinted line, the tasks' names in a gutter -----

const setTasks = StateEffect.define();

class TaskSign extends GutterMarker {
  constructor(labels) {
    super();
    this.labels = labels;
  }
  eq(other) {
    return other.labels.join("\n") === this.labels.join("\n");
  }
  toDOM() {
    const sign = document.createElement("span");
    sign.className = "cm-taskSign";
    const all = this.labels.join(", ");
    sign.textContent = this.labels.length > 1 ? `${this.labels[0]} +${this.labels.length - 1}` : all;
    sign.title = all;
    sign.setAttribute("aria-label", all);
    return sign;
  }
}

const taskLine = Decoration.line({ class: "cm-taskLine" });

const tasksField = StateField.define({
  create: () => ({ decorations: Decoration.none, signs: RangeSet.empty }),
  update(value, tr) {
    let { decorations, signs } = value;
    if (tr.docChanged) {
      decorations = decorations.map(tr.changes);
      signs = signs.map(tr.changes);
    }
    for (const effect of tr.effects) {
      if (!effect.is(setTasks)) continue;
      const byLine = new Map();
      for (const mark of effect.value) {
        const line = mark && mark.line;
        if (!Number.isInteger(line) || line < 1 || line > tr.state.doc.lines) continue;
        if (!byLine.has(line)) byLine.set(line, []);
        byLine.get(line).push(String(mark.label));
      }
      const lines = [...byLine.keys()].sort((a, b) => a - b);
      const starts = lines.map((line) => tr.state.doc.line(line).from);
      decorations = Decoration.set(starts.map((from) => taskLine.range(from)));
      signs = RangeSet.of(lines.map((line, i) => new TaskSign(byLine.get(line)).range(starts[i])));
    }
    return { decorations, signs };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => value.decorations),
});

const errorGutter = gutter({
  class: "cm-errorGutter",
  markers: (view) => view.state.field(errorField).signs,
});

const tasksGutter = gutter({
  class: "cm-tasksGutter",
  markers: (view) => view.state.field(tasksField).signs,
});

const theme = EditorView.theme({
  "&": {
    fontSize: "14px",
    border: "1px solid var(--border, #d8dde3)",
    borderRadius: "4px",
    backgroundColor: "var(--panel, #fff)",
  },
  "&.cm-focused": { outline: "2px solid var(--accent, #2457a6)", outlineOffset: "-1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", lineHeight: "1.5" },
  ".cm-gutters": { backgroundColor: "transparent", color: "var(--muted, #5b6572)", borderRight: "1px solid var(--border, #d8dde3)" },
  ".cm-errorGutter .cm-gutterElement": { padding: "0 2px" },
  ".cm-tasksGutter .cm-gutterElement": { padding: "0 4px", fontSize: "12px" },
  ".cm-taskLine": { backgroundColor: "#e8f0fb" },
  ".cm-taskSign": { color: "var(--accent, #2457a6)", whiteSpace: "nowrap" },
  // After .cm-taskLine: a line with both shows the error.
  ".cm-errorLine": { backgroundColor: "#fde8e8" },
  ".cm-errorSign": { color: "#b3261e", fontWeight: "bold", cursor: "help" },
  ".cm-errorMessage": {
    color: "#b3261e",
    backgroundColor: "#fdf3f3",
    borderLeft: "3px solid #b3261e",
    padding: "2px 8px",
    fontSize: "13px",
    whiteSpace: "pre-wrap",
  },
});

// setDoc's own changes: onChange hears only the learner's.
const external = Annotation.define();

/**
 * The editor, in `parent`. Options: `doc` (the starting text), `onChange(text)`
 * (called after each change the learner makes), `ariaLabel`.
 */
export function createEditor(parent, options = {}) {
  const { doc = "", onChange, ariaLabel } = options;
  const extensions = [
    lineNumbers(),
    errorGutter,
    tasksGutter,
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    EditorState.tabSize.of(4),
    indentUnit.of("    "),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    new LanguageSupport(pythonLanguage),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    errorField,
    tasksField,
    theme,
  ];
  if (ariaLabel) extensions.push(EditorView.contentAttributes.of({ "aria-label": ariaLabel }));
  if (typeof onChange === "function") {
    extensions.push(
      EditorView.updateListener.of((update) => {
        if (update.docChanged && !update.transactions.some((tr) => tr.annotation(external))) {
          onChange(update.state.doc.toString());
        }
      }),
    );
  }
  let view = new EditorView({ state: EditorState.create({ doc, extensions }), parent });

  return {
    getDoc: () => view.state.doc.toString(),
    setDoc(text) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: String(text) },
        annotations: external.of(true),
      });
    },
    markError(line, message) {
      view.dispatch({ effects: setError.of({ line: line == null ? null : Number(line), message }) });
    },
    markTaskLines(marks) {
      view.dispatch({ effects: setTasks.of(Array.isArray(marks) ? marks : []) });
    },
    focus: () => view.focus(),
    selectAll() {
      view.dispatch({ selection: { anchor: 0, head: view.state.doc.length } });
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}

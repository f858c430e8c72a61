// Loads code mode when it is first opened: its views are a WebAssembly
// module of their own (dist/code-mode/, built by Trunk from
// src/code_mode/main.rs), so graph mode's first download stays small.
// This file is all of code mode that graph mode downloads.

let codeMode = null;

const url = (file) => new URL(file, document.baseURI).href;

async function load() {
  if (!codeMode) {
    // The views reach the editor and CPython through this global (a
    // wasm-bindgen module snippet would be preloaded with graph mode).
    globalThis.asyncioPlaygroundCode = await import(url("static/code/bridge.js"));
    const module = await import(url("code-mode/code-mode.js"));
    await module.default();
    codeMode = module;
  }
  return codeMode;
}

// Mounts code mode in `host`; returns its handle.
export async function open_code_mode(host, lang, openedCount, openedText, pasteAsked, followAddress) {
  const module = await load();
  return module.mount(host, lang, openedCount, openedText, pasteAsked, followAddress);
}

export function update_code_mode(handle, lang, openedCount, openedText, pasteAsked) {
  handle.update(lang, openedCount, openedText, pasteAsked);
}

export function close_code_mode(handle) {
  handle.close();
}

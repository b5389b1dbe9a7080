// The page's behaviour: suggestions under the text box as the user types, a sentiment badge with
// per-token colours. Only this server's /v1 API is called; text is inserted with textContent, never as HTML.
"use strict";

const SUGGESTIONS = 3;
const SENTIMENT_DELAY_MS = 250; // wait for a pause in typing before rating the text

const box = document.getElementById("text");
const list = document.getElementById("suggestions");
const badge = document.getElementById("badge");
const compound = document.getElementById("compound");
const bars = document.getElementById("bars");
const tokens = document.getElementById("tokens");
const statusLine = document.getElementById("status");
const tagsBox = document.getElementById("tags");

let current = { text: "", completing: false, prefix: "", suggestions: [] }; // what the chips are for
let suggestSeq = 0;   // answers to older requests are dropped: only the latest text counts
let sentimentSeq = 0;
let sentimentTimer = null;
let tagSeq = 0;

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function refreshSuggestions() {
  const seq = ++suggestSeq;
  const text = box.value;
  try {
    const data = await post("/v1/suggest", { text, k: SUGGESTIONS });
    if (seq === suggestSeq) showSuggestions({ text, ...data });
  } catch (err) {
    if (seq === suggestSeq) showError(err);
  }
  return current;
}

async function fresh() {
  // The suggestions for the text as it is now: a fast typist may press Tab before they arrive.
  return current.text === box.value ? current : refreshSuggestions();
}

function showSuggestions(data) {
  current = data;
  list.dataset.text = data.text; // which text the chips belong to (the browser test waits on it)
  list.replaceChildren(...data.suggestions.map(({ word, probability }) => {
    const button = el("button", "", "");
    button.type = "button";
    button.setAttribute("role", "option");
    button.dataset.word = word;
    button.append(el("span", "w", word), el("span", "p", percent(probability)));
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the caret in the box
    button.addEventListener("click", () => accept(word));
    return button;
  }));
}

function percent(p) {
  return p < 0.005 ? "<1%" : `${Math.round(p * 100)}%`;
}

async function accept(word) {
  // Replace the word being typed (the prefix) by the suggestion and a space.
  const data = await fresh();
  if (data.text !== box.value) return; // the text changed again meanwhile
  let text = data.text.slice(0, data.text.length - data.prefix.length);
  if (text && !/\s$/.test(text) && !data.completing) text += " ";
  box.value = `${text}${word} `;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
  onInput();
}

function scheduleSentiment() {
  clearTimeout(sentimentTimer);
  sentimentTimer = setTimeout(() => { refreshSentiment(); refreshTags(); }, SENTIMENT_DELAY_MS);
}

async function refreshTags() {
  const seq = ++tagSeq;
  if (!box.value.trim()) {
    tagsBox.replaceChildren();
    return;
  }
  try {
    const data = await post("/v1/tag", { text: box.value });
    if (seq === tagSeq) showTags(data.results[0].tokens);
  } catch (err) {
    if (seq === tagSeq) showError(err);
  }
}

function showTags(tokens) {
  tagsBox.replaceChildren(...tokens.map(({ word, tag }) => {
    const item = el("span", "tagged");
    item.dataset.tag = tag;
    item.append(el("span", "word", word), el("span", "tag", tag));
    return item;
  }));
}

async function refreshSentiment() {
  const seq = ++sentimentSeq;
  if (!box.value.trim()) {
    showSentiment(null);
    return;
  }
  try {
    const data = await post("/v1/sentiment", { text: box.value, explain: true });
    if (seq === sentimentSeq) showSentiment(data.results[0]);
  } catch (err) {
    if (seq === sentimentSeq) showError(err);
  }
}

function showSentiment(result) {
  badge.dataset.label = result ? result.label : "";
  badge.textContent = result ? result.label : "–";
  compound.textContent = result ? `compound ${result.compound.toFixed(2)}` : "";
  bars.replaceChildren();
  tokens.replaceChildren();
  if (!result) return;
  const colours = { Negative: "var(--neg)", Neutral: "var(--neu)", Positive: "var(--pos)" };
  for (const name of ["Positive", "Neutral", "Negative"]) {
    const p = result.scores[name];
    const bar = el("div", "bar");
    const fill = el("span");
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    fill.style.background = colours[name];
    bar.append(fill);
    bars.append(el("span", "", name), bar, el("span", "num", p.toFixed(2)));
  }
  const parts = result.explanation || [];
  const scale = Math.max(1e-9, ...parts.map(({ contribution }) => Math.abs(contribution)));
  for (const { token, contribution } of parts) {
    const span = el("span", "", token);
    const strength = Math.min(1, Math.abs(contribution) / scale) * 0.55;
    const rgb = contribution >= 0 ? "26, 127, 55" : "207, 34, 46";
    span.style.background = `rgba(${rgb}, ${strength.toFixed(3)})`;
    span.title = `${contribution >= 0 ? "+" : ""}${contribution.toFixed(3)}`;
    tokens.append(span);
  }
}

const trText = document.getElementById("tr-text");
const trBeam = document.getElementById("tr-beam");
const trGo = document.getElementById("tr-go");
const trOut = document.getElementById("tr-out");

async function translateText() {
  if (!trText.value.trim()) return;
  trGo.disabled = true;
  trOut.dataset.state = "busy";
  try {
    const data = await post("/v1/translate", { text: trText.value, beam: Number(trBeam.value) || 5 });
    const result = data.results[0];
    trOut.textContent = result.translation;
    trOut.title = result.unknown.length ? `unknown words: ${result.unknown.join(", ")}` : "";
    trOut.dataset.state = "done";
  } catch (err) {
    trOut.dataset.state = "error";
    showError(err);
  } finally {
    trGo.disabled = false;
  }
}

trGo.addEventListener("click", translateText);
trText.addEventListener("keydown", (event) => { if (event.key === "Enter") translateText(); });

const genModel = document.getElementById("gen-model");
const genPrompt = document.getElementById("gen-prompt");
const genLength = document.getElementById("gen-length");
const genSeed = document.getElementById("gen-seed");
const genGo = document.getElementById("gen-go");
const genOut = document.getElementById("gen-out");

async function generateChars() {
  const label = genModel.value || null;
  const body = { prompt: label ? "" : genPrompt.value, length: Number(genLength.value) || 200, label };
  if (genSeed.value !== "") body.seed = Number(genSeed.value);
  genGo.disabled = true;
  genOut.dataset.state = "busy";
  try {
    const data = await post("/v1/generate/chars", body);
    genOut.textContent = data.prompt + data.text;
    genOut.dataset.state = "done";
  } catch (err) {
    genOut.dataset.state = "error";
    showError(err);
  } finally {
    genGo.disabled = false;
  }
}

genModel.addEventListener("change", () => { genPrompt.disabled = Boolean(genModel.value); });
genGo.addEventListener("click", generateChars);

function showError(err) {
  statusLine.textContent = err.message;
  statusLine.classList.add("error");
}

function onInput() {
  refreshSuggestions();
  scheduleSentiment();
}

box.addEventListener("input", onInput);
box.addEventListener("keydown", async (event) => {
  if (event.key !== "Tab" || event.shiftKey || !(current.suggestions.length || current.text !== box.value)) return;
  event.preventDefault();
  const data = await fresh();
  if (data.suggestions.length) accept(data.suggestions[0].word);
});

fetch("/v1/health").then((r) => r.json()).then((health) => {
  statusLine.textContent = `rnnkit ${health.version} · next word: ${health.nextword} · sentiment: ${health.sentiment}`;
  statusLine.title = health.notes.join("\n");
}).catch(showError);
refreshSuggestions();

// What the phone page and the room's pages share: building nodes, words for numbers, a model the
// timer's display (timer.js) reads, calls to the server with the token in a header, and the outbox
// that keeps what the server has not acknowledged.

export const RETRY_MS = 3000; // how soon a send that failed is tried again (and at once when back online)
const BATCH = 50; // items sent in one request

export function tokenOfLink() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return params.get("token") || "";
}

export function node(tag, cls, parent, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined) n.textContent = text;
  if (parent) parent.appendChild(n);
  return n;
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// Seconds as people read them: the rule of hipnb/seconds.py's seconds_text (a test holds the two
// together): "7 s" under 90 s, "3 min 05 s", "1 h 05 min".
export function duration(seconds) {
  let s = Math.round(seconds);
  if (Math.abs(s) < 90) return `${s} s`;
  const sign = s < 0 ? "-" : "";
  s = Math.abs(s);
  const two = (n) => String(n).padStart(2, "0");
  if (s < 3600) {
    const m = Math.floor(s / 60), r = s % 60;
    return `${sign}${m} min` + (r ? ` ${two(r)} s` : "");
  }
  const all = Math.round(s / 60), h = Math.floor(all / 60), m = all % 60;
  return `${sign}${h} h` + (m ? ` ${two(m)} min` : "");
}

export function clock(seconds) {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}` : `${s} s`;
}

// Why the page cannot run: without a token (or with one the server refuses) the page only says
// where the link comes from.
export function askForCode(root, extra) {
  root.replaceChildren();
  const box = node("div", "hipnb-ask", root);
  box.dataset.page = "ask";
  node("h1", "", box, "Ask your coach for the QR code");
  node(
    "p",
    "",
    box,
    "This timer opens from the QR code (or the link with its token) that the coach's computer shows.",
  );
  if (extra) node("p", "", box, extra);
}

// A model as the notebook's display reads it (get/on/send), kept in this page.
export function localModel(values, onMessage) {
  const handlers = new Map();
  return {
    get: (key) => values[key],
    set(changes) {
      Object.assign(values, changes);
      for (const key of Object.keys(changes)) for (const f of handlers.get(`change:${key}`) || []) f();
      for (const f of handlers.get("change") || []) f();
    },
    on(name, f) {
      if (!handlers.has(name)) handlers.set(name, []);
      handlers.get(name).push(f);
    },
    send: (message) => onMessage(message),
  };
}

export async function call(path, token, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
    cache: "no-store",
  });
  let data = {};
  try {
    data = await response.json();
  } catch (err) {
    data = {};
  }
  return { status: response.status, data };
}

// The outbox: what the server has not acknowledged yet, in order, kept in localStorage.
export class Outbox {
  constructor(key, onChange) {
    this.key = key;
    this.onChange = onChange;
    this.items = [];
    try {
      this.items = JSON.parse(localStorage.getItem(key) || "[]");
    } catch (err) {
      this.items = [];
    }
    this.sending = false;
    this.problem = ""; // why the last send did not go through (said on the page)
    this.refused = []; // [label, reason] of items the server refused
    this.logged = 0; // holds acknowledged since the page opened
    this.answered = 0; // answers acknowledged since the page opened
    this.gone = 0; // answers of holds deleted meanwhile
    this.timer = null;
    this.post = null; // async (items) -> {status, data}; set once the session is open
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.items));
    } catch (err) {
      this.problem = "this phone's storage is full: keep this page open until the holds are sent";
    }
  }

  put(item) {
    if (this.items.some((i) => i.id === item.id)) return;
    this.items.push(item);
    this.save();
    this.onChange();
    this.flush();
  }

  waiting(kind) {
    return this.items.filter((i) => i.kind === kind).length;
  }

  later() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), RETRY_MS);
  }

  async flush() {
    if (this.sending || !this.items.length || !this.post) return;
    this.sending = true;
    const batch = this.items.slice(0, BATCH);
    let again = false;
    try {
      const { status, data } = await this.post(batch);
      const done = new Set();
      for (const r of data.results || []) {
        const item = batch.find((i) => i.id === r.id);
        if (!item) continue;
        done.add(r.id);
        if (r.status === "refused") this.refused.push([label(item), r.message || "refused"]);
        else if (item.kind === "hold") this.logged += 1;
        else if (r.status === "gone") this.gone += 1;
        else this.answered += 1;
      }
      this.items = this.items.filter((i) => !done.has(i.id));
      this.save();
      if (status === 200) {
        this.problem = "";
        again = this.items.length > 0;
      } else {
        this.problem = data.error || `the computer answered ${status}`;
        this.later();
      }
    } catch (err) {
      this.problem = "no connection to the computer";
      this.later();
    } finally {
      this.sending = false;
      this.onChange();
    }
    if (again) this.flush();
  }
}

export function label(item) {
  if (item.kind !== "hold") return "an answer";
  const side = item.side && item.side !== "both" ? ` (${item.side})` : "";
  return `${item.exercise.replace(/_/g, " ")}${side}, ${Math.round(item.actual_s)} s`;
}

// A 0-10 (or the spec's) score, "not set" first, in a label.
export function scoreSelect(parent, text, [low, high]) {
  const l = node("label", "", parent);
  node("span", "", l, text);
  const s = node("select", "", l);
  node("option", "", s, "not set").value = "";
  for (let i = low; i <= high; i += 1) node("option", "", s, String(i)).value = String(i);
  return s;
}

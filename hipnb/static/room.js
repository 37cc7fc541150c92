// The room's pages (hipnb/room/): the big screen at /screen and the phones at /. Both follow the
// room's clock on the server through one WebSocket: a "hello" once, then the room at each change.
// The display (timer.js) counts down on this page's own clock from what it last heard, so a page
// shows the same step as the room and, after a drop, the room as it is when it comes back (the
// server credits a phone only with the time it was heard: it never invents time).
//
// Tokens come from the link's fragment, which the browser never sends; this page sends them in a
// header, or as the socket's first message. The join token lets a phone join; the teacher's token
// (the big screen's link) drives the room.

import display from "./timer.js";
import { RETRY_MS, askForCode, call, localModel, node, plural, scoreSelect, tokenOfLink } from "./page.js";

const HEARTBEAT_MS = 1000; // a phone says it still follows (the server credits it while it does)
const STALE_S = 3; // a link the server has not answered for this long is down, whatever it says
const root = document.getElementById("hipnb-page");
const onScreen = location.pathname === "/screen";

// The room's socket: sends who this page is, hands over what the server says, beats each second,
// and opens again after a drop (the server then sends the room as it is). While the socket is
// down a phone keeps beating into a list of spans; when it is back it sends them, in the room's
// clock, so the time it was there counts: a dropped network loses nothing. A frozen page (a phone
// screen turned off) does not beat, and its time away counts for nothing.
function follow(token, phone, on) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/room/socket`;
  const now = () => performance.now() / 1000;
  let ws = null;
  let done = false;
  let wait = 250;
  let offset = null; // the room's clock minus this page's (at most: see below)
  let away = []; // [from, to] in this page's clock, beaten while the link was down
  let heard = now(); // when the server last said anything
  const ran = []; // this page's beats the server has not answered yet: when the page ran
  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      wait = 250;
      heard = now();
      ws.send(JSON.stringify(phone ? { token, phone } : { token }));
    };
    ws.onmessage = (m) => {
      let data = null;
      try {
        data = JSON.parse(m.data);
      } catch (err) {
        return;
      }
      heard = now();
      ran.length = 0; // the server is there: what this page beat has reached it
      if (data.type === "refused") {
        done = true;
        on.refused(data);
      } else if (data.type === "hello") on.hello(data);
      else if (data.type === "room") {
        const first = offset === null;
        // a message read late (queued while the page was frozen) says an older time: the
        // least-delayed message gives the offset, so take the largest seen
        offset = first ? data.clock - now() : Math.max(offset, data.clock - now());
        if (phone && (away.length || first)) {
          ws.send(JSON.stringify({ type: "was_here", spans: away.map(([a, b]) => [a + offset, b + offset]) }));
          away = [];
        }
        on.room(data);
      }
    };
    ws.onclose = () => {
      on.link(false);
      if (done) return;
      setTimeout(open, wait);
      wait = Math.min(wait * 2, RETRY_MS);
    };
  };
  open();
  const keep = (t) => {
    const last = away[away.length - 1];
    if (last && t - last[1] <= (2 * HEARTBEAT_MS) / 1000) last[1] = t;
    else away.push([t, t]); // a gap: the page did not run (a frozen page beats nothing)
  };
  setInterval(() => {
    const t = now();
    const up = ws && ws.readyState === WebSocket.OPEN;
    if (up && t - heard < STALE_S) {
      ws.send('{"type":"heartbeat"}');
      ran.push(t);
      return;
    }
    if (up) {
      // the network went away under an open socket: drop it (a new one is tried)
      on.link(false);
      ws.close();
    }
    if (!phone || offset === null) return;
    for (const r of ran.splice(0)) if (r > heard) keep(r); // beats that may not have arrived
    keep(t);
  }, HEARTBEAT_MS);
  window.addEventListener("online", () => {
    if (ws && ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) open();
  });
  // the browser knows the network went: say so now (the open socket would not notice), and come
  // back through a new socket, which the server answers with the room as it is
  window.addEventListener("offline", () => {
    on.link(false);
    if (ws) ws.close();
  });
}

// The timer's display on a model this page keeps, set from the room's state when it changes.
function roomDisplay(parent, { big, phone, keepAwake, onMessage }) {
  const model = localModel(
    {
      state: "ready", kind: "hold", title: "", side_label: "", cue: "", next_label: "", message: "",
      summary: [], announce: "", remaining: 0, step_seconds: 0, routine_seconds: 0,
      routine_remaining: 0, sync_id: 0, muted: phone, big, phone, routine_title: "", pain: false,
      keep_awake: keepAwake || [],
    },
    onMessage,
  );
  display.render({ model, el: parent });
  let version = null;
  return {
    model,
    show(room) {
      if (room.version === version) return;
      version = room.version;
      model.set({ ...room.display, sync_id: room.version });
    },
  };
}

function button(parent, text, cls) {
  const b = node("button", `hipnb-button ${cls || ""}`, parent, text);
  b.type = "button";
  return b;
}

// -- the phone ------------------------------------------------------------------------------------

function joinPage(token, done) {
  root.replaceChildren();
  const box = node("form", "hipnb-form hipnb-join", root);
  box.dataset.page = "join";
  node("h1", "", box, "Follow the room");
  node("p", "", box, "Type your name as your coach knows it: your holds go to your own log.");
  const l = node("label", "", box);
  node("span", "", l, "Your name");
  const name = node("input", "", l);
  name.autocomplete = "name";
  name.maxLength = 64;
  name.required = true;
  const go = button(box, "Join", "hipnb-go");
  go.type = "submit";
  const said = node("div", "hipnb-status", box);
  const choices = node("div", "hipnb-choices", box);
  const join = async (text, isNew) => {
    go.disabled = true;
    said.textContent = "";
    choices.replaceChildren();
    let r = null;
    try {
      r = await call("/api/room/join", token, { name: text, new: isNew });
    } catch (err) {
      said.textContent = "Cannot reach the room's computer: is this phone on the same Wi-Fi?";
    }
    go.disabled = false;
    if (!r) return;
    if (r.status === 200) {
      done(r.data);
      return;
    }
    if (r.status === 403) {
      askForCode(root, "This link is not valid any more: scan the room's QR code again.");
      return;
    }
    node("div", "hipnb-problem", said, r.data.error || `the computer answered ${r.status}`);
    for (const other of r.data.suggest || []) {
      button(choices, `I am ${other}`, "hipnb-go").addEventListener("click", () => join(other, false));
    }
    if (r.data.new) {
      button(choices, `I am new: start a log as ${text}`, "").addEventListener("click", () => join(text, true));
    }
  };
  box.addEventListener("submit", (e) => {
    e.preventDefault();
    if (name.value.trim()) join(name.value.trim(), false);
  });
  name.focus();
}

function phonePage(token, me, forget) {
  root.replaceChildren();
  const panel = node("div", "hipnb-panel hipnb-panel-phone", root);
  panel.dataset.page = "follow";
  const who = node("div", "hipnb-who", panel);
  const screen = node("div", "", panel);
  const controls = node("div", "hipnb-controls", panel);
  const painB = button(controls, "Pain", "hipnb-pain");
  const soundB = button(controls, "Sound", "hipnb-mute");
  soundB.setAttribute("aria-pressed", "false");
  const status = node("div", "hipnb-status", panel);
  let scores = [0, 10];
  let shown = null;
  let last = null;
  let linked = false;
  let saved = false;
  const out = node("div", "hipnb-form hipnb-pain-box", panel);
  const answers = node("div", "hipnb-form hipnb-answers", panel);
  let painScore = null;
  let rpe = null;
  let discomfort = null;
  let note = null;

  const post = async (what, body) => {
    try {
      const r = await call(`/api/room/phone/${what}`, token, { phone: me.phone, ...body });
      if (r.status === 404) forget();
      return r;
    } catch (err) {
      return { status: 0, data: { error: "no connection to the room's computer" } };
    }
  };

  function forms(hello) {
    scores = hello.scores;
    out.replaceChildren();
    node("h2", "", out, "Pain noted: this hold has ended for you. Take care.");
    painScore = scoreSelect(out, `How bad was it? (${scores[0]}-${scores[1]})`, scores);
    const rejoinB = button(out, "Rejoin the room", "hipnb-go");
    rejoinB.addEventListener("click", async () => {
      rejoinB.disabled = true;
      if (painScore.value !== "") {
        await post("answers", { step: last.pain_step, changes: { discomfort: Number(painScore.value) } });
      }
      await post("rejoin", {});
      rejoinB.disabled = false;
    });
    answers.replaceChildren();
    node("h2", "", answers, "How was it?");
    rpe = scoreSelect(answers, `Effort (${scores[0]}-${scores[1]})`, scores);
    discomfort = scoreSelect(answers, `Hip discomfort (${scores[0]}-${scores[1]})`, scores);
    const noteLabel = node("label", "", answers);
    node("span", "", noteLabel, "Note");
    note = node("textarea", "", noteLabel);
    note.maxLength = hello.note_max;
    note.placeholder = "How did it feel?";
    const saveB = button(answers, "Save answers", "hipnb-go");
    saveB.addEventListener("click", async () => {
      const value = (s) => (s.value === "" ? null : Number(s.value));
      const all = { rpe: value(rpe), discomfort: value(discomfort), note: note.value };
      // what was left unset is not sent (the server takes whole numbers and text only)
      const changes = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== null && v !== ""));
      saveB.disabled = true;
      const r = await post("answers", { changes });
      saveB.disabled = false;
      saved = r.status === 200;
      said = saved ? "Answers saved. Thank you." : `Not saved: ${r.data.error || r.status}`;
      update();
    });
  }
  let said = "";

  function update() {
    const room = last;
    if (!room) return;
    const state = room.display.state;
    const ended = state === "finished" || state === "stopped";
    who.textContent = `${room.athlete} \u00b7 ${linked ? "following the room" : "reconnecting\u2026"}`;
    who.dataset.linked = String(linked);
    painB.disabled = room.out || !["running", "paused"].includes(state) || room.display.kind !== "hold";
    painB.hidden = ended; // the answers form takes its place
    out.hidden = !room.out || ended;
    answers.hidden = !ended || !room.held || saved;
    const lines = [];
    if (room.logged) lines.push(["hipnb-logged", `${plural(room.logged, "hold")} logged to ${room.log}.`]);
    if (said) lines.push([saved ? "hipnb-saved" : "hipnb-problem", said]);
    status.replaceChildren(...lines.map(([cls, text]) => node("div", cls, null, text)));
    status.dataset.logged = String(room.logged);
  }

  painB.addEventListener("click", async () => {
    painB.disabled = true;
    if (painScore) painScore.value = "";
    await post("pain", {});
  });
  soundB.addEventListener("click", () => {
    if (!shown) return;
    const muted = !shown.model.get("muted");
    soundB.setAttribute("aria-pressed", String(!muted));
    shown.model.set({ muted });
  });

  follow(token, me.phone, {
    hello(hello) {
      linked = true;
      if (!shown) {
        shown = roomDisplay(screen, { big: false, phone: true, keepAwake: hello.keep_awake, onMessage: () => {} });
        forms(hello);
      }
      update();
    },
    room(room) {
      if (last && room.session !== last.session) {
        saved = false;
        said = "";
      }
      last = room;
      shown.show(room);
      update();
    },
    link(up) {
      linked = up;
      update();
    },
    refused() {
      forget();
    },
  });
  return { get room() { return last; } };
}

function phoneMain(token) {
  const key = `hipnb-room:${location.host}:${token.slice(0, 8)}`;
  const forget = () => {
    sessionStorage.removeItem(key);
    location.reload();
  };
  let me = null;
  try {
    me = JSON.parse(sessionStorage.getItem(key) || "null");
  } catch (err) {
    me = null;
  }
  const start = (joined) => {
    sessionStorage.setItem(key, JSON.stringify(joined));
    window.hipnbRoom = phonePage(token, joined, forget);
  };
  if (me && me.phone) start(me);
  else joinPage(token, start);
}

// -- the big screen ------------------------------------------------------------------------------

function screenMain(token) {
  root.replaceChildren();
  root.classList.add("hipnb-screen");
  const room = node("div", "hipnb-workshop hipnb-room", root);
  room.dataset.page = "screen";
  const main = node("div", "hipnb-room-main", room);
  const side = node("aside", "hipnb-room-side", room);
  const setup = node("div", "hipnb-setup", main);
  const screen = node("div", "", main);
  const controls = node("div", "hipnb-controls hipnb-room-controls", main);
  const problems = node("div", "hipnb-status", main);
  const b = (text, cls, action) => {
    const el = button(controls, text, cls);
    el.addEventListener("click", () => {
      el.blur(); // a clicker's Enter goes to the room, not to the last button clicked
      command(action);
    });
    return el;
  };
  const startB = b("Start", "hipnb-go", "start");
  const pauseB = b("Pause", "hipnb-hold", "pause");
  const resumeB = b("Resume", "hipnb-go", "resume");
  const skipB = b("Skip", "", "skip");
  const painB = b("Pain", "hipnb-pain", "pain");
  const goOnB = b("Go on", "hipnb-go", "go_on");
  const endB = b("End session", "hipnb-stop", "end");
  const newB = b("New session", "hipnb-go", "new");
  const muteB = button(controls, "Mute sound", "hipnb-mute");
  muteB.setAttribute("aria-pressed", "false");

  const qr = node("img", "hipnb-qr", side);
  qr.alt = "QR code to follow the room on a phone";
  node("div", "hipnb-join-words", side, "Scan to follow on your phone");
  const link = node("div", "hipnb-join-link", side);
  const count = node("div", "hipnb-count-phones", side);
  const pains = node("div", "hipnb-pains", side);
  const logged = node("div", "hipnb-logged-count", side);

  let shown = null;
  let last = null;
  let fields = null;
  let linked = false;
  let error = "";

  async function command(action) {
    const r = await call("/api/room/command", token, { action }).catch(() => null);
    error = !r ? "no connection to the room" : r.status === 200 ? "" : r.data.error || `${r.status}`;
    update();
  }
  async function sendSetup(changes) {
    const r = await call("/api/room/setup", token, changes).catch(() => null);
    error = !r ? "no connection to the room" : r.status === 200 ? "" : r.data.error || `${r.status}`;
    update();
  }

  function setupFields(hello) {
    setup.replaceChildren();
    const l1 = node("label", "", setup);
    node("span", "", l1, "Routine");
    const routine = node("select", "", l1);
    for (const [label, ref] of hello.choices) node("option", "", routine, label).value = ref;
    const l2 = node("label", "", setup);
    node("span", "", l2, "Bound angle (s)");
    const bound = node("input", "", l2);
    Object.assign(bound, { type: "number", min: hello.bound_angle[0], max: hello.bound_angle[1], step: 15 });
    const l3 = node("label", "", setup);
    node("span", "", l3, "Get ready (s)");
    const ready = node("input", "", l3);
    Object.assign(ready, { type: "number", min: 0, max: hello.get_ready_max, step: 1 });
    const l4 = node("label", "hipnb-check", setup);
    const allow = node("input", "", l4);
    allow.type = "checkbox";
    node("span", "", l4, "Let new names join");
    for (const p of hello.not_offered || []) node("div", "hipnb-problem", setup, `not offered: ${p}`);
    routine.addEventListener("change", () => sendSetup({ routine: routine.value }));
    bound.addEventListener("change", () => sendSetup({ bound_angle_s: Number(bound.value) }));
    ready.addEventListener("change", () => sendSetup({ get_ready: Number(ready.value) }));
    allow.addEventListener("change", () => sendSetup({ allow_new: allow.checked }));
    return { routine, bound, ready, allow };
  }

  function update() {
    if (!last) return;
    const state = last.display.state;
    const painOpen = last.display.pain;
    const ended = state === "finished" || state === "stopped";
    setup.hidden = state !== "ready";
    if (fields && document.activeElement?.closest(".hipnb-setup") == null) {
      fields.routine.value = last.setup.routine;
      fields.bound.value = last.setup.bound_angle_s ?? "";
      fields.bound.placeholder = "as the routine";
      fields.bound.disabled = !last.setup.bound_angle;
      fields.ready.value = String(last.setup.get_ready);
      fields.allow.checked = last.setup.allow_new;
    }
    const visible = (el, on) => {
      el.hidden = !on;
    };
    visible(startB, state === "ready");
    visible(pauseB, state === "running" && !painOpen);
    visible(resumeB, state === "paused" && !painOpen);
    visible(skipB, ["running", "paused"].includes(state) && !painOpen);
    visible(painB, ["running", "paused"].includes(state) && !painOpen);
    painB.disabled = last.display.kind !== "hold" || state !== "running";
    visible(goOnB, painOpen);
    visible(endB, painOpen || ["running", "paused", "get_ready"].includes(state));
    visible(newB, ended);
    const n = last.phones;
    count.textContent = n ? `${plural(n, "phone")} follow${n === 1 ? "s" : ""}` : "No phone follows yet";
    count.dataset.phones = String(n);
    pains.replaceChildren(
      ...last.pains.map((p) => node("div", "hipnb-pain-name", null, `${p.athlete}: Pain in ${p.label}`)),
    );
    logged.textContent = last.logged ? `${plural(last.logged, "hold")} logged` : "";
    const lines = [];
    if (!linked) lines.push("Reconnecting to the room\u2026");
    if (error) lines.push(error);
    if (last.unsaved) lines.push(`${plural(last.unsaved, "hold")} wait for the disk: kept, and written when it can`);
    for (const p of last.problems) lines.push(`Not logged: ${p}`);
    problems.replaceChildren(...lines.map((t) => node("div", "hipnb-problem", null, t)));
  }

  muteB.addEventListener("click", () => {
    if (!shown) return;
    const muted = !shown.model.get("muted");
    muteB.setAttribute("aria-pressed", String(muted));
    shown.model.set({ muted });
  });

  follow(token, null, {
    hello(hello) {
      linked = true;
      qr.src = hello.qr;
      link.textContent = hello.join.replace(/#token=.*/, "");
      if (!shown) {
        shown = roomDisplay(screen, {
          big: true,
          phone: false,
          onMessage(m) {
            if (m.event === "pain") command("pain");
            else if (m.event === "clicker") command(m.action);
          },
        });
      }
      fields = setupFields(hello);
      update();
    },
    room(state) {
      last = state;
      shown.show(state);
      update();
    },
    link(up) {
      linked = up;
      update();
    },
    refused() {
      askForCode(root, "This is not the big screen's link: start the room again and use the link it prints.");
    },
  });
}

function main() {
  window.addEventListener("hashchange", () => location.reload());
  const token = tokenOfLink();
  if (!token) askForCode(root);
  else if (onScreen) screenMain(token);
  else phoneMain(token);
}

main();

// The phone page of `hipnb phone`: the routine runs here, on the phone's own clock (Timer of
// routine_timer.js, the notebook's state machine), shown by the notebook's display (timer.js) on a
// model kept in this page. Each finished hold, a Pain score and the end-of-session answers go to
// the server's endpoint through an outbox kept in localStorage: a hold waits there until the
// server has acknowledged it (written, or already logged: a retry is never written twice), so a
// dropped Wi-Fi loses nothing; the page says what waits and sends it when the network is back.
//
// The token comes from the link's fragment (#token=...), which the browser never sends; the page
// sends it in a header. The server binds this page's session to its athlete: nothing sent here
// names an athlete or a file.

import display from "./timer.js";
import { Timer } from "./routine_timer.js";
import { Outbox, RETRY_MS, askForCode, call, clock, duration, localModel, node, plural, scoreSelect, tokenOfLink } from "./page.js";

const PAIN_WORDS = [
  "Pain noted: this hold has ended. Rate it, then go on or end.",
  "How bad was it?",
  "Pain noted during a hold: take care, and tell your coach.",
];
const root = document.getElementById("hipnb-page");
const ask = (extra) => askForCode(root, extra);

// The page: the display, the controls, the Pain box and the answers form, over one Timer.
function phonePage(token, session, reopen) {
  const routine = session.routine;
  const steps = routine.steps;
  const total = steps.reduce((a, s) => a + s.seconds, 0);
  const [low, high] = session.scores;
  root.replaceChildren();
  const panel = node("div", "hipnb-panel hipnb-panel-phone", root);
  panel.dataset.page = "timer";
  const screen = node("div", "", panel);
  const controls = node("div", "hipnb-controls", panel);
  const button = (text, cls) => {
    const b = node("button", `hipnb-button ${cls}`, controls, text);
    b.type = "button";
    return b;
  };
  const startB = button("Start", "hipnb-main hipnb-go");
  const pauseB = button("Pause", "hipnb-main hipnb-hold");
  const resumeB = button("Resume", "hipnb-main hipnb-go");
  const newB = button("New session", "hipnb-main hipnb-go");
  const skipB = button("Skip", "hipnb-skip");
  const stopB = button("Stop", "hipnb-stop");
  const muteB = button("Mute", "hipnb-mute");
  const painB = button("Pain", "hipnb-pain");
  muteB.setAttribute("aria-pressed", "false");
  const status = node("div", "hipnb-status", panel);

  const painBox = node("div", "hipnb-form hipnb-pain-box", panel);
  node("h2", "", painBox, PAIN_WORDS[1]);
  const painScore = scoreSelect(painBox, `Pain (${low}-${high})`, session.scores);
  const painRow = node("div", "hipnb-row", painBox);
  const goOnB = node("button", "hipnb-button hipnb-go", painRow, "Go on");
  const endB = node("button", "hipnb-button hipnb-stop", painRow, "End session");
  const answers = node("div", "hipnb-form hipnb-answers", panel);
  node("h2", "", answers, "How was it?");
  const rpe = scoreSelect(answers, `Effort (${low}-${high})`, session.scores);
  const discomfort = scoreSelect(answers, `Hip discomfort (${low}-${high})`, session.scores);
  const noteLabel = node("label", "", answers);
  node("span", "", noteLabel, "Note");
  const note = node("textarea", "", noteLabel);
  note.maxLength = session.note_max;
  note.placeholder = "How did it feel?";
  const saveB = node("button", "hipnb-button hipnb-go", answers, "Save answers");

  const now = () => performance.now() / 1000;
  const newTimer = () =>
    new Timer(routine, { clock: now, getReady: session.get_ready, grace: session.grace });
  let timer = newTimer();
  let painIndex = null;
  let message = "";
  let saved = false;
  let synced = new Map(); // sync_id -> [running seconds when sent, the most the page can count from it]

  const outbox = new Outbox(`hipnb-phone-outbox:${location.host}:${session.athlete}`, () => update());
  let phoneId = session.phone;
  outbox.post = async (items) => {
    let r = await call(`/api/phone/${phoneId}/log`, token, { items });
    if (r.status === 404) {
      phoneId = (await reopen()).phone; // the server forgot this session (restarted): a new one
      r = await call(`/api/phone/${phoneId}/log`, token, { items });
    }
    if (r.status === 403) ask("This link is not valid any more: the phone page was started again.");
    return r;
  };
  window.addEventListener("online", () => outbox.flush());

  const model = localModel(
    {
      state: "ready", kind: "hold", title: "", side_label: "", cue: "", next_label: "", message: "",
      summary: [], announce: "", remaining: 0, step_seconds: 0, routine_seconds: total,
      routine_remaining: total, sync_id: 0, muted: false, big: false, phone: true,
      routine_title: routine.title, pain: false, keep_awake: session.keep_awake,
    },
    onDisplay,
  );
  display.render({ model, el: screen });

  function onDisplay(content) {
    if (content.event === "expired") handle(timer.tick());
    else if (content.event === "heartbeat" || content.event === "visibility") {
      let shown = null;
      if (synced.has(content.sync_id) && typeof content.counted === "number") {
        const [at, most] = synced.get(content.sync_id);
        shown = at + Math.min(Math.max(content.counted, 0), most);
      }
      handle(timer.heartbeat(shown));
    }
  }

  function write(index) {
    const row = timer.resultFor(index);
    if (!row) return;
    const step = steps[index];
    outbox.put({
      id: `${row.session_id}:${index}`,
      kind: "hold",
      exercise: step.exercise, // for the page's own words only: the server takes the step's
      side: step.side,
      ...row,
    });
  }

  function answer(rows, changes, tag) {
    rows.forEach((row, i) => {
      const given = Object.fromEntries(
        Object.entries(changes[i]).filter(([, v]) => v !== null && v !== ""),
      );
      if (!Object.keys(given).length) return;
      outbox.put({
        id: `${row.session_id}:${row.step}:${tag}`,
        kind: "answers",
        hold: { session_id: row.session_id, step: row.step, started_at: row.started_at },
        changes: given,
      });
    });
  }

  function handle(events, force = false) {
    let announce = "";
    for (const e of events) {
      const i = e.step_index;
      if (["step_ended", "step_skipped", "stopped"].includes(e.kind) && i !== null) write(i);
      if (e.kind === "pain" && i !== null && timer.resultFor(i)) {
        write(i); // sent at once; the score follows as an answer
        painIndex = i;
        painScore.value = "";
        message = PAIN_WORDS[0];
      }
      if (e.kind === "away") message = `Paused: the page was away for ${duration(timer.awayS)}.`;
      if (["resumed", "started", "get_ready"].includes(e.kind)) message = "";
      if (e.kind === "get_ready") announce = "Get ready.";
      if (e.kind === "step_started" && i !== null) {
        const step = steps[i];
        announce = step.kind === "rest" ? step.cue : `${step.label}. ${step.cue}`;
      }
      if (e.kind === "finished") {
        message = painIndex === null ? "" : message; // the away banner ends with the session
        announce = timer.results().every((r) => r.completed) ? "Well done. Routine complete." : "";
      }
      if (e.kind === "stopped") {
        message = "";
        announce = "";
      }
    }
    if (events.length || force) sync(announce);
  }

  function summary() {
    const rows = timer.results();
    const held = rows.reduce((a, r) => a + r.actual_s, 0);
    const done = rows.filter((r) => r.completed).length;
    const lines = [`${done} of ${plural(rows.length, "hold")} done to target`, `${clock(held)} held in all`];
    const sides = new Map();
    for (const r of rows) {
      const side = steps[r.step].side;
      sides.set(side, (sides.get(side) || 0) + r.actual_s);
    }
    if (sides.size) lines.push([...sides].map(([side, s]) => `${side} ${clock(s)}`).join(" \u00b7 "));
    if (rows.some((r) => r.pain_at_s !== null)) lines.push(PAIN_WORDS[2]);
    return lines;
  }

  function sync(announce) {
    const state = timer.state;
    const step = timer.currentStep;
    const next = timer.nextStep;
    const ended = state === "finished" || state === "stopped";
    const first = steps[0];
    const v = {
      state,
      kind: step ? step.kind : "hold",
      side_label: step && step.side !== "both" ? step.side : "",
    };
    if (state === "get_ready") {
      Object.assign(v, { title: "Get ready", cue: `First: ${first.label}` });
      Object.assign(v, { remaining: timer.remaining, step_seconds: timer.getReady });
    } else if (step) {
      Object.assign(v, { title: step.name, cue: step.cue, remaining: timer.remaining, step_seconds: step.seconds });
    } else if (state === "ready") {
      const intro = `${plural(steps.length, "step")}, ${duration(total)}. Press Start.`;
      Object.assign(v, { title: routine.title, cue: intro, remaining: first.seconds, step_seconds: first.seconds });
    } else {
      const complete = state === "finished" && timer.results().every((r) => r.completed);
      Object.assign(v, { title: complete ? "Routine complete" : "Session ended", cue: "", remaining: 0, step_seconds: 0 });
    }
    v.next_label = next && !ended && state !== "get_ready" ? next.label : "";
    v.summary = ended ? summary() : [];
    v.message = message;
    v.routine_remaining = timer.totalRemaining;
    v.pain = painIndex !== null;
    v.announce = announce;
    v.sync_id = model.get("sync_id") + 1;
    if (state === "running" || state === "get_ready") {
      synced.set(v.sync_id, [timer.elapsed, state === "running" ? timer.remaining : 0]);
      synced = new Map([...synced].slice(-8));
    }
    model.set(v);
    update();
  }

  function update() {
    const state = timer.state;
    const painOpen = painIndex !== null;
    const ended = state === "finished" || state === "stopped";
    const step = timer.currentStep;
    const main = state === "ready" ? startB : ended ? newB : state === "paused" ? resumeB : pauseB;
    for (const b of [startB, pauseB, resumeB, newB]) b.hidden = b !== main;
    startB.disabled = state !== "ready" || Boolean(session.problem);
    newB.disabled = !ended || painOpen;
    pauseB.disabled = state !== "running";
    resumeB.disabled = state !== "paused" || painOpen;
    skipB.disabled = !["running", "paused"].includes(state) || painOpen;
    stopB.disabled = !["running", "paused", "get_ready"].includes(state);
    painB.disabled = painOpen || !step || step.kind !== "hold";
    painBox.hidden = !painOpen;
    goOnB.disabled = state === "finished";
    answers.hidden = !ended || !timer.results().length || saved || painOpen;
    const parts = [];
    if (session.problem) parts.push(["hipnb-problem", session.problem]);
    for (const [what, why] of outbox.refused) parts.push(["hipnb-problem", `Not logged: ${what}: ${why}`]);
    const holds = outbox.waiting("hold");
    const notes = outbox.waiting("answers");
    if (holds || notes) {
      const what = [holds ? plural(holds, "hold") : "", notes ? plural(notes, "answer") : ""]
        .filter(Boolean)
        .join(" and ");
      const why = outbox.problem ? ` (${outbox.problem})` : "";
      parts.push([
        "hipnb-waiting",
        `${what} wait${holds + notes === 1 ? "s" : ""} to be sent${why}: kept on this phone, sent when the network is back.`,
      ]);
    }
    if (outbox.logged) parts.push(["hipnb-logged", `${plural(outbox.logged, "hold")} logged to ${session.log}.`]);
    if (saved && !notes) {
      const gone = outbox.gone ? ` ${plural(outbox.gone, "answer")} of deleted holds left out.` : "";
      parts.push(["hipnb-saved", `Answers saved. Thank you.${gone}`]);
    }
    status.replaceChildren(...parts.map(([cls, text]) => node("div", cls, null, text)));
    status.dataset.waiting = String(holds + notes);
    status.dataset.logged = String(outbox.logged);
  }

  function afterPain(goOn) {
    if (painIndex === null) return;
    const index = painIndex;
    painIndex = null;
    const score = painScore.value === "" ? null : Number(painScore.value);
    timer.ratePain(index, score);
    const row = timer.resultFor(index);
    if (score !== null && row) answer([row], [{ discomfort: score }], "pain");
    message = "";
    handle(goOn ? timer.resume() : timer.stop(), true);
  }

  startB.addEventListener("click", () => handle(timer.start()));
  pauseB.addEventListener("click", () => handle(timer.pause()));
  resumeB.addEventListener("click", () => painIndex === null && handle(timer.resume()));
  skipB.addEventListener("click", () => handle(timer.skip()));
  stopB.addEventListener("click", () => (painIndex !== null ? afterPain(false) : handle(timer.stop())));
  painB.addEventListener("click", () => handle(timer.pain()));
  goOnB.addEventListener("click", () => afterPain(true));
  endB.addEventListener("click", () => afterPain(false));
  muteB.addEventListener("click", () => {
    const muted = !model.get("muted");
    muteB.setAttribute("aria-pressed", String(muted));
    model.set({ muted });
  });
  newB.addEventListener("click", () => {
    if (!["finished", "stopped"].includes(timer.state) || painIndex !== null) return;
    timer = newTimer();
    saved = false;
    message = "";
    for (const s of [rpe, discomfort, painScore]) s.value = "";
    note.value = "";
    sync("");
  });
  saveB.addEventListener("click", () => {
    const rows = timer.results();
    if (saved || !rows.length) return;
    const value = (s) => (s.value === "" ? null : Number(s.value));
    const changes = rows.map((r) => ({
      rpe: value(rpe),
      discomfort: r.pain_at_s !== null ? null : value(discomfort), // a Pain score is never replaced
      note: note.value,
    }));
    saved = true;
    answer(rows, changes, "answers");
    sync("");
  });

  sync("");
  outbox.flush(); // what an earlier visit could not send
  return { model, outbox, get timer() { return timer; } };
}

async function main() {
  // a link with another token (a new QR code scanned into this tab) opens the page afresh
  window.addEventListener("hashchange", () => location.reload());
  const token = tokenOfLink();
  if (!token) {
    ask();
    return;
  }
  const open = async () => {
    for (;;) {
      try {
        const { status, data } = await call("/api/open", token);
        if (status === 200) return data;
        if (status === 403) return null;
      } catch (err) {
        /* no network yet: said below, tried again */
      }
      root.replaceChildren();
      node("div", "hipnb-ask", root, "Cannot reach the computer that runs the timer: is this phone on the same Wi-Fi? Trying again...");
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  };
  const session = await open();
  if (!session) {
    ask("This link is not valid any more: the phone page was started again.");
    return;
  }
  window.hipnbPhone = phonePage(token, session, async () => (await open()) || session);
}

main();

// hipnb timer display: counts down from a deadline in the browser, beeps and speaks.
// Python holds the authoritative Timer; this module only shows it and reports when a
// countdown reaches zero ("expired"), so Python can advance from its own clock.

let audio = null; // created inside a user gesture: browsers block audio started any other way
const heard = { beeps: 0, spoken: "" }; // what was played, shown as data- attributes for tests

function unlockAudio() {
  if (!audio) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx) audio = new Ctx();
  }
  if (audio && audio.state === "suspended") audio.resume();
}

function beep(freq = 880, seconds = 0.12) {
  if (!audio || audio.state !== "running") return;
  heard.beeps += 1;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.25, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + seconds);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + seconds);
}

function speak(text) {
  if (!text) return;
  heard.spoken = text;
  if (!("speechSynthesis" in window)) return;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

function clockText(seconds) {
  const s = Math.max(0, Math.ceil(seconds - 1e-6));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}:${String(s % 60).padStart(2, "0")}` : String(s);
}

function el(tag, cls, parent) {
  const node = document.createElement(tag);
  node.className = cls;
  parent.appendChild(node);
  return node;
}

function render({ model, el: root }) {
  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });

  const box = el("div", "hipnb-timer", root);
  const title = el("div", "hipnb-title", box);
  const side = el("div", "hipnb-side", box);
  const count = el("div", "hipnb-count", box);
  const cue = el("div", "hipnb-cue", box);
  const stepBar = el("div", "hipnb-bar hipnb-step-bar", box);
  const stepFill = el("div", "hipnb-fill", stepBar);
  const allBar = el("div", "hipnb-bar hipnb-all-bar", box);
  const allFill = el("div", "hipnb-fill", allBar);
  const next = el("div", "hipnb-next", box);

  let ref = performance.now(); // when the current traits were received
  let sentFor = -1; // sync_id an "expired" message was already sent for
  let lastWhole = null;
  let lastSync = -1;

  function left() {
    const state = model.get("state");
    const elapsed = (performance.now() - ref) / 1000;
    const running = state === "running" || state === "countdown";
    return model.get("remaining") - (running ? elapsed : 0);
  }

  let expiry = null; // a timeout at the deadline, so expiry is reported on time, not at the next frame

  function onSync() {
    ref = performance.now();
    clearTimeout(expiry);
    const live = model.get("state") === "running" || model.get("state") === "countdown";
    if (live) expiry = setTimeout(draw, Math.max(0, model.get("remaining") * 1000) + 2);
    const sync = model.get("sync_id");
    if (sync === lastSync) return;
    lastSync = sync;
    const state = model.get("state");
    if (state === "running" && model.get("announce")) {
      beep(660, 0.25);
      if (!model.get("muted")) speak(model.get("announce"));
    }
    if (state === "finished" && model.get("announce")) {
      beep(990, 0.5);
      if (!model.get("muted")) speak(model.get("announce"));
    }
  }

  function draw() {
    const state = model.get("state");
    const rem = left();
    box.dataset.state = state;
    box.dataset.audio = audio ? audio.state : "none";
    box.dataset.beeps = String(heard.beeps);
    box.dataset.spoken = heard.spoken;
    box.classList.toggle("hipnb-big", model.get("big"));
    box.classList.toggle("hipnb-rest", model.get("kind") === "rest");
    title.textContent = model.get("title");
    side.textContent = model.get("side_label");
    cue.textContent = model.get("cue");
    next.textContent = model.get("next_label") ? `Next up: ${model.get("next_label")}` : "";
    const ended = { finished: "\u2713", stopped: "\u25A0" }; // a tick, or a stop square
    count.textContent = ended[state] || clockText(state === "ready" ? model.get("remaining") : rem);
    const stepS = model.get("step_seconds");
    stepFill.style.width = stepS > 0 ? `${Math.min(100, (100 * (stepS - rem)) / stepS)}%` : "0%";
    const total = model.get("routine_seconds");
    const done = total - model.get("routine_remaining") + (stepS > 0 ? model.get("remaining") - rem : 0);
    allFill.style.width = total > 0 ? `${Math.min(100, (100 * done) / total)}%` : "0%";

    const whole = Math.ceil(rem);
    if ((state === "running" || state === "countdown") && whole !== lastWhole) {
      if (whole <= 3 && whole >= 1 && (model.get("kind") === "hold" || state === "countdown")) beep();
      lastWhole = whole;
    }
    if ((state === "running" || state === "countdown") && rem <= 0 && sentFor !== model.get("sync_id")) {
      sentFor = model.get("sync_id");
      model.send({ event: "expired", sync_id: sentFor });
    }
  }

  model.on("change:sync_id", onSync);
  model.on("change", draw);
  onSync();
  draw();
  // the display follows the deadline, so a throttled background tab catches up when shown again
  const timer = setInterval(draw, 100);
  return () => {
    clearInterval(timer);
    clearTimeout(expiry);
    document.removeEventListener("pointerdown", unlockAudio, { capture: true });
    document.removeEventListener("keydown", unlockAudio, { capture: true });
  };
}

export default { render };

// hipnb timer display: counts down from a deadline in the browser, beeps and speaks.
// Python holds the authoritative Timer; this module shows it, reports when a countdown reaches
// zero ("expired"), sends a heartbeat every second while it counts (Python credits running time
// only while they arrive), reports the page hidden/shown, and keeps the screen on while counting.
// On a phone (model "phone") it fits the count to the width, keeps the screen on over plain http
// with a muted looping video, and vibrates at each change; in a room (model "big") it offers a
// fullscreen button, takes a presentation clicker's keys and titles the tab after the routine.

let audio = null; // created inside a user gesture: browsers block audio started any other way
const heard = { beeps: 0, spoken: "" }; // what was played, shown as data- attributes for tests
const COUNTING = new Set(["running", "get_ready"]);
const HEARTBEAT_MS = 1000;

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

// The keep-awake video of a phone page: a tiny muted looping video (the model's keep_awake data
// URIs, WebM and MP4). A playing video keeps a phone's screen on where the Wake Lock API is
// missing: a plain-http LAN page is not a secure context, so it has no navigator.wakeLock.
// Browsers let it play only once the user has touched the page: the first tap starts it.
function awakeVideo(box, sources) {
  if (!sources.length) return null;
  const video = document.createElement("video");
  video.className = "hipnb-awake";
  video.muted = true;
  video.loop = true;
  video.playsInline = true;
  video.setAttribute("muted", "");
  video.setAttribute("playsinline", "");
  video.setAttribute("aria-hidden", "true");
  for (const src of sources) {
    const s = document.createElement("source");
    s.src = src;
    s.type = src.slice(5, src.indexOf(";"));
    video.appendChild(s);
  }
  box.appendChild(video);
  return video;
}

// Screen Wake Lock: held while counting where the browser offers it (https or localhost);
// elsewhere the keep-awake video plays while counting when there is one; else the page works as
// before. data-wakelock says which: on, off, refused, video, unsupported.
function wakeLocker(box, video) {
  let lock = null;
  let wanted = false;
  let asking = false;
  box.dataset.wakelock = "wakeLock" in navigator ? "off" : "unsupported";
  function playVideo(on) {
    if (!video) return;
    if (!on) {
      video.pause();
      box.dataset.wakelock = "unsupported";
      return;
    }
    const p = video.play();
    const playing = () => {
      if (wanted) box.dataset.wakelock = "video";
    };
    if (p && p.then) p.then(playing, () => (box.dataset.wakelock = "unsupported"));
    else playing();
  }
  async function want(on) {
    wanted = on;
    if (!("wakeLock" in navigator)) {
      playVideo(on);
      return;
    }
    if (on && !lock && !asking && document.visibilityState === "visible") {
      asking = true;
      try {
        lock = await navigator.wakeLock.request("screen");
        if (!wanted) lock.release().catch(() => {});
        box.dataset.wakelock = "on";
        lock.addEventListener("release", () => {
          lock = null;
          box.dataset.wakelock = "off";
        });
      } catch (err) {
        box.dataset.wakelock = "refused";
      } finally {
        asking = false;
      }
    } else if (!on && lock) {
      const l = lock;
      lock = null;
      l.release().catch(() => {});
    }
  }
  // a tap is what lets a video play: try again on each one while the screen should stay on
  const touched = () => {
    if (wanted && video && video.paused) playVideo(true);
  };
  return { want, again: () => want(wanted), touched };
}

// A short vibration at each change of step, where the browser allows it (Android browsers after
// a first tap; iOS Safari has no vibration). data-vibrations counts the accepted ones.
function vibrate(box, pattern) {
  if (!("vibrate" in navigator)) return;
  let ok = false;
  try {
    ok = navigator.vibrate(pattern);
  } catch (err) {
    ok = false;
  }
  if (ok) box.dataset.vibrations = String(Number(box.dataset.vibrations || 0) + 1);
}

// The count as large as the phone's width allows (and at most a third of its height), sized for
// the step's longest text so it does not jump as the digits change.
function fitter(count, box) {
  let key = "";
  return (text, widest) => {
    const k = `${widest.length}:${box.clientWidth}:${window.innerHeight}`;
    if (k === key || !text) return;
    key = k;
    count.style.fontSize = "100px";
    count.textContent = widest;
    const range = document.createRange();
    range.selectNodeContents(count);
    const at100 = range.getBoundingClientRect().width;
    const style = getComputedStyle(box);
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const size = at100 > 0 ? (100 * 0.94 * room) / at100 : 100;
    count.style.fontSize = `${Math.floor(Math.min(size, window.innerHeight * 0.34))}px`;
    count.textContent = text;
  };
}

// A presentation clicker sends these keys (as slideshow tools read them). The timer has no "back":
// PageUp/Left pause or resume.
const CLICKER = {
  PageDown: "next",
  ArrowRight: "next",
  PageUp: "toggle",
  ArrowLeft: "toggle",
  b: "pause",
  B: "pause",
  ".": "pause",
};

// After Pain the room's screen asks Go on or End session, and the clicker answers it: its forward
// keys (and Enter) go on, its back and blank-screen keys (and Escape) end the session.
const AFTER_PAIN = {
  PageDown: "go_on",
  ArrowRight: "go_on",
  Enter: "go_on",
  PageUp: "end",
  ArrowLeft: "end",
  b: "end",
  B: "end",
  ".": "end",
  Escape: "end",
};
const AFTER_PAIN_HINT = "Clicker: next (PageDown, \u2192, Enter) goes on \u00b7 back (PageUp, \u2190, B, Esc) ends";

function fullscreenButton(box) {
  const button = el("button", "hipnb-fullscreen", box);
  button.type = "button";
  const label = () => {
    const on = Boolean(document.fullscreenElement);
    button.textContent = on ? "Exit full screen" : "Full screen";
    box.dataset.fullscreen = on ? "on" : "off";
  };
  button.addEventListener("click", () => {
    button.blur(); // a clicker's Enter answers the Pain screen, never toggles full screen
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else {
      // the room's page (setup and timer) or the panel, not the page's heading
      const room = box.closest(".hipnb-workshop") || box.closest(".hipnb-panel");
      const target = room || document.documentElement;
      if (target.requestFullscreen) target.requestFullscreen().catch(() => {});
    }
  });
  document.addEventListener("fullscreenchange", label);
  label();
  return () => document.removeEventListener("fullscreenchange", label);
}

// A steady one-second pulse. A worker's timer is not slowed down like a hidden page's timers are,
// so a page in a background tab keeps its heartbeat; a frozen page (screen off, paused tab) does
// not, since its main thread cannot hear the worker. Without workers, a plain interval.
function pulse(callback) {
  let worker = null;
  let fallback = null;
  const plain = () => {
    if (worker) worker.terminate();
    worker = null;
    if (fallback === null) fallback = setInterval(callback, HEARTBEAT_MS);
  };
  try {
    const code = `setInterval(() => postMessage(0), ${HEARTBEAT_MS});`;
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    worker = new Worker(url);
    worker.onmessage = callback;
    worker.onerror = plain; // e.g. refused by the page's content security policy
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    plain();
  }
  return () => {
    if (worker) worker.terminate();
    clearInterval(fallback);
  };
}

function render({ model, el: root }) {
  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });

  const box = el("div", "hipnb-timer", root);
  const badge = el("div", "hipnb-badge", box);
  const title = el("div", "hipnb-title", box);
  const side = el("div", "hipnb-side", box);
  const count = el("div", "hipnb-count", box);
  const summary = el("div", "hipnb-summary", box);
  const cue = el("div", "hipnb-cue", box);
  const message = el("div", "hipnb-message", box);
  const keys = el("div", "hipnb-keys", box); // the room's clicker keys while Pain asks
  const stepBar = el("div", "hipnb-bar hipnb-step-bar", box);
  const stepFill = el("div", "hipnb-fill", stepBar);
  const allBar = el("div", "hipnb-bar hipnb-all-bar", box);
  const allFill = el("div", "hipnb-fill", allBar);
  const next = el("div", "hipnb-next", box);
  const phone = model.get("phone");
  const big = model.get("big");
  const wake = wakeLocker(box, phone ? awakeVideo(box, model.get("keep_awake")) : null);
  const fit = fitter(count, box);
  const unFullscreen = big ? fullscreenButton(box) : () => {};
  box.dataset.heartbeats = "0";
  box.dataset.vibrations = "0";
  box.classList.toggle("hipnb-phone", phone);
  document.addEventListener("pointerdown", wake.touched, { capture: true });

  let ref = performance.now(); // when the current traits were received
  let sentFor = -1; // sync_id an "expired" message was already sent for
  let lastWhole = null;
  let lastSync = -1;
  let expiry = null; // a timeout at the deadline, so expiry is reported on time, not at the next frame

  function left() {
    if (model.get("sync_id") !== lastSync) onSync(); // never count from an older deadline
    const elapsed = (performance.now() - ref) / 1000;
    return model.get("remaining") - (COUNTING.has(model.get("state")) ? elapsed : 0);
  }

  function sound(freq, seconds) {
    if (!model.get("muted")) beep(freq, seconds);
  }

  function onSync() {
    ref = performance.now();
    clearTimeout(expiry);
    const state = model.get("state");
    const live = COUNTING.has(state);
    if (live) expiry = setTimeout(draw, Math.max(0, model.get("remaining") * 1000) + 2);
    wake.want(live);
    const sync = model.get("sync_id");
    if (sync === lastSync) return;
    lastSync = sync;
    lastWhole = null;
    const announce = model.get("announce");
    if (phone && (state === "running" || state === "finished") && announce) vibrate(box, 200);
    if ((state === "running" || state === "get_ready") && announce) {
      sound(660, 0.25);
      if (!model.get("muted")) speak(announce);
    }
    if (state === "finished" && announce) {
      sound(990, 0.5);
      if (!model.get("muted")) speak(announce);
    }
  }

  function draw() {
    const state = model.get("state");
    const rem = left();
    const ended = state === "finished" || state === "stopped";
    box.dataset.state = state;
    box.dataset.audio = audio ? audio.state : "none";
    box.dataset.beeps = String(heard.beeps);
    box.dataset.spoken = heard.spoken;
    box.classList.toggle("hipnb-big", model.get("big"));
    box.classList.toggle("hipnb-rest", model.get("kind") === "rest" && !ended);
    box.classList.toggle("hipnb-ended", ended);
    box.classList.toggle("hipnb-pain-open", model.get("pain"));
    if ((big || phone) && model.get("routine_title")) document.title = model.get("routine_title");
    badge.textContent = state === "paused" ? "PAUSED" : "";
    title.textContent = model.get("title");
    side.textContent = model.get("side_label");
    cue.textContent = model.get("cue");
    message.textContent = model.get("message");
    keys.textContent = big && model.get("pain") ? AFTER_PAIN_HINT : "";
    summary.replaceChildren(
      ...model.get("summary").map((line) => {
        const d = document.createElement("div");
        d.textContent = line;
        return d;
      }),
    );
    next.textContent = model.get("next_label") ? `Next up: ${model.get("next_label")}` : "";
    const shown = ended ? "" : clockText(state === "ready" ? model.get("remaining") : rem);
    if (phone) fit(shown, clockText(Math.max(model.get("step_seconds"), model.get("remaining"))));
    count.textContent = shown;
    const stepS = model.get("step_seconds");
    stepFill.style.width = stepS > 0 ? `${Math.min(100, (100 * (stepS - rem)) / stepS)}%` : "0%";
    const total = model.get("routine_seconds");
    const counted = state === "running" ? model.get("remaining") - rem : 0;
    const done = total - model.get("routine_remaining") + counted;
    allFill.style.width = total > 0 ? `${Math.min(100, (100 * done) / total)}%` : "0%";

    const whole = Math.ceil(rem);
    if (COUNTING.has(state) && whole !== lastWhole) {
      if (whole <= 3 && whole >= 1 && (model.get("kind") === "hold" || state === "get_ready")) {
        sound(880, 0.12);
      }
      lastWhole = whole;
    }
    if (COUNTING.has(state) && rem <= 0 && sentFor !== model.get("sync_id")) {
      sentFor = model.get("sync_id");
      model.send({ event: "expired", sync_id: sentFor });
    }
  }

  // How far this page has counted: the display state it counts from, and the seconds since it
  // arrived. Python credits a silent page up to there, however late the message reaches it.
  function position() {
    const rem = left(); // brings lastSync and ref up to date
    return { sync_id: lastSync, counted: model.get("remaining") - rem };
  }

  function heartbeat() {
    if (!COUNTING.has(model.get("state"))) return;
    model.send({ event: "heartbeat", ...position() });
    box.dataset.heartbeats = String(Number(box.dataset.heartbeats) + 1);
  }

  function onVisibility() {
    const hidden = document.visibilityState === "hidden";
    box.dataset.visibility = document.visibilityState;
    model.send({ event: "visibility", hidden, ...position() });
    if (!hidden) wake.again(); // the browser releases the lock when the page is hidden
  }

  function onKey(e) {
    // presentation mode: P is the Pain button (one key, reachable from across the room), and a
    // clicker's keys start, go to the next step, pause and resume. Typing in a text field is left
    // alone, and so are the arrows on a focused drop-down or slider (the room's setup); the other
    // keys take the focus from it, so a clicker's PageDown never changes the routine.
    if (!model.get("big") || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target instanceof Element ? e.target : null;
    const tag = target ? target.tagName : "";
    if (tag === "INPUT" || tag === "TEXTAREA") return;
    const field = target && (tag === "SELECT" || target.closest(".widget-slider"));
    if (field && e.key.startsWith("Arrow")) return;
    const painOpen = model.get("pain");
    // Enter on a focused button is that button's own (a keyboard user's Tab, then Enter)
    if (painOpen && tag === "BUTTON" && e.key === "Enter") return;
    const pain = !painOpen && (e.key === "p" || e.key === "P");
    const action = painOpen ? AFTER_PAIN[e.key] : CLICKER[e.key];
    if (!pain && !action) return;
    e.preventDefault(); // PageDown would scroll the page or change a drop-down
    if (field) target.blur();
    model.send(pain ? { event: "pain" } : { event: "clicker", action });
  }

  model.on("change:sync_id", onSync);
  model.on("change", draw);
  document.addEventListener("visibilitychange", onVisibility);
  document.addEventListener("keydown", onKey, { capture: true }); // before widgets' own handlers
  onSync();
  draw();
  // the display follows the deadline, so a throttled background tab catches up when shown again
  const frames = setInterval(draw, 100);
  const stopPulse = pulse(heartbeat);
  return () => {
    clearInterval(frames);
    stopPulse();
    clearTimeout(expiry);
    wake.want(false);
    unFullscreen();
    document.removeEventListener("pointerdown", wake.touched, { capture: true });
    document.removeEventListener("visibilitychange", onVisibility);
    document.removeEventListener("keydown", onKey, { capture: true });
    document.removeEventListener("pointerdown", unlockAudio, { capture: true });
    document.removeEventListener("keydown", unlockAudio, { capture: true });
  };
}

export default { render };

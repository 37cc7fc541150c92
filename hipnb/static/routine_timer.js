// hipnb routine timer for a page: the same state machine as hipnb/timer.py (Timer), driven by an
// injected clock, returning events. Every time it reports or records is derived from clock(),
// never from counting ticks; pauses are excluded. With `grace`, running time is credited only
// while the page's heartbeat() comes at most `grace` seconds apart: after a longer silence (a
// frozen page, a phone screen turned off) the session pauses at the last heartbeat ("away"),
// never past it, so no hold is recorded as held that the page did not count.
//
// The page that runs a routine by itself calls start/pause/... from its buttons; a page driven by
// another clock later (a room) can call the same methods from the messages it receives.
//
//   const t = new Timer(routine, { clock: () => now, wallClock: () => Date.now(), grace: 5 });
//   t.start(); now = 75; t.tick();  // -> [{kind: "step_ended", ...}, {kind: "step_started", ...}]

export const READY = "ready";
export const GET_READY = "get_ready";
export const RUNNING = "running";
export const PAUSED = "paused";
export const FINISHED = "finished";
export const STOPPED = "stopped";
const ACTIVE = new Set([RUNNING, PAUSED]);

function event(kind, stepIndex, at) {
  return { kind, step_index: stepIndex, at };
}

function newSessionId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Timer {
  // routine: {name, steps: [{exercise, side, seconds, kind}]}; clock(): seconds (monotonic);
  // wallClock(): milliseconds since the epoch (Date.now); getReady: seconds of the 3-2-1 before
  // the first step; grace: null (every clock second counts) or the longest silence credited.
  constructor(routine, { clock, wallClock = () => Date.now(), sessionId, getReady = 0, grace = null } = {}) {
    this.routine = routine;
    this.steps = routine.steps;
    this.clock = clock;
    this.wallClock = wallClock;
    this.sessionId = sessionId || newSessionId();
    this.getReady = Number(getReady);
    this.grace = grace;
    this.awayS = 0;
    this.state = READY;
    this._heard = 0;
    this._seen = 0;
    this._lastCredit = 0;
    this._readyFrom = 0;
    this._index = 0;
    this._active = 0;
    this._runFrom = null;
    this._stepFrom = 0;
    this._t0Clock = 0;
    this._t0Wall = null;
    this._stepClock = new Map();
    this._results = new Map();
  }

  // -- reading the state --------------------------------------------------------------------------

  _credited(now) {
    if (this.grace === null || now <= this._heard + this.grace) return now;
    return Math.max(this._seen, this._lastCredit);
  }

  _runningSeconds(now) {
    if (this._runFrom === null) return this._active;
    return this._active + Math.max(this._credited(now) - this._runFrom, 0);
  }

  get elapsed() {
    return this._runningSeconds(this.clock());
  }

  _locate() {
    let index = this._index;
    let start = this._stepFrom;
    const active = this.elapsed;
    while (ACTIVE.has(this.state) && index < this.steps.length) {
      if (active < start + this.steps[index].seconds) break;
      start += this.steps[index].seconds;
      index += 1;
    }
    return [index, start];
  }

  get currentStep() {
    if (!ACTIVE.has(this.state)) return null;
    const [index] = this._locate();
    return index < this.steps.length ? this.steps[index] : null;
  }

  get currentIndex() {
    const [index] = this._locate();
    return this.currentStep !== null ? index : null;
  }

  get nextStep() {
    if (this.state === READY || this.state === GET_READY) return this.steps[0];
    const [index] = this._locate();
    return index + 1 < this.steps.length ? this.steps[index + 1] : null;
  }

  get remaining() {
    if (this.state === GET_READY) return Math.max(this.getReady - (this.clock() - this._readyFrom), 0);
    if (this.currentStep === null) return 0;
    const [index, start] = this._locate();
    return Math.max(start + this.steps[index].seconds - this.elapsed, 0);
  }

  get totalRemaining() {
    const total = this.steps.reduce((a, s) => a + s.seconds, 0);
    if (this.state === READY || this.state === GET_READY) return total;
    const [index] = this._locate();
    const later = this.steps.slice(index + 1).reduce((a, s) => a + s.seconds, 0);
    return this.currentStep !== null ? this.remaining + later : 0;
  }

  // -- changing the state -------------------------------------------------------------------------

  start() {
    if (this.state !== READY) return [];
    const now = this.clock();
    this._seen = this._heard = now;
    if (this.getReady > 0) {
      this._readyFrom = now;
      this.state = GET_READY;
      return [event("get_ready", null, 0)];
    }
    return this._begin(now);
  }

  _begin(at) {
    this._t0Clock = this._lastCredit = at;
    this._t0Wall = this.wallClock() - Math.max(this.clock() - at, 0) * 1000;
    this._runFrom = at;
    this.state = RUNNING;
    this._stepClock.set(0, at);
    return [event("started", null, 0), event("step_started", 0, 0)];
  }

  tick() {
    const now = this.clock();
    const events = this._catchUp(now);
    return events.concat(this.state === RUNNING ? this._advance(now) : []);
  }

  // The page is alive and counting; `shown`: how far it had counted (running seconds), or null.
  heartbeat(shown = null) {
    const now = this.clock();
    const events = this.tick();
    if (this.state === RUNNING || this.state === GET_READY) {
      this._heard = now;
      this._seen = Math.max(this._seen, this._clockAt(shown, now));
    }
    return events;
  }

  _clockAt(shown, now) {
    if (shown === null || this._runFrom === null) return now;
    return Math.min(this._runFrom + (shown - this._active), now);
  }

  _catchUp(now) {
    const events = [];
    if (this.state === GET_READY) {
      if (this.grace !== null && now > this._heard + this.grace) {
        this.awayS = now - this._heard; // the page missed the 3-2-1: it starts again
        this._readyFrom = this._seen = this._heard = now;
        return [event("away", null, 0), event("get_ready", null, 0)];
      }
      const end = this._readyFrom + this.getReady;
      if (now < end) return events;
      events.push(...this._begin(end));
    }
    if (this.state === RUNNING && this.grace !== null && now > this._heard + this.grace) {
      events.push(...this._advance(now));
      if (this.state === RUNNING) {
        this.awayS = now - this._heard;
        this._freeze(now);
        this.state = PAUSED;
        events.push(event("away", this._index, this._active));
      }
    }
    return events;
  }

  _advance(now) {
    const events = [];
    const active = this._runningSeconds(now);
    while (this._index < this.steps.length) {
      const step = this.steps[this._index];
      const end = this._stepFrom + step.seconds;
      if (active < end) break;
      this._record(this._index, step.seconds, true);
      this._spentUntil(this._runFrom + (end - this._active));
      events.push(event("step_ended", this._index, end));
      this._index += 1;
      this._stepFrom = end;
      if (this._index < this.steps.length) {
        this._stepClock.set(this._index, this._runFrom + (end - this._active));
        events.push(event("step_started", this._index, end));
      }
    }
    if (this._index >= this.steps.length) {
      this._freeze(now);
      this.state = FINISHED;
      events.push(event("finished", null, this._active));
    }
    return events;
  }

  pause() {
    const now = this.clock();
    const events = this._catchUp(now);
    if (this.state !== RUNNING) return events;
    events.push(...this._advance(now));
    if (this.state === RUNNING) {
      this._freeze(now);
      this.state = PAUSED;
      events.push(event("paused", this._index, this._active));
    }
    return events;
  }

  resume() {
    if (this.state !== PAUSED) return [];
    const now = this.clock();
    this._runFrom = this._seen = this._heard = now;
    this.state = RUNNING;
    return [event("resumed", this._index, this._active)];
  }

  skip() {
    if (!ACTIVE.has(this.state)) return [];
    return this._endStep("step_skipped");
  }

  // Pain during a hold: it ends now (not completed, pain_at_s recorded) and the session pauses at
  // the start of the next step, so the athlete chooses to go on (resume) or end (stop).
  pain(score = null) {
    const events = this.tick();
    const step = this.currentStep;
    if (step === null || step.kind !== "hold") return events;
    events.push(...this._endStep("pain", score));
    if (this.state === RUNNING) {
      this._freeze(this.clock());
      this.state = PAUSED;
      events.push(event("paused", this._index, this._active));
    }
    return events;
  }

  ratePain(index, score) {
    const row = this._results.get(index);
    if (!row || row.pain_at_s === null) throw new Error(`step ${index} did not end with pain`);
    row.discomfort = score;
  }

  _endStep(kind, painScore = null) {
    const now = this.clock();
    const events = this.tick();
    if (!ACTIVE.has(this.state)) return events;
    const active = this._runningSeconds(now);
    this._record(this._index, active - this._stepFrom, false);
    if (this._runFrom !== null) this._spentUntil(this._credited(now));
    if (kind === "pain" && this._results.has(this._index)) {
      const row = this._results.get(this._index);
      row.pain_at_s = row.actual_s;
      row.discomfort = painScore;
    }
    events.push(event(kind, this._index, active));
    this._index += 1;
    this._stepFrom = active;
    if (this._index < this.steps.length) {
      this._stepClock.set(this._index, this._runFrom !== null ? this._credited(now) : now);
      events.push(event("step_started", this._index, active));
    } else {
      this._freeze(now);
      this.state = FINISHED;
      events.push(event("finished", null, this._active));
    }
    return events;
  }

  stop() {
    if (this.state === GET_READY) {
      this.state = STOPPED;
      return [event("stopped", null, 0)];
    }
    if (!ACTIVE.has(this.state)) return [];
    const now = this.clock();
    const events = this.tick();
    if (this.state === FINISHED) return events;
    this._freeze(now);
    if (this._active - this._stepFrom > 0) {
      this._record(this._index, this._active - this._stepFrom, false);
    }
    this.state = STOPPED;
    events.push(event("stopped", this._index, this._active));
    return events;
  }

  _freeze(now) {
    this._active = this._runningSeconds(now);
    this._runFrom = null;
  }

  _spentUntil(at) {
    this._lastCredit = Math.max(this._lastCredit, at);
  }

  _record(index, held, completed) {
    const step = this.steps[index];
    if (step.kind !== "hold" || this._results.has(index)) return;
    const at = this._t0Wall + ((this._stepClock.has(index) ? this._stepClock.get(index) : this._t0Clock) - this._t0Clock) * 1000;
    this._results.set(index, {
      session_id: this.sessionId,
      step: index,
      started_at: Math.floor(at / 1000), // whole seconds since the epoch, as the log keeps them
      actual_s: Math.max(Math.min(held, step.seconds), 0),
      completed: Boolean(completed),
      pain_at_s: null,
      discomfort: null,
    });
  }

  // -- results ------------------------------------------------------------------------------------

  // What the page sends for hold step `index` once it has ended (null before, or for a rest).
  resultFor(index) {
    const row = this._results.get(index);
    return row ? { ...row } : null;
  }

  results() {
    return [...this._results.keys()].sort((a, b) => a - b).map((i) => ({ ...this._results.get(i) }));
  }
}

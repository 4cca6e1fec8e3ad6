// The lobby screen: shows each new call big, chimes, and speaks it in Arabic then French.
// EventSource reconnects by itself after a network or service restart.
(function () {
  "use strict";
  const number = document.getElementById("now-number");
  const desk = document.getElementById("now-desk");
  const now = document.querySelector(".now");
  const last = document.getElementById("last-calls");
  const welcome = document.getElementById("welcome");
  const reconnecting = document.getElementById("reconnecting");
  const soundButton = document.getElementById("sound");
  let shown = null;
  let audio = null;
  let soundOn = false;

  function enableSound() {
    try { audio = audio || new AudioContext(); audio.resume(); soundOn = true; soundButton.hidden = true; } catch (e) { soundOn = false; }
  }
  soundButton.addEventListener("click", enableSound);
  // A TV started with autoplay allowed needs no click.
  try { audio = new AudioContext(); if (audio.state === "running") { soundOn = true; soundButton.hidden = true; } } catch (e) { audio = null; }

  function chime() {
    if (!soundOn || !audio) return Promise.resolve();
    const start = audio.currentTime;
    [659.25, 523.25].forEach(function (freq, i) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + i * 0.45);
      gain.gain.exponentialRampToValueAtTime(0.4, start + i * 0.45 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.45 + 0.42);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + i * 0.45);
      osc.stop(start + i * 0.45 + 0.45);
    });
    return new Promise(function (resolve) { setTimeout(resolve, 1000); });
  }

  function say(call, lang) {
    return new Promise(function (resolve) {
      if (!soundOn) return resolve();
      const a = new Audio("/lobby/speech.wav?number=" + encodeURIComponent(call.number) + "&desk=" + call.desk + "&lang=" + lang);
      a.onended = resolve; a.onerror = resolve;
      a.play().catch(resolve);
    });
  }

  // The newest call time already on the screen: only a call newer than it is announced, so a
  // ticket that leaves the board (transferred, finished) never brings an older call back with a
  // chime. Calls are compared by when they were made, not by what happens to be on top.
  let newest = null;
  let announced = 0;

  function atOf(call) { const t = Date.parse(call.called_at); return isNaN(t) ? 0 : t; }
  function live(call) { return call.state === "called" || call.state === "serving"; }

  function render(board) {
    const calls = board.calls || [];
    welcome.hidden = calls.length > 0;
    // The big number: the latest call still at a desk (a finished one only when none is).
    const top = calls.find(live) || calls[0];
    last.replaceChildren.apply(last, calls.filter(function (c) { return c !== top; }).slice(0, 5).map(function (c) {
      const li = document.createElement("li");
      const n = document.createElement("span"); n.className = "number"; n.textContent = c.number;
      const d = document.createElement("span"); d.className = "desk"; d.textContent = c.desk;
      li.append(n, d);
      return li;
    }));
    if (!top) return;
    const latest = calls.reduce(function (m, c) { return Math.max(m, atOf(c)); }, 0);
    const first = newest === null;
    const fresh = !first && atOf(top) > newest && top.state === "called";
    newest = Math.max(newest || 0, latest);
    const key = top.number + "/" + top.calls + "/" + top.called_at;
    if (key !== shown) {
      shown = key;
      number.textContent = top.number;
      desk.textContent = top.desk;
      // For whoever checks the screen (the browser test): what is shown, since when.
      document.body.dataset.shownNumber = top.number;
      document.body.dataset.shownAt = String(Date.now());
    }
    if (!fresh) return; // what was called before the page opened, or an older call, stays quiet
    announced += 1;
    document.body.dataset.announced = top.number;
    document.body.dataset.announcements = String(announced);
    now.classList.add("flash");
    setTimeout(function () { now.classList.remove("flash"); }, 4000);
    chime().then(function () { return say(top, "ar"); }).then(function () { return say(top, "fr"); });
  }

  function connect() {
    const events = new EventSource("/events");
    events.addEventListener("board", function (e) {
      reconnecting.hidden = true;
      try { render(JSON.parse(e.data)); } catch (err) { /* a malformed event is skipped */ }
    });
    events.onerror = function () { reconnecting.hidden = false; };
  }
  connect();
})();

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
    // The big number: the latest call still at a desk. With none (the last one transferred
    // or finished), what is on the screen stays; a screen just opened shows the latest call.
    const top = calls.find(live) || (shown === null ? calls[0] : null);
    const bigNumber = top ? top.number : number.textContent;
    last.replaceChildren.apply(last, calls.filter(function (c) { return c.number !== bigNumber; }).slice(0, 5).map(function (c) {
      const li = document.createElement("li");
      const n = document.createElement("span"); n.className = "number"; n.textContent = c.number;
      const d = document.createElement("span"); d.className = "desk"; d.textContent = c.desk;
      li.append(n, d);
      return li;
    }));
    const latest = calls.reduce(function (m, c) { return Math.max(m, atOf(c)); }, 0);
    const first = newest === null;
    const fresh = !!top && !first && atOf(top) > newest && top.state === "called";
    newest = Math.max(newest || 0, latest);
    if (!top) return;
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
    lastCall = Date.now();
    document.body.dataset.announced = top.number;
    document.body.dataset.announcements = String(announced);
    now.classList.add("flash");
    setTimeout(function () { now.classList.remove("flash"); }, 4000);
    chime().then(function () { return say(top, "ar"); }).then(function () { return say(top, "fr"); });
  }

  // Between calls, the commune's projects, one at a time: shown once no call has come for the
  // screen's idle time (`data-idle`, seconds), hidden at the next call. The list is fetched at
  // start and every five minutes; a failed fetch keeps the last one.
  const lobby = document.querySelector("section.lobby");
  const projectsBox = document.getElementById("projects");
  const projectCard = document.getElementById("project");
  const idleMs = (parseInt(lobby.dataset.idle, 10) || 45) * 1000;
  let projects = [];
  let lastCall = Date.now();
  let rotation = 0;

  function loadProjects() {
    fetch("/lobby/projects", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (j) { projects = j.projects || []; })
      .catch(function () { /* keep what was shown */ });
  }

  function words(map, cls) {
    const p = document.createElement("p"); p.className = cls;
    [["ar", "rtl"], ["zgh", "ltr"], ["fr", "ltr"]].forEach(function (l) {
      if (!map[l[0]]) return;
      const s = document.createElement("span"); s.lang = l[0]; s.dir = l[1]; s.textContent = map[l[0]];
      p.append(s);
    });
    return p;
  }

  function showProject() {
    const p = projects[rotation % projects.length];
    rotation += 1;
    const ar = document.createElement("h3"); ar.lang = "ar"; ar.dir = "rtl"; ar.textContent = p.title_ar;
    const fr = document.createElement("h3"); fr.lang = "fr"; fr.dir = "ltr"; fr.textContent = p.title_fr;
    const parts = [ar, fr, words(p.sector, "sector"), words(p.status_words, "status " + p.status)];
    if (p.budget > 0) {
      const bar = document.createElement("div"); bar.className = "bar";
      const fill = document.createElement("span");
      fill.style.inlineSize = Math.min(100, Math.round(100 * p.found / p.budget)) + "%";
      bar.append(fill);
      const money = document.createElement("p"); money.className = "money"; money.dir = "ltr";
      money.textContent = p.found_shown + " / " + p.budget_shown + " MAD";
      parts.push(bar, money);
    }
    projectCard.replaceChildren.apply(projectCard, parts);
    document.body.dataset.project = String(p.id);
  }

  setInterval(function () {
    const idle = Date.now() - lastCall >= idleMs && projects.length > 0;
    if (idle) {
      if (projectsBox.hidden || Date.now() - (projectsBox.shownAt || 0) >= 10000) {
        showProject();
        projectsBox.shownAt = Date.now();
      }
      projectsBox.hidden = false;
      last.parentElement.hidden = true;
      document.body.dataset.projects = "shown";
    } else if (!projectsBox.hidden) {
      projectsBox.hidden = true;
      last.parentElement.hidden = false;
      document.body.dataset.projects = "hidden";
    }
  }, 1000);
  loadProjects();
  setInterval(loadProjects, 5 * 60 * 1000);

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

// Automatic sign-out after a stretch without activity (15 minutes unless the page says otherwise),
// with a warning shortly before, so a person who is still there can stay (WCAG 2.2.1).

// Deliberate use only: "scroll" also fires when the page moves focus or its layout changes.
const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "input"];
const CHECK_EVERY_MS = 15_000;

/**
 * Call `onIdle` once when nobody has used the page for `minutes`; `onWarn(minutesLeft)` when
 * `warnMinutes` are left, `onActive` when someone uses the page after a warning, `onUse` on each use.
 * Returns a function that stops watching (its `touch()` counts use elsewhere, e.g. in another tab). Time
 * is read from Date.now() on each check, so a tab the browser
 * put to sleep still signs out as soon as it wakes.
 */
export function watchForIdle({ minutes, warnMinutes = 2, onWarn, onActive, onIdle, onUse, target = document }) {
  const limitMs = minutes * 60_000;
  const warnAtMs = Math.max(0, limitMs - warnMinutes * 60_000);
  let lastActive = Date.now();
  let warned = false;
  let stopped = false;

  const touch = (event) => {
    lastActive = Date.now();
    if (event) onUse?.();
    if (warned) {
      warned = false;
      onActive?.();
    }
  };
  const check = () => {
    if (stopped) return;
    const idleMs = Date.now() - lastActive;
    if (idleMs >= limitMs) {
      stop();
      onIdle();
    } else if (!warned && onWarn && idleMs >= warnAtMs) {
      warned = true;
      onWarn(Math.ceil((limitMs - idleMs) / 60_000));
    }
  };
  const timer = setInterval(check, Math.min(CHECK_EVERY_MS, limitMs));
  const onVisible = () => { if (document.visibilityState === "visible") check(); };
  for (const name of ACTIVITY) target.addEventListener(name, touch, { passive: true, capture: true });
  document.addEventListener("visibilitychange", onVisible);

  // Someone used another tab of the console: that counts as use of this one too.
  stop.touch = touch;

  function stop() {
    stopped = true;
    clearInterval(timer);
    for (const name of ACTIVITY) target.removeEventListener(name, touch, { capture: true });
    document.removeEventListener("visibilitychange", onVisible);
  }
  return stop;
}

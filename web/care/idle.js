// Automatic sign-out after a stretch without activity (15 minutes unless the page says otherwise).

const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "input", "scroll"];
const CHECK_EVERY_MS = 15_000;

/**
 * Call `onIdle` once when nobody has used the page for `minutes`. Returns a function that stops
 * watching. Time is read from Date.now() on each check, so a tab the browser put to sleep still
 * signs out as soon as it wakes.
 */
export function watchForIdle({ minutes, onIdle, target = document }) {
  const limitMs = minutes * 60_000;
  let lastActive = Date.now();
  let stopped = false;
  const touch = () => { lastActive = Date.now(); };
  const check = () => {
    if (!stopped && Date.now() - lastActive >= limitMs) {
      stop();
      onIdle();
    }
  };
  const timer = setInterval(check, Math.min(CHECK_EVERY_MS, limitMs));
  const onVisible = () => { if (document.visibilityState === "visible") check(); };
  for (const name of ACTIVITY) target.addEventListener(name, touch, { passive: true, capture: true });
  document.addEventListener("visibilitychange", onVisible);

  function stop() {
    stopped = true;
    clearInterval(timer);
    for (const name of ACTIVITY) target.removeEventListener(name, touch, { capture: true });
    document.removeEventListener("visibilitychange", onVisible);
  }
  return stop;
}

// Notes being written and not yet saved, per inquiry, in this tab's memory only: never sessionStorage or
// localStorage, so a note (PHI) never outlives the tab. They survive moving between views and an idle
// sign-out (or a session that ended): the same person signing in again in this tab finds the note in its
// box. Another person signing in here gets none of them; the Sign out button forgets them all.

const drafts = new Map();
let owner = null;

/** The note being written on this inquiry ("" when none). */
export function draftFor(inquiryId) {
  return drafts.get(inquiryId) ?? "";
}

/** Keep (or, when empty, forget) the note being written on this inquiry by the person `sub`. */
export function keepDraft(sub, inquiryId, text) {
  if (owner !== sub) {
    drafts.clear();
    owner = sub;
  }
  if (text.trim()) drafts.set(inquiryId, text);
  else drafts.delete(inquiryId);
}

/** Someone signed in: drafts left by anyone else are forgotten. */
export function claimDrafts(sub) {
  if (owner !== sub) {
    drafts.clear();
    owner = sub;
  }
}

/** Forget every draft (signing out on purpose). */
export function forgetDrafts() {
  drafts.clear();
  owner = null;
}

/** True when a note is being kept for someone. */
export function hasDrafts() {
  return drafts.size > 0;
}

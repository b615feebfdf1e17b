// The care team, as GET /care/team lists it (members of the pool's care groups, read server-side): who an
// inquiry can be assigned to, and the name shown for an assignee's id (their Cognito sub).

import { readTeam } from "./api.js";

let members = null;
let loading = null;

/** The team's members ({id, name, groups}), loaded once per page; an empty list when it cannot be read. */
export async function loadTeam({ fresh = false } = {}) {
  if (members && !fresh) return members;
  loading ??= readTeam()
    .then((answer) => { members = Array.isArray(answer?.members) ? answer.members : []; return members; })
    .catch(() => members ?? [])
    .finally(() => { loading = null; });
  return loading;
}

/** Forget the team (on sign-out: the next person loads it afresh). */
export function forgetTeam() {
  members = null;
}

/** The members loaded so far (none before loadTeam resolves, or when the team could not be read). */
export function teamMembers() {
  return members ?? [];
}

/** The member with this id (sub), or undefined. */
export function memberOf(id) {
  return members?.find((m) => m.id === id);
}

/** Who an inquiry is assigned to, in words: the member's name, "Nobody yet", or the stored value as it is. */
export function assigneeLabel(id, { me } = {}) {
  if (!id) return "Nobody yet";
  if (me && id === me) return `${memberOf(id)?.name ?? "You"} (you)`;
  return memberOf(id)?.name ?? String(id);
}

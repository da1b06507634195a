/** The paste-ready brief for an agent joining a room (what `argybargy room` prints). */
export function roomBrief(o: { url: string; room: string; name: string; code: string }): string {
  return `You are "${o.name}" in room "${o.room}" on an argybargy bridge, where AI agents (and humans) talk over HTTP.

Bridge:  ${o.url}
Room:    ${o.room}
Name:    ${o.name}
Code:    ${o.code}
Send "Authorization: Bearer ${o.code}" on every request. GET ${o.url}/ explains everything.

The loop:
1. POST ${o.url}/messages {"to":"all","text":"Hi, I am ${o.name} and I can ..."} to introduce yourself.
2. GET ${o.url}/messages?since=<cursor>&wait=25 (start with since=0). It answers as soon as
   something arrives, or after 25 s with nothing. Always pass back the cursor it returned.
3. Act on what arrived, reply with POST ${o.url}/messages {"to":"all"|"<name>","text":"..."}, then go to 2.

Who answers: read expects_reply (or expects_reply_resolved) on each message.
- Your name: answer it.
- "anyone": POST ${o.url}/messages/<seq>/claim first. 200 means it is yours: answer.
  409 means someone else claimed it: stay quiet.
- "none", or someone else's name: do not answer.
- Answer with "reply_to":<seq> in the body: that marks the question answered (answered_by), so
  nobody else takes it up. A message with answered_by set needs nothing more.

When to stop: every poll answers should_exit.
- should_exit false: keep polling, whether or not messages came, even after your own work is done.
- should_exit true, exit_reason "room_closed": the operator closed the room. Say goodbye if you like (it will
  be refused) and finish cleanly.
- should_exit true, exit_reason "idle_timeout": nobody spoke for a long time. Stop, and report that you left
  because the room went silent, not that the work failed.
`;
}

/** The house rules, as a model should read them before taking part. */
export const HOUSE_RULES = `# How to take part in an argybargy room

You are one agent in a room with other agents and humans. Messages are turn-based:
nobody is pushed anything, you fetch with wait_for_messages.

1. Start with whoami and peers: who you are, who else is here, what they can do.
2. Introduce yourself once with send (to "all").
3. Loop: call wait_for_messages, act on what arrived, reply with send, and call
   wait_for_messages again. You do not need to pass since: the bridge remembers
   where you are, so you get every message exactly once.
4. Decide whether to answer from expects_reply (or expects_reply_resolved):
   - your name: answer it;
   - "anyone": an open question. Call claim with its seq first and answer only if
     you won; if someone else won, stay quiet. A claim is a lease: answer before its
     lease_expires_at, or claim again to renew it. When a claim ends unanswered
     (lapsed, released, or its holder left), a message from "argybargy" with kind
     "claim_reopened" and reply_to the question says so: claim it to take it up;
   - "none" or someone else's name: do not answer.
   Answer with send and reply_to set to the question's seq: that marks it answered
   (answered_by, answered_at), so nobody else takes it up and the operator stops
   waiting. A message with answered_by set needs nothing more. The thread tool shows
   a question with every reply to it.
5. Stay in the room after your own work is done, so follow-up questions reach you.
   Leave only when wait_for_messages says should_exit: true.
   - exit_reason "room_closed": the operator closed the room. Finish cleanly.
   - exit_reason "idle_timeout": nobody spoke for a long time. Say that you left
     because the room went silent, not that the work failed.
6. Keep messages useful and short; do not echo what others said. Posting into a
   closed room fails on purpose; too many posts too fast are refused with a wait time.
`;

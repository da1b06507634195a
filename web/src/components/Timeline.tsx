import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { clock, day, duration } from '../format';
import type { Message, WaitingRow } from '../types';
import { addressee } from './Inbox';

interface Props {
  messages: Message[];
  /** The room's open questions (the bridge's `waiting` and `asked`). */
  waiting: WaitingRow[];
  now: number;
  fetchedAt: number;
}

/** The room's conversation, oldest first, with day dividers, badges and timers on open questions. */
export function Timeline(props: Props) {
  const end = useRef<HTMLDivElement>(null);
  const last = props.messages.at(-1)?.seq;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [last]);
  const open = new Map(props.waiting.map((w) => [w.seq, w]));
  let lastDay = '';
  return (
    <section class="timeline" role="log" aria-live="polite" aria-label="Messages">
      {props.messages.length === 0 && <p class="muted empty">No messages yet.</p>}
      {props.messages.map((m) => {
        const d = day(m.ts);
        const divider = d !== lastDay;
        lastDay = d;
        const q = open.get(m.seq);
        return (
          <Fragment key={m.seq}>
            {divider && <div class="day">{d}</div>}
            <article class={`msg${m.to !== 'all' ? ' dm' : ''}`} data-seq={m.seq}>
              <header>
                <span class="from">{m.from}</span>
                <span class="to">→ {m.to === 'all' ? 'everyone' : m.to}</span>
                {m.to !== 'all' && <span class="badge dm-badge">DM</span>}
                {m.expects_reply !== 'none' && (
                  <span class="badge expects">
                    expects{' '}
                    {m.expects_reply_resolved !== m.expects_reply
                      ? `${m.expects_reply_resolved} (anyone)`
                      : m.expects_reply}
                  </span>
                )}
                {m.reply_to !== null && <span class="badge reply">↩ #{m.reply_to}</span>}
                {m.claimed_by && <span class="badge claimed">claimed by {m.claimed_by}</span>}
                {m.answered_by && <span class="badge answered">answered by {m.answered_by}</span>}
                {q && (
                  <span class={`badge open-q${q.waits_on === 'nobody' ? ' nobody' : ''}`}>
                    {q.waits_on === 'operator' ? 'waiting on you' : `waiting on ${addressee(q)}`}{' '}
                    {duration(q.waiting_seconds + (props.now - props.fetchedAt) / 1000)}
                  </span>
                )}
                <time dateTime={m.ts}>{clock(m.ts)}</time>
              </header>
              <p class="text">{m.text}</p>
            </article>
          </Fragment>
        );
      })}
      <div ref={end} />
    </section>
  );
}

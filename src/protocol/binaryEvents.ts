// The fixed-size binary form of an event, as threads write it into their rings: four int32
// words, 16 bytes, no allocation. Word 0 packs the kind (6 bits), the flag (1 bit), the wait
// reason (3 bits) and the logical thread ident (22 bits); then object id, site id, and the
// time in microseconds since the program started (wraps after 71 minutes; readers unwrap).
import {
  EVENT_KINDS,
  WAIT_REASONS,
  eventKindOf,
  makeEvent,
  type EventKind,
  type TraceEvent,
  type WaitReason,
} from "./events.ts";

export const EVENT_WORDS = 4;
export const EVENT_BYTES = EVENT_WORDS * 4;
export const MAX_THREAD_IDENT = (1 << 22) - 1;

const FLAG_BIT = 1 << 6;
const REASON_SHIFT = 7;
const THREAD_SHIFT = 10;

/** In the reason bits of an acquisition event (no wait reason there): a shared acquisition. */
const SHARED_CODE = 7;

const codes = new Map<EventKind, number>(EVENT_KINDS.map((k, i) => [k, i + 1]));
const reasonCodes = new Map<WaitReason, number>(WAIT_REASONS.map((r, i) => [r, i + 1]));

export function packHead(
  kind: EventKind,
  thread: number,
  flag: boolean,
  reason?: WaitReason,
  shared = false,
): number {
  const code = codes.get(kind) ?? 0;
  const r = shared ? SHARED_CODE : reason === undefined ? 0 : (reasonCodes.get(reason) ?? 0);
  return (
    code |
    (flag ? FLAG_BIT : 0) |
    (r << REASON_SHIFT) |
    ((thread & MAX_THREAD_IDENT) << THREAD_SHIFT)
  );
}

/**
 * Decodes the event at `offset` (in words) of `words`; undefined for an unknown kind code, or
 * for a reason or shared mark on a kind that has none (not an event we wrote).
 */
export function decodeEvent(
  words: Int32Array,
  offset: number,
  timeBase = 0,
): TraceEvent | undefined {
  const head = words[offset] ?? 0;
  const kind = eventKindOf(head & 0x3f);
  if (kind === undefined) return undefined;
  const reasonCode = (head >>> REASON_SHIFT) & 0x7;
  return makeEvent(
    kind,
    (head >>> THREAD_SHIFT) & MAX_THREAD_IDENT,
    words[offset + 1] ?? 0,
    words[offset + 2] ?? 0,
    timeBase + ((words[offset + 3] ?? 0) >>> 0),
    (head & FLAG_BIT) !== 0,
    reasonCode === 0 || reasonCode === SHARED_CODE ? undefined : WAIT_REASONS[reasonCode - 1],
    reasonCode === SHARED_CODE,
  );
}

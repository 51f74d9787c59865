const FRAME_END = Buffer.from('\n\n');
const DATA = Buffer.from('\ndata: ');
const ID = Buffer.from('\nid: ');

/**
 * Splits the hub's bytes into its `aaep.event` SSE frames and each frame's JSON. The hub
 * writes the JSON on one `data:` line (JSON.stringify never emits a raw line break), so a
 * frame ends at the first blank line. A catch-up's `aaep.position` frame has empty data:
 * its `json` is ''. A catch-up's re-sent events have no `id` line (`hasId` false).
 */
export function splitEventFrames(frames: Buffer): Array<{ frame: Buffer; json: string; hasId: boolean }> {
  const out: Array<{ frame: Buffer; json: string; hasId: boolean }> = [];
  let start = 0;
  while (start < frames.length) {
    const end = frames.indexOf(FRAME_END, start);
    const stop = end === -1 ? frames.length : end;
    const data = frames.indexOf(DATA, start);
    if (data !== -1 && data < stop) {
      const id = frames.indexOf(ID, start);
      out.push({ frame: frames.subarray(start, stop + FRAME_END.length), json: frames.toString('utf8', data + DATA.length, stop), hasId: id !== -1 && id < data });
    }
    start = stop + FRAME_END.length;
  }
  return out;
}

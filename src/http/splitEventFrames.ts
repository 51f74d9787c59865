const FRAME_END = Buffer.from('\n\n');
const DATA = Buffer.from('\ndata: ');

/**
 * Splits the hub's bytes into its `aaep.event` SSE frames and each frame's JSON. The hub
 * writes the JSON on one `data:` line (JSON.stringify never emits a raw line break), so a
 * frame ends at the first blank line.
 */
export function splitEventFrames(frames: Buffer): Array<{ frame: Buffer; json: string }> {
  const out: Array<{ frame: Buffer; json: string }> = [];
  let start = 0;
  while (start < frames.length) {
    const end = frames.indexOf(FRAME_END, start);
    const stop = end === -1 ? frames.length : end;
    const data = frames.indexOf(DATA, start);
    if (data !== -1 && data < stop) {
      out.push({ frame: frames.subarray(start, stop + FRAME_END.length), json: frames.toString('utf8', data + DATA.length, stop) });
    }
    start = stop + FRAME_END.length;
  }
  return out;
}

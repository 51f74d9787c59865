import protobuf from 'protobufjs/minimal.js';

const { Reader, Writer } = protobuf;

/** Protobuf wire type of length-delimited fields, the only kind these three messages carry. */
const LEN = 2;

interface Field {
  readonly number: number;
  readonly bytes: Uint8Array;
}

/**
 * The length-delimited fields of one message, in order, as views into `bytes`; fields of
 * other wire types are skipped (none of the messages read here has any). Throws on a
 * malformed message, as the full decoder would.
 */
function fieldsOf(bytes: Uint8Array): Field[] {
  const reader = Reader.create(bytes);
  const fields: Field[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    if (number === 0) throw new Error(`invalid field number 0 at offset ${reader.pos}`);
    if ((tag & 7) !== LEN) {
      reader.skipType(tag & 7);
      continue;
    }
    const length = reader.uint32();
    if (reader.pos + length > reader.len) throw new Error(`a field of ${length} bytes runs past the end at offset ${reader.pos}`);
    fields.push({ number, bytes: bytes.subarray(reader.pos, reader.pos + length) });
    reader.pos += length;
  }
  return fields;
}

/** Field 1 of a Span: its trace id (16 bytes), as the shard chooser reads it. */
function traceIdOf(span: Uint8Array): Uint8Array | undefined {
  return fieldsOf(span).find((field) => field.number === 1)?.bytes;
}

/**
 * Splits a protobuf ExportTraceServiceRequest into one request per part, each span in
 * part `partOf(its trace id)`, with its ResourceSpans and ScopeSpans (resource, scope,
 * schema URLs) around it, without decoding the spans: each part is decoded where it is
 * translated. A part with no span is an empty array. Throws on a malformed body.
 */
export function splitTraceRequest(bytes: Uint8Array, parts: number, partOf: (traceId: Uint8Array | undefined) => number): Uint8Array[] {
  const writers = Array.from({ length: parts }, () => Writer.create());
  const used = new Array<boolean>(parts).fill(false);
  for (const resourceSpans of fieldsOf(bytes)) {
    if (resourceSpans.number !== 1) continue;
    const resourceFields = fieldsOf(resourceSpans.bytes);
    // Per part: the ScopeSpans of this ResourceSpans that hold its spans, rebuilt.
    const scopes: Uint8Array[][] = Array.from({ length: parts }, () => []);
    for (const scopeSpans of resourceFields) {
      if (scopeSpans.number !== 2) continue;
      const scopeFields = fieldsOf(scopeSpans.bytes);
      const spans: Uint8Array[][] = Array.from({ length: parts }, () => []);
      for (const field of scopeFields) if (field.number === 2) spans[partOf(traceIdOf(field.bytes))]!.push(field.bytes);
      spans.forEach((mine, part) => {
        if (mine.length === 0) return;
        const scope = Writer.create();
        for (const field of scopeFields) if (field.number !== 2) scope.uint32((field.number << 3) | LEN).bytes(field.bytes);
        for (const span of mine) scope.uint32((2 << 3) | LEN).bytes(span);
        scopes[part]!.push(scope.finish());
      });
    }
    scopes.forEach((mine, part) => {
      if (mine.length === 0) return;
      const writer = writers[part]!.uint32((1 << 3) | LEN).fork();
      for (const field of resourceFields) if (field.number !== 2) writer.uint32((field.number << 3) | LEN).bytes(field.bytes);
      for (const scope of mine) writer.uint32((2 << 3) | LEN).bytes(scope);
      writer.ldelim();
      used[part] = true;
    });
  }
  return writers.map((writer, part) => (used[part] ? writer.finish() : new Uint8Array(0)));
}

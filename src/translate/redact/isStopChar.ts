export function isStopChar(code: number): boolean {
  // whitespace and delimiters that end an unquoted value
  return (
    code <= 32 || code === 44 /* , */ || code === 59 /* ; */ || code === 38 /* & */ ||
    code === 34 /* " */ || code === 39 /* ' */ || code === 96 /* ` */ || code === 60 /* < */ ||
    code === 62 /* > */ || code === 41 /* ) */ || code === 93 /* ] */ || code === 125 /* } */
  );
}

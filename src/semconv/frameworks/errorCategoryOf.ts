import type { AttributeValue } from '../../records.js';

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504, 529]);
const USER_STATUS = new Set([401, 402, 403]);
const PERMANENT_STATUS = new Set([400, 404, 405, 409, 410, 413, 415, 422]);

/** `error_category` implied by an HTTP status or an `error.type`, when it says something. */
export function errorCategoryOf(status: AttributeValue | undefined, errorType: string | undefined): string | undefined {
  const code = typeof status === 'number' ? status : typeof status === 'string' ? Number(status) : Number(errorType);
  if (Number.isInteger(code)) {
    if (TRANSIENT_STATUS.has(code)) return 'transient';
    if (USER_STATUS.has(code)) return 'requires_user';
    if (PERMANENT_STATUS.has(code)) return 'permanent';
  }
  if (errorType === undefined) return undefined;
  if (/timeout|timed.?out|rate.?limit|overloaded|unavailable|econnreset|econnrefused/i.test(errorType)) return 'transient';
  if (/auth|api.?key|permission|forbidden|quota|billing|credit/i.test(errorType)) return 'requires_user';
  if (/invalid|bad.?request|not.?found|context.?length|too.?long|unsupported|content.?filter/i.test(errorType)) return 'permanent';
  return undefined;
}

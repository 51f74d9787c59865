import type { AttributeValue } from '../../records.js';

/** A completion sentence when the model stopped for a reason the user should hear. */
export function finishReasonSummary(reasons: AttributeValue | undefined): string | undefined {
  const list = typeof reasons === 'string' ? [reasons] : Array.isArray(reasons) ? reasons : [];
  for (const reason of list) {
    if (typeof reason !== 'string') continue;
    const normal = reason.toLowerCase().replace(/[-\s]/g, '_');
    if (normal === 'length' || normal === 'max_tokens') return 'Done, but the answer was cut short: the model reached its length limit.';
    if (normal === 'content_filter') return 'Done, but part of the answer was withheld by a content filter.';
  }
  return undefined;
}

import type {
  Capabilities,
  ConformanceLevel,
  Producer,
  RejectionReason,
  SubscriptionAccepted,
  SubscriptionRejected,
} from '../protocol/index.js';

/** What this producer can offer a subscription. */
export interface SubscriptionOffer {
  readonly producer: Producer;
  /** The AAEP version the events carry. */
  readonly aaepVersion: string;
  readonly conformanceLevels: readonly ConformanceLevel[];
  /** Primary language subtags the producer's own phrases exist in (see src/translate/messages). */
  readonly languages: readonly string[];
  /** Compact JWS of the manifest, when a signing key is configured. */
  readonly signedManifest?: string | undefined;
  readonly manifestUri?: string | undefined;
}

/**
 * Boundaries we can honour: the translator already cuts output at sentences and marks the
 * last chunk `completion`, and a `none` subscriber takes any granularity. Words and
 * paragraphs would need a re-cut we do not make.
 */
const HONOURABLE_BOUNDARIES = new Set(['none', 'sentence', 'completion']);

export type Negotiation =
  | { readonly ok: true; readonly message: SubscriptionAccepted }
  | { readonly ok: false; readonly message: SubscriptionRejected };

function rejected(reason_code: RejectionReason, reason_message: string, offer: SubscriptionOffer): Negotiation {
  return {
    ok: false,
    message: {
      type: 'subscription.rejected',
      reason_code,
      reason_message,
      ...(offer.manifestUri !== undefined && { alternative_manifest_uri: offer.manifestUri }),
    },
  };
}

function major(version: string): number {
  return Number(version.split('.')[0]);
}

/**
 * The versions we speak: the draft our events carry and 1.x, whose schemas are the ones
 * vendored and validated against (the wire format is the same).
 */
export function supportsVersion(requested: string, ours: string): boolean {
  const wanted = major(requested);
  return wanted === major(ours) || wanted === 1;
}

/**
 * Decides a `subscription.request` (or a renegotiation, with the merged capabilities):
 * `honored_capabilities` only ever narrows what was asked (spec §5.4.4), and lists only
 * the capabilities this producer actually enforces.
 */
export function negotiateSubscription(
  subscriptionId: string,
  aaepVersion: string,
  requested: Capabilities,
  offer: SubscriptionOffer,
): Negotiation {
  if (!supportsVersion(aaepVersion, offer.aaepVersion)) {
    return rejected('version_unsupported', `This producer speaks AAEP ${offer.aaepVersion} (and the 1.x wire format); ${aaepVersion} was requested.`, offer);
  }
  if (requested.accept_signed_manifests_only === true && offer.signedManifest === undefined) {
    return rejected('manifest_signature_required', 'This producer has no manifest signing key configured (AAEP_MANIFEST_SIGNING_KEY), so it cannot offer a signed manifest.', offer);
  }
  const honored: Capabilities = {};
  const notes: string[] = [];
  if (requested.max_events_per_second !== undefined) honored.max_events_per_second = requested.max_events_per_second;
  if (requested.preferred_verbosity !== undefined) honored.preferred_verbosity = requested.preferred_verbosity;
  if (requested.languages !== undefined) {
    const ours = new Set(offer.languages.map((tag) => tag.toLowerCase()));
    const languages = requested.languages.filter((tag) => ours.has(tag.split('-')[0]!.toLowerCase()));
    if (languages.length === 0) {
      return rejected('capabilities_incompatible', `This producer's phrases are available in ${offer.languages.join(', ')} only; none of ${requested.languages.join(', ')} was offered.`, offer);
    }
    honored.languages = languages;
  }
  if (requested.supports_confirmation_reply !== undefined) honored.supports_confirmation_reply = requested.supports_confirmation_reply;
  if (requested.supports_clarification_reply !== undefined) honored.supports_clarification_reply = requested.supports_clarification_reply;
  if (requested.coalesce_boundaries !== undefined) {
    const boundaries = requested.coalesce_boundaries.filter((b) => HONOURABLE_BOUNDARIES.has(b));
    if (boundaries.length === 0) {
      return rejected('capabilities_incompatible', 'This producer coalesces output at sentences and at completion; word and paragraph boundaries alone cannot be honoured.', offer);
    }
    if (boundaries.length < requested.coalesce_boundaries.length) notes.push('Output is coalesced at sentences and completion only.');
    honored.coalesce_boundaries = boundaries;
  }
  if (requested.event_filters !== undefined) honored.event_filters = requested.event_filters;
  if (requested.supported_conformance_levels !== undefined) {
    const levels = requested.supported_conformance_levels.filter((level) => offer.conformanceLevels.includes(level));
    if (levels.length === 0) {
      return rejected('capabilities_incompatible', `This producer offers conformance levels ${offer.conformanceLevels.join(', ')}.`, offer);
    }
    honored.supported_conformance_levels = levels;
  }
  if (requested.accept_signed_manifests_only !== undefined) honored.accept_signed_manifests_only = requested.accept_signed_manifests_only;
  const ignored = ['cognitive_load', 'pace_wpm', 'supported_extensions'].filter((key) => key in requested);
  if (ignored.length > 0) notes.push(`Not adapted to: ${ignored.join(', ')}.`);
  if (requested.supports_confirmation_reply === false || requested.supports_clarification_reply === false) {
    notes.push('Questions it cannot answer are not sent to it; when no other listener can answer one, it takes its default at once (spec §5.3.1.4).');
  } else if (requested.supports_confirmation_reply === undefined) {
    notes.push('supports_confirmation_reply was not declared: confirmations are sent and may be answered (declare false to have them withheld).');
  }
  return {
    ok: true,
    message: {
      type: 'subscription.accepted',
      subscription_id: subscriptionId,
      aaep_version: offer.aaepVersion,
      producer: offer.producer,
      honored_capabilities: honored as SubscriptionAccepted['honored_capabilities'],
      ...(offer.manifestUri !== undefined && { manifest_uri: offer.manifestUri }),
      ...(requested.accept_signed_manifests_only === true && offer.signedManifest !== undefined && { signed_manifest: offer.signedManifest }),
      ...(notes.length > 0 && { negotiation_notes: notes.join(' ') }),
    },
  };
}

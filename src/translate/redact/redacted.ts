/** What a screen reader says instead of the secret. Never contains the key or value. */
export const REDACTED = 'a credential (hidden)';

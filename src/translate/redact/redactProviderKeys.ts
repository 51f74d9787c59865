import { looksLikeToken } from './looksLikeToken.js';
import { MASK } from './mask.js';

// Provider key shapes. Greedy runs with no trailing condition, so a failed
// attempt costs at most the minimum length and a success consumes the run.
const PROVIDER_RE = new RegExp(
  [
    'sk-[A-Za-z0-9_-]{20,}', // OpenAI sk-, sk-proj-, sk-svcacct-; Anthropic sk-ant-
    '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe
    'whsec_[A-Za-z0-9+/=]{20,}', // Stripe webhook secret
    'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
    'github_pat_[A-Za-z0-9_]{30,}',
    'glpat-[A-Za-z0-9_-]{20,}', // GitLab
    'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
    'xapp-[A-Za-z0-9-]{10,}',
    'AIza[0-9A-Za-z_-]{35,}', // Google
    // AWS key ids; "ASIA" is also a word, so require a boundary on both sides.
    '(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])',
    '(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36,}',
    '(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}', // Hugging Face
  ].join('|'),
  'g',
);

export function redactProviderKeys(text: string): string {
  return text.replace(PROVIDER_RE, (m) => {
    if (m.startsWith('sk-')) {
      // Avoid kebab-case words ("task-management-..."): need one long random segment.
      const tail = m.slice(3).split('-');
      if (!tail.some((seg) => looksLikeToken(seg, 16))) return m;
    }
    return MASK.repeat(m.length);
  });
}

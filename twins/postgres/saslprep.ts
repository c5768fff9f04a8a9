// SASLprep (RFC 4013, the stringprep profile of RFC 3454) as PostgreSQL applies it to a SCRAM
// password: an ASCII password is used as it is; otherwise non-ASCII spaces become spaces, the
// characters "commonly mapped to nothing" go, the rest is NFKC-normalised, and the result must hold
// no prohibited character and pass the bidirectional check. When it does not, PostgreSQL uses the
// password's raw bytes instead of failing, and so does this.
//
// Two tables are approximated, and the README says so: unassigned code points (RFC 3454 A.1 is
// Unicode 3.2's) are judged by the Unicode of this Node, and the left-to-right class (D.2) by
// "a letter or spacing mark that is not right-to-left". Either can only differ for a password that
// mixes scripts of both directions, or uses a character newer than Unicode 3.2 together with one
// that the mapping or NFKC changes.
// @see https://www.rfc-editor.org/rfc/rfc4013
// @see https://www.postgresql.org/docs/current/sasl-authentication.html#SASL-SCRAM-SHA-256

/** RFC 3454 C.1.2, mapped to SPACE (RFC 4013 §2.1). */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** RFC 3454 B.1, mapped to nothing. */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;

/**
 * RFC 4013 §2.3: C.1.2, C.2.1, C.2.2, C.3 (private use), C.4 (non-characters), C.5 (surrogates),
 * C.6, C.7, C.8, C.9, and A.1 (unassigned, see above).
 */
const PROHIBITED = new RegExp(
  [
    '[\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000]',
    '[\\u0000-\\u001F\\u007F]',
    '[\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}]',
    '[\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}]',
    '[\\uFDD0-\\uFDEF]',
    '[\\uFFFE\\uFFFF\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}\\u{10FFFE}\\u{10FFFF}]',
    '\\p{Cs}',
    '[\\uFFF9-\\uFFFD\\u2FF0-\\u2FFB\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u206A-\\u206F]',
    '[\\u{E0001}\\u{E0020}-\\u{E007F}]',
    '\\p{Cn}',
  ].join('|'),
  'u',
);

/** RFC 3454 D.1: characters of bidirectional class R or AL. */
const RAND_AL =
  /[\u05BE\u05C0\u05C3\u05D0-\u05EA\u05F0-\u05F4\u061B\u061F\u0621-\u063A\u0640-\u064A\u066D-\u066F\u0671-\u06D5\u06DD\u06E5\u06E6\u06FA-\u06FE\u0700-\u070D\u0710\u0712-\u072C\u0780-\u07A5\u07B1\u200F\uFB1D\uFB1F-\uFB28\uFB2A-\uFB36\uFB38-\uFB3C\uFB3E\uFB40\uFB41\uFB43\uFB44\uFB46-\uFBB1\uFBD3-\uFD3D\uFD50-\uFD8F\uFD92-\uFDC7\uFDF0-\uFDFC\uFE70-\uFE74\uFE76-\uFEFC]/u;
/** RFC 3454 D.2 (class L), approximated. */
const L_CAT = /[\p{L}\p{Mc}]/u;

/** The prepared password, or undefined when SASLprep refuses it (the caller then uses it as it is). */
export function saslprep(password: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007F]*$/.test(password)) return password;
  const mapped = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  if (PROHIBITED.test(mapped)) return undefined;
  const chars = [...mapped];
  if (chars.some((c) => RAND_AL.test(c))) {
    // RFC 3454 §6: right-to-left text holds no left-to-right character and begins and ends right-to-left.
    if (chars.some((c) => L_CAT.test(c) && !RAND_AL.test(c))) return undefined;
    if (!RAND_AL.test(chars[0] as string) || !RAND_AL.test(chars.at(-1) as string)) return undefined;
  }
  return mapped;
}

/** The text SCRAM hashes for a password, as PostgreSQL chooses it. */
export function scramPassword(password: string): string {
  return saslprep(password) ?? password;
}

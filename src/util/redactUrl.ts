/**
 * Query parameters that carry a secret: signatures and SAS tokens (sig, se,
 * sp, sv, skoid, sktid), S3 presigned URLs, OAuth and API keys.
 */
const SECRET_PARAMS = /([?&](?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|token|access_token|refresh_token|id_token|api_key|apikey|api-key|key|access_key|secret|client_secret|password|passwd|pwd|auth|sv|se|sp|skoid|sktid)=)[^&#\s"'<>]*/gi;

/** Remove passwords, tokens and signed query strings from a URL for display. */
export function redactUrl(url: string): string {
  return url
    // user:password@ keeps the user; a lone user@ is a login name for ssh but a token anywhere else (https://TOKEN@host).
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (_m, scheme: string, cred: string) => (cred.includes(':') ? `${scheme}${cred.split(':')[0]}:***@` : /^(ssh|sftp):/i.test(scheme) ? `${scheme}${cred}@` : `${scheme}***@`))
    .replace(SECRET_PARAMS, '$1***');
}

/** Does this value (a URL, or any setting) carry a password, token or signature? */
export function hasUrlCredentials(value: string): boolean {
  return redactUrl(value) !== value;
}

/** redactUrl applied to every URL inside a message, a hint or a JSON line. */
export function redactText(text: string): string {
  // Sentence punctuation after a URL is not part of it (as linkifiers decide), so it survives redaction.
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)]/gi, (u) => redactUrl(u));
}

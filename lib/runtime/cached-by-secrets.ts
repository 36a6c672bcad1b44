/**
 * What a function builds from its secrets (clients, ports), kept while the secrets stay the same:
 * the secrets are read again after `rereadAfterMs` (they may rotate), and what was built from them
 * is rebuilt only when a value changed — so a client's state (keep-alive sockets, an IAM token, the
 * memory of a refused login) outlives the reads.
 *
 * @example
 * const currentLister = cachedBySecrets(() => resolveApigConfig(settings, readSecretReference), (apig) => createInstanceLister(apig), 0);
 * const lister = await currentLister();
 */
export function cachedBySecrets<Secrets, Built>(read: () => Promise<Secrets>, build: (secrets: Secrets) => Built, rereadAfterMs: number): () => Promise<Built> {
  let cached: { fingerprint: string; readAtMs: number; built: Built } | undefined;
  return async () => {
    if (cached && Date.now() - cached.readAtMs < rereadAfterMs) return cached.built;
    const secrets = await read();
    const fingerprint = JSON.stringify(secrets);
    if (cached?.fingerprint !== fingerprint) cached = { fingerprint, readAtMs: Date.now(), built: build(secrets) };
    cached.readAtMs = Date.now();
    return cached.built;
  };
}

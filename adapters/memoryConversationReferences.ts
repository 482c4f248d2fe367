import {
  ConversationReferences,
  ConversationReferencesOptions,
  KeptReference,
  SentActivity,
  userIndexKey,
} from './conversationReferences';

interface Entry {
  reference?: { value: KeptReference; savedAt: number };
  sent: Map<string, { sent: SentActivity; at: number }>;
  claims: Map<string, number>;
  touchedAt: number;
}

/** The embedded default: this process's memory, lost on restart with the state it belongs to. */
export class MemoryConversationReferences implements ConversationReferences {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  /** Hashed address → conversation key → when saved. */
  private readonly users = new Map<string, Map<string, number>>();

  constructor(options: ConversationReferencesOptions) {
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
  }

  async save(key: string, reference: KeptReference, addresses: readonly string[] = []): Promise<void> {
    const now = this.now();
    const entry = this.entry(key, now);
    entry.reference = { value: structuredClone(reference), savedAt: now };
    entry.touchedAt = now;
    for (const address of addresses) {
      const index = userIndexKey(address);
      const keys = this.users.get(index) ?? new Map<string, number>();
      keys.set(key, now);
      this.users.set(index, keys);
    }
  }

  async get(key: string): Promise<KeptReference | undefined> {
    const now = this.now();
    const reference = this.live(key, now)?.reference;
    return reference && reference.savedAt + this.ttlMs > now ? structuredClone(reference.value) : undefined;
  }

  async findByUser(address: string, channelId?: string): Promise<{ key: string; reference: KeptReference }[]> {
    const now = this.now();
    const keys = this.users.get(userIndexKey(address));
    if (!keys) return [];
    const found: { key: string; reference: KeptReference; at: number }[] = [];
    for (const [key, at] of keys) {
      const reference = this.live(key, now)?.reference;
      if (at + this.ttlMs <= now || !reference || reference.savedAt + this.ttlMs <= now) {
        keys.delete(key);
        continue;
      }
      if (!channelId || reference.value.channelId === channelId) found.push({ key, reference: structuredClone(reference.value), at });
    }
    return found.sort((a, b) => b.at - a.at).map(({ key, reference }) => ({ key, reference }));
  }

  async rememberSent(key: string, tag: string, sent: SentActivity): Promise<void> {
    const now = this.now();
    const entry = this.entry(key, now);
    entry.sent.set(tag, { sent: { ...sent }, at: now });
    entry.touchedAt = now;
  }

  async sent(key: string, tag: string): Promise<SentActivity | undefined> {
    const now = this.now();
    const found = this.live(key, now)?.sent.get(tag);
    return found && found.at + this.ttlMs > now ? { ...found.sent } : undefined;
  }

  async claim(key: string, id: string): Promise<boolean> {
    const now = this.now();
    const entry = this.entry(key, now);
    const at = entry.claims.get(id);
    if (at !== undefined && at + this.ttlMs > now) return false;
    entry.claims.set(id, now);
    entry.touchedAt = now;
    return true;
  }

  async unclaim(key: string, id: string): Promise<void> {
    this.entries.get(key)?.claims.delete(id);
  }

  async forget(key: string): Promise<void> {
    this.entries.delete(key);
    for (const keys of this.users.values()) keys.delete(key);
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.touchedAt + this.ttlMs <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private entry(key: string, now: number): Entry {
    const existing = this.live(key, now);
    if (existing) return existing;
    const entry: Entry = { sent: new Map(), claims: new Map(), touchedAt: now };
    this.entries.set(key, entry);
    return entry;
  }
}

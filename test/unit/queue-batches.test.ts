import { MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, splitIntoBatches } from '../../lib/queue/batches.js';
import type { OutgoingMessage } from '../../lib/watch/ports/watch-queue.js';

const KIB = 1024;

function messageFactory(id: string, bytes: number): OutgoingMessage {
  return { id, body: 'x'.repeat(bytes), delaySeconds: 0 };
}

const idsOf = (batches: OutgoingMessage[][]) => batches.map((batch) => batch.map((message) => message.id));

describe('splitIntoBatches', () => {
  it(`puts at most ${MAX_BATCH_ENTRIES} messages in a batch`, () => {
    // Act
    const batches = splitIntoBatches(Array.from({ length: 25 }, (_, index) => messageFactory(String(index), 10)));

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it(`starts a new batch before the bodies pass ${MAX_BATCH_BYTES / KIB} KiB, keeping the order`, () => {
    // Act
    const batches = splitIntoBatches(['a', 'b', 'c', 'd'].map((id) => messageFactory(id, 100 * KIB)));

    // Assess
    expect(idsOf(batches)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('fills a batch to exactly 256 KiB', () => {
    // Act
    const batches = splitIntoBatches([messageFactory('a', 200 * KIB), messageFactory('b', 56 * KIB), messageFactory('c', 1)]);

    // Assess
    expect(idsOf(batches)).toEqual([['a', 'b'], ['c']]);
  });

  it('sends a message larger than a batch alone, so its failure is its own', () => {
    // Act
    const batches = splitIntoBatches([messageFactory('small-1', 10), messageFactory('huge', 300 * KIB), messageFactory('small-2', 10)]);

    // Assess
    expect(idsOf(batches)).toEqual([['small-1'], ['huge'], ['small-2']]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // Act: 50 000 three-byte characters are 146 KiB, so two of them do not fit one batch.
    const batches = splitIntoBatches([
      { id: 'a', body: '网'.repeat(50_000), delaySeconds: 0 },
      { id: 'b', body: '网'.repeat(50_000), delaySeconds: 0 },
    ]);

    // Assess
    expect(idsOf(batches)).toEqual([['a'], ['b']]);
  });
});
